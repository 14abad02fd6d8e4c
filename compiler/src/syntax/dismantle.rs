//! Dropping a syntax tree without recursion.
//!
//! Rust drops a tree by recursing along it, one frame (or a few) per
//! level. A tree the parser built is as deep as the source makes it:
//! nesting is bounded by the token check, but chains of operators and
//! postfix operations (`a + a + ...`, `x.f.f.f...`) are built by loops and
//! can be deeper than any stack. [`dismantle`] frees such a tree from a
//! worklist instead: each node gives up its children to the list before it
//! is dropped, so every drop the language runs is of a node whose children
//! are already gone (or are leaves: paths, identifiers, literals).
//!
//! Only trees that failed [`super::limits::check_depth`] need it; the
//! others are shallow enough for an ordinary drop.

use crate::syntax::ast::*;

/// A node taken out of the tree, waiting to give up its children.
enum Owned {
    Expr(Expr),
    Block(Block),
    Stmt(Stmt),
    Pattern(Pattern),
    Type(TypeExpr),
}

/// Drops `module` with a worklist of its nodes, using a bounded amount of
/// stack whatever its depth.
pub fn dismantle(module: Module) {
    let mut todo: Vec<Owned> = Vec::new();
    for item in module.items {
        match item.kind {
            ItemKind::Fn(f) => push_fn(&mut todo, f),
            ItemKind::Class(c) => {
                for f in c.methods.into_iter().chain(c.inits) {
                    push_fn(&mut todo, f);
                }
                todo.extend(c.fields.into_iter().map(|f| Owned::Type(f.ty)));
                todo.extend(c.parent.map(Owned::Type));
            }
            ItemKind::Enum(e) => {
                for f in e.methods {
                    push_fn(&mut todo, f);
                }
                for v in e.variants {
                    todo.extend(v.fields.into_iter().map(Owned::Type));
                }
            }
            ItemKind::TypeAlias { ty, .. } | ItemKind::Newtype { ty, .. } => {
                todo.push(Owned::Type(ty));
            }
            ItemKind::Test { fns, .. } | ItemKind::Bench { fns, .. } => {
                for f in fns {
                    push_fn(&mut todo, f);
                }
            }
        }
    }
    while let Some(node) = todo.pop() {
        match node {
            Owned::Expr(e) => expr_children(e, &mut todo),
            Owned::Block(b) => block_children(b, &mut todo),
            Owned::Stmt(s) => stmt_children(s, &mut todo),
            Owned::Pattern(p) => pattern_children(p, &mut todo),
            Owned::Type(t) => type_children(t, &mut todo),
        }
        // `node`'s own drop ran here, its children already moved out.
    }
}

fn push_fn(todo: &mut Vec<Owned>, f: FnDecl) {
    push_params(todo, f.params);
    todo.extend(f.ret.map(Owned::Type));
    todo.push(Owned::Block(f.body));
}

fn push_params(todo: &mut Vec<Owned>, params: Vec<Param>) {
    for p in params {
        todo.push(Owned::Type(p.ty));
        todo.extend(p.default.map(Owned::Expr));
    }
}

fn push_args(todo: &mut Vec<Owned>, args: Vec<Arg>) {
    todo.extend(args.into_iter().map(|a| Owned::Expr(a.value)));
}

fn block_children(b: Block, todo: &mut Vec<Owned>) {
    todo.extend(b.stmts.into_iter().map(Owned::Stmt));
    if let Some(t) = b.tail {
        todo.push(Owned::Expr(*t));
    }
}

fn stmt_children(s: Stmt, todo: &mut Vec<Owned>) {
    match s.kind {
        StmtKind::Let { ty, value, .. } => {
            todo.push(Owned::Expr(value));
            todo.extend(ty.map(Owned::Type));
        }
        StmtKind::Expr(e) => todo.push(Owned::Expr(e)),
        StmtKind::Return(value) => todo.extend(value.map(Owned::Expr)),
        StmtKind::While { cond, body } => {
            todo.push(Owned::Expr(cond));
            todo.push(Owned::Block(body));
        }
        StmtKind::For { ty, iter, body, .. } => {
            todo.push(Owned::Expr(iter));
            todo.extend(ty.map(Owned::Type));
            todo.push(Owned::Block(body));
        }
        StmtKind::Concurrent { args, body } => {
            push_args(todo, args);
            todo.push(Owned::Block(body));
        }
        StmtKind::Select(arms) => {
            for arm in arms {
                match arm.kind {
                    SelectArmKind::Recv { ty, channel, .. } => {
                        todo.push(Owned::Expr(channel));
                        todo.extend(ty.map(Owned::Type));
                    }
                    SelectArmKind::Send(e) | SelectArmKind::After(e) => {
                        todo.push(Owned::Expr(e));
                    }
                    SelectArmKind::Default => {}
                }
                todo.push(Owned::Block(arm.body));
            }
        }
        StmtKind::Break | StmtKind::Continue | StmtKind::Error => {}
    }
}

fn pattern_children(p: Pattern, todo: &mut Vec<Owned>) {
    match p.kind {
        PatternKind::Binding { ty, .. } => todo.extend(ty.map(Owned::Type)),
        PatternKind::Literal(e) => todo.push(Owned::Expr(e)),
        PatternKind::Variant { fields, .. } => {
            todo.extend(fields.into_iter().flatten().map(Owned::Pattern));
        }
        PatternKind::Wildcard | PatternKind::Error => {}
    }
}

fn type_children(t: TypeExpr, todo: &mut Vec<Owned>) {
    match t.kind {
        TypeExprKind::Named { args, .. } => todo.extend(args.into_iter().map(Owned::Type)),
        TypeExprKind::List(e) | TypeExprKind::Set(e) => todo.push(Owned::Type(*e)),
        TypeExprKind::Dict(k, v) => {
            todo.push(Owned::Type(*k));
            todo.push(Owned::Type(*v));
        }
        TypeExprKind::Fn { params, ret } => {
            todo.extend(params.into_iter().map(Owned::Type));
            if let Some(r) = ret {
                todo.push(Owned::Type(*r));
            }
        }
        TypeExprKind::Unit | TypeExprKind::Error => {}
    }
}

fn expr_children(e: Expr, todo: &mut Vec<Owned>) {
    match e.kind {
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
                    todo.push(Owned::Expr(x));
                }
            }
        }
        ExprKind::List(items) | ExprKind::Set(items) | ExprKind::Race(items) => {
            todo.extend(items.into_iter().map(Owned::Expr));
        }
        ExprKind::Dict(entries) => {
            for (k, v) in entries {
                todo.push(Owned::Expr(k));
                todo.push(Owned::Expr(v));
            }
        }
        ExprKind::Binary { lhs, rhs, .. }
        | ExprKind::Assign {
            target: lhs,
            value: rhs,
        }
        | ExprKind::Index {
            object: lhs,
            index: rhs,
        }
        | ExprKind::Range {
            start: lhs,
            end: rhs,
            ..
        } => {
            todo.push(Owned::Expr(*lhs));
            todo.push(Owned::Expr(*rhs));
        }
        ExprKind::Unary { operand: x, .. }
        | ExprKind::Try(x)
        | ExprKind::Field { object: x, .. } => todo.push(Owned::Expr(*x)),
        ExprKind::Call { callee: x, args }
        | ExprKind::MethodCall {
            receiver: x, args, ..
        } => {
            todo.push(Owned::Expr(*x));
            push_args(todo, args);
        }
        ExprKind::SuperCall { args, .. } => push_args(todo, args),
        ExprKind::Cast { value, target } => {
            todo.push(Owned::Expr(*value));
            todo.push(Owned::Type(target));
        }
        ExprKind::Block(b) | ExprKind::Spawn(b) => todo.push(Owned::Block(b)),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            todo.push(Owned::Expr(*cond));
            todo.push(Owned::Block(then));
            if let Some(o) = otherwise {
                todo.push(Owned::Expr(*o));
            }
        }
        ExprKind::Match { scrutinee, arms } => {
            todo.push(Owned::Expr(*scrutinee));
            for arm in arms {
                todo.push(Owned::Pattern(arm.pattern));
                todo.push(Owned::Expr(arm.body));
            }
        }
        ExprKind::Closure { params, ret, body } => {
            push_params(todo, params);
            todo.extend(ret.map(Owned::Type));
            todo.push(Owned::Block(body));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn expr(kind: ExprKind) -> Expr {
        Expr {
            kind,
            span: Span::default(),
        }
    }

    /// A chain far deeper than the test thread's stack could drop by
    /// recursion (each level is a `+` whose left operand is the rest), in
    /// a `let` of a function, is freed without overflowing.
    #[test]
    fn a_chain_deeper_than_the_stack_is_freed() {
        let mut chain = expr(ExprKind::Int {
            value: 1,
            suffix: None,
        });
        for _ in 0..1_000_000 {
            chain = expr(ExprKind::Binary {
                op: BinOp::Add,
                lhs: Box::new(chain),
                rhs: Box::new(expr(ExprKind::SelfValue)),
            });
        }
        let ident = |name: &str| Ident {
            name: name.to_string(),
            span: Span::default(),
        };
        let body = Block {
            stmts: vec![Stmt {
                kind: StmtKind::Let {
                    mutable: false,
                    name: ident("x"),
                    ty: None,
                    value: chain,
                },
                span: Span::default(),
            }],
            tail: None,
            span: Span::default(),
        };
        let module = Module {
            mod_decl: None,
            uses: Vec::new(),
            items: vec![Item {
                is_pub: false,
                kind: ItemKind::Fn(FnDecl {
                    modifiers: FnModifiers::default(),
                    name: ident("main"),
                    generics: Vec::new(),
                    params: Vec::new(),
                    ret: None,
                    body,
                    span: Span::default(),
                }),
                span: Span::default(),
            }],
        };
        // The default test thread has 2 MiB of stack; recursing a million
        // levels would need far more.
        std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || dismantle(module))
            .expect("a thread")
            .join()
            .expect("dismantling overflowed or panicked");
    }
}
