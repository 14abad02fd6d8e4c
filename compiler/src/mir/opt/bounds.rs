//! Element reads without an `Option`, and bounds checks proven away.
//!
//! First, `xs[i].unwrap()`, `xs.get(index = i).unwrap()` and their
//! `expect(message =)` become one [`ExprKind::ListElem`]: the index is
//! checked once and the element loaded; out of range it panics with
//! `unwrap`'s (or `expect`'s) message at the same location as before.
//!
//! Then, in a loop whose index stays below a list's length, reads and
//! `set`s of that list at the loop's index lose their check, or keep
//! only a sign check where the index could be negative:
//!
//! ```text
//! for i_2 in 0..@ListLen(xs_0) {          for i_2 in 0..@ListLen(xs_0) {
//!     s_1 = s_1 + @Unwrap(xs_0[i_2])  =>      s_1 = s_1 + xs_0[i_2]!in_range
//!     @ListSet(ys_3, i_2, 0)                  @ListSet(ys_3, i_2, 0)
//!     @ListSet(xs_0, i_2, 0)                  xs_0[i_2]!in_range = 0
//!     poll                                    poll
//! }                                       }
//!
//! let c_0 = @ListFilled(n_1, false)       let c_0 = @ListFilled(n_1, false)
//! while j_2 < n_1 {                   =>  while j_2 < n_1 {
//!     @ListSet(c_0, j_2, true)                c_0[j_2]!sign = true
//!     j_2 = j_2 + k_3                         j_2 = j_2 + k_3
//! }                                       }
//! ```
//!
//! **Below the length.** The loops: `for (i in A..E)` (`i` never
//! assigned) and `while (i < E) { ... }` where `i` is assigned at most
//! once in the body, by its last statement (so every access in the body
//! sees the value the condition just tested). `E` bounds the index of
//! list local `xs` if it is `xs.len()`, or if a *known length* of `xs`
//! is at least `E`: a fact `let xs = List.filled(length = n, ...)` makes,
//! where `n` is a literal or a local never assigned and `xs` is never
//! assigned; it holds for every later statement of the `let`'s block as
//! long as no statement from the `let` on can shrink a list of `xs`'s
//! element type or is opaque (checked on each whole statement, so the
//! fact holds anywhere inside the ones it reaches; [`Prover`]). `E` is
//! then `n` itself, or a literal at most `n` (below it for `..=`).
//!
//! **Not negative.** Proven for a `for` starting at a literal >= 0, and
//! for `while (i < E) { ...; i = i + C }` where the increment by a
//! literal `C > 0` ends the body and is the only assignment to `i` in
//! the function, `i` starts as a literal >= 0, and `i + C` cannot wrap
//! (`C = 1` for `Int32`, `C <= 2^32` for `Int`; `i < E <= 2^31 - 1`
//! before it). Otherwise the access keeps a sign check
//! ([`ElemCheck::NonNegative`], [`StoreCheck::NonNegative`]): a negative
//! index fails exactly as before (the same panic, message and location).
//!
//! In every case the list local `xs` is not assigned in the loop and the
//! loop cannot make any list of its element type shorter: no `pop`,
//! `remove_at` or `clear` on one, and nothing whose effect on lists is
//! unknown (calls through values or vtables, calls passing a reference,
//! spawns, channels: see `effects.rs`). So this task never shrinks `xs`
//! below the bound, and the check it would make always passes (or fails
//! only on the sign).
//!
//! Why this is sound under concurrency: another task may shrink `xs` at
//! any time (at one of this task's polls, or in parallel). The access
//! without a check reads `data` after the header read `len`; a `len`
//! ever stored is at most the capacity of the buffer then current, and
//! buffers are only replaced by bigger ones and never freed while
//! reachable (runtime/src/collections/list.rs, invariants 1 and 2), so
//! `data + i * W` is inside a live buffer. With a known length `n`, the
//! list's first buffer had room for `n` elements and every later one is
//! bigger, so any `data` it ever has holds index `i < n`.
//!
//! For this task to *know* of another task's shrink (have it ordered
//! before the access: by an `await`, a channel, a lock, an atomic), it
//! must do one of those between the `let` and the access, and they are
//! all opaque (`effects.rs`): the fact ends there. A shrink it does not
//! know of is a race, where a stale element is a value a racing reader
//! may see.
//!
//! The list's elements are never cleared, by `pop` and friends or by
//! the collector (invariant 3), so the value read is one the element
//! held: possibly stale, which is what a reader racing with the shrink
//! could see anyway. A store likewise lands inside the buffer, at worst
//! in an element the racing shrink removed: a lost update, as any `set`
//! racing with a `pop`.

use std::collections::HashMap;

use super::effects;
use super::walk::{self, VisitMut};
use crate::hir::{self, BinOp, Builtin, IntWidth, LocalId, Ty};
use crate::mir::visit::{walk, walk_mut, Node, NodeMut};
use crate::mir::{Block, ElemCheck, Expr, ExprKind, Program, Stmt, StoreCheck};

pub fn run(program: &mut Program, _hir: &hir::Program) {
    for f in &mut program.functions {
        walk_mut(&mut f.body, &mut |n| {
            if let NodeMut::Expr(e) = n {
                fuse(e);
            }
        });
        let counters = Counters::of(&f.body);
        Prover {
            counters: &counters,
            facts: Vec::new(),
        }
        .block(&mut f.body);
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

/// A loop body's last statement before its back-edge poll.
fn last_before_poll(body: &crate::mir::Block) -> Option<&Stmt> {
    match body.stmts.split_last() {
        Some((Stmt::Poll, rest)) => rest.last(),
        Some((last, _)) => Some(last),
        None => None,
    }
}

/// Whether the last statement of a loop body (before its back-edge
/// poll) is `i = i + C` with `C` small enough for `i`'s type.
pub(super) fn ends_with_increment(body: &crate::mir::Block, i: LocalId) -> bool {
    if body.tail.is_some() {
        return false;
    }
    let Some(Stmt::Expr(Expr {
        kind: ExprKind::Assign { local, value },
        ..
    })) = last_before_poll(body)
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

/// A known length: list local `xs` (elements `elem`) has at least `len`
/// elements wherever the fact is in force.
struct Fact {
    xs: LocalId,
    elem: Ty,
    len: Bound,
}

/// The length of a [`Fact`]: a literal, or a local never assigned.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Const(i64),
    Local(LocalId),
}

/// The fact `let xs = List.filled(length = n, ...)` establishes, if `xs`
/// and `n` (a literal or a local) are never assigned: from the `let` on,
/// `xs.len() == n` until a list of its element type shrinks.
fn fact_of(s: &Stmt, counters: &Counters) -> Option<Fact> {
    let Stmt::Let { local, value } = s else {
        return None;
    };
    let ExprKind::Builtin {
        op: Builtin::ListFilled,
        args,
    } = &value.kind
    else {
        return None;
    };
    let Ty::List(elem) = &value.ty else {
        return None;
    };
    let never_assigned = |l: &LocalId| !counters.assignments.contains_key(l);
    if !never_assigned(local) {
        return None;
    }
    let len = match &args.first()?.as_ref()?.kind {
        ExprKind::Int(k) if *k >= 0 => Bound::Const(*k),
        ExprKind::Local(n) if never_assigned(n) => Bound::Local(*n),
        _ => return None,
    };
    Some(Fact {
        xs: *local,
        elem: (**elem).clone(),
        len,
    })
}

/// Walks a function keeping the [`Fact`]s in force: a block's facts hold
/// for each later statement of that block as long as no statement from
/// the `let` on (the one in question included, as a whole) could shrink
/// the list (`effects.rs`: nothing opaque, no shrinking of its element
/// type, the local not re-bound), so they hold anywhere inside such a
/// statement. A fact is dropped at the first statement that could, and
/// at the block's tail.
struct Prover<'a> {
    counters: &'a Counters,
    facts: Vec<Fact>,
}

impl VisitMut for Prover<'_> {
    fn block(&mut self, b: &mut Block) {
        if crate::syntax::limits::stack_is_low() {
            return;
        }
        let outer = self.facts.len();
        for s in &mut b.stmts {
            if self.facts.len() > outer {
                let fx = effects::of_stmt(s);
                let mut k = outer;
                while k < self.facts.len() {
                    if fx.keeps(self.facts[k].xs, &self.facts[k].elem) {
                        k += 1;
                    } else {
                        self.facts.remove(k);
                    }
                }
            }
            self.stmt(s);
            if let Some(f) = fact_of(s, self.counters) {
                self.facts.push(f);
            }
        }
        self.facts.truncate(outer);
        if let Some(t) = &mut b.tail {
            self.expr(t);
        }
    }

    fn stmt(&mut self, s: &mut Stmt) {
        prove(s, self.counters, &self.facts);
        walk::walk_stmt(self, s);
    }
}

/// The lists an index below `end` (`<= end` if `inclusive`) is proven
/// below the length of: `xs` for `xs.len()` (exclusive), and each list
/// with a fact of a length `L` for a literal `end` at most `L` (below it
/// if inclusive) or for the fact's own local.
fn bounded_lists(end: &Expr, inclusive: bool, facts: &[Fact]) -> Vec<(LocalId, Ty)> {
    if inclusive {
        let ExprKind::Int(c) = end.kind else {
            return Vec::new();
        };
        return facts
            .iter()
            .filter(|f| matches!(f.len, Bound::Const(l) if c < l))
            .map(|f| (f.xs, f.elem.clone()))
            .collect();
    }
    if let Some(own) = len_of(end) {
        return vec![own];
    }
    let covers = |b: Bound| match (&end.kind, b) {
        (ExprKind::Int(c), Bound::Const(l)) => *c <= l,
        (ExprKind::Local(n), Bound::Local(m)) => *n == m,
        _ => false,
    };
    facts
        .iter()
        .filter(|f| covers(f.len))
        .map(|f| (f.xs, f.elem.clone()))
        .collect()
}

/// If `s` is a loop whose index stays below the length of lists it
/// cannot shrink, drops or reduces the checks of those lists' accesses
/// at that index: no check where the index is also proven not negative,
/// a sign check otherwise.
fn prove(s: &mut Stmt, counters: &Counters, facts: &[Fact]) {
    let (lists, i, non_negative) = match &*s {
        Stmt::ForRange {
            var,
            start,
            end,
            inclusive,
            ..
        } => {
            let non_negative = matches!(start.kind, ExprKind::Int(k) if k >= 0);
            (bounded_lists(end, *inclusive, facts), *var, non_negative)
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
            let Some(i) = local(lhs) else { return };
            if !assigned_only_last(body, i) {
                return;
            }
            let starts_non_negative = counters.non_negative_let.get(&i) == Some(&true);
            let only_increment = counters.assignments.get(&i) == Some(&1);
            let non_negative =
                starts_non_negative && only_increment && ends_with_increment(body, i);
            (bounded_lists(rhs, false, facts), i, non_negative)
        }
        _ => return,
    };
    if lists.is_empty() {
        return;
    }
    let fx = effects::of_stmt(s);
    // A `for`'s variable is bound by the loop itself and must not be
    // assigned in it; a `while`'s index must not be bound in it.
    let index_moves = match s {
        Stmt::ForRange { .. } => fx.assigned.contains(&i),
        _ => fx.bound.contains(&i),
    };
    if index_moves {
        return;
    }
    let kept: Vec<LocalId> = lists
        .into_iter()
        .filter(|(xs, elem)| fx.keeps(*xs, elem))
        .map(|(xs, _)| xs)
        .collect();
    if kept.is_empty() {
        return;
    }
    let body = match s {
        Stmt::ForRange { body, .. } | Stmt::While { body, .. } => body,
        _ => return,
    };
    walk_mut(body, &mut |n| {
        if let NodeMut::Expr(e) = n {
            if let Some(xs) = access_list(e, i) {
                if kept.contains(&xs) {
                    drop_check(e, non_negative);
                }
            }
        }
    });
}

/// Whether the only assignment to `i` in `body` (nested code included),
/// if any, is its last statement (before the back-edge poll): then `i`
/// keeps the value the loop's condition tested until that statement.
fn assigned_only_last(body: &Block, i: LocalId) -> bool {
    let last_assigns = matches!(
        last_before_poll(body),
        Some(Stmt::Expr(Expr { kind: ExprKind::Assign { local, .. }, .. })) if *local == i
    );
    let mut count = 0;
    walk(body, &mut |n| {
        if let Node::Expr(Expr {
            kind: ExprKind::Assign { local, .. },
            ..
        }) = n
        {
            if *local == i {
                count += 1;
            }
        }
        true
    });
    count == 0 || (count == 1 && last_assigns && body.tail.is_none())
}

/// The list local of an element access at index local `i`: a checked
/// or sign-checked read (`ListElem`), a `set` or a sign-checked store.
fn access_list(e: &Expr, i: LocalId) -> Option<LocalId> {
    let (list, index) = match &e.kind {
        ExprKind::ListElem { list, index, .. } | ExprKind::ListStore { list, index, .. } => {
            (&**list, &**index)
        }
        ExprKind::Builtin {
            op: Builtin::ListSet,
            args,
        } if args.len() == 3 && args.iter().all(Option::is_some) => {
            (args[0].as_ref()?, args[1].as_ref()?)
        }
        _ => return None,
    };
    if local_is(index, i) {
        local(list)
    } else {
        None
    }
}

/// Access `e` (see [`access_list`]) with its index proven below the
/// list's length: unchecked if `non_negative`, else sign-checked. A
/// check already weaker stays as it is.
fn drop_check(e: &mut Expr, non_negative: bool) {
    match &mut e.kind {
        ExprKind::ListElem { check, .. } => {
            let message = match check {
                ElemCheck::InRange => return,
                ElemCheck::Panic { message } | ElemCheck::NonNegative { message } => message.take(),
            };
            *check = if non_negative {
                ElemCheck::InRange
            } else {
                ElemCheck::NonNegative { message }
            };
        }
        ExprKind::ListStore { check, .. } if non_negative => {
            *check = StoreCheck::InRange;
        }
        ExprKind::Builtin {
            op: Builtin::ListSet,
            args,
        } => {
            if let (Some(list), Some(index), Some(value)) =
                (args[0].take(), args[1].take(), args[2].take())
            {
                e.kind = ExprKind::ListStore {
                    list: Box::new(list),
                    index: Box::new(index),
                    value: Box::new(value),
                    check: if non_negative {
                        StoreCheck::InRange
                    } else {
                        StoreCheck::NonNegative
                    },
                };
            }
        }
        _ => {}
    }
}
