//! Element reads without an `Option`, and bounds checks proven away.
//!
//! First, `xs[i].unwrap()`, `xs.get(index = i).unwrap()` and their
//! `expect(message =)` become one [`ExprKind::ListElem`]: the index is
//! checked once and the element loaded; out of range it panics with
//! `unwrap`'s (or `expect`'s) message at the same location as before.
//!
//! Then, in a counted loop over a list's indices, reads and `set`s of
//! that list at the loop's index lose their check:
//!
//! ```text
//! for i_2 in 0..@ListLen(xs_0) {          for i_2 in 0..@ListLen(xs_0) {
//!     s_1 = s_1 + @Unwrap(xs_0[i_2])  =>      s_1 = s_1 + xs_0[i_2]!in_range
//!     @ListSet(ys_3, i_2, 0)                  @ListSet(ys_3, i_2, 0)
//!     @ListSet(xs_0, i_2, 0)                  xs_0[i_2]!in_range = 0
//!     poll                                    poll
//! }                                       }
//! ```
//!
//! The loops: `for (i in K..xs.len())` (`K` a literal >= 0, `i` never
//! assigned), and `while (i < xs.len()) { ...; i = i + C }` where the
//! increment by a literal `C > 0` ends the body and is the only
//! assignment to `i` in the function, `i` starts as a literal >= 0, and
//! `i + C` cannot wrap (`C = 1` for `Int32`, `C <= 2^32` for `Int`; `i <
//! len <= 2^31 - 1` before it). In both, `0 <= i < len` holds wherever
//! the body runs, for the `len` read by the loop's header. Moreover the
//! list local `xs` is not assigned in the loop and the loop cannot make
//! any list of its element type shorter: no `pop`, `remove_at` or `clear`
//! on one, and nothing whose effect on lists is unknown (calls through
//! values or vtables, calls passing a reference, spawns, channels: see
//! `effects.rs`). So this task never shrinks `xs` below `i + 1`, and the
//! check it would make always passes.
//!
//! Why this is sound under concurrency: another task may shrink `xs` at
//! any time (at one of this task's polls, or in parallel). The access
//! without a check reads `data` after the header read `len`; a `len`
//! ever stored is at most the capacity of the buffer then current, and
//! buffers are only replaced by bigger ones and never freed while
//! reachable (runtime/src/collections/list.rs, invariants 1 and 2), so
//! `data + i * W` is inside a live buffer. Its elements are never
//! cleared, by `pop` and friends or by the collector (invariant 3), so
//! the value read is one the element held: possibly stale, which is what
//! a reader racing with the shrink could see anyway. A store likewise
//! lands inside the buffer, at worst in an element the racing shrink
//! removed: a lost update, as any `set` racing with a `pop`.

use std::collections::HashMap;

use super::effects;
use crate::hir::{self, BinOp, Builtin, IntWidth, LocalId, Ty};
use crate::mir::visit::{walk, walk_mut, Node, NodeMut};
use crate::mir::{ElemCheck, Expr, ExprKind, Program, Stmt};

pub fn run(program: &mut Program, _hir: &hir::Program) {
    for f in &mut program.functions {
        walk_mut(&mut f.body, &mut |n| {
            if let NodeMut::Expr(e) = n {
                fuse(e);
            }
        });
        let counters = Counters::of(&f.body);
        walk_mut(&mut f.body, &mut |n| {
            if let NodeMut::Stmt(s) = n {
                prove(s, &counters);
            }
        });
    }
}

/// `xs[i].unwrap()` (or `xs.get(index = i)`, or `expect`) into a
/// `ListElem` checking the index once.
fn fuse(e: &mut Expr) {
    let ExprKind::Builtin {
        op: op @ (Builtin::Unwrap | Builtin::Expect),
        args,
    } = &mut e.kind
    else {
        return;
    };
    let op = *op;
    let lookup = match args.first() {
        Some(Some(r)) => match &r.kind {
            ExprKind::Index { .. } => true,
            ExprKind::Builtin {
                op: Builtin::ListGet,
                args,
            } => args.len() == 2 && args.iter().all(Option::is_some),
            _ => false,
        },
        _ => false,
    };
    if !lookup || (op == Builtin::Expect && !matches!(args.get(1), Some(Some(_)))) {
        return;
    }
    let message = match op {
        Builtin::Expect => args[1].take().map(Box::new),
        _ => None,
    };
    let Some(recv) = args[0].take() else { return };
    let (list, index) = match recv.kind {
        ExprKind::Index { list, index } => (list, index),
        ExprKind::Builtin { mut args, .. } => match (args[0].take(), args[1].take()) {
            (Some(l), Some(i)) => (Box::new(l), Box::new(i)),
            _ => unreachable!("checked above"),
        },
        _ => unreachable!("checked above"),
    };
    e.kind = ExprKind::ListElem {
        list,
        index,
        check: ElemCheck::Panic { message },
    };
}

/// Per local of a function: whether its `let` binds a literal >= 0, and
/// how many assignments it has.
struct Counters {
    non_negative_let: HashMap<LocalId, bool>,
    assignments: HashMap<LocalId, usize>,
}

impl Counters {
    fn of(body: &crate::mir::Block) -> Counters {
        let mut c = Counters {
            non_negative_let: HashMap::new(),
            assignments: HashMap::new(),
        };
        walk(body, &mut |n| {
            match n {
                Node::Stmt(Stmt::Let { local, value }) => {
                    let ok = matches!(value.kind, ExprKind::Int(k) if k >= 0);
                    c.non_negative_let.insert(*local, ok);
                }
                Node::Expr(Expr {
                    kind: ExprKind::Assign { local, .. },
                    ..
                }) => *c.assignments.entry(*local).or_default() += 1,
                _ => {}
            }
            true
        });
        c
    }
}

/// The list local `xs` of `xs.len()`.
pub(super) fn len_of(e: &Expr) -> Option<(LocalId, Ty)> {
    let ExprKind::Builtin {
        op: Builtin::ListLen,
        args,
    } = &e.kind
    else {
        return None;
    };
    let list = args.first()?.as_ref()?;
    match (&list.kind, &list.ty) {
        (ExprKind::Local(xs), Ty::List(elem)) => Some((*xs, (**elem).clone())),
        _ => None,
    }
}

fn local(e: &Expr) -> Option<LocalId> {
    match e.kind {
        ExprKind::Local(l) => Some(l),
        _ => None,
    }
}

/// Whether the last statement of a loop body (before its back-edge
/// poll) is `i = i + C` with `C` small enough for `i`'s type.
pub(super) fn ends_with_increment(body: &crate::mir::Block, i: LocalId) -> bool {
    if body.tail.is_some() {
        return false;
    }
    let last = match body.stmts.split_last() {
        Some((Stmt::Poll, rest)) => rest.last(),
        Some((last, _)) => Some(last),
        None => None,
    };
    let Some(Stmt::Expr(Expr {
        kind: ExprKind::Assign { local, value },
        ..
    })) = last
    else {
        return false;
    };
    let ExprKind::Binary {
        op: BinOp::Add,
        lhs,
        rhs,
    } = &value.kind
    else {
        return false;
    };
    let ExprKind::Int(c) = rhs.kind else {
        return false;
    };
    let fits = match value.ty {
        Ty::Int(IntWidth::W32) => c == 1,
        Ty::Int(IntWidth::W64) => c > 0 && c <= 1 << 32,
        _ => false,
    };
    *local == i && local_is(lhs, i) && fits
}

fn local_is(e: &Expr, l: LocalId) -> bool {
    local(e) == Some(l)
}

/// If `s` is a counted loop over the indices of a list it cannot shrink,
/// drops the checks of that list's accesses at the loop's index.
fn prove(s: &mut Stmt, counters: &Counters) {
    let (xs, i, elem) = match &*s {
        Stmt::ForRange {
            var,
            start,
            end,
            inclusive: false,
            ..
        } => {
            let Some((xs, elem)) = len_of(end) else {
                return;
            };
            if !matches!(start.kind, ExprKind::Int(k) if k >= 0) {
                return;
            }
            (xs, *var, elem)
        }
        Stmt::While { cond, body } => {
            let ExprKind::Binary {
                op: BinOp::Lt,
                lhs,
                rhs,
            } = &cond.kind
            else {
                return;
            };
            let (Some(i), Some((xs, elem))) = (local(lhs), len_of(rhs)) else {
                return;
            };
            let starts_non_negative = counters.non_negative_let.get(&i) == Some(&true);
            let only_increment = counters.assignments.get(&i) == Some(&1);
            if !starts_non_negative || !only_increment || !ends_with_increment(body, i) {
                return;
            }
            (xs, i, elem)
        }
        _ => return,
    };
    let fx = effects::of_stmt(s);
    if !fx.keeps(xs, &elem) {
        return;
    }
    if matches!(s, Stmt::ForRange { .. }) && fx.assigned.contains(&i) {
        return;
    }
    let body = match s {
        Stmt::ForRange { body, .. } | Stmt::While { body, .. } => body,
        _ => return,
    };
    walk_mut(body, &mut |n| {
        if let NodeMut::Expr(e) = n {
            drop_check(e, xs, i);
        }
    });
}

/// `xs[i]` read or `set` without its check.
fn drop_check(e: &mut Expr, xs: LocalId, i: LocalId) {
    match &mut e.kind {
        ExprKind::ListElem { list, index, check } if local_is(list, xs) && local_is(index, i) => {
            *check = ElemCheck::InRange;
        }
        ExprKind::Builtin {
            op: Builtin::ListSet,
            args,
        } if args.len() == 3
            && args[0].as_ref().is_some_and(|l| local_is(l, xs))
            && args[1].as_ref().is_some_and(|x| local_is(x, i)) =>
        {
            if let (Some(list), Some(index), Some(value)) =
                (args[0].take(), args[1].take(), args[2].take())
            {
                e.kind = ExprKind::ListStore {
                    list: Box::new(list),
                    index: Box::new(index),
                    value: Box::new(value),
                };
            }
        }
        _ => {}
    }
}
