//! The blocking pool: threads that run system calls which may block
//! (regular files, directories, name lookups, child processes, standard
//! input) while the task that asked parks, so a slow disk never stalls a
//! worker (Go's entersyscall hand-off, done here by moving the call, not
//! the worker).
//!
//! # Design
//!
//! [`run`] boxes the job, queues it and parks the calling task until a
//! pool thread has run it and stored its result in a [`Completion`] on
//! the task's stack, then wakes the task. Threads are started on demand
//! (a job queued while no thread is idle starts one, up to
//! [`MAX_THREADS`]; past that, jobs wait in the queue) and leave after
//! [`KEEP_ALIVE`] without work.
//!
//! # Invariants
//!
//! - `POOL` (mutex) protects the queue and the thread counts; its condvar
//!   is signalled once per queued job when a thread is idle.
//! - A job never touches the Plat heap (pool threads are not stopped by
//!   the collector): callers pass owned Rust values in and out.
//! - The waiting task parks without cancellation: the job writes into its
//!   stack, so it must not end before the job does.
//! - [`pending`] counts jobs queued or running whose task still waits.
//!   A pool thread wakes the task *before* decrementing it, so deadlock
//!   detection, which reads the count before looking at the run queues,
//!   sees either the job pending or the woken task queued.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use crate::sched::{self, seed, task::Reason};

/// Most pool threads at once (each blocked call holds one).
pub const MAX_THREADS: usize = 256;
/// An idle pool thread exits after this long without work.
pub const KEEP_ALIVE: Duration = Duration::from_secs(10);

type Job = Box<dyn FnOnce() + Send>;

struct Pool {
    queue: VecDeque<Job>,
    threads: usize,
    idle: usize,
}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    queue: VecDeque::new(),
    threads: 0,
    idle: 0,
});
static WORK: Condvar = Condvar::new();
static PENDING: AtomicUsize = AtomicUsize::new(0);

/// Jobs whose task still waits for them (see the invariants).
pub fn pending() -> usize {
    PENDING.load(Ordering::SeqCst)
}

fn lock() -> std::sync::MutexGuard<'static, Pool> {
    POOL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where a job leaves its result for the parked task.
struct Completion<R> {
    done: AtomicBool,
    result: std::cell::UnsafeCell<Option<R>>,
}

/// A pointer to a [`Completion`] on a parked task's stack, sent to a
/// pool thread.
struct SendPtr<R>(*const Completion<R>);
// SAFETY: the completion outlives the job (the task waits for `done`),
// and only the job writes `result`, before publishing `done`.
unsafe impl<R: Send> Send for SendPtr<R> {}

/// Runs `job` on a pool thread and parks the calling task until it is
/// done; returns its result. `what` says what the task waits for (the
/// deadlock report and traces show it). Outside a task, or in seeded
/// mode, the job runs right here.
pub fn run<R: Send + 'static>(what: &'static str, job: impl FnOnce() -> R + Send + 'static) -> R {
    if seed::is_seeded() || sched::current().is_null() {
        return job();
    }
    let me = sched::me();
    let c = Completion {
        done: AtomicBool::new(false),
        result: std::cell::UnsafeCell::new(None),
    };
    let ptr = SendPtr(&c as *const Completion<R>);
    PENDING.fetch_add(1, Ordering::SeqCst);
    submit(Box::new(move || {
        let ptr = ptr;
        let r = job();
        // SAFETY: the task waits until `done` is set, so `*ptr.0` is
        // alive; nobody else writes `result`.
        unsafe {
            *(*ptr.0).result.get() = Some(r);
            // `SeqCst`: Dekker with the task, which stores `PARKING` then
            // loads `done`, while this stores `done` then (in `wake`)
            // loads its park state. With a `Release` store the two could
            // pass each other (x86 reorders a store after a later load):
            // the task sees `done` unset and parks, `wake` sees it running
            // and does nothing, and the task sleeps forever.
            (*ptr.0).done.store(true, Ordering::SeqCst);
        }
        // The task may already have seen `done` and moved on: from here
        // on only the fiber (never freed) is used, and a spurious
        // wake-up is harmless.
        sched::wake(me);
        PENDING.fetch_sub(1, Ordering::SeqCst);
    }));
    loop {
        sched::prepare_park(me);
        // `SeqCst`: the task's half of the Dekker pair (see the job).
        if c.done.load(Ordering::SeqCst) {
            sched::cancel_park(me);
            break;
        }
        sched::park(
            me,
            Reason {
                what,
                task: None,
                at: std::ptr::null(),
            },
        );
    }
    // SAFETY: `done` was read (SeqCst, so acquiring) after the job's
    // SeqCst (so releasing) store following the result; the job no
    // longer touches it.
    unsafe { (*c.result.get()).take() }
        .unwrap_or_else(|| crate::rt_fatal!("blocking job finished without a result"))
}

fn submit(job: Job) {
    let mut p = lock();
    p.queue.push_back(job);
    if p.idle > 0 {
        drop(p);
        WORK.notify_one();
        return;
    }
    if p.threads < MAX_THREADS {
        p.threads += 1;
        drop(p);
        let started = std::thread::Builder::new()
            .name("plat-blocking".to_owned())
            .stack_size(256 << 10)
            .spawn(pool_thread);
        if let Err(e) = started {
            crate::rt_fatal!("cannot start a blocking-pool thread: {e}");
        }
    }
}

fn pool_thread() {
    let mut p = lock();
    loop {
        if let Some(job) = p.queue.pop_front() {
            drop(p);
            job();
            p = lock();
            continue;
        }
        p.idle += 1;
        let (g, timeout) = WORK
            .wait_timeout(p, KEEP_ALIVE)
            .unwrap_or_else(|e| e.into_inner());
        p = g;
        p.idle -= 1;
        if timeout.timed_out() && p.queue.is_empty() {
            p.threads -= 1;
            return;
        }
    }
}
