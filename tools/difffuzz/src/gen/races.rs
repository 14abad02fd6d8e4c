//! `race` (the `races` category): 1-4 tasks of which exactly one can
//! finish successfully, so the winner does not depend on the schedule
//! (concurrency.md section 2: the value of the first task to finish
//! successfully; the others are cancelled and awaited). The losers fail
//! (a division by zero, `unwrap` of `None`, an index out of range,
//! `panic`) or can only end by cancellation (parked on a channel nobody
//! sends on, or spinning). Races are used as a `let` initialiser, inside
//! an expression, from a task of a `concurrent` scope, and in a loop.
//! Half of the checks also have a `concurrent(deadline_millis =)` scope
//! whose outcome does not depend on timing (see `deadlines`), half a
//! `CancelToken` tree (tokens.rs). The ending
//! variants: every task of a race fails, so the race re-raises a failure;
//! awaiting a task a deadline cancelled (exit code 101).

use super::options::value;
use super::scalar::pure_expr;
use super::Body;
use crate::ast::render_expr;
use crate::rng::Rng;
use crate::value::{binary, BinOp, Ty, Val};
use std::fmt::Write as _;

const TYPES: &[Ty] = &[Ty::I32, Ty::I64, Ty::Str, Ty::Bool];

/// A loser's body (at `ind`), returning a `t` it never reaches; `block`
/// allows the kinds that only end by cancellation.
fn loser(rng: &mut Rng, t: Ty, ind: &str, block: bool) -> String {
    let tn = t.name();
    let dead = value(rng, t).literal();
    let kinds = if block { 6 } else { 4 };
    match rng.below(kinds) {
        0 => format!(
            "{ind}panic(message = {});\n{ind}return {dead};\n",
            Val::Str(format!("lost {}", rng.range(0, 99))).literal()
        ),
        1 => format!("{ind}let o: Option<{tn}> = Option::None;\n{ind}return o.unwrap();\n"),
        2 => {
            let xs: Vec<String> = (0..rng.range(0, 2))
                .map(|_| value(rng, t).literal())
                .collect();
            let at = xs.len() as i64 + rng.range(0, 2);
            format!(
                "{ind}let xs: List[{tn}] = [{}];\n{ind}return xs[{at}].unwrap();\n",
                xs.join(", ")
            )
        }
        3 => {
            let a = rng.range(-9, 9);
            format!(
                "{ind}let z: Int32 = {a} - {a};\n{ind}let q: Int32 = {} / z;\n{ind}print(value = q);\n{ind}return {dead};\n",
                Val::Int(Ty::I32, rng.range(-50, 50)).literal()
            )
        }
        4 => format!("{ind}let never: Option<Int32> = quiet.recv();\n{ind}return {dead};\n"),
        _ => format!(
            "{ind}var spin: Int64 = 0;\n{ind}while (true) {{\n{ind}  spin = spin + 1;\n{ind}}}\n{ind}return {dead};\n"
        ),
    }
}

/// `race { ... }` text at `ind` with one winner returning `win` (or none
/// when `win` is `None`) among 0-3 losers, in random order.
fn race_expr(rng: &mut Rng, t: Ty, ind: &str, win: Option<&str>) -> String {
    let inner = format!("{ind}    ");
    let mut arms: Vec<String> = (0..rng.range(if win.is_some() { 0 } else { 1 }, 3))
        .map(|_| {
            format!(
                "{ind}  spawn {{\n{}{ind}  }}\n",
                loser(rng, t, &inner, win.is_some())
            )
        })
        .collect();
    if let Some(w) = win {
        arms.push(format!("{ind}  spawn {{\n{inner}return {w};\n{ind}  }}\n"));
    }
    for i in (1..arms.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        arms.swap(i, j);
    }
    format!("race {{\n{}{ind}}}", arms.concat())
}

pub fn races(rng: &mut Rng, _id: u32) -> Body {
    let mut body = String::from("  let quiet: Channel<Int32> = Channel.init();\n");
    let mut exp = Vec::new();
    if rng.chance(1, 2) {
        deadlines(rng, &mut body, &mut exp);
    }
    if rng.chance(1, 2) {
        // In its own block: its locals do not clash with the races'.
        let mut inner = String::new();
        super::tokens::tokens(rng, &mut inner, &mut exp);
        body.push_str("  if (true) {\n");
        for l in inner.lines() {
            let _ = writeln!(body, "  {l}");
        }
        body.push_str("  }\n");
    }
    for k in 0..rng.range(1, 3) {
        let t = *rng.pick(TYPES);
        let tn = t.name();
        let (e, v) = pure_expr(rng, &[], t, &[Vec::new()], 2);
        let v = v[0].clone();
        let win = render_expr(&e);
        match rng.below(4) {
            0 => {
                let r = race_expr(rng, t, "  ", Some(&win));
                let _ = writeln!(body, "  let r{k}: {tn} = {r};\n  print(value = r{k});");
                exp.push(v.show());
            }
            1 if t.is_int() => {
                // Inside an expression: race + 1 (wrapping).
                let r = race_expr(rng, t, "  ", Some(&win));
                let one = Val::Int(t, 1);
                let _ = writeln!(body, "  print(value = {r} + {});", one.literal());
                let sum = binary(BinOp::Add, &v, &one).unwrap_or(Val::Bool(false));
                exp.push(sum.show());
            }
            1 | 2 => {
                // From a task of a concurrent scope.
                let r = race_expr(rng, t, "      ", Some(&win));
                let _ = writeln!(
                    body,
                    "  concurrent {{\n    let t{k}: Task<{tn}> = spawn {{\n      return {r};\n    }};\n    print(value = t{k}.await());\n  }}"
                );
                exp.push(v.show());
            }
            _ => {
                // In a loop, the winner's value over the index.
                let n = rng.range(1, 3);
                let vars = vec![("i".to_string(), Ty::I32)];
                let envs: Vec<Vec<Val>> = (0..n).map(|i| vec![Val::Int(Ty::I32, i)]).collect();
                let (e, vals) = pure_expr(rng, &vars, t, &envs, 2);
                let r = race_expr(rng, t, "    ", Some(&render_expr(&e)));
                let _ = writeln!(
                    body,
                    "  for (i: Int32 in 0..{n}) {{\n    let r: {tn} = {r};\n    print(value = r);\n  }}"
                );
                exp.extend(vals.iter().map(Val::show));
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

/// A task body (at `ind`) that can only end by cancellation.
fn blocker(rng: &mut Rng, ind: &str) -> String {
    if rng.chance(1, 2) {
        format!("{ind}let never: Option<Int32> = quiet.recv();\n")
    } else {
        format!(
            "{ind}var spin: Int64 = 0;\n{ind}while (true) {{\n{ind}  spin = spin + 1;\n{ind}}}\n"
        )
    }
}

/// `concurrent(deadline_millis =)` scopes whose outcome does not depend
/// on timing: tasks that can only end by cancellation under a short
/// deadline (the scope ends when it passes; nothing else is observed),
/// or tasks computing values, awaited, under a deadline of a minute or
/// more (a plain scope).
fn deadlines(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) {
    if rng.chance(1, 2) {
        let _ = writeln!(
            body,
            "  concurrent(deadline_millis = {}) {{",
            rng.range(1, 30)
        );
        for _ in 0..rng.range(1, 3) {
            let _ = writeln!(body, "    spawn {{\n{}    }};", blocker(rng, "      "));
        }
        body.push_str("  }\n  print(value = \"deadline passed\");\n");
        exp.push("deadline passed".into());
    } else {
        let _ = writeln!(
            body,
            "  concurrent(deadline_millis = {}) {{",
            rng.range(60_000, 3_600_000)
        );
        for k in 0..rng.range(1, 3) {
            let t = *rng.pick(TYPES);
            let (e, v) = pure_expr(rng, &[], t, &[Vec::new()], 2);
            let _ = writeln!(
                body,
                "    let d{k}: Task<{}> = spawn {{\n      return {};\n    }};\n    print(value = d{k}.await());",
                t.name(),
                render_expr(&e)
            );
            exp.push(v[0].show());
        }
        body.push_str("  }\n");
    }
}

/// An ending: awaiting a task that a short deadline cancelled ("task
/// was cancelled").
pub fn deadline_await(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) {
    let t = *rng.pick(TYPES);
    let _ = writeln!(
        body,
        "  let quiet: Channel<Int32> = Channel.init();\n  concurrent(deadline_millis = {}) {{\n    let t: Task<{}> = spawn {{\n{}      return {};\n    }};\n    print(value = \"waiting\");\n    print(value = t.await());\n  }}",
        rng.range(1, 30),
        t.name(),
        blocker(rng, "      "),
        value(rng, t).literal()
    );
    exp.push("waiting".into());
}

/// An ending: a race whose tasks all fail (after the check's prints).
pub fn all_fail(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) {
    let t = *rng.pick(TYPES);
    let r = race_expr(rng, t, "  ", None);
    let _ = writeln!(
        body,
        "  print(value = \"racing\");\n  let r: {} = {r};\n  print(value = r);",
        t.name()
    );
    exp.push("racing".into());
}
