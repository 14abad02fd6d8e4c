//! Every `extern "C"` entry point called by compiled code, grouped by
//! area. Known to compiler: names and signatures must match
//! `compiler/src/codegen/runtime_abi.rs` and `docs/runtime-abi.md`.
//!
//! Conventions: `Bool` parameters and results are `u8` (0 or 1); strings
//! are `*const PlatStr` (pointer to the object header); `loc` parameters
//! are NUL-terminated C strings `"file:line:col"` (may be null).
//!
//! Functions taking pointers are `unsafe`: each module states the contract
//! (valid objects of the stated kind) once in its doc rather than per
//! function.
#![allow(clippy::missing_safety_doc)]

pub mod builder;
pub mod gc;
pub mod math;
pub mod panic;
pub mod print;
pub mod string;
pub mod string_more;
