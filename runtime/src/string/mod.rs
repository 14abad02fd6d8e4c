//! The string object and helpers to make and read strings.
//!
//! Known to compiler (`docs/runtime-abi.md`, "Strings"; the code generator
//! emits literals in this layout, `plat_abi::object::string`, to which
//! [`PlatStr`] is tied by compile-time assertions):
//!
//! ```text
//! offset 0   header: *const PlatShape  (always &plat_shape_string)
//! offset 8   byte_len: u64
//! offset 16  char_len: u64             Unicode scalar values
//! offset 24  UTF-8 bytes, then one NUL byte (not counted)
//! ```
//!
//! # Invariants
//!
//! - The bytes are valid UTF-8 and `char_len` is their number of chars.
//! - Strings are immutable once made, so objects may be shared freely
//!   (functions return an argument unchanged when the result is equal).
//! - `byte_len == char_len` iff the string is ASCII; character indexing
//!   uses this as its O(1) fast path.
//! - A string may live outside the heap (compiler literals, the statics
//!   here); nothing may assume otherwise.
//! - `char_len <= MAX_CHARS` (`length()` is an `Int32`): making a longer
//!   string is a panic ([`check_chars`]), so lengths never wrap.

pub mod abi;
pub mod abi_builder;
pub mod abi_more;

use crate::gc::heap;
use crate::gc::shape::{plat_shape_string, PlatShape};

/// The header of a string object; the bytes follow it.
#[repr(C)]
#[derive(Debug)]
pub struct PlatStr {
    pub shape: *const PlatShape,
    pub byte_len: u64,
    pub char_len: u64,
}

/// Bytes from the start of the object to its first UTF-8 byte.
pub const DATA_OFFSET: usize = std::mem::size_of::<PlatStr>();

const _: () = {
    use plat_abi::object::{string, HEADER};
    use std::mem::offset_of;
    assert!(offset_of!(PlatStr, shape) == HEADER);
    assert!(offset_of!(PlatStr, byte_len) == string::BYTE_LEN);
    assert!(offset_of!(PlatStr, char_len) == string::CHAR_LEN);
    assert!(DATA_OFFSET == string::DATA);
};

/// A string with its bytes inline, for statics (`N` = bytes + 1 for NUL).
#[repr(C)]
pub struct StaticStr<const N: usize> {
    header: PlatStr,
    bytes: [u8; N],
}

// SAFETY: static strings are immutable (module invariant) and their only
// pointer is to the immutable `plat_shape_string`.
unsafe impl<const N: usize> Sync for StaticStr<N> {}

impl<const N: usize> StaticStr<N> {
    /// Builds a static string from `s`; `N` must be `s.len() + 1`.
    pub const fn new(s: &str) -> Self {
        let src = s.as_bytes();
        assert!(src.len() + 1 == N, "StaticStr size must be len + 1");
        let mut bytes = [0u8; N];
        let mut i = 0;
        while i < src.len() {
            bytes[i] = src[i];
            i += 1;
        }
        StaticStr {
            header: PlatStr {
                shape: &plat_shape_string,
                byte_len: src.len() as u64,
                char_len: count_chars_const(src),
            },
            bytes,
        }
    }

    pub const fn as_ptr(&'static self) -> *const PlatStr {
        &self.header
    }
}

const fn count_chars_const(b: &[u8]) -> u64 {
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        if (b[i] as i8) >= -0x40 {
            n += 1;
        }
        i += 1;
    }
    n
}

/// `static_str!("text")` is a `*const PlatStr` to a static string.
#[macro_export]
macro_rules! static_str {
    ($s:expr) => {{
        static S: $crate::string::StaticStr<{ $s.len() + 1 }> = $crate::string::StaticStr::new($s);
        S.as_ptr()
    }};
}

/// The empty string.
pub fn empty() -> *const PlatStr {
    static_str!("")
}

/// One static string per ASCII character, so `char_at` on ASCII text does
/// not allocate.
static ASCII_CHARS: [StaticStr<2>; 128] = {
    let mut table = [const {
        StaticStr {
            header: PlatStr {
                shape: &plat_shape_string,
                byte_len: 1,
                char_len: 1,
            },
            bytes: [0, 0],
        }
    }; 128];
    let mut i = 0;
    while i < 128 {
        table[i].bytes[0] = i as u8;
        i += 1;
    }
    table
};

/// Counts the chars of valid UTF-8: the bytes that are not continuation
/// bytes (`0b10xx_xxxx`).
#[inline]
pub fn count_chars(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| (c as i8) >= -0x40).count() as u64
}

/// The most characters a string may have: `s.length()` is an `Int32`.
pub const MAX_CHARS: u64 = plat_abi::object::string::MAX_CHARS;

/// `Ok` if a string of `chars` characters may exist, else the panic
/// message: `string too long (N characters; the limit is 2147483647)`.
pub fn check_chars(chars: u64) -> Result<(), String> {
    if chars <= MAX_CHARS {
        Ok(())
    } else {
        Err(format!(
            "string too long ({chars} characters; the limit is {MAX_CHARS})"
        ))
    }
}

/// Panics (a Plat panic) unless a string of `chars` characters may exist.
#[inline]
pub fn ensure_chars(chars: u64) {
    if chars > MAX_CHARS {
        too_long(chars)
    }
}

#[cold]
#[inline(never)]
fn too_long(chars: u64) -> ! {
    let msg = check_chars(chars).expect_err("too long");
    crate::sched::panic(msg.as_bytes(), None)
}

/// Allocates a string of `byte_len` bytes (all zero, NUL included) with
/// the given char count, and returns it with a pointer to its bytes. The
/// caller must fill the bytes with UTF-8 that has `char_len` chars before
/// the string is seen by anyone else. Every string the runtime makes
/// comes through here: more than [`MAX_CHARS`] characters is a panic.
pub fn alloc_raw(byte_len: usize, char_len: u64) -> (*mut PlatStr, *mut u8) {
    ensure_chars(char_len);
    let size = DATA_OFFSET
        .checked_add(byte_len)
        .and_then(|s| s.checked_add(1))
        .unwrap_or_else(|| crate::rt_fatal!("out of memory: string of {byte_len} bytes"));
    let obj = heap::alloc(size, &plat_shape_string) as *mut PlatStr;
    // SAFETY: `obj` is a fresh, aligned allocation of `size` bytes, large
    // enough for the header and `byte_len + 1` bytes after it.
    unsafe {
        (*obj).byte_len = byte_len as u64;
        (*obj).char_len = char_len;
        (obj, (obj as *mut u8).add(DATA_OFFSET))
    }
}

/// Makes a string from UTF-8 bytes whose char count is known.
pub fn from_utf8_with_chars(bytes: &[u8], char_len: u64) -> *const PlatStr {
    debug_assert!(std::str::from_utf8(bytes).is_ok());
    debug_assert_eq!(count_chars(bytes), char_len);
    if bytes.is_empty() {
        return empty();
    }
    if bytes.len() == 1 && bytes[0] < 128 {
        return ASCII_CHARS[bytes[0] as usize].as_ptr();
    }
    let (s, data) = alloc_raw(bytes.len(), char_len);
    // SAFETY: `data` has room for `bytes.len()` bytes (see `alloc_raw`)
    // and is a fresh allocation, so the ranges do not overlap.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len()) };
    s
}

/// Makes a string from a Rust string.
pub fn from_str(s: &str) -> *const PlatStr {
    from_utf8_with_chars(s.as_bytes(), count_chars(s.as_bytes()))
}

/// Makes a string from ASCII bytes (char count = byte count).
pub fn from_ascii(s: &[u8]) -> *const PlatStr {
    debug_assert!(s.is_ascii());
    from_utf8_with_chars(s, s.len() as u64)
}

/// The bytes of a string (without the NUL).
///
/// # Safety
///
/// `s` must point to a valid string object that outlives `'a`.
#[inline]
pub unsafe fn bytes<'a>(s: *const PlatStr) -> &'a [u8] {
    // SAFETY: the caller guarantees a valid object, whose `byte_len` bytes
    // follow the header (layout above).
    unsafe { std::slice::from_raw_parts((s as *const u8).add(DATA_OFFSET), (*s).byte_len as usize) }
}

/// The contents of a string as `&str`.
///
/// # Safety
///
/// As [`bytes`].
#[inline]
pub unsafe fn as_str<'a>(s: *const PlatStr) -> &'a str {
    // SAFETY: valid object per the caller; its bytes are UTF-8 (module
    // invariant).
    unsafe { std::str::from_utf8_unchecked(bytes(s)) }
}

/// The char count of a string.
///
/// # Safety
///
/// As [`bytes`].
#[inline]
pub unsafe fn char_len(s: *const PlatStr) -> u64 {
    // SAFETY: valid object per the caller.
    unsafe { (*s).char_len }
}

/// Whether a string is ASCII (O(1), by the module invariant).
///
/// # Safety
///
/// As [`bytes`].
#[inline]
pub unsafe fn is_ascii(s: *const PlatStr) -> bool {
    // SAFETY: valid object per the caller.
    unsafe { (*s).byte_len == (*s).char_len }
}

/// The one-char string for the char at byte offset `at` of `text`.
pub fn char_string(c: char) -> *const PlatStr {
    if c.is_ascii() {
        return ASCII_CHARS[c as usize].as_ptr();
    }
    let mut buf = [0u8; 4];
    from_utf8_with_chars(c.encode_utf8(&mut buf).as_bytes(), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_that_the_string_layout_matches_the_documented_one() {
        assert_eq!(DATA_OFFSET, 24);
        assert_eq!(std::mem::offset_of!(PlatStr, byte_len), 8);
        assert_eq!(std::mem::offset_of!(PlatStr, char_len), 16);
    }

    #[test]
    fn ensure_that_made_strings_have_lengths_and_a_nul() {
        let s = from_str("héllo");
        // SAFETY: `s` was just made and is never freed.
        unsafe {
            assert_eq!(as_str(s), "héllo");
            assert_eq!((*s).byte_len, 6);
            assert_eq!((*s).char_len, 5);
            assert_eq!(*(s as *const u8).add(DATA_OFFSET + 6), 0);
            assert_eq!((*s).shape, &plat_shape_string as *const _);
        }
    }

    #[test]
    fn ensure_that_the_length_limit_is_the_largest_int32() {
        assert_eq!(check_chars(0), Ok(()));
        assert_eq!(check_chars(i32::MAX as u64), Ok(()));
        assert_eq!(
            check_chars(i32::MAX as u64 + 1),
            Err("string too long (2147483648 characters; the limit is 2147483647)".to_owned())
        );
        assert!(check_chars(u64::MAX).is_err());
        // The largest allowed length still fits `length()`'s Int32.
        assert_eq!(MAX_CHARS as i32 as u64, MAX_CHARS);
    }

    #[test]
    fn ensure_that_static_strings_are_well_formed() {
        let s = static_str!("wörld");
        // SAFETY: static strings live forever.
        unsafe {
            assert_eq!(as_str(s), "wörld");
            assert_eq!(char_len(s), 5);
            assert_eq!(*(s as *const u8).add(DATA_OFFSET + 6), 0);
        }
        // SAFETY: as above.
        unsafe {
            assert_eq!(as_str(char_string('a')), "a");
            assert_eq!(as_str(char_string('é')), "é");
            assert_eq!(char_len(empty()), 0);
        }
    }
}
