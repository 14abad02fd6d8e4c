//! Function and method signatures: resolving a declaration's parameter
//! and return types against its generics, and entering it in the
//! checker's function tables (top-level functions by name, methods in
//! their owner's table), with the duplicate, built-in-name and modifier
//! checks that go with declaring.

use super::adt::owner_type;
use super::types::{self, Generics};
use super::{builtins, naming, Checker, FnSig, ParamSig};
use crate::diag::{Code, Diagnostic};
use crate::hir::{AdtId, FnId, Ty};
use crate::syntax::ast;

/// Declares type parameters `<T, U>` of a declaration.
pub(crate) fn declare_generics(checker: &mut Checker, idents: &[ast::Ident]) -> Generics {
    idents
        .iter()
        .map(|g| {
            naming::check_title_case(checker, g, "type parameter");
            (g.name.clone(), checker.new_param(&g.name))
        })
        .collect()
}

/// Resolves a function's signature (defaults are filled in later by
/// [`check_defaults`], once every function is known).
pub(crate) fn signature(
    checker: &mut Checker,
    decl: &ast::FnDecl,
    owner: Option<AdtId>,
    generics: Generics,
    is_pub: bool,
    is_init: bool,
) -> FnSig {
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
        let ty = types::resolve(checker, &param.ty, &generics);
        params.push(ParamSig {
            name: param.name.name.clone(),
            ty,
            default: None,
            span: param.name.span,
        });
    }
    let self_ty = owner.map(|id| owner_type(checker, id));
    let ret = match (&decl.ret, is_init) {
        (_, true) => {
            let own = self_ty.clone().unwrap_or(Ty::Error);
            if let Some(t) = &decl.ret {
                let declared = types::resolve(checker, t, &generics);
                if !declared.fits(&own) {
                    let shown = checker.show(&own);
                    checker.error(Diagnostic::new(
                        Code::TypeMismatch,
                        format!("`init` returns `{shown}`"),
                        t.span,
                        "must be the class itself",
                    ));
                }
            }
            own
        }
        (Some(t), false) => types::resolve(checker, t, &generics),
        (None, false) => Ty::Unit,
    };
    FnSig {
        name: decl.name.name.clone(),
        generics: generics.iter().map(|(_, p)| *p).collect(),
        owner,
        params,
        ret,
        name_span: decl.name.span,
        is_pub,
        is_init,
        is_virtual: decl.modifiers.is_virtual,
        is_override: decl.modifiers.is_override,
        slot: None,
        module: checker.cur,
    }
}

/// Declares one top-level function. Returns false when it is rejected.
pub(crate) fn declare_fn(checker: &mut Checker, decl: &ast::FnDecl, is_pub: bool) -> bool {
    declare_fn_as(checker, decl, is_pub, None)
}

/// Declares a top-level function under `key` (default: its qualified
/// name; `test_blocks` declares hooks under their block's name).
pub(crate) fn declare_fn_as(
    checker: &mut Checker,
    decl: &ast::FnDecl,
    is_pub: bool,
    key: Option<String>,
) -> bool {
    let name = &decl.name;
    naming::check_snake_case(checker, name, "function");
    // Decision 12: only modules may reuse a built-in function's name.
    if checker.cur == 0 && builtins::is_builtin_name(&name.name) {
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
    let key = key.unwrap_or_else(|| checker.qualify(&name.name));
    if let Some(&first) = checker.fn_by_name.get(&key) {
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
    let generics = declare_generics(checker, &decl.generics);
    let sig = signature(checker, decl, None, generics, is_pub, false);
    let id = FnId(checker.fns.len() as u32);
    checker.fn_by_name.insert(key, id);
    checker.fns.push(sig);
    true
}

/// Declares a method (or `init`) of a class or enum.
pub(crate) fn declare_method(
    checker: &mut Checker,
    owner: AdtId,
    owner_generics: &Generics,
    decl: &ast::FnDecl,
    is_init: bool,
) -> bool {
    let name = &decl.name;
    if !is_init {
        naming::check_snake_case(checker, name, "method");
    }
    let key = if is_init { "init" } else { name.name.as_str() };
    if let Some(&first) = checker.extra(owner).methods.get(key) {
        let first_span = checker.fns[first.0 as usize].name_span;
        checker.error(
            Diagnostic::new(
                Code::DuplicateDefinition,
                format!("the method `{key}` is defined twice"),
                name.span,
                "second definition",
            )
            .with_label(first_span, "first defined here"),
        );
        return false;
    }
    let mut generics = owner_generics.clone();
    let own = declare_generics(checker, &decl.generics);
    if decl.modifiers.is_virtual || decl.modifiers.is_override {
        if let Some((_, _)) = own.first() {
            checker.error(Diagnostic::not_supported(
                "generic virtual methods",
                decl.name.span,
            ));
        }
        if !checker.extra(owner).is_class {
            checker.error(Diagnostic::new(
                Code::UnexpectedToken,
                "only class methods can be `virtual` or `override`",
                name.span,
                "an enum method",
            ));
        }
    }
    generics.extend(own);
    let is_pub = decl.modifiers.is_pub || is_init;
    let sig = signature(checker, decl, Some(owner), generics, is_pub, is_init);
    let id = FnId(checker.fns.len() as u32);
    checker.fns.push(sig);
    let extra = &mut checker.adt_extra[owner.0 as usize];
    extra.methods.insert(key.to_owned(), id);
    if is_init {
        extra.init = Some(id);
    }
    true
}
