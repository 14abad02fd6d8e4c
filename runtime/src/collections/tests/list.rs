use super::{in_child, show, slots};
use crate::collections::list::*;
use crate::gc::shape::{plat_shape_string, plat_type_float64, plat_type_int32, plat_type_int64};
use crate::string;
use crate::testdesc::{self, s};
use crate::value::plat_value_eq;

fn ints(desc: &'static crate::gc::shape::PlatShape, xs: &[i64]) -> *mut PlatList {
    // SAFETY: a valid descriptor; the list is used by this thread only.
    unsafe {
        let l = plat_list_new(desc, 0);
        for &x in xs {
            plat_list_push(l, x as u64);
        }
        l
    }
}

#[test]
fn ensure_that_the_list_layout_matches_the_documented_one() {
    assert_eq!(std::mem::size_of::<PlatList>(), 32);
    assert_eq!(std::mem::offset_of!(PlatList, len), 8);
    assert_eq!(std::mem::offset_of!(PlatList, writer), 16);
    assert_eq!(std::mem::offset_of!(PlatList, data), 24);
}

#[test]
fn ensure_that_push_and_get_work_past_many_thousands_of_elements() {
    let desc = testdesc::list_of(&plat_type_int32);
    // SAFETY: a valid list used by this thread only.
    unsafe {
        let l = plat_list_new(desc, 0);
        assert_eq!((*l).capacity(), 0, "the shared empty buffer");
        assert_eq!((*l).data(), crate::collections::array::empty_buffer());
        for i in 0..100_000i64 {
            plat_list_push(l, (i as i32 - 50_000) as i64 as u64);
        }
        assert_eq!(plat_list_len(l), 100_000);
        let mut out = 0u64;
        for i in 0..100_000i64 {
            assert_eq!(plat_list_get(l, i, &mut out), 1);
            assert_eq!(out as i64, i - 50_000);
            // Compiled code reads `data` directly, 4 bytes per Int32.
            assert_eq!(
                *((*l).data() as *const i32).add(i as usize) as i64 as u64,
                out
            );
        }
        assert_eq!(plat_list_get(l, 100_000, &mut out), 0);
        assert_eq!(plat_list_get(l, -1, &mut out), 0);
        assert_eq!(plat_list_get(l, i64::MIN, &mut out), 0);
        // The buffer records its capacity; a grown buffer of scalars is
        // zero past `len`.
        let cap = (*l).capacity();
        assert!(cap >= 100_000);
        assert!((4 * 100_000..4 * cap).all(|i| *(*l).data().add(i) == 0));
    }
}

#[test]
fn ensure_that_set_insert_remove_and_pop_edit_in_place() {
    let desc = testdesc::list_of(&plat_type_int64);
    let l = ints(desc, &[1, 2, 3]);
    let mut out = 0u64;
    // SAFETY: a valid list used by this thread only.
    unsafe {
        plat_list_set(l, 1, 20, std::ptr::null());
        plat_list_insert_at(l, 0, 0, std::ptr::null());
        plat_list_insert_at(l, 4, 4, std::ptr::null());
        plat_list_insert_at(l, 2, 10, std::ptr::null());
        assert_eq!(slots(l), [0, 1, 10, 20, 3, 4]);
        assert_eq!(plat_list_remove_at(l, 2, &mut out), 1);
        assert_eq!(out, 10);
        assert_eq!(plat_list_remove_at(l, 5, &mut out), 0);
        assert_eq!(plat_list_remove_at(l, -1, std::ptr::null_mut()), 0);
        assert_eq!(plat_list_pop(l, &mut out), 1);
        assert_eq!(out, 4);
        assert_eq!(slots(l), [0, 1, 20, 3]);
        assert_eq!(
            *((*l).data() as *const u64).add(4),
            4,
            "a vacated slot keeps its value (a racing reader may load it)"
        );
        plat_list_clear(l);
        assert_eq!(plat_list_len(l), 0);
        assert_eq!(plat_list_pop(l, &mut out), 0);
        assert_eq!(*((*l).data() as *const u64), 0, "clear keeps old elements");
        plat_list_insert_at(l, 0, 7, std::ptr::null());
        assert_eq!(slots(l), [7]);
    }
}

#[test]
fn ensure_that_searching_uses_value_equality() {
    let strs = testdesc::list_of(&plat_shape_string);
    // SAFETY: valid lists and strings.
    unsafe {
        let l = plat_list_new(strs, 2);
        for w in ["a", "b", "a", "c"] {
            plat_list_push(l, s(w));
        }
        assert_eq!(plat_list_count(l, s("a")), 2);
        assert_eq!(plat_list_index_of(l, s("c")), 3);
        assert_eq!(plat_list_index_of(l, s("z")), -1);
        assert_eq!(plat_list_contains(l, s("b")), 1);
        assert_eq!(plat_list_contains(l, s("")), 0);
        let floats = testdesc::list_of(&plat_type_float64);
        let f = plat_list_new(floats, 0);
        plat_list_push(f, f64::NAN.to_bits());
        plat_list_push(f, (-0.0f64).to_bits());
        assert_eq!(plat_list_contains(f, f64::NAN.to_bits()), 0);
        assert_eq!(plat_list_index_of(f, 0.0f64.to_bits()), 1);
        // Int32 slots compare as Int32 even with stray upper bits.
        let i32s = ints(testdesc::list_of(&plat_type_int32), &[-1]);
        assert_eq!(plat_list_contains(i32s, 0xFFFF_FFFF), 1);
    }
}

#[test]
fn ensure_that_slice_clamps_and_concat_copies() {
    let desc = testdesc::list_of(&plat_type_int64);
    let l = ints(desc, &[0, 1, 2, 3, 4]);
    // SAFETY: valid lists.
    unsafe {
        assert_eq!(slots(plat_list_slice(l, 1, 3)), [1, 2]);
        assert_eq!(slots(plat_list_slice(l, -5, 2)), [0, 1]);
        assert_eq!(slots(plat_list_slice(l, 3, 99)), [3, 4]);
        assert_eq!(slots(plat_list_slice(l, 4, 2)), [] as [u64; 0]);
        assert_eq!(slots(plat_list_slice(l, 9, 12)), [] as [u64; 0]);
        let c = plat_list_concat(l, l);
        assert_eq!(slots(c), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
        plat_list_set(c, 0, 9, std::ptr::null());
        assert_eq!(slots(l)[0], 0, "concat copies");
        let empty = plat_list_new(desc, 0);
        let e2 = plat_list_concat(empty, empty);
        assert_eq!(plat_list_len(e2), 0);
        assert_eq!(slots(plat_list_concat(empty, l)), slots(l));
        assert_eq!(show(plat_list_slice(l, 0, 0) as u64, desc), "[]");
    }
}

#[test]
fn ensure_that_nested_lists_compare_and_print_structurally() {
    let inner = testdesc::list_of(&plat_type_int32);
    let outer = testdesc::list_of(inner);
    let make = |rows: &[&[i64]]| {
        // SAFETY: valid lists.
        unsafe {
            let o = plat_list_new(outer, 0);
            for r in rows {
                plat_list_push(o, ints(inner, r) as u64);
            }
            o as u64
        }
    };
    let a = make(&[&[1, 2], &[], &[3]]);
    let b = make(&[&[1, 2], &[], &[3]]);
    let c = make(&[&[1, 2], &[3], &[]]);
    // SAFETY: valid values of type `outer`.
    unsafe {
        assert_eq!(plat_value_eq(a, b, outer), 1);
        assert_eq!(plat_value_eq(a, c, outer), 0);
        assert_eq!(plat_value_eq(a, make(&[&[1, 2], &[]]), outer), 0);
    }
    assert_eq!(show(a, outer), "[[1, 2], [], [3]]");
}

#[test]
fn ensure_that_split_follows_rust_split() {
    let desc = testdesc::list_of(&plat_shape_string);
    let split = |t: &str, d: &str| {
        // SAFETY: valid strings and descriptor.
        let l = unsafe {
            crate::string::abi::plat_str_split(string::from_str(t), string::from_str(d), desc)
        };
        show(l as u64, desc)
    };
    assert_eq!(split("a,b,,c", ","), r#"["a", "b", "", "c"]"#);
    assert_eq!(split("", ","), r#"[""]"#);
    assert_eq!(split("héllo wörld", "ö"), r#"["héllo w", "rld"]"#);
    assert_eq!(split("a--b--", "--"), r#"["a", "b", ""]"#);
    assert_eq!(split("héj", ""), r#"["h", "é", "j"]"#);
    assert_eq!(split("", ""), "[]");
}

#[test]
fn ensure_that_index_checks_name_the_index_and_the_length() {
    assert_eq!(check_index(0, 1, false), Ok(0));
    assert_eq!(check_index(3, 3, true), Ok(3));
    assert_eq!(
        check_index(5, 3, false),
        Err("index 5 out of range for list of length 3".to_owned())
    );
    assert_eq!(
        check_index(3, 3, false),
        Err("index 3 out of range for list of length 3".to_owned())
    );
    assert_eq!(
        check_index(-1, 3, true),
        Err("index -1 out of range for list of length 3".to_owned())
    );
    assert!(check_index(4, 3, true).is_err());
}

#[test]
fn ensure_that_set_out_of_range_panics_with_the_location() {
    let r = in_child(
        "collections::tests::list::ensure_that_set_out_of_range_panics_with_the_location",
        || {
            let l = ints(testdesc::list_of(&plat_type_int64), &[1, 2, 3]);
            // SAFETY: a valid list and location.
            unsafe { plat_list_set(l, 5, 0, c"t.plat:1:2".as_ptr()) };
        },
    );
    if let Some((code, stderr)) = r {
        assert_eq!(code, 101);
        assert!(
            stderr.ends_with("panic: index 5 out of range for list of length 3\n  at t.plat:1:2\n"),
            "{stderr}"
        );
    }
}

#[test]
fn ensure_that_insert_at_out_of_range_panics() {
    let r = in_child(
        "collections::tests::list::ensure_that_insert_at_out_of_range_panics",
        || {
            let l = ints(testdesc::list_of(&plat_type_int64), &[1]);
            // SAFETY: a valid list; a null location is allowed.
            unsafe { plat_list_insert_at(l, 2, 0, std::ptr::null()) };
        },
    );
    if let Some((code, stderr)) = r {
        assert_eq!(code, 101);
        assert!(
            stderr.ends_with("panic: index 2 out of range for list of length 1\n"),
            "{stderr}"
        );
    }
}

#[test]
fn ensure_that_a_list_cannot_grow_past_the_int32_limit() {
    // A list whose length is (falsely) at the limit: growth is refused
    // before any memory is touched, so no 2 GiB buffer is needed.
    let l = ints(testdesc::list_of(&plat_type_int64), &[1]);
    // SAFETY: a valid list used by this thread only.
    let list = unsafe { &*l };
    list.len
        .store(MAX_LEN as u64, std::sync::atomic::Ordering::Relaxed);
    let r = in_child(
        "collections::tests::list::ensure_that_a_list_cannot_grow_past_the_int32_limit",
        || {
            // SAFETY: a valid list (its length is a lie, see above).
            unsafe { plat_list_push(l, 2) };
        },
    );
    if let Some((code, stderr)) = r {
        assert_eq!(code, 101);
        assert!(
            stderr
                .ends_with("panic: list too long (2147483648 elements; the limit is 2147483647)\n"),
            "{stderr}"
        );
    }
    assert_eq!(
        too_long(MAX_LEN + 1),
        "list too long (2147483648 elements; the limit is 2147483647)"
    );
    assert_eq!(MAX_LEN as i32 as usize, MAX_LEN, "len() fits an Int32");
}

#[test]
fn ensure_that_a_list_made_longer_than_the_int32_limit_panics() {
    // `concat` and `slice` size their result with `new` before copying.
    let r = in_child(
        "collections::tests::list::ensure_that_a_list_made_longer_than_the_int32_limit_panics",
        || {
            // SAFETY: a valid descriptor.
            unsafe { plat_list_new(testdesc::list_of(&plat_type_int64), MAX_LEN as u64 + 1) };
        },
    );
    if let Some((code, stderr)) = r {
        assert_eq!(code, 101);
        assert!(
            stderr
                .ends_with("panic: list too long (2147483648 elements; the limit is 2147483647)\n"),
            "{stderr}"
        );
    }
}

#[test]
fn ensure_that_a_mutation_during_another_panics_with_the_location() {
    // A mutation in progress (claimed by hand, as a racing task would)
    // makes the next one panic with the concurrent-mutation message, at
    // the entry point's location when it has one.
    let r = in_child(
        "collections::tests::list::ensure_that_a_mutation_during_another_panics_with_the_location",
        || {
            let l = ints(testdesc::list_of(&plat_type_int64), &[1, 2]);
            // SAFETY: a valid list; its writer word is claimed and never
            // released, like a mutation in progress in another task.
            unsafe {
                crate::collections::writer::claim(&(*l).writer).expect("free");
                plat_list_insert_at(l, 0, 7, c"t.plat:3:4".as_ptr());
            }
        },
    );
    if let Some((code, stderr)) = r {
        assert_eq!(code, 101);
        assert!(
            stderr.ends_with(
                "panic: concurrent mutation of a List from two tasks (protect it with a \
                 Mutex, or send the values through a Channel)\n  at t.plat:3:4\n"
            ),
            "{stderr}"
        );
    }
}
