//! Timers: one min-heap of deadlines serving `time_sleep`,
//! `await_timeout`, scope deadlines and runtime callbacks (a
//! `CancelToken`'s timeout, a `Ticker`'s ticks: see `crate::sync`).
//!
//! Workers fire due timers while looking for work ([`fire_due`]); an idle
//! worker sleeps no longer than the earliest deadline.
//!
//! # Invariants
//!
//! - `HEAP` (mutex) protects the heap; `NEXT` mirrors its earliest
//!   deadline (`u64::MAX` when empty) for lock-free checks, and is only
//!   written under the lock.
//! - Firing a timer only wakes a task, cancels a scope or runs a
//!   [`Callback`], all of which tolerate being late or redundant (park
//!   sites re-check; callbacks check their object's state), so a timer
//!   left behind by a task that woke for another reason is harmless.
//! - Actions run after `HEAP` is released, so a callback may add timers
//!   (a periodic one re-arms itself).
//! - A callback's `arg` is a Plat heap object kept alive by the pending
//!   entry: the collector must treat pending callbacks as roots.

use std::cmp::{Ordering as Cmp, Reverse};
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::task::{FiberRef, Scope};

pub enum Action {
    /// Maybe stale by the time it fires (a spurious wake-up, harmless).
    Wake(FiberRef),
    CancelScope(Arc<Scope>),
    Call(Callback),
}

/// A runtime callback run by the timer: `run(arg)`.
#[derive(Clone, Copy)]
pub struct Callback {
    pub run: fn(*mut u8),
    /// A Plat heap object (a root while the entry is pending).
    pub arg: *mut u8,
    /// Whether running it now could wake a parked task, for deadlock
    /// detection (`None`: assume it could). A ticker's tick can only
    /// wake a task parked receiving from its channel.
    pub may_wake: Option<fn(*mut u8) -> bool>,
}

// SAFETY: `arg` is a Plat heap object, which any thread may use; the
// callbacks synchronise on the object's own atomics and locks.
unsafe impl Send for Callback {}

struct Entry {
    deadline: u64,
    seq: u64,
    action: Action,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        (self.deadline, self.seq) == (o.deadline, o.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Cmp> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Cmp {
        (self.deadline, self.seq).cmp(&(o.deadline, o.seq))
    }
}

struct Heap {
    heap: BinaryHeap<Reverse<Entry>>,
    seq: u64,
}

static HEAP: Mutex<Heap> = Mutex::new(Heap {
    heap: BinaryHeap::new(),
    seq: 0,
});
static NEXT: AtomicU64 = AtomicU64::new(u64::MAX);

fn lock() -> std::sync::MutexGuard<'static, Heap> {
    HEAP.lock().unwrap_or_else(|e| e.into_inner())
}

/// Schedules `action` at `deadline` (monotonic nanoseconds).
pub fn add(deadline: u64, action: Action) {
    let earlier = {
        let mut h = lock();
        h.seq += 1;
        let seq = h.seq;
        h.heap.push(Reverse(Entry {
            deadline,
            seq,
            action,
        }));
        let earlier = deadline < NEXT.load(Ordering::Relaxed);
        if earlier {
            NEXT.store(deadline, Ordering::SeqCst);
        }
        earlier
    };
    if earlier {
        // A sleeping worker may be waiting past this deadline.
        super::wake_idle();
    }
}

/// The earliest pending deadline.
pub fn next_deadline() -> Option<u64> {
    match NEXT.load(Ordering::SeqCst) {
        u64::MAX => None,
        d => Some(d),
    }
}

/// Calls `object` with every Plat object a pending timer refers to (the
/// collector's roots; the world is stopped) and `scope` with every scope
/// a deadline timer holds.
pub fn for_each_root(mut object: impl FnMut(usize), mut scope: impl FnMut(&Scope)) {
    let h = lock();
    for Reverse(e) in h.heap.iter() {
        match &e.action {
            Action::Wake(_) => {}
            Action::CancelScope(s) => scope(s),
            Action::Call(c) => object(c.arg as usize),
        }
    }
}

/// Fires every timer whose deadline has passed.
pub fn fire_due() {
    if NEXT.load(Ordering::Relaxed) == u64::MAX {
        return;
    }
    let now = super::now_nanos();
    if NEXT.load(Ordering::Relaxed) > now {
        return;
    }
    let mut due = Vec::new();
    {
        let mut h = lock();
        while h.heap.peek().is_some_and(|e| e.0.deadline <= now) {
            if let Some(Reverse(e)) = h.heap.pop() {
                due.push(e.action);
            }
        }
        NEXT.store(
            h.heap.peek().map_or(u64::MAX, |e| e.0.deadline),
            Ordering::SeqCst,
        );
    }
    for a in due {
        match a {
            Action::Wake(t) => super::wake(t),
            Action::CancelScope(s) => super::cancel_scope(&s, None),
            Action::Call(c) => (c.run)(c.arg),
        }
    }
}

/// Whether no pending timer could wake a parked task: every entry is a
/// callback that says so (a tick nobody is waiting for). Deadlock
/// detection calls it when no task runs, so the answer is stable; it
/// stops at the first entry that could wake one (any `Wake`), so a heap
/// of sleepers costs one look. Lock order: the idle lock, `HEAP`, then
/// whatever a callback's `may_wake` takes (a channel's lock).
pub fn none_can_wake() -> bool {
    lock().heap.iter().all(|e| match &e.0.action {
        Action::Call(c) => c.may_wake.is_some_and(|f| !f(c.arg)),
        _ => false,
    })
}
