//! What a task holds of the synchronisation library, and what happens to
//! it when the task ends.
//!
//! Every acquisition by a task (a mutex, a read or write hold of a
//! rwlock, a semaphore permit, a `Once` it is running) is recorded in its
//! fiber's `held` list and removed by the matching release. When the task
//! ends ([`on_task_end`], called first thing by `sched::end_task`):
//!
//! - **failed** (a panic) or **cancelled**: everything is released, in
//!   reverse order of acquisition, so a panic in `critical`, `read` or
//!   `write` (compiled as lock / call / unlock) or a cancellation never
//!   leaves a lock held, and a permit is never lost;
//! - **returned normally**: holding a mutex, a lock or a permit past the
//!   end of the task is the program's business and stays as it is (Go
//!   does not release a mutex for a goroutine either), but a `Once` it
//!   was running is completed so that its waiters are released.
//!
//! A semaphore permit released by a task other than the one that took it
//! is legal (it is a counter, not a lock): such a release takes no entry
//! from the releaser's list, and the releases at a task's end never
//! exceed the permits the semaphore was made with (see
//! `Semaphore::release`).
//!
//! # Invariants
//!
//! - Only the running task touches its own list (the fiber's unlocked
//!   cells, see `sched::task`); it is empty when the fiber is recycled.
//! - The list holds Plat heap objects: the collector must treat the held
//!   lists of live fibers as roots (a task may be the only one left
//!   referring to a mutex it holds).

use super::abi::{MutexObj, OnceObj, RwLockObj, SemObj};
use crate::sched::task::FiberRef;

/// What kind of hold an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Mutex,
    Read,
    Write,
    Permit,
    Once,
}

/// One hold: the object (a sync object of the matching type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub kind: Kind,
    pub obj: *mut u8,
}

fn list<'a>(me: FiberRef) -> &'a mut Vec<Held> {
    // SAFETY: only the running task touches its held list (module
    // invariant), and `me` is the running task.
    let slot = unsafe { &mut *me.get().held.get() };
    slot.get_or_insert_with(Default::default)
}

/// Whether `me` holds nothing (without making its list).
fn holds_nothing(me: FiberRef) -> bool {
    // SAFETY: as in `list`.
    unsafe { (*me.get().held.get()).as_ref().is_none_or(|h| h.is_empty()) }
}

/// Records a hold of the running task `me`.
#[inline]
pub fn push(me: FiberRef, kind: Kind, obj: *mut u8) {
    list(me).push(Held { kind, obj });
}

/// Removes the latest matching hold of `me`; whether there was one.
#[inline]
pub fn remove(me: FiberRef, kind: Kind, obj: *mut u8) -> bool {
    let l = list(me);
    let h = Held { kind, obj };
    if l.last() == Some(&h) {
        l.pop();
        return true;
    }
    match l.iter().rposition(|&e| e == h) {
        Some(i) => {
            l.remove(i);
            true
        }
        None => false,
    }
}

/// Whether `me` holds `obj` as `kind`.
pub fn holds(me: FiberRef, kind: Kind, obj: *mut u8) -> bool {
    !holds_nothing(me) && list(me).contains(&Held { kind, obj })
}

/// The end of the running task `f`: releases everything (`release`: it
/// failed or was cancelled) or completes its `Once`s only (see the module
/// doc). Empties the list, keeping its buffer for the fiber's next task.
pub fn on_task_end(f: FiberRef, release: bool) {
    if holds_nothing(f) {
        return;
    }
    let mut held = std::mem::take(list(f));
    let me = super::abi::id_of(f);
    for h in held.iter().rev() {
        // SAFETY: each entry was recorded by the acquisition of an object
        // of the kind it names (module invariants), never freed while
        // held (a root).
        unsafe {
            match h.kind {
                Kind::Once => (*(h.obj as *mut OnceObj)).o.end(),
                _ if !release => {}
                Kind::Mutex => {
                    let m = &(*(h.obj as *mut MutexObj)).m;
                    if m.owner() == me {
                        m.set_owner(0);
                        m.unlock();
                    }
                }
                Kind::Read => (*(h.obj as *mut RwLockObj)).l.read_unlock(),
                Kind::Write => (*(h.obj as *mut RwLockObj)).l.write_unlock(),
                Kind::Permit => {
                    // Never more than the semaphore was made with.
                    let _ = (*(h.obj as *mut SemObj)).s.release();
                }
            }
        }
    }
    held.clear();
    *list(f) = held;
}
