//! The `indexing` category: lists made by `List.filled(length = n, ...)`
//! (n a literal, an immutable local or a parameter of a helper called
//! with several lengths) read and written at loop indices by `for` over
//! `..`/`..=` ranges and by `while (i < E)` loops counting up (steps that
//! are literals, parameters, other loop variables: a sieve), down with an
//! `if (i < 0) { break; }` guard, with `continue` and `break`, nested over
//! two lists; between the `let` and the loops, statements that shrink or
//! grow this list or others (directly or through a helper). This is the
//! code `mir/opt/bounds.rs` drops or weakens bounds checks in, and that
//! codegen rotates; the model says what it must print. Bounds are chosen
//! below every length the list can have at that point, so only the
//! `indexing` panic check (a program's last) goes out of range: a
//! decreasing index without its guard, a bound past the length after a
//! pop, `..=` up to the length, or a negative start.

mod loops;

use super::lists::{eval, Access, LExpr, LFunc, LStmt, ListOp, PTy};
use crate::rng::Rng;
use crate::value::{BinOp, Fault, Ty, Val};

const ELEMS: [Ty; 5] = [Ty::I8, Ty::I32, Ty::I64, Ty::F64, Ty::Bool];

/// Lengths for `List.filled`: edges (0, 1, powers of two and their
/// neighbours) and a few larger ones (a loop stays below ~10,000 steps).
const LENGTHS: [i64; 20] = [
    0, 1, 2, 3, 4, 5, 7, 8, 10, 13, 16, 31, 32, 64, 100, 127, 128, 255, 1000, 4096,
];

/// What the generator knows of a list local at the current statement.
#[derive(Clone, Debug)]
struct ListInfo {
    name: String,
    elem: Ty,
    /// The Int32 local or parameter it was filled from: its length until
    /// it may have shrunk.
    n: Option<String>,
    /// The least and greatest length it can have here (over every call of
    /// the helper it is in).
    lo: i64,
    hi: i64,
    shrunk: bool,
}

/// An Int32 local or parameter never assigned, within `min..=max`.
#[derive(Clone, Debug)]
struct IntVar {
    name: String,
    min: i64,
    max: i64,
}

#[derive(Default)]
struct Scope {
    lists: Vec<ListInfo>,
    ints: Vec<IntVar>,
    stmts: Vec<LStmt>,
}

fn lit(i: i64) -> LExpr {
    LExpr::Lit(Val::Int(Ty::I32, i))
}

fn var(n: &str) -> LExpr {
    LExpr::Var(n.to_string())
}

fn bin(op: BinOp, a: LExpr, b: LExpr) -> LExpr {
    LExpr::Bin(op, Box::new(a), Box::new(b))
}

fn one(t: Ty) -> LExpr {
    LExpr::Lit(match t {
        Ty::F64 => Val::F64(1.0),
        t => Val::Int(t, 1),
    })
}

fn zero(t: Ty) -> Val {
    match t {
        Ty::F64 => Val::F64(0.0),
        Ty::Bool => Val::Bool(false),
        t => Val::Int(t, 0),
    }
}

/// Where a segment's list length comes from.
enum LenSrc {
    Lit(i64),
    /// `let n: Int32 = v;` before the list.
    Local(i64),
    /// A parameter of the helper the segment is in.
    Param(String),
}

struct Gen<'r> {
    rng: &'r mut Rng,
    id: u32,
    k: u32,
    funcs: Vec<LFunc>,
    /// At most how many times the loop body being generated runs.
    iters: i64,
}

impl Gen<'_> {
    fn fresh(&mut self, p: &str) -> String {
        self.k += 1;
        format!("{p}{}_{}", self.id, self.k)
    }

    fn elem_val(&mut self, t: Ty) -> Val {
        match t {
            Ty::F64 => Val::F64(self.rng.range(-8, 8) as f64 * 0.25),
            Ty::Bool => Val::Bool(self.rng.chance(1, 2)),
            Ty::I8 => Val::Int(t, self.rng.range(-128, 127)),
            t => Val::Int(t, self.rng.range(-1000, 1000)),
        }
    }

    fn access(&mut self) -> Access {
        let m = format!("index in range {}", self.id);
        match self.rng.below(5) {
            0 | 1 => Access::Unwrap,
            2 => Access::Expect(m),
            3 => Access::GetExpect(m),
            _ => Access::GetUnwrap,
        }
    }

    fn read(&mut self, l: &ListInfo, ix: &LExpr) -> LExpr {
        let how = self.access();
        LExpr::Elem(l.name.clone(), Box::new(ix.clone()), how)
    }

    // ------------------------------------------------------------ checks

    /// A check that must run to its end.
    fn check(&mut self, panic: bool) -> Vec<LStmt> {
        let mut body = Scope::default();
        let helper = self.rng.chance(1, 2);
        if helper {
            self.fill_helper(&mut body);
        }
        if !helper || panic || self.rng.chance(1, 2) {
            let v = *self.rng.pick(&LENGTHS);
            let src = if self.rng.chance(1, 2) {
                LenSrc::Lit(v)
            } else {
                LenSrc::Local(v)
            };
            self.segment(&mut body, src);
        }
        if panic {
            self.faulting(&mut body);
        }
        body.stmts
    }

    /// `fn fillID(n: Int32, a: Int32, s: Int32) -> T` holding a segment
    /// whose list has `n` elements, called with two or three lengths.
    fn fill_helper(&mut self, body: &mut Scope) {
        let name = self.fresh("fill");
        let ns: Vec<i64> = (0..self.rng.range(2, 3))
            .map(|_| *self.rng.pick(&LENGTHS))
            .collect();
        let mut hs = Scope::default();
        let (nmin, nmax) = (
            *ns.iter().min().unwrap_or(&0),
            *ns.iter().max().unwrap_or(&0),
        );
        hs.ints.push(IntVar {
            name: "n".into(),
            min: nmin,
            max: nmax,
        });
        hs.ints.push(IntVar {
            name: "a".into(),
            min: 0,
            max: 3,
        });
        hs.ints.push(IntVar {
            name: "s".into(),
            min: 1,
            max: 4,
        });
        let (acc, ty) = self.segment(&mut hs, LenSrc::Param("n".into()));
        hs.stmts.push(LStmt::Return(var(&acc)));
        self.funcs.push(LFunc {
            name: name.clone(),
            params: ["n", "a", "s"]
                .iter()
                .map(|p| (p.to_string(), PTy::Scalar(Ty::I32)))
                .collect(),
            ret: Some(ty),
            body: hs.stmts,
        });
        for n in ns {
            let mut args = vec![
                ("n".to_string(), lit(n)),
                ("a".to_string(), lit(self.rng.range(0, 3))),
                ("s".to_string(), lit(self.rng.range(1, 4))),
            ];
            if self.rng.chance(1, 2) {
                args.reverse();
            }
            let r = self.fresh("r");
            body.stmts.push(LStmt::Let {
                name: r.clone(),
                ty,
                mutable: false,
                init: LExpr::Call(name.clone(), args),
            });
            body.stmts.push(LStmt::Print(var(&r)));
        }
    }

    /// A list filled with `n` elements, maybe a second list, statements
    /// that may shrink them, loops over them, the lists printed. Returns
    /// the last loop's accumulator.
    fn segment(&mut self, sc: &mut Scope, src: LenSrc) -> (String, Ty) {
        let elem = *self.rng.pick(&ELEMS);
        let (len, n, lo, hi) = match src {
            LenSrc::Lit(v) => (lit(v), None, v, v),
            LenSrc::Local(v) => {
                let name = self.fresh("n");
                sc.stmts.push(LStmt::Let {
                    name: name.clone(),
                    ty: Ty::I32,
                    mutable: false,
                    init: lit(v),
                });
                sc.ints.push(IntVar {
                    name: name.clone(),
                    min: v,
                    max: v,
                });
                (var(&name), Some(name), v, v)
            }
            LenSrc::Param(p) => {
                let iv = sc.ints.iter().find(|i| i.name == p).cloned();
                let (a, b) = iv.map_or((0, 0), |i| (i.min, i.max));
                (var(&p), Some(p), a, b)
            }
        };
        let first = sc.lists.len();
        let xs = self.fresh("xs");
        let value = LExpr::Lit(self.elem_val(elem));
        sc.stmts.push(LStmt::Filled {
            name: xs.clone(),
            elem,
            len: len.clone(),
            value,
        });
        sc.lists.push(ListInfo {
            name: xs,
            elem,
            n: n.clone(),
            lo,
            hi,
            shrunk: false,
        });
        if self.rng.chance(2, 3) {
            self.second_list(sc, elem, len, n, lo, hi);
        }
        for _ in 0..self.rng.range(0, 2) {
            self.between(sc);
        }
        let mut acc = (String::new(), Ty::I32);
        for _ in 0..self.rng.range(1, 3) {
            acc = self.loop_(sc);
        }
        for i in first..sc.lists.len() {
            let (name, hi) = (sc.lists[i].name.clone(), sc.lists[i].hi);
            if hi <= 300 && self.rng.chance(3, 4) {
                sc.stmts.push(LStmt::PrintList(name));
            } else {
                sc.stmts.push(LStmt::Print(LExpr::Len(name)));
            }
        }
        acc
    }

    fn second_list(
        &mut self,
        sc: &mut Scope,
        elem: Ty,
        len: LExpr,
        n: Option<String>,
        lo: i64,
        hi: i64,
    ) {
        let e = if self.rng.chance(1, 2) {
            elem
        } else {
            *self.rng.pick(&ELEMS)
        };
        let name = self.fresh("ys");
        let info = match self.rng.below(3) {
            0 => {
                let value = LExpr::Lit(self.elem_val(e));
                sc.stmts.push(LStmt::Filled {
                    name: name.clone(),
                    elem: e,
                    len,
                    value,
                });
                (n, lo, hi)
            }
            1 => {
                let v = self.rng.range(0, 12);
                let value = LExpr::Lit(self.elem_val(e));
                sc.stmts.push(LStmt::Filled {
                    name: name.clone(),
                    elem: e,
                    len: lit(v),
                    value,
                });
                (None, v, v)
            }
            _ => {
                let items: Vec<Val> = (0..self.rng.range(0, 6))
                    .map(|_| self.elem_val(e))
                    .collect();
                let v = items.len() as i64;
                sc.stmts.push(LStmt::ListLit {
                    name: name.clone(),
                    elem: e,
                    items,
                });
                (None, v, v)
            }
        };
        sc.lists.push(ListInfo {
            name,
            elem: e,
            n: info.0,
            lo: info.1,
            hi: info.2,
            shrunk: false,
        });
    }

    /// A statement between the `let` and the loops that shrinks or grows
    /// one of the lists (which may or may not end what the compiler knows
    /// of another list's length), directly or through a helper.
    fn between(&mut self, sc: &mut Scope) {
        if sc.lists.is_empty() || self.rng.chance(1, 6) {
            // A list of another element type, shrunk.
            let e = *self.rng.pick(&ELEMS);
            let name = self.fresh("zs");
            let items: Vec<Val> = (0..self.rng.range(0, 4))
                .map(|_| self.elem_val(e))
                .collect();
            sc.stmts.push(LStmt::ListLit {
                name: name.clone(),
                elem: e,
                items,
            });
            sc.stmts.push(LStmt::Op {
                list: name,
                op: ListOp::Pop,
                print: true,
            });
            return;
        }
        let li = self.rng.below(sc.lists.len() as u64) as usize;
        let l = sc.lists[li].clone();
        let op = match self.rng.below(8) {
            0..=2 => ListOp::Pop,
            3 => ListOp::RemoveAt(lit(self.rng.range(-1, l.hi))),
            4 => ListOp::Clear,
            _ => ListOp::Push(LExpr::Lit(self.elem_val(l.elem))),
        };
        let l = &mut sc.lists[li];
        match op {
            ListOp::Push(_) => {
                l.lo += 1;
                l.hi += 1;
            }
            ListOp::Clear => {
                l.lo = 0;
                l.hi = 0;
                l.shrunk = true;
            }
            ListOp::Pop => {
                l.lo = (l.lo - 1).max(0);
                l.hi = (l.hi - 1).max(0);
                l.shrunk = true;
            }
            ListOp::RemoveAt(_) => {
                l.lo = (l.lo - 1).max(0);
                l.shrunk = true;
            }
        }
        let (name, elem) = (l.name.clone(), l.elem);
        if self.rng.chance(1, 3) {
            let f = self.fresh("change");
            self.funcs.push(LFunc {
                name: f.clone(),
                params: vec![("ys".into(), PTy::List(elem))],
                ret: None,
                body: vec![LStmt::Op {
                    list: "ys".into(),
                    op,
                    print: false,
                }],
            });
            sc.stmts
                .push(LStmt::Call(f, vec![("ys".into(), var(&name))]));
        } else {
            let print = !matches!(op, ListOp::Clear | ListOp::Push(_)) && self.rng.chance(1, 2);
            sc.stmts.push(LStmt::Op {
                list: name,
                op,
                print,
            });
        }
    }

    // ------------------------------------------------------------ panics

    /// A loop that goes out of range of a list of the body: a decreasing
    /// index without its guard, a bound past the length after a pop, `..=`
    /// up to the length, a negative start, or an index wrapping past
    /// Int32's maximum.
    fn faulting(&mut self, sc: &mut Scope) {
        let l = self.rng.below(sc.lists.len() as u64) as usize;
        let li = sc.lists[l].clone();
        let ty = if li.elem == Ty::Bool {
            Ty::I32
        } else {
            li.elem
        };
        let acc = (self.fresh("acc"), ty);
        sc.stmts.push(LStmt::Let {
            name: acc.0.clone(),
            ty,
            mutable: true,
            init: LExpr::Lit(zero(ty)),
        });
        let i = self.fresh("i");
        let mut body = vec![if self.rng.chance(1, 2) {
            self.contrib(&li, &var(&i), &acc)
        } else {
            let v = self.value(&li, &var(&i));
            LStmt::Set(li.name.clone(), var(&i), v)
        }];
        if self.rng.chance(1, 2) {
            body.push(LStmt::Print(var(&acc.0)));
        }
        let st = match self.rng.below(5) {
            4 => {
                // Up by a step that wraps past Int32's maximum: from 1 the
                // next index is negative.
                sc.stmts.push(LStmt::Let {
                    name: i.clone(),
                    ty: Ty::I32,
                    mutable: true,
                    init: lit(1),
                });
                body.push(LStmt::Assign(
                    i.clone(),
                    bin(BinOp::Add, var(&i), lit(i32::MAX as i64)),
                ));
                LStmt::While {
                    cond: bin(BinOp::Lt, var(&i), LExpr::Len(li.name.clone())),
                    body,
                }
            }
            0 => {
                let mut w = self.down(sc, &[l], &acc, false);
                if let LStmt::While { body: b, .. } = &mut w {
                    b.insert(0, LStmt::Print(var(&acc.0)));
                }
                w
            }
            1 => {
                // Past the length after a pop: the length it was filled
                // with, as a literal or its local.
                let past = match &li.n {
                    Some(n) if self.rng.chance(1, 2) => var(n),
                    _ => lit(li.hi),
                };
                sc.stmts.push(LStmt::Op {
                    list: li.name.clone(),
                    op: ListOp::Pop,
                    print: self.rng.chance(1, 2),
                });
                LStmt::For {
                    var: i,
                    lo: lit(0),
                    hi: past,
                    inclusive: false,
                    body,
                }
            }
            2 => LStmt::For {
                var: i,
                lo: lit(0),
                hi: match &li.n {
                    Some(n) if !li.shrunk && self.rng.chance(1, 2) => var(n),
                    _ => LExpr::Len(li.name.clone()),
                },
                inclusive: true,
                body,
            },
            _ => LStmt::For {
                var: i,
                lo: lit(self.rng.range(-3, -1)),
                hi: LExpr::Len(li.name.clone()),
                inclusive: false,
                body,
            },
        };
        sc.stmts.push(st);
        sc.stmts
            .push(LStmt::Print(LExpr::Lit(Val::Str("not reached".into()))));
    }
}

/// An `indexing` check: its helper functions and body, which the model
/// evaluates to the end (`panic`: ending in an index out of range).
pub fn indexing(rng: &mut Rng, id: u32, panic: bool) -> (Vec<LFunc>, Vec<LStmt>) {
    for _ in 0..20 {
        let mut g = Gen {
            rng: &mut *rng,
            id,
            k: 0,
            funcs: Vec::new(),
            iters: 0,
        };
        let stmts = g.check(panic);
        let funcs = g.funcs;
        let ok = match eval(&funcs, &stmts).1 {
            None => !panic,
            Some(Fault::Panic) => panic,
            Some(_) => false,
        };
        if ok {
            return (funcs, stmts);
        }
    }
    fallback(id, panic)
}

/// A check that always evaluates as asked (never needed in practice).
fn fallback(id: u32, panic: bool) -> (Vec<LFunc>, Vec<LStmt>) {
    let xs = format!("xs{id}_0");
    let i = format!("i{id}_0");
    let stmts = vec![
        LStmt::Filled {
            name: xs.clone(),
            elem: Ty::I64,
            len: lit(3),
            value: LExpr::Lit(Val::Int(Ty::I64, 7)),
        },
        LStmt::For {
            var: i.clone(),
            lo: lit(0),
            hi: lit(3),
            inclusive: panic,
            body: vec![LStmt::Print(LExpr::Elem(
                xs,
                Box::new(var(&i)),
                Access::Unwrap,
            ))],
        },
    ];
    (Vec::new(), stmts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::lists::{render_block, render_func};

    fn render(funcs: &[LFunc], stmts: &[LStmt]) -> String {
        let mut s = String::new();
        for f in funcs {
            render_func(f, &mut s);
        }
        render_block(stmts, 1, &mut s);
        s
    }

    /// 300 seeds' checks evaluate as asked (to the end, or to an index
    /// out of range for the panic ones) without the fallback, and
    /// regenerate identically.
    #[test]
    fn indexing_checks_evaluate_and_are_reproducible() {
        for seed in 0..300 {
            for panic in [false, true] {
                let (f, s) = indexing(&mut Rng::new(seed), 1, panic);
                let (_, fault) = eval(&f, &s);
                assert_eq!(fault.is_some(), panic, "seed {seed}: {fault:?}");
                let text = render(&f, &s);
                assert!(!text.contains("xs1_0"), "seed {seed}: the fallback");
                let (f2, s2) = indexing(&mut Rng::new(seed), 1, panic);
                assert_eq!(text, render(&f2, &s2));
            }
        }
    }

    /// The model's semantics: `set` and reads out of range panic (below
    /// zero too), `remove_at` out of range changes nothing, lists are
    /// shared with the helpers they are passed to.
    #[test]
    fn model_indexes_like_plat() {
        let xs = "xs".to_string();
        let filled = LStmt::Filled {
            name: xs.clone(),
            elem: Ty::I32,
            len: lit(2),
            value: lit(5),
        };
        let shrink = LFunc {
            name: "shrink".into(),
            params: vec![("ys".into(), PTy::List(Ty::I32))],
            ret: None,
            body: vec![LStmt::Op {
                list: "ys".into(),
                op: ListOp::Pop,
                print: false,
            }],
        };
        let read = |i| LStmt::Print(LExpr::Elem(xs.clone(), Box::new(lit(i)), Access::Unwrap));
        let (out, f) = eval(&[], &[filled.clone(), read(1), read(-1)]);
        assert_eq!((out, f), (vec!["5".to_string()], Some(Fault::Panic)));
        let set = LStmt::Set(xs.clone(), lit(2), lit(0));
        assert_eq!(eval(&[], &[filled.clone(), set]).1, Some(Fault::Panic));
        let ops = vec![
            filled.clone(),
            LStmt::Op {
                list: xs.clone(),
                op: ListOp::RemoveAt(lit(7)),
                print: true,
            },
            LStmt::Call("shrink".into(), vec![("ys".into(), var(&xs))]),
            LStmt::PrintList(xs.clone()),
            read(1),
        ];
        let (out, f) = eval(&[shrink], &ops);
        assert_eq!(out, vec!["None", "[5]"]);
        assert_eq!(f, Some(Fault::Panic));
    }
}
