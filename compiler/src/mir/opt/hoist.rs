//! Loop-invariant list views: a list's `len` and `data` loaded once
//! before a loop instead of at every access ([`Stmt::ListViews`]).
//!
//! ```text
//! for j_3 in 0..@ListLen(x_0) {           views x_0 {
//!     s_2 = s_2 + x_0[j_3]!in_range   =>      for j_3 in 0..@ListLen(x_0) {
//!     poll                                        s_2 = s_2 + x_0[j_3]!in_range
//! }                                               poll
//!                                             }
//!                                         }
//! ```
//!
//! A list local gets a view around the outermost loop that reads it
//! (by index, `len`, `set`, `get` or `for`), and accesses one of its
//! elements at an index the bounds pass proved in range (see
//! [`accessed_unchecked`] for why only then), when the loop, header
//! included, does not assign it and can change no list of its element
//! type: no `push`, `insert_at`, `extend`, `pop`, `remove_at`, `clear`,
//! nothing opaque (`effects.rs`). Then this task leaves the list's
//! length and buffer as they were, and reading them once gives what it
//! would read every time, as far as this task is concerned. (`for (x in
//! xs)` reads the length at every iteration so that pushing in the body
//! extends the loop: a body that pushes gets no view.)
//!
//! Under concurrency: another task may change the list while the loop
//! runs, in parallel or at one of this task's polls (a poll may park the
//! task and let others run). With the view, this task keeps reading and
//! storing through the buffer and length it loaded, `len` then `data`:
//! an index below that `len` is inside that buffer, which stays valid
//! while the view holds it (the view's `data` is an interior pointer on
//! this task's stack or registers, which the collector scans), and its
//! elements are never cleared (runtime/src/collections/list.rs,
//! invariants 1-3). So accesses stay memory safe; what changes is only
//! that they may see the list as it was when the loop started: stale,
//! which is what a reader racing with those changes may see anyway
//! (stores may be lost, as any store racing with a growth). A change
//! made by this task itself would be visible immediately, so anything
//! that could make one disables the view; so do channels, `select`,
//! spawns, joins and calls passing references, through which this task
//! could learn of another task's change (they are opaque).

use super::{bounds, effects};
use crate::hir::{self, BinOp, Builtin, LocalId, Ty};
use crate::mir::visit::{
    block_children_mut, children_mut, walk, walk_expr, walk_stmt, Node, NodeMut,
};
use crate::mir::{Block, ElemCheck, Expr, ExprKind, Program, Stmt};

pub fn run(program: &mut Program, _hir: &hir::Program) {
    for f in &mut program.functions {
        hoist_in(&mut f.body);
    }
}

/// Walks `body` (without recursion, as `mir::visit`) keeping, for each
/// node, the lists already in view of an enclosing loop (an index into
/// `in_view`); every loop gets views of the lists it reads, can keep and
/// are not in view yet.
fn hoist_in(body: &mut Block) {
    let mut in_view: Vec<Vec<LocalId>> = vec![Vec::new()];
    let mut work: Vec<(NodeMut<'_>, usize)> = Vec::new();
    let mut children: Vec<NodeMut<'_>> = Vec::new();
    block_children_mut(body, &mut children);
    work.extend(children.drain(..).map(|n| (n, 0)));
    while let Some((node, ctx)) = work.pop() {
        let NodeMut::Stmt(s) = node else {
            children_mut(node, &mut children);
            work.extend(children.drain(..).map(|n| (n, ctx)));
            continue;
        };
        let inner = match hoist(s, &in_view[ctx]) {
            Some(lists) => {
                let mut all = in_view[ctx].clone();
                all.extend(lists);
                in_view.push(all);
                in_view.len() - 1
            }
            None => ctx,
        };
        // The loop's own children (inside its views, if it got some).
        let s = match s {
            Stmt::ListViews { looped, .. } => &mut **looped,
            s => s,
        };
        children_mut(NodeMut::Stmt(s), &mut children);
        work.extend(children.drain(..).map(|n| (n, inner)));
    }
}

/// If `s` is a loop reading lists it cannot change that are not in
/// `in_view` already, wraps it in views of them and returns them.
fn hoist(s: &mut Stmt, in_view: &[LocalId]) -> Option<Vec<LocalId>> {
    if !matches!(
        s,
        Stmt::While { .. } | Stmt::ForRange { .. } | Stmt::ForList { .. }
    ) {
        return None;
    }
    let read: Vec<(LocalId, Ty)> = lists_read(s)
        .into_iter()
        .filter(|(l, _)| !in_view.contains(l))
        .collect();
    if read.is_empty() {
        return None;
    }
    let fx = effects::of_stmt(s);
    let lists: Vec<LocalId> = read
        .into_iter()
        .filter(|(l, elem)| fx.keeps_view(*l, elem))
        .map(|(l, _)| l)
        .filter(|l| accessed_unchecked(s, *l))
        .collect();
    let viewed: Vec<LocalId> = in_view.iter().chain(&lists).copied().collect();
    if lists.is_empty() || !ends_on_its_own(s, &viewed) {
        return None;
    }
    let looped = Box::new(std::mem::replace(s, Stmt::Break));
    *s = Stmt::ListViews {
        lists: lists.clone(),
        looped,
    };
    Some(lists)
}

/// Whether `s` reads or stores an element of list `l` at an index the
/// bounds pass proved in range (`xs[i]!in_range`, `xs[i]!in_range = v`)
/// or iterates over it (`for (x in xs)`).
///
/// Only such loops get a view. A checked access keeps the list itself
/// live for its slow path (the panic or the runtime call), so a view
/// there adds two more live values (`len`, `data`) to save two loads
/// that hit the cache, and on x86-64's five callee-saved registers that
/// pushed the task context out of them: sieve's inner loop, all checked
/// `set`s, then stored and reloaded the context at every iteration and
/// ran 25% slower with its view than without. A proven access is one
/// load or store off the view's `data`.
fn accessed_unchecked(s: &Stmt, l: LocalId) -> bool {
    let mut found = false;
    walk_stmt(s, &mut |n| {
        let list = match n {
            Node::Expr(e) => match &e.kind {
                ExprKind::ListElem {
                    list,
                    check: ElemCheck::InRange,
                    ..
                }
                | ExprKind::ListStore { list, .. } => Some(&**list),
                _ => None,
            },
            // `for (x in xs)` reads element `i` below the length it
            // compares with: no check, no slow path.
            Node::Stmt(Stmt::ForList { list, .. }) => Some(list),
            _ => None,
        };
        if list.is_some_and(|x| matches!(x.kind, ExprKind::Local(y) if y == l)) {
            found = true;
        }
        !found
    });
    found
}

/// The list locals `s` reads through an index, `len`, `get`, `set`,
/// `first`, `last`, `is_empty` or a `for` loop, with their element types
/// (each once, in order of first use).
fn lists_read(s: &Stmt) -> Vec<(LocalId, Ty)> {
    let mut out: Vec<(LocalId, Ty)> = Vec::new();
    let mut note = |e: &Expr| {
        if let (ExprKind::Local(l), Ty::List(elem)) = (&e.kind, &e.ty) {
            if !out.iter().any(|(o, _)| o == l) {
                out.push((*l, (**elem).clone()));
            }
        }
    };
    walk_stmt(s, &mut |n| {
        match n {
            Node::Expr(e) => match &e.kind {
                ExprKind::Index { list, .. }
                | ExprKind::ListElem { list, .. }
                | ExprKind::ListStore { list, .. } => note(list),
                ExprKind::Builtin {
                    op:
                        Builtin::ListLen
                        | Builtin::ListGet
                        | Builtin::ListSet
                        | Builtin::ListFirst
                        | Builtin::ListIsEmpty,
                    args,
                } => {
                    if let Some(Some(l)) = args.first() {
                        note(l);
                    }
                }
                _ => {}
            },
            Node::Stmt(Stmt::ForList { list, .. }) => note(list),
            _ => {}
        }
        true
    });
    out
}

/// Whether loop `s` and every loop in it ends after a number of
/// iterations that no other task can change (but for `break`, `return`
/// or a panic, which only end it sooner): `for` over a range (the bounds
/// are evaluated once), `for` over a list (with a view, bounded by the
/// view's length), and `while` loops whose condition reads only locals
/// that the body changes only unconditionally (assignments at its top
/// level) from locals and constants, with no `continue`, and the counted
/// loops of `bounds.rs` over a list in `viewed` (`while (i < xs.len()) {
/// ...; i = i + 1 }`: the view fixes the length, `i` only goes up). A
/// loop waiting
/// for another task (`while (xs.len() == 0) {}`) could spin forever on a
/// view: it gets none (docs/memory-model.md: a racy program never hangs).
fn ends_on_its_own(s: &Stmt, viewed: &[LocalId]) -> bool {
    walk_stmt(s, &mut |n| match n {
        Node::Stmt(Stmt::While { cond, body }) => while_ends_on_its_own(cond, body, viewed),
        _ => true,
    })
}

fn while_ends_on_its_own(cond: &Expr, body: &Block, viewed: &[LocalId]) -> bool {
    let mut read: Vec<LocalId> = Vec::new();
    let counted = match &cond.kind {
        ExprKind::Binary {
            op: BinOp::Lt,
            lhs,
            rhs,
        } => match (&lhs.kind, bounds::len_of(rhs)) {
            (ExprKind::Local(i), Some((xs, _))) => {
                viewed.contains(&xs) && bounds::ends_with_increment(body, *i)
            }
            _ => false,
        },
        _ => false,
    };
    if counted {
        // `i < xs.len()` with the length fixed and `i` going up.
        if let ExprKind::Binary { lhs, .. } = &cond.kind {
            locals_only(lhs, &mut read);
        }
    } else if !locals_only(cond, &mut read) {
        return false;
    }
    let top_level: Vec<*const Expr> = body
        .stmts
        .iter()
        .filter_map(|st| match st {
            Stmt::Expr(e) => Some(e as *const Expr),
            _ => None,
        })
        .collect();
    walk(body, &mut |n| match n {
        Node::Stmt(Stmt::Continue) => false,
        Node::Expr(e) => match &e.kind {
            ExprKind::Assign { local, value } if read.contains(local) => {
                top_level.contains(&(e as *const Expr)) && locals_only(value, &mut Vec::new())
            }
            _ => true,
        },
        _ => true,
    })
}

/// Whether `e` is made of constants, locals and arithmetic alone (the
/// locals it reads are added to `read`).
fn locals_only(e: &Expr, read: &mut Vec<LocalId>) -> bool {
    walk_expr(e, &mut |n| match n {
        Node::Expr(x) => match &x.kind {
            ExprKind::Local(l) => {
                read.push(*l);
                true
            }
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Binary { .. }
            | ExprKind::Unary { .. }
            | ExprKind::Cast { .. } => true,
            _ => false,
        },
        _ => false,
    })
}
