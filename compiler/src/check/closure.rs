//! Closures, `spawn`, `concurrent` and `race`: bodies checked in place
//! (they see the enclosing locals) and lifted into functions of their own.
//!
//! Capture analysis: every local remembers the closure depth it was
//! declared at. Using it from a deeper body records it as a capture of
//! every body in between (a nested closure's captures are captured by its
//! parent too). Captures are copied when the closure or task is made, so
//! assigning to one inside the body is an error (E0224).
//!
//! Lifted bodies share the enclosing function's locals (`LocalId`s stay
//! valid); codegen loads the captures from the environment on entry.

use super::body::{Expect, FnChecker, Frame, PendingFn};
use super::naming;
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, ExprKind, FnId, FnKind, LocalId, Stmt, Ty};
use crate::source::Span;
use crate::syntax::ast;

/// What an enclosing body's checker state was, to restore after a nested one.
pub(super) struct Saved {
    ret: Ty,
    ret_infer: Option<Option<Ty>>,
    loop_depth: u32,
}

impl FnChecker<'_> {
    /// Looks up a local and records it as a capture of the bodies it is
    /// used from.
    pub fn resolve_local(&mut self, name: &str) -> Option<LocalId> {
        let id = self.lookup_local(name)?;
        self.capture(id);
        Some(id)
    }

    /// `self` in a method, read like any other local: used inside a
    /// closure or spawn body it is captured (the object is shared, since
    /// the captured value is the reference). Every read of `self`, written
    /// or implied (`super.m()`), goes through here.
    pub fn self_value(&mut self, span: Span) -> Option<hir::Expr> {
        let local = self.self_local?;
        self.capture(local);
        Some(hir::Expr::new(
            ExprKind::Local(local),
            self.local_ty(local),
            span,
        ))
    }

    /// Records `id` as captured by every open body deeper than its
    /// declaration.
    pub fn capture(&mut self, id: LocalId) {
        let declared_at = self.local_depth[id.0 as usize] as usize;
        for frame in self.frames.iter_mut().skip(declared_at) {
            if !frame.captures.contains(&id) {
                frame.captures.push(id);
            }
        }
    }

    /// Reports an assignment to a captured local.
    pub fn check_not_captured(&mut self, id: LocalId, target: Span) {
        let declared_at = self.local_depth[id.0 as usize] as usize;
        let Some(frame) = self.frames.get(declared_at) else {
            return;
        };
        let what = if frame.kind == FnKind::Spawn {
            "task"
        } else {
            "closure"
        };
        let name = self.locals[id.0 as usize].name.clone();
        let frame_span = frame.span;
        let is_task = frame.kind == FnKind::Spawn;
        let decl = self.local_spans[id.0 as usize];
        self.error(
            Diagnostic::new(
                Code::CapturedAssign,
                format!(
                    "`{name}` is captured by a {what}, so it cannot be assigned inside it; \
                     use a Channel, Atomic or Mutex to share state"
                ),
                target,
                "assigned inside the body",
            )
            .with_label(
                frame_span,
                format!("`{name}` is copied into this {what} when it is made"),
            )
            .with_label(decl, "declared here")
            .with_hint(if is_task {
                "send the value on a `Channel`, count with an `Atomic`, or update a shared \
                 object under a `Mutex`; or return the value from the task and read it with \
                 `.await()`"
            } else {
                "keep the state in an `Atomic`, or in a `var` field of a class instance (or a \
                 List or Dict): those are shared by reference, so the closure's copy refers \
                 to the same object"
            }),
        );
    }

    pub(super) fn enter_body(&mut self, kind: FnKind, span: Span, ret: Ty, infer: bool) -> Saved {
        self.frames.push(Frame {
            captures: Vec::new(),
            span,
            kind,
        });
        self.push_scope();
        Saved {
            ret: std::mem::replace(&mut self.ret, ret),
            ret_infer: std::mem::replace(&mut self.ret_infer, infer.then_some(None)),
            loop_depth: std::mem::replace(&mut self.loop_depth, 0),
        }
    }

    pub(super) fn leave_body(&mut self, saved: Saved) -> (Vec<LocalId>, Option<Ty>) {
        self.pop_scope();
        let frame = self.frames.pop().map(|f| f.captures).unwrap_or_default();
        self.ret = saved.ret;
        self.loop_depth = saved.loop_depth;
        let inferred = std::mem::replace(&mut self.ret_infer, saved.ret_infer).flatten();
        (frame, inferred)
    }

    /// Reserves a function id for a lifted body.
    fn lift(&mut self, pending: PendingFn) -> FnId {
        let id = pending.id;
        self.pending.push(pending);
        id
    }

    /// Lifts a spawn-kind body (no parameters, result `ret`) whose free
    /// locals are `captures`: a `spawn { }` block, `Thread.spawn`'s call of
    /// its function, a `par_*` chunk.
    pub(super) fn lift_spawn_body(
        &mut self,
        ret: Ty,
        body: hir::Block,
        captures: Vec<LocalId>,
        span: Span,
    ) -> FnId {
        let id = self.next_lifted_id();
        self.lift(PendingFn {
            id,
            kind: FnKind::Spawn,
            params: Vec::new(),
            ret,
            body,
            captures,
            span,
        })
    }

    fn next_lifted_id(&mut self) -> FnId {
        let id = FnId(self.c.next_lifted);
        self.c.next_lifted += 1;
        id
    }

    /// `fn(params) -> T { body }`.
    pub fn closure(
        &mut self,
        params: &[ast::Param],
        ret: Option<&ast::TypeExpr>,
        body: &ast::Block,
        span: Span,
    ) -> hir::Expr {
        let ret_ty = ret.map_or(Ty::Unit, |t| self.resolve_type(t));
        // A closure may be called after the scope around it has ended, so
        // its body cannot spawn into that scope (spawn bodies can).
        let outer_scopes = std::mem::take(&mut self.concurrent);
        let saved = self.enter_body(FnKind::Closure, span, ret_ty.clone(), false);
        let mut param_locals = Vec::new();
        let mut param_tys = Vec::new();
        for p in params {
            naming::check_snake_case(self.c, &p.name, "parameter");
            if let Some(d) = &p.default {
                self.error(Diagnostic::new(
                    Code::UnexpectedToken,
                    "closure parameters cannot have defaults",
                    d.span,
                    "default value",
                ));
            }
            let ty = self.resolve_type(&p.ty);
            param_tys.push(ty.clone());
            param_locals.push(self.declare_local(&p.name, ty, false));
        }
        let expect = if ret_ty == Ty::Unit {
            Expect::Discard
        } else {
            Expect::Ty(&ret_ty)
        };
        let block = self.block(body, expect);
        self.check_body_end(&block, &ret_ty, body.span, span);
        let (captures, _) = self.leave_body(saved);
        self.concurrent = outer_scopes;
        let id = self.next_lifted_id();
        let func = self.lift(PendingFn {
            id,
            kind: FnKind::Closure,
            params: param_locals,
            ret: ret_ty.clone(),
            body: block,
            captures: captures.clone(),
            span,
        });
        hir::Expr::new(
            ExprKind::Closure { func, captures },
            Ty::Fn(param_tys, Box::new(ret_ty)),
            span,
        )
    }

    /// A body with a declared result type must end in a value or return.
    fn check_body_end(&mut self, block: &hir::Block, ret: &Ty, body_span: Span, span: Span) {
        if let Some(tail) = &block.tail {
            if *ret != Ty::Unit && !self.fits(&tail.ty, ret) {
                self.mismatch(ret, &tail.ty, tail.span);
            }
        } else if *ret != Ty::Unit && !block.ty.is_flexible() {
            let end = Span {
                start: body_span.end.saturating_sub(1),
                ..body_span
            };
            let shown = self.show(ret);
            self.error(
                Diagnostic::new(
                    Code::MissingReturn,
                    "this function value may end without returning a value",
                    end,
                    "control can reach the end here",
                )
                .with_label(span, format!("declared to return `{shown}`")),
            );
        }
    }

    /// `spawn { body }`: a `Task<T>`, `T` from the body's `return`s or
    /// final expression.
    pub fn spawn(
        &mut self,
        body: &ast::Block,
        span: Span,
        scope: Option<LocalId>,
        expect: Option<&Ty>,
    ) -> hir::Expr {
        // An expected `Task<T>` decides `T` up front, so literals adapt.
        let expected = match expect {
            Some(Ty::Task(t)) => Some((**t).clone()),
            _ => None,
        };
        let scope = match scope.or_else(|| self.concurrent.last().copied()) {
            Some(s) => s,
            None => {
                let mut diag = Diagnostic::new(
                    Code::SpawnOutsideConcurrent,
                    "`spawn` can only be used inside a `concurrent` block",
                    span,
                    "not inside `concurrent { ... }`",
                )
                .with_hint(
                    "wrap the spawns and the code that waits for them in `concurrent { ... }`",
                );
                if let Some(f) = self.frames.last() {
                    diag = diag.with_label(
                        f.span,
                        "this body is not itself inside a `concurrent` block",
                    );
                } else if let Some(f) = self.fn_span {
                    diag = diag.with_label(f, "in this function, outside any `concurrent` block");
                }
                self.error(diag);
                // Checked anyway, for the errors inside.
                let saved = self.enter_body(FnKind::Spawn, span, Ty::Error, true);
                self.block(body, Expect::Value);
                self.leave_body(saved);
                return hir::Expr::error(span);
            }
        };
        self.capture(scope);
        let saved = self.enter_body(FnKind::Spawn, span, Ty::Error, true);
        if let Some(t) = &expected {
            self.ret_infer = Some(Some(t.clone()));
        }
        let block = match &expected {
            Some(t) => self.block(body, Expect::Ty(t)),
            None => self.block(body, Expect::Value),
        };
        let inferred = self.ret_infer.clone().flatten();
        let ty = match (&block.tail, inferred) {
            (Some(tail), Some(r)) => {
                if !tail.ty.fits(&r) {
                    self.mismatch(&r, &tail.ty, tail.span);
                }
                r
            }
            (Some(tail), None) => tail.ty.clone(),
            (None, Some(r)) => r,
            (None, None) => Ty::Unit,
        };
        let ty = if ty == Ty::Never { Ty::Unit } else { ty };
        let (captures, _) = self.leave_body(saved);
        let func = self.lift_spawn_body(ty.clone(), block, captures.clone(), span);
        hir::Expr::new(
            ExprKind::Spawn {
                func,
                captures,
                scope,
            },
            Ty::Task(Box::new(ty)),
            span,
        )
    }

    /// `concurrent [(deadline_millis = n)] { body }`.
    pub fn concurrent(&mut self, args: &[ast::Arg], body: &ast::Block, span: Span) -> Stmt {
        let mut deadline = None;
        for arg in args {
            match arg.name.as_ref().map(|n| n.name.as_str()) {
                Some("deadline_millis") if deadline.is_none() => {
                    deadline = Some(self.expect_ty(&arg.value, &Ty::INT64));
                }
                Some("deadline_millis") => {
                    self.error(Diagnostic::new(
                        Code::RepeatedArgument,
                        "the argument `deadline_millis` is given twice",
                        arg.span,
                        "given again here",
                    ));
                    self.expr(&arg.value, Expect::Value);
                }
                _ => {
                    self.error(Diagnostic::new(
                        Code::UnknownArgument,
                        "`concurrent` takes one optional argument, `deadline_millis`",
                        arg.span,
                        "unexpected argument",
                    ));
                    self.expr(&arg.value, Expect::Value);
                }
            }
        }
        let ident = ast::Ident {
            name: "$scope".into(),
            span,
        };
        self.push_scope();
        let scope = self.declare_local(&ident, Ty::Scope, false);
        self.concurrent.push(scope);
        let body = self.block(body, Expect::Discard);
        self.concurrent.pop();
        self.pop_scope();
        Stmt::Concurrent {
            scope,
            deadline: deadline.map(Box::new),
            body,
        }
    }

    /// `race { spawn {..} spawn {..} }`: the first successful result.
    pub fn race(&mut self, spawns: &[ast::Expr], span: Span, expect: Option<&Ty>) -> hir::Expr {
        let task_expect = expect.map(|t| Ty::Task(Box::new(t.clone())));
        let ident = ast::Ident {
            name: "$race".into(),
            span,
        };
        self.push_scope();
        let scope = self.declare_local(&ident, Ty::Scope, false);
        let mut out = Vec::new();
        let mut ty: Option<Ty> = None;
        for s in spawns {
            let ast::ExprKind::Spawn(body) = &s.kind else {
                self.error(Diagnostic::new(
                    Code::UnexpectedToken,
                    "a `race` holds only `spawn { ... }` bodies",
                    s.span,
                    "not a spawn",
                ));
                continue;
            };
            let e = self.spawn(body, s.span, Some(scope), task_expect.as_ref());
            if let Ty::Task(t) = &e.ty {
                match &ty {
                    None => ty = Some((**t).clone()),
                    Some(prev) if !t.fits(prev) => {
                        let (a, b) = (self.show(prev), self.show(t));
                        self.error(Diagnostic::new(
                            Code::TypeMismatch,
                            format!(
                                "the tasks of a `race` return different types: `{a}` and `{b}`"
                            ),
                            s.span,
                            format!("this one returns `{b}`"),
                        ));
                    }
                    Some(_) => {}
                }
            }
            out.push(e);
        }
        self.pop_scope();
        if out.is_empty() {
            self.error(Diagnostic::new(
                Code::UnexpectedToken,
                "a `race` needs at least one `spawn`",
                span,
                "empty race",
            ));
            return hir::Expr::error(span);
        }
        hir::Expr::new(
            ExprKind::Race { scope, spawns: out },
            ty.unwrap_or(Ty::Error),
            span,
        )
    }
}
