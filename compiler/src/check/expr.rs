//! Checking expressions: one method per construct, dispatched from
//! [`FnChecker::expr`].

use super::body::{Expect, FnChecker};
use super::literal::is_untyped_literal;
use super::types;
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::hir::{self, BinOp, ExprKind, Ty, UnOp};
use crate::source::Span;
use crate::syntax::ast;

impl FnChecker<'_> {
    /// Checks `e` and reports a mismatch unless its type fits `ty`.
    pub fn expect_ty(&mut self, e: &ast::Expr, ty: &Ty) -> hir::Expr {
        let value = self.expr(e, Expect::Ty(ty));
        if !value.ty.fits(ty) {
            self.mismatch(ty, &value.ty, e.span);
        }
        value
    }

    pub fn mismatch(&mut self, expected: &Ty, found: &Ty, span: Span) {
        let mut diag = Diagnostic::new(
            Code::TypeMismatch,
            format!("expected `{expected}`, found `{found}`"),
            span,
            format!("this is `{found}`"),
        );
        if expected.is_numeric() && found.is_numeric() {
            diag = diag.with_hint(format!(
                "convert it with `cast(value = ..., target = {expected})`"
            ));
        }
        self.error(diag);
    }

    pub fn expr(&mut self, e: &ast::Expr, expect: Expect) -> hir::Expr {
        use ast::ExprKind as A;
        let span = e.span;
        match &e.kind {
            A::Int { value, suffix } => self.int_literal(*value, *suffix, false, span, expect),
            A::Float { value, suffix } => self.float_literal(*value, *suffix, false, span, expect),
            A::Bool(b) => hir::Expr::new(ExprKind::Bool(*b), Ty::Bool, span),
            A::Unit => hir::Expr::new(ExprKind::Unit, Ty::Unit, span),
            A::Str(parts) => self.string(parts, span),
            A::Path(path) => self.path(path),
            A::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, span, expect),
            A::Unary { op, operand } => self.unary(*op, operand, span, expect),
            A::Assign { target, value } => self.assign(target, value, span),
            A::Call { callee, args } => self.call(callee, args, span),
            A::MethodCall {
                receiver,
                method,
                args,
            } => self.method_call(receiver, method, args, span),
            A::Cast { value, target } => self.cast(value, target, span),
            A::Block(block) => {
                let block = self.block(block, expect);
                let ty = block.ty.clone();
                hir::Expr::new(ExprKind::Block(block), ty, span)
            }
            A::If {
                cond,
                then,
                otherwise,
            } => self.if_expr(cond, then, otherwise.as_deref(), span, expect),
            A::Range { .. } => {
                self.error(Diagnostic::new(
                    Code::BadForIterable,
                    "a range is only allowed as what a `for` loop iterates over",
                    span,
                    "range used as a value",
                ));
                hir::Expr::error(span)
            }
            A::SelfValue => self.later("`self`", span),
            A::List(_) => self.later("list literals", span),
            A::Dict(_) => self.later("dict literals", span),
            A::Set(_) => self.later("set literals", span),
            A::SuperCall { .. } => self.later("`super` calls", span),
            A::Field { .. } => self.later("field access", span),
            A::Index { .. } => self.later("indexing", span),
            A::Try(_) => self.later("the `?` operator", span),
            A::Match { .. } => self.later("`match`", span),
            A::Spawn(_) => self.later("`spawn`", span),
            A::Race(_) => self.later("`race`", span),
            A::Closure { .. } => self.later("closures", span),
            A::Error => hir::Expr::error(span),
        }
    }

    /// Reports a construct this version parses but does not compile.
    pub fn later(&mut self, what: &str, span: Span) -> hir::Expr {
        self.error(Diagnostic::not_supported(what, span));
        hir::Expr::error(span)
    }

    fn string(&mut self, parts: &[ast::StrPart], span: Span) -> hir::Expr {
        let all_literal = parts.iter().all(|p| matches!(p, ast::StrPart::Lit(_)));
        if all_literal {
            let text: String = parts
                .iter()
                .filter_map(|p| match p {
                    ast::StrPart::Lit(s) => Some(s.as_str()),
                    ast::StrPart::Interp(_) => None,
                })
                .collect();
            return hir::Expr::new(ExprKind::Str(text), Ty::String, span);
        }
        let pieces = parts
            .iter()
            .map(|part| match part {
                ast::StrPart::Lit(s) => hir::Expr::new(ExprKind::Str(s.clone()), Ty::String, span),
                ast::StrPart::Interp(e) => self.expr(e, Expect::Value),
            })
            .collect();
        hir::Expr::new(ExprKind::Interp(pieces), Ty::String, span)
    }

    fn path(&mut self, path: &ast::Path) -> hir::Expr {
        let span = path.span;
        let [ident] = path.segments.as_slice() else {
            return self.later("qualified names", span);
        };
        if let Some(local) = self.lookup_local(&ident.name) {
            return hir::Expr::new(ExprKind::Local(local), self.local_ty(local), span);
        }
        if self.c.fn_by_name.contains_key(&ident.name) {
            return self.later("functions as values", span);
        }
        self.unknown_name(ident, "value");
        hir::Expr::error(span)
    }

    /// Reports an unknown name, suggesting the closest visible one.
    pub fn unknown_name(&mut self, ident: &ast::Ident, what: &str) {
        let mut candidates = self.visible_names();
        candidates.extend(self.c.fn_by_name.keys().cloned());
        let mut diag = Diagnostic::new(
            Code::UnknownName,
            format!("unknown {what} `{}`", ident.name),
            ident.span,
            "not found in this scope",
        );
        if let Some(best) = did_you_mean(&ident.name, candidates.iter().map(String::as_str)) {
            diag = diag.with_hint(format!("did you mean `{best}`?"));
        }
        self.error(diag);
    }

    fn binary(
        &mut self,
        op: BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        if matches!(op, BinOp::And | BinOp::Or) {
            let l = self.expr(lhs, Expect::Ty(&Ty::Bool));
            let r = self.expr(rhs, Expect::Ty(&Ty::Bool));
            for side in [&l, &r] {
                if !side.ty.fits(&Ty::Bool) {
                    self.error(Diagnostic::new(
                        Code::BadOperands,
                        format!(
                            "`{}` needs `Bool` operands, found `{}`",
                            op.symbol(),
                            side.ty
                        ),
                        side.span,
                        "not a Bool",
                    ));
                }
            }
            return binary_expr(op, l, r, Ty::Bool, span);
        }
        let arithmetic = matches!(
            op,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem
        );
        // An arithmetic result takes the expected type; comparison operands
        // take each other's type. An untyped literal follows the other side.
        let outer = match expect.ty() {
            Some(t) if arithmetic => Expect::Ty(t),
            _ => Expect::Value,
        };
        let (l, r) = if is_untyped_literal(lhs) && !is_untyped_literal(rhs) {
            let r = self.expr(rhs, outer);
            let l = self.expr(lhs, Expect::Ty(&r.ty));
            (l, r)
        } else {
            let l = self.expr(lhs, outer);
            let r = self.expr(rhs, Expect::Ty(&l.ty));
            (l, r)
        };
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
                    format!("cannot mix `{}` and `{}` in `{}`", l.ty, r.ty, op.symbol()),
                    span,
                    format!("`{}` {} `{}`", l.ty, op.symbol(), r.ty),
                )
                .with_hint(format!(
                    "convert one side, e.g. `cast(value = ..., target = {})`",
                    l.ty
                ))
            } else {
                Diagnostic::new(
                    Code::BadOperands,
                    format!(
                        "cannot apply `{}` to `{}` and `{}`",
                        op.symbol(),
                        l.ty,
                        r.ty
                    ),
                    span,
                    format!("`{}` {} `{}`", l.ty, op.symbol(), r.ty),
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
            BinOp::Eq | BinOp::Ne => {
                matches!(ty, Ty::Bool | Ty::Int(_) | Ty::Float(_) | Ty::String)
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => ty.is_numeric(),
            BinOp::And | BinOp::Or => false,
        };
        if !allowed {
            let mut diag = Diagnostic::new(
                Code::BadOperands,
                format!("cannot apply `{}` to `{ty}`", op.symbol()),
                span,
                format!("`{}` does not work on `{ty}`", op.symbol()),
            );
            if op == BinOp::Rem && matches!(ty, Ty::Float(_)) {
                diag = diag.with_hint("`%` works on integers only");
            }
            self.error(diag);
            return hir::Expr::error(span);
        }
        let result = if comparison { Ty::Bool } else { ty };
        binary_expr(op, l, r, result, span)
    }

    fn unary(&mut self, op: UnOp, operand: &ast::Expr, span: Span, expect: Expect) -> hir::Expr {
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
        if op == UnOp::Neg && !ty.is_numeric() && !ty.is_flexible() {
            self.error(Diagnostic::new(
                Code::BadOperands,
                format!("cannot negate `{ty}`"),
                span,
                "unary `-` needs a number",
            ));
            return hir::Expr::error(span);
        }
        if op == UnOp::Not && !ty.fits(&Ty::Bool) {
            self.error(Diagnostic::new(
                Code::BadOperands,
                format!("`not` needs a `Bool`, found `{ty}`"),
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

    fn assign(&mut self, target: &ast::Expr, value: &ast::Expr, span: Span) -> hir::Expr {
        let ident = match &target.kind {
            ast::ExprKind::Path(p) if p.segments.len() == 1 => &p.segments[0],
            ast::ExprKind::Field { .. } => return self.later("assignment to fields", target.span),
            kind => {
                let mut diag = Diagnostic::new(
                    Code::BadAssignTarget,
                    "cannot assign to this expression",
                    target.span,
                    "not a variable",
                );
                if matches!(kind, ast::ExprKind::Index { .. }) {
                    diag = diag
                        .with_hint("to change a list element use `xs.set(index = i, value = v)`");
                }
                self.error(diag);
                self.expr(value, Expect::Value);
                return hir::Expr::error(span);
            }
        };
        let Some(local) = self.lookup_local(&ident.name) else {
            self.unknown_name(ident, "variable");
            self.expr(value, Expect::Value);
            return hir::Expr::error(span);
        };
        let ty = self.local_ty(local);
        let value = self.expect_ty(value, &ty);
        let info = &self.locals[local.0 as usize];
        if !info.mutable {
            let decl = self.local_spans[local.0 as usize];
            let name = info.name.clone();
            self.error(
                Diagnostic::new(
                    Code::AssignImmutable,
                    format!("cannot assign twice to immutable variable `{name}`"),
                    target.span,
                    "assigned here",
                )
                .with_label(decl, "declared with `let`")
                .with_hint(format!(
                    "declare it with `var` to make it mutable: `var {name}`"
                )),
            );
        }
        hir::Expr::new(
            ExprKind::Assign {
                local,
                value: Box::new(value),
            },
            Ty::Unit,
            span,
        )
    }

    fn cast(&mut self, value: &ast::Expr, target: &ast::TypeExpr, span: Span) -> hir::Expr {
        let to = types::resolve(self.c, target);
        let value = self.expr(value, Expect::Value);
        if value.ty.is_flexible() || to.is_flexible() {
            return hir::Expr::error(span);
        }
        if !value.ty.is_numeric() || !to.is_numeric() {
            self.error(
                Diagnostic::new(
                    Code::BadCast,
                    format!("cannot cast `{}` to `{to}`", value.ty),
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

    fn if_expr(
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
                            format!("this `if` has no `else`, so it has no `{t}` value"),
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
                    format!("a condition must be `Bool`, found `{}`", value.ty),
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
