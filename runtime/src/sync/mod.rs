//! The synchronisation library (spec `concurrency.md` section 6):
//! `Mutex`, `RwLock`, `Condition`, `WaitGroup`, `Semaphore`, `Once`,
//! `Atomic<T>`, `CancelToken`, `Ticker` and `RateLimiter`.
//!
//! # Files
//!
//! - [`mutex`], [`rwlock`], [`cond`], [`waitgroup`], [`semaphore`],
//!   [`once`]: the blocking primitives, each a protocol written against
//!   the channel code's [`Env`](crate::chan::core::Env) (how to park,
//!   wake, read the clock), instantiated with green tasks in [`abi`].
//! - [`abi`]: their objects and entry points; [`atomic`], [`ctoken`],
//!   [`ticker`], [`ratelimit`]: the non-blocking or timer-based ones,
//!   objects and entry points together.
//! - [`held`]: what each task holds, released when it fails or is
//!   cancelled.
//! - [`wait`]: the wait loop shared by every blocking call.
//! - [`shapes`]: the objects' shapes (kind Sync) for the collector.
//!
//! # One way to block
//!
//! Every blocking call parks the task, never its worker thread, with the
//! scheduler's park protocol exactly as channels do (`chan::core`): the
//! caller takes the object's [`RawLock`](crate::chan::lock::RawLock),
//! checks whether it can proceed, and otherwise links a
//! [`Waiter`](crate::chan::waitq::Waiter) that lives on its own stack
//! into the object's FIFO queue, calls `prepare_park`, releases the lock
//! and parks ([`wait::park_until`]). Whoever makes progress possible (an
//! unlock, a release, a signal, the last `done`) completes queued waiters
//! under the lock, *hands the resource over in the object's state*
//! (a held mutex, a reader count, a permit), stores the waiter's final
//! status with `Release`, and wakes the owners only after releasing the
//! lock. So no wake-up is lost (a completion needs the lock, which the
//! waiter held while it prepared to park), no task is woken while an
//! object lock is held, and queues are served in arrival order.
//!
//! Uncontended operations never take the `RawLock`: a mutex lock and
//! unlock, a reader's lock and unlock, a writer's lock and unlock, a
//! semaphore acquire and release are each one CAS on a state word whose
//! `QUEUED` bit sends everybody through the lock once a task has parked
//! (see each file's protocol and invariants).
//!
//! # Cancellation
//!
//! Lock acquisitions, `acquire`, `Condition.wait`, `WaitGroup.wait`,
//! `Once.call` (waiting for another task's `f`) and `RateLimiter.wait`
//! are cancellation points. A task cancelled while parked leaves its
//! queue cleanly under the lock (fixing `QUEUED`, and for a rwlock
//! serving the waiters that were behind it) and ends as cancelled with
//! no lock held. If its operation was completed first (the mutex or a
//! permit handed over, the signal delivered), it keeps the result and
//! the cancellation takes effect at its next cancellation point; a
//! `Condition` waiter in that case passes its signal on rather than lose
//! it, and a woken mutex waiter passes its turn on.
//!
//! # Release at the end of a task
//!
//! A task that ends failed or cancelled releases every mutex, rwlock
//! hold and semaphore permit it holds, and any end completes a `Once`
//! whose function it was running ([`held`]): `critical`, `read`, `write`
//! and `Once.call` are compiled as lock / call / unlock, so this is what
//! releases them when the function panics. A task that *returns* while
//! holding a lock keeps it held (the program's business).
//!
//! # Bad use
//!
//! Misuse is a Plat panic (exit 101) raised by the entry point before it
//! takes any lock, with the call's location, or with the place the
//! object was made for calls that have no location of their own
//! (re-locking a mutex the task holds, which would wait for ever).
//!
//! # Deadlock reports and traces
//!
//! The park reason names the object and where it was made ("locking
//! mutex made at f.plat:3:7", "waiting on wait group made at ..."), so
//! the deadlock report reads `task 2 (spawned at f.plat:9:5): locking
//! mutex made at f.plat:3:7`, and `PLAT_TRACE` park events carry it.
//!
//! # Memory
//!
//! Objects are Plat heap objects of kind Sync and never move. What a
//! parked task needs is reachable from its stack (its waiter, the object
//! it passed in) or from the object. Roots outside the heap that the
//! collector must scan: the [`held`] lists of live fibers, and pending
//! timer callbacks (`sched::timer::Callback::arg`: a `CancelToken`
//! timeout, a `Ticker`).
//!
//! # Performance
//!
//! The anchors' `mutex_counter` (4 tasks x 1,000,000 lock / increment /
//! unlock): `tests/programs/sync.c` MODE=counter linked with the release
//! runtime, beside Go's binary, interleaved by `bench/timing.py` (31 runs)
//! on the shared 2-core machine, whose load from other work made every
//! figure vary by 2x. Medians: at load 3.5-3.8, Plat 62 ms, Go 52-56 ms
//! (CPU 45 vs 44 ms); at load 2.3, Plat 42-47 ms, Go 38-75 ms. Go's
//! reference on a quiet machine is 152 ms. With one worker (Go:
//! `GOMAXPROCS=1`) Plat takes 53 ms to Go's 36 ms: an uncontended lock +
//! unlock costs about 8 ns here against Go's 6 (two calls, the owner
//! check and the held list around the two locked instructions). Where the
//! time goes:
//!
//! - With both workers running lockers, the transfer of the mutex's cache
//!   line; a woken waiter therefore goes to the unlocker's run-next slot
//!   (as with channels) rather than to a queue an idle worker steals
//!   from, which kept both workers fighting over the line (1.4x Go).
//!   Rwlock and semaphore waiters, who are handed the lock or permit, do
//!   go to a stealable queue: a lock held by a task that does not run
//!   holds everybody up.
//! - The spin before parking (Go's 4 x 30 pauses) changed nothing
//!   measurable between 0 and 8 rounds.
//!
//! # Lock order
//!
//! Object locks are leaves: none is held while taking another
//! (`Condition.wait` takes its own lock and then the mutex's, one after
//! the other, never nested; cancelling a token releases the tree lock
//! before closing channels). The exceptions are deadlock detection's
//! questions to pending timers, asked while no task runs: the timer
//! heap's lock, then a `CancelToken`'s tree lock, then a channel's.

pub mod abi;
pub mod atomic;
pub mod cond;
pub mod ctoken;
pub mod held;
pub mod mutex;
pub mod once;
pub mod ratelimit;
pub mod rwlock;
pub mod semaphore;
pub mod shapes;
pub mod ticker;
pub mod wait;
pub mod waitgroup;

#[cfg(test)]
mod tests;
