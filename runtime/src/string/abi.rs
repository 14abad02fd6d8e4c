//! The string entry points: string methods (spec §9.1) and conversions
//! to string.
//!
//! Called by the code generator for `s.length()`, `a + b`, `a == b`,
//! `s.substring(...)`, `s.parse_int()`... (`compiler/src/codegen/runtime_abi.rs`).
//! Lengths and indices count characters; results may share the argument
//! object when equal to it (strings are immutable).
//!
//! Safety contract of every function here: each `*const PlatStr` argument
//! points to a valid string object; out-pointers are valid for writing;
//! descriptors are well-formed and live forever.
#![allow(clippy::missing_safety_doc)]

use crate::collections::list::{self, PlatList};
use crate::gc::shape::PlatShape;
use crate::string::{self, as_str, bytes, char_len, is_ascii, PlatStr};

/// `a + b`, `a.concat(other = b)`: appends in place when `a` owns its
/// buffer's tail, so building a string by repeated `s = s + piece` is
/// amortised linear (`crate::string::append`).
#[no_mangle]
pub unsafe extern "C" fn plat_str_concat(a: *const PlatStr, b: *const PlatStr) -> *const PlatStr {
    // SAFETY: both arguments are valid strings (module contract).
    unsafe { string::concat(a, b) }
}

/// `a == b` on strings (content equality).
#[no_mangle]
pub unsafe extern "C" fn plat_str_eq(a: *const PlatStr, b: *const PlatStr) -> u8 {
    if a == b {
        return 1;
    }
    // SAFETY: valid strings (module contract).
    unsafe { (bytes(a) == bytes(b)) as u8 }
}

/// `s.length()`: the number of characters.
#[no_mangle]
pub unsafe extern "C" fn plat_str_length(s: *const PlatStr) -> i32 {
    // SAFETY: valid string (module contract).
    unsafe { char_len(s) as i32 }
}

/// `s.contains(needle = n)`.
#[no_mangle]
pub unsafe extern "C" fn plat_str_contains(s: *const PlatStr, needle: *const PlatStr) -> u8 {
    // SAFETY: valid strings (module contract).
    unsafe { as_str(s).contains(as_str(needle)) as u8 }
}

/// `s.starts_with(prefix = p)`.
#[no_mangle]
pub unsafe extern "C" fn plat_str_starts_with(s: *const PlatStr, prefix: *const PlatStr) -> u8 {
    // SAFETY: valid strings (module contract).
    unsafe { bytes(s).starts_with(bytes(prefix)) as u8 }
}

/// `s.ends_with(suffix = p)`.
#[no_mangle]
pub unsafe extern "C" fn plat_str_ends_with(s: *const PlatStr, suffix: *const PlatStr) -> u8 {
    // SAFETY: valid strings (module contract).
    unsafe { bytes(s).ends_with(bytes(suffix)) as u8 }
}

/// Returns `s` itself if `part` is all of it, else a new string of `part`
/// (which must be a sub-slice of `s`).
unsafe fn substr_of(s: *const PlatStr, part: &str) -> *const PlatStr {
    // SAFETY: valid string (caller's contract).
    let (len, ascii) = unsafe { ((*s).byte_len as usize, is_ascii(s)) };
    if part.len() == len {
        s
    } else if ascii {
        string::from_ascii(part.as_bytes())
    } else {
        string::from_str(part)
    }
}

/// `s.trim()`: without leading and trailing whitespace (Unicode).
#[no_mangle]
pub unsafe extern "C" fn plat_str_trim(s: *const PlatStr) -> *const PlatStr {
    // SAFETY: valid string (module contract).
    unsafe { substr_of(s, as_str(s).trim()) }
}

/// `s.trim_left()`.
#[no_mangle]
pub unsafe extern "C" fn plat_str_trim_left(s: *const PlatStr) -> *const PlatStr {
    // SAFETY: valid string (module contract).
    unsafe { substr_of(s, as_str(s).trim_start()) }
}

/// `s.trim_right()`.
#[no_mangle]
pub unsafe extern "C" fn plat_str_trim_right(s: *const PlatStr) -> *const PlatStr {
    // SAFETY: valid string (module contract).
    unsafe { substr_of(s, as_str(s).trim_end()) }
}

/// `s.replace(from = f, to = t)`: replaces the first occurrence only.
#[no_mangle]
pub unsafe extern "C" fn plat_str_replace(
    s: *const PlatStr,
    from: *const PlatStr,
    to: *const PlatStr,
) -> *const PlatStr {
    // SAFETY: valid strings (module contract).
    let (text, from, to) = unsafe { (as_str(s), as_str(from), as_str(to)) };
    match text.find(from) {
        None => s,
        Some(_) => string::from_str(&text.replacen(from, to, 1)),
    }
}

/// `s.replace_all(from = f, to = t)`. A result longer than
/// `string::MAX_CHARS` panics before it is built.
#[no_mangle]
pub unsafe extern "C" fn plat_str_replace_all(
    s: *const PlatStr,
    from: *const PlatStr,
    to: *const PlatStr,
) -> *const PlatStr {
    // SAFETY: valid strings (module contract).
    let (text, from_s, to_s) = unsafe { (as_str(s), as_str(from), as_str(to)) };
    if text.find(from_s).is_none() {
        return s;
    }
    // SAFETY: valid strings (module contract).
    let (n, f, t) = unsafe { (char_len(s), char_len(from), char_len(to)) };
    if t > f {
        let k = text.matches(from_s).count() as u64;
        string::ensure_chars(n.saturating_add(k.saturating_mul(t - f)));
    }
    string::from_str(&text.replace(from_s, to_s))
}

unsafe fn all_chars(s: *const PlatStr, pred: fn(char) -> bool) -> u8 {
    // SAFETY: valid string (caller's contract).
    let text = unsafe { as_str(s) };
    (!text.is_empty() && text.chars().all(pred)) as u8
}

/// `s.is_alpha()`: non-empty and every char alphabetic (Unicode).
#[no_mangle]
pub unsafe extern "C" fn plat_str_is_alpha(s: *const PlatStr) -> u8 {
    // SAFETY: valid string (module contract).
    unsafe { all_chars(s, char::is_alphabetic) }
}

/// `s.is_numeric()`: non-empty and every char numeric (Unicode).
#[no_mangle]
pub unsafe extern "C" fn plat_str_is_numeric(s: *const PlatStr) -> u8 {
    // SAFETY: valid string (module contract).
    unsafe { all_chars(s, char::is_numeric) }
}

/// `s.is_alphanumeric()`: non-empty and every char alphanumeric (Unicode).
#[no_mangle]
pub unsafe extern "C" fn plat_str_is_alphanumeric(s: *const PlatStr) -> u8 {
    // SAFETY: valid string (module contract).
    unsafe { all_chars(s, char::is_alphanumeric) }
}

/// Byte offset of the char with index `i` (`i <= char count`).
fn byte_offset(text: &str, i: usize) -> usize {
    text.char_indices().nth(i).map_or(text.len(), |(b, _)| b)
}

/// `s.substring(start = a, end = b)`: chars `a..b` (end exclusive); any
/// out-of-range or reversed range gives `""`.
#[no_mangle]
pub unsafe extern "C" fn plat_str_substring(
    s: *const PlatStr,
    start: i32,
    end: i32,
) -> *const PlatStr {
    // SAFETY: valid string (module contract).
    let (text, n, ascii) = unsafe { (as_str(s), char_len(s), is_ascii(s)) };
    if start < 0 || end < start || end as u64 > n {
        return string::empty();
    }
    let (start, end) = (start as usize, end as usize);
    if ascii {
        return string::from_ascii(&text.as_bytes()[start..end]);
    }
    let from = byte_offset(text, start);
    let to = from + byte_offset(&text[from..], end - start);
    string::from_utf8_with_chars(&text.as_bytes()[from..to], (end - start) as u64)
}

/// `s.char_at(index = i)`: a one-char string; out of range gives `""`.
#[no_mangle]
pub unsafe extern "C" fn plat_str_char_at(s: *const PlatStr, i: i32) -> *const PlatStr {
    // SAFETY: valid string (module contract).
    let (text, n, ascii) = unsafe { (as_str(s), char_len(s), is_ascii(s)) };
    if i < 0 || i as u64 >= n {
        return string::empty();
    }
    let c = if ascii {
        text.as_bytes()[i as usize] as char
    } else {
        text.chars()
            .nth(i as usize)
            .unwrap_or_else(|| crate::rt_fatal!("string char count is wrong (char_at {i} of {n})"))
    };
    string::char_string(c)
}

fn parse_error(text: &str, ty: &str) -> *const PlatStr {
    string::from_str(&format!("Cannot parse '{text}' as {ty}"))
}

/// Writes a parse result: `*out = v` and 1, or `*err = message` and 0.
unsafe fn parse_result<T>(
    r: Option<T>,
    out: *mut T,
    err: *mut *const PlatStr,
    text: &str,
    ty: &str,
) -> u8 {
    match r {
        // SAFETY: `out` is valid for writing (module contract).
        Some(v) => unsafe {
            out.write(v);
            1
        },
        // SAFETY: `err` is valid for writing (module contract).
        None => unsafe {
            err.write(parse_error(text, ty));
            0
        },
    }
}

/// `s.parse_int()` (`Result<Int32, String>`): 1 and `*out` = the value
/// (sign-extended), or 0 and `*err` = `Cannot parse 'zz' as Int32`.
#[no_mangle]
pub unsafe extern "C" fn plat_str_parse_int(
    s: *const PlatStr,
    out: *mut i64,
    err: *mut *const PlatStr,
) -> u8 {
    // SAFETY: valid string and out-pointers (module contract).
    unsafe {
        let text = as_str(s);
        let v = text.parse::<i32>().ok().map(i64::from);
        parse_result(v, out, err, text, "Int32")
    }
}

/// `s.parse_int64()` (`Result<Int64, String>`).
#[no_mangle]
pub unsafe extern "C" fn plat_str_parse_int64(
    s: *const PlatStr,
    out: *mut i64,
    err: *mut *const PlatStr,
) -> u8 {
    // SAFETY: valid string and out-pointers (module contract).
    unsafe {
        let text = as_str(s);
        parse_result(text.parse::<i64>().ok(), out, err, text, "Int64")
    }
}

/// `s.parse_float()` (`Result<Float64, String>`).
#[no_mangle]
pub unsafe extern "C" fn plat_str_parse_float(
    s: *const PlatStr,
    out: *mut f64,
    err: *mut *const PlatStr,
) -> u8 {
    // SAFETY: valid string and out-pointers (module contract).
    unsafe {
        let text = as_str(s);
        parse_result(text.parse::<f64>().ok(), out, err, text, "Float64")
    }
}

/// `s.parse_bool()` (`Result<Bool, String>`): exactly `true` or `false`.
#[no_mangle]
pub unsafe extern "C" fn plat_str_parse_bool(
    s: *const PlatStr,
    out: *mut u8,
    err: *mut *const PlatStr,
) -> u8 {
    // SAFETY: valid string and out-pointers (module contract).
    unsafe {
        let text = as_str(s);
        let v = match text {
            "true" => Some(1),
            "false" => Some(0),
            _ => None,
        };
        parse_result(v, out, err, text, "Bool")
    }
}

/// `s.split(delimiter = d)`: the parts of `s` between occurrences of `d`
/// (Rust's `str::split`: `"a,,b"` gives `["a", "", "b"]`, `""` gives
/// `[""]`), or its characters when `d` is empty. Returns a new list of
/// type `list_desc` (a `List[String]` descriptor).
#[no_mangle]
pub unsafe extern "C" fn plat_str_split(
    s: *const PlatStr,
    delim: *const PlatStr,
    list_desc: *const PlatShape,
) -> *mut PlatList {
    // SAFETY: valid strings and a List[String] descriptor that lives
    // forever (module contract).
    let (text, d, desc) = unsafe { (as_str(s), as_str(delim), &*list_desc) };
    if d.is_empty() {
        // SAFETY: valid string (module contract).
        let out = list::new(desc, unsafe { char_len(s) } as usize);
        // SAFETY: a fresh list that nobody else holds.
        let l = unsafe { &*out };
        for c in text.chars() {
            l.push_unshared(string::char_string(c) as u64);
        }
        return out;
    }
    let out = list::new(desc, 0);
    // SAFETY: a fresh list that nobody else holds.
    let l = unsafe { &*out };
    // SAFETY: valid string (module contract).
    let ascii = unsafe { is_ascii(s) };
    for part in text.split(d) {
        let p = if ascii {
            string::from_ascii(part.as_bytes())
        } else {
            string::from_str(part)
        };
        l.push_unshared(p as u64);
    }
    out
}

fn render(f: impl FnOnce(&mut Vec<u8>)) -> *const PlatStr {
    let mut buf = Vec::with_capacity(32);
    f(&mut buf);
    string::from_ascii(&buf)
}

/// An integer as a string (all integer types, sign-extended to 64 bits).
#[no_mangle]
pub extern "C" fn plat_str_from_i64(v: i64) -> *const PlatStr {
    render(|b| crate::format::push_i64(b, v))
}

/// A `Float64` as a string (shortest round-trip, no exponent).
#[no_mangle]
pub extern "C" fn plat_str_from_f64(v: f64) -> *const PlatStr {
    render(|b| crate::format::push_f64(b, v))
}

/// A `Float32` as a string.
#[no_mangle]
pub extern "C" fn plat_str_from_f32(v: f32) -> *const PlatStr {
    render(|b| crate::format::push_f32(b, v))
}

/// A `Bool` as a string: `true` / `false`.
#[no_mangle]
pub extern "C" fn plat_str_from_bool(v: u8) -> *const PlatStr {
    if v != 0 {
        crate::static_str!("true")
    } else {
        crate::static_str!("false")
    }
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
    fn ensure_that_lengths_count_characters() {
        // SAFETY: all arguments are valid strings (here and below).
        unsafe {
            assert_eq!(plat_str_length(s("héllo wörld")), 11);
            assert_eq!(plat_str_length(s("")), 0);
            assert_eq!(plat_str_length(s("日本語")), 3);
        }
    }

    #[test]
    fn ensure_that_concat_and_eq_work_on_unicode() {
        // SAFETY: valid strings.
        unsafe {
            let c = plat_str_concat(s("héllo "), s("wörld"));
            assert_eq!(text(c), "héllo wörld");
            assert_eq!(len(c), 11);
            assert_eq!(plat_str_eq(c, s("héllo wörld")), 1);
            assert_eq!(plat_str_eq(c, s("héllo wörl")), 0);
            assert_eq!(plat_str_eq(c, c), 1);
            assert_eq!(text(plat_str_concat(s(""), s("x"))), "x");
            assert_eq!(text(plat_str_concat(s("x"), s(""))), "x");
        }
    }

    #[test]
    fn ensure_that_searching_methods_work() {
        // SAFETY: valid strings.
        unsafe {
            let h = s("héllo wörld");
            assert_eq!(plat_str_contains(h, s("ö")), 1);
            assert_eq!(plat_str_contains(h, s("")), 1);
            assert_eq!(plat_str_contains(h, s("xyz")), 0);
            assert_eq!(plat_str_starts_with(h, s("hé")), 1);
            assert_eq!(plat_str_starts_with(h, s("e")), 0);
            assert_eq!(plat_str_ends_with(h, s("rld")), 1);
            assert_eq!(plat_str_ends_with(h, s("wö")), 0);
        }
    }

    #[test]
    fn ensure_that_trim_removes_whitespace_at_the_right_ends() {
        // SAFETY: valid strings.
        unsafe {
            let t = plat_str_trim(s("  héllo \t\n"));
            assert_eq!(text(t), "héllo");
            assert_eq!(len(t), 5);
            assert_eq!(text(plat_str_trim_left(s("  a b  "))), "a b  ");
            assert_eq!(text(plat_str_trim_right(s("  a b  "))), "  a b");
            assert_eq!(text(plat_str_trim(s("   "))), "");
            let same = s("abc");
            assert_eq!(plat_str_trim(same), same);
        }
    }

    #[test]
    fn ensure_that_replace_does_first_and_replace_all_does_every_occurrence() {
        // SAFETY: valid strings.
        unsafe {
            let r = plat_str_replace(s("a-b-c"), s("-"), s("—"));
            assert_eq!(text(r), "a—b-c");
            assert_eq!(len(r), 5);
            let r = plat_str_replace_all(s("a-b-c"), s("-"), s("—"));
            assert_eq!(text(r), "a—b—c");
            assert_eq!(text(plat_str_replace_all(s("héé"), s("é"), s(""))), "h");
            let same = s("abc");
            assert_eq!(plat_str_replace(same, s("x"), s("y")), same);
        }
    }

    #[test]
    fn ensure_that_classification_is_false_for_the_empty_string() {
        // SAFETY: valid strings.
        unsafe {
            assert_eq!(plat_str_is_alpha(s("")), 0);
            assert_eq!(plat_str_is_numeric(s("")), 0);
            assert_eq!(plat_str_is_alphanumeric(s("")), 0);
            assert_eq!(plat_str_is_alpha(s("héllo")), 1);
            assert_eq!(plat_str_is_alpha(s("hé llo")), 0);
            assert_eq!(plat_str_is_numeric(s("0123")), 1);
            assert_eq!(plat_str_is_numeric(s("12a")), 0);
            assert_eq!(plat_str_is_alphanumeric(s("ab12ö")), 1);
            assert_eq!(plat_str_is_alphanumeric(s("ab-12")), 0);
        }
    }

    #[test]
    fn ensure_that_substring_and_char_at_index_characters() {
        // SAFETY: valid strings.
        unsafe {
            let h = s("héllo wörld");
            let sub = plat_str_substring(h, 1, 8);
            assert_eq!(text(sub), "éllo wö");
            assert_eq!(len(sub), 7);
            assert_eq!(text(plat_str_substring(h, 0, 11)), "héllo wörld");
            assert_eq!(text(plat_str_substring(h, 6, 11)), "wörld");
            assert_eq!(text(plat_str_substring(h, 3, 3)), "");
            assert_eq!(text(plat_str_substring(h, 0, 12)), "");
            assert_eq!(text(plat_str_substring(h, -1, 2)), "");
            assert_eq!(text(plat_str_substring(h, 5, 2)), "");
            assert_eq!(text(plat_str_substring(s("hello"), 1, 3)), "el");
            assert_eq!(text(plat_str_char_at(h, 1)), "é");
            assert_eq!(text(plat_str_char_at(h, 7)), "ö");
            assert_eq!(text(plat_str_char_at(h, 10)), "d");
            assert_eq!(text(plat_str_char_at(h, 11)), "");
            assert_eq!(text(plat_str_char_at(h, -1)), "");
            assert_eq!(text(plat_str_char_at(s("abc"), 2)), "c");
        }
    }

    #[test]
    fn ensure_that_parse_functions_report_values_and_errors() {
        let mut i = 0i64;
        let mut f = 0f64;
        let mut b = 0u8;
        let mut e: *const PlatStr = std::ptr::null();
        // SAFETY: valid strings and out-pointers.
        unsafe {
            assert_eq!(plat_str_parse_int(s("-42"), &mut i, &mut e), 1);
            assert_eq!(i, -42);
            assert_eq!(plat_str_parse_int(s("zz"), &mut i, &mut e), 0);
            assert_eq!(text(e), "Cannot parse 'zz' as Int32");
            assert_eq!(plat_str_parse_int(s("3000000000"), &mut i, &mut e), 0);
            assert_eq!(text(e), "Cannot parse '3000000000' as Int32");
            assert_eq!(plat_str_parse_int64(s("3000000000"), &mut i, &mut e), 1);
            assert_eq!(i, 3_000_000_000);
            assert_eq!(plat_str_parse_int64(s("1.5"), &mut i, &mut e), 0);
            assert_eq!(text(e), "Cannot parse '1.5' as Int64");
            assert_eq!(plat_str_parse_float(s("2.5"), &mut f, &mut e), 1);
            assert_eq!(f, 2.5);
            assert_eq!(plat_str_parse_float(s("x"), &mut f, &mut e), 0);
            assert_eq!(text(e), "Cannot parse 'x' as Float64");
            assert_eq!(plat_str_parse_bool(s("true"), &mut b, &mut e), 1);
            assert_eq!(b, 1);
            assert_eq!(plat_str_parse_bool(s("false"), &mut b, &mut e), 1);
            assert_eq!(b, 0);
            assert_eq!(plat_str_parse_bool(s("True"), &mut b, &mut e), 0);
            assert_eq!(text(e), "Cannot parse 'True' as Bool");
        }
    }

    /// Runs this test binary's `test` in a child process with
    /// `PLAT_RT_CASE=case`; returns its exit code and stderr.
    fn run_case(test: &str, case: &str) -> (i32, String) {
        let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", test, "--nocapture", "--test-threads=1"])
            .env("PLAT_RT_CASE", case)
            .output()
            .expect("child runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// A string header that claims `chars` characters but holds the one
    /// byte "x": lets the length checks be tested at the limit without
    /// making a 2 GiB string (only the counts are read before the check).
    fn claimed_length(chars: u64) -> *const PlatStr {
        let fake = Box::leak(Box::new([0u64; 5]));
        let p = fake.as_mut_ptr() as *mut PlatStr;
        // SAFETY: a leaked 40-byte buffer, room for the header and a byte;
        // `data` stays null (inline bytes).
        unsafe {
            (*p).shape = &crate::gc::shape::plat_shape_string;
            (*p).byte_len = 1;
            (*p).char_len = chars;
            *(p as *mut u8).add(string::DATA_OFFSET) = b'x';
        }
        p
    }

    /// A view (a string whose bytes are in a string buffer) of 100 "a"s
    /// that claims `chars` characters, as [`claimed_length`] does.
    fn claimed_length_view(chars: u64) -> *const PlatStr {
        // SAFETY: valid strings.
        let real = unsafe { plat_str_concat(s(&"a".repeat(99)), s("a")) };
        // SAFETY: `real` is a valid string.
        let data = unsafe { (*real).data };
        assert!(!data.is_null(), "a long concatenation is a view");
        let fake = Box::leak(Box::new([0u64; 4]));
        let p = fake.as_mut_ptr() as *mut PlatStr;
        // SAFETY: a leaked 32-byte buffer, room for a string header.
        unsafe {
            (*p).shape = &crate::gc::shape::plat_shape_string;
            (*p).byte_len = 100;
            (*p).char_len = chars;
            (*p).data = data;
        }
        p
    }

    #[test]
    fn ensure_that_a_string_at_the_length_limit_is_allowed() {
        let max = claimed_length(string::MAX_CHARS - 1);
        let max_view = claimed_length_view(string::MAX_CHARS - 1);
        // SAFETY: valid headers (see `claimed_length`) and strings.
        unsafe {
            let c = plat_str_concat(max, s("y"));
            assert_eq!(plat_str_length(c), i32::MAX);
            assert_eq!(char_len(c), string::MAX_CHARS);
            let c = plat_str_concat(max_view, s("y"));
            assert_eq!(char_len(c), string::MAX_CHARS);
            assert_eq!(text(c), format!("{}y", "a".repeat(100)));
        }
    }

    #[test]
    fn ensure_that_strings_past_the_length_limit_panic_when_made() {
        let msg = "panic: string too long (2147483648 characters; the limit is 2147483647)\n";
        let cases: [(&str, fn()); 5] = [
            ("concat", || {
                // SAFETY: valid headers and strings.
                unsafe { plat_str_concat(claimed_length(string::MAX_CHARS), s("y")) };
            }),
            ("append", || {
                // An append to a view, which would otherwise claim its
                // buffer's tail in place.
                // SAFETY: valid headers and strings.
                unsafe { plat_str_concat(claimed_length_view(string::MAX_CHARS), s("y")) };
            }),
            ("interpolation", || {
                // SAFETY: a live builder and valid strings.
                unsafe {
                    let sb = crate::string::abi_builder::plat_sb_new();
                    crate::string::abi_builder::plat_sb_push_str(
                        sb,
                        claimed_length(string::MAX_CHARS - 1),
                    );
                    crate::string::abi_builder::plat_sb_push_i64(sb, 42);
                }
            }),
            ("replace_all", || {
                // 2^31 - 1 "x" replaced by "xx"... claimed: the check runs
                // on the counts before anything is built.
                let big = claimed_length(string::MAX_CHARS);
                // SAFETY: valid headers and strings.
                unsafe { plat_str_replace_all(big, s("x"), s("xy")) };
            }),
            ("alloc", || {
                string::alloc_raw(0, string::MAX_CHARS + 1);
            }),
        ];
        let test = "string::abi::tests::ensure_that_strings_past_the_length_limit_panic_when_made";
        if let Ok(name) = std::env::var("PLAT_RT_CASE") {
            // The child: run the one case (it must not return).
            if let Some((_, case)) = cases.iter().find(|c| c.0 == name) {
                case();
            }
            return;
        }
        for (name, _) in cases {
            let (code, stderr) = run_case(test, name);
            assert_eq!(code, 101, "{name}: {stderr}");
            assert!(stderr.ends_with(msg), "{name}: {stderr}");
        }
    }

    #[test]
    fn ensure_that_conversions_render_like_interpolation() {
        assert_eq!(text(plat_str_from_i64(-1234567)), "-1234567");
        assert_eq!(text(plat_str_from_f64(2.0)), "2");
        assert_eq!(text(plat_str_from_f64(1e20)), "100000000000000000000");
        assert_eq!(text(plat_str_from_f64(2.5)), "2.5");
        assert_eq!(text(plat_str_from_f64(f64::NEG_INFINITY)), "-inf");
        assert_eq!(text(plat_str_from_f64(f64::NAN)), "NaN");
        assert_eq!(text(plat_str_from_f32(0.1)), "0.1");
        assert_eq!(text(plat_str_from_bool(1)), "true");
        assert_eq!(text(plat_str_from_bool(0)), "false");
        assert_eq!(len(plat_str_from_f64(f64::MAX)), 309);
    }
}
