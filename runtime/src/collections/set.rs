//! `Set[T]` (spec §9.4): the `plat_set_*` entry points over
//! [`super::table`] (entries `[hash][element]`).
//!
//! Iteration (`to_list`, `for`, printing) follows insertion order. The set
//! operations build new sets of the first operand's type, in the first
//! operand's order then (for `union`) the second's; their operands are
//! only read, so they may be changing meanwhile. `add`, `remove` and
//! `clear` claim the set's writer word (see [`super::writer`]). Entry
//! points follow the contract in `super` (module doc).

use super::list::PlatList;
use super::table::{self, key_hash, Table};
use crate::gc::shape::PlatShape;

/// The set behind a pointer from compiled code.
///
/// # Safety
///
/// `s` is a valid set.
#[inline]
unsafe fn set<'a>(s: *mut Table) -> &'a Table {
    // SAFETY: caller's contract.
    unsafe { &*s }
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
    unsafe { set(s) }.len() as i64
}

/// `s.add(value = v)`: 1 if `v` was not there.
#[no_mangle]
pub unsafe extern "C" fn plat_set_add(s: *mut Table, slot: u64) -> u8 {
    // SAFETY: valid set (contract).
    let t = unsafe { set(s) };
    let h = key_hash(slot, t.key_desc());
    match t.mutate(|t| t.insert_claimed(slot, h, 0)) {
        Ok(new) => new as u8,
        Err(table::TooBig) => table::raise_too_big("Set"),
    }
}

/// `s.remove(value = v)`: 1 if `v` was there.
#[no_mangle]
pub unsafe extern "C" fn plat_set_remove(s: *mut Table, slot: u64) -> u8 {
    // SAFETY: valid set (contract).
    let t = unsafe { set(s) };
    let h = key_hash(slot, t.key_desc());
    t.mutate(|t| t.remove_claimed(slot, h)).is_some() as u8
}

/// `s.contains(value = v)`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_contains(s: *mut Table, slot: u64) -> u8 {
    // SAFETY: valid set (contract).
    unsafe { set(s) }.contains(slot) as u8
}

/// `s.clear()`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_clear(s: *mut Table) {
    // SAFETY: valid set (contract).
    unsafe { set(s) }.mutate(|t| t.clear_claimed());
}

/// Adds `x` (stored hash `h`) to the set `out`, which nobody else sees yet.
fn add_unshared(out: &Table, x: u64, h: u64) {
    if out.insert_claimed(x, h, 0).is_err() {
        table::raise_too_big("Set");
    }
}

/// A new set of `a`'s type holding the elements of `a` for which `keep`
/// holds, in order.
fn filtered(a: &Table, mut keep: impl FnMut(u64) -> bool) -> *mut Table {
    let out = table::new(a.desc());
    // SAFETY: a fresh set that nobody else holds.
    let t = unsafe { &*out };
    for e in a.live() {
        if keep(e[1]) {
            add_unshared(t, e[1], e[0]);
        }
    }
    out
}

/// `a.union(other = b)`: `a`'s elements, then `b`'s new ones.
#[no_mangle]
pub unsafe extern "C" fn plat_set_union(a: *mut Table, b: *mut Table) -> *mut Table {
    // SAFETY: valid sets (contract); only read.
    let (a, b) = unsafe { (set(a), set(b)) };
    let out = filtered(a, |_| true);
    // SAFETY: the fresh result, distinct from `b`.
    let t = unsafe { set(out) };
    for e in b.live() {
        add_unshared(t, e[1], e[0]);
    }
    out
}

/// `a.intersection(other = b)`: the elements of `a` that are in `b`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_intersection(a: *mut Table, b: *mut Table) -> *mut Table {
    // SAFETY: valid sets (contract); only read.
    let (a, b) = unsafe { (set(a), set(b)) };
    filtered(a, |x| b.contains(x))
}

/// `a.difference(other = b)`: the elements of `a` that are not in `b`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_difference(a: *mut Table, b: *mut Table) -> *mut Table {
    // SAFETY: valid sets (contract); only read.
    let (a, b) = unsafe { (set(a), set(b)) };
    filtered(a, |x| !b.contains(x))
}

/// Whether every element of `a` is in `b`.
pub fn subset(a: &Table, b: &Table) -> bool {
    a.len() <= b.len() && a.live().all(|e| b.contains(e[1]))
}

/// `a.is_subset_of(other = b)`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_is_subset_of(a: *mut Table, b: *mut Table) -> u8 {
    // SAFETY: valid sets (contract); only read.
    unsafe { subset(set(a), set(b)) as u8 }
}

/// `a.is_superset_of(other = b)`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_is_superset_of(a: *mut Table, b: *mut Table) -> u8 {
    // SAFETY: valid sets (contract); only read.
    unsafe { subset(set(b), set(a)) as u8 }
}

/// `a.is_disjoint_from(other = b)`.
#[no_mangle]
pub unsafe extern "C" fn plat_set_is_disjoint_from(a: *mut Table, b: *mut Table) -> u8 {
    // SAFETY: valid sets (contract); only read.
    let (a, b) = unsafe { (set(a), set(b)) };
    let (small, big) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.live().all(|e| !big.contains(e[1])) as u8
}

/// The elements in insertion order, as a new `list_desc` list (`for x in
/// s` iterates over this).
#[no_mangle]
pub unsafe extern "C" fn plat_set_to_list(
    s: *mut Table,
    list_desc: *const PlatShape,
) -> *mut PlatList {
    // SAFETY: valid set and List[T] descriptor (contract).
    let (t, ld) = unsafe { (set(s), &*list_desc) };
    super::dict::column(t, 1, ld)
}
