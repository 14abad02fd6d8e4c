//! Idle workers: the spinning count and the sleep/wake protocol (Go's
//! `spinning` + `wakep`, with a mutex, a condvar and wake-up permits).
//!
//! This file knows nothing of tasks or queues: the worker loop
//! (`worker.rs`) passes in the "is there work?" re-check. It imports its
//! sync primitives from [`crate::loom`], so `tests/loom_idle.rs` checks
//! this very code under loom (it includes the file with `#[path]`).
//!
//! # Invariant: no lost wake-up
//!
//! If a task is published and then [`Idle::wake`] is called, then every
//! worker that went to sleep without seeing the task was woken, or some
//! other worker is awake and will look at the queues (it is spinning, or
//! it was handed a permit). Never: a task in a queue and every worker
//! asleep waiting for a notification that nobody will send.
//!
//! The argument is Dekker's, with one `SeqCst` fence on each side:
//!
//! - **Sleeper** ([`Idle::sleep`]): (S1) `sleeping += 1` (the atomic
//!   mirror), (S2) `fence(SeqCst)`, (S3) re-check every queue; wait only
//!   if they are all empty.
//! - **Waker** (a task pushed, then [`Idle::wake`]): (W1) the push,
//!   (W2) `fence(SeqCst)`, (W3) read `sleeping` and `spinning`.
//!
//! The two fences are totally ordered. If the sleeper's comes first, W3
//! sees S1 (`sleeping > 0`); if the waker's comes first, S3 sees W1 (the
//! task). So either the sleeper does not sleep or the waker knows that
//! somebody sleeps. In the second case the waker takes the mutex, and
//! the sleeper holds it from S1 until the condvar wait releases it, so
//! the waker's `permits += 1; notify_one()` happens either before S1 (and
//! then it saw `sleeping > 0` for another sleeper, which it wakes) or
//! after the sleeper waits: the notification is not lost, and the
//! `permits` loop absorbs spurious condvar wake-ups.
//!
//! The `spinning > 0` short cut (the waker wakes nobody because a worker
//! is looking for work) relies on the same fence pairing: a spinner that
//! gives up decrements `spinning` with `SeqCst` and, before sleeping,
//! re-checks the queues after S2, so a task that a waker left to the
//! spinners is seen by the last of them (or its wake sees
//! `spinning == 0`). A spinner that *finds* a task is busy with that one,
//! so the last spinner to find one wakes another worker
//! ([`Idle::found_work`], Go's `resetspinning`); a worker woken by a
//! permit, or whose re-check saw work, counts as spinning until it finds
//! work or gives up. Without that rule a second task pushed while the
//! first was being picked up waited, with a worker asleep, until the
//! busy worker's task parked or was preempted (found by the model
//! `two_workers_two_endless_tasks_both_run`).
//!
//! [`Idle::wake_local`] is the one deliberate exception: a worker that
//! pushed to its *own* queues reads the counts `Relaxed` with no fence
//! (Go's `wakep` check in `runqput` callers). The pusher is awake and
//! pops its own queues before it can sleep, so if it misses a sleeper
//! the task still runs (on the pusher) — it only costs parallelism until
//! the next push. `tests/loom_idle.rs` shows both sides: progress holds,
//! while "the sleeper is woken" does not.
//!
//! # Orderings and what each pairs with
//!
//! - `sleeping` store in [`Idle::sleep`] (`SeqCst`, S1) + the fence
//!   after it (S2): pairs with the fence and the `sleeping` load in
//!   [`Idle::wake`] (W2, W3). The stores are made under the mutex, which
//!   orders them with each other; the atomic is only a mirror for
//!   lock-free reads.
//! - `spinning` `fetch_add`/`fetch_sub` (`SeqCst`): the `fetch_sub` of a
//!   giving-up spinner is followed by S2 (via the mutex and S1), so it
//!   pairs like S1 with W3's `spinning` load; the `fetch_sub` in
//!   [`Idle::found_work`] is followed by W2 of its own wake-up, so a
//!   submitter whose W3 read the count before it sees, through that
//!   wake-up, a sleeper that missed its task, or the sleeper's S3 sees
//!   the task.
//! - `fence(SeqCst)` in [`Idle::wake`]: W2 above; it must come after the
//!   caller's push, which may be a `Release` store (crossbeam's deque) —
//!   a plain `SeqCst` load would not order that store before W3.
//! - `Relaxed` loads in [`Idle::wake_local`]: pair with nothing (see
//!   above); a positive answer is re-checked by [`Idle::wake`].
//! - The mutex: protects [`State`]; `permits` moves a wake-up from waker
//!   to sleeper, so a notification cannot be lost to the gap between
//!   the re-check and the wait.
//!
//! # The polling sleeper
//!
//! While tasks wait for I/O, one sleeper at a time (`State::polling`,
//! chosen under the mutex by the re-check) blocks in the I/O poller
//! instead of on the condvar ([`Idle::sleep_or_poll`]), releasing the
//! mutex meanwhile. A waker hands out a permit as before and, if it saw
//! (under the mutex) that a sleeper polls, also pokes it (an eventfd
//! write) once it has released the mutex, as it notifies the condvar:
//! the poller set `polling` under the same mutex before it blocked, and
//! a poke that comes before it blocks, or after it has come back, leaves
//! the eventfd readable (the next poll then returns at once and looks at
//! the queues), so neither kind of sleeper loses a wake-up. Whichever
//! sleeper comes first takes the
//! permit; the poller comes back counted as spinning in any case (it may
//! bring tasks made runnable by I/O), so an extra poke costs one look at
//! the queues. `tests/loom_idle.rs` models this with a stand-in eventfd
//! (the `polling_*` models; without the poke, loom finds the lost
//! wake-up).
//!
//! # Who calls what
//!
//! Any thread may call [`Idle::wake`] and [`Idle::locked`]; only workers
//! call [`Idle::start_spinning`], [`Idle::stop_spinning`],
//! [`Idle::found_work`],
//! [`Idle::sleep`] and [`Idle::wake_local`]. Nothing may park a task or
//! take another runtime lock inside [`Idle::locked`] or the `recheck` of
//! [`Idle::sleep`] (both run under the idle mutex).

use std::time::Duration;

use crate::loom::sync::atomic::{fence, AtomicUsize, Ordering};
use crate::loom::sync::{Condvar, Mutex, MutexGuard};

/// What the idle mutex protects.
pub struct State {
    /// Workers waiting for a permit.
    sleeping: usize,
    /// Wake-ups handed out and not yet consumed.
    permits: usize,
    /// A sleeper is blocked in the I/O poller instead of the condvar.
    polling: bool,
}

/// What a worker about to sleep decided after the re-check (S3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Recheck {
    /// There is work (a queued task, a due timer): do not sleep.
    Work,
    /// Nothing to do: wait for a permit, at most this long if a timer is
    /// pending.
    Wait(Option<Duration>),
    /// Nothing to do, but tasks wait for I/O and nobody polls: block in
    /// the poller (at most this long), as the one polling sleeper.
    Poll(Option<Duration>),
}

/// The idle-worker state of a scheduler.
pub struct Idle {
    state: Mutex<State>,
    cv: Condvar,
    /// Mirror of `State::sleeping` for lock-free reads (written under
    /// the mutex).
    sleeping: AtomicUsize,
    /// Workers looking for work: spinning, or woken by a permit and not
    /// yet back in the worker loop.
    spinning: AtomicUsize,
    /// Interrupts the polling sleeper (an eventfd write); `None` when
    /// this scheduler never polls (the loom models).
    poke: Option<fn()>,
}

impl Default for Idle {
    fn default() -> Self {
        Self::new()
    }
}

impl Idle {
    /// Nobody sleeping or spinning.
    pub fn new() -> Self {
        Idle {
            state: Mutex::new(State {
                sleeping: 0,
                permits: 0,
                polling: false,
            }),
            cv: Condvar::new(),
            sleeping: AtomicUsize::new(0),
            spinning: AtomicUsize::new(0),
            poke: None,
        }
    }

    /// A scheduler whose sleepers may poll for I/O, interrupted by `poke`.
    pub fn with_poke(poke: fn()) -> Self {
        Idle {
            poke: Some(poke),
            ..Idle::new()
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` under the idle mutex (external submission, so that a
    /// worker's deadlock check under the same mutex never misses it).
    pub fn locked<R>(&self, f: impl FnOnce() -> R) -> R {
        let _g = self.lock();
        f()
    }

    /// The calling worker starts looking for work.
    pub fn start_spinning(&self) {
        self.spinning.fetch_add(1, Ordering::SeqCst);
    }

    /// The calling worker stops looking for work without having found
    /// any (it is about to [`sleep`](Idle::sleep)).
    pub fn stop_spinning(&self) {
        self.spinning.fetch_sub(1, Ordering::SeqCst);
    }

    /// Puts the calling worker (not spinning) to sleep unless `recheck`
    /// finds work.
    ///
    /// `recheck(sleeping)` runs under the mutex after S1 and S2 (so it
    /// sees every task whose waker missed us) with the number of sleepers
    /// including the caller; it must look at every queue. Returns when
    /// there was work, when the timeout passed, or when a waker handed
    /// us a permit; the caller then looks for work again. True (a permit,
    /// or `recheck` saw work): the caller is counted as spinning (like
    /// Go's woken `M`) and ends that with
    /// [`found_work`](Idle::found_work) or
    /// [`stop_spinning`](Idle::stop_spinning). False: timed out.
    #[allow(
        dead_code,
        reason = "only the loom models (tests/loom_idle.rs) sleep without polling"
    )]
    pub fn sleep(&self, recheck: impl FnOnce(usize) -> Recheck) -> bool {
        self.sleep_or_poll(|sleeping, _| recheck(sleeping), |_| {})
    }

    /// [`sleep`](Idle::sleep), where `recheck(sleeping, polling)` also
    /// learns whether another sleeper already polls, and may answer
    /// [`Recheck::Poll`]: then `poll(timeout)` runs without the mutex
    /// (the caller blocks in the I/O poller), and the caller comes back
    /// counted as spinning, to run what the poll made runnable.
    ///
    /// A waker hands permits out as for condvar sleepers and also pokes
    /// the poller if it saw `polling` set under the mutex (a poke that
    /// comes before the poller blocks leaves the eventfd readable, so it
    /// is not lost).
    pub fn sleep_or_poll(
        &self,
        recheck: impl FnOnce(usize, bool) -> Recheck,
        poll: impl FnOnce(Option<Duration>),
    ) -> bool {
        let mut st = self.lock();
        st.sleeping += 1;
        // S1 (pairs with W3 in `wake`).
        self.sleeping.store(st.sleeping, Ordering::SeqCst);
        // S2 (pairs with W2 in `wake`).
        fence(Ordering::SeqCst);
        // S3.
        let seen = recheck(st.sleeping, st.polling);
        if let Recheck::Poll(timeout) = seen {
            st.polling = true;
            drop(st);
            poll(timeout);
            st = self.lock();
            st.polling = false;
            if st.permits > 0 {
                st.permits -= 1;
            } else {
                st.sleeping -= 1;
                self.sleeping.store(st.sleeping, Ordering::SeqCst);
                self.start_spinning();
            }
            return true;
        }
        if let Recheck::Wait(timeout) = seen {
            while st.permits == 0 {
                st = match timeout {
                    Some(t) => {
                        let (g, r) = self
                            .cv
                            .wait_timeout(st, t)
                            .unwrap_or_else(|e| e.into_inner());
                        if r.timed_out() && g.permits == 0 {
                            st = g;
                            break;
                        }
                        g
                    }
                    None => self.cv.wait(st).unwrap_or_else(|e| e.into_inner()),
                };
            }
        }
        if st.permits > 0 {
            // The waker already took us off `sleeping` and counted us
            // spinning. (The permit may have been meant for a worker
            // still waiting: then our own `sleeping += 1` stands for it,
            // and we, awake and spinning, look for the work instead.)
            st.permits -= 1;
            true
        } else {
            st.sleeping -= 1;
            self.sleeping.store(st.sleeping, Ordering::SeqCst);
            if seen == Recheck::Work {
                // Spinning again, like a woken worker (Go's `findrunnable`
                // after its re-check): a submitter may have skipped its
                // wake-up because we were spinning, so whoever takes
                // this work must be the one to call `found_work`.
                self.start_spinning();
                return true;
            }
            false
        }
    }

    /// Notifies a sleeper of a permit just handed out, after the mutex
    /// was released (`polling` as read under it): a condvar sleeper, and
    /// the polling one too if there was one (whichever comes first takes
    /// the permit; an extra poke only makes the poller look at the queues
    /// once more, and a poke after the poller has returned leaves the
    /// eventfd readable for its next poll, which then looks once more).
    fn notify(&self, polling: bool) {
        self.cv.notify_one();
        if polling {
            if let Some(poke) = self.poke {
                poke();
            }
        }
    }

    /// The calling spinning worker found a task. If it was the last
    /// spinner, wakes another worker (Go's `resetspinning`): submitters
    /// skip the wake-up while somebody spins, counting on the spinner,
    /// which is now busy with one task; anything pushed meanwhile needs
    /// another worker.
    pub fn found_work(&self) {
        // Pairs like `stop_spinning` with W3 of concurrent submitters;
        // our own `wake` then fences (W2) before reading `sleeping`.
        if self.spinning.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.wake();
        }
    }

    /// Wakes a sleeping worker if nobody is looking for work. Call after
    /// publishing a task (W1), from any thread.
    pub fn wake(&self) {
        // W2 (pairs with S2 in `sleep`).
        fence(Ordering::SeqCst);
        // W3 (pairs with S1 in `sleep` and `stop_spinning`).
        if self.sleeping.load(Ordering::SeqCst) == 0 || self.spinning.load(Ordering::SeqCst) > 0 {
            return;
        }
        let mut st = self.lock();
        if st.sleeping > 0 {
            st.sleeping -= 1;
            self.sleeping.store(st.sleeping, Ordering::SeqCst);
            st.permits += 1;
            // The woken worker counts as spinning until it has looked.
            self.start_spinning();
            let polling = st.polling;
            drop(st);
            self.notify(polling);
        }
    }

    /// Models only: lets every one of `workers` workers out of its
    /// sleep, so that a loom model can end (the runtime never stops its
    /// workers). One permit per worker, not per sleeper: a worker that
    /// enters [`sleep`](Idle::sleep) after this call takes a permit too.
    #[cfg(all(test, loom))]
    pub fn wake_all(&self, workers: usize) {
        let mut st = self.lock();
        st.sleeping = 0;
        self.sleeping.store(0, Ordering::SeqCst);
        st.permits += workers;
        self.spinning.fetch_add(workers, Ordering::SeqCst);
        if st.polling {
            if let Some(poke) = self.poke {
                poke();
            }
        }
        drop(st);
        self.cv.notify_all();
    }

    /// Wakes every sleeping worker (a collection needs them all): each
    /// gets a permit and counts as spinning, as after [`Idle::wake`]. The
    /// caller published its reason (with `SeqCst`) before: a worker not
    /// yet asleep sees it in its re-check, which runs under the lock.
    pub fn wake_all_sleepers(&self) {
        let mut st = self.lock();
        let n = st.sleeping;
        if n == 0 {
            return;
        }
        st.sleeping = 0;
        self.sleeping.store(0, Ordering::SeqCst);
        st.permits += n;
        self.spinning.fetch_add(n, Ordering::SeqCst);
        if st.polling {
            if let Some(poke) = self.poke {
                poke();
            }
        }
        drop(st);
        self.cv.notify_all();
    }

    /// [`wake`](Idle::wake) after a worker pushed to its *own* queues,
    /// without the fence: that worker is awake and pops its own queues
    /// before it can sleep, so a wake-up missed here (a sleeper's count
    /// not visible yet) costs parallelism until the next push, never
    /// progress. The check is Go's `wakep` condition: somebody sleeps
    /// and nobody is looking for work.
    pub fn wake_local(&self) {
        if self.sleeping.load(Ordering::Relaxed) != 0 && self.spinning.load(Ordering::Relaxed) == 0
        {
            self.wake();
        }
    }
}
