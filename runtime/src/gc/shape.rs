//! Shape descriptors: the static data every heap object's header points to.
//!
//! Known to compiler: the layout of [`PlatShape`] and the [`ShapeKind`]
//! numbers are emitted as static data by the code generator
//! (`compiler/src/codegen/runtime_abi.rs`) and documented in
//! `docs/runtime-abi.md`. Change all three in step.
//!
//! # Invariants
//!
//! - A shape is immutable static data that lives for the whole process; the
//!   collector may read it at any time from any thread.
//! - `kind` decides how the collector finds the object's size and pointers:
//!   - [`ShapeKind::String`]: no pointers after the header; size from the
//!     string's own byte length (see `crate::string`).
//!   - [`ShapeKind::Leaf`]: no pointers after the header; `payload_words`
//!     words of payload.
//!   - [`ShapeKind::Record`]: `payload_words` words of payload; word `i`
//!     of the payload (the word at byte offset `8 + 8 * i` of the object) is
//!     a pointer to a heap object (or null) iff bit `i % 64` of
//!     `ptr_map[i / 64]` is set.
//! - `ptr_map` is null when no payload word is a pointer, otherwise it
//!   points to `ceil(payload_words / 64)` words.

use std::ffi::c_char;

/// What sort of object a shape describes. Stored as a `u32` in [`PlatShape`].
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeKind {
    /// A string (`crate::string::PlatStr`): no pointers, variable size.
    String = 1,
    /// A fixed-size object without pointers (boxed floats, byte buffers of
    /// known size...).
    Leaf = 2,
    /// A fixed-size object with a pointer bitmap (class instances, enum
    /// payloads, closure capture records, `Option`/`Result` boxes).
    Record = 3,
}

/// A shape descriptor. Known to compiler; see the module doc.
///
/// Layout (`#[repr(C)]`, 32 bytes):
///
/// ```text
/// offset 0   kind: u32            ShapeKind
/// offset 4   flags: u32           0 for now (reserved)
/// offset 8   payload_words: u64   fixed kinds: words after the header
/// offset 16  ptr_map: *const u64  pointer bitmap, or null
/// offset 24  name: *const c_char  NUL-terminated, for diagnostics; may be null
/// ```
#[repr(C)]
#[derive(Debug)]
pub struct PlatShape {
    pub kind: u32,
    pub flags: u32,
    pub payload_words: u64,
    pub ptr_map: *const u64,
    pub name: *const c_char,
}

// SAFETY: a `PlatShape` is immutable static data (module invariant), and the
// pointers it holds point to immutable static data; sharing it between
// threads is therefore sound.
unsafe impl Sync for PlatShape {}

/// The shape of every string, heap-allocated or emitted as a literal by the
/// compiler (whose string literals relocate against this symbol).
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static plat_shape_string: PlatShape = PlatShape {
    kind: ShapeKind::String as u32,
    flags: 0,
    payload_words: 0,
    ptr_map: std::ptr::null(),
    name: c"String".as_ptr(),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_that_the_shape_layout_matches_the_documented_one() {
        assert_eq!(std::mem::size_of::<PlatShape>(), 32);
        assert_eq!(std::mem::offset_of!(PlatShape, kind), 0);
        assert_eq!(std::mem::offset_of!(PlatShape, flags), 4);
        assert_eq!(std::mem::offset_of!(PlatShape, payload_words), 8);
        assert_eq!(std::mem::offset_of!(PlatShape, ptr_map), 16);
        assert_eq!(std::mem::offset_of!(PlatShape, name), 24);
    }
}
