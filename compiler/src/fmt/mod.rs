//! `plat fmt`: the canonical layout of a Plat file.
//!
//! The formatter is a pretty printer over the syntax tree
//! ([`crate::syntax::ast`]) that also puts back the comments, which the
//! lexer drops: [`comments`] finds them in the gaps between tokens, and
//! the printer places each one before the first node that follows it, or
//! after the line it ended. The layout (docs/fmt.md): 2-space indentation,
//! one statement per line, spaces around binary operators and the `=` of
//! named arguments, `name: Type`, a blank line between items, the source's
//! blank lines inside bodies kept (at most one), no trailing whitespace,
//! one final newline. Lines are never wrapped. Literals are copied from
//! the source byte for byte.
//!
//! [`format_source`] checks its own work before handing it back: the
//! output must parse to the same tree (spans aside) and hold the same
//! comments in the same order, or the file is reported and left alone.

mod cli;
mod comments;
mod exprs;
mod items;
mod printer;
mod stmts;
#[cfg(test)]
mod tests;

use crate::diag::Diagnostic;
use crate::source::FileId;
use crate::syntax::{self, ast, lexer};

pub use cli::run;

/// Why a file was not formatted.
#[derive(Debug)]
pub enum FmtError {
    /// The file does not parse: these are the diagnostics of `plat check`.
    Syntax(Vec<Diagnostic>),
    /// A bug of the formatter, caught by its own check (the file is left
    /// as it is).
    Internal(String),
}

/// The canonical layout of `text` (the contents of `file`).
pub fn format_source(file: FileId, text: &str) -> Result<String, FmtError> {
    let (module, diags) = syntax::parse_file(file, text);
    if !diags.is_empty() {
        return Err(FmtError::Syntax(diags));
    }
    let (tokens, _) = lexer::lex(file, text);
    let mut printer = printer::Printer::new(text, &tokens);
    printer.module(&module);
    let out = printer.finish();

    // Never change meaning, never lose a comment.
    let (again, diags) = syntax::parse_file(file, &out);
    if !diags.is_empty() {
        let first = diags.first().map_or(String::new(), |d| d.message.clone());
        return Err(FmtError::Internal(format!(
            "the formatted text does not parse ({first})"
        )));
    }
    if tree_shape(&again) != tree_shape(&module) {
        return Err(FmtError::Internal(
            "the formatted text parses to a different program".into(),
        ));
    }
    let (out_tokens, _) = lexer::lex(file, &out);
    let texts = |cs: Vec<comments::Comment>| cs.into_iter().map(|c| c.text).collect::<Vec<_>>();
    if texts(comments::scan(&out, &out_tokens)) != texts(comments::scan(text, &tokens)) {
        return Err(FmtError::Internal(
            "the formatted text does not keep every comment in order".into(),
        ));
    }
    Ok(out)
}

/// The tree as text without its spans: two files with the same shape are
/// the same program (their comments and layout aside).
pub fn tree_shape(module: &ast::Module) -> String {
    let full = format!("{module:?}");
    let mut out = String::with_capacity(full.len());
    let mut rest = full.as_str();
    // Spans print as `span: START..END`.
    while let Some(at) = rest.find("span: ") {
        out.push_str(rest.get(..at).unwrap_or(""));
        let after = rest.get(at + 6..).unwrap_or("");
        let skip = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        out.push_str("span");
        rest = after.get(skip..).unwrap_or("");
    }
    out.push_str(rest);
    out
}
