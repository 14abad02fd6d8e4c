//! Byte offsets in heap objects and in the shape descriptors their headers
//! point to (docs/runtime-abi.md "Heap objects", "Strings", "Type
//! descriptors", "Objects", "Closures").
//!
//! Every heap object starts with a one-word header, a pointer to its
//! `PlatShape`; payload words follow, one 64-bit slot per value.

use crate::WORD;

/// The header word: a pointer to the object's `PlatShape`.
pub const HEADER: usize = 0;
/// Bytes of the header; the payload starts here.
pub const HEADER_SIZE: usize = WORD;

/// `PlatShape` (runtime `gc::shape::PlatShape`, `#[repr(C)]`): a shape and
/// type descriptor, static data emitted by the compiler or a runtime
/// static.
pub mod shape {
    /// `kind: u32`, a [`crate::kind`] number.
    pub const KIND: usize = 0;
    /// `flags: u32`, 0 (reserved).
    pub const FLAGS: usize = 4;
    /// `payload_words: u64`: Class and Sync: words after the header;
    /// Bytes: the element width in bytes.
    pub const PAYLOAD_WORDS: usize = 8;
    /// `ptr_map: *const u64`: Class and Sync: bit `i % 64` of word
    /// `i / 64` set iff payload word `i` is a heap pointer (or null);
    /// null when no word is.
    pub const PTR_MAP: usize = 16;
    /// `name: *const c_char`: the NUL-terminated type name, or null.
    pub const NAME: usize = 24;
    /// `n_children: u64`.
    pub const N_CHILDREN: usize = 32;
    /// `children: *const *const PlatShape` (Enum: `PlatVariant`s, cast).
    pub const CHILDREN: usize = 40;
    /// `child_names: *const *const c_char`: Class: field names.
    pub const CHILD_NAMES: usize = 48;
    /// `vtable: *const *const u8`: Class: virtual method addresses, one
    /// word per slot number.
    pub const VTABLE: usize = 56;
    /// `parent: *const PlatShape`: Class: the parent class, or null.
    pub const PARENT: usize = 64;
    /// Size of a `PlatShape`.
    pub const SIZE: usize = 72;
}

/// `PlatVariant` (runtime `gc::shape::PlatVariant`): one variant of an
/// Enum descriptor.
pub mod variant {
    /// `name: *const c_char`, NUL-terminated.
    pub const NAME: usize = 0;
    /// `n_fields: u64`.
    pub const N_FIELDS: usize = 8;
    /// `fields: *const *const PlatShape`: the payload slots' types (null
    /// when there are none).
    pub const FIELDS: usize = 16;
    /// Size of a `PlatVariant`.
    pub const SIZE: usize = 24;
}

/// A class instance: `[header][field 0][field 1]...`, fields of parent
/// classes first.
pub mod class {
    /// Field 0; field `i` is at `FIELDS + 8 * i`.
    pub const FIELDS: usize = super::HEADER_SIZE;
}

/// An enum value: `[header][tag: u64][payload slot 0]...`, sized for its
/// variant (a unit variant's value is `UNIT_SIZE` bytes).
pub mod enumeration {
    /// The variant's index in its descriptor's children.
    pub const TAG: usize = 8;
    /// Payload slot 0; slot `i` is at `PAYLOAD + 8 * i`.
    pub const PAYLOAD: usize = 16;
    /// Size of the value of a variant without payload.
    pub const UNIT_SIZE: usize = PAYLOAD;
}

/// A string (runtime `string::PlatStr`): header, lengths, a data pointer,
/// then (for an inline string) the UTF-8 bytes. No NUL follows the bytes.
pub mod string {
    /// `byte_len: u64`.
    pub const BYTE_LEN: usize = 8;
    /// `char_len: u64`: Plat counts characters, not bytes; equal to
    /// `byte_len` exactly when the string is ASCII.
    pub const CHAR_LEN: usize = 16;
    /// `data: *const u8`: null when the bytes are inline (every literal),
    /// else the first byte of a string buffer (a view; a precise pointer
    /// for the collector).
    pub const DATA_PTR: usize = 24;
    /// The first inline UTF-8 byte (the size of the fixed part).
    pub const DATA: usize = 32;
    /// The most characters a string may have (`length()` is an `Int32`).
    pub const MAX_CHARS: u64 = i32::MAX as u64;
}

/// A list (runtime `collections::list::PlatList`):
/// `[header][len][writer][data]`.
pub mod list {
    /// `len: u64`, the number of elements.
    pub const LEN: usize = 8;
    /// `writer: u64`: the `ctx` of the owning task, with [`WRITING`] set
    /// while a runtime mutation is in progress (compiled code only
    /// compares it with its `ctx`).
    pub const WRITER: usize = 16;
    /// `data: *mut u8`: element 0 of the current buffer, never null;
    /// element `i` at `data + i * W` (`W` from
    /// [`crate::kind::list_elem_width`]).
    pub const DATA: usize = 24;
    /// Size of a list object.
    pub const SIZE: usize = 32;
    /// Bit of `writer` set during a runtime mutation.
    pub const WRITING: u64 = 1;
    /// How far before `data` the buffer's capacity word (`u64`, in
    /// elements) is: at `data - CAP_BEFORE_DATA`.
    pub const CAP_BEFORE_DATA: usize = 8;
}

/// A closure (function value): `[header][code][captured slot 0]...`; the
/// header is the Class-kind descriptor of the environment, whose field 0
/// is `code`.
pub mod closure {
    /// `code`: `fn(ctx, env, params...) -> result`, called with the
    /// closure object itself as `env`.
    pub const CODE: usize = 8;
    /// Captured slot 0; slot `i` is at `CAPTURES + 8 * i`.
    pub const CAPTURES: usize = 16;
}
