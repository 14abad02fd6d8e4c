//! Error recovery helpers. A construct that fails to parse is skipped as a
//! run of balanced token trees up to a synchronisation point (`;` for
//! statements, the next item keyword for items, the next member for class
//! and enum bodies), so that one mistake yields one diagnostic and parsing
//! goes on to find the next one.

use std::cell::Cell;

use chumsky::prelude::*;

use super::{TokenInput, P};
use crate::source::Span;
use crate::syntax::token::Token;

/// Delimiters that may appear inside a parenthesised group.
pub(crate) const PARENS_OTHERS: [(Token, Token); 2] = [
    (Token::LBracket, Token::RBracket),
    (Token::LBrace, Token::RBrace),
];

/// Tokens that start a statement: statement recovery stops before them.
pub(crate) const STMT_STARTS: [Token; 8] = [
    Token::Let,
    Token::Var,
    Token::Return,
    Token::While,
    Token::For,
    Token::Break,
    Token::Continue,
    Token::Concurrent,
];

/// Tokens that start an item: item recovery stops before them.
pub(crate) const ITEM_STARTS: [Token; 13] = [
    Token::Fn,
    Token::Pub,
    Token::Virtual,
    Token::Override,
    Token::Mut,
    Token::Class,
    Token::Enum,
    Token::Type,
    Token::Newtype,
    Token::Test,
    Token::Bench,
    Token::Mod,
    Token::Use,
];

/// Tokens that start a class or enum member.
pub(crate) const MEMBER_STARTS: [Token; 8] = [
    Token::Pub,
    Token::Let,
    Token::Var,
    Token::Fn,
    Token::Init,
    Token::Virtual,
    Token::Override,
    Token::Mut,
];

/// Delimited recoveries one parse may attempt ([`delimited_recovery`]).
/// Each scans its whole group, so groups nested in groups that are
/// recovered too cost the square of the nesting: 8,000 nested calls each
/// with a mistake took 33 seconds. Past the budget a broken group is no
/// longer skipped on its own: its mistake goes up to the statement
/// around it, whose recovery (`skip_recovery`) is linear. Alternatives
/// tried on the way attempt some too (three mistakes in three calls: 22
/// attempts), so the budget lasts for about 150 mistakes; 2,000 nested
/// levels within it cost about half a second.
pub(crate) const RECOVERY_BUDGET: u32 = 1000;

thread_local! {
    /// Delimited recoveries left to the parse running on this thread.
    static RECOVERIES_LEFT: Cell<u32> = const { Cell::new(RECOVERY_BUDGET) };
}

/// Gives the parse about to start on this thread its whole budget.
pub(crate) fn reset_recovery_budget() {
    RECOVERIES_LEFT.with(|c| c.set(RECOVERY_BUDGET));
}

/// Delimited recoveries left to this thread's last parse.
#[cfg(test)]
pub(crate) fn recoveries_left() -> u32 {
    RECOVERIES_LEFT.with(Cell::get)
}

/// Consumes nothing; takes one delimited recovery from the budget, or
/// fails when it is spent.
fn recovery_allowed<'t, I: TokenInput<'t>>() -> impl Parser<'t, I, (), super::Extra<'t>> + Clone {
    empty().try_map(|(), span: Span| {
        RECOVERIES_LEFT.with(|c| match c.get() {
            0 => Err(Rich::custom(span, "recovery budget spent")),
            n => {
                c.set(n - 1);
                Ok(())
            }
        })
    })
}

/// Skips a `open ... close` group respecting nesting, yielding `fallback`
/// (chumsky's `nested_delimiters`), while the parse's
/// [`RECOVERY_BUDGET`] lasts.
pub(crate) fn delimited_recovery<'t, I, O, F, const N: usize>(
    open: Token,
    close: Token,
    others: [(Token, Token); N],
    fallback: F,
) -> impl Parser<'t, I, O, super::Extra<'t>> + Clone
where
    I: TokenInput<'t>,
    O: 't,
    F: Fn(Span) -> O + Clone + 't,
{
    recovery_allowed().ignore_then(nested_delimiters(open, close, others, fallback))
}

/// Keywords that never occur inside a body: an unclosed group stops
/// before them, so one missing delimiter does not swallow later items.
const NEVER_IN_BODY: [Token; 7] = [
    Token::Class,
    Token::Enum,
    Token::Newtype,
    Token::Test,
    Token::Bench,
    Token::Mod,
    Token::Use,
];

/// One token tree: a `( )`, `[ ]`, `{ }` or `${ }` group, or any single
/// token that is not a closing delimiter. A group whose closer is missing
/// or mismatched ends where its contents end (never backtracks, so nested
/// unclosed delimiters stay linear); `(` and `[` groups also end before
/// `;` and item keywords, which they cannot contain directly.
fn token_tree<'t, I: TokenInput<'t>>() -> P<'t, I, ()> {
    recursive(|tt| {
        let group = |open: Token, close: Token, stops: Vec<Token>| {
            just(open)
                .then(
                    tt.clone()
                        .and_is(none_of(stops).rewind().ignored())
                        .repeated(),
                )
                .then(just(close).or_not())
                .ignored()
        };
        let mut paren_stops = NEVER_IN_BODY.to_vec();
        paren_stops.extend([Token::Semi, Token::Pub, Token::Virtual, Token::Override]);
        choice((
            group(Token::LParen, Token::RParen, paren_stops.clone()),
            group(Token::LBracket, Token::RBracket, paren_stops.clone()),
            group(Token::LBrace, Token::RBrace, NEVER_IN_BODY.to_vec()),
            group(Token::InterpOpen, Token::InterpClose, paren_stops),
            none_of([
                Token::RParen,
                Token::RBracket,
                Token::RBrace,
                Token::InterpClose,
            ])
            .ignored(),
        ))
    })
    .boxed()
}

/// A recovery parser: one token tree whose first token is not in
/// `not_first`, then token trees up to (not including) a token of
/// `stop_before` at nesting depth 0; then, if `eat_semi`, an optional `;`.
/// Stray closing delimiters at depth 0 are skipped too, except `}` when
/// it is in `not_first` (the end of the enclosing block).
pub(crate) fn skip_recovery<'t, I: TokenInput<'t>>(
    not_first: Vec<Token>,
    stop_before: Vec<Token>,
    eat_semi: bool,
) -> P<'t, I, ()> {
    let tree = token_tree();
    let first = tree
        .clone()
        .or(any().ignored())
        .and_is(none_of(not_first.clone()).rewind().ignored());
    let mut stops = stop_before;
    stops.extend(not_first);
    if eat_semi {
        stops.push(Token::Semi);
    }
    let rest = tree
        .or(any().ignored())
        .and_is(none_of(stops).rewind().ignored())
        .repeated();
    let semi = just(Token::Semi).or_not().ignored();
    first
        .then(rest)
        .then(if eat_semi {
            semi.boxed()
        } else {
            empty().boxed()
        })
        .ignored()
        .boxed()
}
