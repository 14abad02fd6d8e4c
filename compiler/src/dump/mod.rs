//! Text dumps of the AST (`--emit=ast`) and of the HIR (`--emit=hir`), for
//! people debugging the compiler.
//!
//! Both are S-expressions: `(head child child ...)`. Items, statements,
//! match arms and the like start a new line, indented two spaces per open
//! parenthesis; expressions stay on the line of their statement.
//!
//! The output is linear in the size of the tree, whatever its shape:
//! indentation stops growing after [`MAX_INDENT`] levels (an indentation
//! proportional to the depth made the old `{:#?}` dump of an 800-term sum
//! 33 MB), the left spine of an operator chain (`1 + 2 + 3 ...`) is
//! printed by a loop rather than by recursion, and in the HIR a long type
//! is printed once in a table and referred to by number.

mod ast;
mod hir;

pub use ast::module as ast_module;
pub use hir::program as hir_program;

use std::fmt::Write as _;

/// Indentation stops growing at this many levels.
const MAX_INDENT: usize = 16;

/// Builds the text of a dump.
#[derive(Default)]
pub(crate) struct Writer {
    out: String,
    /// Open parentheses.
    depth: usize,
}

impl Writer {
    /// `(head`
    fn open(&mut self, head: &str) {
        self.out.push('(');
        self.out.push_str(head);
        self.depth += 1;
    }

    /// A new line, then `(head`.
    fn open_line(&mut self, head: &str) {
        self.newline();
        self.open(head);
    }

    /// `)`
    fn close(&mut self) {
        self.out.push(')');
        self.depth = self.depth.saturating_sub(1);
    }

    /// ` text`: a child that is a word (a name, a literal, a type).
    fn atom(&mut self, text: impl std::fmt::Display) {
        let _ = write!(self.out, " {text}");
    }

    /// A space before a child that is itself a list.
    fn space(&mut self) {
        self.out.push(' ');
    }

    /// A line break indented to the current depth (capped).
    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth.min(MAX_INDENT) {
            self.out.push_str("  ");
        }
    }

    fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }
}

#[cfg(test)]
mod tests;
