//! Collections: when to collect (the pacer), stopping the world, and the
//! collection itself (`docs/gc.md`).
//!
//! # When
//!
//! Allocation counts the bytes of every span (or large object) it starts
//! using ([`note_alloc`]). When the heap would pass the trigger,
//! `max(live * (1 + PLAT_GC_PERCENT / 100), MIN_TRIGGER)` (live: the bytes
//! the last collection kept), the allocating thread *requests* a
//! collection: it sets [`PENDING`] and the poll flag of every running
//! task, and goes on. It never collects itself: a collection only ever
//! runs while every task is switched out, at a safepoint or parked, so
//! runtime code never sees one in the middle of its work (it may hold Plat
//! pointers in locals across allocations; only across a park are they
//! scanned, conservatively, on its stack).
//!
//! # Stopping the world
//!
//! A task whose poll flag is set enters the runtime at its next safepoint
//! and yields (`plat_safepoint`); a worker that finds [`PENDING`] set in
//! its scheduler loop (after its task yielded, parked or ended, or while
//! idle: sleepers are woken) arrives at the barrier ([`arrive`]). The last
//! worker to arrive collects; the others wait. The stop is O(workers):
//! parked tasks need nothing.
//!
//! # Invariants
//!
//! - Only workers allocate while collection is enabled (every task runs on
//!   a worker; the runtime's other threads never allocate Plat objects).
//!   A worker releases its allocation cache when it arrives, so the sweep
//!   sees every span.
//! - `BARRIER` (mutex) protects the arrival count and the epoch; a worker
//!   waits on `RESUME` until the epoch moves.
//! - Collection is enabled only in programs (`enable_from_env`, from the
//!   program's start), never in the runtime's own test harness, whose
//!   threads allocate outside tasks.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Instant;

use super::heap;
use super::mark::Marker;

/// The heap never triggers a collection below this.
pub const MIN_TRIGGER: usize = 4 << 20;

static ENABLED: AtomicBool = AtomicBool::new(false);
/// A collection has been requested and not finished.
static PENDING: AtomicBool = AtomicBool::new(false);
/// Bytes handed to allocation since the last collection.
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
/// Bytes the last collection kept.
static LIVE: AtomicUsize = AtomicUsize::new(0);
static TRIGGER: AtomicUsize = AtomicUsize::new(MIN_TRIGGER);
/// `PLAT_GC_PERCENT`.
static PERCENT: AtomicUsize = AtomicUsize::new(100);
/// `PLAT_GC_MEMLIMIT` in bytes (0: none).
static MEMLIMIT: AtomicUsize = AtomicUsize::new(0);
/// `PLAT_GC_STRESS=N`: request a collection every N allocations (0: off).
static STRESS: AtomicUsize = AtomicUsize::new(0);
static STRESS_COUNT: AtomicUsize = AtomicUsize::new(0);
/// `PLAT_GC_TRACE=1`.
static TRACE: AtomicBool = AtomicBool::new(false);
/// Collections so far.
static CYCLES: AtomicU64 = AtomicU64::new(0);
/// When the pending collection was requested (nanoseconds, real clock).
static REQUESTED_AT: AtomicU64 = AtomicU64::new(0);

struct Barrier {
    arrived: usize,
    epoch: u64,
}

static BARRIER: Mutex<Barrier> = Mutex::new(Barrier {
    arrived: 0,
    epoch: 0,
});
static RESUME: Condvar = Condvar::new();

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.trim().parse().ok()
}

/// Reads the collector's settings and enables it (from the program's
/// start; the runtime's own tests never call it).
pub fn enable_from_env() {
    match std::env::var("PLAT_GC_PERCENT")
        .ok()
        .as_deref()
        .map(str::trim)
    {
        Some("off") => return,
        Some(v) => {
            if let Ok(p) = v.parse::<usize>() {
                PERCENT.store(p, Ordering::Relaxed);
            }
        }
        None => {}
    }
    if let Some(mib) = env_usize("PLAT_GC_MEMLIMIT") {
        MEMLIMIT.store(mib << 20, Ordering::Relaxed);
    }
    if let Some(n) = env_usize("PLAT_GC_STRESS") {
        STRESS.store(n, Ordering::Relaxed);
    }
    TRACE.store(
        std::env::var("PLAT_GC_TRACE").is_ok_and(|v| v.trim() == "1"),
        Ordering::Relaxed,
    );
    ENABLED.store(true, Ordering::Release);
}

/// Whether a collection is pending (workers and safepoints poll this).
#[inline]
pub fn pending() -> bool {
    PENDING.load(Ordering::Acquire)
}

/// Whether freed slots are poisoned (stress mode: a dangling pointer then
/// reads garbage at once instead of a stale, plausible object).
pub fn poisoning() -> bool {
    STRESS.load(Ordering::Relaxed) != 0
}

/// Counts one allocation for stress mode (cheap when it is off).
#[inline]
pub fn count_alloc() {
    let n = STRESS.load(Ordering::Relaxed);
    if n != 0 {
        stress_tick(n);
    }
}

#[cold]
fn stress_tick(n: usize) {
    if STRESS_COUNT.fetch_add(1, Ordering::Relaxed) % n == n - 1 {
        request();
    }
}

/// Accounts `bytes` of newly usable heap; requests a collection when the
/// heap passes the trigger.
pub fn note_alloc(bytes: usize) {
    let total = ALLOCATED.fetch_add(bytes, Ordering::Relaxed) + bytes;
    if total + LIVE.load(Ordering::Relaxed) >= TRIGGER.load(Ordering::Relaxed) {
        request();
    }
}

/// Asks for a collection (idempotent until it has run).
pub fn request() {
    if !ENABLED.load(Ordering::Acquire) || PENDING.swap(true, Ordering::AcqRel) {
        return;
    }
    REQUESTED_AT.store(crate::sched::real_nanos(), Ordering::Relaxed);
    crate::sched::stop_the_world();
}

/// Called by a worker whose loop found a collection pending: waits at the
/// barrier until every one of the `workers` workers has arrived; the
/// last one collects. Returns once the collection is done.
pub fn arrive(workers: usize) {
    heap::release_cache();
    let mut b = BARRIER.lock().unwrap_or_else(|e| e.into_inner());
    if !PENDING.load(Ordering::Acquire) {
        return;
    }
    b.arrived += 1;
    if b.arrived == workers {
        let started = crate::sched::real_nanos();
        collect(workers, started);
        b.arrived = 0;
        b.epoch += 1;
        PENDING.store(false, Ordering::Release);
        RESUME.notify_all();
        return;
    }
    let epoch = b.epoch;
    while b.epoch == epoch {
        b = RESUME.wait(b).unwrap_or_else(|e| e.into_inner());
    }
}

/// Marks from every root, sweeps, and sets the next trigger. The world is
/// stopped.
fn collect(workers: usize, started: u64) {
    let before = ALLOCATED.load(Ordering::Relaxed) + LIVE.load(Ordering::Relaxed);
    let t0 = Instant::now();
    let mut m = Marker::new();
    crate::sched::mark_roots(&mut m);
    m.drain();
    let mark_time = t0.elapsed();
    let swept = heap::sweep();
    let total = t0.elapsed();
    let live = swept.live_bytes;
    LIVE.store(live, Ordering::Relaxed);
    ALLOCATED.store(0, Ordering::Relaxed);
    let pct = PERCENT.load(Ordering::Relaxed);
    let mut goal = (live + live / 100 * pct).max(MIN_TRIGGER);
    let limit = MEMLIMIT.load(Ordering::Relaxed);
    if limit != 0 && goal > limit {
        // Collect more often near the soft limit, never below the live
        // size plus a little room.
        goal = limit.max(live + live / 8).max(MIN_TRIGGER.min(limit));
    }
    TRIGGER.store(goal, Ordering::Relaxed);
    let n = CYCLES.fetch_add(1, Ordering::Relaxed) + 1;
    if TRACE.load(Ordering::Relaxed) {
        let stop = started.saturating_sub(REQUESTED_AT.load(Ordering::Relaxed));
        let mib = |b: usize| b as f64 / (1 << 20) as f64;
        let line = format!(
            "gc {n}: heap {:.1}->{:.1} MiB (goal {:.1}), {} objects live, {} spans freed, pause {:.3} ms (stop {:.3}, mark {:.3}, sweep {:.3}), {workers} workers\n",
            mib(before),
            mib(live),
            mib(goal),
            swept.live_objects,
            swept.freed_spans,
            (stop as f64 / 1e6) + total.as_secs_f64() * 1e3,
            stop as f64 / 1e6,
            mark_time.as_secs_f64() * 1e3,
            (total - mark_time).as_secs_f64() * 1e3,
        );
        crate::stdout::write_all(2, line.as_bytes());
    }
}

/// Collections so far (statistics, tests).
pub fn cycles() -> u64 {
    CYCLES.load(Ordering::Relaxed)
}
