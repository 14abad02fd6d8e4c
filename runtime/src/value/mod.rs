//! Generic operations on values of any type, driven by type descriptors:
//! rendering (`print`, interpolation), equality (`==`, `contains`, dict
//! keys) and hashing (dict keys, set elements).
//!
//! Known to compiler (`docs/runtime-abi.md`, "Printing, equality,
//! hashing"): `plat_value_to_string`, `plat_value_eq`, `plat_value_hash`.
//!
//! # Slots
//!
//! A value is a 64-bit slot whose meaning its descriptor gives: integers
//! sign-extended (read here through their own width, so stray upper bits
//! are ignored), `Bool` 0 or 1 (any non-zero is true), `Float32` in the
//! low 32 bits, `Float64` as bits, `Unit` 0, anything else an object
//! pointer. A null object pointer is tolerated (it renders as `null` and
//! equals only null) although compiled code never produces one.
//!
//! # Semantics
//!
//! - Equality: strings by content; lists elementwise; dicts and sets by
//!   contents, order ignored; enums by tag and payload; class instances,
//!   task handles, function values (closure objects) and runtime handles
//!   by identity; scalars by value, floats by IEEE `==` (so a list
//!   holding NaN is not equal to itself, and `0.0 == -0.0`).
//! - Hashing is consistent with equality: equal values hash equally. The
//!   whole value is hashed, however deep; dicts and sets hash
//!   order-independently.
//! - Class instances are rendered through their *dynamic* descriptor (the
//!   object's header), so a subclass instance held as its parent type
//!   shows its own name and fields. Renderings: see [`print`].
//!
//! # Depth and cycles
//!
//! No routine here recurses on a value: each walks with an explicit work
//! list on the heap, so a value's depth (a 100,000-deep nested enum or
//! list) costs heap, never stack. That matters because this code runs on
//! task stacks with a small margin below the limit compiled code checks,
//! and has no stack checks of its own. Values that need no walk (scalars,
//! strings, identities) take an inline fast path that allocates nothing.
//!
//! Values can be cyclic: a class field, or a list, dict or set (which are
//! mutable) can hold a value that contains the object itself
//! (`xs.push(value = Node::Kids(field0 = xs))`). Enums are immutable, so
//! every cycle passes through one of those objects. Each walk keeps the
//! objects open on its current path ([`PathSet`]):
//!
//! - rendering prints `...` for an object already being rendered further
//!   out (the only elision);
//! - equality is coinductive: a pair of objects met again while being
//!   compared further out counts as equal (so two cyclic values are equal
//!   when their unfoldings are);
//! - hashing gives every value with a cycle (through lists and dicts;
//!   class instances and sets, hashed by identity and by their stored
//!   element hashes, are not walked) one constant hash. That is
//!   consistent with equality: a value equal to a cyclic one is cyclic.
//!
//! Entry-point contract (instead of a `# Safety` section per function):
//! `desc` is a well-formed descriptor and each slot a valid value of that
//! type.
#![allow(clippy::missing_safety_doc)]

pub mod eq;
pub mod hash;
pub mod ord;
pub mod print;

#[cfg(test)]
mod tests;

pub use eq::eq;
pub use hash::hash;

use crate::collections::list::PlatList;
use crate::gc::shape::{PlatShape, PlatVariant, ShapeKind};
use crate::string::{self, PlatStr};

/// The containers (or pairs of containers, for equality) open on the
/// current path of a walk, innermost last: a stack with a membership
/// test, by linear scan while short and through a hash set beyond
/// [`PathSet::SHORT`] entries (deep paths are rare; shallow ones must
/// stay cheap).
pub struct PathSet<K> {
    stack: Vec<K>,
    /// `stack[SHORT..]`, for lookups.
    deep: std::collections::HashSet<K>,
}

impl<K: Copy + Eq + std::hash::Hash> PathSet<K> {
    const SHORT: usize = 32;

    pub fn new() -> Self {
        PathSet {
            stack: Vec::new(),
            deep: std::collections::HashSet::new(),
        }
    }

    pub fn contains(&self, k: K) -> bool {
        let short = &self.stack[..self.stack.len().min(Self::SHORT)];
        short.contains(&k) || (self.stack.len() > Self::SHORT && self.deep.contains(&k))
    }

    /// Enters `k` (not already on the path).
    pub fn push(&mut self, k: K) {
        if self.stack.len() >= Self::SHORT {
            self.deep.insert(k);
        }
        self.stack.push(k);
    }

    /// Leaves the innermost entry.
    pub fn pop(&mut self) {
        if let Some(k) = self.stack.pop() {
            if self.stack.len() >= Self::SHORT {
                self.deep.remove(&k);
            }
        }
    }
}

impl<K: Copy + Eq + std::hash::Hash> Default for PathSet<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// A descriptor as the `'static` reference it is: descriptors live for
/// the whole process (`crate::gc::shape` invariants), whoever lends them.
#[inline]
pub fn forever(d: &PlatShape) -> &'static PlatShape {
    // SAFETY: every `PlatShape` is compiler read-only data, a runtime
    // static or a leaked runtime shape: none is ever freed.
    unsafe { &*(d as *const PlatShape) }
}

/// Element `i` of a list, or `None` past its end. A walk keeps an index
/// into a list across steps, and another task may shrink the list in the
/// meantime: the length is re-read for each element.
#[inline]
pub fn list_elem(l: &PlatList, i: usize) -> Option<u64> {
    l.get(i)
}

/// The integer in a slot of integer kind `k`.
#[inline]
pub fn int_of(slot: u64, k: ShapeKind) -> i64 {
    match k {
        ShapeKind::Int8 => slot as i8 as i64,
        ShapeKind::Int16 => slot as i16 as i64,
        ShapeKind::Int32 => slot as i32 as i64,
        _ => slot as i64,
    }
}

/// Word index of an enum value's tag (`plat_abi::object::enumeration`).
pub const TAG_WORD: usize = plat_abi::object::enumeration::TAG / plat_abi::WORD;
/// Word index of an enum value's payload slot 0.
pub const PAYLOAD_WORD: usize = plat_abi::object::enumeration::PAYLOAD / plat_abi::WORD;
/// Word index of a class instance's field 0 (`plat_abi::object::class`).
pub const FIELDS_WORD: usize = plat_abi::object::class::FIELDS / plat_abi::WORD;

/// The enum value layout: `[header][tag][payload...]`.
pub struct EnumRef {
    obj: *const u64,
    pub variant: &'static PlatVariant,
    pub tag: u64,
}

impl EnumRef {
    /// Reads the enum value `slot` of type `desc`.
    ///
    /// # Safety
    ///
    /// `slot` is a valid (non-null) enum value of type `desc`.
    #[inline]
    pub unsafe fn new(slot: u64, desc: &PlatShape) -> EnumRef {
        let obj = slot as *const u64;
        // SAFETY: a valid enum object has a tag word at offset 8.
        let tag = unsafe { *obj.add(TAG_WORD) };
        if tag >= desc.n_children {
            crate::rt_fatal!("enum value with tag {tag} out of range for its type");
        }
        // SAFETY: `tag < n_children` of a well-formed Enum descriptor.
        let variant = unsafe { desc.variant(tag as usize) };
        EnumRef { obj, variant, tag }
    }

    /// Payload field `i` (`i < n_fields`).
    #[inline]
    pub fn field(&self, i: usize) -> u64 {
        debug_assert!((i as u64) < self.variant.n_fields);
        // SAFETY: the object is sized for its variant: `n_fields` slots
        // after the tag.
        unsafe { *self.obj.add(PAYLOAD_WORD + i) }
    }

    /// Payload field `i` with its type.
    #[inline]
    pub fn typed_field(&self, i: usize) -> (u64, &'static PlatShape) {
        // SAFETY: `i < n_fields` (caller, as for `field`).
        (self.field(i), unsafe { self.variant.field(i) })
    }
}

/// The dynamic descriptor of a class instance (its header).
///
/// # Safety
///
/// `slot` is a valid, non-null class instance.
#[inline]
pub unsafe fn class_of(slot: u64) -> &'static PlatShape {
    // SAFETY: every object's first word is its descriptor, which lives
    // forever.
    unsafe { &**(slot as *const *const PlatShape) }
}

/// Field `i` of a class instance.
///
/// # Safety
///
/// `slot` is a valid class instance with more than `i` fields.
#[inline]
pub unsafe fn class_field(slot: u64, i: usize) -> u64 {
    // SAFETY: fields are the slots after the header.
    unsafe { *(slot as *const u64).add(FIELDS_WORD + i) }
}

/// `"${v}"` and `print(value = v)` for values other than strings and
/// numbers: renders the slot `slot` of type `desc` (see [`print`]).
///
/// Contract: `desc` is a well-formed descriptor and `slot` a value of
/// that type.
#[no_mangle]
pub unsafe extern "C" fn plat_value_to_string(slot: u64, desc: *const PlatShape) -> *const PlatStr {
    // SAFETY: `desc` is a descriptor that lives forever (contract).
    let desc = unsafe { &*desc };
    if desc.kind == ShapeKind::String as u32 && slot != 0 {
        return slot as *const PlatStr;
    }
    let mut out = Vec::new();
    print::render(&mut out, slot, desc);
    string::from_utf8_with_chars(&out, string::count_chars(&out))
}

/// `a == b` on values of type `desc` (see the module doc).
///
/// Contract: as `plat_value_to_string`, for both slots.
#[no_mangle]
pub unsafe extern "C" fn plat_value_eq(a: u64, b: u64, desc: *const PlatShape) -> u8 {
    // SAFETY: `desc` is a descriptor that lives forever (contract).
    eq(a, b, unsafe { &*desc }) as u8
}

/// The hash of `slot` of type `desc`, consistent with `plat_value_eq`.
///
/// Contract: as `plat_value_to_string`.
#[no_mangle]
pub unsafe extern "C" fn plat_value_hash(slot: u64, desc: *const PlatShape) -> u64 {
    // SAFETY: `desc` is a descriptor that lives forever (contract).
    hash(slot, unsafe { &*desc })
}
