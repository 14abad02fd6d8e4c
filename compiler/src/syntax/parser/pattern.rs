//! Match patterns: `_`, literals (negative numbers included), variants
//! `E::V`, `E::V(b: T, c, _)`, `V(b: T)`, `m::E::V(..)`, and bindings
//! (a lower-case identifier with an optional `: Type`). A bare capitalised
//! identifier is a variant without fields.

use chumsky::prelude::*;

use super::{path_segment, TokenInput, P};
use crate::syntax::ast::{
    Expr, ExprKind, Ident, Path, Pattern, PatternKind, StrPart, TypeExpr, UnOp,
};
use crate::syntax::token::Token;

pub(crate) fn pattern_parser<'t, I: TokenInput<'t>>(ty: P<'t, I, TypeExpr>) -> P<'t, I, Pattern> {
    recursive(|pattern| {
        let literal = select! {
            Token::Int { value, suffix } => ExprKind::Int { value, suffix },
            Token::Float { value, suffix } => ExprKind::Float { value, suffix },
            Token::Str(s) => ExprKind::Str(vec![StrPart::Lit(s)]),
            Token::True => ExprKind::Bool(true),
            Token::False => ExprKind::Bool(false),
        }
        .map_with(|kind, e| Expr {
            kind,
            span: e.span(),
        });
        let negative = just(Token::Minus)
            .ignore_then(literal)
            .map_with(|operand, e| Expr {
                kind: ExprKind::Unary {
                    op: UnOp::Neg,
                    operand: Box::new(operand),
                },
                span: e.span(),
            });
        let literal = negative.or(literal).map(PatternKind::Literal);

        let fields = pattern
            .separated_by(just(Token::Comma))
            .allow_trailing()
            .collect::<Vec<Pattern>>()
            .delimited_by(just(Token::LParen), just(Token::RParen));

        let path = path_segment()
            .separated_by(just(Token::ColonColon))
            .at_least(1)
            .collect::<Vec<Ident>>()
            .map_with(|segments, e| Path {
                segments,
                span: e.span(),
            });

        let named = path
            .then(fields.or_not())
            .then(just(Token::Colon).ignore_then(ty).or_not())
            .validate(|((path, fields), ty), e, emitter| {
                let single = path.segments.len() == 1 && fields.is_none();
                let first = path
                    .segments
                    .first()
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                if single && first == "_" && ty.is_none() {
                    return PatternKind::Wildcard;
                }
                let lower = first.starts_with(|c: char| c.is_ascii_lowercase() || c == '_');
                if single && (lower || ty.is_some()) {
                    let name = path.segments.into_iter().next();
                    if let Some(name) = name {
                        return PatternKind::Binding { name, ty };
                    }
                    return PatternKind::Error;
                }
                if ty.is_some() {
                    emitter.emit(Rich::custom(
                        e.span(),
                        "a type annotation is only allowed on a binding",
                    ));
                }
                PatternKind::Variant { path, fields }
            });

        super::stack_gate()
            .ignore_then(choice((literal.boxed(), named.boxed())))
            .map_with(|kind, e| Pattern {
                kind,
                span: e.span(),
            })
            .labelled("pattern")
    })
    .boxed()
}
