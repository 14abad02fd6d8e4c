//! Syntax: tokens, the lexer, the AST and the parser. The entry point is
//! [`parse_file`]: source text in, a module (possibly partial) and every
//! lexical and syntax diagnostic out.

pub mod ast;
pub mod dismantle;
pub mod lexer;
pub mod limits;
pub mod parser;
pub mod token;
pub mod walk;

use crate::diag::{Code, Diagnostic};
use crate::source::FileId;

/// Lexes and parses one file. Always returns a module (with `Error` nodes
/// where recovery happened) and all diagnostics, sorted by position.
/// A file nested too deeply (see [`limits`]) gives an empty module and
/// that one diagnostic.
pub fn parse_file(file: FileId, text: &str) -> (ast::Module, Vec<Diagnostic>) {
    let empty = || ast::Module {
        mod_decl: None,
        uses: Vec::new(),
        items: Vec::new(),
    };
    limits::take_ran_out();
    let (tokens, mut diags) = lexer::lex(file, text);
    if let Some(span) = limits::take_ran_out() {
        let span = crate::source::Span { file, ..span };
        return (empty(), vec![limits::out_of_stack(span)]);
    }
    if let Some(too_deep) = limits::check_tokens(&tokens) {
        return (empty(), vec![too_deep]);
    }
    let eof_explained = diags
        .iter()
        .any(|d| matches!(d.code, Code::UnterminatedString | Code::UnterminatedComment));
    let (module, parse_diags) = parser::parse(file, &tokens, text.len(), eof_explained);
    let too_deep = match limits::take_ran_out() {
        Some(span) => Some(limits::out_of_stack(span)),
        None => limits::check_depth(&module),
    };
    if let Some(too_deep) = too_deep {
        // Dropping a tree recurses along it: this one may be too deep
        // for that.
        dismantle::dismantle(module);
        return (empty(), vec![too_deep]);
    }
    diags.extend(parse_diags);
    diags.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
    // Recovery can reach the same error twice by two routes.
    diags.dedup_by(|a, b| {
        a.code == b.code && a.primary.span == b.primary.span && a.message == b.message
    });
    (module, diags)
}
