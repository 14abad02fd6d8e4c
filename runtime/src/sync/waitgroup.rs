//! `WaitGroup`: a counter tasks wait on until it is zero (Go's
//! `sync.WaitGroup`).
//!
//! `add` changes the counter with a CAS loop that refuses to make it
//! negative (or overflow), so it never is, not even briefly; the `add`
//! that brings it to zero then completes every queued waiter. `wait`
//! returns at once on zero, else re-checks under `lock` and queues.
//!
//! # Invariants
//!
//! - `count >= 0` always (an `i64` in an `AtomicUsize`).
//! - A waiter is queued only after reading a non-zero count under
//!   `lock`; the `add` that reaches zero changes `count` before taking
//!   `lock` to drain the queue, so a waiter either sees zero or is
//!   drained (no lost wake-up).
//! - Waiters are completed under `lock` and woken after it is released.

use std::ffi::c_char;
use std::ptr;

use super::wait::{self, Cancelled};
use crate::chan::core::Env;
use crate::chan::lock::RawLock;
use crate::chan::waitq::{Queue, Waiter, DONE};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};

/// Why an `add` was refused (the counter is unchanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddError {
    Negative,
    Overflow,
}

/// A wait group (see the module doc).
pub struct WaitGroup<E: Env> {
    count: AtomicUsize,
    lock: RawLock,
    queue: UnsafeCell<Queue<E::Handle>>,
    pub loc: *const c_char,
}

// SAFETY: the queue is behind `lock`, the count is atomic.
unsafe impl<E: Env> Sync for WaitGroup<E> {}
// SAFETY: as above.
unsafe impl<E: Env> Send for WaitGroup<E> {}

impl<E: Env> WaitGroup<E> {
    pub fn new(loc: *const c_char) -> WaitGroup<E> {
        WaitGroup {
            count: AtomicUsize::new(0),
            lock: RawLock::new(),
            queue: UnsafeCell::new(Queue::default()),
            loc,
        }
    }

    fn with_queue<R>(&self, f: impl FnOnce(&mut Queue<E::Handle>) -> R) -> R {
        // SAFETY: callers hold `lock`, which makes this the only access.
        self.queue.with_mut(|q| f(unsafe { &mut *q }))
    }

    /// Parked (or parking) tasks (a snapshot, for tests and tools).
    pub fn waiting(&self) -> usize {
        self.lock.lock();
        let n = self.with_queue(|q| q.len());
        self.lock.unlock();
        n
    }

    /// The counter (a snapshot).
    pub fn count(&self) -> i64 {
        self.count.load(Ordering::Acquire) as i64
    }

    /// `add(delta =)`; `done()` is `add(-1)`.
    pub fn add(&self, delta: i64) -> Result<(), AddError> {
        let mut old = self.count.load(Ordering::Relaxed);
        let new = loop {
            let new = (old as i64).checked_add(delta).ok_or(AddError::Overflow)?;
            if new < 0 {
                return Err(AddError::Negative);
            }
            match self.count.compare_exchange_weak(
                old,
                new as usize,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => break new,
                Err(o) => old = o,
            }
        };
        if new == 0 && delta != 0 {
            self.lock.lock();
            let mut wake = Vec::new();
            self.with_queue(|q| {
                while let Some(w) = q.pop_front() {
                    wake.push(w.complete(DONE, None));
                }
            });
            self.lock.unlock();
            for h in wake {
                E::wake(h);
            }
        }
        Ok(())
    }

    /// `wait()`: returns once the counter is zero, or [`Cancelled`].
    pub fn wait(&self) -> Result<(), Cancelled> {
        if self.count.load(Ordering::Acquire) == 0 {
            return Ok(());
        }
        let me = E::current();
        self.lock.lock();
        if self.count.load(Ordering::Acquire) == 0 {
            self.lock.unlock();
            return Ok(());
        }
        let w = Waiter::new(me, ptr::null(), 0, 0);
        self.with_queue(|q| q.push_back(&w));
        E::prepare_park(me);
        self.lock.unlock();
        let why = wait::why(
            "waiting on wait group made at",
            "waiting on wait group",
            self.loc,
        );
        wait::park_until::<E>(&self.lock, &w, why, || {
            self.with_queue(|q| q.remove(&w));
            Vec::new()
        })?;
        Ok(())
    }
}
