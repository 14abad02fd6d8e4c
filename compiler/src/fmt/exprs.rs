//! Expressions, arguments and patterns, on one line (a multi-line part,
//! such as a `match` or a block, opens a body one level deeper).
//!
//! Literals are copied from the source: strings byte for byte (escapes,
//! interpolations and line breaks included), numbers with their spelling.
//! Parentheses the source wrote around an expression are kept (`((a))`
//! keeps one pair); others are added only where precedence needs them,
//! which a tree that came from the parser never does.

use super::printer::Printer;
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::token::Token;

/// Binding strength, by section 7.1 (higher binds tighter).
fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Assign { .. } => 1,
        ExprKind::Binary { op, .. } => binary_prec(*op),
        ExprKind::Range { .. } => 6,
        ExprKind::Unary { .. } => 9,
        ExprKind::Call { .. }
        | ExprKind::MethodCall { .. }
        | ExprKind::Field { .. }
        | ExprKind::Index { .. }
        | ExprKind::Try(_) => 10,
        _ => 11,
    }
}

fn binary_prec(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 2,
        BinOp::And => 3,
        BinOp::Eq | BinOp::Ne => 4,
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 5,
        BinOp::Add | BinOp::Sub => 7,
        BinOp::Mul | BinOp::Div | BinOp::Rem => 8,
    }
}

fn any_body<'e>(mut es: impl Iterator<Item = &'e Expr>) -> bool {
    es.any(has_body)
}

/// True when the expression holds a block, a `match` or anything else
/// printed over several lines.
pub(super) fn has_body(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Block(_)
        | ExprKind::If { .. }
        | ExprKind::Match { .. }
        | ExprKind::Spawn(_)
        | ExprKind::Race(_)
        | ExprKind::Closure { .. } => true,
        ExprKind::Int { .. }
        | ExprKind::Float { .. }
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Unit
        | ExprKind::Path(_)
        | ExprKind::SelfValue
        | ExprKind::Error => false,
        ExprKind::List(xs) | ExprKind::Set(xs) => any_body(xs.iter()),
        ExprKind::Dict(kvs) => any_body(kvs.iter().flat_map(|(k, v)| [k, v])),
        ExprKind::Binary { lhs, rhs, .. } => has_body(lhs) || has_body(rhs),
        ExprKind::Assign { target, value } => has_body(target) || has_body(value),
        ExprKind::Range { start, end, .. } => has_body(start) || has_body(end),
        ExprKind::Unary { operand: x, .. }
        | ExprKind::Field { object: x, .. }
        | ExprKind::Try(x)
        | ExprKind::Cast { value: x, .. } => has_body(x),
        ExprKind::Index { object, index } => has_body(object) || has_body(index),
        ExprKind::Call { callee, args } => {
            has_body(callee) || any_body(args.iter().map(|a| &a.value))
        }
        ExprKind::MethodCall { receiver, args, .. } => {
            has_body(receiver) || any_body(args.iter().map(|a| &a.value))
        }
        ExprKind::SuperCall { args, .. } => any_body(args.iter().map(|a| &a.value)),
    }
}

impl Printer<'_> {
    /// An identifier as written (path keywords keep their spelling).
    pub fn ident(&mut self, id: &Ident) {
        let text = self.text(id.span);
        self.w(text);
    }

    pub fn path(&mut self, p: &Path) {
        for (i, seg) in p.segments.iter().enumerate() {
            if i > 0 {
                self.w("::");
            }
            self.ident(seg);
        }
    }

    /// An expression where anything goes (an argument, a condition...).
    pub fn expr(&mut self, e: &Expr) {
        self.expr_at(e, 1);
    }

    /// An expression that must bind at least as tightly as `min`.
    fn expr_at(&mut self, e: &Expr, min: u8) {
        self.comments_before(e.span.start as usize);
        let (inner, had_parens) = self.unparen(e.span);
        let parens = had_parens || prec(e) < min;
        if parens {
            self.w("(");
        }
        self.expr_kind(e, inner);
        if parens {
            self.comments_before(inner.end as usize);
            self.w(")");
        }
    }

    fn expr_kind(&mut self, e: &Expr, inner: Span) {
        match &e.kind {
            ExprKind::Int { .. }
            | ExprKind::Float { .. }
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Unit
            | ExprKind::SelfValue
            | ExprKind::Error => {
                let text = self.text(inner);
                self.w(text);
            }
            ExprKind::Path(p) => self.path(p),
            ExprKind::List(xs) => {
                self.w("[");
                self.list(xs, inner);
                self.w("]");
            }
            ExprKind::Set(xs) => {
                self.w("Set{");
                self.list(xs, inner);
                self.w("}");
            }
            ExprKind::Dict(kvs) => {
                self.w("{");
                for (i, (k, v)) in kvs.iter().enumerate() {
                    if i > 0 {
                        self.w(", ");
                    }
                    self.expr(k);
                    self.w(": ");
                    self.expr(v);
                }
                self.comments_before(inner.end as usize - 1);
                self.w("}");
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let level = binary_prec(*op);
                self.expr_at(lhs, level);
                self.w(" ");
                self.w(op.symbol());
                self.w(" ");
                self.expr_at(rhs, level + 1);
            }
            ExprKind::Unary { op, operand } => {
                self.w(match op {
                    UnOp::Neg => "-",
                    UnOp::Not => "not ",
                });
                self.expr_at(operand, 9);
            }
            ExprKind::Assign { target, value } => {
                self.expr_at(target, 2);
                self.w(" = ");
                self.expr_at(value, 1);
            }
            ExprKind::Call { callee, args } => {
                self.expr_at(callee, 10);
                self.args(args, inner);
            }
            ExprKind::MethodCall {
                receiver,
                method,
                args,
            } => {
                self.expr_at(receiver, 10);
                self.w(".");
                self.ident(method);
                self.args(args, inner);
            }
            ExprKind::SuperCall { method, args } => {
                self.w("super.");
                self.ident(method);
                self.args(args, inner);
            }
            ExprKind::Field { object, field } => {
                self.expr_at(object, 10);
                self.w(".");
                self.ident(field);
            }
            ExprKind::Index { object, index } => {
                self.expr_at(object, 10);
                self.w("[");
                self.expr(index);
                self.comments_before(inner.end as usize - 1);
                self.w("]");
            }
            ExprKind::Try(x) => {
                self.expr_at(x, 10);
                self.w("?");
            }
            ExprKind::Cast { value, target } => {
                self.w("cast(value = ");
                self.expr(value);
                self.w(", target = ");
                self.ty(target);
                self.comments_before(inner.end as usize - 1);
                self.w(")");
            }
            ExprKind::Range {
                start,
                end,
                inclusive,
            } => {
                self.expr_at(start, 7);
                self.w(if *inclusive { "..=" } else { ".." });
                self.expr_at(end, 7);
            }
            ExprKind::Block(b) => self.inline_or_body(b, true),
            ExprKind::If { .. } => self.if_chain(e, false),
            ExprKind::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, inner),
            ExprKind::Spawn(b) => {
                self.w("spawn ");
                self.inline_or_body(b, false);
            }
            ExprKind::Race(spawns) => {
                self.w("race {");
                let open = self.find(inner.start as usize, &Token::LBrace);
                self.open_body(open.map_or(0, |s| s.end as usize));
                for s in spawns {
                    self.line_element(s.span.start as usize);
                    self.expr(s);
                    self.trailing(s.span.end as usize);
                }
                self.close_body(inner.end as usize - 1);
            }
            ExprKind::Closure { params, ret, body } => {
                self.w("fn");
                self.params(params, inner.start as usize);
                if let Some(ret) = ret {
                    self.w(" -> ");
                    self.ty(ret);
                }
                self.w(" ");
                self.inline_or_body(body, false);
            }
        }
    }

    /// `a, b, c` inside a literal spanning `inner` (closed by one token).
    fn list(&mut self, xs: &[Expr], inner: Span) {
        for (i, x) in xs.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            self.expr(x);
        }
        self.comments_before(inner.end as usize - 1);
    }

    /// `(a = 1, b)` of a call spanning `inner` (which ends with the `)`).
    pub fn args(&mut self, args: &[Arg], inner: Span) {
        self.w("(");
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            match &a.name {
                Some(name) => {
                    self.comments_before(a.span.start as usize);
                    self.ident(name);
                    self.w(" = ");
                    self.expr(&a.value);
                }
                // Positional: an assignment here needs its parentheses.
                None => self.expr_at(&a.value, 2),
            }
        }
        self.comments_before(inner.end as usize - 1);
        self.w(")");
    }

    /// `if (c) { } else if (d) { } else { }`. A statement (`stmt`) has
    /// its bodies on their own lines; so has an expression, but for
    /// `if (c) { a } else { b }` with short bodies.
    pub fn if_chain(&mut self, e: &Expr, stmt: bool) {
        let inline = !stmt && self.if_inline(e);
        let mut cur = e;
        while let ExprKind::If {
            cond,
            then,
            otherwise,
        } = &cur.kind
        {
            self.w("if (");
            self.expr(cond);
            self.comments_before_token(cond.span.end as usize, &Token::RParen);
            self.w(") ");
            self.block_as(then, inline);
            let Some(other) = otherwise else {
                break;
            };
            self.comments_before_token(then.span.end as usize, &Token::Else);
            self.w(" else ");
            self.comments_before(other.span.start as usize);
            match &other.kind {
                ExprKind::If { .. } => cur = other,
                ExprKind::Block(b) => {
                    self.block_as(b, inline);
                    break;
                }
                _ => {
                    self.expr(other);
                    break;
                }
            }
        }
    }

    /// `if (c) { a } else { b }` on one line: no `else if`, and both
    /// bodies fit on one line.
    fn if_inline(&self, e: &Expr) -> bool {
        let ExprKind::If {
            then, otherwise, ..
        } = &e.kind
        else {
            return false;
        };
        let other_fits = match otherwise.as_deref().map(|o| &o.kind) {
            None => true,
            Some(ExprKind::Block(b)) => self.block_fits_inline(b),
            Some(_) => false,
        };
        other_fits && self.block_fits_inline(then)
    }

    fn match_expr(&mut self, scrutinee: &Expr, arms: &[MatchArm], inner: Span) {
        self.w("match ");
        self.expr(scrutinee);
        self.w(" {");
        let open = self.find(scrutinee.span.end as usize, &Token::LBrace);
        let close = inner.end as usize - 1;
        if arms.is_empty()
            && !self.has_comments(Span {
                end: close as u32,
                ..inner
            })
        {
            self.w("}");
            return;
        }
        self.open_body(open.map_or(0, |s| s.end as usize));
        for (i, arm) in arms.iter().enumerate() {
            self.line_element(arm.span.start as usize);
            self.pattern(&arm.pattern);
            self.w(" -> ");
            self.arm_body(&arm.body);
            if i + 1 < arms.len() {
                self.w(",");
            }
            self.trailing(arm.body.span.end as usize);
        }
        self.close_body(close);
    }

    /// An arm's body: an expression, a block, or a statement written
    /// without braces (`return x`, `break`, `while (c) { }`...).
    fn arm_body(&mut self, body: &Expr) {
        if let ExprKind::Block(b) = &body.kind {
            let braced = self.text(body.span).starts_with('{');
            if !braced {
                if let Some(s) = b.stmts.first() {
                    self.comments_before(s.span.start as usize);
                    self.stmt_kind(s, false);
                    return;
                }
            }
            self.inline_or_body(b, false);
            return;
        }
        self.expr(body);
    }

    pub fn pattern(&mut self, p: &Pattern) {
        self.comments_before(p.span.start as usize);
        match &p.kind {
            PatternKind::Wildcard => self.w("_"),
            PatternKind::Binding { name, ty } => {
                self.ident(name);
                if let Some(ty) = ty {
                    self.w(": ");
                    self.ty(ty);
                }
            }
            PatternKind::Literal(e) => self.expr(e),
            PatternKind::Variant { path, fields } => {
                self.path(path);
                if let Some(fields) = fields {
                    self.w("(");
                    for (i, f) in fields.iter().enumerate() {
                        if i > 0 {
                            self.w(", ");
                        }
                        self.pattern(f);
                    }
                    self.comments_before(p.span.end as usize - 1);
                    self.w(")");
                }
            }
            PatternKind::Error => {
                let text = self.text(p.span);
                self.w(text);
            }
        }
    }
}
