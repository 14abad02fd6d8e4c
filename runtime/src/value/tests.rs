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
    assert!(!deep.contains("..."), "no depth limit");
    assert_eq!(deep.matches("Cons(").count(), 1000);
    assert!(deep.ends_with(&format!("Nil{}", ")".repeat(1000))));
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
    // A long acyclic chain is rendered whole: `...` marks cycles only.
    let mut head = testdesc::instance(node, &[0, 0]);
    assert_eq!(show(head, node), "Node { v: 0, next: null }");
    for i in 1..100_000 {
        head = testdesc::instance(node, &[i, head]);
    }
    let text = show(head, node);
    assert_eq!(text.matches("Node {").count(), 100_000);
    assert!(!text.contains("..."));
    // The same instance twice side by side (not nested) is no cycle.
    let pair = testdesc::class_of("Pair", &[("l", node), ("r", node)]);
    let leaf = testdesc::instance(node, &[7, 0]);
    assert_eq!(
        show(testdesc::instance(pair, &[leaf, leaf]), pair),
        "Pair { l: Node { v: 7, next: null }, r: Node { v: 7, next: null } }"
    );
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

/// `enum Tree { Node(List[Tree]), Leaf(Int64) }`-like self-referential
/// enum: `Wrap(Self)` / `End(Int64)`.
fn wrap_enum() -> &'static PlatShape {
    let desc = testdesc::enum_of(
        "W",
        &[("Wrap", &[&plat_type_int64]), ("End", &[&plat_type_int64])],
    );
    // SAFETY: patch `Wrap`'s field to the enum itself before any value
    // uses it (test-only descriptor, leaked and ours).
    unsafe { *(desc.variant(0).fields as *mut *const PlatShape) = desc };
    desc
}

/// `Wrap(Wrap(...End(last)...))`, `depth` wraps.
fn wrapped(desc: &'static PlatShape, depth: usize, last: u64) -> u64 {
    let mut v = testdesc::enum_value(desc, 1, &[last]);
    for _ in 0..depth {
        v = testdesc::enum_value(desc, 0, &[v]);
    }
    v
}

#[test]
fn ensure_that_deep_values_compare_hash_and_print_without_recursion() {
    // Run on a small thread stack: a recursive walk of these values
    // would need megabytes.
    std::thread::Builder::new()
        .stack_size(128 << 10)
        .spawn(|| {
            let w = wrap_enum();
            let (a, b, c) = (
                wrapped(w, 100_000, 1),
                wrapped(w, 100_000, 1),
                wrapped(w, 100_000, 2),
            );
            assert!(eq(a, b, w));
            assert!(!eq(a, c, w));
            assert_eq!(hash(a, w), hash(b, w));
            assert_ne!(hash(a, w), hash(c, w), "differences deep down count");
            let text = show(a, w);
            assert_eq!(text.len(), 100_000 * "Wrap()".len() + "End(1)".len());
            // Nested lists: [[[...[7]...]]].
            let mut desc: &'static PlatShape = &plat_type_int64;
            let mut v = 7u64;
            let mut descs = Vec::new();
            for _ in 0..20_000 {
                desc = testdesc::list_of(desc);
                descs.push(desc);
                v = list::from_slots(desc, &[v]) as u64;
            }
            let mut u = 7u64;
            let mut x = 8u64;
            for d in &descs {
                u = list::from_slots(d, &[u]) as u64;
                x = list::from_slots(d, &[x]) as u64;
            }
            assert!(eq(v, u, desc));
            assert!(!eq(v, x, desc));
            assert_eq!(hash(v, desc), hash(u, desc));
            assert_ne!(hash(v, desc), hash(x, desc));
            let text = show(v, desc);
            assert_eq!(
                text,
                format!("{}7{}", "[".repeat(20_000), "]".repeat(20_000))
            );
        })
        .expect("thread starts")
        .join()
        .expect("no overflow");
}

#[test]
fn ensure_that_lists_of_deep_enums_compare_and_hash_whole() {
    let w = wrap_enum();
    let lw = testdesc::list_of(w);
    let mk = |last: u64| {
        let items: Vec<u64> = (0..50).map(|i| wrapped(w, 200, last + i)).collect();
        list::from_slots(lw, &items) as u64
    };
    let (a, b, c) = (mk(0), mk(0), mk(1));
    assert!(eq(a, b, lw));
    assert!(!eq(a, c, lw));
    assert_eq!(hash(a, lw), hash(b, lw));
    assert_ne!(hash(a, lw), hash(c, lw));
    // Keys differing only 200 levels down no longer collide.
    let mut seen = std::collections::HashSet::new();
    for i in 0..1000 {
        seen.insert(hash(wrapped(w, 200, i), w));
    }
    assert_eq!(seen.len(), 1000);
}

#[test]
fn ensure_that_tables_with_nested_keys_compare_by_contents() {
    let w = wrap_enum();
    let sw = testdesc::set_of(w);
    let dw = testdesc::dict_of(w, &plat_type_int64);
    // SAFETY: collections used by this thread only.
    unsafe {
        let (s1, s2, s3) = (plat_set_new(sw), plat_set_new(sw), plat_set_new(sw));
        for i in 0..100 {
            plat_set_add(s1, wrapped(w, 30, i));
            plat_set_add(s2, wrapped(w, 30, 99 - i));
            plat_set_add(s3, wrapped(w, 30, if i == 50 { 1000 } else { i }));
        }
        assert!(eq(s1 as u64, s2 as u64, sw), "order does not matter");
        assert!(!eq(s1 as u64, s3 as u64, sw));
        assert_eq!(hash(s1 as u64, sw), hash(s2 as u64, sw));
        let (d1, d2, d3) = (plat_dict_new(dw), plat_dict_new(dw), plat_dict_new(dw));
        for i in 0..100 {
            plat_dict_set(d1, wrapped(w, 30, i), i);
            plat_dict_set(d2, wrapped(w, 30, 99 - i), 99 - i);
            plat_dict_set(d3, wrapped(w, 30, i), if i == 7 { 0 } else { i });
        }
        assert!(eq(d1 as u64, d2 as u64, dw));
        assert!(
            !eq(d1 as u64, d3 as u64, dw),
            "same keys, one value differs"
        );
        assert_eq!(hash(d1 as u64, dw), hash(d2 as u64, dw));
        assert_ne!(hash(d1 as u64, dw), hash(d3 as u64, dw));
    }
}

#[test]
fn ensure_that_colliding_nested_keys_are_matched_by_backtracking() {
    // Keys that hash alike but differ: lists holding NaN (never equal,
    // even to themselves) and 0.0 / -0.0 (equal, hashed alike). A set of
    // [NaN] lists holds each one separately, all with one hash.
    let lf = testdesc::list_of(&plat_type_float64);
    let sl = testdesc::set_of(lf);
    let dl = testdesc::dict_of(lf, &plat_type_int64);
    let nan = || list::from_slots(lf, &[f64::NAN.to_bits()]) as u64;
    let zero =
        |neg: bool| list::from_slots(lf, &[if neg { (-0.0f64).to_bits() } else { 0 }]) as u64;
    // SAFETY: collections used by this thread only.
    unsafe {
        let a = plat_set_new(sl);
        plat_set_add(a, nan());
        plat_set_add(a, nan());
        plat_set_add(a, zero(false));
        assert_eq!((*a).len(), 3);
        assert!(!eq(a as u64, a as u64, sl), "NaN keys match nothing");
        let (b, c) = (plat_set_new(sl), plat_set_new(sl));
        plat_set_add(b, zero(false));
        plat_set_add(c, zero(true));
        assert!(eq(b as u64, c as u64, sl), "0.0 == -0.0 inside keys");
        assert_eq!(hash(b as u64, sl), hash(c as u64, sl));
        // Dicts: the key [0.0] sits among colliding [NaN] keys; the right
        // candidate is found whatever the probe order, and a value
        // mismatch on it fails the comparison.
        let (x, y, z) = (plat_dict_new(dl), plat_dict_new(dl), plat_dict_new(dl));
        for (d, v) in [(x, 1), (y, 1), (z, 2)] {
            plat_dict_set(d, zero(false), v);
        }
        assert!(eq(x as u64, y as u64, dl));
        assert!(!eq(x as u64, z as u64, dl));
    }
    // A set of sets of lists, each inner set holding colliding keys, so
    // that matching the outer set backtracks inside inner alternatives.
    let ssl = testdesc::set_of(sl);
    let inner = |vals: &[f64]| {
        // SAFETY: a fresh set.
        unsafe {
            let s = plat_set_new(sl);
            for v in vals {
                plat_set_add(s, list::from_slots(lf, &[v.to_bits()]) as u64);
            }
            s as u64
        }
    };
    // SAFETY: collections used by this thread only.
    unsafe {
        let (p, q) = (plat_set_new(ssl), plat_set_new(ssl));
        for k in 0..20 {
            plat_set_add(p, inner(&[k as f64, -(k as f64) - 0.5]));
            plat_set_add(q, inner(&[-(k as f64) - 0.5, k as f64]));
        }
        assert!(eq(p as u64, q as u64, ssl));
        let r = plat_set_new(ssl);
        for k in 0..20 {
            plat_set_add(
                r,
                inner(&[k as f64, if k == 19 { 99.0 } else { -(k as f64) - 0.5 }]),
            );
        }
        assert!(!eq(p as u64, r as u64, ssl));
    }
}

#[test]
fn ensure_that_handles_render_by_kind_and_compare_by_identity() {
    use crate::sched::task::Task;
    // A task handle's first word is its id; nothing else is read.
    let handles: Vec<u64> = [0u64, 3, 42]
        .iter()
        .map(|&id| Box::leak(Box::new([id, 0, 0, 0, 0, 0])) as *mut [u64; 6] as u64)
        .collect();
    const _: () = assert!(std::mem::offset_of!(Task, id) == 0);
    let task = testdesc::handle_type(ShapeKind::Task, "Task<Int32>");
    assert_eq!(show(handles[0], task), "<task main>");
    assert_eq!(show(handles[1], task), "<task 3>");
    let lt = testdesc::list_of(task);
    assert_eq!(
        show(list::from_slots(lt, &handles[1..]) as u64, lt),
        "[<task 3>, <task 42>]"
    );
    assert!(eq(handles[1], handles[1], task));
    assert!(!eq(handles[1], handles[2], task));
    assert_eq!(hash(handles[1], task), hash(handles[1], task));
    // A closure renders by its header's name, whatever it captures.
    let env = testdesc::class_of("fn double", &[("code", &plat_type_int64)]);
    let f = testdesc::instance(env, &[12345]);
    let g = testdesc::instance(env, &[12345]);
    let fn_ty = testdesc::handle_type(ShapeKind::Function, "Fn(Int32) -> Int32");
    assert_eq!(show(f, fn_ty), "<fn double>");
    assert!(eq(f, f, fn_ty) && !eq(f, g, fn_ty));
    let opaque = testdesc::handle_type(ShapeKind::Opaque, "Scope");
    assert_eq!(show(handles[2], opaque), "<Scope>");
    assert_eq!(show(0, task), "null");
    // Every container around a handle.
    let holder = testdesc::class_of("H", &[("t", task), ("f", fn_ty)]);
    assert_eq!(
        show(testdesc::instance(holder, &[handles[1], f]), holder),
        "H { t: <task 3>, f: <fn double> }"
    );
    let ot = testdesc::option_of(task);
    assert_eq!(
        show(testdesc::enum_value(ot, 0, &[handles[2]]), ot),
        "Some(<task 42>)"
    );
    let st = testdesc::set_of(task);
    let dt = testdesc::dict_of(task, fn_ty);
    // SAFETY: collections used by this thread only.
    unsafe {
        let s = plat_set_new(st);
        plat_set_add(s, handles[1]);
        plat_set_add(s, handles[1]);
        plat_set_add(s, handles[2]);
        assert_eq!(show(s as u64, st), "{<task 3>, <task 42>}");
        let d = plat_dict_new(dt);
        plat_dict_set(d, handles[1], f);
        assert_eq!(show(d as u64, dt), "{<task 3>: <fn double>}");
    }
}

#[test]
fn ensure_that_equality_backtracks_over_colliding_candidates() {
    // With 8 hash values in all, each key of a table has many candidates
    // with its hash in the other table, most of them unequal; matching
    // must try them in turn, undo a failed one's pending comparisons and
    // keep the entries still to match.
    hash::weak::set(true);
    let w = wrap_enum();
    let lw = testdesc::list_of(w);
    let sl = testdesc::set_of(lw);
    let dl = testdesc::dict_of(lw, lw);
    let ssl = testdesc::set_of(sl);
    // [Wrap^d(End(i)), Wrap^d(End(i + 1))]: nested keys.
    let key =
        |i: u64, d: usize| list::from_slots(lw, &[wrapped(w, d, i), wrapped(w, d, i + 1)]) as u64;
    // SAFETY: collections used by this thread only.
    unsafe {
        let (a, b, c) = (plat_set_new(sl), plat_set_new(sl), plat_set_new(sl));
        for i in 0..64 {
            plat_set_add(a, key(i, 5));
            plat_set_add(b, key(63 - i, 5));
            plat_set_add(c, key(if i == 40 { 1000 } else { i }, 5));
        }
        assert_eq!((*a).len(), 64);
        assert!(eq(a as u64, b as u64, sl));
        assert!(!eq(a as u64, c as u64, sl));
        // Dicts: equal keys, one value differs deep down.
        let (x, y, z) = (plat_dict_new(dl), plat_dict_new(dl), plat_dict_new(dl));
        for i in 0..64 {
            plat_dict_set(x, key(i, 3), key(i * 2, 4));
            plat_dict_set(y, key(63 - i, 3), key((63 - i) * 2, 4));
            plat_dict_set(z, key(i, 3), key(if i == 9 { 7 } else { i * 2 }, 4));
        }
        assert!(eq(x as u64, y as u64, dl));
        assert!(!eq(x as u64, z as u64, dl));
        // Sets of such sets: alternatives inside alternatives.
        let inner = |lo: u64, skew: u64| {
            let s = plat_set_new(sl);
            for i in 0..6 {
                plat_set_add(s, key(lo + (i * 7 + skew) % 6, 2));
            }
            s as u64
        };
        let (p, q, r) = (plat_set_new(ssl), plat_set_new(ssl), plat_set_new(ssl));
        for k in 0..24 {
            plat_set_add(p, inner(k * 10, 0));
            plat_set_add(q, inner((23 - k) * 10, 3));
            plat_set_add(r, inner(if k == 11 { 999 } else { k * 10 }, 1));
        }
        assert_eq!((*p).len(), 24);
        assert!(eq(p as u64, q as u64, ssl));
        assert!(!eq(p as u64, r as u64, ssl));
    }
    hash::weak::set(false);
}

/// `enum Node { Kids(List[Node]), Leaf(Int64) }` and `List[Node]`.
fn node_types() -> (&'static PlatShape, &'static PlatShape) {
    let node = testdesc::enum_of(
        "Node",
        &[("Kids", &[&plat_type_int64]), ("Leaf", &[&plat_type_int64])],
    );
    let list = testdesc::list_of(node);
    // SAFETY: patch `Kids`'s field to `List[Node]` before any value uses
    // it (test-only descriptor, leaked and ours).
    unsafe { *(node.variant(0).fields as *mut *const PlatShape) = list };
    (node, list)
}

#[test]
fn ensure_that_cycles_through_lists_print_compare_and_hash_finitely() {
    let (node, list) = node_types();
    let kids = |l: *mut list::PlatList| testdesc::enum_value(node, 0, &[l as u64]);
    let leaf = |v: u64| testdesc::enum_value(node, 1, &[v]);
    // SAFETY: lists used by this thread only.
    unsafe {
        // a = [Kids(a)]; b = [Kids(b)]; c = [Kids(c2)], c2 = [Kids(c)]:
        // all three unfold to the same infinite value.
        let a = plat_list_new(list, 0);
        plat_list_push(a, kids(a));
        let b = plat_list_new(list, 0);
        plat_list_push(b, kids(b));
        let (c, c2) = (plat_list_new(list, 0), plat_list_new(list, 0));
        plat_list_push(c, kids(c2));
        plat_list_push(c2, kids(c));
        assert_eq!(show(a as u64, list), "[Kids(...)]");
        assert_eq!(show(c as u64, list), "[Kids([Kids(...)])]");
        assert!(eq(a as u64, a as u64, list));
        assert!(eq(a as u64, b as u64, list));
        assert!(eq(a as u64, c as u64, list), "equal unfoldings");
        assert_eq!(hash(a as u64, list), hash(c as u64, list));
        // d = [Kids(d), Leaf(1)] differs from e = [Kids(e), Leaf(2)] only
        // after the cycle.
        let (d, e) = (plat_list_new(list, 0), plat_list_new(list, 0));
        plat_list_push(d, kids(d));
        plat_list_push(d, leaf(1));
        plat_list_push(e, kids(e));
        plat_list_push(e, leaf(2));
        assert!(!eq(d as u64, e as u64, list));
        assert_eq!(show(d as u64, list), "[Kids(...), Leaf(1)]");
        // Shared (not cyclic) parts are printed each time.
        let shared = list::from_slots(list, &[leaf(5)]);
        let twice = list::from_slots(list, &[kids(shared), kids(shared)]);
        assert_eq!(
            show(twice as u64, list),
            "[Kids([Leaf(5)]), Kids([Leaf(5)])]"
        );
        // Cyclic values as set elements: equal ones merge.
        let sl = testdesc::set_of(list);
        let s = plat_set_new(sl);
        plat_set_add(s, a as u64);
        plat_set_add(s, b as u64);
        plat_set_add(s, c as u64);
        plat_set_add(s, d as u64);
        plat_set_add(s, e as u64);
        assert_eq!((*s).len(), 3);
        // A dict that holds itself through a value.
        let dn = testdesc::dict_of(&plat_type_int64, list);
        let dd = plat_dict_new(dn);
        let holder = testdesc::enum_of("H", &[("D", &[dn])]);
        let inner = testdesc::list_of(holder);
        let _ = inner;
        plat_dict_set(dd, 1, a as u64);
        assert_eq!(show(dd as u64, dn), "{1: [Kids(...)]}");
    }
}

#[test]
fn ensure_that_cycles_through_sets_and_dicts_terminate() {
    // enum Key { In(Set[Key]), Map(Dict[Int64, Key]), Leaf(Int64) }
    let key = testdesc::enum_of(
        "Key",
        &[
            ("In", &[&plat_type_int64]),
            ("Map", &[&plat_type_int64]),
            ("Leaf", &[&plat_type_int64]),
        ],
    );
    let set = testdesc::set_of(key);
    let dict = testdesc::dict_of(&plat_type_int64, key);
    // SAFETY: patch the payload types before any value uses them.
    unsafe {
        *(key.variant(0).fields as *mut *const PlatShape) = set;
        *(key.variant(1).fields as *mut *const PlatShape) = dict;
    }
    // SAFETY: collections used by this thread only.
    unsafe {
        // s = {In(s)}, t = {In(t)}: the element is hashed (and stored)
        // while its set is still empty.
        let (s, t) = (plat_set_new(set), plat_set_new(set));
        plat_set_add(s, testdesc::enum_value(key, 0, &[s as u64]));
        plat_set_add(t, testdesc::enum_value(key, 0, &[t as u64]));
        assert_eq!(show(s as u64, set), "{In(...)}");
        assert!(eq(s as u64, t as u64, set));
        assert_eq!(hash(s as u64, set), hash(t as u64, set));
        // m = {1: Map(m)}, n = {1: Map(n)}, o = {1: Map(o), 2: Leaf(0)}.
        let (m, n, o) = (
            plat_dict_new(dict),
            plat_dict_new(dict),
            plat_dict_new(dict),
        );
        plat_dict_set(m, 1, testdesc::enum_value(key, 1, &[m as u64]));
        plat_dict_set(n, 1, testdesc::enum_value(key, 1, &[n as u64]));
        plat_dict_set(o, 1, testdesc::enum_value(key, 1, &[o as u64]));
        plat_dict_set(o, 2, testdesc::enum_value(key, 2, &[0]));
        assert_eq!(show(m as u64, dict), "{1: Map(...)}");
        assert!(eq(m as u64, n as u64, dict));
        assert!(!eq(m as u64, o as u64, dict));
        assert_eq!(hash(m as u64, dict), hash(n as u64, dict));
    }
}

#[test]
fn ensure_that_channels_render_and_compare_by_identity() {
    use crate::chan::abi::plat_chan_new;
    let ct = testdesc::handle_type_of(ShapeKind::Channel, "Channel<Int32>", &[&plat_type_int32]);
    // SAFETY: a Channel descriptor with its element type; a static
    // location.
    let (a, b) = unsafe {
        (
            plat_chan_new(ct, 4, c"t.plat:1:1".as_ptr()) as u64,
            plat_chan_new(ct, 0, c"t.plat:2:1".as_ptr()) as u64,
        )
    };
    assert_eq!(show(a, ct), "<Channel<Int32>>");
    let lc = testdesc::list_of(ct);
    assert_eq!(
        show(list::from_slots(lc, &[a, b]) as u64, lc),
        "[<Channel<Int32>>, <Channel<Int32>>]"
    );
    assert!(eq(a, a, ct) && !eq(a, b, ct));
    assert_eq!(hash(a, ct), hash(a, ct));
    let sc = testdesc::set_of(ct);
    // SAFETY: a set used by this thread only.
    unsafe {
        let s = plat_set_new(sc);
        for x in [a, b, a] {
            plat_set_add(s, x);
        }
        assert_eq!((*s).len(), 2);
    }
}
