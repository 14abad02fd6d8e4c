//! Name resolution and type checking: the AST becomes the typed HIR.
//!
//! All user-facing errors after parsing are produced here. Checking goes
//! on after an error: a failed expression gets the type `Error`, which is
//! compatible with everything, so one mistake is reported once.
//!
//! Phases (`items.rs`): every type name is declared, then class fields,
//! enum variants and newtypes are resolved, then every function and method
//! signature, then virtual method tables; finally each body is checked by
//! a [`body::FnChecker`]. Items may therefore appear in any order and refer
//! to each other recursively.
//!
//! # Layers
//!
//! The modules form a DAG; each uses only modules of the layers above it
//! (and of its own layer where an arrow says so):
//!
//! 1. this file: the state of a run ([`Checker`], [`FnSig`], [`TypeName`],
//!    ...), which every module below uses.
//! 2. leaves over that state: `naming` (case rules), `infer` (type
//!    argument inference), `adt` (parents, fields, methods, `owner_type`),
//!    `builtin_sig` (what a built-in's signature is).
//! 3. tables of built-ins: `sys_builtins` <- `builtins`, `collections`;
//!    the library types: `lib_types`.
//! 4. `types`: type expressions to types, under a [`types::Generics`] scope.
//! 5. `signature`: function and method signatures, declared into the
//!    checker's tables.
//! 6. `body`: the per-function [`body::FnChecker`] and the entry points
//!    that check a body or a parameter default.
//! 7. the `impl FnChecker` blocks, one construct family each: `args`,
//!    `literal`, `ops` (-> `literal`), `pattern`, `stmt` (-> `literal`),
//!    `expr`, `closure`, `list_fns` (-> `list_par`), `list_loops` (-> `args`),
//!    `list_par` (-> `args`, `list_loops`, `body`),
//!    `list_lib`, `math_fns` (-> `args`, `literal`), `thread` (-> `args`),
//!    `sync_lib`
//!    (-> `args`), `call` (-> `args`, `list_fns`, `list_loops`), `construct` (-> `args`,
//!    `call`).
//!    They call each other's methods freely (an expression contains
//!    calls, a call contains expressions); that recursion goes through
//!    `FnChecker`'s methods, not through imports.
//! 8. `test_blocks` (declares through `signature`), then `items`, which
//!    runs the declaration phases.
//! 9. `program`: the run itself, [`check`] and [`check_mode`].
//!
//! `tests_layers.rs` reads the sources and fails on a cycle.

mod adt;
mod args;
mod body;
mod builtin_sig;
pub(crate) mod builtins;
mod call;
mod closure;
mod collections;
mod construct;
mod expr;
mod infer;
mod items;
mod lib_types;
mod list_fns;
mod list_lib;
mod list_loops;
mod list_par;
mod literal;
mod math_fns;
mod naming;
mod ops;
mod pattern;
mod program;
mod signature;
mod stmt;
mod sync_lib;
mod sys_builtins;
mod test_blocks;
mod thread;
mod types;

#[cfg(test)]
mod tests_layers;

pub use program::{check, check_mode};

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::hir::{self, AdtId, FnId, ParamId, Ty, TyNames};
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

/// A user function's or method's signature.
#[derive(Clone, Debug)]
pub(crate) struct FnSig {
    pub name: String,
    /// Type parameters: the owner's first, then the function's own.
    pub generics: Vec<ParamId>,
    /// The class or enum a method belongs to.
    pub owner: Option<AdtId>,
    /// Parameters after the implicit `self` of methods.
    pub params: Vec<ParamSig>,
    pub ret: Ty,
    pub name_span: Span,
    pub is_pub: bool,
    pub is_init: bool,
    pub is_virtual: bool,
    pub is_override: bool,
    /// The vtable slot of a virtual method (or an override).
    pub slot: Option<u32>,
    /// The module that declares it (index into `Checker::modules`).
    pub module: usize,
}

/// What a type name refers to.
#[derive(Clone, Debug)]
pub(crate) enum TypeName {
    Adt(AdtId),
    /// A type alias: its written type and the module it is declared in
    /// (whose names the type uses).
    Alias {
        ty: ast::TypeExpr,
        module: usize,
    },
}

/// Checker-side facts about a class or enum beyond its HIR definition.
#[derive(Clone, Debug, Default)]
pub(crate) struct AdtExtra {
    pub methods: HashMap<String, FnId>,
    pub init: Option<FnId>,
    pub is_class: bool,
    pub is_pub: bool,
}

/// A module's namespace: the prefix of its items' names and its imports.
#[derive(Clone, Debug, Default)]
pub(crate) struct ModInfo {
    /// `std::json`; empty for the root module.
    pub prefix: String,
    /// `json` -> `std::json`, from `use std::json;`.
    pub aliases: HashMap<String, String>,
}

/// What a program is checked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `plat build`/`run`/`check`: needs `main`; test and bench blocks
    /// are ignored.
    Program,
    /// `plat test`: the root module's `test` blocks; no `main` needed.
    Test,
    /// `plat bench`: the root module's `bench` blocks; no `main` needed.
    Bench,
}

/// Global state of one checking run.
pub(crate) struct Checker {
    pub mode: Mode,
    pub diags: Vec<Diagnostic>,
    pub fns: Vec<FnSig>,
    /// Top-level functions by name.
    pub fn_by_name: HashMap<String, FnId>,
    pub adts: Vec<hir::AdtDef>,
    pub adt_extra: Vec<AdtExtra>,
    pub type_names: HashMap<String, (TypeName, Span)>,
    /// Aliases being resolved, to report cycles instead of looping.
    pub resolving: Vec<String>,
    /// Aliases already resolved, by full name.
    pub alias_cache: HashMap<String, Ty>,
    /// Whether checking already stopped somewhere for lack of stack
    /// (reported once).
    pub out_of_stack: bool,
    /// Type parameter names, by `ParamId`.
    pub params: Vec<String>,
    pub modules: Vec<ModInfo>,
    /// The module whose code is being checked.
    pub cur: usize,
    /// The id the next lifted closure or spawn body gets (they follow the
    /// declared functions).
    pub next_lifted: u32,
    /// Lifted bodies, in id order.
    pub lifted: Vec<hir::Function>,
}

impl Checker {
    pub fn error(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    pub fn adt(&self, id: AdtId) -> &hir::AdtDef {
        &self.adts[id.0 as usize]
    }

    pub fn extra(&self, id: AdtId) -> &AdtExtra {
        &self.adt_extra[id.0 as usize]
    }

    /// The full name of item `name` of the current module.
    pub fn qualify(&self, name: &str) -> String {
        match self.modules.get(self.cur) {
            Some(m) if !m.prefix.is_empty() => format!("{}::{name}", m.prefix),
            _ => name.to_owned(),
        }
    }

    /// The full name a path refers to from the current module: `x` is the
    /// module's own `x`; `m::x` is `x` of the module imported as `m`
    /// (`use a::m;`), and so is `a::m::x`, its full path (spec section 10).
    pub fn expand(&self, segs: &[&str]) -> Option<String> {
        match segs {
            [] => None,
            [name] => Some(self.qualify(name)),
            [first, rest @ ..] => {
                let aliases = &self.modules.get(self.cur)?.aliases;
                if let Some(module) = aliases.get(*first) {
                    return Some(format!("{module}::{}", rest.join("::")));
                }
                let full = segs.join("::");
                aliases
                    .values()
                    .any(|m| {
                        full.strip_prefix(m.as_str())
                            .is_some_and(|r| r.starts_with("::"))
                    })
                    .then_some(full)
            }
        }
    }

    pub fn lookup_fn(&self, segs: &[&str]) -> Option<FnId> {
        self.fn_by_name.get(&self.expand(segs)?).copied()
    }

    /// The type a path names; the built-in `Option`, `Result` and
    /// `MemoryOrder` are visible from every module.
    pub fn lookup_type(&self, segs: &[&str]) -> Option<(TypeName, Span)> {
        let key = self.expand(segs)?;
        if let Some(found) = self.type_names.get(&key) {
            return Some(found.clone());
        }
        match segs {
            [name @ ("Option" | "Result" | "MemoryOrder" | "ProcessOutput")] => {
                self.type_names.get(*name).cloned()
            }
            _ => None,
        }
    }

    pub fn new_param(&mut self, name: &str) -> ParamId {
        self.params.push(name.to_owned());
        ParamId(self.params.len() as u32 - 1)
    }

    /// A type as users write it.
    pub fn show(&self, ty: &Ty) -> String {
        hir::Display { ty, names: self }.to_string()
    }
}

impl TyNames for Checker {
    fn adt_name(&self, id: AdtId) -> &str {
        &self.adt(id).name
    }
    fn param_name(&self, id: ParamId) -> &str {
        &self.params[id.0 as usize]
    }
}
