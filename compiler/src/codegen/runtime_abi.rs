//! The runtime entry points generated code calls: their names and
//! signatures. Known to compiler: must match the runtime's `plat_*`
//! exports (each part's `abi.rs`, see `runtime/src/lib.rs`; the test
//! below checks it) and `docs/runtime-abi.md`. Layout facts (offsets,
//! kinds, table formats) are not here but in the `plat_abi` crate.

use cranelift_codegen::ir::{types, AbiParam, Signature, Type};
use cranelift_codegen::isa::CallConv;

const P: Type = types::I64; // pointers: strings, builders, C strings
const I8: Type = types::I8; // Bool results and arguments

/// `(name, parameters, result)` of every runtime function used.
const TABLE: &[(&str, &[Type], Option<Type>)] = &[
    ("plat_str_concat", &[P, P], Some(P)),
    ("plat_str_eq", &[P, P], Some(I8)),
    ("plat_str_length", &[P], Some(types::I32)),
    ("plat_str_contains", &[P, P], Some(I8)),
    ("plat_str_starts_with", &[P, P], Some(I8)),
    ("plat_str_ends_with", &[P, P], Some(I8)),
    ("plat_str_trim", &[P], Some(P)),
    ("plat_str_trim_left", &[P], Some(P)),
    ("plat_str_trim_right", &[P], Some(P)),
    ("plat_str_replace", &[P, P, P], Some(P)),
    ("plat_str_replace_all", &[P, P, P], Some(P)),
    ("plat_str_is_alpha", &[P], Some(I8)),
    ("plat_str_is_numeric", &[P], Some(I8)),
    ("plat_str_is_alphanumeric", &[P], Some(I8)),
    ("plat_str_substring", &[P, types::I32, types::I32], Some(P)),
    ("plat_str_char_at", &[P, types::I32], Some(P)),
    // Issue 12 (runtime/src/string/abi_more.rs, runtime/src/math.rs).
    ("plat_str_compare", &[P, P], Some(types::I32)),
    ("plat_str_to_upper", &[P], Some(P)),
    ("plat_str_to_lower", &[P], Some(P)),
    ("plat_str_index_of", &[P, P], Some(types::I64)),
    ("plat_str_repeat", &[P, types::I32, P], Some(P)),
    ("plat_str_lines", &[P, P], Some(P)),
    ("plat_str_chars", &[P, P], Some(P)),
    ("plat_str_split_whitespace", &[P, P], Some(P)),
    ("plat_str_pad_left", &[P, types::I32, P, P], Some(P)),
    ("plat_str_pad_right", &[P, types::I32, P, P], Some(P)),
    ("plat_math_sin", &[types::F64], Some(types::F64)),
    ("plat_math_cos", &[types::F64], Some(types::F64)),
    ("plat_math_tan", &[types::F64], Some(types::F64)),
    (
        "plat_math_atan2",
        &[types::F64, types::F64],
        Some(types::F64),
    ),
    ("plat_math_pow", &[types::F64, types::F64], Some(types::F64)),
    ("plat_math_exp", &[types::F64], Some(types::F64)),
    ("plat_math_ln", &[types::F64], Some(types::F64)),
    ("plat_math_log10", &[types::F64], Some(types::F64)),
    ("plat_format_float", &[types::F64, types::I32, P], Some(P)),
    ("plat_str_from_i64", &[types::I64], Some(P)),
    ("plat_str_from_f64", &[types::F64], Some(P)),
    ("plat_str_from_f32", &[types::F32], Some(P)),
    ("plat_str_from_bool", &[I8], Some(P)),
    ("plat_sb_new", &[], Some(P)),
    ("plat_sb_push_str", &[P, P], None),
    ("plat_sb_push_i64", &[P, types::I64], None),
    ("plat_sb_push_f64", &[P, types::F64], None),
    ("plat_sb_push_f32", &[P, types::F32], None),
    ("plat_sb_push_bool", &[P, I8], None),
    ("plat_sb_finish", &[P], Some(P)),
    ("plat_print_str", &[P], None),
    ("plat_panic", &[P, P], None),
    ("plat_panic_cstr", &[P, P], None),
    ("plat_assert_fail", &[P, P], None),
    // `plat test` / `plat bench` (runtime/src/sched/testrun.rs, bench.rs).
    ("plat_test_assert_fail", &[P, P, P], None),
    ("plat_test_main", &[P, P, types::I64], Some(types::I32)),
    ("plat_bench_main", &[P, P, types::I64], Some(types::I32)),
    ("plat_process_exit", &[types::I32], None),
    ("plat_alloc", &[types::I64, P], Some(P)),
    ("plat_value_to_string", &[types::I64, P], Some(P)),
    ("plat_value_eq", &[types::I64, types::I64, P], Some(I8)),
    ("plat_str_split", &[P, P, P], Some(P)),
    ("plat_str_parse_int", &[P, P, P], Some(I8)),
    ("plat_str_parse_int64", &[P, P, P], Some(I8)),
    ("plat_str_parse_float", &[P, P, P], Some(I8)),
    ("plat_str_parse_bool", &[P, P, P], Some(I8)),
    ("plat_list_new", &[P, types::I64], Some(P)),
    ("plat_list_push", &[P, types::I64], None),
    ("plat_list_push_raced", &[P], None),
    ("plat_list_get", &[P, types::I64, P], Some(I8)),
    ("plat_list_set", &[P, types::I64, types::I64, P], None),
    ("plat_list_insert_at", &[P, types::I64, types::I64, P], None),
    ("plat_list_remove_at", &[P, types::I64, P], Some(I8)),
    ("plat_list_pop", &[P, P], Some(I8)),
    ("plat_list_clear", &[P], None),
    ("plat_list_count", &[P, types::I64], Some(types::I64)),
    ("plat_list_index_of", &[P, types::I64], Some(types::I64)),
    ("plat_list_contains", &[P, types::I64], Some(I8)),
    ("plat_list_slice", &[P, types::I64, types::I64], Some(P)),
    ("plat_list_concat", &[P, P], Some(P)),
    ("plat_list_sort", &[P], None),
    ("plat_list_sort_by", &[P, P, P], None),
    ("plat_list_reverse", &[P], None),
    ("plat_list_last", &[P, P], Some(I8)),
    ("plat_list_min_max", &[P, I8, P], Some(I8)),
    ("plat_list_join", &[P, P], Some(P)),
    ("plat_list_extend", &[P, P], None),
    ("plat_list_filled", &[P, types::I64, types::I64], Some(P)),
    ("plat_list_with_capacity", &[P, types::I64], Some(P)),
    ("plat_dict_new", &[P], Some(P)),
    ("plat_dict_len", &[P], Some(types::I64)),
    ("plat_dict_get", &[P, types::I64, P], Some(I8)),
    ("plat_dict_set", &[P, types::I64, types::I64], Some(I8)),
    ("plat_dict_remove", &[P, types::I64, P], Some(I8)),
    ("plat_dict_has_key", &[P, types::I64], Some(I8)),
    ("plat_dict_has_value", &[P, types::I64], Some(I8)),
    ("plat_dict_keys", &[P, P], Some(P)),
    ("plat_dict_values", &[P, P], Some(P)),
    ("plat_dict_merge", &[P, P], None),
    ("plat_dict_clear", &[P], None),
    ("plat_set_new", &[P], Some(P)),
    ("plat_set_len", &[P], Some(types::I64)),
    ("plat_set_add", &[P, types::I64], Some(I8)),
    ("plat_set_remove", &[P, types::I64], Some(I8)),
    ("plat_set_contains", &[P, types::I64], Some(I8)),
    ("plat_set_clear", &[P], None),
    ("plat_set_union", &[P, P], Some(P)),
    ("plat_set_intersection", &[P, P], Some(P)),
    ("plat_set_difference", &[P, P], Some(P)),
    ("plat_set_is_subset_of", &[P, P], Some(I8)),
    ("plat_set_is_superset_of", &[P, P], Some(I8)),
    ("plat_set_is_disjoint_from", &[P, P], Some(I8)),
    ("plat_set_to_list", &[P, P], Some(P)),
    ("plat_scope_enter", &[P], Some(P)),
    ("plat_scope_enter_deadline", &[P, types::I64], Some(P)),
    ("plat_scope_exit", &[P, P], None),
    ("plat_spawn", &[P, P, P, P, P], Some(P)),
    ("plat_thread_spawn", &[P, P, P, P], Some(P)),
    ("plat_task_await", &[P, P, P], Some(types::I64)),
    (
        "plat_task_await_timeout",
        &[P, P, types::I64, P, P],
        Some(I8),
    ),
    ("plat_task_is_done", &[P], Some(I8)),
    ("plat_task_cancel", &[P], None),
    ("plat_is_cancelled", &[P], Some(I8)),
    ("plat_race_enter", &[P], Some(P)),
    ("plat_race_wait", &[P, P, P], Some(types::I64)),
    ("plat_safepoint", &[P], None),
    // Called with the preserve_all convention (see `signature`).
    ("plat_safepoint_preserving", &[P], None),
    ("plat_time_sleep", &[P, types::I64], None),
    ("plat_time_now", &[], Some(types::I64)),
    ("plat_time_monotonic_nanos", &[], Some(types::I64)),
    ("plat_par_chunks", &[types::I64], Some(types::I64)),
    ("plat_register_functions", &[P], None),
    // Channels and select (runtime/src/chan/abi.rs).
    ("plat_chan_new", &[P, types::I64, P], Some(P)),
    ("plat_chan_unbounded", &[P, P], Some(P)),
    ("plat_chan_send", &[P, P, types::I64], Some(I8)),
    ("plat_chan_try_send", &[P, types::I64], Some(I8)),
    ("plat_chan_recv", &[P, P, P], Some(I8)),
    ("plat_chan_try_recv", &[P, P], Some(I8)),
    ("plat_chan_recv_timeout", &[P, P, types::I64, P], Some(I8)),
    ("plat_chan_close", &[P, P], None),
    ("plat_chan_is_closed", &[P], Some(I8)),
    ("plat_chan_len", &[P], Some(types::I64)),
    ("plat_chan_capacity", &[P], Some(types::I64)),
    (
        "plat_select",
        &[P, P, types::I64, P, types::I64, P, P, P],
        Some(types::I64),
    ),
    // The synchronisation library (runtime/src/sync/).
    ("plat_mutex_new", &[P], Some(P)),
    ("plat_mutex_lock", &[P, P], None),
    ("plat_mutex_unlock", &[P, P, P], None),
    ("plat_mutex_try_lock", &[P, P], Some(I8)),
    ("plat_rwlock_new", &[P], Some(P)),
    ("plat_rwlock_read_lock", &[P, P], None),
    ("plat_rwlock_read_unlock", &[P, P, P], None),
    ("plat_rwlock_write_lock", &[P, P], None),
    ("plat_rwlock_write_unlock", &[P, P, P], None),
    ("plat_cond_new", &[P, P], Some(P)),
    ("plat_cond_wait", &[P, P, P], None),
    ("plat_cond_signal", &[P], None),
    ("plat_cond_broadcast", &[P], None),
    ("plat_wg_new", &[P], Some(P)),
    ("plat_wg_add", &[P, types::I64, P], None),
    ("plat_wg_done", &[P, P], None),
    ("plat_wg_wait", &[P, P], None),
    ("plat_sem_new", &[types::I64, P], Some(P)),
    ("plat_sem_acquire", &[P, P], None),
    ("plat_sem_release", &[P, P, P], None),
    ("plat_sem_try_acquire", &[P, P], Some(I8)),
    ("plat_once_new", &[P], Some(P)),
    ("plat_once_begin", &[P, P], Some(I8)),
    ("plat_once_end", &[P, P], None),
    ("plat_atomic_new", &[types::I64, P], Some(P)),
    ("plat_atomic_load", &[P, types::I32], Some(types::I64)),
    ("plat_atomic_store", &[P, types::I64, types::I32], None),
    (
        "plat_atomic_swap",
        &[P, types::I64, types::I32],
        Some(types::I64),
    ),
    (
        "plat_atomic_add",
        &[P, types::I64, types::I32, types::I32],
        Some(types::I64),
    ),
    (
        "plat_atomic_cas",
        &[P, types::I64, types::I64, types::I32],
        Some(I8),
    ),
    ("plat_ctoken_new", &[P], Some(P)),
    ("plat_ctoken_with_timeout", &[types::I64, P], Some(P)),
    ("plat_ctoken_child", &[P, P], Some(P)),
    ("plat_ctoken_cancel", &[P], None),
    ("plat_ctoken_is_cancelled", &[P], Some(I8)),
    ("plat_ctoken_done", &[P], Some(P)),
    ("plat_ticker_new", &[types::I64, P], Some(P)),
    ("plat_ticker_channel", &[P], Some(P)),
    ("plat_ticker_stop", &[P], None),
    (
        "plat_ratelimiter_new",
        &[types::I64, types::I64, P],
        Some(P),
    ),
    ("plat_ratelimiter_wait", &[P, P], None),
    ("plat_ratelimiter_try_take", &[P], Some(I8)),
];

/// The signature of runtime function `name`, or `None` if it is unknown.
pub fn signature(name: &str, call_conv: CallConv) -> Option<Signature> {
    let (_, params, ret) = TABLE.iter().find(|(n, _, _)| *n == name)?;
    // The safepoint poll's slow path keeps every register: a poll in a
    // loop then makes no value spill around its (cold) call.
    let call_conv = if name == "plat_safepoint_preserving" {
        CallConv::PreserveAll
    } else {
        call_conv
    };
    let mut sig = Signature::new(call_conv);
    // LLVM-compiled callees assume `u8` arguments arrive zero-extended to
    // 32 bits (a de-facto SysV rule); Cranelift extends only when asked.
    sig.params.extend(params.iter().map(|t| match *t {
        I8 => AbiParam::new(I8).uext(),
        t => AbiParam::new(t),
    }));
    sig.returns.extend(ret.iter().map(|t| AbiParam::new(*t)));
    Some(sig)
}

/// Runtime functions that never return: a trap follows each call.
pub fn never_returns(name: &str) -> bool {
    matches!(
        name,
        "plat_panic"
            | "plat_panic_cstr"
            | "plat_assert_fail"
            | "plat_process_exit"
            | "plat_list_push_raced"
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Exported by the runtime but called by no compiled code: used by
    /// the runtime's own tests (`plat_list_len`, `plat_value_hash`) and
    /// kept for C code linked with a program (`plat_flush_stdout`).
    const RUNTIME_ONLY: &[&str] = &["plat_flush_stdout", "plat_list_len", "plat_value_hash"];

    /// Every `extern "C" fn plat_*` in the runtime's sources.
    fn runtime_exports() -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("runtime sources").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for piece in text.split("extern \"C\" fn ").skip(1) {
                    let name: String = piece
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if name.starts_with("plat_") {
                        out.insert(name);
                    }
                }
            }
        }
        out
    }

    /// The compiler's entry-point tables (this file's and the system
    /// built-ins') and the runtime's exports agree, both ways: a name the
    /// compiler calls that the runtime lacks would fail at link time of
    /// the first program using it; an export nobody calls is dead weight
    /// or a table that forgot it.
    #[test]
    fn the_entry_point_tables_and_the_runtime_exports_agree() {
        let exports = runtime_exports();
        let mut called: BTreeSet<String> = super::TABLE
            .iter()
            .map(|(n, _, _)| (*n).to_owned())
            .collect();
        called.extend(
            crate::check::builtins::sys_runtime_symbols()
                .iter()
                .map(|s| (*s).to_owned()),
        );
        let missing: Vec<_> = called.difference(&exports).collect();
        assert!(
            missing.is_empty(),
            "called by compiled code, not exported by the runtime: {missing:?}"
        );
        let unused: Vec<_> = exports
            .iter()
            .filter(|e| !called.contains(*e) && !RUNTIME_ONLY.contains(&e.as_str()))
            .collect();
        assert!(
            unused.is_empty(),
            "exported by the runtime, in no table: {unused:?}"
        );
    }
}
