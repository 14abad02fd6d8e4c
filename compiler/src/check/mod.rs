//! Name resolution and type checking: the AST becomes the typed HIR.
//!
//! All user-facing errors after parsing are produced here. Checking goes
//! on after an error: a failed expression gets the type `Error`, which is
//! compatible with everything, so one mistake is reported once.
//!
//! Order: [`collect`] gathers every item's signature first (so items may
//! appear in any order and recurse mutually), then each body is checked by
//! a [`body::FnChecker`].

mod body;
mod builtins;
mod call;
mod expr;
mod literal;
mod naming;
mod stmt;
mod types;

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic};
use crate::hir::{self, FnId, Ty};
use crate::source::Span;
use crate::syntax::ast;

/// A parameter of a user function, as call sites see it.
#[derive(Clone, Debug)]
pub(crate) struct ParamSig {
    pub name: String,
    pub ty: Ty,
    /// The checked default, copied into every call that omits it.
    pub default: Option<hir::Expr>,
    pub span: Span,
}

/// A user function's signature.
#[derive(Clone, Debug)]
pub(crate) struct FnSig {
    pub name: String,
    pub params: Vec<ParamSig>,
    pub ret: Ty,
    pub name_span: Span,
}

/// Global state of one checking run.
pub(crate) struct Checker {
    pub diags: Vec<Diagnostic>,
    pub fns: Vec<FnSig>,
    pub fn_by_name: HashMap<String, FnId>,
    /// `type Name = T;` declarations, resolved on use.
    pub aliases: HashMap<String, (ast::TypeExpr, Span)>,
    /// Aliases being resolved, to report cycles instead of looping.
    pub resolving: Vec<String>,
}

impl Checker {
    pub fn error(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }
}

/// Checks a parsed file. Returns the HIR when there was no error.
pub fn check(module: &ast::Module, file_span: Span) -> (Option<hir::Program>, Vec<Diagnostic>) {
    let mut checker = Checker {
        diags: Vec::new(),
        fns: Vec::new(),
        fn_by_name: HashMap::new(),
        aliases: HashMap::new(),
        resolving: Vec::new(),
    };
    let fn_decls = collect(&mut checker, module);
    for (i, decl) in fn_decls.iter().enumerate() {
        body::check_defaults(&mut checker, FnId(i as u32), decl);
    }
    let functions: Vec<hir::Function> = fn_decls
        .iter()
        .enumerate()
        .map(|(i, decl)| body::check_function(&mut checker, FnId(i as u32), decl))
        .collect();
    let main = find_main(&mut checker, file_span);
    let ok = checker.diags.is_empty();
    let program = match main {
        Some(main) if ok => Some(hir::Program { functions, main }),
        _ => None,
    };
    (program, checker.diags)
}

/// Collects signatures of all items and reports item-level errors.
/// Returns the function declarations in [`FnId`] order.
fn collect<'m>(checker: &mut Checker, module: &'m ast::Module) -> Vec<&'m ast::FnDecl> {
    if let Some(path) = &module.mod_decl {
        checker.error(Diagnostic::not_supported("`mod` declarations", path.span));
    }
    for path in &module.uses {
        checker.error(Diagnostic::not_supported("`use` of modules", path.span));
    }
    for item in &module.items {
        if let ast::ItemKind::TypeAlias { name, ty } = &item.kind {
            declare_alias(checker, name, ty);
        }
    }
    let mut decls = Vec::new();
    for item in &module.items {
        match &item.kind {
            ast::ItemKind::Fn(decl) => {
                if declare_fn(checker, decl) {
                    decls.push(decl);
                }
            }
            ast::ItemKind::Class(c) => {
                naming::check_title_case(checker, &c.name, "class");
                checker.error(Diagnostic::not_supported("classes", c.name.span));
            }
            ast::ItemKind::Enum(e) => {
                naming::check_title_case(checker, &e.name, "enum");
                checker.error(Diagnostic::not_supported("enums", e.name.span));
            }
            ast::ItemKind::TypeAlias { .. } => {}
            ast::ItemKind::Newtype { name, .. } => {
                naming::check_title_case(checker, name, "newtype");
                checker.error(Diagnostic::not_supported("newtypes", name.span));
            }
            // Test and bench blocks only take part in `plat test`/`plat bench`.
            ast::ItemKind::Test { name, .. } | ast::ItemKind::Bench { name, .. } => {
                naming::check_snake_case(checker, name, "test block");
                if item.is_pub {
                    checker.error(Diagnostic::new(
                        Code::UnexpectedToken,
                        "`test` and `bench` blocks cannot be `pub`",
                        name.span,
                        "remove `pub`",
                    ));
                }
            }
        }
    }
    decls
}

/// Declares `type Name = T;`; the target is resolved where it is used.
fn declare_alias(checker: &mut Checker, name: &ast::Ident, ty: &ast::TypeExpr) {
    naming::check_title_case(checker, name, "type alias");
    let clash = types::is_builtin_type(&name.name)
        .then_some(None)
        .or_else(|| checker.aliases.get(&name.name).map(|(_, span)| Some(*span)));
    match clash {
        Some(first) => {
            let mut diag = Diagnostic::new(
                Code::DuplicateDefinition,
                format!("the type `{}` is defined twice", name.name),
                name.span,
                "defined again here",
            );
            if let Some(first) = first {
                diag = diag.with_label(first, "first defined here");
            }
            checker.error(diag);
        }
        None => {
            checker
                .aliases
                .insert(name.name.clone(), (ty.clone(), name.span));
        }
    }
}

/// Declares one top-level function. Returns false when it is rejected.
fn declare_fn(checker: &mut Checker, decl: &ast::FnDecl) -> bool {
    let name = &decl.name;
    naming::check_snake_case(checker, name, "function");
    if builtins::is_builtin_name(&name.name) {
        checker.error(
            Diagnostic::new(
                Code::BuiltinShadowed,
                format!(
                    "`{}` is a built-in function and cannot be redefined",
                    name.name
                ),
                name.span,
                "this reuses a built-in name",
            )
            .with_hint(format!("rename it, for example `my_{}`", name.name)),
        );
        return false;
    }
    if let Some(&first) = checker.fn_by_name.get(&name.name) {
        let first_span = checker.fns[first.0 as usize].name_span;
        checker.error(
            Diagnostic::new(
                Code::DuplicateDefinition,
                format!("the function `{}` is defined twice", name.name),
                name.span,
                "second definition",
            )
            .with_label(first_span, "first defined here"),
        );
        return false;
    }
    for (what, flag) in [
        ("`virtual`", decl.modifiers.is_virtual),
        ("`override`", decl.modifiers.is_override),
    ] {
        if flag {
            checker.error(Diagnostic::new(
                Code::UnexpectedToken,
                format!("{what} is only allowed on methods"),
                name.span,
                "a top-level function",
            ));
        }
    }
    if let Some(g) = decl.generics.first() {
        checker.error(Diagnostic::not_supported("generic functions", g.span));
    }
    let sig = body::signature(checker, decl);
    let id = FnId(checker.fns.len() as u32);
    checker.fn_by_name.insert(name.name.clone(), id);
    checker.fns.push(sig);
    true
}

/// Finds `main` and checks its signature (section 14).
fn find_main(checker: &mut Checker, file_span: Span) -> Option<FnId> {
    let Some(&id) = checker.fn_by_name.get("main") else {
        checker.error(
            Diagnostic::new(
                Code::BadMain,
                "this program has no `main` function",
                file_span,
                "",
            )
            .with_hint("add `fn main() { ... }` or `fn main() -> Int32 { ... }`"),
        );
        return None;
    };
    let sig = checker.fns[id.0 as usize].clone();
    let span = sig.name_span;
    if !sig.params.is_empty() {
        checker.error(Diagnostic::new(
            Code::BadMain,
            "`main` takes no parameters",
            span,
            "declared with parameters",
        ));
    }
    if !matches!(sig.ret, Ty::Unit | Ty::Int(hir::IntWidth::W32) | Ty::Error) {
        let ret = sig.ret.clone();
        checker.error(
            Diagnostic::new(
                Code::BadMain,
                format!("`main` cannot return `{ret}`"),
                span,
                "invalid return type",
            )
            .with_hint("`main` returns nothing, `Int32`, `Option<Int32>` or `Result<Int32, E>`"),
        );
    }
    Some(id)
}
