//! Checking statements and blocks.

use super::body::{Expect, FnChecker};
use super::literal::is_untyped_literal;
use super::naming;
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, ExprKind, Stmt, Ty};
use crate::source::Span;
use crate::syntax::ast;

impl FnChecker<'_> {
    /// Checks a block in its own scope. Its type is its tail's, `Unit`
    /// without a tail, or `Never` when a statement always leaves it.
    pub fn block(&mut self, block: &ast::Block, expect: Expect) -> hir::Block {
        if crate::syntax::limits::stack_is_low() {
            self.out_of_stack(block.span);
            return hir::Block {
                stmts: Vec::new(),
                tail: None,
                ty: Ty::Error,
            };
        }
        self.push_scope();
        let mut stmts = Vec::new();
        let mut diverges = false;
        for stmt in &block.stmts {
            if let Some(s) = self.stmt(stmt) {
                diverges |= stmt_diverges(&s);
                stmts.push(s);
            }
        }
        let tail = block.tail.as_ref().map(|t| Box::new(self.expr(t, expect)));
        self.pop_scope();
        let ty = match &tail {
            _ if diverges => Ty::Never,
            Some(t) => t.ty.clone(),
            None => Ty::Unit,
        };
        hir::Block { stmts, tail, ty }
    }

    fn stmt(&mut self, stmt: &ast::Stmt) -> Option<Stmt> {
        use ast::StmtKind as S;
        Some(match &stmt.kind {
            S::Let {
                mutable,
                name,
                ty,
                value,
            } => self.let_stmt(*mutable, name, ty.as_ref(), value),
            S::Expr(e) => Stmt::Expr(self.expr(e, Expect::Discard)),
            S::Return(value) => self.return_stmt(value.as_ref(), stmt.span),
            S::While { cond, body } => {
                let cond = self.condition(cond);
                let body = self.loop_body(body);
                Stmt::While { cond, body }
            }
            S::For {
                var,
                ty,
                iter,
                body,
            } => return self.for_stmt(var, ty.as_ref(), iter, body),
            S::Break | S::Continue => {
                let is_break = matches!(stmt.kind, S::Break);
                if self.loop_depth == 0 {
                    let word = if is_break { "break" } else { "continue" };
                    self.error(Diagnostic::new(
                        Code::BreakOutsideLoop,
                        format!("`{word}` outside of a loop"),
                        stmt.span,
                        "not inside `while` or `for`",
                    ));
                    // Kept (the program has an error, so no code is made
                    // from it): the block still ends here, which avoids a
                    // second error about its type.
                }
                if is_break {
                    Stmt::Break
                } else {
                    Stmt::Continue
                }
            }
            S::Concurrent { args, body } => self.concurrent(args, body, stmt.span),
            S::Select(arms) => self.select_stmt(arms, stmt.span),
            S::Error => return None,
        })
    }

    fn let_stmt(
        &mut self,
        mutable: bool,
        name: &ast::Ident,
        ty: Option<&ast::TypeExpr>,
        value: &ast::Expr,
    ) -> Stmt {
        naming::check_snake_case(self.c, name, "variable");
        let (value, ty) = match ty {
            Some(t) => {
                let ty = self.resolve_type(t);
                (self.expect_ty(value, &ty), ty)
            }
            None => {
                let mark = self.defaulted.len();
                let value = self.expr(value, Expect::Value);
                self.check_inferred(mark, &value.ty, name);
                if value.ty == Ty::Unit {
                    self.error(Diagnostic::new(
                        Code::UnitValue,
                        "this expression has no value to bind",
                        value.span,
                        "has type `Unit`",
                    ));
                }
                let ty = value.ty.clone();
                (value, ty)
            }
        };
        // Declared after its value is checked: `let x = x + 1;` reads the
        // outer `x`.
        let local = self.declare_local(name, ty, mutable);
        Stmt::Let { local, value }
    }

    /// A variable's type inferred from its initialiser (decision of this
    /// implementation, see docs/decisions.md) must be decided by the
    /// code: not rest on a variant whose type arguments defaulted to
    /// `Int32` since `mark` (`let x = Option::None;`).
    pub(crate) fn check_inferred(&mut self, mark: usize, ty: &Ty, name: &ast::Ident) {
        let guesses: Vec<(Span, Ty, String)> = self.defaulted.drain(mark..).collect();
        let Some((span, guessed, written)) = guesses.into_iter().find(|(_, g, _)| ty.contains(g))
        else {
            return;
        };
        // The type with its parameters unfilled: `Option<T>`.
        let shown = match &guessed {
            Ty::Adt(id, _) => self.show(&super::adt::owner_type(self.c, *id)),
            other => self.show(other),
        };
        self.error(
            Diagnostic::new(
                Code::CannotInfer,
                format!("cannot infer the type of `{}` from `{written}`", name.name),
                span,
                "nothing here decides its type arguments",
            )
            .with_label(name.span, "declared without a type")
            .with_hint(format!(
                "declare its type, `{}: {shown}`, with actual types for the parameters",
                name.name
            )),
        );
    }

    fn return_stmt(&mut self, value: Option<&ast::Expr>, span: Span) -> Stmt {
        if self.ret_infer.is_some() {
            return self.spawn_return(value, span);
        }
        let ret = self.ret.clone();
        match value {
            Some(e) => {
                let value = self.expr(e, Expect::Ty(&ret));
                let found = self.show(&value.ty);
                if ret == Ty::Unit && value.ty != Ty::Unit && !value.ty.is_flexible() {
                    self.error(
                        Diagnostic::new(
                            Code::BadReturn,
                            format!("this function returns nothing, but a `{found}` is returned"),
                            e.span,
                            "unexpected return value",
                        )
                        .with_hint(format!("declare the return type: `-> {found}`")),
                    );
                } else if !self.fits(&value.ty, &ret) && !value.ty.has_error() {
                    let want = self.show(&ret);
                    self.error(Diagnostic::new(
                        Code::TypeMismatch,
                        format!("expected to return `{want}`, found `{found}`"),
                        e.span,
                        format!("this is `{found}`"),
                    ));
                }
                Stmt::Return(Some(value), span)
            }
            None => {
                if ret != Ty::Unit && !ret.is_flexible() {
                    let want = self.show(&ret);
                    self.error(Diagnostic::new(
                        Code::BadReturn,
                        format!("`return;` needs a `{want}` value here"),
                        span,
                        "missing return value",
                    ));
                }
                Stmt::Return(None, span)
            }
        }
    }

    /// `return` in a spawn body: the first one decides the task's type.
    fn spawn_return(&mut self, value: Option<&ast::Expr>, span: Span) -> Stmt {
        let known = self.ret_infer.clone().flatten();
        let value = value.map(|e| match &known {
            Some(t) => self.expect_ty(e, t),
            None => self.expr(e, Expect::Value),
        });
        let ty = value.as_ref().map_or(Ty::Unit, |v| v.ty.clone());
        match &known {
            None if ty != Ty::Never => self.ret_infer = Some(Some(ty)),
            Some(t) if value.is_none() && *t != Ty::Unit => {
                let shown = self.show(t);
                self.error(Diagnostic::new(
                    Code::BadReturn,
                    format!(
                        "`return;` needs a `{shown}` value: this task returns `{shown}` elsewhere"
                    ),
                    span,
                    "missing return value",
                ));
            }
            _ => {}
        }
        Stmt::Return(value, span)
    }

    pub(crate) fn loop_body(&mut self, body: &ast::Block) -> hir::Block {
        self.loop_depth += 1;
        let body = self.block(body, Expect::Discard);
        self.loop_depth -= 1;
        body
    }

    fn for_stmt(
        &mut self,
        var: &ast::Ident,
        ty: Option<&ast::TypeExpr>,
        iter: &ast::Expr,
        body: &ast::Block,
    ) -> Option<Stmt> {
        naming::check_snake_case(self.c, var, "loop variable");
        let declared = ty.map(|t| self.resolve_type(t));
        let ast::ExprKind::Range {
            start,
            end,
            inclusive,
        } = &iter.kind
        else {
            let mark = self.defaulted.len();
            let value = self.expr(iter, Expect::Value);
            if declared.is_none() {
                let elem = match &value.ty {
                    Ty::List(t) | Ty::Set(t) | Ty::Channel(t) => (**t).clone(),
                    Ty::Dict(k, _) => (**k).clone(),
                    _ => Ty::Error,
                };
                self.check_inferred(mark, &elem, var);
            }
            if matches!(value.ty, Ty::Channel(_)) {
                return self.for_channel(var, declared.as_ref(), value, body);
            }
            if let Some(stmt) = self.for_collection(var, declared.as_ref(), value.clone(), body) {
                return Some(stmt);
            }
            if !value.ty.is_flexible() {
                let shown = self.show(&value.ty);
                self.error(
                    Diagnostic::new(
                        Code::BadForIterable,
                        format!("cannot iterate over `{shown}`"),
                        iter.span,
                        "not iterable",
                    )
                    .with_hint(
                        "iterate over a range such as `0..n`, a List, a Set, a Dict or a Channel",
                    ),
                );
            }
            // Declared anyway, so the body is checked without echoes.
            self.push_scope();
            self.declare_local(var, declared.unwrap_or(Ty::Error), false);
            self.loop_body(body);
            self.pop_scope();
            return None;
        };
        let (start, end) = match &declared {
            Some(t) => (self.expect_ty(start, t), self.expect_ty(end, t)),
            None if is_untyped_literal(start) && !is_untyped_literal(end) => {
                let e = self.expr(end, Expect::Value);
                (self.expr(start, Expect::Ty(&e.ty)), e)
            }
            None => {
                let s = self.expr(start, Expect::Value);
                let e = self.expr(end, Expect::Ty(&s.ty));
                (s, e)
            }
        };
        let ty = declared.unwrap_or_else(|| start.ty.clone());
        if !ty.is_int() && !ty.is_flexible() {
            let shown = self.show(&ty);
            self.error(Diagnostic::new(
                Code::BadForIterable,
                format!("a range needs integer bounds, found `{shown}`"),
                iter.span,
                "not an integer range",
            ));
        } else if !end.ty.fits(&start.ty) {
            self.mismatch(&start.ty, &end.ty, end.span);
        }
        self.push_scope();
        let var = self.declare_local(var, ty, false);
        let body = self.loop_body(body);
        self.pop_scope();
        Some(Stmt::ForRange {
            var,
            start: Box::new(start),
            end: Box::new(end),
            inclusive: *inclusive,
            body,
        })
    }
}

impl FnChecker<'_> {
    /// `for (x in xs)` over a List (its elements), a Set (its elements, in
    /// insertion order) or a Dict (its keys): lowered to a loop over a
    /// list, a snapshot for sets and dicts.
    fn for_collection(
        &mut self,
        var: &ast::Ident,
        declared: Option<&Ty>,
        value: hir::Expr,
        body: &ast::Block,
    ) -> Option<Stmt> {
        let span = value.span;
        let (elem, list) = match value.ty.clone() {
            Ty::List(t) => (*t, value),
            Ty::Set(t) => {
                let list_ty = Ty::List(t.clone());
                let list = hir::Expr::new(
                    ExprKind::Builtin {
                        op: hir::Builtin::SetToList,
                        args: vec![Some(value)],
                    },
                    list_ty,
                    span,
                );
                (*t, list)
            }
            Ty::Dict(k, _) => {
                let list_ty = Ty::List(k.clone());
                let list = hir::Expr::new(
                    ExprKind::Builtin {
                        op: hir::Builtin::DictKeys,
                        args: vec![Some(value)],
                    },
                    list_ty,
                    span,
                );
                (*k, list)
            }
            _ => return None,
        };
        if let Some(d) = declared {
            if !d.fits(&elem) {
                self.mismatch(&elem, d, var.span);
            }
        }
        self.push_scope();
        let var = self.declare_local(var, elem, false);
        let body = self.loop_body(body);
        self.pop_scope();
        Some(Stmt::ForList { var, list, body })
    }
}

/// Whether control never continues after this statement.
fn stmt_diverges(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Return(..) | Stmt::Break | Stmt::Continue => true,
        Stmt::Expr(e) | Stmt::Let { value: e, .. } => e.ty == Ty::Never,
        Stmt::While { cond, body } => {
            matches!(cond.kind, ExprKind::Bool(true)) && !block_breaks(body)
        }
        Stmt::ForRange { .. } | Stmt::ForList { .. } | Stmt::ForChannel { .. } => false,
        Stmt::Concurrent { body, .. } => body.ty == Ty::Never,
        Stmt::Select { arms, .. } => {
            !arms.is_empty() && arms.iter().all(|a| a.body.ty == Ty::Never)
        }
    }
}

/// Whether a `break` in this loop body leaves this loop (breaks of nested
/// loops do not count).
fn block_breaks(block: &hir::Block) -> bool {
    block.stmts.iter().any(|s| match s {
        Stmt::Break => true,
        Stmt::Expr(e) | Stmt::Let { value: e, .. } => expr_breaks(e),
        Stmt::Return(Some(e), _) => expr_breaks(e),
        Stmt::Concurrent { body, .. } => block_breaks(body),
        Stmt::Select { arms, .. } => arms.iter().any(|a| block_breaks(&a.body)),
        _ => false,
    }) || block.tail.as_deref().is_some_and(expr_breaks)
}

fn expr_breaks(e: &hir::Expr) -> bool {
    match &e.kind {
        ExprKind::Block(b) => block_breaks(b),
        ExprKind::If {
            then, otherwise, ..
        } => block_breaks(then) || otherwise.as_ref().is_some_and(block_breaks),
        _ => false,
    }
}
