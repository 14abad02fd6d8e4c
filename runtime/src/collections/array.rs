//! Array objects: the slot buffers behind lists, dicts and sets, and their
//! shapes.
//!
//! ```text
//! offset 0   header: *const PlatShape   kind Array, children [T...]
//! offset 8   capacity: u64              number of slots
//! offset 16  slots                      slot i has type children[i % n]
//! ```
//!
//! Owners keep a pointer to the first slot ([`SLOTS_OFFSET`] bytes into
//! the object). The capacity word makes every Array self-describing, so
//! the collector can size it without knowing its owner.
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

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::gc::heap;
use crate::gc::shape::{
    plat_shape_string, plat_type_bool, plat_type_float32, plat_type_float64, plat_type_int16,
    plat_type_int32, plat_type_int64, plat_type_int8, plat_type_unit, PlatShape, ShapeKind,
};

/// Bytes from the start of an Array object to its first slot.
pub const SLOTS_OFFSET: usize = 16;
/// Largest number of slots an Array may have (keeps byte sizes in range).
pub const MAX_SLOTS: usize = (isize::MAX as usize) / 8 - 2;

/// Allocates an Array of `n` zeroed slots with the given shape and returns
/// a pointer to its first slot.
pub fn alloc_slots(shape: *const PlatShape, n: usize) -> *mut u64 {
    if n > MAX_SLOTS {
        crate::rt_fatal!("out of memory: buffer of {n} slots");
    }
    let obj = heap::alloc(SLOTS_OFFSET + 8 * n, shape);
    // SAFETY: `obj` is a fresh object of `16 + 8n` bytes: the capacity
    // word at offset 8 and the slots from offset 16 are inside it.
    unsafe {
        (obj.add(8) as *mut u64).write(n as u64);
        obj.add(SLOTS_OFFSET) as *mut u64
    }
}

/// The capacity of the Array whose first slot is `slots`.
///
/// # Safety
///
/// `slots` came from [`alloc_slots`].
#[inline]
pub unsafe fn capacity(slots: *const u64) -> usize {
    // SAFETY: the capacity word sits just before the first slot.
    unsafe { *slots.sub(1) as usize }
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

macro_rules! static_arrays {
    ($($name:ident / $kids:ident = $elem:ident;)*) => {$(
        static $kids: Children<1> = [&$elem];
        #[doc = concat!("The Array shape of `", stringify!($elem), "` slots.")]
        pub static $name: PlatShape = array_shape(&$kids);
    )*};
}

static_arrays! {
    ARRAY_BOOL / KIDS_BOOL = plat_type_bool;
    ARRAY_INT8 / KIDS_INT8 = plat_type_int8;
    ARRAY_INT16 / KIDS_INT16 = plat_type_int16;
    ARRAY_INT32 / KIDS_INT32 = plat_type_int32;
    ARRAY_INT64 / KIDS_INT64 = plat_type_int64;
    ARRAY_FLOAT32 / KIDS_FLOAT32 = plat_type_float32;
    ARRAY_FLOAT64 / KIDS_FLOAT64 = plat_type_float64;
    ARRAY_UNIT / KIDS_UNIT = plat_type_unit;
    ARRAY_STRING / KIDS_STRING = plat_shape_string;
}

/// The shape of a hash index: positions only, nothing to trace.
pub fn index_shape() -> *const PlatShape {
    &ARRAY_INT64
}

/// The shape of the slot buffer of a list of type `list_desc`.
pub fn list_buffer_shape(list_desc: &'static PlatShape) -> *const PlatShape {
    // SAFETY: a List descriptor has one child (module contract of
    // `collections`).
    let elem = unsafe { list_desc.child(0) };
    match elem.shape_kind() {
        ShapeKind::Bool => &ARRAY_BOOL as *const PlatShape,
        ShapeKind::Int8 => &ARRAY_INT8 as *const PlatShape,
        ShapeKind::Int16 => &ARRAY_INT16 as *const PlatShape,
        ShapeKind::Int32 => &ARRAY_INT32 as *const PlatShape,
        ShapeKind::Int64 => &ARRAY_INT64 as *const PlatShape,
        ShapeKind::Float32 => &ARRAY_FLOAT32 as *const PlatShape,
        ShapeKind::Float64 => &ARRAY_FLOAT64 as *const PlatShape,
        ShapeKind::Unit => &ARRAY_UNIT as *const PlatShape,
        ShapeKind::String => &ARRAY_STRING as *const PlatShape,
        _ => derived(list_desc, &[elem]),
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
    fn ensure_that_buffer_shapes_name_the_slot_types() {
        let ints = testdesc::list_of(&plat_type_int32);
        let s = list_buffer_shape(ints);
        // SAFETY: shapes live forever.
        unsafe {
            assert_eq!((*s).shape_kind(), ShapeKind::Array);
            assert!(std::ptr::eq((*s).child(0), &plat_type_int32));
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
