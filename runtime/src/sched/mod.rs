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
//!   A preempted or yielding task goes to the injector; a spawner whose
//!   worker already queues more than 256 tasks yields behind them on its
//!   own worker ([`worker::spawn_backlog`]), so a loop of a million
//!   spawns never queues more than a few hundred tasks at once.
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
//! - **Idle workers** ([`idle`]) sleep on a condvar with a permit count: a
//!   submitter that finds `sleeping > 0` and nobody spinning hands out a
//!   permit (the woken worker counts as spinning). External submitters
//!   (the injector) push, then `SeqCst` fence, then read `sleeping`;
//!   sleepers increment `sleeping`, fence, then re-check every queue
//!   before waiting: one of the two sees the other, so no task is left
//!   behind with everybody asleep. A worker pushing to its own queues
//!   skips the fence (Go's `wakep` check): it is awake and pops its own
//!   queues before it can sleep, so a missed wake-up only costs
//!   parallelism until the next push. The last spinning worker to find
//!   a task wakes another (Go's `resetspinning`), since submitters
//!   counted on it. `tests/loom_idle.rs` model-checks this protocol (see
//!   `idle.rs` for the argument and the orderings).
//! - **Deadlock**: a worker about to sleep while every other worker
//!   sleeps, no queue holds a task and no pending timer could wake a
//!   task (none, or only ticks of tickers and timeouts of cancel tokens
//!   nobody waits on, see [`timer::none_can_wake`]) knows that nothing can ever wake a task (the main task is alive until the
//!   process exits, so some task is always waiting): it prints the report
//!   and exits with 2 (checked under the idle lock, which external
//!   submitters also take).
//! - **Displaced run-next tasks**: a task woken by the running task takes
//!   the run-next slot; the task it displaces goes to the local deque,
//!   and an idle worker is woken for it only if the deque already held a
//!   task (a backlog). A lone displaced task is usually the next link of
//!   a message-passing chain, which this worker runs once the current
//!   task parks; stealing it made pipelines hop between cores at every
//!   hand-off. The monitor (below) is the backstop.
//! - **Preemption**: a monitor thread looks at every worker every 10 ms;
//!   one still running the same task run as last time gets its task's
//!   `poll` set, and the task yields at its next safepoint. If a task is
//!   queued anywhere at a tick while a worker sleeps (a displaced task
//!   behind a busy waker, a preempted task in the injector; both are
//!   queued without a wake-up), it wakes an idle worker.
//! - **Seeded mode** (`PLAT_SEED=N`, [`seed`]): one worker, no monitor;
//!   runnable tasks go to the worker's `bag` and the next one is drawn by
//!   the seeded generator; `poll` stays set on every task so each
//!   safepoint asks the generator whether to yield; time is virtual.
//! - **Tracing** (`PLAT_TRACE=FILE`, [`trace`]): spawn, run slices,
//!   park, wake and end events into a per-worker buffer, written as
//!   Chrome trace-event JSON at exit.
//! - **Task memory** ([`task`]): a task is a 48-byte handle (what
//!   compiled code holds: outcome, waiters, cancellation), a heap object
//!   the collector reclaims once unreachable, plus a fiber
//!   (context, stack, run state) that its worker recycles through
//!   per-thread free lists (magazines, moved between threads in batches)
//!   once the task has switched away for the last time. Queues, the run
//!   state and `ctx` are the fiber's; scopes, causes, `await` and
//!   `cancel` use handles. The spawn/end path takes no global lock per
//!   task and does no global read-modify-write except the task id
//!   counter (on a cache line of its own). A scope's read-only fields,
//!   its spawn side (lock, children, spawn count) and its ended count
//!   (finisher side, atomic) live on separate lines.
//!
//! Files: `worker.rs` (worker loop, run queues, idle parking, wake-ups,
//! the switch into a task, preemption monitor), `idle.rs` (the
//! sleep/wake protocol of idle workers), `lifecycle.rs` (task
//! entry and end, park/yield, cancellation, scope waiting, Plat panics
//! across tasks), `deadlock.rs` (the report), `task.rs` (task and scope
//! objects), `abi.rs` (entry points for compiled code), `boundary.rs`
//! (`scope_spawn` and `catch_panic` for library code), `timer.rs`,
//! `seed.rs`, `trace.rs`; this file: shared state, start-up, clocks.
//!
//! # Invariants
//!
//! - A task is in at most one place at a time: a run queue / run-next
//!   slot, running on one worker, or parked (reachable only through
//!   waiter lists and timers, which go through [`wake`]). Queues, slots
//!   and waiter lists hold fibers ([`task::FiberRef`]).
//! - Only the thread running a task reads or writes its fiber's unlocked
//!   cells (`sp` is written by the switch away and read by the next
//!   switch in, ordered by the `park` CAS / queue hand-off).
//! - A fiber pointer kept after its task ended (a timer, a stale waiter,
//!   a scope owner woken late, the monitor) may reach the fiber's next
//!   task: it is only ever used for [`wake`] and `ctx.poll`, so the cost
//!   is a spurious wake-up or yield, which every park site tolerates.
//! - The per-worker data ([`WorkerLocal`]) is reached only through
//!   [`worker`], a non-inlined function, because a task may resume on
//!   another thread and a thread-local address must not be cached across
//!   a switch.
//! - A Plat panic inside a task ends that task without unwinding: its
//!   stack is abandoned and returned to the pool, so runtime code must not
//!   raise a Plat panic while holding a lock.

pub mod abi;
pub mod boundary;
mod deadlock;
mod dump;
mod gc_roots;
pub(crate) mod idle;
mod lifecycle;
pub mod seed;
pub mod task;
pub mod testrun;
pub mod thread;
pub mod timer;
pub mod trace;
mod worker;

use std::cell::{Cell, RefCell, UnsafeCell};
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crossbeam_deque::{Injector, Stealer, Worker};

use crate::coro::{stack, switch};
use crate::ctx::PlatCtx;
use crate::{fatal, signal};
use idle::Idle;
use task::{Fiber, FiberRef, Task, TaskRef, FAILED};

pub use dump::dump_tasks;
pub use gc_roots::{
    held_sleepers, hold_sleepers, live_fibers, mark_fiber, mark_timer_roots, release_sleepers,
    stop_the_world,
};
pub use lifecycle::{
    cancel, cancel_park, cancel_requested, cancel_scope, check_cancel, end_task, me, panic, park,
    park_cancellable, prepare_park, raise, raise_untraced, render_failure, reraise, wait_scope,
    yield_local, yield_now,
};
use worker::{enqueue, spawn_backlog, submit_external, trace_spawn, wake_idle, worker_main};
pub use worker::{wake, wake_queued};

/// `park`: running, runnable or queued.
pub const PARK_RUNNING: u8 = 0;
/// `park`: about to park; published as a waiter somewhere.
pub const PARK_PARKING: u8 = 1;
/// `park`: switched off its stack, waiting for [`wake`].
pub const PARK_PARKED: u8 = 2;
/// `park`: woken while still `PARKING`; the scheduler re-enqueues it.
pub const PARK_NOTIFIED: u8 = 3;

/// Exit code of a deadlock.
pub const DEADLOCK_EXIT: i32 = plat_abi::exit::DEADLOCK;
/// Preemption time slice.
pub const TIME_SLICE: Duration = Duration::from_millis(10);
/// Steal attempts of an idle worker before it sleeps.
const SPIN_ROUNDS: usize = 64;

/// What a task asks its worker to do after switching away.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Action {
    Park,
    /// Queued behind every runnable task (the global queue).
    Yield,
    /// Queued behind the worker's own queue (see [`worker::spawn_backlog`]).
    YieldLocal,
    Exit,
}

/// Shared view of one worker (read by the monitor and stealers).
struct Slot {
    stealer: Stealer<FiberRef>,
    /// The fiber running there (null: none).
    current: AtomicPtr<Fiber>,
    /// Incremented at every switch into a task.
    runs: AtomicU64,
    /// The worker's idle sleep as the collector sees it
    /// (`gc_roots::AWAKE`, ...; see [`gc_roots::hold_sleepers`]).
    gc_sleep: std::sync::atomic::AtomicU8,
}

struct Sched {
    injector: Injector<FiberRef>,
    slots: Vec<Slot>,
    /// Sleeping and spinning workers ([`idle`]).
    idle: Idle,
    /// Deques of workers not started yet (taken by each worker thread).
    locals: Mutex<Vec<Option<Worker<FiberRef>>>>,
    /// Deadlock detection applies (false in the Rust test harness, where
    /// the test threads outside the scheduler can submit work any time).
    detect_deadlock: bool,
}

static SCHED: OnceLock<Sched> = OnceLock::new();

/// Per-worker data, owned by its thread.
pub struct WorkerLocal {
    index: usize,
    sched_sp: UnsafeCell<usize>,
    local: Worker<FiberRef>,
    run_next: Cell<Option<FiberRef>>,
    current: Cell<*const Fiber>,
    action: Cell<Action>,
    ticks: Cell<u64>,
    rng: Cell<u64>,
    /// Seeded mode only: the runnable tasks, picked at random.
    bag: RefCell<Vec<FiberRef>>,
    /// This worker's trace buffer (when `PLAT_TRACE` is set).
    trace: Option<&'static trace::Buffer>,
    /// Set on the OS thread of a `Thread.spawn` (not a worker: see
    /// [`thread`]).
    pinned: Option<&'static thread::Pinned>,
}

thread_local! {
    static WORKER: Cell<*const WorkerLocal> = const { Cell::new(std::ptr::null()) };
}

impl WorkerLocal {
    /// Makes the calling OS thread's scheduler state (a worker's, or a
    /// `Thread.spawn` thread's with `pinned` set), leaked since it lives
    /// as long as the thread, and installs it as the thread's [`worker`].
    fn install(
        index: usize,
        local: Worker<FiberRef>,
        rng: u64,
        trace: Option<&'static trace::Buffer>,
        pinned: Option<&'static thread::Pinned>,
    ) -> &'static WorkerLocal {
        let w: &'static WorkerLocal = Box::leak(Box::new(WorkerLocal {
            index,
            sched_sp: UnsafeCell::new(0),
            local,
            run_next: Cell::new(None),
            current: Cell::new(std::ptr::null()),
            action: Cell::new(Action::Exit),
            ticks: Cell::new(0),
            rng: Cell::new(rng),
            bag: RefCell::new(Vec::new()),
            trace,
            pinned,
        }));
        WORKER.with(|c| c.set(w));
        w
    }
}

/// This thread's worker, if it is one. Not inlined: see the invariants.
#[inline(never)]
fn worker() -> Option<&'static WorkerLocal> {
    let p = WORKER.with(|w| w.get());
    // SAFETY: set once per worker thread to a leaked `WorkerLocal` that
    // only this thread uses.
    unsafe { p.as_ref() }
}

/// The fiber running on this thread (null if none).
pub fn current() -> *const Fiber {
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

/// The number of workers of the running scheduler (1 in seeded mode,
/// and before it starts).
pub fn running_workers() -> usize {
    SCHED.get().map_or(1, |s| s.slots.len())
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
            gc_sleep: std::sync::atomic::AtomicU8::new(gc_roots::AWAKE),
        });
        locals.push(Some(w));
    }
    let s = Sched {
        injector: Injector::new(),
        slots,
        idle: Idle::with_poke(crate::io::netpoll::poke),
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
        .spawn(worker::monitor)
        .unwrap_or_else(|e| crate::rt_fatal!("cannot start the monitor thread: {e}"));
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

/// Unmaps a stack made by [`main_stack`] (a thread's, see [`thread`]).
fn unmap_own_stack(st: stack::Stack) {
    let page = 4096;
    // SAFETY: `st` is the whole mapping made by `main_stack` (plus its
    // guard page below), no longer used by anybody.
    unsafe { libc::munmap((st.lo - page) as *mut libc::c_void, st.size + page) };
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
    crate::io::raise_fd_limit();
    crate::gc::collect::enable_from_env();
    trace::init_from_env();
    let n = if seed::init_from_env() {
        1
    } else {
        worker_count()
    };
    init(n, 1, true);
    let (_, main) = Task::create(
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
    let (t, f) = Task::create(Some(body), env, std::ptr::null(), std::ptr::null(), false);
    submit_external(f);
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
#[cfg(test)]
mod thread_tests;
