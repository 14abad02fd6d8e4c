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
use crate::syntax::ast::Module;
use crate::syntax::token::Token;
use crate::syntax::walk::{self, Edge, Node};

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

/// At most [`MAX_NESTING`] nested nodes on a path (left operands of
/// binary operators aside) and [`MAX_DEPTH`] counting them. The walk keeps
/// its own stack, so it handles any tree the parser could build.
pub fn check_depth(module: &Module) -> Option<Diagnostic> {
    // (node, its parent's nesting, its parent's depth)
    let mut todo: Vec<(Node, usize, usize)> = walk::items(module).map(|n| (n, 0, 0)).collect();
    while let Some((node, parent_nesting, parent_depth)) = todo.pop() {
        // Expressions, patterns and types count; items, functions,
        // blocks, statements and argument lists are part of what holds
        // them. The left operand of a binary operator counts towards the
        // depth only.
        let counts = usize::from(matches!(
            node,
            Node::Expr(_) | Node::Pattern(_) | Node::Type(_)
        ));
        let (nesting, depth) = (parent_nesting + counts, parent_depth + counts);
        if nesting > MAX_NESTING {
            return Some(too_deep(
                node.span(),
                &format!("more than {} levels", thousands(MAX_NESTING)),
            ));
        }
        if depth > MAX_DEPTH {
            return Some(too_deep(
                node.span(),
                &format!(
                    "more than {} levels, counting chains of operators",
                    thousands(MAX_DEPTH)
                ),
            ));
        }
        walk::children(node, |child, edge| {
            // The left operand continues the chain: no deeper nesting.
            let n = match edge {
                Edge::Nested => nesting,
                Edge::Chain => nesting.saturating_sub(1),
            };
            todo.push((child, n, depth));
        });
    }
    None
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
