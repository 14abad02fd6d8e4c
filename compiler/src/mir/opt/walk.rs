//! Rewriting a MIR body in place: a visitor whose default methods walk
//! every block, statement and expression (operands in evaluation order).
//! Unlike `mir::visit`, it recurses on the nesting, as code generation
//! does on the compiler's big stack (`crate::stack`); when that stack
//! runs low the walk stops going deeper, which leaves the deep part of a
//! body unoptimised, never wrong.

use crate::mir::{Block, Expr, ExprKind, MatchArm, Pattern, SelectArmKind, Stmt};

pub(crate) trait VisitMut {
    fn block(&mut self, b: &mut Block) {
        walk_block(self, b);
    }
    fn stmt(&mut self, s: &mut Stmt) {
        walk_stmt(self, s);
    }
    fn expr(&mut self, e: &mut Expr) {
        walk_expr(self, e);
    }
    fn pattern(&mut self, p: &mut Pattern) {
        walk_pattern(self, p);
    }
    /// Called where the walk stops for lack of stack, leaving the rest
    /// of that node unvisited. A visitor that must see every node (one
    /// renumbering locals) records it and gives up.
    fn too_deep(&mut self) {}
}

pub(crate) fn walk_block<V: VisitMut + ?Sized>(v: &mut V, b: &mut Block) {
    if crate::syntax::limits::stack_is_low() {
        v.too_deep();
        return;
    }
    for s in &mut b.stmts {
        v.stmt(s);
    }
    if let Some(t) = &mut b.tail {
        v.expr(t);
    }
}

pub(crate) fn walk_stmt<V: VisitMut + ?Sized>(v: &mut V, s: &mut Stmt) {
    match s {
        Stmt::Let { value, .. } => v.expr(value),
        Stmt::Expr(e) => v.expr(e),
        Stmt::Return(e, _) => {
            if let Some(e) = e {
                v.expr(e);
            }
        }
        Stmt::While { cond, body } => {
            v.expr(cond);
            v.block(body);
        }
        Stmt::ForRange {
            start, end, body, ..
        } => {
            v.expr(start);
            v.expr(end);
            v.block(body);
        }
        Stmt::ForList { list: e, body, .. } | Stmt::ForChannel { chan: e, body, .. } => {
            v.expr(e);
            v.block(body);
        }
        Stmt::Concurrent { deadline, body, .. } => {
            if let Some(d) = deadline {
                v.expr(d);
            }
            v.block(body);
        }
        Stmt::Select { arms, .. } => {
            for a in arms {
                match &mut a.kind {
                    SelectArmKind::Recv { chan, .. } => v.expr(chan),
                    SelectArmKind::Send { chan, value, .. } => {
                        v.expr(chan);
                        v.expr(value);
                    }
                    SelectArmKind::After { millis } => v.expr(millis),
                    SelectArmKind::Default => {}
                }
                v.block(&mut a.body);
            }
        }
        Stmt::Break | Stmt::Continue | Stmt::Poll => {}
        Stmt::ListViews { looped, .. } => v.stmt(looped),
    }
}

pub(crate) fn walk_pattern<V: VisitMut + ?Sized>(v: &mut V, p: &mut Pattern) {
    match p {
        Pattern::Literal(e) => v.expr(e),
        Pattern::Variant { fields, .. } => {
            for f in fields {
                v.pattern(f);
            }
        }
        Pattern::Wildcard | Pattern::Binding(_) => {}
    }
}

pub(crate) fn walk_expr<V: VisitMut + ?Sized>(v: &mut V, e: &mut Expr) {
    if crate::syntax::limits::stack_is_low() {
        v.too_deep();
        return;
    }
    match &mut e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::Str(_)
        | ExprKind::Unit
        | ExprKind::Local(_)
        | ExprKind::AllocObject
        | ExprKind::Closure { .. }
        | ExprKind::FnRef(_)
        | ExprKind::Spawn { .. }
        | ExprKind::ThreadSpawn { .. }
        | ExprKind::Unreachable => {}
        ExprKind::Call { args, .. } | ExprKind::VirtualCall { args, .. } => {
            for (_, a) in args {
                v.expr(a);
            }
        }
        ExprKind::Builtin { args, .. } => {
            for a in args.iter_mut().flatten() {
                v.expr(a);
            }
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            v.expr(lhs);
            v.expr(rhs);
        }
        ExprKind::Unary { operand: x, .. }
        | ExprKind::Assign { value: x, .. }
        | ExprKind::Cast { value: x }
        | ExprKind::Field { object: x, .. }
        | ExprKind::Retype(x)
        | ExprKind::Try(x) => v.expr(x),
        ExprKind::AssignField { object, value, .. } => {
            v.expr(object);
            v.expr(value);
        }
        ExprKind::Interp(xs)
        | ExprKind::NewObject { fields: xs }
        | ExprKind::Variant { fields: xs, .. }
        | ExprKind::Race { spawns: xs, .. }
        | ExprKind::List(xs)
        | ExprKind::Set(xs) => {
            for x in xs {
                v.expr(x);
            }
        }
        ExprKind::Block(b) | ExprKind::Inlined { body: b, .. } => v.block(b),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            v.expr(cond);
            v.block(then);
            if let Some(b) = otherwise {
                v.block(b);
            }
        }
        ExprKind::CallValue { callee, args } => {
            v.expr(callee);
            for a in args {
                v.expr(a);
            }
        }
        ExprKind::Match { scrutinee, arms } => {
            v.expr(scrutinee);
            for MatchArm { pattern, body } in arms {
                v.pattern(pattern);
                v.expr(body);
            }
        }
        ExprKind::Index { list, index } => {
            v.expr(list);
            v.expr(index);
        }
        ExprKind::ListElem { list, index, check } => {
            v.expr(list);
            v.expr(index);
            if let Some(m) = check.message_mut() {
                v.expr(m);
            }
        }
        ExprKind::ListStore {
            list, index, value, ..
        } => {
            v.expr(list);
            v.expr(index);
            v.expr(value);
        }
        ExprKind::Dict(entries) => {
            for (k, x) in entries {
                v.expr(k);
                v.expr(x);
            }
        }
    }
}
