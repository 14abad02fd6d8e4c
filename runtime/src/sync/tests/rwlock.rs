//! `RwLock`: sharing, exclusion, writer preference, cancellation, bad
//! use, and a readers/writers stress test.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex as StdMutex;

use super::*;
use crate::sched::abi::plat_safepoint;
use crate::sync::abi::*;

type Log = P<StdMutex<Vec<&'static str>>>;

fn log_of(log: Log) -> Vec<&'static str> {
    log.get().lock().unwrap().clone()
}

fn reader(
    ctx: *mut PlatCtx,
    s: *mut Scope,
    l: *mut RwLockObj,
    log: Log,
    name: &'static str,
) -> *mut Task {
    spawn(ctx, s, move |ctx| unsafe {
        plat_rwlock_read_lock(ctx, l);
        log.get().lock().unwrap().push(name);
        plat_rwlock_read_unlock(ctx, l, LOC);
        0
    })
}

fn writer(
    ctx: *mut PlatCtx,
    s: *mut Scope,
    l: *mut RwLockObj,
    log: Log,
    name: &'static str,
) -> *mut Task {
    spawn(ctx, s, move |ctx| unsafe {
        plat_rwlock_write_lock(ctx, l);
        log.get().lock().unwrap().push(name);
        plat_rwlock_write_unlock(ctx, l, LOC);
        0
    })
}

#[test]
fn ensure_that_readers_share_and_writers_exclude() {
    run_ok(|ctx| unsafe {
        let l = plat_rwlock_new(LOC);
        let log = shared(StdMutex::new(Vec::new()));
        // Readers share: another reader gets in while we read.
        plat_rwlock_read_lock(ctx, l);
        scope(ctx, |s| {
            reader(ctx, s, l, log, "reader");
        });
        assert_eq!(log_of(log), ["reader"]);
        plat_rwlock_read_unlock(ctx, l, LOC);
        // A writer excludes readers and writers.
        plat_rwlock_write_lock(ctx, l);
        scope(ctx, |s| {
            reader(ctx, s, l, log, "r2");
            writer(ctx, s, l, log, "w2");
            until(ctx, || (*l).l.waiting() == 2);
            assert_eq!(log_of(log), ["reader"]);
            plat_rwlock_write_unlock(ctx, l, LOC);
        });
        let got = log_of(log);
        assert_eq!(got.len(), 3);
        assert!((*l).l.readers() == 0 && !(*l).l.has_writer());
        1
    });
}

/// A reader arriving while a writer waits queues behind the writer.
#[test]
fn ensure_that_a_waiting_writer_is_not_starved_by_readers() {
    run_ok(|ctx| unsafe {
        let l = plat_rwlock_new(LOC);
        let log = shared(StdMutex::new(Vec::new()));
        plat_rwlock_read_lock(ctx, l);
        scope(ctx, |s| {
            writer(ctx, s, l, log, "writer");
            until(ctx, || (*l).l.waiting() == 1);
            assert!(!(*l).l.try_read_lock(), "a writer waits");
            reader(ctx, s, l, log, "late reader");
            until(ctx, || (*l).l.waiting() == 2);
            plat_rwlock_read_unlock(ctx, l, LOC);
        });
        assert_eq!(log_of(log), ["writer", "late reader"]);
        1
    });
}

/// A writer cancelled at the head of the queue lets the readers behind
/// it in at once (they share with the reader holding the lock).
#[test]
fn ensure_that_a_cancelled_writer_unblocks_the_readers_behind_it() {
    run_ok(|ctx| unsafe {
        let l = plat_rwlock_new(LOC);
        let log = shared(StdMutex::new(Vec::new()));
        plat_rwlock_read_lock(ctx, l);
        scope(ctx, |s| {
            let w = writer(ctx, s, l, log, "writer");
            until(ctx, || (*l).l.waiting() == 1);
            reader(ctx, s, l, log, "r1");
            reader(ctx, s, l, log, "r2");
            until(ctx, || (*l).l.waiting() == 3);
            cancel_and_wait(ctx, w);
            assert!(is_cancelled(w));
            until(ctx, || log_of(log).len() == 2);
        });
        let mut got = log_of(log);
        got.sort();
        assert_eq!(got, ["r1", "r2"]);
        assert_eq!((*l).l.waiting(), 0);
        plat_rwlock_read_unlock(ctx, l, LOC);
        assert!((*l).l.readers() == 0 && !(*l).l.has_writer());
        // The fast paths work again (QUEUED was cleared).
        plat_rwlock_write_lock(ctx, l);
        plat_rwlock_write_unlock(ctx, l, LOC);
        1
    });
}

#[test]
fn ensure_that_bad_rwlock_use_panics_with_a_message() {
    type Misuse = fn(*mut PlatCtx, *mut RwLockObj);
    let cases: [(Misuse, &str); 6] = [
        (
            |ctx, l| unsafe { plat_rwlock_read_unlock(ctx, l, LOC2) },
            "panic: read_unlock of a RwLock this task does not hold for reading\n  at sync.plat:2:2\n",
        ),
        (
            |ctx, l| unsafe { plat_rwlock_write_unlock(ctx, l, LOC2) },
            "panic: write_unlock of a RwLock this task does not hold for writing\n  at sync.plat:2:2\n",
        ),
        (
            |ctx, l| unsafe {
                plat_rwlock_read_lock(ctx, l);
                plat_rwlock_write_unlock(ctx, l, LOC2)
            },
            "panic: write_unlock of a RwLock this task does not hold for writing\n",
        ),
        (
            |ctx, l| unsafe {
                plat_rwlock_read_lock(ctx, l);
                plat_rwlock_read_lock(ctx, l)
            },
            "panic: read_lock of a RwLock this task already holds for reading (made at sync.plat:1:1)\n",
        ),
        (
            |ctx, l| unsafe {
                plat_rwlock_read_lock(ctx, l);
                plat_rwlock_write_lock(ctx, l)
            },
            "panic: write_lock of a RwLock this task already holds for reading (made at sync.plat:1:1)\n",
        ),
        (
            |ctx, l| unsafe {
                plat_rwlock_write_lock(ctx, l);
                plat_rwlock_read_lock(ctx, l)
            },
            "panic: read_lock of a RwLock this task already holds for writing (made at sync.plat:1:1)\n",
        ),
    ];
    for (f, want) in cases {
        let text = run_failing(move |ctx| {
            let l = unsafe { plat_rwlock_new(LOC) };
            f(ctx, l);
            0
        });
        assert!(text.starts_with(want), "{text}");
    }
}

/// Two values only writers change, together; readers always see them
/// equal, and nothing is lost.
struct Pair {
    a: UnsafeCell<u64>,
    b: UnsafeCell<u64>,
    torn: AtomicU64,
}

#[test]
fn ensure_that_readers_never_see_a_writer_half_done() {
    let n = 5_000 * scale();
    let a = run_ok(move |ctx| unsafe {
        let l = plat_rwlock_new(LOC);
        let p = shared(Pair {
            a: UnsafeCell::new(0),
            b: UnsafeCell::new(0),
            torn: AtomicU64::new(0),
        });
        scope(ctx, |s| {
            for w in 0..3u64 {
                spawn(ctx, s, move |ctx| {
                    for i in 0..n {
                        plat_rwlock_write_lock(ctx, l);
                        *p.get().a.get() += 1;
                        if (i + w) % 32 == 0 {
                            plat_safepoint(ctx);
                        }
                        *p.get().b.get() += 1;
                        plat_rwlock_write_unlock(ctx, l, LOC);
                    }
                    0
                });
            }
            for r in 0..3u64 {
                spawn(ctx, s, move |ctx| {
                    for i in 0..n {
                        plat_rwlock_read_lock(ctx, l);
                        let x = *p.get().a.get();
                        if (i + r) % 32 == 0 {
                            plat_safepoint(ctx);
                        }
                        if x != *p.get().b.get() {
                            p.get().torn.fetch_add(1, Ordering::Relaxed);
                        }
                        plat_rwlock_read_unlock(ctx, l, LOC);
                    }
                    0
                });
            }
        });
        assert_eq!(p.get().torn.load(Ordering::Relaxed), 0);
        assert_eq!(*p.get().a.get(), *p.get().b.get());
        *p.get().a.get()
    });
    assert_eq!(a, 3 * n);
}
