//! `Mutex`: a task lock with a one-CAS fast path, a FIFO queue of parked
//! waiters, and Go's starvation hand-off (`sync.Mutex`).
//!
//! # Protocol
//!
//! `state` holds three bits:
//!
//! - [`LOCKED`]: somebody holds the mutex.
//! - [`QUEUED`]: the queue is non-empty (changed only under `lock`,
//!   together with the queue).
//! - [`WOKEN`]: a waiter was taken off the queue and woken to compete for
//!   the mutex, and has not yet acquired it or gone back to the queue
//!   (at most one at a time).
//!
//! An uncontended `lock` is one CAS `0 → LOCKED`, an uncontended
//! `unlock` one CAS `LOCKED → 0`. Anything else is the slow path:
//!
//! - **lock**: spin a little when another worker may be running the
//!   holder (the critical sections this protects are usually short),
//!   then, under `lock`, either take the mutex if it is free (barging is
//!   allowed) or set `QUEUED` with a CAS that sees `LOCKED` (so the
//!   holder's unlock will serve the queue) and park at the tail.
//! - **unlock** with `QUEUED` and no `WOKEN`: under `lock`, pop the head
//!   waiter. If it has waited at least [`STARVE_NANOS`] (1 ms), hand the
//!   mutex over (`LOCKED` stays set, the waiter's status is [`GRANTED`]:
//!   nobody can barge in, so no waiter starves); otherwise clear `LOCKED`,
//!   set `WOKEN` and wake it ([`WOKE`]) to compete with newcomers (it
//!   goes to the unlocker's run-next slot, as a channel peer does).
//!   Unlock with `WOKEN` set (or no queue) just clears `LOCKED`: the woken
//!   waiter will look at the mutex when it runs.
//! - **woken waiter**: takes the mutex if it is free (clearing `WOKEN`),
//!   else goes back to the *head* of the queue (clearing `WOKEN`, under
//!   `lock`, with a CAS that sees `LOCKED`), keeping its first queueing
//!   time so that the starvation rule counts its whole wait.
//!
//! # Invariants
//!
//! - `QUEUED` ⇔ the queue is non-empty, whenever `lock` is free.
//! - `QUEUED ∧ ¬LOCKED ⇒ WOKEN`: whenever waiters are queued while the
//!   mutex is free, a woken waiter is on its way to take it or to requeue
//!   (so a queue is never stranded). `QUEUED` is only set by a CAS that
//!   sees `LOCKED`; `LOCKED` is only cleared with `QUEUED` set by an
//!   unlock that sets `WOKEN` (or finds it set); `WOKEN` is only cleared
//!   by a CAS that sets or sees `LOCKED`, or passed on to the next waiter
//!   by a cancelled woken waiter.
//! - Only an unlocker sets `WOKEN`, and only while it clears `LOCKED`;
//!   there is one unlocker at a time (it holds the mutex).
//! - A waiter's `slot` is the monotonic time it was first queued.
//! - Wake-ups are issued after `lock` is released; no task is woken, no
//!   Plat panic raised and nothing allocated from the Plat heap under it.
//! - The `Acquire` of a successful lock pairs with the `Release` of the
//!   unlock before it, or with the `Release` store of [`GRANTED`].
//!
//! `owner` (the holder's task, 0 when free) is written by the holder
//! right after acquiring and cleared before unlocking; it is only
//! compared with the caller's own id (the unlock check), so a racy read
//! can never match a task that does not hold the mutex.

use std::ffi::c_char;
use std::ptr;

use super::wait::{self, Cancelled, SyncEnv};
use crate::chan::core::Why;
use crate::chan::lock::RawLock;
use crate::chan::waitq::{Queue, Waiter, DONE};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

pub const LOCKED: u32 = 1;
pub const QUEUED: u32 = 2;
pub const WOKEN: u32 = 4;

/// Waiter status: the mutex was handed over (the waiter holds it).
pub const GRANTED: u8 = DONE;
/// Waiter status: woken to compete for the mutex.
pub const WOKE: u8 = 3;

/// A waiter queued this long is handed the mutex (Go's starvation mode).
pub const STARVE_NANOS: u64 = 1_000_000;
/// Slow-path spins before queueing, each [`SPIN_PAUSES`] pause
/// instructions (Go's `active_spin` / `active_spin_cnt`).
const SPIN_ROUNDS: u32 = 4;
const SPIN_PAUSES: u32 = 30;

/// What an unlock did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlocked {
    Released,
    /// Handed to a starving waiter, who must run soon: the caller should
    /// yield to it (it holds the mutex without running).
    HandedOff,
}

/// A mutex (see the module doc).
pub struct Mutex<E: SyncEnv> {
    state: AtomicU32,
    lock: RawLock,
    owner: AtomicUsize,
    queue: UnsafeCell<Queue<E::Handle>>,
    /// Where it was made (null if unknown).
    pub loc: *const c_char,
}

// SAFETY: the queue is behind `lock`, everything else is atomic; queued
// waiters follow the queue's discipline (`chan::waitq`).
unsafe impl<E: SyncEnv> Sync for Mutex<E> {}
// SAFETY: as above.
unsafe impl<E: SyncEnv> Send for Mutex<E> {}

impl<E: SyncEnv> Mutex<E> {
    pub fn new(loc: *const c_char) -> Mutex<E> {
        Mutex {
            state: AtomicU32::new(0),
            lock: RawLock::new(),
            owner: AtomicUsize::new(0),
            queue: UnsafeCell::new(Queue::default()),
            loc,
        }
    }

    /// The holder's id (0: free, or handed over to a waiter that has not
    /// recorded itself yet).
    #[inline]
    pub fn owner(&self) -> usize {
        self.owner.load(Ordering::Relaxed)
    }

    /// Records the holder (by the holder, right after acquiring) or
    /// clears it (0, by the holder, before unlocking).
    #[inline]
    pub fn set_owner(&self, id: usize) {
        self.owner.store(id, Ordering::Relaxed);
    }

    /// The state bits (a snapshot, for tests).
    pub fn bits(&self) -> u32 {
        self.state.load(Ordering::Relaxed)
    }

    /// Whether it is held (a snapshot).
    pub fn is_locked(&self) -> bool {
        self.state.load(Ordering::Relaxed) & LOCKED != 0
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

    fn why(&self) -> Why {
        wait::why("locking mutex made at", "locking mutex", self.loc)
    }

    /// `try_lock()`: takes the mutex if it is free, never parks.
    #[inline]
    pub fn try_lock(&self) -> bool {
        let old = self.state.load(Ordering::Relaxed);
        old & LOCKED == 0
            && self
                .state
                .compare_exchange(old, old | LOCKED, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
    }

    /// `lock()`: returns holding the mutex, or [`Cancelled`] (not holding
    /// it) if the caller was cancelled while parked. `spin`: other workers
    /// may be running the holder, so spinning briefly can pay off.
    #[inline]
    pub fn lock(&self, spin: bool) -> Result<(), Cancelled> {
        if self.lock_fast() {
            return Ok(());
        }
        self.lock_slow(spin)
    }

    /// The uncontended `lock`: one CAS `0 → LOCKED`; false if somebody
    /// holds it or waits (then [`Mutex::lock_slow`]).
    #[inline]
    pub fn lock_fast(&self) -> bool {
        self.state
            .compare_exchange(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    /// Takes the mutex if it is free; `woken`: the caller is the woken
    /// waiter, whose `WOKEN` it clears in the same CAS.
    fn try_acquire(&self, woken: bool) -> bool {
        let clear = if woken { WOKEN } else { 0 };
        let mut old = self.state.load(Ordering::Relaxed);
        while old & LOCKED == 0 {
            match self.state.compare_exchange(
                old,
                (old | LOCKED) & !clear,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(o) => old = o,
            }
        }
        false
    }

    /// `lock` after [`Mutex::lock_fast`] failed.
    #[cold]
    pub fn lock_slow(&self, spin: bool) -> Result<(), Cancelled> {
        let me = E::current();
        let mut woken = false;
        let mut since = 0u64;
        loop {
            // A cancelled waiter does not take the mutex just to hold it
            // until its next cancellation point.
            if woken && E::cancelled(me) {
                self.give_up_woken();
                return Err(Cancelled);
            }
            if spin {
                for _ in 0..SPIN_ROUNDS {
                    if self.try_acquire(woken) {
                        return Ok(());
                    }
                    for _ in 0..SPIN_PAUSES {
                        std::hint::spin_loop();
                    }
                }
            }
            self.lock.lock();
            let clear = if woken { WOKEN } else { 0 };
            let mut old = self.state.load(Ordering::Relaxed);
            let acquired = loop {
                let (new, ord) = if old & LOCKED == 0 {
                    ((old | LOCKED) & !clear, Ordering::Acquire)
                } else {
                    ((old | QUEUED) & !clear, Ordering::Relaxed)
                };
                match self
                    .state
                    .compare_exchange(old, new, ord, Ordering::Relaxed)
                {
                    Ok(_) => break old & LOCKED == 0,
                    Err(o) => old = o,
                }
            };
            if acquired {
                self.lock.unlock();
                return Ok(());
            }
            if since == 0 {
                since = E::now().max(1);
            }
            let w = Waiter::new(me, ptr::null(), 0, since);
            self.with_queue(|q| {
                if woken {
                    q.push_front(&w);
                } else {
                    q.push_back(&w);
                }
            });
            E::prepare_park(me);
            self.lock.unlock();
            let status = wait::park_until::<E>(&self.lock, &w, self.why(), || {
                self.with_queue(|q| {
                    q.remove(&w);
                    if q.is_empty() {
                        self.state.fetch_and(!QUEUED, Ordering::Relaxed);
                    }
                });
                Vec::new()
            })?;
            if status == GRANTED {
                return Ok(());
            }
            woken = true;
        }
    }

    /// A woken waiter that was cancelled leaves without the mutex: it
    /// drops its `WOKEN` right if the mutex is held (the holder's unlock
    /// serves the queue) or nobody is queued, else passes it on to the
    /// next waiter (the invariant `QUEUED ∧ ¬LOCKED ⇒ WOKEN` holds
    /// throughout).
    fn give_up_woken(&self) {
        self.lock.lock();
        let mut pass = None;
        let mut old = self.state.load(Ordering::Relaxed);
        loop {
            if old & LOCKED == 0 && old & QUEUED != 0 {
                // Keep `WOKEN` set for the next waiter (`QUEUED`: there
                // is one, since we hold `lock`).
                pass = self.with_queue(|q| {
                    let w = q.pop_front()?;
                    if q.is_empty() {
                        self.state.fetch_and(!QUEUED, Ordering::Relaxed);
                    }
                    Some(w.complete(WOKE, None))
                });
                if pass.is_some() {
                    break;
                }
            }
            match self.state.compare_exchange(
                old,
                old & !WOKEN,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(o) => old = o,
            }
        }
        self.lock.unlock();
        if let Some(h) = pass {
            E::wake(h);
        }
    }

    /// `unlock()` by the holder (the caller checked that and cleared
    /// `owner`).
    #[inline]
    pub fn unlock(&self) -> Unlocked {
        if self
            .state
            .compare_exchange(LOCKED, 0, Ordering::Release, Ordering::Relaxed)
            .is_ok()
        {
            return Unlocked::Released;
        }
        self.unlock_slow()
    }

    #[cold]
    fn unlock_slow(&self) -> Unlocked {
        let mut old = self.state.load(Ordering::Relaxed);
        while old & QUEUED == 0 || old & WOKEN != 0 {
            match self.state.compare_exchange(
                old,
                old & !LOCKED,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Unlocked::Released,
                Err(o) => old = o,
            }
        }
        // Waiters and nobody woken: serve the head. While we hold the
        // mutex and `lock`, only a cancelled waiter's leaving (clearing
        // `QUEUED` when the queue empties) changes `state`.
        self.lock.lock();
        let served = self.with_queue(|q| {
            let w = q.pop_front()?;
            let empty = q.is_empty();
            let handoff = E::now().saturating_sub(w.slot()) >= STARVE_NANOS;
            if handoff {
                if empty {
                    self.state.fetch_and(!QUEUED, Ordering::Relaxed);
                }
                return Some((w.complete(GRANTED, None), Unlocked::HandedOff));
            }
            let mut old = self.state.load(Ordering::Relaxed);
            loop {
                let mut new = (old & !LOCKED) | WOKEN;
                if empty {
                    new &= !QUEUED;
                }
                match self
                    .state
                    .compare_exchange(old, new, Ordering::Release, Ordering::Relaxed)
                {
                    Ok(_) => break,
                    Err(o) => old = o,
                }
            }
            Some((w.complete(WOKE, None), Unlocked::Released))
        });
        match served {
            Some((h, Unlocked::HandedOff)) => {
                // The caller yields to it (see `Unlocked`).
                self.lock.unlock();
                E::wake(h);
                Unlocked::HandedOff
            }
            Some((h, Unlocked::Released)) => {
                // To our run-next slot, as channels do: it holds nothing,
                // the mutex is free for whoever runs. (Queued where an
                // idle worker could take it, the two workers of
                // mutex_counter fight over the mutex's cache line: 1.4x
                // slower; see `sync/mod.rs`, "Performance".)
                self.lock.unlock();
                E::wake(h);
                Unlocked::Released
            }
            None => {
                // Every waiter left (cancelled) after we looked.
                self.state.fetch_and(!LOCKED, Ordering::Release);
                self.lock.unlock();
                Unlocked::Released
            }
        }
    }
}
