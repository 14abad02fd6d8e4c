//! The children of a syntax-tree node, for walks that keep their own
//! stack (a tree may be deeper than recursion allows: see [`super::limits`]).
//!
//! ```ignore
//! let mut todo: Vec<Node> = walk::items(&module).collect();
//! while let Some(node) = todo.pop() {
//!     walk::children(node, |child, _| todo.push(child));
//! }
//! ```
//!
//! Every node of the tree is reached exactly once from the module's
//! items. Dropping a tree has its own, owning walk (`super::dismantle`).

use crate::source::Span;
use crate::syntax::ast::*;

/// A node of the tree.
#[derive(Clone, Copy)]
pub enum Node<'a> {
    Item(&'a Item),
    Fn(&'a FnDecl),
    Expr(&'a Expr),
    Block(&'a Block),
    Stmt(&'a Stmt),
    Pattern(&'a Pattern),
    Type(&'a TypeExpr),
    Args(&'a [Arg]),
    Params(&'a [Param]),
}

/// How a child hangs from its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    /// Inside it (a sub-expression, a statement of a block...).
    Nested,
    /// The left operand of a binary operator: it continues the
    /// operator's chain (`a + b + c` is `(a + b) + c`), which the passes
    /// walk with a loop rather than by recursion.
    Chain,
}

impl Node<'_> {
    /// Where it is in the source (an empty list: a default span).
    pub fn span(&self) -> Span {
        match self {
            Node::Item(i) => i.span,
            Node::Fn(f) => f.span,
            Node::Expr(e) => e.span,
            Node::Block(b) => b.span,
            Node::Stmt(s) => s.span,
            Node::Pattern(p) => p.span,
            Node::Type(t) => t.span,
            Node::Args(a) => a.first().map_or(Span::default(), |a| a.span),
            Node::Params(p) => p.first().map_or(Span::default(), |p| p.span),
        }
    }
}

/// The module's items, the roots of the walk.
pub fn items(module: &Module) -> impl Iterator<Item = Node<'_>> {
    module.items.iter().map(Node::Item)
}

/// Calls `visit` on each child of `node`, with how it hangs from it.
pub fn children<'a>(node: Node<'a>, mut visit: impl FnMut(Node<'a>, Edge)) {
    if let Node::Expr(e) = node {
        if let ExprKind::Binary { lhs, .. } = &e.kind {
            visit(Node::Expr(lhs), Edge::Chain);
        }
    }
    let mut nested = |n: Node<'a>| visit(n, Edge::Nested);
    match node {
        Node::Item(item) => match &item.kind {
            ItemKind::Fn(f) => nested(Node::Fn(f)),
            ItemKind::Class(c) => {
                c.methods
                    .iter()
                    .chain(&c.inits)
                    .for_each(|f| nested(Node::Fn(f)));
                c.fields.iter().for_each(|f| nested(Node::Type(&f.ty)));
                if let Some(parent) = &c.parent {
                    nested(Node::Type(parent));
                }
            }
            ItemKind::Enum(e) => {
                e.methods.iter().for_each(|f| nested(Node::Fn(f)));
                e.variants
                    .iter()
                    .flat_map(|v| &v.fields)
                    .for_each(|t| nested(Node::Type(t)));
            }
            ItemKind::TypeAlias { ty, .. } | ItemKind::Newtype { ty, .. } => {
                nested(Node::Type(ty));
            }
            ItemKind::Test { fns, .. } | ItemKind::Bench { fns, .. } => {
                fns.iter().for_each(|f| nested(Node::Fn(f)));
            }
        },
        Node::Fn(f) => {
            nested(Node::Params(&f.params));
            if let Some(ret) = &f.ret {
                nested(Node::Type(ret));
            }
            nested(Node::Block(&f.body));
        }
        Node::Block(b) => {
            b.stmts.iter().for_each(|s| nested(Node::Stmt(s)));
            if let Some(t) = &b.tail {
                nested(Node::Expr(t));
            }
        }
        Node::Stmt(s) => stmt_children(s, &mut nested),
        Node::Pattern(p) => match &p.kind {
            PatternKind::Binding { ty: Some(t), .. } => nested(Node::Type(t)),
            PatternKind::Literal(e) => nested(Node::Expr(e)),
            PatternKind::Variant {
                fields: Some(fields),
                ..
            } => fields.iter().for_each(|f| nested(Node::Pattern(f))),
            PatternKind::Binding { ty: None, .. }
            | PatternKind::Variant { fields: None, .. }
            | PatternKind::Wildcard
            | PatternKind::Error => {}
        },
        Node::Type(t) => match &t.kind {
            TypeExprKind::Named { args, .. } => args.iter().for_each(|a| nested(Node::Type(a))),
            TypeExprKind::List(e) | TypeExprKind::Set(e) => nested(Node::Type(e)),
            TypeExprKind::Dict(k, v) => {
                nested(Node::Type(k));
                nested(Node::Type(v));
            }
            TypeExprKind::Fn { params, ret } => {
                params.iter().for_each(|p| nested(Node::Type(p)));
                if let Some(r) = ret {
                    nested(Node::Type(r));
                }
            }
            TypeExprKind::Unit | TypeExprKind::Error => {}
        },
        Node::Args(args) => args.iter().for_each(|a| nested(Node::Expr(&a.value))),
        Node::Params(params) => {
            for p in params {
                nested(Node::Type(&p.ty));
                if let Some(e) = &p.default {
                    nested(Node::Expr(e));
                }
            }
        }
        Node::Expr(e) => expr_children(e, &mut nested),
    }
}

fn stmt_children<'a>(s: &'a Stmt, nested: &mut impl FnMut(Node<'a>)) {
    match &s.kind {
        StmtKind::Let { ty, value, .. } => {
            if let Some(t) = ty {
                nested(Node::Type(t));
            }
            nested(Node::Expr(value));
        }
        StmtKind::Expr(e) | StmtKind::Return(Some(e)) => nested(Node::Expr(e)),
        StmtKind::While { cond, body } => {
            nested(Node::Expr(cond));
            nested(Node::Block(body));
        }
        StmtKind::For { ty, iter, body, .. } => {
            if let Some(t) = ty {
                nested(Node::Type(t));
            }
            nested(Node::Expr(iter));
            nested(Node::Block(body));
        }
        StmtKind::Concurrent { args, body } => {
            nested(Node::Args(args));
            nested(Node::Block(body));
        }
        StmtKind::Select(arms) => {
            for arm in arms {
                match &arm.kind {
                    SelectArmKind::Recv { ty, channel, .. } => {
                        if let Some(t) = ty {
                            nested(Node::Type(t));
                        }
                        nested(Node::Expr(channel));
                    }
                    SelectArmKind::Send(e) | SelectArmKind::After(e) => nested(Node::Expr(e)),
                    SelectArmKind::Default => {}
                }
                nested(Node::Block(&arm.body));
            }
        }
        StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue | StmtKind::Error => {}
    }
}

/// The children of `e` but the left operand of a binary operator.
fn expr_children<'a>(e: &'a Expr, nested: &mut impl FnMut(Node<'a>)) {
    match &e.kind {
        ExprKind::Int { .. }
        | ExprKind::Float { .. }
        | ExprKind::Bool(_)
        | ExprKind::Unit
        | ExprKind::Path(_)
        | ExprKind::SelfValue
        | ExprKind::Error => {}
        ExprKind::Str(parts) => {
            for p in parts {
                if let StrPart::Interp(x) = p {
                    nested(Node::Expr(x));
                }
            }
        }
        ExprKind::List(items) | ExprKind::Set(items) | ExprKind::Race(items) => {
            items.iter().for_each(|x| nested(Node::Expr(x)));
        }
        ExprKind::Dict(entries) => {
            for (k, v) in entries {
                nested(Node::Expr(k));
                nested(Node::Expr(v));
            }
        }
        // The left operand is the caller's (`Edge::Chain`).
        ExprKind::Binary { rhs, .. } => nested(Node::Expr(rhs)),
        ExprKind::Unary { operand: x, .. }
        | ExprKind::Try(x)
        | ExprKind::Field { object: x, .. } => {
            nested(Node::Expr(x));
        }
        ExprKind::Assign {
            target: a,
            value: b,
        }
        | ExprKind::Index {
            object: a,
            index: b,
        }
        | ExprKind::Range {
            start: a, end: b, ..
        } => {
            nested(Node::Expr(a));
            nested(Node::Expr(b));
        }
        ExprKind::Call { callee: x, args }
        | ExprKind::MethodCall {
            receiver: x, args, ..
        } => {
            nested(Node::Expr(x));
            nested(Node::Args(args));
        }
        ExprKind::SuperCall { args, .. } => nested(Node::Args(args)),
        ExprKind::Cast { value, target } => {
            nested(Node::Expr(value));
            nested(Node::Type(target));
        }
        ExprKind::Block(b) | ExprKind::Spawn(b) => nested(Node::Block(b)),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            nested(Node::Expr(cond));
            nested(Node::Block(then));
            if let Some(o) = otherwise {
                nested(Node::Expr(o));
            }
        }
        ExprKind::Match { scrutinee, arms } => {
            nested(Node::Expr(scrutinee));
            for arm in arms {
                nested(Node::Pattern(&arm.pattern));
                nested(Node::Expr(&arm.body));
            }
        }
        ExprKind::Closure { params, ret, body } => {
            nested(Node::Params(params));
            if let Some(r) = ret {
                nested(Node::Type(r));
            }
            nested(Node::Block(body));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    /// The walk reaches every node once: as many expressions as the
    /// source has (counted by their kinds here), the binary operator's
    /// left operand marked as the chain.
    #[test]
    fn every_node_is_reached_once() {
        let text = "fn f(a: Int32 = 1) -> Int32 {\n  let x: List[Int32] = [a, 2];\n  return a + x.len() + 3;\n}\n";
        let (module, diags) = crate::syntax::parse_file(FileId(0), text);
        assert!(diags.is_empty(), "{diags:?}");
        let mut todo: Vec<Node> = items(&module).collect();
        let (mut exprs, mut types, mut chains) = (0, 0, 0);
        while let Some(node) = todo.pop() {
            match node {
                Node::Expr(_) => exprs += 1,
                Node::Type(_) => types += 1,
                _ => {}
            }
            children(node, |child, edge| {
                chains += usize::from(edge == Edge::Chain);
                todo.push(child);
            });
        }
        // 1 (default), [a, 2], a, 2, a + x.len() + 3, a + x.len(), a,
        // x.len(), x, 3.
        assert_eq!(exprs, 10);
        // Int32 (param), Int32 (ret), List[Int32], Int32.
        assert_eq!(types, 4);
        assert_eq!(chains, 2);
    }
}
