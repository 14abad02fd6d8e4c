//! `Thread.spawn(f = e)` (concurrency.md section 7, docs/threads.md):
//! `e: Fn() -> T` runs on a new OS thread as a pinned task, and the call
//! is a `Thread<T>`, whose `join()` is checked with the task methods.
//!
//! The call is lowered to a block that evaluates `e` once and lifts a
//! `Spawn`-kind body calling it, with `f` as its only capture:
//!
//! ```text
//! { let $f = e; ThreadSpawn { func: <$f()>, captures: [$f] } }
//! ```
//!
//! so code generation needs only the runtime call: the body is compiled
//! as every spawn body is (its result encoded as a slot).

use super::args::BindParam;
use super::body::{Expect, FnChecker};
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, ExprKind, FnKind, Stmt, Ty};
use crate::source::Span;
use crate::syntax::ast;

impl FnChecker<'_> {
    /// `Thread.NAME(args)`: only `spawn` exists.
    pub(crate) fn thread_static_call(
        &mut self,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        if method.name != "spawn" {
            self.error(
                Diagnostic::new(
                    Code::UnknownMethod,
                    format!("`Thread.{}` is not a constructor", method.name),
                    method.span,
                    "no such constructor",
                )
                .with_hint("start a thread with `Thread.spawn(f = fn() -> T { ... })`"),
            );
            self.skip_args(args);
            return hir::Expr::error(span);
        }
        // The expected `Thread<T>` tells a closure's result type.
        let fn_expect = match expect.ty() {
            Some(Ty::Thread(t)) => Some(Ty::Fn(Vec::new(), t.clone())),
            _ => None,
        };
        let params = [BindParam {
            name: "f".into(),
            ty: fn_expect,
            required: true,
        }];
        let (mut bound, ok) = self.bind(&params, args, "Thread.spawn", span, None);
        let f = match bound.pop() {
            Some((_, f)) if ok => f,
            _ => return hir::Expr::error(span),
        };
        let ret = match &f.ty {
            Ty::Fn(ps, r) if ps.is_empty() => (**r).clone(),
            t if t.has_error() => return hir::Expr::error(span),
            t => {
                self.error(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        format!(
                            "`Thread.spawn` needs a function without parameters, found `{}`",
                            self.c.show(t)
                        ),
                        f.span,
                        "not a `Fn() -> T`",
                    )
                    .with_hint("pass a closure: `Thread.spawn(f = fn() -> Int32 { ... })`"),
                );
                return hir::Expr::error(span);
            }
        };
        self.lower_thread_spawn(f, ret, span)
    }

    /// The block of the module documentation.
    fn lower_thread_spawn(&mut self, f: hir::Expr, ret: Ty, span: Span) -> hir::Expr {
        let f_ty = f.ty.clone();
        let f_local = self.hidden_local(f_ty.clone(), span);
        let saved = self.enter_body(FnKind::Spawn, span, ret.clone(), false);
        self.capture(f_local);
        let call = hir::Expr::new(
            ExprKind::CallValue {
                callee: Box::new(hir::Expr::new(ExprKind::Local(f_local), f_ty, span)),
                args: Vec::new(),
            },
            ret.clone(),
            span,
        );
        let body = hir::Block {
            stmts: Vec::new(),
            ty: ret.clone(),
            tail: Some(Box::new(call)),
        };
        let (captures, _) = self.leave_body(saved);
        let func = self.lift_spawn_body(ret.clone(), body, captures.clone(), span);
        let ty = Ty::Thread(Box::new(ret));
        let spawn = hir::Expr::new(ExprKind::ThreadSpawn { func, captures }, ty.clone(), span);
        let block = hir::Block {
            stmts: vec![Stmt::Let {
                local: f_local,
                value: f,
            }],
            tail: Some(Box::new(spawn)),
            ty: ty.clone(),
        };
        hir::Expr::new(ExprKind::Block(block), ty, span)
    }
}
