//! Shape descriptors: the static data every heap object's header points
//! to, which double as run-time type descriptors.
//!
//! Known to compiler: the layouts of [`PlatShape`] and [`PlatVariant`] and
//! the [`ShapeKind`] numbers come from `plat_abi` (`object::shape`,
//! `object::variant`, `kind`), the one source both sides build on; the
//! assertions below tie these structs to it, so a layout change made on
//! one side only does not build. The exported statics
//! (`plat_shape_string`, `plat_type_*`) are named in the code generator
//! (`compiler/src/codegen/types.rs`); all of it is documented in
//! `docs/runtime-abi.md` ("Heap objects", "Types, objects and
//! collections").
//!
//! # Invariants
//!
//! - A shape is immutable data that lives for the whole process (compiler
//!   read-only data, runtime statics, or runtime shapes leaked once, see
//!   `crate::collections::array`); the collector may read it at any time
//!   from any thread. Shapes never point into the Plat heap.
//! - `kind` decides how the collector finds an object's size and pointers:
//!   - String: one pointer, the `data` word (null, or the first byte of
//!     a string buffer: an interior pointer), see `crate::string`.
//!   - Leaf: no pointers (string buffers, `crate::string::append`).
//!   - Class: `payload_words` fields; field `i` (object offset `8 + 8 * i`)
//!     is a pointer (or null) iff bit `i % 64` of `ptr_map[i / 64]` is set;
//!     `ptr_map` is null when no field is a pointer.
//!   - Enum: `[header][tag][payload]`; the variant `children[tag]` gives
//!     the payload's size and field types (`ptr_map` is null).
//!   - List, Dict, Set: fixed private layouts (`crate::collections`).
//!   - Array: `[header][capacity][slots]`, slot `i` of type
//!     `children[i % n_children]`.
//!   - Bytes: `[header][capacity][elements]`: `capacity` elements of
//!     `payload_words` bytes each (1, 2 or 4), of the scalar type
//!     `children[0]`; no pointers; object size `16 + capacity *
//!     payload_words`, rounded up to 8 (see `crate::collections::array`).
//!   - Task, Function, Opaque: descriptors of *types* whose values are
//!     not described by them: a task handle (`crate::sched::task::Task`,
//!     runtime memory with no shape header), a closure object (whose own
//!     header is the Class-kind descriptor of its environment), a runtime
//!     handle (a scope now; locks may use it). They are never object
//!     headers.
//!   - Channel: `[header][chan::core::Chan]`, see `crate::chan`.
//!   - Sync: as Class (`payload_words`, `ptr_map`); no children. The
//!     header of every synchronisation object (`crate::sync`).
//!   - Scalar kinds are never object headers, only children.
//! - `children` points to `n_children` descriptors (for an Enum: to
//!   `PlatVariant`s, cast) and `child_names` (Class only) to as many
//!   NUL-terminated names; both may be null when `n_children` is 0.

use std::ffi::{c_char, CStr};
use std::mem::{offset_of, size_of};

use plat_abi::kind;
use plat_abi::object::{shape, variant};

/// What a shape describes. Stored as a `u32` in [`PlatShape::kind`]; the
/// numbers are `plat_abi::kind`'s.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeKind {
    /// A string (`crate::string::PlatStr`): its `data` word is a
    /// pointer (null for inline bytes), variable size.
    String = kind::STRING,
    /// An object without pointers: the runtime's string buffers
    /// (`crate::string::append`). Never a type descriptor.
    Leaf = kind::LEAF,
    /// A class instance: one slot per field, parent fields first.
    Class = kind::CLASS,
    /// An enum value: `[header][tag][payload slots of the variant]`.
    Enum = kind::ENUM,
    /// `List[T]`; children `[T]`.
    List = kind::LIST,
    /// `Dict[K, V]`; children `[K, V]`.
    Dict = kind::DICT,
    /// `Set[T]`; children `[T]`.
    Set = kind::SET,
    /// A runtime slot buffer; slot `i` has type `children[i % n_children]`.
    Array = kind::ARRAY,
    /// A runtime buffer of narrow scalars (`List[Bool]`...): `capacity`
    /// elements of `payload_words` bytes each, type `children[0]`, no
    /// pointers.
    Bytes = kind::BYTES,
    /// `Task<T>`; children `[T]`. A value is a task handle (no header):
    /// equal and hashed by identity, rendered `<task N>`.
    Task = kind::TASK,
    /// `Fn(...) -> R`; no children. A value is a closure object whose
    /// header is its environment's descriptor (Class kind): equal and
    /// hashed by identity, rendered `<NAME>` with that header's name.
    Function = kind::FUNCTION,
    /// A runtime handle without a header of its own (a `concurrent`
    /// scope; future channels and locks may use it): equal and hashed by
    /// identity, rendered `<NAME>` with this descriptor's name.
    Opaque = kind::OPAQUE,
    /// `Channel<T>`; children `[T]`. A value is a channel object
    /// (`crate::chan`) whose header is this descriptor: equal and hashed
    /// by identity, rendered `<NAME>`.
    Channel = kind::CHANNEL,
    /// A synchronisation object (`Mutex`, `RwLock`, `Condition`,
    /// `WaitGroup`, `Semaphore`, `Once`, `Atomic`, `CancelToken`,
    /// `Ticker`, `RateLimiter`; runtime static shapes named after the
    /// type, see `crate::sync`): a fixed-size record, `payload_words`
    /// words after the header, word `i` a Plat heap pointer (or null) iff
    /// bit `i % 64` of `ptr_map[i / 64]` is set, as for a Class.
    Sync = kind::SYNC,
    /// The header of a task handle object (`crate::sched::task::Task`,
    /// one word in: compiled code holds the handle's address, an interior
    /// pointer of the object). Runtime-internal: never a type descriptor.
    TaskHandle = kind::TASK_HANDLE,
    Bool = kind::BOOL,
    Int8 = kind::INT8,
    Int16 = kind::INT16,
    Int32 = kind::INT32,
    Int64 = kind::INT64,
    Float32 = kind::FLOAT32,
    Float64 = kind::FLOAT64,
    Unit = kind::UNIT,
}

impl ShapeKind {
    /// The kind stored in a descriptor, or `None` for an unknown number.
    #[inline]
    pub fn from_u32(k: u32) -> Option<ShapeKind> {
        use ShapeKind::*;
        Some(match k {
            kind::STRING => String,
            kind::LEAF => Leaf,
            kind::CLASS => Class,
            kind::ENUM => Enum,
            kind::LIST => List,
            kind::DICT => Dict,
            kind::SET => Set,
            kind::ARRAY => Array,
            kind::BYTES => Bytes,
            kind::TASK => Task,
            kind::FUNCTION => Function,
            kind::OPAQUE => Opaque,
            kind::CHANNEL => Channel,
            kind::SYNC => Sync,
            kind::TASK_HANDLE => TaskHandle,
            kind::BOOL => Bool,
            kind::INT8 => Int8,
            kind::INT16 => Int16,
            kind::INT32 => Int32,
            kind::INT64 => Int64,
            kind::FLOAT32 => Float32,
            kind::FLOAT64 => Float64,
            kind::UNIT => Unit,
            _ => return None,
        })
    }
}

/// A shape / type descriptor. Known to compiler; see the module doc.
///
/// Layout (`#[repr(C)]`, 72 bytes):
///
/// ```text
/// offset 0   kind: u32                      ShapeKind
/// offset 4   flags: u32                     0 (reserved)
/// offset 8   payload_words: u64             Class: fields after the header;
///                                           Bytes: element width in bytes
/// offset 16  ptr_map: *const u64            Class: pointer bitmap, or null
/// offset 24  name: *const c_char            NUL-terminated, or null
/// offset 32  n_children: u64
/// offset 40  children: *const *const PlatShape
/// offset 48  child_names: *const *const c_char   Class: field names
/// offset 56  vtable: *const *const u8       Class: virtual methods
/// offset 64  parent: *const PlatShape       Class: parent class, or null
/// ```
#[repr(C)]
#[derive(Debug)]
pub struct PlatShape {
    pub kind: u32,
    pub flags: u32,
    pub payload_words: u64,
    pub ptr_map: *const u64,
    pub name: *const c_char,
    pub n_children: u64,
    pub children: *const *const PlatShape,
    pub child_names: *const *const c_char,
    pub vtable: *const *const u8,
    pub parent: *const PlatShape,
}

// SAFETY: a `PlatShape` is immutable data that lives forever (module
// invariant), and everything it points to is immutable static data too;
// sharing it between threads is therefore sound.
unsafe impl Sync for PlatShape {}
// SAFETY: as for `Sync`: nothing in a shape is ever mutated or freed.
unsafe impl Send for PlatShape {}

/// One variant of an enum descriptor (`children[tag]`, cast). Known to
/// compiler:
///
/// ```text
/// offset 0   name: *const c_char                NUL-terminated
/// offset 8   n_fields: u64
/// offset 16  fields: *const *const PlatShape    payload slot types
/// ```
#[repr(C)]
#[derive(Debug)]
pub struct PlatVariant {
    pub name: *const c_char,
    pub n_fields: u64,
    pub fields: *const *const PlatShape,
}

// SAFETY: as for `PlatShape`: immutable data that lives forever.
unsafe impl Sync for PlatVariant {}

// The layouts compiled code emits (plat_abi).
const _: () = {
    assert!(offset_of!(PlatShape, kind) == shape::KIND);
    assert!(offset_of!(PlatShape, flags) == shape::FLAGS);
    assert!(offset_of!(PlatShape, payload_words) == shape::PAYLOAD_WORDS);
    assert!(offset_of!(PlatShape, ptr_map) == shape::PTR_MAP);
    assert!(offset_of!(PlatShape, name) == shape::NAME);
    assert!(offset_of!(PlatShape, n_children) == shape::N_CHILDREN);
    assert!(offset_of!(PlatShape, children) == shape::CHILDREN);
    assert!(offset_of!(PlatShape, child_names) == shape::CHILD_NAMES);
    assert!(offset_of!(PlatShape, vtable) == shape::VTABLE);
    assert!(offset_of!(PlatShape, parent) == shape::PARENT);
    assert!(size_of::<PlatShape>() == shape::SIZE);
    assert!(offset_of!(PlatVariant, name) == variant::NAME);
    assert!(offset_of!(PlatVariant, n_fields) == variant::N_FIELDS);
    assert!(offset_of!(PlatVariant, fields) == variant::FIELDS);
    assert!(size_of::<PlatVariant>() == variant::SIZE);
    assert!(ShapeKind::Unit as u32 == kind::MAX);
};

impl PlatShape {
    /// A descriptor with only a kind and a name (scalars, String).
    pub const fn leaf(kind: ShapeKind, name: &'static CStr) -> PlatShape {
        PlatShape {
            kind: kind as u32,
            flags: 0,
            payload_words: 0,
            ptr_map: std::ptr::null(),
            name: name.as_ptr(),
            n_children: 0,
            children: std::ptr::null(),
            child_names: std::ptr::null(),
            vtable: std::ptr::null(),
            parent: std::ptr::null(),
        }
    }

    /// The kind, or a runtime bug for a number outside the table.
    #[inline]
    pub fn shape_kind(&self) -> ShapeKind {
        match ShapeKind::from_u32(self.kind) {
            Some(k) => k,
            None => bad_kind(self.kind),
        }
    }

    /// Child `i` (element, key or value type; field type of a class).
    ///
    /// # Safety
    ///
    /// `i < n_children` and the shape is well-formed (module invariants);
    /// not for Enum shapes, whose children are variants.
    #[inline]
    pub unsafe fn child(&self, i: usize) -> &'static PlatShape {
        debug_assert!((i as u64) < self.n_children);
        // SAFETY: `children` holds `n_children` valid descriptors that live
        // forever (caller's contract and module invariants).
        unsafe { &**self.children.add(i) }
    }

    /// Variant `tag` of an Enum shape.
    ///
    /// # Safety
    ///
    /// `self` is a well-formed Enum shape and `tag < n_children`.
    #[inline]
    pub unsafe fn variant(&self, tag: usize) -> &'static PlatVariant {
        debug_assert!((tag as u64) < self.n_children);
        // SAFETY: an Enum's children are `PlatVariant` pointers (module
        // invariants), valid forever.
        unsafe { &*(*self.children.add(tag) as *const PlatVariant) }
    }

    /// Name of field `i` of a Class shape (`"?"` when absent).
    ///
    /// # Safety
    ///
    /// As [`PlatShape::child`].
    pub unsafe fn child_name(&self, i: usize) -> &'static [u8] {
        if self.child_names.is_null() {
            return b"?";
        }
        // SAFETY: `child_names` holds `n_children` names (caller's
        // contract).
        unsafe { cstr_bytes(*self.child_names.add(i)) }
    }

    /// The descriptor's name (`"?"` when null).
    pub fn name_bytes(&self) -> &'static [u8] {
        // SAFETY: `name` is null or a NUL-terminated static string (module
        // invariants).
        unsafe { cstr_bytes(self.name) }
    }
}

impl PlatVariant {
    /// The type of payload field `i`.
    ///
    /// # Safety
    ///
    /// `i < n_fields` and the variant is well-formed.
    #[inline]
    pub unsafe fn field(&self, i: usize) -> &'static PlatShape {
        debug_assert!((i as u64) < self.n_fields);
        // SAFETY: `fields` holds `n_fields` valid descriptors (caller).
        unsafe { &**self.fields.add(i) }
    }

    /// The variant's name (`"?"` when null).
    pub fn name_bytes(&self) -> &'static [u8] {
        // SAFETY: as in `PlatShape::name_bytes`.
        unsafe { cstr_bytes(self.name) }
    }
}

/// The bytes of a static C string; `"?"` for null.
///
/// # Safety
///
/// `p` is null or NUL-terminated static data.
unsafe fn cstr_bytes(p: *const c_char) -> &'static [u8] {
    if p.is_null() {
        b"?"
    } else {
        // SAFETY: non-null and NUL-terminated static data (caller).
        unsafe { CStr::from_ptr(p).to_bytes() }
    }
}

#[cold]
#[inline(never)]
fn bad_kind(kind: u32) -> ! {
    crate::rt_fatal!("type descriptor of unknown kind {kind}")
}

/// The shape of every string, heap-allocated or emitted as a literal by the
/// compiler (whose string literals relocate against this symbol); also the
/// `String` type descriptor.
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static plat_shape_string: PlatShape = PlatShape::leaf(ShapeKind::String, c"String");

/// The header of every task handle object (see [`ShapeKind::TaskHandle`]).
pub static TASK_HANDLE_SHAPE: PlatShape = PlatShape::leaf(ShapeKind::TaskHandle, c"task");

macro_rules! scalar_types {
    ($($sym:ident = $kind:ident $name:literal;)*) => {$(
        #[doc = concat!("Descriptor of the scalar type `", stringify!($kind), "`.")]
        #[no_mangle]
        #[allow(non_upper_case_globals)]
        pub static $sym: PlatShape = PlatShape::leaf(ShapeKind::$kind, $name);
    )*};
}

scalar_types! {
    plat_type_bool = Bool c"Bool";
    plat_type_int8 = Int8 c"Int8";
    plat_type_int16 = Int16 c"Int16";
    plat_type_int32 = Int32 c"Int32";
    plat_type_int64 = Int64 c"Int64";
    plat_type_float32 = Float32 c"Float32";
    plat_type_float64 = Float64 c"Float64";
    plat_type_unit = Unit c"Unit";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::offset_of;

    #[test]
    fn ensure_that_the_shape_layout_matches_the_documented_one() {
        assert_eq!(std::mem::size_of::<PlatShape>(), 72);
        assert_eq!(offset_of!(PlatShape, kind), 0);
        assert_eq!(offset_of!(PlatShape, flags), 4);
        assert_eq!(offset_of!(PlatShape, payload_words), 8);
        assert_eq!(offset_of!(PlatShape, ptr_map), 16);
        assert_eq!(offset_of!(PlatShape, name), 24);
        assert_eq!(offset_of!(PlatShape, n_children), 32);
        assert_eq!(offset_of!(PlatShape, children), 40);
        assert_eq!(offset_of!(PlatShape, child_names), 48);
        assert_eq!(offset_of!(PlatShape, vtable), 56);
        assert_eq!(offset_of!(PlatShape, parent), 64);
        assert_eq!(std::mem::size_of::<PlatVariant>(), 24);
        assert_eq!(offset_of!(PlatVariant, n_fields), 8);
        assert_eq!(offset_of!(PlatVariant, fields), 16);
    }

    #[test]
    fn ensure_that_kind_numbers_match_the_table() {
        let table = [
            (1, ShapeKind::String),
            (2, ShapeKind::Leaf),
            (3, ShapeKind::Class),
            (4, ShapeKind::Enum),
            (5, ShapeKind::List),
            (6, ShapeKind::Dict),
            (7, ShapeKind::Set),
            (8, ShapeKind::Array),
            (9, ShapeKind::Bytes),
            (10, ShapeKind::Task),
            (11, ShapeKind::Function),
            (12, ShapeKind::Opaque),
            (13, ShapeKind::Channel),
            (14, ShapeKind::Sync),
            (15, ShapeKind::TaskHandle),
            (16, ShapeKind::Bool),
            (17, ShapeKind::Int8),
            (18, ShapeKind::Int16),
            (19, ShapeKind::Int32),
            (20, ShapeKind::Int64),
            (21, ShapeKind::Float32),
            (22, ShapeKind::Float64),
            (23, ShapeKind::Unit),
        ];
        for (n, k) in table {
            assert_eq!(k as u32, n);
            assert_eq!(ShapeKind::from_u32(n), Some(k));
        }
        assert_eq!(ShapeKind::from_u32(0), None);
        assert_eq!(ShapeKind::from_u32(15), Some(ShapeKind::TaskHandle));
        assert_eq!(ShapeKind::from_u32(24), None);
        assert_eq!(plat_type_int32.shape_kind(), ShapeKind::Int32);
        assert_eq!(plat_type_unit.name_bytes(), b"Unit");
        assert_eq!(plat_shape_string.n_children, 0);
        assert!(plat_shape_string.children.is_null());
    }
}
