//! Drives the real scheduler from Rust: `extern "C"` bodies call the
//! entry points the way compiled code does. Every test is bounded in
//! time; `PLAT_TEST_SCALE` (default 1) multiplies the stress sizes.
//!
//! Unsafe policy here: every `unsafe` block calls entry points with the
//! `ctx` the body received and scope/task pointers it obtained from them,
//! which is exactly their contract, so blocks carry no separate comment.
#![allow(clippy::undocumented_unsafe_blocks)]

use std::ffi::c_char;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use super::abi::*;
use super::run_root;
use super::task::{Fiber, FiberRef, Task, TaskRef, CANCELLED, FAILED, OK};
use crate::ctx::PlatCtx;
use crate::fatal::abi::plat_panic_cstr;

fn scale() -> u64 {
    std::env::var("PLAT_TEST_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

const LOC: *const c_char = c"test.plat:1:1".as_ptr();

fn root(body: unsafe extern "C" fn(*mut PlatCtx, *mut u8) -> u64, env: u64) -> TaskRef {
    run_root(body, env as *mut u8)
}

fn ok_result(t: TaskRef) -> u64 {
    let task = t.get();
    assert_eq!(
        task.done.load(Ordering::Acquire),
        OK,
        "root failed: {:?}",
        super::failure_text(t)
    );
    task.result()
}

unsafe extern "C" fn plus_one(_ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    env as u64 + 1
}

unsafe extern "C" fn spawn_join_n(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let n = env as u64;
    unsafe {
        let scope = plat_scope_enter(ctx);
        let mut tasks = Vec::with_capacity(n as usize);
        for i in 0..n {
            tasks.push(plat_spawn(ctx, scope, plus_one, i as *mut u8, LOC));
        }
        let mut sum = 0;
        for t in tasks {
            sum += plat_task_await(ctx, t, LOC);
        }
        plat_scope_exit(ctx, scope);
        sum
    }
}

#[test]
fn ensure_that_many_spawned_tasks_are_joined() {
    let n = 100_000 * scale();
    // Warm up the stack pool and the workers.
    ok_result(root(spawn_join_n, 1000));
    let start = Instant::now();
    let r = ok_result(root(spawn_join_n, n));
    let el = start.elapsed();
    assert_eq!(r, n * (n + 1) / 2);
    eprintln!(
        "spawn+join: {} tasks in {:?}, {:.0} ns/task",
        n,
        el,
        el.as_nanos() as f64 / n as f64
    );
}

/// Spawns a first wave of tasks and lets them end, then a second wave
/// (which reuses their fibers), then reads the first wave's handles.
unsafe extern "C" fn handles_outlive_fibers(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let n = env as u64;
    unsafe {
        let scope = plat_scope_enter(ctx);
        let first: Vec<*mut Task> = (0..n)
            .map(|i| plat_spawn(ctx, scope, plus_one, i as *mut u8, LOC))
            .collect();
        plat_scope_exit(ctx, scope);
        let scope = plat_scope_enter(ctx);
        let second: Vec<*mut Task> = (0..n)
            .map(|i| plat_spawn(ctx, scope, plus_one, (i + n) as *mut u8, LOC))
            .collect();
        // Cancelling an ended task is a no-op, even when its fiber now
        // runs another task.
        for &t in &first {
            plat_task_cancel(t);
        }
        plat_scope_exit(ctx, scope);
        let mut sum = 0;
        for t in first.into_iter().chain(second) {
            assert_eq!(plat_task_is_done(t), 1);
            sum += plat_task_await(ctx, t, LOC);
        }
        sum
    }
}

#[test]
fn ensure_that_handles_stay_valid_after_their_fibers_are_reused() {
    let n = 20_000;
    assert_eq!(ok_result(root(handles_outlive_fibers, n)), n * (2 * n + 1));
}

unsafe extern "C" fn nested(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let depth = env as u64;
    if depth == 0 {
        return 0;
    }
    unsafe {
        let scope = plat_scope_enter(ctx);
        let t = plat_spawn(ctx, scope, nested, (depth - 1) as *mut u8, LOC);
        let r = plat_task_await(ctx, t, LOC);
        plat_scope_exit(ctx, scope);
        r + 1
    }
}

#[test]
fn ensure_that_nested_spawn_and_await_go_deep() {
    let n = 5_000 * scale();
    assert_eq!(ok_result(root(nested, n)), n);
}

static GATE_OPEN: AtomicU64 = AtomicU64::new(0);

unsafe extern "C" fn sleeper(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    unsafe { plat_time_sleep(ctx, env as i64) };
    7
}

unsafe extern "C" fn await_env(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    unsafe { plat_task_await(ctx, env as *mut Task, LOC) + 1 }
}

unsafe extern "C" fn many_parked(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let n = env as u64;
    unsafe {
        let scope = plat_scope_enter(ctx);
        let gate = plat_spawn(ctx, scope, sleeper, 50 as *mut u8, LOC);
        let ts: Vec<_> = (0..n)
            .map(|_| plat_spawn(ctx, scope, await_env, gate as *mut u8, LOC))
            .collect();
        let mut sum = 0;
        for t in ts {
            sum += plat_task_await(ctx, t, LOC);
        }
        plat_scope_exit(ctx, scope);
        GATE_OPEN.store(1, Ordering::Relaxed);
        sum
    }
}

#[test]
fn ensure_that_many_tasks_can_be_parked_at_once() {
    let n = 10_000 * scale();
    assert_eq!(ok_result(root(many_parked, n)), 8 * n);
}

unsafe extern "C" fn panicker(_ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe { plat_panic_cstr(c"boom".as_ptr(), c"p.plat:3:4".as_ptr()) }
}

/// Spawns a panicking task and awaits it: the panic is re-raised here.
unsafe extern "C" fn awaits_panicker(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter(ctx);
        let t = plat_spawn(
            ctx,
            scope,
            panicker,
            std::ptr::null_mut(),
            c"p.plat:2:9".as_ptr(),
        );
        plat_task_await(ctx, t, LOC);
        plat_scope_exit(ctx, scope);
    }
    0
}

/// Spawns a panicking task and never awaits it: scope exit re-raises.
unsafe extern "C" fn ignores_panicker(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter(ctx);
        plat_spawn(
            ctx,
            scope,
            panicker,
            std::ptr::null_mut(),
            c"p.plat:2:9".as_ptr(),
        );
        plat_scope_exit(ctx, scope);
    }
    0
}

/// Runs `env` as a child and reports how it ended (1 ok, 2 failed, 3
/// cancelled) without re-raising, plus its rendered failure in FAILURES.
static FAILURES: Mutex<Vec<String>> = Mutex::new(Vec::new());

unsafe extern "C" fn observe(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let body: unsafe extern "C" fn(*mut PlatCtx, *mut u8) -> u64 =
        unsafe { std::mem::transmute(env) };
    unsafe {
        let scope = plat_scope_enter(ctx);
        let t = plat_spawn(
            ctx,
            scope,
            body,
            std::ptr::null_mut(),
            c"m.plat:1:1".as_ptr(),
        );
        while plat_task_is_done(t) == 0 {
            plat_time_sleep(ctx, 1);
        }
        let tr = TaskRef(t);
        tr.get().observed.store(true, Ordering::Release);
        if let Some(text) = super::failure_text(tr) {
            FAILURES.lock().unwrap().push(text);
        }
        plat_scope_exit(ctx, scope);
        tr.get().done.load(Ordering::Acquire) as u64
    }
}

#[test]
fn ensure_that_a_panic_is_reraised_by_await_with_the_task_chain() {
    let kind = ok_result(root(observe, awaits_panicker as *const () as usize as u64));
    assert_eq!(kind, FAILED as u64);
    let f = FAILURES
        .lock()
        .unwrap()
        .iter()
        .find(|f| f.contains("boom"))
        .cloned()
        .unwrap();
    assert!(f.starts_with("panic: boom\n  at p.plat:3:4\n"), "{f}");
    assert!(f.contains("(spawned at p.plat:2:9)"), "{f}");
    assert!(f.contains("(spawned at m.plat:1:1)"), "{f}");
}

#[test]
fn ensure_that_an_unobserved_failure_is_reraised_at_scope_exit() {
    let kind = ok_result(root(observe, ignores_panicker as *const () as usize as u64));
    assert_eq!(kind, FAILED as u64);
}

static DONE_SLEEPERS: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn sleep_then_count(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    unsafe { plat_time_sleep(ctx, env as i64) };
    DONE_SLEEPERS.fetch_add(1, Ordering::SeqCst);
    0
}

unsafe extern "C" fn scope_waits(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter(ctx);
        for i in 0..10 {
            plat_spawn(ctx, scope, sleep_then_count, (5 + i) as *mut u8, LOC);
        }
        plat_scope_exit(ctx, scope);
    }
    DONE_SLEEPERS.load(Ordering::SeqCst) as u64
}

#[test]
fn ensure_that_scope_exit_waits_for_every_task() {
    assert_eq!(ok_result(root(scope_waits, 0)), 10);
}

/// Loops like compiled code: polls `ctx.poll` at each back edge.
unsafe extern "C" fn busy(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    let mut i = 0u64;
    loop {
        i = i.wrapping_add(1);
        // SAFETY: `ctx` is our context.
        if unsafe { (*ctx).poll.load(Ordering::Relaxed) } != 0 {
            unsafe { plat_safepoint(ctx) };
        }
        std::hint::black_box(i);
    }
}

unsafe extern "C" fn cancels(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter(ctx);
        let a = plat_spawn(ctx, scope, busy, std::ptr::null_mut(), LOC);
        let b = plat_spawn(ctx, scope, sleeper, 60_000 as *mut u8, LOC);
        plat_time_sleep(ctx, 5);
        plat_task_cancel(a);
        plat_task_cancel(b);
        plat_scope_exit(ctx, scope);
        let ka = TaskRef(a).get().done.load(Ordering::Acquire) as u64;
        let kb = TaskRef(b).get().done.load(Ordering::Acquire) as u64;
        ka * 10 + kb
    }
}

/// Both tasks end cancelled (not `OK`: the sleeper would only finish on
/// its own after a minute, the busy loop never).
#[test]
fn ensure_that_cancellation_stops_busy_and_sleeping_tasks() {
    assert_eq!(ok_result(root(cancels, 0)), CANCELLED as u64 * 11);
}

unsafe extern "C" fn sees_preemption(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    let start = Instant::now();
    // SAFETY: `ctx` is our context.
    while unsafe { (*ctx).poll.load(Ordering::Relaxed) } == 0 {
        // Not a timing assertion: a bound so that a broken monitor fails
        // the test instead of hanging it (the slice is 10 ms).
        if start.elapsed().as_secs() > 60 {
            return 0;
        }
        std::hint::spin_loop();
    }
    unsafe { plat_safepoint(ctx) };
    1
}

#[test]
fn ensure_that_a_long_running_task_is_asked_to_yield() {
    assert_eq!(ok_result(root(sees_preemption, 0)), 1);
}

static ORDER: Mutex<Vec<u64>> = Mutex::new(Vec::new());

unsafe extern "C" fn sleep_and_log(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    unsafe { plat_time_sleep(ctx, env as i64) };
    ORDER.lock().unwrap().push(env as u64);
    0
}

unsafe extern "C" fn sleeps(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter(ctx);
        for ms in [60u64, 20, 40, 1] {
            plat_spawn(ctx, scope, sleep_and_log, ms as *mut u8, LOC);
        }
        plat_scope_exit(ctx, scope);
    }
    0
}

/// Every sleeper wakes, none early. (The order in which they wake is
/// checked in virtual time, where it cannot depend on how loaded the
/// machine is: `runtime/tests/link_smoke.rs`, MODE=sleeps under
/// PLAT_SEED. Here a spawner delayed by the OS could legitimately give a
/// later sleeper an earlier deadline.)
#[test]
fn ensure_that_sleepers_all_wake_and_not_early() {
    let start = Instant::now();
    ok_result(root(sleeps, 0));
    assert!(start.elapsed().as_millis() >= 60);
    let mut order = ORDER.lock().unwrap().clone();
    order.sort_unstable();
    assert_eq!(order, vec![1, 20, 40, 60]);
}

unsafe extern "C" fn sleep_ret(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    unsafe { plat_time_sleep(ctx, env as i64) };
    env as u64
}

static RACE_LOSER: Mutex<Option<TaskRef>> = Mutex::new(None);

unsafe extern "C" fn races(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_race_enter(ctx);
        let loser = plat_spawn(ctx, scope, sleep_ret, 60_000 as *mut u8, LOC);
        *RACE_LOSER.lock().unwrap() = Some(TaskRef(loser));
        plat_spawn(ctx, scope, sleep_ret, 10 as *mut u8, LOC);
        plat_spawn(ctx, scope, panicker, std::ptr::null_mut(), LOC);
        plat_race_wait(ctx, scope, LOC)
    }
}

/// The 10 ms sleeper wins over a failure and a one-minute sleeper, which
/// the race cancels (it ends cancelled, not with its result).
#[test]
fn ensure_that_race_returns_the_first_success_and_cancels_the_rest() {
    assert_eq!(ok_result(root(races, 0)), 10);
    let loser = RACE_LOSER.lock().unwrap().unwrap();
    assert_eq!(loser.get().done.load(Ordering::Acquire), CANCELLED);
}

static TIMEOUT_GATE: AtomicU64 = AtomicU64::new(0);

/// Returns 50 once `TIMEOUT_GATE` opens.
unsafe extern "C" fn gated(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    while TIMEOUT_GATE.load(Ordering::Acquire) == 0 {
        unsafe { plat_time_sleep(ctx, 1) };
    }
    50
}

/// The first await gives up (the task cannot end before the gate opens,
/// however the machine schedules it); the second gets the result.
unsafe extern "C" fn timeouts(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter(ctx);
        let t = plat_spawn(ctx, scope, gated, std::ptr::null_mut(), LOC);
        let mut out = 0u64;
        let early = plat_task_await_timeout(ctx, t, 5, &mut out, LOC);
        TIMEOUT_GATE.store(1, Ordering::Release);
        let late = plat_task_await_timeout(ctx, t, 600_000, &mut out, LOC);
        plat_scope_exit(ctx, scope);
        early as u64 * 100 + late as u64 * 10 + (out == 50) as u64
    }
}

#[test]
fn ensure_that_await_timeout_gives_up_then_succeeds() {
    assert_eq!(ok_result(root(timeouts, 0)), 11);
}

unsafe extern "C" fn deadline(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter_deadline(ctx, 20);
        let t = plat_spawn(ctx, scope, sleeper, 60_000 as *mut u8, LOC);
        plat_scope_exit(ctx, scope);
        TaskRef(t).get().done.load(Ordering::Acquire) as u64
    }
}

#[test]
fn ensure_that_a_scope_deadline_cancels_its_tasks() {
    assert_eq!(ok_result(root(deadline, 0)), CANCELLED as u64);
}

/// Ping-pong through the park/wake protocol directly.
struct Baton {
    turn: AtomicU64,
    waiter: Mutex<Option<FiberRef>>,
    rounds: u64,
}

unsafe extern "C" fn player(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let (baton, parity): (&Baton, u64) = {
        let p = env as usize;
        // SAFETY: the baton outlives both players (the root awaits them).
        (unsafe { &*((p & !1) as *const Baton) }, (p & 1) as u64)
    };
    let me = FiberRef(ctx as *const Fiber);
    while baton.turn.load(Ordering::Acquire) < baton.rounds {
        loop {
            if baton.turn.load(Ordering::Acquire) % 2 == parity {
                break;
            }
            super::prepare_park(me);
            {
                let mut w = baton.waiter.lock().unwrap();
                if baton.turn.load(Ordering::Acquire) % 2 == parity {
                    drop(w);
                    super::cancel_park(me);
                    break;
                }
                *w = Some(me);
            }
            super::park(
                me,
                super::task::Reason {
                    what: "test baton",
                    task: None,
                    at: std::ptr::null(),
                },
            );
        }
        if baton.turn.load(Ordering::Acquire) >= baton.rounds {
            break;
        }
        let other = {
            let mut w = baton.waiter.lock().unwrap();
            baton.turn.fetch_add(1, Ordering::AcqRel);
            w.take()
        };
        if let Some(o) = other {
            super::wake(o);
        }
    }
    // Release the other player if it still waits.
    if let Some(o) = baton.waiter.lock().unwrap().take() {
        super::wake(o);
    }
    0
}

unsafe extern "C" fn ping_pong(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let baton = Baton {
        turn: AtomicU64::new(0),
        waiter: Mutex::new(None),
        rounds: env as u64,
    };
    let p = &baton as *const Baton as usize;
    unsafe {
        let scope = plat_scope_enter(ctx);
        let a = plat_spawn(ctx, scope, player, p as *mut u8, LOC);
        let b = plat_spawn(ctx, scope, player, (p | 1) as *mut u8, LOC);
        plat_task_await(ctx, a, LOC);
        plat_task_await(ctx, b, LOC);
        plat_scope_exit(ctx, scope);
    }
    baton.turn.load(Ordering::Acquire)
}

#[test]
fn ensure_that_park_and_wake_ping_pong() {
    let n = 200_000 * scale();
    let start = Instant::now();
    assert_eq!(ok_result(root(ping_pong, n)), n);
    let el = start.elapsed();
    eprintln!(
        "ping-pong: {} hand-offs in {:?}, {:.0} ns each",
        n,
        el,
        el.as_nanos() as f64 / n as f64
    );
}

/// `cargo test --release -p plat_rt -- --ignored bench_spawn_join --nocapture`:
/// one million tasks spawned and awaited in one scope (the target is
/// Go's ~150 ns per spawn+join on 2 cores).
#[test]
#[ignore]
fn bench_spawn_join_one_million() {
    let n = 1_000_000;
    ok_result(root(spawn_join_n, 10_000));
    for _ in 0..3 {
        let start = Instant::now();
        let r = ok_result(root(spawn_join_n, n));
        let el = start.elapsed();
        assert_eq!(r, n * (n + 1) / 2);
        eprintln!(
            "spawn+join 1M: {:?}, {:.0} ns/task",
            el,
            el.as_nanos() as f64 / n as f64
        );
    }
}

#[test]
fn ensure_that_task_objects_stay_small() {
    let size = std::mem::size_of::<Task>();
    eprintln!("size_of::<Task>() = {size}");
    assert!(size <= 256, "{size}");
    let fiber = std::mem::size_of::<Fiber>();
    eprintln!("size_of::<Fiber>() = {fiber}");
    assert!(fiber <= 192, "{fiber}");
}

// --- Await of a cancelled task: root failure vs "task was cancelled" ---

/// Sleeps a minute (so it is cancelled while asleep, however late the
/// sibling's failure comes), then awaits `env`.
unsafe extern "C" fn sleep_then_await(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    unsafe {
        plat_time_sleep(ctx, 60_000);
        plat_task_await(ctx, env as *mut Task, LOC) + 1
    }
}

unsafe extern "C" fn unwrapper(_ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe { plat_panic_cstr(c"unwrap of None".as_ptr(), c"u.plat:3:4".as_ptr()) }
}

static CASCADE: Mutex<Option<(TaskRef, TaskRef)>> = Mutex::new(None);

/// The program: `inner` fails, which cancels its sibling `outer`
/// (asleep, then awaiting `inner`); awaiting `outer` re-raises inner's
/// failure, not "task was cancelled".
unsafe extern "C" fn awaits_sibling_cancelled_by_failure(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter(ctx);
        let inner = plat_spawn(
            ctx,
            scope,
            unwrapper,
            std::ptr::null_mut(),
            c"u.plat:2:9".as_ptr(),
        );
        let outer = plat_spawn(
            ctx,
            scope,
            sleep_then_await,
            inner as *mut u8,
            c"o.plat:3:9".as_ptr(),
        );
        *CASCADE.lock().unwrap() = Some((TaskRef(inner), TaskRef(outer)));
        plat_task_await(ctx, outer, c"a.plat:4:4".as_ptr());
        plat_scope_exit(ctx, scope);
    }
    0
}

fn observed_failure(
    body: unsafe extern "C" fn(*mut PlatCtx, *mut u8) -> u64,
    needle: &str,
) -> String {
    let kind = ok_result(root(observe, body as *const () as usize as u64));
    assert_eq!(kind, FAILED as u64);
    let found = FAILURES
        .lock()
        .unwrap()
        .iter()
        .find(|f| f.contains(needle))
        .cloned();
    found.unwrap_or_else(|| panic!("no failure with {needle:?}"))
}

#[test]
fn ensure_that_awaiting_a_task_cancelled_by_a_sibling_failure_reraises_that_failure() {
    let f = observed_failure(awaits_sibling_cancelled_by_failure, "unwrap of None");
    let (inner, outer) = CASCADE.lock().unwrap().unwrap();
    assert_eq!(outer.get().done.load(Ordering::Acquire), CANCELLED);
    assert!(inner.get().observed.load(Ordering::Acquire));
    assert!(
        f.starts_with("panic: unwrap of None\n  at u.plat:3:4\n"),
        "{f}"
    );
    assert!(!f.contains("cancelled"), "{f}");
    // The root failure's chain (inner), then the awaiting task: the
    // cancelled sibling is not part of it.
    let inner_line = format!("  in task {} (spawned at u.plat:2:9)\n", inner.get().id);
    assert!(f.contains(&inner_line), "{f}");
    assert!(!f.contains(&format!("in task {} ", outer.get().id)), "{f}");
    assert!(f.ends_with("(spawned at m.plat:1:1)\n"), "{f}");
}

static CANCELLED_CHILD: Mutex<Option<TaskRef>> = Mutex::new(None);

/// Opens a scope with a long sleeper (published in CANCELLED_CHILD),
/// then panics: its failure cancels the sleeper.
unsafe extern "C" fn parent_fails(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter(ctx);
        let c = plat_spawn(ctx, scope, sleeper, 60_000 as *mut u8, LOC);
        *CANCELLED_CHILD.lock().unwrap() = Some(TaskRef(c));
        plat_time_sleep(ctx, 5);
        plat_panic_cstr(c"parent died".as_ptr(), c"q.plat:4:4".as_ptr())
    }
}

/// Awaits the child of a task whose failure cascaded into its scope.
unsafe extern "C" fn awaits_child_of_failed_parent(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter(ctx);
        let p = plat_spawn(
            ctx,
            scope,
            parent_fails,
            std::ptr::null_mut(),
            c"q.plat:1:1".as_ptr(),
        );
        let child = loop {
            if let Some(c) = *CANCELLED_CHILD.lock().unwrap() {
                break c;
            }
            plat_time_sleep(ctx, 1);
        };
        let _ = p;
        plat_task_await(ctx, child.0 as *mut Task, c"a.plat:5:5".as_ptr());
        plat_scope_exit(ctx, scope);
    }
    0
}

#[test]
fn ensure_that_awaiting_a_task_cancelled_by_its_parents_failure_reraises_it() {
    let f = observed_failure(awaits_child_of_failed_parent, "parent died");
    let child = CANCELLED_CHILD.lock().unwrap().unwrap();
    assert_eq!(child.get().done.load(Ordering::Acquire), CANCELLED);
    assert!(
        f.starts_with("panic: parent died\n  at q.plat:4:4\n  in task "),
        "{f}"
    );
    assert!(f.contains("(spawned at q.plat:1:1)\n"), "{f}");
    assert!(!f.contains("cancelled"), "{f}");
}

static GRANDCHILD: Mutex<Option<TaskRef>> = Mutex::new(None);

/// Awaits a long sleeper of its own scope (published in GRANDCHILD).
unsafe extern "C" fn awaits_own_sleeper(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter(ctx);
        let g = plat_spawn(ctx, scope, sleeper, 60_000 as *mut u8, LOC);
        *GRANDCHILD.lock().unwrap() = Some(TaskRef(g));
        plat_task_await(ctx, g, LOC);
        plat_scope_exit(ctx, scope);
    }
    0
}

/// Fails once the grandchild exists (so the failure always has a scope
/// to cascade into, whatever the interleaving).
unsafe extern "C" fn sleep_then_panic(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        while GRANDCHILD.lock().unwrap().is_none() {
            plat_time_sleep(ctx, 1);
        }
        plat_time_sleep(ctx, 5);
        plat_panic_cstr(c"late failure".as_ptr(), c"r.plat:6:6".as_ptr())
    }
}

/// A failure cancels a sibling, whose cancellation cascades into the
/// scope it has open: awaiting the task cancelled there re-raises the
/// root failure too.
unsafe extern "C" fn awaits_grandchild_of_cancelled_sibling(
    ctx: *mut PlatCtx,
    _env: *mut u8,
) -> u64 {
    unsafe {
        let scope = plat_scope_enter(ctx);
        plat_spawn(ctx, scope, awaits_own_sleeper, std::ptr::null_mut(), LOC);
        plat_spawn(ctx, scope, sleep_then_panic, std::ptr::null_mut(), LOC);
        let g = loop {
            if let Some(g) = *GRANDCHILD.lock().unwrap() {
                break g;
            }
            plat_time_sleep(ctx, 1);
        };
        plat_task_await(ctx, g.0 as *mut Task, LOC);
        plat_scope_exit(ctx, scope);
    }
    0
}

#[test]
fn ensure_that_a_failure_cancelling_a_scope_cascades_with_its_cause() {
    let f = observed_failure(awaits_grandchild_of_cancelled_sibling, "late failure");
    let g = GRANDCHILD.lock().unwrap().unwrap();
    assert_eq!(g.get().done.load(Ordering::Acquire), CANCELLED);
    assert!(
        f.starts_with("panic: late failure\n  at r.plat:6:6\n"),
        "{f}"
    );
}

/// Cancels a sleeper explicitly, then awaits it at `c.plat:5:6`.
unsafe extern "C" fn awaits_explicitly_cancelled(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter(ctx);
        let t = plat_spawn(ctx, scope, sleeper, 60_000 as *mut u8, LOC);
        plat_task_cancel(t);
        plat_task_await(ctx, t, c"c.plat:5:6".as_ptr());
        plat_scope_exit(ctx, scope);
    }
    0
}

#[test]
fn ensure_that_awaiting_an_explicitly_cancelled_task_panics_at_the_await() {
    let f = observed_failure(awaits_explicitly_cancelled, "c.plat:5:6");
    assert!(
        f.starts_with("panic: task was cancelled\n  at c.plat:5:6\n  in task "),
        "{f}"
    );
    assert!(f.ends_with("(spawned at m.plat:1:1)\n"), "{f}");
}

/// A scope deadline cancels a sleeper, awaited at `d.plat:7:8`.
unsafe extern "C" fn awaits_deadline_cancelled(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let scope = plat_scope_enter_deadline(ctx, 10);
        let t = plat_spawn(ctx, scope, sleeper, 60_000 as *mut u8, LOC);
        plat_task_await(ctx, t, c"d.plat:7:8".as_ptr());
        plat_scope_exit(ctx, scope);
    }
    0
}

#[test]
fn ensure_that_awaiting_a_task_cancelled_by_a_deadline_panics_at_the_await() {
    let f = observed_failure(awaits_deadline_cancelled, "d.plat:7:8");
    assert!(
        f.starts_with("panic: task was cancelled\n  at d.plat:7:8\n  in task "),
        "{f}"
    );
}
