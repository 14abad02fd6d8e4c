//! The generated programs' scalar core as a small AST, with a renderer to
//! Plat text and a reference evaluator (the model the compiled program is
//! compared against).

use crate::value::{binary, cast, negate, BinOp, Fault, Ty, Val};
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub enum Expr {
    Lit(Val),
    /// A local, parameter or `self.field` (rendered verbatim).
    Var(String),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Cast(Ty, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A call of a generated function; arguments in written order.
    Call(String, Vec<(String, Expr)>),
    /// `"text${e}text..."`: literal pieces and expressions.
    Interp(Vec<Piece>),
    Str(StrOp, Box<Expr>, Vec<Expr>),
}

#[derive(Clone, Debug)]
pub enum Piece {
    Text(String),
    Expr(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrOp {
    Length,
    Substring,
    Contains,
    StartsWith,
    EndsWith,
    ReplaceAll,
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Let {
        name: String,
        ty: Ty,
        mutable: bool,
        init: Expr,
    },
    Assign(String, Expr),
    Print(Expr),
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    /// `var c: Int32 = 0; while (c < limit) { c = c + 1; body }`.
    While {
        counter: String,
        limit: i64,
        body: Vec<Stmt>,
    },
    /// `for (var: Ty in lo..hi) { body }` (`..=` when inclusive).
    For {
        var: String,
        ty: Ty,
        lo: i64,
        hi: i64,
        inclusive: bool,
        body: Vec<Stmt>,
    },
    Break,
    Continue,
    Return(Expr),
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub ty: Ty,
    pub default: Option<Val>,
}

#[derive(Clone, Debug)]
pub struct Func {
    pub name: String,
    pub params: Vec<Param>,
    pub ret: Ty,
    pub body: Vec<Stmt>,
}

// ---------------------------------------------------------------- render

pub fn render_expr(e: &Expr) -> String {
    match e {
        Expr::Lit(v) => v.literal(),
        Expr::Var(n) => n.clone(),
        Expr::Bin(op, a, b) => format!("({} {} {})", render_expr(a), op.text(), render_expr(b)),
        Expr::Neg(a) => format!("(-{})", render_expr(a)),
        Expr::Not(a) => format!("(not {})", render_expr(a)),
        Expr::Cast(t, a) => format!("cast(value = {}, target = {})", render_expr(a), t.name()),
        Expr::If(c, a, b) => format!(
            "(if ({}) {{ {} }} else {{ {} }})",
            render_expr(c),
            render_expr(a),
            render_expr(b)
        ),
        Expr::Call(f, args) => {
            let args: Vec<String> = args
                .iter()
                .map(|(n, e)| format!("{n} = {}", render_expr(e)))
                .collect();
            format!("{f}({})", args.join(", "))
        }
        Expr::Interp(pieces) => {
            let mut s = String::from("\"");
            for p in pieces {
                match p {
                    Piece::Text(t) => {
                        let lit = crate::value::str_literal(t);
                        s.push_str(&lit[1..lit.len() - 1]);
                    }
                    Piece::Expr(e) => {
                        s.push_str("${");
                        s.push_str(&render_expr(e));
                        s.push('}');
                    }
                }
            }
            s.push('"');
            s
        }
        Expr::Str(op, recv, args) => {
            let r = render_expr(recv);
            let a: Vec<String> = args.iter().map(render_expr).collect();
            match op {
                StrOp::Length => format!("{r}.length()"),
                StrOp::Substring => format!("{r}.substring(start = {}, end = {})", a[0], a[1]),
                StrOp::Contains => format!("{r}.contains(needle = {})", a[0]),
                StrOp::StartsWith => format!("{r}.starts_with(prefix = {})", a[0]),
                StrOp::EndsWith => format!("{r}.ends_with(suffix = {})", a[0]),
                StrOp::ReplaceAll => format!("{r}.replace_all(from = {}, to = {})", a[0], a[1]),
            }
        }
    }
}

pub fn render_block(stmts: &[Stmt], indent: usize, out: &mut String) {
    for s in stmts {
        render_stmt(s, indent, out);
    }
}

fn line(out: &mut String, indent: usize, text: &str) {
    for _ in 0..indent {
        out.push_str("  ");
    }
    out.push_str(text);
    out.push('\n');
}

pub fn render_stmt(s: &Stmt, ind: usize, out: &mut String) {
    match s {
        Stmt::Let {
            name,
            ty,
            mutable,
            init,
        } => {
            let kw = if *mutable { "var" } else { "let" };
            line(
                out,
                ind,
                &format!("{kw} {name}: {} = {};", ty.name(), render_expr(init)),
            );
        }
        Stmt::Assign(n, e) => line(out, ind, &format!("{n} = {};", render_expr(e))),
        Stmt::Print(e) => line(out, ind, &format!("print(value = {});", render_expr(e))),
        Stmt::If(c, a, b) => {
            line(out, ind, &format!("if ({}) {{", render_expr(c)));
            render_block(a, ind + 1, out);
            if b.is_empty() {
                line(out, ind, "}");
            } else {
                line(out, ind, "} else {");
                render_block(b, ind + 1, out);
                line(out, ind, "}");
            }
        }
        Stmt::While {
            counter,
            limit,
            body,
        } => {
            line(out, ind, &format!("var {counter}: Int32 = 0;"));
            line(out, ind, &format!("while ({counter} < {limit}) {{"));
            line(out, ind + 1, &format!("{counter} = {counter} + 1;"));
            render_block(body, ind + 1, out);
            line(out, ind, "}");
        }
        Stmt::For {
            var,
            ty,
            lo,
            hi,
            inclusive,
            body,
        } => {
            let dots = if *inclusive { "..=" } else { ".." };
            let lo = Val::Int(*ty, *lo).literal();
            let hi = Val::Int(*ty, *hi).literal();
            line(
                out,
                ind,
                &format!("for ({var}: {} in {lo}{dots}{hi}) {{", ty.name()),
            );
            render_block(body, ind + 1, out);
            line(out, ind, "}");
        }
        Stmt::Break => line(out, ind, "break;"),
        Stmt::Continue => line(out, ind, "continue;"),
        Stmt::Return(e) => line(out, ind, &format!("return {};", render_expr(e))),
    }
}

pub fn render_func(f: &Func, out: &mut String) {
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| match &p.default {
            Some(d) => format!("{}: {} = {}", p.name, p.ty.name(), d.literal()),
            None => format!("{}: {}", p.name, p.ty.name()),
        })
        .collect();
    out.push_str(&format!(
        "fn {}({}) -> {} {{\n",
        f.name,
        params.join(", "),
        f.ret.name()
    ));
    render_block(&f.body, 1, out);
    out.push_str("}\n\n");
}

// -------------------------------------------------------------- evaluate

/// Control flow out of a statement.
pub enum Flow {
    Next,
    Break,
    Continue,
    Return(Val),
}

/// The reference evaluator: locals as a stack of (name, value) truncated
/// at block exit, functions by name, printed lines collected.
pub struct Eval<'a> {
    pub funcs: &'a HashMap<String, Func>,
    pub out: Vec<String>,
    locals: Vec<(String, Val)>,
    steps: u64,
}

const STEP_LIMIT: u64 = 2_000_000;
/// The longest string (bytes) the model builds (see `Eval::expr`).
const MAX_STR: usize = 1 << 20;

impl<'a> Eval<'a> {
    pub fn new(funcs: &'a HashMap<String, Func>) -> Eval<'a> {
        Eval {
            funcs,
            out: Vec::new(),
            locals: Vec::new(),
            steps: 0,
        }
    }

    pub fn bind(&mut self, name: &str, v: Val) {
        self.locals.push((name.to_string(), v));
    }

    fn lookup(&self, name: &str) -> Result<Val, Fault> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| Fault::Invalid(format!("unbound {name}")))
    }

    pub fn expr(&mut self, e: &Expr) -> Result<Val, Fault> {
        self.steps += 1;
        if self.steps > STEP_LIMIT {
            return Err(Fault::Invalid("step limit".into()));
        }
        let v = self.expr_value(e)?;
        // A string doubled in a loop (`s = s + s`, `replace_all` of "")
        // grows exponentially: past MAX_STR the model gives up on the
        // statement (the generator then picks another) instead of
        // exhausting memory (a campaign was killed by the kernel so).
        if let Val::Str(s) = &v {
            if s.len() > MAX_STR {
                return Err(Fault::Invalid("string too long for the model".into()));
            }
        }
        Ok(v)
    }

    fn expr_value(&mut self, e: &Expr) -> Result<Val, Fault> {
        Ok(match e {
            Expr::Lit(v) => v.clone(),
            Expr::Var(n) => self.lookup(n)?,
            Expr::Bin(BinOp::And, a, b) => {
                Val::Bool(self.expr(a)?.as_bool() && self.expr(b)?.as_bool())
            }
            Expr::Bin(BinOp::Or, a, b) => {
                Val::Bool(self.expr(a)?.as_bool() || self.expr(b)?.as_bool())
            }
            Expr::Bin(op, a, b) => {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                binary(*op, &x, &y)?
            }
            Expr::Neg(a) => negate(&self.expr(a)?),
            Expr::Not(a) => Val::Bool(!self.expr(a)?.as_bool()),
            Expr::Cast(t, a) => cast(&self.expr(a)?, *t),
            Expr::If(c, a, b) => {
                if self.expr(c)?.as_bool() {
                    self.expr(a)?
                } else {
                    self.expr(b)?
                }
            }
            Expr::Call(f, args) => self.call(f, args)?,
            Expr::Interp(pieces) => {
                let mut s = String::new();
                for p in pieces {
                    match p {
                        Piece::Text(t) => s.push_str(t),
                        Piece::Expr(e) => s.push_str(&self.expr(e)?.show()),
                    }
                }
                Val::Str(s)
            }
            Expr::Str(op, recv, args) => {
                let r = self.expr(recv)?;
                let mut a = Vec::new();
                for x in args {
                    a.push(self.expr(x)?);
                }
                string_op(*op, r.as_str(), &a)?
            }
        })
    }

    /// Arguments are evaluated in the order written (left to right).
    fn call(&mut self, name: &str, args: &[(String, Expr)]) -> Result<Val, Fault> {
        let f = self
            .funcs
            .get(name)
            .ok_or_else(|| Fault::Invalid(format!("no function {name}")))?;
        let mut given = Vec::new();
        for (n, e) in args {
            given.push((n.clone(), self.expr(e)?));
        }
        let mut frame = Vec::new();
        for p in &f.params {
            let v = match given.iter().find(|(n, _)| *n == p.name) {
                Some((_, v)) => v.clone(),
                None => p
                    .default
                    .clone()
                    .ok_or_else(|| Fault::Invalid(format!("missing {}", p.name)))?,
            };
            frame.push((p.name.clone(), v));
        }
        let saved = std::mem::replace(&mut self.locals, frame);
        let flow = self.block(&f.body);
        self.locals = saved;
        match flow? {
            Flow::Return(v) => Ok(v),
            _ => Err(Fault::Invalid(format!("{name} fell off its end"))),
        }
    }

    pub fn block(&mut self, stmts: &[Stmt]) -> Result<Flow, Fault> {
        let mark = self.locals.len();
        let mut flow = Flow::Next;
        for s in stmts {
            flow = self.stmt(s)?;
            if !matches!(flow, Flow::Next) {
                break;
            }
        }
        self.locals.truncate(mark);
        Ok(flow)
    }

    fn set(&mut self, name: &str, v: Val) -> Result<(), Fault> {
        match self.locals.iter_mut().rev().find(|(n, _)| n == name) {
            Some(slot) => {
                slot.1 = v;
                Ok(())
            }
            None => Err(Fault::Invalid(format!("assign to unbound {name}"))),
        }
    }

    fn stmt(&mut self, s: &Stmt) -> Result<Flow, Fault> {
        self.steps += 1;
        if self.steps > STEP_LIMIT {
            return Err(Fault::Invalid("step limit".into()));
        }
        match s {
            Stmt::Let { name, init, .. } => {
                let v = self.expr(init)?;
                self.bind(name, v);
            }
            Stmt::Assign(n, e) => {
                let v = self.expr(e)?;
                self.set(n, v)?;
            }
            Stmt::Print(e) => {
                let v = self.expr(e)?.show();
                self.out.push(v);
            }
            Stmt::If(c, a, b) => {
                let branch = if self.expr(c)?.as_bool() { a } else { b };
                return self.block(branch);
            }
            Stmt::While {
                counter,
                limit,
                body,
            } => {
                // The counter outlives the loop, like the rendered `var`.
                self.bind(counter, Val::Int(Ty::I32, 0));
                let mut c = 0;
                while c < *limit {
                    c += 1;
                    self.set(counter, Val::Int(Ty::I32, c))?;
                    match self.block(body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
            }
            Stmt::For {
                var,
                ty,
                lo,
                hi,
                inclusive,
                body,
            } => {
                let end = if *inclusive { *hi + 1 } else { *hi };
                for i in *lo..end {
                    self.bind(var, Val::Int(*ty, i));
                    let flow = self.block(body);
                    self.locals.pop();
                    match flow? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
            }
            Stmt::Break => return Ok(Flow::Break),
            Stmt::Continue => return Ok(Flow::Continue),
            Stmt::Return(e) => return Ok(Flow::Return(self.expr(e)?)),
        }
        Ok(Flow::Next)
    }
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// The String methods, counting characters (not bytes).
pub fn string_op(op: StrOp, s: &str, a: &[Val]) -> Result<Val, Fault> {
    if op == StrOp::ReplaceAll {
        // The result's length, before building it: an empty pattern
        // matches at every character boundary.
        let (old, new) = (a[0].as_str(), a[1].as_str());
        let count = if old.is_empty() {
            s.chars().count() + 1
        } else {
            s.matches(old).count()
        };
        if (s.len() - count * old.len()).saturating_add(count.saturating_mul(new.len())) > MAX_STR {
            return Err(Fault::Invalid("string too long for the model".into()));
        }
    }
    Ok(match op {
        StrOp::Length => Val::Int(Ty::I32, s.chars().count() as i64),
        StrOp::Substring => {
            let cs = chars(s);
            let (st, en) = (a[0].as_int(), a[1].as_int());
            if 0 <= st && st <= en && en <= cs.len() as i64 {
                Val::Str(cs[st as usize..en as usize].iter().collect())
            } else {
                Val::Str(String::new())
            }
        }
        StrOp::Contains => Val::Bool(s.contains(a[0].as_str())),
        StrOp::StartsWith => Val::Bool(s.starts_with(a[0].as_str())),
        StrOp::EndsWith => Val::Bool(s.ends_with(a[0].as_str())),
        StrOp::ReplaceAll => Val::Str(s.replace(a[0].as_str(), a[1].as_str())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(n: &str) -> Box<Expr> {
        Box::new(Expr::Var(n.into()))
    }

    /// A string doubled in a loop, and `replace_all` of "" on a long
    /// one, make the model give up (an invalid statement the generator
    /// replaces), not exhaust memory: a 2-hour campaign was once killed by
    /// the kernel after the model built a 2.4 GB string.
    #[test]
    fn strings_that_grow_without_bound_are_refused_not_built() {
        let funcs = HashMap::new();
        let body = vec![
            Stmt::Let {
                name: "s".into(),
                ty: Ty::Str,
                mutable: true,
                init: Expr::Lit(Val::Str("ab".into())),
            },
            Stmt::While {
                counter: "c".into(),
                limit: 64,
                body: vec![Stmt::Assign(
                    "s".into(),
                    Expr::Bin(BinOp::Add, var("s"), var("s")),
                )],
            },
        ];
        let mut ev = Eval::new(&funcs);
        assert!(matches!(ev.block(&body), Err(Fault::Invalid(_))));
        let long = Val::Str("x".repeat(2000));
        let r = string_op(
            StrOp::ReplaceAll,
            long.as_str(),
            &[Val::Str(String::new()), long.clone()],
        );
        assert!(matches!(r, Err(Fault::Invalid(_))));
        let fine = string_op(
            StrOp::ReplaceAll,
            "a-b-c",
            &[Val::Str("-".into()), Val::Str("+".into())],
        );
        assert_eq!(fine, Ok(Val::Str("a+b+c".into())));
    }
}
