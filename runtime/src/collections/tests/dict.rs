use super::{show, slots};
use crate::collections::dict::*;
use crate::collections::table::Table;
use crate::gc::shape::{
    plat_shape_string, plat_type_bool, plat_type_int32, plat_type_int64, PlatShape,
};
use crate::string;
use crate::testdesc::{self, s};
use crate::value::{plat_value_eq, plat_value_hash};

fn str_int() -> &'static PlatShape {
    testdesc::dict_of(&plat_shape_string, &plat_type_int64)
}

fn get(d: *mut Table, key: u64) -> Option<u64> {
    let mut out = 0;
    // SAFETY: a valid dict.
    (unsafe { plat_dict_get(d, key, &mut out) } == 1).then_some(out)
}

fn keys(d: *mut Table) -> Vec<String> {
    let ld = testdesc::list_of(&plat_shape_string);
    // SAFETY: a valid dict with String keys.
    let l = unsafe { plat_dict_keys(d, ld) };
    // SAFETY: the keys are valid strings.
    slots(l)
        .iter()
        .map(|&k| unsafe { string::as_str(k as *const _).to_owned() })
        .collect()
}

#[test]
fn ensure_that_get_and_set_work_past_many_thousands_of_keys() {
    let desc = str_int();
    // SAFETY: a valid dict used by this thread only.
    unsafe {
        let d = plat_dict_new(desc);
        assert_eq!(get(d, s("x")), None);
        for i in 0..50_000i64 {
            assert_eq!(plat_dict_set(d, s(&format!("k{i}")), i as u64), 1);
        }
        assert_eq!(plat_dict_len(d), 50_000);
        for i in 0..50_000i64 {
            // A fresh string object: lookups are by content.
            assert_eq!(get(d, s(&format!("k{i}"))), Some(i as u64));
        }
        assert_eq!(get(d, s("k50000")), None);
        assert_eq!(plat_dict_set(d, s("k7"), 70), 0, "not new");
        assert_eq!(get(d, s("k7")), Some(70));
        assert_eq!(plat_dict_len(d), 50_000);
        assert_eq!(keys(d)[..3], ["k0", "k1", "k2"]);
        assert_eq!(plat_dict_has_key(d, s("k49999")), 1);
        assert_eq!(plat_dict_has_value(d, 70), 1);
        assert_eq!(plat_dict_has_value(d, 7), 0);
    }
}

#[test]
fn ensure_that_removal_keeps_the_order_of_the_others() {
    let desc = str_int();
    // SAFETY: a valid dict used by this thread only.
    unsafe {
        let d = plat_dict_new(desc);
        for (i, k) in ["a", "b", "c", "d"].iter().enumerate() {
            plat_dict_set(d, s(k), i as u64);
        }
        let mut out = 0;
        assert_eq!(plat_dict_remove(d, s("b"), &mut out), 1);
        assert_eq!(out, 1);
        assert_eq!(plat_dict_remove(d, s("b"), &mut out), 0);
        assert_eq!(keys(d), ["a", "c", "d"]);
        plat_dict_set(d, s("b"), 9);
        plat_dict_set(d, s("a"), 5);
        assert_eq!(
            keys(d),
            ["a", "c", "d", "b"],
            "re-added goes last, re-set stays"
        );
        assert_eq!(show(d as u64, desc), r#"{"a": 5, "c": 2, "d": 3, "b": 9}"#);
        let vd = testdesc::list_of(&plat_type_int64);
        assert_eq!(slots(plat_dict_values(d, vd)), [5, 2, 3, 9]);
        // Many removals and additions: the table compacts, order survives.
        for i in 0..10_000 {
            plat_dict_set(d, s(&format!("t{i}")), i);
            if i % 10 != 0 {
                plat_dict_remove(d, s(&format!("t{i}")), std::ptr::null_mut());
            }
        }
        let ks = keys(d);
        assert_eq!(ks.len(), 4 + 1000);
        assert_eq!(ks[..6], ["a", "c", "d", "b", "t0", "t10"]);
        assert_eq!(ks.last().map(String::as_str), Some("t9990"));
        let cap = (*d).arrays().map_or(0, |a| a.capacity());
        assert!(cap <= 4096, "compaction keeps the table small: {cap}");
        plat_dict_clear(d);
        assert_eq!(plat_dict_len(d), 0);
        assert_eq!(show(d as u64, desc), "{}");
        plat_dict_set(d, s("z"), 1);
        assert_eq!(keys(d), ["z"]);
    }
}

#[test]
fn ensure_that_merge_overwrites_and_appends() {
    let desc = str_int();
    // SAFETY: valid dicts used by this thread only.
    unsafe {
        let a = plat_dict_new(desc);
        let b = plat_dict_new(desc);
        plat_dict_set(a, s("x"), 1);
        plat_dict_set(a, s("y"), 2);
        plat_dict_set(b, s("z"), 3);
        plat_dict_set(b, s("x"), 10);
        plat_dict_merge(a, b);
        assert_eq!(show(a as u64, desc), r#"{"x": 10, "y": 2, "z": 3}"#);
        plat_dict_merge(a, a);
        assert_eq!(plat_dict_len(a), 3);
    }
}

#[test]
fn ensure_that_dicts_compare_and_hash_by_contents() {
    let desc = str_int();
    // SAFETY: valid dicts used by this thread only.
    unsafe {
        let a = plat_dict_new(desc);
        let b = plat_dict_new(desc);
        plat_dict_set(a, s("x"), 1);
        plat_dict_set(a, s("y"), 2);
        plat_dict_set(b, s("y"), 2);
        plat_dict_set(b, s("x"), 1);
        assert_eq!(plat_value_eq(a as u64, b as u64, desc), 1, "order ignored");
        assert_eq!(
            plat_value_hash(a as u64, desc),
            plat_value_hash(b as u64, desc)
        );
        plat_dict_set(b, s("x"), 5);
        assert_eq!(plat_value_eq(a as u64, b as u64, desc), 0);
        plat_dict_remove(b, s("x"), std::ptr::null_mut());
        assert_eq!(plat_value_eq(a as u64, b as u64, desc), 0);
    }
}

#[test]
fn ensure_that_integer_bool_and_structured_keys_work() {
    // SAFETY: valid dicts and values used by this thread only.
    unsafe {
        let d = plat_dict_new(testdesc::dict_of(&plat_type_int32, &plat_shape_string));
        for i in -1000i64..1000 {
            plat_dict_set(d, i as u64, s(&i.to_string()));
        }
        assert_eq!(plat_dict_len(d), 2000);
        let v = get(d, (-7i64) as u64).expect("present");
        assert_eq!(string::as_str(v as *const _), "-7");
        let b = plat_dict_new(testdesc::dict_of(&plat_type_bool, &plat_type_int64));
        plat_dict_set(b, 1, 1);
        plat_dict_set(b, 0, 0);
        assert_eq!(plat_dict_set(b, 1, 2), 0);
        assert_eq!(plat_dict_len(b), 2);
        // List keys hash and compare structurally.
        let ld = testdesc::list_of(&plat_type_int64);
        let dl = plat_dict_new(testdesc::dict_of(ld, &plat_type_int64));
        let key = |xs: &[u64]| crate::collections::list::from_slots(ld, xs) as u64;
        plat_dict_set(dl, key(&[1, 2]), 12);
        plat_dict_set(dl, key(&[]), 0);
        assert_eq!(get(dl, key(&[1, 2])), Some(12));
        assert_eq!(get(dl, key(&[2, 1])), None);
        assert_eq!(get(dl, key(&[])), Some(0));
    }
}
