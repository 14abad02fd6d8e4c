//! `plat_abi`: the layout half of the compiler/runtime contract, written
//! once.
//!
//! Every number that compiled code and the runtime must agree on lives
//! here: shape kinds, byte offsets in heap objects and in the static tables
//! the compiler emits, the task context fields compiled code reads, the
//! constants passed to or returned by entry points, and exit codes. The
//! code generator (`compiler/src/codegen/`) emits and reads memory with
//! these constants; the runtime ties each of its `#[repr(C)]` structs to
//! them with compile-time assertions (`offset_of!(...) == plat_abi::...`),
//! so a layout change made on one side only fails to build.
//!
//! The names and signatures of the `plat_*` entry points are not here:
//! they are the compiler's table (`compiler/src/codegen/runtime_abi.rs`),
//! checked against the runtime's exports by a compiler test. The prose
//! contract, with the rules these numbers take part in, is
//! `docs/runtime-abi.md`.
//!
//! All offsets are in bytes. Offsets of words inside objects are `usize`
//! (the compiler converts them to Cranelift's `i32` offsets); everything is
//! `const`, and the crate has no dependencies and no `unsafe`.

#![no_std]

pub mod ctx;
pub mod kind;
pub mod object;
pub mod tables;

/// Size of one word and of one value slot (every Plat value fits in one).
pub const WORD: usize = 8;

/// Process exit codes the runtime uses and tests (and users) rely on.
pub mod exit {
    /// A Plat panic (as Rust's): `panic: MESSAGE`, the location, the
    /// task chain.
    pub const PANIC: i32 = 101;
    /// A failed `assert`: `✗ MESSAGE` and the location.
    pub const ASSERT: i32 = 1;
    /// Every task blocked forever: the deadlock report.
    pub const DEADLOCK: i32 = 2;
    /// A runtime bug or resource exhaustion (`fatal: ...`; as `abort`,
    /// without the core dump).
    pub const FATAL: i32 = 134;
}
