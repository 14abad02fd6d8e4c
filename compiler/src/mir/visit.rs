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
    walk_from(work, f)
}

/// [`walk`] over statement `s` and everything in it.
pub fn walk_stmt<'a>(s: &'a Stmt, f: &mut impl FnMut(Node<'a>) -> bool) -> bool {
    walk_from(vec![Node::Stmt(s)], f)
}

/// [`walk`] over expression `e` and everything in it.
pub fn walk_expr<'a>(e: &'a Expr, f: &mut impl FnMut(Node<'a>) -> bool) -> bool {
    walk_from(vec![Node::Expr(e)], f)
}

fn walk_from<'a>(mut work: Vec<Node<'a>>, f: &mut impl FnMut(Node<'a>) -> bool) -> bool {
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
        Stmt::ListViews { looped, .. } => out.push(Node::Stmt(looped)),
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
        ExprKind::ListElem { list, index, check } => {
            out.push(Node::Expr(list));
            out.push(Node::Expr(index));
            if let Some(m) = check.message() {
                out.push(Node::Expr(m));
            }
        }
        ExprKind::ListStore {
            list, index, value, ..
        } => {
            out.push(Node::Expr(list));
            out.push(Node::Expr(index));
            out.push(Node::Expr(value));
        }
        ExprKind::Dict(entries) => {
            for (k, v) in entries {
                out.push(Node::Expr(k));
                out.push(Node::Expr(v));
            }
        }
    }
}

/// A node of a body, mutably (for passes).
pub enum NodeMut<'a> {
    Stmt(&'a mut Stmt),
    Expr(&'a mut Expr),
    Pattern(&'a mut Pattern),
}

/// Calls `f` on every node of `block`, parents before children; `f` may
/// rewrite the node it is given, and the walk then goes into the
/// rewritten node's children. Without recursion, as [`walk`].
pub fn walk_mut(block: &mut Block, f: &mut impl FnMut(&mut NodeMut<'_>)) {
    let mut work: Vec<NodeMut<'_>> = Vec::new();
    block_children_mut(block, &mut work);
    while let Some(mut node) = work.pop() {
        f(&mut node);
        children_mut(node, &mut work);
    }
}

/// Pushes the children of `node` onto `work` (in any order).
pub fn children_mut<'a>(node: NodeMut<'a>, work: &mut Vec<NodeMut<'a>>) {
    match node {
        NodeMut::Stmt(s) => stmt_children_mut(s, work),
        NodeMut::Expr(e) => expr_children_mut(e, work),
        NodeMut::Pattern(p) => match p {
            Pattern::Literal(e) => work.push(NodeMut::Expr(e)),
            Pattern::Variant { fields, .. } => work.extend(fields.iter_mut().map(NodeMut::Pattern)),
            Pattern::Wildcard | Pattern::Binding(_) => {}
        },
    }
}

/// Pushes the statements and tail of `block` onto `work`.
pub fn block_children_mut<'a>(block: &'a mut Block, work: &mut Vec<NodeMut<'a>>) {
    work.extend(block.stmts.iter_mut().map(NodeMut::Stmt));
    if let Some(t) = &mut block.tail {
        work.push(NodeMut::Expr(t));
    }
}

fn stmt_children_mut<'a>(s: &'a mut Stmt, out: &mut Vec<NodeMut<'a>>) {
    match s {
        Stmt::Let { value, .. } => out.push(NodeMut::Expr(value)),
        Stmt::Expr(e) => out.push(NodeMut::Expr(e)),
        Stmt::Return(e, _) => out.extend(e.iter_mut().map(NodeMut::Expr)),
        Stmt::While { cond, body } => {
            out.push(NodeMut::Expr(cond));
            block_children_mut(body, out);
        }
        Stmt::ForRange {
            start, end, body, ..
        } => {
            out.push(NodeMut::Expr(start));
            out.push(NodeMut::Expr(end));
            block_children_mut(body, out);
        }
        Stmt::ForList { list, body, .. } => {
            out.push(NodeMut::Expr(list));
            block_children_mut(body, out);
        }
        Stmt::Concurrent { deadline, body, .. } => {
            if let Some(d) = deadline {
                out.push(NodeMut::Expr(d));
            }
            block_children_mut(body, out);
        }
        Stmt::ForChannel { chan, body, .. } => {
            out.push(NodeMut::Expr(chan));
            block_children_mut(body, out);
        }
        Stmt::Select { arms, .. } => {
            for a in arms {
                match &mut a.kind {
                    SelectArmKind::Recv { chan, .. } => out.push(NodeMut::Expr(chan)),
                    SelectArmKind::Send { chan, value, .. } => {
                        out.push(NodeMut::Expr(chan));
                        out.push(NodeMut::Expr(value));
                    }
                    SelectArmKind::After { millis } => out.push(NodeMut::Expr(millis)),
                    SelectArmKind::Default => {}
                }
                block_children_mut(&mut a.body, out);
            }
        }
        Stmt::Break | Stmt::Continue | Stmt::Poll => {}
        Stmt::ListViews { looped, .. } => out.push(NodeMut::Stmt(looped)),
    }
}

fn expr_children_mut<'a>(e: &'a mut Expr, out: &mut Vec<NodeMut<'a>>) {
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
            out.extend(args.iter_mut().map(|(_, a)| NodeMut::Expr(a)))
        }
        ExprKind::Builtin { args, .. } => out.extend(args.iter_mut().flatten().map(NodeMut::Expr)),
        ExprKind::Binary { lhs, rhs, .. } => {
            out.push(NodeMut::Expr(lhs));
            out.push(NodeMut::Expr(rhs));
        }
        ExprKind::Unary { operand: x, .. }
        | ExprKind::Assign { value: x, .. }
        | ExprKind::Cast { value: x }
        | ExprKind::Field { object: x, .. }
        | ExprKind::Retype(x)
        | ExprKind::Try(x) => out.push(NodeMut::Expr(x)),
        ExprKind::AssignField { object, value, .. } => {
            out.push(NodeMut::Expr(object));
            out.push(NodeMut::Expr(value));
        }
        ExprKind::Interp(xs)
        | ExprKind::NewObject { fields: xs }
        | ExprKind::Variant { fields: xs, .. }
        | ExprKind::Race { spawns: xs, .. }
        | ExprKind::List(xs)
        | ExprKind::Set(xs) => out.extend(xs.iter_mut().map(NodeMut::Expr)),
        ExprKind::Block(b) | ExprKind::Inlined { body: b, .. } => block_children_mut(b, out),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            out.push(NodeMut::Expr(cond));
            block_children_mut(then, out);
            if let Some(b) = otherwise {
                block_children_mut(b, out);
            }
        }
        ExprKind::CallValue { callee, args } => {
            out.push(NodeMut::Expr(callee));
            out.extend(args.iter_mut().map(NodeMut::Expr));
        }
        ExprKind::Match { scrutinee, arms } => {
            out.push(NodeMut::Expr(scrutinee));
            for a in arms {
                out.push(NodeMut::Pattern(&mut a.pattern));
                out.push(NodeMut::Expr(&mut a.body));
            }
        }
        ExprKind::Index { list, index } => {
            out.push(NodeMut::Expr(list));
            out.push(NodeMut::Expr(index));
        }
        ExprKind::ListElem { list, index, check } => {
            out.push(NodeMut::Expr(list));
            out.push(NodeMut::Expr(index));
            if let Some(m) = check.message_mut() {
                out.push(NodeMut::Expr(m));
            }
        }
        ExprKind::ListStore {
            list, index, value, ..
        } => {
            out.push(NodeMut::Expr(list));
            out.push(NodeMut::Expr(index));
            out.push(NodeMut::Expr(value));
        }
        ExprKind::Dict(entries) => {
            for (k, v) in entries {
                out.push(NodeMut::Expr(k));
                out.push(NodeMut::Expr(v));
            }
        }
    }
}
