//! `Semaphore`: counted permits, FIFO among the tasks that wait.
//!
//! # Protocol
//!
//! `state` = `available × PERMIT | QUEUED`. While nobody waits, acquire
//! and release are one CAS on the count. Once a task parks, `QUEUED` is
//! set (under `lock`, with the queue) and newcomers queue behind it (no
//! barging: the oldest waiter is served first); a release then hands
//! its permit straight to the head waiter ([`GRANTED`]) instead of
//! counting it.
//!
//! # Invariants
//!
//! - `QUEUED` ⇔ the queue is non-empty, whenever `lock` is free.
//! - `QUEUED ⇒ available == 0` (a task queues only on no permit, and a
//!   release with `QUEUED` set hands its permit over), so permits never
//!   wait while tasks do.
//! - `available <= initial`: a release that would exceed the permits the
//!   semaphore was made with is refused ([`OverRelease`]), so it never
//!   admits more tasks at once than `initial`. A release is valid only
//!   while a permit is out (`available < initial`); with `QUEUED` that is
//!   `initial > 0`, so a semaphore made with no permits refuses every
//!   release, waiters or not.
//! - Waiters are completed under `lock` and woken after it is released.

use std::ffi::c_char;
use std::ptr;

use super::mutex::GRANTED;
use super::wait::{self, Cancelled, SyncEnv};
use crate::chan::lock::RawLock;
use crate::chan::waitq::{Queue, Waiter};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};

pub const QUEUED: usize = 1;
pub const PERMIT: usize = 2;

/// A release with every permit already available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverRelease;

/// A semaphore (see the module doc).
pub struct Semaphore<E: SyncEnv> {
    state: AtomicUsize,
    /// The permits it was made with.
    pub initial: usize,
    lock: RawLock,
    queue: UnsafeCell<Queue<E::Handle>>,
    pub loc: *const c_char,
}

// SAFETY: the queue is behind `lock`, the state is atomic.
unsafe impl<E: SyncEnv> Sync for Semaphore<E> {}
// SAFETY: as above.
unsafe impl<E: SyncEnv> Send for Semaphore<E> {}

impl<E: SyncEnv> Semaphore<E> {
    /// `permits` must fit the state word (the caller clamps it).
    pub fn new(permits: usize, loc: *const c_char) -> Semaphore<E> {
        Semaphore {
            state: AtomicUsize::new(permits * PERMIT),
            initial: permits,
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

    /// Permits available now (a snapshot).
    pub fn available(&self) -> usize {
        self.state.load(Ordering::Relaxed) / PERMIT
    }

    /// `try_acquire()`: a permit if one is free and nobody waits.
    #[inline]
    pub fn try_acquire(&self) -> bool {
        let mut old = self.state.load(Ordering::Relaxed);
        while old & QUEUED == 0 && old >= PERMIT {
            match self.state.compare_exchange_weak(
                old,
                old - PERMIT,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(o) => old = o,
            }
        }
        false
    }

    /// `acquire()`: returns holding a permit, or [`Cancelled`].
    pub fn acquire(&self) -> Result<(), Cancelled> {
        if self.try_acquire() {
            return Ok(());
        }
        let me = E::current();
        self.lock.lock();
        let mut old = self.state.load(Ordering::Relaxed);
        let acquired = loop {
            let free = old & QUEUED == 0 && old >= PERMIT;
            let (new, ord) = if free {
                (old - PERMIT, Ordering::Acquire)
            } else {
                (old | QUEUED, Ordering::Relaxed)
            };
            match self
                .state
                .compare_exchange(old, new, ord, Ordering::Relaxed)
            {
                Ok(_) => break free,
                Err(o) => old = o,
            }
        };
        if acquired {
            self.lock.unlock();
            return Ok(());
        }
        let w = Waiter::new(me, ptr::null(), 0, 0);
        self.with_queue(|q| q.push_back(&w));
        E::prepare_park(me);
        self.lock.unlock();
        let why = wait::why(
            "acquiring semaphore made at",
            "acquiring semaphore",
            self.loc,
        );
        let status = wait::park_until::<E>(&self.lock, &w, why, || {
            self.with_queue(|q| {
                q.remove(&w);
                if q.is_empty() {
                    self.state.fetch_and(!QUEUED, Ordering::Relaxed);
                }
            });
            Vec::new()
        })?;
        debug_assert_eq!(status, GRANTED);
        Ok(())
    }

    /// `release()`: gives a permit back (to the oldest waiter if any).
    pub fn release(&self) -> Result<(), OverRelease> {
        // With no permits at all none can be out, so every release is an
        // over-release. The count cannot show it while tasks wait
        // (`QUEUED ⇒ available == 0 == initial`): without this check a
        // release would panic or create a permit for a waiter depending
        // on whether the waiter had parked yet.
        if self.initial == 0 {
            return Err(OverRelease);
        }
        loop {
            let mut old = self.state.load(Ordering::Relaxed);
            while old & QUEUED == 0 {
                if old / PERMIT >= self.initial {
                    return Err(OverRelease);
                }
                match self.state.compare_exchange_weak(
                    old,
                    old + PERMIT,
                    Ordering::Release,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return Ok(()),
                    Err(o) => old = o,
                }
            }
            self.lock.lock();
            let h = self.with_queue(|q| {
                let w = q.pop_front()?;
                if q.is_empty() {
                    self.state.fetch_and(!QUEUED, Ordering::Relaxed);
                }
                Some(w.complete(GRANTED, None))
            });
            self.lock.unlock();
            match h {
                Some(h) => {
                    // We keep running: let an idle worker run it.
                    E::wake_queued(h);
                    return Ok(());
                }
                // Every waiter left (cancelled) after we looked: count it.
                None => continue,
            }
        }
    }
}
