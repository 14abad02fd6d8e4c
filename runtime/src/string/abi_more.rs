//! The String methods of issue 12 (docs/stdlib.md, "String"): ordering,
//! case mapping, searching by character index, `repeat`, the splitting
//! methods `lines`, `chars` and `split_whitespace`, and padding.
//!
//! Called by the code generator (`compiler/src/codegen/stdlib.rs`); the
//! table of names and signatures is `compiler/src/codegen/runtime_abi.rs`
//! and docs/runtime-abi.md. Only the helpers of `super` (the string module) touch a
//! string's representation.
//!
//! Safety contract of every function here: each `*const PlatStr` argument
//! points to a valid string object; `loc` is null or a NUL-terminated
//! `"file:line:col"` that lives forever; descriptors are well-formed
//! `List[String]` descriptors that live forever.
#![allow(clippy::missing_safety_doc)]

use std::cmp::Ordering;
use std::ffi::c_char;

use crate::collections::list::{self, PlatList};
use crate::fatal::loc_arg;
use crate::gc::shape::PlatShape;
use crate::string::{self, as_str, bytes, char_len, count_chars, is_ascii, PlatStr};

/// `a < b`, `a.compare(other = b)` and the other orderings: -1, 0 or 1,
/// comparing the UTF-8 bytes, which orders by code point.
#[no_mangle]
pub unsafe extern "C" fn plat_str_compare(a: *const PlatStr, b: *const PlatStr) -> i32 {
    if a == b {
        return 0;
    }
    // SAFETY: valid strings (module contract).
    match unsafe { bytes(a).cmp(bytes(b)) } {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

/// `s.to_upper()`: Rust's `str::to_uppercase` (full Unicode mapping:
/// `"ß"` gives `"SS"`); `s` itself when nothing changes.
#[no_mangle]
pub unsafe extern "C" fn plat_str_to_upper(s: *const PlatStr) -> *const PlatStr {
    // SAFETY: valid string (module contract).
    let (text, ascii) = unsafe { (as_str(s), is_ascii(s)) };
    if ascii {
        if !text.bytes().any(|b| b.is_ascii_lowercase()) {
            return s;
        }
        return string::from_ascii(text.to_ascii_uppercase().as_bytes());
    }
    changed_or_same(s, text, text.to_uppercase())
}

/// `s.to_lower()`: Rust's `str::to_lowercase` (a final Greek capital
/// sigma becomes `ς`); `s` itself when nothing changes.
#[no_mangle]
pub unsafe extern "C" fn plat_str_to_lower(s: *const PlatStr) -> *const PlatStr {
    // SAFETY: valid string (module contract).
    let (text, ascii) = unsafe { (as_str(s), is_ascii(s)) };
    if ascii {
        if !text.bytes().any(|b| b.is_ascii_uppercase()) {
            return s;
        }
        return string::from_ascii(text.to_ascii_lowercase().as_bytes());
    }
    changed_or_same(s, text, text.to_lowercase())
}

/// `s` if `mapped` equals its text, else a new string of `mapped` (which
/// panics past `string::MAX_CHARS`: `"ß"` doubles in upper case).
fn changed_or_same(s: *const PlatStr, text: &str, mapped: String) -> *const PlatStr {
    if mapped == text {
        s
    } else {
        string::from_str(&mapped)
    }
}

/// `s.index_of(needle = n)`: the character index of the first occurrence
/// of `n`, or -1 (the compiler makes the `Option<Int32>`). An empty
/// needle is found at 0.
#[no_mangle]
pub unsafe extern "C" fn plat_str_index_of(s: *const PlatStr, needle: *const PlatStr) -> i64 {
    // SAFETY: valid strings (module contract).
    let (text, ascii) = unsafe { (as_str(s), is_ascii(s)) };
    // SAFETY: valid string (module contract).
    match text.find(unsafe { as_str(needle) }) {
        None => -1,
        Some(at) if ascii => at as i64,
        Some(at) => count_chars(&text.as_bytes()[..at]) as i64,
    }
}

/// Raises a Plat panic `"{method}: {message}"` at `loc`.
unsafe fn fail(method: &str, message: &str, loc: *const c_char) -> ! {
    let text = format!("{method}: {message}");
    // SAFETY: null or a valid location (module contract).
    crate::sched::panic(text.as_bytes(), unsafe { loc_arg(loc) })
}

/// `s.repeat(count = n)`: `s` written `n` times. A negative count
/// panics (`repeat: count must not be negative (got -1)`), and so does a
/// result of more than `string::MAX_CHARS` characters (`repeat: string too
/// long (...)`), before anything is allocated.
#[no_mangle]
pub unsafe extern "C" fn plat_str_repeat(
    s: *const PlatStr,
    count: i32,
    loc: *const c_char,
) -> *const PlatStr {
    if count < 0 {
        // SAFETY: valid location (module contract).
        unsafe {
            fail(
                "repeat",
                &format!("count must not be negative (got {count})"),
                loc,
            )
        };
    }
    // SAFETY: valid string (module contract).
    let (part, chars) = unsafe { (bytes(s), char_len(s)) };
    // More bytes than memory holds is the first complaint.
    let bytes = part
        .len()
        .checked_mul(count as usize)
        .and_then(|b| b.checked_add(string::DATA_OFFSET));
    if crate::gc::limit::too_big(bytes) {
        let what = format!("a string of {} bytes repeated {count} times", part.len());
        crate::gc::limit::out_of_memory(&what, bytes);
    }
    // At most (2^31 - 1)^2: no overflow in u64.
    let total = chars * count as u64;
    if let Err(message) = string::check_chars(total) {
        // SAFETY: valid location (module contract).
        unsafe { fail("repeat", &message, loc) };
    }
    match count {
        0 => return string::empty(),
        1 => return s,
        _ if part.is_empty() => return s,
        _ => {}
    }
    let len = part.len() * count as usize;
    // `s` stays in this frame (an argument), so its bytes stay alive
    // across the allocation (task stacks are scanned conservatively).
    let (out, data) = string::alloc_raw(len, total);
    // SAFETY: `data` has room for `len` bytes; the first copy fills
    // `part.len()` of them, each later one doubles the filled prefix (or
    // completes it), copying from the filled part to the unfilled part of
    // the same fresh buffer, so the ranges never overlap.
    unsafe {
        std::ptr::copy_nonoverlapping(part.as_ptr(), data, part.len());
        let mut filled = part.len();
        while filled < len {
            let n = filled.min(len - filled);
            std::ptr::copy_nonoverlapping(data, data.add(filled), n);
            filled += n;
        }
    }
    out
}

/// A new `List[String]` of type `desc` holding the pieces `parts` makes
/// of `s` (sub-slices of its text).
unsafe fn pieces<'a>(
    s: *const PlatStr,
    desc: *const PlatShape,
    parts: impl Iterator<Item = &'a str>,
) -> *mut PlatList {
    // SAFETY: a descriptor that lives forever, and a valid string (module
    // contract).
    let (desc, ascii) = unsafe { (&*desc, is_ascii(s)) };
    let out = list::new(desc, 0);
    // SAFETY: a fresh list that nobody else holds; `out` is a local, so
    // the collector sees it while the pieces are allocated.
    let l = unsafe { &*out };
    for part in parts {
        let p = if ascii {
            string::from_ascii(part.as_bytes())
        } else {
            string::from_str(part)
        };
        l.push_unshared(p as u64);
    }
    out
}

/// `s.lines()`: Rust's `str::lines`: split at `\n`, a `\r` before it
/// dropped, no empty last line after a final newline (`""` gives `[]`).
#[no_mangle]
pub unsafe extern "C" fn plat_str_lines(
    s: *const PlatStr,
    desc: *const PlatShape,
) -> *mut PlatList {
    // SAFETY: valid string and descriptor (module contract).
    unsafe { pieces(s, desc, as_str(s).lines()) }
}

/// `s.split_whitespace()`: the non-empty runs between Unicode whitespace.
#[no_mangle]
pub unsafe extern "C" fn plat_str_split_whitespace(
    s: *const PlatStr,
    desc: *const PlatShape,
) -> *mut PlatList {
    // SAFETY: valid string and descriptor (module contract).
    unsafe { pieces(s, desc, as_str(s).split_whitespace()) }
}

/// `s.chars()`: one one-character string per character.
#[no_mangle]
pub unsafe extern "C" fn plat_str_chars(
    s: *const PlatStr,
    desc: *const PlatShape,
) -> *mut PlatList {
    // SAFETY: valid string and descriptor (module contract).
    let (text, n, desc) = unsafe { (as_str(s), char_len(s), &*desc) };
    let out = list::new(desc, n as usize);
    // SAFETY: a fresh list that nobody else holds (a local: see `pieces`).
    let l = unsafe { &*out };
    for c in text.chars() {
        l.push_unshared(string::char_string(c) as u64);
    }
    out
}

/// Where `pad` puts the fill.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Left,
    Right,
}

/// `s` widened to `width` characters with copies of `fill` on `side`.
unsafe fn pad(
    s: *const PlatStr,
    width: i32,
    fill: *const PlatStr,
    side: Side,
    loc: *const c_char,
) -> *const PlatStr {
    let method = if side == Side::Left {
        "pad_left"
    } else {
        "pad_right"
    };
    // SAFETY: valid strings (module contract).
    let (text, chars, f, f_chars) = unsafe { (bytes(s), char_len(s), bytes(fill), char_len(fill)) };
    if f_chars != 1 {
        let shown = String::from_utf8_lossy(f);
        let message = format!("fill must be one character (got {f_chars}: {shown:?})");
        // SAFETY: valid location (module contract).
        unsafe { fail(method, &message, loc) };
    }
    if width <= 0 || width as u64 <= chars {
        return s;
    }
    let n = (width as u64 - chars) as usize;
    let len = text.len() + n * f.len();
    // `s` and `fill` are arguments, kept alive by this frame (see `repeat`).
    let (out, data) = string::alloc_raw(len, width as u64);
    let (text_at, fill_at) = match side {
        Side::Left => (n * f.len(), 0),
        Side::Right => (0, text.len()),
    };
    // SAFETY: `data` has room for `len` bytes: the text at `text_at` and
    // `n` copies of the fill from `fill_at` are disjoint ranges inside it;
    // the buffer is fresh, so it overlaps neither source.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), data.add(text_at), text.len());
        for i in 0..n {
            std::ptr::copy_nonoverlapping(f.as_ptr(), data.add(fill_at + i * f.len()), f.len());
        }
    }
    out
}

/// `s.pad_left(width = w, fill = f)`: `f` (one character; a space when
/// omitted) added in front until `s` has `w` characters; `s` itself when
/// it has that many already. A fill that is not one character panics
/// (`pad_left: fill must be one character (got 2: "ab")`).
#[no_mangle]
pub unsafe extern "C" fn plat_str_pad_left(
    s: *const PlatStr,
    width: i32,
    fill: *const PlatStr,
    loc: *const c_char,
) -> *const PlatStr {
    // SAFETY: valid strings and location (module contract).
    unsafe { pad(s, width, fill, Side::Left, loc) }
}

/// `s.pad_right(width = w, fill = f)`: as `pad_left`, the fill after `s`.
#[no_mangle]
pub unsafe extern "C" fn plat_str_pad_right(
    s: *const PlatStr,
    width: i32,
    fill: *const PlatStr,
    loc: *const c_char,
) -> *const PlatStr {
    // SAFETY: valid strings and location (module contract).
    unsafe { pad(s, width, fill, Side::Right, loc) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::string::from_str as s;

    fn text(p: *const PlatStr) -> String {
        // SAFETY: test strings are valid and never freed.
        unsafe { as_str(p).to_owned() }
    }
    fn len(p: *const PlatStr) -> u64 {
        // SAFETY: as above.
        unsafe { char_len(p) }
    }

    #[test]
    fn ensure_that_compare_orders_by_code_point() {
        // SAFETY: valid strings (here and below).
        unsafe {
            assert_eq!(plat_str_compare(s("a"), s("b")), -1);
            assert_eq!(plat_str_compare(s("b"), s("a")), 1);
            assert_eq!(plat_str_compare(s("ab"), s("ab")), 0);
            assert_eq!(plat_str_compare(s(""), s("a")), -1);
            assert_eq!(plat_str_compare(s("ab"), s("a")), 1);
            assert_eq!(plat_str_compare(s("Z"), s("a")), -1);
            assert_eq!(plat_str_compare(s("z"), s("é")), -1);
            assert_eq!(plat_str_compare(s("é"), s("日")), -1);
            assert_eq!(plat_str_compare(s("\u{FFFF}"), s("😀")), -1);
        }
    }

    #[test]
    fn ensure_that_case_mapping_is_full_unicode() {
        // SAFETY: valid strings.
        unsafe {
            let up = plat_str_to_upper(s("straße"));
            assert_eq!(text(up), "STRASSE");
            assert_eq!(len(up), 7);
            assert_eq!(text(plat_str_to_upper(s("ǆ"))), "Ǆ");
            assert_eq!(text(plat_str_to_lower(s("ΟΔΟΣ"))), "οδος");
            assert_eq!(text(plat_str_to_lower(s("HeLLo"))), "hello");
            assert_eq!(text(plat_str_to_upper(s("HeLLo"))), "HELLO");
            let same = s("ABC");
            assert_eq!(plat_str_to_upper(same), same);
            let same = s("ÉTÉ");
            assert_eq!(plat_str_to_upper(same), same);
            assert_eq!(text(plat_str_to_lower(s(""))), "");
        }
    }

    #[test]
    fn ensure_that_index_of_counts_characters() {
        // SAFETY: valid strings.
        unsafe {
            assert_eq!(plat_str_index_of(s("héllo wörld"), s("wö")), 6);
            assert_eq!(plat_str_index_of(s("hello"), s("l")), 2);
            assert_eq!(plat_str_index_of(s("hello"), s("z")), -1);
            assert_eq!(plat_str_index_of(s("hello"), s("")), 0);
            assert_eq!(plat_str_index_of(s(""), s("")), 0);
            assert_eq!(plat_str_index_of(s(""), s("a")), -1);
            assert_eq!(plat_str_index_of(s("日本語"), s("語")), 2);
        }
    }

    #[test]
    fn ensure_that_repeat_copies_whole_strings() {
        // SAFETY: valid strings; a null location.
        unsafe {
            let null = std::ptr::null();
            let r = plat_str_repeat(s("ab"), 3, null);
            assert_eq!(text(r), "ababab");
            let r = plat_str_repeat(s("é-"), 5, null);
            assert_eq!(text(r), "é-é-é-é-é-");
            assert_eq!(len(r), 10);
            assert_eq!(text(plat_str_repeat(s("x"), 0, null)), "");
            assert_eq!(text(plat_str_repeat(s(""), i32::MAX, null)), "");
            let same = s("once");
            assert_eq!(plat_str_repeat(same, 1, null), same);
        }
    }

    fn list_texts(l: *mut PlatList) -> Vec<String> {
        // SAFETY: a valid list of strings made by the function under test.
        unsafe { &*l }
            .to_slots()
            .into_iter()
            .map(|p| text(p as *const PlatStr))
            .collect()
    }

    fn string_list_desc() -> *const PlatShape {
        crate::testdesc::list_of(&crate::gc::shape::plat_shape_string)
    }

    #[test]
    fn ensure_that_lines_follow_rust_str_lines() {
        let d = string_list_desc();
        // SAFETY: valid strings and descriptor.
        unsafe {
            assert_eq!(
                list_texts(plat_str_lines(s("a\r\nb\n\nc\n"), d)),
                ["a", "b", "", "c"]
            );
            assert_eq!(list_texts(plat_str_lines(s("one"), d)), ["one"]);
            assert!(list_texts(plat_str_lines(s(""), d)).is_empty());
            assert_eq!(list_texts(plat_str_lines(s("\n"), d)), [""]);
            assert_eq!(list_texts(plat_str_lines(s("é\rx\nü"), d)), ["é\rx", "ü"]);
        }
    }

    #[test]
    fn ensure_that_chars_and_split_whitespace_make_the_right_pieces() {
        let d = string_list_desc();
        // SAFETY: valid strings and descriptor.
        unsafe {
            assert_eq!(list_texts(plat_str_chars(s("aé日"), d)), ["a", "é", "日"]);
            assert!(list_texts(plat_str_chars(s(""), d)).is_empty());
            assert_eq!(
                list_texts(plat_str_split_whitespace(s("  a \t bé\u{3000}c\n"), d)),
                ["a", "bé", "c"]
            );
            assert!(list_texts(plat_str_split_whitespace(s(" \n "), d)).is_empty());
        }
    }

    #[test]
    fn ensure_that_padding_reaches_the_width_in_characters() {
        // SAFETY: valid strings; a null location.
        unsafe {
            let null = std::ptr::null();
            let p = plat_str_pad_left(s("7"), 3, s("0"), null);
            assert_eq!(text(p), "007");
            let p = plat_str_pad_right(s("é"), 4, s("·"), null);
            assert_eq!(text(p), "é···");
            assert_eq!(len(p), 4);
            let p = plat_str_pad_left(s("ab"), 5, s("é"), null);
            assert_eq!(text(p), "éééab");
            let same = s("long");
            assert_eq!(plat_str_pad_left(same, 2, s(" "), null), same);
            assert_eq!(plat_str_pad_right(same, -5, s(" "), null), same);
            assert_eq!(text(plat_str_pad_right(s(""), 2, s("-"), null)), "--");
        }
    }
}
