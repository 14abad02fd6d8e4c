//! Binding written arguments to parameters (decision 1): every argument
//! is named, names a parameter, is given once, and every required
//! parameter gets one. User functions, methods, constructors, built-ins
//! and library operations all bind through [`FnChecker::bind`].

use super::body::{Expect, FnChecker};
use super::infer::Inference;
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::hir::{self, Ty};
use crate::source::Span;
use crate::syntax::ast;

/// One parameter as the binder sees it.
#[derive(Clone)]
pub(crate) struct BindParam {
    pub name: String,
    /// `None`: any type with a value.
    pub ty: Option<Ty>,
    pub required: bool,
}

impl FnChecker<'_> {
    /// Binds written arguments to parameters by name and checks each value
    /// against its parameter type, deciding type parameters in `inf` on
    /// the way. Returns the bound arguments in written order, and whether
    /// binding succeeded.
    pub fn bind(
        &mut self,
        params: &[BindParam],
        args: &[ast::Arg],
        callee: &str,
        call_span: Span,
        mut inf: Option<&mut Inference>,
    ) -> (Vec<(usize, hir::Expr)>, bool) {
        let mut ok = true;
        let mut bound: Vec<(usize, hir::Expr)> = Vec::new();
        let mut seen: Vec<(usize, Span)> = Vec::new();
        for arg in args {
            let Some(name) = &arg.name else {
                ok = false;
                let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
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
                if let Some(best) = did_you_mean(&name.name, params.iter().map(|p| p.name.as_str()))
                {
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
            let value = match (&params[slot].ty, inf.as_deref_mut()) {
                (None, _) => self.expr(&arg.value, Expect::Value),
                (Some(ty), Some(inf)) if inf.is_open(&inf.apply(ty)) => {
                    let want = inf.apply(ty);
                    let value = self.expr(&arg.value, Expect::Value);
                    if !inf.unify(&want, &value.ty) && !self.fits(&value.ty, &inf.apply(&want)) {
                        let want = inf.apply(&want);
                        self.mismatch(&want, &value.ty, arg.value.span);
                    }
                    value
                }
                (Some(ty), Some(inf)) => {
                    let want = inf.apply(ty);
                    self.expect_ty(&arg.value, &want)
                }
                (Some(ty), None) => self.expect_ty(&arg.value, ty),
            };
            bound.push((slot, value));
        }
        let missing: Vec<&str> = params
            .iter()
            .enumerate()
            .filter(|(i, p)| p.required && seen.iter().all(|(s, _)| s != i))
            .map(|(_, p)| p.name.as_str())
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
