//! `CancelToken`: a cancellation flag that tasks poll (`is_cancelled`) or
//! wait for in a `select` (`done()`, a `Channel<Unit>` closed on
//! cancellation), with children cancelled with their parent and tokens
//! that cancel themselves after a timeout (Go's `context`).
//!
//! # Design
//!
//! Tokens form trees through links in the token objects themselves
//! (`parent`, `first_child`, `next_sibling`, `prev_sibling`: Plat heap
//! pointers the collector traces, so a child stays reachable from its
//! parent). Every link change happens under one global lock, `TREE`:
//!
//! - `child()` links a new token at the head of its parent's children,
//!   or, if the parent is already cancelled, makes it cancelled and
//!   leaves it unlinked.
//! - `cancel()` runs in two phases. Under `TREE`: if the token is not
//!   cancelled yet, unlink it from its parent (which keeps it from
//!   growing its parent's list for ever, as Go's `removeChild`) and mark
//!   its whole subtree cancelled, walking it iteratively through the
//!   links (no recursion, no allocation). After `TREE` is released:
//!   walk the subtree again and close the `done` channels that exist
//!   (closing wakes tasks, which is not done under a lock).
//! - `done()` makes the channel on first use and publishes it with a
//!   CAS, then closes it if the token is already cancelled.
//!
//! A `with_timeout` token's deadline is a timer callback that cancels it.
//! For deadlock detection it can wake a task only if one is parked on
//! the `done` channel of the token or of a descendant.
//!
//! # Invariants
//!
//! - `cancelled` goes from false to true once, under `TREE` (`SeqCst`).
//! - A token that is not cancelled and has a parent is linked in its
//!   parent's children list. A cancelled token's descendants are all
//!   cancelled, and the links of cancelled tokens never change again, so
//!   the second phase walks a frozen subtree without the lock.
//! - The `done` channel is closed once the token is cancelled: the
//!   canceller stores `cancelled` then loads `done`, `done()` stores
//!   `done` then loads `cancelled` (all `SeqCst`), so at least one of them
//!   sees the other and closes it (a second close is ignored).
//! - `parent` and `loc` never change after creation.
//!
//! Contract of the entry points: `t` was made by `plat_ctoken_new`,
//! `plat_ctoken_with_timeout` or `plat_ctoken_child`; `loc` is null or a
//! static `"file:line:col"`.
#![allow(clippy::missing_safety_doc)]

use std::cell::UnsafeCell;
use std::ffi::c_char;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::Mutex;

use super::abi::alloc_obj;
use super::shapes;
use crate::chan::abi::{make, ChanObj};
use crate::gc::shape::PlatShape;
use crate::sched::{self, timer};

/// Serialises every change of token links and of `cancelled` (no task
/// woken, nothing allocated from the Plat heap under it; the only lock
/// taken under it is a `done` channel's, by deadlock detection's
/// [`timeout_may_wake`], which runs under the timer heap's lock: order
/// timer heap, `TREE`, channel).
static TREE: Mutex<()> = Mutex::new(());

/// A token object. Known to compiler only as an opaque pointer.
#[repr(C)]
pub struct TokenObj {
    header: *const PlatShape,
    /// The `done()` channel once made (a Plat heap pointer).
    pub(super) done: AtomicPtr<ChanObj>,
    /// Plat heap pointers: the parent (or null), and the tree links
    /// (under `TREE`).
    pub(super) parent: *mut TokenObj,
    pub(super) first_child: UnsafeCell<*mut TokenObj>,
    pub(super) next_sibling: UnsafeCell<*mut TokenObj>,
    pub(super) prev_sibling: UnsafeCell<*mut TokenObj>,
    cancelled: AtomicBool,
    pub loc: *const c_char,
}

fn tree() -> std::sync::MutexGuard<'static, ()> {
    TREE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The token behind a pointer.
fn tok<'a>(t: *mut TokenObj) -> &'a TokenObj {
    // SAFETY: a token object (entry points' contract); never moved.
    unsafe { &*t }
}

/// Reads a link. The caller holds `TREE`, or the link is frozen (a
/// cancelled token, see the invariants).
fn get(l: &UnsafeCell<*mut TokenObj>) -> *mut TokenObj {
    // SAFETY: see above: no concurrent writer.
    unsafe { *l.get() }
}

/// Writes a link. The caller holds `TREE`.
fn set(l: &UnsafeCell<*mut TokenObj>, v: *mut TokenObj) {
    // SAFETY: `TREE` makes this the only access.
    unsafe { *l.get() = v }
}

fn new_token(parent: *mut TokenObj, cancelled: bool, loc: *const c_char) -> *mut TokenObj {
    let t: *mut TokenObj = alloc_obj(&shapes::CANCEL_TOKEN);
    // SAFETY: a fresh, zeroed object whose header `alloc` set; written in
    // place before anyone else can see it.
    unsafe {
        ptr::addr_of_mut!((*t).done).write(AtomicPtr::new(ptr::null_mut()));
        ptr::addr_of_mut!((*t).parent).write(parent);
        ptr::addr_of_mut!((*t).first_child).write(UnsafeCell::new(ptr::null_mut()));
        ptr::addr_of_mut!((*t).next_sibling).write(UnsafeCell::new(ptr::null_mut()));
        ptr::addr_of_mut!((*t).prev_sibling).write(UnsafeCell::new(ptr::null_mut()));
        ptr::addr_of_mut!((*t).cancelled).write(AtomicBool::new(cancelled));
        ptr::addr_of_mut!((*t).loc).write(loc);
    }
    t
}

/// Visits `root` and its descendants (pre-order, iteratively). The
/// caller holds `TREE` or the subtree is frozen.
fn walk(root: *mut TokenObj, mut f: impl FnMut(&TokenObj)) {
    let mut n = root;
    loop {
        f(tok(n));
        let c = get(&tok(n).first_child);
        if !c.is_null() {
            n = c;
            continue;
        }
        loop {
            if n == root {
                return;
            }
            let s = get(&tok(n).next_sibling);
            if !s.is_null() {
                n = s;
                break;
            }
            n = tok(n).parent;
        }
    }
}

/// Takes `t` (not cancelled) out of its parent's children. Under `TREE`.
fn unlink(t: *mut TokenObj) {
    let tk = tok(t);
    let p = tk.parent;
    if p.is_null() {
        return;
    }
    let (prev, next) = (get(&tk.prev_sibling), get(&tk.next_sibling));
    if prev.is_null() {
        set(&tok(p).first_child, next);
    } else {
        set(&tok(prev).next_sibling, next);
    }
    if !next.is_null() {
        set(&tok(next).prev_sibling, prev);
    }
    set(&tk.prev_sibling, ptr::null_mut());
    set(&tk.next_sibling, ptr::null_mut());
}

fn close_done(t: &TokenObj) {
    let c = t.done.load(Ordering::SeqCst);
    if !c.is_null() {
        // SAFETY: a channel made by `done` (never moved); a second close
        // (the race of the module invariants) is harmless.
        let _ = unsafe { &(*c).chan }.close();
    }
}

/// Cancels `t` and its descendants (idempotent).
pub fn cancel(t: *mut TokenObj) {
    {
        let _g = tree();
        if tok(t).cancelled.load(Ordering::Relaxed) {
            return;
        }
        unlink(t);
        walk(t, |n| n.cancelled.store(true, Ordering::SeqCst));
    }
    walk(t, close_done);
}

fn timeout_fired(arg: *mut u8) {
    cancel(arg.cast());
}

/// Whether a timeout firing now could wake a task: one is parked
/// receiving from the `done` channel of the token or of a descendant
/// (for deadlock detection: a long timeout nobody waits on does not
/// delay the report).
fn timeout_may_wake(arg: *mut u8) -> bool {
    let t: *mut TokenObj = arg.cast();
    let _g = tree();
    if tok(t).cancelled.load(Ordering::Relaxed) {
        return false;
    }
    let mut waited_on = false;
    walk(t, |n| {
        let c = n.done.load(Ordering::Acquire);
        if !c.is_null() {
            // SAFETY: a channel made by `done` (never moved).
            let ch = unsafe { &(*c).chan };
            ch.lock();
            waited_on |= ch.state_with(|st| !st.recvq.is_empty());
            ch.unlock();
        }
    });
    waited_on
}

/// `CancelToken.init()`.
#[no_mangle]
pub unsafe extern "C" fn plat_ctoken_new(loc: *const c_char) -> *mut TokenObj {
    new_token(ptr::null_mut(), false, loc)
}

/// `CancelToken.with_timeout(millis =)`: cancelled once `millis` have
/// passed (at once for `millis <= 0`).
#[no_mangle]
pub unsafe extern "C" fn plat_ctoken_with_timeout(
    millis: i64,
    loc: *const c_char,
) -> *mut TokenObj {
    let t = new_token(ptr::null_mut(), false, loc);
    let deadline =
        sched::now_nanos().saturating_add((millis.max(0) as u64).saturating_mul(1_000_000));
    timer::add(
        deadline,
        timer::Action::Call(timer::Callback {
            run: timeout_fired,
            arg: t.cast(),
            may_wake: Some(timeout_may_wake),
        }),
    );
    t
}

/// `t.child()`: a token cancelled when `t` is (already cancelled if `t`
/// is).
#[no_mangle]
pub unsafe extern "C" fn plat_ctoken_child(t: *mut TokenObj, loc: *const c_char) -> *mut TokenObj {
    // Allocated before taking `TREE` (no Plat allocation under a lock).
    let c = new_token(t, false, loc);
    let _g = tree();
    let p = tok(t);
    if p.cancelled.load(Ordering::Relaxed) {
        tok(c).cancelled.store(true, Ordering::SeqCst);
    } else {
        let first = get(&p.first_child);
        set(&tok(c).next_sibling, first);
        if !first.is_null() {
            set(&tok(first).prev_sibling, c);
        }
        set(&p.first_child, c);
    }
    c
}

/// `t.cancel()`: idempotent; cancels `t`'s children too.
#[no_mangle]
pub unsafe extern "C" fn plat_ctoken_cancel(t: *mut TokenObj) {
    cancel(t);
}

/// `t.is_cancelled()`.
#[no_mangle]
pub unsafe extern "C" fn plat_ctoken_is_cancelled(t: *mut TokenObj) -> u8 {
    tok(t).cancelled.load(Ordering::Acquire) as u8
}

/// `t.done()`: a `Channel<Unit>` closed once `t` is cancelled; the same
/// channel on every call.
#[no_mangle]
pub unsafe extern "C" fn plat_ctoken_done(t: *mut TokenObj) -> *mut ChanObj {
    let tk = tok(t);
    let c = tk.done.load(Ordering::Acquire);
    if !c.is_null() {
        return c;
    }
    let fresh = make(&shapes::CHANNEL_UNIT, 0, tk.loc);
    let c =
        match tk
            .done
            .compare_exchange(ptr::null_mut(), fresh, Ordering::SeqCst, Ordering::Acquire)
        {
            Ok(_) => fresh,
            Err(other) => other,
        };
    if tk.cancelled.load(Ordering::SeqCst) {
        close_done(tk);
    }
    c
}
