//! A panic lists the calls it came through (`called from LOC` lines,
//! runtime/src/backtrace.rs), innermost first, inlined calls included,
//! whatever the schedule: the programs of tests/trace are built and run,
//! and their whole stderr compared.

mod support;

use std::process::Command;

/// Runs `tests/trace/NAME.plat` under `env` and returns (exit code,
/// stdout, stderr).
fn run(name: &str, env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let exe = support::build("trace", name);
    let out = Command::new(&exe)
        .envs(env.iter().copied())
        .output()
        .expect("run the program");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `inner` and `middle` are inlined into `rec`, and `rec` into itself
/// (three levels): the trace still names every call, and a recursion of
/// 40 keeps its 20 innermost and 5 outermost calls.
#[test]
fn ensure_that_a_panic_lists_every_call_inlined_ones_too() {
    let f = "tests/trace/recursion.plat";
    let mut want = format!(
        "panic: called `unwrap()` on `None`\n  at {f}:5:10\n  called from {f}:9:18\n  called from {f}:15:12\n"
    );
    for _ in 0..18 {
        want.push_str(&format!("  called from {f}:17:10\n"));
    }
    want.push_str("  ... 18 more calls ...\n");
    for _ in 0..4 {
        want.push_str(&format!("  called from {f}:17:10\n"));
    }
    want.push_str(&format!(
        "  called from {f}:23:41\n  in task 1 (spawned at {f}:23:26)\n  in task main\n"
    ));
    for env in [
        &[("PLAT_WORKERS", "1")][..],
        &[("PLAT_WORKERS", "4")],
        &[("PLAT_SEED", "7")],
    ] {
        let (code, stdout, stderr) = run("recursion", env);
        assert_eq!(code, Some(101), "{env:?}: {stderr}");
        assert_eq!(stdout, "3\n", "{env:?}");
        assert_eq!(stderr, want, "{env:?}");
    }
}

/// Methods, an enum method, a closure called through a function value:
/// each call on the way, in the main task (no task lines).
#[test]
fn ensure_that_a_panic_lists_calls_through_methods_and_closures() {
    let f = "tests/trace/methods.plat";
    let (code, stdout, stderr) = run("methods", &[]);
    assert_eq!(code, Some(101), "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!(
            "panic: over the limit: 12\n  at {f}:7:7\n  called from {f}:19:28\n  called from {f}:36:90\n  called from {f}:28:13\n  called from {f}:36:18\n"
        )
    );
}
