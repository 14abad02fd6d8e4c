//! How deeply a program may nest, and the checks that enforce it.
//!
//! The lexer, the parser, the checker and the code generator recurse on
//! the nesting of the program. They run on a thread with a big stack
//! (`crate::stack`), and nesting beyond what that stack can take is a
//! diagnostic (E0901), never a crash (issue 7, item 4). Three checks, each
//! cheap and none recursive:
//!
//! * [`check_tokens`], before parsing: at most [`MAX_NESTING`] delimiters
//!   (`(`, `[`, `{`, `${`) open at once. This bounds the parser's
//!   recursion for everything but chains of operators and types.
//! * [`check_depth`], after parsing: on every path from the root of the
//!   tree, at most [`MAX_NESTING`] nested nodes, not counting the left
//!   operand of a binary operator (the checker and the code generator walk
//!   `a + b + c + ...` with a loop), and at most [`MAX_DEPTH`] nodes
//!   counting it (dropping a tree still recurses along such chains).
//! * [`stack_is_low`]: the recursive passes test it as they go down and
//!   stop with a diagnostic when less than [`STACK_RESERVE`] of their stack
//!   is left. It catches what the two counts cannot see (a type written
//!   `Fn() -> Fn() -> ...`, a smaller stack than planned).

use std::cell::Cell;

use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::token::Token;

/// Delimiters open at once, and nodes nested on one path of the tree
/// (left operands of binary operators aside).
pub const MAX_NESTING: usize = 10_000;

/// Nodes on one path of the tree, left operands of binary operators
/// included (a sum of more terms than this is too long).
pub const MAX_DEPTH: usize = 100_000;

/// Stack a recursive pass keeps in reserve: when less is left it stops.
/// The passes test it at every expression (the parser at every
/// expression, block, type and pattern), and the most stack used between
/// two tests is about 64 KiB (the unoptimised parser); what runs after a
/// stop (error recovery, unwinding) needs little.
const STACK_RESERVE: usize = 256 << 10;

thread_local! {
    /// Where the lexer or the parser found its stack running low.
    static RAN_OUT: Cell<Option<Span>> = const { Cell::new(None) };
}

/// Whether the current thread has less than [`STACK_RESERVE`] of stack
/// left, so a recursive pass must not go deeper.
pub fn stack_is_low() -> bool {
    stacker::remaining_stack().is_some_and(|left| left < STACK_RESERVE)
}

/// Records that the lexer or parser stopped at `span` for lack of stack.
pub(crate) fn note_ran_out(span: Span) {
    RAN_OUT.with(|r| {
        if r.get().is_none() {
            r.set(Some(span));
        }
    });
}

/// Where the lexer or parser stopped for lack of stack since the last
/// call, if it did.
pub(crate) fn take_ran_out() -> Option<Span> {
    RAN_OUT.with(Cell::take)
}

/// The diagnostic for code nested beyond a limit at `span`.
pub fn too_deep(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::NestedTooDeeply,
        format!("this code is nested too deeply: {what}"),
        span,
        "the limit is passed here",
    )
    .with_hint("split it: give inner parts names with `let`, or move them into functions")
}

/// The diagnostic for a recursive pass that ran short of stack at `span`.
pub fn out_of_stack(span: Span) -> Diagnostic {
    too_deep(span, "the compiler ran out of stack space here")
}

/// At most [`MAX_NESTING`] delimiters open at once.
pub fn check_tokens(tokens: &[(Token, Span)]) -> Option<Diagnostic> {
    let mut depth = 0usize;
    for (tok, span) in tokens {
        match tok {
            Token::LParen | Token::LBracket | Token::LBrace | Token::InterpOpen => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(too_deep(
                        *span,
                        &format!(
                            "more than {} brackets, braces or parentheses are open",
                            thousands(MAX_NESTING)
                        ),
                    ));
                }
            }
            Token::RParen | Token::RBracket | Token::RBrace | Token::InterpClose => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    None
}

/// `10000` as `10,000`.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A node of the tree, for the walk of [`check_depth`].
enum Node<'a> {
    Expr(&'a Expr),
    Block(&'a Block),
    Stmt(&'a Stmt),
    Pattern(&'a Pattern),
    Type(&'a TypeExpr),
    Args(&'a [Arg]),
    Params(&'a [Param]),
}

/// At most [`MAX_NESTING`] nested nodes on a path (left operands of
/// binary operators aside) and [`MAX_DEPTH`] counting them. The walk keeps
/// its own stack, so it handles any tree the parser could build.
pub fn check_depth(module: &Module) -> Option<Diagnostic> {
    // (node, nesting, depth)
    let mut todo: Vec<(Node, usize, usize)> = Vec::new();
    for item in &module.items {
        match &item.kind {
            ItemKind::Fn(f) => push_fn(&mut todo, f),
            ItemKind::Class(c) => {
                for f in c.methods.iter().chain(&c.inits) {
                    push_fn(&mut todo, f);
                }
                for field in &c.fields {
                    todo.push((Node::Type(&field.ty), 0, 0));
                }
                if let Some(parent) = &c.parent {
                    todo.push((Node::Type(parent), 0, 0));
                }
            }
            ItemKind::Enum(e) => {
                for f in &e.methods {
                    push_fn(&mut todo, f);
                }
                for v in &e.variants {
                    todo.extend(v.fields.iter().map(|t| (Node::Type(t), 0, 0)));
                }
            }
            ItemKind::TypeAlias { ty, .. } | ItemKind::Newtype { ty, .. } => {
                todo.push((Node::Type(ty), 0, 0));
            }
            ItemKind::Test { fns, .. } | ItemKind::Bench { fns, .. } => {
                for f in fns {
                    push_fn(&mut todo, f);
                }
            }
        }
    }
    while let Some((node, parent_nesting, parent_depth)) = todo.pop() {
        // Expressions, patterns and types count; blocks, statements and
        // argument lists are part of the expression that holds them. The
        // left operand of a binary operator counts towards the depth only
        // (`lhs_of_binary` marks it with a nesting one too high).
        let counts = usize::from(matches!(
            node,
            Node::Expr(_) | Node::Pattern(_) | Node::Type(_)
        ));
        let (nesting, depth) = (parent_nesting + counts, parent_depth + counts);
        if nesting > MAX_NESTING {
            return Some(too_deep(
                node_span(&node),
                &format!("more than {} levels", thousands(MAX_NESTING)),
            ));
        }
        if depth > MAX_DEPTH {
            return Some(too_deep(
                node_span(&node),
                &format!(
                    "more than {} levels, counting chains of operators",
                    thousands(MAX_DEPTH)
                ),
            ));
        }
        children(&node, nesting, depth, &mut todo);
    }
    None
}

fn push_fn<'a>(todo: &mut Vec<(Node<'a>, usize, usize)>, f: &'a FnDecl) {
    todo.push((Node::Params(&f.params), 0, 0));
    if let Some(ret) = &f.ret {
        todo.push((Node::Type(ret), 0, 0));
    }
    todo.push((Node::Block(&f.body), 0, 0));
}

fn node_span(node: &Node) -> Span {
    match node {
        Node::Expr(e) => e.span,
        Node::Block(b) => b.span,
        Node::Stmt(s) => s.span,
        Node::Pattern(p) => p.span,
        Node::Type(t) => t.span,
        Node::Args(a) => a.first().map_or(Span::default(), |a| a.span),
        Node::Params(p) => p.first().map_or(Span::default(), |p| p.span),
    }
}

/// Pushes the children of `node`, whose own nesting and depth are `n`
/// and `d`.
fn children<'a>(node: &Node<'a>, n: usize, d: usize, todo: &mut Vec<(Node<'a>, usize, usize)>) {
    let expr = |todo: &mut Vec<(Node<'a>, usize, usize)>, e: &'a Expr| {
        todo.push((Node::Expr(e), n, d));
    };
    match node {
        Node::Expr(e) => expr_children(e, n, d, todo),
        Node::Block(b) => {
            todo.extend(b.stmts.iter().map(|s| (Node::Stmt(s), n, d)));
            if let Some(t) = &b.tail {
                expr(todo, t);
            }
        }
        Node::Stmt(s) => match &s.kind {
            StmtKind::Let { ty, value, .. } => {
                expr(todo, value);
                if let Some(t) = ty {
                    todo.push((Node::Type(t), n, d));
                }
            }
            StmtKind::Expr(e) => expr(todo, e),
            StmtKind::Return(value) => {
                if let Some(e) = value {
                    expr(todo, e);
                }
            }
            StmtKind::While { cond, body } => {
                expr(todo, cond);
                todo.push((Node::Block(body), n, d));
            }
            StmtKind::For { ty, iter, body, .. } => {
                expr(todo, iter);
                if let Some(t) = ty {
                    todo.push((Node::Type(t), n, d));
                }
                todo.push((Node::Block(body), n, d));
            }
            StmtKind::Concurrent { args, body } => {
                todo.push((Node::Args(args), n, d));
                todo.push((Node::Block(body), n, d));
            }
            StmtKind::Select(arms) => {
                for arm in arms {
                    match &arm.kind {
                        SelectArmKind::Recv { ty, channel, .. } => {
                            expr(todo, channel);
                            if let Some(t) = ty {
                                todo.push((Node::Type(t), n, d));
                            }
                        }
                        SelectArmKind::Send(e) | SelectArmKind::After(e) => expr(todo, e),
                        SelectArmKind::Default => {}
                    }
                    todo.push((Node::Block(&arm.body), n, d));
                }
            }
            StmtKind::Break | StmtKind::Continue | StmtKind::Error => {}
        },
        Node::Pattern(p) => match &p.kind {
            PatternKind::Binding { ty: Some(t), .. } => todo.push((Node::Type(t), n, d)),
            PatternKind::Literal(e) => expr(todo, e),
            PatternKind::Variant {
                fields: Some(fields),
                ..
            } => todo.extend(fields.iter().map(|f| (Node::Pattern(f), n, d))),
            _ => {}
        },
        Node::Type(t) => match &t.kind {
            TypeExprKind::Named { args, .. } => {
                todo.extend(args.iter().map(|a| (Node::Type(a), n, d)));
            }
            TypeExprKind::List(e) | TypeExprKind::Set(e) => todo.push((Node::Type(e), n, d)),
            TypeExprKind::Dict(k, v) => {
                todo.push((Node::Type(k), n, d));
                todo.push((Node::Type(v), n, d));
            }
            TypeExprKind::Fn { params, ret } => {
                todo.extend(params.iter().map(|p| (Node::Type(p), n, d)));
                if let Some(r) = ret {
                    todo.push((Node::Type(r), n, d));
                }
            }
            TypeExprKind::Unit | TypeExprKind::Error => {}
        },
        Node::Args(args) => todo.extend(args.iter().map(|a| (Node::Expr(&a.value), n, d))),
        Node::Params(params) => {
            for p in params.iter() {
                todo.push((Node::Type(&p.ty), n, d));
                if let Some(e) = &p.default {
                    expr(todo, e);
                }
            }
        }
    }
}

fn expr_children<'a>(e: &'a Expr, n: usize, d: usize, todo: &mut Vec<(Node<'a>, usize, usize)>) {
    let push = |todo: &mut Vec<(Node<'a>, usize, usize)>, x: &'a Expr| {
        todo.push((Node::Expr(x), n, d));
    };
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
                    push(todo, x);
                }
            }
        }
        ExprKind::List(items) | ExprKind::Set(items) | ExprKind::Race(items) => {
            items.iter().for_each(|x| push(todo, x));
        }
        ExprKind::Dict(entries) => {
            for (k, v) in entries {
                push(todo, k);
                push(todo, v);
            }
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            push(todo, rhs);
            // The left operand continues the chain: no deeper nesting.
            todo.push((Node::Expr(lhs), n.saturating_sub(1), d));
        }
        ExprKind::Unary { operand: x, .. } | ExprKind::Try(x) => push(todo, x),
        ExprKind::Assign { target, value } => {
            push(todo, target);
            push(todo, value);
        }
        ExprKind::Call { callee, args } => {
            push(todo, callee);
            todo.push((Node::Args(args), n, d));
        }
        ExprKind::MethodCall { receiver, args, .. } => {
            push(todo, receiver);
            todo.push((Node::Args(args), n, d));
        }
        ExprKind::SuperCall { args, .. } => todo.push((Node::Args(args), n, d)),
        ExprKind::Field { object, .. } => push(todo, object),
        ExprKind::Index { object, index } => {
            push(todo, object);
            push(todo, index);
        }
        ExprKind::Cast { value, target } => {
            push(todo, value);
            todo.push((Node::Type(target), n, d));
        }
        ExprKind::Range { start, end, .. } => {
            push(todo, start);
            push(todo, end);
        }
        ExprKind::Block(b) | ExprKind::Spawn(b) => todo.push((Node::Block(b), n, d)),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            push(todo, cond);
            todo.push((Node::Block(then), n, d));
            if let Some(o) = otherwise {
                push(todo, o);
            }
        }
        ExprKind::Match { scrutinee, arms } => {
            push(todo, scrutinee);
            for arm in arms {
                todo.push((Node::Pattern(&arm.pattern), n, d));
                todo.push((Node::Expr(&arm.body), n, d));
            }
        }
        ExprKind::Closure { params, ret, body } => {
            todo.push((Node::Params(params), n, d));
            if let Some(r) = ret {
                todo.push((Node::Type(r), n, d));
            }
            todo.push((Node::Block(body), n, d));
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each recursive pass stops with E0901 when its stack runs low: run
    //! on a thread with a small stack, a program nested deeply enough gets
    //! the diagnostic instead of overflowing.

    use std::path::Path;

    use crate::check;
    use crate::codegen;
    use crate::diag::{Code, Diagnostic};
    use crate::modules::SourceModule;
    use crate::source::{FileId, SourceMap, Span};
    use crate::syntax::parse_file;

    /// Runs `work` on a thread with a stack of `mib` MiB.
    fn on_small_stack<T: Send>(mib: usize, work: impl FnOnce() -> T + Send) -> T {
        std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(mib << 20)
                .spawn_scoped(s, work)
                .expect("spawn a thread")
                .join()
                .expect("no panic")
        })
    }

    fn assert_out_of_stack(diags: &[Diagnostic]) {
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(diags[0].code, Code::NestedTooDeeply, "{diags:#?}");
        assert!(diags[0].message.contains("ran out of stack"), "{diags:#?}");
    }

    fn nots(depth: usize) -> String {
        format!(
            "fn main() {{ let b: Bool = {}true; print(value = b); }}",
            "not ".repeat(depth)
        )
    }

    #[test]
    fn the_parser_stops_when_its_stack_runs_low() {
        let ifs = format!(
            "fn main() {{ let c: Bool = true; {} }}",
            format_args!("{}{}", "if (c) { ".repeat(3000), "} ".repeat(3000))
        );
        let diags = on_small_stack(8, || parse_file(FileId(0), &ifs).1);
        assert_out_of_stack(&diags);
    }

    #[test]
    fn the_checker_stops_when_its_stack_runs_low() {
        let src = nots(9000);
        let module = crate::stack::run(|| {
            let (module, diags) = parse_file(FileId(0), &src);
            assert!(diags.is_empty(), "{diags:#?}");
            module
        });
        let modules = [SourceModule {
            path: Vec::new(),
            ast: module,
        }];
        let diags = on_small_stack(8, || check::check(&modules, Span::default()).1);
        assert_out_of_stack(&diags);
        crate::stack::run(move || drop(modules));
    }

    #[test]
    fn lowering_and_code_generation_stop_when_their_stack_runs_low() {
        let src = nots(9000);
        let mut sources = SourceMap::default();
        sources.add(Path::new("deep.plat"), "deep.plat".into(), src.clone());
        let program = crate::stack::run(|| {
            let (module, diags) = parse_file(FileId(0), &src);
            assert!(diags.is_empty(), "{diags:#?}");
            let modules = [SourceModule {
                path: Vec::new(),
                ast: module,
            }];
            let (program, diags) = check::check(&modules, Span::default());
            assert!(diags.is_empty(), "{diags:#?}");
            program.expect("a checked program")
        });
        // Lowering to MIR recurses on the nesting too.
        let lowered = on_small_stack(8, || crate::mir::lower(&program).err());
        let diag = lowered.expect("lowering must stop");
        assert_out_of_stack(&[*diag]);
        let mir = crate::stack::run(|| crate::mir::lower(&program).expect("lowered"));
        let result = on_small_stack(8, || {
            match codegen::generate(&program, &mir, &sources, codegen::Options::default()) {
                Ok(_) => None,
                Err(codegen::Error::Program(d)) => Some(d),
                Err(codegen::Error::Internal(e)) => panic!("internal error: {e}"),
            }
        });
        let diag = result.expect("code generation must stop");
        assert_out_of_stack(&[*diag]);
        crate::stack::run(move || drop((program, mir)));
    }
}
