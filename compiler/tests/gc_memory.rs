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
    let out_path = exe.with_extension("stdout");
    let out = std::fs::File::create(&out_path).expect("stdout file");
    let child = Command::new(exe)
        .envs(env.iter().copied())
        .stdout(out)
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
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    // Linux reports ru_maxrss in KiB.
    (code, stdout, usage.ru_maxrss as u64 * 1024)
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
    let limited = peak_with(&[("PLAT_GC_PERCENT", "400"), ("PLAT_GC_MEMLIMIT", "24")]);
    assert!(
        limited < 48,
        "PLAT_GC_MEMLIMIT=24 (PLAT_GC_PERCENT=400): peak RSS {limited} MiB"
    );
    let off = peak_with(&[("PLAT_GC_PERCENT", "off")]);
    assert!(off > 400, "PLAT_GC_PERCENT=off: peak RSS only {off} MiB");
}
