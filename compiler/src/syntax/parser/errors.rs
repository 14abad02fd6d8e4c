//! Parser diagnostics: turns chumsky's rich errors into [`Diagnostic`]s
//! ("expected `;`, found `}`", with hints for common mistakes such as
//! `&&`), and finds delimiters left open at the end of the file.

use std::fmt;

use chumsky::error::{Rich, RichPattern, RichReason};

use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::token::Token;

/// The custom payload of parser errors raised by our own checks (not by
/// chumsky's expected/found machinery). It carries its own span because
/// chumsky may merge it into an error located elsewhere.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Custom {
    pub message: String,
    pub label: String,
    pub span: Option<Span>,
    pub hint: Option<String>,
}

impl fmt::Display for Custom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<String> for Custom {
    fn from(message: String) -> Self {
        Custom {
            message,
            label: "here".into(),
            span: None,
            hint: None,
        }
    }
}

impl From<&str> for Custom {
    fn from(message: &str) -> Self {
        Custom::from(message.to_string())
    }
}

/// Hints for tokens that come from other languages.
fn hint_for(tok: &Token) -> Option<String> {
    Some(match tok {
        Token::AndAnd => "use `and` for logical and".into(),
        Token::OrOr => "use `or` for logical or".into(),
        Token::FatArrow => "match arms use `->`".into(),
        Token::CompoundAssign(op) => {
            format!("Plat has no compound assignment: write `x = x {op} value`")
        }
        Token::PlusPlus => "Plat has no `++`: write `x = x + 1`".into(),
        _ => return None,
    })
}

/// Operators and postfix tokens: left out of "expected" lists when
/// something more structural is expected too.
fn is_operator(tok: &Token) -> bool {
    use Token::*;
    matches!(
        tok,
        Plus | Minus
            | Star
            | Slash
            | Percent
            | EqEq
            | NotEq
            | Lt
            | Le
            | Gt
            | Ge
            | Eq
            | Dot
            | DotDot
            | DotDotEq
            | Question
            | LParen
            | LBracket
            | And
            | Or
            | ColonColon
    )
}

fn pattern_name(p: &RichPattern<'_, Token>) -> Option<String> {
    Some(match p {
        RichPattern::Token(t) => match t.text() {
            Some(text) => format!("`{text}`"),
            None => t.to_string(),
        },
        RichPattern::Label(l) => l.to_string(),
        RichPattern::Identifier(s) => format!("`{s}`"),
        RichPattern::EndOfInput => "end of file".into(),
        RichPattern::Any => "something".into(),
        _ => return None,
    })
}

fn join_or(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// One chumsky error as a diagnostic.
pub(crate) fn to_diagnostic(e: &Rich<'_, Token, Span, Custom>) -> Diagnostic {
    let span = *e.span();
    match e.reason() {
        RichReason::Custom(c) => {
            let mut d = Diagnostic::new(
                Code::UnexpectedToken,
                c.message.clone(),
                c.span.unwrap_or(span),
                c.label.clone(),
            );
            if let Some(h) = &c.hint {
                d = d.with_hint(h.clone());
            }
            d
        }
        RichReason::ExpectedFound { expected, found } => {
            let found_tok: Option<&Token> = found.as_deref();
            let found_text = found_tok.map_or("end of file".to_string(), Token::to_string);
            let structural: Vec<&RichPattern<'_, Token>> = expected
                .iter()
                .filter(|p| !matches!(p, RichPattern::Token(t) if is_operator(t)))
                .collect();
            let chosen: Vec<&RichPattern<'_, Token>> = if structural.is_empty() {
                expected.iter().collect()
            } else {
                structural
            };
            let mut names: Vec<String> = Vec::new();
            for p in chosen {
                if let Some(n) = pattern_name(p) {
                    if !names.contains(&n) {
                        names.push(n);
                    }
                }
            }
            // `;` is the useful suggestion when a block could also end.
            if names.iter().any(|n| n == "`;`") {
                names.retain(|n| n != "`}`");
            }
            let (message, label) = if names.is_empty() {
                (
                    format!("unexpected {found_text}"),
                    "unexpected here".to_string(),
                )
            } else {
                let list = join_or(&names);
                (
                    format!("expected {list}, found {found_text}"),
                    format!("expected {list}"),
                )
            };
            let mut d = Diagnostic::new(Code::UnexpectedToken, message, span, label);
            let hint = match found_tok {
                Some(tok) => hint_for(tok).or_else(|| {
                    (tok.is_keyword() && names.iter().any(|n| n == "identifier")).then(|| {
                        format!(
                            "`{}` is a keyword and cannot be used as a name",
                            tok.text().unwrap_or("")
                        )
                    })
                }),
                None => None,
            };
            let hint = hint.or_else(|| {
                (names.len() == 1 && names[0] == "`;`")
                    .then(|| "add `;` at the end of the previous statement".to_string())
            });
            if let Some(h) = hint {
                d = d.with_hint(h);
            }
            d
        }
    }
}

fn closer_of(open: &Token) -> &'static str {
    match open {
        Token::LParen => ")",
        Token::LBracket => "]",
        _ => "}",
    }
}

/// What matching a file's delimiters finds.
pub(crate) struct Delimiters<'t> {
    /// The delimiters still open at the end of the file, outermost first.
    pub open: Vec<(&'t Token, Span)>,
    /// The mismatched closer that left the most delimiters unclosed (it
    /// closed a matching opener further out: `f(a(b(c}`), with those
    /// delimiters, outermost first.
    pub abandoned: Option<(Span, Vec<(&'t Token, Span)>)>,
}

/// Matches the delimiters of `tokens`. A mismatched closer closes the
/// nearest matching opener, abandoning those opened after it (the parser
/// reports the mismatch itself).
pub(crate) fn match_delimiters(tokens: &[(Token, Span)]) -> Delimiters<'_> {
    let mut stack: Vec<(&Token, Span)> = Vec::new();
    let mut abandoned: Option<(Span, Vec<(&Token, Span)>)> = None;
    for (tok, span) in tokens {
        let opener = match tok {
            Token::LParen | Token::LBracket | Token::LBrace => {
                stack.push((tok, *span));
                continue;
            }
            Token::RParen => Token::LParen,
            Token::RBracket => Token::LBracket,
            Token::RBrace => Token::LBrace,
            _ => continue,
        };
        if let Some(pos) = stack.iter().rposition(|(t, _)| **t == opener) {
            let left = stack.split_off(pos + 1);
            if abandoned.as_ref().map_or(0, |(_, a)| a.len()) < left.len() {
                abandoned = Some((*span, left));
            }
            stack.truncate(pos);
        }
    }
    Delimiters {
        open: stack,
        abandoned,
    }
}

/// Delimiters a mismatched closer at `closer` left unclosed, as one
/// diagnostic whose secondary labels point at the innermost openers.
/// `openers` is [`Delimiters::abandoned`]'s (not empty).
pub(crate) fn abandoned_diagnostic(closer: Span, openers: &[(&Token, Span)]) -> Diagnostic {
    let innermost = openers.last().map_or(&Token::LParen, |(t, _)| *t);
    let d = Diagnostic::new(
        Code::UnclosedDelimiter,
        format!("unclosed delimiter `{}`", innermost.text().unwrap_or("(")),
        closer,
        format!("expected `{}` before this", closer_of(innermost)),
    );
    label_innermost(d, openers)
}

/// Delimiters still open at the end of the file, as one diagnostic whose
/// secondary labels point at the innermost openers; `None` if there are
/// none. `stack` is [`Delimiters::open`].
pub(crate) fn unclosed_diagnostic(stack: &[(&Token, Span)], eoi: Span) -> Option<Diagnostic> {
    let (innermost, _) = stack.last()?;
    let open_text = innermost.text().unwrap_or("{");
    let close_text = closer_of(innermost);
    let d = Diagnostic::new(
        Code::UnclosedDelimiter,
        format!("unclosed delimiter `{open_text}`"),
        eoi,
        format!("expected `{close_text}` before the end of the file"),
    );
    Some(label_innermost(d, stack))
}

/// Labels the innermost few of `openers` (outermost first) as never
/// closed, and counts the others in a note: rendering costs the square of
/// the label count (hundreds of open braces took ariadne 25 seconds,
/// issue 15).
fn label_innermost(mut d: Diagnostic, openers: &[(&Token, Span)]) -> Diagnostic {
    for (tok, span) in openers.iter().rev().take(MAX_UNCLOSED_LABELS) {
        d = d.with_label(
            *span,
            format!("this `{}` is never closed", tok.text().unwrap_or("{")),
        );
    }
    if openers.len() > MAX_UNCLOSED_LABELS {
        d = d.with_note(format!(
            "{} more delimiters opened before these are never closed either",
            openers.len() - MAX_UNCLOSED_LABELS
        ));
    }
    d
}

/// Unclosed delimiters labelled in one diagnostic (the innermost ones).
const MAX_UNCLOSED_LABELS: usize = 8;
