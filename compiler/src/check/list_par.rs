//! The data-parallel methods of `List` (concurrency.md section 7):
//! `par_map`, `par_filter`, `par_for_each` and `par_reduce`, lowered to
//! HIR like their sequential siblings (`list_loops.rs`), with one
//! `spawn` per chunk in a scope of their own. Nothing generic is needed
//! at run time; the runtime only chooses the chunk count
//! (`runtime/src/par.rs`, `plat_par_chunks`), which is 1 for short lists:
//! then the call is the plain loop and no task is made.
//!
//! ```text
//! xs.par_map(f = g)
//!   { let $l = xs; let $f = g; let $n = $l.len(); let $c = par_chunks($n);
//!     var $r;
//!     if ($c <= 1) { $r = xs.map(f = $f) as a loop (list_loops.rs) }
//!     else {
//!       let $ts: List[Task[List[U]]] = List.with_capacity(capacity = $c);
//!       concurrent {
//!         for ($i in 0..$c) {
//!           $ts.push(value = spawn {            // captures $l, $f, $n, $c, $i
//!             let $lo = $i * $n / $c; let $hi = ($i + 1) * $n / $c;  (in Int64)
//!             let $o = List.with_capacity(capacity = $hi - $lo);
//!             for ($j in $lo..$hi) { $o.push(value = $f($l[$j].unwrap())); }
//!             $o });
//!         }
//!       }
//!       $r = List.with_capacity(capacity = $n);
//!       for ($t in $ts) { $r.extend(other = $t.await()); }
//!     }
//!     $r }
//! ```
//!
//! `par_filter` is the same with `if ($f($x)) { $o.push(value = $x); }`;
//! `par_for_each` keeps no tasks (the scope waits for them); `par_reduce`
//! reduces each chunk from its first element (`var $a = $l[$lo].unwrap();
//! for ($j in $lo + 1..$hi) { $a = $f($a, $l[$j].unwrap()); }`) and then
//! folds the chunk results left to right starting from `initial`, so `f`
//! must be associative and `initial` is used once (the plain loop for a
//! short list folds from `initial` too).
//!
//! The tasks are awaited only after their scope has ended. A panic in `f`
//! fails its chunk; the scope then cancels the other chunks, waits for
//! them, and re-raises that panic in the caller when it ends (spec 1), so
//! the caller sees the panic of `f`, not "task was cancelled". Each call
//! opens its own scope, so the methods work inside and outside
//! `concurrent` blocks and inside `f` itself (a nested call parks its
//! task, not the worker).
//!
//! The chunks read the list by index: `f` must not remove elements from
//! the list it is applied to (an element gone is an index panic, never a
//! wrong read).

use super::args::BindParam;
use super::body::FnChecker;
use super::list_loops::{param, At, Held};
use crate::hir::{self, BinOp, Builtin, ExprKind, LocalId, Stmt, Ty};
use crate::source::Span;
use crate::syntax::ast;

/// The methods lowered here.
pub(crate) const PAR_METHODS: &[&str] = &["par_map", "par_filter", "par_for_each", "par_reduce"];

/// Which of [`PAR_METHODS`], with what it needs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    Filter,
    ForEach,
    Reduce,
}

/// The pieces every chunk task and the plain loop share.
struct Parts<'a> {
    at: At,
    kind: Kind,
    elem: &'a Ty,
    list: LocalId,
    list_ty: Ty,
    f: Held,
    /// `par_map`'s result element type; the element type otherwise.
    out_elem: Ty,
    /// `par_reduce`'s `initial`.
    initial: Option<Held>,
}

impl Parts<'_> {
    fn int(&self, v: i64, ty: Ty) -> hir::Expr {
        hir::Expr::new(ExprKind::Int(v), ty, self.at.0)
    }
    fn binary(&self, op: BinOp, lhs: hir::Expr, rhs: hir::Expr) -> hir::Expr {
        let ty = lhs.ty.clone();
        let kind = ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        };
        hir::Expr::new(kind, ty, self.at.0)
    }
    fn cast(&self, value: hir::Expr, ty: Ty) -> hir::Expr {
        let kind = ExprKind::Cast {
            value: Box::new(value),
        };
        hir::Expr::new(kind, ty, self.at.0)
    }
    /// `$l[index].unwrap()` (read without building the `Option`).
    fn nth(&self, index: hir::Expr) -> hir::Expr {
        let lookup = hir::Expr::new(
            ExprKind::Index {
                list: Box::new(self.at.local(self.list, &self.list_ty)),
                index: Box::new(index),
            },
            Ty::option(self.elem.clone()),
            self.at.0,
        );
        self.at
            .builtin(Builtin::Unwrap, vec![lookup], self.elem.clone())
    }
    fn apply(&self, args: Vec<hir::Expr>, ret: &Ty) -> hir::Expr {
        self.at
            .call(self.at.local(self.f.local, &self.f.ty), args, ret)
    }
    fn out_ty(&self) -> Ty {
        Ty::List(Box::new(self.out_elem.clone()))
    }
    /// What one element does to the output list `out` (map, filter) or
    /// what `f` does with it (for_each).
    fn element_step(&self, x: hir::Expr, out: Option<LocalId>) -> Vec<Stmt> {
        let out_ty = self.out_ty();
        let push = |value| {
            let out = out.expect("map and filter have an output list");
            Stmt::Expr(self.at.builtin(
                Builtin::ListPush,
                vec![self.at.local(out, &out_ty), value],
                Ty::Unit,
            ))
        };
        match self.kind {
            Kind::Map => vec![push(self.apply(vec![x], &self.out_elem))],
            Kind::Filter => {
                let cond = self.apply(vec![x.clone()], &Ty::Bool);
                vec![self.at.if_then(cond, vec![push(x)], Ty::Unit)]
            }
            Kind::ForEach => vec![Stmt::Expr(self.apply(vec![x], &Ty::Unit))],
            Kind::Reduce => unreachable!("reduce folds, see `reduce_step`"),
        }
    }
    /// `acc = f(acc, x)`.
    fn reduce_step(&self, acc: LocalId, x: hir::Expr) -> Stmt {
        let step = self.apply(vec![self.at.local(acc, self.elem), x], self.elem);
        self.at.assign(acc, step)
    }
}

impl FnChecker<'_> {
    /// `xs.par_map(f =)` and siblings on a `List[elem]` (see the module
    /// doc).
    pub(crate) fn list_par_method(
        &mut self,
        recv: hir::Expr,
        elem: &Ty,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
    ) -> hir::Expr {
        let name = method.name.as_str();
        let kind = match name {
            "par_map" => Kind::Map,
            "par_filter" => Kind::Filter,
            "par_for_each" => Kind::ForEach,
            _ => Kind::Reduce,
        };
        let pred = |ret: Ty| Some(Ty::Fn(vec![elem.clone()], Box::new(ret)));
        let params: Vec<BindParam> = match kind {
            Kind::Map => vec![param("f", None)],
            Kind::Filter => vec![param("f", pred(Ty::Bool))],
            Kind::ForEach => vec![param("f", pred(Ty::Unit))],
            Kind::Reduce => {
                let f = Ty::Fn(vec![elem.clone(), elem.clone()], Box::new(elem.clone()));
                vec![param("initial", Some(elem.clone())), param("f", Some(f))]
            }
        };
        let at = At(span);
        let list_ty = recv.ty.clone();
        let list = self.hidden_local(list_ty.clone(), span);
        let mut stmts = vec![Stmt::Let {
            local: list,
            value: recv,
        }];
        let (bound, ok) = self.bind(&params, args, &format!("List.{name}"), span, None);
        if !ok {
            return hir::Expr::error(span);
        }
        let mut held = self.hold_args(bound, params.len(), &mut stmts, span);
        let initial = if kind == Kind::Reduce {
            held.remove(0)
        } else {
            None
        };
        let Some(f) = held.pop().flatten() else {
            return hir::Expr::error(span);
        };
        let out_elem = match (kind, &f.ty) {
            (Kind::Map, Ty::Fn(_, r)) => (**r).clone(),
            (Kind::Map, _) => Ty::Error,
            _ => elem.clone(),
        };
        if kind == Kind::Map {
            let want = Ty::Fn(vec![elem.clone()], Box::new(out_elem.clone()));
            if !self.fn_fits(&f, &want, args) {
                return hir::Expr::error(span);
            }
        }
        if f.ty.has_error() || initial.as_ref().is_some_and(|i| i.ty.has_error()) {
            return hir::Expr::error(span);
        }
        let parts = Parts {
            at,
            kind,
            elem,
            list,
            list_ty,
            f,
            out_elem,
            initial,
        };
        self.par_lowering(&parts, stmts, span)
    }

    /// The call after its arguments: chunk count, plain loop or tasks.
    fn par_lowering(&mut self, p: &Parts, mut stmts: Vec<Stmt>, span: Span) -> hir::Expr {
        let at = &p.at;
        let n = self.hidden_local(Ty::INT32, span);
        let c = self.hidden_local(Ty::INT32, span);
        stmts.push(Stmt::Let {
            local: n,
            value: at.builtin(
                Builtin::ListLen,
                vec![at.local(p.list, &p.list_ty)],
                Ty::INT32,
            ),
        });
        stmts.push(Stmt::Let {
            local: c,
            value: at.builtin(Builtin::ParChunks, vec![at.local(n, &Ty::INT32)], Ty::INT32),
        });
        // The result, assigned on both paths.
        let result_ty = match p.kind {
            Kind::Map | Kind::Filter => Some(p.out_ty()),
            Kind::ForEach => None,
            Kind::Reduce => Some(p.elem.clone()),
        };
        let result = result_ty.as_ref().map(|ty| {
            let r = self.hidden_local(ty.clone(), span);
            // Every path assigns it before the read; this first value is
            // only there to declare it.
            let first = match p.kind {
                Kind::Reduce => {
                    let init = p.initial.as_ref().expect("reduce has `initial`");
                    at.local(init.local, &init.ty)
                }
                _ => self.new_list(p, p.int(0, Ty::INT32)),
            };
            stmts.push(Stmt::Let {
                local: r,
                value: first,
            });
            r
        });
        let plain = self.par_plain_loop(p, n, result, span);
        let chunked = self.par_chunked(p, n, c, result, span);
        let one = p.binary(BinOp::Le, at.local(c, &Ty::INT32), p.int(1, Ty::INT32));
        let one = hir::Expr::new(one.kind, Ty::Bool, span);
        stmts.push(Stmt::Expr(hir::Expr::new(
            ExprKind::If {
                cond: Box::new(one),
                then: At::body(plain),
                otherwise: Some(At::body(chunked)),
            },
            Ty::Unit,
            span,
        )));
        match (result, result_ty) {
            (Some(r), Some(ty)) => at.block(stmts, Some(at.local(r, &ty)), ty),
            _ => at.block(stmts, None, Ty::Unit),
        }
    }

    /// `List.with_capacity(capacity = cap)` of the output element type.
    fn new_list(&mut self, p: &Parts, cap: hir::Expr) -> hir::Expr {
        p.at.builtin(Builtin::ListWithCapacity, vec![cap], p.out_ty())
    }

    /// The sequential loop over the whole list (one chunk).
    fn par_plain_loop(
        &mut self,
        p: &Parts,
        n: LocalId,
        result: Option<LocalId>,
        span: Span,
    ) -> Vec<Stmt> {
        let at = &p.at;
        let mut stmts = Vec::new();
        if let (Some(r), Kind::Map) = (result, p.kind) {
            let cap = self.new_list(p, at.local(n, &Ty::INT32));
            stmts.push(at.assign(r, cap));
        }
        let var = self.hidden_local(p.elem.clone(), span);
        let x = at.local(var, p.elem);
        let body = match p.kind {
            // `result` starts as `initial`.
            Kind::Reduce => vec![p.reduce_step(result.expect("reduce has a result"), x)],
            _ => p.element_step(x, result),
        };
        stmts.push(Stmt::ForList {
            var,
            list: at.local(p.list, &p.list_ty),
            body: At::body(body),
        });
        stmts
    }

    /// One task per chunk in a scope of its own, then the chunks'
    /// results in chunk order.
    fn par_chunked(
        &mut self,
        p: &Parts,
        n: LocalId,
        c: LocalId,
        result: Option<LocalId>,
        span: Span,
    ) -> Vec<Stmt> {
        let at = &p.at;
        let mut stmts = Vec::new();
        let i = self.hidden_local(Ty::INT32, span);
        let (body, chunk_ty) = self.par_chunk_body(p, n, c, i, span);
        let task_ty = Ty::Task(Box::new(chunk_ty.clone()));
        let captures = vec![p.list, p.f.local, n, c, i];
        let func = self.lift_spawn_body(chunk_ty.clone(), body, captures.clone(), span);
        let scope = self.hidden_local(Ty::Scope, span);
        let spawn = hir::Expr::new(
            ExprKind::Spawn {
                func,
                captures,
                scope,
            },
            task_ty.clone(),
            span,
        );
        // for_each keeps no tasks: the scope waits for them.
        let tasks_ty = Ty::List(Box::new(task_ty.clone()));
        let tasks = (p.kind != Kind::ForEach).then(|| self.hidden_local(tasks_ty.clone(), span));
        let spawned = match tasks {
            Some(ts) => Stmt::Expr(at.builtin(
                Builtin::ListPush,
                vec![at.local(ts, &tasks_ty), spawn],
                Ty::Unit,
            )),
            None => Stmt::Expr(spawn),
        };
        if let Some(ts) = tasks {
            stmts.push(Stmt::Let {
                local: ts,
                value: at.builtin(
                    Builtin::ListWithCapacity,
                    vec![at.local(c, &Ty::INT32)],
                    tasks_ty.clone(),
                ),
            });
        }
        stmts.push(Stmt::Concurrent {
            scope,
            deadline: None,
            body: At::body(vec![Stmt::ForRange {
                var: i,
                start: Box::new(p.int(0, Ty::INT32)),
                end: Box::new(at.local(c, &Ty::INT32)),
                inclusive: false,
                body: At::body(vec![spawned]),
            }]),
        });
        let (Some(ts), Some(r)) = (tasks, result) else {
            return stmts;
        };
        // Every chunk succeeded (else the scope re-raised): collect.
        let t = self.hidden_local(task_ty.clone(), span);
        let done = at.builtin(Builtin::TaskAwait, vec![at.local(t, &task_ty)], chunk_ty);
        let combine = match p.kind {
            Kind::Reduce => p.reduce_step(r, done),
            _ => Stmt::Expr(at.builtin(
                Builtin::ListExtend,
                vec![at.local(r, &p.out_ty()), done],
                Ty::Unit,
            )),
        };
        if p.kind == Kind::Map {
            let cap = self.new_list(p, at.local(n, &Ty::INT32));
            stmts.push(at.assign(r, cap));
        }
        stmts.push(Stmt::ForList {
            var: t,
            list: at.local(ts, &tasks_ty),
            body: At::body(vec![combine]),
        });
        stmts
    }

    /// The body of the task for chunk `i` of `c` over `n` elements, and
    /// its result type.
    fn par_chunk_body(
        &mut self,
        p: &Parts,
        n: LocalId,
        c: LocalId,
        i: LocalId,
        span: Span,
    ) -> (hir::Block, Ty) {
        let at = &p.at;
        // `k * n / c` in Int64 (no overflow for any list length).
        let bound = |k: hir::Expr| {
            let wide = |id| p.cast(at.local(id, &Ty::INT32), Ty::INT64);
            let k = p.cast(k, Ty::INT64);
            let v = p.binary(BinOp::Div, p.binary(BinOp::Mul, k, wide(n)), wide(c));
            p.cast(v, Ty::INT32)
        };
        let lo = self.hidden_local(Ty::INT32, span);
        let hi = self.hidden_local(Ty::INT32, span);
        let next = p.binary(BinOp::Add, at.local(i, &Ty::INT32), p.int(1, Ty::INT32));
        let mut stmts = vec![
            Stmt::Let {
                local: lo,
                value: bound(at.local(i, &Ty::INT32)),
            },
            Stmt::Let {
                local: hi,
                value: bound(next),
            },
        ];
        let j = self.hidden_local(Ty::INT32, span);
        let x = p.nth(at.local(j, &Ty::INT32));
        let range = |start: hir::Expr, body: Vec<Stmt>| Stmt::ForRange {
            var: j,
            start: Box::new(start),
            end: Box::new(at.local(hi, &Ty::INT32)),
            inclusive: false,
            body: At::body(body),
        };
        let (tail, ty) = match p.kind {
            Kind::Reduce => {
                // Chunks are never empty (the runtime gives at most one
                // per element): start from the first element.
                let acc = self.hidden_local(p.elem.clone(), span);
                stmts.push(Stmt::Let {
                    local: acc,
                    value: p.nth(at.local(lo, &Ty::INT32)),
                });
                let from = p.binary(BinOp::Add, at.local(lo, &Ty::INT32), p.int(1, Ty::INT32));
                stmts.push(range(from, vec![p.reduce_step(acc, x)]));
                (Some(at.local(acc, p.elem)), p.elem.clone())
            }
            Kind::ForEach => {
                stmts.push(range(at.local(lo, &Ty::INT32), p.element_step(x, None)));
                (None, Ty::Unit)
            }
            Kind::Map | Kind::Filter => {
                let out_ty = p.out_ty();
                let o = self.hidden_local(out_ty.clone(), span);
                let cap = match p.kind {
                    Kind::Map => p.binary(
                        BinOp::Sub,
                        at.local(hi, &Ty::INT32),
                        at.local(lo, &Ty::INT32),
                    ),
                    _ => p.int(0, Ty::INT32),
                };
                stmts.push(Stmt::Let {
                    local: o,
                    value: self.new_list(p, cap),
                });
                stmts.push(range(at.local(lo, &Ty::INT32), p.element_step(x, Some(o))));
                (Some(at.local(o, &out_ty)), out_ty)
            }
        };
        let block = hir::Block {
            stmts,
            tail: tail.map(Box::new),
            ty: ty.clone(),
        };
        (block, ty)
    }
}
