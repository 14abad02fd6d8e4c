//! Structural equality (`==` on any type, list search, dict keys).
//!
//! Slot validity: like everything in `value`, these functions take slots
//! that are valid values of their descriptor's type. That is the contract
//! of every entry point that passes a slot in and an invariant of every
//! collection, so it is not re-checked (the functions are safe to call
//! for that reason, as the pointer-reading helpers of `collections` are).

use super::EnumRef;
use crate::collections::list::PlatList;
use crate::collections::set;
use crate::collections::table::Table;
use crate::gc::shape::{PlatShape, ShapeKind};
use crate::string::{self, PlatStr};

/// Whether the values `a` and `b` of type `desc` are equal.
#[inline]
pub fn eq(a: u64, b: u64, desc: &PlatShape) -> bool {
    use ShapeKind::*;
    match desc.shape_kind() {
        Bool => (a != 0) == (b != 0),
        Int8 => a as i8 == b as i8,
        Int16 => a as i16 == b as i16,
        Int32 => a as i32 == b as i32,
        Int64 => a == b,
        Float32 => f32::from_bits(a as u32) == f32::from_bits(b as u32),
        Float64 => f64::from_bits(a) == f64::from_bits(b),
        Unit => true,
        String => str_eq(a, b),
        Class | Leaf | Array | Bytes => a == b,
        _ if a == 0 || b == 0 => a == b,
        Enum => enum_eq(a, b, desc),
        List => list_eq(a, b, desc),
        Dict => dict_eq(a, b, desc),
        Set => set_eq(a, b),
    }
}

#[inline]
fn str_eq(a: u64, b: u64) -> bool {
    if a == b {
        return true;
    }
    if a == 0 || b == 0 {
        return false;
    }
    // SAFETY: two valid strings (slot validity).
    unsafe { string::bytes(a as *const PlatStr) == string::bytes(b as *const PlatStr) }
}

/// Enums: same tag and equal payloads. Loops (instead of recursing) on
/// the last payload field when it is an enum, for long linked lists.
fn enum_eq(mut a: u64, mut b: u64, mut desc: &PlatShape) -> bool {
    loop {
        // SAFETY: two valid, non-null enum values of type `desc`.
        let (x, y) = unsafe { (EnumRef::new(a, desc), EnumRef::new(b, desc)) };
        if x.tag != y.tag {
            return false;
        }
        let n = x.variant.n_fields as usize;
        if n == 0 {
            return true;
        }
        for i in 0..n - 1 {
            let (fa, fd) = x.typed_field(i);
            if !eq(fa, y.field(i), fd) {
                return false;
            }
        }
        let (fa, fd) = x.typed_field(n - 1);
        let fb = y.field(n - 1);
        if fd.kind != ShapeKind::Enum as u32 || fa == 0 || fb == 0 {
            return eq(fa, fb, fd);
        }
        (a, b, desc) = (fa, fb, fd);
    }
}

fn list_eq(a: u64, b: u64, desc: &PlatShape) -> bool {
    // SAFETY: two valid lists (slot validity).
    let (x, y) = unsafe { (&*(a as *const PlatList), &*(b as *const PlatList)) };
    // SAFETY: a List descriptor has one child.
    let elem = unsafe { desc.child(0) };
    x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| eq(p, q, elem))
}

fn dict_eq(a: u64, b: u64, desc: &PlatShape) -> bool {
    // SAFETY: two valid dicts (slot validity).
    let (x, y) = unsafe { (&*(a as *const Table), &*(b as *const Table)) };
    // SAFETY: a Dict descriptor has children [K, V].
    let vd = unsafe { desc.child(1) };
    x.len() == y.len()
        && x.live().all(|e| match y.find(e[1]) {
            // SAFETY: a found dict entry has 3 slots.
            Some(f) => eq(e[2], unsafe { *f.add(2) }, vd),
            None => false,
        })
}

fn set_eq(a: u64, b: u64) -> bool {
    // SAFETY: two valid sets (slot validity).
    let (x, y) = unsafe { (&*(a as *const Table), &*(b as *const Table)) };
    x.len() == y.len() && set::subset(x, y)
}
