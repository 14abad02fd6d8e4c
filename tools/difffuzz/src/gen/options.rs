//! `Option<T>` and `Result<T, E>` (E String, Int32 or Int64): a chain of 1-3 functions, each
//! calling the one below with `?` and building its own value from random
//! conditions and expressions; the results printed directly (alone, in
//! interpolation and in a list), queried with `is_some is_none is_ok
//! is_err unwrap expect unwrap_or`, and matched with and without binding
//! types. The panic variant ends with `unwrap`/`expect` of a `None` or an
//! `Err` (exit code 101, the output before it).

use super::scalar::{pure_expr, ScalarGen};
use super::Body;
use crate::ast::{render_expr, Expr};
use crate::rng::Rng;
use crate::value::{binary, BinOp, Ty, Val};
use std::fmt::Write as _;

const ELEMS: &[Ty] = crate::value::SCALARS;

/// A value of `Option<T>` or `Result<T, E>`.
#[derive(Clone, Debug, PartialEq)]
pub enum Opt {
    Some(Val),
    None,
    Ok(Val),
    Err(Val),
}

impl Opt {
    /// How `print` renders it: the payload as inside a collection.
    pub fn show(&self) -> String {
        match self {
            Opt::Some(v) => format!("Some({})", v.show_nested()),
            Opt::None => "None".into(),
            Opt::Ok(v) => format!("Ok({})", v.show_nested()),
            Opt::Err(e) => format!("Err({})", e.show_nested()),
        }
    }

    fn present(&self) -> Option<&Val> {
        match self {
            Opt::Some(v) | Opt::Ok(v) => Some(v),
            _ => None,
        }
    }
}

pub fn value(rng: &mut Rng, ty: Ty) -> Val {
    ScalarGen::new(rng, "o", vec![ty]).value(ty)
}

fn eval(e: &Expr, vars: &[(String, Ty)], env: &[Val]) -> Val {
    let empty = std::collections::HashMap::new();
    let mut ev = crate::ast::Eval::new(&empty);
    for ((n, _), v) in vars.iter().zip(env) {
        ev.bind(n, v.clone());
    }
    ev.expr(e).unwrap_or(Val::Bool(false))
}

struct Chain {
    result: bool,
    /// A Result's error type: String, Int32 or Int64.
    err: Ty,
    /// Each level's element type.
    tys: Vec<Ty>,
    items: String,
    /// The top level's outcome for each argument tried.
    outs: Vec<Opt>,
}

impl Chain {
    fn ty(&self, t: Ty) -> String {
        if self.result {
            format!("Result<{}, {}>", t.name(), self.err.name())
        } else {
            format!("Option<{}>", t.name())
        }
    }

    fn absent(&self, err: Val) -> (String, Opt) {
        if self.result {
            (
                format!("Result::Err(field0 = {})", err.literal()),
                Opt::Err(err),
            )
        } else {
            ("Option::None".into(), Opt::None)
        }
    }

    fn present(&self, e: &str, v: Val) -> (String, Opt) {
        if self.result {
            (format!("Result::Ok(field0 = {e})"), Opt::Ok(v))
        } else {
            (format!("Option::Some(field0 = {e})"), Opt::Some(v))
        }
    }
}

/// Builds levels 0..levels; level k > 0 calls level k - 1 with `?`.
fn chain(rng: &mut Rng, id: u32, result: bool, xs: &[i64]) -> Chain {
    let levels = rng.range(1, 3) as usize;
    let mut c = Chain {
        result,
        err: *rng.pick(&[Ty::Str, Ty::Str, Ty::I32, Ty::I64]),
        tys: (0..levels).map(|_| *rng.pick(ELEMS)).collect(),
        items: String::new(),
        outs: Vec::new(),
    };
    let xvar = vec![("x".to_string(), Ty::I32)];
    // The arguments each level is called with: the top level with xs,
    // each lower one with its caller's ARG(x).
    let mut args: Vec<Vec<i64>> = vec![xs.to_vec(); levels];
    let mut arg_exprs: Vec<Option<Expr>> = vec![None; levels];
    for k in (1..levels).rev() {
        let envs: Vec<Vec<Val>> = args[k]
            .iter()
            .map(|x| vec![Val::Int(Ty::I32, *x)])
            .collect();
        let (e, vals) = pure_expr(rng, &xvar, Ty::I32, &envs, 2);
        args[k - 1] = vals.iter().map(Val::as_int).collect();
        arg_exprs[k] = Some(e);
    }
    // outs[k][i]: level k's outcome on args[k][i].
    let mut outs: Vec<Vec<Opt>> = Vec::new();
    for k in 0..levels {
        // Inline: `return Some(field0 = below(x = ARG)? OP E(x));`, the
        // `?` inside the expression, after the early exits.
        let inline = k > 0 && rng.chance(1, 3);
        if inline {
            c.tys[k] = c.tys[k - 1];
        }
        let t = c.tys[k];
        let name = format!("opt{id}_{k}");
        let mut vars = xvar.clone();
        let mut text = format!("fn {name}(x: Int32) -> {} {{\n", c.ty(t));
        // Per argument: the environment of the conditions, or the
        // outcome propagated by `?`.
        let mut envs: Vec<Result<Vec<Val>, Opt>> = Vec::new();
        let arg = arg_exprs[k].as_ref().map(render_expr).unwrap_or_default();
        if inline {
            for x in &args[k] {
                envs.push(Ok(vec![Val::Int(Ty::I32, *x)]));
            }
        } else if k > 0 {
            let below = c.tys[k - 1];
            let binding = if rng.chance(1, 2) {
                format!("v: {}", below.name())
            } else {
                "v".to_string()
            };
            let _ = writeln!(text, "  let {binding} = opt{id}_{}(x = {arg})?;", k - 1);
            vars.push(("v".into(), below));
            for (i, x) in args[k].iter().enumerate() {
                let o = &outs[k - 1][i];
                envs.push(match o.present() {
                    Some(v) => Ok(vec![Val::Int(Ty::I32, *x), v.clone()]),
                    None => Err(o.clone()),
                });
            }
        } else {
            for x in &args[k] {
                envs.push(Ok(vec![Val::Int(Ty::I32, *x)]));
            }
        }
        let live: Vec<Vec<Val>> = envs.iter().filter_map(|e| e.clone().ok()).collect();
        // 0-2 early exits on random conditions, each with its own message.
        let mut exits = Vec::new();
        for j in 0..rng.range(0, 2) {
            let cond = if rng.chance(1, 2) {
                // `x % m OP r`: true for some arguments, false for others.
                let m = Val::Int(Ty::I32, rng.range(2, 5));
                let r = Val::Int(Ty::I32, rng.range(-1, 2));
                let op = *rng.pick(&[BinOp::Eq, BinOp::Ne, BinOp::Lt, BinOp::Gt]);
                let rem = Expr::Bin(
                    BinOp::Rem,
                    Box::new(Expr::Var("x".into())),
                    Box::new(Expr::Lit(m)),
                );
                Expr::Bin(op, Box::new(rem), Box::new(Expr::Lit(r)))
            } else {
                pure_expr(rng, &vars, Ty::Bool, &live, 2).0
            };
            // Distinct errors show which exit was taken.
            let err = match c.err {
                Ty::Str => Val::Str(format!("e{k}.{j} {}", value(rng, Ty::Str).as_str())),
                t => Val::Int(t, (k * 10 + j as usize) as i64 * 1000 + rng.range(0, 999)),
            };
            let (lit, o) = c.absent(err);
            let _ = writeln!(
                text,
                "  if ({}) {{\n    return {lit};\n  }}",
                render_expr(&cond)
            );
            exits.push((cond, o));
        }
        if inline {
            let below = &outs[k - 1];
            let live: Vec<Vec<Val>> = args[k]
                .iter()
                .zip(below)
                .filter(|(_, o)| o.present().is_some())
                .map(|(x, _)| vec![Val::Int(Ty::I32, *x)])
                .collect();
            let (e, _) = pure_expr(rng, &xvar, t, &live, 2);
            let op = match t {
                Ty::Str => BinOp::Add,
                Ty::Bool => *rng.pick(&[BinOp::Eq, BinOp::Ne]),
                _ => *rng.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul]),
            };
            let call = format!("opt{id}_{}(x = {arg})?", k - 1);
            let lhs = if rng.chance(1, 2) {
                format!("({call})")
            } else {
                call
            };
            let text_e = format!("{lhs} {} {}", op.text(), render_expr(&e));
            let mut mine = Vec::new();
            for (env, o) in envs.iter().zip(below) {
                let env = env.clone().unwrap_or_default();
                let exit = exits
                    .iter()
                    .find(|(cond, _)| eval(cond, &vars, &env).as_bool());
                mine.push(match (exit, o.present()) {
                    (Some((_, x)), _) => x.clone(),
                    (None, None) => o.clone(),
                    (None, Some(v)) => {
                        let r = binary(op, v, &eval(&e, &vars, &env));
                        c.present("", r.unwrap_or(Val::Bool(false))).1
                    }
                });
            }
            let (lit, _) = c.present(&text_e, Val::Bool(false));
            let _ = writeln!(text, "  return {lit};\n}}\n");
            c.items.push_str(&text);
            outs.push(mine);
            continue;
        }
        let (val, _) = pure_expr(rng, &vars, t, &live, 2);
        let mut mine = Vec::new();
        for env in &envs {
            mine.push(match env {
                Err(o) => o.clone(),
                Ok(env) => {
                    let exit = exits
                        .iter()
                        .find(|(cond, _)| eval(cond, &vars, env).as_bool());
                    match exit {
                        Some((_, o)) => o.clone(),
                        None => c.present("", eval(&val, &vars, env)).1,
                    }
                }
            });
        }
        let (lit, _) = c.present(&render_expr(&val), Val::Bool(false));
        let _ = writeln!(text, "  return {lit};\n}}\n");
        c.items.push_str(&text);
        outs.push(mine);
    }
    c.outs = outs.pop().unwrap_or_default();
    c
}

pub fn options(rng: &mut Rng, id: u32) -> Body {
    build(rng, id, false)
}

/// The panic variant: the last check of a program only.
pub fn options_panic(rng: &mut Rng, id: u32) -> Body {
    build(rng, id, true)
}

fn build(rng: &mut Rng, id: u32, panics: bool) -> Body {
    let result = rng.chance(1, 2);
    let xs: Vec<i64> = (0..rng.range(2, 5)).map(|_| rng.range(-20, 20)).collect();
    let c = chain(rng, id, result, &xs);
    let top = *c.tys.last().unwrap_or(&Ty::I32);
    let tn = top.name();
    let oty = c.ty(top);
    let fname = format!("opt{id}_{}", c.tys.len() - 1);
    let mut body = String::new();
    let mut exp = Vec::new();
    let mut names = Vec::new();
    let mut outs = c.outs.clone();
    for (i, x) in xs.iter().enumerate() {
        let r = format!("r{i}");
        // Now and then a user-built value instead of a call.
        let init = if rng.chance(1, 5) {
            let (lit, o) = if rng.chance(1, 2) {
                let v = value(rng, top);
                c.present(&v.literal(), v)
            } else {
                c.absent(value(rng, c.err))
            };
            outs[i] = o;
            lit
        } else {
            format!("{fname}(x = {})", Val::Int(Ty::I32, *x).literal())
        };
        let o = &outs[i];
        let _ = writeln!(body, "  let {r}: {oty} = {init};");
        names.push(r.clone());
        for _ in 0..rng.range(1, 4) {
            match rng.below(7) {
                0 => {
                    let _ = writeln!(body, "  print(value = {r});");
                    exp.push(o.show());
                }
                1 => {
                    let _ = writeln!(body, "  print(value = \"<${{{r}}}>\");");
                    exp.push(format!("<{}>", o.show()));
                }
                2 => {
                    let (m, v) = match (result, rng.chance(1, 2)) {
                        (false, true) => ("is_some", o.present().is_some()),
                        (false, false) => ("is_none", o.present().is_none()),
                        (true, true) => ("is_ok", o.present().is_some()),
                        (true, false) => ("is_err", o.present().is_none()),
                    };
                    let _ = writeln!(body, "  print(value = {r}.{m}());");
                    exp.push(v.to_string());
                }
                3 => {
                    let d = value(rng, top);
                    let _ = writeln!(
                        body,
                        "  print(value = {r}.unwrap_or(default = {}));",
                        d.literal()
                    );
                    exp.push(o.present().unwrap_or(&d).show());
                }
                4 if o.present().is_some() => {
                    let v = o.present().cloned().unwrap_or(Val::Bool(false));
                    if rng.chance(1, 2) {
                        let _ = writeln!(body, "  print(value = {r}.unwrap());");
                    } else {
                        let msg = value(rng, Ty::Str);
                        let _ = writeln!(
                            body,
                            "  print(value = {r}.expect(message = {}));",
                            msg.literal()
                        );
                    }
                    exp.push(v.show());
                }
                _ => matched(rng, &mut body, &mut exp, &r, o, &c, top),
            }
        }
    }
    if rng.chance(1, 2) {
        let _ = writeln!(body, "  let all: List[{oty}] = [{}];", names.join(", "));
        let _ = writeln!(body, "  print(value = all);");
        let shown: Vec<String> = outs.iter().map(Opt::show).collect();
        exp.push(format!("[{}]", shown.join(", ")));
    }
    if rng.chance(1, 3) {
        // Non-scalar payloads: an Option of the value, an Option of a
        // list of them, a Result holding an Option; unwrapped again.
        let i = rng.below(names.len() as u64) as usize;
        let (r, o) = (&names[i], outs[i].show());
        let _ = writeln!(
            body,
            "  let nest: Option<{oty}> = Option::Some(field0 = {r});\n  print(value = nest);\n  print(value = nest.unwrap());"
        );
        exp.push(format!("Some({o})"));
        exp.push(o.clone());
        let _ = writeln!(
            body,
            "  let many: Option<List[{oty}]> = Option::Some(field0 = [{r}, {r}]);\n  print(value = many);"
        );
        exp.push(format!("Some([{o}, {o}])"));
        let _ = writeln!(
            body,
            "  let held: Result<Option<{oty}>, String> = Result::Ok(field0 = nest);\n  print(value = \"${{held}}\");"
        );
        exp.push(format!("Ok(Some({o}))"));
    }
    if panics {
        // An absent outcome if there is one, else a user-built one.
        let r = match outs.iter().position(|o| o.present().is_none()) {
            Some(i) => names[i].clone(),
            None => {
                let (lit, _) = c.absent(value(rng, c.err));
                let _ = writeln!(body, "  let bad: {oty} = {lit};");
                "bad".to_string()
            }
        };
        let _ = writeln!(body, "  print(value = \"before\");");
        exp.push("before".into());
        if rng.chance(1, 2) {
            let _ = writeln!(body, "  print(value = {r}.unwrap());");
        } else {
            let _ = writeln!(
                body,
                "  print(value = {r}.expect(message = \"gone {tn}\"));"
            );
        }
        let _ = writeln!(body, "  print(value = \"after\");");
    }
    Body::Text {
        items: c.items,
        body,
        expected: exp,
        exit: panics.then_some(101),
    }
}

/// `let m: R = match r { Some(v: T) -> E(v), None -> L }` (or `Ok`/`Err`
/// with the message bound), in a random pattern style and arm order.
fn matched(
    rng: &mut Rng,
    body: &mut String,
    exp: &mut Vec<String>,
    r: &str,
    o: &Opt,
    c: &Chain,
    t: Ty,
) {
    let result = c.result;
    let rt = *rng.pick(&[Ty::I32, Ty::I64, Ty::Str, Ty::Bool]);
    let vars = vec![("v".to_string(), t)];
    let penv: Vec<Vec<Val>> = o.present().map(|v| vec![v.clone()]).into_iter().collect();
    let (pe, pv) = pure_expr(rng, &vars, rt, &penv, 2);
    let style = rng.below(3);
    let (some, none) = if result {
        ("Ok", "Err")
    } else {
        ("Some", "None")
    };
    let prefix = if result { "Result::" } else { "Option::" };
    let pre = if style == 2 { "" } else { prefix };
    let bind = if style == 0 {
        format!("v: {}", t.name())
    } else {
        "v".into()
    };
    let some_arm = format!("{pre}{some}({bind}) -> {}", render_expr(&pe));
    let wild = rng.chance(1, 4);
    let (none_arm, nv) = if result && !wild {
        let evars = vec![("e".to_string(), c.err)];
        let eenv: Vec<Vec<Val>> = match o {
            Opt::Err(m) => vec![vec![m.clone()]],
            _ => Vec::new(),
        };
        let (ee, ev) = pure_expr(rng, &evars, rt, &eenv, 2);
        let eb = if style == 0 {
            format!("e: {}", c.err.name())
        } else {
            "e".to_string()
        };
        (
            format!("{pre}{none}({eb}) -> {}", render_expr(&ee)),
            ev.first().cloned(),
        )
    } else {
        let l = value(rng, rt);
        let pat = if wild {
            "_".to_string()
        } else {
            format!("{pre}{none}")
        };
        (format!("{pat} -> {}", l.literal()), Some(l))
    };
    let arms = if rng.chance(1, 2) && !wild {
        format!("{none_arm},\n    {some_arm}")
    } else {
        format!("{some_arm},\n    {none_arm}")
    };
    let _ = writeln!(
        body,
        "  let m{}: {} = match {r} {{\n    {arms}\n  }};\n  print(value = m{});",
        exp.len(),
        rt.name(),
        exp.len()
    );
    let v = match o.present() {
        Some(_) => pv.first().cloned(),
        None => nv,
    };
    exp.push(v.map(|v| v.show()).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_results_render_their_payload_as_nested() {
        assert_eq!(Opt::Some(Val::Int(Ty::I32, 3)).show(), "Some(3)");
        assert_eq!(Opt::None.show(), "None");
        assert_eq!(Opt::Ok(Val::Str("x".into())).show(), "Ok(\"x\")");
        assert_eq!(
            Opt::Err(Val::Str("a\"b\\".into())).show(),
            "Err(\"a\"b\\\")"
        );
        assert_eq!(Opt::Err(Val::Int(Ty::I32, 404)).show(), "Err(404)");
        assert_eq!(Opt::Some(Val::F32(-0.0)).show(), "Some(-0)");
    }
}
