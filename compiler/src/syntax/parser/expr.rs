//! Expressions, by the precedence table of section 7.1 (lowest first):
//! assignment (right), `or`, `and`, `== !=`, `< <= > >=`, `..`/`..=`
//! (non-associative), `+ -`, `* / %`, prefix `not`/`-`, postfix call,
//! index, member, method call and `?`. Primary expressions include
//! literals and interpolated strings, lists, dicts, sets, blocks, `if`,
//! `match`, `spawn`, `race`, closures, `cast`, `super` calls and paths.

use chumsky::prelude::*;

use super::item::params_parser;
use super::recovery::{delimited_recovery, PARENS_OTHERS};
use super::{contextual, ident, member_name, path_keyword, path_segment, TokenInput, P};
use crate::syntax::ast::{
    Arg, BinOp, Block, Expr, ExprKind, Ident, MatchArm, Path, Pattern, StrPart, TypeExpr, UnOp,
};
use crate::syntax::token::Token;

fn boxed(e: Expr) -> Box<Expr> {
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

fn atom_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    block: P<'t, I, Block>,
    ty: P<'t, I, TypeExpr>,
    pattern: P<'t, I, Pattern>,
    args: P<'t, I, Vec<Arg>>,
) -> P<'t, I, Expr> {
    let literal = select! {
        Token::Int { value, suffix } => ExprKind::Int { value, suffix },
        Token::Float { value, suffix } => ExprKind::Float { value, suffix },
        Token::Str(s) => ExprKind::Str(vec![StrPart::Lit(s)]),
        Token::True => ExprKind::Bool(true),
        Token::False => ExprKind::Bool(false),
        Token::SelfKw => ExprKind::SelfValue,
    };

    // "a${x}b": the expressions inside `${ }` are ordinary tokens.
    let interp = expr
        .clone()
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
    let template = just(Token::StrStart)
        .ignore_then(
            select! { Token::StrPart(s) => StrPart::Lit(s) }
                .or(interp)
                .repeated()
                .collect::<Vec<StrPart>>(),
        )
        .then_ignore(just(Token::StrEnd))
        .map(ExprKind::Str);

    let unit = just(Token::LParen)
        .then(just(Token::RParen))
        .to(ExprKind::Unit);
    let paren = expr
        .clone()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .map(|e| e.kind)
        .recover_with(via_parser(delimited_recovery(
            Token::LParen,
            Token::RParen,
            PARENS_OTHERS,
            |_| ExprKind::Error,
        )));

    let items = expr
        .clone()
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<Expr>>();
    let list = items
        .clone()
        .delimited_by(just(Token::LBracket), just(Token::RBracket))
        .map(ExprKind::List);
    let set = just(Token::Set)
        .ignore_then(
            items
                .clone()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map(ExprKind::Set);

    // A `{` is a dict when followed by `}` or by a key then `:`.
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
    let dict = dict_start
        .rewind()
        .ignore_then(
            key.then_ignore(just(Token::Colon))
                .then(expr.clone())
                .separated_by(just(Token::Comma))
                .allow_trailing()
                .collect::<Vec<(Expr, Expr)>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map(ExprKind::Dict);

    let block_expr = block.clone().map(ExprKind::Block);

    // `if (c) {..} else if (c2) {..} ... else {..}`: the chain is read
    // with a loop and nested afterwards, so its length costs no stack.
    let if_head = just(Token::If)
        .ignore_then(
            expr.clone()
                .delimited_by(just(Token::LParen), just(Token::RParen)),
        )
        .then(block.clone())
        .map_with(|(cond, then), e| (cond, then, e.span()));
    let if_expr = if_head
        .clone()
        .then(
            just(Token::Else)
                .then(just(Token::If).rewind())
                .ignore_then(if_head)
                .repeated()
                .collect::<Vec<(Expr, Block, crate::source::Span)>>(),
        )
        .then(
            just(Token::Else)
                .ignore_then(block.clone())
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
        });

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
    let arm_statement = super::stmt::arm_statement_parser(expr.clone(), block.clone(), ty.clone());
    let arm = pattern
        .then_ignore(just(Token::Arrow))
        .then(choice((empty_block, arm_statement, expr.clone())))
        .then_ignore(just(Token::Comma).or_not())
        .map_with(|(pattern, body), e| MatchArm {
            pattern,
            body,
            span: e.span(),
        });
    let match_expr = just(Token::Match)
        .ignore_then(expr.clone())
        .then(
            arm.repeated()
                .collect::<Vec<MatchArm>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map(|(scrutinee, arms)| ExprKind::Match {
            scrutinee: boxed(scrutinee),
            arms,
        });

    let spawn = just(Token::Spawn)
        .ignore_then(block.clone())
        .map(ExprKind::Spawn);
    let race = contextual("race")
        .then(just(Token::LBrace).rewind())
        .ignore_then(
            spawn
                .clone()
                .map_with(|kind, e| Expr {
                    kind,
                    span: e.span(),
                })
                .then_ignore(just(Token::Semi).or(just(Token::Comma)).or_not())
                .repeated()
                .collect::<Vec<Expr>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map(ExprKind::Race);

    let closure = just(Token::Fn)
        .ignore_then(params_parser(expr.clone(), ty.clone()))
        .then(just(Token::Arrow).ignore_then(ty.clone()).or_not())
        .then(block)
        .map(|((params, ret), body)| ExprKind::Closure { params, ret, body });

    let cast = just(Token::Cast)
        .ignore_then(
            contextual("value")
                .ignore_then(just(Token::Eq))
                .ignore_then(expr.clone())
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
        });

    let super_call = just(Token::Super)
        .ignore_then(just(Token::Dot))
        .ignore_then(member_name())
        .then(args)
        .map(|(method, args)| ExprKind::SuperCall { method, args });

    // `x`, `a::b`, `E::V`; keywords such as `test` may start a path only
    // when `::` follows.
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
    let path = first_segment
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
        });

    let kinds = choice((
        literal.boxed(),
        template.boxed(),
        unit.boxed(),
        paren.boxed(),
        list.boxed(),
        set.boxed(),
        dict.boxed(),
        if_expr.boxed(),
        match_expr.boxed(),
        spawn.boxed(),
        race.boxed(),
        closure.boxed(),
        cast.boxed(),
        super_call.boxed(),
        list_type_name().boxed(),
        path.boxed(),
        block_expr.boxed(),
    ));
    kinds
        .map_with(|kind, e| Expr {
            kind,
            span: e.span(),
        })
        .boxed()
}

/// True for expressions that end in a block and need no `;` as statements.
/// `List` (a keyword) as the receiver of a constructor call,
/// `List.filled(...)`: a path of one segment, only when `.` follows.
fn list_type_name<'t, I: TokenInput<'t>>() -> P<'t, I, ExprKind> {
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
