//! The standard-library methods of `List` that take a function, and
//! `sum`, lowered to loops in the HIR like `any`/`all` (`list_fns.rs`):
//! the function is called inline, so nothing generic is needed at run
//! time and the loop reads the list exactly as a `for` loop does (a
//! snapshot of its length and buffer per step, see
//! runtime/src/collections/list.rs). Also `Dict.for_each`.
//!
//! ```text
//! xs.map(f = g)           { let $l = xs; let $f = g;
//!                           let $r = List.with_capacity(capacity = $l.len());
//!                           for ($x in $l) { $r.push(value = $f($x)); } $r }
//! xs.filter(f = p)        ... for ($x in $l) { if ($f($x)) { $r.push(value = $x); } } $r
//! xs.reduce(initial = a, f = g)
//!                         { let $l = xs; var $acc = a; let $f = g;
//!                           for ($x in $l) { $acc = $f($acc, $x); } $acc }
//! xs.for_each(f = g)      { let $l = xs; let $f = g; for ($x in $l) { $f($x); } }
//! xs.find(f = p)          { ...; var $r = None;
//!                           for ($x in $l) { if ($f($x)) { $r = Some($x); break; } } $r }
//! xs.sum()                { let $l = xs; var $acc = 0; for ($x in $l) { $acc = $acc + $x; } $acc }
//! d.for_each(f = g)       { let $d = d; let $f = g; let $k = $d.keys(); let $v = $d.values();
//!                           for ($i in 0..$k.len()) { $f($k[$i].unwrap(), $v[$i].unwrap()); } }
//! ```
//!
//! Arguments are evaluated in the order written, after the receiver.
//! `sum` adds with the element type's `+`, so integer sums wrap as `+`
//! does. `Dict.for_each` visits the entries in insertion order, as they
//! were when the call began (the keys and values are copied first).

use super::args::BindParam;
use super::body::FnChecker;
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, BinOp, Builtin, ExprKind, LocalId, Stmt, Ty};
use crate::source::Span;
use crate::syntax::ast;

/// Methods of `List` lowered here.
pub(crate) const LOOP_METHODS: &[&str] = &["map", "filter", "reduce", "for_each", "find", "sum"];

/// Small builders of HIR nodes at one span.
pub(super) struct At(pub(super) Span);

impl At {
    pub(super) fn local(&self, id: LocalId, ty: &Ty) -> hir::Expr {
        hir::Expr::new(ExprKind::Local(id), ty.clone(), self.0)
    }
    pub(super) fn call(&self, f: hir::Expr, args: Vec<hir::Expr>, ret: &Ty) -> hir::Expr {
        let kind = ExprKind::CallValue {
            callee: Box::new(f),
            args,
        };
        hir::Expr::new(kind, ret.clone(), self.0)
    }
    pub(super) fn builtin(&self, op: Builtin, args: Vec<hir::Expr>, ret: Ty) -> hir::Expr {
        let args = args.into_iter().map(Some).collect();
        hir::Expr::new(ExprKind::Builtin { op, args }, ret, self.0)
    }
    pub(super) fn assign(&self, local: LocalId, value: hir::Expr) -> Stmt {
        Stmt::Expr(hir::Expr::new(
            ExprKind::Assign {
                local,
                value: Box::new(value),
            },
            Ty::Unit,
            self.0,
        ))
    }
    pub(super) fn if_then(&self, cond: hir::Expr, stmts: Vec<Stmt>, ty: Ty) -> Stmt {
        Stmt::Expr(hir::Expr::new(
            ExprKind::If {
                cond: Box::new(cond),
                then: hir::Block {
                    stmts,
                    tail: None,
                    ty,
                },
                otherwise: None,
            },
            Ty::Unit,
            self.0,
        ))
    }
    /// `{ stmts; tail }` as an expression of type `ty`.
    pub(super) fn block(&self, stmts: Vec<Stmt>, tail: Option<hir::Expr>, ty: Ty) -> hir::Expr {
        let block = hir::Block {
            stmts,
            tail: tail.map(Box::new),
            ty: ty.clone(),
        };
        hir::Expr::new(ExprKind::Block(block), ty, self.0)
    }
    pub(super) fn body(stmts: Vec<Stmt>) -> hir::Block {
        hir::Block {
            stmts,
            tail: None,
            ty: Ty::Unit,
        }
    }
}

/// A bound argument held in a hidden local.
pub(super) struct Held {
    pub(super) local: LocalId,
    pub(super) ty: Ty,
}

impl FnChecker<'_> {
    /// `xs.map(f =)`, `filter`, `reduce`, `for_each`, `find`, `sum` on a
    /// `List[elem]` (see the module doc).
    pub(crate) fn list_loop_method(
        &mut self,
        recv: hir::Expr,
        elem: &Ty,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
    ) -> hir::Expr {
        let name = method.name.as_str();
        let callee = format!("List.{name}");
        let at = At(span);
        let list_ty = recv.ty.clone();
        let list = self.hidden_local(list_ty.clone(), span);
        let mut stmts = vec![Stmt::Let {
            local: list,
            value: recv,
        }];
        // `map` and `reduce` have a result type to learn from `f`; the
        // others' `f` is known, and given to it as its expected type.
        let pred = |ret: Ty| Some(Ty::Fn(vec![elem.clone()], Box::new(ret)));
        let params: Vec<BindParam> = match name {
            "sum" => vec![],
            "reduce" => vec![param("initial", None), param("f", None)],
            "map" => vec![param("f", None)],
            "for_each" => vec![param("f", pred(Ty::Unit))],
            _ => vec![param("f", pred(Ty::Bool))],
        };
        let (bound, ok) = match self.reduce_args(args) {
            Some(bound) if name == "reduce" => (bound, true),
            _ => self.bind(&params, args, &callee, span, None),
        };
        if !ok {
            return hir::Expr::error(span);
        }
        let held = self.hold_args(bound, params.len(), &mut stmts, span);
        let var = self.hidden_local(elem.clone(), span);
        let x = at.local(var, elem);
        let (loop_body, tail, ty) = match name {
            "sum" => {
                if !is_summable(elem) {
                    let shown = self.show(elem);
                    self.error(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            format!("`List.sum` needs numbers, not `{shown}`"),
                            method.span,
                            format!("the elements are `{shown}`"),
                        )
                        .with_hint("sum other values with `reduce(initial =, f =)`"),
                    );
                    return hir::Expr::error(span);
                }
                let acc = self.hidden_local(elem.clone(), span);
                let zero = match elem {
                    Ty::Float(_) => ExprKind::Float(0.0),
                    _ => ExprKind::Int(0),
                };
                stmts.push(Stmt::Let {
                    local: acc,
                    value: hir::Expr::new(zero, elem.clone(), span),
                });
                let add = hir::Expr::new(
                    ExprKind::Binary {
                        op: BinOp::Add,
                        lhs: Box::new(at.local(acc, elem)),
                        rhs: Box::new(x),
                    },
                    elem.clone(),
                    span,
                );
                (
                    vec![at.assign(acc, add)],
                    Some(at.local(acc, elem)),
                    elem.clone(),
                )
            }
            "reduce" => {
                let (Some(init), Some(f)) = (&held[0], &held[1]) else {
                    return hir::Expr::error(span);
                };
                let acc_ty = init.ty.clone();
                let want = Ty::Fn(vec![acc_ty.clone(), elem.clone()], Box::new(acc_ty.clone()));
                if !self.fn_fits(f, &want, args) {
                    return hir::Expr::error(span);
                }
                // The accumulator is the `initial` local itself.
                let step = at.call(
                    at.local(f.local, &f.ty),
                    vec![at.local(init.local, &acc_ty), x],
                    &acc_ty,
                );
                (
                    vec![at.assign(init.local, step)],
                    Some(at.local(init.local, &acc_ty)),
                    acc_ty,
                )
            }
            _ => {
                let Some(f) = &held[0] else {
                    return hir::Expr::error(span);
                };
                let ret = match (name, &f.ty) {
                    ("map", Ty::Fn(_, r)) => (**r).clone(),
                    ("map", _) => Ty::Error,
                    ("for_each", _) => Ty::Unit,
                    _ => Ty::Bool,
                };
                let want = Ty::Fn(vec![elem.clone()], Box::new(ret.clone()));
                if name == "map" && !self.fn_fits(f, &want, args) {
                    return hir::Expr::error(span);
                }
                let apply = at.call(at.local(f.local, &f.ty), vec![x.clone()], &ret);
                match name {
                    "for_each" => (vec![Stmt::Expr(apply)], None, Ty::Unit),
                    "find" => {
                        let opt = Ty::option(elem.clone());
                        let r = self.hidden_local(opt.clone(), span);
                        let none = ExprKind::Variant {
                            tag: 1,
                            fields: vec![],
                        };
                        stmts.push(Stmt::Let {
                            local: r,
                            value: hir::Expr::new(none, opt.clone(), span),
                        });
                        let some = ExprKind::Variant {
                            tag: 0,
                            fields: vec![x],
                        };
                        let found = at.assign(r, hir::Expr::new(some, opt.clone(), span));
                        let stop = at.if_then(apply, vec![found, Stmt::Break], Ty::Never);
                        (vec![stop], Some(at.local(r, &opt)), opt)
                    }
                    _ => {
                        let out_elem = if name == "map" { ret } else { elem.clone() };
                        let out_ty = Ty::List(Box::new(out_elem));
                        let r = self.hidden_local(out_ty.clone(), span);
                        let cap = if name == "map" {
                            at.builtin(Builtin::ListLen, vec![at.local(list, &list_ty)], Ty::INT32)
                        } else {
                            hir::Expr::new(ExprKind::Int(0), Ty::INT32, span)
                        };
                        stmts.push(Stmt::Let {
                            local: r,
                            value: at.builtin(Builtin::ListWithCapacity, vec![cap], out_ty.clone()),
                        });
                        let (pushed, cond) = if name == "map" {
                            (apply, None)
                        } else {
                            (x, Some(apply))
                        };
                        let push = Stmt::Expr(at.builtin(
                            Builtin::ListPush,
                            vec![at.local(r, &out_ty), pushed],
                            Ty::Unit,
                        ));
                        let body = match cond {
                            None => vec![push],
                            Some(cond) => vec![at.if_then(cond, vec![push], Ty::Unit)],
                        };
                        (body, Some(at.local(r, &out_ty)), out_ty)
                    }
                }
            }
        };
        stmts.push(Stmt::ForList {
            var,
            list: at.local(list, &list_ty),
            body: At::body(loop_body),
        });
        at.block(stmts, tail, ty)
    }

    /// The arguments of `reduce(initial =, f =)`, in the order written,
    /// when they are exactly those two: `f` is checked first, so that its
    /// result type is what `initial` is expected to be (`initial = 0`
    /// with an `Fn(Int64, T) -> Int64` is an Int64). `None` otherwise:
    /// then the general binding reports what is wrong.
    fn reduce_args(&mut self, args: &[ast::Arg]) -> Option<Vec<(usize, hir::Expr)>> {
        let named = |n: &str| {
            args.iter()
                .position(|a| a.name.as_ref().is_some_and(|x| x.name == n))
        };
        let (i, f) = (named("initial")?, named("f")?);
        if args.len() != 2 {
            return None;
        }
        let fv = self.expr(&args[f].value, super::body::Expect::Value);
        let iv = match &fv.ty {
            Ty::Fn(ps, r) if ps.len() == 2 && !r.has_error() => {
                let acc = (**r).clone();
                self.expect_ty(&args[i].value, &acc)
            }
            _ => self.expr(&args[i].value, super::body::Expect::Value),
        };
        let mut bound = vec![(0, iv), (1, fv)];
        if f < i {
            bound.reverse();
        }
        Some(bound)
    }

    /// Whether the function argument `f` has type `want` (for `map`,
    /// whatever it returns); reports a mismatch at the `f = ...` argument
    /// otherwise.
    /// Holds each bound argument in a hidden local, in the order written
    /// (so they are evaluated in that order), and returns them by
    /// parameter slot (`slots` parameters).
    pub(super) fn hold_args(
        &mut self,
        bound: Vec<(usize, hir::Expr)>,
        slots: usize,
        stmts: &mut Vec<Stmt>,
        span: Span,
    ) -> Vec<Option<Held>> {
        let mut held: Vec<Option<Held>> = (0..slots).map(|_| None).collect();
        for (slot, value) in bound {
            let ty = value.ty.clone();
            let local = self.hidden_local(ty.clone(), span);
            stmts.push(Stmt::Let { local, value });
            held[slot] = Some(Held { local, ty });
        }
        held
    }

    pub(super) fn fn_fits(&mut self, f: &Held, want: &Ty, args: &[ast::Arg]) -> bool {
        if f.ty.has_error() {
            return false;
        }
        let ok = matches!(f.ty, Ty::Fn(..)) && (want.has_error() || self.fits(&f.ty, want));
        if !ok {
            let span = args
                .iter()
                .find(|a| a.name.as_ref().is_some_and(|n| n.name == "f"))
                .map_or(Span::default(), |a| a.value.span);
            let expected = match want {
                Ty::Fn(ps, r) if r.has_error() => {
                    let ps: Vec<String> = ps.iter().map(|p| self.show(p)).collect();
                    format!("Fn({}) -> R", ps.join(", "))
                }
                _ => self.show(want),
            };
            let found = self.show(&f.ty);
            self.error(Diagnostic::new(
                Code::TypeMismatch,
                format!("expected `{expected}`, found `{found}`"),
                span,
                format!("this is `{found}`"),
            ));
        }
        ok
    }

    /// `d.for_each(f =)` on a `Dict[k, v]` (see the module doc).
    pub(crate) fn dict_for_each(
        &mut self,
        recv: hir::Expr,
        key: &Ty,
        value: &Ty,
        args: &[ast::Arg],
        span: Span,
    ) -> hir::Expr {
        let at = At(span);
        let want = Ty::Fn(vec![key.clone(), value.clone()], Box::new(Ty::Unit));
        let params = [BindParam {
            name: "f".into(),
            ty: Some(want.clone()),
            required: true,
        }];
        let (mut bound, ok) = self.bind(&params, args, "Dict.for_each", span, None);
        let f = match bound.pop() {
            Some((_, f)) if ok => f,
            _ => return hir::Expr::error(span),
        };
        let dict_ty = recv.ty.clone();
        let (keys_ty, values_ty) = (
            Ty::List(Box::new(key.clone())),
            Ty::List(Box::new(value.clone())),
        );
        let d = self.hidden_local(dict_ty.clone(), span);
        let fl = self.hidden_local(want.clone(), span);
        let ks = self.hidden_local(keys_ty.clone(), span);
        let vs = self.hidden_local(values_ty.clone(), span);
        let i = self.hidden_local(Ty::INT32, span);
        let nth = |list: LocalId, ty: &Ty, elem: &Ty| {
            let index = hir::Expr::new(
                ExprKind::Index {
                    list: Box::new(at.local(list, ty)),
                    index: Box::new(at.local(i, &Ty::INT32)),
                },
                Ty::option(elem.clone()),
                span,
            );
            at.builtin(Builtin::Unwrap, vec![index], elem.clone())
        };
        let call = at.call(
            at.local(fl, &want),
            vec![nth(ks, &keys_ty, key), nth(vs, &values_ty, value)],
            &Ty::Unit,
        );
        let stmts = vec![
            Stmt::Let {
                local: d,
                value: recv,
            },
            Stmt::Let {
                local: fl,
                value: f,
            },
            Stmt::Let {
                local: ks,
                value: at.builtin(
                    Builtin::DictKeys,
                    vec![at.local(d, &dict_ty)],
                    keys_ty.clone(),
                ),
            },
            Stmt::Let {
                local: vs,
                value: at.builtin(Builtin::DictValues, vec![at.local(d, &dict_ty)], values_ty),
            },
            Stmt::ForRange {
                var: i,
                start: Box::new(hir::Expr::new(ExprKind::Int(0), Ty::INT32, span)),
                end: Box::new(at.builtin(
                    Builtin::ListLen,
                    vec![at.local(ks, &keys_ty)],
                    Ty::INT32,
                )),
                inclusive: false,
                body: At::body(vec![Stmt::Expr(call)]),
            },
        ];
        at.block(stmts, None, Ty::Unit)
    }
}

pub(super) fn param(name: &str, ty: Option<Ty>) -> BindParam {
    BindParam {
        name: name.into(),
        ty,
        required: true,
    }
}

/// Whether `List[t].sum()` is allowed: integer and float elements.
fn is_summable(t: &Ty) -> bool {
    matches!(t, Ty::Int(_) | Ty::Float(_) | Ty::Error)
}
