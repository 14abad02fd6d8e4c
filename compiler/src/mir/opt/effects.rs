//! What a loop can do to lists, for `bounds.rs` and `hoist.rs`: which
//! locals it assigns or binds, the element types of the lists it may
//! shrink or grow, and whether it does anything whose effect on lists
//! cannot be seen from here ("opaque").
//!
//! Conservative by construction: everything not known to leave lists'
//! lengths and buffers alone is opaque. Known harmless:
//!
//! - arithmetic, locals, fields, objects, variants, list literals,
//!   `if`/`match`/blocks, `?`, casts, closures *created* (not called),
//!   polls;
//! - reading and storing list elements (`xs[i]`, `get`, `set`, `len`,
//!   `first`, `last`, `is_empty`, `slice`, `concat`) and `Option`'s
//!   methods;
//! - a direct call, or a built-in, whose arguments are all of types that
//!   hold no reference (integers, floats, `Bool`, `Unit`, `String`):
//!   Plat has no global variables, so such a callee can reach no list
//!   that exists before the call (it may park, letting other tasks run:
//!   see `hoist.rs` on why that is stale but safe).
//!
//! `push`, `insert_at` and `extend` grow their receiver's element type;
//! `pop`, `remove_at` and `clear` shrink it. Calls through a value or a
//! vtable, spawns, `concurrent` blocks, channels and `select`, any other
//! built-in with a reference argument, string interpolation and
//! comparisons of values with references are opaque.

use std::collections::HashSet;

use crate::hir::{Builtin, LocalId, Ty};
use crate::mir::visit::{walk_stmt, Node};
use crate::mir::{Expr, ExprKind, Pattern, Stmt};

#[derive(Debug, Default)]
pub struct Effects {
    /// Something whose effect on lists is unknown.
    pub opaque: bool,
    /// Element types of lists that may lose elements.
    pub shrinks: Vec<Ty>,
    /// Element types of lists that may gain elements (or a new buffer).
    pub grows: Vec<Ty>,
    /// Locals assigned (`x = ...`).
    pub assigned: HashSet<LocalId>,
    /// Locals bound (by `let`, a loop or a pattern).
    pub bound: HashSet<LocalId>,
}

impl Effects {
    /// Whether list local `xs` of element type `elem` keeps its identity
    /// and at least its length: not assigned, not shrunk, nothing opaque.
    pub fn keeps(&self, xs: LocalId, elem: &Ty) -> bool {
        !self.opaque
            && !self.assigned.contains(&xs)
            && !self.bound.contains(&xs)
            && !self.shrinks.contains(elem)
    }

    /// Whether `xs` also keeps its length and buffer exactly (nothing
    /// grows a list of its element type either).
    pub fn keeps_view(&self, xs: LocalId, elem: &Ty) -> bool {
        self.keeps(xs, elem) && !self.grows.contains(elem)
    }
}

/// The effects of statement `s` (a loop: its header and body).
pub fn of_stmt(s: &Stmt) -> Effects {
    let mut fx = Effects::default();
    walk_stmt(s, &mut |n| {
        match n {
            Node::Stmt(s) => stmt(&mut fx, s),
            Node::Expr(e) => expr(&mut fx, e),
            Node::Pattern(Pattern::Binding(l)) => {
                fx.bound.insert(*l);
            }
            Node::Pattern(_) => {}
        }
        // Once opaque, nothing more to learn.
        !fx.opaque
    });
    fx
}

/// Whether values of type `t` hold no reference to anything mutable.
pub fn inert(t: &Ty) -> bool {
    matches!(
        t,
        Ty::Bool | Ty::Int(_) | Ty::Float(_) | Ty::String | Ty::Unit | Ty::Never
    )
}

fn elem_of(t: &Ty) -> Option<Ty> {
    match t {
        Ty::List(e) => Some((**e).clone()),
        _ => None,
    }
}

fn stmt(fx: &mut Effects, s: &Stmt) {
    match s {
        Stmt::Let { local, .. } => {
            fx.bound.insert(*local);
        }
        Stmt::ForRange { var, .. } | Stmt::ForList { var, .. } => {
            fx.bound.insert(*var);
        }
        Stmt::ForChannel { .. } | Stmt::Select { .. } | Stmt::Concurrent { .. } => fx.opaque = true,
        Stmt::Expr(_)
        | Stmt::Return(..)
        | Stmt::While { .. }
        | Stmt::Break
        | Stmt::Continue
        | Stmt::Poll
        | Stmt::ListViews { .. } => {}
    }
}

fn expr(fx: &mut Effects, e: &Expr) {
    match &e.kind {
        ExprKind::Assign { local, .. } => {
            fx.assigned.insert(*local);
        }
        ExprKind::Call { args, .. } if !args.iter().all(|(_, a)| inert(&a.ty)) => fx.opaque = true,
        ExprKind::VirtualCall { .. }
        | ExprKind::CallValue { .. }
        | ExprKind::Spawn { .. }
        | ExprKind::ThreadSpawn { .. }
        | ExprKind::Race { .. }
        | ExprKind::Dict(_)
        | ExprKind::Set(_) => fx.opaque = true,
        ExprKind::Interp(parts) if !parts.iter().all(|p| inert(&p.ty)) => fx.opaque = true,
        ExprKind::Binary { lhs, rhs, .. } if !inert(&lhs.ty) || !inert(&rhs.ty) => fx.opaque = true,
        ExprKind::Builtin { op, args } => builtin(fx, *op, args),
        _ => {}
    }
}

fn builtin(fx: &mut Effects, op: Builtin, args: &[Option<Expr>]) {
    use Builtin::*;
    let recv = args
        .first()
        .and_then(Option::as_ref)
        .and_then(|r| elem_of(&r.ty));
    match op {
        ListLen | ListGet | ListSet | ListIsEmpty | ListFirst | ListLast | ListSlice
        | ListConcat | IsFirst | IsSecond | Unwrap | Expect | UnwrapOr => {}
        ListPush | ListInsertAt | ListExtend => match recv {
            Some(t) => fx.grows.push(t),
            None => fx.opaque = true,
        },
        ListPop | ListRemoveAt | ListClear => match recv {
            Some(t) => fx.shrinks.push(t),
            None => fx.opaque = true,
        },
        _ => {
            if !args.iter().flatten().all(|a| inert(&a.ty)) {
                fx.opaque = true;
            }
        }
    }
}
