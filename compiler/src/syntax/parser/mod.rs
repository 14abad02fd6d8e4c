//! The parser: chumsky parsers over the token stream, one `*_parser()`
//! function per grammar category (expressions, statements, items, types,
//! patterns), plus recovery and the conversion of chumsky errors into
//! [`Diagnostic`]s.
//!
//! Entry point: [`parse`]. It always returns a [`Module`], possibly partial.

mod atom;
mod errors;
mod expr;
mod item;
mod pattern;
mod recovery;
mod stmt;
mod ty;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_errors;

use chumsky::error::RichReason;
use chumsky::input::ValueInput;
use chumsky::prelude::*;

use crate::diag::Diagnostic;
use crate::source::{FileId, Span};
use crate::syntax::ast::{Block, Expr, Ident, Module, Path, TypeExpr};
use crate::syntax::limits;
use crate::syntax::token::Token;

/// Parser state: errors are chumsky's rich errors over our tokens.
pub(crate) type Extra<'t> = extra::Err<Rich<'t, Token, Span, errors::Custom>>;

/// A boxed parser of `O` (every grammar category is boxed: it keeps types
/// and compile times small).
pub(crate) type P<'t, I, O> = Boxed<'t, 't, I, O, Extra<'t>>;

/// Any token input whose tokens are [`Token`]s spanned by our [`Span`].
pub(crate) trait TokenInput<'t>: ValueInput<'t, Token = Token, Span = Span> {}
impl<'t, T> TokenInput<'t> for T where T: ValueInput<'t, Token = Token, Span = Span> {}

/// Lets chumsky build our spans directly (the context is the file).
impl chumsky::span::Span for Span {
    type Context = FileId;
    type Offset = usize;

    fn new(context: FileId, range: std::ops::Range<usize>) -> Self {
        Span::new(context, range.start, range.end.max(range.start))
    }
    fn context(&self) -> FileId {
        self.file
    }
    fn start(&self) -> usize {
        self.start as usize
    }
    fn end(&self) -> usize {
        self.end as usize
    }
}

/// Delimiters open at the end of the file, or left open by one
/// mismatched closer, beyond which the file is not parsed: only the
/// unclosed delimiters are reported (found by tools/frontfuzz, issue 15).
const MAX_UNCLOSED: usize = 200;

/// Parses a token stream into a module. `text_len` is the length of the
/// source (the end-of-input position). `eof_explained`: the lexer already
/// reported why the file ends early (an unterminated string or comment),
/// so errors at the end of input are not reported again. Never fails: a
/// module comes back with every diagnostic.
pub fn parse(
    file: FileId,
    tokens: &[(Token, Span)],
    text_len: usize,
    eof_explained: bool,
) -> (Module, Vec<Diagnostic>) {
    let eoi = Span::new(file, text_len, text_len);
    let delimiters = errors::match_delimiters(tokens);
    let open = delimiters.open;
    let unclosed = errors::unclosed_diagnostic(&open, eoi);
    let abandoned = delimiters
        .abandoned
        .filter(|(_, openers)| openers.len() > MAX_UNCLOSED);
    if open.len() > MAX_UNCLOSED || abandoned.is_some() {
        // Recovery would rescan the rest of the group at every open level
        // (quadratic: 8,000 parentheses open at the end took 8 seconds,
        // 4,000 closed by one `}` 5 seconds). The parse's errors there
        // would be explained by the unclosed delimiters; other mistakes
        // wait for the next run.
        let mut diags: Vec<Diagnostic> = abandoned
            .map(|(closer, openers)| errors::abandoned_diagnostic(closer, &openers))
            .into_iter()
            .collect();
        if open.len() > MAX_UNCLOSED && !eof_explained {
            diags.extend(unclosed);
        }
        let module = Module {
            mod_decl: None,
            uses: Vec::new(),
            items: Vec::new(),
        };
        return (module, diags);
    }
    recovery::reset_recovery_budget();
    let input = tokens.map(eoi, |(t, s)| (t, s));
    let (module, errs) = item::module_parser().parse(input).into_output_errors();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let raw_errors = errs.len();
    let failed = module.is_none();
    let mut hit_end = false;
    for e in errs {
        // Errors at the end of input are explained by an unclosed
        // delimiter or by the lexer.
        let at_end = matches!(e.reason(), RichReason::ExpectedFound { found: None, .. });
        hit_end |= at_end;
        if at_end && (unclosed.is_some() || eof_explained) {
            continue;
        }
        diags.push(errors::to_diagnostic(&e));
    }
    // Report open delimiters only when they made the parse run off the end.
    if hit_end && !eof_explained {
        diags.extend(unclosed);
    }
    let module = module.unwrap_or(Module {
        mod_decl: None,
        uses: Vec::new(),
        items: Vec::new(),
    });
    if failed && raw_errors == 0 {
        // Defensive: a failed parse must never be silent.
        diags.push(Diagnostic::new(
            crate::diag::Code::UnexpectedToken,
            "could not parse this file",
            tokens.first().map_or(eoi, |(_, span)| *span),
            "parsing failed here",
        ));
    }
    diags.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
    (module, diags)
}

/// The mutually recursive core: expressions and blocks (which hold
/// statements, which hold expressions).
pub(crate) struct Core<'t, I: TokenInput<'t>> {
    pub expr: P<'t, I, Expr>,
    pub block: P<'t, I, Block>,
    pub ty: P<'t, I, TypeExpr>,
}

/// Built with chumsky's `recursive`, whose parser refers to itself
/// through a weak reference: `Recursive::declare`/`define` refer through
/// strong ones, and a parser built that way is a reference cycle never
/// freed (chumsky issue 486; every parse leaked ~25 KB of parser, found
/// by frontfuzz's memory growth). Expressions hold blocks: the block
/// parser inside the expression parser refers to the expression parser
/// weakly; the blocks of items get a block parser of their own over the
/// finished expression parser.
pub(crate) fn core<'t, I: TokenInput<'t>>() -> Core<'t, I> {
    let ty = ty::type_parser();
    let pattern = pattern::pattern_parser(ty.clone());
    let block_over = |expr: P<'t, I, Expr>, ty: P<'t, I, TypeExpr>| {
        recursive(move |block| {
            stack_gate().ignore_then(stmt::block_parser(expr.clone(), block.boxed(), ty.clone()))
        })
        .boxed()
    };
    let expr: P<'t, I, Expr> = recursive(|expr| {
        let expr: P<'t, I, Expr> = expr.boxed();
        let block = block_over(expr.clone(), ty.clone());
        stack_gate().ignore_then(expr::expr_parser(expr, block, ty.clone(), pattern))
    })
    .boxed();
    Core {
        block: block_over(expr.clone(), ty.clone()),
        expr,
        ty,
    }
}

// ---------------------------------------------------------------- shared pieces

/// Consumes nothing; fails, noting where, when the stack runs low (see
/// `syntax::limits`). Placed at the start of every recursive grammar
/// category, so no nesting can exhaust the stack.
pub(crate) fn stack_gate<'t, I: TokenInput<'t>>() -> P<'t, I, ()> {
    empty()
        .try_map(|(), span: Span| {
            if limits::stack_is_low() {
                limits::note_ran_out(span);
                Err(Rich::custom(span, "nested too deeply"))
            } else {
                Ok(())
            }
        })
        .boxed()
}

/// A plain identifier.
pub(crate) fn ident<'t, I: TokenInput<'t>>() -> P<'t, I, Ident> {
    select! { Token::Ident(name) = e => Ident { name, span: e.span() } }
        .labelled("identifier")
        .boxed()
}

/// The name a keyword takes as a module path segment (`mod`, `test`...;
/// `List`/`Dict`/`Set` are stored lower-cased).
pub(crate) fn path_keyword(tok: &Token) -> Option<&'static str> {
    Some(match tok {
        Token::Test => "test",
        Token::Mod => "mod",
        Token::Type => "type",
        Token::Bench => "bench",
        Token::Init => "init",
        Token::Fn => "fn",
        Token::Enum => "enum",
        Token::Class => "class",
        Token::List => "list",
        Token::Dict => "dict",
        Token::Set => "set",
        _ => return None,
    })
}

/// A path segment: an identifier or one of the keywords allowed in paths.
pub(crate) fn path_segment<'t, I: TokenInput<'t>>() -> P<'t, I, Ident> {
    select! {
        Token::Ident(name) = e => Ident { name, span: e.span() },
        tok = e if path_keyword(&tok).is_some() => Ident {
            name: path_keyword(&tok).unwrap_or_default().to_string(),
            span: e.span(),
        },
    }
    .labelled("identifier")
    .boxed()
}

/// `a::b::c` for `mod`/`use` declarations.
pub(crate) fn module_path<'t, I: TokenInput<'t>>() -> P<'t, I, Path> {
    path_segment()
        .separated_by(just(Token::ColonColon))
        .at_least(1)
        .collect::<Vec<_>>()
        .map_with(|segments, e| Path {
            segments,
            span: e.span(),
        })
        .boxed()
}

/// A method or field name after `.`: an identifier or any keyword.
pub(crate) fn member_name<'t, I: TokenInput<'t>>() -> P<'t, I, Ident> {
    // Any keyword is a member name after `.` (`Thread.spawn(...)`,
    // `x.match`): a divergence from the spec, see docs/decisions.md.
    select! {
        Token::Ident(name) = e => Ident { name, span: e.span() },
        tok = e if tok.keyword_text().is_some() => Ident {
            name: tok.keyword_text().unwrap_or_default().to_string(),
            span: e.span(),
        },
    }
    .labelled("identifier")
    .boxed()
}

/// A contextual keyword: an identifier with this exact text.
pub(crate) fn contextual<'t, I: TokenInput<'t>>(word: &'static str) -> P<'t, I, Ident> {
    select! { Token::Ident(name) = e if name == word => Ident { name, span: e.span() } }
        .labelled(word)
        .boxed()
}
