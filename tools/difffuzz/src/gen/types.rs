//! Template checks over user types: a class hierarchy with virtual and
//! inherited methods, an enum matched by a function, generic functions and
//! a generic class used at several types. The computed parts are random
//! expressions whose values the model knows.

use super::scalar::{pure_expr, ScalarGen};
use super::Body;
use crate::ast::render_expr;
use crate::rng::Rng;
use crate::value::{Ty, Val};
use std::fmt::Write as _;

const FIELD_TYPES: &[Ty] = &[Ty::I32, Ty::I64, Ty::I8, Ty::Str, Ty::Bool, Ty::F64];

fn value(rng: &mut Rng, ty: Ty) -> Val {
    ScalarGen::new(rng, "t", vec![ty]).value(ty)
}

struct Class {
    name: String,
    /// Every field, inherited ones first: (name, type).
    fields: Vec<(String, Ty)>,
    parent: Option<usize>,
    /// `value(x:)`'s body, over `self.*`, `x` and `super.value(x = x)`.
    body: Option<crate::ast::Expr>,
}

/// `B`, `B : A`, `C : B`: each level adds a field and maybe overrides
/// `value`; objects of every level go through a `List[A]` and a parameter
/// of the base type, so calls dispatch dynamically.
pub fn classes(rng: &mut Rng, id: u32) -> Body {
    let ret = *rng.pick(&[Ty::I32, Ty::I64, Ty::Str, Ty::F64]);
    let levels = rng.range(1, 3) as usize;
    let mut classes: Vec<Class> = Vec::new();
    let mut items = String::new();
    // Objects: (class index, field values); xs: the arguments tried.
    let nobj = rng.range(2, 5);
    let xs: Vec<i64> = (0..2).map(|_| rng.range(-20, 20)).collect();
    for lvl in 0..levels {
        let name = format!("K{id}L{lvl}");
        let mut fields = if lvl == 0 {
            Vec::new()
        } else {
            classes[lvl - 1].fields.clone()
        };
        let ft = *rng.pick(FIELD_TYPES);
        fields.push((format!("f{lvl}"), ft));
        classes.push(Class {
            name,
            fields,
            parent: lvl.checked_sub(1),
            body: None,
        });
    }
    let mut objs: Vec<(usize, Vec<Val>)> = Vec::new();
    for _ in 0..nobj {
        let c = rng.below(levels as u64) as usize;
        let vals = classes[c]
            .fields
            .iter()
            .map(|(_, t)| value(rng, *t))
            .collect();
        objs.push((c, vals));
    }
    // Generate each level's `value` body so it is fault-free on every
    // object it may run on (objects of this level and below) and x.
    for lvl in 0..levels {
        let overrides = lvl == 0 || rng.chance(2, 3);
        if !overrides {
            continue;
        }
        let mut vars: Vec<(String, Ty)> = classes[lvl]
            .fields
            .iter()
            .map(|(n, t)| (format!("self.{n}"), *t))
            .collect();
        vars.push(("x".into(), Ty::I32));
        let sup = (lvl > 0).then(|| "super.value(x = x)".to_string());
        if let Some(s) = &sup {
            vars.push((s.clone(), ret));
        }
        let mut envs = Vec::new();
        for (c, vals) in &objs {
            if *c < lvl {
                continue;
            }
            for &x in &xs {
                let mut env: Vec<Val> = vals[..classes[lvl].fields.len()].to_vec();
                env.push(Val::Int(Ty::I32, x));
                if sup.is_some() {
                    env.push(call_value(&classes, lvl - 1, vals, x));
                }
                envs.push(env);
            }
        }
        let (e, _) = pure_expr(rng, &vars, ret, &envs, 3);
        classes[lvl].body = Some(e);
    }
    for c in &classes {
        let own = c.fields.last().map(|(n, t)| (n.clone(), *t));
        match c.parent {
            None => {
                let _ = writeln!(items, "class {} {{", c.name);
            }
            Some(p) => {
                let _ = writeln!(items, "class {} : {} {{", c.name, classes[p].name);
            }
        }
        if let Some((n, t)) = own {
            let _ = writeln!(items, "  pub let {n}: {};", t.name());
        }
        if c.parent.is_none() {
            let _ = writeln!(items, "  pub var hits: Int64;\n");
            let _ = writeln!(
                items,
                "  pub fn hit(by: Int64) -> Int64 {{\n    self.hits = self.hits + by;\n    return self.hits;\n  }}\n"
            );
        }
        if let Some(b) = &c.body {
            let kw = if c.parent.is_none() {
                "virtual"
            } else {
                "override"
            };
            let _ = writeln!(
                items,
                "  pub {kw} fn value(x: Int32) -> {} {{\n    return {};\n  }}",
                ret.name(),
                render_expr(b)
            );
        }
        items.push_str("}\n\n");
    }
    let base = &classes[0].name;
    let _ = writeln!(
        items,
        "fn call_value{id}(o: {base}, x: Int32) -> {} {{\n  return o.value(x = x);\n}}\n",
        ret.name()
    );
    let mut body = String::new();
    let mut expected = Vec::new();
    let mut inits = Vec::new();
    for (c, vals) in &objs {
        let cls = &classes[*c];
        // The default init takes every field by name (inherited and the
        // `hits` counter too), in a random order.
        let mut args: Vec<String> = cls
            .fields
            .iter()
            .zip(vals)
            .map(|((n, _), v)| format!("{n} = {}", v.literal()))
            .collect();
        args.insert(
            rng.below(args.len() as u64 + 1) as usize,
            "hits = 0i64".into(),
        );
        inits.push(format!("{}.init({})", cls.name, args.join(", ")));
    }
    let _ = writeln!(body, "  let objs: List[{base}] = [{}];", inits.join(", "));
    let _ = writeln!(body, "  for (o: {base} in objs) {{");
    for &x in &xs {
        let _ = writeln!(body, "    print(value = o.value(x = {x}));");
        let _ = writeln!(body, "    print(value = call_value{id}(o = o, x = {x}));");
    }
    let _ = writeln!(body, "    print(value = o.hit(by = 2i64));");
    body.push_str("  }\n");
    for (c, vals) in &objs {
        for &x in &xs {
            let v = call_value(&classes, *c, vals, x).show();
            expected.push(v.clone());
            expected.push(v);
        }
        expected.push("2".into());
    }
    // Each object was hit once: hit again through the list.
    let _ = writeln!(body, "  print(value = objs[0].unwrap().hit(by = 5i64));");
    expected.push("7".into());
    Body::Text {
        items,
        body,
        expected,
        exit: None,
    }
}

/// `value(x)` of an object of class `c` with field values `vals`: the
/// nearest override at or above `c`.
fn call_value(classes: &[Class], c: usize, vals: &[Val], x: i64) -> Val {
    let mut lvl = c;
    while classes[lvl].body.is_none() {
        lvl -= 1;
    }
    let Some(body) = &classes[lvl].body else {
        return Val::Bool(false);
    };
    let empty = std::collections::HashMap::new();
    let mut ev = crate::ast::Eval::new(&empty);
    for ((n, _), v) in classes[lvl].fields.iter().zip(vals) {
        ev.bind(&format!("self.{n}"), v.clone());
    }
    ev.bind("x", Val::Int(Ty::I32, x));
    if lvl > 0 {
        ev.bind("super.value(x = x)", call_value(classes, lvl - 1, vals, x));
    }
    ev.expr(body).unwrap_or(Val::Bool(false))
}

/// An enum with payload and unit variants, a function matching it (arms
/// computing over the bindings), called on a list of values.
pub fn enums(rng: &mut Rng, id: u32) -> Body {
    let ret = *rng.pick(&[Ty::I32, Ty::I64, Ty::Str, Ty::Bool]);
    let nvar = rng.range(2, 4) as usize;
    let name = format!("E{id}");
    // Variants: name, payload types.
    let mut variants: Vec<(String, Vec<Ty>)> = Vec::new();
    for v in 0..nvar {
        let n = rng.range(0, 2) as usize;
        let tys = (0..n).map(|_| *rng.pick(FIELD_TYPES)).collect();
        variants.push((format!("V{v}"), tys));
    }
    let ks: Vec<i64> = (0..2).map(|_| rng.range(-9, 9)).collect();
    let nval = rng.range(2, 6);
    let vals: Vec<(usize, Vec<Val>)> = (0..nval)
        .map(|_| {
            let v = rng.below(nvar as u64) as usize;
            let p = variants[v].1.iter().map(|t| value(rng, *t)).collect();
            (v, p)
        })
        .collect();
    let mut items = format!("enum {name} {{\n");
    for (v, tys) in &variants {
        if tys.is_empty() {
            let _ = writeln!(items, "  {v},");
        } else {
            let t: Vec<&str> = tys.iter().map(|t| t.name()).collect();
            let _ = writeln!(items, "  {v}({}),", t.join(", "));
        }
    }
    items.push_str("}\n\n");
    let _ = writeln!(
        items,
        "fn score{id}(e: {name}, k: Int32) -> {} {{\n  return match e {{",
        ret.name()
    );
    let mut arms = Vec::new();
    // A wildcard arm sometimes covers the last variant.
    let wildcard = rng.chance(1, 3);
    for (vi, (v, tys)) in variants.iter().enumerate() {
        let mut vars: Vec<(String, Ty)> = tys
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("b{i}"), *t))
            .collect();
        vars.push(("k".into(), Ty::I32));
        let last_wild = wildcard && vi == nvar - 1;
        if last_wild {
            vars.clear();
            vars.push(("k".into(), Ty::I32));
        }
        let mut envs = Vec::new();
        for (w, p) in &vals {
            if *w != vi {
                continue;
            }
            for &k in &ks {
                let mut env = if last_wild { Vec::new() } else { p.clone() };
                env.push(Val::Int(Ty::I32, k));
                envs.push(env);
            }
        }
        let (e, _) = pure_expr(rng, &vars, ret, &envs, 3);
        let pat = if last_wild {
            "_".to_string()
        } else if tys.is_empty() {
            format!("{name}::{v}")
        } else {
            let b: Vec<String> = tys
                .iter()
                .enumerate()
                .map(|(i, t)| format!("b{i}: {}", t.name()))
                .collect();
            format!("{name}::{v}({})", b.join(", "))
        };
        let _ = writeln!(items, "    {pat} -> {},", render_expr(&e));
        arms.push((vars, e));
    }
    items.push_str("  };\n}\n\n");
    let mut body = String::new();
    let mut expected = Vec::new();
    let mut lits = Vec::new();
    for (v, p) in &vals {
        let (vn, _) = &variants[*v];
        if p.is_empty() {
            lits.push(format!("{name}::{vn}"));
        } else {
            let a: Vec<String> = p
                .iter()
                .enumerate()
                .map(|(i, x)| format!("field{i} = {}", x.literal()))
                .collect();
            lits.push(format!("{name}::{vn}({})", a.join(", ")));
        }
    }
    let _ = writeln!(body, "  let es: List[{name}] = [{}];", lits.join(", "));
    let _ = writeln!(body, "  for (e: {name} in es) {{");
    for &k in &ks {
        let _ = writeln!(body, "    print(value = score{id}(k = {k}, e = e));");
    }
    body.push_str("  }\n");
    let empty = std::collections::HashMap::new();
    for (v, p) in &vals {
        for &k in &ks {
            let (vars, e) = &arms[*v];
            let mut ev = crate::ast::Eval::new(&empty);
            let mut env: Vec<Val> = if vars.len() == 1 {
                Vec::new()
            } else {
                p.clone()
            };
            env.push(Val::Int(Ty::I32, k));
            for ((n, _), x) in vars.iter().zip(env) {
                ev.bind(n, x);
            }
            expected.push(ev.expr(e).map(|x| x.show()).unwrap_or_default());
        }
    }
    Body::Text {
        items,
        body,
        expected,
        exit: None,
    }
}

/// Generic functions and a generic class at several types.
pub fn generics(rng: &mut Rng, id: u32) -> Body {
    let mut items = String::new();
    let _ = writeln!(
        items,
        "fn pick{id}<T>(a: T, b: T, first: Bool) -> T {{\n  if (first) {{\n    return a;\n  }}\n  return b;\n}}\n"
    );
    let _ = writeln!(
        items,
        "fn twice{id}<T>(x: T) -> List[T] {{\n  return [x, x];\n}}\n"
    );
    let _ = writeln!(
        items,
        "class Cell{id}<T> {{\n  pub let item: T;\n  pub var uses: Int32;\n\n  pub fn get() -> T {{\n    self.uses = self.uses + 1;\n    return self.item;\n  }}\n\n  pub fn swap(other: T) -> Cell{id}<T> {{\n    return Cell{id}.init(item = other, uses = self.uses);\n  }}\n}}\n"
    );
    let mut body = String::new();
    let mut expected = Vec::new();
    let types = [
        Ty::I8,
        Ty::I16,
        Ty::I32,
        Ty::I64,
        Ty::F64,
        Ty::Bool,
        Ty::Str,
    ];
    for _ in 0..rng.range(2, 5) {
        let t = *rng.pick(&types);
        let (a, b) = (plain(rng, t), plain(rng, t));
        let first = rng.chance(1, 2);
        let _ = writeln!(
            body,
            "  print(value = pick{id}(b = {}, first = {first}, a = {}));",
            b.literal(),
            a.literal()
        );
        expected.push(if first { a.show() } else { b.show() });
        let _ = writeln!(body, "  print(value = twice{id}(x = {}));", a.literal());
        expected.push(crate::value::show_list(&[a.clone(), a.clone()]));
        let cell = format!("c{}", expected.len());
        let _ = writeln!(
            body,
            "  let {cell}: Cell{id}<{}> = Cell{id}.init(item = {}, uses = 0);",
            t.name(),
            a.literal()
        );
        let _ = writeln!(body, "  print(value = {cell}.get());");
        expected.push(a.show());
        let _ = writeln!(
            body,
            "  print(value = {cell}.swap(other = {}).get());",
            b.literal()
        );
        expected.push(b.show());
        let _ = writeln!(body, "  print(value = {cell}.uses);");
        expected.push("1".into());
        // A generic class prints with its type arguments.
        let _ = writeln!(body, "  print(value = [{cell}]);");
        expected.push(format!(
            "[Cell{id}<{}> {{ item: {}, uses: 1 }}]",
            t.name(),
            a.show_nested()
        ));
    }
    Body::Text {
        items,
        body,
        expected,
        exit: None,
    }
}

/// A value that renders the same alone and inside a list (strings of
/// letters and digits only).
pub fn plain(rng: &mut Rng, t: Ty) -> Val {
    if t == Ty::Str {
        let n = rng.range(0, 6);
        let s: String = (0..n)
            .map(|_| *rng.pick(&['a', 'b', 'q', 'Z', '0', '7']))
            .collect();
        return Val::Str(s);
    }
    value(rng, t)
}
