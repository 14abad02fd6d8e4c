//! Semantic types, as the checker computes them.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntWidth {
    W8,
    W16,
    W32,
    W64,
}

impl IntWidth {
    pub fn bits(self) -> u32 {
        match self {
            IntWidth::W8 => 8,
            IntWidth::W16 => 16,
            IntWidth::W32 => 32,
            IntWidth::W64 => 64,
        }
    }

    /// Smallest and largest value of the signed integer of this width.
    pub fn range(self) -> (i128, i128) {
        let bits = self.bits();
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatWidth {
    W32,
    W64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Bool,
    Int(IntWidth),
    Float(FloatWidth),
    String,
    /// The type of `()` and of functions without `-> T`.
    Unit,
    /// The type of expressions that never produce a value (`return`,
    /// `break`, `panic(...)`); it fits every expected type.
    Never,
    /// Stands in after an error so one mistake does not cascade.
    Error,
}

impl Ty {
    pub const INT32: Ty = Ty::Int(IntWidth::W32);
    pub const INT64: Ty = Ty::Int(IntWidth::W64);
    pub const FLOAT64: Ty = Ty::Float(FloatWidth::W64);

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int(_) | Ty::Float(_))
    }

    pub fn is_int(&self) -> bool {
        matches!(self, Ty::Int(_))
    }

    /// Error and Never are compatible with everything; reporting a
    /// mismatch against them would only repeat an earlier error.
    pub fn is_flexible(&self) -> bool {
        matches!(self, Ty::Error | Ty::Never)
    }

    /// Whether a value of type `self` is accepted where `expected` is.
    pub fn fits(&self, expected: &Ty) -> bool {
        self.is_flexible() || expected.is_flexible() || self == expected
    }

    /// Whether values of this type occupy a register (Unit and Never do not).
    pub fn has_value(&self) -> bool {
        !matches!(self, Ty::Unit | Ty::Never)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => write!(f, "Bool"),
            Ty::Int(w) => write!(f, "Int{}", w.bits()),
            Ty::Float(FloatWidth::W32) => write!(f, "Float32"),
            Ty::Float(FloatWidth::W64) => write!(f, "Float64"),
            Ty::String => write!(f, "String"),
            Ty::Unit => write!(f, "Unit"),
            Ty::Never => write!(f, "Never"),
            Ty::Error => write!(f, "{{error}}"),
        }
    }
}
