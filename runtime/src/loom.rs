//! Sync primitives for code that the loom models check (tokio's shim).
//!
//! The library always gets `std`. A test compiled with
//! `RUSTFLAGS="--cfg loom"` gets the same names from `loom`, so the code
//! it checks is the production code, unchanged: `tests/loom_idle.rs` and
//! `tests/loom_chan.rs` include this file and the modules they check as
//! their own modules (`#[path]`), where `cfg(all(test, loom))` holds. As
//! in tokio, the switch is `all(test, loom)`, because `loom` is a
//! dev-dependency (and only under `cfg(loom)`, see `Cargo.toml`): the
//! library itself never sees it. Only modules written to be model-checked
//! import from here ([`crate::sched::idle`], `crate::chan::{lock, waitq,
//! core, select}`); everything else uses `std` directly.

#[cfg(not(all(test, loom)))]
pub(crate) mod sync {
    pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{
            fence, AtomicBool, AtomicU32, AtomicU8, AtomicUsize, Ordering,
        };
    }
}

#[cfg(all(test, loom))]
pub(crate) mod sync {
    pub(crate) use ::loom::sync::{Condvar, Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use ::loom::sync::atomic::{
            fence, AtomicBool, AtomicU32, AtomicU8, AtomicUsize, Ordering,
        };
    }
}

/// `UnsafeCell` with loom's closure API (`with`, `with_mut`), so that
/// loom checks every access of the data a lock protects.
#[cfg(not(all(test, loom)))]
pub(crate) mod cell {
    #[derive(Debug, Default)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(v: T) -> UnsafeCell<T> {
            UnsafeCell(std::cell::UnsafeCell::new(v))
        }

        #[inline(always)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        #[inline(always)]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

#[cfg(all(test, loom))]
pub(crate) mod cell {
    pub(crate) use ::loom::cell::UnsafeCell;
}
