//! Recursion: a cycle of 2-3 mutually recursive functions over a
//! shrinking Int64 (random steps, bases and arithmetic, passing an
//! accumulator down or combining the result on the way back), and a
//! recursive enum (a binary tree or a cons list of random values) built
//! from literals or in a loop, printed, folded by a recursive function or
//! an enum method, and compared with `==`/`!=` (to a copy, sometimes with
//! one element replaced).

use super::options::value;
use super::scalar::ScalarGen;
use super::Body;
use crate::ast::{render_expr, Eval, Expr};
use crate::rng::Rng;
use crate::value::{BinOp, Ty, Val};
use std::collections::HashMap;
use std::fmt::Write as _;

const RESULTS: &[Ty] = &[Ty::I32, Ty::I64, Ty::I16, Ty::Bool, Ty::Str];

/// Strings longer than this make the model give up on an expression.
const MAX_STR: usize = 2000;

fn eval(e: &Expr, vars: &[(&str, Val)]) -> Option<Val> {
    let empty = HashMap::new();
    let mut ev = Eval::new(&empty);
    for (n, v) in vars {
        ev.bind(n, v.clone());
    }
    let v = ev.expr(e).ok()?;
    if v.as_str().len() > MAX_STR {
        return None;
    }
    Some(v)
}

fn gen_expr(rng: &mut Rng, vars: &[(&str, Ty)], ty: Ty, depth: u32) -> Expr {
    let mut types = vec![ty, Ty::Bool];
    types.extend(vars.iter().map(|v| v.1));
    let mut g = ScalarGen::new(rng, "r", types);
    for (n, t) in vars {
        g.add_var(n, *t);
    }
    g.expr(ty, depth)
}

/// `a OP b` for two values of type `t` that never faults: `+ - *` on
/// integers (wrapping), `+` on strings, `==`/`!=` on Bool.
fn combine(rng: &mut Rng, t: Ty, a: Expr, b: Expr) -> Expr {
    let op = match t {
        Ty::Str => BinOp::Add,
        Ty::Bool => *rng.pick(&[BinOp::Eq, BinOp::Ne]),
        _ => *rng.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul]),
    };
    Expr::Bin(op, Box::new(a), Box::new(b))
}

fn var(n: &str) -> Expr {
    Expr::Var(n.to_string())
}

/// One function of the cycle.
struct Step {
    base: i64,
    step: i64,
    leaf: Expr,
    /// With an accumulator: the next accumulator; without: the result
    /// from the one below (`r`) combined with `n`.
    next: Expr,
}

struct Cycle {
    acc: bool,
    t: Ty,
    fns: Vec<Step>,
}

impl Cycle {
    /// The value of function `i` at `n` (and `acc`); None on a fault.
    fn run(&self, mut i: usize, mut n: i64, acc: Option<Val>) -> Option<Val> {
        let mut acc = acc;
        // Without an accumulator the combinations run on the way back:
        // remember each level's n.
        let mut pending: Vec<(usize, i64)> = Vec::new();
        let mut result = loop {
            let f = &self.fns[i];
            let nv = Val::Int(Ty::I64, n);
            let mut vars = vec![("n", nv)];
            if let Some(a) = &acc {
                vars.push(("acc", a.clone()));
            }
            if n <= f.base {
                break eval(&f.leaf, &vars)?;
            }
            if self.acc {
                acc = Some(eval(&f.next, &vars)?);
            } else {
                pending.push((i, n));
            }
            n -= f.step;
            i = (i + 1) % self.fns.len();
        };
        while let Some((i, n)) = pending.pop() {
            let vars = [("n", Val::Int(Ty::I64, n)), ("r", result)];
            result = eval(&self.fns[i].next, &vars)?;
        }
        Some(result)
    }
}

fn cycle(rng: &mut Rng, id: u32, body: &mut String, items: &mut String, exp: &mut Vec<String>) {
    let t = *rng.pick(RESULTS);
    let acc = rng.chance(1, 2);
    let k = rng.range(2, 3) as usize;
    let starts: Vec<i64> = (0..rng.range(2, 4)).map(|_| rng.range(-2, 40)).collect();
    let inits: Vec<Val> = starts.iter().map(|_| value(rng, t)).collect();
    let mut leaf_vars: Vec<(&str, Ty)> = vec![("n", Ty::I64)];
    let mut next_vars: Vec<(&str, Ty)> = vec![("n", Ty::I64)];
    if acc {
        leaf_vars.push(("acc", t));
        next_vars.push(("acc", t));
    } else {
        next_vars.push(("r", t));
    }
    let mut c = None;
    for attempt in 0..20 {
        let fns = (0..k)
            .map(|_| {
                let leaf = gen_expr(rng, &leaf_vars, t, 2);
                let mut next = gen_expr(rng, &next_vars, t, 2);
                // Usually the value carried along is used.
                let carried = if acc { "acc" } else { "r" };
                if attempt >= 10 || rng.chance(2, 3) {
                    next = combine(rng, t, var(carried), next);
                }
                Step {
                    base: rng.range(-1, 2),
                    step: rng.range(1, 3),
                    leaf,
                    next,
                }
            })
            .collect();
        let cand = Cycle { acc, t, fns };
        let ok = starts
            .iter()
            .zip(&inits)
            .all(|(n, a)| cand.run(0, *n, acc.then(|| a.clone())).is_some());
        if ok {
            c = Some(cand);
            break;
        }
    }
    let c = c.unwrap_or_else(|| Cycle {
        acc,
        t: Ty::I64,
        fns: (0..k)
            .map(|_| Step {
                base: 0,
                step: 1,
                leaf: var("n"),
                next: combine(rng, Ty::I64, var(if acc { "acc" } else { "r" }), var("n")),
            })
            .collect(),
    });
    let tn = c.t.name();
    for (i, f) in c.fns.iter().enumerate() {
        let next_fn = format!("mr{id}_{}", (i + 1) % k);
        let (params, call) = if acc {
            (
                format!("n: Int64, acc: {tn}"),
                format!(
                    "return {next_fn}(acc = {}, n = n - {});",
                    render_expr(&f.next),
                    f.step
                ),
            )
        } else {
            (
                "n: Int64".to_string(),
                format!(
                    "let r: {tn} = {next_fn}(n = n - {});\n  return {};",
                    f.step,
                    render_expr(&f.next)
                ),
            )
        };
        let _ = writeln!(
            items,
            "fn mr{id}_{i}({params}) -> {tn} {{\n  if (n <= {}) {{\n    return {};\n  }}\n  {call}\n}}\n",
            Val::Int(Ty::I64, f.base).literal(),
            render_expr(&f.leaf)
        );
    }
    for (n, a) in starts.iter().zip(&inits) {
        let a = if c.t == t {
            a.clone()
        } else {
            Val::Int(Ty::I64, 0)
        };
        let args = if acc {
            format!("n = {n}, acc = {}", a.literal())
        } else {
            format!("n = {n}")
        };
        let _ = writeln!(body, "  print(value = mr{id}_0({args}));");
        exp.push(
            c.run(0, *n, acc.then_some(a))
                .map(|v| v.show())
                .unwrap_or_default(),
        );
    }
}

/// A value of the recursive enum. Equality is structural, floats
/// compared as IEEE numbers (runtime/src/value/eq.rs): the derived one.
#[derive(Clone, Debug, PartialEq)]
enum Tree {
    Leaf(Val),
    Node(Box<Tree>, Box<Tree>),
    Empty,
    Cons(Val, Box<Tree>),
    Nil,
}

fn tree(rng: &mut Rng, v: Ty, depth: u32, empty: bool) -> Tree {
    if depth == 0 || rng.chance(1, 3) {
        if empty && rng.chance(1, 4) {
            return Tree::Empty;
        }
        return Tree::Leaf(value(rng, v));
    }
    Tree::Node(
        Box::new(tree(rng, v, depth - 1, empty)),
        Box::new(tree(rng, v, depth - 1, empty)),
    )
}

impl Tree {
    fn literal(&self, e: &str) -> String {
        match self {
            Tree::Leaf(v) => format!("{e}::Leaf(field0 = {})", v.literal()),
            Tree::Node(a, b) => format!(
                "{e}::Node(field0 = {}, field1 = {})",
                a.literal(e),
                b.literal(e)
            ),
            Tree::Empty => format!("{e}::Empty"),
            Tree::Cons(v, t) => format!(
                "{e}::Cons(field0 = {}, field1 = {})",
                v.literal(),
                t.literal(e)
            ),
            Tree::Nil => format!("{e}::Nil"),
        }
    }

    /// How many elements (leaf or cons values) it holds.
    fn elems(&self) -> usize {
        match self {
            Tree::Leaf(_) => 1,
            Tree::Node(a, b) => a.elems() + b.elems(),
            Tree::Cons(_, t) => 1 + t.elems(),
            Tree::Empty | Tree::Nil => 0,
        }
    }

    /// Replaces element `nth` (in pre-order) with `new()`, if there is
    /// one; returns how many elements it passed.
    fn replace(&mut self, nth: usize, new: &mut dyn FnMut() -> Val) -> usize {
        match self {
            Tree::Leaf(v) => {
                if nth == 0 {
                    *v = new();
                }
                1
            }
            Tree::Node(a, b) => {
                let n = a.replace(nth, new);
                n + b.replace(nth.wrapping_sub(n), new)
            }
            Tree::Cons(v, t) => {
                if nth == 0 {
                    *v = new();
                }
                1 + t.replace(nth.wrapping_sub(1), new)
            }
            Tree::Empty | Tree::Nil => 0,
        }
    }

    fn show(&self) -> String {
        match self {
            Tree::Leaf(v) => format!("Leaf({})", v.show_nested()),
            Tree::Node(a, b) => format!("Node({}, {})", a.show(), b.show()),
            Tree::Empty => "Empty".into(),
            Tree::Cons(v, t) => format!("Cons({}, {})", v.show_nested(), t.show()),
            Tree::Nil => "Nil".into(),
        }
    }
}

/// The fold's arms: leaf (over `v`), node (over the two recursive
/// results), empty; or cons (over `h` and the tail's result), nil.
struct Fold {
    leaf: Expr,
    node: Expr,
    empty: Val,
}

fn fold(f: &Fold, t: &Tree, a: &str, b: &str) -> Option<Val> {
    Some(match t {
        Tree::Leaf(v) => eval(&f.leaf, &[("v", v.clone())])?,
        Tree::Node(x, y) => {
            let x = fold(f, x, a, b)?;
            let y = fold(f, y, a, b)?;
            eval(&f.node, &[(a, x), (b, y)])?
        }
        Tree::Cons(h, rest) => {
            let r = fold(f, rest, a, b)?;
            eval(&f.node, &[("h", h.clone()), (a, r)])?
        }
        Tree::Empty | Tree::Nil => f.empty.clone(),
    })
}

fn enum_fold(rng: &mut Rng, id: u32, body: &mut String, items: &mut String, exp: &mut Vec<String>) {
    let v = *rng.pick(&[Ty::I32, Ty::I64, Ty::Str, Ty::F64, Ty::Bool, Ty::I8]);
    let r = *rng.pick(RESULTS);
    let list = rng.chance(1, 3);
    let method = rng.chance(1, 2);
    let with_empty = rng.chance(1, 2);
    let e = format!("Rec{id}");
    let (vn, rn) = (v.name(), r.name());
    // How the recursive results are written.
    let (a, b) = match (method, list) {
        (true, true) => ("t.fold()".to_string(), String::new()),
        (true, false) => ("x.fold()".to_string(), "y.fold()".to_string()),
        (false, true) => (format!("fold{id}(e = t)"), String::new()),
        (false, false) => (format!("fold{id}(e = x)"), format!("fold{id}(e = y)")),
    };
    let mut values: Vec<Tree> = (0..rng.range(1, 3))
        .map(|_| {
            if list {
                let mut t = Tree::Nil;
                for _ in 0..rng.range(0, 6) {
                    t = Tree::Cons(value(rng, v), Box::new(t));
                }
                t
            } else {
                let depth = rng.range(0, 4) as u32;
                tree(rng, v, depth, with_empty)
            }
        })
        .collect();
    // Sometimes a copy of the first value, maybe with one element
    // replaced, so that equal and nearly equal values get compared.
    if rng.chance(1, 2) {
        let mut c = values[0].clone();
        if rng.chance(1, 2) {
            let nth = rng.below(c.elems() as u64 + 1) as usize;
            c.replace(nth, &mut || value(rng, v));
        }
        values.push(c);
    }
    let mut f = None;
    for attempt in 0..20 {
        let leaf = gen_expr(rng, &[("v", v)], r, 2);
        let node = if list {
            let g = gen_expr(rng, &[("h", v), (&a, r)], r, 2);
            if attempt < 10 && rng.chance(1, 3) {
                g
            } else {
                combine(rng, r, var(&a), g)
            }
        } else {
            let g = gen_expr(rng, &[(&a, r), (&b, r)], r, 2);
            if attempt < 10 && rng.chance(1, 3) {
                g
            } else {
                let both = combine(rng, r, var(&a), var(&b));
                combine(rng, r, both, g)
            }
        };
        let cand = Fold {
            leaf,
            node,
            empty: value(rng, r),
        };
        if values.iter().all(|t| fold(&cand, t, &a, &b).is_some()) {
            f = Some(cand);
            break;
        }
    }
    let Some(f) = f else {
        // No fault-free fold found: print the values only.
        for (i, t) in values.iter().enumerate() {
            let _ = writeln!(
                body,
                "  let t{i}: {e} = {};\n  print(value = t{i});",
                t.literal(&e)
            );
            exp.push(t.show());
        }
        return;
    };
    let (arms, scrutinee) = {
        let s = if method {
            "self".to_string()
        } else {
            "e".to_string()
        };
        let arms = if list {
            format!(
                "      {e}::Cons(h: {vn}, t: {e}) -> {},\n      {e}::Nil -> {}",
                render_expr(&f.node),
                f.empty.literal()
            )
        } else {
            let mut arms = format!(
                "      {e}::Leaf(v: {vn}) -> {},\n      {e}::Node(x: {e}, y: {e}) -> {}",
                render_expr(&f.leaf),
                render_expr(&f.node)
            );
            if with_empty {
                let _ = write!(arms, ",\n      {e}::Empty -> {}", f.empty.literal());
            }
            arms
        };
        (arms, s)
    };
    let variants = if list {
        format!("  Cons({vn}, {e}),\n  Nil")
    } else if with_empty {
        format!("  Leaf({vn}),\n  Node({e}, {e}),\n  Empty")
    } else {
        format!("  Leaf({vn}),\n  Node({e}, {e})")
    };
    let ind = if method { "  " } else { "" };
    let func = format!(
        "{ind}{}fn {}({}) -> {rn} {{\n{ind}  return match {scrutinee} {{\n{}\n{ind}  }};\n{ind}}}\n",
        if method { "pub " } else { "" },
        if method { "fold".to_string() } else { format!("fold{id}") },
        if method { String::new() } else { format!("e: {e}") },
        arms.lines()
            .map(|l| format!("{ind}{l}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    if method {
        let _ = writeln!(items, "enum {e} {{\n{variants}\n\n{func}}}\n");
    } else {
        let _ = writeln!(items, "enum {e} {{\n{variants}\n}}\n\n{func}");
    }
    for (i, t) in values.iter().enumerate() {
        let built_in_loop = list && rng.chance(1, 2);
        if built_in_loop {
            // Cons cells pushed from a list literal, last element first.
            let mut elems = Vec::new();
            let mut cur = t;
            while let Tree::Cons(h, rest) = cur {
                elems.push(h.literal());
                cur = rest;
            }
            elems.reverse();
            let _ = writeln!(
                body,
                "  var t{i}: {e} = {e}::Nil;\n  let src{i}: List[{vn}] = [{}];\n  for (x: {vn} in src{i}) {{\n    t{i} = {e}::Cons(field0 = x, field1 = t{i});\n  }}",
                elems.join(", ")
            );
        } else {
            let _ = writeln!(body, "  let t{i}: {e} = {};", t.literal(&e));
        }
        if rng.chance(1, 2) {
            let _ = writeln!(body, "  print(value = t{i});");
            exp.push(t.show());
        }
        let call = if method {
            format!("t{i}.fold()")
        } else {
            format!("fold{id}(e = t{i})")
        };
        let _ = writeln!(body, "  print(value = {call});");
        exp.push(fold(&f, t, &a, &b).map(|x| x.show()).unwrap_or_default());
    }
    for i in 0..values.len() {
        for j in i + 1..values.len() {
            let (op, eq) = if rng.chance(1, 2) {
                ("==", values[i] == values[j])
            } else {
                ("!=", values[i] != values[j])
            };
            let _ = writeln!(body, "  print(value = t{i} {op} t{j});");
            exp.push(eq.to_string());
        }
    }
}

pub fn recursion(rng: &mut Rng, id: u32) -> Body {
    let mut items = String::new();
    let mut body = String::new();
    let mut exp = Vec::new();
    match rng.below(3) {
        0 => cycle(rng, id, &mut body, &mut items, &mut exp),
        1 => enum_fold(rng, id, &mut body, &mut items, &mut exp),
        _ => {
            cycle(rng, id, &mut body, &mut items, &mut exp);
            enum_fold(rng, id, &mut body, &mut items, &mut exp);
        }
    }
    Body::Text {
        items,
        body,
        expected: exp,
        exit: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// is_even / is_odd written as a cycle: the model agrees with `%`.
    #[test]
    fn a_two_function_cycle_runs_like_even_odd() {
        let is_zero = Expr::Bin(
            BinOp::Eq,
            Box::new(var("n")),
            Box::new(Expr::Lit(Val::Int(Ty::I64, 0))),
        );
        let not_zero = Expr::Bin(
            BinOp::Ne,
            Box::new(var("n")),
            Box::new(Expr::Lit(Val::Int(Ty::I64, 0))),
        );
        let c = Cycle {
            acc: false,
            t: Ty::Bool,
            fns: vec![
                Step {
                    base: 0,
                    step: 1,
                    leaf: is_zero,
                    next: var("r"),
                },
                Step {
                    base: 0,
                    step: 1,
                    leaf: not_zero,
                    next: var("r"),
                },
            ],
        };
        for n in 0..20 {
            assert_eq!(c.run(0, n, None), Some(Val::Bool(n % 2 == 0)), "{n}");
        }
    }

    #[test]
    fn recursive_enum_values_render_nested() {
        let t = Tree::Node(
            Box::new(Tree::Leaf(Val::Str("a\"".into()))),
            Box::new(Tree::Empty),
        );
        assert_eq!(t.show(), "Node(Leaf(\"a\"\"), Empty)");
        let l = Tree::Cons(Val::Int(Ty::I8, -1), Box::new(Tree::Nil));
        assert_eq!(l.show(), "Cons(-1, Nil)");
        assert_eq!(l.literal("R"), "R::Cons(field0 = (-1i8), field1 = R::Nil)");
    }

    #[test]
    fn a_replaced_element_makes_trees_unequal_and_floats_compare_by_value() {
        let leaf = |x: f64| Box::new(Tree::Leaf(Val::F64(x)));
        let t = Tree::Node(leaf(1.0), Box::new(Tree::Node(leaf(-0.0), leaf(3.0))));
        let mut u = t.clone();
        assert_eq!(u.elems(), 3);
        u.replace(1, &mut || Val::F64(0.0));
        assert_eq!(t, u, "-0 == 0");
        u.replace(2, &mut || Val::F64(4.0));
        assert_ne!(t, u);
        assert_eq!(u.show(), "Node(Leaf(1), Node(Leaf(0), Leaf(4)))");
    }
}
