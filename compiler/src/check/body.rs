//! Per-function checking state: locals, lexical scopes, the return type,
//! loop nesting, the generic parameters in scope and the owner of a method.
//! Expressions and statements are checked by the `impl FnChecker` blocks in
//! `expr.rs`, `stmt.rs`, `call.rs`, `pattern.rs` and `collections.rs`.

use std::collections::HashMap;

use super::adt::{self, owner_type};
use super::types::{self, Generics};
use super::Checker;
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, AdtId, FnId, LocalId, ParamId, Ty};
use crate::source::Span;
use crate::syntax::ast;

/// What the context of an expression wants from it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expect<'t> {
    /// A value of any type.
    Value,
    /// A value of this type; literals and inference adapt to it.
    Ty(&'t Ty),
    /// The value is discarded (expression statements).
    Discard,
}

impl<'t> Expect<'t> {
    pub fn ty(self) -> Option<&'t Ty> {
        match self {
            Expect::Ty(t) => Some(t),
            _ => None,
        }
    }
}

/// An open closure or spawn body.
pub(crate) struct Frame {
    pub captures: Vec<LocalId>,
    pub span: Span,
    pub kind: hir::FnKind,
}

/// A lifted body waiting for its enclosing function's final locals.
pub(crate) struct PendingFn {
    pub id: FnId,
    pub kind: hir::FnKind,
    pub params: Vec<LocalId>,
    pub ret: Ty,
    pub body: hir::Block,
    pub captures: Vec<LocalId>,
    pub span: Span,
}

pub(crate) struct FnChecker<'c> {
    pub c: &'c mut Checker,
    pub locals: Vec<hir::Local>,
    /// Where each local was declared, for secondary labels.
    pub local_spans: Vec<Span>,
    scopes: Vec<HashMap<String, LocalId>>,
    /// The declared return type of the function being checked.
    pub ret: Ty,
    pub loop_depth: u32,
    /// Type parameter names in scope.
    pub generics: Generics,
    /// The class or enum whose method is being checked.
    pub owner: Option<AdtId>,
    /// `self` in a method.
    pub self_local: Option<LocalId>,
    /// Checking an `init`: `let` fields may be assigned through `self`.
    pub in_init: bool,
    /// The closure depth (number of open bodies) each local was declared at.
    pub local_depth: Vec<u32>,
    /// Open closure and spawn bodies, innermost last.
    pub frames: Vec<Frame>,
    /// In a spawn body: the result type, once a `return` decided it.
    pub ret_infer: Option<Option<Ty>>,
    /// Bodies lifted out of this function, waiting for its final locals.
    pub pending: Vec<PendingFn>,
    /// Scope locals of the enclosing `concurrent` blocks.
    pub concurrent: Vec<LocalId>,
    /// The name of the function being checked (for labels).
    pub fn_span: Option<Span>,
    /// Variants whose type arguments nothing decided, so they defaulted
    /// to `Int32` (`Option::None` alone): where, the type they got, and
    /// how to write them. A variable's inferred type must not rest on such
    /// a guess (see `check_inferred`).
    pub defaulted: Vec<(Span, Ty, String)>,
}

impl<'c> FnChecker<'c> {
    pub fn new(c: &'c mut Checker, ret: Ty, generics: Generics) -> Self {
        FnChecker {
            c,
            locals: Vec::new(),
            local_spans: Vec::new(),
            scopes: vec![HashMap::new()],
            ret,
            loop_depth: 0,
            generics,
            owner: None,
            self_local: None,
            in_init: false,
            local_depth: Vec::new(),
            frames: Vec::new(),
            ret_infer: None,
            pending: Vec::new(),
            concurrent: Vec::new(),
            fn_span: None,
            defaulted: Vec::new(),
        }
    }

    pub fn error(&mut self, diag: Diagnostic) {
        self.c.error(diag);
    }

    /// A type as users write it.
    pub fn show(&self, ty: &Ty) -> String {
        self.c.show(ty)
    }

    pub fn resolve_type(&mut self, ty: &ast::TypeExpr) -> Ty {
        let generics = std::mem::take(&mut self.generics);
        let t = types::resolve(self.c, ty, &generics);
        self.generics = generics;
        t
    }

    /// Whether a value of type `found` is accepted where `expected` is:
    /// equal types, or a subclass where a class is expected.
    pub fn fits(&self, found: &Ty, expected: &Ty) -> bool {
        found.fits(expected)
            || (matches!(found, Ty::Adt(..)) && adt::is_subclass(self.c, found, expected))
    }

    pub fn push_scope(&mut self) {
        self.scopes.push(HashMap::new());
    }

    pub fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Declares a local in the innermost scope. A second declaration of
    /// the same name in the same scope is an error; an inner scope may
    /// shadow an outer one.
    pub fn declare_local(&mut self, name: &ast::Ident, ty: Ty, mutable: bool) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(hir::Local {
            name: name.name.clone(),
            ty,
            mutable,
        });
        self.local_spans.push(name.span);
        self.local_depth.push(self.frames.len() as u32);
        let previous = self
            .scopes
            .last_mut()
            .and_then(|scope| scope.insert(name.name.clone(), id));
        if let Some(prev) = previous {
            let prev_span = self.local_spans[prev.0 as usize];
            self.error(
                Diagnostic::new(
                    Code::DuplicateLocal,
                    format!("`{}` is already declared in this scope", name.name),
                    name.span,
                    "declared again here",
                )
                .with_label(prev_span, "first declared here")
                .with_hint("use another name, or assign to the existing variable"),
            );
        }
        id
    }

    /// A compiler-made local that no source name can reach.
    pub fn hidden_local(&mut self, ty: Ty, span: Span) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(hir::Local {
            name: format!("${}", id.0),
            ty,
            mutable: false,
        });
        self.local_spans.push(span);
        self.local_depth.push(self.frames.len() as u32);
        id
    }

    pub fn lookup_local(&self, name: &str) -> Option<LocalId> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    /// Names of every visible local, for "did you mean" hints.
    pub fn visible_names(&self) -> Vec<String> {
        self.scopes.iter().flat_map(|s| s.keys().cloned()).collect()
    }

    pub fn local_ty(&self, id: LocalId) -> Ty {
        self.locals[id.0 as usize].ty.clone()
    }
}

/// The generic names in scope inside function `id`.
fn generics_of(checker: &Checker, id: FnId) -> Generics {
    checker.fns[id.0 as usize]
        .generics
        .iter()
        .map(|p: &ParamId| (checker.params[p.0 as usize].clone(), *p))
        .collect()
}

/// Checks every parameter default of a function against its parameter
/// type. Defaults cannot see the other parameters.
pub(crate) fn check_defaults(checker: &mut Checker, id: FnId, decl: &ast::FnDecl) {
    for (i, param) in decl.params.iter().enumerate() {
        let Some(default) = &param.default else {
            continue;
        };
        let Some(ty) = checker.fns[id.0 as usize]
            .params
            .get(i)
            .map(|p| p.ty.clone())
        else {
            continue;
        };
        checker.cur = checker.fns[id.0 as usize].module;
        let generics = generics_of(checker, id);
        let mut cx = FnChecker::new(checker, Ty::Error, generics);
        let value = cx.expect_ty(default, &ty);
        if !cx.pending.is_empty() {
            cx.error(Diagnostic::not_supported(
                "closures and spawns in a default",
                default.span,
            ));
        }
        if !cx.locals.is_empty() {
            cx.error(Diagnostic::not_supported(
                "declaring variables in a default",
                default.span,
            ));
        }
        checker.fns[id.0 as usize].params[i].default = Some(value);
    }
}

/// A body ending in an `if` without `else` ends in a statement, not in
/// a value: `fn f() -> Int32 { if (c) { return 1; } }` misses a return.
fn function_body(body: &ast::Block) -> std::borrow::Cow<'_, ast::Block> {
    match body.tail.as_deref() {
        Some(
            tail @ ast::Expr {
                kind: ast::ExprKind::If {
                    otherwise: None, ..
                },
                ..
            },
        ) => {
            let mut body = body.clone();
            body.tail = None;
            body.stmts.push(ast::Stmt {
                kind: ast::StmtKind::Expr(tail.clone()),
                span: tail.span,
            });
            std::borrow::Cow::Owned(body)
        }
        _ => std::borrow::Cow::Borrowed(body),
    }
}

/// Checks one function or method body.
pub(crate) fn check_function(checker: &mut Checker, id: FnId, decl: &ast::FnDecl) -> hir::Function {
    let sig = checker.fns[id.0 as usize].clone();
    checker.cur = sig.module;
    let generics = generics_of(checker, id);
    let mut cx = FnChecker::new(checker, sig.ret.clone(), generics);
    cx.owner = sig.owner;
    cx.in_init = sig.is_init;
    cx.fn_span = Some(sig.name_span);
    let mut params = Vec::new();
    if let Some(owner) = sig.owner {
        let self_ty = owner_type(cx.c, owner);
        let ident = ast::Ident {
            name: "self".into(),
            span: sig.name_span,
        };
        let local = cx.declare_local(&ident, self_ty, false);
        cx.self_local = Some(local);
        params.push(local);
    }
    params.extend(
        decl.params
            .iter()
            .zip(&sig.params)
            .map(|(p, s)| cx.declare_local(&p.name, s.ty.clone(), false)),
    );
    let expect = if sig.ret == Ty::Unit || sig.is_init {
        Expect::Discard
    } else {
        Expect::Ty(&sig.ret)
    };
    let body = cx.block(&function_body(&decl.body), expect);
    if let Some(tail) = &body.tail {
        if sig.ret != Ty::Unit && !sig.is_init && !cx.fits(&tail.ty, &sig.ret) {
            cx.mismatch(&sig.ret, &tail.ty, tail.span);
        }
    }
    if sig.ret != Ty::Unit && !sig.is_init && body.tail.is_none() && !body.ty.is_flexible() {
        let end = Span {
            start: decl.body.span.end.saturating_sub(1),
            ..decl.body.span
        };
        let ret = cx.show(&sig.ret);
        cx.error(
            Diagnostic::new(
                Code::MissingReturn,
                format!("`{}` may end without returning a value", sig.name),
                end,
                "control can reach the end of the function here",
            )
            .with_label(sig.name_span, format!("declared to return `{ret}`"))
            .with_hint("add a `return` on every path"),
        );
    }
    let name = match sig.owner {
        Some(o) => format!("{}.{}", cx.c.adt(o).name, sig.name),
        None => sig.name,
    };
    // Lifted bodies get the final locals (they share their ids).
    let mut pending = std::mem::take(&mut cx.pending);
    pending.sort_by_key(|p| p.id);
    for (i, p) in pending.into_iter().enumerate() {
        let lifted = hir::Function {
            name: format!(
                "{name}.{}{i}",
                if p.kind == hir::FnKind::Spawn {
                    "spawn"
                } else {
                    "closure"
                }
            ),
            kind: p.kind,
            is_init: false,
            captures: p.captures,
            generics: sig.generics.clone(),
            params: p.params,
            ret: p.ret,
            locals: cx.locals.clone(),
            body: p.body,
            span: p.span,
        };
        cx.c.lifted.push(lifted);
    }
    hir::Function {
        name,
        kind: hir::FnKind::Plain,
        is_init: sig.is_init,
        captures: Vec::new(),
        generics: sig.generics,
        params,
        ret: sig.ret,
        locals: cx.locals,
        body,
        span: decl.span,
    }
}
