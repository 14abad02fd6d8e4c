//! Calls: named arguments are bound to parameters by name, in any order
//! (decision 1). A missing, unknown or repeated name is an error, for user
//! functions and built-ins alike; defaults fill omitted parameters.

use super::body::{Expect, FnChecker};
use super::builtins::{self, BuiltinSig, ParamTy};
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::hir::{self, ExprKind, Ty};
use crate::source::Span;
use crate::syntax::ast;

/// One parameter as the binder sees it.
struct BindParam<'a> {
    name: &'a str,
    /// `None`: any type with a value.
    ty: Option<&'a Ty>,
    required: bool,
}

impl FnChecker<'_> {
    pub fn call(&mut self, callee: &ast::Expr, args: &[ast::Arg], span: Span) -> hir::Expr {
        let ident = match &callee.kind {
            ast::ExprKind::Path(p) if p.segments.len() == 1 => &p.segments[0],
            ast::ExprKind::Path(_) => {
                return self.later("enum variants and module paths", callee.span)
            }
            _ => {
                self.expr(callee, Expect::Value);
                return self.later("calling a function value", callee.span);
            }
        };
        let name = ident.name.as_str();
        if let Some(local) = self.lookup_local(name) {
            let ty = self.local_ty(local);
            self.error(Diagnostic::new(
                Code::NotCallable,
                format!("`{name}` is a `{ty}`, not a function"),
                ident.span,
                "not callable",
            ));
            return hir::Expr::error(span);
        }
        if let Some(&func) = self.c.fn_by_name.get(name) {
            return self.user_call(func, ident, args, span);
        }
        if let Some(sig) = builtins::function(name) {
            return self.builtin_call(&sig, None, name, args, span);
        }
        if builtins::is_builtin_name(name) {
            return self.later(&format!("the built-in `{name}`"), ident.span);
        }
        self.unknown_name(ident, "function");
        for arg in args {
            self.expr(&arg.value, Expect::Value);
        }
        hir::Expr::error(span)
    }

    fn user_call(
        &mut self,
        func: hir::FnId,
        ident: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
    ) -> hir::Expr {
        let sig = self.c.fns[func.0 as usize].clone();
        let params: Vec<BindParam> = sig
            .params
            .iter()
            .map(|p| BindParam {
                name: &p.name,
                ty: Some(&p.ty),
                required: p.default.is_none(),
            })
            .collect();
        let (mut bound, ok) = self.bind(&params, args, &ident.name, span);
        // Omitted parameters take their defaults, evaluated after the
        // written arguments.
        for (slot, param) in sig.params.iter().enumerate() {
            if bound.iter().all(|(s, _)| *s != slot) {
                if let Some(default) = &param.default {
                    let mut value = default.clone();
                    value.span = span;
                    bound.push((slot, value));
                }
            }
        }
        if !ok {
            return hir::Expr::error(span);
        }
        hir::Expr::new(ExprKind::Call { func, args: bound }, sig.ret, span)
    }

    /// A call of a built-in function or method; `receiver` is the checked
    /// receiver of a method call (argument 0 of the operation).
    fn builtin_call(
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
                name: p.name,
                ty: match &p.ty {
                    ParamTy::Exactly(t) => Some(t),
                    ParamTy::Any => None,
                },
                required: !p.optional,
            })
            .collect();
        let (bound, ok) = self.bind(&params, args, name, span);
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
    ) -> hir::Expr {
        // `Name.init(...)` and other calls on a type name.
        if let ast::ExprKind::Path(p) = &receiver.kind {
            if let [seg] = p.segments.as_slice() {
                let is_type_name = seg.name.starts_with(|c: char| c.is_ascii_uppercase());
                if is_type_name && self.lookup_local(&seg.name).is_none() {
                    return self.later(&format!("`{}.{}`", seg.name, method.name), span);
                }
            }
        }
        let recv = self.expr(receiver, Expect::Value);
        match &recv.ty {
            Ty::String => {
                if let Some(sig) = builtins::string_method(&method.name) {
                    return self.builtin_call(&sig, Some(recv), &method.name, args, span);
                }
                if builtins::STRING_METHODS_LATER.contains(&method.name.as_str()) {
                    return self.later(&format!("`String.{}`", method.name), method.span);
                }
                let hint = did_you_mean(&method.name, builtins::STRING_METHODS.iter().copied());
                self.unknown_method(&recv.ty, method, hint);
            }
            Ty::Error => {}
            other => {
                let other = other.clone();
                self.unknown_method(&other, method, None);
            }
        }
        for arg in args {
            self.expr(&arg.value, Expect::Value);
        }
        hir::Expr::error(span)
    }

    fn unknown_method(&mut self, ty: &Ty, method: &ast::Ident, hint: Option<&str>) {
        let mut diag = Diagnostic::new(
            Code::UnknownMethod,
            format!("`{ty}` has no method `{}`", method.name),
            method.span,
            "unknown method",
        );
        if let Some(best) = hint {
            diag = diag.with_hint(format!("did you mean `{best}`?"));
        }
        self.error(diag);
    }

    /// Binds written arguments to parameters by name and checks each value
    /// against its parameter type. Returns the bound arguments in written
    /// order, and whether binding succeeded.
    fn bind(
        &mut self,
        params: &[BindParam],
        args: &[ast::Arg],
        callee: &str,
        call_span: Span,
    ) -> (Vec<(usize, hir::Expr)>, bool) {
        let mut ok = true;
        let mut bound: Vec<(usize, hir::Expr)> = Vec::new();
        let mut seen: Vec<(usize, Span)> = Vec::new();
        for arg in args {
            let Some(name) = &arg.name else {
                ok = false;
                let names: Vec<&str> = params.iter().map(|p| p.name).collect();
                self.error(
                    Diagnostic::new(
                        Code::PositionalArgument,
                        format!("arguments to `{callee}` must be named"),
                        arg.span,
                        "positional argument",
                    )
                    .with_hint(if names.is_empty() {
                        format!("`{callee}` takes no arguments")
                    } else {
                        format!(
                            "write `name = value`; `{callee}` takes: {}",
                            names.join(", ")
                        )
                    }),
                );
                self.expr(&arg.value, Expect::Value);
                continue;
            };
            let Some(slot) = params.iter().position(|p| p.name == name.name) else {
                ok = false;
                let mut diag = Diagnostic::new(
                    Code::UnknownArgument,
                    format!("`{callee}` has no parameter named `{}`", name.name),
                    name.span,
                    "unknown argument name",
                );
                if let Some(best) = did_you_mean(&name.name, params.iter().map(|p| p.name)) {
                    diag = diag.with_hint(format!("did you mean `{best}`?"));
                }
                self.error(diag);
                self.expr(&arg.value, Expect::Value);
                continue;
            };
            if let Some((_, first)) = seen.iter().find(|(s, _)| *s == slot) {
                ok = false;
                let first = *first;
                self.error(
                    Diagnostic::new(
                        Code::RepeatedArgument,
                        format!("the argument `{}` is given twice", name.name),
                        name.span,
                        "given again here",
                    )
                    .with_label(first, "first given here"),
                );
                self.expr(&arg.value, Expect::Value);
                continue;
            }
            seen.push((slot, name.span));
            let value = match params[slot].ty {
                Some(ty) => self.expect_ty(&arg.value, ty),
                None => self.expr(&arg.value, Expect::Value),
            };
            bound.push((slot, value));
        }
        let missing: Vec<&str> = params
            .iter()
            .enumerate()
            .filter(|(i, p)| p.required && seen.iter().all(|(s, _)| s != i))
            .map(|(_, p)| p.name)
            .collect();
        if !missing.is_empty() {
            ok = false;
            let list = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.error(
                Diagnostic::new(
                    Code::MissingArgument,
                    format!("missing argument {list} in call to `{callee}`"),
                    call_span,
                    format!("{list} not given"),
                )
                .with_hint(format!("add `{} = ...`", missing[0])),
            );
        }
        (bound, ok)
    }
}
