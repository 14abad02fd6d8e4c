//! Races on lists, dicts and sets with real threads: readers racing with
//! a writer must only ever see valid values (no crash, no endless probe),
//! and racing runtime mutations are serialised by the writer word (a
//! mutation that finds another in progress fails instead of corrupting
//! anything). Bounded stress tests: what they assert holds for every
//! interleaving; how many collisions happen depends on timing and is not
//! asserted.

use std::collections::HashSet;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicUsize};

use super::show;
use crate::collections::array;
use crate::collections::dict::*;
use crate::collections::list::*;
use crate::collections::set::*;
use crate::collections::table::{self, key_hash, Table};
use crate::collections::writer::Busy;
use crate::gc::shape::{plat_shape_string, plat_type_int64, PlatShape};
use crate::testdesc::{self, s};

/// The raw pointer entry points take, from a shared reference.
fn raw<T>(r: &T) -> *mut T {
    r as *const T as *mut T
}

/// A small deterministic generator per thread.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

/// `n` distinct strings and the set of their addresses.
fn strings(prefix: &str, n: usize) -> (Vec<u64>, HashSet<u64>) {
    let v: Vec<u64> = (0..n).map(|i| s(&format!("{prefix}{i}"))).collect();
    let set = v.iter().copied().collect();
    (v, set)
}

/// Reads every element of `l` the way compiled code's `for` loop does:
/// the bound `min(len, capacity(data))` once per element, then `data`
/// loaded again for the element itself.
fn compiled_for_loop(l: &PlatList, mut each: impl FnMut(u64)) {
    let mut i = 0;
    loop {
        let len = l.len.load(Relaxed) as usize;
        let data = l.data.load(Relaxed);
        // SAFETY: `data` is always a buffer's first element.
        let bound = len.min(unsafe { array::capacity(data) });
        if i >= bound {
            break;
        }
        let data = l.data.load(Relaxed);
        // SAFETY: `i < bound <= capacity` of an earlier buffer, and
        // buffers only grow.
        each(unsafe { l.storage().load(data, i) });
        i += 1;
    }
}

#[test]
fn ensure_that_list_readers_see_only_valid_elements_while_it_is_mutated() {
    let desc = testdesc::list_of(&plat_shape_string);
    let (pool, valid) = strings("elem", 64);
    // SAFETY: a valid list, shared by reference with every thread below.
    let list = unsafe { &*from_slots(desc, &pool[..8]) };
    let done = AtomicBool::new(false);
    let reads = AtomicUsize::new(0);
    std::thread::scope(|sc| {
        // One writer: every kind of runtime mutation and `set`.
        sc.spawn(|| {
            let l = raw(list);
            let mut r = Rng(0x9E37_79B9_7F4A_7C15);
            // Until the readers have had many looks (bounded regardless).
            let mut ops = 0;
            while reads.load(Relaxed) < 10_000 && ops < 5_000_000 {
                ops += 1;
                let x = pool[r.below(64) as usize];
                let len = list.len() as i64;
                match r.below(16) {
                    0..=5 => list
                        .try_mutate_as(Some(8), |l| l.test_push(x))
                        .expect("one writer"),
                    6 | 7 => list
                        .try_mutate_as(Some(8), |l| {
                            l.test_insert(r.below(len as u64 + 1) as i64, x)
                        })
                        .expect("one writer"),
                    8 | 9 => {
                        list.try_mutate_as(Some(8), |l| l.test_remove(r.below(len as u64) as i64))
                            .expect("one writer");
                    }
                    10 | 11 => {
                        let mut out = 0;
                        // SAFETY: a valid list and out-pointer.
                        unsafe { plat_list_pop(l, &mut out) };
                    }
                    12 if r.below(50) == 0 => {
                        // SAFETY: a valid list.
                        unsafe { plat_list_clear(l) };
                    }
                    _ if len > 0 => {
                        // SAFETY: a valid list; `i < len` (one writer).
                        unsafe {
                            plat_list_set(l, r.below(len as u64) as i64, x, std::ptr::null())
                        };
                    }
                    _ => {}
                }
            }
            done.store(true, Release);
        });
        // Readers: the entry points, the value printer and compiled
        // code's loop, checking that every element is one of the strings.
        for t in 0..3u64 {
            let (valid, done, reads) = (&valid, &done, &reads);
            sc.spawn(move || {
                let l = raw(list);
                let mut r = Rng(t + 1);
                let mut out = 0u64;
                let ok = |x: u64| assert!(valid.contains(&x), "invalid element {x:#x}");
                let mut round = 0u64;
                while !done.load(Acquire) {
                    round += 1;
                    for x in list.iter() {
                        ok(x);
                    }
                    compiled_for_loop(list, ok);
                    // SAFETY: a valid list and out-pointer.
                    unsafe {
                        let n = plat_list_len(l);
                        if plat_list_get(l, r.below(n as u64 + 1) as i64, &mut out) == 1 {
                            ok(out);
                        }
                    }
                    reads.fetch_add(1, Relaxed);
                    if !round.is_multiple_of(16) {
                        continue;
                    }
                    // SAFETY: a valid list and strings.
                    unsafe {
                        plat_list_count(l, pool_elem(valid));
                        plat_list_index_of(l, pool_elem(valid));
                        let part = plat_list_slice(l, 1, 9);
                        (*part).iter().for_each(ok);
                        let both = plat_list_concat(l, l);
                        (*both).iter().for_each(ok);
                    }
                    let text = show(l as u64, desc);
                    assert!(text.starts_with('[') && text.ends_with(']'), "{text}");
                }
            });
        }
    });
    assert!(reads.load(Relaxed) > 0);
    assert!(list.len() as usize <= list.capacity());
    let _ = desc;
    list.iter().for_each(|x| assert!(valid.contains(&x)));
}

/// Any one element of the pool (for searches).
fn pool_elem(valid: &HashSet<u64>) -> u64 {
    *valid.iter().next().expect("non-empty")
}

#[test]
fn ensure_that_racing_runtime_mutations_of_a_list_are_never_lost() {
    // Four threads push their own numbers and pop as many, through the
    // runtime path only; a mutation that finds another in progress fails
    // (the entry point would panic) and is retried here. Nothing may be
    // lost or duplicated, whatever the interleaving.
    let desc = testdesc::list_of(&plat_type_int64);
    // SAFETY: a valid list shared by every thread below.
    let list = unsafe { &*from_slots(desc, &[]) };
    const K: u64 = 5_000;
    let busy = AtomicUsize::new(0);
    let popped: Vec<Vec<u64>> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..4u64)
            .map(|t| {
                let busy = &busy;
                sc.spawn(move || {
                    let token = (t + 1) * 8;
                    let retry = |f: &dyn Fn(&PlatList) -> Option<u64>| loop {
                        match list.try_mutate_as(Some(token), f) {
                            Ok(v) => return v,
                            Err(Busy) => {
                                busy.fetch_add(1, Relaxed);
                                std::hint::spin_loop();
                            }
                        }
                    };
                    for i in 0..K {
                        retry(&|l| {
                            l.test_push(t * K + i);
                            None
                        });
                    }
                    (0..K)
                        .map(|_| {
                            retry(&|l| match l.view().len() {
                                0 => None,
                                n => l.test_remove(n as i64 - 1),
                            })
                            .expect("each thread pops no more than it pushed")
                        })
                        .collect()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    assert_eq!(list.len(), 0);
    let mut all: Vec<u64> = popped.into_iter().flatten().collect();
    all.sort_unstable();
    assert_eq!(
        all,
        (0..4 * K).collect::<Vec<_>>(),
        "every push popped once"
    );
    eprintln!("{} collisions", busy.load(Relaxed));
}

/// Compiled code's inline `xs.push` (see `docs/runtime-abi.md`): appends
/// in place when `token` owns the list and the loaded buffer has room,
/// then re-checks the owner. `Some(true)`: appended; `Some(false)`: the
/// code would call `plat_list_push`; `None`: the re-check failed (the
/// code would call `plat_list_push_raced`).
fn compiled_push(l: &PlatList, token: u64, slot: u64) -> Option<bool> {
    let owner = l.writer.load(Relaxed);
    let len = l.len.load(Relaxed) as usize;
    let data = l.data.load(Relaxed);
    // SAFETY: `data` is always a buffer's first element.
    let cap = unsafe { array::capacity(data) };
    if owner != token || len >= cap {
        return Some(false);
    }
    // SAFETY: `len < cap` of the loaded buffer.
    unsafe { l.storage().store(data, len, slot) };
    l.len.store(len as u64 + 1, Release);
    Some(l.writer.load(Relaxed) == token).filter(|&kept| kept)
}

#[test]
fn ensure_that_another_tasks_whole_pop_inside_an_inline_append_is_seen() {
    // The inline append of the owner (token 8) checks the writer word,
    // then stores; another task's pop runs whole in between (the owner's
    // thread was descheduled). Every runtime mutation takes ownership, so
    // the append's re-check sees the word changed and reports the race;
    // had the pop kept the owner, the append would have resurrected the
    // popped element without a trace.
    let desc = testdesc::list_of(&plat_shape_string);
    let (pool, _) = strings("whole", 4);
    // SAFETY: a valid list used by this thread only.
    let list = unsafe { &*from_slots(desc, &pool[..3]) };
    list.writer.store(8, Release);
    let before = list.writer.load(Relaxed);
    let mut out = 0u64;
    // SAFETY: a valid list and a slot to write the popped element to.
    let popped = unsafe { plat_list_pop(list as *const _ as *mut _, &mut out) };
    assert_eq!(popped, 1);
    assert_eq!(out, pool[2]);
    assert_ne!(
        list.writer.load(Relaxed),
        before,
        "the append's re-check would pass"
    );
    assert_eq!(
        compiled_push(list, 8, pool[3]),
        Some(false),
        "no longer the owner"
    );
}

#[test]
fn ensure_that_inline_appends_racing_with_other_mutations_stay_memory_safe() {
    // Two "tasks" append as compiled code does (in place when they own
    // the list, else through the runtime, taking ownership), a third pops
    // and inserts through the runtime. Appends may be lost to the race
    // (the program would have panicked); memory must stay sound: the
    // length within the buffer and every element a valid string.
    let desc = testdesc::list_of(&plat_shape_string);
    let (pool, valid) = strings("inline", 32);
    // SAFETY: a valid list shared by every thread below.
    let list = unsafe { &*from_slots(desc, &[]) };
    let (raced, busy) = (AtomicUsize::new(0), AtomicUsize::new(0));
    std::thread::scope(|sc| {
        for t in 0..2u64 {
            let (pool, raced, busy) = (&pool, &raced, &busy);
            sc.spawn(move || {
                let token = (t + 1) * 8;
                for i in 0..20_000usize {
                    let x = pool[i % pool.len()];
                    match compiled_push(list, token, x) {
                        Some(true) => {}
                        None => {
                            raced.fetch_add(1, Relaxed);
                        }
                        Some(false) => {
                            if list.try_mutate_as(Some(token), |l| l.test_push(x)).is_err() {
                                busy.fetch_add(1, Relaxed);
                            }
                        }
                    }
                }
            });
        }
        let (pool, busy) = (&pool, &busy);
        sc.spawn(move || {
            let mut r = Rng(77);
            for _ in 0..10_000 {
                let n = list.len();
                let f = |l: &PlatList| {
                    if r.below(2) == 0 {
                        l.test_remove(n as i64 - 1);
                    } else {
                        l.test_insert(0, pool[0]);
                    }
                };
                if n > 0 && list.try_mutate_as(Some(24), f).is_err() {
                    busy.fetch_add(1, Relaxed);
                }
            }
        });
    });
    let (len, cap) = (list.len() as usize, list.capacity());
    assert!(len <= cap, "len {len} > capacity {cap}");
    for i in 0..cap {
        // SAFETY: every element below the capacity is inside the buffer.
        let x = unsafe { list.storage().load(list.data(), i) };
        assert!(
            i >= len && x == 0 || valid.contains(&x),
            "element {i} of {len} is {x:#x}"
        );
    }
    let _ = show(raw(list) as u64, desc);
    eprintln!(
        "{} raced appends, {} busy mutations",
        raced.load(Relaxed),
        busy.load(Relaxed)
    );
}

/// The value stored for key `k` in the dict tests: always the same one.
fn value_of(keys: &[u64], values: &[u64], k: u64) -> u64 {
    values[keys.iter().position(|&x| x == k).expect("a known key")]
}

#[test]
fn ensure_that_dict_readers_see_only_valid_entries_during_churn() {
    let desc = testdesc::dict_of(&plat_shape_string, &plat_shape_string);
    let kl = testdesc::list_of(&plat_shape_string);
    let (keys, key_set) = strings("key", 300);
    let (values, _) = strings("value", 300);
    // SAFETY: a valid dict shared by every thread below.
    let t = unsafe { &*plat_dict_new_of(desc) };
    let done = AtomicBool::new(false);
    let reads = AtomicUsize::new(0);
    std::thread::scope(|sc| {
        // One writer: sets, removals, merges, clears (rebuilds on growth
        // and compaction), until the readers have had many looks.
        sc.spawn(|| {
            let d = raw(t);
            let mut r = Rng(12345);
            let other = plat_dict_new_of(desc);
            for i in 0..10 {
                // SAFETY: a valid dict nobody else mutates.
                unsafe { plat_dict_set(other, keys[i], values[i]) };
            }
            let mut round = 0;
            while reads.load(Relaxed) < 5_000 && round < 3_000_000 {
                round += 1;
                let i = r.below(300) as usize;
                // SAFETY: a valid dict; one writer.
                unsafe {
                    match r.below(10) {
                        0..=5 => {
                            plat_dict_set(d, keys[i], values[i]);
                        }
                        6..=8 => {
                            plat_dict_remove(d, keys[i], std::ptr::null_mut());
                        }
                        _ if round % 500 == 0 => plat_dict_clear(d),
                        _ => plat_dict_merge(d, other),
                    }
                }
            }
            done.store(true, Release);
        });
        for n in 0..3u64 {
            let (keys, values, key_set, done, reads) = (&keys, &values, &key_set, &done, &reads);
            sc.spawn(move || {
                let d = raw(t);
                let mut r = Rng(n + 99);
                let mut out = 0u64;
                while !done.load(Acquire) {
                    reads.fetch_add(1, Relaxed);
                    let k = keys[r.below(300) as usize];
                    // SAFETY: a valid dict, key and out-pointer.
                    unsafe {
                        if plat_dict_get(d, k, &mut out) == 1 {
                            assert_eq!(out, value_of(keys, values, k), "a value of another key");
                        }
                        plat_dict_has_key(d, k);
                        plat_dict_has_value(d, values[0]);
                    }
                    for e in t.live() {
                        let (h, k, v) = (e[0], e[1], e[2]);
                        assert!(key_set.contains(&k), "invalid key {k:#x}");
                        assert_eq!(h, key_hash(k, &plat_shape_string));
                        assert_eq!(v, value_of(keys, values, k));
                    }
                    // SAFETY: a valid dict and List[String] descriptor.
                    let ks = unsafe { plat_dict_keys(d, kl) };
                    // SAFETY: a fresh list.
                    unsafe { (*ks).iter() }.for_each(|k| assert!(key_set.contains(&k)));
                    let text = show(d as u64, desc);
                    assert!(text.starts_with('{') && text.ends_with('}'), "{text}");
                }
            });
        }
    });
    table::tests::check(t);
}

/// A fresh dict of type `desc`.
fn plat_dict_new_of(desc: &'static PlatShape) -> *mut Table {
    // SAFETY: a Dict descriptor.
    unsafe { plat_dict_new(desc) }
}

#[test]
fn ensure_that_racing_table_writers_are_serialised() {
    // Four threads add disjoint ranges of keys to one set and remove half
    // of them, retrying whenever another mutation is in progress (the
    // entry points would panic). The result is exact and the table
    // consistent, whatever the interleaving.
    let desc = testdesc::set_of(&plat_type_int64);
    // SAFETY: a Set descriptor; the set is shared by every thread below.
    let t = unsafe { &*plat_set_new(desc) };
    const K: u64 = 3_000;
    std::thread::scope(|sc| {
        for n in 0..4u64 {
            sc.spawn(move || {
                let kd = &plat_type_int64;
                let retry = |f: &dyn Fn(&Table)| while t.try_mutate(f).is_err() {};
                for i in 0..K {
                    let x = n * K + i;
                    retry(&|t| {
                        assert!(t.insert_claimed(x, key_hash(x, kd), 0).expect("small"));
                    });
                }
                for i in (0..K).step_by(2) {
                    let x = n * K + i;
                    retry(&|t| assert!(t.remove_claimed(x, key_hash(x, kd)).is_some()));
                }
            });
        }
    });
    table::tests::check(t);
    assert_eq!(t.len(), 4 * K / 2);
    for x in 0..4 * K {
        // SAFETY: a valid set.
        assert_eq!(unsafe { plat_set_contains(raw(t), x) }, (x % 2 == 1) as u8);
    }
}

#[test]
fn ensure_that_set_operations_on_a_set_being_mutated_stay_valid() {
    let desc = testdesc::set_of(&plat_shape_string);
    let (pool, valid) = strings("member", 100);
    // SAFETY: Set descriptors; the sets are shared by the threads below.
    let (sa, sb) = unsafe { (&*plat_set_new(desc), &*plat_set_new(desc)) };
    for &x in &pool[..50] {
        // SAFETY: a valid set and strings.
        unsafe { plat_set_add(raw(sb), x) };
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|sc| {
        sc.spawn(|| {
            let a = raw(sa);
            let mut r = Rng(5);
            for round in 0..20_000 {
                let x = pool[r.below(100) as usize];
                // SAFETY: a valid set; one writer.
                unsafe {
                    if round % 1000 == 999 {
                        plat_set_clear(a);
                    } else if r.below(3) == 0 {
                        plat_set_remove(a, x);
                    } else {
                        plat_set_add(a, x);
                    }
                }
            }
            done.store(true, Release);
        });
        for _ in 0..2 {
            let (valid, done) = (&valid, &done);
            sc.spawn(move || {
                let (a, b) = (raw(sa), raw(sb));
                let ld = testdesc::list_of(&plat_shape_string);
                while !done.load(Acquire) {
                    // SAFETY: valid sets and descriptor.
                    unsafe {
                        for out in [
                            plat_set_union(a, b),
                            plat_set_intersection(a, b),
                            plat_set_difference(b, a),
                            plat_set_union(b, a),
                        ] {
                            table::tests::check(&*out);
                            (*out).live().for_each(|e| assert!(valid.contains(&e[1])));
                        }
                        plat_set_is_subset_of(a, b);
                        plat_set_is_disjoint_from(a, b);
                        (*plat_set_to_list(a, ld))
                            .iter()
                            .for_each(|x| assert!(valid.contains(&x)));
                    }
                }
            });
        }
    });
    table::tests::check(sa);
}

#[test]
fn ensure_that_every_mutating_entry_point_detects_a_mutation_in_progress() {
    // The writer word of each collection is claimed by hand and never
    // released, as by a mutation in progress in another task: every
    // mutating entry point must panic with the message for its type, and
    // do nothing else.
    fn busy_list() -> *mut PlatList {
        let l = from_slots(testdesc::list_of(&plat_type_int64), &[1, 2, 3]);
        // SAFETY: a valid list.
        unsafe { crate::collections::writer::claim(&(*l).writer).expect("free") };
        l
    }
    fn busy_table(desc: &'static PlatShape) -> *mut Table {
        let t = table::new(desc);
        // SAFETY: a valid table.
        unsafe { crate::collections::writer::claim(&(*t).writer).expect("free") };
        t
    }
    let cases: [(&str, fn()); 11] = [
        ("push", || {
            // SAFETY: a valid list (here and in every case below: valid
            // collections, null out-pointers and locations).
            unsafe { plat_list_push(busy_list(), 4) }
        }),
        ("pop", || {
            // SAFETY: as above.
            unsafe { plat_list_pop(busy_list(), std::ptr::null_mut()) };
        }),
        ("remove_at", || {
            // SAFETY: as above.
            unsafe { plat_list_remove_at(busy_list(), 0, std::ptr::null_mut()) };
        }),
        ("insert_at", || {
            // SAFETY: as above.
            unsafe { plat_list_insert_at(busy_list(), 0, 9, std::ptr::null()) }
        }),
        ("clear", || {
            // SAFETY: as above.
            unsafe { plat_list_clear(busy_list()) }
        }),
        ("dict set", || {
            let d = busy_table(testdesc::dict_of(&plat_type_int64, &plat_type_int64));
            // SAFETY: as above.
            unsafe { plat_dict_set(d, 1, 2) };
        }),
        ("dict remove", || {
            let d = busy_table(testdesc::dict_of(&plat_type_int64, &plat_type_int64));
            // SAFETY: as above.
            unsafe { plat_dict_remove(d, 1, std::ptr::null_mut()) };
        }),
        ("dict merge", || {
            let desc = testdesc::dict_of(&plat_type_int64, &plat_type_int64);
            let (d, other) = (busy_table(desc), table::new(desc));
            // SAFETY: as above.
            unsafe { plat_dict_merge(d, other) };
        }),
        ("set add", || {
            let st = busy_table(testdesc::set_of(&plat_type_int64));
            // SAFETY: as above.
            unsafe { plat_set_add(st, 1) };
        }),
        ("set remove", || {
            let st = busy_table(testdesc::set_of(&plat_type_int64));
            // SAFETY: as above.
            unsafe { plat_set_remove(st, 1) };
        }),
        ("set clear", || {
            let st = busy_table(testdesc::set_of(&plat_type_int64));
            // SAFETY: as above.
            unsafe { plat_set_clear(st) }
        }),
    ];
    for (name, code, stderr) in super::each_in_child(
        "collections::tests::races::ensure_that_every_mutating_entry_point_detects_a_mutation_in_progress",
        &cases,
    ) {
        let what = if name.starts_with("dict") {
            "Dict"
        } else if name.starts_with("set") {
            "Set"
        } else {
            "List"
        };
        assert_eq!(code, 101, "{name}: {stderr}");
        assert!(
            stderr.ends_with(&format!(
                "panic: concurrent mutation of a {what} from two tasks (protect it with a \
                 Mutex, or send the values through a Channel)\n"
            )),
            "{name}: {stderr}"
        );
    }
}
