//! The task context (runtime `ctx::PlatCtx`): the hidden first argument of
//! every compiled function (docs/runtime-abi.md "The task context").
//!
//! Compiled code reads these two fields and nothing else; it never
//! allocates a context, and the runtime may add private fields after them.

/// `stack_limit: usize`: the lowest stack address compiled code may use
/// (the prologue's check, Cranelift's `stack_limit`, traps below it).
pub const STACK_LIMIT: usize = 0;
/// `poll: usize`: non-zero asks the task to enter the runtime
/// (`plat_safepoint`) at its next safepoint; written by other threads,
/// read with a plain load at every function entry and loop back edge.
pub const POLL: usize = 8;
/// Bytes of the context that compiled code knows about.
pub const PUBLIC_SIZE: usize = 16;
