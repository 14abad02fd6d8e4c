//! The loop shapes of the `indexing` checks (see index.rs): bounds
//! proven below every length a list can have, starts and steps, the
//! statements at the loop index, and `for`, counting-up `while`,
//! guarded counting-down `while`, sieve and nested loops.

use super::{bin, lit, one, var, zero, Gen, ListInfo, Scope};
use crate::gen::lists::{LExpr, LFunc, LStmt, ListOp, PTy};
use crate::value::{BinOp, Ty, Val};

impl Gen<'_> {
    /// An upper bound (exclusive, or inclusive for `..=`) every list of
    /// `ls` is at least as long as, and the largest value it can take.
    fn bound(&mut self, sc: &mut Scope, ls: &[usize], inclusive: bool) -> (LExpr, i64) {
        let lo = ls.iter().map(|&l| sc.lists[l].lo).min().unwrap_or(0);
        let mut cands: Vec<(LExpr, i64)> = Vec::new();
        let n0 = &sc.lists[ls[0]].n;
        if n0.is_some()
            && ls
                .iter()
                .all(|&l| &sc.lists[l].n == n0 && !sc.lists[l].shrunk)
        {
            let n = n0.clone().unwrap_or_default();
            let max = sc.ints.iter().find(|i| i.name == n).map_or(0, |i| i.max);
            if inclusive {
                cands.push((bin(BinOp::Sub, var(&n), lit(1)), max - 1));
            } else {
                cands.push((var(&n), max));
            }
        }
        for &l in ls {
            let li = &sc.lists[l];
            if ls.iter().all(|&m| sc.lists[m].lo >= li.hi) {
                let len = LExpr::Len(li.name.clone());
                if inclusive {
                    cands.push((bin(BinOp::Sub, len, lit(1)), li.hi - 1));
                } else {
                    cands.push((len, li.hi));
                }
            }
        }
        let top = if inclusive { lo - 1 } else { lo };
        if top >= 0 {
            let x = if self.rng.chance(1, 2) {
                top
            } else {
                self.rng.range(0, top)
            };
            cands.push((lit(x), x));
        }
        if cands.is_empty() {
            // `..=` below an empty list: an empty range.
            return (lit(-1), -1);
        }
        let i = self.rng.below(cands.len() as u64) as usize;
        let (e, max) = cands.swap_remove(i);
        if matches!(e, LExpr::Lit(_)) && self.rng.chance(1, 4) {
            // The literal through an immutable local.
            let m = self.fresh("m");
            sc.stmts.push(LStmt::Let {
                name: m.clone(),
                ty: Ty::I32,
                mutable: false,
                init: e,
            });
            return (var(&m), max);
        }
        (e, max)
    }

    /// A small start at least 0: a literal, a parameter or an immutable
    /// local.
    fn start(&mut self, sc: &mut Scope) -> LExpr {
        let vars: Vec<String> = sc
            .ints
            .iter()
            .filter(|v| v.min >= 0 && v.max <= 8)
            .map(|v| v.name.clone())
            .collect();
        match self.rng.below(5) {
            0 if !vars.is_empty() => var(&self.rng.pick(&vars).clone()),
            1 => {
                let a = self.fresh("a");
                sc.stmts.push(LStmt::Let {
                    name: a.clone(),
                    ty: Ty::I32,
                    mutable: false,
                    init: lit(self.rng.range(0, 3)),
                });
                var(&a)
            }
            _ => lit(self.rng.range(0, 2)),
        }
    }

    /// A step of at least 1: a literal, a parameter or a local.
    fn step(&mut self, sc: &mut Scope) -> LExpr {
        let vars: Vec<String> = sc
            .ints
            .iter()
            .filter(|v| v.min >= 1 && v.max <= 8)
            .map(|v| v.name.clone())
            .collect();
        match self.rng.below(5) {
            0 if !vars.is_empty() => var(&self.rng.pick(&vars).clone()),
            1 => {
                let s = self.fresh("s");
                sc.stmts.push(LStmt::Let {
                    name: s.clone(),
                    ty: Ty::I32,
                    mutable: false,
                    init: lit(self.rng.range(1, 5)),
                });
                var(&s)
            }
            _ => lit(self.rng.range(1, 3)),
        }
    }

    /// `acc = acc (* 3) + xs[i]`, cast to the accumulator's type, or a
    /// count of `true` elements.
    pub(super) fn contrib(&mut self, l: &ListInfo, ix: &LExpr, acc: &(String, Ty)) -> LStmt {
        let r = self.read(l, ix);
        let a = var(&acc.0);
        let add = |x: LExpr| LStmt::Assign(acc.0.clone(), bin(BinOp::Add, a.clone(), x));
        match l.elem {
            Ty::Bool => LStmt::If(r, vec![add(one(acc.1))]),
            e => {
                let r = if e == acc.1 {
                    r
                } else {
                    LExpr::Cast(acc.1, Box::new(r))
                };
                if acc.1 != Ty::F64 && self.rng.chance(1, 2) {
                    let k = LExpr::Lit(Val::Int(acc.1, 3));
                    LStmt::Assign(
                        acc.0.clone(),
                        bin(BinOp::Add, bin(BinOp::Mul, a.clone(), k), r),
                    )
                } else {
                    add(r)
                }
            }
        }
    }

    /// A value for `l.set(index = ix, ...)`, from the index or the old
    /// element.
    pub(super) fn value(&mut self, l: &ListInfo, ix: &LExpr) -> LExpr {
        let k = lit(self.rng.range(-3, 7));
        let c = lit(self.rng.range(-20, 20));
        let from_index = bin(BinOp::Add, bin(BinOp::Mul, ix.clone(), k), c);
        let old = self.rng.chance(1, 2);
        match l.elem {
            Ty::Bool if old => LExpr::Not(Box::new(self.read(l, ix))),
            Ty::Bool => bin(
                BinOp::Eq,
                bin(BinOp::Rem, ix.clone(), lit(self.rng.range(2, 4))),
                lit(self.rng.range(0, 1)),
            ),
            Ty::F64 if old => bin(
                BinOp::Mul,
                self.read(l, ix),
                LExpr::Lit(Val::F64(self.rng.range(-4, 4) as f64 * 0.5)),
            ),
            Ty::F64 => bin(
                BinOp::Add,
                LExpr::Cast(Ty::F64, Box::new(ix.clone())),
                LExpr::Lit(Val::F64(0.25)),
            ),
            t if old => {
                let d = LExpr::Lit(Val::Int(t, self.rng.range(-9, 9)));
                bin(BinOp::Add, self.read(l, ix), d)
            }
            Ty::I32 => from_index,
            t => LExpr::Cast(t, Box::new(from_index)),
        }
    }

    /// One to three statements at index `ix` of the lists `ls` (all
    /// proven long enough): reads into `acc`, `set`s, `continue` (in a
    /// `for` only: a `while` steps at its end), `break`, a push onto an
    /// indexed list (in a `for` only: its range is read once), a pop of a
    /// list neither this loop nor an enclosing one (`avoid`) indexes.
    fn body(
        &mut self,
        sc: &mut Scope,
        ix: &str,
        ls: &[usize],
        avoid: &[usize],
        acc: &(String, Ty),
        in_for: bool,
    ) -> Vec<LStmt> {
        let i = var(ix);
        let mut out = Vec::new();
        for _ in 0..self.rng.range(1, 3) {
            let l = sc.lists[*self.rng.pick(ls)].clone();
            match self.rng.below(11) {
                0..=3 => out.push(self.contrib(&l, &i, acc)),
                4..=6 => {
                    let v = self.value(&l, &i);
                    out.push(LStmt::Set(l.name.clone(), i.clone(), v));
                }
                7 if in_for => {
                    let c = bin(
                        BinOp::Eq,
                        bin(BinOp::Rem, i.clone(), lit(self.rng.range(2, 4))),
                        lit(self.rng.range(0, 1)),
                    );
                    out.push(LStmt::If(c, vec![LStmt::Continue]));
                }
                8 => {
                    let c = bin(BinOp::Eq, i.clone(), lit(self.rng.range(0, 40)));
                    out.push(LStmt::If(c, vec![LStmt::Break]));
                }
                10 if in_for && self.iters <= 300 => {
                    // A push onto an indexed list (a `for` range is read
                    // once): it only grows, but its buffer may move.
                    let v = LExpr::Lit(self.elem_val(l.elem));
                    let idx = ls.iter().copied().find(|&m| sc.lists[m].name == l.name);
                    if let Some(m) = idx {
                        sc.lists[m].hi += self.iters;
                    }
                    out.push(self.push_stmt(&l, v));
                }
                9 => {
                    let others: Vec<usize> = (0..sc.lists.len())
                        .filter(|m| !ls.contains(m) && !avoid.contains(m))
                        .collect();
                    if others.is_empty() {
                        out.push(self.contrib(&l, &i, acc));
                    } else {
                        let m = *self.rng.pick(&others);
                        let o = &mut sc.lists[m];
                        o.lo = 0;
                        o.shrunk = true;
                        out.push(LStmt::Op {
                            list: o.name.clone(),
                            op: ListOp::Pop,
                            print: false,
                        });
                    }
                }
                _ => out.push(self.contrib(&l, &i, acc)),
            }
        }
        out
    }

    /// `xs.push(value = v);`, directly or through a helper.
    fn push_stmt(&mut self, l: &ListInfo, v: LExpr) -> LStmt {
        let op = ListOp::Push(v);
        if self.rng.chance(1, 2) {
            return LStmt::Op {
                list: l.name.clone(),
                op,
                print: false,
            };
        }
        let f = self.fresh("grow");
        self.funcs.push(LFunc {
            name: f.clone(),
            params: vec![("ys".into(), PTy::List(l.elem))],
            ret: None,
            body: vec![LStmt::Op {
                list: "ys".into(),
                op,
                print: false,
            }],
        });
        LStmt::Call(f, vec![("ys".into(), var(&l.name))])
    }

    /// `var acc = 0;`, a loop of a random shape over one or two lists,
    /// `print(value = acc);`. Returns the accumulator.
    pub(super) fn loop_(&mut self, sc: &mut Scope) -> (String, Ty) {
        let p = self.rng.below(sc.lists.len() as u64) as usize;
        let pe = sc.lists[p].elem;
        let ty = if pe == Ty::Bool { Ty::I32 } else { pe };
        let acc = (self.fresh("acc"), ty);
        sc.stmts.push(LStmt::Let {
            name: acc.0.clone(),
            ty,
            mutable: true,
            init: LExpr::Lit(zero(ty)),
        });
        // Index a second list in the same loop when it is long enough.
        let mut ls = vec![p];
        if sc.lists.len() > 1 && self.rng.chance(1, 3) {
            let q = self.rng.below(sc.lists.len() as u64) as usize;
            if q != p {
                ls.push(q);
            }
        }
        let st = match self.rng.below(6) {
            0 | 1 => self.for_loop(sc, &ls, &acc),
            2 => self.while_up(sc, &ls, &acc),
            3 => self.sieve(sc, p, &acc),
            4 => self.down(sc, &ls, &acc, true),
            _ => self.nested(sc, &acc),
        };
        sc.stmts.push(st);
        sc.stmts.push(LStmt::Print(var(&acc.0)));
        acc
    }

    fn for_loop(&mut self, sc: &mut Scope, ls: &[usize], acc: &(String, Ty)) -> LStmt {
        let inclusive = self.rng.chance(1, 3);
        let (hi, max) = self.bound(sc, ls, inclusive);
        let lo = self.start(sc);
        let i = self.fresh("i");
        self.iters = max + 1;
        let body = self.body(sc, &i, ls, &[], acc, true);
        LStmt::For {
            var: i,
            lo,
            hi,
            inclusive,
            body,
        }
    }

    /// `var i = a; while (i < E) { ...; i = i + s; }` (rarely with a
    /// step wrapping to a negative index and an `if (i < 0)` guard).
    fn while_up(&mut self, sc: &mut Scope, ls: &[usize], acc: &(String, Ty)) -> LStmt {
        let (hi, _) = self.bound(sc, ls, false);
        let i = self.fresh("i");
        let wraps = self.rng.chance(1, 8);
        let (init, step) = if wraps {
            // A step wrapping past Int32's maximum to a negative index,
            // which the guard stops at.
            let big = i32::MAX as i64 - self.rng.range(0, 4);
            (lit(self.rng.range(1, 4)), lit(big))
        } else {
            (self.start(sc), self.step(sc))
        };
        sc.stmts.push(LStmt::Let {
            name: i.clone(),
            ty: Ty::I32,
            mutable: true,
            init,
        });
        let mut body = Vec::new();
        if wraps {
            body.push(LStmt::If(
                bin(BinOp::Lt, var(&i), lit(0)),
                vec![LStmt::Break],
            ));
        }
        body.extend(self.body(sc, &i, ls, &[], acc, false));
        body.push(LStmt::Assign(i.clone(), bin(BinOp::Add, var(&i), step)));
        LStmt::While {
            cond: bin(BinOp::Lt, var(&i), hi),
            body,
        }
    }

    /// `var i = E - 1; while (i < E) { if (i < 0) { break; } ...; i = i - s; }`
    /// (without the guard in a panic check: the index reaches -1).
    pub(super) fn down(
        &mut self,
        sc: &mut Scope,
        ls: &[usize],
        acc: &(String, Ty),
        guard: bool,
    ) -> LStmt {
        let (hi, _) = self.bound(sc, ls, false);
        let i = self.fresh("d");
        let step = self.step(sc);
        sc.stmts.push(LStmt::Let {
            name: i.clone(),
            ty: Ty::I32,
            mutable: true,
            init: bin(BinOp::Sub, hi.clone(), lit(1)),
        });
        let mut body = Vec::new();
        if guard {
            body.push(LStmt::If(
                bin(BinOp::Lt, var(&i), lit(0)),
                vec![LStmt::Break],
            ));
        }
        body.extend(self.body(sc, &i, ls, &[], acc, false));
        body.push(LStmt::Assign(i.clone(), bin(BinOp::Sub, var(&i), step)));
        LStmt::While {
            cond: bin(BinOp::Lt, var(&i), hi),
            body,
        }
    }

    /// Marks multiples, stepping by the outer loop variable:
    /// `var p = 2; while (p * p < E) { if (..xs[p]..) { var q = p * p;
    /// while (q < E) { xs.set(index = q, ...); q = q + p; } } p = p + 1; }`
    fn sieve(&mut self, sc: &mut Scope, l: usize, acc: &(String, Ty)) -> LStmt {
        let (hi, _) = self.bound(sc, &[l], false);
        let li = sc.lists[l].clone();
        let (p, q) = (self.fresh("p"), self.fresh("q"));
        let r = self.read(&li, &var(&p));
        let cond = match li.elem {
            Ty::Bool => LExpr::Not(Box::new(r)),
            t => bin(BinOp::Ge, r, LExpr::Lit(zero(t))),
        };
        let mark = match li.elem {
            Ty::Bool => LExpr::Lit(Val::Bool(true)),
            _ => self.value(&li, &var(&q)),
        };
        sc.stmts.push(LStmt::Let {
            name: p.clone(),
            ty: Ty::I32,
            mutable: true,
            init: lit(2),
        });
        let count = self.contrib(&li, &var(&p), acc);
        let inner = vec![
            LStmt::Set(li.name.clone(), var(&q), mark),
            LStmt::Assign(q.clone(), bin(BinOp::Add, var(&q), var(&p))),
        ];
        let marks = vec![
            count,
            LStmt::Let {
                name: q.clone(),
                ty: Ty::I32,
                mutable: true,
                init: bin(BinOp::Mul, var(&p), var(&p)),
            },
            LStmt::While {
                cond: bin(BinOp::Lt, var(&q), hi.clone()),
                body: inner,
            },
        ];
        LStmt::While {
            cond: bin(BinOp::Lt, bin(BinOp::Mul, var(&p), var(&p)), hi),
            body: vec![
                LStmt::If(cond, marks),
                LStmt::Assign(p.clone(), bin(BinOp::Add, var(&p), lit(1))),
            ],
        }
    }

    /// Two nested `for` loops over two lists (maybe the same one, maybe
    /// of different element types), the bounds small enough.
    fn nested(&mut self, sc: &mut Scope, acc: &(String, Ty)) -> LStmt {
        let n = sc.lists.len() as u64;
        let (p, q) = (self.rng.below(n) as usize, self.rng.below(n) as usize);
        let (ob, omax) = self.small_bound(sc, p);
        let (ib, imax) = self.small_bound(sc, q);
        self.iters = omax.max(0) * imax.max(0);
        let (i, j) = (self.fresh("i"), self.fresh("j"));
        let lp = sc.lists[p].clone();
        let mut inner = vec![self.contrib(&lp, &var(&i), acc)];
        inner.extend(self.body(sc, &j, &[q], &[p], acc, true));
        let mut outer = vec![LStmt::For {
            var: j,
            lo: lit(0),
            hi: ib,
            inclusive: false,
            body: inner,
        }];
        if self.rng.chance(1, 2) {
            let v = self.value(&lp, &var(&i));
            outer.push(LStmt::Set(lp.name.clone(), var(&i), v));
        }
        let lo = self.start(sc);
        LStmt::For {
            var: i,
            lo,
            hi: ob,
            inclusive: false,
            body: outer,
        }
    }

    /// A bound for one list of a nested loop: at most ~60.
    fn small_bound(&mut self, sc: &mut Scope, l: usize) -> (LExpr, i64) {
        if sc.lists[l].hi <= 60 {
            return self.bound(sc, &[l], false);
        }
        let x = self.rng.range(0, sc.lists[l].lo.min(60));
        (lit(x), x)
    }
}
