//! Template checks over collections (List, Dict, Set operations modelled
//! on Rust's Vec and an insertion-ordered map) and closures capturing
//! values.

use super::scalar::pure_expr;
use super::Body;
use crate::ast::render_expr;
use crate::rng::Rng;
use crate::value::{show_list, Ty, Val};
use std::fmt::Write as _;

fn opt(v: Option<String>) -> String {
    match v {
        Some(s) => format!("Some({s})"),
        None => "None".into(),
    }
}

/// A random sequence of List[Int64], Dict[String, Int64] and Set[Int32]
/// operations, each printing a result.
pub fn collections(rng: &mut Rng, id: u32) -> Body {
    let mut body = String::new();
    let mut exp = Vec::new();
    let (l, d, s) = (format!("xs{id}"), format!("d{id}"), format!("s{id}"));
    let mut xs: Vec<i64> = (0..rng.range(0, 4)).map(|_| rng.range(-50, 50)).collect();
    let lits: Vec<String> = xs.iter().map(|x| format!("{x}")).collect();
    let _ = writeln!(body, "  let {l}: List[Int64] = [{}];", lits.join(", "));
    let _ = writeln!(body, "  let {d}: Dict[String, Int64] = {{}};");
    let _ = writeln!(body, "  let {s}: Set[Int32] = Set{{}};");
    let mut dict: Vec<(String, i64)> = Vec::new();
    let mut set: Vec<i64> = Vec::new();
    let keys = ["a", "b", "k1", "zz", "Q"];
    let show_i =
        |v: &[i64]| show_list(&v.iter().map(|x| Val::Int(Ty::I64, *x)).collect::<Vec<_>>());
    for step in 0..rng.range(4, 14) {
        let i = rng.range(-1, xs.len() as i64 + 1);
        let v = rng.range(-100, 100);
        let k = *rng.pick(&keys);
        match rng.below(16) {
            0 | 1 => {
                let _ = writeln!(body, "  {l}.push(value = {v});");
                xs.push(v);
            }
            2 => {
                let _ = writeln!(body, "  print(value = {l}.pop());");
                exp.push(opt(xs.pop().map(|x| x.to_string())));
            }
            3 => {
                let _ = writeln!(body, "  print(value = {l}[{i}]);");
                exp.push(opt(usize::try_from(i)
                    .ok()
                    .and_then(|i| xs.get(i))
                    .map(|x| x.to_string())));
            }
            4 if i >= 0 && (i as usize) < xs.len() => {
                let _ = writeln!(body, "  {l}.set(index = {i}, value = {v});");
                xs[i as usize] = v;
            }
            5 => {
                let _ = writeln!(body, "  print(value = {l}.contains(value = {v}));");
                exp.push(xs.contains(&v).to_string());
            }
            6 => {
                let x = xs
                    .get(rng.below(xs.len() as u64 + 1) as usize)
                    .copied()
                    .unwrap_or(v);
                let _ = writeln!(body, "  print(value = {l}.index_of(value = {x}));");
                exp.push(opt(xs.iter().position(|y| *y == x).map(|p| p.to_string())));
            }
            7 => {
                let _ = writeln!(body, "  print(value = {l}.len());");
                exp.push(xs.len().to_string());
                let _ = writeln!(body, "  print(value = {l});");
                exp.push(show_i(&xs));
            }
            8 => {
                let a = rng.range(0, xs.len() as i64);
                let b = rng.range(a, xs.len() as i64);
                let _ = writeln!(body, "  print(value = {l}.slice(start = {a}, end = {b}));");
                exp.push(show_i(&xs[a as usize..b as usize]));
            }
            9 => {
                let _ = writeln!(
                    body,
                    "  var sum{id}_{step}: Int64 = 0;\n  for (x: Int64 in {l}) {{\n    sum{id}_{step} = sum{id}_{step} + x;\n  }}\n  print(value = sum{id}_{step});"
                );
                exp.push(xs.iter().fold(0i64, |a, b| a.wrapping_add(*b)).to_string());
            }
            10 => {
                let _ = writeln!(body, "  {d}.set(key = \"{k}\", value = {v});");
                match dict.iter_mut().find(|(kk, _)| kk == k) {
                    Some(e) => e.1 = v,
                    None => dict.push((k.to_string(), v)),
                }
            }
            11 => {
                let _ = writeln!(body, "  print(value = {d}.get(key = \"{k}\"));");
                exp.push(opt(dict
                    .iter()
                    .find(|(kk, _)| kk == k)
                    .map(|e| e.1.to_string())));
                let _ = writeln!(
                    body,
                    "  print(value = {d}.get_or(key = \"{k}\", default = -1));"
                );
                exp.push(
                    dict.iter()
                        .find(|(kk, _)| kk == k)
                        .map_or(-1, |e| e.1)
                        .to_string(),
                );
            }
            12 => {
                let _ = writeln!(body, "  print(value = {d}.remove(key = \"{k}\"));");
                let p = dict.iter().position(|(kk, _)| kk == k);
                exp.push(opt(p.map(|p| dict.remove(p).1.to_string())));
            }
            13 => {
                let _ = writeln!(body, "  print(value = {d});");
                let parts: Vec<String> = dict.iter().map(|(k, v)| format!("{k:?}: {v}")).collect();
                exp.push(format!("{{{}}}", parts.join(", ")));
                let _ = writeln!(body, "  print(value = {d}.length());");
                exp.push(dict.len().to_string());
                let _ = writeln!(body, "  print(value = {d}.has_key(key = \"{k}\"));");
                exp.push(dict.iter().any(|(kk, _)| kk == k).to_string());
            }
            14 => {
                let x = v % 5;
                let _ = writeln!(body, "  {s}.add(value = {x});");
                if !set.contains(&x) {
                    set.push(x);
                }
                let _ = writeln!(body, "  print(value = {s}.length());");
                exp.push(set.len().to_string());
            }
            _ => {
                let x = v % 5;
                let _ = writeln!(body, "  print(value = {s}.contains(value = {x}));");
                exp.push(set.contains(&x).to_string());
                let _ = writeln!(body, "  {s}.remove(value = {x});");
                set.retain(|y| *y != x);
            }
        }
    }
    Body::Text {
        items: String::new(),
        body,
        expected: exp,
        exit: None,
    }
}

/// Closures capturing locals by value (a later assignment to a `var` is
/// not seen), called directly, through a higher-order function and from a
/// list of closures.
pub fn closures(rng: &mut Rng, id: u32) -> Body {
    let ret = *rng.pick(&[Ty::I32, Ty::I64, Ty::Str, Ty::Bool]);
    let ct = *rng.pick(&[Ty::I32, Ty::I64, Ty::Str, Ty::F64]);
    let c0 = super::types::plain(rng, ct);
    let c1 = super::types::plain(rng, ct);
    let xs: Vec<i64> = (0..3).map(|_| rng.range(-30, 30)).collect();
    let vars = vec![("x".to_string(), Ty::I32), (format!("cap{id}"), ct)];
    let envs: Vec<Vec<Val>> = xs
        .iter()
        .map(|x| vec![Val::Int(Ty::I32, *x), c0.clone()])
        .collect();
    let (e, vals) = pure_expr(rng, &vars, ret, &envs, 3);
    let (e2, vals2) = pure_expr(rng, &vars, ret, &envs, 2);
    let r = ret.name();
    let items =
        format!("fn apply{id}(f: Fn(Int32) -> {r}, x: Int32) -> {r} {{\n  return f(x);\n}}\n\n");
    let mut body = String::new();
    let _ = writeln!(body, "  var cap{id}: {} = {};", ct.name(), c0.literal());
    let _ = writeln!(
        body,
        "  let f: Fn(Int32) -> {r} = fn(x: Int32) -> {r} {{ return {}; }};",
        render_expr(&e)
    );
    let _ = writeln!(
        body,
        "  let fs: List[Fn(Int32) -> {r}] = [f, fn(x: Int32) -> {r} {{ return {}; }}];",
        render_expr(&e2)
    );
    let _ = writeln!(body, "  cap{id} = {};", c1.literal());
    let mut expected = Vec::new();
    for (i, x) in xs.iter().enumerate() {
        let _ = writeln!(body, "  print(value = f({x}));");
        expected.push(vals[i].show());
        let _ = writeln!(body, "  print(value = apply{id}(x = {x}, f = f));");
        expected.push(vals[i].show());
        let _ = writeln!(
            body,
            "  for (g: Fn(Int32) -> {r} in fs) {{\n    print(value = g({x}));\n  }}"
        );
        expected.push(vals[i].show());
        expected.push(vals2[i].show());
    }
    let _ = writeln!(body, "  print(value = cap{id});");
    expected.push(c1.show());
    Body::Text {
        items,
        body,
        expected,
        exit: None,
    }
}
