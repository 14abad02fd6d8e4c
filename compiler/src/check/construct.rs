//! Constructing values: `Name.init(...)` (an explicit `init`, the default
//! one taking every field, or a newtype's), `super.init(...)` and other
//! `super` calls, and enum variants `E::V` / `E::V(field0 = ...)`.

use super::adt::{self, owner_type};
use super::args::BindParam;
use super::body::{Expect, FnChecker};
use super::call::Callee;
use super::infer::Inference;
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::hir::{self, AdtId, AdtKind, ExprKind, Ty};
use crate::source::Span;
use crate::syntax::ast;

impl FnChecker<'_> {
    /// `E::V`, `E::V(field0 = ..)`: an enum variant, if the path names one.
    pub fn variant_path(
        &mut self,
        path: &ast::Path,
        args: Option<&[ast::Arg]>,
        span: Span,
        expect: Expect,
    ) -> Option<hir::Expr> {
        let (variant, type_path) = path.segments.split_last()?;
        let enum_name = type_path.last()?;
        let segs: Vec<&str> = type_path.iter().map(|s| s.name.as_str()).collect();
        let Some((super::TypeName::Adt(id), _)) = self.c.lookup_type(&segs) else {
            return None;
        };
        let AdtKind::Enum { variants } = &self.c.adt(id).kind else {
            let shown = enum_name.name.clone();
            self.error(Diagnostic::new(
                Code::UnknownName,
                format!("`{shown}` is not an enum"),
                enum_name.span,
                "not an enum",
            ));
            return Some(hir::Expr::error(span));
        };
        let Some(tag) = variants.iter().position(|v| v.name == variant.name) else {
            let names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
            let mut diag = Diagnostic::new(
                Code::UnknownName,
                format!("`{}` has no variant `{}`", enum_name.name, variant.name),
                variant.span,
                "unknown variant",
            );
            if let Some(best) = did_you_mean(&variant.name, names.iter().map(String::as_str)) {
                diag = diag.with_hint(format!("did you mean `{best}`?"));
            }
            self.error(diag);
            if let Some(args) = args {
                self.skip_args(args);
            }
            return Some(hir::Expr::error(span));
        };
        Some(self.construct_variant(id, tag as u32, args, span, expect))
    }

    fn construct_variant(
        &mut self,
        id: AdtId,
        tag: u32,
        args: Option<&[ast::Arg]>,
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let adt = self.c.adt(id).clone();
        let AdtKind::Enum { variants } = &adt.kind else {
            return hir::Expr::error(span);
        };
        let variant = &variants[tag as usize];
        let mut inf = Inference::new(&adt.generics);
        let own = owner_type(self.c, id);
        if let Some(t) = expect.ty() {
            inf.unify(&own, t);
        }
        let fields = match args {
            None if variant.fields.is_empty() => Vec::new(),
            None => {
                self.error(
                    Diagnostic::new(
                        Code::MissingArgument,
                        format!(
                            "the variant `{}::{}` carries a value",
                            adt.name, variant.name
                        ),
                        span,
                        "needs its payload",
                    )
                    .with_hint(format!(
                        "write `{}::{}(field0 = ...)`",
                        adt.name, variant.name
                    )),
                );
                return hir::Expr::error(span);
            }
            Some(args) => {
                let params: Vec<BindParam> = variant
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, t)| BindParam {
                        name: format!("field{i}"),
                        ty: Some(t.clone()),
                        required: true,
                    })
                    .collect();
                let callee = format!("{}::{}", adt.name, variant.name);
                let (bound, ok) = self.bind(&params, args, &callee, span, Some(&mut inf));
                if !ok {
                    return hir::Expr::error(span);
                }
                let mut slots: Vec<Option<hir::Expr>> = vec![None; params.len()];
                for (slot, value) in bound {
                    slots[slot] = Some(value);
                }
                slots.into_iter().flatten().collect()
            }
        };
        // `Option::None` and the other side of `Ok`/`Err` default to Int32
        // when nothing decides them, as the original compiler did; but a
        // variable's inferred type may not rest on that (`defaulted`).
        let decided = inf.args();
        let guessed = decided.contains(&Ty::Error);
        let args: Vec<Ty> = adt
            .generics
            .iter()
            .zip(decided)
            .map(|(_, t)| if t == Ty::Error { Ty::INT32 } else { t })
            .collect();
        let ty = Ty::Adt(id, args);
        if guessed {
            let written = format!("{}::{}", adt.name, variant.name);
            self.defaulted.push((span, ty.clone(), written));
        }
        hir::Expr::new(ExprKind::Variant { tag, fields }, ty, span)
    }

    /// `Name.init(...)` and other calls on a type name.
    pub(crate) fn static_call(
        &mut self,
        type_path: &ast::Path,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let segs: Vec<&str> = type_path.segments.iter().map(|s| s.name.as_str()).collect();
        let found = self.c.lookup_type(&segs);
        let type_name = type_path.segments.last().expect("a path has a segment");
        if let Some((super::TypeName::Adt(id), _)) = &found {
            if segs.len() > 1 && !self.c.extra(*id).is_pub {
                self.error(Diagnostic::new(
                    Code::Private,
                    format!("the type `{}` is private to its module", segs.join("::")),
                    type_path.span,
                    "not `pub`",
                ));
            }
        }
        let Some((super::TypeName::Adt(id), _)) = found else {
            if segs.len() == 1 && type_name.name == "List" {
                return self.list_static_call(method, args, span, expect);
            }
            if segs.len() == 1 && super::lib_types::is_lib_type(&type_name.name) {
                return self.lib_static_call(&type_name.name, method, args, span, expect);
            }
            if segs.len() == 1 && type_name.name == "Thread" {
                return self.thread_static_call(method, args, span, expect);
            }
            let mut diag = Diagnostic::new(
                Code::UnknownType,
                format!("unknown type `{}`", type_name.name),
                type_name.span,
                "not a known type",
            );
            let names: Vec<String> = self.c.type_names.keys().cloned().collect();
            if let Some(best) = did_you_mean(&type_name.name, names.iter().map(String::as_str)) {
                diag = diag.with_hint(format!("did you mean `{best}`?"));
            }
            self.error(diag);
            self.skip_args(args);
            return hir::Expr::error(span);
        };
        if method.name != "init" {
            self.error(
                Diagnostic::new(
                    Code::UnknownMethod,
                    format!("`{}.{}` is not a constructor", type_name.name, method.name),
                    method.span,
                    "types have no static methods",
                )
                .with_hint(format!(
                    "construct values with `{}.init(...)`",
                    type_name.name
                )),
            );
            self.skip_args(args);
            return hir::Expr::error(span);
        }
        match self.c.adt(id).kind.clone() {
            AdtKind::Newtype { inner } => {
                let params = [BindParam {
                    name: "value".into(),
                    ty: Some(inner),
                    required: true,
                }];
                let (mut bound, ok) = self.bind(
                    &params,
                    args,
                    &format!("{}.init", type_name.name),
                    span,
                    None,
                );
                match bound.pop() {
                    Some((_, value)) if ok => {
                        hir::Expr::new(ExprKind::Retype(Box::new(value)), Ty::Newtype(id), span)
                    }
                    _ => hir::Expr::error(span),
                }
            }
            AdtKind::Enum { .. } => {
                self.error(Diagnostic::new(
                    Code::UnknownMethod,
                    format!("enums have no `init`; write `{}::Variant`", type_name.name),
                    method.span,
                    "not a class",
                ));
                self.skip_args(args);
                hir::Expr::error(span)
            }
            AdtKind::Class { .. } => match self.c.extra(id).init {
                Some(init) => self.call_fn(init, Callee::Construct, args, span, expect),
                None => self.default_init(id, args, span, expect),
            },
        }
    }

    /// The generated `init` of a class without one: every field, by name.
    fn default_init(
        &mut self,
        id: AdtId,
        args: &[ast::Arg],
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let own = owner_type(self.c, id);
        let fields = adt::all_fields(self.c, &own);
        let generics = self.c.adt(id).generics.clone();
        let mut inf = Inference::new(&generics);
        if let Some(t) = expect.ty() {
            inf.unify(&own, t);
        }
        let params = field_params(&fields);
        let name = format!("{}.init", self.c.adt(id).name);
        let (bound, ok) = self.bind(&params, args, &name, span, Some(&mut inf));
        if !ok {
            return hir::Expr::error(span);
        }
        if !inf.missing().is_empty() {
            self.error(Diagnostic::new(
                Code::CannotInfer,
                format!(
                    "cannot infer the type arguments of `{}`",
                    self.c.adt(id).name
                ),
                span,
                "annotate the variable's type",
            ));
            return hir::Expr::error(span);
        }
        let mut slots: Vec<Option<hir::Expr>> = vec![None; params.len()];
        for (slot, value) in bound {
            slots[slot] = Some(value);
        }
        let ty = inf.apply(&own);
        hir::Expr::new(
            ExprKind::NewObject {
                fields: slots.into_iter().flatten().collect(),
            },
            ty,
            span,
        )
    }

    /// `super.method(...)` / `super.init(...)` inside a method.
    pub fn super_call(
        &mut self,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let (Some(owner), Some(receiver)) = (self.owner, self.self_value(span)) else {
            self.error(Diagnostic::new(
                Code::UnknownName,
                "`super` is only available in methods of a class with a parent",
                span,
                "no parent class here",
            ));
            self.skip_args(args);
            return hir::Expr::error(span);
        };
        let own = owner_type(self.c, owner);
        let Some(parent) = adt::parent_ty(self.c, &own) else {
            self.error(Diagnostic::new(
                Code::UnknownName,
                format!("`{}` has no parent class", self.c.adt(owner).name),
                span,
                "no parent for `super`",
            ));
            self.skip_args(args);
            return hir::Expr::error(span);
        };
        if method.name == "init" {
            let Ty::Adt(pid, pargs) = &parent else {
                return hir::Expr::error(span);
            };
            return match self.c.extra(*pid).init {
                Some(init) => {
                    let callee = Callee::Super {
                        receiver,
                        owner_ty: parent.clone(),
                    };
                    self.call_fn(init, callee, args, span, expect)
                }
                None => self.super_default_init(*pid, pargs.clone(), receiver, args, span),
            };
        }
        match adt::find_method(self.c, &parent, &method.name) {
            Some((func, owner_ty)) => self.call_fn(
                func,
                Callee::Super { receiver, owner_ty },
                args,
                span,
                expect,
            ),
            None => {
                self.unknown_method(&parent, method, None);
                self.skip_args(args);
                hir::Expr::error(span)
            }
        }
    }

    /// `super.init(field = ...)` for a parent without an explicit `init`:
    /// assigns the parent's fields of `self`.
    fn super_default_init(
        &mut self,
        parent: AdtId,
        pargs: Vec<Ty>,
        receiver: hir::Expr,
        args: &[ast::Arg],
        span: Span,
    ) -> hir::Expr {
        let parent_ty = Ty::Adt(parent, pargs);
        let fields = adt::all_fields(self.c, &parent_ty);
        let params = field_params(&fields);
        let name = format!("{}.init", self.c.adt(parent).name);
        let (bound, ok) = self.bind(&params, args, &name, span, None);
        if !ok {
            return hir::Expr::error(span);
        }
        let stmts = bound
            .into_iter()
            .map(|(slot, value)| {
                hir::Stmt::Expr(hir::Expr::new(
                    ExprKind::AssignField {
                        object: Box::new(receiver.clone()),
                        index: slot as u32,
                        value: Box::new(value),
                    },
                    Ty::Unit,
                    span,
                ))
            })
            .collect();
        hir::Expr::new(
            ExprKind::Block(hir::Block {
                stmts,
                tail: None,
                ty: Ty::Unit,
            }),
            Ty::Unit,
            span,
        )
    }
}

/// Every field as a required named parameter (the default `init`).
fn field_params(fields: &[(AdtId, hir::Field, Ty)]) -> Vec<BindParam> {
    fields
        .iter()
        .map(|(_, f, ty)| BindParam {
            name: f.name.clone(),
            ty: Some(ty.clone()),
            required: true,
        })
        .collect()
}
