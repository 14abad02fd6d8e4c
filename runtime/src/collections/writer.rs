//! The writer word: how lists, dicts and sets detect two tasks mutating
//! them at once, and how the runtime keeps its own mutations of one
//! collection from ever overlapping (see `docs/memory-model.md`).
//!
//! Every collection has one 64-bit *writer word*. Its low bit,
//! [`WRITING`], is set while a runtime entry point mutates the
//! collection; the other bits are an *owner token*: for a list, the
//! context (`ctx`, a task's fiber address) of the task that created it or
//! last mutated it through the runtime (known to compiler: the inline
//! `push` of compiled code appends in place only when the owner is its
//! own `ctx`, otherwise it calls the runtime, which takes ownership; every
//! runtime mutation takes it, so an inline append that another task's
//! whole mutation slipped into sees the word changed); tables keep 0
//! there.
//!
//! # Protocol
//!
//! A mutating entry point *claims* the word: it loads it, fails if
//! `WRITING` is set, and compare-and-swaps it to `owner | WRITING`,
//! failing if the word changed in between (another mutation ran
//! meanwhile). A failure is a concurrent mutation: the entry point panics
//! ([`concurrent_mutation`]) before touching anything. After mutating, it
//! *releases* the word by storing the owner token (the old one, or its
//! own for a list push; no `WRITING`).
//!
//! So runtime mutations of one collection never overlap: the second of
//! two overlapping ones panics before its first write. This is what keeps
//! the structures consistent (buffers only grow, tables keep their probe
//! invariants) under any race; detection is the visible part. Two
//! mutations ordered by synchronisation (an `await`, later a `Mutex` or a
//! channel) never fail: the first's Release store happens before the
//! second's load.
//!
//! # Orderings
//!
//! The successful CAS is Acquire and the release store is Release, so a
//! mutation sees everything the previous (non-overlapping) one wrote. The
//! initial load and the failure path are Relaxed: they only decide to
//! panic.

use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::fatal;

/// The low bit of a writer word: a runtime mutation is in progress.
pub const WRITING: u64 = plat_abi::object::list::WRITING;

/// The collection was being mutated by another task when a mutation
/// tried to start.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

/// Claims `word` for a mutation; on success returns the owner token it
/// held (so the caller can keep it on release).
#[inline]
pub fn claim(word: &AtomicU64) -> Result<u64, Busy> {
    let w = word.load(Relaxed);
    if w & WRITING != 0 {
        return Err(Busy);
    }
    match word.compare_exchange(w, w | WRITING, Acquire, Relaxed) {
        Ok(_) => Ok(w),
        Err(_) => Err(Busy),
    }
}

/// Ends a mutation claimed with [`claim`], leaving `owner` (a token with
/// its low bit clear) as the owner.
#[inline]
pub fn release(word: &AtomicU64, owner: u64) {
    debug_assert_eq!(owner & WRITING, 0, "owner tokens are 8-aligned");
    word.store(owner, Release);
}

/// The owner token of the running task: its context address (that is,
/// its fiber's, the context being the fiber's first field), which is what
/// compiled code passes as `ctx`; 0 outside any task (runtime tests).
#[inline]
pub fn current_owner() -> u64 {
    crate::sched::current() as u64
}

/// The panic message of a concurrent mutation of a `what` ("List",
/// "Dict", "Set").
pub fn message(what: &str) -> String {
    format!(
        "concurrent mutation of a {what} from two tasks (protect it with a Mutex, \
         or send the values through a Channel)"
    )
}

/// Raises the concurrent-mutation panic for a `what`.
#[cold]
#[inline(never)]
pub fn concurrent_mutation(what: &str) -> ! {
    crate::sched::panic(message(what).as_bytes(), None)
}

/// Raises the concurrent-mutation panic for a `what` at `loc` (an entry
/// point's location argument).
///
/// # Safety
///
/// `loc` is null or a NUL-terminated string that lives forever (compiled
/// code's locations do).
#[cold]
#[inline(never)]
pub unsafe fn concurrent_mutation_at(what: &str, loc: *const std::ffi::c_char) -> ! {
    // SAFETY: caller's contract.
    crate::sched::panic(message(what).as_bytes(), unsafe { fatal::loc_arg(loc) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_that_a_claimed_word_cannot_be_claimed_again_until_released() {
        let w = AtomicU64::new(0x40);
        assert_eq!(claim(&w), Ok(0x40));
        assert_eq!(w.load(Relaxed), 0x41);
        assert_eq!(claim(&w), Err(Busy), "a second writer is detected");
        release(&w, 0x80);
        assert_eq!(w.load(Relaxed), 0x80, "the releaser becomes the owner");
        assert_eq!(claim(&w), Ok(0x80));
        release(&w, 0x80);
    }

    #[test]
    fn ensure_that_claims_from_racing_threads_never_overlap() {
        // Each thread claims, checks that nobody else is inside (a plain
        // counter would be corrupted otherwise), and releases; a failed
        // claim is counted instead. Overlap must never happen; failures
        // may or may not (timing).
        use std::sync::atomic::AtomicUsize;
        let word = AtomicU64::new(0);
        let inside = AtomicUsize::new(0);
        let (ok, busy) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|s| {
            for t in 0..4u64 {
                let (word, inside, ok, busy) = (&word, &inside, &ok, &busy);
                s.spawn(move || {
                    for _ in 0..20_000 {
                        match claim(word) {
                            Ok(_) => {
                                assert_eq!(inside.fetch_add(1, Relaxed), 0, "overlap");
                                inside.fetch_sub(1, Relaxed);
                                release(word, (t + 1) * 8);
                                ok.fetch_add(1, Relaxed);
                            }
                            Err(Busy) => {
                                busy.fetch_add(1, Relaxed);
                            }
                        }
                    }
                });
            }
        });
        assert_eq!(ok.load(Relaxed) + busy.load(Relaxed), 80_000);
        assert_eq!(word.load(Relaxed) & WRITING, 0);
    }

    #[test]
    fn ensure_that_the_message_says_what_happened_and_what_to_do() {
        assert_eq!(
            message("List"),
            "concurrent mutation of a List from two tasks (protect it with a Mutex, \
             or send the values through a Channel)"
        );
    }
}
