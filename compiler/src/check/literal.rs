//! Numeric literals take their type from a suffix, else from the expected
//! type (decision 2), else default to `Int32` / `Float64`. A literal that
//! does not fit its type is an error, never a silent wrap.

use super::body::{Expect, FnChecker};
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, ExprKind, FloatWidth, IntWidth, Ty};
use crate::source::Span;
use crate::syntax::ast::{self, FloatSuffix, IntSuffix};

/// Whether the type of `e` is decided by its context: an unsuffixed
/// numeric literal, possibly negated or parenthesised.
pub(crate) fn is_untyped_literal(e: &ast::Expr) -> bool {
    match &e.kind {
        ast::ExprKind::Int { suffix: None, .. } | ast::ExprKind::Float { suffix: None, .. } => true,
        ast::ExprKind::Unary {
            op: ast::UnOp::Neg,
            operand,
        } => is_untyped_literal(operand),
        _ => false,
    }
}

/// Whether `e` gets its type from its context rather than deciding it:
/// an untyped literal, an empty collection literal, or an enum variant
/// (whose type arguments may come only from the context, like
/// `Option::None`). The other operand of `==` is checked first then.
pub(crate) fn is_context_typed(e: &ast::Expr) -> bool {
    match &e.kind {
        ast::ExprKind::List(items) | ast::ExprKind::Set(items) => items.is_empty(),
        ast::ExprKind::Dict(entries) => entries.is_empty(),
        ast::ExprKind::Path(p) => p.segments.len() > 1,
        ast::ExprKind::Call { callee, .. } => {
            matches!(&callee.kind, ast::ExprKind::Path(p) if p.segments.len() > 1)
        }
        _ => is_untyped_literal(e),
    }
}

impl FnChecker<'_> {
    pub fn int_literal(
        &mut self,
        value: u64,
        suffix: Option<IntSuffix>,
        negative: bool,
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let ty = match suffix {
            Some(IntSuffix::I8) => Ty::Int(IntWidth::W8),
            Some(IntSuffix::I16) => Ty::Int(IntWidth::W16),
            Some(IntSuffix::I32) => Ty::Int(IntWidth::W32),
            Some(IntSuffix::I64) => Ty::Int(IntWidth::W64),
            None => match expect.ty() {
                Some(t @ (Ty::Int(_) | Ty::Float(_))) => t.clone(),
                _ => Ty::INT32,
            },
        };
        let signed = if negative {
            -(value as i128)
        } else {
            value as i128
        };
        match ty {
            Ty::Float(_) => hir::Expr::new(ExprKind::Float(signed as f64), ty, span),
            Ty::Int(w) => {
                let (min, max) = w.range();
                if signed < min || signed > max {
                    let ty = self.show(&ty);
                    self.error(
                        Diagnostic::new(
                            Code::LiteralOutOfRange,
                            format!("the literal `{signed}` does not fit in `{ty}`"),
                            span,
                            format!("`{ty}` holds {min} to {max}"),
                        )
                        .with_hint("use a wider type, or `cast` to wrap on purpose"),
                    );
                }
                hir::Expr::new(ExprKind::Int(signed as i64), ty, span)
            }
            _ => hir::Expr::error(span),
        }
    }

    pub fn float_literal(
        &mut self,
        value: f64,
        suffix: Option<FloatSuffix>,
        negative: bool,
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let width = match suffix {
            Some(FloatSuffix::F8 | FloatSuffix::F16) => {
                self.error(
                    Diagnostic::new(
                        Code::UnsupportedFloat,
                        "`Float8` and `Float16` are not supported",
                        span,
                        "unsupported float width",
                    )
                    .with_hint("use `f32` or `f64`"),
                );
                return hir::Expr::error(span);
            }
            Some(FloatSuffix::F32) => FloatWidth::W32,
            Some(FloatSuffix::F64) => FloatWidth::W64,
            None => match expect.ty() {
                Some(Ty::Float(w)) => *w,
                _ => FloatWidth::W64,
            },
        };
        let value = if negative { -value } else { value };
        // No literal spells infinity: an infinite value overflowed Float64
        // when it was read, and a finite one may still overflow Float32.
        let fits = match width {
            FloatWidth::W64 => value.is_finite(),
            FloatWidth::W32 => (value as f32).is_finite(),
        };
        if !fits {
            let ty = self.show(&Ty::Float(width));
            self.error(
                Diagnostic::new(
                    Code::LiteralOutOfRange,
                    format!("the literal does not fit in `{ty}`"),
                    span,
                    format!("too large for `{ty}`"),
                )
                .with_hint(format!(
                    "`{ty}` holds magnitudes up to {}",
                    match width {
                        FloatWidth::W64 => "about 1.8e308",
                        FloatWidth::W32 => "about 3.4e38",
                    }
                )),
            );
        }
        hir::Expr::new(ExprKind::Float(value), Ty::Float(width), span)
    }
}
