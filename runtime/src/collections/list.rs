//! `List[T]` (spec §9.2): a growable array of slots.
//!
//! Known to compiler: the layout below (compiled code reads `len` and
//! `data` for bounds-checked indexing and `for` loops, and writes slots in
//! place for `xs.set`) and the `plat_list_*` entry points.
//!
//! ```text
//! offset 0   header: *const PlatShape   the List[T] descriptor
//! offset 8   len: u64
//! offset 16  cap: u64
//! offset 24  data: *mut u64             first slot of an Array, or null
//! ```
//!
//! # Invariants
//!
//! - `len <= cap`; `cap == 0` iff `data` is null; otherwise `data` is the
//!   first slot of an Array (`super::array`) of exactly `cap` slots whose
//!   shape is `array::list_buffer_shape(header)`.
//! - Slots `[len, cap)` are zero.
//! - Only the runtime changes `len`, `cap` and `data`.
//!
//! Entry points follow the contract in `super` (module doc).

use std::ffi::c_char;

use super::array;
use crate::fatal::{self, loc_arg};
use crate::gc::heap;
use crate::gc::shape::PlatShape;
use crate::value;

/// A list object. Known to compiler; see the module doc.
#[repr(C)]
#[derive(Debug)]
pub struct PlatList {
    pub shape: *const PlatShape,
    pub len: u64,
    pub cap: u64,
    pub data: *mut u64,
}

/// Capacity of the first buffer of a list that grows from empty.
const MIN_CAP: usize = 4;

/// Makes an empty list of type `desc` with room for `cap` slots.
pub fn new(desc: &'static PlatShape, cap: usize) -> *mut PlatList {
    let list = heap::alloc(std::mem::size_of::<PlatList>(), desc) as *mut PlatList;
    if cap > 0 {
        let data = array::alloc_slots(array::list_buffer_shape(desc), cap);
        // SAFETY: `list` is a fresh, zeroed list object.
        unsafe {
            (*list).cap = cap as u64;
            (*list).data = data;
        }
    }
    list
}

/// Makes a list of type `desc` holding `slots`.
pub fn from_slots(desc: &'static PlatShape, slots: &[u64]) -> *mut PlatList {
    let list = new(desc, slots.len());
    if !slots.is_empty() {
        // SAFETY: the new list has room for `slots.len()` slots, in a fresh
        // buffer that cannot overlap `slots`.
        unsafe {
            std::ptr::copy_nonoverlapping(slots.as_ptr(), (*list).data, slots.len());
            (*list).len = slots.len() as u64;
        }
    }
    list
}

impl PlatList {
    /// The list's descriptor.
    #[inline]
    pub fn desc(&self) -> &'static PlatShape {
        // SAFETY: the header is a descriptor that lives forever.
        unsafe { &*self.shape }
    }

    /// The element type.
    #[inline]
    pub fn elem(&self) -> &'static PlatShape {
        // SAFETY: a List descriptor has one child.
        unsafe { self.desc().child(0) }
    }

    /// The live slots.
    #[inline]
    pub fn slots(&self) -> &[u64] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `data` holds `cap >= len` slots (invariants).
        unsafe { std::slice::from_raw_parts(self.data, self.len as usize) }
    }

    /// Grows the buffer so that `extra` more slots fit.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, extra: usize) {
        let len = self.len as usize;
        let need = len
            .checked_add(extra)
            .unwrap_or_else(|| crate::rt_fatal!("out of memory: list too long"));
        let cap = need.max(2 * self.cap as usize).max(MIN_CAP);
        let data = array::alloc_slots(array::list_buffer_shape(self.desc()), cap);
        if len > 0 {
            // SAFETY: the old buffer holds `len` slots, the fresh one `cap >=
            // len`; distinct objects do not overlap.
            unsafe { std::ptr::copy_nonoverlapping(self.data, data, len) };
        }
        self.data = data;
        self.cap = cap as u64;
    }

    /// Makes room for `extra` more slots.
    #[inline]
    pub fn reserve(&mut self, extra: usize) {
        if (self.cap - self.len) < extra as u64 {
            self.grow(extra);
        }
    }

    /// Appends a slot.
    #[inline]
    pub fn push(&mut self, slot: u64) {
        if self.len == self.cap {
            self.grow(1);
        }
        // SAFETY: `len < cap` now, so slot `len` is inside the buffer.
        unsafe { self.data.add(self.len as usize).write(slot) };
        self.len += 1;
    }

    /// Removes and returns slot `i` (`i < len`), shifting the rest down.
    fn remove(&mut self, i: usize) -> u64 {
        let len = self.len as usize;
        debug_assert!(i < len);
        // SAFETY: `i < len <= cap`: all touched slots are in the buffer.
        unsafe {
            let p = self.data.add(i);
            let v = p.read();
            std::ptr::copy(p.add(1), p, len - i - 1);
            self.data.add(len - 1).write(0);
            self.len -= 1;
            v
        }
    }
}

/// The list behind a pointer from compiled code.
///
/// # Safety
///
/// `list` is a valid list object used by this task only.
#[inline]
unsafe fn list_mut<'a>(list: *mut PlatList) -> &'a mut PlatList {
    // SAFETY: caller's contract.
    unsafe { &mut *list }
}

/// Writes `v` to `out` unless `out` is null.
///
/// # Safety
///
/// `out` is null or valid for writing.
#[inline]
pub(crate) unsafe fn put(out: *mut u64, v: u64) {
    if !out.is_null() {
        // SAFETY: non-null and writable (caller's contract).
        unsafe { out.write(v) };
    }
}

/// The index `index` as a position `< len` (or `<= len` with
/// `allow_end`), or the panic message for it.
pub fn check_index(index: i64, len: u64, allow_end: bool) -> Result<usize, String> {
    let ok = if allow_end {
        (index as u64) <= len
    } else {
        (index as u64) < len
    };
    if index >= 0 && ok {
        Ok(index as usize)
    } else {
        Err(format!(
            "index {index} out of range for list of length {len}"
        ))
    }
}

/// Raises the out-of-range panic.
#[cold]
#[inline(never)]
unsafe fn out_of_range(msg: String, loc: *const c_char) -> ! {
    // SAFETY: `loc` is null or NUL-terminated (module contract).
    fatal::panic(msg.as_bytes(), unsafe { loc_arg(loc) })
}

/// `[a, b, ...]` and `List` values: a new empty list of type `desc` with
/// room for `cap` elements.
#[no_mangle]
pub unsafe extern "C" fn plat_list_new(desc: *const PlatShape, cap: u64) -> *mut PlatList {
    // SAFETY: `desc` is a List descriptor that lives forever (contract).
    new(unsafe { &*desc }, cap as usize)
}

/// `xs.len()` / `xs.length()`.
#[no_mangle]
pub unsafe extern "C" fn plat_list_len(list: *mut PlatList) -> i64 {
    // SAFETY: valid list (contract).
    unsafe { (*list).len as i64 }
}

/// `xs.push(value = v)` / `xs.append(value = v)`.
#[no_mangle]
pub unsafe extern "C" fn plat_list_push(list: *mut PlatList, slot: u64) {
    // SAFETY: valid list (contract).
    unsafe { list_mut(list) }.push(slot);
}

/// `xs.get(index = i)`: 1 and `*out` = the element, or 0 out of range.
#[no_mangle]
pub unsafe extern "C" fn plat_list_get(list: *mut PlatList, index: i64, out: *mut u64) -> u8 {
    // SAFETY: valid list and `out` (contract); `index < len <= cap`.
    unsafe {
        let l = &*list;
        if (index as u64) < l.len {
            put(out, l.data.add(index as usize).read());
            1
        } else {
            0
        }
    }
}

/// `xs.set(index = i, value = v)`; panics out of range.
#[no_mangle]
pub unsafe extern "C" fn plat_list_set(
    list: *mut PlatList,
    index: i64,
    slot: u64,
    loc: *const c_char,
) {
    // SAFETY: valid list (contract).
    let l = unsafe { list_mut(list) };
    match check_index(index, l.len, false) {
        // SAFETY: `i < len <= cap`.
        Ok(i) => unsafe { l.data.add(i).write(slot) },
        // SAFETY: `loc` per the contract.
        Err(msg) => unsafe { out_of_range(msg, loc) },
    }
}

/// `xs.insert_at(index = i, value = v)`: `0 <= i <= len`, else panics.
#[no_mangle]
pub unsafe extern "C" fn plat_list_insert_at(
    list: *mut PlatList,
    index: i64,
    slot: u64,
    loc: *const c_char,
) {
    // SAFETY: valid list (contract).
    let l = unsafe { list_mut(list) };
    let i = match check_index(index, l.len, true) {
        Ok(i) => i,
        // SAFETY: `loc` per the contract.
        Err(msg) => unsafe { out_of_range(msg, loc) },
    };
    l.reserve(1);
    // SAFETY: `i <= len < cap` after `reserve`: slots `i..=len` are in the
    // buffer.
    unsafe {
        let p = l.data.add(i);
        std::ptr::copy(p, p.add(1), l.len as usize - i);
        p.write(slot);
    }
    l.len += 1;
}

/// `xs.remove_at(index = i)`: 1 and `*out` = the removed element, or 0
/// (and no change) out of range.
#[no_mangle]
pub unsafe extern "C" fn plat_list_remove_at(list: *mut PlatList, index: i64, out: *mut u64) -> u8 {
    // SAFETY: valid list (contract).
    let l = unsafe { list_mut(list) };
    match check_index(index, l.len, false) {
        Ok(i) => {
            let v = l.remove(i);
            // SAFETY: `out` per the contract.
            unsafe { put(out, v) };
            1
        }
        Err(_) => 0,
    }
}

/// `xs.pop()`: 1 and `*out` = the last element, or 0 when empty.
#[no_mangle]
pub unsafe extern "C" fn plat_list_pop(list: *mut PlatList, out: *mut u64) -> u8 {
    // SAFETY: valid list (contract).
    let l = unsafe { list_mut(list) };
    if l.len == 0 {
        return 0;
    }
    let v = l.remove(l.len as usize - 1);
    // SAFETY: `out` per the contract.
    unsafe { put(out, v) };
    1
}

/// `xs.clear()`: keeps the buffer for reuse.
#[no_mangle]
pub unsafe extern "C" fn plat_list_clear(list: *mut PlatList) {
    // SAFETY: valid list (contract); slots `[0, len)` are in the buffer.
    unsafe {
        let l = list_mut(list);
        if l.len > 0 {
            std::ptr::write_bytes(l.data, 0, l.len as usize);
        }
        l.len = 0;
    }
}

/// `xs.count(value = v)`: the number of elements equal to `v`.
#[no_mangle]
pub unsafe extern "C" fn plat_list_count(list: *mut PlatList, slot: u64) -> i64 {
    // SAFETY: valid list (contract).
    let l = unsafe { &*list };
    let elem = l.elem();
    l.slots()
        .iter()
        .filter(|&&x| value::eq(x, slot, elem))
        .count() as i64
}

/// `xs.index_of(value = v)`: the first position of `v`, or -1.
#[no_mangle]
pub unsafe extern "C" fn plat_list_index_of(list: *mut PlatList, slot: u64) -> i64 {
    // SAFETY: valid list (contract).
    let l = unsafe { &*list };
    let elem = l.elem();
    match l.slots().iter().position(|&x| value::eq(x, slot, elem)) {
        Some(i) => i as i64,
        None => -1,
    }
}

/// `xs.contains(value = v)`.
#[no_mangle]
pub unsafe extern "C" fn plat_list_contains(list: *mut PlatList, slot: u64) -> u8 {
    // SAFETY: valid list (contract).
    (unsafe { plat_list_index_of(list, slot) } >= 0) as u8
}

/// `xs.slice(start = s, end = e)`: a new list of elements `[s, e)`, both
/// clamped to `[0, len]` (empty when `s >= e`).
#[no_mangle]
pub unsafe extern "C" fn plat_list_slice(
    list: *mut PlatList,
    start: i64,
    end: i64,
) -> *mut PlatList {
    // SAFETY: valid list (contract).
    let l = unsafe { &*list };
    let len = l.len as i64;
    let (s, e) = (start.clamp(0, len) as usize, end.clamp(0, len) as usize);
    let part = if s < e { &l.slots()[s..e] } else { &[] };
    from_slots(l.desc(), part)
}

/// `a.concat(other = b)`: a new list, `a`'s elements then `b`'s.
#[no_mangle]
pub unsafe extern "C" fn plat_list_concat(a: *mut PlatList, b: *mut PlatList) -> *mut PlatList {
    // SAFETY: valid lists (contract); `a` and `b` may be the same list.
    let (a, b) = unsafe { (&*a, &*b) };
    let (xs, ys) = (a.slots(), b.slots());
    let out = new(a.desc(), xs.len() + ys.len());
    // SAFETY: `out` is a fresh list with room for both parts, in a buffer
    // that overlaps neither (or no buffer, when both are empty).
    unsafe {
        if !xs.is_empty() || !ys.is_empty() {
            let d = (*out).data;
            std::ptr::copy_nonoverlapping(xs.as_ptr(), d, xs.len());
            std::ptr::copy_nonoverlapping(ys.as_ptr(), d.add(xs.len()), ys.len());
        }
        (*out).len = (xs.len() + ys.len()) as u64;
    }
    out
}
