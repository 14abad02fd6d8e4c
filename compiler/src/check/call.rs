//! Calls: named arguments are bound to parameters by name, in any order
//! (decision 1). A missing, unknown or repeated name is an error, for user
//! functions, methods, constructors, variants and built-ins alike; defaults
//! fill omitted parameters; type arguments of generic callees are inferred
//! from the expected type and the arguments (`infer.rs`).

use super::adt::owner_type;
use super::args::BindParam;
use super::body::{Expect, FnChecker};
use super::builtin_sig::{BuiltinSig, ParamTy};
use super::builtins;
use super::infer::Inference;
use super::{adt, collections, list_fns, list_loops};
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::hir::{self, AdtId, ExprKind, FnId, Ty};
use crate::source::Span;
use crate::syntax::ast;

impl FnChecker<'_> {
    pub fn call(
        &mut self,
        callee: &ast::Expr,
        args: &[ast::Arg],
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let ident = match &callee.kind {
            ast::ExprKind::Path(p) if p.segments.len() == 1 => &p.segments[0],
            ast::ExprKind::Path(p) => {
                if let Some(e) = self.variant_path(p, Some(args), span, expect) {
                    return e;
                }
                let segs: Vec<&str> = p.segments.iter().map(|s| s.name.as_str()).collect();
                if let Some(func) = self.c.lookup_fn(&segs) {
                    self.check_foreign_fn(func, p);
                    return self.call_fn(func, Callee::Free, args, span, expect);
                }
                self.unknown_path(p);
                self.skip_args(args);
                return hir::Expr::error(span);
            }
            _ => {
                let value = self.expr(callee, Expect::Value);
                return self.call_value(value, args, span);
            }
        };
        let name = ident.name.as_str();
        if let Some(local) = self.resolve_local(name) {
            let ty = self.local_ty(local);
            if let Ty::Fn(..) = ty {
                let callee = hir::Expr::new(ExprKind::Local(local), ty, ident.span);
                return self.call_value(callee, args, span);
            }
            let shown = self.show(&ty);
            self.error(Diagnostic::new(
                Code::NotCallable,
                format!("`{name}` is a `{shown}`, not a function"),
                ident.span,
                "not callable",
            ));
            return hir::Expr::error(span);
        }
        if let Some(func) = self.c.lookup_fn(&[name]) {
            return self.call_fn(func, Callee::Free, args, span, expect);
        }
        if let Some((op, names)) = builtins::numeric_function(name) {
            return self.numeric_builtin_call(op, names, name, args, span, expect);
        }
        if let Some(sig) = builtins::function(name) {
            return self.builtin_call(&sig, None, name, args, span);
        }
        if builtins::is_builtin_name(name) {
            return self.later(&format!("the built-in `{name}`"), ident.span);
        }
        self.unknown_name(ident, "function");
        self.skip_args(args);
        hir::Expr::error(span)
    }

    /// A call through a function value: positional arguments.
    fn call_value(&mut self, callee: hir::Expr, args: &[ast::Arg], span: Span) -> hir::Expr {
        let (params, ret) = match &callee.ty {
            Ty::Fn(params, ret) => (params.clone(), (**ret).clone()),
            Ty::Error => {
                self.skip_args(args);
                return hir::Expr::error(span);
            }
            other => {
                let shown = self.show(other);
                self.error(Diagnostic::new(
                    Code::NotCallable,
                    format!("a `{shown}` is not a function"),
                    callee.span,
                    "not callable",
                ));
                self.skip_args(args);
                return hir::Expr::error(span);
            }
        };
        if let Some(named) = args.iter().find(|a| a.name.is_some()) {
            self.error(
                Diagnostic::new(
                    Code::UnknownArgument,
                    "calls through a function value are positional",
                    named.span,
                    "named argument",
                )
                .with_hint("write the value alone: `f(1, 2)`"),
            );
        }
        if args.len() != params.len() {
            self.error(Diagnostic::new(
                Code::ArgumentCount,
                format!(
                    "this function takes {} argument(s), {} given",
                    params.len(),
                    args.len()
                ),
                span,
                "wrong number of arguments",
            ));
            self.skip_args(args);
            return hir::Expr::error(span);
        }
        let values = args
            .iter()
            .zip(&params)
            .map(|(a, t)| self.expect_ty(&a.value, t))
            .collect();
        hir::Expr::new(
            ExprKind::CallValue {
                callee: Box::new(callee),
                args: values,
            },
            ret,
            span,
        )
    }

    pub fn skip_args(&mut self, args: &[ast::Arg]) {
        for arg in args {
            self.expr(&arg.value, Expect::Value);
        }
    }

    /// Calls user function `func`. `callee` says how `self` is provided.
    pub fn call_fn(
        &mut self,
        func: FnId,
        callee: Callee,
        args: &[ast::Arg],
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let sig = self.c.fns[func.0 as usize].clone();
        let mut inf = Inference::new(&sig.generics);
        // A receiver fixes the owner's type arguments.
        if let Callee::Method { owner_ty, .. } | Callee::Super { owner_ty, .. } = &callee {
            if let Some(owner) = sig.owner {
                let own = owner_type(self.c, owner);
                inf.unify(&own, owner_ty);
            }
        }
        if let Some(t) = expect.ty() {
            let mut trial = inf.clone();
            if trial.unify(&sig.ret, t) {
                inf = trial;
            }
        }
        let params: Vec<BindParam> = sig
            .params
            .iter()
            .map(|p| BindParam {
                name: p.name.clone(),
                ty: Some(p.ty.clone()),
                required: p.default.is_none(),
            })
            .collect();
        let name = match sig.owner {
            Some(o) if sig.is_init => format!("{}.init", self.c.adt(o).name),
            Some(o) => format!("{}.{}", self.c.adt(o).name, sig.name),
            None => sig.name.clone(),
        };
        let (bound, ok) = self.bind(&params, args, &name, span, Some(&mut inf));
        let offset = usize::from(sig.owner.is_some());
        let mut bound: Vec<(usize, hir::Expr)> =
            bound.into_iter().map(|(s, e)| (s + offset, e)).collect();
        // Omitted parameters take their defaults, after the written ones.
        for (slot, param) in sig.params.iter().enumerate() {
            if bound.iter().all(|(s, _)| *s != slot + offset) {
                if let Some(default) = &param.default {
                    let mut value = default.clone();
                    value.span = span;
                    bound.push((slot + offset, value));
                }
            }
        }
        let missing = inf.missing();
        // An argument that already failed decides nothing: no second error.
        let echo = bound.iter().any(|(_, e)| e.ty.has_error());
        if echo && !missing.is_empty() {
            return hir::Expr::error(span);
        }
        if ok && !missing.is_empty() {
            let names: Vec<String> = missing
                .iter()
                .map(|p| self.c.params[p.0 as usize].clone())
                .collect();
            self.error(
                Diagnostic::new(
                    Code::CannotInfer,
                    format!(
                        "cannot infer the type `{}` in this call to `{name}`",
                        names.join("`, `")
                    ),
                    span,
                    "type not decided by the arguments",
                )
                .with_hint("annotate the type of the variable that receives the result"),
            );
            return hir::Expr::error(span);
        }
        if !ok {
            return hir::Expr::error(span);
        }
        let type_args = inf.args();
        let ret = hir::subst_params(&sig.ret, &sig.generics, &type_args);
        let is_super = matches!(callee, Callee::Super { .. });
        let receiver = match callee {
            Callee::Free => None,
            Callee::Method { receiver, .. } | Callee::Super { receiver, .. } => Some(receiver),
            Callee::Construct => {
                let ty = hir::subst_params(
                    &owner_type(self.c, sig.owner.unwrap_or(AdtId(0))),
                    &sig.generics,
                    &type_args,
                );
                Some(hir::Expr::new(ExprKind::AllocObject, ty, span))
            }
        };
        if let Some(r) = receiver {
            bound.insert(0, (0, r));
        }
        let kind = match sig.slot {
            Some(slot) if !is_super => ExprKind::VirtualCall {
                func,
                type_args,
                slot,
                args: bound,
            },
            _ => ExprKind::Call {
                func,
                type_args,
                args: bound,
            },
        };
        hir::Expr::new(kind, ret, span)
    }

    /// A call of a built-in function or method; `receiver` is the checked
    /// receiver of a method call (argument 0 of the operation).
    pub fn builtin_call(
        &mut self,
        sig: &BuiltinSig,
        receiver: Option<hir::Expr>,
        name: &str,
        args: &[ast::Arg],
        span: Span,
    ) -> hir::Expr {
        let params: Vec<BindParam> = sig
            .params
            .iter()
            .map(|p| BindParam {
                name: p.name.to_owned(),
                ty: match &p.ty {
                    ParamTy::Exactly(t) => Some(t.clone()),
                    ParamTy::Any => None,
                },
                required: !p.optional,
            })
            .collect();
        let (bound, ok) = self.bind(&params, args, name, span, None);
        if !ok {
            return hir::Expr::error(span);
        }
        let mut slots: Vec<Option<hir::Expr>> = vec![None; sig.params.len()];
        for (slot, value) in bound {
            slots[slot] = Some(value);
        }
        if let Some(recv) = receiver {
            slots.insert(0, Some(recv));
        }
        hir::Expr::new(
            ExprKind::Builtin {
                op: sig.op,
                args: slots,
            },
            sig.ret.clone(),
            span,
        )
    }

    pub fn method_call(
        &mut self,
        receiver: &ast::Expr,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        if let ast::ExprKind::Path(p) = &receiver.kind {
            let is_type_name = p
                .segments
                .last()
                .is_some_and(|s| s.name.starts_with(|c: char| c.is_ascii_uppercase()));
            let is_local =
                p.segments.len() == 1 && self.lookup_local(&p.segments[0].name).is_some();
            if is_type_name && !is_local && !self.names_variant(p) {
                return self.static_call(p, method, args, span, expect);
            }
        }
        let recv = self.expr(receiver, Expect::Value);
        match recv.ty.clone() {
            Ty::String => {
                if let Some(sig) = builtins::string_method(&method.name) {
                    return self.builtin_call(&sig, Some(recv), &method.name, args, span);
                }
                let hint = did_you_mean(&method.name, builtins::STRING_METHODS.iter().copied());
                self.unknown_method(&recv.ty, method, hint);
            }
            ty @ (Ty::List(_) | Ty::Dict(..) | Ty::Set(_)) => {
                if let Ty::List(elem) = &ty {
                    if list_fns::is_list_fn_method(&method.name) {
                        return self.list_fn_method(recv, elem, method, args, span);
                    }
                    if list_loops::LOOP_METHODS.contains(&method.name.as_str()) {
                        return self.list_loop_method(recv, elem, method, args, span);
                    }
                    if self.list_elem_rejected(elem, method) {
                        self.skip_args(args);
                        return hir::Expr::error(span);
                    }
                }
                if let Ty::Dict(k, v) = &ty {
                    if method.name == "for_each" {
                        return self.dict_for_each(recv, k, v, args, span);
                    }
                }
                if let Some(sig) = collections::method(&ty, &method.name) {
                    return self.builtin_call(&sig, Some(recv), &method.name, args, span);
                }
                let names = collections::method_names(&ty);
                let hint = did_you_mean(&method.name, names.iter().copied());
                self.unknown_method(&ty, method, hint);
            }
            Ty::Task(t) => {
                if let Some(sig) = builtins::task_method(&t, &method.name) {
                    return self.builtin_call(&sig, Some(recv), &method.name, args, span);
                }
                let hint = did_you_mean(
                    &method.name,
                    ["await", "await_timeout", "is_done", "cancel"],
                );
                self.unknown_method(&Ty::Task(t), method, hint);
            }
            Ty::Thread(t) => {
                if let Some(sig) = builtins::thread_method(&t, &method.name) {
                    return self.builtin_call(&sig, Some(recv), &method.name, args, span);
                }
                let hint = did_you_mean(&method.name, ["join", "is_done"]);
                self.unknown_method(&Ty::Thread(t), method, hint);
            }
            Ty::Channel(_) | Ty::Atomic(_) | Ty::Sync(_) => {
                return self.lib_method(recv, method, args, span);
            }
            ty @ Ty::Adt(id, _) if id == AdtId::OPTION || id == AdtId::RESULT => {
                if let Some(sig) = collections::enum_method(&ty, &method.name) {
                    return self.builtin_call(&sig, Some(recv), &method.name, args, span);
                }
                let hint = did_you_mean(&method.name, collections::ENUM_METHODS.iter().copied());
                self.unknown_method(&ty, method, hint);
            }
            ty @ Ty::Adt(..) => {
                if let Some((func, owner_ty)) = adt::find_method(self.c, &ty, &method.name) {
                    if !self.c.fns[func.0 as usize].is_init {
                        self.check_method_visible(func, method);
                        let callee = Callee::Method {
                            receiver: recv,
                            owner_ty,
                        };
                        return self.call_fn(func, callee, args, span, expect);
                    }
                }
                self.unknown_method(&ty, method, None);
            }
            Ty::Error => {}
            other => self.unknown_method(&other, method, None),
        }
        self.skip_args(args);
        hir::Expr::error(span)
    }

    /// Whether `E::V` (or `m::E::V`) names an enum variant rather than a
    /// type: its prefix is a type. `Color::Red.name()` and
    /// `Option::None.is_none()` are method calls on values.
    fn names_variant(&self, path: &ast::Path) -> bool {
        let Some((_, prefix)) = path.segments.split_last() else {
            return false;
        };
        if prefix.is_empty() {
            return false;
        }
        let segs: Vec<&str> = prefix.iter().map(|s| s.name.as_str()).collect();
        self.c.lookup_type(&segs).is_some()
    }

    /// A function of another module must be `pub` to be called.
    fn check_foreign_fn(&mut self, func: FnId, path: &ast::Path) {
        let sig = &self.c.fns[func.0 as usize];
        if path.segments.len() > 1 && !sig.is_pub {
            let span = sig.name_span;
            let shown = path
                .segments
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join("::");
            self.error(
                Diagnostic::new(
                    Code::Private,
                    format!("`{shown}` is private to its module"),
                    path.span,
                    "not `pub`",
                )
                .with_label(span, "declared here without `pub`"),
            );
        }
    }

    /// Reports a path that names nothing: an unknown module or item.
    pub fn unknown_path(&mut self, path: &ast::Path) {
        let segs: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
        let shown = segs.join("::");
        let first = segs.first().copied().unwrap_or("");
        let known_module = self
            .c
            .modules
            .get(self.c.cur)
            .is_some_and(|m| m.aliases.contains_key(first));
        let diag = if known_module || self.c.lookup_type(&[first]).is_some() {
            Diagnostic::new(
                Code::UnknownName,
                format!("`{shown}` does not exist"),
                path.span,
                "unknown name",
            )
        } else {
            Diagnostic::new(
                Code::UnknownModule,
                format!("`{first}` is not an imported module"),
                path.segments[0].span,
                "unknown module",
            )
            .with_hint(format!(
                "add `use {first};` (or `use std::{first};`) at the top of the file"
            ))
        };
        self.error(diag);
    }

    /// A private method is callable from the methods of its class and of
    /// the classes that inherit from it.
    fn check_method_visible(&mut self, func: FnId, method: &ast::Ident) {
        let sig = &self.c.fns[func.0 as usize];
        if sig.is_pub {
            return;
        }
        let (Some(declaring), span) = (sig.owner, sig.name_span) else {
            return;
        };
        let inside = self
            .owner
            .is_some_and(|o| adt::class_within(self.c, o, declaring) || o == declaring);
        if !inside {
            let owner_name = self.c.adt(declaring).name.clone();
            self.error(
                Diagnostic::new(
                    Code::Private,
                    format!("the method `{}` of `{owner_name}` is private", method.name),
                    method.span,
                    "private method",
                )
                .with_label(span, "declared here without `pub`"),
            );
        }
    }

    pub fn unknown_method(&mut self, ty: &Ty, method: &ast::Ident, hint: Option<&str>) {
        let shown = self.show(ty);
        let mut diag = Diagnostic::new(
            Code::UnknownMethod,
            format!("`{shown}` has no method `{}`", method.name),
            method.span,
            "unknown method",
        );
        if let Some(best) = hint {
            diag = diag.with_hint(format!("did you mean `{best}`?"));
        }
        self.error(diag);
    }
}

/// How a user function is called.
pub(crate) enum Callee {
    /// A top-level function.
    Free,
    /// `receiver.method(...)`; `owner_ty` is the declaring class or enum as
    /// seen from the receiver (with its type arguments).
    Method { receiver: hir::Expr, owner_ty: Ty },
    /// `super.method(...)`: a direct, non-virtual call.
    Super { receiver: hir::Expr, owner_ty: Ty },
    /// `Name.init(...)` of a class with an explicit `init`.
    Construct,
}
