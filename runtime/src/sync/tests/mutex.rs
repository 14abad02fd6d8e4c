//! `Mutex`: the entry points, bad use, cancellation, and the protocol's
//! hand-off, barging and requeueing paths (driven deterministically with
//! a frozen clock).

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex as StdMutex;

use super::*;
use crate::chan::abi::Tasks;
use crate::chan::core::{Env, Why};
use crate::gc::shape::PlatShape;
use crate::sched::abi::plat_safepoint;
use crate::sched::task::FiberRef;
use crate::sync::abi::*;
use crate::sync::mutex::{Mutex, Unlocked, LOCKED, QUEUED, STARVE_NANOS, WOKEN};
use crate::sync::wait::SyncEnv;

#[test]
fn ensure_that_lock_unlock_and_try_lock_work() {
    run_ok(|ctx| unsafe {
        let m = plat_mutex_new(LOC);
        assert_eq!(plat_mutex_try_lock(ctx, m), 1);
        assert_eq!(plat_mutex_try_lock(ctx, m), 0, "held");
        plat_mutex_unlock(ctx, m, LOC);
        plat_mutex_lock(ctx, m);
        assert!((*m).m.is_locked());
        plat_mutex_unlock(ctx, m, LOC);
        assert_eq!((*m).m.bits(), 0);
        assert!((*task_of(ctx).get().held.get())
            .as_ref()
            .is_none_or(|h| h.is_empty()));
        1
    });
}

#[test]
fn ensure_that_unlocking_a_mutex_not_held_panics_with_its_location() {
    let text = run_failing(|ctx| unsafe {
        let m = plat_mutex_new(LOC);
        plat_mutex_unlock(ctx, m, LOC2);
        0
    });
    assert!(
        text.starts_with("panic: unlock of a Mutex this task does not hold\n  at sync.plat:2:2\n"),
        "{text}"
    );
    // Held by another task: the same.
    let text = run_failing(|ctx| unsafe {
        let m = plat_mutex_new(LOC);
        let holding = shared(AtomicU64::new(0));
        let s = plat_scope_enter(ctx);
        spawn(ctx, s, move |ctx| {
            plat_mutex_lock(ctx, m);
            holding.get().store(1, Ordering::SeqCst);
            plat_time_sleep(ctx, 60_000);
            0
        });
        until(ctx, || holding.get().load(Ordering::SeqCst) == 1);
        plat_mutex_unlock(ctx, m, LOC2);
        0
    });
    assert!(
        text.starts_with("panic: unlock of a Mutex this task does not hold\n"),
        "{text}"
    );
}

#[test]
fn ensure_that_locking_a_mutex_twice_panics_instead_of_hanging() {
    let text = run_failing(|ctx| unsafe {
        let m = plat_mutex_new(LOC);
        plat_mutex_lock(ctx, m);
        plat_mutex_lock(ctx, m);
        0
    });
    assert!(
        text.starts_with(
            "panic: lock of a Mutex this task already holds (made at sync.plat:1:1)\n"
        ),
        "{text}"
    );
}

/// A counter that only the mutex protects (plain reads and writes).
struct Counter {
    n: UnsafeCell<u64>,
}

fn count_under(ctx: *mut PlatCtx, m: *mut MutexObj, c: P<Counter>, n: u64, use_try: bool) {
    for i in 0..n {
        unsafe {
            if use_try && i % 2 == 0 {
                while plat_mutex_try_lock(ctx, m) == 0 {
                    plat_safepoint(ctx);
                }
            } else {
                plat_mutex_lock(ctx, m);
            }
            let p = c.get().n.get();
            *p += 1;
            if i % 64 == 0 {
                // Let the others run (and park on the mutex) while it is
                // held.
                plat_safepoint(ctx);
            }
            plat_mutex_unlock(ctx, m, LOC);
        }
    }
}

#[test]
fn ensure_that_many_tasks_on_one_mutex_count_exactly() {
    let n = 20_000 * scale();
    let tasks = 8u64;
    let total = run_ok(move |ctx| unsafe {
        let m = plat_mutex_new(LOC);
        let c = shared(Counter {
            n: UnsafeCell::new(0),
        });
        scope(ctx, |s| {
            for t in 0..tasks {
                spawn(ctx, s, move |ctx| {
                    count_under(ctx, m, c, n, t % 3 == 0);
                    0
                });
            }
        });
        assert_eq!((*m).m.bits(), 0);
        *c.get().n.get()
    });
    assert_eq!(total, tasks * n);
}

#[test]
fn ensure_that_a_cancelled_waiter_leaves_the_queue() {
    run_ok(|ctx| unsafe {
        let m = plat_mutex_new(LOC);
        plat_mutex_lock(ctx, m);
        scope(ctx, |s| {
            let w = spawn(ctx, s, move |ctx| {
                plat_mutex_lock(ctx, m);
                plat_mutex_unlock(ctx, m, LOC);
                7
            });
            until(ctx, || (*m).m.waiting() == 1);
            cancel_and_wait(ctx, w);
            assert!(is_cancelled(w));
        });
        assert_eq!((*m).m.waiting(), 0);
        assert_eq!((*m).m.bits(), LOCKED, "QUEUED cleared");
        plat_mutex_unlock(ctx, m, LOC);
        assert_eq!((*m).m.bits(), 0);
        1
    });
}

/// A waiter queued for more than 1 ms is handed the mutex: the unlocker
/// cannot take it back (real time, lower bound only).
#[test]
fn ensure_that_a_starving_waiter_is_handed_the_mutex() {
    run_ok(|ctx| unsafe {
        let m = plat_mutex_new(LOC);
        let order = shared(StdMutex::new(Vec::new()));
        plat_mutex_lock(ctx, m);
        scope(ctx, |s| {
            spawn(ctx, s, move |ctx| {
                plat_mutex_lock(ctx, m);
                order.get().lock().unwrap().push("waiter");
                plat_mutex_unlock(ctx, m, LOC);
                0
            });
            until(ctx, || (*m).m.waiting() == 1);
            plat_time_sleep(ctx, 2);
            // Through the core, so that nothing yields in between.
            let me = task_of(ctx);
            crate::sync::held::remove(me, crate::sync::held::Kind::Mutex, m.cast());
            (*m).m.set_owner(0);
            assert_eq!((*m).m.unlock(), Unlocked::HandedOff);
            assert!(!(*m).m.try_lock(), "handed over, not free");
            order.get().lock().unwrap().push("unlocker");
            plat_mutex_lock(ctx, m);
            order.get().lock().unwrap().push("unlocker again");
            plat_mutex_unlock(ctx, m, LOC);
        });
        assert_eq!(
            *order.get().lock().unwrap(),
            ["unlocker", "waiter", "unlocker again"]
        );
        1
    });
}

// --- The protocol with a clock the test controls ---------------------

/// The scheduler's tasks with a frozen clock ([`CLOCK`]): whether an
/// unlock hands off or wakes is the test's choice, not the machine's;
/// and a woken waiter runs only once the test lets it.
struct Frozen;

static CLOCK: AtomicU64 = AtomicU64::new(1);

impl Env for Frozen {
    type Handle = FiberRef;
    type Meta = *const PlatShape;
    fn current() -> FiberRef {
        Tasks::current()
    }
    fn prepare_park(h: FiberRef) {
        Tasks::prepare_park(h)
    }
    fn cancel_park(h: FiberRef) {
        Tasks::cancel_park(h)
    }
    fn park(h: FiberRef, why: Why) {
        Tasks::park(h, why)
    }
    fn wake(h: FiberRef) {
        Tasks::wake(h)
    }
    fn cancelled(h: FiberRef) -> bool {
        Tasks::cancelled(h)
    }
    fn exit_cancelled(h: FiberRef) -> ! {
        Tasks::exit_cancelled(h)
    }
    fn now() -> u64 {
        CLOCK.load(Ordering::SeqCst)
    }
    fn arm_timer(deadline: u64, h: FiberRef) {
        Tasks::arm_timer(deadline, h)
    }
    fn alloc_slots(meta: *const PlatShape, n: usize) -> *mut u64 {
        Tasks::alloc_slots(meta, n)
    }
    fn out_of_memory(n: usize) -> ! {
        Tasks::out_of_memory(n)
    }
    fn below(n: usize) -> usize {
        Tasks::below(n)
    }
}

/// Woken waiters go to our run-next slot (the default), where no other
/// worker can run them before we let them.
impl SyncEnv for Frozen {}

type Log = P<StdMutex<Vec<u64>>>;

/// A task that locks `m` (logging `id` once it holds it) and unlocks.
fn locker(ctx: *mut PlatCtx, s: *mut Scope, m: P<Mutex<Frozen>>, log: Log, id: u64) -> *mut Task {
    spawn(ctx, s, move |_| {
        if m.get().lock(false).is_err() {
            Tasks::exit_cancelled(Tasks::current());
        }
        log.get().lock().unwrap().push(id);
        m.get().unlock();
        id
    })
}

fn log_of(log: Log) -> Vec<u64> {
    log.get().lock().unwrap().clone()
}

/// One test for every scenario (they share the frozen clock).
#[test]
fn ensure_that_unlock_wakes_hands_off_and_requeues_as_specified() {
    run_ok(|ctx| {
        // 1. Not starving: unlock wakes the head, a newcomer barges in,
        //    the woken waiter goes back to the head and is served first.
        let m = shared(Mutex::<Frozen>::new(LOC));
        let log = shared(StdMutex::new(Vec::new()));
        m.get().lock(false).unwrap();
        scope(ctx, |s| {
            locker(ctx, s, m, log, 1);
            until(ctx, || m.get().waiting() == 1);
            locker(ctx, s, m, log, 2);
            until(ctx, || m.get().waiting() == 2);
            assert_eq!(m.get().unlock(), Unlocked::Released);
            assert_eq!(m.get().bits(), QUEUED | WOKEN);
            // The woken waiter has not run yet (it is in our worker's
            // run-next slot): we barge in.
            assert!(m.get().try_lock());
            until(ctx, || m.get().waiting() == 2);
            assert_eq!(m.get().bits(), LOCKED | QUEUED, "requeued, WOKEN cleared");
            m.get().unlock();
        });
        assert_eq!(log_of(log), [1, 2]);
        assert_eq!(m.get().bits(), 0);

        // 2. Starving: the head is handed the mutex.
        let m = shared(Mutex::<Frozen>::new(LOC));
        let log = shared(StdMutex::new(Vec::new()));
        m.get().lock(false).unwrap();
        scope(ctx, |s| {
            locker(ctx, s, m, log, 1);
            until(ctx, || m.get().waiting() == 1);
            CLOCK.fetch_add(STARVE_NANOS, Ordering::SeqCst);
            assert_eq!(m.get().unlock(), Unlocked::HandedOff);
            assert_eq!(m.get().bits(), LOCKED);
            assert!(!m.get().try_lock());
        });
        assert_eq!(log_of(log), [1]);
        assert_eq!(m.get().bits(), 0);

        // 3. A woken waiter cancelled before it runs passes its turn on.
        let m = shared(Mutex::<Frozen>::new(LOC));
        let log = shared(StdMutex::new(Vec::new()));
        m.get().lock(false).unwrap();
        scope(ctx, |s| {
            let w1 = locker(ctx, s, m, log, 1);
            until(ctx, || m.get().waiting() == 1);
            locker(ctx, s, m, log, 2);
            until(ctx, || m.get().waiting() == 2);
            m.get().unlock();
            unsafe { plat_task_cancel(w1) };
            until(ctx, || unsafe { plat_task_is_done(w1) } == 1);
            assert!(is_cancelled(w1));
        });
        assert_eq!(log_of(log), [2]);
        assert_eq!(m.get().bits(), 0);

        // 4. A cancelled queued waiter at the head: the next is served.
        let m = shared(Mutex::<Frozen>::new(LOC));
        let log = shared(StdMutex::new(Vec::new()));
        m.get().lock(false).unwrap();
        scope(ctx, |s| {
            let w1 = locker(ctx, s, m, log, 1);
            until(ctx, || m.get().waiting() == 1);
            locker(ctx, s, m, log, 2);
            until(ctx, || m.get().waiting() == 2);
            cancel_and_wait(ctx, w1);
            assert_eq!(m.get().waiting(), 1);
            m.get().unlock();
        });
        assert_eq!(log_of(log), [2]);
        assert_eq!(m.get().bits(), 0);
        1
    });
}

// --- Benchmark -----------------------------------------------------------

/// The anchors' mutex_counter: 4 tasks × 1,000,000 lock / increment /
/// unlock on one mutex (Go: 0.152 s with 2 procs, see
/// `../shared/anchors`). With the safepoint poll compiled code has on a
/// loop's back edge. Run with
/// `cargo test -p plat_rt --release bench_mutex_counter -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_mutex_counter() {
    let n = 1_000_000u64;
    for round in 0..5 {
        let start = std::time::Instant::now();
        let total = run_ok(move |ctx| unsafe {
            let m = plat_mutex_new(LOC);
            let c = shared(Counter {
                n: UnsafeCell::new(0),
            });
            scope(ctx, |s| {
                for _ in 0..4 {
                    spawn(ctx, s, move |ctx| {
                        for _ in 0..n {
                            plat_mutex_lock(ctx, m);
                            *c.get().n.get() += 1;
                            plat_mutex_unlock(ctx, m, LOC);
                            if (*ctx).poll.load(Ordering::Relaxed) != 0 {
                                plat_safepoint(ctx);
                            }
                        }
                        0
                    });
                }
            });
            *c.get().n.get()
        });
        let el = start.elapsed();
        assert_eq!(total, 4 * n);
        eprintln!(
            "mutex_counter round {round}: {:?} ({:.1} ns per lock+unlock, workers {})",
            el,
            el.as_nanos() as f64 / (4 * n) as f64,
            crate::sched::worker_count()
        );
    }
}

/// The uncontended fast path: one task, lock / increment / unlock.
#[test]
#[ignore]
fn bench_mutex_uncontended() {
    let n = 10_000_000u64;
    for round in 0..3 {
        let start = std::time::Instant::now();
        run_ok(move |ctx| unsafe {
            let m = plat_mutex_new(LOC);
            let c = shared(Counter {
                n: UnsafeCell::new(0),
            });
            for _ in 0..n {
                plat_mutex_lock(ctx, m);
                *c.get().n.get() += 1;
                plat_mutex_unlock(ctx, m, LOC);
            }
            *c.get().n.get()
        });
        let el = start.elapsed();
        eprintln!(
            "uncontended round {round}: {:.1} ns per lock+unlock",
            el.as_nanos() as f64 / n as f64
        );
    }
}
