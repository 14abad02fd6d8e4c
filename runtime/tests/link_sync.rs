//! End-to-end for the synchronisation library: `programs/sync.c` (a C
//! stand-in for a compiled program) linked against `libplat_rt.a` as
//! `tests/link_smoke.rs` does, run in each of its modes: deadlock
//! reports naming the sync object and where it was made, bad use as
//! panics with exit 101, a failed task releasing its mutex, and the
//! time-based calls in virtual time (`PLAT_SEED`), where their outcome is
//! exact.
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

/// Builds `libplat_rt.a` with a nested cargo (the target directory
/// `tests/link_smoke.rs` uses, so the archive is built once).
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

/// `programs/sync.c`, built once per test run.
fn program() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("plat-rt-sync-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs/sync.c");
        let (obj, exe) = (dir.join("sync.o"), dir.join("sync"));
        let cc = std::env::var("PLAT_CC").unwrap_or_else(|_| "cc".to_owned());
        let ok = Command::new(&cc)
            .args(["-O1", "-c", "-o"])
            .arg(&obj)
            .arg(&src)
            .status()
            .expect("cc runs");
        assert!(ok.success(), "compiling sync.c failed");
        let ok = Command::new(&cc)
            .args(["-no-pie", "-Wl,--gc-sections", "-o"])
            .arg(&exe)
            .arg(&obj)
            .arg(archive())
            .args(LIBS)
            .status()
            .expect("cc runs");
        assert!(ok.success(), "linking sync failed");
        exe
    })
}

fn run(mode: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(program());
    cmd.env("MODE", mode)
        .env_remove("PLAT_SEED")
        .env_remove("PLAT_TRACE")
        .env_remove("PLAT_WORKERS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("sync program runs")
}

/// Every schedule worth trying: 1, 2 and 4 workers, and three seeds.
const SCHEDULES: &[&[(&str, &str)]] = &[
    &[("PLAT_WORKERS", "1")],
    &[("PLAT_WORKERS", "2")],
    &[("PLAT_WORKERS", "4")],
    &[("PLAT_SEED", "1")],
    &[("PLAT_SEED", "2")],
    &[("PLAT_SEED", "3")],
];

fn check(mode: &str, code: i32, stdout: &str, stderr: &str) {
    for env in SCHEDULES {
        let out = run(mode, env);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{mode} {env:?}: {err}");
        assert_eq!(err, stderr, "{mode} {env:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            stdout,
            "{mode} {env:?}"
        );
    }
}

const DEADLOCK: &str = "fatal: all tasks are blocked (deadlock)\n";

#[test]
fn deadlocks_name_the_sync_object_and_where_it_was_made() {
    let one = |main: &str| format!("{DEADLOCK}  task main: {main} made at s.plat:3:7\n");
    check(
        "mutex_deadlock",
        2,
        "",
        &format!(
            "{DEADLOCK}  task main: awaiting task 1\n  \
             task 1 (spawned at s.plat:9:5): locking mutex made at s.plat:3:7\n"
        ),
    );
    check(
        "rwlock_deadlock",
        2,
        "",
        &format!(
            "{DEADLOCK}  task main: awaiting task 1\n  \
             task 1 (spawned at s.plat:9:5): read-locking rwlock made at s.plat:3:7\n"
        ),
    );
    check("cond_deadlock", 2, "", &one("waiting on condition"));
    check("wg_deadlock", 2, "", &one("waiting on wait group"));
    check("sem_deadlock", 2, "", &one("acquiring semaphore"));
    check(
        "once_deadlock",
        2,
        "",
        &format!(
            "{DEADLOCK}  task main: waiting for once made at s.plat:3:7\n  \
             task 1 (spawned at s.plat:9:5): waiting on wait group made at s.plat:4:4\n"
        ),
    );
}

/// A running ticker nobody receives from does not hide a deadlock (it
/// would otherwise tick for ever), nor does a token's timeout nobody
/// waits on delay it; ones a task waits on are not deadlocks.
#[test]
fn timers_nobody_waits_on_do_not_hide_a_deadlock() {
    check(
        "ticker_deadlock",
        2,
        "",
        &format!("{DEADLOCK}  task main: waiting on wait group made at s.plat:3:7\n"),
    );
    check("ticker_wakes", 0, "3 ticks\n", "");
    check(
        "timeout_deadlock",
        2,
        "",
        &format!("{DEADLOCK}  task main: waiting on wait group made at s.plat:3:7\n"),
    );
    check("timeout_wakes", 0, "cancelled\n", "");
}

#[test]
fn bad_use_is_a_panic_with_its_location() {
    check(
        "unlock_panic",
        101,
        "",
        "panic: unlock of a Mutex this task does not hold\n  at s.plat:6:6\n",
    );
    check(
        "wg_panic",
        101,
        "",
        "panic: negative WaitGroup counter\n  at s.plat:6:6\n",
    );
    check(
        "sem_panic",
        101,
        "",
        "panic: Semaphore released more times than acquired\n  at s.plat:6:6\n",
    );
}

/// A task that panics holding a mutex releases it (compiled
/// `critical(f)` is lock / call / unlock), and the panic still reaches
/// main.
#[test]
fn a_task_failing_in_a_critical_section_releases_its_mutex() {
    check(
        "critical_panic",
        101,
        "main got the mutex\n",
        "panic: boom\n  at s.plat:8:8\n  in task 1 (spawned at s.plat:9:5)\n  in task main\n",
    );
}

/// In virtual time a ticker's drops and a rate limiter's pace are exact.
#[test]
fn ticker_and_rate_limiter_in_virtual_time() {
    for seed in ["1", "2", "3", "4"] {
        let env = [("PLAT_SEED", seed)];
        let out = run("ticker_drop", &env);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "len 1 first 1 second 0 next after 5 ms\n",
            "seed {seed}"
        );
        let out = run("limiter", &env);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "0 0 1 2 3 4\n",
            "seed {seed}"
        );
    }
}

/// `PLAT_TRACE` shows tasks parking on sync objects, and their wake-ups.
#[test]
fn the_trace_shows_parking_on_sync_objects() {
    let path = std::env::temp_dir().join(format!("plat-sync-trace-{}.json", std::process::id()));
    let p = path.to_string_lossy().into_owned();
    let out = run("mutex_deadlock", &[("PLAT_TRACE", &p), ("PLAT_SEED", "1")]);
    assert_eq!(out.status.code(), Some(2));
    let text = std::fs::read_to_string(&path).expect("trace file written");
    std::fs::remove_file(&path).ok();
    for needle in [
        "\"name\":\"park 1\"",
        "\"reason\":\"locking mutex made at s.plat:3:7\"",
    ] {
        assert!(text.contains(needle), "no {needle} in {text}");
    }
    let path = std::env::temp_dir().join(format!("plat-sync-trace2-{}.json", std::process::id()));
    let p = path.to_string_lossy().into_owned();
    let out = run("ticker_wakes", &[("PLAT_TRACE", &p), ("PLAT_SEED", "1")]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&path).expect("trace file written");
    std::fs::remove_file(&path).ok();
    for needle in [
        "\"reason\":\"receiving from channel made at s.plat:2:2\"",
        "\"name\":\"wake main\"",
    ] {
        assert!(text.contains(needle), "no {needle} in {text}");
    }
}

/// The anchors' mutex_counter (smaller): an exact count on every
/// schedule.
#[test]
fn mutex_counter_counts_exactly() {
    for env in SCHEDULES {
        let mut env = env.to_vec();
        env.push(("N", "20000"));
        let out = run("counter", &env);
        assert_eq!(out.status.code(), Some(0), "{env:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "80000\n", "{env:?}");
    }
}
