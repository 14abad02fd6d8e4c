//! `Dict[K, V]` (spec §9.3): the `plat_dict_*` entry points over
//! [`super::table`] (entries `[hash][key][value]`).
//!
//! Iteration (`keys`, `values`, printing) follows insertion order; setting
//! an existing key keeps its place, and a removed key that is added again
//! goes last. Entry points follow the contract in `super` (module doc).

use super::list::{self, put, PlatList};
use super::table::{self, Table};
use crate::gc::shape::PlatShape;
use crate::value;

/// The dict behind a pointer from compiled code.
///
/// # Safety
///
/// `d` is a valid dict used by this task only.
#[inline]
unsafe fn dict<'a>(d: *mut Table) -> &'a mut Table {
    // SAFETY: caller's contract.
    unsafe { &mut *d }
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
    unsafe { (*d).len as i64 }
}

/// `d.get(key = k)`: 1 and `*out` = the value, or 0 when absent.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_get(d: *mut Table, key: u64, out: *mut u64) -> u8 {
    // SAFETY: valid dict and `out` (contract); a found entry has 3 slots.
    unsafe {
        match dict(d).find(key) {
            Some(e) => {
                put(out, *e.add(2));
                1
            }
            None => 0,
        }
    }
}

/// `d.set(key = k, value = v)` / `d.insert(...)`, `d[k] = v`: 1 if the key
/// was new.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_set(d: *mut Table, key: u64, value: u64) -> u8 {
    // SAFETY: valid dict (contract).
    let (e, new) = unsafe { dict(d) }.insert(key);
    // SAFETY: a dict entry has 3 slots.
    unsafe { e.add(2).write(value) };
    new as u8
}

/// `d.remove(key = k)`: 1 and `*out` = the removed value, or 0.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_remove(d: *mut Table, key: u64, out: *mut u64) -> u8 {
    // SAFETY: valid dict and `out` (contract).
    unsafe {
        match dict(d).remove(key) {
            Some(v) => {
                put(out, v);
                1
            }
            None => 0,
        }
    }
}

/// `d.has_key(key = k)`.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_has_key(d: *mut Table, key: u64) -> u8 {
    // SAFETY: valid dict (contract).
    unsafe { dict(d) }.find(key).is_some() as u8
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
fn column(t: &Table, col: usize, list_desc: &'static PlatShape) -> *mut PlatList {
    let out = list::new(list_desc, t.len as usize);
    // SAFETY: a fresh list with room for `len` slots; nobody else holds it.
    let l = unsafe { &mut *out };
    for e in t.live() {
        l.push(e[col]);
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
/// (existing keys keep their place and take `o`'s value).
#[no_mangle]
pub unsafe extern "C" fn plat_dict_merge(d: *mut Table, other: *mut Table) {
    if d == other {
        return;
    }
    // SAFETY: two distinct valid dicts (contract).
    let (t, o) = unsafe { (dict(d), &*other) };
    for e in o.live() {
        let (dst, _) = t.insert(e[1]);
        // SAFETY: a dict entry has 3 slots.
        unsafe { dst.add(2).write(e[2]) };
    }
}

/// `d.clear()`.
#[no_mangle]
pub unsafe extern "C" fn plat_dict_clear(d: *mut Table) {
    // SAFETY: valid dict (contract).
    unsafe { dict(d) }.clear();
}
