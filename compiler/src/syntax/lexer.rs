//! The lexer: a chumsky parser over `&str` that turns source text into
//! `(Token, Span)` pairs.
//!
//! It never stops at a mistake: every alternative ends in a catch-all, so a
//! bad character, number, string or comment is reported as a
//! [`Diagnostic`] and lexing goes on. Interpolated strings are lexed
//! recursively at their real offsets (see [`Token::StrStart`]), so the
//! expressions inside `${ }` carry spans into the original file.

use chumsky::prelude::*;

use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::syntax::ast::{FloatSuffix, IntSuffix};
use crate::syntax::limits;
use crate::syntax::token::Token;

type LexExtra<'src> = extra::Err<Rich<'src, char>>;

/// A lexer error before it becomes a [`Diagnostic`] (spans are raw offsets).
#[derive(Clone, Debug)]
struct LexError {
    code: Code,
    message: String,
    label: String,
    span: SimpleSpan,
    hint: Option<String>,
}

/// One lexer output item: a token or an error.
#[derive(Clone, Debug)]
enum Lexed {
    Tok(Token, SimpleSpan),
    Err(LexError),
    /// The items of an interpolation or of a `{ }` inside one, spliced in
    /// place by [`lex`]. Moving the group up one level of nesting is then
    /// one move, not one per token (copying made deeply nested
    /// interpolations quadratic).
    Group(Vec<Lexed>),
}

impl Lexed {
    fn err(
        code: Code,
        message: impl Into<String>,
        label: impl Into<String>,
        span: SimpleSpan,
    ) -> Lexed {
        Lexed::Err(LexError {
            code,
            message: message.into(),
            label: label.into(),
            span,
            hint: None,
        })
    }
}

/// A piece of a string literal.
enum Piece {
    Lit(String, SimpleSpan),
    Interp {
        open: SimpleSpan,
        body: Vec<Lexed>,
        close: Option<SimpleSpan>,
    },
}

/// Lexes a whole file. Always returns every token it could make, plus one
/// diagnostic per lexical mistake.
pub fn lex(file: FileId, text: &str) -> (Vec<(Token, Span)>, Vec<Diagnostic>) {
    let to_span = |s: SimpleSpan| Span::new(file, s.start, s.end);
    let (items, errors) = lexer().parse(text).into_output_errors();
    let mut tokens = Vec::new();
    let mut diags: Vec<Diagnostic> = Vec::new();
    // Groups nest as deeply as interpolations: spliced with a stack.
    let mut pending = vec![items.unwrap_or_default().into_iter()];
    while let Some(item) = pending.last_mut().map(Iterator::next) {
        let Some(item) = item else {
            pending.pop();
            continue;
        };
        match item {
            Lexed::Group(inner) => pending.push(inner.into_iter()),
            Lexed::Tok(tok, span) => tokens.push((tok, to_span(span))),
            Lexed::Err(e) => {
                // Merge runs of unknown characters into one diagnostic.
                if e.code == Code::UnexpectedChar && e.hint.is_none() {
                    if let Some(last) = diags.last_mut() {
                        if last.code == Code::UnexpectedChar
                            && last.hint.is_none()
                            && last.primary.span.end as usize == e.span.start
                        {
                            last.primary.span.end = e.span.end as u32;
                            let chars = text.get(last.primary.span.range()).unwrap_or("");
                            last.message = format!("unexpected characters `{chars}`");
                            continue;
                        }
                    }
                }
                let mut d = Diagnostic::new(e.code, e.message, to_span(e.span), e.label);
                if let Some(hint) = e.hint {
                    d = d.with_hint(hint);
                }
                diags.push(d);
            }
        }
    }
    // Unterminated strings and comments all run to the end of the file:
    // only the first one is the mistake (the others are nested in it).
    let runs_to_end =
        |d: &Diagnostic| matches!(d.code, Code::UnterminatedString | Code::UnterminatedComment);
    if let Some(first) = diags
        .iter()
        .filter(|d| runs_to_end(d))
        .map(|d| d.primary.span.start)
        .min()
    {
        diags.retain(|d| !runs_to_end(d) || d.primary.span.start == first);
    }
    // The lexer has a catch-all for every character, so chumsky errors
    // should not happen; report them rather than lose them.
    for e in errors {
        diags.push(Diagnostic::new(
            Code::UnexpectedChar,
            format!("cannot lex this: {e}"),
            to_span(*e.span()),
            "unexpected input",
        ));
    }
    (tokens, diags)
}

fn is_word_char(c: &char) -> bool {
    c.is_ascii_alphanumeric() || *c == '_'
}

fn lexer<'src>() -> impl Parser<'src, &'src str, Vec<Lexed>, LexExtra<'src>> {
    let token = recursive(|token| {
        // ---- whitespace and comments
        let whitespace = any()
            .filter(|c: &char| c.is_whitespace())
            .repeated()
            .at_least(1)
            .to(Vec::new());
        let line_comment = just("//").then(none_of('\n').repeated()).to(Vec::new());
        let block_comment = just("/*")
            .map_with(|_, e| e.span())
            .then_ignore(any().and_is(just("*/").not()).repeated())
            .then(just("*/").or_not())
            .map(|(open, close): (SimpleSpan, _)| match close {
                Some(_) => Vec::new(),
                None => vec![Lexed::err(
                    Code::UnterminatedComment,
                    "unterminated block comment",
                    "this comment is never closed with `*/`",
                    open,
                )],
            });

        // ---- numbers: delimit with combinators, classify by hand
        let digit = any().filter(|c: &char| c.is_ascii_digit());
        let word = any().filter(is_word_char).repeated();
        let mantissa = digit
            .then(word)
            .then(just('.').then(digit).then(word).or_not())
            .to_slice();
        let with_signed_exponent = mantissa
            .filter(|s: &&str| {
                (s.ends_with('e') || s.ends_with('E'))
                    && !s.starts_with("0x")
                    && !s.starts_with("0X")
            })
            .then(one_of("+-"))
            .then(digit)
            .then(word)
            .to_slice();
        let number = with_signed_exponent.or(mantissa).map_with(|s: &str, e| {
            let span: SimpleSpan = e.span();
            match classify_number(s) {
                Ok(tok) => vec![Lexed::Tok(tok, span)],
                Err((message, hint)) => {
                    let mut err = LexError {
                        code: Code::BadNumber,
                        message,
                        label: "invalid number literal".into(),
                        span,
                        hint: None,
                    };
                    err.hint = hint;
                    // Keep a token so the parser does not cascade.
                    let placeholder = Token::Int {
                        value: 0,
                        suffix: None,
                    };
                    vec![Lexed::Err(err), Lexed::Tok(placeholder, span)]
                }
            }
        });

        // ---- identifiers and keywords
        let ident = text::ascii::ident().map_with(|s: &str, e| {
            let tok = Token::keyword(s).unwrap_or_else(|| Token::Ident(s.to_string()));
            vec![Lexed::Tok(tok, e.span())]
        });

        // ---- strings
        // Interpolations nest (`"${ "${x}" }"`): stop when the stack runs
        // low (see `syntax::limits`; the file is filled in by the caller).
        let stack_gate = empty().try_map(|(), span: SimpleSpan| {
            if limits::stack_is_low() {
                limits::note_ran_out(Span::new(FileId(0), span.start, span.end));
                Err(Rich::custom(span, "nested too deeply"))
            } else {
                Ok(())
            }
        });
        let interp_body = recursive(|body| {
            let group = just('{')
                .map_with(|_, e| e.span())
                .then(body)
                .then(just('}').map_with(|_, e| e.span()).or_not())
                .map(
                    |((open, inner), close): ((SimpleSpan, Vec<Lexed>), Option<SimpleSpan>)| {
                        let mut out = vec![Lexed::Tok(Token::LBrace, open), Lexed::Group(inner)];
                        if let Some(close) = close {
                            out.push(Lexed::Tok(Token::RBrace, close));
                        }
                        out
                    },
                );
            group
                .or(just('}').not().ignore_then(token.clone()))
                .repeated()
                .collect::<Vec<Vec<Lexed>>>()
                .map(|v| v.into_iter().flatten().collect::<Vec<Lexed>>())
        });
        let escape = just('\\').ignore_then(any().or_not()).map(|c| match c {
            Some('n') => Some('\n'),
            Some('t') => Some('\t'),
            Some('r') => Some('\r'),
            other => other,
        });
        let lit_char = escape
            .or(just('$').and_is(just("${").not()).map(Some))
            .or(none_of("\"\\$").map(Some));
        let lit = lit_char
            .repeated()
            .at_least(1)
            .collect::<Vec<Option<char>>>()
            .map_with(|chars, e| Piece::Lit(chars.into_iter().flatten().collect(), e.span()));
        let interp = just("${")
            .map_with(|_, e| e.span())
            .then_ignore(stack_gate)
            .then(interp_body)
            .then(just('}').map_with(|_, e| e.span()).or_not())
            .map(|((open, body), close)| Piece::Interp { open, body, close });
        let string = just('"')
            .map_with(|_, e| e.span())
            .then(interp.or(lit).repeated().collect::<Vec<Piece>>())
            .then(just('"').map_with(|_, e| e.span()).or_not())
            .map_with(|((open, pieces), close), e| string_tokens(open, pieces, close, e.span()));

        // ---- operators and punctuation (longest first)
        let op = choice((
            just("..=").to(Token::DotDotEq),
            just("..").to(Token::DotDot),
            just("::").to(Token::ColonColon),
            just("->").to(Token::Arrow),
            just("==").to(Token::EqEq),
            just("!=").to(Token::NotEq),
            just("<=").to(Token::Le),
            just(">=").to(Token::Ge),
            just("=>").to(Token::FatArrow),
            just("&&").to(Token::AndAnd),
            just("||").to(Token::OrOr),
            just("++").to(Token::PlusPlus),
            one_of("+-*/%")
                .then_ignore(just('='))
                .map(Token::CompoundAssign),
        ))
        .or(choice((
            just('+').to(Token::Plus),
            just('-').to(Token::Minus),
            just('*').to(Token::Star),
            just('/').to(Token::Slash),
            just('%').to(Token::Percent),
            just('<').to(Token::Lt),
            just('>').to(Token::Gt),
            just('=').to(Token::Eq),
            just(':').to(Token::Colon),
            just('.').to(Token::Dot),
            just('?').to(Token::Question),
            just('(').to(Token::LParen),
            just(')').to(Token::RParen),
            just('{').to(Token::LBrace),
            just('}').to(Token::RBrace),
            just('[').to(Token::LBracket),
            just(']').to(Token::RBracket),
            just(',').to(Token::Comma),
            just(';').to(Token::Semi),
        )))
        .map_with(|tok, e| vec![Lexed::Tok(tok, e.span())]);

        // ---- anything else is an error
        let bang = just('!').map_with(|_, e| {
            vec![Lexed::Err(LexError {
                code: Code::UnexpectedChar,
                message: "unexpected character `!`".into(),
                label: "Plat has no `!` operator".into(),
                span: e.span(),
                hint: Some("did you mean `not` or `!=`?".into()),
            })]
        });
        let unknown = any().map_with(|c: char, e| {
            vec![Lexed::err(
                Code::UnexpectedChar,
                format!("unexpected character `{}`", c.escape_debug()),
                "this character cannot start a token",
                e.span(),
            )]
        });

        choice((
            whitespace.boxed(),
            line_comment.boxed(),
            block_comment.boxed(),
            number.boxed(),
            ident.boxed(),
            string.boxed(),
            op.boxed(),
            bang.boxed(),
            unknown.boxed(),
        ))
    });

    token
        .repeated()
        .collect::<Vec<Vec<Lexed>>>()
        .map(|v| v.into_iter().flatten().collect())
        .then_ignore(end())
}

/// Turns the pieces of one string literal into tokens (and errors).
fn string_tokens(
    open: SimpleSpan,
    pieces: Vec<Piece>,
    close: Option<SimpleSpan>,
    whole: SimpleSpan,
) -> Vec<Lexed> {
    let mut out = Vec::new();
    let end = whole.end;
    let eof = SimpleSpan::from(end..end);
    let mut reported = false;
    if pieces.iter().all(|p| matches!(p, Piece::Lit(..))) {
        let text: String = pieces
            .into_iter()
            .filter_map(|p| match p {
                Piece::Lit(s, _) => Some(s),
                Piece::Interp { .. } => None,
            })
            .collect();
        out.push(Lexed::Tok(Token::Str(text), whole));
    } else {
        out.push(Lexed::Tok(Token::StrStart, open));
        for piece in pieces {
            match piece {
                Piece::Lit(s, span) => out.push(Lexed::Tok(Token::StrPart(s), span)),
                Piece::Interp { open, body, close } => {
                    out.push(Lexed::Tok(Token::InterpOpen, open));
                    out.push(Lexed::Group(body));
                    match close {
                        Some(span) => out.push(Lexed::Tok(Token::InterpClose, span)),
                        None => {
                            reported = true;
                            out.push(Lexed::err(
                                Code::UnterminatedString,
                                "unterminated interpolation",
                                "this `${` is never closed with `}`",
                                open,
                            ));
                            out.push(Lexed::Tok(Token::InterpClose, eof));
                        }
                    }
                }
            }
        }
        out.push(Lexed::Tok(Token::StrEnd, close.unwrap_or(eof)));
    }
    if close.is_none() && !reported {
        out.push(Lexed::err(
            Code::UnterminatedString,
            "unterminated string literal",
            "this string is never closed with `\"`",
            open,
        ));
    }
    out
}

const SUFFIX_HINT: &str = "valid suffixes are i8 i16 i32 i64 f8 f16 f32 f64";

/// Reads the text of a number literal (already delimited by the lexer).
fn classify_number(s: &str) -> Result<Token, (String, Option<String>)> {
    let err = |m: String| Err((m, None));
    let bytes = s.as_bytes();
    let is_digitish = |b: u8| b.is_ascii_digit() || b == b'_';
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);

    if s.starts_with("0x") || s.starts_with("0X") {
        let mut i = 2;
        while at(i).is_ascii_hexdigit() || at(i) == b'_' {
            i += 1;
        }
        let digits: String = s
            .get(2..i)
            .unwrap_or("")
            .chars()
            .filter(|c| *c != '_')
            .collect();
        if digits.is_empty() {
            return err("hexadecimal literal has no digits".into());
        }
        let suffix = int_suffix(s.get(i..).unwrap_or(""))?;
        return match u64::from_str_radix(&digits, 16) {
            Ok(value) => Ok(Token::Int { value, suffix }),
            Err(_) => err("integer literal is too large".into()),
        };
    }

    let mut i = 0;
    while is_digitish(at(i)) {
        i += 1;
    }
    let mut is_float = false;
    if at(i) == b'.' && at(i + 1).is_ascii_digit() {
        is_float = true;
        i += 1;
        while is_digitish(at(i)) {
            i += 1;
        }
    }
    if at(i) == b'e' || at(i) == b'E' {
        let mut j = i + 1;
        if at(j) == b'+' || at(j) == b'-' {
            j += 1;
        }
        if !at(j).is_ascii_digit() {
            return err("missing digits after the exponent".into());
        }
        while is_digitish(at(j)) {
            j += 1;
        }
        is_float = true;
        i = j;
    }
    let number: String = s
        .get(..i)
        .unwrap_or("")
        .chars()
        .filter(|c| *c != '_')
        .collect();
    let rest = s.get(i..).unwrap_or("");
    let rest = rest.strip_prefix('_').unwrap_or(rest);
    let float_suffix = match rest {
        "f8" => Some(FloatSuffix::F8),
        "f16" => Some(FloatSuffix::F16),
        "f32" => Some(FloatSuffix::F32),
        "f64" => Some(FloatSuffix::F64),
        _ => None,
    };
    if is_float || float_suffix.is_some() {
        if float_suffix.is_none() && !rest.is_empty() {
            return Err(if int_suffix(rest).is_ok() {
                (
                    format!("integer suffix `{rest}` on a float literal"),
                    Some("use a float suffix such as `f64`".into()),
                )
            } else {
                (
                    format!("invalid suffix `{rest}` on a number literal"),
                    Some(SUFFIX_HINT.into()),
                )
            });
        }
        return match number.parse::<f64>() {
            Ok(value) => Ok(Token::Float {
                value,
                suffix: float_suffix,
            }),
            Err(_) => err("malformed float literal".into()),
        };
    }
    let suffix = int_suffix(rest)?;
    match number.parse::<u64>() {
        Ok(value) => Ok(Token::Int { value, suffix }),
        Err(_) => err("integer literal is too large".into()),
    }
}

fn int_suffix(rest: &str) -> Result<Option<IntSuffix>, (String, Option<String>)> {
    let rest = rest.strip_prefix('_').unwrap_or(rest);
    Ok(Some(match rest {
        "" => return Ok(None),
        "i8" => IntSuffix::I8,
        "i16" => IntSuffix::I16,
        "i32" => IntSuffix::I32,
        "i64" => IntSuffix::I64,
        _ => {
            return Err((
                format!("invalid suffix `{rest}` on a number literal"),
                Some(SUFFIX_HINT.into()),
            ))
        }
    }))
}
