//! Types: `Int32`, `List[T]`/`List<T>`, `Dict[K, V]`, `Set[T]`,
//! `Option<T>`, `a::B<T>`, `Fn(A, B) -> R`, `()`; and generic parameter
//! lists `<T, U>`.

use chumsky::prelude::*;

use super::{contextual, ident, path_segment, TokenInput, P};
use crate::syntax::ast::{Ident, Path, TypeExpr, TypeExprKind};
use crate::syntax::token::Token;

pub(crate) fn type_parser<'t, I: TokenInput<'t>>() -> P<'t, I, TypeExpr> {
    recursive(|ty| {
        let ty = ty.boxed();
        let comma_list = ty
            .clone()
            .separated_by(just(Token::Comma))
            .allow_trailing()
            .collect::<Vec<TypeExpr>>();
        // `[..]` or `<..>` around a collection's type arguments.
        let brackets = comma_list
            .clone()
            .delimited_by(just(Token::LBracket), just(Token::RBracket))
            .or(comma_list
                .clone()
                .delimited_by(just(Token::Lt), just(Token::Gt)))
            .boxed();

        let collection = choice((
            just(Token::List).to(0u8),
            just(Token::Dict).to(1u8),
            just(Token::Set).to(2u8),
        ))
        .then(brackets.clone())
        .validate(|(which, mut args), e, emitter| {
            let span = e.span();
            let want = if which == 1 { 2 } else { 1 };
            let name = ["List", "Dict", "Set"]
                .get(which as usize)
                .copied()
                .unwrap_or("List");
            if args.len() != want {
                emitter.emit(Rich::custom(
                    span,
                    format!(
                        "`{name}` takes {want} type argument{}, found {}",
                        if want == 1 { "" } else { "s" },
                        args.len()
                    ),
                ));
                return TypeExprKind::Error;
            }
            let mut next = || Box::new(args.remove(0));
            match which {
                0 => TypeExprKind::List(next()),
                1 => {
                    let k = next();
                    TypeExprKind::Dict(k, next())
                }
                _ => TypeExprKind::Set(next()),
            }
        });

        let fn_type = contextual("Fn")
            .ignore_then(
                comma_list
                    .clone()
                    .delimited_by(just(Token::LParen), just(Token::RParen)),
            )
            .then(just(Token::Arrow).ignore_then(ty.clone()).or_not())
            .map(|(params, ret)| TypeExprKind::Fn {
                params,
                ret: ret.map(Box::new),
            });

        let unit = just(Token::LParen)
            .then(just(Token::RParen))
            .to(TypeExprKind::Unit);

        let named = path_segment()
            .separated_by(just(Token::ColonColon))
            .at_least(1)
            .collect::<Vec<Ident>>()
            .map_with(|segments, e| Path {
                segments,
                span: e.span(),
            })
            .then(
                comma_list
                    .clone()
                    .delimited_by(just(Token::Lt), just(Token::Gt))
                    .or_not(),
            )
            .map(|(path, args)| TypeExprKind::Named {
                path,
                args: args.unwrap_or_default(),
            });

        super::stack_gate()
            .ignore_then(choice((
                collection.boxed(),
                fn_type.boxed(),
                unit.boxed(),
                named.boxed(),
            )))
            .map_with(|kind, e| TypeExpr {
                kind,
                span: e.span(),
            })
            .labelled("type")
    })
    .boxed()
}

/// `<T, U>` after a function, class or enum name (absent: empty).
pub(crate) fn generics_parser<'t, I: TokenInput<'t>>() -> P<'t, I, Vec<Ident>> {
    ident()
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<Ident>>()
        .delimited_by(just(Token::Lt), just(Token::Gt))
        .or_not()
        .map(Option::unwrap_or_default)
        .boxed()
}
