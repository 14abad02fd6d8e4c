//! `Set[T]` (spec §9.4): the `plat_set_*` entry points over
//! [`super::table`] (entries `[hash][element]`).
//!
//! Iteration (`to_list`, `for`, printing) follows insertion order. The set
//! operations build new sets of the first operand's type, in the first
//! operand's order then (for `union`) the second's. Entry points follow
//! the contract in `super` (module doc).

use super::list::{self, PlatList};
use super::table::{self, Table};
use crate::gc::shape::PlatShape;

/// The set behind a pointer from compiled code.
///
/// # Safety
///
/// `s` is a valid set used by this task only.
#[inline]
unsafe fn set<'a>(s: *mut Table) -> &'a mut Table {
    // SAFETY: caller's contract.
    unsafe { &mut *s }
}

/// A set literal or empty `Set` of type `desc`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_new(desc: *const PlatShape) -> *mut Table {
    // SAFETY: `desc` is a Set descriptor that lives forever (contract).
    table::new(unsafe { &*desc })
}

/// `s.length()`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_len(s: *mut Table) -> i64 {
    // SAFETY: valid set (contract).
    unsafe { (*s).len as i64 }
}

/// `s.add(value = v)`: 1 if `v` was not there.
#[no_mangle]
pub unsafe extern "C" fn plat_set_add(s: *mut Table, slot: u64) -> u8 {
    // SAFETY: valid set (contract).
    unsafe { set(s) }.insert(slot).1 as u8
}

/// `s.remove(value = v)`: 1 if `v` was there.
#[no_mangle]
pub unsafe extern "C" fn plat_set_remove(s: *mut Table, slot: u64) -> u8 {
    // SAFETY: valid set (contract).
    unsafe { set(s) }.remove(slot).is_some() as u8
}

/// `s.contains(value = v)`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_contains(s: *mut Table, slot: u64) -> u8 {
    // SAFETY: valid set (contract).
    unsafe { set(s) }.find(slot).is_some() as u8
}

/// `s.clear()`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_clear(s: *mut Table) {
    // SAFETY: valid set (contract).
    unsafe { set(s) }.clear();
}

/// A new set of `a`'s type holding the elements of `a` for which `keep`
/// holds, in order.
fn filtered(a: &Table, mut keep: impl FnMut(u64) -> bool) -> *mut Table {
    let out = table::new(a.desc());
    // SAFETY: a fresh set that nobody else holds.
    let t = unsafe { &mut *out };
    for e in a.live() {
        if keep(e[1]) {
            t.insert(e[1]);
        }
    }
    out
}

/// `a.union(other = b)`: `a`'s elements, then `b`'s new ones.
#[no_mangle]
pub unsafe extern "C" fn plat_set_union(a: *mut Table, b: *mut Table) -> *mut Table {
    // SAFETY: valid sets (contract); only read.
    let (a, b) = unsafe { (&*a, &*b) };
    let out = filtered(a, |_| true);
    // SAFETY: the fresh result, distinct from `b`.
    let t = unsafe { &mut *out };
    for e in b.live() {
        t.insert(e[1]);
    }
    out
}

/// `a.intersection(other = b)`: the elements of `a` that are in `b`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_intersection(a: *mut Table, b: *mut Table) -> *mut Table {
    // SAFETY: valid sets (contract); only read.
    let (a, b) = unsafe { (&*a, &*b) };
    filtered(a, |x| b.find(x).is_some())
}

/// `a.difference(other = b)`: the elements of `a` that are not in `b`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_difference(a: *mut Table, b: *mut Table) -> *mut Table {
    // SAFETY: valid sets (contract); only read.
    let (a, b) = unsafe { (&*a, &*b) };
    filtered(a, |x| b.find(x).is_none())
}

/// Whether every element of `a` is in `b`.
pub fn subset(a: &Table, b: &Table) -> bool {
    a.len <= b.len && a.live().all(|e| b.find(e[1]).is_some())
}

/// `a.is_subset_of(other = b)`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_is_subset_of(a: *mut Table, b: *mut Table) -> u8 {
    // SAFETY: valid sets (contract); only read.
    unsafe { subset(&*a, &*b) as u8 }
}

/// `a.is_superset_of(other = b)`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_is_superset_of(a: *mut Table, b: *mut Table) -> u8 {
    // SAFETY: valid sets (contract); only read.
    unsafe { subset(&*b, &*a) as u8 }
}

/// `a.is_disjoint_from(other = b)`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_is_disjoint_from(a: *mut Table, b: *mut Table) -> u8 {
    // SAFETY: valid sets (contract); only read.
    let (a, b) = unsafe { (&*a, &*b) };
    let (small, big) = if a.len <= b.len { (a, b) } else { (b, a) };
    small.live().all(|e| big.find(e[1]).is_none()) as u8
}

/// The elements in insertion order, as a new `list_desc` list (`for x in
/// s` iterates over this).
#[no_mangle]
pub unsafe extern "C" fn plat_set_to_list(
    s: *mut Table,
    list_desc: *const PlatShape,
) -> *mut PlatList {
    // SAFETY: valid set and List[T] descriptor (contract).
    let (t, ld) = unsafe { (&*s, &*list_desc) };
    let out = list::new(ld, t.len as usize);
    // SAFETY: a fresh list nobody else holds.
    let l = unsafe { &mut *out };
    for e in t.live() {
        l.push(e[1]);
    }
    out
}
