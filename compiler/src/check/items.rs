//! Collecting items, one function per phase (see [`collect`]): module
//! namespaces, type names, then class/enum/newtype bodies (with the
//! inheritance checks), then function and method signatures, then
//! virtual method tables, then parameter defaults. Returns every
//! function declaration by [`FnId`].

use std::collections::HashMap;

use super::adt::owner_type;
use super::signature::{declare_fn, declare_generics, declare_method};
use super::types::{self, Generics};
use super::{adt, body, naming, test_blocks, AdtExtra, Checker, ModInfo, Mode, TypeName};
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, AdtId, AdtKind, FnId, ParamId, Ty, VtableEntry};
use crate::modules::SourceModule;
use crate::source::Span;
use crate::syntax::ast;

/// Declares the built-in `Option<T>`, `Result<T, E>` and `MemoryOrder`
/// (AdtIds 0, 1 and 2).
fn declare_prelude(checker: &mut Checker) {
    let t = checker.new_param("T");
    add_adt(
        checker,
        "Option",
        vec![t],
        AdtKind::Enum {
            variants: vec![
                hir::Variant {
                    name: "Some".into(),
                    fields: vec![Ty::Param(t)],
                },
                hir::Variant {
                    name: "None".into(),
                    fields: vec![],
                },
            ],
        },
        Span::default(),
        false,
    );
    let t = checker.new_param("T");
    let e = checker.new_param("E");
    add_adt(
        checker,
        "Result",
        vec![t, e],
        AdtKind::Enum {
            variants: vec![
                hir::Variant {
                    name: "Ok".into(),
                    fields: vec![Ty::Param(t)],
                },
                hir::Variant {
                    name: "Err".into(),
                    fields: vec![Ty::Param(e)],
                },
            ],
        },
        Span::default(),
        false,
    );
    let orders = ["Relaxed", "Acquire", "Release", "AcqRel", "SeqCst"];
    let id = add_adt(
        checker,
        "MemoryOrder",
        vec![],
        AdtKind::Enum {
            variants: orders
                .iter()
                .map(|name| hir::Variant {
                    name: (*name).into(),
                    fields: vec![],
                })
                .collect(),
        },
        Span::default(),
        false,
    );
    debug_assert_eq!(id, AdtId::MEMORY_ORDER);
    let field = |name: &str, ty: Ty| hir::Field {
        name: name.to_owned(),
        ty,
        mutable: false,
        is_pub: true,
        span: Span::default(),
    };
    let id = add_adt(
        checker,
        "ProcessOutput",
        vec![],
        AdtKind::Class {
            parent: None,
            fields: vec![
                field("exit_code", Ty::INT32),
                field("stdout", Ty::String),
                field("stderr", Ty::String),
            ],
            vtable: Vec::new(),
        },
        Span::default(),
        true,
    );
    debug_assert_eq!(id, AdtId::PROCESS_OUTPUT);
}

fn add_adt(
    checker: &mut Checker,
    name: &str,
    generics: Vec<ParamId>,
    kind: AdtKind,
    span: Span,
    is_class: bool,
) -> AdtId {
    let id = AdtId(checker.adts.len() as u32);
    checker.adts.push(hir::AdtDef {
        name: name.to_owned(),
        generics,
        kind,
        span,
    });
    checker.adt_extra.push(AdtExtra {
        is_class,
        is_pub: true,
        ..AdtExtra::default()
    });
    let key = checker.qualify(name);
    checker.type_names.insert(key, (TypeName::Adt(id), span));
    id
}

/// Reports a second definition of a type name; returns whether `name` is free.
fn type_name_free(checker: &mut Checker, name: &ast::Ident) -> bool {
    let first = if types::is_builtin_type(&name.name) {
        Some(None)
    } else {
        checker
            .type_names
            .get(&checker.qualify(&name.name))
            .map(|(_, s)| Some(*s))
    };
    let Some(first) = first else {
        return true;
    };
    let mut diag = Diagnostic::new(
        Code::DuplicateDefinition,
        format!("the type `{}` is defined twice", name.name),
        name.span,
        "defined again here",
    );
    if let Some(first) = first {
        diag = diag.with_label(first, "first defined here");
    } else {
        diag = diag.with_note(format!("`{}` is a built-in type", name.name));
    }
    checker.error(diag);
    false
}

/// One declared ADT with its AST and generic names.
struct Declared<'m> {
    module: usize,
    id: AdtId,
    item: &'m ast::ItemKind,
    generics: Generics,
}

/// Runs the declaration phases over every module, in order; returns the
/// function declarations by [`FnId`] (their bodies are checked later).
pub(crate) fn collect<'m>(
    checker: &mut Checker,
    modules: &'m [SourceModule],
) -> Vec<&'m ast::FnDecl> {
    declare_prelude(checker);
    declare_modules(checker, modules);
    let declared = declare_type_names(checker, modules);
    resolve_type_bodies(checker, &declared);
    break_inheritance_cycles(checker, &declared);
    check_inherited_field_names(checker, &declared);
    let mut decls = declare_functions(checker, modules);
    decls.extend(declare_methods(checker, &declared));
    build_vtables(checker, &declared);
    check_defaults(checker, &decls);
    check_test_block_names(checker, modules);
    decls
}

/// Enters every module's namespace (its prefix and `use` aliases) and
/// checks that a module's `mod` line names its place.
fn declare_modules(checker: &mut Checker, modules: &[SourceModule]) {
    for (i, m) in modules.iter().enumerate() {
        let aliases = m
            .ast
            .uses
            .iter()
            .filter_map(|u| {
                let segs: Vec<&str> = u.segments.iter().map(|s| s.name.as_str()).collect();
                Some((segs.last()?.to_string(), segs.join("::")))
            })
            .collect();
        checker.modules.push(ModInfo {
            prefix: m.path.join("::"),
            aliases,
        });
        if i == 0 {
            continue;
        }
        if let Some(decl) = &m.ast.mod_decl {
            let written: Vec<&str> = decl.segments.iter().map(|s| s.name.as_str()).collect();
            if written != m.path.iter().map(String::as_str).collect::<Vec<_>>() {
                checker.error(Diagnostic::new(
                    Code::UnknownModule,
                    format!(
                        "this file declares `mod {}` but is the module `{}`",
                        written.join("::"),
                        m.path.join("::")
                    ),
                    decl.span,
                    "module path does not match the file's place",
                ));
            }
        }
    }
}

/// Phase 1: every type name (classes, enums, newtypes with placeholder
/// bodies; aliases with their written type).
fn declare_type_names<'m>(checker: &mut Checker, modules: &'m [SourceModule]) -> Vec<Declared<'m>> {
    let mut declared: Vec<Declared> = Vec::new();
    for (mi, module) in modules.iter().enumerate() {
        checker.cur = mi;
        for item in &module.ast.items {
            let (name, generic_idents, what, is_class) = match &item.kind {
                ast::ItemKind::Class(c) => (&c.name, c.generics.as_slice(), "class", true),
                ast::ItemKind::Enum(e) => (&e.name, e.generics.as_slice(), "enum", false),
                ast::ItemKind::Newtype { name, .. } => (name, &[][..], "newtype", false),
                ast::ItemKind::TypeAlias { name, ty } => {
                    naming::check_title_case(checker, name, "type alias");
                    if type_name_free(checker, name) {
                        let key = checker.qualify(&name.name);
                        checker.type_names.insert(
                            key,
                            (
                                TypeName::Alias {
                                    ty: ty.clone(),
                                    module: mi,
                                },
                                name.span,
                            ),
                        );
                    }
                    continue;
                }
                _ => continue,
            };
            naming::check_title_case(checker, name, what);
            if !type_name_free(checker, name) {
                continue;
            }
            let generics = declare_generics(checker, generic_idents);
            let ids = generics.iter().map(|(_, p)| *p).collect();
            let placeholder = AdtKind::Enum { variants: vec![] };
            let id = add_adt(checker, &name.name, ids, placeholder, name.span, is_class);
            checker.adt_extra[id.0 as usize].is_pub = item.is_pub || mi == 0;
            declared.push(Declared {
                module: mi,
                id,
                item: &item.kind,
                generics,
            });
        }
    }
    declared
}

/// Phase 2: class fields, enum variants and newtype bodies, now that
/// every type name is known.
fn resolve_type_bodies(checker: &mut Checker, declared: &[Declared]) {
    for d in declared {
        checker.cur = d.module;
        let kind = match d.item {
            ast::ItemKind::Class(c) => class_body(checker, c, &d.generics),
            ast::ItemKind::Enum(e) => enum_body(checker, e, &d.generics),
            ast::ItemKind::Newtype { ty, .. } => AdtKind::Newtype {
                inner: types::resolve(checker, ty, &d.generics),
            },
            _ => continue,
        };
        checker.adts[d.id.0 as usize].kind = kind;
    }
}

/// Phase 3a: the signatures of top-level functions, and of the root
/// module's test or bench blocks when checking for `plat test`/`bench`.
fn declare_functions<'m>(
    checker: &mut Checker,
    modules: &'m [SourceModule],
) -> Vec<&'m ast::FnDecl> {
    let mut decls: Vec<&ast::FnDecl> = Vec::new();
    for (mi, module) in modules.iter().enumerate() {
        checker.cur = mi;
        for item in &module.ast.items {
            if let ast::ItemKind::Fn(decl) = &item.kind {
                if declare_fn(checker, decl, item.is_pub) {
                    decls.push(decl);
                }
            }
        }
    }
    if checker.mode != Mode::Program {
        if let Some(root) = modules.first() {
            checker.cur = 0;
            decls.extend(test_blocks::declare(checker, &root.ast));
        }
    }
    decls
}

/// Phase 3b: the signatures of methods and `init`s (at most one per
/// class).
fn declare_methods<'m>(checker: &mut Checker, declared: &[Declared<'m>]) -> Vec<&'m ast::FnDecl> {
    let mut decls: Vec<&ast::FnDecl> = Vec::new();
    for d in declared {
        checker.cur = d.module;
        let (methods, inits): (&[ast::FnDecl], &[ast::FnDecl]) = match d.item {
            ast::ItemKind::Class(c) => (&c.methods, &c.inits),
            ast::ItemKind::Enum(e) => (&e.methods, &[]),
            _ => continue,
        };
        for m in methods {
            if declare_method(checker, d.id, &d.generics, m, false) {
                decls.push(m);
            }
        }
        for (i, init) in inits.iter().enumerate() {
            if i > 0 {
                checker.error(Diagnostic::new(
                    Code::DuplicateDefinition,
                    "a class has at most one `init`",
                    init.name.span,
                    "second `init`",
                ));
                continue;
            }
            if declare_method(checker, d.id, &d.generics, init, true) {
                decls.push(init);
            }
        }
    }
    decls
}

/// Phase 4: virtual method tables, parents before children.
fn build_vtables(checker: &mut Checker, declared: &[Declared]) {
    let mut done = vec![false; checker.adts.len()];
    for d in declared {
        checker.cur = d.module;
        build_vtable(checker, d.id, &mut done);
    }
}

/// Phase 5: parameter defaults, now that every function is known.
fn check_defaults(checker: &mut Checker, decls: &[&ast::FnDecl]) {
    for (i, decl) in decls.iter().enumerate() {
        body::check_defaults(checker, FnId(i as u32), decl);
    }
}

/// `test` and `bench` block names are snake_case and never `pub`
/// (checked in every mode, so `plat build` reports them too).
fn check_test_block_names(checker: &mut Checker, modules: &[SourceModule]) {
    checker.cur = 0;
    for item in modules.iter().flat_map(|m| &m.ast.items) {
        if let ast::ItemKind::Test { name, .. } | ast::ItemKind::Bench { name, .. } = &item.kind {
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

fn class_body(checker: &mut Checker, c: &ast::ClassDecl, generics: &Generics) -> AdtKind {
    let parent = c.parent.as_ref().and_then(|p| {
        let ty = types::resolve(checker, p, generics);
        match &ty {
            Ty::Adt(id, _) if checker.extra(*id).is_class => Some(ty),
            Ty::Error => None,
            _ => {
                let shown = checker.show(&ty);
                checker.error(Diagnostic::new(
                    Code::TypeMismatch,
                    format!("a class can only extend a class, not `{shown}`"),
                    p.span,
                    "not a class",
                ));
                None
            }
        }
    });
    let mut fields: Vec<hir::Field> = Vec::new();
    for f in &c.fields {
        naming::check_snake_case(checker, &f.name, "field");
        if let Some(first) = fields.iter().find(|g| g.name == f.name.name) {
            let first = first.span;
            checker.error(
                Diagnostic::new(
                    Code::DuplicateDefinition,
                    format!("the field `{}` is declared twice", f.name.name),
                    f.name.span,
                    "declared again here",
                )
                .with_label(first, "first declared here"),
            );
            continue;
        }
        let ty = types::resolve(checker, &f.ty, generics);
        fields.push(hir::Field {
            name: f.name.name.clone(),
            ty,
            mutable: f.mutable,
            is_pub: f.is_pub,
            span: f.name.span,
        });
    }
    AdtKind::Class {
        parent,
        fields,
        vtable: Vec::new(),
    }
}

fn enum_body(checker: &mut Checker, e: &ast::EnumDecl, generics: &Generics) -> AdtKind {
    let mut variants: Vec<hir::Variant> = Vec::new();
    let mut spans: HashMap<String, Span> = HashMap::new();
    for v in &e.variants {
        naming::check_title_case(checker, &v.name, "variant");
        if let Some(first) = spans.get(&v.name.name) {
            checker.error(
                Diagnostic::new(
                    Code::DuplicateDefinition,
                    format!("the variant `{}` is declared twice", v.name.name),
                    v.name.span,
                    "declared again here",
                )
                .with_label(*first, "first declared here"),
            );
            continue;
        }
        spans.insert(v.name.name.clone(), v.name.span);
        let fields = v
            .fields
            .iter()
            .map(|t| types::resolve(checker, t, generics))
            .collect();
        variants.push(hir::Variant {
            name: v.name.name.clone(),
            fields,
        });
    }
    AdtKind::Enum { variants }
}

/// A class may not be its own ancestor: the parent link that closes a
/// cycle is reported and removed.
fn break_inheritance_cycles(checker: &mut Checker, declared: &[Declared]) {
    for d in declared {
        let mut seen = vec![d.id];
        let mut cur = d.id;
        while let Some(parent) = adt::parent_of(checker, cur) {
            if seen.contains(&parent) {
                let span = checker.adt(d.id).span;
                let name = checker.adt(d.id).name.clone();
                checker.error(Diagnostic::new(
                    Code::TypeMismatch,
                    format!("the class `{name}` inherits from itself"),
                    span,
                    "inheritance cycle",
                ));
                if let AdtKind::Class { parent, .. } = &mut checker.adts[d.id.0 as usize].kind {
                    *parent = None;
                }
                break;
            }
            seen.push(parent);
            cur = parent;
        }
    }
}

/// A class may not declare a field its ancestors already have.
fn check_inherited_field_names(checker: &mut Checker, declared: &[Declared]) {
    for d in declared {
        let own = owner_type(checker, d.id);
        let Some(parent) = adt::parent_ty(checker, &own) else {
            continue;
        };
        let inherited = adt::all_fields(checker, &parent);
        let AdtKind::Class { fields, .. } = &checker.adt(d.id).kind else {
            continue;
        };
        let clashes: Vec<(hir::Field, hir::Field, String)> = fields
            .iter()
            .filter_map(|f| {
                inherited
                    .iter()
                    .find(|(_, g, _)| g.name == f.name)
                    .map(|(owner, g, _)| (f.clone(), g.clone(), checker.adt(*owner).name.clone()))
            })
            .collect();
        for (field, first, owner) in clashes {
            checker.error(
                Diagnostic::new(
                    Code::DuplicateDefinition,
                    format!(
                        "the field `{}` is already inherited from `{owner}`",
                        field.name
                    ),
                    field.span,
                    "declared again here",
                )
                .with_label(first.span, "inherited field"),
            );
        }
    }
}

/// Builds the vtable of class `id` after its parent's: inherited slots
/// first; `virtual` methods add a slot; `override` methods take the slot
/// of the parent method they replace, whose signature they must repeat.
fn build_vtable(checker: &mut Checker, id: AdtId, done: &mut Vec<bool>) {
    if done[id.0 as usize] || !checker.extra(id).is_class {
        return;
    }
    done[id.0 as usize] = true;
    let parent_ty = match &checker.adt(id).kind {
        AdtKind::Class { parent, .. } => parent.clone(),
        _ => None,
    };
    let mut vtable: Vec<VtableEntry> = Vec::new();
    if let Some(Ty::Adt(pid, pargs)) = &parent_ty {
        build_vtable(checker, *pid, done);
        let parent = checker.adt(*pid);
        if let AdtKind::Class { vtable: pv, .. } = &parent.kind {
            vtable = pv
                .iter()
                .map(|e| VtableEntry {
                    func: e.func,
                    type_args: e
                        .type_args
                        .iter()
                        .map(|t| hir::subst_params(t, &parent.generics, pargs))
                        .collect(),
                })
                .collect();
        }
    }
    let own_args: Vec<Ty> = checker
        .adt(id)
        .generics
        .iter()
        .map(|p| Ty::Param(*p))
        .collect();
    let mut methods: Vec<(String, FnId)> = checker
        .extra(id)
        .methods
        .iter()
        .map(|(n, f)| (n.clone(), *f))
        .collect();
    methods.sort_by_key(|(_, f)| *f);
    for (name, func) in methods {
        let sig = checker.fns[func.0 as usize].clone();
        let inherited = parent_ty
            .as_ref()
            .and_then(|p| adt::find_method(checker, p, &name));
        if sig.is_override {
            let Some((base, base_ty)) =
                inherited.filter(|(f, _)| checker.fns[f.0 as usize].slot.is_some())
            else {
                checker.error(
                    Diagnostic::new(
                        Code::BadOverride,
                        format!("`{name}` overrides nothing"),
                        sig.name_span,
                        "no `virtual` method of this name in a parent class",
                    )
                    .with_hint("declare it `virtual` in the parent, or drop `override`"),
                );
                continue;
            };
            let slot = checker.fns[base.0 as usize].slot.unwrap_or(0);
            check_override_signature(checker, func, base, &base_ty);
            if let Some(entry) = vtable.get_mut(slot as usize) {
                *entry = VtableEntry {
                    func,
                    type_args: own_args.clone(),
                };
            }
            checker.fns[func.0 as usize].slot = Some(slot);
        } else if sig.is_virtual {
            if let Some((base, _)) =
                inherited.filter(|(f, _)| checker.fns[f.0 as usize].slot.is_some())
            {
                let base_span = checker.fns[base.0 as usize].name_span;
                checker.error(
                    Diagnostic::new(
                        Code::BadOverride,
                        format!("`{name}` is already virtual in a parent class"),
                        sig.name_span,
                        "declared `virtual` again",
                    )
                    .with_label(base_span, "first declared here")
                    .with_hint("write `override fn` to replace it"),
                );
                continue;
            }
            checker.fns[func.0 as usize].slot = Some(vtable.len() as u32);
            vtable.push(VtableEntry {
                func,
                type_args: own_args.clone(),
            });
        } else if let Some((base, _)) =
            inherited.filter(|(f, _)| checker.fns[f.0 as usize].slot.is_some())
        {
            let base_span = checker.fns[base.0 as usize].name_span;
            checker.error(
                Diagnostic::new(
                    Code::BadOverride,
                    format!("`{name}` replaces a virtual method without `override`"),
                    sig.name_span,
                    "missing `override`",
                )
                .with_label(base_span, "the virtual method"),
            );
        }
    }
    if let AdtKind::Class { vtable: v, .. } = &mut checker.adts[id.0 as usize].kind {
        *v = vtable;
    }
}

/// An override repeats the parameter types and return type of the method
/// it replaces (with the parent's type arguments substituted).
fn check_override_signature(checker: &mut Checker, func: FnId, base: FnId, base_owner: &Ty) {
    let sig = checker.fns[func.0 as usize].clone();
    let base_sig = checker.fns[base.0 as usize].clone();
    let (owner_params, owner_args) = match base_owner {
        Ty::Adt(id, args) => (checker.adt(*id).generics.clone(), args.clone()),
        _ => (Vec::new(), Vec::new()),
    };
    let s = |t: &Ty| hir::subst_params(t, &owner_params, &owner_args);
    let same_params = sig.params.len() == base_sig.params.len()
        && sig
            .params
            .iter()
            .zip(&base_sig.params)
            .all(|(a, b)| a.ty == s(&b.ty));
    if !same_params || sig.ret != s(&base_sig.ret) {
        checker.error(
            Diagnostic::new(
                Code::BadOverride,
                format!("`{}` does not match the method it overrides", sig.name),
                sig.name_span,
                "different parameters or return type",
            )
            .with_label(base_sig.name_span, "the overridden method"),
        );
    }
}

/// Finds `main` and checks its signature (section 14).
pub(crate) fn find_main(checker: &mut Checker, file_span: Span) -> Option<FnId> {
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
    if !sig.params.is_empty() || !sig.generics.is_empty() {
        checker.error(Diagnostic::new(
            Code::BadMain,
            "`main` takes no parameters",
            span,
            "declared with parameters",
        ));
    }
    let ok = match &sig.ret {
        Ty::Unit | Ty::Int(hir::IntWidth::W32) | Ty::Error => true,
        Ty::Adt(AdtId::OPTION, args) => args.first() == Some(&Ty::INT32),
        Ty::Adt(AdtId::RESULT, args) => args.first() == Some(&Ty::INT32),
        _ => false,
    };
    if !ok {
        let ret = checker.show(&sig.ret);
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
