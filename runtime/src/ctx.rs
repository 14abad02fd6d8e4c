//! The task context: [`PlatCtx`], the hidden first argument of every
//! compiled function.
//!
//! Known to compiler: the offsets of `stack_limit` and `poll` are
//! `plat_abi::ctx`'s (the assertions below tie this struct to them), and
//! `docs/runtime-abi.md` ("The task context") describes the contract.
//! Compiled code reads those two fields and nothing else, never writes
//! them and never allocates a context.
//!
//! # Invariants
//!
//! - Every context is the first field of a `sched::task::Fiber`
//!   (`#[repr(C)]`), so the `ctx` pointer compiled code passes around is
//!   the running task's fiber (`sched::task` relies on this).
//! - `stack_limit` is the lowest address compiled code running on this
//!   task's stack may use: the stack's lowest usable address plus the
//!   margin kept for runtime (Rust) code called from Plat, which does not
//!   check the limit (`entry::STACK_MARGIN` on the main task's stack,
//!   `coro::stack::TASK_MARGIN` on a spawned task's). It is written by the
//!   worker that gives the task a stack, before the task first runs, and
//!   read only by the task itself (and by the stack-overflow handler, on
//!   the task's own thread).
//! - `poll` non-zero asks the task to enter the runtime at its next
//!   safepoint (`plat_safepoint`: preemption, cancellation, the
//!   collector's stop-the-world). Other threads set it with `Release`;
//!   the task clears it in `plat_safepoint` (except in seeded mode, where
//!   it stays set for the task's whole life so that every safepoint is a
//!   seeded preemption point). Compiled code reads it with a plain load at
//!   every function entry and loop back edge and must not cache it.

use std::sync::atomic::AtomicUsize;

/// The task context. Known to compiler (module doc, `plat_abi::ctx`).
#[repr(C)]
#[derive(Debug)]
pub struct PlatCtx {
    /// Lowest stack address compiled code may use (prologue check).
    pub stack_limit: usize,
    /// Non-zero: enter the runtime at the next safepoint.
    pub poll: AtomicUsize,
}

const _: () = {
    use std::mem::{offset_of, size_of};
    assert!(offset_of!(PlatCtx, stack_limit) == plat_abi::ctx::STACK_LIMIT);
    assert!(offset_of!(PlatCtx, poll) == plat_abi::ctx::POLL);
    assert!(size_of::<PlatCtx>() == plat_abi::ctx::PUBLIC_SIZE);
};
