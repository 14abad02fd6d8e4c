//! `RwLock`: many readers or one writer, task-fair (FIFO), so a stream of
//! readers never starves a writer.
//!
//! # Protocol
//!
//! `state` = `readers × READER | QUEUED | WRITER`. While `QUEUED` is
//! clear (nobody parked) the fast paths are one CAS each: a reader adds
//! [`READER`] if there is no writer, a writer sets `WRITER` on `0`, and
//! the unlocks undo that. Once somebody parks, `QUEUED` is set (under
//! `lock`, with the queue) and every transition goes through `lock`:
//! newcomers, readers included, queue behind the parked waiters (so a
//! reader arriving while a writer waits queues behind it), and an unlock
//! hands the lock to the head of the queue directly (`dispatch`): a
//! writer alone once the lock is free, or the head's run of consecutive
//! readers while no writer holds it. A waiter's `case` says which it
//! wants ([`READ`], [`WRITE`]).
//!
//! # Invariants
//!
//! - `QUEUED` ⇔ the queue is non-empty, whenever `lock` is free. While
//!   it is set, `state` changes only under `lock`.
//! - `WRITER` ⇒ no readers. The head of a non-empty queue cannot be
//!   served: a writer while the lock is held, a reader while a writer
//!   holds it (re-established by `dispatch` after every change).
//! - Granting is done by the unlocker, under `lock`, in the state
//!   (`READER` added, `WRITER` set) before the waiter's `Release` status
//!   store; wake-ups come after `lock` is released.

use std::ffi::c_char;
use std::ptr;

use super::mutex::GRANTED;
use super::wait::{self, Cancelled, SyncEnv};
use crate::chan::lock::RawLock;
use crate::chan::waitq::{Queue, Waiter};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};

pub const WRITER: usize = 1;
pub const QUEUED: usize = 2;
pub const READER: usize = 4;

/// Waiter `case`: a reader.
pub const READ: u32 = 0;
/// Waiter `case`: a writer.
pub const WRITE: u32 = 1;

/// A readers-writer lock (see the module doc).
pub struct RwLock<E: SyncEnv> {
    state: AtomicUsize,
    lock: RawLock,
    queue: UnsafeCell<Queue<E::Handle>>,
    pub loc: *const c_char,
}

// SAFETY: the queue is behind `lock`, the state is atomic.
unsafe impl<E: SyncEnv> Sync for RwLock<E> {}
// SAFETY: as above.
unsafe impl<E: SyncEnv> Send for RwLock<E> {}

impl<E: SyncEnv> RwLock<E> {
    pub fn new(loc: *const c_char) -> RwLock<E> {
        RwLock {
            state: AtomicUsize::new(0),
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

    /// Readers holding it now (a snapshot).
    pub fn readers(&self) -> usize {
        self.state.load(Ordering::Relaxed) / READER
    }

    /// Whether a writer holds it (a snapshot).
    pub fn has_writer(&self) -> bool {
        self.state.load(Ordering::Relaxed) & WRITER != 0
    }

    /// `read_lock()`: returns holding a read lock, or [`Cancelled`].
    #[inline]
    pub fn read_lock(&self) -> Result<(), Cancelled> {
        let mut old = self.state.load(Ordering::Relaxed);
        while old & (WRITER | QUEUED) == 0 {
            match self.state.compare_exchange_weak(
                old,
                old + READER,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(()),
                Err(o) => old = o,
            }
        }
        self.lock_slow(READ)
    }

    /// `write_lock()`: returns holding the write lock, or [`Cancelled`].
    #[inline]
    pub fn write_lock(&self) -> Result<(), Cancelled> {
        if self
            .state
            .compare_exchange(0, WRITER, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return Ok(());
        }
        self.lock_slow(WRITE)
    }

    /// Takes a read lock without parking, if no writer holds or waits.
    pub fn try_read_lock(&self) -> bool {
        let old = self.state.load(Ordering::Relaxed);
        old & (WRITER | QUEUED) == 0
            && self
                .state
                .compare_exchange(old, old + READER, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
    }

    #[cold]
    fn lock_slow(&self, kind: u32) -> Result<(), Cancelled> {
        let me = E::current();
        self.lock.lock();
        let mut old = self.state.load(Ordering::Relaxed);
        let acquired = loop {
            let free = if kind == READ {
                old & (WRITER | QUEUED) == 0
            } else {
                old == 0
            };
            let (new, ord) = if free {
                let add = if kind == READ { READER } else { WRITER };
                (old + add, Ordering::Acquire)
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
        let w = Waiter::new(me, ptr::null(), kind, 0);
        self.with_queue(|q| q.push_back(&w));
        E::prepare_park(me);
        self.lock.unlock();
        let why = if kind == READ {
            wait::why(
                "read-locking rwlock made at",
                "read-locking rwlock",
                self.loc,
            )
        } else {
            wait::why(
                "write-locking rwlock made at",
                "write-locking rwlock",
                self.loc,
            )
        };
        // A waiter leaving may unblock those behind it (a cancelled writer
        // at the head of readers).
        let status = wait::park_until::<E>(&self.lock, &w, why, || {
            self.with_queue(|q| q.remove(&w));
            self.dispatch()
        })?;
        debug_assert_eq!(status, GRANTED);
        Ok(())
    }

    /// `read_unlock()` by a reader (the caller checked that).
    #[inline]
    pub fn read_unlock(&self) {
        let mut old = self.state.load(Ordering::Relaxed);
        while old & QUEUED == 0 {
            match self.state.compare_exchange_weak(
                old,
                old - READER,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(o) => old = o,
            }
        }
        self.lock.lock();
        self.state.fetch_sub(READER, Ordering::Release);
        let wake = self.dispatch();
        self.lock.unlock();
        for h in wake {
            E::wake_queued(h);
        }
    }

    /// `write_unlock()` by the writer (the caller checked that).
    #[inline]
    pub fn write_unlock(&self) {
        if self
            .state
            .compare_exchange(WRITER, 0, Ordering::Release, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
        self.lock.lock();
        self.state.fetch_and(!WRITER, Ordering::Release);
        let wake = self.dispatch();
        self.lock.unlock();
        for h in wake {
            E::wake_queued(h);
        }
    }

    /// Serves the head of the queue while it can be served, and keeps
    /// `QUEUED` in step. Under `lock`; returns the tasks to wake.
    fn dispatch(&self) -> Vec<E::Handle> {
        let mut wake = Vec::new();
        self.with_queue(|q| loop {
            let Some(w) = q.front() else {
                self.state.fetch_and(!QUEUED, Ordering::Relaxed);
                break;
            };
            let old = self.state.load(Ordering::Relaxed);
            let grant = if w.case == WRITE {
                (old & WRITER == 0 && old / READER == 0).then_some(WRITER)
            } else {
                (old & WRITER == 0).then_some(READER)
            };
            let Some(add) = grant else { break };
            q.pop_front();
            self.state.fetch_add(add, Ordering::Relaxed);
            wake.push(w.complete(GRANTED, None));
        });
        wake
    }
}
