//! `Once`: runs a function exactly once; concurrent callers wait until it
//! has finished (Go's `sync.Once`: if the function panics, or its task
//! is cancelled, the `Once` still counts as done and the waiters are
//! released).
//!
//! The compiler runs `once.call(f)` as `if begin() { f(); end() }`; the
//! runtime never calls Plat closures. A task that ends between the two
//! completes the `Once` from its held list (`super::held`).
//!
//! # Invariants
//!
//! - `state` goes `NEW → RUNNING` once (the caller that wins the CAS runs
//!   `f`), then `RUNNING → DONE` once ([`Once::end`]), with `Release`.
//! - A waiter is queued only after reading `RUNNING` under `lock`; `end`
//!   stores `DONE` before taking `lock` to drain the queue.
//! - `runner` is the id of the task running `f` (written by it after its
//!   CAS, only compared with the caller's own id).

use std::ffi::c_char;
use std::ptr;

use super::wait::{self, Cancelled};
use crate::chan::core::Env;
use crate::chan::lock::RawLock;
use crate::chan::waitq::{Queue, Waiter, DONE};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

const NEW: u8 = 0;
const RUNNING: u8 = 1;
const FINISHED: u8 = 2;

/// What `begin` decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    /// The caller runs `f`, then calls [`Once::end`].
    Run,
    /// `f` has run (maybe after waiting for it).
    Done,
    /// The caller is already running `f` (a recursive call).
    Recursive,
}

/// A once (see the module doc).
pub struct Once<E: Env> {
    state: AtomicU8,
    runner: AtomicUsize,
    lock: RawLock,
    queue: UnsafeCell<Queue<E::Handle>>,
    pub loc: *const c_char,
}

// SAFETY: the queue is behind `lock`, the rest is atomic.
unsafe impl<E: Env> Sync for Once<E> {}
// SAFETY: as above.
unsafe impl<E: Env> Send for Once<E> {}

impl<E: Env> Once<E> {
    pub fn new(loc: *const c_char) -> Once<E> {
        Once {
            state: AtomicU8::new(NEW),
            runner: AtomicUsize::new(0),
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

    /// Whether `f` has finished.
    pub fn is_done(&self) -> bool {
        self.state.load(Ordering::Acquire) == FINISHED
    }

    /// Start of `call` by the task `me` (a non-zero id).
    pub fn begin(&self, me: usize) -> Result<Begin, Cancelled> {
        let s = self.state.load(Ordering::Acquire);
        if s == FINISHED {
            return Ok(Begin::Done);
        }
        if s == NEW
            && self
                .state
                .compare_exchange(NEW, RUNNING, Ordering::Acquire, Ordering::Acquire)
                .is_ok()
        {
            self.runner.store(me, Ordering::Relaxed);
            return Ok(Begin::Run);
        }
        if self.runner.load(Ordering::Relaxed) == me {
            return Ok(Begin::Recursive);
        }
        let h = E::current();
        self.lock.lock();
        if self.state.load(Ordering::Acquire) == FINISHED {
            self.lock.unlock();
            return Ok(Begin::Done);
        }
        let w = Waiter::new(h, ptr::null(), 0, 0);
        self.with_queue(|q| q.push_back(&w));
        E::prepare_park(h);
        self.lock.unlock();
        let why = wait::why("waiting for once made at", "waiting for once", self.loc);
        wait::park_until::<E>(&self.lock, &w, why, || {
            self.with_queue(|q| q.remove(&w));
            Vec::new()
        })?;
        Ok(Begin::Done)
    }

    /// End of `call` (by the runner, or for it by its task's end):
    /// marks `f` done and releases the waiters.
    pub fn end(&self) {
        self.state.store(FINISHED, Ordering::Release);
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
}
