//! Primary expressions, the operands of the precedence levels of
//! `expr.rs`: one sub-parser per family, tried in the order of
//! [`atom_parser`] (literals and strings, parentheses, collections,
//! control flow, concurrency, closures, `cast`, `super` calls, paths and
//! blocks). Each returns the [`ExprKind`]; [`atom_parser`] adds the span.

use chumsky::prelude::*;

use super::expr::boxed;
use super::item::params_parser;
use super::recovery::{delimited_recovery, PARENS_OTHERS};
use super::{contextual, member_name, path_keyword, path_segment, TokenInput, P};
use crate::source::Span;
use crate::syntax::ast::{
    Arg, Block, Expr, ExprKind, Ident, MatchArm, Path, Pattern, StrPart, TypeExpr,
};
use crate::syntax::token::Token;

pub(crate) fn atom_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    block: P<'t, I, Block>,
    ty: P<'t, I, TypeExpr>,
    pattern: P<'t, I, Pattern>,
    args: P<'t, I, Vec<Arg>>,
) -> P<'t, I, Expr> {
    let kinds = choice((
        literal_parser(),
        template_parser(expr.clone()),
        unit_parser(),
        paren_parser(expr.clone()),
        list_parser(expr.clone()),
        set_parser(expr.clone()),
        dict_parser(expr.clone()),
        if_parser(expr.clone(), block.clone()),
        match_parser(expr.clone(), block.clone(), ty.clone(), pattern),
        spawn_parser(block.clone()),
        race_parser(block.clone()),
        closure_parser(expr.clone(), block.clone(), ty.clone()),
        cast_parser(expr, ty),
        super_call_parser(args),
        list_type_name_parser(),
        path_parser(),
        block.map(ExprKind::Block).boxed(),
    ));
    kinds
        .map_with(|kind, e| Expr {
            kind,
            span: e.span(),
        })
        .boxed()
}

/// Numbers, plain strings, `true`, `false` and `self`.
fn literal_parser<'t, I: TokenInput<'t>>() -> P<'t, I, ExprKind> {
    select! {
        Token::Int { value, suffix } => ExprKind::Int { value, suffix },
        Token::Float { value, suffix } => ExprKind::Float { value, suffix },
        Token::Str(s) => ExprKind::Str(vec![StrPart::Lit(s)]),
        Token::True => ExprKind::Bool(true),
        Token::False => ExprKind::Bool(false),
        Token::SelfKw => ExprKind::SelfValue,
    }
    .boxed()
}

/// `"a${x}b"`: the expressions inside `${ }` are ordinary tokens.
fn template_parser<'t, I: TokenInput<'t>>(expr: P<'t, I, Expr>) -> P<'t, I, ExprKind> {
    let interp = expr
        .delimited_by(just(Token::InterpOpen), just(Token::InterpClose))
        .recover_with(via_parser(delimited_recovery(
            Token::InterpOpen,
            Token::InterpClose,
            [],
            |span| Expr {
                kind: ExprKind::Error,
                span,
            },
        )))
        .map(StrPart::Interp);
    just(Token::StrStart)
        .ignore_then(
            select! { Token::StrPart(s) => StrPart::Lit(s) }
                .or(interp)
                .repeated()
                .collect::<Vec<StrPart>>(),
        )
        .then_ignore(just(Token::StrEnd))
        .map(ExprKind::Str)
        .boxed()
}

/// `()`.
fn unit_parser<'t, I: TokenInput<'t>>() -> P<'t, I, ExprKind> {
    just(Token::LParen)
        .then(just(Token::RParen))
        .to(ExprKind::Unit)
        .boxed()
}

/// `(expr)`, recovering to the closing parenthesis.
fn paren_parser<'t, I: TokenInput<'t>>(expr: P<'t, I, Expr>) -> P<'t, I, ExprKind> {
    expr.delimited_by(just(Token::LParen), just(Token::RParen))
        .map(|e| e.kind)
        .recover_with(via_parser(delimited_recovery(
            Token::LParen,
            Token::RParen,
            PARENS_OTHERS,
            |_| ExprKind::Error,
        )))
        .boxed()
}

/// `a, b, c` with an optional trailing comma: the items of a list or set.
fn items_parser<'t, I: TokenInput<'t>>(expr: P<'t, I, Expr>) -> P<'t, I, Vec<Expr>> {
    expr.separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<Expr>>()
        .boxed()
}

/// `[a, b]`.
fn list_parser<'t, I: TokenInput<'t>>(expr: P<'t, I, Expr>) -> P<'t, I, ExprKind> {
    items_parser(expr)
        .delimited_by(just(Token::LBracket), just(Token::RBracket))
        .map(ExprKind::List)
        .boxed()
}

/// `Set{a, b}`.
fn set_parser<'t, I: TokenInput<'t>>(expr: P<'t, I, Expr>) -> P<'t, I, ExprKind> {
    just(Token::Set)
        .ignore_then(items_parser(expr).delimited_by(just(Token::LBrace), just(Token::RBrace)))
        .map(ExprKind::Set)
        .boxed()
}

/// `{key: value, ...}`. A `{` is a dict when followed by `}` or by a key
/// then `:`; anything else is a block.
fn dict_parser<'t, I: TokenInput<'t>>(expr: P<'t, I, Expr>) -> P<'t, I, ExprKind> {
    let key = select! {
        Token::Str(s) = e => Expr { kind: ExprKind::Str(vec![StrPart::Lit(s)]), span: e.span() },
        Token::Ident(s) = e => Expr { kind: ExprKind::Str(vec![StrPart::Lit(s)]), span: e.span() },
        Token::Int { value, suffix } = e => Expr { kind: ExprKind::Int { value, suffix }, span: e.span() },
        Token::True = e => Expr { kind: ExprKind::Bool(true), span: e.span() },
        Token::False = e => Expr { kind: ExprKind::Bool(false), span: e.span() },
    };
    let dict_start = just(Token::LBrace).then(
        just(Token::RBrace)
            .ignored()
            .or(key.then(just(Token::Colon)).ignored()),
    );
    dict_start
        .rewind()
        .ignore_then(
            key.then_ignore(just(Token::Colon))
                .then(expr)
                .separated_by(just(Token::Comma))
                .allow_trailing()
                .collect::<Vec<(Expr, Expr)>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map(ExprKind::Dict)
        .boxed()
}

/// `if (c) {..} else if (c2) {..} ... else {..}`: the chain is read with a
/// loop and nested afterwards, so its length costs no stack.
fn if_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    block: P<'t, I, Block>,
) -> P<'t, I, ExprKind> {
    let if_head = just(Token::If)
        .ignore_then(expr.delimited_by(just(Token::LParen), just(Token::RParen)))
        .then(block.clone())
        .map_with(|(cond, then), e| (cond, then, e.span()));
    if_head
        .clone()
        .then(
            just(Token::Else)
                .then(just(Token::If).rewind())
                .ignore_then(if_head)
                .repeated()
                .collect::<Vec<(Expr, Block, Span)>>(),
        )
        .then(
            just(Token::Else)
                .ignore_then(block)
                .map_with(|b, e| Expr {
                    kind: ExprKind::Block(b),
                    span: e.span(),
                })
                .or_not(),
        )
        .map_with(|((first, rest), last), e| {
            let end = e.span();
            // Innermost first: each `if` of the chain spans to its end.
            let mut otherwise = last.map(boxed);
            for (cond, then, head) in rest.into_iter().rev() {
                otherwise = Some(boxed(Expr {
                    kind: ExprKind::If {
                        cond: boxed(cond),
                        then,
                        otherwise,
                    },
                    span: head.to(end),
                }));
            }
            let (cond, then, _) = first;
            ExprKind::If {
                cond: boxed(cond),
                then,
                otherwise,
            }
        })
        .boxed()
}

/// `match scrutinee { pattern => body, ... }`.
fn match_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    block: P<'t, I, Block>,
    ty: P<'t, I, TypeExpr>,
    pattern: P<'t, I, Pattern>,
) -> P<'t, I, ExprKind> {
    // Arm bodies: `{}` is an empty block here, not an empty dict.
    let empty_block = just(Token::LBrace)
        .then(just(Token::RBrace))
        .map_with(|_, e| Expr {
            kind: ExprKind::Block(Block {
                stmts: Vec::new(),
                tail: None,
                span: e.span(),
            }),
            span: e.span(),
        });
    let arm_statement = super::stmt::arm_statement_parser(expr.clone(), block, ty);
    let arm = pattern
        .then_ignore(just(Token::Arrow))
        .then(choice((empty_block, arm_statement, expr.clone())))
        .then_ignore(just(Token::Comma).or_not())
        .map_with(|(pattern, body), e| MatchArm {
            pattern,
            body,
            span: e.span(),
        });
    just(Token::Match)
        .ignore_then(expr)
        .then(
            arm.repeated()
                .collect::<Vec<MatchArm>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map(|(scrutinee, arms)| ExprKind::Match {
            scrutinee: boxed(scrutinee),
            arms,
        })
        .boxed()
}

/// `spawn { ... }`.
fn spawn_parser<'t, I: TokenInput<'t>>(block: P<'t, I, Block>) -> P<'t, I, ExprKind> {
    just(Token::Spawn)
        .ignore_then(block)
        .map(ExprKind::Spawn)
        .boxed()
}

/// `race { spawn {..}; spawn {..} }` (`race` is contextual: only before
/// `{`).
fn race_parser<'t, I: TokenInput<'t>>(block: P<'t, I, Block>) -> P<'t, I, ExprKind> {
    contextual("race")
        .then(just(Token::LBrace).rewind())
        .ignore_then(
            spawn_parser(block)
                .map_with(|kind, e| Expr {
                    kind,
                    span: e.span(),
                })
                .then_ignore(just(Token::Semi).or(just(Token::Comma)).or_not())
                .repeated()
                .collect::<Vec<Expr>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map(ExprKind::Race)
        .boxed()
}

/// `fn(params) -> Ret { body }`.
fn closure_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    block: P<'t, I, Block>,
    ty: P<'t, I, TypeExpr>,
) -> P<'t, I, ExprKind> {
    just(Token::Fn)
        .ignore_then(params_parser(expr, ty.clone()))
        .then(just(Token::Arrow).ignore_then(ty).or_not())
        .then(block)
        .map(|((params, ret), body)| ExprKind::Closure { params, ret, body })
        .boxed()
}

/// `cast(value = e, target = T)`.
fn cast_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    ty: P<'t, I, TypeExpr>,
) -> P<'t, I, ExprKind> {
    just(Token::Cast)
        .ignore_then(
            contextual("value")
                .ignore_then(just(Token::Eq))
                .ignore_then(expr)
                .then_ignore(just(Token::Comma))
                .then_ignore(contextual("target"))
                .then_ignore(just(Token::Eq))
                .then(ty)
                .then_ignore(just(Token::Comma).or_not())
                .delimited_by(just(Token::LParen), just(Token::RParen)),
        )
        .map(|(value, target)| ExprKind::Cast {
            value: boxed(value),
            target,
        })
        .boxed()
}

/// `super.method(args)`.
fn super_call_parser<'t, I: TokenInput<'t>>(args: P<'t, I, Vec<Arg>>) -> P<'t, I, ExprKind> {
    just(Token::Super)
        .ignore_then(just(Token::Dot))
        .ignore_then(member_name())
        .then(args)
        .map(|(method, args)| ExprKind::SuperCall { method, args })
        .boxed()
}

/// `List` (a keyword) as the receiver of a constructor call,
/// `List.filled(...)`: a path of one segment, only when `.` follows.
fn list_type_name_parser<'t, I: TokenInput<'t>>() -> P<'t, I, ExprKind> {
    just(Token::List)
        .map_with(|_, e| {
            ExprKind::Path(Path {
                segments: vec![Ident {
                    name: "List".to_string(),
                    span: e.span(),
                }],
                span: e.span(),
            })
        })
        .then_ignore(just(Token::Dot).rewind())
        .boxed()
}

/// `x`, `a::b`, `E::V`; keywords such as `test` may start a path only
/// when `::` follows.
fn path_parser<'t, I: TokenInput<'t>>() -> P<'t, I, ExprKind> {
    let first_segment = select! { Token::Ident(name) = e => Ident { name, span: e.span() } }
        .or(select! {
            tok = e if path_keyword(&tok).is_some() => Ident {
                name: path_keyword(&tok).unwrap_or_default().to_string(),
                span: e.span(),
            },
        }
        .then_ignore(just(Token::ColonColon).rewind()))
        .or(just(Token::Print).map_with(|_, e| Ident {
            name: "print".to_string(),
            span: e.span(),
        }));
    first_segment
        .then(
            just(Token::ColonColon)
                .ignore_then(path_segment())
                .repeated()
                .collect::<Vec<Ident>>(),
        )
        .map_with(|(first, rest), e| {
            let mut segments = vec![first];
            segments.extend(rest);
            ExprKind::Path(Path {
                segments,
                span: e.span(),
            })
        })
        .boxed()
}
