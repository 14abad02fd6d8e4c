//! `List[T]` (spec §9.2): a growable array of elements stored at their
//! natural width, safe to read while other tasks mutate it.
//!
//! Known to compiler: the layout below (`plat_abi::object::list`, to which
//! [`PlatList`] is tied by compile-time assertions), the element widths
//! ([`array::Elem`], `plat_abi::kind::list_elem_width`), the capacity word
//! before each buffer ([`array::capacity`]), the writer word
//! ([`super::writer`]) and the `plat_list_*` entry points.
//!
//! ```text
//! offset 0   header: *const PlatShape   the List[T] descriptor
//! offset 8   len: u64
//! offset 16  writer: u64                owner ctx | WRITING (super::writer)
//! offset 24  data: *mut u8              element 0 of a buffer, never null
//! ```
//!
//! `W`, the element width, is `array::Elem::of(T).width()`: 1 for `Bool`
//! and `Int8`, 2 for `Int16`, 4 for `Int32` and `Float32`, 8 for every
//! other type. Entry points still take and return elements as slots: a
//! stored slot keeps its low `W` bytes; a loaded element is sign-extended
//! (`Int8`, `Int16`, `Int32`) or zero-extended (`Bool`, `Float32`).
//!
//! # What compiled code does
//!
//! - Reading (`xs[i]`, `xs.len()`, `for` loops) and `xs.set`: checks the
//!   index against `len`, then loads `data` (in that order) and accesses
//!   element `i` at `data + i * W`. A loop that cannot change the list
//!   itself may load the pair once before it and use it throughout (a
//!   "view"; it may also skip the check of an index it proved below that
//!   `len`): stale if others change the list meanwhile, never unsafe. Invariants 1 and 2 make this safe on
//!   x86-64, where a load is not reordered with an earlier load: the
//!   `data` it sees is the buffer that was current when that `len` was
//!   stored, or a later, bigger one.
//! - `xs.push`: appends in place when `writer == ctx` (the task owns the
//!   list) and `len < capacity(data)`: it stores element `len` into that
//!   buffer, then `len + 1`. Otherwise it calls [`plat_list_push`].
//!
//! # Invariants (what makes racing readers safe)
//!
//! 1. `data` is never null: a list that never had a buffer points to
//!    [`array::empty_buffer`] (capacity 0). It is replaced only by a
//!    runtime mutation holding the writer word, and only by a bigger
//!    buffer, so successive buffers have strictly increasing capacities.
//!    A buffer's capacity word only ever grows: a large buffer with free
//!    memory right after it is grown in place (the added room is filled
//!    as a new buffer's tail would be, then the capacity is raised with
//!    Release), sparing the copy. A buffer is never freed or reused
//!    while anything can reach it (the collector finds an old buffer a
//!    racer still uses through that racer's stack or registers).
//! 2. Every `len` ever stored is at most the capacity of the buffer
//!    current when it is stored, hence of every later buffer: the runtime
//!    grows first, and compiled code appends only below the capacity of
//!    the buffer it loaded, which is the current one or an older, smaller
//!    one.
//! 3. Elements `[0, len)` of the current buffer hold values of the
//!    element type: they were written, or copied by a growth. A buffer
//!    made by growth for elements that may be pointers also holds such
//!    values in all of its tail (filled with the value being added), so
//!    that an append racing with the growth (which may publish a length
//!    one past the copied prefix) never exposes a null. Elements are
//!    never cleared: `pop`, `remove_at` and `clear` leave the old values
//!    in place, because a racing reader may have loaded an older, longer
//!    length. The collector does not clear `[len, cap)` either (it marks
//!    a buffer's every element, `crate::gc::mark`, and never writes one):
//!    compiled code may hold a loop's view of a list, a `(len, data)`
//!    pair loaded before the loop, across polls and so across
//!    collections (`compiler/src/mir/opt/hoist.rs`), so "no reader is
//!    between its loads" never holds.
//! 4. Every element is read and written with one atomic access of its
//!    width ([`Elem::load`], [`Elem::store`]; compiled code's aligned
//!    loads and stores are the same on x86-64), so no value is ever torn.
//! 5. Runtime mutations hold the writer word ([`super::writer`]) for their
//!    whole duration, so they never overlap one another; compiled code's
//!    inline appends (by the owner) and `xs.set` stores are the only writes
//!    that can run alongside one. Their races lose updates, never memory
//!    safety.
//!
//! From 1-4, a reader that bounds indices by `min(len, capacity(data))`
//! only ever reads inside a live buffer, and only values of the element
//! type; so does one that loads `len`, then `data`, with the processor
//! keeping the two loads in order (x86-64; compiled code relies on this
//! to avoid loading the capacity on every access, the runtime's
//! [`View`] takes the minimum). Entry points follow the contract in
//! `super` (module doc).

use std::ffi::c_char;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicPtr, AtomicU64};

use super::array::{self, Elem};
use super::writer;
use crate::fatal::loc_arg;
use crate::gc::heap;
use crate::gc::shape::PlatShape;
use crate::value;

/// A list object. Known to compiler; see the module doc.
#[repr(C)]
#[derive(Debug)]
pub struct PlatList {
    pub shape: *const PlatShape,
    pub(in crate::collections) len: AtomicU64,
    pub(in crate::collections) writer: AtomicU64,
    pub(in crate::collections) data: AtomicPtr<u8>,
}

// SAFETY: a list is designed to be shared between tasks on any threads:
// every field that changes is an atomic, the buffers it points to are
// read and written only with atomic element accesses, and `shape` points
// to an immutable descriptor that lives forever (module invariants).
unsafe impl Sync for PlatList {}
// SAFETY: as above; nothing in a list is tied to a thread.
unsafe impl Send for PlatList {}

/// The word of a list object (counting the header as word 0) holding its
/// buffer pointer, an interior pointer (the buffer's first element), for
/// the collector (`crate::gc::mark`).
pub const DATA_WORD: usize = 3;
const _: () = assert!(std::mem::offset_of!(PlatList, data) == 8 * DATA_WORD);

// The layout compiled code reads and writes (plat_abi).
const _: () = {
    use plat_abi::object::{list, HEADER};
    use std::mem::{offset_of, size_of};
    assert!(offset_of!(PlatList, shape) == HEADER);
    assert!(offset_of!(PlatList, len) == list::LEN);
    assert!(offset_of!(PlatList, writer) == list::WRITER);
    assert!(offset_of!(PlatList, data) == list::DATA);
    assert!(size_of::<PlatList>() == list::SIZE);
};

/// Capacity of the first buffer of a list that grows from empty.
const MIN_CAP: usize = 4;

/// The most elements a list may hold: `len()` is an `Int32`.
pub const MAX_LEN: usize = i32::MAX as usize;

/// The panic message for a list that would hold `n` elements.
pub fn too_long(n: usize) -> String {
    format!("list too long ({n} elements; the limit is {MAX_LEN})")
}

/// Makes an empty list of type `desc` with room for `cap` elements, owned
/// by the running task. Panics if `cap` is more than [`MAX_LEN`].
pub fn new(desc: &'static PlatShape, cap: usize) -> *mut PlatList {
    // SAFETY: a List descriptor has one child (module contract).
    let width = Elem::of(unsafe { desc.child(0) }).width();
    // More than memory holds is the first complaint: a list of 2^40
    // elements is out of memory before it is too long.
    crate::gc::limit::check_elems("list", cap, width, array::SLOTS_OFFSET);
    if cap > MAX_LEN {
        crate::sched::panic(too_long(cap).as_bytes(), None);
    }
    let data = if cap > 0 {
        array::alloc_elems(array::list_buffer_shape(desc), cap, width)
    } else {
        array::empty_buffer()
    };
    let list = heap::alloc(std::mem::size_of::<PlatList>(), desc) as *mut PlatList;
    // SAFETY: `list` is a fresh, zeroed list object that nobody else sees.
    unsafe {
        (*list).data = AtomicPtr::new(data);
        (*list).writer = AtomicU64::new(writer::current_owner());
    }
    list
}

/// Makes a list of type `desc` holding the elements `slots`.
pub fn from_slots(desc: &'static PlatShape, slots: &[u64]) -> *mut PlatList {
    let list = new(desc, slots.len());
    // SAFETY: a fresh list that nobody else holds.
    let l = unsafe { &*list };
    for &x in slots {
        l.push_unshared(x);
    }
    list
}

/// A consistent view of a list for reading: one buffer and a length that
/// fits in it (invariant 1: the buffer stays valid). Elements read
/// through it are values of the element type, possibly stale if the list
/// is being mutated meanwhile.
#[derive(Clone, Copy, Debug)]
pub struct View {
    data: *mut u8,
    len: usize,
    elem: Elem,
}

impl View {
    /// The number of elements in view.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Element `i` as a slot, if `i < len`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<u64> {
        // SAFETY: `i < len <= capacity(data)`: inside the buffer.
        (i < self.len).then(|| unsafe { self.elem.load(self.data, i) })
    }

    /// The elements, as slots.
    pub fn iter(self) -> impl ExactSizeIterator<Item = u64> {
        // SAFETY: as in `get`.
        (0..self.len).map(move |i| unsafe { self.elem.load(self.data, i) })
    }

    /// Stores `slot` as element `i` (`i < len`).
    ///
    /// # Safety
    ///
    /// `i < len` (then it is inside the buffer).
    #[inline]
    pub(in crate::collections) unsafe fn store(&self, i: usize, slot: u64) {
        debug_assert!(i < self.len);
        // SAFETY: `i < len <= capacity(data)` (caller's contract).
        unsafe { self.elem.store(self.data, i, slot) }
    }
}

/// A length that overflowed [`MAX_LEN`] (the would-be length).
#[derive(Debug)]
pub(in crate::collections) struct TooLong(pub(in crate::collections) usize);

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

    /// The stored length (at most the current buffer's capacity,
    /// invariant 2). Under a race, [`PlatList::view`] is what bounds
    /// reads.
    #[inline]
    pub fn len(&self) -> u64 {
        self.len.load(Acquire)
    }

    /// Whether the list is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A consistent view for reading (see [`View`]): the length is loaded
    /// before the buffer (Acquire both, pairing with the Release stores of
    /// mutations) and clamped to that buffer's capacity.
    #[inline]
    pub fn view(&self) -> View {
        let len = self.len.load(Acquire) as usize;
        let data = self.data.load(Acquire);
        // SAFETY: `data` is always a buffer's first element (invariant 1).
        let cap = unsafe { array::capacity(data) };
        View {
            data,
            len: len.min(cap),
            elem: self.storage(),
        }
    }

    /// The current buffer's first element (what compiled code reads as
    /// `data`).
    #[inline]
    pub fn data(&self) -> *mut u8 {
        self.data.load(Acquire)
    }

    /// The current buffer's capacity in elements.
    #[inline]
    pub fn capacity(&self) -> usize {
        // SAFETY: `data` is always a buffer's first element (invariant 1).
        unsafe { array::capacity(self.data()) }
    }

    /// Element `i` as a slot, if it is in range.
    #[inline]
    pub fn get(&self, i: usize) -> Option<u64> {
        self.view().get(i)
    }

    /// The elements, as slots (of one [`View`]).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = u64> {
        self.view().iter()
    }

    /// The elements, as slots, in a Rust vector.
    pub fn to_slots(&self) -> Vec<u64> {
        self.iter().collect()
    }

    /// Appends `slot` to a list that no other task can see yet (one the
    /// runtime is building); panics if it would pass [`MAX_LEN`].
    pub fn push_unshared(&self, slot: u64) {
        if let Err(TooLong(n)) = self.push_claimed(slot) {
            crate::sched::panic(too_long(n).as_bytes(), None);
        }
    }

    // ----------------------------------------------------------------
    // Mutations. The caller holds the writer word, or the list is not
    // shared yet: so `data` changes only here, and a Relaxed load of it
    // sees the latest value.

    /// Replaces the buffer with one of room for at least `need` elements
    /// (`need > capacity`), copying the first `len` elements; a tail that
    /// may hold pointers is filled with `filler` (invariant 3). Returns
    /// the new buffer, already published.
    #[cold]
    #[inline(never)]
    fn grow(&self, len: usize, need: usize, filler: u64) -> Result<*mut u8, TooLong> {
        if need > MAX_LEN {
            return Err(TooLong(need));
        }
        let old = self.data.load(Relaxed);
        // SAFETY: `data` is always a buffer's first element (invariant 1).
        let old_cap = unsafe { array::capacity(old) };
        debug_assert!(need > old_cap);
        let cap = need.max(2 * old_cap).clamp(MIN_CAP, MAX_LEN);
        let e = self.storage();
        let w = e.width();
        // SAFETY: `old` is this list's buffer of width `w`, `cap` above
        // its capacity, and the caller is the list's writer.
        if unsafe { array::extend_in_place(old, cap, w) } {
            if Elem::holds_pointers(self.elem()) {
                for i in old_cap..cap {
                    // SAFETY: `i < cap`: inside the grown buffer.
                    unsafe { e.store(old, i, filler) };
                }
            }
            // SAFETY: `old` was just extended to room for `cap`.
            unsafe { array::raise_capacity(old, cap) };
            return Ok(old);
        }
        let data = array::alloc_elems(array::list_buffer_shape(self.desc()), cap, w);
        let keep = len.min(old_cap);
        // SAFETY: the old buffer holds `old_cap >= keep` elements, the
        // fresh one `cap > keep`; nobody sees the fresh one yet.
        unsafe { array::copy_prefix(old, data, keep, w) };
        if Elem::holds_pointers(self.elem()) {
            for i in keep..cap {
                // SAFETY: `i < cap`: inside the fresh buffer.
                unsafe { e.store(data, i, filler) };
            }
        }
        // Release: the copied and filled elements are visible to whoever
        // sees the new buffer.
        self.data.store(data, Release);
        Ok(data)
    }

    /// The current buffer and the length, with room for one more element
    /// (growing for `filler`).
    fn room_for_one(&self, filler: u64) -> Result<(*mut u8, usize), TooLong> {
        let len = self.len.load(Acquire) as usize;
        let data = self.data.load(Relaxed);
        // SAFETY: a buffer's first element (invariant 1).
        if len < unsafe { array::capacity(data) } {
            Ok((data, len))
        } else {
            Ok((self.grow(len, len + 1, filler)?, len))
        }
    }

    /// Appends an element (writer word held, or unshared).
    pub(in crate::collections) fn push_claimed(&self, slot: u64) -> Result<(), TooLong> {
        let (data, len) = self.room_for_one(slot)?;
        // SAFETY: `len < capacity(data)`.
        unsafe { self.storage().store(data, len, slot) };
        self.len.store(len as u64 + 1, Release);
        Ok(())
    }

    /// Inserts `slot` at `index` (`0 <= index <= len`), or the panic
    /// message (writer word held).
    fn insert_claimed(&self, index: i64, slot: u64) -> Result<(), String> {
        let i = check_index(index, self.view().len() as u64, true)?;
        // The length may only have grown since (an owner's inline append
        // racing with us), so `i <= len` still.
        let (data, len) = self.room_for_one(slot).map_err(|TooLong(n)| too_long(n))?;
        let e = self.storage();
        // SAFETY: `i <= len < capacity(data)`: elements `i..=len` are in
        // the buffer.
        unsafe {
            e.move_within(data, i, i + 1, len - i);
            e.store(data, i, slot);
        }
        self.len.store(len as u64 + 1, Release);
        Ok(())
    }

    /// Removes and returns element `i`, shifting the rest down, or `None`
    /// out of range (writer word held). The vacated last element keeps
    /// its value (invariant 3).
    fn remove_claimed(&self, index: i64) -> Option<u64> {
        let v = self.view();
        let i = check_index(index, v.len() as u64, false).ok()?;
        let e = self.storage();
        let x = v.get(i)?;
        // SAFETY: `i < v.len <= capacity`: elements `i..len` are in the
        // buffer.
        unsafe { e.move_within(v.data, i + 1, i, v.len() - i - 1) };
        self.len.store(v.len() as u64 - 1, Release);
        Some(x)
    }

    /// Runs the mutation `f` holding the writer word, then leaves the
    /// running task as the owner (after a push, its next appends can be
    /// inline); panics if another task is mutating the list.
    ///
    /// Every runtime mutation takes ownership, not only push: an owner's
    /// inline append checks the word before and after its stores, and a
    /// whole mutation of another task can slip in between (its thread
    /// descheduled mid-append). Had that mutation kept the owner, the
    /// re-check would pass and the race go unnoticed (a pop in between
    /// made the append resurrect the popped element: the list ended with
    /// duplicates, found by tests/run/races/list_push_pop under frequent
    /// collections).
    #[inline]
    pub(in crate::collections) fn mutate<R>(&self, f: impl FnOnce(&PlatList) -> R) -> R {
        match self.try_mutate_as(Some(writer::current_owner()), f) {
            Ok(r) => r,
            Err(writer::Busy) => writer::concurrent_mutation("List"),
        }
    }

    /// Runs the mutation `f` holding the writer word and leaves `owner`
    /// as the owner (`None`: the one it had), or fails without running it
    /// if another mutation is in progress.
    #[inline]
    pub(in crate::collections) fn try_mutate_as<R>(
        &self,
        owner: Option<u64>,
        f: impl FnOnce(&PlatList) -> R,
    ) -> Result<R, writer::Busy> {
        let before = writer::claim(&self.writer)?;
        let r = f(self);
        writer::release(&self.writer, owner.unwrap_or(before));
        Ok(r)
    }
}

/// Test access to the mutations, to drive them from plain threads.
#[cfg(test)]
impl PlatList {
    pub(in crate::collections) fn test_push(&self, slot: u64) {
        self.push_claimed(slot).expect("short");
    }
    pub(in crate::collections) fn test_insert(&self, index: i64, slot: u64) {
        self.insert_claimed(index, slot).expect("in range");
    }
    pub(in crate::collections) fn test_remove(&self, index: i64) -> Option<u64> {
        self.remove_claimed(index)
    }
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

/// Raises a panic with `msg` at `loc`.
#[cold]
#[inline(never)]
unsafe fn raise(msg: String, loc: *const c_char) -> ! {
    // SAFETY: `loc` is null or NUL-terminated (module contract).
    crate::sched::panic(msg.as_bytes(), unsafe { loc_arg(loc) })
}

/// `[a, b, ...]` and `List` values: a new empty list of type `desc` with
/// room for `cap` elements.
#[no_mangle]
pub unsafe extern "C" fn plat_list_new(desc: *const PlatShape, cap: u64) -> *mut PlatList {
    // SAFETY: `desc` is a List descriptor that lives forever (contract).
    new(unsafe { &*desc }, cap.min(usize::MAX as u64) as usize)
}

/// `xs.len()` / `xs.length()`.
#[no_mangle]
pub unsafe extern "C" fn plat_list_len(list: *mut PlatList) -> i64 {
    // SAFETY: valid list (contract).
    unsafe { (*list).view().len() as i64 }
}

/// `xs.push(value = v)` / `xs.append(value = v)` when compiled code cannot
/// append in place (not the owner, or no room): takes ownership.
#[no_mangle]
pub unsafe extern "C" fn plat_list_push(list: *mut PlatList, slot: u64) {
    // SAFETY: valid list (contract).
    let l = unsafe { &*list };
    if let Err(TooLong(n)) = l.mutate(|l| l.push_claimed(slot)) {
        // SAFETY: a null location.
        unsafe { raise(too_long(n), std::ptr::null()) }
    }
}

/// Compiled code's inline `xs.push` found, after appending, that another
/// task had claimed the list meanwhile (see `docs/runtime-abi.md`): a
/// concurrent mutation. Never returns.
#[no_mangle]
pub unsafe extern "C" fn plat_list_push_raced(_list: *mut PlatList) {
    writer::concurrent_mutation("List")
}

/// `xs.get(index = i)`: 1 and `*out` = the element, or 0 out of range.
#[no_mangle]
pub unsafe extern "C" fn plat_list_get(list: *mut PlatList, index: i64, out: *mut u64) -> u8 {
    // SAFETY: valid list (contract).
    let v = unsafe { (*list).view() };
    match usize::try_from(index).ok().and_then(|i| v.get(i)) {
        Some(x) => {
            // SAFETY: `out` per the contract.
            unsafe { put(out, x) };
            1
        }
        None => 0,
    }
}

/// `xs.set(index = i, value = v)`; panics out of range. Not a structural
/// mutation: it does not claim the writer word (tasks may fill distinct
/// elements of one list).
#[no_mangle]
pub unsafe extern "C" fn plat_list_set(
    list: *mut PlatList,
    index: i64,
    slot: u64,
    loc: *const c_char,
) {
    // SAFETY: valid list (contract).
    let v = unsafe { (*list).view() };
    match check_index(index, v.len() as u64, false) {
        // SAFETY: `i < v.len`.
        Ok(i) => unsafe { v.store(i, slot) },
        // SAFETY: `loc` per the contract.
        Err(msg) => unsafe { raise(msg, loc) },
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
    let l = unsafe { &*list };
    match l.try_mutate_as(None, |l| l.insert_claimed(index, slot)) {
        Ok(Ok(())) => {}
        // SAFETY: `loc` per the contract.
        Ok(Err(msg)) => unsafe { raise(msg, loc) },
        // SAFETY: `loc` per the contract.
        Err(writer::Busy) => unsafe { writer::concurrent_mutation_at("List", loc) },
    }
}

/// `xs.remove_at(index = i)`: 1 and `*out` = the removed element, or 0
/// (and no change) out of range.
#[no_mangle]
pub unsafe extern "C" fn plat_list_remove_at(list: *mut PlatList, index: i64, out: *mut u64) -> u8 {
    // SAFETY: valid list (contract).
    let l = unsafe { &*list };
    match l.mutate(|l| l.remove_claimed(index)) {
        Some(v) => {
            // SAFETY: `out` per the contract.
            unsafe { put(out, v) };
            1
        }
        None => 0,
    }
}

/// `xs.pop()`: 1 and `*out` = the last element, or 0 when empty.
#[no_mangle]
pub unsafe extern "C" fn plat_list_pop(list: *mut PlatList, out: *mut u64) -> u8 {
    // SAFETY: valid list (contract).
    let l = unsafe { &*list };
    let popped = l.mutate(|l| match l.view().len() {
        0 => None,
        n => l.remove_claimed(n as i64 - 1),
    });
    match popped {
        Some(v) => {
            // SAFETY: `out` per the contract.
            unsafe { put(out, v) };
            1
        }
        None => 0,
    }
}

/// `xs.clear()`: keeps the buffer (and, invariant 3, its old elements,
/// until they are overwritten).
#[no_mangle]
pub unsafe extern "C" fn plat_list_clear(list: *mut PlatList) {
    // SAFETY: valid list (contract).
    let l = unsafe { &*list };
    l.mutate(|l| l.len.store(0, Release));
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

/// A new list of type `desc` holding elements `[s, e)` of each part's
/// view in turn; panics if it would be longer than [`MAX_LEN`].
fn from_parts(desc: &'static PlatShape, parts: &[(View, usize, usize)]) -> *mut PlatList {
    let total = parts
        .iter()
        .map(|&(_, s, e)| e - s)
        .fold(0usize, usize::saturating_add);
    let out = new(desc, total);
    // SAFETY: a fresh list that nobody else holds.
    let l = unsafe { &*out };
    let (data, e) = (l.data.load(Relaxed), l.storage());
    let mut k = 0;
    for &(v, s, end) in parts {
        for i in s..end {
            // SAFETY: `i < end <= v.len`, and `k < total`, the capacity
            // of the fresh buffer.
            unsafe { e.store(data, k, v.elem.load(v.data, i)) };
            k += 1;
        }
    }
    l.len.store(total as u64, Release);
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
    let v = l.view();
    let len = v.len() as i64;
    let (s, e) = (start.clamp(0, len) as usize, end.clamp(0, len) as usize);
    if s >= e {
        return new(l.desc(), 0);
    }
    from_parts(l.desc(), &[(v, s, e)])
}

/// `a.concat(other = b)`: a new list, `a`'s elements then `b`'s; panics if
/// it would be longer than [`MAX_LEN`].
#[no_mangle]
pub unsafe extern "C" fn plat_list_concat(a: *mut PlatList, b: *mut PlatList) -> *mut PlatList {
    // SAFETY: valid lists of the same type (contract); `a` and `b` may be
    // the same list.
    let (a, b) = unsafe { (&*a, &*b) };
    let (va, vb) = (a.view(), b.view());
    debug_assert_eq!(a.storage(), b.storage());
    from_parts(a.desc(), &[(va, 0, va.len()), (vb, 0, vb.len())])
}
