//! The built-in functions and the methods of built-in types, as tables the
//! call checker binds arguments against.

use super::builtin_sig::{BuiltinParam, BuiltinSig, ParamTy};
use super::sys_builtins;
use crate::hir::{Builtin, Ty};

const fn p(name: &'static str, ty: Ty) -> BuiltinParam {
    BuiltinParam {
        name,
        ty: ParamTy::Exactly(ty),
        optional: false,
    }
}

/// Every built-in function name of section 13 (and `print`, `assert`,
/// `cast`, `panic`): user top-level functions may not reuse them.
const BUILTIN_NAMES: &[&str] = &[
    "print",
    "math_sqrt",
    "math_abs",
    "math_floor",
    "math_ceil",
    "math_min",
    "math_max",
    "math_sin",
    "math_cos",
    "math_tan",
    "math_atan2",
    "math_pow",
    "math_exp",
    "math_ln",
    "math_log10",
    "format_float",
    "assert",
    "cast",
    "panic",
    "file_open",
    "file_read",
    "file_write",
    "file_close",
    "file_read_binary",
    "file_write_binary",
    "file_exists",
    "file_is_dir",
    "file_is_symlink",
    "file_size",
    "file_delete",
    "file_rename",
    "dir_create",
    "dir_create_all",
    "dir_remove",
    "dir_list",
    "file_seek",
    "file_tell",
    "file_rewind",
    "file_chmod",
    "file_get_permissions",
    "file_modified_time",
    "file_created_time",
    "symlink_create",
    "symlink_read",
    "symlink_delete",
    "tcp_listen",
    "tcp_accept",
    "tcp_connect",
    "tcp_read",
    "tcp_write",
    "tcp_close",
    "tcp_local_port",
    "time_now",
    "time_sleep",
    "time_monotonic_nanos",
    "env_get",
    "env_set",
    "env_vars",
    "random_int",
    "random_float",
    "process_exit",
    "process_args",
    "process_run",
    "io_read_line",
    "is_cancelled",
    "scope_spawn",
    "catch_panic",
    "eprint",
];

pub(crate) fn is_builtin_name(name: &str) -> bool {
    BUILTIN_NAMES.contains(&name)
}

/// The signature of a built-in function this version compiles.
pub(crate) fn function(name: &str) -> Option<BuiltinSig> {
    let (op, params, ret) = match name {
        "print" => (
            Builtin::Print,
            vec![BuiltinParam {
                name: "value",
                ty: ParamTy::Any,
                optional: false,
            }],
            Ty::Unit,
        ),
        "assert" => (
            Builtin::Assert,
            vec![
                p("condition", Ty::Bool),
                BuiltinParam {
                    optional: true,
                    ..p("message", Ty::String)
                },
            ],
            Ty::Unit,
        ),
        "panic" => (Builtin::Panic, vec![p("message", Ty::String)], Ty::Never),
        "process_exit" => (Builtin::ProcessExit, vec![p("code", Ty::INT32)], Ty::Never),
        "is_cancelled" => (Builtin::IsCancelled, vec![], Ty::Bool),
        "time_sleep" => (Builtin::TimeSleep, vec![p("millis", Ty::INT64)], Ty::Bool),
        "time_now" => (Builtin::TimeNow, vec![], Ty::INT64),
        "time_monotonic_nanos" => (Builtin::TimeMonotonicNanos, vec![], Ty::INT64),
        "math_sqrt" => (
            Builtin::MathSqrt,
            vec![p("value", Ty::FLOAT64)],
            Ty::FLOAT64,
        ),
        "math_floor" => (
            Builtin::MathFloor,
            vec![p("value", Ty::FLOAT64)],
            Ty::FLOAT64,
        ),
        "math_ceil" => (
            Builtin::MathCeil,
            vec![p("value", Ty::FLOAT64)],
            Ty::FLOAT64,
        ),
        "math_sin" => float_fn(Builtin::MathSin, &["value"]),
        "math_cos" => float_fn(Builtin::MathCos, &["value"]),
        "math_tan" => float_fn(Builtin::MathTan, &["value"]),
        "math_atan2" => float_fn(Builtin::MathAtan2, &["y", "x"]),
        "math_pow" => float_fn(Builtin::MathPow, &["base", "exponent"]),
        "math_exp" => float_fn(Builtin::MathExp, &["value"]),
        "math_ln" => float_fn(Builtin::MathLn, &["value"]),
        "math_log10" => float_fn(Builtin::MathLog10, &["value"]),
        "format_float" => (
            Builtin::FormatFloat,
            vec![p("value", Ty::FLOAT64), p("decimals", Ty::INT32)],
            Ty::String,
        ),
        _ => return sys_builtins::function(name),
    };
    Some(BuiltinSig { op, params, ret })
}

/// A function of Float64 parameters named `names` returning a Float64.
fn float_fn(op: Builtin, names: &[&'static str]) -> (Builtin, Vec<BuiltinParam>, Ty) {
    let params = names.iter().map(|&n| p(n, Ty::FLOAT64)).collect();
    (op, params, Ty::FLOAT64)
}

/// The built-ins that take operands of any one numeric type and return
/// that type (`check/math_fns.rs`): their operation and parameter names.
pub(crate) fn numeric_function(name: &str) -> Option<(Builtin, &'static [&'static str])> {
    match name {
        "math_abs" => Some((Builtin::MathAbs, &["value"])),
        "math_min" => Some((Builtin::MathMin, &["a", "b"])),
        "math_max" => Some((Builtin::MathMax, &["a", "b"])),
        _ => None,
    }
}

/// A method of `Task<T>`; `t` is the task's result type.
pub(crate) fn task_method(t: &Ty, name: &str) -> Option<BuiltinSig> {
    let (op, params, ret) = match name {
        "await" => (Builtin::TaskAwait, vec![], t.clone()),
        "await_timeout" => (
            Builtin::TaskAwaitTimeout,
            vec![p("millis", Ty::INT64)],
            Ty::option(t.clone()),
        ),
        "is_done" => (Builtin::TaskIsDone, vec![], Ty::Bool),
        "cancel" => (Builtin::TaskCancel, vec![], Ty::Unit),
        _ => return None,
    };
    Some(BuiltinSig { op, params, ret })
}

/// A method of `Thread<T>`; `t` is the thread's result type. `join` is
/// the task handle's await (the thread runs a pinned task).
pub(crate) fn thread_method(t: &Ty, name: &str) -> Option<BuiltinSig> {
    let (op, params, ret) = match name {
        "join" => (Builtin::TaskAwait, vec![], t.clone()),
        "is_done" => (Builtin::TaskIsDone, vec![], Ty::Bool),
        _ => return None,
    };
    Some(BuiltinSig { op, params, ret })
}

/// The signature of a `String` method; the receiver is not listed.
pub(crate) fn string_method(name: &str) -> Option<BuiltinSig> {
    use Builtin::*;
    let s = || Ty::String;
    let (op, params, ret) = match name {
        "length" => (StrLength, vec![], Ty::INT32),
        "concat" => (StrConcat, vec![p("other", s())], s()),
        "contains" => (StrContains, vec![p("needle", s())], Ty::Bool),
        "starts_with" => (StrStartsWith, vec![p("prefix", s())], Ty::Bool),
        "ends_with" => (StrEndsWith, vec![p("suffix", s())], Ty::Bool),
        "trim" => (StrTrim, vec![], s()),
        "trim_left" => (StrTrimLeft, vec![], s()),
        "trim_right" => (StrTrimRight, vec![], s()),
        "replace" => (StrReplace, vec![p("from", s()), p("to", s())], s()),
        "replace_all" => (StrReplaceAll, vec![p("from", s()), p("to", s())], s()),
        "is_alpha" => (StrIsAlpha, vec![], Ty::Bool),
        "is_numeric" => (StrIsNumeric, vec![], Ty::Bool),
        "is_alphanumeric" => (StrIsAlphanumeric, vec![], Ty::Bool),
        "substring" => (
            StrSubstring,
            vec![p("start", Ty::INT32), p("end", Ty::INT32)],
            s(),
        ),
        "char_at" => (StrCharAt, vec![p("index", Ty::INT32)], s()),
        "split" => (StrSplit, vec![p("delimiter", s())], Ty::List(Box::new(s()))),
        "parse_int" => (StrParse, vec![], Ty::result(Ty::INT32, s())),
        "parse_int64" => (StrParse, vec![], Ty::result(Ty::INT64, s())),
        "parse_float" => (StrParse, vec![], Ty::result(Ty::FLOAT64, s())),
        "parse_bool" => (StrParse, vec![], Ty::result(Ty::Bool, s())),
        "compare" => (StrCompare, vec![p("other", s())], Ty::INT32),
        "to_upper" => (StrToUpper, vec![], s()),
        "to_lower" => (StrToLower, vec![], s()),
        "index_of" => (StrIndexOf, vec![p("needle", s())], Ty::option(Ty::INT32)),
        "repeat" => (StrRepeat, vec![p("count", Ty::INT32)], s()),
        "lines" => (StrLines, vec![], Ty::List(Box::new(s()))),
        "chars" => (StrChars, vec![], Ty::List(Box::new(s()))),
        "split_whitespace" => (StrSplitWhitespace, vec![], Ty::List(Box::new(s()))),
        "pad_left" | "pad_right" => (
            if name == "pad_left" {
                StrPadLeft
            } else {
                StrPadRight
            },
            vec![
                p("width", Ty::INT32),
                BuiltinParam {
                    optional: true,
                    ..p("fill", s())
                },
            ],
            s(),
        ),
        _ => return None,
    };
    Some(BuiltinSig { op, params, ret })
}

/// All String method names, for "did you mean" hints.
pub(crate) const STRING_METHODS: &[&str] = &[
    "length",
    "concat",
    "contains",
    "starts_with",
    "ends_with",
    "trim",
    "trim_left",
    "trim_right",
    "replace",
    "replace_all",
    "is_alpha",
    "is_numeric",
    "is_alphanumeric",
    "substring",
    "char_at",
    "split",
    "parse_int",
    "parse_int64",
    "parse_float",
    "parse_bool",
    "compare",
    "to_upper",
    "to_lower",
    "index_of",
    "repeat",
    "lines",
    "chars",
    "split_whitespace",
    "pad_left",
    "pad_right",
];

/// The runtime function of every system built-in (for the test that the
/// compiler's tables and the runtime's exports agree).
#[cfg(test)]
pub(crate) fn sys_runtime_symbols() -> Vec<&'static str> {
    BUILTIN_NAMES
        .iter()
        .filter_map(|name| match sys_builtins::function(name)?.op {
            Builtin::Sys(symbol) => Some(symbol),
            _ => None,
        })
        .collect()
}
