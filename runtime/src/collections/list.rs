//! `List[T]` (spec §9.2): a growable array of elements stored at their
//! natural width.
//!
//! Known to compiler: the layout below, the element widths
//! ([`array::Elem`]) and the `plat_list_*` entry points. Compiled code
//! reads `len` and `data` for bounds-checked indexing and `for` loops,
//! loads and stores element `i` at `data + i * W` (`xs.set`), and appends
//! in place while `len < cap` (stores element `len`, then `len + 1`).
//!
//! ```text
//! offset 0   header: *const PlatShape   the List[T] descriptor
//! offset 8   len: u64
//! offset 16  cap: u64
//! offset 24  data: *mut u8              element 0 of a buffer, or null
//! ```
//!
//! `W`, the element width, is `array::Elem::of(T).width()`: 1 for `Bool`
//! and `Int8`, 2 for `Int16`, 4 for `Int32` and `Float32`, 8 for every
//! other type. Entry points still take and return elements as slots: a
//! stored slot keeps its low `W` bytes; a loaded element is sign-extended
//! (`Int8`, `Int16`, `Int32`) or zero-extended (`Bool`, `Float32`).
//!
//! # Invariants
//!
//! - `len <= cap`; `cap == 0` iff `data` is null; otherwise `data` is the
//!   first element of a buffer (`super::array`: a Bytes object when `W <
//!   8`, an Array otherwise) of exactly `cap` elements whose shape is
//!   `array::list_buffer_shape(header)`.
//! - Elements `[len, cap)` are zero (all `W * (cap - len)` bytes).
//! - Only the runtime changes `cap` and `data`; compiled code changes
//!   `len` only to append in place.
//!
//! Entry points follow the contract in `super` (module doc).

use std::ffi::c_char;

use super::array::{self, Elem};
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
    pub data: *mut u8,
}

/// Capacity of the first buffer of a list that grows from empty.
const MIN_CAP: usize = 4;

/// Makes an empty list of type `desc` with room for `cap` elements.
pub fn new(desc: &'static PlatShape, cap: usize) -> *mut PlatList {
    let list = heap::alloc(std::mem::size_of::<PlatList>(), desc) as *mut PlatList;
    if cap > 0 {
        // SAFETY: a List descriptor has one child (module contract).
        let width = Elem::of(unsafe { desc.child(0) }).width();
        let data = array::alloc_elems(array::list_buffer_shape(desc), cap, width);
        // SAFETY: `list` is a fresh, zeroed list object.
        unsafe {
            (*list).cap = cap as u64;
            (*list).data = data;
        }
    }
    list
}

/// Makes a list of type `desc` holding the elements `slots`.
pub fn from_slots(desc: &'static PlatShape, slots: &[u64]) -> *mut PlatList {
    let list = new(desc, slots.len());
    // SAFETY: a fresh list that nobody else holds.
    let l = unsafe { &mut *list };
    let e = l.storage();
    for (i, &x) in slots.iter().enumerate() {
        // SAFETY: the buffer has room for `slots.len()` elements.
        unsafe { e.store(l.data, i, x) };
    }
    l.len = slots.len() as u64;
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

    /// How the elements are stored.
    #[inline]
    pub fn storage(&self) -> Elem {
        Elem::of(self.elem())
    }

    /// Element `i` as a slot.
    ///
    /// # Panics
    ///
    /// When `i >= len` (a runtime bug).
    #[inline]
    pub fn get(&self, i: usize) -> u64 {
        assert!(i < self.len as usize, "list index {i} >= {}", self.len);
        // SAFETY: `i < len <= cap`: inside the buffer (invariants).
        unsafe { self.storage().load(self.data, i) }
    }

    /// The elements, as slots.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        let (e, data) = (self.storage(), self.data as *const u8);
        // SAFETY: `i < len <= cap`: inside the buffer (invariants).
        (0..self.len as usize).map(move |i| unsafe { e.load(data, i) })
    }

    /// The elements, as slots, in a Rust vector.
    pub fn to_slots(&self) -> Vec<u64> {
        self.iter().collect()
    }

    /// Grows the buffer so that `extra` more elements fit.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, extra: usize) {
        let len = self.len as usize;
        let need = len
            .checked_add(extra)
            .unwrap_or_else(|| crate::rt_fatal!("out of memory: list too long"));
        let cap = need.max(2 * self.cap as usize).max(MIN_CAP);
        let width = self.storage().width();
        let data = array::alloc_elems(array::list_buffer_shape(self.desc()), cap, width);
        if len > 0 {
            // SAFETY: the old buffer holds `len` elements of `width` bytes,
            // the fresh one `cap >= len`; distinct objects do not overlap.
            unsafe { std::ptr::copy_nonoverlapping(self.data, data, len * width) };
        }
        self.data = data;
        self.cap = cap as u64;
    }

    /// Makes room for `extra` more elements.
    #[inline]
    pub fn reserve(&mut self, extra: usize) {
        if (self.cap - self.len) < extra as u64 {
            self.grow(extra);
        }
    }

    /// Appends an element.
    #[inline]
    pub fn push(&mut self, slot: u64) {
        if self.len == self.cap {
            self.grow(1);
        }
        // SAFETY: `len < cap` now, so element `len` is inside the buffer.
        unsafe { self.storage().store(self.data, self.len as usize, slot) };
        self.len += 1;
    }

    /// Removes and returns element `i` (`i < len`), shifting the rest
    /// down.
    fn remove(&mut self, i: usize) -> u64 {
        let len = self.len as usize;
        debug_assert!(i < len);
        let e = self.storage();
        let w = e.width();
        // SAFETY: `i < len <= cap`: all touched elements (bytes `[i * w,
        // len * w)`) are in the buffer.
        unsafe {
            let v = e.load(self.data, i);
            let p = self.data.add(i * w);
            std::ptr::copy(p.add(w), p, (len - i - 1) * w);
            std::ptr::write_bytes(self.data.add((len - 1) * w), 0, w);
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
            put(out, l.storage().load(l.data, index as usize));
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
        Ok(i) => unsafe { l.storage().store(l.data, i, slot) },
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
    let e = l.storage();
    let w = e.width();
    // SAFETY: `i <= len < cap` after `reserve`: elements `i..=len` (bytes
    // `[i * w, (len + 1) * w)`) are in the buffer.
    unsafe {
        let p = l.data.add(i * w);
        std::ptr::copy(p, p.add(w), (l.len as usize - i) * w);
        e.store(l.data, i, slot);
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
    // SAFETY: valid list (contract); elements `[0, len)` are in the
    // buffer.
    unsafe {
        let l = list_mut(list);
        if l.len > 0 {
            std::ptr::write_bytes(l.data, 0, l.len as usize * l.storage().width());
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
    l.iter().filter(|&x| value::eq(x, slot, elem)).count() as i64
}

/// `xs.index_of(value = v)`: the first position of `v`, or -1.
#[no_mangle]
pub unsafe extern "C" fn plat_list_index_of(list: *mut PlatList, slot: u64) -> i64 {
    // SAFETY: valid list (contract).
    let l = unsafe { &*list };
    let elem = l.elem();
    match l.iter().position(|x| value::eq(x, slot, elem)) {
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

/// A new list of type `desc` holding the `n` elements of `w` bytes at
/// each of `parts` in turn.
///
/// # Safety
///
/// Each part with `n > 0` points to `n` readable elements of `desc`'s
/// storage (with `w` its width); parts with `n == 0` may be null.
unsafe fn from_parts(
    desc: &'static PlatShape,
    w: usize,
    parts: &[(*const u8, usize)],
) -> *mut PlatList {
    let total: usize = parts.iter().map(|p| p.1).sum();
    let out = new(desc, total);
    if total > 0 {
        // SAFETY: `out` is a fresh list with room for `total` elements, in
        // a buffer that overlaps no existing one; each part is readable
        // (caller's contract).
        unsafe {
            let mut d = (*out).data;
            for &(p, n) in parts.iter().filter(|p| p.1 > 0) {
                std::ptr::copy_nonoverlapping(p, d, n * w);
                d = d.add(n * w);
            }
            (*out).len = total as u64;
        }
    }
    out
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
    let w = l.storage().width();
    if s >= e {
        return new(l.desc(), 0);
    }
    // SAFETY: `s < e <= len`: elements `[s, e)` are in the buffer.
    unsafe { from_parts(l.desc(), w, &[(l.data.add(s * w), e - s)]) }
}

/// `a.concat(other = b)`: a new list, `a`'s elements then `b`'s.
#[no_mangle]
pub unsafe extern "C" fn plat_list_concat(a: *mut PlatList, b: *mut PlatList) -> *mut PlatList {
    // SAFETY: valid lists of the same type (contract); `a` and `b` may be
    // the same list.
    let (a, b) = unsafe { (&*a, &*b) };
    let w = a.storage().width();
    debug_assert_eq!(w, b.storage().width());
    // SAFETY: each list's `data` holds its `len` elements (null only when
    // `len` is 0, and then nothing is read).
    unsafe {
        from_parts(
            a.desc(),
            w,
            &[(a.data, a.len as usize), (b.data, b.len as usize)],
        )
    }
}
