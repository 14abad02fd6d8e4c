//! List methods that take a function: `any(f)` and `all(f)` (spec 9.2);
//! the data-parallel methods of concurrency.md section 7 are passed on to
//! `list_par.rs`.
//!
//! `xs.any(f = p)` is lowered here to a loop over the list, so code
//! generation needs nothing new and the loop reads the list exactly as a
//! `for` loop does:
//!
//! ```text
//! { let $l = xs; let $f = p; var $r = false;
//!   for ($x in $l) { if ($f($x)) { $r = true; break; } }
//!   $r }
//! ```
//!
//! `all` starts from `true` and stops at the first element for which the
//! predicate is false.

use super::args::BindParam;
use super::body::FnChecker;
use super::list_par::PAR_METHODS;
use crate::hir::{self, ExprKind, Stmt, Ty, UnOp};
use crate::source::Span;
use crate::syntax::ast;

/// Whether `name` is a method of `List` handled here.
pub(crate) fn is_list_fn_method(name: &str) -> bool {
    matches!(name, "any" | "all") || PAR_METHODS.contains(&name)
}

impl FnChecker<'_> {
    /// A method of `List[elem]` that takes a function (see
    /// [`is_list_fn_method`]).
    pub(crate) fn list_fn_method(
        &mut self,
        recv: hir::Expr,
        elem: &Ty,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
    ) -> hir::Expr {
        let name = method.name.as_str();
        if PAR_METHODS.contains(&name) {
            return self.list_par_method(recv, elem, method, args, span);
        }
        let any = name == "any";
        let pred_ty = Ty::Fn(vec![elem.clone()], Box::new(Ty::Bool));
        let params = [BindParam {
            name: "f".into(),
            ty: Some(pred_ty.clone()),
            required: true,
        }];
        let (mut bound, ok) = self.bind(&params, args, &format!("List.{name}"), span, None);
        let pred = match bound.pop() {
            Some((_, pred)) if ok => pred,
            _ => return hir::Expr::error(span),
        };
        self.lower_predicate_loop(recv, pred, elem, any, span)
    }

    /// The loop of `any` (stop at the first `true`) or `all` (stop at the
    /// first `false`); see the module documentation.
    fn lower_predicate_loop(
        &mut self,
        recv: hir::Expr,
        pred: hir::Expr,
        elem: &Ty,
        any: bool,
        span: Span,
    ) -> hir::Expr {
        let list_ty = recv.ty.clone();
        let pred_ty = pred.ty.clone();
        let list = self.hidden_local(list_ty.clone(), span);
        let func = self.hidden_local(pred_ty.clone(), span);
        let result = self.hidden_local(Ty::Bool, span);
        let var = self.hidden_local(elem.clone(), span);
        let local = |id, ty: &Ty| hir::Expr::new(ExprKind::Local(id), ty.clone(), span);
        let call = hir::Expr::new(
            ExprKind::CallValue {
                callee: Box::new(local(func, &pred_ty)),
                args: vec![local(var, elem)],
            },
            Ty::Bool,
            span,
        );
        let decides = if any {
            call
        } else {
            hir::Expr::new(
                ExprKind::Unary {
                    op: UnOp::Not,
                    operand: Box::new(call),
                },
                Ty::Bool,
                span,
            )
        };
        let found = Stmt::Expr(hir::Expr::new(
            ExprKind::Assign {
                local: result,
                value: Box::new(hir::Expr::new(ExprKind::Bool(any), Ty::Bool, span)),
            },
            Ty::Unit,
            span,
        ));
        let stop = hir::Expr::new(
            ExprKind::If {
                cond: Box::new(decides),
                then: hir::Block {
                    stmts: vec![found, Stmt::Break],
                    tail: None,
                    ty: Ty::Never,
                },
                otherwise: None,
            },
            Ty::Unit,
            span,
        );
        let stmts = vec![
            Stmt::Let {
                local: list,
                value: recv,
            },
            Stmt::Let {
                local: func,
                value: pred,
            },
            Stmt::Let {
                local: result,
                value: hir::Expr::new(ExprKind::Bool(!any), Ty::Bool, span),
            },
            Stmt::ForList {
                var,
                list: local(list, &list_ty),
                body: hir::Block {
                    stmts: vec![Stmt::Expr(stop)],
                    tail: None,
                    ty: Ty::Unit,
                },
            },
        ];
        let block = hir::Block {
            stmts,
            tail: Some(Box::new(local(result, &Ty::Bool))),
            ty: Ty::Bool,
        };
        hir::Expr::new(ExprKind::Block(block), Ty::Bool, span)
    }
}
