//! Walking a MIR body without recursion (bodies can nest as deeply as
//! the source allowed): every statement and expression, parents before
//! children, each expression's operands in evaluation order.

use super::{Block, Expr, ExprKind, Pattern, SelectArmKind, Stmt};

/// A node of a body.
#[derive(Clone, Copy)]
pub enum Node<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
    Pattern(&'a Pattern),
}

/// Calls `f` on every node of `block`; `f` returns false to stop the walk
/// (then `walk` returns false).
pub fn walk<'a>(block: &'a Block, f: &mut impl FnMut(Node<'a>) -> bool) -> bool {
    let mut work: Vec<Node<'a>> = Vec::new();
    push_block(&mut work, block);
    while let Some(node) = work.pop() {
        if !f(node) {
            return false;
        }
        // Children are pushed in reverse so they pop in order.
        let mut children: Vec<Node<'a>> = Vec::new();
        match node {
            Node::Stmt(s) => stmt_children(s, &mut children),
            Node::Expr(e) => expr_children(e, &mut children),
            Node::Pattern(p) => match p {
                Pattern::Literal(e) => children.push(Node::Expr(e)),
                Pattern::Variant { fields, .. } => {
                    children.extend(fields.iter().map(Node::Pattern))
                }
                Pattern::Wildcard | Pattern::Binding(_) => {}
            },
        }
        work.extend(children.into_iter().rev());
    }
    true
}

/// Whether any expression satisfies `on_expr` or any statement `on_stmt`.
pub fn block_any(
    block: &Block,
    on_expr: &mut impl FnMut(&Expr) -> bool,
    on_stmt: &mut impl FnMut(&Stmt) -> bool,
) -> bool {
    !walk(block, &mut |n| match n {
        Node::Expr(e) => !on_expr(e),
        Node::Stmt(s) => !on_stmt(s),
        Node::Pattern(_) => true,
    })
}

fn push_block<'a>(work: &mut Vec<Node<'a>>, block: &'a Block) {
    let mut v = Vec::new();
    block_children(block, &mut v);
    work.extend(v.into_iter().rev());
}

fn block_children<'a>(block: &'a Block, out: &mut Vec<Node<'a>>) {
    out.extend(block.stmts.iter().map(Node::Stmt));
    out.extend(block.tail.iter().map(|e| Node::Expr(e)));
}

fn stmt_children<'a>(s: &'a Stmt, out: &mut Vec<Node<'a>>) {
    match s {
        Stmt::Let { value, .. } => out.push(Node::Expr(value)),
        Stmt::Expr(e) => out.push(Node::Expr(e)),
        Stmt::Return(e, _) => out.extend(e.iter().map(Node::Expr)),
        Stmt::While { cond, body } => {
            out.push(Node::Expr(cond));
            block_children(body, out);
        }
        Stmt::ForRange {
            start, end, body, ..
        } => {
            out.push(Node::Expr(start));
            out.push(Node::Expr(end));
            block_children(body, out);
        }
        Stmt::ForList { list, body, .. } => {
            out.push(Node::Expr(list));
            block_children(body, out);
        }
        Stmt::Concurrent { deadline, body, .. } => {
            out.extend(deadline.iter().map(|d| Node::Expr(d)));
            block_children(body, out);
        }
        Stmt::ForChannel { chan, body, .. } => {
            out.push(Node::Expr(chan));
            block_children(body, out);
        }
        Stmt::Select { arms, .. } => {
            for a in arms {
                match &a.kind {
                    SelectArmKind::Recv { chan, .. } => out.push(Node::Expr(chan)),
                    SelectArmKind::Send { chan, value, .. } => {
                        out.push(Node::Expr(chan));
                        out.push(Node::Expr(value));
                    }
                    SelectArmKind::After { millis } => out.push(Node::Expr(millis)),
                    SelectArmKind::Default => {}
                }
                block_children(&a.body, out);
            }
        }
        Stmt::Break | Stmt::Continue | Stmt::Poll => {}
    }
}

fn expr_children<'a>(e: &'a Expr, out: &mut Vec<Node<'a>>) {
    match &e.kind {
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
            out.extend(args.iter().map(|(_, a)| Node::Expr(a)))
        }
        ExprKind::Builtin { args, .. } => out.extend(args.iter().flatten().map(Node::Expr)),
        ExprKind::Binary { lhs, rhs, .. } => {
            out.push(Node::Expr(lhs));
            out.push(Node::Expr(rhs));
        }
        ExprKind::Unary { operand: x, .. }
        | ExprKind::Assign { value: x, .. }
        | ExprKind::Cast { value: x }
        | ExprKind::Field { object: x, .. }
        | ExprKind::Retype(x)
        | ExprKind::Try(x) => out.push(Node::Expr(x)),
        ExprKind::AssignField { object, value, .. } => {
            out.push(Node::Expr(object));
            out.push(Node::Expr(value));
        }
        ExprKind::Interp(xs)
        | ExprKind::NewObject { fields: xs }
        | ExprKind::Variant { fields: xs, .. }
        | ExprKind::Race { spawns: xs, .. }
        | ExprKind::List(xs)
        | ExprKind::Set(xs) => out.extend(xs.iter().map(Node::Expr)),
        ExprKind::Block(b) | ExprKind::Inlined { body: b, .. } => block_children(b, out),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            out.push(Node::Expr(cond));
            block_children(then, out);
            if let Some(b) = otherwise {
                block_children(b, out);
            }
        }
        ExprKind::CallValue { callee, args } => {
            out.push(Node::Expr(callee));
            out.extend(args.iter().map(Node::Expr));
        }
        ExprKind::Match { scrutinee, arms } => {
            out.push(Node::Expr(scrutinee));
            for a in arms {
                out.push(Node::Pattern(&a.pattern));
                out.push(Node::Expr(&a.body));
            }
        }
        ExprKind::Index { list, index } => {
            out.push(Node::Expr(list));
            out.push(Node::Expr(index));
        }
        ExprKind::Dict(entries) => {
            for (k, v) in entries {
                out.push(Node::Expr(k));
                out.push(Node::Expr(v));
            }
        }
    }
}
