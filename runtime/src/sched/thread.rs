//! Dedicated OS threads (`Thread.spawn`, spec `concurrency.md` section 7;
//! design in `docs/threads.md`).
//!
//! A Plat thread runs one *pinned* task (Go's `LockOSThread`): the task
//! is an ordinary task (handle, fiber, waiters: `join` is `await` on its
//! handle), but it only ever runs on its own OS thread, which has a
//! [`WorkerLocal`] of its own (so parking, spawning and the switch work
//! as on a worker) and a [`Slot`] of its own (so the collector sees it):
//!
//! - **Running**: the thread loops: wait until its task is ready, switch
//!   into it, handle what it asked for. A park puts the thread to sleep
//!   on its condvar; [`super::worker::enqueue`] of a pinned fiber (its
//!   wake-up) hands it to its thread ([`hand`]) instead of a run queue.
//!   A yield (preemption, a collection's stop) runs it again at once,
//!   after the barrier if a collection is pending.
//! - **Tasks it spawns or wakes** go to the injector (the thread's own
//!   deque is never stolen from), with the external wake-up protocol.
//! - **Stack**: its own mapping of `PLAT_STACK_KB` (as the main task:
//!   foreign code may need a big stack), unmapped when the task ends.
//! - **Collector**: a registered thread counts as one more participant
//!   of the stop ([`registered`]): running, it stops at a safepoint
//!   (its slot's `current` gets the poll flag as a worker's would) and
//!   arrives at the barrier; asleep, it is `ASLEEP` in its slot and the
//!   barrier holds it like a sleeping worker (same protocol and
//!   orderings as `gc_roots`). It releases its allocation cache and
//!   unregisters before it exits.
//! - **Deadlock**: [`active`] counts threads whose task is not parked (a
//!   thread inside a long computation or blocking foreign code is
//!   running, not deadlocked). A park decrements it under the idle lock
//!   (which the deadlock check holds), after any task it woke was
//!   queued; a hand-off increments it before the waker can stop counting.
//!
//! # Invariants
//!
//! - A pinned fiber is in the registry from its spawn until its thread
//!   exits. Its thread releases it to its own magazine, which nobody
//!   else pops: it is never reused, so a wake-up never reaches a thread
//!   through a recycled fiber (one 192-byte fiber per thread ever
//!   spawned stays there).
//! - Only the thread itself switches into its task; `ready` (under the
//!   thread's mutex) is the hand-off.

use std::ffi::c_char;
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use crossbeam_deque::Worker;

use super::gc_roots::{falling_asleep, woke, AWAKE};
use super::task::{Body, FiberRef, Task, TaskRef};
use super::worker::{complete_park, run};
use super::{sched, Action, Slot, WorkerLocal};

/// One Plat thread.
pub struct Pinned {
    fiber: FiberRef,
    pub(super) slot: Slot,
    /// The task may run (set by [`hand`] and by the thread itself).
    ready: Mutex<bool>,
    cv: Condvar,
    /// The thread's deque (never stolen from; kept for `WorkerLocal`).
    local: Mutex<Option<Worker<FiberRef>>>,
}

// SAFETY: `fiber` is only used as in the module invariants; the other
// fields are synchronised.
unsafe impl Sync for Pinned {}
// SAFETY: as above.
unsafe impl Send for Pinned {}

/// The live threads (registered at spawn, removed at exit).
static THREADS: Mutex<Vec<&'static Pinned>> = Mutex::new(Vec::new());
/// `THREADS.len()`, readable without the lock (fast path of `enqueue`).
static REGISTERED: AtomicUsize = AtomicUsize::new(0);
/// Threads whose task is not parked.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

fn threads() -> std::sync::MutexGuard<'static, Vec<&'static Pinned>> {
    THREADS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Live threads: participants of a collection's stop besides the workers.
pub fn registered() -> usize {
    REGISTERED.load(Ordering::SeqCst)
}

/// Threads whose task is running or runnable (see the deadlock notes).
pub fn active() -> usize {
    ACTIVE.load(Ordering::SeqCst)
}

/// Calls `f` with the slot of every live thread (the collector's stop).
pub(super) fn for_each_slot(mut f: impl FnMut(&Slot)) {
    if registered() == 0 {
        return;
    }
    for p in threads().iter() {
        f(&p.slot);
    }
}

/// The thread that `t` is pinned to, if any.
pub(super) fn pinned_of(t: FiberRef) -> Option<&'static Pinned> {
    if !t.get().pinned.load(Ordering::Relaxed) {
        return None;
    }
    threads().iter().copied().find(|p| p.fiber.0 == t.0)
}

/// Hands a woken pinned task (`park == RUNNING`) to its thread.
pub(super) fn hand(p: &Pinned) {
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    set_ready(p);
}

fn set_ready(p: &Pinned) {
    let mut g = p.ready.lock().unwrap_or_else(|e| e.into_inner());
    *g = true;
    p.cv.notify_one();
}

/// `Thread.spawn(f)`: a task running `body(ctx, env)` on a new OS thread.
pub fn spawn(body: Body, env: *mut u8, loc: *const c_char) -> TaskRef {
    let (t, f) = Task::create(Some(body), env, loc, std::ptr::null(), false);
    // Before the thread (or anyone it hands the task to) can see it.
    f.get().pinned.store(true, Ordering::Relaxed);
    let local = Worker::new_fifo();
    let p: &'static Pinned = Box::leak(Box::new(Pinned {
        fiber: f,
        slot: Slot {
            stealer: local.stealer(),
            current: AtomicPtr::new(std::ptr::null_mut()),
            runs: AtomicU64::new(0),
            gc_sleep: AtomicU8::new(AWAKE),
        },
        ready: Mutex::new(true),
        cv: Condvar::new(),
        local: Mutex::new(Some(local)),
    }));
    // Registered while the spawner runs: no collection can be past its
    // stop, so the new thread is counted before it can allocate.
    {
        let mut all = threads();
        all.push(p);
        REGISTERED.store(all.len(), Ordering::SeqCst);
    }
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    if super::trace::on() {
        super::trace_spawn(f);
    }
    let addr = p as *const Pinned as usize;
    std::thread::Builder::new()
        .name(format!("plat-thread-{}", t.get().id))
        .stack_size(256 << 10)
        .spawn(move || {
            // SAFETY: `p` is leaked, so `'static`.
            thread_main(unsafe { &*(addr as *const Pinned) })
        })
        .unwrap_or_else(|e| crate::rt_fatal!("cannot start a thread: {e}"));
    t
}

/// Waits until the task is ready; false: a collection came first (the
/// caller goes to the barrier and asks again). The sleep follows the
/// workers' protocol with the collector (`gc_roots`).
fn wait_ready(p: &Pinned) -> bool {
    let mut g = p.ready.lock().unwrap_or_else(|e| e.into_inner());
    if *g {
        *g = false;
        return true;
    }
    falling_asleep(&p.slot);
    std::sync::atomic::fence(Ordering::SeqCst);
    if crate::gc::collect::pending() {
        drop(g);
        woke(&p.slot);
        return false;
    }
    crate::stdout::flush_if_dirty();
    while !*g {
        g = p.cv.wait(g).unwrap_or_else(|e| e.into_inner());
    }
    *g = false;
    drop(g);
    woke(&p.slot);
    true
}

fn arrive_if_pending() {
    if crate::gc::collect::pending() {
        crate::gc::collect::arrive(sched().slots.len());
    }
}

fn thread_main(p: &'static Pinned) {
    crate::signal::install_altstack();
    let local = p
        .local
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .unwrap_or_else(|| crate::rt_fatal!("thread started twice"));
    let w = WorkerLocal::install(usize::MAX, local, 0x9E37_79B9_7F4A_7C15, None, Some(p));
    loop {
        let ready = wait_ready(p);
        arrive_if_pending();
        if !ready {
            continue;
        }
        run(w, p.fiber);
        if w.action.get() == Action::Exit {
            break;
        }
    }
    // The fiber goes to this thread's magazine, which nobody else pops:
    // it is never reused (see the invariants). A stale wake-up finds it
    // `RUNNING` and does nothing.
    super::task::release(p.fiber);
    crate::stdout::flush_if_dirty();
    // Leave the stop's count holding no span (a collection pending now
    // waits for us until we are gone, re-counting at every wait).
    crate::gc::heap::release_cache();
    {
        let mut all = threads();
        all.retain(|q| !std::ptr::eq(*q, p));
        REGISTERED.store(all.len(), Ordering::SeqCst);
    }
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
}

/// After the thread's task switched out with `action` (called by `run`).
pub(super) fn switched_out(p: &Pinned, action: Action) {
    let task = p.fiber.get();
    match action {
        Action::Park => {
            if complete_park(task) {
                // Under the idle lock: the deadlock check sees either
                // this thread active or what it queued before parking.
                sched()
                    .idle
                    .locked(|| ACTIVE.fetch_sub(1, Ordering::SeqCst));
            } else {
                set_ready(p);
            }
        }
        Action::Yield | Action::YieldLocal => set_ready(p),
        Action::Exit => {
            // SAFETY: the task switched off its stack for good; the stack
            // is this thread's own mapping (see `worker::run`).
            if let Some(st) = unsafe { (*task.stack.get()).take() } {
                super::unmap_own_stack(st);
            }
        }
    }
}
