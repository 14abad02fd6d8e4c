//! Coroutines: task stacks and the context switch.
//!
//! - [`stack`]: fixed-size task stacks carved from large `MAP_NORESERVE`
//!   reservations, recycled through a per-thread cache and a global pool.
//! - [`switch`]: the machine-level switch between two stacks (x86_64 SysV;
//!   other architectures are not implemented yet and fail to build a
//!   scheduler at run time, see [`switch`]).
//!
//! # Invariants
//!
//! - A stack belongs to at most one task at a time; it goes back to the
//!   pool only after the scheduler has switched off it for the last time.
//! - Nothing here knows about tasks: the scheduler (`sched`) owns the
//!   policy, this module only provides memory and the switch.

pub mod stack;
pub mod switch;
