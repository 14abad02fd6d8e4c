//! `select`: waiting on several channel operations at once (Go's
//! `selectgo`, in three passes).
//!
//! 1. **Poll.** First the fast poll: in a random order (Fisher-Yates
//!    from [`Env::below`], so seeded under `PLAT_SEED`), each arm whose
//!    channel looks ready without its lock ([`Chan::may_recv`],
//!    [`Chan::may_send`]: racy reads of the mirrors) is tried under that
//!    channel's lock alone; the first that can complete does. Then, if
//!    none did, the full poll: lock every channel involved, in address
//!    order (each once, however many arms use it: the one global lock
//!    order makes two selects over the same channels deadlock-free), and
//!    try every arm again in the same order. Either way the arm taken is
//!    the first ready one in a uniformly random order, so the choice is
//!    uniform among the ready arms. The fast poll holds one lock at a
//!    time, briefly: a fan-in select whose producers are parked takes a
//!    value under one lock instead of all of them, and does not make the
//!    producers on other workers wait for locks they do not need. A
//!    closed channel makes its arms ready: a receive gets nothing, a send
//!    delivers nothing. If none is ready under all the locks: with a
//!    `default` arm (non-blocking), or past the deadline of an `after`
//!    arm, unlock and report that.
//! 2. **Enqueue.** Still holding every lock, queue one waiter per arm
//!    (all sharing one [`SelectState`]) on its channel, then unlock and
//!    park. A completer (a plain send or receive, or another select's
//!    poll) that finds one of these waiters must win the CAS on
//!    `selected` to serve it; the losers' waiters are skipped and dropped
//!    from their queues.
//! 3. **Dequeue.** Once woken with `selected` set (or after claiming
//!    `selected` itself with [`ABORTED`] on a timeout or a cancellation,
//!    so no completer can serve an arm any more), lock every channel
//!    again and unlink every waiter still queued, then read the winning
//!    arm's outcome and return it. A waiter is never left queued after
//!    `select` returns, and the losing registrations are gone before the
//!    arm's body runs.
//!
//! # Invariants
//!
//! - Locks are taken in increasing channel address (the fast poll holds
//!   one at a time) and released before any task is woken; no channel
//!   lock is held while parked.
//! - A select parks only after a poll of every arm under all the locks
//!   found none ready, and its waiters are queued under those same locks:
//!   the fast poll's racy reads can only make it skip an arm, never park.
//! - The waiters live in the caller's frame (`waiters`, one per arm)
//!   from pass 2 until pass 3 has unlinked them all.
//! - `selected` moves away from [`NONE`] once (see `waitq`). The owner's
//!   re-check before re-parking (`prepare_park`, then load `selected`)
//!   and a completer's CAS, then its wake-up's read of the park state,
//!   are all `SeqCst`: one of the two sees the other, so a completion
//!   never goes unnoticed by a parked select.

use std::mem::MaybeUninit;

use super::core::{Chan, Env, RecvNow, SendNow, Why};
use super::waitq::{SelectState, Waiter, ABORTED, CLOSED, DONE, NONE};
use crate::loom::sync::atomic::Ordering;

/// One arm's operation.
#[derive(Clone, Copy)]
pub enum Op {
    Recv,
    /// Send this value.
    Send(u64),
}

/// One arm: an operation on a channel.
pub struct Arm<'a, E: Env> {
    pub chan: &'a Chan<E>,
    pub op: Op,
}

/// How long `select` may wait.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// A `default` arm: never park.
    Never,
    Forever,
    /// An `after` arm: give up at this monotonic deadline.
    Until(u64),
}

/// What `select` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Arm `arm` completed: [`DONE`] (a receive got `value`; a send
    /// delivered, `value` 0) or [`CLOSED`] (its channel is closed: a receive got
    /// nothing, a send delivered nothing).
    Arm { arm: usize, status: u8, value: u64 },
    /// Nothing was ready and the select does not block (`default`).
    Default,
    /// The `after` deadline passed.
    Timeout,
}

/// Arm `arm` completed with `polled` (from [`poll_arm`], no channel lock
/// held): wakes the peer it handed off to, if any, and reports the arm.
fn won<E: Env>(arm: usize, polled: (u8, u64, Option<E::Handle>)) -> Outcome {
    let (status, value, peer) = polled;
    if status == NO_MEMORY {
        E::out_of_memory(value as usize);
    }
    if let Some(h) = peer {
        E::wake(h);
    }
    Outcome::Arm { arm, status, value }
}

/// [`poll_arm`]'s status for a send arm whose channel could not grow its
/// buffer (`value`: the slots it needed): not an outcome, a panic.
const NO_MEMORY: u8 = u8::MAX;

/// Small arrays on the stack for the usual select, a `Vec` beyond.
const INLINE: usize = 32;

/// Completes `arm` if it can: its status, value and a task to wake
/// after unlocking. The caller holds the arm's channel's lock.
#[allow(clippy::type_complexity)]
fn poll_arm<E: Env>(arm: &Arm<'_, E>) -> Option<(u8, u64, Option<E::Handle>)> {
    match arm.op {
        Op::Send(v) => match arm.chan.send_now(v) {
            SendNow::Done(h) => Some((DONE, 0, h)),
            SendNow::Closed => Some((CLOSED, 0, None)),
            SendNow::Blocked => None,
            // Reported by `won`, once every lock is released.
            SendNow::NoMemory(n) => Some((NO_MEMORY, n as u64, None)),
        },
        Op::Recv => match arm.chan.recv_now() {
            RecvNow::Value(v, h) => Some((DONE, v, h)),
            RecvNow::Closed => Some((CLOSED, 0, None)),
            RecvNow::Blocked => None,
        },
    }
}

/// Runs a select over the `n` arms `arm(0)`, ..., `arm(n - 1)` (see the
/// module doc; `arm` is called many times and must give the same arms).
/// `waiters` is scratch space for one waiter per arm, in the caller's
/// frame.
pub fn select<'a, E: Env>(
    n: usize,
    arm: impl Fn(usize) -> Arm<'a, E>,
    waiters: &mut [MaybeUninit<Waiter<E::Handle>>],
    block: Block,
    why: Why,
) -> Outcome {
    assert!(waiters.len() >= n, "select: scratch too small");
    let mut order_inline = [0u32; INLINE];
    let mut order_heap = Vec::new();
    let order: &mut [u32] = if n <= INLINE {
        &mut order_inline[..n]
    } else {
        order_heap.resize(n, 0);
        &mut order_heap
    };
    // Poll order: a uniformly random permutation.
    for i in 0..n {
        let j = E::below(i + 1);
        order[i] = order[j];
        order[j] = i as u32;
    }
    let mut locks_inline: [*const Chan<E>; INLINE] = [std::ptr::null(); INLINE];
    let mut locks_heap = Vec::new();
    let locks: &[*const Chan<E>] = {
        let all = (0..n).map(|i| arm(i).chan as *const Chan<E>);
        let v: &mut [*const Chan<E>] = if n <= INLINE {
            for (slot, c) in locks_inline.iter_mut().zip(all) {
                *slot = c;
            }
            &mut locks_inline[..n]
        } else {
            locks_heap.extend(all);
            &mut locks_heap
        };
        v.sort_unstable();
        let mut m = 0;
        for i in 0..v.len() {
            if m == 0 || v[i] != v[m - 1] {
                v[m] = v[i];
                m += 1;
            }
        }
        &v[..m]
    };
    let lock_all = || {
        for &c in locks {
            // SAFETY: the arms' channels outlive the call.
            unsafe { &*c }.lock();
        }
    };
    let unlock_all = || {
        for &c in locks.iter().rev() {
            // SAFETY: as above.
            unsafe { &*c }.unlock();
        }
    };

    // Pass 1, fast poll: the arms that look ready, each under its own
    // channel's lock. (With one channel the full poll is the same.)
    if locks.len() > 1 {
        for &i in order.iter() {
            let i = i as usize;
            let arm = arm(i);
            let maybe = match arm.op {
                Op::Send(_) => arm.chan.may_send(),
                Op::Recv => arm.chan.may_recv(),
            };
            if !maybe {
                continue;
            }
            arm.chan.lock();
            let done = poll_arm(&arm);
            arm.chan.unlock();
            if let Some(polled) = done {
                return won::<E>(i, polled);
            }
        }
    }

    // Pass 1, full poll: every arm under all the locks.
    lock_all();
    for &i in order.iter() {
        let i = i as usize;
        if let Some(polled) = poll_arm(&arm(i)) {
            unlock_all();
            return won::<E>(i, polled);
        }
    }
    match block {
        Block::Never => {
            unlock_all();
            return Outcome::Default;
        }
        Block::Until(d) if E::now() >= d => {
            unlock_all();
            return Outcome::Timeout;
        }
        _ => {}
    }

    // Pass 2: enqueue on every channel, park.
    let me = E::current();
    let sel = SelectState::new();
    E::prepare_park(me);
    for (i, slot) in waiters.iter_mut().enumerate().take(n) {
        let arm = arm(i);
        let value = match arm.op {
            Op::Send(v) => v,
            Op::Recv => 0,
        };
        let w: &Waiter<E::Handle> = slot.write(Waiter::new(me, &sel, i as u32, value));
        arm.chan.state_with(|st| match arm.op {
            Op::Send(_) => st.sendq.push_back(w),
            Op::Recv => st.recvq.push_back(w),
        });
    }
    unlock_all();
    let deadline = match block {
        Block::Until(d) => {
            E::arm_timer(d, me);
            Some(d)
        }
        _ => None,
    };
    let mut cancelled = false;
    let selected = loop {
        E::park(me, why);
        let s = sel.selected.load(Ordering::SeqCst);
        if s != NONE {
            break s;
        }
        cancelled = E::cancelled(me);
        if cancelled || deadline.is_some_and(|d| E::now() >= d) {
            match sel
                .selected
                .compare_exchange(NONE, ABORTED, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => break ABORTED,
                // Served meanwhile: that outcome wins.
                Err(s) => break s,
            }
        }
        // Spurious: re-park unless an arm was served meanwhile.
        E::prepare_park(me);
        let s = sel.selected.load(Ordering::SeqCst);
        if s != NONE {
            E::cancel_park(me);
            break s;
        }
    };

    // Pass 3: unlink every waiter; read the winner's outcome under the
    // locks (its completer wrote it under its channel's lock).
    lock_all();
    for (i, slot) in waiters.iter().enumerate().take(n) {
        let arm = arm(i);
        // SAFETY: initialised in pass 2.
        let w = unsafe { slot.assume_init_ref() };
        arm.chan.state_with(|st| match arm.op {
            Op::Send(_) => st.sendq.remove(w),
            Op::Recv => st.recvq.remove(w),
        });
    }
    let outcome = if selected == ABORTED {
        Outcome::Timeout
    } else {
        let i = selected as usize;
        // SAFETY: initialised in pass 2.
        let w = unsafe { waiters[i].assume_init_ref() };
        Outcome::Arm {
            arm: i,
            status: w.status(),
            // A send arm's slot still holds what it sent: report 0, as
            // pass 1 does.
            value: match arm(i).op {
                Op::Recv => w.slot(),
                Op::Send(_) => 0,
            },
        }
    };
    unlock_all();
    for w in waiters.iter_mut().take(n) {
        // SAFETY: initialised in pass 2; unlinked above.
        unsafe { w.assume_init_drop() };
    }
    if selected == ABORTED && cancelled {
        E::exit_cancelled(me);
    }
    outcome
}
