//! Types and generic items across modules (part of the `modules`
//! category): the module `fz/mID.plat` also declares a `pub type Sc`
//! alias of a numeric type (the same name in every check's module, at
//! different types: the compiler once took one module's alias for all)
//! with a function over it, a `pub newtype Tg` of
//! any scalar type with a constructor function, a generic `pub fn
//! pick<T>` and a generic `pub class Bag<T>` with methods. The main file
//! uses the alias as its underlying type and in its own signatures, builds
//! newtype values both through the module's function and with
//! `Tg.init(value =)`, prints and compares them, and uses `pick` and `Bag`
//! at two types each.

use super::options::value;
use crate::rng::Rng;
use crate::value::{binary, BinOp, Ty, Val};
use std::fmt::Write as _;

const NUMS: &[Ty] = &[Ty::I16, Ty::I32, Ty::I64, Ty::F64];
const ANY: &[Ty] = &[Ty::I8, Ty::I32, Ty::I64, Ty::Str, Ty::F64, Ty::Bool];

/// Appends to the module text `a`, the main file's `items` and the check's
/// `body` (and its expected lines); `q` is how the main file names the
/// module (`mID` or `fz::mID`).
pub fn module_types(
    rng: &mut Rng,
    id: u32,
    q: &str,
    a: &mut String,
    items: &mut String,
    body: &mut String,
    exp: &mut Vec<String>,
) {
    alias(rng, id, q, a, items, body, exp);
    newtype(rng, q, a, body, exp);
    generics(rng, q, a, body, exp);
}

fn add(x: &Val, y: &Val) -> Val {
    binary(BinOp::Add, x, y).unwrap_or(Val::Bool(false))
}

fn alias(
    rng: &mut Rng,
    id: u32,
    q: &str,
    a: &mut String,
    items: &mut String,
    body: &mut String,
    exp: &mut Vec<String>,
) {
    let t = *rng.pick(NUMS);
    let tn = t.name();
    let _ = writeln!(
        a,
        "\npub type Sc = {tn};\n\npub fn bump(s: Sc, by: {tn}) -> Sc {{\n  return s + by;\n}}\n"
    );
    let _ = writeln!(
        items,
        "fn twice{id}(s: {q}::Sc) -> {tn} {{\n  return s + s;\n}}\n"
    );
    let (s, by) = (value(rng, t), value(rng, t));
    let _ = writeln!(body, "  let sc: {q}::Sc = {};", s.literal());
    let _ = writeln!(
        body,
        "  let bumped: {tn} = {q}::bump(s = sc, by = {});",
        by.literal()
    );
    let bumped = add(&s, &by);
    let _ = writeln!(body, "  print(value = twice{id}(s = bumped));");
    exp.push(add(&bumped, &bumped).show());
    let _ = writeln!(body, "  print(value = [sc, bumped]);");
    exp.push(format!("[{}, {}]", s.show_nested(), bumped.show_nested()));
}

fn newtype(rng: &mut Rng, q: &str, a: &mut String, body: &mut String, exp: &mut Vec<String>) {
    let t = *rng.pick(ANY);
    let tn = t.name();
    let _ = writeln!(
        a,
        "pub newtype Tg = {tn};\n\npub fn mk(v: {tn}) -> Tg {{\n  return Tg.init(value = v);\n}}\n"
    );
    let x = value(rng, t);
    let y = if rng.chance(1, 3) {
        x.clone()
    } else {
        value(rng, t)
    };
    let _ = writeln!(body, "  let g: {q}::Tg = {q}::mk(v = {});", x.literal());
    let _ = writeln!(
        body,
        "  let h: {q}::Tg = {q}::Tg.init(value = {});",
        y.literal()
    );
    let _ = writeln!(body, "  print(value = g);\n  print(value = [g, h]);");
    exp.push(x.show());
    exp.push(format!("[{}, {}]", x.show_nested(), y.show_nested()));
    let _ = writeln!(body, "  print(value = \"${{h.value}} ${{g == h}}\");");
    exp.push(format!("{} {}", y.show(), x == y));
    let _ = writeln!(
        body,
        "  let og: Option<{q}::Tg> = Option::Some(field0 = h);"
    );
    let _ = writeln!(body, "  print(value = og);");
    exp.push(format!("Some({})", y.show_nested()));
}

fn generics(rng: &mut Rng, q: &str, a: &mut String, body: &mut String, exp: &mut Vec<String>) {
    a.push_str("pub fn pick<T>(xs: List[T], i: Int32, d: T) -> T {\n  if (i < xs.len()) {\n    return xs[i].unwrap();\n  }\n  return d;\n}\n\n");
    a.push_str("pub class Bag<T> {\n  pub let item: T;\n  pub var n: Int32;\n\n  pub fn get() -> T {\n    self.n = self.n + 1;\n    return self.item;\n  }\n\n  pub fn with(other: T) -> Bag<T> {\n    return Bag.init(item = other, n = self.n);\n  }\n}\n");
    let t0 = *rng.pick(ANY);
    let mut t1 = *rng.pick(ANY);
    if t1 == t0 {
        t1 = *rng.pick(ANY);
    }
    for (k, t) in [t0, t1].into_iter().enumerate() {
        let tn = t.name();
        // pick over a literal list, in range or not.
        let xs: Vec<Val> = (0..rng.range(0, 3)).map(|_| value(rng, t)).collect();
        let lits: Vec<String> = xs.iter().map(Val::literal).collect();
        let i = rng.range(0, 3);
        let d = value(rng, t);
        let _ = writeln!(
            body,
            "  let xs{k}: List[{tn}] = [{}];\n  print(value = {q}::pick(xs = xs{k}, i = {i}, d = {}));",
            lits.join(", "),
            d.literal()
        );
        exp.push(xs.get(i as usize).unwrap_or(&d).show());
        // A Bag at this type: get (counting), with, printed in a list.
        let (item, other) = (value(rng, t), value(rng, t));
        let n0 = rng.range(0, 5);
        let b = format!("b{k}");
        let _ = writeln!(
            body,
            "  let {b}: {q}::Bag<{tn}> = {q}::Bag.init(item = {}, n = {n0});",
            item.literal()
        );
        let gets = rng.range(0, 2);
        for _ in 0..gets {
            let _ = writeln!(body, "  print(value = {b}.get());");
            exp.push(item.show());
        }
        let n = n0 + gets;
        let bag = |v: &Val| format!("Bag<{tn}> {{ item: {}, n: {n} }}", v.show_nested());
        let _ = writeln!(
            body,
            "  print(value = [{b}, {b}.with(other = {})]);",
            other.literal()
        );
        exp.push(format!("[{}, {}]", bag(&item), bag(&other)));
        let _ = writeln!(
            body,
            "  print(value = {q}::pick(xs = [{b}.with(other = {})], i = 0, d = {b}).item);",
            other.literal()
        );
        exp.push(other.show());
    }
}
