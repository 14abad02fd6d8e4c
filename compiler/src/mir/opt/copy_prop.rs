//! Copy propagation: an immutable local bound to a literal or to another
//! immutable local is replaced by it wherever it is read, and its `let`
//! goes.
//!
//! ```text
//! let n_1: Int64 = 30                 @Print(30 < 2)
//! let m_2: Int64 = n_1          =>    @Print(x_0 + 30)
//! @Print(m_2 < 2)
//! @Print(x_0 + m_2)
//! ```
//!
//! (what inlining leaves at a call with literal or local arguments;
//! folding then finishes the job).
//!
//! Why it is sound: MIR is lexically scoped, so every read of `x` comes
//! after `let x = y` in `x`'s block, inside `y`'s scope, and no path
//! from that `let` to the read binds `y` again without binding `x` again
//! too; neither is ever assigned (both immutable, and no assignment to
//! either is anywhere in the function), so `y` holds the value `x` would
//! at every read. Locals are the task's own: no other task can change
//! them at a safepoint. A local captured by a closure, spawn or thread
//! body (named in a capture list) keeps its `let`: the lifted body reads
//! it from its environment, filled from the capture list. Only a local
//! with exactly one `let` is replaced (a local bound by a loop, a pattern
//! or a `select` arm can be a source, never replaced).

use std::collections::HashMap;

use super::walk::{walk_block, walk_expr, walk_stmt, VisitMut};
use crate::hir::LocalId;
use crate::mir::{visit, Block, Expr, ExprKind, Function, Program, SelectArmKind, Stmt};

pub fn run(program: &mut Program) {
    for f in &mut program.functions {
        propagate(f);
    }
}

/// What the function does with each local, besides reading it.
#[derive(Default, Clone, Copy)]
struct Uses {
    lets: u32,
    assigned: bool,
    captured: bool,
}

fn uses(f: &Function) -> Vec<Uses> {
    let mut uses = vec![Uses::default(); f.locals.len()];
    visit::walk(&f.body, &mut |node| {
        let at = |l: &LocalId| l.0 as usize;
        match node {
            visit::Node::Stmt(Stmt::Let { local, .. }) => uses[at(local)].lets += 1,
            visit::Node::Stmt(Stmt::Select { arms, .. }) => {
                for a in arms {
                    match &a.kind {
                        SelectArmKind::Recv { local, .. }
                        | SelectArmKind::Send {
                            local: Some(local), ..
                        } => uses[at(local)].assigned = true,
                        _ => {}
                    }
                }
            }
            visit::Node::Expr(e) => match &e.kind {
                ExprKind::Assign { local, .. } => uses[at(local)].assigned = true,
                ExprKind::Closure { captures, .. }
                | ExprKind::ThreadSpawn { captures, .. }
                | ExprKind::Spawn { captures, .. } => {
                    for c in captures {
                        uses[at(c)].captured = true;
                    }
                }
                _ => {}
            },
            _ => {}
        }
        true
    });
    uses
}

fn propagate(f: &mut Function) {
    let uses = uses(f);
    let immutable = |l: LocalId| {
        let u = uses[l.0 as usize];
        !f.locals[l.0 as usize].mutable && !u.assigned
    };
    let replaceable: Vec<bool> = (0..f.locals.len())
        .map(|i| {
            let u = uses[i];
            immutable(LocalId(i as u32)) && u.lets == 1 && !u.captured
        })
        .collect();
    let sources: Vec<bool> = (0..f.locals.len())
        .map(|i| immutable(LocalId(i as u32)))
        .collect();
    let mut pass = Propagate {
        replaceable,
        sources,
        by: HashMap::new(),
        partial: false,
    };
    pass.block(&mut f.body);
    // Reads left unvisited (for lack of stack) still need their `let`s.
    if !pass.by.is_empty() && !pass.partial {
        Unbind { gone: &pass.by }.block(&mut f.body);
    }
}

struct Propagate {
    replaceable: Vec<bool>,
    sources: Vec<bool>,
    /// What each replaced local is replaced by (a literal or a local).
    by: HashMap<LocalId, ExprKind>,
    /// Whether some node went unvisited.
    partial: bool,
}

impl VisitMut for Propagate {
    fn too_deep(&mut self) {
        self.partial = true;
    }

    fn stmt(&mut self, s: &mut Stmt) {
        walk_stmt(self, s);
        let Stmt::Let { local, value } = s else {
            return;
        };
        if !self.replaceable[local.0 as usize] {
            return;
        }
        let by = match &value.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Unit => value.kind.clone(),
            // (A replaced source was replaced in `value` already.)
            ExprKind::Local(y) if self.sources[y.0 as usize] => value.kind.clone(),
            _ => return,
        };
        self.by.insert(*local, by);
    }

    fn expr(&mut self, e: &mut Expr) {
        if let ExprKind::Local(l) = &e.kind {
            if let Some(by) = self.by.get(l) {
                e.kind = by.clone();
            }
            return;
        }
        walk_expr(self, e);
    }
}

/// Drops the `let`s of the replaced locals (their values are literals or
/// locals: nothing to evaluate).
struct Unbind<'a> {
    gone: &'a HashMap<LocalId, ExprKind>,
}

impl VisitMut for Unbind<'_> {
    fn block(&mut self, b: &mut Block) {
        b.stmts
            .retain(|s| !matches!(s, Stmt::Let { local, .. } if self.gone.contains_key(local)));
        walk_block(self, b);
    }
}
