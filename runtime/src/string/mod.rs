//! The string object and helpers to make and read strings.
//!
//! # Design: immutable strings whose `+` appends in place
//!
//! A Plat string is immutable and shared freely: a value is one pointer to
//! an object, copied into lists, captured by tasks, compared by content.
//! The first layout had the bytes inline after a small header, so
//! `s = s + piece` in a loop copied all of `s` every time: quadratic time,
//! and quadratic garbage until the collector caught up (60,000 appends
//! reached 1.77 GB; issue 12).
//!
//! Go keeps its strings immutable and offers a separate mutable
//! `strings.Builder`. Plat has only `+`, so `+` itself is made cheap, the
//! way Go's `append` makes slices cheap: a string may be a *view*, a small
//! header whose data pointer points to the first byte of a *string
//! buffer* with spare capacity, and the view's bytes are a prefix of the
//! buffer. Appending to a view that ends exactly where its buffer's
//! claimed bytes end, with room left, *claims* the buffer's tail and
//! copies only the piece; the result is a new header sharing the buffer.
//! The old view still sees exactly its own bytes: bytes below a buffer's
//! claimed length are never written again, so strings stay immutable.
//!
//! Rejected: a rope (every read, `==`, hashing, printing, `char_at`,
//! would have to walk or flatten it, and reads far outnumber appends);
//! mutating the header in place when `s` is unshared (needs an escape
//! analysis the compiler does not have, and any alias, a list element or
//! a captured variable, defeats it); reference counts to prove uniqueness
//! (nothing else in the traced heap counts references).
//!
//! ## Who owns a buffer's tail
//!
//! A buffer's `claimed` length (atomic) is how many of its bytes belong to
//! some view. A view of `n` bytes may append `k` bytes in place iff
//! `claimed == n` and `n + k <= capacity`: it moves `claimed` from `n` to
//! `n + k` with one compare-and-swap and only then writes bytes
//! `n..n + k`. Two appends to the same string (two tasks, or one task
//! keeping the old value: `t = s; s = s + "a"; t = t + "b"`) race on that
//! CAS: one wins and writes in place, the other sees `claimed != n` and
//! copies into a new buffer. Nobody ever reads bytes at or above the
//! `claimed` it started from, so the winner's writes race with no reader.
//!
//! Memory ordering: the CAS only has to make claims unique, which a
//! single atomic's modification order does (`Relaxed`). The bytes reach
//! other tasks the way the new string's pointer does (a channel, `await`,
//! a lock: each a release/acquire pair), and such a task's later CAS on
//! the buffer sees at least the winner's value (coherence).
//!
//! ## When a string gets a buffer (`append`)
//!
//! - A result of at most [`append::INLINE_MAX`] bytes is an ordinary
//!   inline string: copying a few dozen bytes is as cheap as the
//!   bookkeeping, and one object is smaller than two.
//! - A longer `a + b` where `a` is inline (a literal, a substring, a
//!   rendered number...) gets a buffer of exactly its size (rounded up to
//!   the allocation's real size): a one-off concatenation wastes nothing.
//! - `a + b` where `a` is a view that cannot append in place copies into
//!   a new buffer with slack: the size doubles up to 4 MiB, then grows by
//!   4 MiB, then by a quarter (as Go's `append` moves from doubling to
//!   1.25x): amortised O(1) per byte appended, and at most a quarter of a
//!   huge string wasted. Only strings that were themselves made by `+`
//!   get slack, so the waste is bounded by what a loop of appends built.
//! - A buffer made for a string of `n` bytes has at most `2n` bytes of
//!   capacity, and every view of it has at least `n`: a string kept alive
//!   keeps at most about twice its own size (substrings copy, so a short
//!   piece never pins a long buffer).
//!
//! ## The collector
//!
//! A string object's `data` word is a precise pointer for the collector
//! (`crate::gc::mark`): a view keeps its buffer alive. Views are never
//! empty, so `data` points inside the buffer (its first byte), which the
//! collector resolves like any interior pointer; a null `data` (inline
//! bytes) is skipped. Runtime code holding a view's bytes (`&[u8]` into a
//! buffer) across an allocation keeps the buffer alive through that
//! interior pointer, as for any object. Buffers hold no pointers (their
//! shape is a `Leaf`). Nothing moves, so a view's pointer never changes.
//!
//! # Layout
//!
//! Known to compiler (`docs/runtime-abi.md`, "Strings"; the code generator
//! emits literals inline, with a null `data`, in the layout of
//! `plat_abi::object::string`, to which [`PlatStr`] is tied by
//! compile-time assertions):
//!
//! ```text
//! offset 0   header: *const PlatShape  (always &plat_shape_string)
//! offset 8   byte_len: u64
//! offset 16  char_len: u64             Unicode scalar values
//! offset 24  data: *const u8           null: the bytes are inline, at
//!                                      offset 32; else the first byte of
//!                                      a string buffer (append.rs)
//! offset 32  inline UTF-8 bytes (no NUL after them)
//! ```
//!
//! Private to the runtime, a string buffer (`append::StrBuf`):
//!
//! ```text
//! offset 0   header: *const PlatShape  (append::BUFFER_SHAPE, a Leaf)
//! offset 8   capacity: u64             bytes
//! offset 16  claimed: u64 (atomic)     bytes owned by some view
//! offset 24  the bytes
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
//!   here); nothing may assume otherwise. Such strings are inline.
//! - A view (non-null `data`) is on the heap, is not empty, and `data` is
//!   its buffer's first byte; `byte_len <= claimed <= capacity` of that
//!   buffer; buffer bytes below `claimed` are never written again once
//!   the view that claimed them is published.
//! - Nothing may rely on a NUL after a string's bytes.
//! - `char_len <= MAX_CHARS` (`length()` is an `Int32`): making a longer
//!   string is a panic ([`check_chars`]), so lengths never wrap.

pub mod abi;
pub mod abi_builder;
pub mod abi_more;
pub mod append;

pub use append::concat;

use crate::gc::heap;
use crate::gc::shape::{plat_shape_string, PlatShape};

/// The header of a string object; inline bytes follow it.
#[repr(C)]
#[derive(Debug)]
pub struct PlatStr {
    pub shape: *const PlatShape,
    pub byte_len: u64,
    pub char_len: u64,
    /// Null: the bytes are inline (at [`DATA_OFFSET`]); else the first
    /// byte of a string buffer (a view, see the module doc).
    pub data: *const u8,
}

/// Bytes from the start of the object to its first inline UTF-8 byte.
pub const DATA_OFFSET: usize = std::mem::size_of::<PlatStr>();

/// The word of a string object holding `data` (for the collector).
pub const DATA_WORD: usize = plat_abi::object::string::DATA_PTR / plat_abi::WORD;

const _: () = {
    use plat_abi::object::{string, HEADER};
    use std::mem::offset_of;
    assert!(offset_of!(PlatStr, shape) == HEADER);
    assert!(offset_of!(PlatStr, byte_len) == string::BYTE_LEN);
    assert!(offset_of!(PlatStr, char_len) == string::CHAR_LEN);
    assert!(offset_of!(PlatStr, data) == string::DATA_PTR);
    assert!(DATA_OFFSET == string::DATA);
};

/// A string with its bytes inline, for statics (`N` = byte count).
#[repr(C)]
pub struct StaticStr<const N: usize> {
    header: PlatStr,
    bytes: [u8; N],
}

// SAFETY: static strings are immutable (module invariant) and their only
// pointer is to the immutable `plat_shape_string` (`data` is null).
unsafe impl<const N: usize> Sync for StaticStr<N> {}

impl<const N: usize> StaticStr<N> {
    /// Builds a static string from `s`; `N` must be `s.len()`.
    pub const fn new(s: &str) -> Self {
        let src = s.as_bytes();
        assert!(src.len() == N, "StaticStr size must be the byte length");
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
                data: std::ptr::null(),
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
        static S: $crate::string::StaticStr<{ $s.len() }> = $crate::string::StaticStr::new($s);
        S.as_ptr()
    }};
}

/// The empty string.
pub fn empty() -> *const PlatStr {
    static_str!("")
}

/// One static string per ASCII character, so `char_at` on ASCII text does
/// not allocate.
static ASCII_CHARS: [StaticStr<1>; 128] = {
    let mut table = [const {
        StaticStr {
            header: PlatStr {
                shape: &plat_shape_string,
                byte_len: 1,
                char_len: 1,
                data: std::ptr::null(),
            },
            bytes: [0],
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

/// Allocates an inline string of `byte_len` bytes (all zero) with the
/// given char count, and returns it with a pointer to its bytes. The
/// caller must fill the bytes with UTF-8 that has `char_len` chars before
/// the string is seen by anyone else. Every inline string the runtime
/// makes comes through here, and every view through `append`: more than
/// [`MAX_CHARS`] characters is a panic.
pub fn alloc_raw(byte_len: usize, char_len: u64) -> (*mut PlatStr, *mut u8) {
    crate::gc::limit::check_elems("string", byte_len, 1, DATA_OFFSET);
    ensure_chars(char_len);
    let size = DATA_OFFSET + byte_len;
    let obj = heap::alloc(size, &plat_shape_string) as *mut PlatStr;
    // SAFETY: `obj` is a fresh, aligned allocation of `size` bytes, large
    // enough for the header and `byte_len` bytes after it; `data` is
    // already null (allocations are zeroed).
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

/// The address of a string's first byte: inline after the header, or in
/// its buffer.
///
/// # Safety
///
/// `s` must point to a valid string object.
#[inline]
pub unsafe fn data_ptr(s: *const PlatStr) -> *const u8 {
    // SAFETY: a valid object per the caller (layout above).
    unsafe {
        let d = (*s).data;
        if d.is_null() {
            (s as *const u8).add(DATA_OFFSET)
        } else {
            d
        }
    }
}

/// The bytes of a string.
///
/// # Safety
///
/// `s` must point to a valid string object that outlives `'a` (a view's
/// buffer lives as long as the view: the view keeps it alive).
#[inline]
pub unsafe fn bytes<'a>(s: *const PlatStr) -> &'a [u8] {
    // SAFETY: the caller guarantees a valid object, whose `byte_len` bytes
    // start at `data_ptr` (layout and invariants above).
    unsafe { std::slice::from_raw_parts(data_ptr(s), (*s).byte_len as usize) }
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
        assert_eq!(DATA_OFFSET, 32);
        assert_eq!(std::mem::offset_of!(PlatStr, byte_len), 8);
        assert_eq!(std::mem::offset_of!(PlatStr, char_len), 16);
        assert_eq!(std::mem::offset_of!(PlatStr, data), 24);
    }

    #[test]
    fn ensure_that_made_strings_are_inline_with_their_lengths() {
        let s = from_str("héllo");
        // SAFETY: `s` was just made and is never freed.
        unsafe {
            assert_eq!(as_str(s), "héllo");
            assert_eq!((*s).byte_len, 6);
            assert_eq!((*s).char_len, 5);
            assert!((*s).data.is_null());
            assert_eq!(data_ptr(s), (s as *const u8).add(DATA_OFFSET));
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
            assert!((*s).data.is_null());
        }
        // SAFETY: as above.
        unsafe {
            assert_eq!(as_str(char_string('a')), "a");
            assert_eq!(as_str(char_string('é')), "é");
            assert_eq!(char_len(empty()), 0);
        }
    }
}
