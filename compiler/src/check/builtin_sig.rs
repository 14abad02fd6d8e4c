//! What a built-in function or method looks like to the call checker:
//! its named parameters, their types and its result. The tables are
//! `builtins.rs`, `sys_builtins.rs`, `collections.rs` and `sync_lib.rs`.

use crate::hir::{Builtin, Ty};

/// The type a built-in parameter accepts.
#[derive(Clone, Debug)]
pub(crate) enum ParamTy {
    Exactly(Ty),
    /// Any type with a value (`print`).
    Any,
}

#[derive(Clone, Debug)]
pub(crate) struct BuiltinParam {
    pub name: &'static str,
    pub ty: ParamTy,
    pub optional: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct BuiltinSig {
    pub op: Builtin,
    pub params: Vec<BuiltinParam>,
    pub ret: Ty,
}
