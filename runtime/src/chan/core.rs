//! The channel protocol, independent of what a task is: the runtime
//! instantiates it with green tasks (`super::abi`), the loom models
//! (`tests/loom_chan.rs`) with loom threads, through [`Env`].
//!
//! A channel is a lock, a ring buffer of value slots, and two FIFO wait
//! queues of parked operations (receivers waiting for a value, senders
//! waiting for room or, on a rendezvous channel, for a receiver). Every
//! operation takes the lock, completes at once if it can, and otherwise
//! queues a waiter and parks. Whoever completes a queued operation does
//! all of its work (Go's direct hand-off): a sender that finds a parked
//! receiver writes the value into the receiver's waiter; a receiver that
//! finds a parked sender takes the sender's value (rendezvous) or takes
//! the oldest buffered value and moves the sender's value into the
//! buffer (full buffered channel). The parked task, once woken, only
//! reads the outcome from its waiter: it never retries, never spins, and
//! never assumes its peer runs on another core.
//!
//! # Invariants (under `lock`, and at every release of it)
//!
//! - At most one queue is non-empty. `recvq` non-empty implies `count ==
//!   0` (receivers park only on an empty buffer, and a sender serves a
//!   parked receiver before it buffers). `sendq` non-empty implies
//!   `count == cap` (senders park only when there is no room). A closed
//!   channel has both queues empty, and nothing joins them.
//! - Queues are served in arrival order, skipping select arms whose
//!   select was already served elsewhere (`Waiter::claim` fails; they are
//!   dropped from the queue).
//! - Values leave in the order they entered: the buffer is FIFO, a sender
//!   parked on a full buffer enters it at the tail when a receiver takes
//!   the head, and senders are served in arrival order.
//! - `send` returns true only if its value was buffered or handed to a
//!   receiver, so a value reported delivered is never lost; a value
//!   offered by a sender that closing (or cancellation) stops is not
//!   delivered, and `send` returns false (or the task ends).
//! - `count`, `closed`, `recv_waiting` and `send_waiting` mirror the
//!   state for lock-free reads ([`Chan::try_send`], [`Chan::try_recv`],
//!   `len`, `is_closed`); they are written only under the lock.
//!
//! # What must not happen under the lock
//!
//! Parking, waking a task (wake-ups are collected and done after the
//! unlock, so the woken task never immediately blocks on our lock),
//! raising a Plat panic (a panic abandons the stack: the lock would stay
//! held), allocating from the Plat heap except the buffer growth of
//! [`Env::alloc_slots`] (which must not trigger anything that takes a
//! channel lock). A growth past what memory allows is not made: the send
//! reports [`SendNow::NoMemory`], and its caller unlocks, then raises the
//! out-of-memory panic ([`Env::out_of_memory`]).
//!
//! # Fast paths
//!
//! `try_recv` and `try_send` that cannot succeed fail without the lock
//! (Go's `chanrecv`/`chansend` non-blocking checks): a receive fails if
//! the buffer is empty and no sender waits; a send fails if no receiver
//! waits on a rendezvous channel, or the buffer is full. The reads are
//! racy; failing is still correct because the condition held at the
//! moment of a read (for a buffered channel `count == 0` implies no
//! parked sender), so the operation linearises at that moment. A closed
//! channel makes both fail too, so `closed` need not be read.

use std::ffi::c_char;

use super::lock::RawLock;
use super::waitq::{Queue, Waiter, CLOSED, DONE, WAITING};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// `cap` of an unbounded channel.
pub const UNBOUNDED: usize = usize::MAX;
/// First buffer allocation (slots); buffers double from there up to the
/// capacity, so `Channel.init(capacity = 1000000)` costs nothing until used.
const MIN_BUFFER: usize = 8;

/// How the protocol parks, wakes and allocates (see the module doc).
pub trait Env: 'static {
    /// Wakes one waiting party (a fiber, a thread).
    type Handle: Copy;
    /// Per-channel data for [`Env::alloc_slots`] (the element type).
    type Meta: Copy;
    /// The caller's handle.
    fn current() -> Self::Handle;
    /// The caller is about to publish a waiter and park: a wake-up from
    /// now on must not be lost.
    fn prepare_park(h: Self::Handle);
    /// The caller will not park after all.
    fn cancel_park(h: Self::Handle);
    /// Parks the caller until woken (wake-ups may be spurious).
    fn park(h: Self::Handle, why: Why);
    /// Wakes `h` (parked, about to park, or already running).
    fn wake(h: Self::Handle);
    /// Whether the caller has been asked to stop.
    fn cancelled(h: Self::Handle) -> bool;
    /// Ends the calling task as cancelled. Called with no lock held.
    fn exit_cancelled(h: Self::Handle) -> !;
    /// Monotonic nanoseconds.
    fn now() -> u64;
    /// Wakes `h` at `deadline` (maybe late; a stale one is harmless).
    fn arm_timer(deadline: u64, h: Self::Handle);
    /// `n` zeroed value slots that live as long as the channel uses them,
    /// or null if a buffer of `n` slots is more than memory allows.
    fn alloc_slots(meta: Self::Meta, n: usize) -> *mut u64;
    /// Raises the out-of-memory panic of a buffer of `n` slots that
    /// [`Env::alloc_slots`] refused. Called with no lock held.
    fn out_of_memory(n: usize) -> !;
    /// A uniformly random number below `n` (`n > 0`): seeded under
    /// `PLAT_SEED`.
    fn below(n: usize) -> usize;
}

/// What a parked task waits on (for the deadlock report and traces).
#[derive(Clone, Copy, Debug)]
pub struct Why {
    pub what: &'static str,
    /// Where the object was created (or the `select` is), or null.
    pub loc: *const c_char,
}

/// The outcome of a parked operation that ended without completing.
pub const TIMED_OUT: u8 = 0xff;

/// What an attempt to send found.
pub enum SendNow<H> {
    /// Buffered, or handed to a receiver (wake it after unlocking).
    Done(Option<H>),
    Closed,
    /// No room and no receiver: park or fail.
    Blocked,
    /// The buffer had to grow to `n` slots, more than memory allows;
    /// nothing changed (unlock, then [`Env::out_of_memory`]).
    NoMemory(usize),
}

/// What an attempt to receive found.
pub enum RecvNow<H> {
    /// A value (and maybe a sender to wake after unlocking).
    Value(u64, Option<H>),
    /// Closed and drained.
    Closed,
    /// Nothing yet: park or fail.
    Blocked,
}

/// The state the lock protects.
pub struct State<H> {
    /// Ring buffer of `buf_cap` slots (null until first needed).
    buf: *mut u64,
    buf_cap: usize,
    /// Index of the oldest buffered value.
    head: usize,
    count: usize,
    closed: bool,
    pub recvq: Queue<H>,
    pub sendq: Queue<H>,
}

/// A channel (see the module doc).
pub struct Chan<E: Env> {
    lock: RawLock,
    state: UnsafeCell<State<E::Handle>>,
    /// Capacity: 0 (rendezvous), n, or [`UNBOUNDED`].
    pub cap: usize,
    pub meta: E::Meta,
    /// Where the channel was created (null if unknown).
    pub loc: *const c_char,
    count: AtomicUsize,
    closed: AtomicBool,
    recv_waiting: AtomicUsize,
    send_waiting: AtomicUsize,
}

// SAFETY: all shared state is behind `lock` or atomic; raw pointers in
// it (buffer, queued waiters) follow the lock's discipline.
unsafe impl<E: Env> Sync for Chan<E> {}
// SAFETY: as above.
unsafe impl<E: Env> Send for Chan<E> {}

/// `close` of a channel that was already closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlreadyClosed;

/// Which queue a plain operation's waiter is in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Recv,
    Send,
}

impl<E: Env> Chan<E> {
    pub fn new(cap: usize, meta: E::Meta, loc: *const c_char) -> Chan<E> {
        Chan {
            lock: RawLock::new(),
            state: UnsafeCell::new(State {
                buf: std::ptr::null_mut(),
                buf_cap: 0,
                head: 0,
                count: 0,
                closed: false,
                recvq: Queue::default(),
                sendq: Queue::default(),
            }),
            cap,
            meta,
            loc,
            count: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            recv_waiting: AtomicUsize::new(0),
            send_waiting: AtomicUsize::new(0),
        }
    }

    // ----------------------------------------------------------- locking

    /// Takes the lock (`select` locks several channels in address order).
    pub fn lock(&self) {
        self.lock.lock();
    }

    /// Releases the lock, refreshing the queue-length mirrors.
    pub fn unlock(&self) {
        self.state_with(|st| {
            self.recv_waiting.store(st.recvq.len(), Ordering::Relaxed);
            self.send_waiting.store(st.sendq.len(), Ordering::Relaxed);
        });
        self.lock.unlock();
    }

    /// Runs `f` on the state. The caller holds the lock.
    pub fn state_with<R>(&self, f: impl FnOnce(&mut State<E::Handle>) -> R) -> R {
        // SAFETY: the caller holds the lock, which makes this the only
        // access to the state.
        self.state.with_mut(|p| f(unsafe { &mut *p }))
    }

    // ----------------------------------------------- steps under the lock

    /// Completes a send of `v` if possible. The caller holds the lock.
    pub fn send_now(&self, v: u64) -> SendNow<E::Handle> {
        self.state_with(|st| {
            if st.closed {
                return SendNow::Closed;
            }
            while let Some(r) = st.recvq.pop_front() {
                if r.claim() {
                    return SendNow::Done(Some(r.complete(DONE, Some(v))));
                }
            }
            if st.count < self.cap {
                if st.count == st.buf_cap {
                    if let Err(n) = self.grow(st) {
                        return SendNow::NoMemory(n);
                    }
                }
                self.push(st, v);
                return SendNow::Done(None);
            }
            SendNow::Blocked
        })
    }

    /// Completes a receive if possible. The caller holds the lock.
    pub fn recv_now(&self) -> RecvNow<E::Handle> {
        self.state_with(|st| {
            while let Some(s) = st.sendq.pop_front() {
                if !s.claim() {
                    continue;
                }
                // Rendezvous: the sender's value. Full buffer: the oldest
                // value, and the sender's goes to the tail.
                let v = if st.count == 0 {
                    s.slot()
                } else {
                    let v = self.pop(st);
                    self.push(st, s.slot());
                    v
                };
                return RecvNow::Value(v, Some(s.complete(DONE, None)));
            }
            if st.count > 0 {
                return RecvNow::Value(self.pop(st), None);
            }
            if st.closed {
                return RecvNow::Closed;
            }
            RecvNow::Blocked
        })
    }

    /// Appends `v` to the ring, which has room (`send_now` grows it
    /// first; a receive that moves a parked sender's value in has just
    /// taken one out).
    fn push(&self, st: &mut State<E::Handle>, v: u64) {
        debug_assert!(st.count < st.buf_cap, "channel ring full");
        let i = (st.head + st.count) % st.buf_cap;
        // SAFETY: `i < buf_cap`, the buffer's length.
        unsafe { *st.buf.add(i) = v };
        st.count += 1;
        self.count.store(st.count, Ordering::Relaxed);
    }

    fn pop(&self, st: &mut State<E::Handle>) -> u64 {
        // SAFETY: `count > 0`, so the buffer exists and `head < buf_cap`.
        let v = unsafe { *st.buf.add(st.head) };
        st.head = (st.head + 1) % st.buf_cap;
        st.count -= 1;
        self.count.store(st.count, Ordering::Relaxed);
        v
    }

    /// Doubles the ring (up to the capacity), keeping the order; or,
    /// if memory does not allow the new size, leaves it and gives that.
    fn grow(&self, st: &mut State<E::Handle>) -> Result<(), usize> {
        let want = (st.buf_cap.saturating_mul(2))
            .max(MIN_BUFFER)
            .min(self.cap)
            .max(st.count + 1);
        let buf = E::alloc_slots(self.meta, want);
        if buf.is_null() {
            return Err(want);
        }
        for k in 0..st.count {
            // SAFETY: both indexes are inside their buffers.
            unsafe { *buf.add(k) = *st.buf.add((st.head + k) % st.buf_cap) };
        }
        st.buf = buf;
        st.buf_cap = want;
        st.head = 0;
        Ok(())
    }

    // -------------------------------------------------- plain operations

    /// `send(value =)`: parks until `v` is buffered or received; false if
    /// the channel is (or gets) closed first.
    pub fn send(&self, v: u64) -> bool {
        self.lock();
        match self.send_now(v) {
            SendNow::Done(h) => {
                self.unlock();
                if let Some(h) = h {
                    E::wake(h);
                }
                true
            }
            SendNow::Closed => {
                self.unlock();
                false
            }
            SendNow::NoMemory(n) => {
                self.unlock();
                E::out_of_memory(n)
            }
            SendNow::Blocked => {
                let me = E::current();
                let w = Waiter::new(me, std::ptr::null(), 0, v);
                E::prepare_park(me);
                self.state_with(|st| st.sendq.push_back(&w));
                self.unlock();
                self.wait(&w, Side::Send, None) == DONE
            }
        }
    }

    /// `try_send(value =)`: never parks.
    pub fn try_send(&self, v: u64) -> bool {
        if self.looks_full() {
            return false;
        }
        self.lock();
        match self.send_now(v) {
            SendNow::Done(h) => {
                self.unlock();
                if let Some(h) = h {
                    E::wake(h);
                }
                true
            }
            SendNow::Closed | SendNow::Blocked => {
                self.unlock();
                false
            }
            SendNow::NoMemory(n) => {
                self.unlock();
                E::out_of_memory(n)
            }
        }
    }

    /// `recv()` (`deadline` None) or `recv_timeout` (a monotonic
    /// deadline): the value, or None once closed and drained (or at the
    /// deadline).
    pub fn recv(&self, deadline: Option<u64>) -> Option<u64> {
        self.lock();
        match self.recv_now() {
            RecvNow::Value(v, h) => {
                self.unlock();
                if let Some(h) = h {
                    E::wake(h);
                }
                Some(v)
            }
            RecvNow::Closed => {
                self.unlock();
                None
            }
            RecvNow::Blocked if deadline.is_some_and(|d| E::now() >= d) => {
                self.unlock();
                None
            }
            RecvNow::Blocked => {
                let me = E::current();
                let w = Waiter::new(me, std::ptr::null(), 0, 0);
                E::prepare_park(me);
                self.state_with(|st| st.recvq.push_back(&w));
                self.unlock();
                if let Some(d) = deadline {
                    E::arm_timer(d, me);
                }
                match self.wait(&w, Side::Recv, deadline) {
                    DONE => Some(w.slot()),
                    _ => None,
                }
            }
        }
    }

    /// `try_recv()`: never parks.
    pub fn try_recv(&self) -> Option<u64> {
        if self.looks_empty() {
            return None;
        }
        self.lock();
        match self.recv_now() {
            RecvNow::Value(v, h) => {
                self.unlock();
                if let Some(h) = h {
                    E::wake(h);
                }
                Some(v)
            }
            RecvNow::Closed | RecvNow::Blocked => {
                self.unlock();
                None
            }
        }
    }

    /// Parks until `w` (queued on `side`) completes: its final status, or
    /// [`TIMED_OUT`] at `deadline`. A cancelled caller leaves the queue
    /// and ends, unless the operation completed first (then it returns,
    /// and the cancellation takes effect at its next cancellation point).
    fn wait(&self, w: &Waiter<E::Handle>, side: Side, deadline: Option<u64>) -> u8 {
        let me = w.handle;
        let why = Why {
            what: match side {
                Side::Recv => "receiving from channel made at",
                Side::Send => "sending to channel made at",
            },
            loc: self.loc,
        };
        loop {
            E::park(me, why);
            let s = w.status();
            if s != WAITING {
                return s;
            }
            let cancelled = E::cancelled(me);
            let timed_out = deadline.is_some_and(|d| E::now() >= d);
            self.lock();
            // Completions happen under the lock: this read is final.
            let s = w.status();
            if s != WAITING {
                self.unlock();
                return s;
            }
            if cancelled || timed_out {
                self.state_with(|st| match side {
                    Side::Recv => st.recvq.remove(w),
                    Side::Send => st.sendq.remove(w),
                });
                self.unlock();
                if cancelled {
                    E::exit_cancelled(me);
                }
                return TIMED_OUT;
            }
            // A spurious wake-up. Prepare under the lock: a completion
            // takes it, so its wake-up comes after and is not lost.
            E::prepare_park(me);
            self.unlock();
        }
    }

    /// `close()`: wakes every waiter (receivers get nothing, senders'
    /// values are not delivered). Err if it was already closed.
    pub fn close(&self) -> Result<(), AlreadyClosed> {
        self.lock();
        let woken = self.state_with(|st| {
            if st.closed {
                return None;
            }
            st.closed = true;
            self.closed.store(true, Ordering::Release);
            let mut woken = Vec::new();
            while let Some(r) = st.recvq.pop_front() {
                if r.claim() {
                    woken.push(r.complete(CLOSED, Some(0)));
                }
            }
            while let Some(s) = st.sendq.pop_front() {
                if s.claim() {
                    woken.push(s.complete(CLOSED, None));
                }
            }
            Some(woken)
        });
        self.unlock();
        let woken = woken.ok_or(AlreadyClosed)?;
        for h in woken {
            E::wake(h);
        }
        Ok(())
    }

    /// The ring buffer's first slot (null before the first buffered
    /// value), read without the lock: for the collector, which runs only
    /// while no task can hold the lock.
    pub fn buffer_for_collector(&self) -> *mut u64 {
        // SAFETY: nobody changes the state while the collector runs.
        self.state.with(|p| unsafe { (*p).buf })
    }

    // ---------------------------------------------------- lock-free reads

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Buffered values (a snapshot).
    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A receive might complete now: a value is buffered, a sender
    /// waits, or the channel is closed (racy; for `select`'s fast poll,
    /// which only skips the arms for which this is false).
    pub fn may_recv(&self) -> bool {
        !self.looks_empty() || self.is_closed()
    }

    /// A send might complete now: there is room or a waiting receiver,
    /// or the channel is closed (racy, as [`Chan::may_recv`]).
    pub fn may_send(&self) -> bool {
        !self.looks_full() || self.is_closed()
    }

    /// A receive cannot succeed now (see "Fast paths").
    fn looks_empty(&self) -> bool {
        self.count.load(Ordering::Relaxed) == 0 && self.send_waiting.load(Ordering::Relaxed) == 0
    }

    /// A send cannot succeed now (see "Fast paths").
    fn looks_full(&self) -> bool {
        if self.cap == 0 {
            self.recv_waiting.load(Ordering::Relaxed) == 0
        } else {
            self.cap != UNBOUNDED && self.count.load(Ordering::Relaxed) >= self.cap
        }
    }
}
