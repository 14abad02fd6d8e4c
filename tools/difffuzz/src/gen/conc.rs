//! Deterministic concurrency: results that do not depend on the schedule.
//! Tasks computing values awaited in order, a channel pipeline, and a
//! worker pool (a shared job channel whose total is printed, and workers
//! with fixed shares whose per-worker sums are printed).

use super::scalar::pure_expr;
use super::Body;
use crate::ast::render_expr;
use crate::rng::Rng;
use crate::value::{wrap, Ty, Val};
use std::fmt::Write as _;

/// `concurrent { spawn { return e; } ... }` with captured locals; each
/// task awaited in order (some twice, some from another task).
pub fn tasks(rng: &mut Rng, id: u32) -> Body {
    let mut body = String::new();
    let mut expected = Vec::new();
    let a = Val::Int(Ty::I64, rng.range(-1000, 1000));
    let b = Val::Int(Ty::I32, rng.range(-50, 50));
    let s = super::types::plain(rng, Ty::Str);
    let vars = vec![
        (format!("a{id}"), Ty::I64),
        (format!("b{id}"), Ty::I32),
        (format!("s{id}"), Ty::Str),
    ];
    let env = vec![a.clone(), b.clone(), s.clone()];
    for (n, v) in vars.iter().zip(&env) {
        let _ = writeln!(body, "  let {}: {} = {};", n.0, n.1.name(), v.literal());
    }
    body.push_str("  concurrent {\n");
    let n = rng.range(1, 5);
    let mut results = Vec::new();
    for t in 0..n {
        let ty = *rng.pick(&[Ty::I64, Ty::I32, Ty::Str, Ty::Bool, Ty::F64]);
        let (e, v) = pure_expr(rng, &vars, ty, std::slice::from_ref(&env), 3);
        let _ = writeln!(
            body,
            "    let t{t}: Task<{}> = spawn {{\n      return {};\n    }};",
            ty.name(),
            render_expr(&e)
        );
        results.push((ty, v[0].clone()));
    }
    for (t, (_, v)) in results.iter().enumerate() {
        let _ = writeln!(body, "    print(value = t{t}.await());");
        expected.push(v.show());
    }
    // Await from another task, and a loop of tasks summed in order.
    let (ty0, v0) = &results[0];
    let _ = writeln!(
        body,
        "    let again: Task<{}> = spawn {{\n      return t0.await();\n    }};\n    print(value = again.await());",
        ty0.name()
    );
    expected.push(v0.show());
    let k = rng.range(1, 6);
    let _ = writeln!(
        body,
        "    let parts: List[Task<Int64>] = [];\n    for (i: Int64 in 0..{k}) {{\n      parts.push(value = spawn {{\n        return i * a{id};\n      }});\n    }}\n    var total: Int64 = 0;\n    for (p: Task<Int64> in parts) {{\n      total = total + p.await();\n    }}\n    print(value = total);"
    );
    let av = a.as_int();
    expected.push(
        (0..k)
            .fold(0i64, |acc, i| acc.wrapping_add(i.wrapping_mul(av)))
            .to_string(),
    );
    body.push_str("  }\n");
    Body::Text {
        items: String::new(),
        body,
        expected,
        exit: None,
    }
}

/// generate 1..=n -> map x*m+c (Int64, wrapping) -> sum, over channels of
/// random capacity.
pub fn pipeline(rng: &mut Rng, _id: u32) -> Body {
    let n = rng.range(0, 300);
    let m = rng.range(-5_000_000_000, 5_000_000_000);
    let c = rng.range(-100, 100);
    let cap1 = rng.range(0, 4);
    let cap2 = rng.range(0, 4);
    let mut body = String::new();
    let _ = writeln!(
        body,
        "  let nums: Channel<Int64> = Channel.init(capacity = {cap1});\n  let outs: Channel<Int64> = Channel.init(capacity = {cap2});\n  var sum: Int64 = 0;\n  var count: Int32 = 0;\n  concurrent {{\n    spawn {{\n      for (i: Int64 in 1..={n}) {{\n        nums.send(value = i);\n      }}\n      nums.close();\n    }};\n    spawn {{\n      for (x: Int64 in nums) {{\n        outs.send(value = x * {} + {c});\n      }}\n      outs.close();\n    }};\n    for (y: Int64 in outs) {{\n      sum = sum + y;\n      count = count + 1;\n    }}\n  }}\n  print(value = \"${{count}} ${{sum}}\");",
        Val::Int(Ty::I64, m).literal()
    );
    let mut sum = 0i64;
    for i in 1..=n {
        sum = sum.wrapping_add(i.wrapping_mul(m).wrapping_add(c));
    }
    Body::Text {
        items: String::new(),
        body,
        expected: vec![format!("{n} {sum}")],
        exit: None,
    }
}

/// A worker pool: W workers take jobs from one channel and send results
/// to another (the total is schedule-independent); then W workers each
/// sum a fixed share (job j goes to worker j % W) into its own slot.
pub fn pool(rng: &mut Rng, id: u32) -> Body {
    let w = rng.range(1, 4);
    let jobs = rng.range(0, 200);
    let t = *rng.pick(&[Ty::I32, Ty::I64, Ty::I16]);
    let k = rng.range(1, 1000);
    let tn = t.name();
    let mut items = String::new();
    let _ = writeln!(
        items,
        "fn work{id}(j: {tn}) -> {tn} {{\n  return j * j * {} - j;\n}}\n",
        Val::Int(t, wrap(t, k)).literal()
    );
    let work = |j: i64| {
        let jj = wrap(t, j);
        wrap(t, wrap(t, wrap(t, jj * jj).wrapping_mul(wrap(t, k))) - jj)
    };
    let mut body = String::new();
    let _ = writeln!(
        body,
        "  let jobs: Channel<{tn}> = Channel.init(capacity = 8);\n  let results: Channel<{tn}> = Channel.init(capacity = 8);\n  var total: {tn} = 0;\n  concurrent {{\n    for (w: Int32 in 0..{w}) {{\n      spawn {{\n        for (j: {tn} in jobs) {{\n          results.send(value = work{id}(j = j));\n        }}\n      }};\n    }}\n    spawn {{\n      for (j: Int32 in 0..{jobs}) {{\n        jobs.send(value = cast(value = j, target = {tn}));\n      }}\n      jobs.close();\n    }};\n    for (r: Int32 in 0..{jobs}) {{\n      total = total + results.recv().unwrap();\n    }}\n  }}\n  print(value = total);"
    );
    let mut total = 0i64;
    for j in 0..jobs {
        total = wrap(t, total + work(j));
    }
    let mut expected = vec![total.to_string()];
    let _ = writeln!(
        body,
        "  let slots: List[{tn}] = [];\n  for (w: Int32 in 0..{w}) {{\n    slots.push(value = 0);\n  }}\n  concurrent {{\n    for (w: Int32 in 0..{w}) {{\n      spawn {{\n        var mine: {tn} = 0;\n        var j: Int32 = w;\n        while (j < {jobs}) {{\n          mine = mine + work{id}(j = cast(value = j, target = {tn}));\n          j = j + {w};\n        }}\n        slots.set(index = w, value = mine);\n      }};\n    }}\n  }}\n  print(value = slots);"
    );
    let mut slots = vec![0i64; w as usize];
    for j in 0..jobs {
        let s = &mut slots[(j % w) as usize];
        *s = wrap(t, *s + work(j));
    }
    expected.push(crate::value::show_list(
        &slots.iter().map(|v| Val::Int(t, *v)).collect::<Vec<_>>(),
    ));
    Body::Text {
        items,
        body,
        expected,
        exit: None,
    }
}
