//! Constant folding: operations whose operands are literals become their
//! result, and an `if` on a literal condition becomes the branch taken.
//!
//! ```text
//! let n_0: Int8 = 100 + 100         let n_0: Int8 = -56
//! if 3 < 2 {                   =>   {
//!     return n_0                        @Print(n_0 / 0)
//! } else {                          }
//!     @Print(n_0 / 0)
//! }
//! ```
//!
//! What folds, exactly as the machine code would compute it:
//!
//! * integer `+ - *` and negation at the operands' width, wrapping
//!   around; `/` and `%` only when the divisor is neither 0 (a run-time
//!   panic, with its message and location, stays) nor -1 (`MIN / -1`
//!   wraps at run time: left to it, as are all divisions it could
//!   involve); comparisons;
//! * `Float` `+ - * /` and comparisons, in IEEE arithmetic at the
//!   operands' width (Rust's `f32`/`f64` operations are the same
//!   correctly rounded operations as the machine's; NaN and `-0.0` come
//!   out as the hardware makes them); negation;
//! * `not`, `==`/`!=` on Bools; `and`/`or` with a literal left operand
//!   (the right one is evaluated only when it decides, as at run time);
//! * casts between integer widths (sign extension or truncation) and from
//!   an integer to a float that holds it exactly;
//! * `+` on two string literals (string values are immutable, compared
//!   by content);
//! * `if` on a literal condition; an inlined body reduced to a literal.
//!
//! Only literal operands are looked at, so no operation with an effect
//! (or a read another task could change) is removed or reordered.

use super::walk::{walk_block, walk_expr, VisitMut};
use crate::hir::{BinOp, FloatWidth, IntWidth, Ty, UnOp};
use crate::mir::{Block, Expr, ExprKind, Program, Stmt};

pub fn run(program: &mut Program) {
    for f in &mut program.functions {
        Fold.block(&mut f.body);
    }
}

struct Fold;

impl VisitMut for Fold {
    fn block(&mut self, b: &mut Block) {
        walk_block(self, b);
        // What folding left with nothing to run: a taken `if` reduced to
        // an empty block, a unit.
        b.stmts.retain(|s| {
            !matches!(
                s,
                Stmt::Expr(Expr {
                    kind: ExprKind::Unit,
                    ..
                })
            ) && !matches!(s, Stmt::Expr(Expr { kind: ExprKind::Block(inner), .. })
                    if inner.stmts.is_empty() && inner.tail.is_none())
        });
    }

    fn expr(&mut self, e: &mut Expr) {
        // Operands first: folding is bottom-up.
        walk_expr(self, e);
        // `true and x` is `x`, `false or x` is `x` (with x's own span).
        if let ExprKind::Binary { op, lhs, rhs } = &mut e.kind {
            if matches!(lhs.kind, ExprKind::Bool(a) if a == (*op == BinOp::And))
                && matches!(op, BinOp::And | BinOp::Or)
            {
                let x = std::mem::replace(&mut **rhs, Expr::new(ExprKind::Unit, Ty::Unit, e.span));
                *e = x;
                return;
            }
        }
        if let Some(kind) = fold(e) {
            e.kind = kind;
        }
        // A block of a tail alone is that tail.
        if let ExprKind::Block(Block {
            stmts,
            tail: Some(tail),
            ..
        }) = &mut e.kind
        {
            if stmts.is_empty() && tail.ty == e.ty {
                let tail =
                    std::mem::replace(&mut **tail, Expr::new(ExprKind::Unit, Ty::Unit, e.span));
                *e = tail;
            }
        }
    }
}

fn empty_block() -> Block {
    Block {
        stmts: Vec::new(),
        tail: None,
        ty: Ty::Unit,
    }
}

/// `v` wrapped to a signed integer of width `w` (sign-extended back to
/// 64 bits: how MIR writes narrow literals).
pub fn wrap(v: i64, w: IntWidth) -> i64 {
    let shift = 64 - w.bits();
    (v << shift) >> shift
}

/// The literal `e` folds to, if it does.
fn fold(e: &mut Expr) -> Option<ExprKind> {
    match &mut e.kind {
        ExprKind::Binary { op, lhs, rhs } => binary(*op, lhs, rhs),
        ExprKind::Unary { op, operand } => match (op, &operand.kind, &operand.ty) {
            (UnOp::Not, ExprKind::Bool(b), _) => Some(ExprKind::Bool(!b)),
            (UnOp::Neg, ExprKind::Int(v), Ty::Int(w)) => {
                Some(ExprKind::Int(wrap(v.wrapping_neg(), *w)))
            }
            (UnOp::Neg, ExprKind::Float(v), Ty::Float(_)) => Some(ExprKind::Float(-*v)),
            _ => None,
        },
        ExprKind::Cast { value } => cast(&value.kind, &value.ty, &e.ty),
        // An inlined body reduced to a literal or a local is that value,
        // at the call's span (code generation gives the code of an
        // inlined body the call's location, never the callee's).
        ExprKind::Inlined { body, .. } if body.stmts.is_empty() => {
            match body.tail.as_deref().map(|t| &t.kind) {
                Some(
                    k @ (ExprKind::Int(_)
                    | ExprKind::Float(_)
                    | ExprKind::Bool(_)
                    | ExprKind::Str(_)
                    | ExprKind::Local(_)),
                ) => Some(k.clone()),
                _ => None,
            }
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            let ExprKind::Bool(c) = cond.kind else {
                return None;
            };
            let taken = if c {
                std::mem::replace(then, empty_block())
            } else {
                otherwise.take().unwrap_or_else(empty_block)
            };
            Some(ExprKind::Block(taken))
        }
        _ => None,
    }
}

fn binary(op: BinOp, lhs: &Expr, rhs: &Expr) -> Option<ExprKind> {
    use ExprKind::{Bool, Float, Int, Str};
    match (&lhs.kind, &rhs.kind, &lhs.ty) {
        (Int(a), Int(b), Ty::Int(w)) => int_binary(op, *a, *b, *w),
        (Float(a), Float(b), Ty::Float(w)) => float_binary(op, *a, *b, *w),
        (Bool(a), Bool(b), Ty::Bool) => match op {
            BinOp::Eq => Some(Bool(a == b)),
            BinOp::Ne => Some(Bool(a != b)),
            BinOp::And => Some(Bool(*a && *b)),
            BinOp::Or => Some(Bool(*a || *b)),
            _ => None,
        },
        // `false and x` is false, `true or x` true: x never runs.
        (Bool(a), _, Ty::Bool)
            if matches!(op, BinOp::And | BinOp::Or) && *a == (op == BinOp::Or) =>
        {
            Some(Bool(*a))
        }
        (Str(a), Str(b), Ty::String) if op == BinOp::Add => Some(Str(format!("{a}{b}"))),
        _ => None,
    }
}

fn int_binary(op: BinOp, a: i64, b: i64, w: IntWidth) -> Option<ExprKind> {
    use ExprKind::{Bool, Int};
    Some(match op {
        BinOp::Add => Int(wrap(a.wrapping_add(b), w)),
        BinOp::Sub => Int(wrap(a.wrapping_sub(b), w)),
        BinOp::Mul => Int(wrap(a.wrapping_mul(b), w)),
        // Neither 0 (a panic at run time) nor -1 (`MIN / -1`).
        BinOp::Div if b != 0 && b != -1 => Int(wrap(a / b, w)),
        BinOp::Rem if b != 0 && b != -1 => Int(wrap(a % b, w)),
        BinOp::Eq => Bool(a == b),
        BinOp::Ne => Bool(a != b),
        BinOp::Lt => Bool(a < b),
        BinOp::Le => Bool(a <= b),
        BinOp::Gt => Bool(a > b),
        BinOp::Ge => Bool(a >= b),
        _ => return None,
    })
}

fn float_binary(op: BinOp, a: f64, b: f64, w: FloatWidth) -> Option<ExprKind> {
    use ExprKind::{Bool, Float};
    // A Float32 literal is written as an f64 and rounded to f32 by code
    // generation: round it here too; its operations round to f32.
    let (a, b) = match w {
        FloatWidth::W64 => (a, b),
        FloatWidth::W32 => (f64::from(a as f32), f64::from(b as f32)),
    };
    let arith = |x: f64, y: f64, f: fn(f64, f64) -> f64, g: fn(f32, f32) -> f32| match w {
        FloatWidth::W64 => f(x, y),
        FloatWidth::W32 => f64::from(g(x as f32, y as f32)),
    };
    Some(match op {
        BinOp::Add => Float(arith(a, b, |x, y| x + y, |x, y| x + y)),
        BinOp::Sub => Float(arith(a, b, |x, y| x - y, |x, y| x - y)),
        BinOp::Mul => Float(arith(a, b, |x, y| x * y, |x, y| x * y)),
        BinOp::Div => Float(arith(a, b, |x, y| x / y, |x, y| x / y)),
        BinOp::Eq => Bool(a == b),
        BinOp::Ne => Bool(a != b),
        BinOp::Lt => Bool(a < b),
        BinOp::Le => Bool(a <= b),
        BinOp::Gt => Bool(a > b),
        BinOp::Ge => Bool(a >= b),
        _ => return None,
    })
}

/// A cast of a literal, where the result is exact.
fn cast(value: &ExprKind, from: &Ty, to: &Ty) -> Option<ExprKind> {
    match (value, from, to) {
        (ExprKind::Int(v), Ty::Int(_), Ty::Int(w)) => Some(ExprKind::Int(wrap(*v, *w))),
        (ExprKind::Int(v), Ty::Int(_), Ty::Float(w)) => {
            let exact = match w {
                FloatWidth::W64 => v.unsigned_abs() <= 1 << 53,
                FloatWidth::W32 => v.unsigned_abs() <= 1 << 24,
            };
            exact.then_some(ExprKind::Float(*v as f64))
        }
        // (A Float32 literal is rounded to f32 when it is emitted.)
        (ExprKind::Float(v), Ty::Float(FloatWidth::W32), Ty::Float(FloatWidth::W64)) => {
            Some(ExprKind::Float(f64::from(*v as f32)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_each_width() {
        assert_eq!(wrap(200, IntWidth::W8), -56);
        assert_eq!(wrap(-129, IntWidth::W8), 127);
        assert_eq!(wrap(40_000, IntWidth::W16), -25_536);
        assert_eq!(
            wrap(i64::from(i32::MAX) + 1, IntWidth::W32),
            i64::from(i32::MIN)
        );
        assert_eq!(wrap(i64::MIN, IntWidth::W64), i64::MIN);
    }

    #[test]
    fn leaves_panics_and_min_over_minus_one_to_run_time() {
        assert!(int_binary(BinOp::Div, 7, 0, IntWidth::W64).is_none());
        assert!(int_binary(BinOp::Rem, 7, 0, IntWidth::W32).is_none());
        assert!(int_binary(BinOp::Div, i64::MIN, -1, IntWidth::W64).is_none());
        assert!(matches!(
            int_binary(BinOp::Div, -7, 2, IntWidth::W64),
            Some(ExprKind::Int(-3))
        ));
        assert!(matches!(
            int_binary(BinOp::Rem, -7, 2, IntWidth::W64),
            Some(ExprKind::Int(-1))
        ));
        assert!(matches!(
            int_binary(BinOp::Mul, 100, 3, IntWidth::W8),
            Some(ExprKind::Int(44))
        ));
    }

    #[test]
    fn float32_rounds_to_f32() {
        let Some(ExprKind::Float(x)) =
            float_binary(BinOp::Add, 0.1f32 as f64, 0.2f32 as f64, FloatWidth::W32)
        else {
            panic!("folds");
        };
        assert_eq!(x, f64::from(0.1f32 + 0.2f32));
    }
}
