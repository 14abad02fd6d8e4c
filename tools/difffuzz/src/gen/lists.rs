//! The model of the `indexing` checks: a small AST of Int32 loop indices,
//! lists of scalars and the accesses to them, with a renderer to Plat text
//! and a reference evaluator. Lists are references (a helper receiving one
//! changes the caller's), so they live in a heap the locals point into.
//! An index out of range is the panic `unwrap`, `expect` and `set` raise.

use crate::value::{binary, cast, show_list, BinOp, Fault, Ty, Val};
use std::fmt::Write as _;

#[derive(Clone, Debug)]
pub enum LExpr {
    Lit(Val),
    /// A scalar local or parameter.
    Var(String),
    Bin(BinOp, Box<LExpr>, Box<LExpr>),
    Not(Box<LExpr>),
    Cast(Ty, Box<LExpr>),
    /// `xs.len()`.
    Len(String),
    /// An element of list `xs` at an index, read as `how` says.
    Elem(String, Box<LExpr>, Access),
    /// A call of a generated helper returning a scalar.
    Call(String, Vec<(String, LExpr)>),
}

/// How an element is read: each form panics out of range.
#[derive(Clone, Debug)]
pub enum Access {
    /// `xs[i].unwrap()`
    Unwrap,
    /// `xs[i].expect(message = m)`
    Expect(String),
    /// `xs.get(index = i).expect(message = m)`
    GetExpect(String),
    /// `xs.get(index = i).unwrap()`
    GetUnwrap,
}

/// What a shrinking (or growing) statement does to a list.
#[derive(Clone, Debug)]
pub enum ListOp {
    Pop,
    RemoveAt(LExpr),
    Clear,
    Push(LExpr),
}

#[derive(Clone, Debug)]
pub enum LStmt {
    /// `let xs: List[T] = List.filled(length = n, value = v);`
    Filled {
        name: String,
        elem: Ty,
        len: LExpr,
        value: LExpr,
    },
    /// `let xs: List[T] = [a, b, ...];`
    ListLit {
        name: String,
        elem: Ty,
        items: Vec<Val>,
    },
    Let {
        name: String,
        ty: Ty,
        mutable: bool,
        init: LExpr,
    },
    Assign(String, LExpr),
    /// `xs.set(index = i, value = e);`
    Set(String, LExpr, LExpr),
    /// `xs.pop();` and friends; `print(value = xs.pop());` when printed
    /// (an `Option`, printed `Some(v)` or `None`).
    Op {
        list: String,
        op: ListOp,
        print: bool,
    },
    /// A call of a generated helper as a statement (lists passed by name).
    Call(String, Vec<(String, LExpr)>),
    Print(LExpr),
    /// `print(value = xs);`
    PrintList(String),
    For {
        var: String,
        lo: LExpr,
        hi: LExpr,
        inclusive: bool,
        body: Vec<LStmt>,
    },
    While {
        cond: LExpr,
        body: Vec<LStmt>,
    },
    If(LExpr, Vec<LStmt>),
    Break,
    Continue,
    Return(LExpr),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PTy {
    Scalar(Ty),
    List(Ty),
}

#[derive(Clone, Debug)]
pub struct LFunc {
    pub name: String,
    pub params: Vec<(String, PTy)>,
    /// `None`: returns Unit.
    pub ret: Option<Ty>,
    pub body: Vec<LStmt>,
}

// ---------------------------------------------------------------- render

fn list_ty(t: Ty) -> String {
    format!("List[{}]", t.name())
}

pub fn render_expr(e: &LExpr) -> String {
    match e {
        LExpr::Lit(v) => v.literal(),
        LExpr::Var(n) => n.clone(),
        LExpr::Bin(op, a, b) => format!("({} {} {})", render_expr(a), op.text(), render_expr(b)),
        LExpr::Not(a) => format!("(not {})", render_expr(a)),
        LExpr::Cast(t, a) => format!("cast(value = {}, target = {})", render_expr(a), t.name()),
        LExpr::Len(l) => format!("{l}.len()"),
        LExpr::Elem(l, i, how) => {
            let i = render_expr(i);
            let q = |m: &str| crate::value::str_literal(m);
            match how {
                Access::Unwrap => format!("{l}[{i}].unwrap()"),
                Access::Expect(m) => format!("{l}[{i}].expect(message = {})", q(m)),
                Access::GetExpect(m) => {
                    format!("{l}.get(index = {i}).expect(message = {})", q(m))
                }
                Access::GetUnwrap => format!("{l}.get(index = {i}).unwrap()"),
            }
        }
        LExpr::Call(f, args) => render_call(f, args),
    }
}

fn render_call(f: &str, args: &[(String, LExpr)]) -> String {
    let a: Vec<String> = args
        .iter()
        .map(|(n, e)| format!("{n} = {}", render_expr(e)))
        .collect();
    format!("{f}({})", a.join(", "))
}

fn line(out: &mut String, ind: usize, text: &str) {
    for _ in 0..ind {
        out.push_str("  ");
    }
    out.push_str(text);
    out.push('\n');
}

pub fn render_block(stmts: &[LStmt], ind: usize, out: &mut String) {
    for s in stmts {
        render_stmt(s, ind, out);
    }
}

fn render_stmt(s: &LStmt, ind: usize, out: &mut String) {
    match s {
        LStmt::Filled {
            name,
            elem,
            len,
            value,
        } => line(
            out,
            ind,
            &format!(
                "let {name}: {} = List.filled(length = {}, value = {});",
                list_ty(*elem),
                render_expr(len),
                render_expr(value)
            ),
        ),
        LStmt::ListLit { name, elem, items } => {
            let items: Vec<String> = items.iter().map(Val::literal).collect();
            line(
                out,
                ind,
                &format!("let {name}: {} = [{}];", list_ty(*elem), items.join(", ")),
            );
        }
        LStmt::Let {
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
        LStmt::Assign(n, e) => line(out, ind, &format!("{n} = {};", render_expr(e))),
        LStmt::Set(l, i, v) => line(
            out,
            ind,
            &format!(
                "{l}.set(index = {}, value = {});",
                render_expr(i),
                render_expr(v)
            ),
        ),
        LStmt::Op { list, op, print } => {
            let call = match op {
                ListOp::Pop => format!("{list}.pop()"),
                ListOp::RemoveAt(i) => format!("{list}.remove_at(index = {})", render_expr(i)),
                ListOp::Clear => format!("{list}.clear()"),
                ListOp::Push(v) => format!("{list}.push(value = {})", render_expr(v)),
            };
            if *print {
                line(out, ind, &format!("print(value = {call});"));
            } else {
                line(out, ind, &format!("{call};"));
            }
        }
        LStmt::Call(f, args) => line(out, ind, &format!("{};", render_call(f, args))),
        LStmt::Print(e) => line(out, ind, &format!("print(value = {});", render_expr(e))),
        LStmt::PrintList(l) => line(out, ind, &format!("print(value = {l});")),
        LStmt::For {
            var,
            lo,
            hi,
            inclusive,
            body,
        } => {
            let dots = if *inclusive { "..=" } else { ".." };
            line(
                out,
                ind,
                &format!(
                    "for ({var}: Int32 in {}{dots}{}) {{",
                    render_expr(lo),
                    render_expr(hi)
                ),
            );
            render_block(body, ind + 1, out);
            line(out, ind, "}");
        }
        LStmt::While { cond, body } => {
            line(out, ind, &format!("while ({}) {{", render_expr(cond)));
            render_block(body, ind + 1, out);
            line(out, ind, "}");
        }
        LStmt::If(c, body) => {
            line(out, ind, &format!("if ({}) {{", render_expr(c)));
            render_block(body, ind + 1, out);
            line(out, ind, "}");
        }
        LStmt::Break => line(out, ind, "break;"),
        LStmt::Continue => line(out, ind, "continue;"),
        LStmt::Return(e) => line(out, ind, &format!("return {};", render_expr(e))),
    }
}

pub fn render_func(f: &LFunc, out: &mut String) {
    let params: Vec<String> = f
        .params
        .iter()
        .map(|(n, t)| match t {
            PTy::Scalar(t) => format!("{n}: {}", t.name()),
            PTy::List(t) => format!("{n}: {}", list_ty(*t)),
        })
        .collect();
    let ret = f
        .ret
        .map(|t| format!(" -> {}", t.name()))
        .unwrap_or_default();
    let _ = writeln!(out, "fn {}({}){ret} {{", f.name, params.join(", "));
    render_block(&f.body, 1, out);
    out.push_str("}\n\n");
}

// ------------------------------------------------------------ minimise

/// Removes the `k`-th statement in pre-order; `k` counts down as it goes.
pub fn remove_nth(stmts: &mut Vec<LStmt>, k: &mut usize) -> bool {
    let mut i = 0;
    while i < stmts.len() {
        if *k == 0 {
            stmts.remove(i);
            return true;
        }
        *k -= 1;
        let done = match &mut stmts[i] {
            LStmt::For { body, .. } | LStmt::While { body, .. } | LStmt::If(_, body) => {
                remove_nth(body, k)
            }
            _ => false,
        };
        if done {
            return true;
        }
        i += 1;
    }
    false
}

pub fn count(stmts: &[LStmt]) -> usize {
    stmts
        .iter()
        .map(|s| {
            1 + match s {
                LStmt::For { body, .. } | LStmt::While { body, .. } | LStmt::If(_, body) => {
                    count(body)
                }
                _ => 0,
            }
        })
        .sum()
}

// -------------------------------------------------------------- evaluate

#[derive(Clone, Debug)]
enum Slot {
    Scalar(Val),
    /// An index into the heap of lists.
    List(usize),
}

enum Flow {
    Next,
    Break,
    Continue,
    Return(Option<Val>),
}

/// Loops up to ~10,000 elements, nested ones included, stay well below.
const STEP_LIMIT: u64 = 3_000_000;

/// The reference evaluator: the lines printed, and the fault that ended
/// the run if any (`Fault::Panic` for an index out of range).
pub fn eval(funcs: &[LFunc], stmts: &[LStmt]) -> (Vec<String>, Option<Fault>) {
    let mut ev = Eval {
        funcs,
        out: Vec::new(),
        locals: Vec::new(),
        heap: Vec::new(),
        steps: 0,
    };
    let r = ev.block(stmts);
    (ev.out, r.err())
}

struct Eval<'a> {
    funcs: &'a [LFunc],
    out: Vec<String>,
    locals: Vec<(String, Slot)>,
    heap: Vec<Vec<Val>>,
    steps: u64,
}

fn invalid(why: String) -> Fault {
    Fault::Invalid(why)
}

impl Eval<'_> {
    fn tick(&mut self) -> Result<(), Fault> {
        self.steps += 1;
        if self.steps > STEP_LIMIT {
            return Err(invalid("step limit".into()));
        }
        Ok(())
    }

    fn slot(&mut self, name: &str) -> Result<&mut Slot, Fault> {
        self.locals
            .iter_mut()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
            .ok_or_else(|| invalid(format!("unbound {name}")))
    }

    fn list(&mut self, name: &str) -> Result<usize, Fault> {
        match self.slot(name)? {
            Slot::List(h) => Ok(*h),
            Slot::Scalar(_) => Err(invalid(format!("{name} is not a list"))),
        }
    }

    fn index(&mut self, e: &LExpr) -> Result<i64, Fault> {
        match self.expr(e)? {
            Val::Int(Ty::I32, i) => Ok(i),
            v => Err(invalid(format!("index {v:?} is not an Int32"))),
        }
    }

    fn expr(&mut self, e: &LExpr) -> Result<Val, Fault> {
        self.tick()?;
        Ok(match e {
            LExpr::Lit(v) => v.clone(),
            LExpr::Var(n) => match self.slot(n)? {
                Slot::Scalar(v) => v.clone(),
                Slot::List(_) => return Err(invalid(format!("{n} is a list"))),
            },
            LExpr::Bin(BinOp::And, a, b) => {
                Val::Bool(self.expr(a)?.as_bool() && self.expr(b)?.as_bool())
            }
            LExpr::Bin(BinOp::Or, a, b) => {
                Val::Bool(self.expr(a)?.as_bool() || self.expr(b)?.as_bool())
            }
            LExpr::Bin(op, a, b) => {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                binary(*op, &x, &y)?
            }
            LExpr::Not(a) => Val::Bool(!self.expr(a)?.as_bool()),
            LExpr::Cast(t, a) => cast(&self.expr(a)?, *t),
            LExpr::Len(l) => {
                let h = self.list(l)?;
                Val::Int(Ty::I32, self.heap[h].len() as i64)
            }
            LExpr::Elem(l, i, _) => {
                let h = self.list(l)?;
                let i = self.index(i)?;
                match usize::try_from(i).ok().and_then(|i| self.heap[h].get(i)) {
                    Some(v) => v.clone(),
                    None => return Err(Fault::Panic),
                }
            }
            LExpr::Call(f, args) => match self.call(f, args)? {
                Some(v) => v,
                None => return Err(invalid(format!("{f} returns Unit"))),
            },
        })
    }

    /// Arguments in the order written; a list argument is the caller's
    /// list itself.
    fn call(&mut self, name: &str, args: &[(String, LExpr)]) -> Result<Option<Val>, Fault> {
        let funcs = self.funcs;
        let f = funcs
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| invalid(format!("no function {name}")))?;
        let mut given = Vec::new();
        for (n, e) in args {
            let is_list = f
                .params
                .iter()
                .any(|(p, t)| p == n && matches!(t, PTy::List(_)));
            let slot = match (is_list, e) {
                (true, LExpr::Var(l)) => Slot::List(self.list(l)?),
                (true, _) => return Err(invalid(format!("list argument {n}"))),
                (false, e) => Slot::Scalar(self.expr(e)?),
            };
            given.push((n.clone(), slot));
        }
        let mut frame = Vec::new();
        for (p, _) in &f.params {
            let s = given
                .iter()
                .find(|(n, _)| n == p)
                .map(|(_, s)| s.clone())
                .ok_or_else(|| invalid(format!("missing {p}")))?;
            frame.push((p.clone(), s));
        }
        let saved = std::mem::replace(&mut self.locals, frame);
        let flow = self.block(&f.body);
        self.locals = saved;
        match (flow?, f.ret) {
            (Flow::Return(Some(v)), Some(_)) => Ok(Some(v)),
            (Flow::Next, None) => Ok(None),
            _ => Err(invalid(format!("{name} returns wrongly"))),
        }
    }

    fn block(&mut self, stmts: &[LStmt]) -> Result<Flow, Fault> {
        let mark = self.locals.len();
        let mut flow = Flow::Next;
        for s in stmts {
            flow = match self.stmt(s) {
                Ok(f) => f,
                Err(e) => {
                    self.locals.truncate(mark);
                    return Err(e);
                }
            };
            if !matches!(flow, Flow::Next) {
                break;
            }
        }
        self.locals.truncate(mark);
        Ok(flow)
    }

    fn set_var(&mut self, name: &str, v: Val) -> Result<(), Fault> {
        match self.slot(name)? {
            Slot::Scalar(old) => {
                *old = v;
                Ok(())
            }
            Slot::List(_) => Err(invalid(format!("assign to list {name}"))),
        }
    }

    fn stmt(&mut self, s: &LStmt) -> Result<Flow, Fault> {
        self.tick()?;
        match s {
            LStmt::Filled {
                name, len, value, ..
            } => {
                let n = self.index(len)?;
                let v = self.expr(value)?;
                let n = usize::try_from(n).map_err(|_| Fault::Panic)?;
                self.heap.push(vec![v; n]);
                self.locals
                    .push((name.clone(), Slot::List(self.heap.len() - 1)));
            }
            LStmt::ListLit { name, items, .. } => {
                self.heap.push(items.clone());
                self.locals
                    .push((name.clone(), Slot::List(self.heap.len() - 1)));
            }
            LStmt::Let { name, init, .. } => {
                let v = self.expr(init)?;
                self.locals.push((name.clone(), Slot::Scalar(v)));
            }
            LStmt::Assign(n, e) => {
                let v = self.expr(e)?;
                self.set_var(n, v)?;
            }
            LStmt::Set(l, i, v) => {
                let h = self.list(l)?;
                let i = self.index(i)?;
                let v = self.expr(v)?;
                match usize::try_from(i)
                    .ok()
                    .and_then(|i| self.heap[h].get_mut(i))
                {
                    Some(slot) => *slot = v,
                    None => return Err(Fault::Panic),
                }
            }
            LStmt::Op { list, op, print } => {
                let h = self.list(list)?;
                let got = match op {
                    ListOp::Pop => self.heap[h].pop(),
                    ListOp::RemoveAt(i) => {
                        let i = self.index(i)?;
                        let xs = &mut self.heap[h];
                        usize::try_from(i)
                            .ok()
                            .filter(|i| *i < xs.len())
                            .map(|i| xs.remove(i))
                    }
                    ListOp::Clear => {
                        self.heap[h].clear();
                        None
                    }
                    ListOp::Push(v) => {
                        let v = self.expr(v)?;
                        self.heap[h].push(v);
                        None
                    }
                };
                if *print {
                    self.out.push(match got {
                        Some(v) => format!("Some({})", v.show_nested()),
                        None => "None".into(),
                    });
                }
            }
            LStmt::Call(f, args) => {
                self.call(f, args)?;
            }
            LStmt::Print(e) => {
                let v = self.expr(e)?.show();
                self.out.push(v);
            }
            LStmt::PrintList(l) => {
                let h = self.list(l)?;
                self.out.push(show_list(&self.heap[h]));
            }
            LStmt::For {
                var,
                lo,
                hi,
                inclusive,
                body,
            } => {
                let lo = self.index(lo)?;
                let hi = self.index(hi)?;
                let end = if *inclusive { hi + 1 } else { hi };
                for i in lo..end {
                    self.locals
                        .push((var.clone(), Slot::Scalar(Val::Int(Ty::I32, i))));
                    let flow = self.block(body);
                    self.locals.pop();
                    match flow? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
            }
            LStmt::While { cond, body } => {
                while self.expr(cond)?.as_bool() {
                    match self.block(body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
            }
            LStmt::If(c, body) => {
                if self.expr(c)?.as_bool() {
                    return self.block(body);
                }
            }
            LStmt::Break => return Ok(Flow::Break),
            LStmt::Continue => return Ok(Flow::Continue),
            LStmt::Return(e) => return Ok(Flow::Return(Some(self.expr(e)?))),
        }
        Ok(Flow::Next)
    }
}
