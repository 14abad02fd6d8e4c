//! `select` with `after` arms, only where concurrency.md section 4 fixes
//! the outcome (part of the `select` category). An `after(millis = n)`
//! arm is ready once n ms have passed (at once for n <= 0); a select runs
//! one of its ready arms, else parks until one is. So:
//! - a ready arm (a receive on a channel holding a value or closed, a send
//!   into a buffer with room) beside an `after` an hour away always wins;
//! - with no other arm ready and no other task touching the channels, a
//!   short `after` (a few ms, 0 or negative) fires;
//! - a select parked on a receive is woken by another task's send long
//!   before its hour-long `after`.
//!
//! Never a short `after` beside a ready arm: both would be ready (a
//! random choice). A select has at most one `after` arm (E0226).

use crate::rng::Rng;
use crate::value::{Ty, Val};
use std::fmt::Write as _;

const INTS: &[Ty] = &[Ty::I16, Ty::I32, Ty::I64];

fn shuffle(rng: &mut Rng, arms: &mut [String]) {
    for i in (1..arms.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        arms.swap(i, j);
    }
}

pub fn timeouts(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) {
    let t = *rng.pick(INTS);
    let tn = t.name();
    let hour = rng.range(60_000, 3_600_000);
    let short = rng.range(-5, 3);
    let vals: Vec<i64> = (0..rng.range(0, 3))
        .map(|_| rng.range(t.min(), t.max()))
        .collect();
    let closed = rng.chance(1, 3);
    let cap = vals.len() as i64 + rng.range(0, 2);
    // `sink` is never received from: with capacity 1 its first send is
    // ready, later ones (and every one at capacity 0) never are.
    let sink_cap = rng.range(0, 1);
    let _ = writeln!(
        body,
        "  let ch: Channel<{tn}> = Channel.init(capacity = {cap});\n  let sink: Channel<String> = Channel.init(capacity = {sink_cap});"
    );
    for v in &vals {
        let _ = writeln!(body, "  ch.send(value = {});", Val::Int(t, *v).literal());
    }
    if closed {
        body.push_str("  ch.close();\n");
    }

    // A loop draining `ch`: its values first (the receive is ready, the
    // `after` arms are not yet), then the short `after` (open and empty:
    // nothing else can be ready) or `None` (closed: the receive is ready).
    // With a value ready the short arm must not be there: it is ready too.
    let passes = vals.len() as i64 + rng.range(1, 2);
    let _ = writeln!(
        body,
        "  for (i: Int32 in 0..{passes}) {{\n    if (ch.len() > 0 or ch.is_closed()) {{\n      select {{"
    );
    let recv = |ind: &str| {
        format!("{ind}let v: Option<{tn}> = ch.recv() -> {{\n{ind}  print(value = \"got ${{v}}\");\n{ind}}}\n")
    };
    let hour_arm = |ind: &str| {
        format!("{ind}after(millis = {hour}) -> {{\n{ind}  print(value = \"an hour later\");\n{ind}}}\n")
    };
    let short_arm = |ind: &str| {
        format!("{ind}after(millis = {short}) -> {{\n{ind}  print(value = \"short\");\n{ind}}}\n")
    };
    let mut arms = vec![recv("        "), hour_arm("        ")];
    shuffle(rng, &mut arms);
    body.push_str(&arms.concat());
    body.push_str("      }\n    } else {\n      select {\n");
    let mut arms = vec![recv("        "), short_arm("        ")];
    shuffle(rng, &mut arms);
    body.push_str(&arms.concat());
    body.push_str("      }\n    }\n  }\n");
    for p in 0..passes as usize {
        exp.push(match vals.get(p) {
            Some(v) => format!("got Some({v})"),
            None if closed => "got None".into(),
            None => "short".into(),
        });
    }

    // A send arm beside an hour-long `after` wins while `sink` has room;
    // once it has none, a send arm beside a short `after` never wins.
    let mut sink_used = 0;
    for _ in 0..rng.range(1, 3) {
        let send_ready = sink_cap == 1 && sink_used == 0;
        let v = Val::Str(format!("s{}", rng.range(0, 99)));
        let mut arms = vec![
            format!(
                "    sink.send(value = {}) -> {{\n      print(value = \"sent\");\n    }}\n",
                v.literal()
            ),
            if send_ready {
                hour_arm("    ")
            } else {
                short_arm("    ")
            },
        ];
        shuffle(rng, &mut arms);
        body.push_str("  select {\n");
        body.push_str(&arms.concat());
        body.push_str("  }\n");
        if send_ready {
            sink_used += 1;
            exp.push("sent".into());
        } else {
            exp.push("short".into());
        }
    }

    // Parked on a receive that another task satisfies, long before the
    // hour.
    if rng.chance(1, 2) {
        let v = rng.range(t.min(), t.max());
        let _ = writeln!(
            body,
            "  let late: Channel<{tn}> = Channel.init();\n  concurrent {{\n    spawn {{\n      late.send(value = {});\n    }};\n    select {{\n      let w: Option<{tn}> = late.recv() -> {{\n        print(value = \"woken ${{w}}\");\n      }}\n{}    }}\n  }}",
            Val::Int(t, v).literal(),
            hour_arm("      ")
        );
        exp.push(format!("woken Some({v})"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's rules hold in every generated select: at most one
    /// `after` arm, and a short one never beside an arm that is ready
    /// (in the drain loop, the branch taken when `ch` holds a value or is
    /// closed has only the hour-long one).
    #[test]
    fn short_afters_never_race_a_ready_arm() {
        for seed in 0..200 {
            let (mut body, mut exp) = (String::new(), Vec::new());
            timeouts(&mut Rng::new(seed), &mut body, &mut exp);
            // Each piece holds one select's arms (and code up to the next).
            for sel in body.split("select {").skip(1) {
                assert_eq!(sel.matches("after(").count(), 1, "{body}");
            }
            let ready = body
                .split("if (ch.len() > 0 or ch.is_closed()) {")
                .nth(1)
                .and_then(|s| s.split("} else {").next())
                .unwrap_or("");
            assert!(!ready.contains("\"short\""), "{body}");
            assert!(exp.iter().all(|l| l != "an hour later"));
        }
    }
}
