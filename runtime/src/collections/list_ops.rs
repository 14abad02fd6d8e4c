//! The standard-library methods of `List[T]` that the runtime implements
//! (`docs/stdlib.md`, "List"): `sort`, `sort_by`, `reverse`, `min`,
//! `max`, `last`, `join`, `extend` and the constructors `List.filled` and
//! `List.with_capacity`. (`map`, `filter`, `reduce`, `for_each`, `find`
//! and `sum` are loops the checker writes, `compiler/src/check/list_fns.rs`;
//! `first` and `is_empty` are inline code.)
//!
//! Known to compiler: the `plat_list_*` entry points below
//! (`docs/runtime-abi.md`, "Lists"). Entry points follow the contract of
//! `super` (module doc); the list module's invariants hold throughout.
//!
//! # Sorting
//!
//! `sort` orders elements by [`OrdKind`] (the checker allows it only for
//! `Bool`, integer, float and `String` elements). It holds the list's
//! writer word for its whole run, so a mutation from another task in the
//! meantime panics as any overlapping mutation does. No user code runs
//! and nothing is allocated on the Plat heap while it sorts, so no
//! collection can start (`docs/gc.md`, "Stopping the world"): the elements
//! may sit in a Rust vector meanwhile. Integers use an unstable sort
//! (equal integers are indistinguishable), the others a stable one.
//!
//! `sort_by(f)` calls the Plat function `f`, which may allocate, park,
//! run for long or panic. So it sorts a *copy*: the elements are copied
//! into a Plat heap Array (visible to the collector through this frame,
//! which is on the task's stack), a bottom-up merge sort runs between that
//! Array and a second one (insertion sort on runs of [`RUN`] first), and
//! only when it is done are the elements written back, holding the writer
//! word, in one pass without calling `f`. If `f` panics, the task ends
//! inside the sort and the list is untouched. If the list's length changed
//! meanwhile (`f` or another task pushed or removed), writing back would
//! not give a permutation of the list: that is a panic instead. Changes
//! made with `set` meanwhile are overwritten. Merging takes the left
//! element when `f(left, right) <= 0`, so the sort is stable; it makes
//! O(n log n) calls of `f` and allocates two Arrays, nothing per call.

use std::cmp::Ordering;
use std::sync::atomic::Ordering::Release;

use super::array;
use super::list::{self, PlatList, TooLong};
use crate::gc::shape::{PlatShape, ShapeKind};
use crate::string::{self, PlatStr};
use crate::value::ord::{f32_of, float_cmp, OrdKind};

/// The run length that `sort_by` sorts by insertion before merging.
const RUN: usize = 8;

/// The ordering of a list's elements; a runtime bug if they have none
/// (the checker allows these methods only for orderable elements).
fn ord_of(l: &PlatList) -> OrdKind {
    OrdKind::of(l.elem())
        .unwrap_or_else(|| crate::rt_fatal!("sort/min/max on elements that have no order"))
}

/// `xs.sort()`: stable, in place (see the module doc).
#[no_mangle]
pub unsafe extern "C" fn plat_list_sort(list: *mut PlatList) {
    // SAFETY: valid list (contract).
    let l = unsafe { &*list };
    let kind = ord_of(l);
    l.mutate(|l| sort_claimed(l, kind));
}

/// Sorts the list's elements (writer word held).
fn sort_claimed(l: &PlatList, kind: OrdKind) {
    let v = l.view();
    let n = v.len();
    if n < 2 {
        return;
    }
    let put_all = |slots: &mut dyn Iterator<Item = u64>| {
        for (i, x) in slots.enumerate() {
            // SAFETY: `i < n = v.len`: the iterators yield `n` items.
            unsafe { v.store(i, x) };
        }
    };
    match kind {
        OrdKind::Bool => {
            let trues = v.iter().filter(|&x| x != 0).count();
            put_all(&mut (0..n).map(|i| u64::from(i >= n - trues)));
        }
        OrdKind::Int(_) => {
            // The view gives integers sign-extended: compare as i64.
            let mut xs: Vec<i64> = v.iter().map(|x| x as i64).collect();
            xs.sort_unstable();
            put_all(&mut xs.into_iter().map(|x| x as u64));
        }
        OrdKind::Float64 => {
            let mut xs: Vec<f64> = v.iter().map(f64::from_bits).collect();
            xs.sort_by(|a, b| float_cmp(*a, *b));
            put_all(&mut xs.into_iter().map(f64::to_bits));
        }
        OrdKind::Float32 => {
            let mut xs: Vec<f32> = v.iter().map(f32_of).collect();
            xs.sort_by(|a, b| float_cmp(f64::from(*a), f64::from(*b)));
            put_all(&mut xs.into_iter().map(|x| u64::from(x.to_bits())));
        }
        OrdKind::String => {
            // Pointers in a Rust vector: safe here, nothing can collect
            // until this returns (module doc), and the list's buffer
            // still holds every one of them.
            // Each entry carries its first 8 bytes as a big-endian key:
            // comparing keys orders as the bytes do, so most comparisons
            // are one integer compare and only equal keys look further.
            let mut xs: Vec<(u64, &[u8], u64)> = v
                .iter()
                .map(|x| {
                    // SAFETY: the slots of a String list are valid strings.
                    let b = unsafe { string::bytes(x as *const PlatStr) };
                    (prefix_key(b), b, x)
                })
                .collect();
            xs.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
            put_all(&mut xs.into_iter().map(|(_, _, x)| x));
        }
    }
}

/// The first 8 bytes of `b` as a big-endian integer, zero-padded: for any
/// two byte strings, `prefix_key(a) < prefix_key(b)` implies `a < b`, and
/// `a <= b` implies `prefix_key(a) <= prefix_key(b)` (a shorter string
/// pads with zeros, which sort before every byte, as its end does).
fn prefix_key(b: &[u8]) -> u64 {
    let mut key = [0u8; 8];
    let n = b.len().min(8);
    key[..n].copy_from_slice(&b[..n]);
    u64::from_be_bytes(key)
}

/// A Plat function value of type `Fn(T, T) -> Int32`, called from here
/// with the closure calling convention (known to compiler:
/// `codegen/tasks.rs`, `call_value`): `code(ctx, env, a, b) -> i32`,
/// `env` the closure object and `code` its word 1, arguments passed as
/// their Cranelift types (integers and pointers in integer registers,
/// floats in float registers, `Unit` not at all).
struct Comparator {
    ctx: u64,
    env: u64,
    call: Call,
}

type IntsFn = unsafe extern "C" fn(u64, u64, u64, u64) -> i32;
type F64Fn = unsafe extern "C" fn(u64, u64, f64, f64) -> i32;
type F32Fn = unsafe extern "C" fn(u64, u64, f32, f32) -> i32;
type UnitsFn = unsafe extern "C" fn(u64, u64) -> i32;

#[derive(Clone, Copy)]
enum Call {
    Ints(IntsFn),
    F64(F64Fn),
    F32(F32Fn),
    Units(UnitsFn),
}

/// The closure object's word holding its code pointer
/// (`plat_abi::object::closure::CODE`, which the compiler uses too).
const ENV_CODE_WORD: usize = plat_abi::object::closure::CODE / plat_abi::WORD;

impl Comparator {
    /// # Safety
    ///
    /// `env` is a closure object of type `Fn(T, T) -> Int32` where `T` is
    /// `elem`, and `ctx` the running task's context.
    unsafe fn new(ctx: u64, env: u64, elem: &PlatShape) -> Comparator {
        // SAFETY: a closure object's word 1 is its code (caller's
        // contract).
        let code = unsafe { *(env as *const usize).add(ENV_CODE_WORD) };
        // SAFETY: `code` is compiled code with the signature the
        // element type gives (struct doc): transmuting the address to
        // that function pointer type is what calling it requires.
        let call = unsafe {
            match elem.shape_kind() {
                ShapeKind::Float64 => Call::F64(std::mem::transmute::<usize, F64Fn>(code)),
                ShapeKind::Float32 => Call::F32(std::mem::transmute::<usize, F32Fn>(code)),
                ShapeKind::Unit => Call::Units(std::mem::transmute::<usize, UnitsFn>(code)),
                _ => Call::Ints(std::mem::transmute::<usize, IntsFn>(code)),
            }
        };
        Comparator { ctx, env, call }
    }

    /// `f(a, b)`: may allocate, park or end the task (a panic).
    #[inline]
    fn le(&self, a: u64, b: u64) -> bool {
        let (c, e) = (self.ctx, self.env);
        // SAFETY: the function has this signature (see `new`) and is
        // called on the running task with its own context.
        let r = unsafe {
            match self.call {
                Call::Ints(f) => f(c, e, a, b),
                Call::F64(f) => f(c, e, f64::from_bits(a), f64::from_bits(b)),
                Call::F32(f) => f(c, e, f32_of(a), f32_of(b)),
                Call::Units(f) => f(c, e),
            }
        };
        r <= 0
    }
}

/// `xs.sort_by(f = f)`: a stable merge sort of a copy, written back when
/// done (see the module doc). `ctx` is the caller's context.
#[no_mangle]
pub unsafe extern "C" fn plat_list_sort_by(ctx: u64, list: *mut PlatList, f: u64) {
    // SAFETY: valid list (contract).
    let l = unsafe { &*list };
    let v = l.view();
    let n = v.len();
    if n < 2 {
        return;
    }
    // SAFETY: `f` has type `Fn(T, T) -> Int32` for the list's `T`
    // (checked by the compiler), `ctx` is the caller's.
    let cmp = unsafe { Comparator::new(ctx, f, l.elem()) };
    let shape = array::slot_buffer_shape(l.desc());
    // Both buffers are Plat heap Arrays, kept alive (and their contents
    // traced) through these locals on the task's stack while `f` runs.
    let mut src = array::alloc_slots(shape, n);
    let mut dst = array::alloc_slots(shape, n);
    for (i, x) in v.iter().enumerate() {
        // SAFETY: `i < n`, the Array's length.
        unsafe { src.add(i).write(x) };
    }
    // SAFETY: `src` and `dst` are distinct Arrays of `n` slots; every
    // index below is `< n`.
    unsafe {
        for start in (0..n).step_by(RUN) {
            insertion_sort(src, start, (start + RUN).min(n), &cmp);
        }
        let mut width = RUN;
        while width < n {
            for lo in (0..n).step_by(2 * width) {
                let mid = (lo + width).min(n);
                let hi = (lo + 2 * width).min(n);
                merge(src, dst, lo, mid, hi, &cmp);
            }
            std::mem::swap(&mut src, &mut dst);
            width *= 2;
        }
    }
    l.mutate(|l| {
        let now = l.view();
        if now.len() != n {
            let msg = format!(
                "the list changed length (from {n} to {}) while sort_by was sorting it",
                now.len()
            );
            // Reported after `mutate` has released the writer word.
            return Err(msg);
        }
        for i in 0..n {
            // SAFETY: `i < n = now.len`, and `i < n` slots in `src`.
            unsafe { now.store(i, src.add(i).read()) };
        }
        Ok(())
    })
    .unwrap_or_else(|msg| crate::sched::panic(msg.as_bytes(), None));
}

/// Sorts slots `[lo, hi)` of `a` by insertion (stable).
///
/// # Safety
///
/// `a` has at least `hi` slots.
unsafe fn insertion_sort(a: *mut u64, lo: usize, hi: usize, cmp: &Comparator) {
    for i in lo + 1..hi {
        // SAFETY: `lo <= j - 1 < j <= i < hi` (caller's contract).
        unsafe {
            let x = a.add(i).read();
            let mut j = i;
            while j > lo && !cmp.le(a.add(j - 1).read(), x) {
                a.add(j).write(a.add(j - 1).read());
                j -= 1;
            }
            a.add(j).write(x);
        }
    }
}

/// Merges the sorted runs `src[lo, mid)` and `src[mid, hi)` into
/// `dst[lo, hi)`, the left one first on ties.
///
/// # Safety
///
/// `src` and `dst` are distinct buffers of at least `hi` slots, `lo <=
/// mid <= hi`.
unsafe fn merge(
    src: *const u64,
    dst: *mut u64,
    lo: usize,
    mid: usize,
    hi: usize,
    cmp: &Comparator,
) {
    let (mut i, mut j) = (lo, mid);
    for k in lo..hi {
        // SAFETY: `i < mid <= hi`, `j < hi` where read, `k < hi`.
        unsafe {
            let take_left = i < mid && (j >= hi || cmp.le(src.add(i).read(), src.add(j).read()));
            if take_left {
                dst.add(k).write(src.add(i).read());
                i += 1;
            } else {
                dst.add(k).write(src.add(j).read());
                j += 1;
            }
        }
    }
}

/// `xs.reverse()`, in place.
#[no_mangle]
pub unsafe extern "C" fn plat_list_reverse(list: *mut PlatList) {
    // SAFETY: valid list (contract).
    let l = unsafe { &*list };
    l.mutate(|l| {
        let v = l.view();
        let n = v.len();
        for i in 0..n / 2 {
            let (a, b) = (v.get(i), v.get(n - 1 - i));
            if let (Some(a), Some(b)) = (a, b) {
                // SAFETY: `i < n - 1 - i < n = v.len`.
                unsafe {
                    v.store(i, b);
                    v.store(n - 1 - i, a);
                }
            }
        }
    });
}

/// `xs.min()` (`max` = 0) or `xs.max()` (`max` = 1): 1 and `*out` = the
/// first least (greatest) element, or 0 when empty. NaN: see
/// [`OrdKind::max_cmp`]; `min` ignores NaNs because they order last.
#[no_mangle]
pub unsafe extern "C" fn plat_list_min_max(list: *mut PlatList, max: u8, out: *mut u64) -> u8 {
    // SAFETY: valid list (contract).
    let l = unsafe { &*list };
    let kind = ord_of(l);
    let mut it = l.iter();
    let Some(mut best) = it.next() else { return 0 };
    for x in it {
        let better = if max != 0 {
            kind.max_cmp(x, best) == Ordering::Greater
        } else {
            kind.cmp(x, best) == Ordering::Less
        };
        if better {
            best = x;
        }
    }
    // SAFETY: `out` per the contract.
    unsafe { list::put(out, best) };
    1
}

/// `xs.last()`: 1 and `*out` = the last element, or 0 when empty.
#[no_mangle]
pub unsafe extern "C" fn plat_list_last(list: *mut PlatList, out: *mut u64) -> u8 {
    // SAFETY: valid list (contract).
    let v = unsafe { (*list).view() };
    match v.len().checked_sub(1).and_then(|i| v.get(i)) {
        Some(x) => {
            // SAFETY: `out` per the contract.
            unsafe { list::put(out, x) };
            1
        }
        None => 0,
    }
}

/// `xs.join(separator = s)` on a `List[String]`: one new string.
#[no_mangle]
pub unsafe extern "C" fn plat_list_join(
    list: *mut PlatList,
    sep: *const PlatStr,
) -> *const PlatStr {
    // SAFETY: valid list of strings and a valid string (contract).
    let (v, sep_bytes, sep_chars) =
        unsafe { ((*list).view(), string::bytes(sep), string::char_len(sep)) };
    let n = v.len();
    if n == 1 {
        return v.get(0).unwrap_or(0) as *const PlatStr;
    }
    let gaps = n.saturating_sub(1) as u64;
    let (mut bytes, mut chars) = (sep_bytes.len() as u64 * gaps, sep_chars * gaps);
    for x in v.iter() {
        let s = x as *const PlatStr;
        // SAFETY: the elements are valid strings.
        unsafe {
            bytes += string::bytes(s).len() as u64;
            chars += string::char_len(s);
        }
    }
    if bytes == 0 {
        return string::empty();
    }
    // Panics past the string length limit (chars <= bytes).
    string::ensure_chars(chars);
    let (out, mut p) = string::alloc_raw(bytes as usize, chars);
    // The elements stay reachable from the view's buffer (`v.data` is a
    // local on the task's stack) across the allocation.
    for (i, x) in v.iter().enumerate() {
        // SAFETY: valid strings; `p` walks a fresh buffer of exactly
        // `bytes` bytes, the sum of what is copied.
        unsafe {
            if i > 0 {
                std::ptr::copy_nonoverlapping(sep_bytes.as_ptr(), p, sep_bytes.len());
                p = p.add(sep_bytes.len());
            }
            let b = string::bytes(x as *const PlatStr);
            std::ptr::copy_nonoverlapping(b.as_ptr(), p, b.len());
            p = p.add(b.len());
        }
    }
    out
}

/// `xs.extend(other = ys)`: appends `ys`'s elements (as they were when
/// the call began: `xs.extend(other = xs)` doubles the list).
#[no_mangle]
pub unsafe extern "C" fn plat_list_extend(list: *mut PlatList, other: *mut PlatList) {
    // SAFETY: valid lists of one type (contract).
    let (l, o) = unsafe { (&*list, &*other) };
    let ov = o.view();
    let r = l.mutate(|l| ov.iter().try_for_each(|x| l.push_claimed(x)));
    if let Err(TooLong(n)) = r {
        crate::sched::panic(list::too_long(n).as_bytes(), None);
    }
}

/// The length or capacity `n` given to a constructor, as a `usize`, or a
/// panic naming `what`.
fn count(n: i64, what: &str) -> usize {
    match usize::try_from(n) {
        Ok(n) if n <= list::MAX_LEN => n,
        Ok(n) => crate::sched::panic(list::too_long(n).as_bytes(), None),
        Err(_) => crate::sched::panic(format!("List.{what}: negative count {n}").as_bytes(), None),
    }
}

/// `List.filled(length = n, value = v)`: a list of type `desc` holding
/// `n` copies of `v`; panics if `n` is negative or too large.
#[no_mangle]
pub unsafe extern "C" fn plat_list_filled(
    desc: *const PlatShape,
    n: i64,
    slot: u64,
) -> *mut PlatList {
    let n = count(n, "filled");
    // SAFETY: `desc` is a List descriptor that lives forever (contract).
    let out = list::new(unsafe { &*desc }, n);
    // SAFETY: a fresh list that nobody else holds.
    let l = unsafe { &*out };
    let (data, e) = (l.data(), l.storage());
    // The buffer comes zeroed (`heap::alloc`): a zero value (false, 0,
    // 0.0) is there already, and a large fresh buffer stays untouched
    // (no page faulted in) until the program uses it, as Go's `make`.
    if slot != 0 {
        for i in 0..n {
            // SAFETY: `i < n`, the capacity of the fresh buffer.
            unsafe { e.store(data, i, slot) };
        }
    }
    l.len.store(n as u64, Release);
    out
}

/// `List.with_capacity(capacity = n)`: an empty list of type `desc` with
/// room for `n` elements; panics if `n` is negative or too large.
#[no_mangle]
pub unsafe extern "C" fn plat_list_with_capacity(desc: *const PlatShape, n: i64) -> *mut PlatList {
    let n = count(n, "with_capacity");
    // SAFETY: `desc` is a List descriptor that lives forever (contract).
    list::new(unsafe { &*desc }, n)
}

#[cfg(test)]
mod tests {
    use super::prefix_key;

    /// Sorting by (prefix key, bytes) gives exactly the byte order, for
    /// strings that differ inside, at and after the first 8 bytes, with
    /// NUL bytes and prefixes of each other.
    #[test]
    fn prefix_keys_keep_the_byte_order() {
        let words: Vec<&[u8]> = vec![
            b"",
            b"\0",
            b"a",
            b"a\0",
            b"a\0\0",
            b"ab",
            b"abcdefgh",
            b"abcdefg",
            b"abcdefgh\0",
            b"abcdefghi",
            b"abcdefghh",
            b"abcdefgi",
            b"b",
            b"\xff",
            b"\xff\xff\xff\xff\xff\xff\xff\xff\xff",
            "é".as_bytes(),
            b"z",
        ];
        let mut by_key = words.clone();
        by_key.sort_by(|a, b| prefix_key(a).cmp(&prefix_key(b)).then_with(|| a.cmp(b)));
        let mut by_bytes = words;
        by_bytes.sort();
        assert_eq!(by_key, by_bytes);
    }
}
