//! Sync primitives for code that the loom models check (tokio's shim).
//!
//! The library always gets `std`. A test compiled with
//! `RUSTFLAGS="--cfg loom"` gets the same names from `loom`, so the code
//! it checks is the production code, unchanged: `tests/loom_idle.rs`
//! includes this file and `sched/idle.rs` as its own modules (`#[path]`),
//! where `cfg(all(test, loom))` holds. As in tokio, the switch is
//! `all(test, loom)`, because `loom` is a dev-dependency (and only under
//! `cfg(loom)`, see `Cargo.toml`): the library itself never sees it.
//! Only modules written to be model-checked import from here (today
//! [`crate::sched::idle`]); everything else uses `std` directly.

#[cfg(not(all(test, loom)))]
pub(crate) mod sync {
    pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{fence, AtomicUsize, Ordering};
    }
}

#[cfg(all(test, loom))]
pub(crate) mod sync {
    pub(crate) use ::loom::sync::{Condvar, Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use ::loom::sync::atomic::{fence, AtomicUsize, Ordering};
    }
}
