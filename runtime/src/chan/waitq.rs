//! Waiters and wait queues: how a task parked on a channel (or a lock,
//! a wait group...) is found by the task that completes its operation.
//!
//! A [`Waiter`] is a small record on the parked task's own stack (Go's
//! `sudog`): who to wake, the value slot (the value a sender offers, or
//! the one a receiver is handed), its status, and the links of an
//! intrusive FIFO [`Queue`]. A `select` has one waiter per arm, all
//! pointing at one [`SelectState`], and is queued on every channel it
//! waits for at once.
//!
//! # Invariants
//!
//! - A waiter is linked into at most one queue, and only while its owner
//!   is parked or about to park; the owner unlinks it (or sees that a
//!   completer did) before its stack frame ends, so a queued pointer is
//!   always valid. Its links and `queued` flag belong to the lock of the
//!   object whose queue it is in.
//! - A completer (the task that serves a queued waiter) works under that
//!   lock: it unlinks the waiter, claims it ([`Waiter::claim`]: always
//!   for a plain operation, by winning the select's CAS for a select
//!   arm), writes the slot, reads the owner's handle, and only then
//!   stores the final `status` (`Release`). After that store it never
//!   touches the waiter again (the owner may return and reuse the
//!   memory); it wakes the owner through the handle it read, after
//!   releasing the lock.
//! - The owner reads the slot only after seeing a final status with
//!   `Acquire`, or under the lock.
//! - `SelectState::selected` goes from [`NONE`] to an arm index (a
//!   completer won that arm) or to [`ABORTED`] (the owner gave up:
//!   timeout, cancellation) exactly once. A completer that loses the CAS
//!   unlinks the waiter and skips it: the select was served elsewhere.

use std::ptr;

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicU32, AtomicU8, Ordering};

/// `status`: not completed yet.
pub const WAITING: u8 = 0;
/// `status`: completed (a receiver was handed `slot`; a sender's value
/// was taken).
pub const DONE: u8 = 1;
/// `status`: the channel was closed (a receiver gets nothing; a sender's
/// value was not delivered).
pub const CLOSED: u8 = 2;

/// `SelectState::selected`: no arm completed yet.
pub const NONE: u32 = u32::MAX;
/// `SelectState::selected`: the owner gave up (timeout, cancellation).
pub const ABORTED: u32 = u32::MAX - 1;

/// Shared by the waiters of one `select`.
#[derive(Debug)]
pub struct SelectState {
    pub selected: AtomicU32,
}

impl SelectState {
    pub fn new() -> SelectState {
        SelectState {
            selected: AtomicU32::new(NONE),
        }
    }
}

impl Default for SelectState {
    fn default() -> Self {
        SelectState::new()
    }
}

struct Links<H> {
    next: *const Waiter<H>,
    prev: *const Waiter<H>,
    queued: bool,
}

/// A parked operation (see the module doc). `H` is how to wake its
/// owner (a fiber in the runtime, a thread in the loom models).
pub struct Waiter<H> {
    pub handle: H,
    /// The select this waiter is an arm of; null for a plain operation.
    pub sel: *const SelectState,
    /// The arm's index in its select.
    pub case: u32,
    slot: UnsafeCell<u64>,
    pub status: AtomicU8,
    links: UnsafeCell<Links<H>>,
}

impl<H: Copy> Waiter<H> {
    /// A waiter offering (sending) or waiting for (receiving) `slot`.
    pub fn new(handle: H, sel: *const SelectState, case: u32, slot: u64) -> Waiter<H> {
        Waiter {
            handle,
            sel,
            case,
            slot: UnsafeCell::new(slot),
            status: AtomicU8::new(WAITING),
            links: UnsafeCell::new(Links {
                next: ptr::null(),
                prev: ptr::null(),
                queued: false,
            }),
        }
    }

    /// Takes the right to complete this waiter. The caller holds the
    /// lock of the queue it was in.
    pub fn claim(&self) -> bool {
        if self.sel.is_null() {
            return true;
        }
        // SAFETY: `sel` points to the select's state, which outlives its
        // waiters (module invariant: the owner is parked).
        let sel = unsafe { &*self.sel };
        sel.selected
            .compare_exchange(NONE, self.case, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// Completes a claimed waiter: stores `slot` and the final `status`
    /// and returns the handle to wake (after releasing the lock). The
    /// caller must not touch the waiter afterwards.
    pub fn complete(&self, status: u8, slot: Option<u64>) -> H {
        if let Some(v) = slot {
            // SAFETY: the owner reads the slot only after the status
            // store below (or under the lock we hold).
            self.slot.with_mut(|p| unsafe { *p = v });
        }
        let h = self.handle;
        self.status.store(status, Ordering::Release);
        h
    }

    /// The value slot: the owner's, or a completer's under the lock.
    pub fn slot(&self) -> u64 {
        // SAFETY: see the module invariants (owner after a final status,
        // or anyone under the lock).
        self.slot.with(|p| unsafe { *p })
    }

    /// The final status, or [`WAITING`].
    pub fn status(&self) -> u8 {
        self.status.load(Ordering::Acquire)
    }
}

/// An intrusive FIFO of waiters, protected by its owner's lock.
pub struct Queue<H> {
    head: *const Waiter<H>,
    tail: *const Waiter<H>,
    len: usize,
}

impl<H> Default for Queue<H> {
    fn default() -> Self {
        Queue {
            head: ptr::null(),
            tail: ptr::null(),
            len: 0,
        }
    }
}

impl<H: Copy> Queue<H> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `w` (not queued anywhere; valid until unlinked).
    pub fn push_back(&mut self, w: &Waiter<H>) {
        let wp = w as *const Waiter<H>;
        // SAFETY: queued waiters are valid (module invariant), and we
        // hold the lock that protects their links.
        w.links.with_mut(|l| unsafe {
            debug_assert!(!(*l).queued);
            (*l).next = ptr::null();
            (*l).prev = self.tail;
            (*l).queued = true;
        });
        if self.tail.is_null() {
            self.head = wp;
        } else {
            // SAFETY: the tail is a queued, valid waiter.
            unsafe { &*self.tail }
                .links
                .with_mut(|l| unsafe { (*l).next = wp });
        }
        self.tail = wp;
        self.len += 1;
    }

    /// Unlinks and returns the oldest waiter. The reference is valid as
    /// long as its owner is parked, which the caller ensures by
    /// completing it (or skipping it) under the lock it holds.
    pub fn pop_front<'w>(&mut self) -> Option<&'w Waiter<H>> {
        if self.head.is_null() {
            return None;
        }
        // SAFETY: the head is a queued, valid waiter.
        let w = unsafe { &*self.head };
        self.unlink(w);
        Some(w)
    }

    /// Unlinks `w` if it is queued here; whether it was. `w` is queued in
    /// this queue or in none (callers know which queue an arm uses).
    pub fn remove(&mut self, w: &Waiter<H>) -> bool {
        // SAFETY: we hold the lock that protects `w`'s links.
        if !w.links.with(|l| unsafe { (*l).queued }) {
            return false;
        }
        self.unlink(w);
        true
    }

    fn unlink(&mut self, w: &Waiter<H>) {
        // SAFETY: `w` is queued here; its neighbours are queued, valid
        // waiters; we hold the lock.
        let (prev, next) = w.links.with_mut(|l| unsafe {
            let pn = ((*l).prev, (*l).next);
            (*l).queued = false;
            (*l).prev = ptr::null();
            (*l).next = ptr::null();
            pn
        });
        if prev.is_null() {
            self.head = next;
        } else {
            // SAFETY: as above.
            unsafe { &*prev }
                .links
                .with_mut(|l| unsafe { (*l).next = next });
        }
        if next.is_null() {
            self.tail = prev;
        } else {
            // SAFETY: as above.
            unsafe { &*next }
                .links
                .with_mut(|l| unsafe { (*l).prev = prev });
        }
        self.len -= 1;
    }
}
