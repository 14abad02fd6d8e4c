//! Blocks and statements: one statement per line, bodies one level deeper,
//! blank lines kept (at most one). A short block in an expression (a
//! closure, `spawn`, an arm, an `if` expression) stays on one line when it
//! holds one simple statement and no comment: `spawn { return f(x = 1); }`.

use super::exprs::has_body;
use super::printer::Printer;
use crate::syntax::ast::*;
use crate::syntax::token::Token;

impl Printer<'_> {
    /// `{ ... }` over several lines (`{}` when empty and without comments).
    pub fn body(&mut self, b: &Block) {
        let open_end = b.span.start as usize + 1;
        let close = (b.span.end as usize).saturating_sub(1);
        self.comments_before(b.span.start as usize);
        if b.stmts.is_empty() && b.tail.is_none() && !self.has_comments(b.span) {
            self.w("{}");
            return;
        }
        self.w("{");
        self.open_body(open_end);
        self.stmts(b);
        self.close_body(close);
    }

    /// The statements and the final expression of a block, one per line.
    fn stmts(&mut self, b: &Block) {
        for s in &b.stmts {
            self.line_element(s.span.start as usize);
            self.stmt_kind(s, true);
            self.trailing(s.span.end as usize);
        }
        if let Some(tail) = &b.tail {
            self.line_element(tail.span.start as usize);
            self.stmt_expr(tail);
            self.trailing(tail.span.end as usize);
        }
    }

    /// A block in an expression: inline when it fits, else [`Self::body`].
    /// `dict_like`: where `{}` would read as an empty dict, an empty block
    /// is written `{ ; }`.
    pub fn inline_or_body(&mut self, b: &Block, dict_like: bool) {
        if self.block_fits_inline(b) {
            self.inline_block(b, dict_like);
        } else {
            self.body(b);
        }
    }

    /// Inline or over several lines, as decided by the caller.
    pub fn block_as(&mut self, b: &Block, inline: bool) {
        if inline {
            self.inline_block(b, false);
        } else {
            self.body(b);
        }
    }

    fn inline_block(&mut self, b: &Block, dict_like: bool) {
        self.comments_before(b.span.start as usize);
        if let Some(s) = b.stmts.first() {
            self.w("{ ");
            self.stmt_kind(s, true);
            self.w(" }");
        } else if let Some(tail) = &b.tail {
            self.w("{ ");
            self.expr(tail);
            self.w(" }");
        } else if dict_like {
            self.w("{ ; }");
        } else {
            self.w("{}");
        }
    }

    /// At most one simple statement or value, and no comment inside.
    pub fn block_fits_inline(&self, b: &Block) -> bool {
        if self.has_comments(b.span) {
            return false;
        }
        match (b.stmts.as_slice(), &b.tail) {
            ([], None) => true,
            ([], Some(tail)) => !has_body(tail),
            ([s], None) => match &s.kind {
                StmtKind::Let { value, .. } => !has_body(value),
                StmtKind::Expr(e) => !has_body(e),
                StmtKind::Return(e) => !e.as_ref().is_some_and(has_body),
                StmtKind::Break | StmtKind::Continue => true,
                _ => false,
            },
            _ => false,
        }
    }

    /// An expression standing as a statement: `if` chains and blocks are
    /// laid out as statements.
    fn stmt_expr(&mut self, e: &Expr) {
        let (_, parens) = self.unparen(e.span);
        match &e.kind {
            ExprKind::If { .. } if !parens => {
                self.comments_before(e.span.start as usize);
                self.if_chain(e, true);
            }
            ExprKind::Block(b) if !(parens || b.stmts.is_empty() && b.tail.is_none()) => {
                self.comments_before(e.span.start as usize);
                self.body(b);
            }
            _ => self.expr(e),
        }
    }

    /// The statement itself; `semi`: the `;` that ends it (not in an arm).
    pub fn stmt_kind(&mut self, s: &Stmt, semi: bool) {
        let end = if semi { ";" } else { "" };
        match &s.kind {
            StmtKind::Let {
                mutable,
                name,
                ty,
                value,
            } => {
                self.w(if *mutable { "var " } else { "let " });
                self.ident(name);
                if let Some(ty) = ty {
                    self.w(": ");
                    self.ty(ty);
                }
                self.w(" = ");
                self.expr(value);
                self.w(end);
            }
            StmtKind::Expr(e) => {
                self.stmt_expr(e);
                // Block-like statements may go without `;`: keep the
                // source's choice (it decides what the parser builds).
                if semi && s.span.end > e.span.end {
                    self.w(";");
                }
            }
            StmtKind::Return(value) => {
                self.w("return");
                if let Some(v) = value {
                    self.w(" ");
                    self.expr(v);
                }
                self.w(end);
            }
            StmtKind::While { cond, body } => {
                self.w("while (");
                self.expr(cond);
                self.comments_before_token(cond.span.end as usize, &Token::RParen);
                self.w(") ");
                self.body(body);
            }
            StmtKind::For {
                var,
                ty,
                iter,
                body,
            } => {
                self.w("for (");
                self.ident(var);
                if let Some(ty) = ty {
                    self.w(": ");
                    self.ty(ty);
                }
                self.w(" in ");
                self.expr(iter);
                self.comments_before_token(iter.span.end as usize, &Token::RParen);
                self.w(") ");
                self.body(body);
            }
            StmtKind::Break => {
                self.w("break");
                self.w(end);
            }
            StmtKind::Continue => {
                self.w("continue");
                self.w(end);
            }
            StmtKind::Concurrent { args, body } => {
                self.w("concurrent");
                if !args.is_empty() {
                    let close = self.last_token_before(body.span.start as usize);
                    let end = close.map_or(body.span.start, |t| t.end);
                    self.args(args, crate::source::Span { end, ..s.span });
                }
                self.w(" ");
                self.body(body);
            }
            StmtKind::Select(arms) => self.select(s, arms),
            StmtKind::Error => {
                let text = self.text(s.span);
                self.w(text);
            }
        }
    }

    fn select(&mut self, s: &Stmt, arms: &[SelectArm]) {
        self.w("select {");
        let open = self.find(s.span.start as usize, &Token::LBrace);
        let close = (s.span.end as usize).saturating_sub(1);
        if arms.is_empty() && !self.has_comments(s.span) {
            self.w("}");
            return;
        }
        self.open_body(open.map_or(0, |t| t.end as usize));
        for arm in arms {
            self.line_element(arm.span.start as usize);
            match &arm.kind {
                SelectArmKind::Recv { name, ty, channel } => {
                    // `let` or `var`, as written (the tree does not say).
                    let kw = self.token_from(arm.span.start as usize);
                    let var = kw.is_some_and(|t| self.text(t) == "var");
                    self.w(if var { "var " } else { "let " });
                    self.ident(name);
                    if let Some(ty) = ty {
                        self.w(": ");
                        self.ty(ty);
                    }
                    self.w(" = ");
                    self.expr(channel);
                }
                SelectArmKind::Send(e) | SelectArmKind::After(e) => self.expr(e),
                SelectArmKind::Default => self.w("default"),
            }
            self.w(" -> ");
            self.inline_or_body(&arm.body, false);
            self.trailing(arm.span.end as usize);
        }
        self.close_body(close);
    }
}
