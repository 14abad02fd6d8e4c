//! More runtime failures as endings (see endings.rs): unlocking a
//! `Mutex` the task does not hold, a `WaitGroup` whose count goes
//! negative, awaiting a cancelled task, `expect` of an `Err` returned by a
//! helper, and an index out of range inside a function called from a
//! task (re-raised by `await`), and a recursion without a base case
//! overflowing the stack (in the main task, a task or a thread); and the
//! other synchronisation misuses the runtime reports (an `RwLock`
//! unlocked without being held, a `Semaphore` released past its permits,
//! a `Condition` waited on without its mutex); a `race` whose tasks all
//! fail; awaiting a task a scope's deadline cancelled. Each
//! appends to `body` (and `items`) what
//! runs before the failure and pushes the lines it prints; the caller
//! adds a final print that must never appear. All end with exit code 101.
//! Whatever tasks do, the main task's prints before the failure do not
//! depend on the schedule.

use super::options::value;
use crate::rng::Rng;
use crate::value::{Ty, Val};
use std::fmt::Write as _;

/// Which failure: returns whether the ending uses tasks.
pub fn failure(
    rng: &mut Rng,
    id: u32,
    items: &mut String,
    body: &mut String,
    exp: &mut Vec<String>,
) -> bool {
    match rng.below(9) {
        8 => {
            super::races::deadline_await(rng, body, exp);
            true
        }
        7 => {
            super::races::all_fail(rng, body, exp);
            true
        }
        6 => other_sync(rng, body, exp),
        5 => stack_overflow(rng, id, items, body, exp),
        0 => unlock_not_held(rng, id, items, body, exp),
        1 => negative_waitgroup(rng, body, exp),
        2 => await_cancelled(rng, body, exp),
        3 => expect_err(rng, id, items, body, exp),
        _ => index_in_task(rng, id, items, body, exp),
    }
}

/// Some balanced uses of the mutex (each printing a counter), then an
/// unlock it does not hold: never locked since, locked by another task,
/// or released twice inside `critical`; sometimes through a helper.
fn unlock_not_held(
    rng: &mut Rng,
    id: u32,
    items: &mut String,
    body: &mut String,
    exp: &mut Vec<String>,
) -> bool {
    body.push_str("  let m: Mutex = Mutex.init();\n  var k: Int32 = 0;\n");
    let mut k = 0i64;
    for _ in 0..rng.range(0, 3) {
        let step = rng.range(1, 9);
        k += step;
        match rng.below(3) {
            0 => {
                let _ = writeln!(body, "  m.lock();\n  k = k + {step};\n  m.unlock();");
            }
            1 => {
                let _ = writeln!(
                    body,
                    "  if (m.try_lock()) {{\n    k = k + {step};\n    m.unlock();\n  }}"
                );
            }
            _ => {
                let _ = writeln!(
                    body,
                    "  k = k + m.critical(f = fn() -> Int32 {{ return {step}; }});"
                );
            }
        }
        body.push_str("  print(value = k);\n");
        exp.push(k.to_string());
    }
    let helper = rng.chance(1, 2);
    let unlock = if helper {
        let _ = writeln!(items, "fn release{id}(m: Mutex) {{\n  m.unlock();\n}}\n");
        format!("release{id}(m = m);")
    } else {
        "m.unlock();".to_string()
    };
    match rng.below(3) {
        0 => {
            let _ = writeln!(body, "  {unlock}");
            false
        }
        1 => {
            // Another task holds it (the handshake orders the unlock
            // after its lock).
            let _ = writeln!(
                body,
                "  let held: Channel<Unit> = Channel.init();\n  concurrent {{\n    spawn {{\n      m.lock();\n      held.send(value = ());\n    }};\n    held.recv();\n    print(value = \"held elsewhere\");\n    {unlock}\n  }}"
            );
            exp.push("held elsewhere".into());
            true
        }
        _ => {
            let v = rng.range(-99, 99);
            let _ = writeln!(
                body,
                "  let r: Int32 = m.critical(f = fn() -> Int32 {{\n    {unlock}\n    print(value = \"released inside\");\n    return {};\n  }});\n  print(value = r);",
                Val::Int(Ty::I32, v).literal()
            );
            exp.push("released inside".into());
            false
        }
    }
}

/// `add` then as many `done` calls (some from tasks, waited for), then
/// one `done` or a negative `add` too many.
fn negative_waitgroup(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) -> bool {
    let n = rng.range(0, 4);
    let _ = writeln!(body, "  let wg: WaitGroup = WaitGroup.init();");
    if n > 0 {
        let _ = writeln!(body, "  wg.add(delta = {n});");
    }
    let tasks = n > 0 && rng.chance(1, 2);
    if tasks {
        body.push_str("  concurrent {\n");
        for _ in 0..n {
            body.push_str("    spawn {\n      wg.done();\n    };\n");
        }
        body.push_str("    wg.wait();\n  }\n");
    } else {
        for _ in 0..n {
            body.push_str("  wg.done();\n");
        }
        body.push_str("  wg.wait();\n");
    }
    let _ = writeln!(body, "  print(value = \"count back to zero\");");
    exp.push("count back to zero".into());
    if rng.chance(1, 2) {
        body.push_str("  wg.done();\n");
    } else {
        let _ = writeln!(body, "  wg.add(delta = {});", -rng.range(1, 5));
    }
    tasks
}

/// A task that can only end by cancellation (it waits on a channel that
/// nobody sends on, or spins), cancelled then awaited: "task was
/// cancelled". Its value type and computed prefix vary.
fn await_cancelled(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) -> bool {
    let t = *rng.pick(&[Ty::I32, Ty::I64, Ty::Str, Ty::Bool]);
    let tn = t.name();
    let v = value(rng, t);
    let blocker = if rng.chance(1, 2) {
        "      let never: Option<Int32> = quiet.recv();\n".to_string()
    } else {
        "      var spin: Int64 = 0;\n      while (true) {\n        spin = spin + 1;\n      }\n"
            .to_string()
    };
    let _ = writeln!(
        body,
        "  let quiet: Channel<Int32> = Channel.init(capacity = {});\n  concurrent {{\n    let t: Task<{tn}> = spawn {{\n{blocker}      return {};\n    }};\n    print(value = \"spawned\");\n    t.cancel();",
        rng.range(0, 2),
        v.literal()
    );
    exp.push("spawned".into());
    if rng.chance(1, 2) {
        body.push_str("    t.cancel();\n");
    }
    body.push_str("    print(value = \"cancelled\");\n    print(value = t.await());\n  }\n");
    exp.push("cancelled".into());
    true
}

/// A helper returning `Ok` for some arguments and `Err` for others,
/// called in a loop with `expect(message =)` until the first `Err`.
fn expect_err(
    rng: &mut Rng,
    id: u32,
    items: &mut String,
    body: &mut String,
    exp: &mut Vec<String>,
) -> bool {
    let m = rng.range(2, 7);
    let r = rng.range(0, m - 1);
    let mul = rng.range(-20, 20);
    let e = *rng.pick(&[Ty::Str, Ty::I32, Ty::I64]);
    let err = match e {
        Ty::Str => Val::Str(value(rng, Ty::Str).as_str().to_string()).literal(),
        _ => Val::Int(e, rng.range(-100, 100)).literal(),
    };
    let _ = writeln!(
        items,
        "fn step{id}(x: Int32) -> Result<Int32, {}> {{\n  if (x % {m} == {r}) {{\n    return Result::Err(field0 = {err});\n  }}\n  return Result::Ok(field0 = x * {});\n}}\n",
        e.name(),
        Val::Int(Ty::I32, mul).literal()
    );
    let start = rng.range(0, 20);
    let _ = writeln!(
        body,
        "  var x: Int32 = {start};\n  while (true) {{\n    print(value = step{id}(x = x).expect(message = {}));\n    x = x + 1;\n  }}",
        Val::Str(format!("no step at {}", value(rng, Ty::Str).as_str())).literal()
    );
    let mut x = start;
    while x % m != r {
        exp.push((x * mul).to_string());
        x += 1;
    }
    false
}

/// A task summing `xs[i].unwrap()` through a helper for `i` up to past
/// the end; the task's failure re-raised by `await` after the main task
/// printed.
fn index_in_task(
    rng: &mut Rng,
    id: u32,
    items: &mut String,
    body: &mut String,
    exp: &mut Vec<String>,
) -> bool {
    let t = *rng.pick(&[Ty::I32, Ty::I64, Ty::I8]);
    let tn = t.name();
    let vals: Vec<String> = (0..rng.range(0, 5))
        .map(|_| Val::Int(t, rng.range(-100, 100)).literal())
        .collect();
    let n = vals.len();
    let _ = writeln!(
        items,
        "fn at{id}(xs: List[{tn}], i: Int32) -> {tn} {{\n  return xs[i].unwrap();\n}}\n"
    );
    let (lo, hi) = if rng.chance(1, 3) {
        (-(rng.range(1, 3)), n as i64)
    } else {
        (0, n as i64 + rng.range(0, 2))
    };
    let _ = writeln!(
        body,
        "  let xs: List[{tn}] = [{}];\n  concurrent {{\n    let t: Task<{tn}> = spawn {{\n      var s: {tn} = 0;\n      for (i: Int32 in {} ..= {hi}) {{\n        s = s + at{id}(xs = xs, i = i);\n      }}\n      return s;\n    }};\n    print(value = xs.len());\n    print(value = t.await());\n  }}",
        vals.join(", "),
        Val::Int(Ty::I32, lo).literal()
    );
    exp.push(n.to_string());
    true
}

/// 1-3 functions calling each other (or one itself) with no base case,
/// combining each result with the argument: a stack overflow, in the
/// main task, in a task (re-raised by `await`) or in a thread (by
/// `join`).
fn stack_overflow(
    rng: &mut Rng,
    id: u32,
    items: &mut String,
    body: &mut String,
    exp: &mut Vec<String>,
) -> bool {
    let t = *rng.pick(&[Ty::I32, Ty::I64, Ty::I16]);
    let tn = t.name();
    let k = rng.range(1, 3) as usize;
    for f in 0..k {
        let next = (f + 1) % k;
        let step = Val::Int(t, rng.range(-3, 3)).literal();
        let op = *rng.pick(&["+", "-", "*"]);
        let _ = writeln!(
            items,
            "fn deep{id}_{f}(n: {tn}) -> {tn} {{\n  return deep{id}_{next}(n = n + {step}) {op} n;\n}}\n"
        );
    }
    let start = Val::Int(t, rng.range(-9, 9)).literal();
    let call = format!("deep{id}_0(n = {start})");
    match rng.below(3) {
        0 => {
            let _ = writeln!(body, "  print(value = {call});");
            false
        }
        1 => {
            let _ = writeln!(
                body,
                "  concurrent {{\n    let t: Task<{tn}> = spawn {{\n      return {call};\n    }};\n    print(value = \"spawned\");\n    print(value = t.await());\n  }}"
            );
            exp.push("spawned".into());
            true
        }
        _ => {
            let _ = writeln!(
                body,
                "  let th: Thread<{tn}> = Thread.spawn(f = fn() -> {tn} {{\n    return {call};\n  }});\n  print(value = \"spawned\");\n  print(value = th.join());"
            );
            exp.push("spawned".into());
            true
        }
    }
}

/// Balanced uses of an `RwLock`, a `Semaphore` or a `Condition`'s mutex
/// (each printing a counter), then one misuse: `read_unlock` or
/// `write_unlock` not held, one `release` more than acquired, `wait`
/// without holding the mutex.
fn other_sync(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) -> bool {
    let mut k = 0i64;
    body.push_str("  var k: Int32 = 0;\n");
    let mut use_it = |body: &mut String, exp: &mut Vec<String>, step: &str, what: i64| {
        k += what;
        let _ = writeln!(body, "{step}\n  print(value = k);");
        exp.push(k.to_string());
    };
    match rng.below(3) {
        0 => {
            body.push_str("  let l: RwLock = RwLock.init();\n");
            for _ in 0..rng.range(0, 3) {
                let d = rng.range(1, 9);
                let step = match rng.below(4) {
                    0 => format!("  l.read_lock();\n  k = k + {d};\n  l.read_unlock();"),
                    1 => format!("  l.write_lock();\n  k = k + {d};\n  l.write_unlock();"),
                    2 => format!("  k = k + l.read(f = fn() -> Int32 {{ return {d}; }});"),
                    _ => format!("  k = k + l.write(f = fn() -> Int32 {{ return {d}; }});"),
                };
                use_it(body, exp, &step, d);
            }
            body.push_str(match rng.below(3) {
                0 => "  l.read_unlock();\n",
                1 => "  l.write_unlock();\n",
                // Held for reading, released for writing.
                _ => "  l.read_lock();\n  l.write_unlock();\n",
            });
        }
        1 => {
            let permits = rng.range(1, 3);
            let _ = writeln!(
                body,
                "  let s: Semaphore = Semaphore.init(permits = {permits});"
            );
            let mut held = 0;
            for _ in 0..rng.range(0, 4) {
                let d = rng.range(1, 9);
                if held < permits && rng.chance(1, 2) {
                    held += 1;
                    use_it(body, exp, &format!("  s.acquire();\n  k = k + {d};"), d);
                } else if held > 0 {
                    held -= 1;
                    use_it(body, exp, &format!("  s.release();\n  k = k + {d};"), d);
                } else {
                    use_it(
                        body,
                        exp,
                        &format!(
                            "  if (s.try_acquire()) {{\n    k = k + {d};\n    s.release();\n  }}"
                        ),
                        d,
                    );
                }
            }
            for _ in 0..=held {
                body.push_str("  s.release();\n");
            }
        }
        _ => {
            body.push_str(
                "  let m: Mutex = Mutex.init();\n  let c: Condition = Condition.init(mutex = m);\n",
            );
            for _ in 0..rng.range(0, 2) {
                let d = rng.range(1, 9);
                let step = if rng.chance(1, 2) {
                    format!("  m.lock();\n  c.signal();\n  k = k + {d};\n  m.unlock();")
                } else {
                    format!("  k = k + m.critical(f = fn() -> Int32 {{\n    c.broadcast();\n    return {d};\n  }});")
                };
                use_it(body, exp, &step, d);
            }
            body.push_str("  c.wait();\n");
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each failure kind is generated, and `expect_err`'s expected lines
    /// are the loop's `Ok` values up to the first `Err`.
    #[test]
    fn every_failure_is_generated_and_expect_err_stops_at_the_first_err() {
        let markers = [
            "m.unlock();",
            "WaitGroup.init()",
            "t.cancel();",
            ".expect(message = ",
            "return xs[i].unwrap();",
            "fn deep",
            "RwLock.init()",
            "Semaphore.init(",
            "c.wait();",
            "race {",
            "concurrent(deadline_millis",
        ];
        let mut seen = [false; 11];
        for seed in 0..200 {
            let (mut items, mut body, mut exp) = (String::new(), String::new(), Vec::new());
            failure(&mut Rng::new(seed), 4, &mut items, &mut body, &mut exp);
            let text = format!("{items}{body}");
            for (i, m) in markers.iter().enumerate() {
                seen[i] |= text.contains(m);
            }
        }
        assert_eq!(seen, [true; 11]);
        for seed in 0..50 {
            let (mut items, mut body, mut exp) = (String::new(), String::new(), Vec::new());
            expect_err(&mut Rng::new(seed), 2, &mut items, &mut body, &mut exp);
            let num = |key: &str, text: &str| -> i64 {
                let at = text.find(key).unwrap() + key.len();
                let end = text[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
                text[at..at + end].parse().unwrap()
            };
            let (m, r, start) = (
                num("x % ", &items),
                num(" == ", &items),
                num("x: Int32 = ", &body),
            );
            let oks = (start..).take_while(|x| x % m != r).count();
            assert_eq!(exp.len(), oks, "{items}{body}");
        }
    }
}
