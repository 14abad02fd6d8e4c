//! Loom models of the mutex, rwlock and semaphore protocols: the
//! production `src/sync/{wait,mutex,rwlock,semaphore}.rs` (with the
//! channel modules they build on),
//! included as modules of this test at their runtime paths, driven by
//! loom threads through a small `Env` (park = `loom::thread::park`).
//! Loom explores the interleavings: a lost wake-up or a stranded queue
//! shows up as its deadlock error (a thread parked for ever), two
//! holders at once (or a reader beside a writer) as a data race on the
//! cell the lock protects.
//!
//! Run with:
//!
//! ```text
//! cd runtime && RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=../target/loom \
//!     cargo test --test loom_sync --release
//! ```
//!
//! Each model runs with at most 2 preemptions (`LOOM_MAX_PREEMPTIONS`
//! raises it), as the other models do.
#![cfg(loom)]

#[path = "../src/loom.rs"]
#[allow(dead_code, unused_imports)]
mod loom;

/// The modules at their runtime paths, so that their `crate::` and
/// `super::` paths resolve as in the runtime.
#[path = "../src/chan"]
#[allow(dead_code)]
mod chan {
    #[path = "core.rs"]
    pub mod core;
    #[path = "lock.rs"]
    pub mod lock;
    #[path = "waitq.rs"]
    pub mod waitq;
}

#[path = "../src/sync"]
#[allow(dead_code)]
mod sync {
    #[path = "mutex.rs"]
    pub mod mutex;
    #[path = "rwlock.rs"]
    pub mod rwlock;
    #[path = "semaphore.rs"]
    pub mod semaphore;
    #[path = "wait.rs"]
    pub mod wait;
}

use crate::chan::core::{Env, Why};
use crate::sync::mutex::{Mutex, Unlocked, STARVE_NANOS};
use crate::sync::rwlock::RwLock;
use crate::sync::semaphore::Semaphore;
use crate::sync::wait::SyncEnv;
use ::loom::cell::UnsafeCell;
use ::loom::sync::atomic::{fence, AtomicBool, AtomicPtr, AtomicU8, Ordering};
use ::loom::sync::Arc;
use ::loom::thread;

/// Loom threads parked with the scheduler's protocol (`sched`'s
/// `PARKING → PARKED`, `wake`: `PARKING → NOTIFIED` or `PARKED →
/// RUNNING` + unpark), so that a wake-up never unparks a thread that is
/// not parked (loom's `unpark` would also release a thread blocked on a
/// lock). `STARVE`: every waiter has waited long enough to be handed the
/// mutex (the clock jumps 1 ms per reading); otherwise the clock stands
/// still and unlocks wake waiters to compete.
struct Threads<const STARVE: bool>;

struct Party {
    thread: thread::Thread,
    state: AtomicU8,
}

const RUNNING: u8 = 0;
const PARKING: u8 = 1;
const PARKED: u8 = 2;
const NOTIFIED: u8 = 3;

#[derive(Clone, Copy)]
struct Handle(&'static Party);

/// The name of the thread a model cancels.
const VICTIM: &str = "victim";

::loom::lazy_static! {
    /// Set (then the victim woken) to cancel the victim.
    static ref CANCEL: AtomicBool = AtomicBool::new(false);
    /// The victim's one party (so that the canceller can wake it).
    static ref VICTIM_PARTY: AtomicPtr<Party> = AtomicPtr::new(std::ptr::null_mut());
}

static CLOCK: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn new_party() -> &'static Party {
    Box::leak(Box::new(Party {
        thread: thread::current(),
        state: AtomicU8::new(RUNNING),
    }))
}

fn wake_party(p: &Party) {
    let mut s = p.state.load(Ordering::SeqCst);
    loop {
        let (to, unpark) = match s {
            PARKING => (NOTIFIED, false),
            PARKED => (RUNNING, true),
            _ => return,
        };
        match p
            .state
            .compare_exchange(s, to, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => {
                if unpark {
                    p.thread.unpark();
                }
                return;
            }
            Err(now) => s = now,
        }
    }
}

/// Cancels the victim as `sched::cancel` does: the flag, a `SeqCst`
/// fence, then a wake-up if it has a party (loom models the fences'
/// ordering, not that of `SeqCst` accesses alone).
fn cancel_victim() {
    CANCEL.store(true, Ordering::SeqCst);
    fence(Ordering::SeqCst);
    let p = VICTIM_PARTY.load(Ordering::SeqCst);
    if !p.is_null() {
        // SAFETY: parties are leaked, never freed.
        wake_party(unsafe { &*p });
    }
}

impl<const STARVE: bool> Env for Threads<STARVE> {
    type Handle = Handle;
    type Meta = ();
    fn current() -> Handle {
        if thread::current().name() != Some(VICTIM) {
            return Handle(new_party());
        }
        let p = VICTIM_PARTY.load(Ordering::SeqCst);
        if !p.is_null() {
            // SAFETY: parties are leaked, never freed.
            return Handle(unsafe { &*p });
        }
        let p = new_party();
        VICTIM_PARTY.store(p as *const Party as *mut Party, Ordering::SeqCst);
        Handle(p)
    }
    fn prepare_park(h: Handle) {
        h.0.state.store(PARKING, Ordering::SeqCst);
    }
    fn cancel_park(h: Handle) {
        h.0.state.store(RUNNING, Ordering::SeqCst);
    }
    fn park(h: Handle, _: Why) {
        if h.0
            .state
            .compare_exchange(PARKING, PARKED, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            // Woken while parking.
            h.0.state.store(RUNNING, Ordering::SeqCst);
            return;
        }
        while h.0.state.load(Ordering::SeqCst) == PARKED {
            thread::park();
        }
    }
    fn wake(h: Handle) {
        wake_party(h.0);
    }
    fn cancelled(h: Handle) -> bool {
        h.0.thread.name() == Some(VICTIM) && CANCEL.load(Ordering::SeqCst)
    }
    fn exit_cancelled(_: Handle) -> ! {
        unreachable!("the sync protocols return `Cancelled` instead")
    }
    fn now() -> u64 {
        if STARVE {
            CLOCK.fetch_add(STARVE_NANOS, std::sync::atomic::Ordering::Relaxed)
        } else {
            1
        }
    }
    fn arm_timer(_: u64, _: Handle) {}
    fn alloc_slots(_: (), n: usize) -> *mut u64 {
        Box::leak(vec![0u64; n].into_boxed_slice()).as_mut_ptr()
    }
    fn out_of_memory(n: usize) -> ! {
        panic!("a model's channel buffer of {n} slots was refused")
    }
    fn below(_: usize) -> usize {
        0
    }
}

impl<const STARVE: bool> SyncEnv for Threads<STARVE> {}

fn model<F: Fn() + Sync + Send + 'static>(f: F) {
    let mut b = ::loom::model::Builder::new();
    if b.preemption_bound.is_none() {
        b.preemption_bound = Some(2);
    }
    b.check(f);
}

/// A mutex and the counter it protects (plain cell: loom reports two
/// holders touching it at once).
struct Shared<const S: bool> {
    m: Mutex<Threads<S>>,
    n: UnsafeCell<u64>,
}

// SAFETY: `n` is only touched under `m` (which is what the models check).
unsafe impl<const S: bool> Sync for Shared<S> {}
// SAFETY: as above.
unsafe impl<const S: bool> Send for Shared<S> {}

impl<const S: bool> Shared<S> {
    fn new() -> Arc<Shared<S>> {
        Arc::new(Shared {
            m: Mutex::new(std::ptr::null()),
            n: UnsafeCell::new(0),
        })
    }

    /// Locks (unless cancelled), counts, unlocks; whether it counted.
    fn count(&self) -> bool {
        if self.m.lock(false).is_err() {
            return false;
        }
        // SAFETY: under the mutex.
        self.n.with_mut(|p| unsafe { *p += 1 });
        let _: Unlocked = self.m.unlock();
        true
    }

    fn total(&self) -> u64 {
        // SAFETY: every other thread has been joined.
        self.n.with(|p| unsafe { *p })
    }
}

fn lockers<const S: bool>() {
    model(|| {
        let s = Shared::<S>::new();
        let (a, b) = (s.clone(), s.clone());
        let ta = thread::spawn(move || assert!(a.count()));
        let tb = thread::spawn(move || assert!(b.count()));
        assert!(s.count());
        ta.join().unwrap();
        tb.join().unwrap();
        assert_eq!(s.total(), 3);
        assert_eq!(s.m.bits(), 0);
        assert_eq!(s.m.waiting(), 0);
    });
}

/// Three lockers, unlocks waking waiters to compete (barging, the woken
/// bit, requeueing at the head): mutual exclusion, nobody left parked,
/// the state clean at the end.
#[test]
fn lockers_exclude_each_other_and_all_get_through() {
    lockers::<false>();
}

/// The same when every unlock hands the mutex to a starving waiter.
#[test]
fn starving_waiters_are_handed_the_mutex() {
    lockers::<true>();
}

fn cancelled_waiter<const S: bool>() {
    model(|| {
        let s = Shared::<S>::new();
        assert!(s.m.lock(false).is_ok());
        let (v, o) = (s.clone(), s.clone());
        let victim = thread::Builder::new()
            .name(VICTIM.to_owned())
            .spawn(move || v.count())
            .unwrap();
        let other = thread::spawn(move || assert!(o.count()));
        cancel_victim();
        // SAFETY: we hold the mutex.
        s.n.with_mut(|p| unsafe { *p += 1 });
        s.m.unlock();
        let counted = victim.join().unwrap();
        other.join().unwrap();
        assert_eq!(s.total(), 2 + counted as u64);
        assert_eq!(s.m.bits(), 0);
        assert_eq!(s.m.waiting(), 0);
    });
}

/// A waiter cancelled while queued, or while woken to compete, leaves
/// without the mutex (or took it before it saw the cancellation) and
/// strands nobody: the other locker gets through.
#[test]
fn a_cancelled_waiter_strands_nobody() {
    cancelled_waiter::<false>();
}

/// The same with hand-offs.
#[test]
fn a_cancelled_waiter_strands_nobody_with_hand_offs() {
    cancelled_waiter::<true>();
}

// --- RwLock --------------------------------------------------------------

struct Rw {
    l: RwLock<Threads<false>>,
    v: UnsafeCell<u64>,
}

// SAFETY: `v` is written under the write lock, read under a read lock.
unsafe impl Sync for Rw {}
// SAFETY: as above.
unsafe impl Send for Rw {}

impl Rw {
    fn new() -> Arc<Rw> {
        Arc::new(Rw {
            l: RwLock::new(std::ptr::null()),
            v: UnsafeCell::new(0),
        })
    }

    fn write(&self) -> bool {
        if self.l.write_lock().is_err() {
            return false;
        }
        // SAFETY: under the write lock.
        self.v.with_mut(|p| unsafe { *p += 1 });
        self.l.write_unlock();
        true
    }

    fn read(&self) -> Option<u64> {
        self.l.read_lock().ok()?;
        // SAFETY: under a read lock.
        let v = self.v.with(|p| unsafe { *p });
        self.l.read_unlock();
        Some(v)
    }
}

/// Two writers and a reader: writers exclude everybody, everyone gets
/// through, the state is clean at the end.
#[test]
fn rwlock_writers_exclude_readers_and_writers() {
    model(|| {
        let rw = Rw::new();
        let (a, b) = (rw.clone(), rw.clone());
        let w = thread::spawn(move || assert!(a.write()));
        let r = thread::spawn(move || b.read().unwrap());
        assert!(rw.write());
        w.join().unwrap();
        assert!(r.join().unwrap() <= 2);
        assert_eq!(rw.read(), Some(2));
        assert_eq!(
            (rw.l.readers(), rw.l.has_writer(), rw.l.waiting()),
            (0, false, 0)
        );
    });
}

/// A writer queued behind a reader and cancelled lets the reader queued
/// behind it in while the first reader still reads (without that, the
/// model deadlocks: we wait for the reader before we stop reading).
#[test]
fn rwlock_cancelled_writer_lets_the_readers_behind_it_in() {
    model(|| {
        let rw = Rw::new();
        assert!(rw.l.read_lock().is_ok());
        let (v, r) = (rw.clone(), rw.clone());
        let victim = thread::Builder::new()
            .name(VICTIM.to_owned())
            .spawn(move || v.write())
            .unwrap();
        let reader = thread::spawn(move || r.read().unwrap());
        cancel_victim();
        // The reader gets in while we still read, whatever the writer did.
        assert_eq!(reader.join().unwrap(), 0);
        rw.l.read_unlock();
        // It was cancelled, or got the lock before it saw that (after
        // our unlock): then it wrote once.
        let wrote = victim.join().unwrap();
        assert_eq!(rw.read(), Some(wrote as u64));
        assert_eq!(
            (rw.l.readers(), rw.l.has_writer(), rw.l.waiting()),
            (0, false, 0)
        );
    });
}

// --- Semaphore -----------------------------------------------------------

struct Sem {
    s: Semaphore<Threads<false>>,
    v: UnsafeCell<u64>,
}

// SAFETY: with one permit, `v` is only touched by its holder.
unsafe impl Sync for Sem {}
// SAFETY: as above.
unsafe impl Send for Sem {}

impl Sem {
    fn new() -> Arc<Sem> {
        Arc::new(Sem {
            s: Semaphore::new(1, std::ptr::null()),
            v: UnsafeCell::new(0),
        })
    }

    fn count(&self) -> bool {
        if self.s.acquire().is_err() {
            return false;
        }
        // SAFETY: the one permit is ours.
        self.v.with_mut(|p| unsafe { *p += 1 });
        self.s.release().unwrap();
        true
    }
}

/// One permit, three tasks: never two at once, all get through, the
/// permit is back at the end.
#[test]
fn semaphore_never_admits_two_with_one_permit() {
    model(|| {
        let s = Sem::new();
        let (a, b) = (s.clone(), s.clone());
        let ta = thread::spawn(move || assert!(a.count()));
        let tb = thread::spawn(move || assert!(b.count()));
        assert!(s.count());
        ta.join().unwrap();
        tb.join().unwrap();
        // SAFETY: every other thread has been joined.
        assert_eq!(s.v.with(|p| unsafe { *p }), 3);
        assert_eq!((s.s.available(), s.s.waiting()), (1, 0));
    });
}

/// A cancelled waiter takes no permit and strands nobody.
#[test]
fn semaphore_cancelled_waiter_strands_nobody() {
    model(|| {
        let s = Sem::new();
        assert!(s.s.acquire().is_ok());
        let (v, o) = (s.clone(), s.clone());
        let victim = thread::Builder::new()
            .name(VICTIM.to_owned())
            .spawn(move || v.count())
            .unwrap();
        let other = thread::spawn(move || assert!(o.count()));
        cancel_victim();
        s.s.release().unwrap();
        let counted = victim.join().unwrap();
        other.join().unwrap();
        // SAFETY: every other thread has been joined.
        assert_eq!(s.v.with(|p| unsafe { *p }), 1 + counted as u64);
        assert_eq!((s.s.available(), s.s.waiting()), (1, 0));
    });
}
