//! End-to-end: a C stand-in for a compiled program (`programs/smoke.c`
//! defines `plat_main` and calls the runtime the way generated code will)
//! is linked against `libplat_rt.a` with the same command as
//! `compiler/src/link.rs`, then run in each mode it knows.
//!
//! Needs a C compiler (`cc`, or `PLAT_CC`), as linking Plat programs does.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const LIBS: &[&str] = &[
    "-lgcc_s",
    "-lutil",
    "-lrt",
    "-lpthread",
    "-lm",
    "-ldl",
    "-lc",
];

/// Builds `libplat_rt.a` (cargo builds only the rlib for tests) with a
/// nested cargo in a target directory of its own, and returns its path.
fn archive() -> PathBuf {
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("plat-rt-smoke");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--lib", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_MAKEFLAGS")
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building libplat_rt.a failed");
    target_dir.join("debug").join("libplat_rt.a")
}

/// Builds `programs/NAME.c` into an executable.
fn build(name: &str) -> PathBuf {
    {
        let dir = std::env::temp_dir().join(format!("plat-rt-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/programs/{name}.c"));
        let obj = dir.join(format!("{name}.o"));
        let exe = dir.join(name);
        let cc = std::env::var("PLAT_CC").unwrap_or_else(|_| "cc".to_owned());
        let ok = Command::new(&cc)
            .args(["-O1", "-c", "-o"])
            .arg(&obj)
            .arg(&src)
            .status()
            .expect("cc runs");
        assert!(ok.success(), "compiling smoke.c failed");
        let ok = Command::new(&cc)
            .args(["-no-pie", "-Wl,--gc-sections", "-o"])
            .arg(&exe)
            .arg(&obj)
            .arg(archive())
            .args(LIBS)
            .status()
            .expect("cc runs");
        assert!(ok.success(), "linking smoke failed");
        exe
    }
}

/// Builds the smoke program once per test run.
fn program() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build("smoke"))
}

/// Builds the tasks program once per test run.
fn tasks_program() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build("tasks"))
}

/// Builds the scheduler-tools program once per test run.
fn sched_program() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build("sched"))
}

fn run_sched(mode: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(sched_program());
    cmd.env("MODE", mode)
        .env_remove("PLAT_SEED")
        .env_remove("PLAT_TRACE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("sched program runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn seeded_log(seed: u64) -> String {
    let seed = seed.to_string();
    // PLAT_WORKERS is ignored in seeded mode (one worker).
    let out = run_sched("log", &[("PLAT_SEED", &seed), ("PLAT_WORKERS", "4")]);
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(log.len(), 101, "{log}");
    log
}

#[test]
fn sched_same_seed_gives_the_same_interleaving_and_seeds_differ() {
    let first = seeded_log(7);
    for _ in 0..20 {
        assert_eq!(seeded_log(7), first);
    }
    let logs: std::collections::HashSet<String> = (1..=20).map(seeded_log).collect();
    assert!(logs.len() >= 2, "20 seeds gave one interleaving: {first}");
    // Interleaved, not one task after the other.
    assert!(
        logs.iter().any(|l| !l.starts_with(&l[..1].repeat(25))),
        "{logs:?}"
    );
}

/// Sleepers wake in deadline order. In virtual time (PLAT_SEED) the
/// deadlines cannot be reordered by a loaded machine delaying the
/// spawner, so the order is exact for every seed.
#[test]
fn sched_sleepers_wake_in_deadline_order_in_virtual_time() {
    for seed in ["1", "2", "3", "4", "5"] {
        let out = run_sched("sleeps", &[("PLAT_SEED", seed)]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "1\n20\n40\n60\n",
            "seed {seed}"
        );
    }
}

/// The trace of MODE=trace: valid-looking JSON with every event kind.
#[test]
fn sched_trace_is_a_json_array_of_the_expected_events() {
    for (workers, seed) in [("2", None), ("1", Some("3"))] {
        let path =
            std::env::temp_dir().join(format!("plat-trace-{}-{workers}.json", std::process::id()));
        let p = path.to_string_lossy().into_owned();
        let mut env = vec![("PLAT_TRACE", p.as_str()), ("PLAT_WORKERS", workers)];
        if let Some(s) = seed {
            env.push(("PLAT_SEED", s));
        }
        run_sched("trace", &env);
        let text = std::fs::read_to_string(&path).expect("trace file written");
        std::fs::remove_file(&path).ok();
        let t = text.trim();
        assert!(t.starts_with('[') && t.ends_with(']'), "{text}");
        // Brackets balance outside strings.
        let (mut depth, mut in_str, mut esc) = (0i64, false, false);
        for c in t.chars() {
            match (in_str, esc, c) {
                (true, true, _) => esc = false,
                (true, false, '\\') => esc = true,
                (true, false, '"') => in_str = false,
                (false, _, '"') => in_str = true,
                (false, _, '[' | '{') => depth += 1,
                (false, _, ']' | '}') => {
                    depth -= 1;
                    assert!(depth >= 0, "{text}");
                }
                _ => {}
            }
        }
        assert_eq!(depth, 0, "{text}");
        // Events every interleaving produces: task 3 always sleeps (so it
        // parks and its timer wakes it) and tasks 1 and 2 always end.
        let mut needles = vec![
            "\"ph\":\"B\"",
            "\"ph\":\"E\"",
            "\"name\":\"spawn 1\"",
            "\"name\":\"task main\"",
            "\"name\":\"park 3\"",
            "\"reason\":\"sleeping\"",
            "\"name\":\"wake 3\"",
            "\"name\":\"end 2\"",
            "\"outcome\":\"ok\"",
            "\"name\":\"thread_name\"",
        ];
        // Whether task 1 parks awaiting task 3 depends on the
        // interleaving (a loaded machine may delay task 1 until task 3
        // has ended); with a seed the interleaving is fixed, and this one
        // parks it.
        if seed.is_some() {
            needles.extend(["\"reason\":\"awaiting task 3\"", "\"name\":\"wake 1\""]);
        }
        for needle in needles {
            assert!(text.contains(needle), "no {needle} in {text}");
        }
        // B and E pair up.
        assert_eq!(
            text.matches("\"ph\":\"B\"").count(),
            text.matches("\"ph\":\"E\"").count(),
            "{text}"
        );
    }
}

fn run_tasks(mode: &str, workers: &str) -> Output {
    Command::new(tasks_program())
        .env("MODE", mode)
        .env("PLAT_WORKERS", workers)
        .output()
        .expect("tasks program runs")
}

#[test]
fn tasks_deadlock_is_reported_with_each_task_and_exit_2() {
    for workers in ["1", "2", "4"] {
        let out = run_tasks("deadlock", workers);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(
            err,
            "fatal: all tasks are blocked (deadlock)\n  task main: awaiting task 1\n  \
             task 1 (spawned at t.plat:2:2): awaiting task 2\n  \
             task 2 (spawned at t.plat:3:3): awaiting task 1\n"
        );
    }
}

#[test]
fn tasks_panics_reach_main_with_their_task_chain() {
    for mode in ["panic", "unobserved"] {
        let out = run_tasks(mode, "2");
        assert_eq!(out.status.code(), Some(101));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "panic: kaboom\n  at t.plat:9:9\n  in task 2 (spawned at t.plat:5:5)\n  \
             in task 1 (spawned at t.plat:4:4)\n  in task main\n"
        );
    }
}

#[test]
fn tasks_await_of_a_task_cancelled_by_a_sibling_failure_reraises_it() {
    for workers in ["1", "2", "4"] {
        let out = run_tasks("cascade", workers);
        assert_eq!(out.status.code(), Some(101));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "panic: kaboom\n  at t.plat:9:9\n  in task 1 (spawned at t.plat:10:10)\n  \
             in task main\n"
        );
    }
}

#[test]
fn tasks_await_of_an_explicitly_cancelled_task_panics_at_the_await() {
    let out = run_tasks("cancelled", "2");
    assert_eq!(out.status.code(), Some(101));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "panic: task was cancelled\n  at t.plat:12:12\n"
    );
    let out = run_tasks("cancelled_in_task", "2");
    assert_eq!(out.status.code(), Some(101));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "panic: task was cancelled\n  at t.plat:12:12\n  in task 1 (spawned at t.plat:4:4)\n  \
         in task main\n"
    );
}

#[test]
fn tasks_stack_overflow_in_a_task_is_a_panic_naming_it() {
    let out = run_tasks("overflow", "2");
    assert_eq!(out.status.code(), Some(101));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "panic: stack overflow\n  in task 1 (spawned at t.plat:6:6)\n"
    );
}

#[test]
fn tasks_main_result_is_the_exit_code_after_sleeping() {
    let out = run_tasks("sleep", "1");
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stderr.is_empty());
}

fn run(mode: Option<&str>) -> Output {
    let mut cmd = Command::new(program());
    cmd.env_remove("MODE");
    if let Some(m) = mode {
        cmd.env("MODE", m);
    }
    cmd.output().expect("smoke program runs")
}

const PRELUDE: &str =
    "héllo wörld\nhéllo wörld11\néllo wö\nhéllo wörld-7100000000000000000000true\n";

fn check(mode: Option<&str>, code: i32, stdout: &str, stderr: &str) {
    let out = run(mode);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        stdout,
        "stdout of {mode:?}"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        stderr,
        "stderr of {mode:?}"
    );
    assert_eq!(out.status.code(), Some(code), "exit code of {mode:?}");
}

#[test]
fn the_program_prints_and_exits_with_plat_main_result() {
    check(None, 3, PRELUDE, "");
}

#[test]
fn panics_flush_stdout_then_report_on_stderr_with_101() {
    check(
        Some("panic"),
        101,
        PRELUDE,
        "panic: héllo wörld\n  at t.plat:1:2\n",
    );
    check(
        Some("panic_cstr"),
        101,
        PRELUDE,
        "panic: division by zero\n  at t.plat:3:4\n",
    );
}

#[test]
fn failed_asserts_report_and_exit_with_1() {
    check(
        Some("assert"),
        1,
        PRELUDE,
        "✗ Assertion failed\n  at t.plat:5:6\n",
    );
    check(
        Some("assert_msg"),
        1,
        PRELUDE,
        "✗ héllo wörld\n  at t.plat:5:6\n",
    );
}

#[test]
fn process_exit_flushes_and_exits_with_its_code() {
    check(Some("exit"), 42, PRELUDE, "");
}

#[test]
fn a_stack_limit_trap_is_a_stack_overflow_panic() {
    check(Some("overflow"), 101, PRELUDE, "panic: stack overflow\n");
}

#[test]
fn a_segfault_is_reported_as_a_runtime_bug() {
    check(
        Some("segv"),
        134,
        PRELUDE,
        "fatal: segmentation fault (SIGSEGV at address 0x10; a runtime or compiler bug)\n  in task main\n",
    );
}

#[test]
fn collections_link_print_and_panic_out_of_range() {
    let stdout = format!(
        "{PRELUDE}[0, 7, 4, 9, 16]\n[true, false, true, true]\n[0, -1000, -2000, -3000, -32768]\n{{\"héllo wörld\": 1}}\n"
    );
    let stderr = "panic: index 9 out of range for list of length 5\n  at t.plat:7:8\n";
    check(Some("collections"), 101, &stdout, stderr);
}

#[test]
fn block_buffered_output_is_complete_and_in_order() {
    let out = run(Some("many"));
    let text = String::from_utf8_lossy(&out.stdout);
    let numbers: Vec<&str> = text.lines().skip(4).collect();
    assert_eq!(numbers.len(), 1_000_000);
    assert!(numbers.iter().enumerate().all(|(i, n)| *n == i.to_string()));
    assert_eq!(out.status.code(), Some(0));
}
