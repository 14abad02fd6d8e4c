//! The `plat test` runner (docs/testing.md): runs each case of the
//! compiled case table as a task and reports it, so that a case that
//! panics, overflows its stack or deadlocks fails alone.
//!
//! - **Cases are tasks.** The main task (the runner) starts each case in a
//!   scope of its own (pushed on the runner's scope stack, so the
//!   collector marks the case's failure), all at once (parallel) or one at
//!   a time (`--serial`, and always in seeded mode), and waits for them
//!   in declaration order, printing `✓ block::case` / `✗ block::case` and
//!   the failures under it, then `N tests, P passed, F failed`. Exit code
//!   1 if any case failed.
//! - **Failed asserts** (`plat_test_assert_fail`) are recorded on the case
//!   of the task that failed (found by walking scope owners up to a case
//!   scope) and the task goes on.
//! - **A panic** ends the case's task as failed (as for any task); its
//!   rendering is the case's failure.
//! - **Deadlock**: the scheduler's detection (every task parked, nothing
//!   can wake one) calls [`on_deadlock`] instead of ending the process.
//!   Then every started case that has not ended is deadlocked (its tasks
//!   are all parked for good): it is marked failed, with the list of its
//!   blocked tasks, and the runner is made runnable. The deadlocked tasks
//!   stay parked until the process exits.
//! - **Seeded mode** (`PLAT_SEED=s`): cases run one at a time and the
//!   generator is reseeded with `s` before each case starts, so a case
//!   sees the same schedule whether it runs alone (`-f block.case`) or
//!   after others: a failing seed replays.
//! - **Time limit** (`--timeout SECONDS`, default
//!   [`DEFAULT_TIMEOUT_S`], 0: none): a task cannot be killed, so a
//!   watchdog thread watches the case the runner is waiting for (the
//!   *head*). If the head is still running `SECONDS` after it started
//!   (real time, in seeded mode too), the watchdog marks it timed out and
//!   wakes the runner, which reports it failed (`✗ block::case: timed
//!   out after N s`), cancels its scope (its tasks end at their next
//!   safepoint; a task blocked outside Plat code stays until the process
//!   exits, as a deadlocked one) and goes on with the next case. A later
//!   case that is still running when it becomes the head has also been
//!   running since its start, so it is judged on the same clock; one that
//!   ended meanwhile is judged on its result.
//! - `PLAT_TEST_REPORT=FILE`: also writes one line per case,
//!   `block.case<TAB>ok|fail<TAB>first failure line`, for
//!   `plat test --schedules`.
//!
//! # Invariants
//!
//! - Only the runner (the main task) starts cases and reads their
//!   outcome; a case's scope is freed only once every child ended
//!   (`Scope::all_ended`), as for `concurrent` blocks.
//! - The watch (the head and its deadline) is set and cleared by the
//!   runner only; the watchdog marks a case timed out only while it is
//!   still the head, under the watch lock, so the runner, which clears
//!   the head under that lock before reading the mark, sees a stable
//!   answer.
//! - [`on_deadlock`] runs while every task is parked (see
//!   `worker::spin_then_sleep`), under the idle lock in multi-worker
//!   mode: it takes no idle lock itself (the caller re-queues the runner).

use std::ffi::{c_char, CStr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use super::task::{FiberRef, Reason, Scope, Task};
use super::{enqueue, lifecycle, seed, trace, trace_spawn};
use crate::ctx::PlatCtx;
use crate::stdout;

/// One entry of the compiled case table (docs/runtime-abi.md, "Test and
/// bench entry").
#[repr(C)]
pub struct CaseEntry {
    pub block: *const c_char,
    pub name: *const c_char,
    pub run: unsafe extern "C" fn(*mut PlatCtx) -> i64,
    pub loc: *const c_char,
}

// The layout the compiler emits (plat_abi::tables::case).
const _: () = {
    use plat_abi::tables::case;
    use std::mem::{offset_of, size_of};
    assert!(offset_of!(CaseEntry, block) == case::BLOCK);
    assert!(offset_of!(CaseEntry, name) == case::NAME);
    assert!(offset_of!(CaseEntry, run) == case::RUN);
    assert!(offset_of!(CaseEntry, loc) == case::LOC);
    assert!(size_of::<CaseEntry>() == case::SIZE);
};

impl CaseEntry {
    fn text(p: *const c_char) -> String {
        if p.is_null() {
            return String::new();
        }
        // SAFETY: the compiler's table holds static NUL-terminated strings.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    /// `block::case`, as results show it.
    pub fn shown(&self) -> String {
        format!("{}::{}", Self::text(self.block), Self::text(self.name))
    }

    /// `block.case`, as filters and replay commands name it.
    pub fn dotted(&self) -> String {
        format!("{}.{}", Self::text(self.block), Self::text(self.name))
    }

    pub fn block(&self) -> String {
        Self::text(self.block)
    }

    /// Where the case is declared, `file:line:col`.
    pub fn location(&self) -> String {
        Self::text(self.loc)
    }
}

/// The time limit of a case when the runner is given no `--timeout`
/// (the default of `plat test --timeout`, `compiler/src/testcmd.rs`).
pub const DEFAULT_TIMEOUT_S: u64 = 60;

/// A started case.
struct Running {
    scope: Arc<Scope>,
    /// Failures other than a panic: failed asserts, a deadlock report.
    failures: Mutex<Vec<String>>,
    deadlocked: AtomicBool,
    /// When the case was started (real time: the time limit's clock).
    started: Instant,
    /// Set by the watchdog (under the watch lock) when the case, as the
    /// head, ran past the time limit.
    timed_out: AtomicBool,
}

impl Running {
    fn failures(&self) -> MutexGuard<'_, Vec<String>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Runner {
    /// The main task's fiber.
    owner: FiberRef,
    started: Mutex<Vec<Arc<Running>>>,
    /// The case the runner waits for, with its deadline (`None`: no time
    /// limit, or the runner is not waiting); the watchdog sleeps on
    /// `watch_changed` until the deadline or a change.
    watch: Mutex<Option<(Arc<Running>, Instant)>>,
    watch_changed: Condvar,
}

// SAFETY: `owner` is only used to wake the runner and compare scope
// owners (fibers are never freed); the rest is Sync.
unsafe impl Sync for Runner {}
// SAFETY: as above.
unsafe impl Send for Runner {}

static RUNNER: OnceLock<Runner> = OnceLock::new();

impl Runner {
    fn watch(&self) -> MutexGuard<'_, Option<(Arc<Running>, Instant)>> {
        self.watch.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn started() -> Option<MutexGuard<'static, Vec<Arc<Running>>>> {
    RUNNER
        .get()
        .map(|r| r.started.lock().unwrap_or_else(|e| e.into_inner()))
}

/// What the command line asks: `-f PATTERN` (repeatable), `--serial`,
/// `--timeout SECONDS` (0: no limit).
struct Config {
    filters: Vec<String>,
    serial: bool,
    timeout: Option<Duration>,
}

fn config() -> Config {
    let args: Vec<String> = crate::entry::args()
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut c = Config {
        filters: Vec::new(),
        serial: false,
        timeout: Some(Duration::from_secs(DEFAULT_TIMEOUT_S)),
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-f" | "--filter" => {
                if let Some(p) = it.next() {
                    c.filters.push(p);
                }
            }
            "--serial" => c.serial = true,
            "--timeout" => {
                let v = it.next().unwrap_or_default();
                let Ok(secs) = v.parse::<u64>() else {
                    let text = format!("error: --timeout needs a number of seconds, not `{v}`\n");
                    stdout::write_all(2, text.as_bytes());
                    std::process::exit(2);
                };
                c.timeout = (secs > 0).then(|| Duration::from_secs(secs));
            }
            _ => {}
        }
    }
    c
}

/// Glob matching with `*` (any run of characters) and `?` (one).
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether a case is selected: no filter, or a filter matching
/// `module.block.case`, `block.case` or `block` (spec section 1; the
/// module of the file tested is its file name without `.plat`).
pub fn selected(filters: &[String], module: &str, e: &CaseEntry) -> bool {
    if filters.is_empty() {
        return true;
    }
    let dotted = e.dotted();
    let full = format!("{module}.{dotted}");
    let block = e.block();
    filters
        .iter()
        .any(|f| glob(f, &full) || glob(f, &dotted) || glob(f, &block))
}

/// The module name of the program: its file name without extension.
pub fn module_name(loc: &str) -> String {
    let file = loc.split(':').next().unwrap_or("");
    let base = file.rsplit('/').next().unwrap_or(file);
    base.strip_suffix(".plat").unwrap_or(base).to_owned()
}

unsafe extern "C" fn case_body(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    // SAFETY: `env` is an entry of the static case table.
    let e = unsafe { &*(env as *const CaseEntry) };
    // SAFETY: compiled wrapper following the Plat calling convention.
    unsafe { (e.run)(ctx) as u64 }
}

/// Starts case `e` as a task in a new scope owned by the runner `me`.
fn start(me: FiberRef, e: &'static CaseEntry) -> Arc<Running> {
    if let Some(s) = seed::is_seeded().then(seed::initial) {
        seed::reseed(s);
    }
    let scope = Scope::new(me, false);
    // SAFETY: only the running task (the runner) touches its scope stack.
    unsafe { (*me.get().scopes.get()).push(Arc::as_ptr(&scope)) };
    let (t, f) = Task::create(
        Some(case_body),
        e as *const CaseEntry as *mut u8,
        e.loc,
        Arc::as_ptr(&scope),
        false,
    );
    {
        let mut inner = scope.lock();
        inner.children.push(t);
        scope.count_spawn(&mut inner);
    }
    let r = Arc::new(Running {
        scope,
        failures: Mutex::new(Vec::new()),
        deadlocked: AtomicBool::new(false),
        started: Instant::now(),
        timed_out: AtomicBool::new(false),
    });
    if let Some(mut s) = started() {
        s.push(r.clone());
    }
    if trace::on() {
        trace_spawn(f);
    }
    enqueue(f, false);
    r
}

/// How a case ended, as the runner saw it.
struct Outcome {
    /// Its failures (empty and not timed out: passed).
    failures: Vec<String>,
    /// It ran past the time limit.
    timed_out: bool,
}

/// Waits until case `r` ended, deadlocked or (with a time `limit`) ran
/// past its deadline; returns its outcome and, unless it is left behind
/// (deadlocked, timed out), takes its scope off the runner's stack.
fn finish(me: FiberRef, r: &Arc<Running>, limit: Option<Duration>) -> Outcome {
    let runner = RUNNER.get();
    if let (Some(runner), Some(limit)) = (runner, limit) {
        *runner.watch() = Some((r.clone(), r.started + limit));
        runner.watch_changed.notify_one();
    }
    let ended = loop {
        lifecycle::prepare_park(me);
        if r.scope.all_ended() {
            lifecycle::cancel_park(me);
            break true;
        }
        if r.deadlocked.load(Ordering::Acquire) || r.timed_out.load(Ordering::Acquire) {
            lifecycle::cancel_park(me);
            break false;
        }
        lifecycle::park(
            me,
            Reason {
                what: "running test cases",
                task: None,
                at: std::ptr::null(),
            },
        );
    };
    // Stop watching; from here on the mark cannot change. A case that
    // ended as it was marked counts as ended.
    if let Some(runner) = runner {
        *runner.watch() = None;
    }
    let timed_out = !ended && r.timed_out.load(Ordering::Acquire);
    if timed_out {
        // Its tasks end at their next safepoint; the runner does not wait
        // for them.
        lifecycle::cancel_scope(&r.scope, None);
    }
    let mut failures = Vec::new();
    if ended {
        let failed = r.scope.lock().first_failure;
        if let Some(t) = failed {
            if let Some(f) = t.get().failure() {
                failures.push(render_panic(f));
            }
        }
        // SAFETY: only the running task touches its scope stack.
        let scopes = unsafe { &mut *me.get().scopes.get() };
        if let Some(i) = scopes
            .iter()
            .rposition(|&s| std::ptr::eq(s, Arc::as_ptr(&r.scope)))
        {
            scopes.remove(i);
        }
    }
    let mut recorded = r.failures().clone();
    recorded.extend(failures);
    Outcome {
        failures: recorded,
        timed_out,
    }
}

/// The watchdog thread: marks the head case timed out at its deadline
/// and wakes the runner (see the module doc).
fn watchdog(runner: &'static Runner) {
    let mut watch = runner.watch();
    loop {
        let Some((r, deadline)) = watch.as_ref() else {
            watch = runner
                .watch_changed
                .wait(watch)
                .unwrap_or_else(|e| e.into_inner());
            continue;
        };
        let now = Instant::now();
        if now < *deadline {
            let wait = *deadline - now;
            watch = match runner.watch_changed.wait_timeout(watch, wait) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
            continue;
        }
        // Release: pairs with the runner's Acquire load after it wakes.
        r.timed_out.store(true, Ordering::Release);
        *watch = None;
        drop(watch);
        // From a foreign thread, `wake` queues the runner on the injector
        // and wakes an idle worker (a spurious wake-up if the runner has
        // already moved on: its park loops re-check).
        super::wake(runner.owner);
        watch = runner.watch();
    }
}

/// A case's panic: `panic: MSG`, `  at LOC`, the calls it came through,
/// then the tasks it crossed below the case's own task (which the result
/// line already names).
fn render_panic(f: &super::task::Failure) -> String {
    let mut text = format!("panic: {}", String::from_utf8_lossy(&f.message));
    // SAFETY: locations are null or static NUL-terminated strings.
    if let Some(loc) = unsafe { crate::fatal::loc_arg(f.loc) } {
        text.push_str("\n  at ");
        text.push_str(&loc.to_string_lossy());
    }
    let mut calls = Vec::new();
    f.trace.render(&mut calls);
    if let Some(calls) = calls.strip_suffix(b"\n") {
        text.push('\n');
        text.push_str(&String::from_utf8_lossy(calls));
    }
    if let Some((_, inner)) = f.chain.split_last() {
        for &(id, loc) in inner {
            text.push('\n');
            text.push_str(&lifecycle::task_label(id, loc));
        }
    }
    text
}

/// A case's result line (`✓`, `✗`, or `✗ ...: timed out after N s`),
/// then its failures, indented.
fn report(e: &CaseEntry, outcome: &Outcome, limit: Option<Duration>) -> String {
    let mut out = String::new();
    let failures = &outcome.failures;
    if failures.is_empty() && !outcome.timed_out {
        out.push_str(&format!("✓ {}", e.shown()));
        return out;
    }
    out.push_str(&format!("✗ {}", e.shown()));
    if outcome.timed_out {
        out.push_str(": ");
        out.push_str(&timed_out_text(limit));
    }
    for f in failures {
        for line in f.trim_end().lines() {
            out.push_str("\n    ");
            out.push_str(line);
        }
    }
    out
}

fn timed_out_text(limit: Option<Duration>) -> String {
    format!("timed out after {} s", limit.map_or(0, |l| l.as_secs()))
}

/// Runs the cases of `table` (`count` entries); returns the exit code.
///
/// # Safety
///
/// `ctx` is the main task's context; `table` points to `count` entries
/// that live for the whole process.
#[no_mangle]
pub unsafe extern "C" fn plat_test_main(
    ctx: *mut PlatCtx,
    table: *const CaseEntry,
    count: i64,
) -> i32 {
    let me = FiberRef(ctx as *const super::task::Fiber);
    let cases: &'static [CaseEntry] = if count <= 0 {
        &[]
    } else {
        // SAFETY: contract above.
        unsafe { std::slice::from_raw_parts(table, count as usize) }
    };
    let _ = RUNNER.set(Runner {
        owner: me,
        started: Mutex::new(Vec::new()),
        watch: Mutex::new(None),
        watch_changed: Condvar::new(),
    });
    let cfg = config();
    if let (Some(runner), Some(_)) = (RUNNER.get(), cfg.timeout) {
        std::thread::Builder::new()
            .name("plat-test-watchdog".to_owned())
            .spawn(move || watchdog(runner))
            .unwrap_or_else(|e| crate::rt_fatal!("cannot start the test watchdog: {e}"));
    }
    let module = cases
        .first()
        .map(|e| module_name(&e.location()))
        .unwrap_or_default();
    let chosen: Vec<&'static CaseEntry> = cases
        .iter()
        .filter(|e| selected(&cfg.filters, &module, e))
        .collect();
    let serial = cfg.serial || seed::is_seeded();
    let mut running: Vec<Option<Arc<Running>>> = chosen
        .iter()
        .map(|e| (!serial).then(|| start(me, e)))
        .collect();
    let mut report_lines = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    for (i, e) in chosen.iter().enumerate() {
        let r = match running[i].take() {
            Some(r) => r,
            None => start(me, e),
        };
        let outcome = finish(me, &r, cfg.timeout);
        let ok = outcome.failures.is_empty() && !outcome.timed_out;
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
        stdout::print_line(report(e, &outcome, cfg.timeout).as_bytes());
        let first = if outcome.timed_out {
            timed_out_text(cfg.timeout)
        } else {
            outcome
                .failures
                .first()
                .and_then(|f| f.lines().next())
                .unwrap_or("")
                .replace('\t', " ")
        };
        report_lines.push_str(&format!(
            "{}\t{}\t{first}\n",
            e.dotted(),
            if ok { "ok" } else { "fail" }
        ));
    }
    stdout::print_line(
        format!(
            "\n{} tests, {passed} passed, {failed} failed",
            passed + failed
        )
        .as_bytes(),
    );
    if let Ok(path) = std::env::var("PLAT_TEST_REPORT") {
        if let Err(e) = std::fs::write(&path, report_lines) {
            crate::rt_fatal!("cannot write the test report {path}: {e}");
        }
    }
    if failed > 0 {
        1
    } else {
        0
    }
}

/// The case whose task tree `f` belongs to: walks up the owners of the
/// scopes tasks were spawned in until one is a case's scope.
fn case_of(f: FiberRef, started: &[Arc<Running>]) -> Option<Arc<Running>> {
    let mut f = f;
    // Bounded: the chain of live ancestors is finite; the bound guards a
    // broken chain.
    for _ in 0..1_000_000 {
        let scope = f.get().info().scope;
        if scope.is_null() {
            return None;
        }
        if let Some(r) = started
            .iter()
            .find(|r| std::ptr::eq(Arc::as_ptr(&r.scope), scope))
        {
            return Some(r.clone());
        }
        // SAFETY: a task's scope outlives the task, and its owner (a
        // fiber, never freed) waits in it until the task ended.
        f = unsafe { &*scope }.owner;
    }
    None
}

/// A failed `assert` in test mode: recorded on the running task's case
/// (`✗ MESSAGE` then `at LOC`); the task goes on. Outside a test run,
/// as `plat_assert_fail`.
///
/// # Safety
///
/// `ctx` is the running task's context, `msg` null or a valid string,
/// `loc` null or a static NUL-terminated location.
#[no_mangle]
pub unsafe extern "C" fn plat_test_assert_fail(
    ctx: *mut PlatCtx,
    msg: *const crate::string::PlatStr,
    loc: *const c_char,
) {
    // SAFETY: contract above.
    let (message, loc) = unsafe {
        let m = if msg.is_null() {
            None
        } else {
            Some(crate::string::bytes(msg).to_vec())
        };
        (m, crate::fatal::loc_arg(loc))
    };
    let me = FiberRef(ctx as *const super::task::Fiber);
    let case = started().and_then(|s| case_of(me, &s));
    let Some(case) = case else {
        crate::fatal::assert_fail(message.as_deref(), loc);
    };
    let mut text = String::from("✗ ");
    text.push_str(&String::from_utf8_lossy(
        message.as_deref().unwrap_or(b"Assertion failed"),
    ));
    if let Some(loc) = loc {
        text.push_str("\n  at ");
        text.push_str(&loc.to_string_lossy());
    }
    case.failures().push(text);
}

/// Deadlock detection found every task parked: in a test run, fails every
/// started case that has not ended (with `blocked`, the blocked tasks
/// `(fiber, line)`, those of the case listed) and hands the runner to
/// `resume`; returns false outside a test run, or if no case was
/// running (a real deadlock of the runner: the caller reports it).
pub(super) fn on_deadlock(blocked: &[(FiberRef, String)], resume: impl FnOnce(FiberRef)) -> bool {
    let Some(runner) = RUNNER.get() else {
        return false;
    };
    let Some(started) = started() else {
        return false;
    };
    let mut any = false;
    for r in started.iter() {
        if r.deadlocked.load(Ordering::Acquire) || r.scope.all_ended() {
            continue;
        }
        let mut text = String::from("deadlock: all tasks of this case are blocked");
        for (f, line) in blocked {
            if case_of(*f, &started).is_some_and(|c| Arc::ptr_eq(&c, r)) {
                text.push_str("\n  ");
                text.push_str(line);
            }
        }
        r.failures().push(text);
        r.deadlocked.store(true, Ordering::Release);
        any = true;
    }
    drop(started);
    if any {
        resume(runner.owner);
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_that_globs_match_stars_and_question_marks() {
        assert!(glob("math.*", "math.test_add"));
        assert!(glob("*add", "math.test_add"));
        assert!(glob("m?th", "math"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("math", "math.test_add"));
        assert!(!glob("a*b", "acbc"));
        assert!(!glob("?", ""));
    }

    #[test]
    fn ensure_that_the_module_is_the_file_name_of_the_location() {
        assert_eq!(module_name("tests/x/calc.plat:3:8"), "calc");
        assert_eq!(module_name("calc.plat:1:1"), "calc");
    }
}
