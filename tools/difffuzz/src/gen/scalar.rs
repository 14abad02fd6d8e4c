//! Random typed expressions and statements over the scalar types (every
//! integer width, Float32/64, Bool, String), helper functions with named
//! arguments and defaults, and control flow (if/while/for/break/continue).
//! Every generated statement is checked against the evaluator as it is
//! added: one that would fault (division by zero) is dropped.

use crate::ast::{Eval, Expr, Func, Param, Piece, Stmt, StrOp};
use crate::rng::Rng;
use crate::value::{BinOp, Fault, Ty, Val, INTS};
use std::collections::HashMap;

#[derive(Clone)]
struct Var {
    name: String,
    ty: Ty,
    mutable: bool,
}

pub struct ScalarGen<'r> {
    pub rng: &'r mut Rng,
    prefix: String,
    next: u32,
    vars: Vec<Var>,
    /// Functions callable from what is being generated (earlier ones).
    pub funcs: Vec<Func>,
    loop_depth: u32,
    /// Which types the expressions draw from (a check's category).
    pub types: Vec<Ty>,
}

const ALPHABET: &[&str] = &[
    "a", "b", "c", "x", "y", "z", "ab", "ba", " ", "é", "ü", "日本", "-", "_", "0", "1", "42",
    "\"", "\\", "\t", "\n", "$", "{", "}", "plat",
    // Astral-plane text (a flag is two code points) and control
    // characters: `\r` is written as an escape, the others raw (the
    // lexer keeps them); NUL is an ordinary character.
    "😀", "𝄞", "🇫🇷", "\r", "\u{0}", "\u{1}", "\u{1b}", "\u{7f}", "\u{85}",
];

impl<'r> ScalarGen<'r> {
    pub fn new(rng: &'r mut Rng, prefix: &str, types: Vec<Ty>) -> ScalarGen<'r> {
        ScalarGen {
            rng,
            prefix: prefix.to_string(),
            next: 0,
            vars: Vec::new(),
            funcs: Vec::new(),
            loop_depth: 0,
            types,
        }
    }

    /// Makes `name` (a local, a parameter or `self.field`) available to
    /// the expressions generated next.
    pub fn add_var(&mut self, name: &str, ty: Ty) {
        self.vars.push(Var {
            name: name.to_string(),
            ty,
            mutable: false,
        });
    }

    fn fresh(&mut self, stem: &str) -> String {
        self.next += 1;
        format!("{stem}{}_{}", self.prefix, self.next)
    }

    fn any_ty(&mut self) -> Ty {
        *self.rng.pick(&self.types.clone())
    }

    // ---------------------------------------------------------- values

    pub fn value(&mut self, ty: Ty) -> Val {
        let r = &mut *self.rng;
        match ty {
            t if t.is_int() => {
                let v = match r.below(8) {
                    0 => t.max(),
                    1 => t.min(),
                    2 => 0,
                    3 => *r.pick(&[1, -1, 2, -2]),
                    4 => r.range(t.min(), t.max()),
                    _ => r.range(-100, 100),
                };
                Val::Int(t, crate::value::wrap(t, v))
            }
            Ty::F64 => Val::F64(float(r)),
            Ty::F32 => {
                let x = float(r) as f32;
                Val::F32(if x.is_finite() { x } else { 1.5 })
            }
            Ty::Bool => Val::Bool(r.chance(1, 2)),
            _ => {
                let n = r.below(4);
                let mut s = String::new();
                for _ in 0..n {
                    let piece: &&str = r.pick(ALPHABET);
                    s.push_str(piece);
                }
                Val::Str(s)
            }
        }
    }

    // ----------------------------------------------------- expressions

    pub fn expr(&mut self, ty: Ty, depth: u32) -> Expr {
        if depth == 0 || self.rng.chance(1, 4) {
            return self.leaf(ty);
        }
        let d = depth - 1;
        match ty {
            t if t.is_int() => match self.rng.below(10) {
                0..=3 => {
                    let op = *self.rng.pick(&[
                        BinOp::Add,
                        BinOp::Sub,
                        BinOp::Mul,
                        BinOp::Div,
                        BinOp::Rem,
                    ]);
                    self.bin(op, t, d)
                }
                4 => Expr::Neg(Box::new(self.expr(t, d))),
                5 => {
                    let from = if self.rng.chance(1, 4) {
                        *self.rng.pick(&[Ty::F64, Ty::F32])
                    } else {
                        *self.rng.pick(&INTS)
                    };
                    Expr::Cast(t, Box::new(self.expr(from, d)))
                }
                6 => self.if_expr(t, d),
                7 if t == Ty::I32 && self.types.contains(&Ty::Str) => {
                    Expr::Str(StrOp::Length, Box::new(self.expr(Ty::Str, d)), vec![])
                }
                _ => self.call_or(t, d),
            },
            t if t.is_float() => match self.rng.below(8) {
                0..=3 => {
                    let op = *self
                        .rng
                        .pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div]);
                    self.bin(op, t, d)
                }
                4 => Expr::Neg(Box::new(self.expr(t, d))),
                5 => {
                    let from = *self.rng.pick(&[Ty::I8, Ty::I32, Ty::I64, Ty::F32, Ty::F64]);
                    Expr::Cast(t, Box::new(self.expr(from, d)))
                }
                6 => self.if_expr(t, d),
                _ => self.call_or(t, d),
            },
            Ty::Bool => match self.rng.below(9) {
                0..=2 => {
                    let op = *self.rng.pick(&[
                        BinOp::Eq,
                        BinOp::Ne,
                        BinOp::Lt,
                        BinOp::Le,
                        BinOp::Gt,
                        BinOp::Ge,
                    ]);
                    let mut t = self.any_ty();
                    if !t.is_num() && !matches!(op, BinOp::Eq | BinOp::Ne) {
                        t = Ty::I32;
                    }
                    self.bin(op, t, d)
                }
                3 => self.bin(BinOp::And, Ty::Bool, d),
                4 => self.bin(BinOp::Or, Ty::Bool, d),
                5 => Expr::Not(Box::new(self.expr(Ty::Bool, d))),
                6 if self.types.contains(&Ty::Str) => {
                    let op = *self
                        .rng
                        .pick(&[StrOp::Contains, StrOp::StartsWith, StrOp::EndsWith]);
                    Expr::Str(
                        op,
                        Box::new(self.expr(Ty::Str, d)),
                        vec![self.expr(Ty::Str, d)],
                    )
                }
                7 => self.if_expr(Ty::Bool, d),
                _ => self.call_or(Ty::Bool, d),
            },
            _ => match self.rng.below(9) {
                0 | 1 => self.bin(BinOp::Add, Ty::Str, d),
                2 | 3 => {
                    let mut pieces = Vec::new();
                    for _ in 0..self.rng.range(1, 3) {
                        if let Val::Str(s) = self.value(Ty::Str) {
                            pieces.push(Piece::Text(s));
                        }
                        let t = self.any_ty();
                        pieces.push(Piece::Expr(self.expr(t, d)));
                    }
                    Expr::Interp(pieces)
                }
                4 => {
                    let lo = self.rng.range(-1, 4);
                    let hi = self.rng.range(lo.max(0), 8);
                    Expr::Str(
                        StrOp::Substring,
                        Box::new(self.expr(Ty::Str, d)),
                        vec![
                            Expr::Lit(Val::Int(Ty::I32, lo)),
                            Expr::Lit(Val::Int(Ty::I32, hi)),
                        ],
                    )
                }
                5 => {
                    let from = Val::Str(self.rng.pick(&ALPHABET[..13]).to_string());
                    Expr::Str(
                        StrOp::ReplaceAll,
                        Box::new(self.expr(Ty::Str, d)),
                        vec![Expr::Lit(from), self.expr(Ty::Str, d)],
                    )
                }
                6 => self.if_expr(Ty::Str, d),
                _ => self.call_or(Ty::Str, d),
            },
        }
    }

    fn bin(&mut self, op: BinOp, t: Ty, d: u32) -> Expr {
        let a = self.expr(t, d);
        let b = self.expr(t, d);
        Expr::Bin(op, Box::new(a), Box::new(b))
    }

    fn if_expr(&mut self, t: Ty, d: u32) -> Expr {
        Expr::If(
            Box::new(self.expr(Ty::Bool, d)),
            Box::new(self.expr(t, d)),
            Box::new(self.expr(t, d)),
        )
    }

    fn leaf(&mut self, ty: Ty) -> Expr {
        let vars: Vec<String> = self
            .vars
            .iter()
            .filter(|v| v.ty == ty)
            .map(|v| v.name.clone())
            .collect();
        if !vars.is_empty() && self.rng.chance(2, 3) {
            return Expr::Var(self.rng.pick(&vars).clone());
        }
        Expr::Lit(self.value(ty))
    }

    /// A call of an earlier helper returning `t`, or a leaf. Arguments are
    /// written in a random order and defaulted ones are sometimes left out.
    fn call_or(&mut self, t: Ty, d: u32) -> Expr {
        let cands: Vec<usize> = (0..self.funcs.len())
            .filter(|&i| self.funcs[i].ret == t)
            .collect();
        if cands.is_empty() {
            return self.leaf(t);
        }
        let f = self.funcs[*self.rng.pick(&cands)].clone();
        let mut args = Vec::new();
        for p in &f.params {
            if p.default.is_some() && self.rng.chance(1, 2) {
                continue;
            }
            args.push((p.name.clone(), self.expr(p.ty, d)));
        }
        for i in (1..args.len()).rev() {
            let j = self.rng.below(i as u64 + 1) as usize;
            args.swap(i, j);
        }
        Expr::Call(f.name.clone(), args)
    }

    // ------------------------------------------------------ statements

    /// A block of about `n` statements, each kept only if `check` (the
    /// evaluation of the whole enclosing check) still succeeds with it.
    pub fn block(&mut self, n: u32, depth: u32, ok: &mut dyn FnMut(&[Stmt]) -> bool) -> Vec<Stmt> {
        let mark = self.vars.len();
        let mut out: Vec<Stmt> = Vec::new();
        for _ in 0..n {
            for _attempt in 0..4 {
                let saved = self.vars.len();
                let s = self.stmt(depth);
                out.push(s);
                if ok(&out) {
                    break;
                }
                out.pop();
                self.vars.truncate(saved);
            }
        }
        self.vars.truncate(mark);
        out
    }

    fn stmt(&mut self, depth: u32) -> Stmt {
        let mutable: Vec<Var> = self.vars.iter().filter(|v| v.mutable).cloned().collect();
        match self.rng.below(12) {
            0..=2 => {
                let ty = self.any_ty();
                let name = self.fresh("v");
                let init = self.expr(ty, 3);
                let mutable = self.rng.chance(1, 2);
                self.vars.push(Var {
                    name: name.clone(),
                    ty,
                    mutable,
                });
                Stmt::Let {
                    name,
                    ty,
                    mutable,
                    init,
                }
            }
            3 | 4 if !mutable.is_empty() => {
                let v = self.rng.pick(&mutable).clone();
                Stmt::Assign(v.name, self.expr(v.ty, 3))
            }
            5 if depth > 0 => {
                let c = self.expr(Ty::Bool, 2);
                let a = self.sub_block(depth - 1);
                let b = if self.rng.chance(1, 2) {
                    self.sub_block(depth - 1)
                } else {
                    Vec::new()
                };
                Stmt::If(c, a, b)
            }
            6 if depth > 0 => {
                let counter = self.fresh("w");
                let limit = self.rng.range(0, 6);
                self.vars.push(Var {
                    name: counter.clone(),
                    ty: Ty::I32,
                    mutable: false,
                });
                self.loop_depth += 1;
                let body = self.sub_block(depth - 1);
                self.loop_depth -= 1;
                Stmt::While {
                    counter,
                    limit,
                    body,
                }
            }
            7 if depth > 0 => {
                let var = self.fresh("i");
                let ty = *self.rng.pick(&[Ty::I32, Ty::I64]);
                let lo = self.rng.range(-3, 3);
                let hi = lo + self.rng.range(-1, 5);
                let inclusive = self.rng.chance(1, 2);
                let mark = self.vars.len();
                self.vars.push(Var {
                    name: var.clone(),
                    ty,
                    mutable: false,
                });
                self.loop_depth += 1;
                let body = self.sub_block(depth - 1);
                self.loop_depth -= 1;
                self.vars.truncate(mark);
                Stmt::For {
                    var,
                    ty,
                    lo,
                    hi,
                    inclusive,
                    body,
                }
            }
            8 if self.loop_depth > 0 => {
                let c = self.expr(Ty::Bool, 2);
                let jump = if self.rng.chance(1, 2) {
                    Stmt::Break
                } else {
                    Stmt::Continue
                };
                Stmt::If(c, vec![jump], Vec::new())
            }
            _ => {
                let ty = self.any_ty();
                Stmt::Print(self.expr(ty, 3))
            }
        }
    }

    /// A nested block: its statements are not validated one by one (the
    /// enclosing statement is, as a whole).
    fn sub_block(&mut self, depth: u32) -> Vec<Stmt> {
        let mark = self.vars.len();
        let n = self.rng.range(1, 3);
        let out = (0..n).map(|_| self.stmt(depth)).collect();
        self.vars.truncate(mark);
        out
    }

    // ------------------------------------------------------- functions

    /// A helper function: parameters (trailing ones with defaults), a
    /// body, early returns, a final return.
    pub fn func(&mut self) -> Func {
        let name = self.fresh("f");
        let ret = self.any_ty();
        let nparams = self.rng.range(0, 4);
        let first_default = self.rng.range(0, nparams);
        let mut params = Vec::new();
        for i in 0..nparams {
            let ty = self.any_ty();
            let default = if i >= first_default && self.rng.chance(2, 3) || i > first_default {
                Some(self.value(ty))
            } else {
                None
            };
            params.push(Param {
                name: self.fresh("p"),
                ty,
                default,
            });
        }
        let outer = std::mem::take(&mut self.vars);
        for p in &params {
            self.vars.push(Var {
                name: p.name.clone(),
                ty: p.ty,
                mutable: false,
            });
        }
        let mut body = self.sub_block(1);
        if self.rng.chance(1, 3) {
            let c = self.expr(Ty::Bool, 2);
            let e = self.expr(ret, 2);
            body.push(Stmt::If(c, vec![Stmt::Return(e)], Vec::new()));
        }
        body.push(Stmt::Return(self.expr(ret, 3)));
        self.vars = outer;
        Func {
            name,
            params,
            ret,
            body,
        }
    }
}

fn float(r: &mut Rng) -> f64 {
    match r.below(6) {
        0 => *r.pick(&[0.0, -0.0, 1.0, 0.5, 0.1, 0.2, 2.5, 1e20, 1e-7, 3.0]),
        1 => r.range(-1000, 1000) as f64 / 8.0,
        2 => {
            let x = f64::from_bits(r.next_u64());
            if x.is_finite() {
                x
            } else {
                1.25
            }
        }
        _ => r.range(-100, 100) as f64 * 0.1,
    }
}

/// Evaluates a scalar check: its helper functions and its body. Returns
/// the printed lines, and the fault that stopped it if any (with the lines
/// printed before it).
pub fn eval_scalar(funcs: &[Func], body: &[Stmt]) -> (Vec<String>, Option<Fault>) {
    let map: HashMap<String, Func> = funcs.iter().map(|f| (f.name.clone(), f.clone())).collect();
    let mut ev = Eval::new(&map);
    let r = ev.block(body);
    (ev.out, r.err())
}

/// An expression of type `ret` over `vars` that evaluates without a fault
/// under every binding in `envs` (one value per var, in order); with its
/// value under each. Falls back to a literal.
pub fn pure_expr(
    rng: &mut Rng,
    vars: &[(String, Ty)],
    ret: Ty,
    envs: &[Vec<Val>],
    depth: u32,
) -> (Expr, Vec<Val>) {
    let mut types = vec![ret, Ty::Bool];
    for (_, t) in vars {
        if !types.contains(t) {
            types.push(*t);
        }
    }
    let empty = HashMap::new();
    for _ in 0..20 {
        let mut g = ScalarGen::new(rng, "x", types.clone());
        for (n, t) in vars {
            g.add_var(n, *t);
        }
        let e = g.expr(ret, depth);
        let mut vals = Vec::new();
        for env in envs {
            let mut ev = Eval::new(&empty);
            for ((n, _), v) in vars.iter().zip(env) {
                ev.bind(n, v.clone());
            }
            match ev.expr(&e) {
                Ok(v) => vals.push(v),
                Err(_) => break,
            }
        }
        if vals.len() == envs.len() {
            return (e, vals);
        }
    }
    let v = ScalarGen::new(rng, "x", types).value(ret);
    (
        Expr::Lit(v.clone()),
        envs.iter().map(|_| v.clone()).collect(),
    )
}
