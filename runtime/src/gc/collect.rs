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
//! idle: sleepers are woken) arrives at the barrier ([`arrive`]). A
//! worker still asleep a millisecond later is counted as stopped instead
//! (it runs nothing until it wakes, and then comes to the barrier first:
//! `crate::sched::hold_sleepers`), so a busy machine's slowness to
//! schedule a woken thread does not lengthen the pause. The arrival that
//! completes the count collects, and the workers that arrived mark with
//! it. The stop is O(workers): parked tasks need nothing.
//!
//! # Invariants
//!
//! - Only workers allocate while collection is enabled (every task runs on
//!   a worker; the runtime's other threads never allocate Plat objects).
//!   A worker releases its allocation cache when it arrives; a held
//!   sleeper's cache is taken back by the sweep's start and forgotten
//!   when it wakes, so no span is in use while the world is stopped.
//! - `BARRIER` (mutex) protects the arrival count, `leading`, `marking`
//!   and the epoch; a worker waits on `RESUME` until the epoch moves.
//!   Lock order: `BARRIER`, then the scheduler's (none is taken while a
//!   worker holds the idle lock and waits for `BARRIER`).
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
/// Live bytes (at the last collection) from which sleeping workers are
/// woken to mark in parallel; below, they are held asleep at once.
const PARALLEL_MARK_MIN: usize = 8 << 20;
/// Whether the pending collection woke the sleeping workers.
static HELPERS_WOKEN: AtomicBool = AtomicBool::new(false);

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
    /// Workers at the barrier for this collection (they all mark).
    arrived: usize,
    epoch: u64,
    /// One arrival leads this collection: later ones were held asleep
    /// and only wait for the end.
    leading: bool,
    /// Marking has started: the waiting workers join it.
    marking: bool,
}

static BARRIER: Mutex<Barrier> = Mutex::new(Barrier {
    arrived: 0,
    epoch: 0,
    leading: false,
    marking: false,
});

/// How long the barrier waits for sleeping workers it woke before it
/// counts them as stopped (`crate::sched::hold_sleepers`): on an idle
/// machine they come in tens of microseconds and help mark; on a busy
/// one the OS may not run them for a whole time slice.
const HOLD_AFTER: std::time::Duration = std::time::Duration::from_millis(1);
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

/// A task dump (`SIGQUIT`) is wanted at the next stop of the world.
static DUMP: AtomicBool = AtomicBool::new(false);

/// Stops the world to print every task (`crate::sched::dump_tasks`), from
/// any thread (the signal thread): the leader of the next stop prints it
/// before collecting, and with collection disabled the stop is for the
/// dump alone.
pub fn request_dump() {
    DUMP.store(true, Ordering::SeqCst);
    stop_for_dump();
}

/// Whether a dump asked for by [`request_dump`] has not been printed
/// yet.
pub fn dump_pending() -> bool {
    DUMP.load(Ordering::SeqCst)
}

/// Stops the world unless a stop is already pending (whose end, if it
/// was past its dump, calls this again: [`end_stop`]).
fn stop_for_dump() {
    // SeqCst: as in `request`, and against `end_stop`'s look at `DUMP`.
    if PENDING.swap(true, Ordering::SeqCst) {
        return;
    }
    REQUESTED_AT.store(crate::sched::real_nanos(), Ordering::Relaxed);
    HELPERS_WOKEN.store(false, Ordering::Relaxed);
    // Sleeping workers come (or are held) like for a collection; a
    // seeded worker waiting for I/O only (outside the idle protocol) is
    // poked out of its poll (a poke is kept until the next poll).
    crate::sched::stop_the_world(true);
    crate::io::netpoll::poke();
}

/// Asks for a collection (idempotent until it has run).
pub fn request() {
    // SeqCst: pairs with a worker falling asleep (`crate::sched::hold_sleepers`).
    if !ENABLED.load(Ordering::Acquire) || PENDING.swap(true, Ordering::SeqCst) {
        return;
    }
    REQUESTED_AT.store(crate::sched::real_nanos(), Ordering::Relaxed);
    // Sleeping workers are woken to help mark only when there is much to
    // mark: waking a thread costs tens of microseconds, and on a busy
    // machine it may take the core of the worker the stop waits for.
    // Never in stress mode, whose collections come every few allocations.
    let helpers =
        LIVE.load(Ordering::Relaxed) >= PARALLEL_MARK_MIN && STRESS.load(Ordering::Relaxed) == 0;
    HELPERS_WOKEN.store(helpers, Ordering::Relaxed);
    crate::sched::stop_the_world(helpers);
}

/// Called by a worker whose loop found a collection pending: waits at the
/// barrier until each of the `workers` workers has arrived or is held
/// asleep, marks with the others that arrived, and returns once the
/// collection is done. The arrival that completes the count leads: it
/// finishes the last cycle's sweep, prepares the marking and, after it,
/// hands the spans to the sweep (`super::sweep`).
pub fn arrive(workers: usize) {
    heap::release_cache();
    let mut b = BARRIER.lock().unwrap_or_else(|e| e.into_inner());
    if !PENDING.load(Ordering::Acquire) {
        return;
    }
    let epoch = b.epoch;
    if b.leading {
        // Held asleep: the collection started without us.
        wait_for_end(b, epoch);
        return;
    }
    b.arrived += 1;
    if !HELPERS_WOKEN.load(Ordering::Relaxed) {
        crate::sched::hold_sleepers();
    }
    loop {
        if b.epoch != epoch {
            return;
        }
        if b.leading {
            // Another arrival leads, counting us among the markers.
            while b.epoch == epoch && !b.marking {
                b = RESUME.wait(b).unwrap_or_else(|e| e.into_inner());
            }
            if b.epoch != epoch {
                return;
            }
            drop(b);
            mark_share();
            wait_for_end(BARRIER.lock().unwrap_or_else(|e| e.into_inner()), epoch);
            return;
        }
        // Threads of `Thread.spawn` take part like workers (their count
        // changes as they start and end: read at every look).
        if b.arrived + crate::sched::held_sleepers() >= workers + crate::sched::thread::registered()
        {
            break;
        }
        let (g, waited) = RESUME
            .wait_timeout(b, HOLD_AFTER)
            .unwrap_or_else(|e| e.into_inner());
        b = g;
        if waited.timed_out() && !b.leading && b.epoch == epoch {
            crate::sched::hold_sleepers();
            // A task switched in after the request's look at the running
            // tasks would run on (allocating) until the monitor preempts
            // it, a time slice or, on a loaded machine, several later:
            // ask again, every wait.
            crate::sched::stop_the_world(false);
        }
    }
    // We lead: every worker has arrived or sleeps, held. Spans the last
    // cycle's sweep has not reached yet are swept first: marking needs
    // every span's allocation bits current and mark bits clear.
    b.leading = true;
    if DUMP.swap(false, Ordering::SeqCst) {
        crate::sched::dump_tasks();
    }
    if !ENABLED.load(Ordering::Acquire) {
        // A stop for the dump alone.
        end_stop(b);
        return;
    }
    let markers = b.arrived;
    let started = crate::sched::real_nanos();
    let t_sweep = Instant::now();
    super::sweep::finish();
    let sweep_time = t_sweep.elapsed();
    *lock_mark() = MarkState::new(markers);
    WAITING.store(0, Ordering::Relaxed);
    b.marking = true;
    RESUME.notify_all();
    drop(b);
    let t0 = Instant::now();
    mark_share();
    let mark_time = t0.elapsed();
    // `mark_share` returns only when every marker's marking is done.
    finish(markers, started, mark_time, sweep_time);
    end_stop(BARRIER.lock().unwrap_or_else(|e| e.into_inner()));
}

/// The leader ends the stop (the barrier's lock held as `b`): releases
/// the held sleepers and the workers waiting at the barrier.
fn end_stop(mut b: std::sync::MutexGuard<'_, Barrier>) {
    crate::sched::release_sleepers();
    b.arrived = 0;
    b.leading = false;
    b.marking = false;
    b.epoch += 1;
    PENDING.store(false, Ordering::SeqCst);
    RESUME.notify_all();
    drop(b);
    // A dump asked for while this stop was past its dump: either the
    // asker saw `PENDING` clear and stops itself, or we see its flag.
    if DUMP.load(Ordering::SeqCst) {
        stop_for_dump();
    }
}

/// Waits (the barrier's lock held as `b`) until collection `epoch` ends.
fn wait_for_end(mut b: std::sync::MutexGuard<'_, Barrier>, epoch: u64) {
    while b.epoch == epoch {
        b = RESUME.wait(b).unwrap_or_else(|e| e.into_inner());
    }
}

/// The marking shared by all workers: the root fibers are handed out in
/// chunks, and work is balanced through a queue of packets of objects to
/// scan (a worker with a long mark stack gives some away while another
/// waits). Marking ends when every worker is waiting and the queue is
/// empty.
struct MarkState {
    roots: Vec<crate::sched::task::FiberRef>,
    next_root: usize,
    timers_done: bool,
    packets: Vec<Vec<usize>>,
    waiting: usize,
    workers: usize,
    done: bool,
}

impl MarkState {
    const fn empty() -> MarkState {
        MarkState {
            roots: Vec::new(),
            next_root: 0,
            timers_done: true,
            packets: Vec::new(),
            waiting: 0,
            workers: 0,
            done: true,
        }
    }

    fn new(workers: usize) -> MarkState {
        MarkState {
            roots: crate::sched::live_fibers(),
            next_root: 0,
            timers_done: false,
            packets: Vec::new(),
            waiting: 0,
            workers,
            done: false,
        }
    }
}

// SAFETY: the fiber pointers in `roots` are only used by the marking
// workers while the world is stopped (see `crate::sched::gc_roots`).
unsafe impl Send for MarkState {}

static MARK: Mutex<MarkState> = Mutex::new(MarkState::empty());
static MARK_CV: Condvar = Condvar::new();
/// Root fibers handed out at once.
const ROOT_CHUNK: usize = 16;
/// Objects scanned between looks at whether another worker waits.
const STEP: usize = 64;
/// A mark stack this long is split for a waiting worker.
const MIN_SPLIT: usize = 8;
/// Mirrors `MarkState::waiting` for the markers' lock-free looks.
static WAITING: AtomicUsize = AtomicUsize::new(0);

fn lock_mark() -> std::sync::MutexGuard<'static, MarkState> {
    MARK.lock().unwrap_or_else(|e| e.into_inner())
}

/// One worker's part of the marking; returns once all marking is done.
/// Adds what it marked to the cycle's totals.
fn mark_share() {
    // Alone, the marker may set mark bits without atomic RMWs.
    let mut m = if lock_mark().workers == 1 {
        Marker::exclusive()
    } else {
        Marker::new()
    };
    loop {
        // Roots first, a chunk at a time (an empty chunk: the timers).
        let job = {
            let mut st = lock_mark();
            if st.next_root < st.roots.len() {
                let from = st.next_root;
                st.next_root = (from + ROOT_CHUNK).min(st.roots.len());
                Some(st.roots[from..st.next_root].to_vec())
            } else if !st.timers_done {
                st.timers_done = true;
                Some(Vec::new())
            } else {
                None
            }
        };
        match job {
            Some(fibers) if fibers.is_empty() => crate::sched::mark_timer_roots(&mut m),
            Some(fibers) => {
                for f in fibers {
                    crate::sched::mark_fiber(&mut m, f);
                }
            }
            None => break,
        }
        drain_sharing(&mut m);
    }
    // Then help until nothing is left anywhere.
    loop {
        drain_sharing(&mut m);
        let mut st = lock_mark();
        if let Some(p) = st.packets.pop() {
            drop(st);
            m.push_all(p);
            continue;
        }
        // Counted before waiting: once every worker waits, the totals
        // are complete (the last worker reads them at once).
        MARKED.fetch_add(std::mem::take(&mut m.marked), Ordering::Relaxed);
        MARKED_BYTES.fetch_add(std::mem::take(&mut m.marked_bytes), Ordering::Relaxed);
        st.waiting += 1;
        WAITING.store(st.waiting, Ordering::Relaxed);
        if st.waiting == st.workers {
            st.done = true;
            MARK_CV.notify_all();
            break;
        }
        while st.packets.is_empty() && !st.done {
            st = MARK_CV.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        if st.done {
            break;
        }
        st.waiting -= 1;
        WAITING.store(st.waiting, Ordering::Relaxed);
    }
}

/// Objects marked in the current cycle, over all workers (statistics).
static MARKED: AtomicUsize = AtomicUsize::new(0);
/// Bytes of the objects marked in the current cycle: the live size.
static MARKED_BYTES: AtomicUsize = AtomicUsize::new(0);

/// Drains `m`'s stack, giving half of it away whenever another worker
/// waits for work (a depth-first walk of a tree keeps a short stack, so
/// any stack of a few objects is worth splitting).
fn drain_sharing(m: &mut Marker) {
    while m.step(STEP) {
        if WAITING.load(Ordering::Relaxed) > 0 && m.pending() >= MIN_SPLIT {
            let packet = m.split_off(m.pending() / 2);
            lock_mark().packets.push(packet);
            MARK_CV.notify_one();
        }
    }
}

/// After marking (the leader): records the live size, sets the next
/// trigger, hands the spans to the sweep and prints the trace line
/// (`markers`: the workers that marked).
fn finish(
    markers: usize,
    started: u64,
    mark_time: std::time::Duration,
    sweep_time: std::time::Duration,
) {
    let before = ALLOCATED.load(Ordering::Relaxed) + LIVE.load(Ordering::Relaxed);
    let live = MARKED_BYTES.swap(0, Ordering::Relaxed);
    let live_objects = MARKED.swap(0, Ordering::Relaxed);
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
    // Sweeping happens after the pause. The scavenger (after the
    // background sweep) keeps resident at most a heap goal's worth of
    // free memory (what the heap grows into before the next collection,
    // with room to spare: returning pages that are soon needed again
    // costs a page fault each) and returns the rest to the OS.
    super::sweep::start(goal);
    let (freed_spans, released) = super::sweep::take_stats();
    let n = CYCLES.fetch_add(1, Ordering::Relaxed) + 1;
    if TRACE.load(Ordering::Relaxed) {
        let stop = started.saturating_sub(REQUESTED_AT.load(Ordering::Relaxed));
        let stw = crate::sched::real_nanos().saturating_sub(started);
        let mib = |b: usize| b as f64 / (1 << 20) as f64;
        let line = format!(
            "gc {n}: heap {:.1}->{:.1} MiB (goal {:.1}), {} objects live, pause {:.3} ms (stop {:.3}, sweep {:.3}, mark {:.3}), {markers} workers; since the last: {} spans freed, {:.1} MiB returned to the OS\n",
            mib(before),
            mib(live),
            mib(goal),
            live_objects,
            (stop + stw) as f64 / 1e6,
            stop as f64 / 1e6,
            sweep_time.as_secs_f64() * 1e3,
            mark_time.as_secs_f64() * 1e3,
            freed_spans,
            mib(released),
        );
        crate::stdout::write_all(2, line.as_bytes());
    }
}

/// Collections so far (statistics, tests).
pub fn cycles() -> u64 {
    CYCLES.load(Ordering::Relaxed)
}
