//! `select` with schedule-independent outcomes: tasks send known values
//! on 1-3 channels of random capacities (directly or through a one-arm
//! send `select`) and close them; a loop of receive arms merges them until
//! one is closed, the rest are drained, and the count and (wrapping) sum
//! are printed. Then single-task selects whose choice is forced: send
//! arms into a buffered channel until it is full (`default` then wins), and
//! receive arms on a channel holding known values, open (then `default`)
//! or closed (then `None`), beside an arm on a channel that stays empty;
//! and a pump whose send and receive arms race other tasks (any choice
//! keeps the consumer's sum). `after` arms only where the spec fixes the
//! outcome (timeouts.rs).

use super::Body;
use crate::rng::Rng;
use crate::value::{wrap, Ty, Val};
use std::fmt::Write as _;

const INTS: &[Ty] = &[Ty::I16, Ty::I32, Ty::I64];

fn int(rng: &mut Rng, t: Ty) -> i64 {
    match rng.below(4) {
        0 => rng.range(t.min(), t.max()),
        _ => rng.range(-1000, 1000),
    }
}

fn merge(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) {
    let t = *rng.pick(INTS);
    let tn = t.name();
    let n = rng.range(1, 3) as usize;
    let mut sum = 0i64;
    let mut count = 0;
    let mut producers = String::new();
    for c in 0..n {
        let cap = rng.range(0, 3);
        let _ = writeln!(
            body,
            "  let c{c}: Channel<{tn}> = Channel.init(capacity = {cap});"
        );
        let _ = writeln!(body, "  var open{c}: Bool = true;");
        let vals: Vec<i64> = (0..rng.range(0, 8)).map(|_| int(rng, t)).collect();
        for v in &vals {
            sum = wrap(t, sum.wrapping_add(*v));
        }
        count += vals.len();
        let lits: Vec<String> = vals.iter().map(|v| Val::Int(t, *v).literal()).collect();
        let send = if rng.chance(1, 3) {
            format!("select {{\n          c{c}.send(value = x) -> {{ }}\n        }}")
        } else {
            format!("c{c}.send(value = x);")
        };
        let _ = writeln!(
            producers,
            "    spawn {{\n      let xs: List[{tn}] = [{}];\n      for (x: {tn} in xs) {{\n        {send}\n      }}\n      c{c}.close();\n    }};",
            lits.join(", ")
        );
    }
    let _ = writeln!(body, "  var sum: {tn} = 0;\n  var count: Int32 = 0;");
    body.push_str("  concurrent {\n");
    body.push_str(&producers);
    let all_open: Vec<String> = (0..n).map(|c| format!("open{c}")).collect();
    let _ = writeln!(
        body,
        "    while ({}) {{\n      select {{",
        all_open.join(" and ")
    );
    let mut arms: Vec<String> = (0..n)
        .map(|c| {
            let typed = if rng.chance(1, 2) {
                format!(": Option<{tn}>")
            } else {
                String::new()
            };
            let handle = if rng.chance(1, 2) {
                format!("if (v{c}.is_none()) {{\n            open{c} = false;\n          }} else {{\n            sum = sum + v{c}.unwrap();\n            count = count + 1;\n          }}")
            } else {
                format!("if (v{c}.is_some()) {{\n            sum = sum + v{c}.expect(message = \"a value\");\n            count = count + 1;\n          }} else {{\n            open{c} = false;\n          }}")
            };
            format!("        let v{c}{typed} = c{c}.recv() -> {{\n          {handle}\n        }}\n")
        })
        .collect();
    for i in (1..arms.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        arms.swap(i, j);
    }
    for a in arms {
        body.push_str(&a);
    }
    body.push_str("      }\n    }\n");
    for c in 0..n {
        let _ = writeln!(
            body,
            "    for (x: {tn} in c{c}) {{\n      sum = sum + x;\n      count = count + 1;\n    }}"
        );
    }
    body.push_str("  }\n  print(value = \"${count} ${sum}\");\n");
    exp.push(format!("{count} {sum}"));
}

/// Send arms into a buffered channel until it is full: `default` wins
/// exactly when the buffer is full.
fn fill(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) {
    let cap = rng.range(1, 5);
    let m = rng.range(-9, 9);
    let b = rng.range(-100, 100);
    let _ = writeln!(
        body,
        "  let out: Channel<Int32> = Channel.init(capacity = {cap});\n  var sent: Int32 = 0;\n  while (true) {{\n    select {{"
    );
    let send = format!(
        "      out.send(value = sent * {} + {}) -> {{\n        sent = sent + 1;\n      }}\n",
        Val::Int(Ty::I32, m).literal(),
        Val::Int(Ty::I32, b).literal()
    );
    let dflt = "      default -> {\n        break;\n      }\n";
    if rng.chance(1, 2) {
        body.push_str(&send);
        body.push_str(dflt);
    } else {
        body.push_str(dflt);
        body.push_str(&send);
    }
    body.push_str("    }\n  }\n  out.close();\n  var got: Int32 = 0;\n  for (x: Int32 in out) {\n    got = got + x;\n  }\n  print(value = \"sent ${sent}, got ${got}\");\n");
    let got = (0..cap).fold(0i64, |acc, i| wrap(Ty::I32, acc + i * m + b));
    exp.push(format!("sent {cap}, got {got}"));
}

/// Receive arms on a channel holding known values: each pass takes the
/// next; once empty, an open channel leaves `default` to win and a closed
/// one yields `None`. An arm on a channel that stays empty never wins.
fn drain(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) {
    let t = *rng.pick(INTS);
    let tn = t.name();
    let vals: Vec<i64> = (0..rng.range(0, 3)).map(|_| int(rng, t)).collect();
    let cap = vals.len() as i64 + rng.range(0, 2);
    let closed = rng.chance(1, 2);
    let idle = rng.chance(1, 2);
    let _ = writeln!(
        body,
        "  let ch: Channel<{tn}> = Channel.init(capacity = {cap});"
    );
    if idle {
        let _ = writeln!(
            body,
            "  let idle: Channel<String> = Channel.init(capacity = 1);"
        );
    }
    for v in &vals {
        let _ = writeln!(body, "  ch.send(value = {});", Val::Int(t, *v).literal());
    }
    if closed {
        body.push_str("  ch.close();\n");
    }
    let passes = vals.len() as i64 + rng.range(1, 2);
    let mut arms = vec![
        format!("      let v: Option<{tn}> = ch.recv() -> {{\n        print(value = \"got ${{v}}\");\n      }}\n"),
        "      default -> {\n        print(value = \"default\");\n      }\n".to_string(),
    ];
    if idle {
        arms.push("      let s: Option<String> = idle.recv() -> {\n        print(value = \"idle ${s}\");\n      }\n".into());
    }
    for i in (1..arms.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        arms.swap(i, j);
    }
    let _ = writeln!(body, "  for (i: Int32 in 0..{passes}) {{\n    select {{");
    for a in arms {
        body.push_str(&a);
    }
    body.push_str("    }\n  }\n");
    for p in 0..passes as usize {
        exp.push(match vals.get(p) {
            Some(v) => format!("got Some({v})"),
            None if closed => "got None".into(),
            None => "default".into(),
        });
    }
}

/// A pump between tasks: a producer task sends known values into `inp`,
/// a consumer task sums what arrives on `out`; the main task selects
/// between receiving from `inp` and sending its oldest pending value to
/// `out` (both arms may be ready: either choice keeps the sum), and
/// flushes what is left once `inp` is closed.
fn pump(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) {
    let t = *rng.pick(INTS);
    let tn = t.name();
    let vals: Vec<i64> = (0..rng.range(0, 12)).map(|_| int(rng, t)).collect();
    let lits: Vec<String> = vals.iter().map(|v| Val::Int(t, *v).literal()).collect();
    let (ci, co) = (rng.range(0, 2), rng.range(0, 2));
    let recv_arm = format!("        let v: Option<{tn}> = inp.recv() -> {{\n          if (v.is_none()) {{\n            open = false;\n          }} else {{\n            pending.push(value = v.unwrap());\n          }}\n        }}\n");
    let send_arm = "        out.send(value = pending[0].unwrap()) -> {\n          pending.remove_at(index = 0);\n        }\n".to_string();
    let arms = if rng.chance(1, 2) {
        recv_arm + &send_arm
    } else {
        send_arm + &recv_arm
    };
    let _ = writeln!(
        body,
        "  let inp: Channel<{tn}> = Channel.init(capacity = {ci});\n  let out: Channel<{tn}> = Channel.init(capacity = {co});\n  let pending: List[{tn}] = [];\n  var open: Bool = true;\n  concurrent {{\n    spawn {{\n      let xs: List[{tn}] = [{}];\n      for (x: {tn} in xs) {{\n        inp.send(value = x);\n      }}\n      inp.close();\n    }};\n    let consumer: Task<{tn}> = spawn {{\n      var s: {tn} = 0;\n      for (x: {tn} in out) {{\n        s = s + x;\n      }}\n      return s;\n    }};\n    while (open) {{\n      if (pending.len() == 0) {{\n        let v: Option<{tn}> = inp.recv();\n        if (v.is_none()) {{\n          open = false;\n        }} else {{\n          pending.push(value = v.unwrap());\n        }}\n        continue;\n      }}\n      select {{\n{arms}      }}\n    }}\n    for (x: {tn} in pending) {{\n      out.send(value = x);\n    }}\n    out.close();\n    print(value = consumer.await());\n  }}",
        lits.join(", ")
    );
    let sum = vals.iter().fold(0i64, |s, v| wrap(t, s.wrapping_add(*v)));
    exp.push(sum.to_string());
}

pub fn select(rng: &mut Rng, _id: u32) -> Body {
    let mut body = String::new();
    let mut exp = Vec::new();
    let mut parts: Vec<fn(&mut Rng, &mut String, &mut Vec<String>)> = vec![merge];
    if rng.chance(1, 2) {
        parts.push(fill);
    }
    if rng.chance(1, 2) {
        parts.push(drain);
    }
    if rng.chance(1, 2) {
        parts.push(pump);
    }
    if rng.chance(1, 2) {
        parts.push(super::timeouts::timeouts);
    }
    for i in (1..parts.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        parts.swap(i, j);
    }
    // Each part in its own block, so their locals do not clash.
    for p in parts {
        let mut inner = String::new();
        p(rng, &mut inner, &mut exp);
        body.push_str("  if (true) {\n");
        for l in inner.lines() {
            let _ = writeln!(body, "  {l}");
        }
        body.push_str("  }\n");
    }
    Body::Text {
        items: String::new(),
        body,
        expected: exp,
        exit: None,
    }
}
