//! Operators, casts, `if` and conditions.

use super::body::{Expect, FnChecker};
use super::literal::is_context_typed;
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, BinOp, ExprKind, Ty, UnOp};
use crate::source::Span;
use crate::syntax::ast;

impl FnChecker<'_> {
    /// A binary operation. A chain `a + b + c + ...` nests on the left;
    /// it is checked with a loop, not by recursion, so its length does not
    /// matter (issue 7, item 4): the leftmost operation first, each result
    /// becoming the left operand of the next.
    pub(crate) fn binary(
        &mut self,
        op: BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        // (operator, right operand, span, what the context expects of the
        // operation), outermost first.
        let mut spine = vec![(op, rhs, span, expect)];
        let mut leftmost = lhs;
        let mut inner_expect = operand_expect(op, expect);
        while let ast::ExprKind::Binary { op, lhs, rhs } = &leftmost.kind {
            spine.push((*op, &**rhs, leftmost.span, inner_expect));
            inner_expect = operand_expect(*op, inner_expect);
            leftmost = lhs;
        }
        let mut spine = spine.into_iter().rev();
        let Some((op, rhs, span, expect)) = spine.next() else {
            return hir::Expr::error(span);
        };
        let mut result = self.binary_leaf(op, leftmost, rhs, span, expect);
        for (op, rhs, span, _) in spine {
            let (l, r) = self.operands(op, result, rhs);
            result = self.binary_types(op, l, r, span);
        }
        result
    }

    /// The innermost operation of a chain: both operands unchecked. An
    /// untyped literal on the left takes the type of the right operand.
    fn binary_leaf(
        &mut self,
        op: BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let plain = !matches!(op, BinOp::And | BinOp::Or);
        if plain && is_context_typed(lhs) && !is_context_typed(rhs) {
            let r = self.expr(rhs, operand_expect(op, expect));
            let l = self.expr(lhs, Expect::Ty(&r.ty));
            return self.binary_types(op, l, r, span);
        }
        let l = self.expr(lhs, operand_expect(op, expect));
        let (l, r) = self.operands(op, l, rhs);
        self.binary_types(op, l, r, span)
    }

    /// Checks the right operand given the checked left one.
    fn operands(&mut self, op: BinOp, l: hir::Expr, rhs: &ast::Expr) -> (hir::Expr, hir::Expr) {
        let r = if matches!(op, BinOp::And | BinOp::Or) {
            self.expr(rhs, Expect::Ty(&Ty::Bool))
        } else {
            let want = l.ty.clone();
            self.expr(rhs, Expect::Ty(&want))
        };
        (l, r)
    }

    /// The typing rules of an operation whose operands are checked.
    fn binary_types(&mut self, op: BinOp, l: hir::Expr, r: hir::Expr, span: Span) -> hir::Expr {
        if matches!(op, BinOp::And | BinOp::Or) {
            for side in [&l, &r] {
                if !side.ty.fits(&Ty::Bool) {
                    self.error(Diagnostic::new(
                        Code::BadOperands,
                        format!(
                            "`{}` needs `Bool` operands, found `{}`",
                            op.symbol(),
                            self.show(&side.ty)
                        ),
                        side.span,
                        "not a Bool",
                    ));
                }
            }
            return binary_expr(op, l, r, Ty::Bool, span);
        }
        let arithmetic = is_arithmetic(op);
        let comparison = !arithmetic;
        if l.ty.is_flexible() || r.ty.is_flexible() {
            let ty = if comparison {
                Ty::Bool
            } else if l.ty.is_flexible() {
                r.ty.clone()
            } else {
                l.ty.clone()
            };
            return binary_expr(op, l, r, ty, span);
        }
        if l.ty != r.ty {
            let diag = if l.ty.is_numeric() && r.ty.is_numeric() {
                Diagnostic::new(
                    Code::MixedNumeric,
                    format!(
                        "cannot mix `{}` and `{}` in `{}`",
                        self.show(&l.ty),
                        self.show(&r.ty),
                        op.symbol()
                    ),
                    span,
                    format!(
                        "`{}` {} `{}`",
                        self.show(&l.ty),
                        op.symbol(),
                        self.show(&r.ty)
                    ),
                )
                .with_hint(format!(
                    "convert one side, e.g. `cast(value = ..., target = {})`",
                    self.show(&l.ty)
                ))
            } else {
                Diagnostic::new(
                    Code::BadOperands,
                    format!(
                        "cannot apply `{}` to `{}` and `{}`",
                        op.symbol(),
                        self.show(&l.ty),
                        self.show(&r.ty)
                    ),
                    span,
                    format!(
                        "`{}` {} `{}`",
                        self.show(&l.ty),
                        op.symbol(),
                        self.show(&r.ty)
                    ),
                )
            };
            self.error(diag);
            return hir::Expr::error(span);
        }
        let ty = l.ty.clone();
        let allowed = match op {
            BinOp::Add => ty.is_numeric() || ty == Ty::String,
            BinOp::Sub | BinOp::Mul | BinOp::Div => ty.is_numeric(),
            BinOp::Rem => ty.is_int(),
            BinOp::Eq | BinOp::Ne => ty.has_value(),
            // Strings by code point: a decision of this implementation
            // (docs/decisions.md, "Ordered strings").
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => ty.is_numeric() || ty == Ty::String,
            BinOp::And | BinOp::Or => false,
        };
        if !allowed {
            let ty = self.show(&ty);
            let mut diag = Diagnostic::new(
                Code::BadOperands,
                format!("cannot apply `{}` to `{ty}`", op.symbol()),
                span,
                format!("`{}` does not work on `{ty}`", op.symbol()),
            );
            if op == BinOp::Rem && matches!(l.ty, Ty::Float(_)) {
                diag = diag.with_hint("`%` works on integers only");
            }
            self.error(diag);
            return hir::Expr::error(span);
        }
        let result = if comparison { Ty::Bool } else { ty };
        binary_expr(op, l, r, result, span)
    }

    pub(crate) fn unary(
        &mut self,
        op: UnOp,
        operand: &ast::Expr,
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        match (op, &operand.kind) {
            (UnOp::Neg, ast::ExprKind::Int { value, suffix }) => {
                return self.int_literal(*value, *suffix, true, span, expect);
            }
            (UnOp::Neg, ast::ExprKind::Float { value, suffix }) => {
                return self.float_literal(*value, *suffix, true, span, expect);
            }
            _ => {}
        }
        let value = match op {
            UnOp::Neg => self.expr(operand, expect),
            UnOp::Not => self.expr(operand, Expect::Ty(&Ty::Bool)),
        };
        let ty = value.ty.clone();
        let shown = self.show(&ty);
        if op == UnOp::Neg && !ty.is_numeric() && !ty.is_flexible() {
            self.error(Diagnostic::new(
                Code::BadOperands,
                format!("cannot negate `{shown}`"),
                span,
                "unary `-` needs a number",
            ));
            return hir::Expr::error(span);
        }
        if op == UnOp::Not && !ty.fits(&Ty::Bool) {
            self.error(Diagnostic::new(
                Code::BadOperands,
                format!("`not` needs a `Bool`, found `{shown}`"),
                span,
                "not a Bool",
            ));
            return hir::Expr::error(span);
        }
        let ty = if op == UnOp::Not { Ty::Bool } else { ty };
        hir::Expr::new(
            ExprKind::Unary {
                op,
                operand: Box::new(value),
            },
            ty,
            span,
        )
    }

    pub(crate) fn cast(
        &mut self,
        value: &ast::Expr,
        target: &ast::TypeExpr,
        span: Span,
    ) -> hir::Expr {
        let to = self.resolve_type(target);
        let value = self.expr(value, Expect::Value);
        if value.ty.is_flexible() || to.is_flexible() {
            return hir::Expr::error(span);
        }
        if !value.ty.is_numeric() || !to.is_numeric() {
            self.error(
                Diagnostic::new(
                    Code::BadCast,
                    format!(
                        "cannot cast `{}` to `{}`",
                        self.show(&value.ty),
                        self.show(&to)
                    ),
                    span,
                    "not a numeric conversion",
                )
                .with_hint("`cast` converts between numeric types only"),
            );
            return hir::Expr::error(span);
        }
        hir::Expr::new(
            ExprKind::Cast {
                value: Box::new(value),
            },
            to,
            span,
        )
    }

    pub(crate) fn if_expr(
        &mut self,
        cond: &ast::Expr,
        then: &ast::Block,
        otherwise: Option<&ast::Expr>,
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let cond = self.condition(cond);
        let then = self.block(then, expect);
        let Some(otherwise) = otherwise else {
            if let Some(t) = expect.ty() {
                if !Ty::Unit.fits(t) {
                    self.error(
                        Diagnostic::new(
                            Code::IfBranchMismatch,
                            format!(
                                "this `if` has no `else`, so it has no `{}` value",
                                self.show(t)
                            ),
                            span,
                            "missing `else`",
                        )
                        .with_hint("add an `else` branch"),
                    );
                }
            }
            return if_node(cond, then, None, Ty::Unit, span);
        };
        let else_expect = match expect {
            Expect::Value if then.ty.has_value() => Expect::Ty(&then.ty),
            other => other,
        };
        let else_block = match &otherwise.kind {
            ast::ExprKind::Block(b) => self.block(b, else_expect),
            _ => {
                let nested = self.expr(otherwise, else_expect);
                let ty = nested.ty.clone();
                hir::Block {
                    stmts: Vec::new(),
                    tail: Some(Box::new(nested)),
                    ty,
                }
            }
        };
        let ty = match (&then.ty, &else_block.ty) {
            (Ty::Never, t) | (t, Ty::Never) => t.clone(),
            (a, b) if a == b => a.clone(),
            (Ty::Error, _) | (_, Ty::Error) => Ty::Error,
            _ if matches!(expect, Expect::Discard) => Ty::Unit,
            (a, b) => {
                let (a, b) = (self.show(a), self.show(b));
                self.error(
                    Diagnostic::new(
                        Code::IfBranchMismatch,
                        format!("`if` branches have different types: `{a}` and `{b}`"),
                        otherwise.span,
                        format!("this branch is `{b}`"),
                    )
                    .with_label(
                        then_span(then_tail_span(&then), span),
                        format!("this branch is `{a}`"),
                    ),
                );
                Ty::Error
            }
        };
        if_node(cond, then, Some(else_block), ty, span)
    }

    /// A condition of `if`/`while`: must be Bool, no truthiness.
    pub fn condition(&mut self, cond: &ast::Expr) -> hir::Expr {
        let value = self.expr(cond, Expect::Ty(&Ty::Bool));
        if !value.ty.fits(&Ty::Bool) {
            self.error(
                Diagnostic::new(
                    Code::ConditionNotBool,
                    format!(
                        "a condition must be `Bool`, found `{}`",
                        self.show(&value.ty)
                    ),
                    cond.span,
                    "not a Bool",
                )
                .with_hint("compare explicitly, e.g. `x != 0`"),
            );
        }
        value
    }
}

fn then_tail_span(block: &hir::Block) -> Option<Span> {
    block.tail.as_ref().map(|t| t.span)
}

fn then_span(tail: Option<Span>, whole: Span) -> Span {
    tail.unwrap_or(whole)
}

fn is_arithmetic(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem
    )
}

/// What an operation's left operand is checked against: `Bool` for `and`
/// and `or`; the expected result type for arithmetic (a literal operand
/// adapts to it); nothing for comparisons (the operands decide).
fn operand_expect(op: BinOp, expect: Expect) -> Expect {
    match op {
        BinOp::And | BinOp::Or => Expect::Ty(&Ty::Bool),
        _ if is_arithmetic(op) => match expect.ty() {
            Some(t) => Expect::Ty(t),
            None => Expect::Value,
        },
        _ => Expect::Value,
    }
}

fn binary_expr(op: BinOp, l: hir::Expr, r: hir::Expr, ty: Ty, span: Span) -> hir::Expr {
    hir::Expr::new(
        ExprKind::Binary {
            op,
            lhs: Box::new(l),
            rhs: Box::new(r),
        },
        ty,
        span,
    )
}

fn if_node(
    cond: hir::Expr,
    then: hir::Block,
    otherwise: Option<hir::Block>,
    ty: Ty,
    span: Span,
) -> hir::Expr {
    hir::Expr::new(
        ExprKind::If {
            cond: Box::new(cond),
            then,
            otherwise,
        },
        ty,
        span,
    )
}
