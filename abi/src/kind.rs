//! `PlatShape.kind` numbers: what a shape (type descriptor) describes.
//!
//! The runtime's `gc::shape::ShapeKind` takes its discriminants from these
//! constants; a number outside this table in a descriptor is a runtime
//! bug (`fatal: type descriptor of unknown kind`), never a wild read.
//! See docs/runtime-abi.md "Type descriptors" for the children, names and
//! objects of each kind.

/// A string (`PlatStr`): no pointers, variable size. Only
/// `plat_shape_string` (a runtime static) has this kind.
pub const STRING: u32 = 1;
/// Reserved (a fixed-size object without pointers).
pub const LEAF: u32 = 2;
/// A class instance (and a closure environment): one slot per field,
/// parent fields first; `payload_words` and `ptr_map` describe them.
pub const CLASS: u32 = 3;
/// An enum value: `[header][tag][payload slots of the variant]`; children
/// are `PlatVariant`s.
pub const ENUM: u32 = 4;
/// `List[T]`; children `[T]`.
pub const LIST: u32 = 5;
/// `Dict[K, V]`; children `[K, V]`.
pub const DICT: u32 = 6;
/// `Set[T]`; children `[T]`.
pub const SET: u32 = 7;
/// A runtime slot buffer (runtime-internal).
pub const ARRAY: u32 = 8;
/// A runtime buffer of narrow scalars (runtime-internal).
pub const BYTES: u32 = 9;
/// `Task<T>`; children `[T]`. Values are task handles.
pub const TASK: u32 = 10;
/// `Fn(...) -> R`. Values are closure objects with their own headers.
pub const FUNCTION: u32 = 11;
/// A runtime handle compared by identity (a `concurrent` scope; the type
/// of `Atomic`/sync values, whose objects carry `SYNC` headers).
pub const OPAQUE: u32 = 12;
/// `Channel<T>`; children `[T]`. Also the header of channel objects.
pub const CHANNEL: u32 = 13;
/// The header of a synchronisation object (runtime statics).
pub const SYNC: u32 = 14;
/// The header of a task handle object (runtime-internal).
pub const TASK_HANDLE: u32 = 15;
/// Scalar kinds: only ever children, never object headers.
pub const BOOL: u32 = 16;
pub const INT8: u32 = 17;
pub const INT16: u32 = 18;
pub const INT32: u32 = 19;
pub const INT64: u32 = 20;
pub const FLOAT32: u32 = 21;
pub const FLOAT64: u32 = 22;
pub const UNIT: u32 = 23;

/// The largest kind number in use.
pub const MAX: u32 = UNIT;

/// Bytes per element of a list whose element type has kind `kind`
/// (docs/runtime-abi.md "Objects", List): `Bool` and `Int8` 1, `Int16` 2,
/// `Int32` and `Float32` 4, every other type an 8-byte slot. The width is
/// decided by the kind alone.
pub const fn list_elem_width(kind: u32) -> usize {
    match kind {
        BOOL | INT8 => 1,
        INT16 => 2,
        INT32 | FLOAT32 => 4,
        _ => crate::WORD,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_scalars_are_stored_at_their_own_width_and_the_rest_in_slots() {
        assert_eq!(list_elem_width(BOOL), 1);
        assert_eq!(list_elem_width(INT8), 1);
        assert_eq!(list_elem_width(INT16), 2);
        assert_eq!(list_elem_width(INT32), 4);
        assert_eq!(list_elem_width(FLOAT32), 4);
        for k in [INT64, FLOAT64, UNIT, STRING, CLASS, ENUM, LIST, TASK] {
            assert_eq!(list_elem_width(k), 8, "kind {k}");
        }
    }
}
