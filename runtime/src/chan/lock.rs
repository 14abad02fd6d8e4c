//! The lock of a channel (and of the other runtime objects tasks park
//! on): a word-sized mutex with raw `lock`/`unlock`, so that `select`
//! can hold the locks of several channels at once without allocating
//! guards (Drepper's three-state futex mutex, "Futexes Are Tricky",
//! mutex2; Go's `runtime.lock` is the same idea).
//!
//! Critical sections under these locks are a few dozen instructions and
//! never park a task, never allocate from the Plat heap, never raise a
//! Plat panic and never wake a task: so a thread that finds the lock
//! taken spins briefly, then sleeps in the kernel (`FUTEX_WAIT`) rather
//! than spinning on: the holder may be a worker thread the OS has
//! descheduled (two cores, more threads), and spinning then would only
//! burn the core it needs.
//!
//! The spin looks at the lock word only every [`SPIN_PAUSES`] pause
//! instructions, [`SPINS`] times (Go's `active_spin` x
//! `active_spin_cnt`, 4 x 30). The lock word shares its cache line with
//! the state it protects, so a waiter that re-reads it in a tight loop
//! takes the line away from the holder at every look and slows the very
//! critical section it waits for: with 4 producers and 4 consumers on
//! one channel (`chan_throughput` MPMC, 2 workers), a look per pause
//! (64 of them) spent 35% of the time in `lock_contended` and ran 2.3x
//! slower than Go; looking every 30 pauses made it 3x faster.
//!
//! # Invariants
//!
//! - `state` is 0 (unlocked), 1 (locked, nobody sleeping) or 2 (locked,
//!   maybe somebody sleeping). Only the holder stores 0, and it wakes one
//!   sleeper when it replaces a 2.
//! - The `Acquire` of a successful lock pairs with the `Release` of the
//!   previous unlock: everything written under the lock is visible to
//!   the next holder.
//!
//! Under loom (`tests/loom_chan.rs`) the lock is loom's own mutex (its
//! guard parked in the lock until `unlock`), so the models explore the
//! protocols built on it without exploring every spin of a futex loop;
//! the three-state algorithm itself is the textbook one.

#[cfg(not(all(test, loom)))]
use std::sync::atomic::{AtomicU32, Ordering};

#[cfg(all(test, loom))]
pub use loom_lock::RawLock;

#[cfg(not(all(test, loom)))]
const UNLOCKED: u32 = 0;
#[cfg(not(all(test, loom)))]
const LOCKED: u32 = 1;
#[cfg(not(all(test, loom)))]
const CONTENDED: u32 = 2;
/// Looks at the lock word before sleeping in the kernel.
#[cfg(not(all(test, loom)))]
const SPINS: u32 = 4;
/// Pause instructions between two looks.
#[cfg(not(all(test, loom)))]
const SPIN_PAUSES: u32 = 30;

#[cfg(not(all(test, loom)))]
#[derive(Debug, Default)]
pub struct RawLock {
    state: AtomicU32,
}

#[cfg(not(all(test, loom)))]
impl RawLock {
    pub fn new() -> RawLock {
        RawLock {
            state: AtomicU32::new(UNLOCKED),
        }
    }

    /// Takes the lock, waiting for it if needed.
    #[inline]
    pub fn lock(&self) {
        if self
            .state
            .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_contended();
        }
    }

    #[cold]
    fn lock_contended(&self) {
        for _ in 0..SPINS {
            if self.state.load(Ordering::Relaxed) == UNLOCKED
                && self
                    .state
                    .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                return;
            }
            for _ in 0..SPIN_PAUSES {
                std::hint::spin_loop();
            }
        }
        // From now on the lock word says "contended", so the holder's
        // unlock wakes us (or whoever sleeps next).
        while self.state.swap(CONTENDED, Ordering::Acquire) != UNLOCKED {
            self.sleep();
        }
    }

    /// Releases the lock. The caller holds it.
    #[inline]
    pub fn unlock(&self) {
        if self.state.swap(UNLOCKED, Ordering::Release) == CONTENDED {
            self.wake_one();
        }
    }

    /// Runs `f` under the lock.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce() -> R) -> R {
        self.lock();
        let r = f();
        self.unlock();
        r
    }

    fn sleep(&self) {
        // SAFETY: FUTEX_WAIT reads the word at a valid address and
        // returns at once if it is no longer CONTENDED; spurious returns
        // are handled by the caller's loop.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.state.as_ptr(),
                libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                CONTENDED,
                std::ptr::null::<libc::timespec>(),
            );
        }
    }

    fn wake_one(&self) {
        // SAFETY: FUTEX_WAKE only uses the address as a key.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.state.as_ptr(),
                libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                1,
            );
        }
    }
}

#[cfg(all(test, loom))]
mod loom_lock {
    use crate::loom::cell::UnsafeCell;
    use crate::loom::sync::{Mutex, MutexGuard};

    /// The loom stand-in: loom's mutex, its guard kept until `unlock`.
    pub struct RawLock {
        m: Mutex<()>,
        guard: UnsafeCell<Option<MutexGuard<'static, ()>>>,
    }

    impl RawLock {
        pub fn new() -> RawLock {
            RawLock {
                m: Mutex::new(()),
                guard: UnsafeCell::new(None),
            }
        }

        pub fn lock(&self) {
            let g = self.m.lock().unwrap();
            // SAFETY: the guard borrows `self.m`, which outlives it: it is
            // dropped by `unlock` (or with `self`).
            let g: MutexGuard<'static, ()> = unsafe { std::mem::transmute(g) };
            // SAFETY: only the holder touches `guard`.
            self.guard.with_mut(|p| unsafe { *p = Some(g) });
        }

        pub fn unlock(&self) {
            // SAFETY: only the holder touches `guard`.
            let g = self.guard.with_mut(|p| unsafe { (*p).take() });
            drop(g);
        }

        pub fn with<R>(&self, f: impl FnOnce() -> R) -> R {
            self.lock();
            let r = f();
            self.unlock();
            r
        }
    }
}
