//! The ordering of values that `List.sort`, `min` and `max` use (see
//! `docs/stdlib.md`, "List"): defined for `Bool`, the integers, the floats
//! and `String`, the element types the checker lets those methods be
//! called on.
//!
//! - Integers by value; `false < true`.
//! - Floats by value, `-0.0` equal to `0.0`, and every NaN after every
//!   number (NaNs equal among themselves): a total preorder, so a stable
//!   sort puts the NaNs last in their original order. `min` and `max`
//!   ignore NaNs unless every element is one (see [`OrdKind::max_cmp`]).
//! - Strings by code point, which for UTF-8 is byte order.

use std::cmp::Ordering;

use crate::gc::shape::{PlatShape, ShapeKind};
use crate::string::{self, PlatStr};

/// How values of one element type are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrdKind {
    Bool,
    /// An integer type (its kind says the width).
    Int(ShapeKind),
    Float32,
    Float64,
    String,
}

impl OrdKind {
    /// The ordering of values of type `desc`, if they have one.
    pub fn of(desc: &PlatShape) -> Option<OrdKind> {
        use ShapeKind as K;
        Some(match desc.shape_kind() {
            K::Bool => OrdKind::Bool,
            k @ (K::Int8 | K::Int16 | K::Int32 | K::Int64) => OrdKind::Int(k),
            K::Float32 => OrdKind::Float32,
            K::Float64 => OrdKind::Float64,
            K::String => OrdKind::String,
            _ => return None,
        })
    }

    /// Compares two values of this kind (slots as a list's view gives
    /// them: integers sign-extended, `Float32` bits in the low half).
    #[inline]
    pub fn cmp(self, a: u64, b: u64) -> Ordering {
        match self {
            OrdKind::Bool => (a != 0).cmp(&(b != 0)),
            OrdKind::Int(k) => super::int_of(a, k).cmp(&super::int_of(b, k)),
            OrdKind::Float32 => float_cmp(f32_of(a).into(), f32_of(b).into()),
            OrdKind::Float64 => float_cmp(f64::from_bits(a), f64::from_bits(b)),
            // SAFETY: slots of a String element type are valid strings
            // (module contract of `value`).
            OrdKind::String => unsafe { str_cmp(a, b) },
        }
    }

    /// The comparison `max` uses: as [`OrdKind::cmp`], except that a NaN
    /// is below every number, so a maximum is NaN only when every
    /// element is.
    #[inline]
    pub fn max_cmp(self, a: u64, b: u64) -> Ordering {
        match self {
            OrdKind::Float32 | OrdKind::Float64 => {
                let (x, y) = (self.float(a), self.float(b));
                match (x.is_nan(), y.is_nan()) {
                    (false, false) => float_cmp(x, y),
                    (an, bn) => bn.cmp(&an),
                }
            }
            _ => self.cmp(a, b),
        }
    }

    /// The slot of a float kind as an `f64` (exact for `Float32`).
    #[inline]
    fn float(self, slot: u64) -> f64 {
        match self {
            OrdKind::Float32 => f32_of(slot).into(),
            _ => f64::from_bits(slot),
        }
    }
}

/// The `Float32` in the low half of a slot.
#[inline]
pub fn f32_of(slot: u64) -> f32 {
    f32::from_bits(slot as u32)
}

/// Floats by value, NaN after every number (see the module doc).
#[inline]
pub fn float_cmp(a: f64, b: f64) -> Ordering {
    match a.partial_cmp(&b) {
        Some(o) => o,
        None => a.is_nan().cmp(&b.is_nan()),
    }
}

/// Two strings by code point (UTF-8 byte order).
///
/// # Safety
///
/// `a` and `b` are valid string objects.
#[inline]
pub unsafe fn str_cmp(a: u64, b: u64) -> Ordering {
    // SAFETY: valid strings (caller's contract), alive for this call.
    unsafe { string::bytes(a as *const PlatStr).cmp(string::bytes(b as *const PlatStr)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_sorts_after_every_number_and_equals_nan() {
        let nan = f64::NAN;
        assert_eq!(float_cmp(nan, f64::INFINITY), Ordering::Greater);
        assert_eq!(float_cmp(f64::NEG_INFINITY, nan), Ordering::Less);
        assert_eq!(float_cmp(nan, -nan), Ordering::Equal);
        assert_eq!(float_cmp(-0.0, 0.0), Ordering::Equal);
    }

    #[test]
    fn max_ignores_nan_unless_both_are() {
        let k = OrdKind::Float64;
        let (nan, one) = (f64::NAN.to_bits(), 1.0f64.to_bits());
        assert_eq!(k.max_cmp(nan, one), Ordering::Less);
        assert_eq!(k.max_cmp(one, nan), Ordering::Greater);
        assert_eq!(k.max_cmp(nan, nan), Ordering::Equal);
        assert_eq!(k.cmp(nan, one), Ordering::Greater);
    }

    #[test]
    fn narrow_integers_compare_by_their_own_width() {
        let k = OrdKind::Int(ShapeKind::Int8);
        // 0xFF is -1 as an Int8, whatever the upper bits say.
        assert_eq!(k.cmp(0xFF, 1), Ordering::Less);
        assert_eq!(OrdKind::Bool.cmp(2, 0), Ordering::Greater);
    }
}
