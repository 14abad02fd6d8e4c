//! Blocks and statements: `let`/`var`, `return`, `while`, `for`, `break`,
//! `continue`, `concurrent`, `select`, and expression statements. An
//! expression statement needs `;` unless it is block-like (`if`, `match`,
//! a block...); a final expression without `;` is the block's `tail`.
//! A statement that fails to parse is skipped up to its `;` (recovery) and
//! becomes `StmtKind::Error`.

use chumsky::prelude::*;

use super::expr::{args_parser, is_block_like};
use super::recovery::{delimited_recovery, skip_recovery, STMT_STARTS};
use super::{contextual, ident, TokenInput, P};
use crate::syntax::ast::{
    Block, Expr, ExprKind, SelectArm, SelectArmKind, Stmt, StmtKind, TypeExpr,
};
use crate::syntax::token::Token;

/// One item of a block, before the block decides what its tail is.
#[derive(Clone)]
enum BlockItem {
    Stmt(Stmt),
    /// A block-like expression without `;` (`if`, `match`...).
    Open(Expr),
    /// An expression without `;` right before `}`.
    Tail(Expr),
    /// A lone `;`.
    Empty,
}

pub(crate) fn block_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    block: P<'t, I, Block>,
    ty: P<'t, I, TypeExpr>,
) -> P<'t, I, Block> {
    let item = block_item_parser(expr, block, ty);
    item.repeated()
        .collect::<Vec<BlockItem>>()
        .delimited_by(just(Token::LBrace), just(Token::RBrace))
        .map_with(|items, e| build_block(items, e.span()))
        .recover_with(via_parser(delimited_recovery(
            Token::LBrace,
            Token::RBrace,
            [
                (Token::LParen, Token::RParen),
                (Token::LBracket, Token::RBracket),
            ],
            |span| Block {
                stmts: vec![Stmt {
                    kind: StmtKind::Error,
                    span,
                }],
                tail: None,
                span,
            },
        )))
        .labelled("block")
        .boxed()
}

fn build_block(items: Vec<BlockItem>, span: crate::source::Span) -> Block {
    let mut stmts = Vec::new();
    let mut tail = None;
    let count = items.len();
    for (i, item) in items.into_iter().enumerate() {
        let last = i + 1 == count;
        match item {
            BlockItem::Stmt(s) => stmts.push(s),
            BlockItem::Open(e) | BlockItem::Tail(e) if last => tail = Some(Box::new(e)),
            BlockItem::Open(e) | BlockItem::Tail(e) => stmts.push(Stmt {
                span: e.span,
                kind: StmtKind::Expr(e),
            }),
            BlockItem::Empty => {}
        }
    }
    Block { stmts, tail, span }
}

fn block_item_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    block: P<'t, I, Block>,
    ty: P<'t, I, TypeExpr>,
) -> P<'t, I, BlockItem> {
    let semi = || just(Token::Semi);

    let let_stmt = choice((just(Token::Let).to(false), just(Token::Var).to(true)))
        .then(ident())
        .then(just(Token::Colon).ignore_then(ty.clone()).or_not())
        .then_ignore(just(Token::Eq))
        .then(expr.clone())
        .then_ignore(semi())
        .map(|(((mutable, name), ty), value)| StmtKind::Let {
            mutable,
            name,
            ty,
            value,
        });

    let return_stmt = just(Token::Return)
        .ignore_then(expr.clone().or_not())
        .then_ignore(semi())
        .map(StmtKind::Return);

    let break_stmt = just(Token::Break).then(semi()).to(StmtKind::Break);
    let continue_stmt = just(Token::Continue).then(semi()).to(StmtKind::Continue);

    let select = select_parser(expr.clone(), block.clone(), ty.clone()).map(StmtKind::Select);

    let stmt = choice((
        let_stmt.boxed(),
        return_stmt.boxed(),
        break_stmt.boxed(),
        continue_stmt.boxed(),
        block_stmt_parser(expr.clone(), block.clone(), ty.clone()),
        select.boxed(),
    ))
    .map_with(|kind, e| {
        BlockItem::Stmt(Stmt {
            kind,
            span: e.span(),
        })
    })
    .labelled("statement");

    // Block-like expressions (`if`, `match`, `{}`...) at statement start
    // need no `;`; other expressions need `;` unless they end the block.
    let block_like_start = choice((
        just(Token::If).ignored(),
        just(Token::Match).ignored(),
        just(Token::LBrace).ignored(),
        just(Token::Spawn).ignored(),
        contextual("race").ignored(),
    ))
    .rewind();
    let open_stmt = block_like_start
        .clone()
        .ignore_then(expr.clone())
        .then(just(Token::Semi).or_not())
        .then(just(Token::RBrace).rewind().or_not())
        .map_with(|((expr, semi), brace), e| match (semi, brace) {
            (Some(_), _) => BlockItem::Stmt(Stmt {
                span: e.span(),
                kind: StmtKind::Expr(expr),
            }),
            (None, Some(_)) => BlockItem::Tail(expr),
            (None, None) if is_block_like(&expr) => BlockItem::Open(expr),
            (None, None) => BlockItem::Stmt(Stmt {
                span: e.span(),
                kind: StmtKind::Expr(expr),
            }),
        });
    // Never retried on block-like starts: re-parsing a failed `if` here
    // would make nested failures exponential.
    let expr_stmt = block_like_start
        .not()
        .ignore_then(expr)
        .then(choice((
            just(Token::Semi).to(true),
            just(Token::RBrace).rewind().to(false),
        )))
        .map_with(|(expr, semi), e| {
            if semi {
                BlockItem::Stmt(Stmt {
                    span: e.span(),
                    kind: StmtKind::Expr(expr),
                })
            } else {
                BlockItem::Tail(expr)
            }
        });

    choice((
        just(Token::Semi).to(BlockItem::Empty).boxed(),
        stmt.boxed(),
        open_stmt.boxed(),
        expr_stmt.boxed(),
    ))
    .recover_with(via_parser(
        skip_recovery(vec![Token::RBrace], STMT_STARTS.to_vec(), true).map_with(|_, e| {
            BlockItem::Stmt(Stmt {
                kind: StmtKind::Error,
                span: e.span(),
            })
        }),
    ))
    .boxed()
}

/// The statements that end in a block and need no `;`: `while`, `for`
/// and `concurrent`.
fn block_stmt_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    block: P<'t, I, Block>,
    ty: P<'t, I, TypeExpr>,
) -> P<'t, I, StmtKind> {
    let while_stmt = just(Token::While)
        .ignore_then(
            expr.clone()
                .delimited_by(just(Token::LParen), just(Token::RParen)),
        )
        .then(block.clone())
        .map(|(cond, body)| StmtKind::While { cond, body });

    let for_stmt = just(Token::For)
        .ignore_then(
            ident()
                .then(just(Token::Colon).ignore_then(ty).or_not())
                .then_ignore(just(Token::In))
                .then(expr.clone())
                .delimited_by(just(Token::LParen), just(Token::RParen)),
        )
        .then(block.clone())
        .map(|(((var, ty), iter), body)| StmtKind::For {
            var,
            ty,
            iter,
            body,
        });

    let concurrent = just(Token::Concurrent)
        .ignore_then(args_parser(expr).or_not())
        .then(block)
        .map(|(args, body)| StmtKind::Concurrent {
            args: args.unwrap_or_default(),
            body,
        });

    choice((while_stmt.boxed(), for_stmt.boxed(), concurrent.boxed())).boxed()
}

/// A statement as the body of a match arm (decision 6): `return [value]`,
/// `break`, `continue` (without `;`: the arm ends at `,` or `}`), or a
/// `while`, `for` or `concurrent` statement. The arm becomes a block
/// holding that one statement, so its type is `Never` or `Unit`.
pub(crate) fn arm_statement_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    block: P<'t, I, Block>,
    ty: P<'t, I, TypeExpr>,
) -> P<'t, I, Expr> {
    // `return` alone when the arm ends right after it.
    let arm_end = choice((just(Token::Comma), just(Token::RBrace))).rewind();
    let return_arm = just(Token::Return)
        .ignore_then(arm_end.to(None).or(expr.clone().map(Some)))
        .map(StmtKind::Return);
    choice((
        return_arm.boxed(),
        just(Token::Break).to(StmtKind::Break).boxed(),
        just(Token::Continue).to(StmtKind::Continue).boxed(),
        block_stmt_parser(expr, block, ty),
    ))
    .map_with(|kind, e| {
        let span = e.span();
        Expr {
            kind: ExprKind::Block(Block {
                stmts: vec![Stmt { kind, span }],
                tail: None,
                span,
            }),
            span,
        }
    })
    .boxed()
}

/// `select { arms }` (`select` is contextual).
fn select_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    block: P<'t, I, Block>,
    ty: P<'t, I, TypeExpr>,
) -> P<'t, I, Vec<SelectArm>> {
    let recv = choice((just(Token::Let), just(Token::Var)))
        .ignore_then(ident())
        .then(just(Token::Colon).ignore_then(ty).or_not())
        .then_ignore(just(Token::Eq))
        .then(expr.clone())
        .map(|((name, ty), channel)| SelectArmKind::Recv { name, ty, channel });
    let default = contextual("default")
        .then(just(Token::Arrow).rewind())
        .to(SelectArmKind::Default);
    // The whole call `after(millis = n)`, checked like any call.
    let after = contextual("after")
        .then(just(Token::LParen))
        .rewind()
        .ignore_then(expr.clone())
        .map(SelectArmKind::After);
    let send = expr.map(SelectArmKind::Send);
    let arm = choice((recv.boxed(), default.boxed(), after.boxed(), send.boxed()))
        .then_ignore(just(Token::Arrow))
        .then(block)
        .then_ignore(just(Token::Comma).or(just(Token::Semi)).or_not())
        .map_with(|(kind, body), e| SelectArm {
            kind,
            body,
            span: e.span(),
        });
    contextual("select")
        .then(just(Token::LBrace).rewind())
        .ignore_then(
            arm.repeated()
                .collect::<Vec<SelectArm>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .boxed()
}
