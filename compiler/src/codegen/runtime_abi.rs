//! The runtime entry points generated code calls: their names and
//! signatures. Known to compiler: must match `runtime/src/abi/` and
//! `docs/runtime-abi.md`.

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
    ("plat_process_exit", &[types::I32], None),
];

/// The signature of runtime function `name`, or `None` if it is unknown.
pub fn signature(name: &str, call_conv: CallConv) -> Option<Signature> {
    let (_, params, ret) = TABLE.iter().find(|(n, _, _)| *n == name)?;
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
        "plat_panic" | "plat_panic_cstr" | "plat_assert_fail" | "plat_process_exit"
    )
}
