//! The readiness poller: one epoll instance for every socket, as Go's
//! netpoll (`netpoll.go`, `netpoll_epoll.go`).
//!
//! # Design
//!
//! Each socket owns a [`PollDesc`], registered once with
//! `EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET` (edge-triggered: the kernel
//! reports a change of readiness once, so a side is ready until a system
//! call says `EAGAIN`). A side (read, write) is one atomic word:
//!
//! - `0`: nothing known, nobody waiting;
//! - [`READY`]: readiness reported and not consumed yet;
//! - a fiber pointer: that task is parked waiting for readiness.
//!
//! A task whose system call said `EAGAIN` calls [`wait`]: it consumes a
//! `READY` (and retries the call), or publishes itself and parks. The
//! poller swaps `READY` in and wakes the fiber it replaced. Any side may
//! see a spurious `READY` (a stale event for a recycled descriptor): the
//! retried call just says `EAGAIN` again.
//!
//! Who polls: a worker whose own queues are empty polls without blocking
//! before it steals ([`poll`] with timeout 0, from `find_task`); an idle
//! worker blocks in `epoll_wait` instead of its condvar while tasks wait
//! on I/O (at most until the next timer), and [`poke`] (an eventfd write)
//! interrupts it when work arrives; the monitor polls when nobody has for
//! a time slice, so busy workers cannot starve I/O. Seeded mode polls at
//! each scheduling decision and blocks only when nothing else can run.
//!
//! # Invariants
//!
//! - `PollDesc`s are never freed: a closed socket's goes back to a free
//!   list and is reused, so an event already fetched for it only causes a
//!   spurious `READY` (epoll's data word is the descriptor's address).
//! - A side holds at most one waiting fiber: a second task waiting on the
//!   same side of the same socket gets an error, not a lost wake-up.
//! - Closing sets `closing` (SeqCst) and then empties both sides, waking
//!   their waiters; a waiter publishes itself (SeqCst) and then reads
//!   `closing`: one of the two sees the other (Dekker), so no task stays
//!   parked on a closed socket.
//! - [`waiters`] counts tasks parked here. Deadlock detection treats a
//!   positive count as "something can still wake a task" (the poller).

use std::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::sched;
use crate::sched::task::{Fiber, FiberRef, Reason};

/// A side's state: readiness reported, not consumed.
const READY: usize = 1;

/// The poll state of one socket (see the module notes).
pub struct PollDesc {
    read: AtomicUsize,
    write: AtomicUsize,
    closing: AtomicBool,
}

/// Which side of a socket a task waits for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    Read,
    Write,
}

/// Why [`wait`] returned without readiness.
#[derive(Debug)]
pub enum WaitError {
    /// The socket was closed while (or before) the task waited.
    Closed,
    /// Another task already waits on this side of the socket.
    Busy,
    /// The task was asked to stop: the caller drops what it holds and
    /// calls `sched::check_cancel`.
    Cancelled,
}

struct Poller {
    epfd: i32,
    eventfd: i32,
}

static POLLER: OnceLock<Poller> = OnceLock::new();
static FREE: Mutex<Vec<&'static PollDesc>> = Mutex::new(Vec::new());
static WAITERS: AtomicUsize = AtomicUsize::new(0);
/// When a worker last polled (scheduler clock, ns), for the monitor.
static LAST_POLL: AtomicU64 = AtomicU64::new(0);

/// Tasks parked waiting for readiness.
pub fn waiters() -> usize {
    WAITERS.load(Ordering::SeqCst)
}

/// Whether the poller exists (some socket was made).
pub fn active() -> bool {
    POLLER.get().is_some()
}

fn poller() -> &'static Poller {
    POLLER.get_or_init(|| {
        // SAFETY: plain system calls; results checked.
        let epfd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if epfd < 0 {
            crate::rt_fatal!("epoll_create1: {}", std::io::Error::last_os_error());
        }
        // SAFETY: as above.
        let eventfd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if eventfd < 0 {
            crate::rt_fatal!("eventfd: {}", std::io::Error::last_os_error());
        }
        let mut ev = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: 0,
        };
        // SAFETY: both descriptors are ours and `ev` is valid.
        if unsafe { libc::epoll_ctl(epfd, libc::EPOLL_CTL_ADD, eventfd, &mut ev) } < 0 {
            crate::rt_fatal!("epoll_ctl(eventfd): {}", std::io::Error::last_os_error());
        }
        Poller { epfd, eventfd }
    })
}

/// A fresh (or recycled) descriptor with both sides empty.
fn alloc_desc() -> &'static PollDesc {
    let recycled = FREE.lock().unwrap_or_else(|e| e.into_inner()).pop();
    match recycled {
        Some(pd) => {
            pd.read.store(0, Ordering::SeqCst);
            pd.write.store(0, Ordering::SeqCst);
            pd.closing.store(false, Ordering::SeqCst);
            pd
        }
        None => Box::leak(Box::new(PollDesc {
            read: AtomicUsize::new(0),
            write: AtomicUsize::new(0),
            closing: AtomicBool::new(false),
        })),
    }
}

/// Registers non-blocking socket `fd` with the poller.
pub fn register(fd: i32) -> std::io::Result<&'static PollDesc> {
    let p = poller();
    let pd = alloc_desc();
    let mut ev = libc::epoll_event {
        events: (libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLET) as u32,
        u64: pd as *const PollDesc as u64,
    };
    // SAFETY: `fd` is an open socket of the caller's, `ev` is valid.
    if unsafe { libc::epoll_ctl(p.epfd, libc::EPOLL_CTL_ADD, fd, &mut ev) } < 0 {
        let e = std::io::Error::last_os_error();
        FREE.lock().unwrap_or_else(|e| e.into_inner()).push(pd);
        return Err(e);
    }
    Ok(pd)
}

/// Marks `pd` closing and wakes whoever waits on it (before the socket's
/// descriptor is closed).
pub fn close(pd: &'static PollDesc) {
    pd.closing.store(true, Ordering::SeqCst);
    for side in [&pd.read, &pd.write] {
        let old = side.swap(0, Ordering::SeqCst);
        if old > READY {
            sched::wake(FiberRef(old as *const Fiber));
        }
    }
}

/// Returns a closed socket's descriptor to the free list (after its fd
/// was closed, which removed it from the epoll set).
pub fn release(pd: &'static PollDesc) {
    FREE.lock().unwrap_or_else(|e| e.into_inner()).push(pd);
}

/// Waits until `side` of `pd` may be ready (the caller then retries its
/// system call). Parks the calling task; `what` is its park reason.
pub fn wait(pd: &'static PollDesc, side: Side, what: &'static str) -> Result<(), WaitError> {
    let slot = match side {
        Side::Read => &pd.read,
        Side::Write => &pd.write,
    };
    let me = sched::me();
    let mine = me.0 as usize;
    loop {
        if pd.closing.load(Ordering::SeqCst) {
            let _ = slot.compare_exchange(mine, 0, Ordering::SeqCst, Ordering::SeqCst);
            return Err(WaitError::Closed);
        }
        if sched::cancel_requested(me) {
            let _ = slot.compare_exchange(mine, 0, Ordering::SeqCst, Ordering::SeqCst);
            return Err(WaitError::Cancelled);
        }
        let cur = slot.load(Ordering::SeqCst);
        if cur == READY {
            if slot
                .compare_exchange(READY, 0, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return Ok(());
            }
            continue;
        }
        if cur != 0 && cur != mine {
            return Err(WaitError::Busy);
        }
        // Parking before publishing: a poller that swaps `READY` in after
        // this sees `PARKING` and its wake-up is not lost.
        sched::prepare_park(me);
        let published = if cur == 0 {
            slot.compare_exchange(0, mine, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        } else {
            // Woken spuriously earlier: still published?
            slot.load(Ordering::SeqCst) == mine
        };
        if !published {
            sched::cancel_park(me);
            continue;
        }
        // Published (Dekker with `close`): look at `closing` again.
        fence(Ordering::SeqCst);
        if pd.closing.load(Ordering::SeqCst) {
            sched::cancel_park(me);
            continue;
        }
        WAITERS.fetch_add(1, Ordering::SeqCst);
        sched::park_cancellable(
            me,
            Reason {
                what,
                task: None,
                at: std::ptr::null(),
            },
        );
        WAITERS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Interrupts a worker blocked in [`poll`] (from any thread).
pub fn poke() {
    if let Some(p) = POLLER.get() {
        let one: u64 = 1;
        // SAFETY: writing 8 bytes from a valid u64 to our eventfd; a full
        // counter (EAGAIN) already means "poked".
        unsafe { libc::write(p.eventfd, &one as *const u64 as *const libc::c_void, 8) };
    }
}

/// Events fetched per `epoll_wait`.
const BATCH: usize = 128;

/// Polls for readiness, waiting at most `timeout_ms` (-1: until an
/// event or a [`poke`]); pushes each task made runnable onto `ready`
/// (the caller wakes them). Returns whether anything happened (an event
/// or a poke).
pub fn poll(timeout_ms: i32, ready: &mut Vec<FiberRef>) -> bool {
    let Some(p) = POLLER.get() else {
        return false;
    };
    LAST_POLL.store(sched::real_nanos(), Ordering::Relaxed);
    let mut events = [libc::epoll_event { events: 0, u64: 0 }; BATCH];
    // SAFETY: `events` has room for BATCH entries.
    let n = unsafe { libc::epoll_wait(p.epfd, events.as_mut_ptr(), BATCH as i32, timeout_ms) };
    if n <= 0 {
        return false;
    }
    for ev in &events[..n as usize] {
        let (bits, data) = (ev.events, ev.u64);
        if data == 0 {
            let mut count: u64 = 0;
            // SAFETY: reading 8 bytes into a valid u64 from our eventfd.
            unsafe { libc::read(p.eventfd, &mut count as *mut u64 as *mut libc::c_void, 8) };
            continue;
        }
        // SAFETY: data words are `PollDesc` addresses, never freed.
        let pd = unsafe { &*(data as *const PollDesc) };
        let err = (libc::EPOLLERR | libc::EPOLLHUP) as u32;
        if bits & ((libc::EPOLLIN | libc::EPOLLRDHUP) as u32 | err) != 0 {
            set_ready(&pd.read, ready);
        }
        if bits & (libc::EPOLLOUT as u32 | err) != 0 {
            set_ready(&pd.write, ready);
        }
    }
    true
}

fn set_ready(side: &AtomicUsize, ready: &mut Vec<FiberRef>) {
    let old = side.swap(READY, Ordering::SeqCst);
    if old > READY {
        ready.push(FiberRef(old as *const Fiber));
    }
}

/// Whether nobody polled for `ns` nanoseconds while tasks wait on I/O
/// (the monitor's cue).
pub fn overdue(ns: u64) -> bool {
    waiters() > 0 && sched::real_nanos().saturating_sub(LAST_POLL.load(Ordering::Relaxed)) > ns
}
