//! The string builder behind interpolation: `"a ${x} b"` lowers to
//! `plat_sb_new`, one `plat_sb_push_*` per part, then `plat_sb_finish`.
//!
//! # Invariants
//!
//! - A builder is owned by the compiled code between `new` and `finish`
//!   and used by one task at a time; `finish` consumes it.
//! - `chars` is the char count of `buf`, which is valid UTF-8, and at most
//!   `string::MAX_CHARS` (a push past it panics at once, before the
//!   buffer grows further).
//! - Each thread caches at most one finished builder (`CACHE`) to reuse
//!   its allocation; a cached builder is empty and owned by nobody else.
//!   Builders with big buffers are freed instead of cached.
#![allow(clippy::missing_safety_doc)]

use std::cell::Cell;

use crate::format;
use crate::string::{self, PlatStr};

/// A string being built (opaque to compiled code).
pub struct Sb {
    buf: Vec<u8>,
    chars: u64,
}

/// Largest buffer kept in the per-thread cache.
const CACHE_MAX: usize = 4096;

thread_local! {
    static CACHE: Cell<*mut Sb> = const { Cell::new(std::ptr::null_mut()) };
}

/// Starts an interpolated string.
#[no_mangle]
pub extern "C" fn plat_sb_new() -> *mut Sb {
    let cached = CACHE.with(|c| c.replace(std::ptr::null_mut()));
    if !cached.is_null() {
        return cached;
    }
    Box::into_raw(Box::new(Sb {
        buf: Vec::with_capacity(64),
        chars: 0,
    }))
}

/// Safety contract of the push functions: `sb` comes from `plat_sb_new`
/// and was not finished; string arguments are valid strings.
unsafe fn with<'a>(sb: *mut Sb) -> &'a mut Sb {
    // SAFETY: per the contract above, `sb` is a live, exclusively owned
    // builder.
    unsafe { &mut *sb }
}

/// Appends a string part.
#[no_mangle]
pub unsafe extern "C" fn plat_sb_push_str(sb: *mut Sb, s: *const PlatStr) {
    // SAFETY: live builder and valid string (contract above).
    unsafe {
        let sb = with(sb);
        let chars = sb.chars + string::char_len(s);
        string::ensure_chars(chars);
        sb.buf.extend_from_slice(string::bytes(s));
        sb.chars = chars;
    }
}

/// Appends the ASCII rendering produced by `f`.
fn push_ascii(sb: &mut Sb, f: impl FnOnce(&mut Vec<u8>)) {
    let before = sb.buf.len();
    f(&mut sb.buf);
    sb.chars += (sb.buf.len() - before) as u64;
    string::ensure_chars(sb.chars);
}

/// Appends an integer (any integer type, sign-extended).
#[no_mangle]
pub unsafe extern "C" fn plat_sb_push_i64(sb: *mut Sb, v: i64) {
    // SAFETY: live builder (contract above).
    push_ascii(unsafe { with(sb) }, |b| format::push_i64(b, v));
}

/// Appends a `Float64`.
#[no_mangle]
pub unsafe extern "C" fn plat_sb_push_f64(sb: *mut Sb, v: f64) {
    // SAFETY: live builder (contract above).
    push_ascii(unsafe { with(sb) }, |b| format::push_f64(b, v));
}

/// Appends a `Float32`.
#[no_mangle]
pub unsafe extern "C" fn plat_sb_push_f32(sb: *mut Sb, v: f32) {
    // SAFETY: live builder (contract above).
    push_ascii(unsafe { with(sb) }, |b| format::push_f32(b, v));
}

/// Appends a `Bool` (`true` / `false`).
#[no_mangle]
pub unsafe extern "C" fn plat_sb_push_bool(sb: *mut Sb, v: u8) {
    // SAFETY: live builder (contract above).
    push_ascii(unsafe { with(sb) }, |b| format::push_bool(b, v != 0));
}

/// Ends the builder and returns the string; `sb` is invalid afterwards.
#[no_mangle]
pub unsafe extern "C" fn plat_sb_finish(sb: *mut Sb) -> *const PlatStr {
    // SAFETY: live builder (contract above); ownership returns to us here.
    let b = unsafe { with(sb) };
    let s = string::from_utf8_with_chars(&b.buf, b.chars);
    if b.buf.capacity() <= CACHE_MAX {
        b.buf.clear();
        b.chars = 0;
        let old = CACHE.with(|c| c.replace(sb));
        if !old.is_null() {
            // SAFETY: a cached builder is owned by the cache alone
            // (invariant), and came from `Box::into_raw`.
            drop(unsafe { Box::from_raw(old) });
        }
    } else {
        // SAFETY: `sb` came from `Box::into_raw` and nobody else holds it.
        drop(unsafe { Box::from_raw(sb) });
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: *const PlatStr) -> (String, u64) {
        // SAFETY: test strings are valid and never freed.
        unsafe { (string::as_str(p).to_owned(), string::char_len(p)) }
    }

    #[test]
    fn ensure_that_the_builder_renders_every_kind_of_part() {
        // SAFETY: the builder is used between new and finish only.
        let s = unsafe {
            let sb = plat_sb_new();
            plat_sb_push_str(sb, string::from_str("héllo "));
            plat_sb_push_i64(sb, -42);
            plat_sb_push_str(sb, string::from_str(" "));
            plat_sb_push_f64(sb, 2.0);
            plat_sb_push_str(sb, string::from_str(" "));
            plat_sb_push_f64(sb, 1e20);
            plat_sb_push_str(sb, string::from_str(" "));
            plat_sb_push_f32(sb, 2.5);
            plat_sb_push_str(sb, string::from_str(" "));
            plat_sb_push_bool(sb, 1);
            plat_sb_push_bool(sb, 0);
            plat_sb_finish(sb)
        };
        assert_eq!(
            text(s),
            (
                "héllo -42 2 100000000000000000000 2.5 truefalse".to_owned(),
                47
            )
        );
    }

    #[test]
    fn ensure_that_nested_and_reused_builders_stay_independent() {
        // SAFETY: each builder is used between its new and finish only.
        unsafe {
            for i in 0..1000 {
                let outer = plat_sb_new();
                plat_sb_push_str(outer, string::from_str("<"));
                let inner = plat_sb_new();
                plat_sb_push_i64(inner, i);
                let inner = plat_sb_finish(inner);
                plat_sb_push_str(outer, inner);
                plat_sb_push_str(outer, string::from_str(">"));
                assert_eq!(text(plat_sb_finish(outer)).0, format!("<{i}>"));
            }
            let empty = plat_sb_new();
            assert_eq!(text(plat_sb_finish(empty)), (String::new(), 0));
            let big = plat_sb_new();
            for _ in 0..10_000 {
                plat_sb_push_str(big, string::from_str("ö"));
            }
            assert_eq!(text(plat_sb_finish(big)).1, 10_000);
        }
    }
}
