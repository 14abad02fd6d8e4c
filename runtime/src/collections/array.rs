//! Buffer objects: the slot buffers behind lists, dicts and sets (Array),
//! the narrow element buffers behind lists of small scalars (Bytes), and
//! their shapes.
//!
//! ```text
//! Array  offset 0   header: *const PlatShape   kind Array, children [T...]
//!        offset 8   capacity: u64              number of slots
//!        offset 16  slots                      slot i has type children[i % n]
//!
//! Bytes  offset 0   header: *const PlatShape   kind Bytes, children [T],
//!                                              payload_words = width W
//!        offset 8   capacity: u64              number of elements
//!        offset 16  elements                   element i at 16 + i * W
//! ```
//!
//! Owners keep a pointer to the first slot / element ([`SLOTS_OFFSET`]
//! bytes into the object). The capacity word makes every buffer
//! self-describing, so the collector can size it without knowing its
//! owner: an Array is `16 + 8 * capacity` bytes, a Bytes object `16 +
//! W * capacity` rounded up to 8 ([`object_size`]). It is written at
//! allocation and only ever grows (in place, [`extend_in_place`] then
//! [`raise_capacity`]), so a reader racing with the buffer's owner can
//! always bound its accesses by any value of it it loaded (known to compiler: compiled
//! code reads a list buffer's capacity at `data - 8`). A static buffer of
//! capacity 0 ([`empty_buffer`]) stands for "no buffer yet".
//!
//! Elements are loaded and stored with single atomic accesses of their
//! width ([`Elem::load`], [`Elem::store`], [`Elem::move_within`],
//! [`copy_prefix`]): buffers may be read and written by several tasks at
//! once (see `docs/memory-model.md`), and no value may ever be torn.
//!
//! # Element widths
//!
//! A list stores its elements at the natural width of the element type
//! ([`Elem::of`], known to compiler): `Bool` and `Int8` in 1 byte, `Int16`
//! in 2, `Int32` and `Float32` in 4, everything else in an 8-byte slot.
//! Narrow elements are scalars, so a narrow buffer holds no pointers: it
//! is a Bytes object. Lists of 8-byte elements, and every dict/set buffer,
//! use Arrays.
//!
//! # Shapes
//!
//! An Array shape names the slot types, so it depends on the owner's type:
//! a `List[T]` buffer has children `[T]`, the entries of a `Dict[K, V]`
//! `[Int64, K, V]` (hash, key, value), those of a `Set[T]` `[Int64, T]`,
//! and a hash index is an Array of `Int64` (entry positions, no pointers).
//! Buffers of scalar or String elements use the statics below; other
//! shapes are made on first use for each owner descriptor, leaked (shapes
//! live forever), and found again through a per-thread cache in front of a
//! global map.
//!
//! # Invariants
//!
//! - `GLOBAL` maps an owner descriptor's address to its buffer shape; an
//!   entry is never removed or changed, so a shape read from it (or from a
//!   thread's `LOCAL` cache, which only copies `GLOBAL` entries) stays
//!   valid forever. The mutex protects only the map.
//! - Derived shapes point only to descriptors (static data), never into
//!   the Plat heap.
//! - A Bytes shape's `payload_words` is `Elem::of(children[0]).width()`,
//!   one of 1, 2, 4.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicU8};
use std::sync::Mutex;

use crate::gc::heap;
use crate::gc::shape::{
    plat_shape_string, plat_type_bool, plat_type_float32, plat_type_float64, plat_type_int16,
    plat_type_int32, plat_type_int64, plat_type_int8, plat_type_unit, PlatShape, ShapeKind,
};

/// Bytes from the start of a buffer object to its first slot / element.
pub const SLOTS_OFFSET: usize = 16;
/// Largest number of slots an Array may have (keeps byte sizes in range).
pub const MAX_SLOTS: usize = (isize::MAX as usize) / 8 - 2;

/// How a list element of some type is stored: its width and how a slot
/// narrows to it and widens back. Known to compiler (the code generator
/// loads and stores list elements with the same widths).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem {
    /// `Bool`: 1 byte, 0 or 1; widens by zero-extension.
    Bool,
    /// `Int8`: 1 byte; widens by sign-extension.
    I8,
    /// `Int16`: 2 bytes; widens by sign-extension.
    I16,
    /// `Int32`: 4 bytes; widens by sign-extension.
    I32,
    /// `Float32`: 4 bytes (the bits); widens by zero-extension.
    F32,
    /// Everything else: the 8-byte slot itself.
    Slot,
}

impl Elem {
    /// The storage of elements of type `elem` (a list's `children[0]`).
    #[inline]
    pub fn of(elem: &PlatShape) -> Elem {
        // By the raw kind: any kind other than the five narrow scalars
        // (including ones this runtime does not know) is a slot, as in
        // `plat_abi::kind::list_elem_width` (the compiler's rule).
        use plat_abi::kind::{BOOL, FLOAT32, INT16, INT32, INT8};
        match elem.kind {
            BOOL => Elem::Bool,
            INT8 => Elem::I8,
            INT16 => Elem::I16,
            INT32 => Elem::I32,
            FLOAT32 => Elem::F32,
            _ => Elem::Slot,
        }
    }

    /// Bytes per element: 1, 2, 4 or 8.
    #[inline]
    pub const fn width(self) -> usize {
        match self {
            Elem::Bool | Elem::I8 => 1,
            Elem::I16 => 2,
            Elem::I32 | Elem::F32 => 4,
            Elem::Slot => 8,
        }
    }

    /// Whether elements of type `elem` may be object pointers: every type
    /// except the numeric scalars, `Bool` and `Unit`.
    #[inline]
    pub fn holds_pointers(elem: &PlatShape) -> bool {
        !matches!(
            elem.shape_kind(),
            ShapeKind::Bool
                | ShapeKind::Int8
                | ShapeKind::Int16
                | ShapeKind::Int32
                | ShapeKind::Int64
                | ShapeKind::Float32
                | ShapeKind::Float64
                | ShapeKind::Unit
        )
    }

    /// Reads element `i` of `data` and widens it to a slot.
    ///
    /// The read is one atomic load of the element's width (Relaxed for
    /// narrow scalars, Acquire for slots, pairing with the Release in
    /// [`Elem::store`] so that an object published through a slot is seen
    /// initialised), so a racing writer can never make it see a torn
    /// value: it sees the element's old or new value.
    ///
    /// # Safety
    ///
    /// `data` is the first element of a buffer of this element storage
    /// holding more than `i` elements.
    #[inline(always)]
    pub unsafe fn load(self, data: *const u8, i: usize) -> u64 {
        let p = data as *mut u8;
        // SAFETY: element `i` is inside the buffer (caller's contract) and
        // naturally aligned: the buffer starts 8-aligned and element `i`
        // is `i * width` bytes into it. Buffers are never freed while
        // reachable, so the references live long enough.
        unsafe {
            match self {
                Elem::Bool => AtomicU8::from_ptr(p.add(i)).load(Relaxed) as u64,
                Elem::I8 => AtomicU8::from_ptr(p.add(i)).load(Relaxed) as i8 as i64 as u64,
                Elem::I16 => {
                    AtomicU16::from_ptr((p as *mut u16).add(i)).load(Relaxed) as i16 as i64 as u64
                }
                Elem::I32 => {
                    AtomicU32::from_ptr((p as *mut u32).add(i)).load(Relaxed) as i32 as i64 as u64
                }
                Elem::F32 => AtomicU32::from_ptr((p as *mut u32).add(i)).load(Relaxed) as u64,
                Elem::Slot => AtomicU64::from_ptr((p as *mut u64).add(i)).load(Acquire),
            }
        }
    }

    /// Narrows `slot` to this storage (keeps its low `width` bytes) and
    /// writes it as element `i` of `data`, with one atomic store (see
    /// [`Elem::load`]).
    ///
    /// # Safety
    ///
    /// As [`Elem::load`], and the buffer is writable.
    #[inline(always)]
    pub unsafe fn store(self, data: *mut u8, i: usize, slot: u64) {
        // SAFETY: as in `load`.
        unsafe {
            match self {
                Elem::Bool | Elem::I8 => AtomicU8::from_ptr(data.add(i)).store(slot as u8, Relaxed),
                Elem::I16 => {
                    AtomicU16::from_ptr((data as *mut u16).add(i)).store(slot as u16, Relaxed)
                }
                Elem::I32 | Elem::F32 => {
                    AtomicU32::from_ptr((data as *mut u32).add(i)).store(slot as u32, Relaxed)
                }
                Elem::Slot => AtomicU64::from_ptr((data as *mut u64).add(i)).store(slot, Release),
            }
        }
    }

    /// Moves elements `[from, from + n)` of `data` to `[to, to + n)`
    /// (the ranges may overlap), one atomic element at a time, so that a
    /// racing reader sees every element either before or after its move,
    /// never torn (`memmove` may copy bytes in any grouping).
    ///
    /// # Safety
    ///
    /// Both ranges are inside the buffer, which is writable.
    pub unsafe fn move_within(self, data: *mut u8, from: usize, to: usize, n: usize) {
        // Front to back when moving down, back to front when moving up,
        // so that no element is overwritten before it is moved.
        if to < from {
            for k in 0..n {
                // SAFETY: `from + k` and `to + k` are inside the buffer
                // (caller's contract).
                unsafe { self.store(data, to + k, self.load(data, from + k)) };
            }
        } else {
            for k in (0..n).rev() {
                // SAFETY: as above.
                unsafe { self.store(data, to + k, self.load(data, from + k)) };
            }
        }
    }
}

/// Copies the first `n` elements of `width` bytes from the buffer `src`
/// to the fresh buffer `dst`, in whole aligned 8-byte words read
/// atomically: an element never straddles a word (elements are naturally
/// aligned), so none is torn even if `src` is being written meanwhile.
/// The last word may carry up to 7 bytes past element `n`: they are inside
/// both objects (objects are sized in whole words), and in `dst` they are
/// elements past `n` or padding.
///
/// # Safety
///
/// `src` and `dst` are first elements of buffers of `width`-byte elements
/// with capacity at least `n`; `dst` is writable and seen by nobody else
/// yet (so plain stores suffice).
pub unsafe fn copy_prefix(src: *const u8, dst: *mut u8, n: usize, width: usize) {
    let words = (n * width).div_ceil(8);
    let (src, dst) = (src as *mut u64, dst as *mut u64);
    for k in 0..words {
        // SAFETY: word `k` is inside both objects (see above); both are
        // 8-aligned.
        unsafe {
            dst.add(k)
                .write(AtomicU64::from_ptr(src.add(k)).load(Acquire))
        };
    }
}

/// A buffer of capacity 0, for lists that have never held an element, so
/// that a list's `data` is never null: compiled code reads the capacity
/// word just before `data` without a null check. It lives outside the
/// heap, like string literals; nothing is ever stored in it.
#[repr(C)]
struct EmptyBuffer {
    header: *const PlatShape,
    capacity: u64,
}

// SAFETY: immutable; its only pointer is to an immutable static shape.
unsafe impl Sync for EmptyBuffer {}

static EMPTY: EmptyBuffer = EmptyBuffer {
    header: &ARRAY_UNIT,
    capacity: 0,
};

/// The first "element" of the empty buffer: one past its end, never
/// dereferenced except for the capacity word before it.
#[inline]
pub fn empty_buffer() -> *mut u8 {
    (&raw const EMPTY as *mut u8).wrapping_add(SLOTS_OFFSET)
}

/// Allocates an Array of `n` zeroed slots with the given shape and returns
/// a pointer to its first slot.
pub fn alloc_slots(shape: *const PlatShape, n: usize) -> *mut u64 {
    alloc_elems(shape, n, 8) as *mut u64
}

/// Allocates a buffer (Array or Bytes, per `shape`) of `n` zeroed elements
/// of `width` bytes and returns a pointer to its first element.
pub fn alloc_elems(shape: *const PlatShape, n: usize, width: usize) -> *mut u8 {
    debug_assert!(matches!(width, 1 | 2 | 4 | 8));
    crate::gc::limit::check_elems("buffer", n, width, SLOTS_OFFSET);
    if n > MAX_SLOTS * (8 / width) {
        crate::rt_fatal!("out of memory: buffer of {n} elements");
    }
    // No overflow: `n * width <= 8 * MAX_SLOTS < isize::MAX - 16`.
    let obj = heap::alloc(SLOTS_OFFSET + width * n, shape);
    // SAFETY: `obj` is a fresh object of `16 + width * n` bytes: the
    // capacity word at offset 8 and the elements from offset 16 are inside
    // it.
    unsafe {
        (obj.add(8) as *mut u64).write(n as u64);
        obj.add(SLOTS_OFFSET)
    }
}

/// The capacity (in slots or elements) of the buffer whose first slot or
/// element is `first`.
///
/// # Safety
///
/// `first` came from [`alloc_slots`] or [`alloc_elems`].
#[inline]
pub unsafe fn capacity<T>(first: *const T) -> usize {
    // SAFETY: the capacity word sits just before the first element, 8
    // bytes into the object (caller's contract).
    unsafe {
        *((first as *const u8).sub(plat_abi::object::list::CAP_BEFORE_DATA) as *const u64) as usize
    }
}

/// Makes room in place for `n` elements of `width` bytes in the buffer
/// whose first element is `first`, if the memory right after it is free
/// (a large buffer only, see [`heap::try_grow_large`]); whether it did.
/// The room added is zero, and the capacity word is unchanged: the
/// caller fills what it must, then calls [`raise_capacity`].
///
/// # Safety
///
/// `first` is the first element of a heap buffer made by
/// [`alloc_elems`] with the same `width`, and `n` is above its capacity;
/// the caller may change the buffer (a list's writer).
pub unsafe fn extend_in_place(first: *mut u8, n: usize, width: usize) -> bool {
    if n > MAX_SLOTS * (8 / width) {
        return false;
    }
    let obj = first.wrapping_sub(SLOTS_OFFSET) as usize;
    heap::try_grow_large(obj, SLOTS_OFFSET + width * n)
}

/// Raises the capacity of a buffer grown by [`extend_in_place`] to `n`
/// (Release: whoever sees the new capacity sees what was written into
/// the added room before).
///
/// # Safety
///
/// `first` is the first element of a buffer that
/// [`extend_in_place`] grew to room for `n` elements.
pub unsafe fn raise_capacity(first: *mut u8, n: usize) {
    // SAFETY: the capacity word, 8 bytes before the first element, is an
    // aligned u64 of the buffer (caller).
    let word = unsafe { &*(first.sub(8) as *const std::sync::atomic::AtomicU64) };
    word.store(n as u64, std::sync::atomic::Ordering::Release);
}

/// The size in bytes of the buffer object whose first slot or element is
/// `first`, computed as the collector will: from its header and capacity
/// word only.
///
/// # Safety
///
/// As [`capacity`].
pub unsafe fn object_size<T>(first: *const T) -> usize {
    // SAFETY: the header is 16 bytes before the first element and points
    // to a shape that lives forever (caller's contract).
    let (shape, cap) = unsafe {
        let obj = (first as *const u8).sub(SLOTS_OFFSET);
        (&**(obj as *const *const PlatShape), capacity(first))
    };
    let width = match shape.shape_kind() {
        ShapeKind::Bytes => shape.payload_words as usize,
        _ => 8,
    };
    (SLOTS_OFFSET + width * cap).next_multiple_of(heap::ALIGN)
}

/// Children lists for the static Array shapes (`&PlatShape` has the layout
/// of `*const PlatShape` and is `Sync`).
type Children<const N: usize> = [&'static PlatShape; N];

const fn array_shape(children: &'static [&'static PlatShape]) -> PlatShape {
    let mut s = PlatShape::leaf(ShapeKind::Array, c"Array");
    s.n_children = children.len() as u64;
    s.children = children.as_ptr() as *const *const PlatShape;
    s
}

const fn bytes_shape(children: &'static [&'static PlatShape], width: u64) -> PlatShape {
    let mut s = PlatShape::leaf(ShapeKind::Bytes, c"Bytes");
    s.payload_words = width;
    s.n_children = children.len() as u64;
    s.children = children.as_ptr() as *const *const PlatShape;
    s
}

macro_rules! static_arrays {
    ($($name:ident / $kids:ident = $elem:ident;)*) => {$(
        static $kids: Children<1> = [&$elem];
        #[doc = concat!("The Array shape of `", stringify!($elem), "` slots.")]
        pub static $name: PlatShape = array_shape(&$kids);
    )*};
}

static_arrays! {
    ARRAY_INT64 / KIDS_INT64 = plat_type_int64;
    ARRAY_FLOAT64 / KIDS_FLOAT64 = plat_type_float64;
    ARRAY_UNIT / KIDS_UNIT = plat_type_unit;
    ARRAY_STRING / KIDS_STRING = plat_shape_string;
}

macro_rules! static_bytes {
    ($($name:ident / $kids:ident = $elem:ident, $width:literal;)*) => {$(
        static $kids: Children<1> = [&$elem];
        #[doc = concat!("The Bytes shape of `", stringify!($elem), "` elements.")]
        pub static $name: PlatShape = bytes_shape(&$kids, $width);
    )*};
}

static_bytes! {
    BYTES_BOOL / BKIDS_BOOL = plat_type_bool, 1;
    BYTES_INT8 / BKIDS_INT8 = plat_type_int8, 1;
    BYTES_INT16 / BKIDS_INT16 = plat_type_int16, 2;
    BYTES_INT32 / BKIDS_INT32 = plat_type_int32, 4;
    BYTES_FLOAT32 / BKIDS_FLOAT32 = plat_type_float32, 4;
}

/// The shape of a hash index: positions only, nothing to trace.
pub fn index_shape() -> *const PlatShape {
    &ARRAY_INT64
}

/// The shape of the element buffer of a list of type `list_desc`: a Bytes
/// shape for narrow elements ([`Elem::of`]), an Array shape otherwise.
pub fn list_buffer_shape(list_desc: &'static PlatShape) -> *const PlatShape {
    // SAFETY: a List descriptor has one child (module contract of
    // `collections`).
    let elem = unsafe { list_desc.child(0) };
    match Elem::of(elem) {
        Elem::Bool => return &BYTES_BOOL,
        Elem::I8 => return &BYTES_INT8,
        Elem::I16 => return &BYTES_INT16,
        Elem::I32 => return &BYTES_INT32,
        Elem::F32 => return &BYTES_FLOAT32,
        Elem::Slot => {}
    }
    match elem.shape_kind() {
        ShapeKind::Int64 => &ARRAY_INT64 as *const PlatShape,
        ShapeKind::Float64 => &ARRAY_FLOAT64 as *const PlatShape,
        ShapeKind::Unit => &ARRAY_UNIT as *const PlatShape,
        ShapeKind::String => &ARRAY_STRING as *const PlatShape,
        _ => derived(list_desc, &[elem]),
    }
}

/// The shape of a buffer of whole 8-byte slots holding values of type
/// `owner.children[0]`, whatever their width (a channel's ring buffer):
/// an Array of `Int64` for scalars (no pointers), of `String`, or
/// derived for `owner`.
pub fn slot_buffer_shape(owner: &'static PlatShape) -> *const PlatShape {
    // SAFETY: the owner's descriptor has its value type as child 0
    // (callers' contract).
    let elem = unsafe { owner.child(0) };
    match elem.shape_kind() {
        ShapeKind::String => &ARRAY_STRING as *const PlatShape,
        ShapeKind::Bool
        | ShapeKind::Int8
        | ShapeKind::Int16
        | ShapeKind::Int32
        | ShapeKind::Int64
        | ShapeKind::Float32
        | ShapeKind::Float64
        | ShapeKind::Unit => &ARRAY_INT64 as *const PlatShape,
        _ => derived(owner, &[elem]),
    }
}

/// The shape of the entries Array of a dict (`[Int64, K, V]`) or set
/// (`[Int64, T]`) of type `desc`.
pub fn entries_shape(desc: &'static PlatShape) -> *const PlatShape {
    // SAFETY: Dict descriptors have two children, Set descriptors one.
    unsafe {
        if desc.shape_kind() == ShapeKind::Dict {
            derived(desc, &[&plat_type_int64, desc.child(0), desc.child(1)])
        } else {
            derived(desc, &[&plat_type_int64, desc.child(0)])
        }
    }
}

const LOCAL_SIZE: usize = 64;

thread_local! {
    /// Direct-mapped cache of `GLOBAL`: (owner address, shape address).
    static LOCAL: [Cell<(usize, usize)>; LOCAL_SIZE] =
        const { [const { Cell::new((0, 0)) }; LOCAL_SIZE] };
}

/// Owner descriptor address -> its derived Array shape (leaked).
static GLOBAL: Mutex<BTreeMap<usize, usize>> = Mutex::new(BTreeMap::new());

/// The Array shape with `children` derived from `owner`, made once.
fn derived(owner: &'static PlatShape, children: &[&'static PlatShape]) -> *const PlatShape {
    let key = owner as *const PlatShape as usize;
    let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) % LOCAL_SIZE;
    let hit = LOCAL.with(|c| {
        let (k, v) = c[slot].get();
        (k == key).then_some(v)
    });
    if let Some(shape) = hit {
        return shape as *const PlatShape;
    }
    let shape = derived_slow(key, children);
    LOCAL.with(|c| c[slot].set((key, shape)));
    shape as *const PlatShape
}

#[cold]
fn derived_slow(key: usize, children: &[&'static PlatShape]) -> usize {
    let mut map = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    *map.entry(key).or_insert_with(|| {
        let kids: &'static [&'static PlatShape] = Box::leak(children.to_vec().into_boxed_slice());
        let shape: &'static PlatShape = Box::leak(Box::new(array_shape(kids)));
        shape as *const PlatShape as usize
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdesc;

    #[test]
    fn ensure_that_arrays_record_their_capacity_and_shape() {
        let slots = alloc_slots(index_shape(), 5);
        // SAFETY: a fresh Array of 5 slots.
        unsafe {
            assert_eq!(capacity(slots), 5);
            let header = *(slots as *const *const PlatShape).sub(2);
            assert_eq!(header, index_shape());
            assert!((0..5).all(|i| *slots.add(i) == 0));
        }
    }

    #[test]
    fn ensure_that_element_widths_are_the_compilers_for_every_kind() {
        // Kinds past the table too: an unknown kind is stored as a slot.
        for k in 0..=plat_abi::kind::MAX + 1 {
            let shape = PlatShape {
                kind: k,
                ..PlatShape::leaf(ShapeKind::Unit, c"t")
            };
            let e = Elem::of(&shape);
            assert_eq!(e.width(), plat_abi::kind::list_elem_width(k), "kind {k}");
        }
    }

    #[test]
    fn ensure_that_element_widths_follow_the_documented_rule() {
        let cases: [(&PlatShape, Elem, usize, ShapeKind); 9] = [
            (&plat_type_bool, Elem::Bool, 1, ShapeKind::Bytes),
            (&plat_type_int8, Elem::I8, 1, ShapeKind::Bytes),
            (&plat_type_int16, Elem::I16, 2, ShapeKind::Bytes),
            (&plat_type_int32, Elem::I32, 4, ShapeKind::Bytes),
            (&plat_type_float32, Elem::F32, 4, ShapeKind::Bytes),
            (&plat_type_int64, Elem::Slot, 8, ShapeKind::Array),
            (&plat_type_float64, Elem::Slot, 8, ShapeKind::Array),
            (&plat_type_unit, Elem::Slot, 8, ShapeKind::Array),
            (&plat_shape_string, Elem::Slot, 8, ShapeKind::Array),
        ];
        for (t, e, w, kind) in cases {
            assert_eq!(Elem::of(t), e);
            assert_eq!(e.width(), w);
            let s = list_buffer_shape(testdesc::list_of(t));
            // SAFETY: shapes live forever.
            unsafe {
                assert_eq!((*s).shape_kind(), kind);
                assert!(std::ptr::eq((*s).child(0), t));
                if kind == ShapeKind::Bytes {
                    assert_eq!((*s).payload_words, w as u64);
                }
            }
            let data = alloc_elems(s, 7, w);
            // SAFETY: a fresh buffer of 7 elements.
            unsafe {
                assert_eq!(capacity(data), 7);
                assert_eq!(object_size(data), (16 + 7 * w).next_multiple_of(8));
            }
        }
        let compound = [
            testdesc::list_of(&plat_type_bool),
            testdesc::dict_of(&plat_type_int8, &plat_type_int8),
            testdesc::set_of(&plat_type_int32),
            testdesc::option_of(&plat_type_bool),
            testdesc::class_of("P", &[("x", &plat_type_int8)]),
        ];
        for t in compound {
            assert_eq!(Elem::of(t), Elem::Slot);
        }
    }

    #[test]
    fn ensure_that_narrow_elements_truncate_and_widen_back() {
        let data = alloc_slots(index_shape(), 8) as *mut u8;
        let cases: [(Elem, u64, u64); 10] = [
            (Elem::Bool, 1, 1),
            (Elem::I8, -128i64 as u64, -128i64 as u64),
            (Elem::I8, 0x1_7F, 0x7F),
            (Elem::I16, -2i64 as u64, -2i64 as u64),
            (Elem::I16, 0xFFFF_8000, -32768i64 as u64),
            (Elem::I32, i32::MIN as i64 as u64, i32::MIN as i64 as u64),
            (
                Elem::F32,
                f32::NAN.to_bits() as u64,
                f32::NAN.to_bits() as u64,
            ),
            (Elem::F32, (-0.0f32).to_bits() as u64, 0x8000_0000),
            (Elem::Slot, u64::MAX, u64::MAX),
            (Elem::Slot, 0x8000_0000, 0x8000_0000),
        ];
        for (e, slot, back) in cases {
            // SAFETY: 8 slots, room for element 1 of any width.
            unsafe {
                e.store(data, 1, slot);
                assert_eq!(e.load(data, 1), back, "{e:?} {slot:#x}");
                assert_eq!(e.load(data, 0), 0, "element 0 untouched");
                std::ptr::write_bytes(data, 0, 64);
            }
        }
    }

    #[test]
    fn ensure_that_buffer_shapes_name_the_slot_types() {
        let ints = testdesc::list_of(&plat_type_int32);
        let s = list_buffer_shape(ints);
        // SAFETY: shapes live forever.
        unsafe {
            assert_eq!((*s).shape_kind(), ShapeKind::Bytes);
            assert_eq!((*s).payload_words, 4);
            assert!(std::ptr::eq((*s).child(0), &plat_type_int32));
        }
        let longs = testdesc::list_of(&plat_type_int64);
        let s = list_buffer_shape(longs);
        // SAFETY: shapes live forever.
        unsafe {
            assert_eq!((*s).shape_kind(), ShapeKind::Array);
            assert!(std::ptr::eq((*s).child(0), &plat_type_int64));
        }
        let nested = testdesc::list_of(ints);
        let a = list_buffer_shape(nested);
        assert_eq!(a, list_buffer_shape(nested), "made once");
        // SAFETY: as above.
        unsafe { assert!(std::ptr::eq((*a).child(0), ints)) };
        let d = testdesc::dict_of(&plat_shape_string, ints);
        let e = entries_shape(d);
        // SAFETY: as above.
        unsafe {
            assert_eq!((*e).n_children, 3);
            assert!(std::ptr::eq((*e).child(0), &plat_type_int64));
            assert!(std::ptr::eq((*e).child(1), &plat_shape_string));
            assert!(std::ptr::eq((*e).child(2), ints));
        }
        let from_other_thread = std::thread::spawn(move || entries_shape(d) as usize)
            .join()
            .expect("thread");
        assert_eq!(from_other_thread, e as usize);
    }
}
