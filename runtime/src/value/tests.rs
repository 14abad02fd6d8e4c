//! Rendering, equality and hashing of every kind of value.

use super::*;
use crate::collections::dict::{plat_dict_new, plat_dict_set};
use crate::collections::list::{self, plat_list_new, plat_list_push};
use crate::collections::set::{plat_set_add, plat_set_new};
use crate::gc::shape::*;
use crate::testdesc::{self, s};

fn show(slot: u64, desc: &'static PlatShape) -> String {
    // SAFETY: valid test values and descriptors.
    unsafe { string::as_str(plat_value_to_string(slot, desc)).to_owned() }
}

#[test]
fn ensure_that_scalars_render_like_interpolation() {
    assert_eq!(show(1, &plat_type_bool), "true");
    assert_eq!(show(0, &plat_type_bool), "false");
    assert_eq!(show((-5i64) as u64, &plat_type_int8), "-5");
    assert_eq!(show(0xFF, &plat_type_int8), "-1", "read at its own width");
    assert_eq!(show((-40000i64) as u64, &plat_type_int32), "-40000");
    assert_eq!(
        show(i64::MIN as u64, &plat_type_int64),
        "-9223372036854775808"
    );
    assert_eq!(show(2.0f64.to_bits(), &plat_type_float64), "2");
    assert_eq!(
        show(1e20f64.to_bits(), &plat_type_float64),
        "100000000000000000000"
    );
    assert_eq!(show(f64::NAN.to_bits(), &plat_type_float64), "NaN");
    assert_eq!(show(0.1f32.to_bits() as u64, &plat_type_float32), "0.1");
    assert_eq!(show(0, &plat_type_unit), "()");
    let text = s("héllo");
    // SAFETY: a valid string.
    let same = unsafe { plat_value_to_string(text, &plat_shape_string) };
    assert_eq!(same as u64, text, "a top-level string is returned as is");
}

#[test]
fn ensure_that_collections_render_with_quoted_strings() {
    let ls = testdesc::list_of(&plat_shape_string);
    let lb = testdesc::list_of(&plat_type_bool);
    let lf = testdesc::list_of(&plat_type_float32);
    assert_eq!(
        show(list::from_slots(ls, &[s("a"), s("b")]) as u64, ls),
        r#"["a", "b"]"#
    );
    assert_eq!(
        show(list::from_slots(lb, &[1, 0]) as u64, lb),
        "[true, false]"
    );
    assert_eq!(
        show(list::from_slots(lf, &[2.5f32.to_bits() as u64]) as u64, lf),
        "[2.5]"
    );
    assert_eq!(show(list::from_slots(ls, &[]) as u64, ls), "[]");
    let sd = testdesc::dict_of(&plat_shape_string, ls);
    let set_i = testdesc::set_of(&plat_type_int64);
    let ld = testdesc::list_of(sd);
    // SAFETY: valid collections used by this thread only.
    unsafe {
        let d = plat_dict_new(sd);
        plat_dict_set(d, s("k"), list::from_slots(ls, &[s("v")]) as u64);
        plat_dict_set(d, s("e"), list::from_slots(ls, &[]) as u64);
        let outer = plat_list_new(ld, 0);
        plat_list_push(outer, d as u64);
        plat_list_push(outer, plat_dict_new(sd) as u64);
        assert_eq!(show(outer as u64, ld), r#"[{"k": ["v"], "e": []}, {}]"#);
        let st = plat_set_new(set_i);
        for x in [3u64, 1, 2, 1] {
            plat_set_add(st, x);
        }
        assert_eq!(show(st as u64, set_i), "{3, 1, 2}");
    }
}

#[test]
fn ensure_that_enums_render_compare_and_hash_by_variant_and_payload() {
    let opt = testdesc::option_of(&plat_type_int32);
    let some5 = testdesc::enum_value(opt, 0, &[5]);
    let none = testdesc::enum_value(opt, 1, &[]);
    assert_eq!(show(some5, opt), "Some(5)");
    assert_eq!(show(none, opt), "None");
    let shape = testdesc::enum_of(
        "Shape",
        &[
            ("Circle", &[&plat_type_int32]),
            ("Rect", &[&plat_type_int32, &plat_type_int32]),
            ("Dot", &[]),
        ],
    );
    assert_eq!(
        show(testdesc::enum_value(shape, 1, &[3, 4]), shape),
        "Rect(3, 4)"
    );
    let ostr = testdesc::option_of(&plat_shape_string);
    assert_eq!(
        show(testdesc::enum_value(ostr, 0, &[s("x")]), ostr),
        r#"Some("x")"#
    );
    let lo = testdesc::list_of(opt);
    assert_eq!(
        show(list::from_slots(lo, &[some5, none]) as u64, lo),
        "[Some(5), None]"
    );
    assert!(eq(some5, testdesc::enum_value(opt, 0, &[5]), opt));
    assert!(!eq(some5, testdesc::enum_value(opt, 0, &[6]), opt));
    assert!(!eq(some5, none, opt));
    assert!(eq(none, testdesc::enum_value(opt, 1, &[]), opt));
    assert_eq!(
        hash(some5, opt),
        hash(testdesc::enum_value(opt, 0, &[5]), opt)
    );
    assert_ne!(hash(some5, opt), hash(none, opt));
}

#[test]
fn ensure_that_long_enum_chains_compare_without_deep_recursion() {
    // enum IntList { Cons(Int64, IntList), Nil }: the descriptor refers to
    // itself, so build it by hand.
    let desc = testdesc::enum_of(
        "IntList",
        &[
            ("Cons", &[&plat_type_int64, &plat_type_int64]),
            ("Nil", &[]),
        ],
    );
    // SAFETY: patch the Cons variant's second field to the enum itself
    // before any value uses it (test-only descriptor, leaked and ours).
    unsafe {
        let cons = desc.variant(0);
        *(cons.fields as *mut *const PlatShape).add(1) = desc;
    }
    let build = |n: u64, last: u64| {
        let mut l = testdesc::enum_value(desc, 1, &[]);
        for i in 0..n {
            l = testdesc::enum_value(desc, 0, &[if i == 0 { last } else { i }, l]);
        }
        l
    };
    let (a, b, c) = (
        build(1_000_000, 0),
        build(1_000_000, 0),
        build(1_000_000, 1),
    );
    assert!(eq(a, b, desc));
    assert!(!eq(a, c, desc));
    assert_eq!(hash(a, desc), hash(b, desc));
    assert_eq!(show(build(2, 7), desc), "Cons(1, Cons(7, Nil))");
    let deep = show(build(1000, 0), desc);
    assert!(deep.contains("..."), "printing stops at a depth limit");
}

#[test]
fn ensure_that_class_instances_render_by_dynamic_type_and_compare_by_identity() {
    let point = testdesc::class_of("Point", &[("x", &plat_type_int32), ("y", &plat_type_int32)]);
    let p = testdesc::instance(point, &[1, 2]);
    let q = testdesc::instance(point, &[1, 2]);
    assert_eq!(show(p, point), "Point { x: 1, y: 2 }");
    assert!(eq(p, p, point));
    assert!(!eq(p, q, point), "identity");
    assert_eq!(hash(p, point), hash(p, point));
    let named = testdesc::class_of("Named", &[("name", &plat_shape_string), ("at", point)]);
    let n = testdesc::instance(named, &[s("ana"), p]);
    assert_eq!(
        show(n, named),
        r#"Named { name: "ana", at: Point { x: 1, y: 2 } }"#
    );
    // Held as its parent type (`point`), a subclass shows itself.
    let point3 = testdesc::class_of(
        "Point3",
        &[
            ("x", &plat_type_int32),
            ("y", &plat_type_int32),
            ("z", &plat_type_int32),
        ],
    );
    assert_eq!(
        show(testdesc::instance(point3, &[1, 2, 3]), point),
        "Point3 { x: 1, y: 2, z: 3 }"
    );
    let empty = testdesc::class_of("Empty", &[]);
    assert_eq!(show(testdesc::instance(empty, &[]), empty), "Empty {}");
}

#[test]
fn ensure_that_cycles_through_class_fields_print_finitely() {
    let node = testdesc::class_of(
        "Node",
        &[("v", &plat_type_int64), ("next", &plat_type_int64)],
    );
    // SAFETY: patch field `next` to be a Node (a self-referential type).
    unsafe { *(node.children as *mut *const PlatShape).add(1) = node };
    let a = testdesc::instance(node, &[1, 0]);
    let b = testdesc::instance(node, &[2, a]);
    // SAFETY: `a` has two fields; close the cycle a -> b -> a.
    unsafe { *(a as *mut u64).add(2) = b };
    assert_eq!(
        show(a, node),
        "Node { v: 1, next: Node { v: 2, next: ... } }"
    );
    // A long acyclic chain stops at the class depth limit.
    let mut head = testdesc::instance(node, &[0, 0]);
    // SAFETY: as above: a null `next` renders as `null`.
    assert_eq!(show(head, node), "Node { v: 0, next: null }");
    for i in 1..200 {
        head = testdesc::instance(node, &[i, head]);
    }
    let text = show(head, node);
    assert_eq!(text.matches("Node {").count(), print::MAX_CLASS_DEPTH);
    assert!(text.contains("next: ..."));
}

#[test]
fn ensure_that_equality_and_hashing_agree_on_scalars_and_strings() {
    assert!(eq(s("abc"), s("abc"), &plat_shape_string));
    assert!(!eq(s("abc"), s("abd"), &plat_shape_string));
    assert_eq!(
        hash(s("abc"), &plat_shape_string),
        hash(s("abc"), &plat_shape_string)
    );
    assert!(eq(
        0.0f64.to_bits(),
        (-0.0f64).to_bits(),
        &plat_type_float64
    ));
    assert_eq!(
        hash(0.0f64.to_bits(), &plat_type_float64),
        hash((-0.0f64).to_bits(), &plat_type_float64)
    );
    assert!(!eq(
        f64::NAN.to_bits(),
        f64::NAN.to_bits(),
        &plat_type_float64
    ));
    assert!(eq(2, 1, &plat_type_bool));
    assert_eq!(
        hash(0xFFFF_FFFF, &plat_type_int32),
        hash(u64::MAX, &plat_type_int32)
    );
    assert!(eq(0, 0, &plat_type_unit));
}

#[test]
fn ensure_that_byte_hashes_spread_over_lengths_and_contents() {
    let mut seen = std::collections::HashSet::new();
    let mut buf = Vec::new();
    for len in 0..200usize {
        for b in 0..=255u8 {
            buf.clear();
            buf.resize(len, b'a');
            if len > 0 {
                buf[len / 2] = b;
            }
            seen.insert(hash::hash_bytes(&buf));
        }
    }
    // All inputs are distinct: the empty one, then 256 per length.
    assert_eq!(seen.len(), 1 + 199 * 256);
    // Low bits of consecutive integers are well spread.
    let mut buckets = [0u32; 1024];
    for i in 0..1024 * 64u64 {
        buckets[(hash::hash_u64(i) & 1023) as usize] += 1;
    }
    assert!(
        buckets.iter().all(|&n| (32..=96).contains(&n)),
        "{buckets:?}"
    );
}
