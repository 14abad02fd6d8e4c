//! Syntax: tokens, the lexer, the AST and the parser. The entry point is
//! [`parse_file`]: source text in, a module (possibly partial) and every
//! lexical and syntax diagnostic out.

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod token;

use crate::diag::{Code, Diagnostic};
use crate::source::FileId;

/// Lexes and parses one file. Always returns a module (with `Error` nodes
/// where recovery happened) and all diagnostics, sorted by position.
pub fn parse_file(file: FileId, text: &str) -> (ast::Module, Vec<Diagnostic>) {
    let (tokens, mut diags) = lexer::lex(file, text);
    let eof_explained = diags
        .iter()
        .any(|d| matches!(d.code, Code::UnterminatedString | Code::UnterminatedComment));
    let (module, parse_diags) = parser::parse(file, &tokens, text.len(), eof_explained);
    diags.extend(parse_diags);
    diags.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
    // Recovery can reach the same error twice by two routes.
    diags.dedup_by(|a, b| {
        a.code == b.code && a.primary.span == b.primary.span && a.message == b.message
    });
    (module, diags)
}
