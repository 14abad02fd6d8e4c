//! Entry points for compiled code: `Mutex`, `RwLock`, `Condition`,
//! `WaitGroup`, `Semaphore` and `Once` on green tasks. Known to compiler
//! (`docs/runtime-abi.md`, "Synchronisation library").
//!
//! Each object is a Plat heap object: the header (a runtime static shape
//! of kind Sync, `super::shapes`) followed by the protocol state of its
//! primitive, instantiated with the scheduler's [`Tasks`].
//!
//! Contract of every entry point: object arguments were made by the
//! matching `plat_*_new`, `ctx` is the running task's context, `loc` is
//! null or a static `"file:line:col"`.
//!
//! Bad use is a Plat panic raised here, before any lock is taken.
#![allow(clippy::missing_safety_doc)]

use std::ffi::{c_char, CStr};
use std::sync::atomic::{AtomicU8, Ordering};

use super::cond::Cond;
use super::held::{self, Kind};
use super::mutex::{Mutex, Unlocked};
use super::once::{Begin, Once};
use super::rwlock::RwLock;
use super::semaphore::Semaphore;
use super::shapes;
use super::wait::SyncEnv;
use super::waitgroup::{AddError, WaitGroup};
use crate::chan::abi::Tasks;
use crate::chan::core::Env;
use crate::ctx::PlatCtx;
use crate::gc::heap;
use crate::gc::shape::PlatShape;
use crate::sched::task::{Fiber, FiberRef, CANCELLED};
use crate::sched::{self, seed};

#[repr(C)]
pub struct MutexObj {
    header: *const PlatShape,
    pub m: Mutex<Tasks>,
}

#[repr(C)]
pub struct RwLockObj {
    header: *const PlatShape,
    pub l: RwLock<Tasks>,
}

#[repr(C)]
pub struct CondObj {
    header: *const PlatShape,
    /// The condition's mutex (a Plat heap pointer).
    pub mutex: *mut MutexObj,
    pub c: Cond<Tasks>,
}

#[repr(C)]
pub struct WaitGroupObj {
    header: *const PlatShape,
    pub wg: WaitGroup<Tasks>,
}

#[repr(C)]
pub struct SemObj {
    header: *const PlatShape,
    pub s: Semaphore<Tasks>,
}

#[repr(C)]
pub struct OnceObj {
    header: *const PlatShape,
    pub o: Once<Tasks>,
}

impl SyncEnv for Tasks {
    fn wake_queued(h: FiberRef) {
        sched::wake_queued(h);
    }
}

// ------------------------------------------------------------- helpers

pub(super) fn task_of(ctx: *mut PlatCtx) -> FiberRef {
    // The context is the first field of its `#[repr(C)]` fiber.
    FiberRef(ctx as *const Fiber)
}

/// The id a holder is known by: its task handle (never reused, unlike
/// its fiber).
#[inline]
pub(super) fn id_of(me: FiberRef) -> usize {
    me.get().handle.load(Ordering::Relaxed) as usize
}

/// A cancellation point. Cancelling a task sets its `poll` (see
/// `sched::cancel`), so a task whose `poll` is clear has nothing to stop
/// for and skips the check.
#[inline]
pub(super) fn cancel_point(ctx: *mut PlatCtx) {
    // SAFETY: the running task's context (contract).
    if unsafe { (*ctx).poll.load(Ordering::Relaxed) } != 0 {
        sched::check_cancel(task_of(ctx));
    }
}

/// Ends the running task as cancelled (it holds no runtime lock).
pub(super) fn exit_cancelled(me: FiberRef) -> ! {
    sched::end_task(me, CANCELLED, None)
}

/// Whether a contended lock should spin before parking: only when other
/// workers may be running the holder (several workers, not seeded).
/// Computed once.
#[inline]
fn spin() -> bool {
    static SPIN: AtomicU8 = AtomicU8::new(0);
    match SPIN.load(Ordering::Relaxed) {
        1 => false,
        2 => true,
        _ => {
            let s = !seed::is_seeded() && sched::worker_count() > 1;
            SPIN.store(1 + s as u8, Ordering::Relaxed);
            s
        }
    }
}

/// Raises a Plat panic with `msg` at `loc`.
pub(super) fn panic_at(msg: &str, loc: *const c_char) -> ! {
    sched::raise(msg.as_bytes(), loc)
}

/// `msg` followed by ` (made at LOC)` when `made` is known: for misuse
/// detected by an entry point that has no location of its own.
pub(super) fn made_at(msg: &str, made: *const c_char) -> String {
    if made.is_null() {
        return msg.to_owned();
    }
    // SAFETY: a static NUL-terminated location (contract).
    let at = unsafe { CStr::from_ptr(made) };
    format!("{msg} (made at {})", at.to_string_lossy())
}

/// A fresh object of type `T` whose state `init` writes.
pub(super) fn alloc_obj<T>(shape: &'static PlatShape) -> *mut T {
    heap::alloc(std::mem::size_of::<T>(), shape) as *mut T
}

// --------------------------------------------------------------- Mutex

/// `Mutex.init()`.
#[no_mangle]
pub unsafe extern "C" fn plat_mutex_new(loc: *const c_char) -> *mut MutexObj {
    let obj: *mut MutexObj = alloc_obj(&shapes::MUTEX);
    // SAFETY: a fresh, zeroed, suitably sized and aligned object whose
    // header `alloc` set; the state is written in place.
    unsafe { std::ptr::addr_of_mut!((*obj).m).write(Mutex::new(loc)) };
    obj
}

/// `m.lock()`: parks until the mutex is the caller's. Locking a mutex
/// the task already holds panics (it would wait for ever).
#[no_mangle]
pub unsafe extern "C" fn plat_mutex_lock(ctx: *mut PlatCtx, m: *mut MutexObj) {
    cancel_point(ctx);
    let me = task_of(ctx);
    let id = id_of(me);
    // SAFETY: a mutex object (contract); objects never move.
    let mx = unsafe { &(*m).m };
    // The fast path first: reading `owner` before the CAS would cost a
    // second transfer of the mutex's cache line when it is contended.
    if !mx.lock_fast() {
        if mx.owner() == id {
            panic_at(
                &made_at("lock of a Mutex this task already holds", mx.loc),
                std::ptr::null(),
            );
        }
        if mx.lock_slow(spin()).is_err() {
            exit_cancelled(me);
        }
    }
    mx.set_owner(id);
    held::push(me, Kind::Mutex, m.cast());
}

/// `m.try_lock()`: 1 if the caller now holds the mutex; never parks.
#[no_mangle]
pub unsafe extern "C" fn plat_mutex_try_lock(ctx: *mut PlatCtx, m: *mut MutexObj) -> u8 {
    let me = task_of(ctx);
    // SAFETY: a mutex object (contract).
    let mx = unsafe { &(*m).m };
    if !mx.try_lock() {
        return 0;
    }
    mx.set_owner(id_of(me));
    held::push(me, Kind::Mutex, m.cast());
    1
}

/// `m.unlock()`: the caller must hold the mutex.
#[no_mangle]
pub unsafe extern "C" fn plat_mutex_unlock(
    ctx: *mut PlatCtx,
    m: *mut MutexObj,
    loc: *const c_char,
) {
    let me = task_of(ctx);
    // SAFETY: a mutex object (contract).
    let mx = unsafe { &(*m).m };
    if mx.owner() != id_of(me) {
        panic_at("unlock of a Mutex this task does not hold", loc);
    }
    held::remove(me, Kind::Mutex, m.cast());
    mx.set_owner(0);
    if mx.unlock() == Unlocked::HandedOff {
        // The waiter we handed it to holds it without running: let it
        // run now rather than when we next park.
        sched::yield_now(me);
    }
}

// -------------------------------------------------------------- RwLock

/// `RwLock.init()`.
#[no_mangle]
pub unsafe extern "C" fn plat_rwlock_new(loc: *const c_char) -> *mut RwLockObj {
    let obj: *mut RwLockObj = alloc_obj(&shapes::RWLOCK);
    // SAFETY: as in `plat_mutex_new`.
    unsafe { std::ptr::addr_of_mut!((*obj).l).write(RwLock::new(loc)) };
    obj
}

fn rwlock<'a>(l: *mut RwLockObj) -> &'a RwLock<Tasks> {
    // SAFETY: a rwlock object (contract); objects never move.
    unsafe { &(*l).l }
}

/// A task holding `l` in any way must not lock it again: with writers
/// served in arrival order that could wait for ever.
fn check_not_held(me: FiberRef, l: *mut RwLockObj, what: &str) {
    let how = if held::holds(me, Kind::Write, l.cast()) {
        "for writing"
    } else if held::holds(me, Kind::Read, l.cast()) {
        "for reading"
    } else {
        return;
    };
    panic_at(
        &made_at(
            &format!("{what} of a RwLock this task already holds {how}"),
            rwlock(l).loc,
        ),
        std::ptr::null(),
    );
}

/// `l.read_lock()`.
#[no_mangle]
pub unsafe extern "C" fn plat_rwlock_read_lock(ctx: *mut PlatCtx, l: *mut RwLockObj) {
    cancel_point(ctx);
    let me = task_of(ctx);
    check_not_held(me, l, "read_lock");
    if rwlock(l).read_lock().is_err() {
        exit_cancelled(me);
    }
    held::push(me, Kind::Read, l.cast());
}

/// `l.read_unlock()`: the caller must hold a read lock.
#[no_mangle]
pub unsafe extern "C" fn plat_rwlock_read_unlock(
    ctx: *mut PlatCtx,
    l: *mut RwLockObj,
    loc: *const c_char,
) {
    if !held::remove(task_of(ctx), Kind::Read, l.cast()) {
        panic_at(
            "read_unlock of a RwLock this task does not hold for reading",
            loc,
        );
    }
    rwlock(l).read_unlock();
}

/// `l.write_lock()`.
#[no_mangle]
pub unsafe extern "C" fn plat_rwlock_write_lock(ctx: *mut PlatCtx, l: *mut RwLockObj) {
    cancel_point(ctx);
    let me = task_of(ctx);
    check_not_held(me, l, "write_lock");
    if rwlock(l).write_lock().is_err() {
        exit_cancelled(me);
    }
    held::push(me, Kind::Write, l.cast());
}

/// `l.write_unlock()`: the caller must hold the write lock.
#[no_mangle]
pub unsafe extern "C" fn plat_rwlock_write_unlock(
    ctx: *mut PlatCtx,
    l: *mut RwLockObj,
    loc: *const c_char,
) {
    if !held::remove(task_of(ctx), Kind::Write, l.cast()) {
        panic_at(
            "write_unlock of a RwLock this task does not hold for writing",
            loc,
        );
    }
    rwlock(l).write_unlock();
}

// ----------------------------------------------------------- Condition

/// `Condition.init(mutex =)`.
#[no_mangle]
pub unsafe extern "C" fn plat_cond_new(mutex: *mut MutexObj, loc: *const c_char) -> *mut CondObj {
    let obj: *mut CondObj = alloc_obj(&shapes::CONDITION);
    // SAFETY: as in `plat_mutex_new`.
    unsafe {
        std::ptr::addr_of_mut!((*obj).mutex).write(mutex);
        std::ptr::addr_of_mut!((*obj).c).write(Cond::new(loc));
    }
    obj
}

/// `c.wait()`: releases the condition's mutex (which the caller must
/// hold), parks until signalled, and takes the mutex again. A task
/// cancelled while waiting ends without the mutex; one cancelled after
/// it was signalled passes the signal on to the next waiter.
#[no_mangle]
pub unsafe extern "C" fn plat_cond_wait(ctx: *mut PlatCtx, c: *mut CondObj, loc: *const c_char) {
    cancel_point(ctx);
    let me = task_of(ctx);
    let id = id_of(me);
    // SAFETY: a condition object (contract) and its mutex.
    let (cond, mobj) = unsafe { (&(*c).c, (*c).mutex) };
    // SAFETY: the condition's mutex object.
    let mx = unsafe { &(*mobj).m };
    if mx.owner() != id {
        panic_at(
            "wait on a Condition whose Mutex this task does not hold",
            loc,
        );
    }
    let w = cond.waiter();
    cond.enqueue(&w);
    // Release the mutex (no yield to a hand-off: we are about to park).
    held::remove(me, Kind::Mutex, mobj.cast());
    mx.set_owner(0);
    mx.unlock();
    if cond.park(&w).is_err() {
        exit_cancelled(me);
    }
    if Tasks::cancelled(me) {
        cond.signal();
        exit_cancelled(me);
    }
    if mx.lock(spin()).is_err() {
        cond.signal();
        exit_cancelled(me);
    }
    mx.set_owner(id);
    held::push(me, Kind::Mutex, mobj.cast());
}

/// `c.signal()`: wakes the oldest waiter, if any.
#[no_mangle]
pub unsafe extern "C" fn plat_cond_signal(c: *mut CondObj) {
    // SAFETY: a condition object (contract).
    unsafe { &(*c).c }.signal();
}

/// `c.broadcast()`: wakes every waiter.
#[no_mangle]
pub unsafe extern "C" fn plat_cond_broadcast(c: *mut CondObj) {
    // SAFETY: a condition object (contract).
    unsafe { &(*c).c }.broadcast();
}

// ----------------------------------------------------------- WaitGroup

/// `WaitGroup.init()`.
#[no_mangle]
pub unsafe extern "C" fn plat_wg_new(loc: *const c_char) -> *mut WaitGroupObj {
    let obj: *mut WaitGroupObj = alloc_obj(&shapes::WAIT_GROUP);
    // SAFETY: as in `plat_mutex_new`.
    unsafe { std::ptr::addr_of_mut!((*obj).wg).write(WaitGroup::new(loc)) };
    obj
}

/// `wg.add(delta =)`: a count made negative panics at `loc`.
#[no_mangle]
pub unsafe extern "C" fn plat_wg_add(wg: *mut WaitGroupObj, delta: i64, loc: *const c_char) {
    // SAFETY: a wait group object (contract).
    match unsafe { &(*wg).wg }.add(delta) {
        Ok(()) => {}
        Err(AddError::Negative) => panic_at("negative WaitGroup counter", loc),
        Err(AddError::Overflow) => panic_at("WaitGroup counter overflow", loc),
    }
}

/// `wg.done()`: `add(delta = -1)`.
#[no_mangle]
pub unsafe extern "C" fn plat_wg_done(wg: *mut WaitGroupObj, loc: *const c_char) {
    // SAFETY: forwarded contract.
    unsafe { plat_wg_add(wg, -1, loc) }
}

/// `wg.wait()`: parks until the counter is zero.
#[no_mangle]
pub unsafe extern "C" fn plat_wg_wait(ctx: *mut PlatCtx, wg: *mut WaitGroupObj) {
    cancel_point(ctx);
    // SAFETY: a wait group object (contract).
    if unsafe { &(*wg).wg }.wait().is_err() {
        exit_cancelled(task_of(ctx));
    }
}

// ----------------------------------------------------------- Semaphore

/// `Semaphore.init(permits =)`: negative permits panic at `loc`.
#[no_mangle]
pub unsafe extern "C" fn plat_sem_new(permits: i64, loc: *const c_char) -> *mut SemObj {
    if permits < 0 {
        panic_at("Semaphore permits must not be negative", loc);
    }
    let obj: *mut SemObj = alloc_obj(&shapes::SEMAPHORE);
    // SAFETY: as in `plat_mutex_new`.
    unsafe { std::ptr::addr_of_mut!((*obj).s).write(Semaphore::new(permits as usize, loc)) };
    obj
}

/// `s.acquire()`: parks until a permit is the caller's.
#[no_mangle]
pub unsafe extern "C" fn plat_sem_acquire(ctx: *mut PlatCtx, s: *mut SemObj) {
    cancel_point(ctx);
    let me = task_of(ctx);
    // SAFETY: a semaphore object (contract).
    if unsafe { &(*s).s }.acquire().is_err() {
        exit_cancelled(me);
    }
    held::push(me, Kind::Permit, s.cast());
}

/// `s.try_acquire()`: 1 with a permit; never parks.
#[no_mangle]
pub unsafe extern "C" fn plat_sem_try_acquire(ctx: *mut PlatCtx, s: *mut SemObj) -> u8 {
    // SAFETY: a semaphore object (contract).
    if !unsafe { &(*s).s }.try_acquire() {
        return 0;
    }
    held::push(task_of(ctx), Kind::Permit, s.cast());
    1
}

/// `s.release()`: releasing more permits than were acquired panics at
/// `loc`.
#[no_mangle]
pub unsafe extern "C" fn plat_sem_release(ctx: *mut PlatCtx, s: *mut SemObj, loc: *const c_char) {
    // SAFETY: a semaphore object (contract).
    if unsafe { &(*s).s }.release().is_err() {
        panic_at("Semaphore released more times than acquired", loc);
    }
    // A permit taken by another task leaves the caller's list alone.
    held::remove(task_of(ctx), Kind::Permit, s.cast());
}

// ---------------------------------------------------------------- Once

/// `Once.init()`.
#[no_mangle]
pub unsafe extern "C" fn plat_once_new(loc: *const c_char) -> *mut OnceObj {
    let obj: *mut OnceObj = alloc_obj(&shapes::ONCE);
    // SAFETY: as in `plat_mutex_new`.
    unsafe { std::ptr::addr_of_mut!((*obj).o).write(Once::new(loc)) };
    obj
}

/// Start of `o.call(f)`: 1 if the caller must run `f` and then call
/// `plat_once_end`; 0 if `f` has run (after waiting while another task
/// runs it). Calling it again from inside `f` panics.
#[no_mangle]
pub unsafe extern "C" fn plat_once_begin(ctx: *mut PlatCtx, o: *mut OnceObj) -> u8 {
    // SAFETY: a once object (contract).
    let once = unsafe { &(*o).o };
    if once.is_done() {
        return 0;
    }
    cancel_point(ctx);
    let me = task_of(ctx);
    match once.begin(id_of(me)) {
        Ok(Begin::Run) => {
            held::push(me, Kind::Once, o.cast());
            1
        }
        Ok(Begin::Done) => 0,
        Ok(Begin::Recursive) => panic_at(
            &made_at(
                "Once.call called again while its function runs in this task",
                once.loc,
            ),
            std::ptr::null(),
        ),
        Err(_) => exit_cancelled(me),
    }
}

/// End of `o.call(f)` after `f` returned: marks it done, releases the
/// waiters.
#[no_mangle]
pub unsafe extern "C" fn plat_once_end(ctx: *mut PlatCtx, o: *mut OnceObj) {
    if held::remove(task_of(ctx), Kind::Once, o.cast()) {
        // SAFETY: a once object (contract).
        unsafe { &(*o).o }.end();
    }
}
