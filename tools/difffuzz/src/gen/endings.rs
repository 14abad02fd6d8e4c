//! Checks that end the program (always the last one): an explicit
//! `panic` from nested calls, a failed `assert` (exit code 1), closing a
//! channel twice, a task that fails (a division by zero, `unwrap` of
//! `None`, an index out of range, `panic`) with the failure re-raised by
//! `await` or at the end of its scope, and a thread that fails, re-raised
//! by `join`; and, half of the time, one of the failures of failures.rs
//! (a mutex, a `WaitGroup`, a cancelled task, `expect` of an `Err`, an
//! index out of range in a task's helper). Before it, values the model knows are printed; what the
//! main task prints before the re-raise does not depend on the schedule.

use super::options::value;
use super::scalar::pure_expr;
use super::{Body, Check};
use crate::ast::render_expr;
use crate::rng::Rng;
use crate::value::{Ty, Val};
use std::fmt::Write as _;

const TYPES: &[Ty] = &[Ty::I32, Ty::I64, Ty::I8, Ty::Str, Ty::F64, Ty::Bool];

/// 0-2 prints of random values, then a marker.
fn preamble(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) {
    for _ in 0..rng.range(0, 2) {
        let t = *rng.pick(TYPES);
        let (e, v) = pure_expr(rng, &[], t, &[Vec::new()], 2);
        let _ = writeln!(body, "  print(value = {});", render_expr(&e));
        exp.push(v[0].show());
    }
    let _ = writeln!(body, "  print(value = \"before\");");
    exp.push("before".into());
}

fn message(rng: &mut Rng) -> String {
    format!("stop {}", value(rng, Ty::Str).as_str())
}

/// Statements (at `ind`) that fail in a function returning Int32.
fn failing(rng: &mut Rng, ind: &str) -> String {
    match rng.below(4) {
        0 => {
            let a = rng.range(-50, 50);
            format!(
                "{ind}let z: Int32 = {a} - {a};\n{ind}return {} / z;\n",
                Val::Int(Ty::I32, rng.range(-9, 9)).literal()
            )
        }
        1 => format!("{ind}let o: Option<Int32> = Option::None;\n{ind}return o.unwrap();\n"),
        2 => {
            let n = rng.range(0, 3);
            let lits: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            let at = n + rng.range(0, 2);
            format!(
                "{ind}let xs: List[Int32] = [{}];\n{ind}return xs[{at}].expect(message = \"index {at}\");\n",
                lits.join(", ")
            )
        }
        _ => format!(
            "{ind}panic(message = {});\n{ind}return 0;\n",
            Val::Str(message(rng)).literal()
        ),
    }
}

pub fn fail_check(rng: &mut Rng, id: u32) -> Check {
    let mut items = String::new();
    let mut body = String::new();
    let mut exp = Vec::new();
    let mut concurrent = false;
    let mut exit = 101;
    preamble(rng, &mut body, &mut exp);
    match rng.below(10) {
        5.. => {
            concurrent = super::failures::failure(rng, id, &mut items, &mut body, &mut exp);
        }
        0 => {
            // A panic from 1-3 nested calls.
            let depth = rng.range(1, 3);
            for d in 0..depth {
                let inner = if d == 0 {
                    format!(
                        "  panic(message = {});\n  return 0;\n",
                        Val::Str(message(rng)).literal()
                    )
                } else {
                    format!("  return 1 + down{id}_{}(n = n + 1);\n", d - 1)
                };
                let _ = writeln!(items, "fn down{id}_{d}(n: Int32) -> Int32 {{\n{inner}}}\n");
            }
            let _ = writeln!(body, "  print(value = down{id}_{}(n = 0));", depth - 1);
        }
        1 => {
            // Passing asserts, then a failing one: exit code 1.
            exit = 1;
            for want in [true, false] {
                if want && rng.chance(1, 2) {
                    continue;
                }
                let mut e = None;
                for _ in 0..20 {
                    let (c, v) = pure_expr(rng, &[], Ty::Bool, &[Vec::new()], 2);
                    if v[0].as_bool() == want {
                        e = Some(render_expr(&c));
                        break;
                    }
                }
                let cond = e.unwrap_or_else(|| want.to_string());
                let _ = writeln!(
                    body,
                    "  assert(condition = {cond}, message = {});",
                    Val::Str(message(rng)).literal()
                );
                if want {
                    let _ = writeln!(body, "  print(value = \"passed\");");
                    exp.push("passed".into());
                }
            }
        }
        2 => {
            let cap = rng.range(0, 2);
            let _ = writeln!(
                body,
                "  let ch: Channel<Int32> = Channel.init(capacity = {cap});\n  ch.close();\n  print(value = ch.is_closed());\n  ch.close();"
            );
            exp.push("true".into());
        }
        3 => {
            // A failing task beside a healthy one (never awaited, so its
            // cancellation is invisible); the main task's own prints come
            // first, then `await` or the end of the scope re-raises.
            concurrent = true;
            let (e, _) = pure_expr(rng, &[], Ty::I64, &[Vec::new()], 2);
            let await_it = rng.chance(1, 2);
            let _ = writeln!(
                body,
                "  concurrent {{\n    let ok: Task<Int64> = spawn {{\n      return {};\n    }};\n    let bad: Task<Int32> = spawn {{\n{}    }};\n    print(value = \"in scope\");",
                render_expr(&e),
                failing(rng, "      ")
            );
            exp.push("in scope".into());
            if await_it {
                body.push_str("    print(value = bad.await());\n");
            }
            body.push_str("  }\n");
        }
        4 => {
            concurrent = true;
            let _ = writeln!(
                body,
                "  let th: Thread<Int32> = Thread.spawn(f = fn() -> Int32 {{\n{}  }});\n  print(value = \"spawned\");\n  print(value = th.join());",
                failing(rng, "    ")
            );
            exp.push("spawned".into());
        }
    }
    let _ = writeln!(body, "  print(value = \"after\");");
    Check {
        id,
        category: "panics",
        concurrent,
        body: Body::Text {
            items,
            body,
            expected: exp,
            exit: Some(exit),
        },
    }
}
