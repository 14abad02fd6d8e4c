//! `Thread.spawn`: threads computing random pure expressions over
//! captured locals, joined in a random order; a list of threads made in a
//! loop and summed; a thread and tasks talking over a channel of random
//! capacity (the thread consuming what tasks send, or producing what the
//! main task receives); a thread opening its own `concurrent` scope; a
//! thread building a list the main task prints.
//! Every printed value is schedule-independent.

use super::options::value;
use super::scalar::pure_expr;
use super::Body;
use crate::ast::render_expr;
use crate::rng::Rng;
use crate::value::{wrap, Ty, Val};
use std::fmt::Write as _;

fn shuffle<T>(rng: &mut Rng, xs: &mut [T]) {
    for i in (1..xs.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        xs.swap(i, j);
    }
}

pub fn threads(rng: &mut Rng, id: u32) -> Body {
    let mut body = String::new();
    let mut exp = Vec::new();
    let vars = vec![
        (format!("a{id}"), Ty::I64),
        (format!("b{id}"), Ty::I32),
        (format!("s{id}"), Ty::Str),
    ];
    let env = vec![
        Val::Int(Ty::I64, rng.range(-1000, 1000)),
        value(rng, Ty::I32),
        value(rng, Ty::Str),
    ];
    for ((n, t), v) in vars.iter().zip(&env) {
        let _ = writeln!(body, "  let {n}: {} = {};", t.name(), v.literal());
    }
    let envs = std::slice::from_ref(&env);
    // Threads over pure expressions, joined in a random order.
    let n = rng.range(1, 4) as usize;
    let mut results = Vec::new();
    for i in 0..n {
        let t = *rng.pick(&[Ty::I64, Ty::I32, Ty::Str, Ty::Bool, Ty::F64, Ty::F32]);
        let (e, v) = pure_expr(rng, &vars, t, envs, 3);
        let decl = if rng.chance(1, 2) {
            format!(": Thread<{}>", t.name())
        } else {
            String::new()
        };
        let _ = writeln!(
            body,
            "  let th{i}{decl} = Thread.spawn(f = fn() -> {} {{\n    return {};\n  }});",
            t.name(),
            render_expr(&e)
        );
        results.push(v[0].clone());
    }
    let mut order: Vec<usize> = (0..n).collect();
    shuffle(rng, &mut order);
    for i in order {
        let _ = writeln!(body, "  print(value = th{i}.join());");
        exp.push(results[i].show());
    }
    let _ = writeln!(body, "  print(value = th0.is_done());");
    exp.push("true".into());
    let a = env[0].as_int();
    let mut parts: Vec<u8> = vec![0, 1, 2, 3];
    shuffle(rng, &mut parts);
    for p in parts.into_iter().take(rng.range(1, 4) as usize) {
        match p {
            0 => {
                // A loop of threads capturing the loop variable.
                let k = rng.range(0, 8);
                let c = rng.range(-50, 50);
                let _ = writeln!(
                    body,
                    "  let ths: List[Thread<Int64>] = [];\n  for (i: Int64 in 0..{k}) {{\n    ths.push(value = Thread.spawn(f = fn() -> Int64 {{ return i * a{id} + {}; }}));\n  }}\n  var total: Int64 = 0;\n  for (t: Thread<Int64> in ths) {{\n    total = total + t.join();\n  }}\n  print(value = total);",
                    Val::Int(Ty::I64, c).literal()
                );
                let total = (0..k).fold(0i64, |acc, i| {
                    acc.wrapping_add(i.wrapping_mul(a).wrapping_add(c))
                });
                exp.push(total.to_string());
            }
            1 => {
                let t = *rng.pick(&[Ty::I32, Ty::I64, Ty::I16]);
                let tn = t.name();
                let cap = rng.range(0, 3);
                let vals: Vec<i64> = (0..rng.range(0, 12))
                    .map(|_| rng.range(-30000, 30000))
                    .collect();
                let vals: Vec<i64> = vals.into_iter().map(|v| wrap(t, v)).collect();
                let lits: Vec<String> = vals.iter().map(|v| Val::Int(t, *v).literal()).collect();
                let sum = vals.iter().fold(0i64, |s, v| wrap(t, s.wrapping_add(*v)));
                let _ = writeln!(
                    body,
                    "  let ch: Channel<{tn}> = Channel.init(capacity = {cap});"
                );
                let _ = writeln!(body, "  let xs: List[{tn}] = [{}];", lits.join(", "));
                if rng.chance(1, 2) {
                    // The thread consumes what a task sends.
                    let _ = writeln!(
                        body,
                        "  let consumer: Thread<{tn}> = Thread.spawn(f = fn() -> {tn} {{\n    var s: {tn} = 0;\n    for (x: {tn} in ch) {{\n      s = s + x;\n    }}\n    return s;\n  }});\n  concurrent {{\n    spawn {{\n      for (x: {tn} in xs) {{\n        ch.send(value = x);\n      }}\n      ch.close();\n    }};\n  }}\n  print(value = consumer.join());"
                    );
                    exp.push(sum.to_string());
                } else {
                    // The thread produces, the main task receives.
                    let _ = writeln!(
                        body,
                        "  let producer: Thread<Int32> = Thread.spawn(f = fn() -> Int32 {{\n    var n: Int32 = 0;\n    for (x: {tn} in xs) {{\n      ch.send(value = x);\n      n = n + 1;\n    }}\n    ch.close();\n    return n;\n  }});\n  var got: {tn} = 0;\n  while (true) {{\n    let r: Option<{tn}> = ch.recv();\n    if (r.is_none()) {{\n      break;\n    }}\n    got = got + r.unwrap();\n  }}\n  print(value = \"${{got}} from ${{producer.join()}}\");"
                    );
                    exp.push(format!("{sum} from {}", vals.len()));
                }
            }
            3 => {
                // A thread allocating a list the main task prints.
                let t = *rng.pick(&[Ty::I64, Ty::I8, Ty::Str, Ty::Bool, Ty::F64, Ty::F32]);
                let k = rng.range(0, 6);
                let mut ivars = vars.clone();
                ivars.push(("i".into(), Ty::I64));
                let ienvs: Vec<Vec<Val>> = (0..k)
                    .map(|i| {
                        let mut e = env.clone();
                        e.push(Val::Int(Ty::I64, i));
                        e
                    })
                    .collect();
                let (e, vals) = pure_expr(rng, &ivars, t, &ienvs, 3);
                let tn = t.name();
                let _ = writeln!(
                    body,
                    "  let built: Thread<List[{tn}]> = Thread.spawn(f = fn() -> List[{tn}] {{\n    let out: List[{tn}] = [];\n    for (i: Int64 in 0..{k}) {{\n      out.push(value = {});\n    }}\n    return out;\n  }});\n  print(value = built.join());",
                    render_expr(&e)
                );
                exp.push(crate::value::show_list(&vals));
            }
            _ => {
                // A thread with its own concurrent scope of tasks.
                let (e1, v1) = pure_expr(rng, &vars, Ty::I64, envs, 2);
                let (e2, v2) = pure_expr(rng, &vars, Ty::I64, envs, 2);
                let _ = writeln!(
                    body,
                    "  let scoped: Thread<Int64> = Thread.spawn(f = fn() -> Int64 {{\n    var inner: Int64 = 0;\n    concurrent {{\n      let x: Task<Int64> = spawn {{\n        return {};\n      }};\n      let y: Task<Int64> = spawn {{\n        return {};\n      }};\n      inner = x.await() - y.await();\n    }}\n    return inner;\n  }});\n  print(value = scoped.join());",
                    render_expr(&e1),
                    render_expr(&e2)
                );
                exp.push(v1[0].as_int().wrapping_sub(v2[0].as_int()).to_string());
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
