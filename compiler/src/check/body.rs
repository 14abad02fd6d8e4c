//! Per-function checking state: locals, lexical scopes, the return type
//! and loop nesting. Expressions and statements are checked by the
//! `impl FnChecker` blocks in `expr.rs`, `stmt.rs` and `call.rs`.

use std::collections::HashMap;

use super::{naming, types, Checker, FnSig, ParamSig};
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, FnId, LocalId, Ty};
use crate::source::Span;
use crate::syntax::ast;

/// What the context of an expression wants from it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expect<'t> {
    /// A value of any type.
    Value,
    /// A value of this type; literals adapt to it.
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

pub(crate) struct FnChecker<'c> {
    pub c: &'c mut Checker,
    pub locals: Vec<hir::Local>,
    /// Where each local was declared, for secondary labels.
    pub local_spans: Vec<Span>,
    scopes: Vec<HashMap<String, LocalId>>,
    /// The declared return type of the function being checked.
    pub ret: Ty,
    pub loop_depth: u32,
}

impl<'c> FnChecker<'c> {
    pub fn new(c: &'c mut Checker, ret: Ty) -> Self {
        FnChecker {
            c,
            locals: Vec::new(),
            local_spans: Vec::new(),
            scopes: vec![HashMap::new()],
            ret,
            loop_depth: 0,
        }
    }

    pub fn error(&mut self, diag: Diagnostic) {
        self.c.error(diag);
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

/// Resolves a function's signature (defaults are filled in later by
/// [`check_defaults`], once every function is known).
pub(crate) fn signature(checker: &mut Checker, decl: &ast::FnDecl) -> FnSig {
    let mut params: Vec<ParamSig> = Vec::new();
    for param in &decl.params {
        naming::check_snake_case(checker, &param.name, "parameter");
        if let Some(first) = params.iter().find(|p| p.name == param.name.name) {
            let first_span = first.span;
            checker.error(
                Diagnostic::new(
                    Code::DuplicateLocal,
                    format!("the parameter `{}` is declared twice", param.name.name),
                    param.name.span,
                    "declared again here",
                )
                .with_label(first_span, "first declared here"),
            );
        }
        let ty = types::resolve(checker, &param.ty);
        params.push(ParamSig {
            name: param.name.name.clone(),
            ty,
            default: None,
            span: param.name.span,
        });
    }
    let ret = decl
        .ret
        .as_ref()
        .map_or(Ty::Unit, |t| types::resolve(checker, t));
    FnSig {
        name: decl.name.name.clone(),
        params,
        ret,
        name_span: decl.name.span,
    }
}

/// Checks every parameter default of a function against its parameter
/// type. Defaults cannot see the other parameters.
pub(crate) fn check_defaults(checker: &mut Checker, id: FnId, decl: &ast::FnDecl) {
    for (i, param) in decl.params.iter().enumerate() {
        let Some(default) = &param.default else {
            continue;
        };
        let ty = checker.fns[id.0 as usize].params[i].ty.clone();
        let mut cx = FnChecker::new(checker, Ty::Error);
        let value = cx.expect_ty(default, &ty);
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

/// Checks one function body.
pub(crate) fn check_function(checker: &mut Checker, id: FnId, decl: &ast::FnDecl) -> hir::Function {
    let sig = checker.fns[id.0 as usize].clone();
    let mut cx = FnChecker::new(checker, sig.ret.clone());
    let params = decl
        .params
        .iter()
        .zip(&sig.params)
        .map(|(p, s)| cx.declare_local(&p.name, s.ty.clone(), false))
        .collect();
    let expect = if sig.ret == Ty::Unit {
        Expect::Discard
    } else {
        Expect::Ty(&sig.ret)
    };
    let body = cx.block(&function_body(&decl.body), expect);
    if let Some(tail) = &body.tail {
        if sig.ret != Ty::Unit && !tail.ty.fits(&sig.ret) {
            cx.mismatch(&sig.ret, &tail.ty, tail.span);
        }
    }
    if sig.ret != Ty::Unit && body.tail.is_none() && !body.ty.is_flexible() {
        let end = Span {
            start: decl.body.span.end.saturating_sub(1),
            ..decl.body.span
        };
        cx.error(
            Diagnostic::new(
                Code::MissingReturn,
                format!("`{}` may end without returning a value", sig.name),
                end,
                "control can reach the end of the function here",
            )
            .with_label(sig.name_span, format!("declared to return `{}`", sig.ret))
            .with_hint("add a `return` on every path"),
        );
    }
    hir::Function {
        name: sig.name,
        params,
        ret: sig.ret,
        locals: cx.locals,
        body,
        span: decl.span,
    }
}
