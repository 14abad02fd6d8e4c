//! What the collector needs from the scheduler (`docs/gc.md`, "Roots"
//! and "Stopping the world"): stopping every running task, and the roots
//! that tasks and timers hold.
//!
//! # Invariants
//!
//! - [`mark_fiber`] and [`mark_timer_roots`] run while the world is
//!   stopped: every task is
//!   switched out (its registers saved on its stack, its `sp` current),
//!   no worker touches fibers, scopes or timers, and the locks it takes
//!   are free.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::task::{self, FiberRef, Scope};
use super::{sched, timer};
use crate::gc::mark::Marker;

/// Asks every running task to reach a safepoint, and every sleeping
/// worker to wake if `wake_sleepers` (to help mark; otherwise the barrier
/// holds them asleep): a collection is pending (`crate::gc::collect`).
pub fn stop_the_world(wake_sleepers: bool) {
    let s = sched();
    let poll = |slot: &super::Slot| {
        let cur = slot.current.load(Ordering::Acquire);
        if !cur.is_null() {
            // SAFETY: fibers are never unmapped; a stale pointer only
            // causes a spurious yield.
            unsafe { (*cur).ctx.poll.store(1, Ordering::Release) };
        }
    };
    s.slots.iter().for_each(poll);
    super::thread::for_each_slot(poll);
    if wake_sleepers {
        s.idle.wake_all_sleepers();
    }
}

// Sleeping workers and the stop (`Slot::gc_sleep`).
//
// A worker asleep in the idle protocol runs nothing and holds no task,
// so the collection need not wait for it: on a busy machine, waking a
// sleeper can take a whole scheduler time slice of the OS (tens of
// milliseconds), which the pause and the heap's growth would pay. The
// barrier wakes sleepers (they help mark if they come quickly) and, if
// they have not arrived within a millisecond, counts them as stopped:
// it *holds* them.
//
// - A worker stores `ASLEEP` (SeqCst) before entering the idle sleep,
//   whose re-check then reads the collection's `pending` flag after a
//   SeqCst fence; the barrier reads `gc_sleep` (SeqCst CAS) only after
//   seeing `pending` set (stored SeqCst). So a worker that the barrier
//   saw awake sees `pending` in its re-check and comes to the barrier
//   instead of sleeping: no worker is left neither counted nor coming.
// - `ASLEEP -> HELD` (the barrier, [`hold_sleepers`]) and `HELD ->
//   AWAKE` (the worker, waking: [`woke`]) or `HELD -> STALE` (the
//   collection's end, [`release_sleepers`]) are CASes/swaps, so exactly
//   one side takes a held worker off the count [`N_HELD`].
// - A worker that wakes from `HELD` or `STALE` slept through a
//   collection with its allocation cache: the spans it cached were put
//   on the sweep's lists, so it forgets the cache (without touching the
//   spans) before doing anything else, and goes to the barrier, which
//   lets it wait for the end if the collection started without it.
pub(super) const AWAKE: u8 = 0;
/// In (or entering) the idle sleep.
pub(super) const ASLEEP: u8 = 1;
/// Asleep, counted as stopped by the collection in progress.
const HELD: u8 = 2;
/// Asleep through a collection that has ended: its cache is stale.
const STALE: u8 = 3;

/// Workers in state `HELD`.
static N_HELD: AtomicUsize = AtomicUsize::new(0);

/// The collector's barrier, with a collection pending and its lock held:
/// counts every sleeping worker as stopped. Returns how many are held.
pub fn hold_sleepers() -> usize {
    let hold = |slot: &super::Slot| {
        for from in [ASLEEP, STALE] {
            if slot
                .gc_sleep
                .compare_exchange(from, HELD, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                N_HELD.fetch_add(1, Ordering::SeqCst);
                break;
            }
        }
    };
    sched().slots.iter().for_each(hold);
    // Threads asleep on their condvar (`super::thread`) likewise.
    super::thread::for_each_slot(hold);
    N_HELD.load(Ordering::SeqCst)
}

/// Workers counted as stopped and still asleep.
pub fn held_sleepers() -> usize {
    N_HELD.load(Ordering::SeqCst)
}

/// At the end of a collection: workers still held sleep on, with a stale
/// allocation cache.
pub fn release_sleepers() {
    let release = |slot: &super::Slot| {
        if slot
            .gc_sleep
            .compare_exchange(HELD, STALE, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            N_HELD.fetch_sub(1, Ordering::SeqCst);
        }
    };
    sched().slots.iter().for_each(release);
    super::thread::for_each_slot(release);
}

/// The worker of `slot` is about to sleep.
pub(super) fn falling_asleep(slot: &super::Slot) {
    slot.gc_sleep.store(ASLEEP, Ordering::SeqCst);
}

/// The worker of `slot` (the caller) left its sleep: if a collection
/// held it, its allocation cache is stale.
pub(super) fn woke(slot: &super::Slot) {
    match slot.gc_sleep.swap(AWAKE, Ordering::SeqCst) {
        HELD => {
            N_HELD.fetch_sub(1, Ordering::SeqCst);
            crate::gc::heap::forget_cache();
        }
        STALE => crate::gc::heap::forget_cache(),
        _ => {}
    }
}

/// Every fiber that serves a live task (the collector's root set, split
/// among the marking workers).
pub fn live_fibers() -> Vec<FiberRef> {
    let mut out = Vec::new();
    let mut p = task::ALL.load(Ordering::Acquire);
    while !p.is_null() {
        // SAFETY: fibers are never freed; registry links are immutable
        // once published.
        let f = unsafe { &*p };
        if !f.handle.load(Ordering::Acquire).is_null() {
            out.push(FiberRef(p));
        }
        p = f.next_all.load(Ordering::Acquire);
    }
    out
}

/// Marks one live task's roots: its handle, environment (a task not
/// started yet), stack (conservatively, from its saved stack pointer to
/// its top), open scopes and held locks.
pub fn mark_fiber(m: &mut Marker, f: FiberRef) {
    let f = f.get();
    let h = f.handle.load(Ordering::Acquire);
    if h.is_null() {
        return;
    }
    m.mark_word(h as usize);
    m.mark_word(f.info().env as usize);
    // SAFETY: the world is stopped: nobody changes the task's cells (see
    // the module invariants).
    unsafe {
        if let Some(st) = *f.stack.get() {
            let sp = (*f.sp.get()).clamp(st.lo, st.top());
            m.scan_range(sp, st.top());
        }
        for &scope in (*f.scopes.get()).iter() {
            mark_scope(m, &*scope);
        }
        if let Some(held) = &*f.held.get() {
            for r in held.iter() {
                m.mark_word(r.obj as usize);
            }
        }
    }
}

/// Marks what pending timers refer to.
pub fn mark_timer_roots(m: &mut Marker) {
    let mut scopes: Vec<*const Scope> = Vec::new();
    timer::for_each_root(|o| m.mark_word(o), |s| scopes.push(s));
    for s in scopes {
        // SAFETY: the timer heap holds an `Arc` to each scope listed, and
        // nothing changes while the world is stopped.
        mark_scope(m, unsafe { &*s });
    }
}

/// A scope's tasks that have not ended (and its failures, winner and the
/// failed task of its cause). Ended children are dropped from the list
/// here: the scope only needs its children to cancel them, and
/// cancelling an ended task does nothing, so a scope of a million
/// finished tasks does not keep a million handles alive.
fn mark_scope(m: &mut Marker, s: &Scope) {
    let mut inner = s.lock();
    inner.children.retain(|t| !t.get().is_done());
    for t in inner
        .children
        .iter()
        .chain(inner.first_failure.iter())
        .chain(inner.last_failure.iter())
        .chain(inner.winner.iter())
    {
        m.mark_word(t.0 as usize);
    }
    if let Some(c) = &inner.cause {
        m.mark_word(c.task.0 as usize);
    }
}
