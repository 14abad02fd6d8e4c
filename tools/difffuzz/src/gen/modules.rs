//! Modules: each check has a module `fz/mID.plat` (its `mod` line
//! sometimes omitted: the path comes from the file's place) with a private
//! helper behind a `pub fn`, a `pub class` with a virtual method (a class
//! of the main file extends it and overrides the method, calling `super`),
//! a `pub enum` with a `pub fn` matching it, and a `pub fn` returning an
//! `Option` that the main file chains with `?`; and a nested module
//! `fz/dID/leafID.plat` that imports the first and defines a function of
//! the same name (`calc`) calling it. The main file imports both and uses
//! everything through `mID::`/`leafID::` (types, constructors, enum
//! variants, functions), the first module sometimes by its full path
//! `fz::mID::` (which the compiler rejected until the helper writing
//! this category found it). Two thirds of the time the module also has
//! an alias, a newtype and generic items (modtypes.rs).

use super::inits::EnumTy;
use super::options::value;
use super::scalar::pure_expr;
use super::Body;
use crate::ast::{render_expr, Eval, Expr};
use crate::rng::Rng;
use crate::value::{Ty, Val};
use std::collections::HashMap;
use std::fmt::Write as _;

const TYPES: &[Ty] = crate::value::SCALARS;
const RESULTS: &[Ty] = &[Ty::I32, Ty::I64, Ty::Str, Ty::Bool];

fn eval(e: &Expr, vars: &[(String, Ty)], env: &[Val]) -> Val {
    let empty = HashMap::new();
    let mut ev = Eval::new(&empty);
    for ((n, _), v) in vars.iter().zip(env) {
        ev.bind(n, v.clone());
    }
    ev.expr(e).unwrap_or(Val::Bool(false))
}

fn int32(x: i64) -> Val {
    Val::Int(Ty::I32, x)
}

pub fn modules(rng: &mut Rng, id: u32) -> Body {
    let m = format!("m{id}");
    // Items of the module are reached through its alias (`m3::calc`) or,
    // a third of the time, by their full path (`fz::m3::calc`).
    let q = if rng.chance(1, 3) {
        format!("fz::{m}")
    } else {
        m.clone()
    };
    let leaf = format!("leaf{id}");
    let mut a = String::new();
    if rng.chance(2, 3) {
        let _ = writeln!(a, "mod fz::{m};\n");
    }
    let mut items = String::new();
    let mut body = String::new();
    let mut exp = Vec::new();
    let xs: Vec<i64> = (0..rng.range(2, 3)).map(|_| rng.range(-30, 30)).collect();

    // A private helper behind `pub fn calc`, and the nested module's
    // `calc` calling it with ARG(x).
    let t = *rng.pick(TYPES);
    let xv = vec![("x".to_string(), Ty::I32)];
    let leaf_xs: Vec<i64> = xs.clone();
    let (arg, arg_vals) = pure_expr(
        rng,
        &xv,
        Ty::I32,
        &leaf_xs.iter().map(|x| vec![int32(*x)]).collect::<Vec<_>>(),
        1,
    );
    let mut all_xs = xs.clone();
    all_xs.extend(arg_vals.iter().map(Val::as_int));
    let xenvs: Vec<Vec<Val>> = all_xs.iter().map(|x| vec![int32(*x)]).collect();
    let (hid, hid_vals) = pure_expr(rng, &xv, t, &xenvs, 2);
    let cvars = vec![("x".to_string(), Ty::I32), ("hid(x = x)".to_string(), t)];
    let cenvs: Vec<Vec<Val>> = all_xs
        .iter()
        .zip(&hid_vals)
        .map(|(x, h)| vec![int32(*x), h.clone()])
        .collect();
    let (calc, calc_vals) = pure_expr(rng, &cvars, t, &cenvs, 2);
    let tn = t.name();
    let _ = writeln!(
        a,
        "fn hid(x: Int32) -> {tn} {{\n  return {};\n}}\n\npub fn calc(x: Int32) -> {tn} {{\n  return {};\n}}\n",
        render_expr(&hid),
        render_expr(&calc)
    );
    for (i, x) in xs.iter().enumerate() {
        let _ = writeln!(
            body,
            "  print(value = {q}::calc(x = {}));",
            int32(*x).literal()
        );
        exp.push(calc_vals[i].show());
    }
    // The nested module: its own `calc`, over x and the first one's.
    let r = *rng.pick(RESULTS);
    let call = format!("{q}::calc(x = {})", render_expr(&arg));
    let lvars = vec![("x".to_string(), Ty::I32), (call.clone(), t)];
    let lenvs: Vec<Vec<Val>> = xs
        .iter()
        .enumerate()
        .map(|(i, x)| vec![int32(*x), calc_vals[xs.len() + i].clone()])
        .collect();
    let (le, lvals) = pure_expr(rng, &lvars, r, &lenvs, 2);
    let mut b = String::new();
    let _ = writeln!(
        b,
        "mod fz::d{id}::{leaf};\n\nuse fz::{m};\n\npub fn calc(x: Int32) -> {} {{\n  return {};\n}}",
        r.name(),
        render_expr(&le)
    );
    for (i, x) in xs.iter().enumerate() {
        let _ = writeln!(
            body,
            "  print(value = {leaf}::calc(x = {}));",
            int32(*x).literal()
        );
        exp.push(lvals[i].show());
    }

    // A class with a virtual method, extended in the main file.
    let ft: Vec<Ty> = (0..rng.range(1, 2)).map(|_| *rng.pick(TYPES)).collect();
    let rt = *rng.pick(RESULTS);
    let k = rng.range(-9, 9);
    let nobj = rng.range(1, 3);
    let kid_t = *rng.pick(TYPES);
    // Objects: (is a Kid, field values, the Kid's own field).
    let objs: Vec<(bool, Vec<Val>, Val)> = (0..nobj)
        .map(|_| {
            let kid = rng.chance(1, 2);
            let vals = ft.iter().map(|t| value(rng, *t)).collect();
            (kid, vals, value(rng, kid_t))
        })
        .collect();
    let mut svars: Vec<(String, Ty)> = ft
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("self.f{i}"), *t))
        .collect();
    svars.push(("k".into(), Ty::I32));
    let senvs: Vec<Vec<Val>> = objs
        .iter()
        .map(|(_, v, _)| {
            let mut e = v.clone();
            e.push(int32(k));
            e
        })
        .collect();
    let (score, base_vals) = pure_expr(rng, &svars, rt, &senvs, 2);
    let mut fields = String::new();
    for (i, t) in ft.iter().enumerate() {
        let _ = writeln!(fields, "  pub let f{i}: {};", t.name());
    }
    let _ = writeln!(
        a,
        "pub class Pt {{\n{fields}\n  pub virtual fn score(k: Int32) -> {} {{\n    return {};\n  }}\n}}\n",
        rt.name(),
        render_expr(&score)
    );
    let mut kvars = svars.clone();
    kvars.push(("self.g".into(), kid_t));
    kvars.push(("super.score(k = k)".into(), rt));
    let kenvs: Vec<Vec<Val>> = objs
        .iter()
        .zip(&base_vals)
        .filter(|((kid, _, _), _)| *kid)
        .map(|((_, v, g), s)| {
            let mut e = v.clone();
            e.push(int32(k));
            e.push(g.clone());
            e.push(s.clone());
            e
        })
        .collect();
    let (kscore, _) = pure_expr(rng, &kvars, rt, &kenvs, 2);
    let kid = format!("Kid{id}");
    let _ = writeln!(
        items,
        "class {kid} : {q}::Pt {{\n  pub let g: {};\n\n  pub override fn score(k: Int32) -> {} {{\n    return {};\n  }}\n}}\n",
        kid_t.name(),
        rt.name(),
        render_expr(&kscore)
    );
    let mut inits = Vec::new();
    let mut shown = Vec::new();
    for (i, (is_kid, vals, g)) in objs.iter().enumerate() {
        let mut args: Vec<String> = vals
            .iter()
            .enumerate()
            .map(|(j, v)| format!("f{j} = {}", v.literal()))
            .collect();
        let mut parts: Vec<String> = vals
            .iter()
            .enumerate()
            .map(|(j, v)| format!("f{j}: {}", v.show_nested()))
            .collect();
        let cls = if *is_kid {
            args.insert(
                rng.below(args.len() as u64 + 1) as usize,
                format!("g = {}", g.literal()),
            );
            parts.push(format!("g: {}", g.show_nested()));
            kid.clone()
        } else {
            format!("{q}::Pt")
        };
        let name = if *is_kid {
            kid.clone()
        } else {
            "Pt".to_string()
        };
        inits.push(format!("{cls}.init({})", args.join(", ")));
        shown.push(format!("{name} {{ {} }}", parts.join(", ")));
        let mut env = senvs[i].clone();
        let v = if *is_kid {
            env.push(g.clone());
            env.push(base_vals[i].clone());
            eval(&kscore, &kvars, &env)
        } else {
            base_vals[i].clone()
        };
        exp.push(v.show());
    }
    let _ = writeln!(body, "  let pts: List[{q}::Pt] = [{}];", inits.join(", "));
    let _ = writeln!(
        body,
        "  for (p: {q}::Pt in pts) {{\n    print(value = p.score(k = {}));\n  }}",
        int32(k).literal()
    );
    let _ = writeln!(body, "  print(value = pts);");
    exp.push(format!("[{}]", shown.join(", ")));
    let _ = writeln!(body, "  print(value = pts[0].unwrap().f0);");
    exp.push(objs[0].1[0].show());

    // A pub enum and a pub fn matching it.
    let en = EnumTy::new(rng, "Sh".into());
    let _ = write!(a, "pub {}", en.decl());
    let mt = *rng.pick(RESULTS);
    let vals: Vec<(usize, Vec<Val>)> = (0..rng.range(1, 3)).map(|_| en.parts(rng)).collect();
    let _ = writeln!(
        a,
        "pub fn measure(s: Sh) -> {} {{\n  return match s {{",
        mt.name()
    );
    let mut arms = Vec::new();
    for (vi, tys) in en.variants.iter().enumerate() {
        let vars: Vec<(String, Ty)> = tys
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("b{i}"), *t))
            .collect();
        let envs: Vec<Vec<Val>> = vals
            .iter()
            .filter(|(v, _)| *v == vi)
            .map(|(_, p)| p.clone())
            .collect();
        let (e, _) = pure_expr(rng, &vars, mt, &envs, 2);
        let pat = if tys.is_empty() {
            format!("Sh::V{vi}")
        } else {
            let bs: Vec<String> = vars
                .iter()
                .map(|(n, t)| format!("{n}: {}", t.name()))
                .collect();
            format!("Sh::V{vi}({})", bs.join(", "))
        };
        let _ = writeln!(a, "    {pat} -> {},", render_expr(&e));
        arms.push((vars, e));
    }
    a.push_str("  };\n}\n\n");
    for (v, p) in &vals {
        let lit = en.literal_in(&format!("{q}::"), *v, p);
        let _ = writeln!(body, "  let s{}: {q}::Sh = {lit};", exp.len());
        let _ = writeln!(body, "  print(value = s{});", exp.len());
        let _ = writeln!(body, "  print(value = {q}::measure(s = s{}));", exp.len());
        exp.push(en.show(*v, p));
        let (vars, e) = &arms[*v];
        exp.push(eval(e, vars, p).show());
    }

    // `?` across modules: the main file halves twice through `half`.
    let _ = writeln!(
        a,
        "pub fn half(x: Int32) -> Option<Int32> {{\n  if (x % 2 != 0) {{\n    return Option::None;\n  }}\n  return Option::Some(field0 = x / 2);\n}}"
    );
    let _ = writeln!(
        items,
        "fn quarter{id}(x: Int32) -> Option<Int32> {{\n  let h: Int32 = {q}::half(x = x)?;\n  return {q}::half(x = h);\n}}\n"
    );
    for x in xs.iter().map(|x| x * rng.range(1, 4)) {
        let _ = writeln!(
            body,
            "  print(value = quarter{id}(x = {}));",
            int32(x).literal()
        );
        exp.push(if x % 4 == 0 {
            format!("Some({})", x / 4)
        } else {
            "None".into()
        });
    }
    if rng.chance(2, 3) {
        super::modtypes::module_types(rng, id, &q, &mut a, &mut items, &mut body, &mut exp);
    }
    Body::Modules {
        files: vec![
            (format!("fz/{m}.plat"), a),
            (format!("fz/d{id}/{leaf}.plat"), b),
        ],
        uses: vec![format!("fz::{m}"), format!("fz::d{id}::{leaf}")],
        items,
        body,
        expected: exp,
    }
}
