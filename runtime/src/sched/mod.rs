//! The scheduler: worker threads running tasks on their own stacks.
//!
//! Model (Go's G/M/P, simplified, and `may`'s worker loop):
//!
//! - **Workers**: `PLAT_WORKERS` OS threads (default: the number of
//!   cores); the thread that calls [`start_program`] is worker 0. Each has
//!   a `crossbeam-deque` FIFO deque, a "run next" slot for the task just
//!   woken by the task it runs (message-passing locality), and a
//!   scheduler context it switches back to whenever its task parks,
//!   yields or ends.
//! - **Finding work** ([`find_task`]): every 61st pick the global injector
//!   first (fairness), then run-next, the local deque, expired timers, the
//!   injector, then stealing from the other workers (rotating start).
//!   A worker that finds nothing spins briefly (counted in `spinning`),
//!   then sleeps on the idle condvar.
//! - **Parking** (the one mechanism under await, sleep, scopes...): a task
//!   stores `PARKING` in its `park` state *before* publishing itself where
//!   a waker can find it, then [`park`]s, i.e. switches to its worker's
//!   scheduler context, which then moves `PARKING → PARKED`. [`wake`]
//!   moves `PARKED → RUNNING` and enqueues the task, or `PARKING →
//!   NOTIFIED`, in which case the scheduler (whose CAS then fails)
//!   re-enqueues it itself. So a task is never resumed before it has
//!   fully switched off its stack, and no wake-up is lost. Wake-ups may
//!   be spurious (a stale timer, an old waiter entry): every park site
//!   re-checks its condition in a loop.
//! - **Idle workers** sleep on `IDLE`'s condvar with a permit count: a
//!   submitter that finds `sleeping > 0` and nobody spinning hands out a
//!   permit (the woken worker counts as spinning). Submitters push, then
//!   `SeqCst` fence, then read `sleeping`; sleepers increment `sleeping`,
//!   fence, then re-check every queue before waiting: one of the two sees
//!   the other, so no task is left behind with everybody asleep.
//! - **Deadlock**: a worker about to sleep while every other worker
//!   sleeps, no queue holds a task and no timer is pending knows that
//!   nothing can ever wake a task (the main task is alive until the
//!   process exits, so some task is always waiting): it prints the report
//!   and exits with 2 (checked under the idle lock, which external
//!   submitters also take).
//! - **Preemption**: a monitor thread looks at every worker every 10 ms;
//!   one still running the same task run as last time gets its task's
//!   `poll` set, and the task yields at its next safepoint.
//! - **Seeded mode** (`PLAT_SEED=N`, [`seed`]): one worker, no monitor;
//!   runnable tasks go to the worker's `bag` and the next one is drawn by
//!   the seeded generator; `poll` stays set on every task so each
//!   safepoint asks the generator whether to yield; time is virtual.
//! - **Tracing** (`PLAT_TRACE=FILE`, [`trace`]): spawn, run slices,
//!   park, wake and end events into a per-worker buffer, written as
//!   Chrome trace-event JSON at exit.
//! - **Task memory**: task objects come from per-thread slabs
//!   ([`task`]), never freed; the spawn/end path takes no global lock
//!   and does no global read-modify-write except the task id counter and
//!   the registry push (both on the spawner's side).
//!
//! # Invariants
//!
//! - A task is in at most one place at a time: a run queue / run-next
//!   slot, running on one worker, or parked (reachable only through
//!   waiter lists and timers, which go through [`wake`]).
//! - Only the thread running a task reads or writes its unlocked cells
//!   (`sp` is written by the switch away and read by the next switch in,
//!   ordered by the `park` CAS / queue hand-off).
//! - The per-worker data ([`WorkerLocal`]) is reached only through
//!   [`worker`], a non-inlined function, because a task may resume on
//!   another thread and a thread-local address must not be cached across
//!   a switch.
//! - A Plat panic inside a task ends that task without unwinding: its
//!   stack is abandoned and returned to the pool, so runtime code must not
//!   raise a Plat panic while holding a lock.

pub mod abi;
pub mod seed;
pub mod task;
pub mod timer;
pub mod trace;

use std::cell::{Cell, RefCell, UnsafeCell};
use std::ffi::c_char;
use std::sync::atomic::{fence, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

use crossbeam_deque::{Injector, Steal, Stealer, Worker};

use crate::coro::{stack, switch};
use crate::entry::PlatCtx;
use crate::{fatal, signal};
use std::sync::Arc;
use task::{Cause, Failure, Reason, Scope, Task, TaskRef, CANCELLED, FAILED, OK, RUNNING};

/// `park`: running, runnable or queued.
pub const PARK_RUNNING: u8 = 0;
/// `park`: about to park; published as a waiter somewhere.
pub const PARK_PARKING: u8 = 1;
/// `park`: switched off its stack, waiting for [`wake`].
pub const PARK_PARKED: u8 = 2;
/// `park`: woken while still `PARKING`; the scheduler re-enqueues it.
pub const PARK_NOTIFIED: u8 = 3;

/// Exit code of a deadlock.
pub const DEADLOCK_EXIT: i32 = 2;
/// Preemption time slice.
pub const TIME_SLICE: Duration = Duration::from_millis(10);
/// Steal attempts of an idle worker before it sleeps.
const SPIN_ROUNDS: usize = 64;

/// What a task asks its worker to do after switching away.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Action {
    Park,
    Yield,
    Exit,
}

/// Shared view of one worker (read by the monitor and stealers).
struct Slot {
    stealer: Stealer<TaskRef>,
    /// The task running there (null: none).
    current: AtomicPtr<Task>,
    /// Incremented at every switch into a task.
    runs: AtomicU64,
}

struct Idle {
    /// Workers waiting for a permit.
    sleeping: usize,
    /// Wake-ups handed out and not yet consumed.
    permits: usize,
}

struct Sched {
    injector: Injector<TaskRef>,
    slots: Vec<Slot>,
    idle: Mutex<Idle>,
    idle_cv: Condvar,
    /// Mirror of `Idle::sleeping` for lock-free reads.
    sleeping: AtomicUsize,
    spinning: AtomicUsize,
    /// Deques of workers not started yet (taken by each worker thread).
    locals: Mutex<Vec<Option<Worker<TaskRef>>>>,
    /// Deadlock detection applies (false in the Rust test harness, where
    /// the test threads outside the scheduler can submit work any time).
    detect_deadlock: bool,
}

static SCHED: OnceLock<Sched> = OnceLock::new();

/// Per-worker data, owned by its thread.
pub struct WorkerLocal {
    index: usize,
    sched_sp: UnsafeCell<usize>,
    local: Worker<TaskRef>,
    run_next: Cell<Option<TaskRef>>,
    current: Cell<*const Task>,
    action: Cell<Action>,
    ticks: Cell<u64>,
    rng: Cell<u64>,
    /// Seeded mode only: the runnable tasks, picked at random.
    bag: RefCell<Vec<TaskRef>>,
    /// This worker's trace buffer (when `PLAT_TRACE` is set).
    trace: Option<&'static trace::Buffer>,
}

thread_local! {
    static WORKER: Cell<*const WorkerLocal> = const { Cell::new(std::ptr::null()) };
}

/// This thread's worker, if it is one. Not inlined: see the invariants.
#[inline(never)]
fn worker() -> Option<&'static WorkerLocal> {
    let p = WORKER.with(|w| w.get());
    // SAFETY: set once per worker thread to a leaked `WorkerLocal` that
    // only this thread uses.
    unsafe { p.as_ref() }
}

/// The task running on this thread (null if none).
pub fn current() -> *const Task {
    worker().map_or(std::ptr::null(), |w| w.current.get())
}

fn sched() -> &'static Sched {
    SCHED
        .get()
        .unwrap_or_else(|| crate::rt_fatal!("scheduler used before it was started"))
}

/// Worker count from `PLAT_WORKERS` (default: available parallelism).
pub fn worker_count() -> usize {
    std::env::var("PLAT_WORKERS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(1024)
}

/// Creates the scheduler and starts workers `first..n` on new threads
/// (and the preemption monitor, except in seeded mode).
fn init(n: usize, first: usize, detect_deadlock: bool) {
    if !switch::SUPPORTED {
        crate::rt_fatal!("tasks are not implemented on this architecture yet");
    }
    let mut locals = Vec::new();
    let mut slots = Vec::new();
    for _ in 0..n {
        let w = Worker::new_fifo();
        slots.push(Slot {
            stealer: w.stealer(),
            current: AtomicPtr::new(std::ptr::null_mut()),
            runs: AtomicU64::new(0),
        });
        locals.push(Some(w));
    }
    let s = Sched {
        injector: Injector::new(),
        slots,
        idle: Mutex::new(Idle {
            sleeping: 0,
            permits: 0,
        }),
        idle_cv: Condvar::new(),
        sleeping: AtomicUsize::new(0),
        spinning: AtomicUsize::new(0),
        locals: Mutex::new(locals),
        detect_deadlock,
    };
    if SCHED.set(s).is_err() {
        crate::rt_fatal!("scheduler started twice");
    }
    for i in first..n {
        std::thread::Builder::new()
            .name(format!("plat-worker-{i}"))
            .stack_size(256 << 10)
            .spawn(move || worker_main(i))
            .unwrap_or_else(|e| crate::rt_fatal!("cannot start worker thread: {e}"));
    }
    if seed::is_seeded() {
        return;
    }
    std::thread::Builder::new()
        .name("plat-monitor".to_owned())
        .stack_size(64 << 10)
        .spawn(monitor)
        .unwrap_or_else(|e| crate::rt_fatal!("cannot start the monitor thread: {e}"));
}

/// Runs the worker loop of worker `index` on this thread, forever.
fn worker_main(index: usize) -> ! {
    signal::install_altstack();
    let s = sched();
    let local = s.locals.lock().unwrap_or_else(|e| e.into_inner())[index]
        .take()
        .unwrap_or_else(|| crate::rt_fatal!("worker {index} started twice"));
    let w: &'static WorkerLocal = Box::leak(Box::new(WorkerLocal {
        index,
        sched_sp: UnsafeCell::new(0),
        local,
        run_next: Cell::new(None),
        current: Cell::new(std::ptr::null()),
        action: Cell::new(Action::Exit),
        ticks: Cell::new(0),
        rng: Cell::new(0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1)),
        bag: RefCell::new(Vec::new()),
        trace: trace::on().then(|| trace::new_buffer(index)),
    }));
    WORKER.with(|c| c.set(w));
    if seed::is_seeded() {
        loop {
            match find_task_seeded(w) {
                Some(t) => run(w, t),
                None => idle_seeded(),
            }
        }
    }
    loop {
        let t = match find_task(w) {
            Some(t) => t,
            None => match spin_then_sleep(w) {
                Some(t) => t,
                None => continue,
            },
        };
        run(w, t);
    }
}

fn next_rand(w: &WorkerLocal) -> u64 {
    // xorshift64*
    let mut x = w.rng.get();
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    w.rng.set(x);
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

fn steal_injector(w: &WorkerLocal) -> Option<TaskRef> {
    loop {
        match sched().injector.steal_batch_and_pop(&w.local) {
            Steal::Success(t) => return Some(t),
            Steal::Empty => return None,
            Steal::Retry => continue,
        }
    }
}

fn steal_others(w: &WorkerLocal) -> Option<TaskRef> {
    let slots = &sched().slots;
    let n = slots.len();
    if n < 2 {
        return None;
    }
    let start = next_rand(w) as usize % n;
    for k in 0..n {
        let i = (start + k) % n;
        if i == w.index {
            continue;
        }
        loop {
            match slots[i].stealer.steal_batch_and_pop(&w.local) {
                Steal::Success(t) => return Some(t),
                Steal::Empty => break,
                Steal::Retry => continue,
            }
        }
    }
    None
}

/// The next task for worker `w`, without blocking.
fn find_task(w: &WorkerLocal) -> Option<TaskRef> {
    let tick = w.ticks.get().wrapping_add(1);
    w.ticks.set(tick);
    if tick.is_multiple_of(61) {
        if let Some(t) = steal_injector(w) {
            return Some(t);
        }
    }
    if let Some(t) = w.run_next.take() {
        return Some(t);
    }
    if let Some(t) = w.local.pop() {
        return Some(t);
    }
    timer::fire_due();
    if let Some(t) = w.run_next.take().or_else(|| w.local.pop()) {
        return Some(t);
    }
    steal_injector(w).or_else(|| steal_others(w))
}

/// Seeded mode: a random task of the bag (after moving in whatever was
/// submitted from outside and the due timers).
fn find_task_seeded(w: &WorkerLocal) -> Option<TaskRef> {
    while let Some(t) = steal_injector(w) {
        w.bag.borrow_mut().push(t);
        while let Some(t) = w.local.pop() {
            w.bag.borrow_mut().push(t);
        }
    }
    timer::fire_due();
    let mut bag = w.bag.borrow_mut();
    if bag.is_empty() {
        return None;
    }
    let i = seed::below(bag.len());
    Some(bag.swap_remove(i))
}

/// Seeded mode, nothing runnable: jump the virtual clock to the next
/// timer, or report the deadlock (there is one worker and no other
/// source of wake-ups).
fn idle_seeded() {
    if let Some(d) = timer::next_deadline() {
        seed::advance_to(d);
        return;
    }
    // With deadlock detection (a program run) the main task is alive
    // until the process exits, so some task is always alive here.
    if sched().detect_deadlock {
        report_deadlock();
    }
    std::thread::sleep(Duration::from_millis(1));
}

/// Whether any queue visibly holds a task.
fn any_queued() -> bool {
    let s = sched();
    !s.injector.is_empty() || s.slots.iter().any(|sl| !sl.stealer.is_empty())
}

fn spin_then_sleep(w: &WorkerLocal) -> Option<TaskRef> {
    let s = sched();
    s.spinning.fetch_add(1, Ordering::SeqCst);
    for round in 0..SPIN_ROUNDS {
        if let Some(t) = find_task(w) {
            s.spinning.fetch_sub(1, Ordering::SeqCst);
            return Some(t);
        }
        for _ in 0..(16 << (round / 16).min(4)) {
            std::hint::spin_loop();
        }
    }
    s.spinning.fetch_sub(1, Ordering::SeqCst);
    // Sleep.
    let mut idle = s.idle.lock().unwrap_or_else(|e| e.into_inner());
    idle.sleeping += 1;
    s.sleeping.store(idle.sleeping, Ordering::SeqCst);
    fence(Ordering::SeqCst);
    let due = timer::next_deadline();
    let work = any_queued() || due.is_some_and(|d| d <= now_nanos());
    if !work && s.detect_deadlock && idle.sleeping == s.slots.len() && due.is_none() {
        report_deadlock();
    }
    if !work {
        let timeout = due.map(|d| Duration::from_nanos(d.saturating_sub(now_nanos()).max(1000)));
        while idle.permits == 0 {
            idle = match timeout {
                Some(t) => {
                    let (g, r) = s
                        .idle_cv
                        .wait_timeout(idle, t)
                        .unwrap_or_else(|e| e.into_inner());
                    if r.timed_out() && g.permits == 0 {
                        idle = g;
                        break;
                    }
                    g
                }
                None => s.idle_cv.wait(idle).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }
    if idle.permits > 0 {
        // The waker already took us off `sleeping` and counted us spinning.
        idle.permits -= 1;
        drop(idle);
        s.spinning.fetch_sub(1, Ordering::SeqCst);
    } else {
        idle.sleeping -= 1;
        s.sleeping.store(idle.sleeping, Ordering::SeqCst);
    }
    None
}

/// Wakes a sleeping worker if work was just published and nobody spins.
fn wake_idle() {
    let s = sched();
    fence(Ordering::SeqCst);
    if s.sleeping.load(Ordering::SeqCst) == 0 || s.spinning.load(Ordering::SeqCst) > 0 {
        return;
    }
    let mut idle = s.idle.lock().unwrap_or_else(|e| e.into_inner());
    if idle.sleeping > 0 {
        idle.sleeping -= 1;
        s.sleeping.store(idle.sleeping, Ordering::SeqCst);
        idle.permits += 1;
        s.spinning.fetch_add(1, Ordering::SeqCst);
        drop(idle);
        s.idle_cv.notify_one();
    }
}

/// Makes a runnable task (`park == RUNNING`) available to the workers.
/// `hot`: it was just woken by the running task (goes to run-next).
fn enqueue(t: TaskRef, hot: bool) {
    if seed::is_seeded() {
        if let Some(w) = worker() {
            w.bag.borrow_mut().push(t);
            return;
        }
    }
    match worker() {
        Some(w) if hot && !w.current.get().is_null() => {
            if let Some(old) = w.run_next.replace(Some(t)) {
                w.local.push(old);
            }
        }
        Some(w) => w.local.push(t),
        None => sched().injector.push(t),
    }
    wake_idle();
}

/// Submits a task from outside the workers (startup, tests), under the
/// idle lock so that deadlock detection never misses it.
fn submit_external(t: TaskRef) {
    let s = sched();
    let idle = s.idle.lock().unwrap_or_else(|e| e.into_inner());
    s.injector.push(t);
    drop(idle);
    wake_idle();
}

/// Wakes a parked (or parking) task; harmless if it is already running.
pub fn wake(t: TaskRef) {
    let task = t.get();
    let mut s = task.park.load(Ordering::Acquire);
    loop {
        let (to, enq) = match s {
            PARK_PARKING => (PARK_NOTIFIED, false),
            PARK_PARKED => (PARK_RUNNING, true),
            _ => return,
        };
        match task
            .park
            .compare_exchange(s, to, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {
                if trace::on() {
                    trace::record(
                        worker().and_then(|w| w.trace),
                        trace::Kind::Wake,
                        task.id,
                        "",
                        u64::MAX,
                    );
                }
                if enq {
                    enqueue(t, true);
                }
                return;
            }
            Err(now) => s = now,
        }
    }
}

/// Switches from the scheduler context of `w` into task `t` and handles
/// what it asked for when it comes back.
fn run(w: &WorkerLocal, t: TaskRef) {
    let task = t.get();
    // SAFETY: we own `t` now (it came from a queue), so its unlocked
    // cells are ours until we hand it on (module invariant).
    unsafe {
        if (*task.stack.get()).is_none() {
            let st = if task.is_main {
                main_stack()
            } else {
                stack::take()
            };
            *task.stack.get() = Some(st);
            // `ctx.stack_limit` is read only by the task itself.
            let ctx = &task.ctx as *const PlatCtx as *mut PlatCtx;
            (*ctx).stack_limit = if task.is_main {
                st.lo + crate::entry::STACK_MARGIN
            } else {
                st.limit()
            };
            *task.sp.get() = switch::init_stack(st.top(), task_entry, t.0 as *mut u8);
        }
        let st = (*task.stack.get()).unwrap_or_else(|| crate::rt_fatal!("task without a stack"));
        signal::set_task(
            st.lo,
            task.ctx.stack_limit,
            if task.is_main { None } else { Some(task.id) },
        );
    }
    if seed::is_seeded() {
        seed::advance(seed::VCLOCK_STEP);
    }
    let tracing = trace::on();
    if tracing {
        trace::record(w.trace, trace::Kind::Run, task.id, "", u64::MAX);
    }
    w.current.set(t.0);
    let slot = &sched().slots[w.index];
    slot.current.store(t.0 as *mut Task, Ordering::Relaxed);
    // Only this worker writes `runs` (the monitor reads it): no RMW.
    slot.runs.store(
        slot.runs.load(Ordering::Relaxed).wrapping_add(1),
        Ordering::Relaxed,
    );
    // SAFETY: `sp` was saved by the task's last switch away (or made by
    // `init_stack`), and nobody else runs it (we dequeued it).
    unsafe { switch::switch(w.sched_sp.get(), *task.sp.get()) };
    slot.current.store(std::ptr::null_mut(), Ordering::Relaxed);
    w.current.set(std::ptr::null());
    signal::set_task(0, 0, None);
    if tracing {
        trace_switch_out(w, task);
    }
    match w.action.get() {
        Action::Park => {
            if task
                .park
                .compare_exchange(
                    PARK_PARKING,
                    PARK_PARKED,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_err()
            {
                // Woken while parking: runnable again right away.
                task.park.store(PARK_RUNNING, Ordering::Release);
                if seed::is_seeded() {
                    w.bag.borrow_mut().push(t);
                } else {
                    w.local.push(t);
                }
            }
        }
        Action::Yield if seed::is_seeded() => w.bag.borrow_mut().push(t),
        Action::Yield => {
            sched().injector.push(t);
        }
        Action::Exit => {
            // SAFETY: the task has switched off its stack for good.
            if let Some(st) = unsafe { (*task.stack.get()).take() } {
                if !task.is_main {
                    stack::give(st);
                }
            }
        }
    }
}

/// Records the spawn of `t` (tracing on).
fn trace_spawn(t: TaskRef) {
    trace::record(
        worker().and_then(|w| w.trace),
        trace::Kind::Spawn,
        t.get().id,
        "",
        u64::MAX,
    );
}

/// Records the end of a run slice and why it ended.
fn trace_switch_out(w: &WorkerLocal, task: &Task) {
    trace::record(w.trace, trace::Kind::Stop, task.id, "", u64::MAX);
    match w.action.get() {
        Action::Park => {
            // SAFETY: the task is off its stack and we still own it (its
            // reason was written before it switched away).
            let r = unsafe { *task.reason.get() };
            trace::record(
                w.trace,
                trace::Kind::Park,
                task.id,
                r.what,
                r.task.unwrap_or(u64::MAX),
            );
        }
        Action::Yield => {}
        Action::Exit => {
            let outcome = match task.done.load(Ordering::Acquire) {
                OK => "ok",
                FAILED => "failed",
                CANCELLED => "cancelled",
                _ => "running",
            };
            trace::record(w.trace, trace::Kind::End, task.id, outcome, u64::MAX);
        }
    }
}

/// First function on a task's stack.
unsafe extern "C" fn task_entry(arg: *mut u8) -> ! {
    let t = TaskRef(arg as *const Task);
    let task = t.get();
    if task.cancel.load(Ordering::Acquire) {
        end_task(t, CANCELLED, None);
    }
    let body = task
        .body
        .unwrap_or_else(|| crate::rt_fatal!("task without a body"));
    let ctx = &task.ctx as *const PlatCtx as *mut PlatCtx;
    // SAFETY: the body is compiled code (or a test's) following the
    // `spawn` body contract; `ctx` is this task's context.
    let r = unsafe { body(ctx, task.env) };
    // SAFETY: only this task writes its result, before `done`.
    unsafe { *task.result.get() = r };
    end_task(t, OK, None)
}

/// Switches from the running task back to its worker's scheduler.
fn switch_out(t: TaskRef, action: Action) {
    let w = worker().unwrap_or_else(|| crate::rt_fatal!("switch outside a worker"));
    w.action.set(action);
    // SAFETY: we are running `t` on `w`; its scheduler context is saved
    // in `sched_sp` by the switch that resumed us.
    unsafe { switch::switch(t.get().sp.get(), *w.sched_sp.get()) };
}

/// The running task, or a runtime bug if called outside a task.
pub fn me() -> TaskRef {
    let p = current();
    if p.is_null() {
        crate::rt_fatal!("a task operation was called outside a task");
    }
    TaskRef(p)
}

/// Parks the running task, which has stored `PARK_PARKING` before
/// publishing itself to a waker. Returns once woken (maybe spuriously).
pub fn park(t: TaskRef, reason: Reason) {
    // SAFETY: only the running task writes its reason.
    unsafe { *t.get().reason.get() = reason };
    switch_out(t, Action::Park);
}

/// Marks the running task as parking (step one of a park).
pub fn prepare_park(t: TaskRef) {
    t.get().park.store(PARK_PARKING, Ordering::SeqCst);
}

/// Undoes [`prepare_park`] when the condition turned out to hold.
pub fn cancel_park(t: TaskRef) {
    t.get().park.store(PARK_RUNNING, Ordering::SeqCst);
}

/// Lets other tasks run; the running task is queued behind them.
pub fn yield_now(t: TaskRef) {
    switch_out(t, Action::Yield);
}

/// Requests cancellation of `t` (idempotent: the first request decides
/// the cause). `cause`: the failure that made its scope cancel it, or
/// `None` (explicit `cancel()`, deadline, race).
pub fn cancel(t: TaskRef, cause: Option<&Arc<Cause>>) {
    let task = t.get();
    if task.is_done() || !task.request_cancel(cause) {
        return;
    }
    task.ctx.poll.store(1, Ordering::Release);
    wake(t);
}

/// Cancels every child of `scope` (idempotent: the first cancellation
/// decides the cause), with `cause` as in [`cancel`].
pub fn cancel_scope(scope: &Scope, cause: Option<Arc<Cause>>) {
    let children = {
        let mut inner = scope.lock();
        if inner.cancelled {
            return;
        }
        inner.cancelled = true;
        inner.cause = cause.clone();
        inner.children.clone()
    };
    for c in children {
        cancel(c, cause.as_ref());
    }
}

/// Parks the running task until every child of `scope` is done (or, for
/// a race with `stop_at_winner`, until one succeeded).
pub fn wait_scope(me: TaskRef, scope: &Scope, stop_at_winner: bool, cancel_on_own_cancel: bool) {
    loop {
        if cancel_on_own_cancel && me.get().cancel.load(Ordering::Acquire) {
            // The owner's cancellation cascades with its cause.
            cancel_scope(scope, me.get().cancel_cause());
        }
        prepare_park(me);
        {
            let mut inner = scope.lock();
            if inner.live == 0 || (stop_at_winner && inner.winner.is_some()) {
                inner.waiting = false;
                drop(inner);
                cancel_park(me);
                return;
            }
            inner.waiting = true;
        }
        park(
            me,
            Reason {
                what: "waiting for the tasks of its scope",
                task: None,
            },
        );
    }
}

/// Ends the running task `t` with `kind` and never returns: closes the
/// scopes it left open (cancelling and waiting for their tasks), records
/// the outcome, wakes its awaiters and its scope's owner, and switches
/// away for good.
pub fn end_task(t: TaskRef, kind: u8, failure: Option<Box<Failure>>) -> ! {
    let task = t.get();
    // SAFETY: only the running task touches its scope stack.
    let open: Vec<*const Scope> = unsafe { std::mem::take(&mut *task.scopes.get()) };
    // Why the tasks of those scopes and, for a first failure, this task's
    // siblings are cancelled: this task's failure, or the cause of its
    // own cancellation.
    let cause = match (&failure, kind) {
        (Some(f), FAILED) => Some(Arc::new(Cause {
            task: t,
            failure: (**f).clone(),
        })),
        _ => task.cancel_cause(),
    };
    for &sc in open.iter().rev() {
        // SAFETY: an open scope is kept alive by its `Arc` until the
        // owner exits it, which can no longer happen for these.
        let sc = unsafe { &*sc };
        cancel_scope(sc, cause.clone());
        wait_scope(t, sc, false, false);
    }
    let waiters = {
        let mut w = task.lock_waiters();
        // SAFETY: written once, by the task itself, before `done`.
        unsafe { *task.failure.get() = failure };
        task.done.store(kind, Ordering::Release);
        std::mem::take(&mut *w)
    };
    for w in waiters {
        wake(w);
    }
    // SAFETY: a child's scope outlives the child (the owner waits).
    if let Some(scope) = unsafe { task.scope.as_ref() } {
        let (wake_owner, cancel_others) = {
            let mut inner = scope.lock();
            inner.live -= 1;
            let mut cancel_others = false;
            match kind {
                FAILED => {
                    if inner.first_failure.is_none() {
                        inner.first_failure = Some(t);
                        cancel_others = !scope.race;
                    }
                    inner.last_failure = Some(t);
                }
                OK if scope.race && inner.winner.is_none() => inner.winner = Some(t),
                _ => {}
            }
            let wake_owner =
                inner.waiting && (inner.live == 0 || (scope.race && inner.winner == Some(t)));
            (wake_owner, cancel_others)
        };
        if cancel_others {
            cancel_scope(scope, cause);
        }
        if wake_owner {
            wake(scope.owner);
        }
    }
    switch_out(t, Action::Exit);
    crate::rt_fatal!("a finished task was resumed")
}

/// Ends the running task as cancelled if cancellation was requested
/// (a cancellation point). The main task is never cancelled.
pub fn check_cancel(t: TaskRef) {
    let task = t.get();
    if !task.is_main && task.cancel.load(Ordering::Acquire) {
        end_task(t, CANCELLED, None);
    }
}

/// A Plat panic raised with `message` at `loc` in the running code.
/// Inside a task: ends the task as failed. Otherwise (or in the main
/// task): prints the panic and exits with 101.
pub fn raise(message: &[u8], loc: *const c_char) -> ! {
    let p = current();
    if p.is_null() {
        print_failure_and_exit(&Failure {
            message: message.to_vec(),
            loc,
            chain: Vec::new(),
        });
    }
    let t = TaskRef(p);
    let task = t.get();
    let f = Failure {
        message: message.to_vec(),
        loc,
        chain: vec![(task.id, task.loc)],
    };
    fail(t, f)
}

/// Re-raises `f` (a failure of another task) in the running task `t`.
pub fn reraise(t: TaskRef, f: &Failure) -> ! {
    let task = t.get();
    let mut f = f.clone();
    f.chain.push((task.id, task.loc));
    fail(t, f)
}

fn fail(t: TaskRef, f: Failure) -> ! {
    if t.get().is_main {
        print_failure_and_exit(&f);
    }
    end_task(t, FAILED, Some(Box::new(f)))
}

/// Renders a failure: `panic: MSG`, `  at LOC`, then (when it crossed
/// tasks) one `  in task N (spawned at LOC)` line per task.
pub fn render_failure(f: &Failure) -> Vec<u8> {
    let mut text = b"panic: ".to_vec();
    text.extend_from_slice(&f.message);
    text.push(b'\n');
    // SAFETY: locations are null or static NUL-terminated strings.
    if let Some(loc) = unsafe { fatal::loc_arg(f.loc) } {
        text.extend_from_slice(b"  at ");
        text.extend_from_slice(loc.to_bytes());
        text.push(b'\n');
    }
    let crossed = f.chain.iter().any(|&(id, _)| id != 0);
    if crossed {
        for &(id, loc) in &f.chain {
            text.extend_from_slice(task_label(id, loc).as_bytes());
            text.push(b'\n');
        }
    }
    text
}

fn task_label(id: u64, loc: *const c_char) -> String {
    if id == 0 {
        return "  in task main".to_owned();
    }
    // SAFETY: as in `render_failure`.
    match unsafe { fatal::loc_arg(loc) } {
        Some(l) => format!("  in task {id} (spawned at {})", l.to_string_lossy()),
        None => format!("  in task {id}"),
    }
}

fn print_failure_and_exit(f: &Failure) -> ! {
    fatal::fail_raw(&render_failure(f), fatal::PANIC_EXIT)
}

/// Prints every parked task and exits with [`DEADLOCK_EXIT`].
fn report_deadlock() -> ! {
    let mut text = String::from("fatal: all tasks are blocked (deadlock)\n");
    let mut lines = Vec::new();
    let mut p = task::ALL.load(Ordering::Acquire);
    while !p.is_null() {
        // SAFETY: tasks are never freed; registry links are immutable
        // once published.
        let t = unsafe { &*p };
        if t.done.load(Ordering::Acquire) == RUNNING {
            // SAFETY: every task is parked, so nobody writes its reason.
            let r = unsafe { *t.reason.get() };
            let what = match r.task {
                Some(0) => format!("{} main", r.what),
                Some(id) => format!("{} {id}", r.what),
                None => r.what.to_owned(),
            };
            let who = task_label(t.id, t.loc);
            lines.push((
                t.id,
                format!("{}: {what}", who.trim_start().trim_start_matches("in ")),
            ));
        }
        p = t.next_all.load(Ordering::Acquire);
    }
    lines.sort_by_key(|l| l.0);
    for (_, l) in lines {
        text.push_str("  ");
        text.push_str(&l);
        text.push('\n');
    }
    fatal::fail_raw(text.as_bytes(), DEADLOCK_EXIT)
}

/// Preemption: marks tasks that ran a whole time slice.
fn monitor() {
    let s = sched();
    let mut last: Vec<(u64, usize)> = vec![(0, 0); s.slots.len()];
    loop {
        std::thread::sleep(TIME_SLICE);
        for (i, slot) in s.slots.iter().enumerate() {
            let cur = slot.current.load(Ordering::Relaxed);
            let runs = slot.runs.load(Ordering::Relaxed);
            if !cur.is_null() && last[i] == (runs, cur as usize) {
                // SAFETY: tasks are never freed; a stale pointer only
                // causes a spurious yield.
                unsafe { (*cur).ctx.poll.store(1, Ordering::Release) };
            }
            last[i] = (runs, cur as usize);
        }
    }
}

/// The scheduler's monotonic clock in nanoseconds: the virtual clock in
/// seeded mode (see [`seed`]), else [`real_nanos`].
pub fn now_nanos() -> u64 {
    if seed::is_seeded() {
        return seed::now();
    }
    real_nanos()
}

/// The real monotonic clock in nanoseconds.
pub fn real_nanos() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The main task's stack: `PLAT_STACK_KB` KiB (default 8 MiB, at least
/// 256 KiB), its own mapping.
fn main_stack() -> stack::Stack {
    let kb = std::env::var("PLAT_STACK_KB")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(crate::entry::DEFAULT_STACK_KB)
        .max(crate::entry::MIN_STACK_KB);
    let size = kb << 10;
    let page = 4096;
    let base = stack::reserve(size + page);
    // SAFETY: the lowest page of our own fresh mapping becomes a guard
    // (one split mapping for the whole process), so runtime code that
    // overruns the margin faults there (reported as a stack overflow).
    unsafe { libc::mprotect(base as *mut libc::c_void, page, libc::PROT_NONE) };
    stack::Stack {
        lo: base + page,
        size,
    }
}

/// Task stack size: `PLAT_STACK_KB` if set, else the default.
fn configure_stacks() {
    let kb = std::env::var("PLAT_STACK_KB")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .map(|kb| kb.max(crate::entry::MIN_STACK_KB))
        .unwrap_or(stack::DEFAULT_TASK_STACK_KB);
    stack::configure(kb << 10);
}

unsafe extern "C" fn main_body(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    // SAFETY: `env` is the `fn` pointer given to `start_program`.
    let program: fn(*mut PlatCtx) -> i32 = unsafe { std::mem::transmute(env) };
    let code = program(ctx);
    fatal::exit(code)
}

/// Runs `program` as the main task of a fresh scheduler on this thread
/// (which becomes worker 0); exits the process with its result.
pub fn start_program(program: fn(*mut PlatCtx) -> i32) -> ! {
    configure_stacks();
    trace::init_from_env();
    let n = if seed::init_from_env() {
        1
    } else {
        worker_count()
    };
    init(n, 1, true);
    let main = Task::create(
        Some(main_body),
        program as *mut u8,
        std::ptr::null(),
        std::ptr::null(),
        true,
    );
    sched().injector.push(main);
    worker_main(0)
}

/// Test harness: runs `body(ctx, env)` as a root task on the shared
/// scheduler (started on first use with [`worker_count`] workers, no
/// deadlock detection) and returns it once done.
pub fn run_root(body: task::Body, env: *mut u8) -> TaskRef {
    static START: std::sync::Once = std::sync::Once::new();
    START.call_once(|| {
        signal::install_handlers();
        configure_stacks();
        init(worker_count(), 0, false);
    });
    let t = Task::create(Some(body), env, std::ptr::null(), std::ptr::null(), false);
    submit_external(t);
    let mut pause = 10u64;
    while !t.get().is_done() {
        std::thread::sleep(Duration::from_micros(pause));
        pause = (pause * 2).min(1000);
    }
    t
}

/// The message of a failed task (for tests and diagnostics).
pub fn failure_text(t: TaskRef) -> Option<String> {
    let task = t.get();
    match task.done.load(Ordering::Acquire) {
        FAILED => task
            .failure()
            .map(|f| String::from_utf8_lossy(&render_failure(f)).into_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
