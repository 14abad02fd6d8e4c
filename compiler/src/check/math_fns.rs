//! The built-ins generic over the numeric types: `math_abs(value =)`,
//! `math_min(a =, b =)` and `math_max(a =, b =)` take operands of one
//! numeric type (any `Int*` or `Float*`) and return that type.
//!
//! The operand type comes from the expected type when that is numeric
//! (`let m: Int64 = math_min(a = 1, b = 2);`), else from the arguments,
//! those that are not bare literals first, so that a literal takes the
//! type of the other operand as it does in `x + 1`
//! (`math_max(a = 0, b = n8)` is an `Int8`). Two different numeric
//! types are an error (E0200), as mixing them in `+` is.

use super::args::BindParam;
use super::body::{Expect, FnChecker};
use super::infer::Inference;
use super::literal::is_context_typed;
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, Builtin, ExprKind, Ty};
use crate::source::Span;
use crate::syntax::ast;

impl FnChecker<'_> {
    /// A call of the numeric built-in `name` (operation `op`, parameters
    /// `names`, all of the operand type).
    pub(crate) fn numeric_builtin_call(
        &mut self,
        op: Builtin,
        names: &[&str],
        name: &str,
        args: &[ast::Arg],
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let param = self.c.new_param("T");
        let operand = Ty::Param(param);
        let mut inf = Inference::new(&[param]);
        if let Some(t) = expect.ty().filter(|t| t.is_numeric()) {
            inf.unify(&operand, t);
        }
        let params: Vec<BindParam> = names
            .iter()
            .map(|n| BindParam {
                name: (*n).to_owned(),
                ty: Some(operand.clone()),
                required: true,
            })
            .collect();
        // Bare literals last: they take the type the others decide. The
        // operation's arguments are evaluated in parameter order anyway.
        let mut ordered: Vec<ast::Arg> = args.to_vec();
        ordered.sort_by_key(|a| is_context_typed(&a.value));
        let (bound, ok) = self.bind(&params, &ordered, name, span, Some(&mut inf));
        let ty = inf.apply(&operand);
        if !ok || ty == operand {
            // Reported already (an argument's error or a bad name).
            return hir::Expr::error(span);
        }
        if !ty.is_numeric() && !ty.is_flexible() {
            let shown = self.show(&ty);
            let at = bound.first().map_or(span, |(_, e)| e.span);
            self.error(
                Diagnostic::new(
                    Code::BadOperands,
                    format!("`{name}` needs numbers, found `{shown}`"),
                    at,
                    "not a number",
                )
                .with_hint("it takes any one of the Int and Float types"),
            );
            return hir::Expr::error(span);
        }
        let mut slots: Vec<Option<hir::Expr>> = vec![None; names.len()];
        for (slot, value) in bound {
            slots[slot] = Some(value);
        }
        hir::Expr::new(ExprKind::Builtin { op, args: slots }, ty, span)
    }
}
