//! `Condition`: tasks waiting for a signal, bound to one `Mutex`.
//!
//! `wait` queues the caller *before* it releases the mutex (so a signal
//! sent by a task that takes the mutex after the release finds it), parks
//! until `signal` (the oldest waiter) or `broadcast` (all) completes its
//! waiter, then takes the mutex again. There are no spurious returns.
//! The re-locking and the cancellation rules are the caller's
//! (`super::abi::plat_cond_wait`): a waiter cancelled after it was
//! signalled passes the signal on ([`Cond::signal`]), so none is lost.
//!
//! # Invariants
//!
//! - The queue is protected by `lock`; waiters are completed (status
//!   `DONE`) under it and woken after it is released.

use std::ffi::c_char;
use std::ptr;

use super::wait::{self, Cancelled};
use crate::chan::core::Env;
use crate::chan::lock::RawLock;
use crate::chan::waitq::{Queue, Waiter, DONE};
use crate::loom::cell::UnsafeCell;

/// A condition's waiting tasks (see the module doc).
pub struct Cond<E: Env> {
    lock: RawLock,
    queue: UnsafeCell<Queue<E::Handle>>,
    pub loc: *const c_char,
}

// SAFETY: the queue is behind `lock`.
unsafe impl<E: Env> Sync for Cond<E> {}
// SAFETY: as above.
unsafe impl<E: Env> Send for Cond<E> {}

impl<E: Env> Cond<E> {
    pub fn new(loc: *const c_char) -> Cond<E> {
        Cond {
            lock: RawLock::new(),
            queue: UnsafeCell::new(Queue::default()),
            loc,
        }
    }

    fn with_queue<R>(&self, f: impl FnOnce(&mut Queue<E::Handle>) -> R) -> R {
        // SAFETY: callers hold `lock`, which makes this the only access.
        self.queue.with_mut(|q| f(unsafe { &mut *q }))
    }

    /// A waiter for the calling task.
    pub fn waiter(&self) -> Waiter<E::Handle> {
        Waiter::new(E::current(), ptr::null(), 0, 0)
    }

    /// Step one of `wait`: queues `w` (the caller's, valid until
    /// [`Cond::park`] returns) and prepares to park. The caller then
    /// releases the mutex and calls [`Cond::park`].
    pub fn enqueue(&self, w: &Waiter<E::Handle>) {
        self.lock.lock();
        self.with_queue(|q| q.push_back(w));
        E::prepare_park(w.handle);
        self.lock.unlock();
    }

    /// Step two: parks until signalled, or [`Cancelled`] (then `w` has
    /// left the queue and no signal was consumed).
    pub fn park(&self, w: &Waiter<E::Handle>) -> Result<(), Cancelled> {
        let why = wait::why(
            "waiting on condition made at",
            "waiting on condition",
            self.loc,
        );
        wait::park_until::<E>(&self.lock, w, why, || {
            self.with_queue(|q| q.remove(w));
            Vec::new()
        })?;
        Ok(())
    }

    /// `signal()`: wakes the oldest waiter, if any.
    pub fn signal(&self) {
        self.lock.lock();
        let h = self.with_queue(|q| q.pop_front().map(|w| w.complete(DONE, None)));
        self.lock.unlock();
        if let Some(h) = h {
            E::wake(h);
        }
    }

    /// `broadcast()`: wakes every waiter.
    pub fn broadcast(&self) {
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

    /// Waiting tasks (a snapshot, for tests).
    pub fn waiting(&self) -> usize {
        self.lock.lock();
        let n = self.with_queue(|q| q.len());
        self.lock.unlock();
        n
    }
}
