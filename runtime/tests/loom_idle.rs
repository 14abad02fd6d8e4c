//! Loom models of the idle-worker protocol (`src/sched/idle.rs`): an idle
//! worker going to sleep while another thread submits work never loses
//! the wake-up.
//!
//! Run with:
//!
//! ```text
//! cd runtime && RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=../target/loom \
//!     cargo test --test loom_idle --release
//! ```
//!
//! Loom cannot run the scheduler itself (context switches, mmap, its own
//! threads), so the models include the production `idle.rs` (with the
//! `loom.rs` shim, which picks loom's primitives here) and drive it with
//! a stand-in run queue and the worker loop of `worker.rs`
//! (`spin_then_sleep`) cut down to one spin round. A lost wake-up shows
//! up as loom's deadlock error: every thread blocked, one of them a
//! worker waiting on the condvar while a task is queued. Each model runs
//! with at most 2 preemptions (see [`model`]; `LOOM_MAX_PREEMPTIONS=3`
//! for a deeper, much slower run).
#![cfg(loom)]

#[path = "../src/loom.rs"]
#[allow(dead_code)]
mod loom;

#[path = "../src/sched/idle.rs"]
#[allow(dead_code)]
mod idle;

use ::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use ::loom::sync::{Arc, Notify};
use ::loom::thread;
use idle::{Idle, Recheck};

/// Runs `f` under loom with at most 2 preemptions per execution unless
/// `LOOM_MAX_PREEMPTIONS` says otherwise (tokio's CI bound: the known
/// lost-wake-up and ordering bugs need one or two; unbounded runs of the
/// larger models take many minutes).
fn model<F: Fn() + Sync + Send + 'static>(f: F) {
    let mut b = ::loom::model::Builder::new();
    if b.preemption_bound.is_none() {
        b.preemption_bound = Some(2);
    }
    b.check(f);
}

/// A run queue reduced to its length, with the orderings of
/// crossbeam-deque: a push publishes with `Release`, `is_empty` and a pop
/// read with `Acquire` (no `SeqCst`: the protocol's fences must suffice).
struct Queue {
    len: AtomicUsize,
}

impl Queue {
    fn push(&self) {
        self.len.fetch_add(1, Ordering::Release);
    }

    fn pop(&self) -> bool {
        let mut n = self.len.load(Ordering::Acquire);
        while n > 0 {
            match self
                .len
                .compare_exchange(n, n - 1, Ordering::Acquire, Ordering::Acquire)
            {
                Ok(_) => return true,
                Err(now) => n = now,
            }
        }
        false
    }

    fn is_empty(&self) -> bool {
        self.len.load(Ordering::Acquire) == 0
    }
}

/// What a worker does once it has popped a task.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tasks {
    /// The task ends; the worker looks for more work.
    Short,
    /// The task runs for ever: the worker never looks at a queue again
    /// (a long computation, until preemption).
    Endless,
}

struct Model {
    idle: Idle,
    /// The sleepers poll (block in the stand-in poller, [`poll`]) instead
    /// of waiting on the condvar, when the re-check allows.
    polls: bool,
    queue: Queue,
    /// Tasks run so far.
    ran: AtomicUsize,
    /// Tasks the model submits in all.
    total: usize,
    /// Signalled when `ran` reaches `total`.
    all_ran: Notify,
    /// Set by the main thread to end the workers once every task ran.
    stop: AtomicBool,
    tasks: Tasks,
}

impl Model {
    fn new(total: usize, tasks: Tasks) -> Arc<Model> {
        Self::with_idle(total, tasks, Idle::new(), false)
    }

    /// A model whose idle sleepers block in the stand-in poller.
    fn polling(total: usize, tasks: Tasks) -> Arc<Model> {
        Self::with_idle(total, tasks, Idle::with_poke(poke), true)
    }

    fn with_idle(total: usize, tasks: Tasks, idle: Idle, polls: bool) -> Arc<Model> {
        Arc::new(Model {
            idle,
            polls,
            queue: Queue {
                len: AtomicUsize::new(0),
            },
            ran: AtomicUsize::new(0),
            total,
            all_ran: Notify::new(),
            stop: AtomicBool::new(false),
            tasks,
        })
    }

    /// Runs a popped task; false if the worker is now busy for ever.
    fn run(&self) -> bool {
        if self.ran.fetch_add(1, Ordering::SeqCst) + 1 == self.total {
            self.all_ran.notify();
        }
        self.tasks == Tasks::Short
    }

    /// The worker loop (`worker_main`: `find_task`, else
    /// `spin_then_sleep` with one spin round), until `stop` or an
    /// endless task.
    fn worker(&self) {
        loop {
            // `find_task`, not spinning.
            if self.queue.pop() {
                if self.run() {
                    continue;
                }
                return;
            }
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            if !self.spin_then_sleep() {
                continue;
            }
            if !self.run() {
                return;
            }
        }
    }

    /// `spin_then_sleep`: true if it found (and took) a task.
    fn spin_then_sleep(&self) -> bool {
        self.idle.start_spinning();
        loop {
            if self.queue.pop() {
                self.idle.found_work();
                return true;
            }
            self.idle.stop_spinning();
            // The re-check: every queue (and here `stop`); in a polling
            // model, the first sleeper polls (tasks wait for I/O).
            let woken = self.idle.sleep_or_poll(
                |_, polling| {
                    if !self.queue.is_empty() || self.stop.load(Ordering::SeqCst) {
                        Recheck::Work
                    } else if self.polls && !polling {
                        Recheck::Poll(None)
                    } else {
                        Recheck::Wait(None)
                    }
                },
                |_| poll(),
            );
            if !woken {
                return false;
            }
            if self.stop.load(Ordering::SeqCst) {
                self.idle.stop_spinning();
                return false;
            }
        }
    }

    /// An external submitter (`submit_external`, `enqueue` from outside
    /// a worker): push under the idle lock, then the fenced wake.
    fn submit_external(&self) {
        self.idle.locked(|| self.queue.push());
        self.idle.wake();
    }

    /// Waits until every task ran (a lost wake-up blocks here, and loom
    /// reports the deadlock), then ends the workers.
    fn finish(&self, workers: Vec<thread::JoinHandle<()>>) {
        // Loom's `Notify` may wake spuriously.
        while self.ran.load(Ordering::SeqCst) < self.total {
            self.all_ran.wait();
        }
        self.stop.store(true, Ordering::SeqCst);
        self.idle.wake_all(workers.len());
        for w in workers {
            w.join().unwrap();
        }
        assert_eq!(self.ran.load(Ordering::SeqCst), self.total);
    }
}

::loom::lazy_static! {
    /// The stand-in for the poller's eventfd: a poke sets it, a poll
    /// blocks until it is set and clears it. (No I/O readiness here: the
    /// models check that work submitted while a sleeper polls reaches it.)
    static ref EVENTFD: (::loom::sync::Mutex<bool>, ::loom::sync::Condvar) =
        (::loom::sync::Mutex::new(false), ::loom::sync::Condvar::new());
}

/// `netpoll::poke`: makes the eventfd readable.
fn poke() {
    *EVENTFD.0.lock().unwrap() = true;
    EVENTFD.1.notify_all();
}

/// A blocking `netpoll::poll` with no timeout and no sockets: returns
/// once poked.
fn poll() {
    let mut set = EVENTFD.0.lock().unwrap();
    while !*set {
        set = EVENTFD.1.wait(set).unwrap();
    }
    *set = false;
}

fn spawn_worker(m: &Arc<Model>) -> thread::JoinHandle<()> {
    let m = m.clone();
    thread::spawn(move || m.worker())
}

/// (a) Ensure that a worker deciding to sleep while a producer submits a
/// task always ends up running the task.
#[test]
fn one_worker_one_producer_task_runs() {
    model(|| {
        let m = Model::new(1, Tasks::Short);
        let w = spawn_worker(&m);
        m.submit_external();
        m.finish(vec![w]);
    });
}

/// (b) Ensure that with two workers going idle, a submitted task is run
/// by one of them (the other may legitimately sleep on).
#[test]
fn two_workers_one_producer_task_runs() {
    model(|| {
        let m = Model::new(1, Tasks::Short);
        let ws = vec![spawn_worker(&m), spawn_worker(&m)];
        let p = {
            let m = m.clone();
            thread::spawn(move || m.submit_external())
        };
        p.join().unwrap();
        m.finish(ws);
    });
}

/// Worker A runs a task that wakes another task onto A's own queue (the
/// `enqueue` path of a worker: local push, then `wake_local` or the
/// fenced `wake`), while worker B goes idle. `a_returns`: A's task then
/// ends and A goes back to its loop; else A stays busy for ever.
fn local_push_model(fenced: bool, a_returns: bool) {
    model(move || {
        let m = Model::new(1, Tasks::Short);
        let b = spawn_worker(&m);
        let a = {
            let m = m.clone();
            thread::spawn(move || {
                m.queue.push();
                if fenced {
                    m.idle.wake();
                } else {
                    m.idle.wake_local();
                }
                if a_returns {
                    m.worker();
                }
            })
        };
        m.finish(vec![a, b]);
    });
}

/// (c) Ensure that the unfenced `wake_local` keeps progress: the pusher
/// is a worker that looks at its own queue before it can sleep, so the
/// task runs even when the sleeper B is not woken.
#[test]
fn local_push_without_fence_task_runs() {
    local_push_model(false, true);
}

/// (c) The guarantee `wake_local` gives up: if the pusher did *not* come
/// back to its queue, the unfenced check can miss B going to sleep, and
/// the task would wait with B asleep (loom finds this interleaving:
/// B's `sleeping` store and A's push are both in flight, A's `Relaxed`
/// load reads `sleeping == 0` while B's re-check reads an empty queue).
/// In the runtime the pusher always comes back (after its task parks,
/// yields, ends or is preempted), so this costs parallelism, not progress.
#[test]
#[should_panic(expected = "deadlock")]
fn local_push_without_fence_can_miss_a_sleeper() {
    local_push_model(false, false);
}

/// (c) With the fence (`wake`), the same busy pusher never misses B.
#[test]
fn local_push_with_fence_wakes_the_sleeper() {
    local_push_model(true, false);
}

/// Ensure that two tasks submitted while two workers go idle run in
/// parallel: a worker busy with one of them never leaves the other
/// queued with the second worker asleep.
#[test]
fn two_workers_two_endless_tasks_both_run() {
    model(|| {
        let m = Model::new(2, Tasks::Endless);
        let ws = vec![spawn_worker(&m), spawn_worker(&m)];
        m.submit_external();
        m.submit_external();
        m.finish(ws);
    });
}

/// Ensure that a task submitted while the only worker blocks in the
/// poller (not on the condvar) reaches it: the wake-up pokes the poller.
#[test]
fn polling_worker_one_producer_task_runs() {
    model(|| {
        let m = Model::polling(1, Tasks::Short);
        let w = spawn_worker(&m);
        m.submit_external();
        m.finish(vec![w]);
    });
}

/// Ensure that with one worker polling and one on the condvar, two
/// endless tasks submitted from outside both run (the permits reach both
/// kinds of sleeper).
#[test]
fn polling_and_sleeping_workers_two_endless_tasks_both_run() {
    model(|| {
        let m = Model::polling(2, Tasks::Endless);
        let ws = vec![spawn_worker(&m), spawn_worker(&m)];
        m.submit_external();
        m.submit_external();
        m.finish(ws);
    });
}
