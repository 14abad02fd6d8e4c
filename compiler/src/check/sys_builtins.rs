//! The built-in functions of spec section 13 that the runtime implements
//! one for one (files, directories, sockets, environment, processes,
//! randomness, standard input): one row each, giving the Plat name, the
//! named parameters, the result type and the runtime function.
//!
//! Each becomes a [`Builtin::Sys`] call; `codegen/sys.rs` lowers every
//! one the same way (see docs/runtime-abi.md, "System built-ins"), so a
//! new built-in of this kind is a row here plus its runtime function.

use super::builtin_sig::{BuiltinParam, BuiltinSig, ParamTy};
use crate::hir::{AdtId, Builtin, IntWidth, Ty};

fn p(name: &'static str, ty: Ty) -> BuiltinParam {
    BuiltinParam {
        name,
        ty: ParamTy::Exactly(ty),
        optional: false,
    }
}

/// The signature of system built-in `name`, if it is one.
pub(crate) fn function(name: &str) -> Option<BuiltinSig> {
    let s = || Ty::String;
    let i32_ = || Ty::INT32;
    let i64_ = || Ty::INT64;
    let res = |t: Ty| Ty::result(t, Ty::String);
    let bytes = || Ty::List(Box::new(Ty::Int(IntWidth::W8)));
    let path = || vec![p("path", s())];
    let fd = || p("fd", i32_());
    let unit_fn = || Ty::Fn(Vec::new(), Box::new(Ty::Unit));
    let (symbol, params, ret): (&'static str, Vec<BuiltinParam>, Ty) = match name {
        // Files (a blocking pool runs the system calls).
        "file_open" => (
            "plat_file_open",
            vec![p("path", s()), p("mode", s())],
            res(i32_()),
        ),
        "file_read" => (
            "plat_file_read",
            vec![fd(), p("max_bytes", i32_())],
            res(s()),
        ),
        "file_write" => ("plat_file_write", vec![fd(), p("data", s())], res(i32_())),
        "file_close" => ("plat_file_close", vec![fd()], res(Ty::Bool)),
        "file_read_binary" => (
            "plat_file_read_binary",
            vec![fd(), p("max_bytes", i32_())],
            res(bytes()),
        ),
        "file_write_binary" => (
            "plat_file_write_binary",
            vec![fd(), p("data", bytes())],
            res(i32_()),
        ),
        "file_seek" => (
            "plat_file_seek",
            vec![fd(), p("offset", i64_()), p("whence", i32_())],
            res(i64_()),
        ),
        "file_tell" => ("plat_file_tell", vec![fd()], res(i64_())),
        "file_rewind" => ("plat_file_rewind", vec![fd()], res(Ty::Bool)),
        "file_exists" => ("plat_file_exists", path(), Ty::Bool),
        "file_is_dir" => ("plat_file_is_dir", path(), Ty::Bool),
        "file_is_symlink" => ("plat_file_is_symlink", path(), Ty::Bool),
        "file_size" => ("plat_file_size", path(), res(i64_())),
        "file_delete" => ("plat_file_delete", path(), res(Ty::Bool)),
        "file_rename" => (
            "plat_file_rename",
            vec![p("old_path", s()), p("new_path", s())],
            res(Ty::Bool),
        ),
        "file_chmod" => (
            "plat_file_chmod",
            vec![p("path", s()), p("mode", i32_())],
            res(Ty::Bool),
        ),
        "file_get_permissions" => ("plat_file_get_permissions", path(), res(i32_())),
        "file_modified_time" => ("plat_file_modified_time", path(), res(i64_())),
        "file_created_time" => ("plat_file_created_time", path(), res(i64_())),
        "dir_create" => ("plat_dir_create", path(), res(Ty::Bool)),
        "dir_create_all" => ("plat_dir_create_all", path(), res(Ty::Bool)),
        "dir_remove" => ("plat_dir_remove", path(), res(Ty::Bool)),
        "dir_list" => ("plat_dir_list", path(), res(s())),
        "symlink_create" => (
            "plat_symlink_create",
            vec![p("target", s()), p("link", s())],
            res(Ty::Bool),
        ),
        "symlink_read" => ("plat_symlink_read", path(), res(s())),
        "symlink_delete" => ("plat_symlink_delete", path(), res(Ty::Bool)),
        // Sockets (the readiness poller parks the task).
        "tcp_listen" => (
            "plat_tcp_listen",
            vec![p("host", s()), p("port", i32_())],
            res(i32_()),
        ),
        "tcp_accept" => ("plat_tcp_accept", vec![p("listener", i32_())], res(i32_())),
        "tcp_connect" => (
            "plat_tcp_connect",
            vec![p("host", s()), p("port", i32_())],
            res(i32_()),
        ),
        "tcp_read" => (
            "plat_tcp_read",
            vec![p("socket", i32_()), p("max_bytes", i32_())],
            res(s()),
        ),
        "tcp_write" => (
            "plat_tcp_write",
            vec![p("socket", i32_()), p("data", s())],
            res(i32_()),
        ),
        "tcp_close" => ("plat_tcp_close", vec![p("socket", i32_())], res(Ty::Bool)),
        "tcp_local_port" => (
            "plat_tcp_local_port",
            vec![p("socket", i32_())],
            res(i32_()),
        ),
        // Environment, randomness, processes, standard input.
        "env_get" => ("plat_env_get", vec![p("name", s())], Ty::option(s())),
        "env_set" => (
            "plat_env_set",
            vec![p("name", s()), p("value", s())],
            Ty::Bool,
        ),
        "env_vars" => ("plat_env_vars", vec![], s()),
        "random_int" => (
            "plat_random_int",
            vec![p("min", i64_()), p("max", i64_())],
            i64_(),
        ),
        "random_float" => ("plat_random_float", vec![], Ty::FLOAT64),
        "process_args" => ("plat_process_args", vec![], s()),
        "process_run" => (
            "plat_process_run",
            vec![p("command", s()), p("args", Ty::List(Box::new(s())))],
            res(Ty::Adt(AdtId::PROCESS_OUTPUT, Vec::new())),
        ),
        "io_read_line" => ("plat_io_read_line", vec![], Ty::option(s())),
        // Primitives for library code (runtime/src/sched/boundary.rs,
        // docs/actors.md): a task of the caller's dynamic scope, a panic
        // caught at a task boundary, a line on stderr.
        "scope_spawn" => (
            "plat_scope_spawn",
            vec![p("f", unit_fn())],
            Ty::option(Ty::Task(Box::new(Ty::Unit))),
        ),
        "catch_panic" => ("plat_catch_panic", vec![p("f", unit_fn())], Ty::option(s())),
        "eprint" => ("plat_eprint", vec![p("value", s())], Ty::Unit),
        _ => return None,
    };
    Some(BuiltinSig {
        op: Builtin::Sys(symbol),
        params,
        ret,
    })
}
