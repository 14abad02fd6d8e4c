//! Expressions, by the precedence table of section 7.1 (lowest first):
//! assignment (right), `or`, `and`, `== !=`, `< <= > >=`, `..`/`..=`
//! (non-associative), `+ -`, `* / %`, prefix `not`/`-`, postfix call,
//! index, member, method call and `?`. Primary expressions (literals and
//! interpolated strings, lists, dicts, sets, blocks, `if`, `match`,
//! `spawn`, `race`, closures, `cast`, `super` calls and paths) are
//! `atom.rs`.

use chumsky::prelude::*;

use super::atom::atom_parser;
use super::recovery::{delimited_recovery, PARENS_OTHERS};
use super::{ident, member_name, TokenInput, P};
use crate::syntax::ast::{Arg, BinOp, Block, Expr, ExprKind, Ident, Pattern, TypeExpr, UnOp};
use crate::syntax::token::Token;

pub(crate) fn boxed(e: Expr) -> Box<Expr> {
    Box::new(e)
}

/// `(name = value, ...)` or positional `(a, b)`; a trailing comma is fine.
pub(crate) fn args_parser<'t, I: TokenInput<'t>>(expr: P<'t, I, Expr>) -> P<'t, I, Vec<Arg>> {
    let named = ident()
        .then_ignore(just(Token::Eq))
        .then(expr.clone())
        .map_with(|(name, value), e| Arg {
            name: Some(name),
            value,
            span: e.span(),
        });
    let positional = expr.map_with(|value, e| Arg {
        name: None,
        value,
        span: e.span(),
    });
    named
        .or(positional)
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<Arg>>()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .recover_with(via_parser(delimited_recovery(
            Token::LParen,
            Token::RParen,
            PARENS_OTHERS,
            |_| Vec::new(),
        )))
        .boxed()
}

/// A postfix operation, applied left to right.
#[derive(Clone)]
enum Postfix {
    Call(Vec<Arg>),
    Member(Ident, Option<Vec<Arg>>),
    Index(Expr),
    Try,
}

pub(crate) fn expr_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    block: P<'t, I, Block>,
    ty: P<'t, I, TypeExpr>,
    pattern: P<'t, I, Pattern>,
) -> P<'t, I, Expr> {
    let args = args_parser(expr.clone());
    let atom = atom_parser(expr.clone(), block.clone(), ty, pattern, args.clone());

    let postfix_op = choice((
        args.clone().map(Postfix::Call),
        // With `(` it is a method call, committed (no retry as a field).
        just(Token::Dot)
            .ignore_then(member_name())
            .then(
                just(Token::LParen)
                    .rewind()
                    .ignore_then(args.clone())
                    .map(Some)
                    .or(just(Token::LParen).not().to(None)),
            )
            .map(|(name, args)| Postfix::Member(name, args)),
        expr.clone()
            .delimited_by(just(Token::LBracket), just(Token::RBracket))
            .map(Postfix::Index),
        just(Token::Question).to(Postfix::Try),
    ))
    .boxed();
    let postfix = atom
        .foldl_with(postfix_op.repeated(), |lhs, op, e| {
            let kind = match op {
                Postfix::Call(args) => ExprKind::Call {
                    callee: boxed(lhs),
                    args,
                },
                Postfix::Member(method, Some(args)) => ExprKind::MethodCall {
                    receiver: boxed(lhs),
                    method,
                    args,
                },
                Postfix::Member(field, None) => ExprKind::Field {
                    object: boxed(lhs),
                    field,
                },
                Postfix::Index(index) => ExprKind::Index {
                    object: boxed(lhs),
                    index: boxed(index),
                },
                Postfix::Try => ExprKind::Try(boxed(lhs)),
            };
            Expr {
                kind,
                span: e.span(),
            }
        })
        .boxed();

    let unary = choice((
        just(Token::Not).to(UnOp::Not),
        just(Token::Minus).to(UnOp::Neg),
    ))
    .repeated()
    .foldr_with(postfix, |op, operand, e| Expr {
        kind: ExprKind::Unary {
            op,
            operand: boxed(operand),
        },
        span: e.span(),
    })
    .labelled("expression")
    .boxed();

    let product = binary_level(
        unary,
        choice((
            just(Token::Star).to(BinOp::Mul),
            just(Token::Slash).to(BinOp::Div),
            just(Token::Percent).to(BinOp::Rem),
        )),
    );
    let sum = binary_level(
        product,
        choice((
            just(Token::Plus).to(BinOp::Add),
            just(Token::Minus).to(BinOp::Sub),
        )),
    );
    let range = sum
        .clone()
        .then(
            choice((
                just(Token::DotDot).to(false),
                just(Token::DotDotEq).to(true),
            ))
            .then(sum)
            .or_not(),
        )
        .map_with(|(start, end), e| match end {
            None => start,
            Some((inclusive, end)) => Expr {
                kind: ExprKind::Range {
                    start: boxed(start),
                    end: boxed(end),
                    inclusive,
                },
                span: e.span(),
            },
        })
        .boxed();
    let compare = binary_level(
        range,
        choice((
            just(Token::Lt).to(BinOp::Lt),
            just(Token::Le).to(BinOp::Le),
            just(Token::Gt).to(BinOp::Gt),
            just(Token::Ge).to(BinOp::Ge),
        )),
    );
    let equality = binary_level(
        compare,
        choice((
            just(Token::EqEq).to(BinOp::Eq),
            just(Token::NotEq).to(BinOp::Ne),
        )),
    );
    let and = binary_level(equality, just(Token::And).to(BinOp::And));
    let or = binary_level(and, just(Token::Or).to(BinOp::Or));

    or.then(just(Token::Eq).ignore_then(expr).or_not())
        .map_with(|(target, value), e| match value {
            None => target,
            Some(value) => Expr {
                kind: ExprKind::Assign {
                    target: boxed(target),
                    value: boxed(value),
                },
                span: e.span(),
            },
        })
        .labelled("expression")
        .boxed()
}

/// One left-associative binary precedence level.
fn binary_level<'t, I: TokenInput<'t>>(
    lower: P<'t, I, Expr>,
    op: impl Parser<'t, I, BinOp, super::Extra<'t>> + Clone + 't,
) -> P<'t, I, Expr> {
    lower
        .clone()
        .foldl_with(op.then(lower).repeated(), |lhs, (op, rhs), e| Expr {
            kind: ExprKind::Binary {
                op,
                lhs: boxed(lhs),
                rhs: boxed(rhs),
            },
            span: e.span(),
        })
        .boxed()
}

/// True for expressions that end in a block and need no `;` as statements.
pub(crate) fn is_block_like(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::If { .. }
            | ExprKind::Match { .. }
            | ExprKind::Block(_)
            | ExprKind::Spawn(_)
            | ExprKind::Race(_)
    )
}
