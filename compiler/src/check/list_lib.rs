//! Checks specific to the standard-library methods of `List`
//! (`docs/stdlib.md`): which element types `sort`, `min`, `max` and
//! `join` accept, and the constructors `List.filled(length =, value =)`
//! and `List.with_capacity(capacity =)`.

use super::body::{Expect, FnChecker};
use super::builtin_sig::{BuiltinParam, BuiltinSig, ParamTy};
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, Builtin, Ty};
use crate::source::Span;
use crate::syntax::ast;

/// Whether values of type `t` have the order `sort`, `min` and `max` use
/// (runtime/src/value/ord.rs): numbers, `Bool` and `String`.
fn is_orderable(t: &Ty) -> bool {
    matches!(
        t,
        Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::String | Ty::Error | Ty::Never
    )
}

impl FnChecker<'_> {
    /// Reports and returns true when `List[elem].name(...)` cannot be
    /// called for this element type.
    pub(crate) fn list_elem_rejected(&mut self, elem: &Ty, method: &ast::Ident) -> bool {
        let name = method.name.as_str();
        let (ok, needs, hint) = match name {
            "sort" | "min" | "max" => (
                is_orderable(elem),
                "elements that have an order (Int*, Float*, String or Bool)",
                if name == "sort" {
                    "sort other elements with `sort_by(f = fn(a: T, b: T) -> Int32 { ... })`"
                } else {
                    "find it with `reduce(initial =, f =)`"
                },
            ),
            "join" => (
                matches!(elem, Ty::String | Ty::Error | Ty::Never),
                "a `List[String]`",
                "turn the elements into strings first: `xs.map(f = fn(x: T) -> String { return \"${x}\"; })`",
            ),
            _ => return false,
        };
        if ok {
            return false;
        }
        let shown = self.show(elem);
        self.error(
            Diagnostic::new(
                Code::TypeMismatch,
                format!("`List.{name}` needs {needs}, not `{shown}`"),
                method.span,
                format!("the elements are `{shown}`"),
            )
            .with_hint(hint),
        );
        true
    }

    /// `List.filled(length =, value =)` and `List.with_capacity(capacity
    /// =)`. The element type comes from the expected type, or for
    /// `filled` from the value.
    pub(crate) fn list_static_call(
        &mut self,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let wanted = match expect.ty() {
            Some(Ty::List(t)) => Some((**t).clone()),
            _ => None,
        };
        let p = |name: &'static str, ty: Ty| BuiltinParam {
            name,
            ty: ParamTy::Exactly(ty),
            optional: false,
        };
        match method.name.as_str() {
            "filled" => {
                let value = match wanted.clone() {
                    Some(t) => p("value", t),
                    None => BuiltinParam {
                        ty: ParamTy::Any,
                        ..p("value", Ty::Error)
                    },
                };
                let sig = BuiltinSig {
                    op: Builtin::ListFilled,
                    params: vec![p("length", Ty::INT32), value],
                    ret: Ty::Error,
                };
                let mut call = self.builtin_call(&sig, None, "List.filled", args, span);
                let elem = match &call.kind {
                    hir::ExprKind::Builtin { .. } if wanted.is_some() => wanted,
                    hir::ExprKind::Builtin { args, .. } => {
                        args.get(1).and_then(|v| v.as_ref()).map(|v| v.ty.clone())
                    }
                    _ => None,
                };
                if let Some(elem) = elem {
                    call.ty = Ty::List(Box::new(elem));
                }
                call
            }
            "with_capacity" => {
                let Some(elem) = wanted else {
                    if !expect.ty().is_some_and(Ty::is_flexible) {
                        self.error(
                            Diagnostic::new(
                                Code::CannotInfer,
                                "cannot tell what this list holds",
                                span,
                                "element type unknown",
                            )
                            .with_hint("write the type: `let xs: List[Int32] = List.with_capacity(capacity = 100);`"),
                        );
                    }
                    self.skip_args(args);
                    return hir::Expr::error(span);
                };
                let sig = BuiltinSig {
                    op: Builtin::ListWithCapacity,
                    params: vec![p("capacity", Ty::INT32)],
                    ret: Ty::List(Box::new(elem)),
                };
                self.builtin_call(&sig, None, "List.with_capacity", args, span)
            }
            other => {
                self.error(
                    Diagnostic::new(
                        Code::UnknownMethod,
                        format!("`List.{other}` is not a constructor"),
                        method.span,
                        "no such constructor",
                    )
                    .with_hint("make lists with `[a, b]`, `List.filled(length =, value =)` or `List.with_capacity(capacity =)`"),
                );
                self.skip_args(args);
                hir::Expr::error(span)
            }
        }
    }
}
