//! The Plat compiler. The pipeline, one module per stage:
//!
//! 1. [`syntax`]: lexing and parsing to an AST with spans;
//! 2. [`check`]: name resolution and type checking to the typed [`hir`];
//! 3. [`mir`]: lowering to the monomorphic mid-level IR (every generic
//!    function instantiated, safepoint polls placed);
//! 4. [`codegen`]: Cranelift code for every MIR function, written as an
//!    object;
//! 5. [`link`]: the system C compiler links it with the runtime archive.
//!
//! [`driver`] runs the stages in order; [`diag`] renders every error.

pub mod check;
pub mod codegen;
pub mod diag;
pub mod driver;
pub mod dump;
pub mod fmt;
pub mod hir;
pub mod link;
pub mod mir;
pub mod modules;
pub mod output;
pub mod source;
pub mod stack;
pub mod syntax;
pub mod testcmd;
