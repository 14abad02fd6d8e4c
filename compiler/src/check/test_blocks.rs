//! `test` and `bench` blocks (spec section 11), checked only when
//! building for `plat test` / `plat bench` ([`Mode`]); a normal build
//! ignores them.
//!
//! The functions of the root module's blocks of the mode's kind join the
//! program: helpers and cases in the global function namespace (so their
//! names are unique across blocks), hooks (`before_each`, `after_each`)
//! under the block's own name (`block.before_each`, which no Plat code
//! can write). [`cases`] then lists the cases, in declaration order, with
//! their hooks, and reports malformed ones.

use super::{signature, Checker, Mode};
use crate::diag::{Code, Diagnostic};
use crate::hir::{FnId, TestCase, Ty};
use crate::syntax::ast;

/// The blocks of the mode's kind in `module`: `(name, fns)`.
fn blocks(mode: Mode, module: &ast::Module) -> Vec<(&ast::Ident, &[ast::FnDecl])> {
    module
        .items
        .iter()
        .filter_map(|item| match (&item.kind, mode) {
            (ast::ItemKind::Test { name, fns }, Mode::Test)
            | (ast::ItemKind::Bench { name, fns }, Mode::Bench) => Some((name, fns.as_slice())),
            _ => None,
        })
        .collect()
}

fn is_hook(name: &str) -> bool {
    name == "before_each" || name == "after_each"
}

/// The name a hook is declared under.
fn hook_key(block: &str, hook: &str) -> String {
    format!("{block}.{hook}")
}

/// Declares the functions of the root module's blocks (the checker's
/// current module is the root); returns those declared, for their bodies
/// to be checked.
pub(super) fn declare<'m>(checker: &mut Checker, root: &'m ast::Module) -> Vec<&'m ast::FnDecl> {
    let mut decls = Vec::new();
    let mut seen: Vec<&ast::Ident> = Vec::new();
    for (name, fns) in blocks(checker.mode, root) {
        if let Some(first) = seen.iter().find(|b| b.name == name.name) {
            let first = first.span;
            checker.error(
                Diagnostic::new(
                    Code::DuplicateDefinition,
                    format!("the block `{}` is defined twice", name.name),
                    name.span,
                    "second block with this name",
                )
                .with_label(first, "first defined here"),
            );
            continue;
        }
        seen.push(name);
        for decl in fns {
            let key = if is_hook(&decl.name.name) {
                Some(hook_key(&name.name, &decl.name.name))
            } else {
                None
            };
            if signature::declare_fn_as(checker, decl, false, key) {
                decls.push(decl);
            }
        }
    }
    decls
}

/// The cases of the root module's blocks, in declaration order.
pub(super) fn cases(checker: &mut Checker, root: &ast::Module) -> Vec<TestCase> {
    let prefix = match checker.mode {
        Mode::Bench => "bench_",
        _ => "test_",
    };
    let mut out = Vec::new();
    for (block, fns) in blocks(checker.mode, root) {
        let hook = |c: &Checker, h: &str| c.fn_by_name.get(&hook_key(&block.name, h)).copied();
        let before = hook(checker, "before_each");
        let after = hook(checker, "after_each");
        if checker.mode == Mode::Bench {
            if let Some(h) = before.or(after) {
                let span = checker.fns[h.0 as usize].name_span;
                checker.error(Diagnostic::new(
                    Code::BadTest,
                    "`bench` blocks have no hooks",
                    span,
                    "not allowed in a `bench` block",
                ));
                continue;
            }
        }
        let ctx_ty = before.map(|b| checker.fns[b.0 as usize].ret.clone());
        if let Some(b) = before {
            check_no_params(checker, b, "`before_each` takes no parameters");
        }
        let after_takes_ctx = match (after, &ctx_ty) {
            (Some(a), None) => {
                let span = checker.fns[a.0 as usize].name_span;
                checker.error(
                    Diagnostic::new(
                        Code::BadTest,
                        "`after_each` needs a `before_each` in its block",
                        span,
                        "no `before_each` builds its `ctx`",
                    )
                    .with_hint("add `fn before_each() -> T`, or remove `after_each`"),
                );
                false
            }
            (Some(a), Some(ty)) => {
                check_ret(checker, a, "`after_each` returns nothing");
                check_ctx_param(checker, a, ty)
            }
            _ => false,
        };
        for decl in fns {
            let name = &decl.name.name;
            if is_hook(name) || !name.starts_with(prefix) {
                continue;
            }
            let Some(&id) = checker.fn_by_name.get(&checker.qualify(name)) else {
                continue;
            };
            if checker.fns[id.0 as usize].name_span != decl.name.span {
                continue; // a duplicate, already reported
            }
            if !decl.generics.is_empty() {
                checker.error(Diagnostic::new(
                    Code::BadTest,
                    "a test or bench case cannot be generic",
                    decl.name.span,
                    "has type parameters",
                ));
                continue;
            }
            let takes_ctx = match (&ctx_ty, checker.mode) {
                (Some(ty), Mode::Test) => check_ctx_param(checker, id, ty),
                _ => {
                    check_no_params(checker, id, "a case takes no parameters");
                    false
                }
            };
            if checker.mode == Mode::Test {
                check_ret(checker, id, "a test case returns nothing");
            }
            out.push(TestCase {
                block: block.name.clone(),
                name: name.clone(),
                func: id,
                before,
                takes_ctx,
                after,
                after_takes_ctx,
                span: decl.name.span,
            });
        }
    }
    out
}

fn check_no_params(checker: &mut Checker, id: FnId, message: &str) {
    let sig = &checker.fns[id.0 as usize];
    if let Some(p) = sig.params.first() {
        let span = p.span;
        checker.error(Diagnostic::new(
            Code::BadTest,
            message,
            span,
            "remove this parameter",
        ));
    }
}

fn check_ret(checker: &mut Checker, id: FnId, message: &str) {
    let sig = &checker.fns[id.0 as usize];
    if !matches!(sig.ret, Ty::Unit | Ty::Error) {
        let span = sig.name_span;
        checker.error(Diagnostic::new(
            Code::BadTest,
            message,
            span,
            "remove the return type",
        ));
    }
}

/// A hook or case that takes its block's context: no parameter, or
/// exactly `ctx: T` with `T` what `before_each` returns. Returns whether
/// it takes it.
fn check_ctx_param(checker: &mut Checker, id: FnId, ctx_ty: &Ty) -> bool {
    let sig = checker.fns[id.0 as usize].clone();
    match sig.params.as_slice() {
        [] => false,
        [p] if p.name == "ctx" && (p.ty == *ctx_ty || p.ty == Ty::Error) => true,
        [p] if p.name == "ctx" => {
            let (want, got) = (checker.show(ctx_ty), checker.show(&p.ty));
            checker.error(Diagnostic::new(
                Code::BadTest,
                format!("`ctx` must have the type `{want}` that `before_each` returns"),
                p.span,
                format!("declared as `{got}`"),
            ));
            false
        }
        [p, ..] => {
            checker.error(
                Diagnostic::new(
                    Code::BadTest,
                    "a case or hook takes at most one parameter, `ctx`",
                    p.span,
                    "unexpected parameter",
                )
                .with_hint("the block's `before_each` result is passed as `ctx`"),
            );
            false
        }
    }
}
