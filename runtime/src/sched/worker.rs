//! Run queues, the worker loop and idle parking: how runnable tasks
//! reach a worker (see the design notes in `sched/mod.rs`).
//!
//! # Invariants
//!
//! - A runnable task is in exactly one of: a worker's run-next slot, a
//!   worker's deque, the global injector, a seeded worker's bag.
//! - `run_next`, `bag`, `ticks`, `rng` and `action` of a [`WorkerLocal`]
//!   are touched only by its own thread (no lock).
//! - `Sched::idle` ([`super::idle::Idle`]) counts sleeping and spinning
//!   workers; the lost-wake-up argument and the pairing of its orderings
//!   are in `idle.rs`. The re-check passed to `Idle::sleep` by
//!   [`spin_then_sleep`] must look at every queue.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crossbeam_deque::Steal;

use super::idle::Recheck;
use super::task::{self, Fiber, FiberRef, CANCELLED, FAILED, OK};
use super::{
    deadlock, lifecycle, main_stack, now_nanos, sched, seed, timer, trace, worker, Action,
    WorkerLocal, PARK_NOTIFIED, PARK_PARKED, PARK_PARKING, PARK_RUNNING, SPIN_ROUNDS, TIME_SLICE,
};
use crate::coro::{stack, switch};
use crate::ctx::PlatCtx;
use crate::io::{blocking, netpoll};
use crate::signal;

/// Looks at the queues of an idle worker before it sleeps while tasks
/// wait for I/O (see [`spin_then_sleep`]).
const IO_SPIN_ROUNDS: usize = 4;

/// Runs the worker loop of worker `index` on this thread, forever.
pub(super) fn worker_main(index: usize) -> ! {
    signal::install_altstack();
    let s = sched();
    let local = s.locals.lock().unwrap_or_else(|e| e.into_inner())[index]
        .take()
        .unwrap_or_else(|| crate::rt_fatal!("worker {index} started twice"));
    let w = WorkerLocal::install(
        index,
        local,
        0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1),
        trace::on().then(|| trace::new_buffer(index)),
        None,
    );
    let workers = s.slots.len();
    if seed::is_seeded() {
        loop {
            if crate::gc::collect::pending() {
                crate::gc::collect::arrive(workers);
            }
            match find_task_seeded(w) {
                Some(t) => run(w, t),
                None => idle_seeded(),
            }
        }
    }
    loop {
        if crate::gc::collect::pending() {
            crate::gc::collect::arrive(workers);
        }
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

fn steal_injector(w: &WorkerLocal) -> Option<FiberRef> {
    loop {
        match sched().injector.steal_batch_and_pop(&w.local) {
            Steal::Success(t) => return Some(t),
            Steal::Empty => return None,
            Steal::Retry => continue,
        }
    }
}

fn steal_others(w: &WorkerLocal) -> Option<FiberRef> {
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
fn find_task(w: &WorkerLocal) -> Option<FiberRef> {
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
    steal_injector(w)
        .or_else(|| poll_io_now(w))
        .or_else(|| steal_others(w))
}

/// Polls for I/O readiness without blocking, if tasks wait for it (Go's
/// `findrunnable` polls before stealing): the tasks made runnable go to
/// this worker's queue, and the first is returned.
fn poll_io_now(w: &WorkerLocal) -> Option<FiberRef> {
    if netpoll::waiters() == 0 {
        return None;
    }
    poll_io_and_wake(0);
    w.local.pop()
}

/// Polls for I/O readiness (waiting at most `timeout_ms`, -1: no limit)
/// and wakes the tasks it made runnable: onto this worker's queue (or,
/// seeded, its bag), or the injector when called off the workers (the
/// monitor).
fn poll_io_and_wake(timeout_ms: i32) {
    let mut ready = Vec::new();
    netpoll::poll(timeout_ms, &mut ready);
    for f in ready {
        wake(f);
    }
}

/// `epoll_wait`'s timeout for an idle sleep of at most `d` (rounded up
/// to whole milliseconds; -1: no limit).
fn poll_timeout(d: Option<Duration>) -> i32 {
    match d {
        None => -1,
        Some(d) => d.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as i32,
    }
}

/// Seeded mode: a random task of the bag (after moving in whatever was
/// submitted from outside and the due timers).
fn find_task_seeded(w: &WorkerLocal) -> Option<FiberRef> {
    while let Some(t) = steal_injector(w) {
        w.bag.borrow_mut().push(t);
        while let Some(t) = w.local.pop() {
            w.bag.borrow_mut().push(t);
        }
    }
    timer::fire_due();
    if netpoll::waiters() > 0 {
        // The poller's defined point in a seeded schedule: before every
        // pick. What it finds joins the bag like any woken task.
        poll_io_and_wake(0);
    }
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
    crate::stdout::flush_if_dirty();
    if netpoll::waiters() > 0 && timer::next_deadline().is_none() {
        // Only I/O can wake a task: wait for it (the next pick sees what
        // it made runnable; nothing else runs meanwhile).
        poll_io_and_wake(-1);
        return;
    }
    if let Some(d) = timer::next_deadline() {
        // Pending ticks nobody waits for cannot end a deadlock.
        if !(sched().detect_deadlock && timer::none_can_wake()) {
            seed::advance_to(d);
            return;
        }
    }
    if super::thread::active() > 0 {
        // A thread's task runs on its own OS thread: it may wake a task
        // (not on the seeded schedule: threads are real parallelism).
        std::thread::sleep(Duration::from_micros(200));
        return;
    }
    // No thread's task runs now; what one queued before it parked or
    // ended (it pushes to the injector before it stops counting as
    // active, both SeqCst) is visible now, though the look at the
    // queues above may have come before it. Look again.
    if any_queued() {
        return;
    }
    // With deadlock detection (a program run) the main task is alive
    // until the process exits, so some task is always alive here.
    if sched().detect_deadlock {
        // One worker, no lock held: the runner of a test run goes back
        // to the bag.
        deadlock::deadlock_found(wake);
        return;
    }
    std::thread::sleep(Duration::from_millis(1));
}

/// Whether any queue visibly holds a task.
fn any_queued() -> bool {
    let s = sched();
    !s.injector.is_empty() || s.slots.iter().any(|sl| !sl.stealer.is_empty())
}

/// Looks for work as a spinning worker, then sleeps; `None`: look again.
fn spin_then_sleep(w: &WorkerLocal) -> Option<FiberRef> {
    let s = sched();
    s.idle.start_spinning();
    loop {
        // Counted as spinning here (from the start, or woken): a pending
        // collection sends the worker to the barrier instead.
        if crate::gc::collect::pending() {
            s.idle.stop_spinning();
            return None;
        }
        // With tasks waiting for I/O, the sleep is a blocking poll that
        // readiness ends at once: a few looks at the queues, then that
        // (spinning only took the core from whoever is at the other end
        // of the sockets, often on this machine: Go's `findrunnable`
        // also steals a few times and then blocks in `netpoll`).
        let (rounds, pause) = if netpoll::waiters() > 0 {
            (IO_SPIN_ROUNDS, false)
        } else {
            (SPIN_ROUNDS, true)
        };
        for round in 0..rounds {
            if let Some(t) = find_task(w) {
                s.idle.found_work();
                return Some(t);
            }
            if pause {
                for _ in 0..(16 << (round / 16).min(4)) {
                    std::hint::spin_loop();
                }
            }
        }
        s.idle.stop_spinning();
        // Output printed before every task parked shows up now, not when
        // the flusher next runs.
        crate::stdout::flush_if_dirty();
        let slot = &s.slots[w.index];
        super::gc_roots::falling_asleep(slot);
        let mut ready = Vec::new();
        let woken = s.idle.sleep_or_poll(
            |sleeping, polling| {
                // Read before the queues: a pool job wakes its task
                // before it stops counting (see `io::blocking`).
                let jobs = blocking::pending();
                let io = netpoll::waiters();
                let due = timer::next_deadline();
                if any_queued()
                    || due.is_some_and(|d| d <= now_nanos())
                    || crate::gc::collect::pending()
                {
                    return Recheck::Work;
                }
                let until =
                    due.map(|d| Duration::from_nanos(d.saturating_sub(now_nanos()).max(1000)));
                if io > 0 && !polling {
                    return Recheck::Poll(until);
                }
                if s.detect_deadlock
                    && sleeping == s.slots.len()
                    && super::thread::active() == 0
                    && (due.is_none() || timer::none_can_wake())
                    && io == 0
                    && jobs == 0
                {
                    // A test run goes on with its runner, re-queued
                    // without the idle lock we hold.
                    deadlock::deadlock_found(wake_locked);
                    return Recheck::Work;
                }
                Recheck::Wait(until)
            },
            |until| {
                netpoll::poll(poll_timeout(until), &mut ready);
            },
        );
        super::gc_roots::woke(slot);
        for f in ready {
            wake(f);
        }
        if !woken {
            return None;
        }
        // Woken by a permit or work seen: counted as spinning again.
    }
}

/// Wakes a sleeping worker if work was just published and nobody spins
/// (from any thread; see [`Idle::wake`](super::idle::Idle::wake)).
pub(super) fn wake_idle() {
    sched().idle.wake();
}

/// Makes a runnable task (`park == RUNNING`) available to the workers.
/// `hot`: it was just woken by the running task (goes to run-next).
pub(super) fn enqueue(t: FiberRef, hot: bool) {
    if let Some(p) = super::thread::pinned_of(t) {
        super::thread::hand(p);
        return;
    }
    let me = worker();
    if me.is_some_and(|w| w.pinned.is_some()) {
        // From a thread's task: its deque is never stolen from.
        sched().injector.push(t);
        wake_idle();
        return;
    }
    if seed::is_seeded() {
        if let Some(w) = me {
            w.bag.borrow_mut().push(t);
            return;
        }
    }
    match me {
        Some(w) if hot && !w.current.get().is_null() => {
            // The run-next slot is not stealable. A displaced task goes
            // to the deque, and another worker is woken for it only if
            // one was already waiting there: a backlog. A lone displaced
            // task is usually the next link of a message-passing chain
            // (pipeline: the consumer displaced when the middle stage
            // wakes the producer), which this worker runs as soon as the
            // current task parks; an idle worker woken to steal it makes
            // the chain hop between cores at every hand-off (pipeline and
            // select fan-in ran 1.7x slower on 2 workers than on 1). If
            // the current task keeps running instead, the monitor wakes
            // an idle worker for the queued task at its next tick.
            if let Some(old) = w.run_next.replace(Some(t)) {
                let backlog = !w.local.is_empty();
                w.local.push(old);
                if backlog {
                    wake_idle_local();
                }
            }
        }
        Some(w) => {
            w.local.push(t);
            wake_idle_local();
        }
        None => {
            sched().injector.push(t);
            wake_idle();
        }
    }
}

/// Tasks queued on one worker beyond which a spawner lets them run
/// before it spawns more (Go's local run queue holds 256).
const SPAWN_BACKLOG: usize = 256;

/// Whether the calling worker's own queue holds more than
/// [`SPAWN_BACKLOG`] tasks: a loop of spawns is outrunning the tasks it
/// makes. Each queued task holds a fiber, a handle and an environment
/// (about 300 bytes), so a loop spawning a million tasks would otherwise
/// queue most of them at once; letting the queue drain first keeps them
/// to a few hundred (and runs each child while its environment is still
/// in cache). Never in seeded mode, whose schedule is the generator's.
pub(super) fn spawn_backlog() -> bool {
    !seed::is_seeded() && worker().is_some_and(|w| w.local.len() > SPAWN_BACKLOG)
}

/// [`wake_idle`] after a push to the calling worker's own queues, without
/// the fence (Go's `wakep` check; see
/// [`Idle::wake_local`](super::idle::Idle::wake_local)).
fn wake_idle_local() {
    sched().idle.wake_local();
}

/// Submits a task from outside the workers (startup, tests), under the
/// idle lock so that deadlock detection never misses it.
pub(super) fn submit_external(t: FiberRef) {
    let s = sched();
    s.idle.locked(|| s.injector.push(t));
    wake_idle();
}

/// [`wake`] from inside the idle lock (deadlock detection): the task
/// goes to the injector without waking an idle worker (the caller goes
/// on looking for work and finds it).
fn wake_locked(t: FiberRef) {
    let task = t.get();
    if task
        .park
        .compare_exchange(
            PARK_PARKED,
            PARK_RUNNING,
            Ordering::SeqCst,
            Ordering::SeqCst,
        )
        .is_ok()
    {
        sched().injector.push(t);
    } else {
        // Parking (impossible while every task is parked): the usual
        // hand-off, re-queued by its scheduler.
        let _ = task.park.compare_exchange(
            PARK_PARKING,
            PARK_NOTIFIED,
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
    }
}

/// Ends a park once the task has switched out (`Action::Park`): true if
/// it is parked now; false if it was woken while parking, in which case it
/// is running again and its scheduler must queue it right away.
pub(super) fn complete_park(task: &Fiber) -> bool {
    let parked = task
        .park
        .compare_exchange(
            PARK_PARKING,
            PARK_PARKED,
            Ordering::AcqRel,
            Ordering::Acquire,
        )
        .is_ok();
    if !parked {
        debug_assert_eq!(task.park.load(Ordering::Acquire), super::PARK_NOTIFIED);
        task.park.store(PARK_RUNNING, Ordering::Release);
    }
    parked
}

/// Wakes a parked (or parking) task; harmless if it is already running.
/// It goes to the waker's run-next slot: the waker is expected to block
/// soon (message passing).
pub fn wake(t: FiberRef) {
    wake_as(t, true);
}

/// As [`wake`], but the task goes to the waker's stealable queue, for a
/// waker that keeps running (an unlock): an idle worker can take it.
pub fn wake_queued(t: FiberRef) {
    wake_as(t, false);
}

fn wake_as(t: FiberRef, hot: bool) {
    let task = t.get();
    // `SeqCst`: the second half of the Dekker pairs in `wait_scope` (a
    // plain load on x86).
    let mut s = task.park.load(Ordering::SeqCst);
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
                        task.id(),
                        "",
                        u64::MAX,
                    );
                }
                if enq {
                    enqueue(t, hot);
                }
                return;
            }
            Err(now) => s = now,
        }
    }
}

/// Switches from the scheduler context of `w` into task `t` and handles
/// what it asked for when it comes back.
pub(super) fn run(w: &WorkerLocal, t: FiberRef) {
    let task = t.get();
    let (id, is_main) = (task.id(), task.is_main());
    // SAFETY: we own `t` now (it came from a queue), so its unlocked
    // cells are ours until we hand it on (module invariant).
    unsafe {
        if (*task.stack.get()).is_none() {
            let own = is_main || w.pinned.is_some();
            let st = if own { main_stack() } else { stack::take() };
            *task.stack.get() = Some(st);
            // `ctx.stack_limit` is read only by the task itself.
            let ctx = &task.ctx as *const PlatCtx as *mut PlatCtx;
            (*ctx).stack_limit = if own {
                st.lo + crate::entry::STACK_MARGIN
            } else {
                st.limit()
            };
            *task.sp.get() = switch::init_stack(st.top(), lifecycle::task_entry, t.0 as *mut u8);
        }
        let st = (*task.stack.get()).unwrap_or_else(|| crate::rt_fatal!("task without a stack"));
        signal::set_task(Some(signal::Running {
            lo: st.lo,
            limit: task.ctx.stack_limit,
            top: st.top(),
            id: if is_main { None } else { Some(id) },
            spawned_at: task.info().loc,
        }));
    }
    if seed::is_seeded() {
        seed::advance(seed::VCLOCK_STEP);
    }
    let tracing = trace::on();
    if tracing {
        trace::record(w.trace, trace::Kind::Run, id, "", u64::MAX);
    }
    w.current.set(t.0);
    let slot = match w.pinned {
        Some(p) => &p.slot,
        None => &sched().slots[w.index],
    };
    slot.current.store(t.0 as *mut Fiber, Ordering::Relaxed);
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
    signal::set_task(None);
    if tracing {
        trace_switch_out(w, task);
    }
    if let Some(p) = w.pinned {
        super::thread::switched_out(p, w.action.get());
        return;
    }
    match w.action.get() {
        Action::Park => {
            if !complete_park(task) {
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
        Action::YieldLocal => w.local.push(t),
        Action::Exit => {
            // The task has switched off its stack for good: the stack
            // goes back to the pool (a free fiber holds none: fibers of
            // queued tasks outnumber running ones) and the fiber serves a
            // later task. The main task's fiber is never released (its
            // end ends the process).
            if !is_main {
                // SAFETY: we own the fiber until `release`.
                if let Some(st) = unsafe { (*task.stack.get()).take() } {
                    stack::give(st);
                }
                task::release(t);
            }
        }
    }
}

/// Records the spawn of `t` (tracing on).
pub(super) fn trace_spawn(t: FiberRef) {
    trace::record(
        worker().and_then(|w| w.trace),
        trace::Kind::Spawn,
        t.get().id(),
        "",
        u64::MAX,
    );
}

/// Records the end of a run slice and why it ended.
fn trace_switch_out(w: &WorkerLocal, task: &Fiber) {
    let id = task.id();
    trace::record(w.trace, trace::Kind::Stop, id, "", u64::MAX);
    match w.action.get() {
        Action::Park => {
            // SAFETY: the task is off its stack and we still own it (its
            // reason was written before it switched away).
            let r = unsafe { *task.reason.get() };
            trace::record_at(
                w.trace,
                trace::Kind::Park,
                id,
                r.what,
                r.task.unwrap_or(u64::MAX),
                r.at,
            );
        }
        Action::Yield | Action::YieldLocal => {}
        Action::Exit => {
            let outcome = match task.task().get().done.load(Ordering::Acquire) {
                OK => "ok",
                FAILED => "failed",
                CANCELLED => "cancelled",
                _ => "running",
            };
            trace::record(w.trace, trace::Kind::End, id, outcome, u64::MAX);
        }
    }
}

/// Preemption: marks tasks that ran a whole time slice. Also the
/// backstop of the lazy wake-ups: a task left in a queue with a worker
/// asleep (a lone displaced run-next task, a preempted task sent to the
/// injector, both queued without a wake-up) gets an idle worker at the
/// next tick if it is still there.
pub(super) fn monitor() {
    let s = sched();
    let mut last: Vec<(u64, usize)> = vec![(0, 0); s.slots.len()];
    loop {
        std::thread::sleep(TIME_SLICE);
        if netpoll::overdue(TIME_SLICE.as_nanos() as u64) {
            // Every worker busy for a whole slice: nobody polled. The
            // tasks made runnable go to the injector.
            poll_io_and_wake(0);
        }
        if any_queued() {
            wake_idle();
        }
        for (i, slot) in s.slots.iter().enumerate() {
            let cur = slot.current.load(Ordering::Relaxed);
            let runs = slot.runs.load(Ordering::Relaxed);
            if !cur.is_null() && last[i] == (runs, cur as usize) {
                // SAFETY: fibers are never unmapped; a stale pointer
                // only causes a spurious yield.
                unsafe { (*cur).ctx.poll.store(1, Ordering::Release) };
            }
            last[i] = (runs, cur as usize);
        }
    }
}
