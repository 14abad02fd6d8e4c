//! Options and Results holding classes and dicts, and generic enums used
//! at two types (the `holders` category). 1-3 parts, in random order:
//! - a class in `Option`/`Result`: a helper finding an object in a list
//!   by a field (`Option<Box>`), one picking by index (`Result<Box,
//!   String>`); printed alone, in a list and interpolated, matched,
//!   unwrapped, and a `var` field changed through the unwrapped value
//!   (visible in the list: objects are references);
//! - a dict in `Option`/`Result`: the wrapped dict changed afterwards
//!   (`set` of new and existing keys, `remove`), the wrapper printed
//!   again; a helper returning `Ok(dict)` or `Err(message)`;
//! - a generic `enum Pair<A, B>` (two, one or no payloads) and a generic
//!   recursive `enum Tree<T>` (leaves, nodes, `Empty`), each with methods
//!   over `match self`, built at two type instantiations, printed,
//!   compared with `==` and folded by their methods.
//!
//! - a `Set[List[Float64]]` (or `Float32`): lists compare elementwise by
//!   IEEE `==`, so `[-0.0]` equals `[0.0]` (the first one added stays)
//!   and a list holding NaN equals nothing: each one added is a new
//!   element, never found nor removed.
//!
//! Sets of floats themselves are not generated: the checker rejects them
//! (E0200, "floats are not hashable").

use super::options::value;
use super::printing::{show_dict, str_val};
use super::Body;
use crate::rng::Rng;
use crate::value::{Ty, Val};
use std::fmt::Write as _;

const SCALARS: &[Ty] = &[Ty::I8, Ty::I32, Ty::I64, Ty::Str, Ty::Bool, Ty::F64];
const KEYS: &[Ty] = &[Ty::I16, Ty::I32, Ty::I64];

pub fn holders(rng: &mut Rng, id: u32) -> Body {
    let mut items = String::new();
    let mut body = String::new();
    let mut exp = Vec::new();
    let mut parts = [0u8, 1, 2, 3, 4];
    // A random order, then a random prefix of 1-3 parts.
    for i in (1..parts.len()).rev() {
        parts.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let n = rng.range(1, 3) as usize;
    for p in &parts[..n] {
        match p {
            0 => class_holder(rng, id, &mut items, &mut body, &mut exp),
            1 => dict_holder(rng, id, &mut items, &mut body, &mut exp),
            2 => pairs(rng, id, &mut items, &mut body, &mut exp),
            3 => trees(rng, id, &mut items, &mut body, &mut exp),
            _ => float_list_set(rng, id, &mut body, &mut exp),
        }
    }
    Body::Text {
        items,
        body,
        expected: exp,
        exit: None,
    }
}

fn print(body: &mut String, exp: &mut Vec<String>, e: &str, shown: String) {
    let _ = writeln!(body, "  print(value = {e});");
    exp.push(shown);
}

fn class_holder(
    rng: &mut Rng,
    id: u32,
    items: &mut String,
    body: &mut String,
    exp: &mut Vec<String>,
) {
    let ka = *rng.pick(KEYS);
    let tb = *rng.pick(SCALARS);
    let (an, bn) = (ka.name(), tb.name());
    let cls = format!("Box{id}");
    let _ = writeln!(
        items,
        "class {cls} {{\n  pub let a: {an};\n  pub var b: {bn};\n}}\n\nfn find{id}(xs: List[{cls}], a: {an}) -> Option<{cls}> {{\n  for (x: {cls} in xs) {{\n    if (x.a == a) {{\n      return Option::Some(field0 = x);\n    }}\n  }}\n  return Option::None;\n}}\n\nfn pick{id}(xs: List[{cls}], i: Int32) -> Result<{cls}, String> {{\n  if (i >= xs.len()) {{\n    return Result::Err(field0 = \"no ${{i}}\");\n  }}\n  return Result::Ok(field0 = xs[i].unwrap());\n}}\n"
    );
    let mut xs: Vec<(i64, Val)> = Vec::new();
    let mut lits = Vec::new();
    for _ in 0..rng.range(1, 4) {
        let a = rng.range(0, 5);
        let b = value(rng, tb);
        lits.push(if rng.chance(1, 2) {
            format!(
                "{cls}.init(a = {}, b = {})",
                Val::Int(ka, a).literal(),
                b.literal()
            )
        } else {
            format!(
                "{cls}.init(b = {}, a = {})",
                b.literal(),
                Val::Int(ka, a).literal()
            )
        });
        xs.push((a, b));
    }
    let _ = writeln!(body, "  let xs{id}: List[{cls}] = [{}];", lits.join(", "));
    let show = |x: &(i64, Val)| format!("{cls} {{ a: {}, b: {} }}", x.0, x.1.show_nested());
    let show_opt = |xs: &[(i64, Val)], k: i64| match xs.iter().position(|x| x.0 == k) {
        Some(p) => format!("Some({})", show(&xs[p])),
        None => "None".to_string(),
    };
    for q in 0..rng.range(1, 4) {
        let k = rng.range(0, 5);
        let kl = Val::Int(ka, k).literal();
        let found = xs.iter().position(|x| x.0 == k);
        let o = format!("o{id}_{q}");
        let _ = writeln!(
            body,
            "  let {o}: Option<{cls}> = find{id}(xs = xs{id}, a = {kl});"
        );
        match rng.below(5) {
            0 => print(body, exp, &o, show_opt(&xs, k)),
            1 => {
                let _ = writeln!(body, "  print(value = [{o}, Option::None]);");
                exp.push(format!("[{}, None]", show_opt(&xs, k)));
            }
            2 => {
                let _ = writeln!(
                    body,
                    "  print(value = \"got ${{{o}}} ${{{o}.is_some()}}\");"
                );
                exp.push(format!("got {} {}", show_opt(&xs, k), found.is_some()));
            }
            3 => {
                let _ = writeln!(
                    body,
                    "  match {o} {{\n    Option::Some(x: {cls}) -> {{ print(value = x.b); }}\n    Option::None -> {{ print(value = \"none\"); }}\n  }}"
                );
                exp.push(match found {
                    Some(p) => xs[p].1.show(),
                    None => "none".into(),
                });
            }
            _ => {
                if let Some(p) = found {
                    let v = value(rng, tb);
                    let _ = writeln!(body, "  {o}.unwrap().b = {};", v.literal());
                    xs[p].1 = v;
                    let parts: Vec<String> = xs.iter().map(show).collect();
                    print(
                        body,
                        exp,
                        &format!("xs{id}"),
                        format!("[{}]", parts.join(", ")),
                    );
                } else {
                    let _ = writeln!(body, "  print(value = {o}.is_none());");
                    exp.push("true".into());
                }
            }
        }
    }
    for _ in 0..rng.range(1, 2) {
        let i = rng.range(0, xs.len() as i64 + 1);
        let shown = match xs.get(i as usize) {
            Some(x) => format!("Ok({})", show(x)),
            None => format!("Err(\"no {i}\")"),
        };
        print(body, exp, &format!("pick{id}(xs = xs{id}, i = {i})"), shown);
    }
}

fn dict_holder(
    rng: &mut Rng,
    id: u32,
    items: &mut String,
    body: &mut String,
    exp: &mut Vec<String>,
) {
    let t = *rng.pick(SCALARS);
    let tn = t.name();
    let _ = writeln!(
        items,
        "fn lookup{id}(d: Dict[String, {tn}], k: String) -> Result<Dict[String, {tn}], String> {{\n  if (d.has_key(key = k)) {{\n    return Result::Ok(field0 = d);\n  }}\n  return Result::Err(field0 = \"no \" + k);\n}}\n"
    );
    let mut keys: Vec<String> = Vec::new();
    for _ in 0..3 {
        let k = str_val(rng);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let mut d: Vec<(String, Val)> = Vec::new();
    let mut lits = Vec::new();
    for k in &keys {
        if rng.chance(1, 2) {
            let v = value(rng, t);
            lits.push(format!(
                "{}: {}",
                Val::Str(k.clone()).literal(),
                v.literal()
            ));
            d.push((k.clone(), v));
        }
    }
    let dn = format!("d{id}");
    let _ = writeln!(
        body,
        "  let {dn}: Dict[String, {tn}] = {{{}}};",
        lits.join(", ")
    );
    let result = rng.chance(1, 2);
    let w = format!("w{id}");
    let wrap = |d: &[(String, Val)]| {
        if result {
            format!("Ok({})", show_dict(d))
        } else {
            format!("Some({})", show_dict(d))
        }
    };
    if result {
        let _ = writeln!(
            body,
            "  let {w}: Result<Dict[String, {tn}], Int32> = Result::Ok(field0 = {dn});"
        );
    } else {
        let _ = writeln!(
            body,
            "  let {w}: Option<Dict[String, {tn}]> = Option::Some(field0 = {dn});"
        );
    }
    print(body, exp, &w, wrap(&d));
    for _ in 0..rng.range(1, 5) {
        let k = rng.pick(&keys).clone();
        let kl = Val::Str(k.clone()).literal();
        match rng.below(4) {
            0 | 1 => {
                let v = value(rng, t);
                let _ = writeln!(
                    body,
                    "  {w}.unwrap().set(key = {kl}, value = {});",
                    v.literal()
                );
                match d.iter_mut().find(|(x, _)| *x == k) {
                    Some(e) => e.1 = v,
                    None => d.push((k, v)),
                }
                print(body, exp, &w, wrap(&d));
            }
            2 => {
                let _ = writeln!(body, "  {dn}.remove(key = {kl});");
                d.retain(|(x, _)| *x != k);
                print(body, exp, &format!("[{w}]"), format!("[{}]", wrap(&d)));
            }
            _ => {
                let shown = if d.iter().any(|(x, _)| *x == k) {
                    format!("Ok({})", show_dict(&d))
                } else {
                    format!("Err(\"no {k}\")")
                };
                print(body, exp, &format!("lookup{id}(d = {dn}, k = {kl})"), shown);
            }
        }
    }
}

/// A value of `Pair<A, B>`.
enum Pair {
    Both(Val, Val),
    OnlyA(Val),
    Neither,
}

fn pairs(rng: &mut Rng, id: u32, items: &mut String, body: &mut String, exp: &mut Vec<String>) {
    let e = format!("Pair{id}");
    let _ = writeln!(
        items,
        "enum {e}<A, B> {{\n  Both(A, B),\n  OnlyA(A),\n  Neither\n\n  pub fn left_or(d: A) -> A {{\n    return match self {{\n      {e}::Both(x: A, y: B) -> x,\n      {e}::OnlyA(x: A) -> x,\n      {e}::Neither -> d\n    }};\n  }}\n\n  pub fn count() -> Int32 {{\n    return match self {{\n      {e}::Both(x: A, y: B) -> 2,\n      {e}::OnlyA(x: A) -> 1,\n      _ -> 0\n    }};\n  }}\n}}\n"
    );
    for inst in 0..2 {
        let (a, b) = (*rng.pick(SCALARS), *rng.pick(SCALARS));
        let ty = format!("{e}<{}, {}>", a.name(), b.name());
        let mut vals = Vec::new();
        let mut lits = Vec::new();
        for _ in 0..rng.range(1, 4) {
            let (lit, v) = match rng.below(3) {
                0 => {
                    let (x, y) = (value(rng, a), value(rng, b));
                    (
                        format!(
                            "{e}::Both(field0 = {}, field1 = {})",
                            x.literal(),
                            y.literal()
                        ),
                        Pair::Both(x, y),
                    )
                }
                1 => {
                    let x = value(rng, a);
                    (
                        format!("{e}::OnlyA(field0 = {})", x.literal()),
                        Pair::OnlyA(x),
                    )
                }
                _ => (format!("{e}::Neither"), Pair::Neither),
            };
            lits.push(lit);
            vals.push(v);
        }
        let ps = format!("ps{id}_{inst}");
        let _ = writeln!(body, "  let {ps}: List[{ty}] = [{}];", lits.join(", "));
        let show = |p: &Pair| match p {
            Pair::Both(x, y) => format!("Both({}, {})", x.show_nested(), y.show_nested()),
            Pair::OnlyA(x) => format!("OnlyA({})", x.show_nested()),
            Pair::Neither => "Neither".into(),
        };
        let shown: Vec<String> = vals.iter().map(show).collect();
        print(body, exp, &ps, format!("[{}]", shown.join(", ")));
        let d = value(rng, a);
        let _ = writeln!(
            body,
            "  var n{ps}: Int32 = 0;\n  for (p: {ty} in {ps}) {{\n    n{ps} = n{ps} + p.count();\n    print(value = p.left_or(d = {}));\n  }}\n  print(value = n{ps});",
            d.literal()
        );
        let mut count = 0;
        for p in &vals {
            let (c, l) = match p {
                Pair::Both(x, _) => (2, x),
                Pair::OnlyA(x) => (1, x),
                Pair::Neither => (0, &d),
            };
            count += c;
            exp.push(l.show());
        }
        exp.push(count.to_string());
        // `==` of the first with a copy built again and with the last.
        let _ = writeln!(body, "  let c{ps}: {ty} = {};", lits[0]);
        let same = format!("{ps}[0].unwrap() == c{ps}");
        let last = format!("{ps}[0].unwrap() != {ps}[{}].unwrap()", vals.len() - 1);
        let eq = |p: &Pair, q: &Pair| match (p, q) {
            (Pair::Both(a, b), Pair::Both(c, d)) => a == c && b == d,
            (Pair::OnlyA(a), Pair::OnlyA(c)) => a == c,
            (Pair::Neither, Pair::Neither) => true,
            _ => false,
        };
        let _ = writeln!(body, "  print(value = \"${{{same}}} ${{{last}}}\");");
        exp.push(format!(
            "{} {}",
            eq(&vals[0], &vals[0]),
            !eq(&vals[0], &vals[vals.len() - 1])
        ));
    }
}

/// A value of `Tree<T>`.
#[derive(Clone)]
enum Tree {
    Leaf(Val),
    Node(Box<Tree>, Box<Tree>),
    Empty,
}

impl Tree {
    fn random(rng: &mut Rng, t: Ty, depth: u32) -> Tree {
        match rng.below(if depth == 0 { 2 } else { 4 }) {
            0 => Tree::Empty,
            1 => Tree::Leaf(value(rng, t)),
            _ => Tree::Node(
                Box::new(Tree::random(rng, t, depth - 1)),
                Box::new(Tree::random(rng, t, depth - 1)),
            ),
        }
    }

    fn literal(&self, e: &str) -> String {
        match self {
            Tree::Leaf(v) => format!("{e}::Leaf(field0 = {})", v.literal()),
            Tree::Node(l, r) => format!(
                "{e}::Node(field0 = {}, field1 = {})",
                l.literal(e),
                r.literal(e)
            ),
            Tree::Empty => format!("{e}::Empty"),
        }
    }

    fn show(&self) -> String {
        match self {
            Tree::Leaf(v) => format!("Leaf({})", v.show_nested()),
            Tree::Node(l, r) => format!("Node({}, {})", l.show(), r.show()),
            Tree::Empty => "Empty".into(),
        }
    }

    fn size(&self) -> i64 {
        match self {
            Tree::Leaf(_) => 1,
            Tree::Node(l, r) => l.size() + r.size(),
            Tree::Empty => 0,
        }
    }

    fn first(&self, d: Val) -> Val {
        match self {
            Tree::Leaf(v) => v.clone(),
            Tree::Node(l, r) => l.first(r.first(d)),
            Tree::Empty => d,
        }
    }

    fn eq(&self, other: &Tree) -> bool {
        match (self, other) {
            (Tree::Leaf(a), Tree::Leaf(b)) => a == b,
            (Tree::Node(a, b), Tree::Node(c, d)) => a.eq(c) && b.eq(d),
            (Tree::Empty, Tree::Empty) => true,
            _ => false,
        }
    }
}

fn trees(rng: &mut Rng, id: u32, items: &mut String, body: &mut String, exp: &mut Vec<String>) {
    let e = format!("Tree{id}");
    let _ = writeln!(
        items,
        "enum {e}<T> {{\n  Leaf(T),\n  Node({e}<T>, {e}<T>),\n  Empty\n\n  pub fn size() -> Int32 {{\n    return match self {{\n      {e}::Leaf(v: T) -> 1,\n      {e}::Node(l: {e}<T>, r: {e}<T>) -> l.size() + r.size(),\n      {e}::Empty -> 0\n    }};\n  }}\n\n  pub fn first(d: T) -> T {{\n    return match self {{\n      {e}::Leaf(v: T) -> v,\n      {e}::Node(l: {e}<T>, r: {e}<T>) -> l.first(d = r.first(d = d)),\n      {e}::Empty -> d\n    }};\n  }}\n}}\n"
    );
    let t0 = *rng.pick(SCALARS);
    let mut t1 = *rng.pick(SCALARS);
    if t1 == t0 {
        t1 = *rng.pick(SCALARS);
    }
    for (inst, t) in [t0, t1].into_iter().enumerate() {
        let ty = format!("{e}<{}>", t.name());
        let a = Tree::random(rng, t, 3);
        let b = if rng.chance(1, 3) {
            // The same shape and values, written again.
            a.clone()
        } else {
            Tree::random(rng, t, 2)
        };
        let (an, bn) = (format!("ta{id}_{inst}"), format!("tb{id}_{inst}"));
        let _ = writeln!(body, "  let {an}: {ty} = {};", a.literal(&e));
        let _ = writeln!(body, "  let {bn}: {ty} = {};", b.literal(&e));
        print(body, exp, &an, a.show());
        match rng.below(3) {
            0 => print(
                body,
                exp,
                &format!("Option::Some(field0 = {bn})"),
                format!("Some({})", b.show()),
            ),
            1 => print(
                body,
                exp,
                &format!("[{an}, {bn}]"),
                format!("[{}, {}]", a.show(), b.show()),
            ),
            _ => {
                let _ = writeln!(body, "  print(value = \"${{{bn}}}\");");
                exp.push(b.show());
            }
        }
        let d = value(rng, t);
        let _ = writeln!(
            body,
            "  print(value = {an}.size() + {bn}.size());\n  print(value = {an}.first(d = {}));\n  print(value = {bn}.first(d = {an}.first(d = {})));",
            d.literal(),
            d.literal()
        );
        exp.push((a.size() + b.size()).to_string());
        exp.push(a.first(d.clone()).show());
        exp.push(b.first(a.first(d)).show());
        let _ = writeln!(body, "  print(value = {an} == {bn});");
        exp.push(a.eq(&b).to_string());
    }
}

/// Float lists as set elements: `add`/`remove`/`contains` over lists
/// from a small pool (so they repeat) holding `-0.0`, NaN and infinity;
/// the set printed in insertion order.
fn float_list_set(rng: &mut Rng, id: u32, body: &mut String, exp: &mut Vec<String>) {
    let f32 = rng.chance(1, 2);
    let (tn, sfx) = if f32 {
        ("Float32", "f32")
    } else {
        ("Float64", "")
    };
    let atoms: [(&str, f64); 6] = [
        ("0.0", 0.0),
        ("(-0.0)", -0.0),
        ("(0.0 / 0.0)", f64::NAN),
        ("1.5", 1.5),
        ("(-2.25)", -2.25),
        ("(1.0 / 0.0)", f64::INFINITY),
    ];
    let lit = |a: &str| {
        a.replace(".0", &format!(".0{sfx}"))
            .replace(".5", &format!(".5{sfx}"))
            .replace(".25", &format!(".25{sfx}"))
    };
    let pool: Vec<(String, Vec<f64>)> = (0..rng.range(2, 4))
        .map(|_| {
            let picks: Vec<&(&str, f64)> = (0..rng.range(0, 2)).map(|_| rng.pick(&atoms)).collect();
            let l: Vec<String> = picks.iter().map(|(a, _)| lit(a)).collect();
            (
                format!("[{}]", l.join(", ")),
                picks.iter().map(|(_, v)| *v).collect(),
            )
        })
        .collect();
    let show = |v: &[f64]| {
        let parts: Vec<String> = v
            .iter()
            .map(|x| {
                if f32 {
                    Val::F32(*x as f32).show()
                } else {
                    Val::F64(*x).show()
                }
            })
            .collect();
        format!("[{}]", parts.join(", "))
    };
    let eq = |a: &[f64], b: &[f64]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y);
    let name = format!("fs{id}");
    let _ = writeln!(body, "  let {name}: Set[List[{tn}]] = Set{{}};");
    let mut set: Vec<Vec<f64>> = Vec::new();
    for _ in 0..rng.range(3, 8) {
        let (l, v) = rng.pick(&pool).clone();
        match rng.below(4) {
            0 | 1 => {
                let _ = writeln!(body, "  {name}.add(value = {l});");
                if !set.iter().any(|x| eq(x, &v)) {
                    set.push(v);
                }
            }
            2 => {
                let _ = writeln!(body, "  {name}.remove(value = {l});");
                if let Some(p) = set.iter().position(|x| eq(x, &v)) {
                    set.remove(p);
                }
            }
            _ => {
                let _ = writeln!(body, "  print(value = {name}.contains(value = {l}));");
                exp.push(set.iter().any(|x| eq(x, &v)).to_string());
            }
        }
    }
    let shown: Vec<String> = set.iter().map(|v| show(v)).collect();
    let _ = writeln!(
        body,
        "  print(value = \"${{{name}}} ${{{name}.length()}}\");"
    );
    exp.push(format!("{{{}}} {}", shown.join(", "), set.len()));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generic enum values render like any enum (no type arguments,
    /// payload strings quoted); `first` folds right to left; `==` is
    /// IEEE on float payloads (0 equals -0, NaN equals nothing).
    #[test]
    fn trees_render_fold_and_compare() {
        let leaf = |v: Val| Box::new(Tree::Leaf(v));
        let t = Tree::Node(
            leaf(Val::Str("a\"".into())),
            Box::new(Tree::Node(
                Box::new(Tree::Empty),
                leaf(Val::Str("b".into())),
            )),
        );
        assert_eq!(t.show(), "Node(Leaf(\"a\"\"), Node(Empty, Leaf(\"b\")))");
        assert_eq!(t.size(), 2);
        assert_eq!(t.first(Val::Str("d".into())), Val::Str("a\"".into()));
        let e = Tree::Node(Box::new(Tree::Empty), Box::new(Tree::Empty));
        assert_eq!(e.first(Val::Int(Ty::I32, 7)), Val::Int(Ty::I32, 7));
        assert!(Tree::Leaf(Val::F64(0.0)).eq(&Tree::Leaf(Val::F64(-0.0))));
        assert!(!Tree::Leaf(Val::F64(f64::NAN)).eq(&Tree::Leaf(Val::F64(f64::NAN))));
        assert_eq!(
            Tree::Leaf(Val::Int(Ty::I8, -3)).literal("T"),
            "T::Leaf(field0 = (-3i8))"
        );
    }

    /// Every part of the category appears across seeds.
    #[test]
    fn every_part_is_generated() {
        let mut seen = [false; 5];
        for seed in 0..40 {
            if let Body::Text { items, body, .. } = holders(&mut Rng::new(seed), 1) {
                let items = items + &body;
                for (i, marker) in [
                    "class Box1",
                    "fn lookup1",
                    "enum Pair1",
                    "enum Tree1",
                    "Set[List[",
                ]
                .iter()
                .enumerate()
                {
                    seen[i] |= items.contains(marker);
                }
            }
        }
        assert_eq!(seen, [true; 5]);
    }
}
