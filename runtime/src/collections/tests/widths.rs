//! Lists of every element width (1, 2, 4 and 8 bytes): the same
//! operations on each, through the entry points and through `data` the way
//! compiled code reads and writes it.

use super::{in_child, show, slots};
use crate::collections::array::{self, Elem};
use crate::collections::dict::{plat_dict_keys, plat_dict_new, plat_dict_set, plat_dict_values};
use crate::collections::list::*;
use crate::collections::set::{plat_set_add, plat_set_new, plat_set_to_list};
use crate::gc::shape::{
    plat_shape_string, plat_type_bool, plat_type_float32, plat_type_int16, plat_type_int32,
    plat_type_int64, plat_type_int8, PlatShape,
};
use crate::testdesc::{self, s};
use crate::value::{self, plat_value_eq, plat_value_hash};

/// One element type under test.
struct Case {
    elem: &'static PlatShape,
    width: usize,
    /// Awkward values (extremes, negatives, NaN payloads...), as canonical
    /// slots.
    special: Vec<u64>,
    /// The `i`-th element of a long test list, as a canonical slot.
    gen: fn(usize) -> u64,
}

fn i8s(i: usize) -> u64 {
    (i as u8).wrapping_mul(37) as i8 as i64 as u64
}
fn i16s(i: usize) -> u64 {
    (i as u16).wrapping_mul(7919) as i16 as i64 as u64
}
fn i32s(i: usize) -> u64 {
    (i as u32).wrapping_mul(2_654_435_761) as i32 as i64 as u64
}
fn f32s(i: usize) -> u64 {
    ((i as f32 - 500.25) * if i.is_multiple_of(2) { 1.0 } else { -1e-3 }).to_bits() as u64
}
fn i64s(i: usize) -> u64 {
    (i as i64).wrapping_mul(-0x1234_5678_9ABC) as u64
}
fn bools(i: usize) -> u64 {
    i.is_multiple_of(3) as u64
}
/// The same string object for the same `i` (strings are never freed).
fn strs(i: usize) -> u64 {
    static STRS: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let all = STRS.get_or_init(|| (0..1024).map(|i| s(&format!("s{i}é"))).collect());
    all[i % all.len()]
}

fn cases() -> Vec<Case> {
    let f = |x: f32| x.to_bits() as u64;
    vec![
        Case {
            elem: &plat_type_bool,
            width: 1,
            special: vec![1, 0, 1, 1, 0],
            gen: bools,
        },
        Case {
            elem: &plat_type_int8,
            width: 1,
            special: [-128i64, 127, -1, 0, -2].map(|x| x as u64).to_vec(),
            gen: i8s,
        },
        Case {
            elem: &plat_type_int16,
            width: 2,
            special: [-32768i64, 32767, -1, 300, -129].map(|x| x as u64).to_vec(),
            gen: i16s,
        },
        Case {
            elem: &plat_type_int32,
            width: 4,
            special: [i32::MIN as i64, i32::MAX as i64, -1, 70_000, -65_536]
                .map(|x| x as u64)
                .to_vec(),
            gen: i32s,
        },
        Case {
            elem: &plat_type_float32,
            width: 4,
            special: vec![
                f(-0.0),
                f32::NAN.to_bits() as u64,
                0xFFC0_0001, // negative quiet NaN with a payload
                0x7F80_0001, // signalling NaN
                f(f32::NEG_INFINITY),
                f(-1.5),
                0x8000_0001, // smallest negative subnormal
            ],
            gen: f32s,
        },
        Case {
            elem: &plat_type_int64,
            width: 8,
            special: [i64::MIN, i64::MAX, -1, 0, -(1 << 40)]
                .map(|x| x as u64)
                .to_vec(),
            gen: i64s,
        },
        Case {
            elem: &plat_shape_string,
            width: 8,
            special: vec![s("a"), s(""), s("héllo"), s("a"), s("b c")],
            gen: strs,
        },
    ]
}

impl Case {
    fn desc(&self) -> &'static PlatShape {
        testdesc::list_of(self.elem)
    }

    fn list(&self, xs: &[u64]) -> *mut PlatList {
        // SAFETY: a valid descriptor; the list is used by this thread only.
        unsafe {
            let l = plat_list_new(self.desc(), 0);
            for &x in xs {
                plat_list_push(l, x);
            }
            l
        }
    }

    fn name(&self) -> String {
        String::from_utf8_lossy(self.elem.name_bytes()).into_owned()
    }

    /// The low `width` bytes of `slot`, as compiled code stores them.
    fn narrow(&self, slot: u64) -> u64 {
        if self.width == 8 {
            slot
        } else {
            slot & ((1u64 << (8 * self.width)) - 1)
        }
    }

    /// Element `i` of `l` read from `data` as compiled code reads it (the
    /// `width` bytes at `data + i * width`), not widened.
    fn raw(&self, l: *mut PlatList, i: usize) -> u64 {
        let mut b = [0u8; 8];
        // SAFETY: `i < cap` in every use: inside the buffer.
        unsafe {
            let p = (*l).data().add(i * self.width);
            std::ptr::copy_nonoverlapping(p, b.as_mut_ptr(), self.width);
        }
        u64::from_le_bytes(b)
    }

    /// The unused tail `[len, cap)` holds values of the element type: for
    /// elements that may be pointers, no null (a racing reader may load
    /// them); scalars are any value.
    fn tail_holds_values(&self, l: *mut PlatList) -> bool {
        if !Elem::holds_pointers(self.elem) {
            return true;
        }
        // SAFETY: a valid list; elements below `cap` are in its buffer.
        unsafe {
            let (len, cap) = ((*l).len() as usize, (*l).capacity());
            (len..cap).all(|i| self.raw(l, i) != 0)
        }
    }

    /// Values that equal themselves (no NaN), for equality tests.
    fn plain(&self, n: usize) -> Vec<u64> {
        (0..n)
            .map(self.gen)
            .filter(|&x| value::eq(x, x, self.elem))
            .collect()
    }
}

#[test]
fn ensure_that_each_width_stores_elements_packed_and_grows() {
    for c in cases() {
        let n = 1000;
        let l = c.list(&(0..n).map(c.gen).collect::<Vec<_>>());
        // SAFETY: a valid list used by this thread only.
        unsafe {
            assert_eq!(plat_list_len(l), n as i64);
            let cap = (*l).capacity();
            assert!(cap >= n);
            assert_eq!(array::capacity((*l).data()), cap, "{}", c.name());
            assert_eq!(
                array::object_size((*l).data()),
                (16 + cap * c.width).next_multiple_of(8),
                "{}: buffer sized for cap * width",
                c.name()
            );
            let mut out = 0;
            for i in 0..n {
                let want = (c.gen)(i);
                assert_eq!(plat_list_get(l, i as i64, &mut out), 1);
                assert_eq!(out, want, "{} element {i}", c.name());
                assert_eq!(
                    c.raw(l, i),
                    c.narrow(want),
                    "{} at data + {i} * w",
                    c.name()
                );
            }
            assert_eq!(plat_list_get(l, n as i64, &mut out), 0);
            assert!(c.tail_holds_values(l), "{}", c.name());
            assert_eq!(slots(l), (0..n).map(c.gen).collect::<Vec<_>>());
        }
    }
}

#[test]
fn ensure_that_set_and_get_round_trip_awkward_values() {
    for c in cases() {
        let zeros = vec![(c.gen)(1); c.special.len() + 2];
        let l = c.list(&zeros);
        // SAFETY: a valid list used by this thread only.
        unsafe {
            for (i, &x) in c.special.iter().enumerate() {
                plat_list_set(l, i as i64 + 1, x, std::ptr::null());
            }
            let mut out = 0;
            for (i, &x) in c.special.iter().enumerate() {
                assert_eq!(plat_list_get(l, i as i64 + 1, &mut out), 1);
                assert_eq!(out, x, "{} value {x:#x}", c.name());
                assert_eq!(c.raw(l, i + 1), c.narrow(x));
            }
            // Neighbours are untouched by narrow stores.
            assert_eq!(slots(l)[0], (c.gen)(1));
            assert_eq!(*slots(l).last().unwrap(), (c.gen)(1));
            // Compiled code's `xs.set`: a store of `width` bytes.
            for (i, &x) in c.special.iter().enumerate() {
                let b = x.to_le_bytes();
                std::ptr::copy_nonoverlapping(b.as_ptr(), (*l).data().add(i * c.width), c.width);
            }
            for (i, &x) in c.special.iter().enumerate() {
                assert_eq!(plat_list_get(l, i as i64, &mut out), 1);
                assert_eq!(out, x, "{} after a raw store", c.name());
            }
        }
    }
}

#[test]
fn ensure_that_compiled_code_can_append_in_place() {
    for c in cases() {
        // SAFETY: a valid list; stores stay below `cap`, as compiled code's.
        unsafe {
            let l = plat_list_new(c.desc(), 3);
            for i in 0..3 {
                let len = (*l).len() as usize;
                assert!(len < (*l).capacity());
                let b = (c.gen)(i).to_le_bytes();
                std::ptr::copy_nonoverlapping(b.as_ptr(), (*l).data().add(len * c.width), c.width);
                (*l).len
                    .store(len as u64 + 1, std::sync::atomic::Ordering::Release);
            }
            plat_list_push(l, (c.gen)(3)); // grows: copies the appended ones
            assert_eq!(
                slots(l),
                (0..4).map(c.gen).collect::<Vec<_>>(),
                "{}",
                c.name()
            );
            assert!(c.tail_holds_values(l));
        }
    }
}

#[test]
fn ensure_that_insert_and_remove_shift_elements_of_every_width() {
    for c in cases() {
        let v: Vec<u64> = c.special.clone();
        let l = c.list(&v[..3]);
        let mut want = v[..3].to_vec();
        let mut out = 0;
        // SAFETY: a valid list used by this thread only.
        unsafe {
            for (at, x) in [(0, v[3]), (2, v[4]), (5, v[0]), (1, v[1])] {
                plat_list_insert_at(l, at as i64, x, std::ptr::null());
                want.insert(at, x);
                assert_eq!(slots(l), want, "{} insert at {at}", c.name());
            }
            for at in [3usize, 0, 4] {
                let last = *want.last().unwrap();
                assert_eq!(plat_list_remove_at(l, at as i64, &mut out), 1);
                assert_eq!(out, want.remove(at), "{} remove at {at}", c.name());
                assert_eq!(slots(l), want);
                // The vacated slot keeps the last element's old value (a
                // racing reader may still load it).
                assert_eq!(c.raw(l, want.len()), c.narrow(last), "{}", c.name());
                assert!(c.tail_holds_values(l), "{}", c.name());
            }
            assert_eq!(plat_list_remove_at(l, want.len() as i64, &mut out), 0);
            assert_eq!(plat_list_pop(l, &mut out), 1);
            assert_eq!(out, want.pop().unwrap());
            assert!(c.tail_holds_values(l));
            // Insert into a full buffer (grows).
            let cap = (*l).capacity();
            for _ in (*l).len() as usize..cap {
                plat_list_push(l, v[2]);
                want.push(v[2]);
            }
            plat_list_insert_at(l, 1, v[3], std::ptr::null());
            want.insert(1, v[3]);
            assert_eq!(slots(l), want, "{} insert while full", c.name());
            assert!(c.tail_holds_values(l));
            plat_list_clear(l);
            assert_eq!(plat_list_len(l), 0);
            assert!(
                c.tail_holds_values(l),
                "{}: clear keeps old elements",
                c.name()
            );
            plat_list_push(l, v[1]);
            assert_eq!(slots(l), [v[1]]);
        }
    }
}

#[test]
fn ensure_that_search_slice_and_concat_work_at_every_width() {
    for c in cases() {
        let xs: Vec<u64> = (0..20).map(c.gen).collect();
        let l = c.list(&xs);
        // SAFETY: valid lists used by this thread only.
        unsafe {
            assert_eq!(slots(plat_list_slice(l, 3, 9)), xs[3..9], "{}", c.name());
            assert_eq!(slots(plat_list_slice(l, -4, 2)), xs[..2]);
            assert_eq!(slots(plat_list_slice(l, 15, 99)), xs[15..]);
            assert_eq!(slots(plat_list_slice(l, 9, 3)), [] as [u64; 0]);
            let part = plat_list_slice(l, 1, 4);
            assert!(c.tail_holds_values(part));
            let cc = plat_list_concat(part, l);
            let want: Vec<u64> = xs[1..4].iter().chain(&xs).copied().collect();
            assert_eq!(slots(cc), want, "{} concat", c.name());
            assert_eq!(slots(plat_list_concat(l, l)).len(), 40);
            let empty = plat_list_new(c.desc(), 0);
            assert_eq!(slots(plat_list_concat(empty, l)), xs);
            assert_eq!(slots(plat_list_concat(l, empty)), xs);
            assert_eq!(plat_list_len(plat_list_concat(empty, empty)), 0);
            plat_list_set(cc, 0, xs[7], std::ptr::null());
            assert_eq!(slots(part)[0], xs[1], "concat copies");

            let plain = c.plain(20);
            let p = c.list(&plain);
            let x = plain[5];
            let expected = plain.iter().filter(|&&y| value::eq(x, y, c.elem)).count();
            assert_eq!(plat_list_count(p, x), expected as i64, "{}", c.name());
            let first = plain.iter().position(|&y| value::eq(x, y, c.elem)).unwrap();
            assert_eq!(plat_list_index_of(p, x), first as i64);
            assert_eq!(plat_list_contains(p, x), 1);
        }
    }
}

#[test]
fn ensure_that_lists_of_every_width_compare_hash_and_print() {
    for c in cases() {
        let desc = c.desc();
        let plain = c.plain(12);
        let a = c.list(&plain) as u64;
        let b = from_slots(desc, &plain) as u64;
        let mut other = plain.clone();
        other[3] = plain[4];
        let d = c.list(&other) as u64;
        // SAFETY: valid lists of type `desc`.
        unsafe {
            assert_eq!(plat_value_eq(a, b, desc), 1, "{}", c.name());
            assert_eq!(plat_value_hash(a, desc), plat_value_hash(b, desc));
            if !value::eq(plain[3], plain[4], c.elem) {
                assert_eq!(plat_value_eq(a, d, desc), 0, "{}", c.name());
            }
            let shorter = plat_list_slice(a as *mut PlatList, 0, 11) as u64;
            assert_eq!(plat_value_eq(a, shorter, desc), 0);
        }
        let sp = c.list(&c.special) as u64;
        let want = format!(
            "[{}]",
            c.special
                .iter()
                .map(|&x| {
                    let one = show(x, c.elem);
                    if c.width == 8 && std::ptr::eq(c.elem, &plat_shape_string) {
                        format!("\"{one}\"")
                    } else {
                        one
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
        assert_eq!(show(sp, desc), want, "{}", c.name());
    }
    // Pinned renderings.
    let cs = cases();
    let shown: Vec<String> = cs
        .iter()
        .map(|c| show(c.list(&c.special) as u64, c.desc()))
        .collect();
    assert_eq!(shown[0], "[true, false, true, true, false]");
    assert_eq!(shown[1], "[-128, 127, -1, 0, -2]");
    assert_eq!(shown[2], "[-32768, 32767, -1, 300, -129]");
    assert_eq!(shown[3], "[-2147483648, 2147483647, -1, 70000, -65536]");
    assert!(
        shown[4].starts_with("[-0, NaN, NaN, NaN, -inf, -1.5, -0.000"),
        "{}",
        shown[4]
    );
    assert_eq!(
        shown[5],
        "[-9223372036854775808, 9223372036854775807, -1, 0, -1099511627776]"
    );
    assert_eq!(shown[6], r#"["a", "", "héllo", "a", "b c"]"#);
}

#[test]
fn ensure_that_nested_narrow_lists_compare_and_print() {
    let inner = testdesc::list_of(&plat_type_int8);
    let outer = testdesc::list_of(inner);
    let make = |rows: &[&[i64]]| {
        // SAFETY: valid lists.
        unsafe {
            let o = plat_list_new(outer, 0);
            for r in rows {
                let l = plat_list_new(inner, 0);
                for &x in *r {
                    plat_list_push(l, x as u64);
                }
                plat_list_push(o, l as u64);
            }
            o as u64
        }
    };
    let a = make(&[&[-1, 2], &[], &[-128]]);
    let b = make(&[&[-1, 2], &[], &[-128]]);
    // SAFETY: valid values of type `outer`.
    unsafe {
        assert_eq!(plat_value_eq(a, b, outer), 1);
        assert_eq!(plat_value_hash(a, outer), plat_value_hash(b, outer));
        assert_eq!(plat_value_eq(a, make(&[&[-1, 2], &[], &[127]]), outer), 0);
    }
    assert_eq!(show(a, outer), "[[-1, 2], [], [-128]]");
}

#[test]
fn ensure_that_dicts_and_sets_produce_narrow_lists() {
    let dd = testdesc::dict_of(&plat_type_int8, &plat_type_bool);
    let keys = testdesc::list_of(&plat_type_int8);
    let vals = testdesc::list_of(&plat_type_bool);
    let sd = testdesc::set_of(&plat_type_int16);
    let sl = testdesc::list_of(&plat_type_int16);
    let fd = testdesc::dict_of(&plat_shape_string, &plat_type_float32);
    let fl = testdesc::list_of(&plat_type_float32);
    // SAFETY: valid collections and descriptors.
    unsafe {
        let d = plat_dict_new(dd);
        for k in -5i64..5 {
            plat_dict_set(d, k as u64, (k < 0) as u64);
        }
        let ks = plat_dict_keys(d, keys);
        let vs = plat_dict_values(d, vals);
        assert_eq!(slots(ks), (-5i64..5).map(|k| k as u64).collect::<Vec<_>>());
        assert_eq!(
            slots(vs),
            (-5i64..5).map(|k| (k < 0) as u64).collect::<Vec<_>>()
        );
        assert_eq!(show(ks as u64, keys), "[-5, -4, -3, -2, -1, 0, 1, 2, 3, 4]");
        assert_eq!(
            show(vs as u64, vals),
            "[true, true, true, true, true, false, false, false, false, false]"
        );
        let s16 = plat_set_new(sd);
        for x in [-300i64, 7, -300, 32767] {
            plat_set_add(s16, x as u64);
        }
        let l = plat_set_to_list(s16, sl);
        assert_eq!(slots(l), [-300i64 as u64, 7, 32767]);
        assert_eq!(*((*l).data() as *const i16), -300);
        let f = plat_dict_new(fd);
        plat_dict_set(f, s("x"), (-0.5f32).to_bits() as u64);
        let fv = plat_dict_values(f, fl);
        assert_eq!(slots(fv), [(-0.5f32).to_bits() as u64]);
        assert_eq!(*((*fv).data() as *const f32), -0.5);
    }
}

/// Resident memory of this process, in bytes.
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("statm");
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    // SAFETY: `sysconf` has no memory-safety requirements.
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize
}

#[test]
fn ensure_that_ten_million_bools_take_about_ten_megabytes() {
    const N: usize = 10_000_000;
    let desc = testdesc::list_of(&plat_type_bool);
    // What the process actually touches, measured alone in a child.
    let r = in_child(
        "collections::tests::widths::ensure_that_ten_million_bools_take_about_ten_megabytes",
        || {
            let before = rss();
            // SAFETY: a valid list used by this thread only.
            let l = unsafe {
                let l = plat_list_new(desc, N as u64);
                for i in 0..N {
                    plat_list_push(l, (i % 2) as u64);
                }
                l
            };
            let grew = rss().saturating_sub(before);
            // SAFETY: `l` is valid.
            assert_eq!(unsafe { plat_list_len(l) }, N as i64);
            eprintln!("rss growth for {N} Bools: {grew} bytes");
            assert!(grew > N * 9 / 10 && grew < N * 12 / 10, "{grew} bytes");
        },
    );
    let Some((code, stderr)) = r else { return };
    assert_eq!(code, 0, "{stderr}");
    // Sized up front: exactly N bytes of elements.
    // SAFETY: a valid list used by this thread only.
    unsafe {
        let l = plat_list_new(desc, N as u64);
        for i in 0..N {
            plat_list_push(l, i.is_multiple_of(7) as u64);
        }
        assert_eq!((*l).capacity(), N);
        assert_eq!(array::object_size((*l).data()), N + 16);
        assert_eq!(Elem::of(&plat_type_bool).width(), 1);
        // Grown from empty: the final buffer is under 2 bytes per element.
        let g = plat_list_new(desc, 0);
        for i in 0..N {
            plat_list_push(g, i.is_multiple_of(7) as u64);
        }
        assert!(array::object_size((*g).data()) < 2 * N, "grown buffer");
        assert_eq!(plat_value_eq(l as u64, g as u64, desc), 1);
    }
}
