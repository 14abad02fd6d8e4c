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

use std::sync::atomic::Ordering;

use super::task::{self, FiberRef, Scope};
use super::{sched, timer};
use crate::gc::mark::Marker;

/// Asks every running task to reach a safepoint and every sleeping
/// worker to wake: a collection is pending (`crate::gc::collect`).
pub fn stop_the_world() {
    let s = sched();
    for slot in &s.slots {
        let cur = slot.current.load(Ordering::Acquire);
        if !cur.is_null() {
            // SAFETY: fibers are never unmapped; a stale pointer only
            // causes a spurious yield.
            unsafe { (*cur).ctx.poll.store(1, Ordering::Release) };
        }
    }
    s.idle.wake_all_sleepers();
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
