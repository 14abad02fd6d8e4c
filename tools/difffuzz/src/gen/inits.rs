//! User-defined `init`s: a class whose `init` takes parameters (trailing
//! ones with defaults, omitted at some call sites), computes its scalar
//! fields from them, fills a `List` field in a loop and a `Dict` field
//! with `set`, and stores an enum parameter; sometimes a subclass whose
//! `init` calls `super.init(...)` with computed arguments and derives its
//! own fields from its parameters and the inherited fields. Objects and
//! enum values are printed directly, alone and in lists, as the runtime
//! renders them (`Name { f: v, ... }` by dynamic type, `V(1, "s")`).

use super::options::value;
use super::scalar::pure_expr;
use super::Body;
use crate::ast::render_expr;
use crate::rng::Rng;
use crate::value::{show_list, Ty, Val};
use std::fmt::Write as _;

const SCALARS: &[Ty] = &[
    Ty::I32,
    Ty::I64,
    Ty::I8,
    Ty::I16,
    Ty::Str,
    Ty::F64,
    Ty::F32,
    Ty::Bool,
];

/// An enum type with 2-3 variants of 0-2 scalar payload fields.
pub struct EnumTy {
    pub name: String,
    pub variants: Vec<Vec<Ty>>,
}

impl EnumTy {
    pub fn new(rng: &mut Rng, name: String) -> EnumTy {
        let n = rng.range(2, 3);
        let variants = (0..n)
            .map(|_| {
                let k = rng.range(0, 2);
                (0..k).map(|_| *rng.pick(SCALARS)).collect()
            })
            .collect();
        EnumTy { name, variants }
    }

    pub fn decl(&self) -> String {
        let mut s = format!("enum {} {{\n", self.name);
        for (i, tys) in self.variants.iter().enumerate() {
            if tys.is_empty() {
                let _ = writeln!(s, "  V{i},");
            } else {
                let t: Vec<&str> = tys.iter().map(|t| t.name()).collect();
                let _ = writeln!(s, "  V{i}({}),", t.join(", "));
            }
        }
        s.push_str("}\n\n");
        s
    }

    /// A random value: (its literal, its rendering).
    pub fn value(&self, rng: &mut Rng) -> (String, String) {
        let (v, vals) = self.parts(rng);
        (self.literal(v, &vals), self.show(v, &vals))
    }

    /// A random value as its variant and payload.
    pub fn parts(&self, rng: &mut Rng) -> (usize, Vec<Val>) {
        let v = rng.below(self.variants.len() as u64) as usize;
        let vals = self.variants[v].iter().map(|t| value(rng, *t)).collect();
        (v, vals)
    }

    /// `E::Vv(field0 = ..)`, with `prefix` before the enum's name.
    pub fn literal_in(&self, prefix: &str, v: usize, vals: &[Val]) -> String {
        if vals.is_empty() {
            return format!("{prefix}{}::V{v}", self.name);
        }
        let args: Vec<String> = vals
            .iter()
            .enumerate()
            .map(|(i, x)| format!("field{i} = {}", x.literal()))
            .collect();
        format!("{prefix}{}::V{v}({})", self.name, args.join(", "))
    }

    pub fn literal(&self, v: usize, vals: &[Val]) -> String {
        self.literal_in("", v, vals)
    }

    /// How `print` renders it: `Vv` or `Vv(payload as nested values)`.
    pub fn show(&self, v: usize, vals: &[Val]) -> String {
        if vals.is_empty() {
            return format!("V{v}");
        }
        let shown: Vec<String> = vals.iter().map(Val::show_nested).collect();
        format!("V{v}({})", shown.join(", "))
    }
}

/// A parameter list: names, types and defaults (trailing ones).
struct Params {
    list: Vec<(String, Ty, Option<Val>)>,
}

impl Params {
    fn new(rng: &mut Rng, stem: &str) -> Params {
        let n = rng.range(1, 3) as usize;
        let first_default = rng.range(0, n as i64) as usize;
        let list = (0..n)
            .map(|i| {
                let t = *rng.pick(SCALARS);
                let d = (i >= first_default).then(|| value(rng, t));
                (format!("{stem}{i}"), t, d)
            })
            .collect();
        Params { list }
    }

    fn decl(&self) -> Vec<String> {
        self.list
            .iter()
            .map(|(n, t, d)| match d {
                Some(d) => format!("{n}: {} = {}", t.name(), d.literal()),
                None => format!("{n}: {}", t.name()),
            })
            .collect()
    }

    fn vars(&self) -> Vec<(String, Ty)> {
        self.list.iter().map(|(n, t, _)| (n.clone(), *t)).collect()
    }

    /// Named arguments (`texts[i]` for parameter i) in a random order,
    /// defaulted ones sometimes omitted; and which were given.
    fn call(&self, rng: &mut Rng, texts: &[String]) -> (String, Vec<bool>) {
        let mut args = Vec::new();
        let mut given = Vec::new();
        for (i, (n, _, d)) in self.list.iter().enumerate() {
            let omit = d.is_some() && rng.chance(1, 2);
            if !omit {
                args.push(format!("{n} = {}", texts[i]));
            }
            given.push(!omit);
        }
        for i in (1..args.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            args.swap(i, j);
        }
        (args.join(", "), given)
    }

    /// Every parameter's value in a call passing `vals` where `given`.
    fn env(&self, given: &[bool], vals: &[Val]) -> Vec<Val> {
        self.list
            .iter()
            .zip(given.iter().zip(vals))
            .map(|((_, _, d), (g, v))| match d {
                Some(d) if !g => d.clone(),
                _ => v.clone(),
            })
            .collect()
    }
}

fn modifier(rng: &mut Rng) -> &'static str {
    const MODIFIERS: &[&str] = &["pub let", "let", "pub var", "var"];
    MODIFIERS[rng.below(MODIFIERS.len() as u64) as usize]
}

pub fn inits(rng: &mut Rng, id: u32) -> Body {
    let base = format!("Ini{id}");
    let sub = format!("Sub{id}");
    let en = EnumTy::new(rng, format!("Kind{id}"));
    let has_enum = rng.chance(1, 2);
    let has_sub = rng.chance(2, 3);
    let bp = Params::new(rng, "p");
    let sp = Params::new(rng, "q");
    // Objects: (is a Sub, its arguments' text, every parameter's value,
    // its enum value's literal and rendering).
    let nobj = rng.range(2, 4);
    let mut objs = Vec::new();
    for _ in 0..nobj {
        let is_sub = has_sub && rng.chance(1, 2);
        let ps = if is_sub { &sp } else { &bp };
        let vals: Vec<Val> = ps.list.iter().map(|(_, t, _)| value(rng, *t)).collect();
        let texts: Vec<String> = vals.iter().map(Val::literal).collect();
        let (args, given) = ps.call(rng, &texts);
        let env = ps.env(&given, &vals);
        let kind = en.value(rng);
        objs.push((is_sub, args, env, kind));
    }
    // The subclass's `super.init` arguments: expressions over its own
    // parameters, for every Sub object.
    let svars = sp.vars();
    let senvs: Vec<Vec<Val>> = objs.iter().filter(|o| o.0).map(|o| o.2.clone()).collect();
    let mut sup_exprs = Vec::new();
    let mut sup_vals: Vec<Vec<Val>> = vec![Vec::new(); senvs.len()];
    for (_, t, _) in &bp.list {
        let (e, vals) = pure_expr(rng, &svars, *t, &senvs, 2);
        for (i, v) in vals.into_iter().enumerate() {
            sup_vals[i].push(v);
        }
        sup_exprs.push(e);
    }
    let sup_texts: Vec<String> = sup_exprs.iter().map(render_expr).collect();
    // Every base `init` run: from a direct call or through super.init
    // (which may omit defaulted arguments too).
    let (sup_args, given) = bp.call(rng, &sup_texts);
    let sup_envs: Vec<Vec<Val>> = sup_vals.iter().map(|v| bp.env(&given, v)).collect();
    let bvars = bp.vars();
    let benvs: Vec<Vec<Val>> = {
        let mut direct: Vec<Vec<Val>> = objs.iter().filter(|o| !o.0).map(|o| o.2.clone()).collect();
        direct.extend(sup_envs.iter().cloned());
        direct
    };
    // Base fields: scalars computed from the parameters, maybe a list
    // filled in a loop, maybe a dict.
    let mut items = String::new();
    if has_enum {
        items.push_str(&en.decl());
    }
    let mut fields = String::new();
    let mut init = String::new();
    // Per base run (benvs order): the rendered fields, and the scalar
    // field values the subclass may read.
    let mut shown: Vec<Vec<String>> = vec![Vec::new(); benvs.len()];
    let mut scalars: Vec<(String, Ty, Vec<Val>)> = Vec::new();
    for j in 0..rng.range(1, 3) {
        let t = *rng.pick(SCALARS);
        let (e, vals) = pure_expr(rng, &bvars, t, &benvs, 2);
        let _ = writeln!(fields, "  {} f{j}: {};", modifier(rng), t.name());
        let _ = writeln!(init, "    self.f{j} = {};", render_expr(&e));
        for (s, v) in shown.iter_mut().zip(&vals) {
            s.push(format!("f{j}: {}", v.show_nested()));
        }
        scalars.push((format!("self.f{j}"), t, vals));
    }
    if rng.chance(2, 3) {
        let t = *rng.pick(SCALARS);
        let n = rng.range(0, 4);
        let mut vars = bvars.clone();
        vars.push(("i".into(), Ty::I64));
        let mut envs = Vec::new();
        for env in &benvs {
            for i in 0..n {
                let mut e = env.clone();
                e.push(Val::Int(Ty::I64, i));
                envs.push(e);
            }
        }
        let (e, vals) = pure_expr(rng, &vars, t, &envs, 2);
        let _ = writeln!(fields, "  {} items: List[{}];", modifier(rng), t.name());
        let _ = writeln!(
            init,
            "    self.items = [];\n    for (i: Int64 in 0..{n}) {{\n      self.items.push(value = {});\n    }}",
            render_expr(&e)
        );
        for (k, s) in shown.iter_mut().enumerate() {
            let part = &vals[k * n as usize..(k + 1) * n as usize];
            s.push(format!("items: {}", show_list(part)));
        }
    }
    if rng.chance(1, 2) {
        let t = *rng.pick(SCALARS);
        let _ = writeln!(
            fields,
            "  {} tags: Dict[String, {}];",
            modifier(rng),
            t.name()
        );
        let _ = writeln!(init, "    self.tags = {{}};");
        let mut dicts: Vec<Vec<(String, Val)>> = vec![Vec::new(); benvs.len()];
        for _ in 0..rng.range(1, 4) {
            let key = if rng.chance(1, 3) {
                "k".to_string()
            } else {
                value(rng, Ty::Str).as_str().to_string()
            };
            let (e, vals) = pure_expr(rng, &bvars, t, &benvs, 2);
            let _ = writeln!(
                init,
                "    self.tags.set(key = {}, value = {});",
                Val::Str(key.clone()).literal(),
                render_expr(&e)
            );
            for (d, v) in dicts.iter_mut().zip(vals) {
                match d.iter_mut().find(|(k, _)| *k == key) {
                    Some(e) => e.1 = v,
                    None => d.push((key.clone(), v)),
                }
            }
        }
        for (s, d) in shown.iter_mut().zip(&dicts) {
            let parts: Vec<String> = d
                .iter()
                .map(|(k, v)| format!("{}: {}", Val::Str(k.clone()).show_nested(), v.show_nested()))
                .collect();
            s.push(format!("tags: {{{}}}", parts.join(", ")));
        }
    }
    let mut bdecl = bp.decl();
    let mut sdecl = sp.decl();
    if has_enum {
        let _ = writeln!(fields, "  {} kind: {};", modifier(rng), en.name);
        let _ = writeln!(init, "    self.kind = kind;");
        bdecl.insert(0, format!("kind: {}", en.name));
        sdecl.insert(0, format!("kind: {}", en.name));
    }
    let _ = writeln!(
        items,
        "class {base} {{\n{fields}\n  init({}) -> {base} {{\n{init}    return self;\n  }}\n}}\n",
        bdecl.join(", ")
    );
    // The subclass: super.init, then its own fields over its parameters
    // and the inherited scalar fields.
    let nsub = senvs.len();
    let mut sub_shown: Vec<Vec<String>> = vec![Vec::new(); nsub];
    if has_sub {
        let mut vars = svars.clone();
        let first_sub = benvs.len() - nsub;
        let mut envs = senvs.clone();
        for (name, t, vals) in &scalars {
            vars.push((name.clone(), *t));
            for (k, e) in envs.iter_mut().enumerate() {
                e.push(vals[first_sub + k].clone());
            }
        }
        let mut sfields = String::new();
        let mut sinit = String::new();
        let sup_call = match (has_enum, sup_args.is_empty()) {
            (false, _) => sup_args.clone(),
            (true, true) => "kind = kind".to_string(),
            (true, false) => format!("kind = kind, {sup_args}"),
        };
        let _ = writeln!(sinit, "    super.init({sup_call});");
        for j in 0..rng.range(1, 2) {
            let t = *rng.pick(SCALARS);
            let (e, vals) = pure_expr(rng, &vars, t, &envs, 2);
            let _ = writeln!(sfields, "  {} g{j}: {};", modifier(rng), t.name());
            let _ = writeln!(sinit, "    self.g{j} = {};", render_expr(&e));
            for (s, v) in sub_shown.iter_mut().zip(&vals) {
                s.push(format!("g{j}: {}", v.show_nested()));
            }
        }
        let _ = writeln!(
            items,
            "class {sub} : {base} {{\n{sfields}\n  init({}) -> {sub} {{\n{sinit}    return self;\n  }}\n}}\n",
            sdecl.join(", ")
        );
    }
    // Calls, in object order; base runs are numbered direct calls first.
    let mut body = String::new();
    let mut exp = Vec::new();
    let mut all = Vec::new();
    let (mut direct, mut via_sub) = (0, 0);
    for (i, (is_sub, args, _, (klit, kshow))) in objs.iter().enumerate() {
        let (cls, mut parts) = if *is_sub {
            let k = objs.iter().filter(|o| !o.0).count() + via_sub;
            let mut p = shown[k].clone();
            p.extend(sub_shown[via_sub].iter().cloned());
            via_sub += 1;
            (&sub, p)
        } else {
            direct += 1;
            (&base, shown[direct - 1].clone())
        };
        let mut args = args.clone();
        if has_enum {
            args = if args.is_empty() {
                format!("kind = {klit}")
            } else if rng.chance(1, 2) {
                format!("kind = {klit}, {args}")
            } else {
                format!("{args}, kind = {klit}")
            };
            // `kind` is the last base field, before the subclass's.
            let at = shown[0].len();
            parts.insert(at, format!("kind: {kshow}"));
        }
        let text = format!("{cls} {{ {} }}", parts.join(", "));
        let decl_ty = if rng.chance(1, 2) { &base } else { cls };
        let _ = writeln!(body, "  let o{i}: {decl_ty} = {cls}.init({args});");
        if rng.chance(2, 3) {
            let _ = writeln!(body, "  print(value = o{i});");
            exp.push(text.clone());
        }
        all.push(text);
    }
    let names: Vec<String> = (0..objs.len()).map(|i| format!("o{i}")).collect();
    let _ = writeln!(body, "  let all: List[{base}] = [{}];", names.join(", "));
    let _ = writeln!(body, "  print(value = all);");
    exp.push(format!("[{}]", all.join(", ")));
    if has_enum {
        let vals: Vec<(String, String)> = (0..rng.range(1, 3)).map(|_| en.value(rng)).collect();
        let _ = writeln!(body, "  print(value = {});", vals[0].0);
        exp.push(vals[0].1.clone());
        let lits: Vec<&str> = vals.iter().map(|v| v.0.as_str()).collect();
        let shows: Vec<&str> = vals.iter().map(|v| v.1.as_str()).collect();
        let _ = writeln!(body, "  let ks: List[{}] = [{}];", en.name, lits.join(", "));
        let _ = writeln!(body, "  print(value = \"${{ks}}\");");
        exp.push(format!("[{}]", shows.join(", ")));
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

    #[test]
    fn enum_values_render_by_variant_with_nested_payloads() {
        let en = EnumTy {
            name: "K".into(),
            variants: vec![vec![], vec![Ty::Str, Ty::F32]],
        };
        let mut rng = Rng::new(1);
        for _ in 0..20 {
            let (lit, shown) = en.value(&mut rng);
            if lit == "K::V0" {
                assert_eq!(shown, "V0");
            } else {
                assert!(lit.starts_with("K::V1(field0 = \""), "{lit}");
                assert!(shown.starts_with("V1(\""), "{shown}");
            }
        }
    }
}
