//! Unit tests of appending concatenation (`super`). Strings made here are
//! never collected (the runtime's unit tests never run a collection).

use super::*;
use crate::string::{as_str, from_str, is_ascii};

fn text(p: *const PlatStr) -> &'static str {
    // SAFETY: test strings are valid and never freed.
    unsafe { as_str(p) }
}

fn chars(p: *const PlatStr) -> u64 {
    // SAFETY: as above.
    unsafe { char_len(p) }
}

fn cat(a: *const PlatStr, b: *const PlatStr) -> *const PlatStr {
    // SAFETY: valid strings.
    unsafe { concat(a, b) }
}

fn data(p: *const PlatStr) -> *const u8 {
    // SAFETY: a valid string.
    unsafe { (*p).data }
}

fn buf(p: *const PlatStr) -> &'static StrBuf {
    // SAFETY: a valid string that the caller knows to be a view.
    unsafe { buffer_of(p) }.expect("a view")
}

/// A view of `len` ASCII bytes (`len > 0`) that owns its buffer's tail,
/// with at least `len` bytes of room after it.
fn view_with_room(len: usize) -> *const PlatStr {
    let text: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    let v = view_of_new_buffer(2 * len, text.as_bytes(), b"", len as u64);
    assert_eq!(buf(v).claimed.load(Ordering::Relaxed), len as u64);
    v
}

#[test]
fn ensure_that_short_results_are_inline_and_long_ones_are_views() {
    let a = from_str("héllo ");
    let b = from_str("wörld");
    let c = cat(a, b);
    assert_eq!(text(c), "héllo wörld");
    assert_eq!(chars(c), 11);
    assert!(data(c).is_null(), "a short result is inline");

    let long_a = from_str(&"a".repeat(INLINE_MAX));
    let d = cat(long_a, from_str("b"));
    assert_eq!(text(d).len(), INLINE_MAX + 1);
    assert!(!data(d).is_null(), "a long result is a view");
    // A first buffer is exact (up to the allocation's real size): no
    // doubling for a one-off concatenation.
    let cap = buf(d).capacity as usize;
    assert_eq!(
        cap + BUF_DATA_OFFSET,
        heap::usable_size(BUF_DATA_OFFSET + INLINE_MAX + 1)
    );
    assert_eq!(
        buf(d).claimed.load(Ordering::Relaxed),
        INLINE_MAX as u64 + 1
    );
    // SAFETY: a valid string.
    assert!(unsafe { is_ascii(d) });
}

#[test]
fn ensure_that_empty_operands_return_the_other_string() {
    let e = crate::string::empty();
    let v = view_with_room(100);
    assert_eq!(cat(e, v), v);
    assert_eq!(cat(v, e), v);
    assert_eq!(text(cat(e, e)), "");
    assert_eq!(text(cat(e, from_str("x"))), "x");
}

#[test]
fn ensure_that_a_chain_of_appends_is_amortised_and_keeps_old_values() {
    const N: usize = 100_000;
    let pieces = ["a", "é", "日本", "🙂", "xyz"];
    let mut s = crate::string::empty();
    let mut expected = String::new();
    let mut kept: Vec<(*const PlatStr, usize)> = Vec::new();
    let mut buffers = 0;
    let mut last_data = std::ptr::null();
    for i in 0..N {
        let p = pieces[i % pieces.len()];
        s = cat(s, from_str(p));
        expected.push_str(p);
        if data(s) != last_data {
            buffers += 1;
            last_data = data(s);
        }
        if i % 997 == 0 {
            kept.push((s, expected.len()));
        }
    }
    assert_eq!(text(s), expected);
    assert_eq!(chars(s), expected.chars().count() as u64);
    // Geometric growth: a new buffer about every doubling, not per append.
    assert!(buffers < 40, "{buffers} buffers for {N} appends");
    // Every intermediate string still holds its own prefix.
    for (k, len) in kept {
        assert_eq!(text(k), &expected[..len]);
        assert_eq!(chars(k), expected[..len].chars().count() as u64);
    }
}

#[test]
fn ensure_that_two_appends_to_one_string_both_see_their_own_result() {
    let s = view_with_room(200);
    let base = text(s).to_owned();
    // `t = s + "a"` claims the tail; `u = s + "b"` must copy.
    let t = cat(s, from_str("a"));
    let u = cat(s, from_str("b"));
    assert_eq!(text(t), format!("{base}a"));
    assert_eq!(text(u), format!("{base}b"));
    assert_eq!(text(s), base);
    assert_eq!(data(t), data(s), "the first append shares the buffer");
    assert_ne!(data(u), data(s), "the second one copies");
    // Appending to `t` again continues in place; to `s` copies again.
    let t2 = cat(t, from_str("c"));
    assert_eq!(data(t2), data(s));
    assert_eq!(text(t2), format!("{base}ac"));
    let s2 = cat(s, from_str("d"));
    assert_eq!(text(s2), format!("{base}d"));
    assert_eq!(text(t), format!("{base}a"));
}

#[test]
fn ensure_that_appending_a_view_to_itself_copies_the_right_bytes() {
    let s = view_with_room(300);
    let base = text(s).to_owned();
    let d = cat(s, s);
    assert_eq!(text(d), format!("{base}{base}"));
    let e = cat(d, s);
    assert_eq!(text(e), format!("{base}{base}{base}"));
    // A piece that is itself a view on the same buffer, shorter.
    let f = cat(e, d);
    assert_eq!(text(f), base.repeat(5));
}

#[test]
fn ensure_that_substrings_of_views_and_appends_to_them_are_right() {
    let s = view_with_room(150);
    let base = text(s).to_owned();
    // SAFETY: valid strings.
    let sub = unsafe { crate::string::abi::plat_str_substring(s, 10, 140) };
    assert_eq!(text(sub), &base[10..140]);
    let g = cat(sub, from_str("!"));
    assert_eq!(text(g), format!("{}!", &base[10..140]));
    assert_eq!(text(s), base);
    // The trimmed whole string is the view itself, and appends like it.
    // SAFETY: valid strings.
    let same = unsafe { crate::string::abi::plat_str_trim(s) };
    assert_eq!(same, s);
}

#[test]
fn ensure_that_racing_appends_to_one_base_are_all_correct() {
    const THREADS: usize = 4;
    const ROUNDS: usize = 200;
    for round in 0..ROUNDS {
        let base = view_with_room(100 + round);
        let base_text = text(base).to_owned();
        let barrier = std::sync::Barrier::new(THREADS);
        let results: Vec<(usize, String)> = std::thread::scope(|sc| {
            let handles: Vec<_> = (0..THREADS)
                .map(|t| {
                    let barrier = &barrier;
                    let base = base as usize;
                    sc.spawn(move || {
                        let piece = from_str(&format!("<{t}é{round}>"));
                        barrier.wait();
                        let r = cat(base as *const PlatStr, piece);
                        (data(r) as usize, text(r).to_owned())
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        let mut sharing = 0;
        for (t, (d, got)) in results.iter().enumerate() {
            assert_eq!(*got, format!("{base_text}<{t}é{round}>"));
            if *d == data(base) as usize {
                sharing += 1;
            }
        }
        assert_eq!(sharing, 1, "exactly one append claims the tail");
        assert_eq!(text(base), base_text);
    }
}

#[test]
fn ensure_that_growth_doubles_then_caps_the_slack() {
    assert_eq!(grown_capacity(100), 200);
    assert_eq!(grown_capacity(DOUBLING_MAX), 2 * DOUBLING_MAX);
    assert_eq!(grown_capacity(DOUBLING_MAX + 1), 2 * DOUBLING_MAX + 1);
    assert_eq!(grown_capacity(64 << 20), (64 << 20) + (16 << 20));
    assert_eq!(grown_capacity(usize::MAX), usize::MAX);
    // Always geometric: at least a quarter more.
    for len in [1usize, 1000, 5 << 20, 40 << 20, 1 << 33] {
        assert!(grown_capacity(len) >= len + len / 4);
    }
}

#[test]
fn ensure_that_a_full_buffer_is_copied_not_overrun() {
    let s = view_with_room(500);
    let room = (buf(s).capacity - buf(s).claimed.load(Ordering::Relaxed)) as usize;
    let base = text(s).to_owned();
    let big = "q".repeat(room + 1);
    let t = cat(s, from_str(&big));
    assert_ne!(data(t), data(s), "no room: a new buffer");
    assert_eq!(text(t), format!("{base}{big}"));
    // The old buffer's tail is still free for `s`.
    let fits = "r".repeat(room);
    let u = cat(s, from_str(&fits));
    assert_eq!(data(u), data(s));
    assert_eq!(text(u), format!("{base}{fits}"));
}
