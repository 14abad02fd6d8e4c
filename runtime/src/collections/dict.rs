//! `Dict[K, V]` (spec §9.3): the `plat_dict_*` entry points over
//! [`super::table`] (entries `[hash][key][value]`).
//!
//! Iteration (`keys`, `values`, printing) follows insertion order; setting
//! an existing key keeps its place, and a removed key that is added again
//! goes last. Mutations claim the table's writer word (a concurrent one
//! panics, see [`super::writer`]); lookups may race with them safely.
//! Keys are hashed before the claim, so the claim is held only while the
//! table itself changes. Entry points follow the contract in `super`
//! (module doc).

use super::list::{self, put, PlatList};
use super::table::{self, key_hash, Table};
use crate::gc::shape::PlatShape;
use crate::value;

/// The dict behind a pointer from compiled code.
///
/// # Safety
///
/// `d` is a valid dict.
#[inline]
unsafe fn dict<'a>(d: *mut Table) -> &'a Table {
    // SAFETY: caller's contract.
    unsafe { &*d }
}

/// A dict literal or empty `Dict` of type `desc`.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_new(desc: *const PlatShape) -> *mut Table {
    // SAFETY: `desc` is a Dict descriptor that lives forever (contract).
    table::new(unsafe { &*desc })
}

/// `d.length()`.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_len(d: *mut Table) -> i64 {
    // SAFETY: valid dict (contract).
    unsafe { dict(d) }.len() as i64
}

/// `d.get(key = k)`: 1 and `*out` = the value, or 0 when absent.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_get(d: *mut Table, key: u64, out: *mut u64) -> u8 {
    // SAFETY: valid dict (contract).
    match unsafe { dict(d) }.get(key) {
        Some(e) => {
            // SAFETY: `out` per the contract.
            unsafe { put(out, e[2]) };
            1
        }
        None => 0,
    }
}

/// `d.set(key = k, value = v)` / `d.insert(...)`, `d[k] = v`: 1 if the key
/// was new.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_set(d: *mut Table, key: u64, value: u64) -> u8 {
    // SAFETY: valid dict (contract).
    let t = unsafe { dict(d) };
    let h = key_hash(key, t.key_desc());
    match t.mutate(|t| t.insert_claimed(key, h, value)) {
        Ok(new) => new as u8,
        Err(table::TooBig) => table::raise_too_big("Dict"),
    }
}

/// `d.remove(key = k)`: 1 and `*out` = the removed value, or 0.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_remove(d: *mut Table, key: u64, out: *mut u64) -> u8 {
    // SAFETY: valid dict (contract).
    let t = unsafe { dict(d) };
    let h = key_hash(key, t.key_desc());
    match t.mutate(|t| t.remove_claimed(key, h)) {
        Some(v) => {
            // SAFETY: `out` per the contract.
            unsafe { put(out, v) };
            1
        }
        None => 0,
    }
}

/// `d.has_key(key = k)`.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_has_key(d: *mut Table, key: u64) -> u8 {
    // SAFETY: valid dict (contract).
    unsafe { dict(d) }.contains(key) as u8
}

/// `d.has_value(value = v)`: a linear search.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_has_value(d: *mut Table, v: u64) -> u8 {
    // SAFETY: valid dict (contract).
    let t = unsafe { dict(d) };
    // SAFETY: a Dict descriptor has children [K, V].
    let vd = unsafe { t.desc().child(1) };
    t.live().any(|e| value::eq(e[2], v, vd)) as u8
}

/// The slots at `col` of every live entry, as a new list of `list_desc`.
pub(crate) fn column(t: &Table, col: usize, list_desc: &'static PlatShape) -> *mut PlatList {
    let live = t.live();
    // The capacity is a hint: under a race the entries may be more or
    // fewer than `len` said.
    let out = list::new(list_desc, t.len().min(list::MAX_LEN as u64) as usize);
    // SAFETY: a fresh list that nobody else holds.
    let l = unsafe { &*out };
    for e in live {
        l.push_unshared(e[col]);
    }
    out
}

/// `d.keys()`: the keys in insertion order, as a `list_desc` list.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_keys(
    d: *mut Table,
    list_desc: *const PlatShape,
) -> *mut PlatList {
    // SAFETY: valid dict and List[K] descriptor (contract).
    unsafe { column(dict(d), 1, &*list_desc) }
}

/// `d.values()`: the values in insertion order, as a `list_desc` list.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_values(
    d: *mut Table,
    list_desc: *const PlatShape,
) -> *mut PlatList {
    // SAFETY: valid dict and List[V] descriptor (contract).
    unsafe { column(dict(d), 2, &*list_desc) }
}

/// `d.merge(other = o)`: sets every entry of `o` in `d`, in `o`'s order
/// (existing keys keep their place and take `o`'s value). `o` is only
/// read, so it may be changing meanwhile.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_merge(d: *mut Table, other: *mut Table) {
    if d == other {
        return;
    }
    // SAFETY: two distinct valid dicts (contract).
    let (t, o) = unsafe { (dict(d), dict(other)) };
    // Stored hashes are functions of the key (`key_hash`): reuse them.
    let r = t.mutate(|t| {
        o.live()
            .try_for_each(|e| t.insert_claimed(e[1], e[0], e[2]).map(|_| ()))
    });
    if r.is_err() {
        table::raise_too_big("Dict");
    }
}

/// `d.clear()`.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_clear(d: *mut Table) {
    // SAFETY: valid dict (contract).
    unsafe { dict(d) }.mutate(|t| t.clear_claimed());
}
