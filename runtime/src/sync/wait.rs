//! Parking on a synchronisation object: the one wait loop every blocking
//! call uses once its waiter is queued (the channel's `Chan::wait`, for
//! objects whose queue a single [`RawLock`] protects).

use std::ffi::c_char;

use crate::chan::core::{Env, Why};
use crate::chan::lock::RawLock;
use crate::chan::waitq::{Waiter, WAITING};
use crate::loom::sync::atomic::{fence, Ordering};

/// How the blocking primitives wake the waiters they serve: an [`Env`]
/// with a second way to wake.
pub trait SyncEnv: Env {
    /// Wakes `h`, which was just *handed* a lock or permit by a waker
    /// that keeps running (a rwlock unlock, a semaphore release):
    /// somewhere another worker can take it from, rather than the
    /// waker's run-next slot, which only the waker's worker runs (once
    /// the waker blocks or is preempted): a lock held by a task that
    /// does not run holds everybody up. The default is [`Env::wake`].
    fn wake_queued(h: Self::Handle) {
        Self::wake(h);
    }
}

/// The caller was cancelled while parked and has left the queue: it
/// must end as cancelled (with no lock held) without completing its
/// operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

/// The park reason for an object made at `loc`: `with` ("locking mutex
/// made at", completed by the location in the deadlock report) or, when
/// the location is unknown, `without` ("locking mutex").
pub fn why(with: &'static str, without: &'static str, loc: *const c_char) -> Why {
    Why {
        what: if loc.is_null() { without } else { with },
        loc,
    }
}

/// Parks until `w` is completed and returns its final status. The caller
/// queued `w` on the object that `lock` protects, called
/// `E::prepare_park` before releasing `lock`, and released it.
///
/// A cancelled caller whose waiter is still queued calls `leave` under
/// `lock` (which unlinks `w` and fixes the object's state, returning the
/// tasks to wake once `lock` is released) and gets [`Cancelled`]. A
/// waiter completed before its owner saw the cancellation returns its
/// status: the operation happened, and the cancellation takes effect at
/// the task's next cancellation point.
///
/// The cancellation flag is read after every `prepare_park` and before
/// parking (with a `SeqCst` fence, pairing with the one in
/// `sched::cancel` between setting the flag and waking): a cancellation
/// that came after the caller's last look, while it was still running,
/// found it not parked and woke nobody, so it must be seen here.
pub fn park_until<E: Env>(
    lock: &RawLock,
    w: &Waiter<E::Handle>,
    why: Why,
    leave: impl FnOnce() -> Vec<E::Handle>,
) -> Result<u8, Cancelled> {
    let me = w.handle;
    loop {
        fence(Ordering::SeqCst);
        let mut cancelled = E::cancelled(me);
        if cancelled {
            E::cancel_park(me);
        } else {
            E::park(me, why);
            let s = w.status();
            if s != WAITING {
                return Ok(s);
            }
            cancelled = E::cancelled(me);
        }
        lock.lock();
        // Completions happen under the lock: this read is final.
        let s = w.status();
        if s != WAITING {
            lock.unlock();
            return Ok(s);
        }
        if cancelled {
            let wake = leave();
            lock.unlock();
            for h in wake {
                E::wake(h);
            }
            return Err(Cancelled);
        }
        // A spurious wake-up. Prepared under the lock: a completion takes
        // it, so its wake-up comes after and is not lost.
        E::prepare_park(me);
        lock.unlock();
    }
}
