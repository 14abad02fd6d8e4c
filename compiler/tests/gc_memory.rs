//! The collector keeps memory flat: a program that allocates about 2 GiB
//! in all while keeping almost nothing runs in a small, bounded peak RSS.
//! (Without the collector it would need the whole 2 GiB: this test cannot
//! pass with collection switched off.) The bound is generous (64 MiB) so
//! that a loaded machine cannot make it fail; the figure itself is a
//! benchmark's business (bench/RESULTS.md).

use std::path::Path;
use std::process::Command;

mod support;

/// Runs `exe` with `env` and returns (exit status, stdout, peak RSS in
/// bytes), the peak from `wait4`'s resource usage.
fn run_measured(exe: &Path, env: &[(&str, &str)]) -> (i32, String, u64) {
    let (code, stdout, _, peak) = run_measured_with_stderr(exe, env);
    (code, stdout, peak)
}

/// As [`run_measured`], with the program's stderr as well.
fn run_measured_with_stderr(exe: &Path, env: &[(&str, &str)]) -> (i32, String, String, u64) {
    let out_path = exe.with_extension("stdout");
    let err_path = exe.with_extension("stderr");
    let out = std::fs::File::create(&out_path).expect("stdout file");
    let err = std::fs::File::create(&err_path).expect("stderr file");
    let child = Command::new(exe)
        .envs(env.iter().copied())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("start the program");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data, written by `wait4`.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, with valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    std::mem::forget(child);
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    // Linux reports ru_maxrss in KiB.
    (code, stdout, stderr, usage.ru_maxrss as u64 * 1024)
}

/// The largest heap size at the start of a collection in a
/// `PLAT_GC_TRACE=1` log (`gc N: heap A->B MiB ...`), in MiB.
fn peak_heap_in_trace(trace: &str) -> f64 {
    trace
        .lines()
        .filter_map(|line| {
            let rest = line.split_once(": heap ")?.1;
            rest.split_once("->")?.0.trim().parse::<f64>().ok()
        })
        .fold(0.0, f64::max)
}

#[test]
fn a_long_allocating_loop_runs_in_flat_memory() {
    let exe = support::build("gc", "churn_2gib");
    let (code, stdout, peak) = run_measured(&exe, &[]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "668888890\n");
    assert!(
        peak < 64 << 20,
        "peak RSS {} MiB for a loop that allocates about 2 GiB",
        peak >> 20
    );
}

/// A loop that spawns a million tasks outruns the workers running them;
/// the spawner lets its queue drain past a few hundred tasks, and the
/// collector frees the ended tasks' handles and environments, so peak
/// RSS stays small on one worker and on four. (Queueing them all took
/// 440 MiB; never freeing them, 140 MiB.)
#[test]
fn a_million_spawns_in_a_loop_run_in_small_memory() {
    let exe = support::build("gc", "spawn_loop_1m");
    for workers in ["1", "4"] {
        let (code, stdout, peak) = run_measured(&exe, &[("PLAT_WORKERS", workers)]);
        assert_eq!(code, 0, "{workers} workers");
        assert_eq!(stdout, "499999500000\n", "{workers} workers");
        assert!(
            peak < 64 << 20,
            "peak RSS {} MiB for 1,000,000 spawns on {workers} workers",
            peak >> 20
        );
    }
}

/// The pacer's settings decide the heap's size around a live set of
/// about 12 MiB: the default (collect when the heap has doubled), a
/// larger PLAT_GC_PERCENT, a soft PLAT_GC_MEMLIMIT under it, and
/// collection switched off (then the ~600 MiB of garbage stays).
#[test]
fn the_pacer_follows_gc_percent_and_the_memory_limit() {
    let exe = support::build("gc", "live_and_churn");
    let peak_with = |env: &[(&str, &str)]| {
        let (code, stdout, peak) = run_measured(&exe, env);
        assert_eq!(code, 0, "{env:?}");
        assert_eq!(stdout, "255777780\n", "{env:?}");
        peak >> 20
    };
    let default = peak_with(&[]);
    assert!(default < 64, "default: peak RSS {default} MiB");
    let roomy = peak_with(&[("PLAT_GC_PERCENT", "400")]);
    assert!(
        roomy >= 56,
        "PLAT_GC_PERCENT=400: peak RSS only {roomy} MiB"
    );
    // The limit is judged on the heap the pacer controls, from the trace:
    // peak RSS also counts freed spans the lazy sweep has not handed out
    // again yet, which a loaded machine (a sweeper that gets no CPU)
    // inflates well past the heap (48-58 MiB RSS seen for a 31 MiB heap).
    let env = [
        ("PLAT_GC_PERCENT", "400"),
        ("PLAT_GC_MEMLIMIT", "24"),
        ("PLAT_GC_TRACE", "1"),
    ];
    let (code, stdout, trace, limited) = run_measured_with_stderr(&exe, &env);
    assert_eq!(code, 0, "{env:?}");
    assert_eq!(stdout, "255777780\n", "{env:?}");
    let heap = peak_heap_in_trace(&trace);
    assert!(
        heap > 0.0 && heap < 40.0,
        "PLAT_GC_MEMLIMIT=24 (PLAT_GC_PERCENT=400): the heap reached {heap} MiB \
         when a collection started (goal 24)"
    );
    let limited = limited >> 20;
    assert!(
        limited < 96,
        "PLAT_GC_MEMLIMIT=24 (PLAT_GC_PERCENT=400): peak RSS {limited} MiB"
    );
    let off = peak_with(&[("PLAT_GC_PERCENT", "off")]);
    assert!(off > 400, "PLAT_GC_PERCENT=off: peak RSS only {off} MiB");
}
