use super::{show, slots};
use crate::collections::set::*;
use crate::collections::table::Table;
use crate::gc::shape::{plat_shape_string, plat_type_int32, PlatShape};
use crate::string;
use crate::testdesc::{self, s};
use crate::value::{plat_value_eq, plat_value_hash};

fn strs() -> &'static PlatShape {
    testdesc::set_of(&plat_shape_string)
}

fn of(desc: &'static PlatShape, words: &[&str]) -> *mut Table {
    // SAFETY: a valid descriptor; the set is used by this thread only.
    unsafe {
        let t = plat_set_new(desc);
        for w in words {
            plat_set_add(t, s(w));
        }
        t
    }
}

fn elems(t: *mut Table) -> Vec<String> {
    // SAFETY: a valid set of strings.
    let l = unsafe { plat_set_to_list(t, testdesc::list_of(&plat_shape_string)) };
    // SAFETY: elements are valid strings.
    slots(l)
        .iter()
        .map(|&k| unsafe { string::as_str(k as *const _).to_owned() })
        .collect()
}

#[test]
fn ensure_that_add_remove_and_contains_report_changes() {
    let t = of(strs(), &[]);
    // SAFETY: a valid set.
    unsafe {
        assert_eq!(plat_set_add(t, s("a")), 1);
        assert_eq!(plat_set_add(t, s("a")), 0);
        assert_eq!(plat_set_add(t, s("b")), 1);
        assert_eq!(plat_set_contains(t, s("a")), 1);
        assert_eq!(plat_set_remove(t, s("a")), 1);
        assert_eq!(plat_set_remove(t, s("a")), 0);
        assert_eq!(plat_set_contains(t, s("a")), 0);
        assert_eq!(plat_set_len(t), 1);
        plat_set_add(t, s("a"));
        assert_eq!(elems(t), ["b", "a"]);
        plat_set_clear(t);
        assert_eq!(plat_set_len(t), 0);
        assert_eq!(plat_set_contains(t, s("b")), 0);
    }
}

#[test]
fn ensure_that_growth_and_removal_keep_insertion_order() {
    let desc = testdesc::set_of(&plat_type_int32);
    // SAFETY: a valid set.
    unsafe {
        let t = plat_set_new(desc);
        for i in 0..100_000u64 {
            plat_set_add(t, i);
        }
        for i in (0..100_000u64).filter(|i| i % 3 != 0) {
            assert_eq!(plat_set_remove(t, i), 1);
        }
        let l = plat_set_to_list(t, testdesc::list_of(&plat_type_int32));
        let expect: Vec<u64> = (0..100_000).filter(|i| i % 3 == 0).collect();
        assert_eq!(slots(l), expect);
        for i in 0..100_000u64 {
            assert_eq!(plat_set_contains(t, i), (i % 3 == 0) as u8);
        }
    }
}

#[test]
fn ensure_that_set_algebra_follows_the_first_operand_order() {
    let d = strs();
    let a = of(d, &["a", "b", "c", "d"]);
    let b = of(d, &["e", "d", "b"]);
    // SAFETY: valid sets.
    unsafe {
        assert_eq!(elems(plat_set_union(a, b)), ["a", "b", "c", "d", "e"]);
        assert_eq!(elems(plat_set_intersection(a, b)), ["b", "d"]);
        assert_eq!(elems(plat_set_difference(a, b)), ["a", "c"]);
        assert_eq!(elems(plat_set_difference(b, a)), ["e"]);
        assert_eq!(plat_set_is_subset_of(a, b), 0);
        let bd = of(d, &["d", "b"]);
        assert_eq!(plat_set_is_subset_of(bd, a), 1);
        assert_eq!(plat_set_is_superset_of(a, bd), 1);
        assert_eq!(plat_set_is_superset_of(bd, a), 0);
        assert_eq!(plat_set_is_disjoint_from(a, b), 0);
        assert_eq!(plat_set_is_disjoint_from(a, of(d, &["x", "y"])), 1);
        let e = of(d, &[]);
        assert_eq!(plat_set_is_subset_of(e, a), 1);
        assert_eq!(plat_set_is_disjoint_from(e, e), 1);
        assert_eq!(elems(plat_set_union(e, e)), [] as [&str; 0]);
        // Operands are not changed.
        assert_eq!(elems(a), ["a", "b", "c", "d"]);
    }
}

#[test]
fn ensure_that_sets_compare_hash_and_print_by_contents() {
    let d = strs();
    let a = of(d, &["x", "y"]) as u64;
    let b = of(d, &["y", "x"]) as u64;
    // SAFETY: valid sets.
    unsafe {
        assert_eq!(plat_value_eq(a, b, d), 1);
        assert_eq!(plat_value_hash(a, d), plat_value_hash(b, d));
        assert_eq!(plat_value_eq(a, of(d, &["x"]) as u64, d), 0);
        assert_eq!(plat_value_eq(a, of(d, &["x", "z"]) as u64, d), 0);
    }
    assert_eq!(show(a, d), r#"{"x", "y"}"#);
    assert_eq!(show(of(d, &[]) as u64, d), "{}");
    // A set of sets.
    let ss = testdesc::set_of(d);
    // SAFETY: valid sets.
    unsafe {
        let outer = plat_set_new(ss);
        assert_eq!(plat_set_add(outer, a), 1);
        assert_eq!(plat_set_add(outer, b), 0, "equal set already there");
        assert_eq!(show(outer as u64, ss), r#"{{"x", "y"}}"#);
    }
}
