//! Entry points of the environment, randomness, process and standard
//! input built-ins (calling convention: docs/runtime-abi.md, "System
//! built-ins"). The work is in [`super::env`], [`super::random`],
//! [`super::process`] and [`super::stdin`]; this file converts between
//! Plat values and Rust ones.

use super::{blocking, env, process, random, stdin, value};
use crate::collections::list::PlatList;
use crate::ctx::PlatCtx;
use crate::entry;
use crate::gc::heap;
use crate::gc::shape::PlatShape;
use crate::string::PlatStr;

/// Size of a `ProcessOutput` object: header, `exit_code`, `stdout`,
/// `stderr` (one word each).
const PROCESS_OUTPUT_SIZE: usize = 32;

/// `env_get(name) -> Option<String>`.
///
/// # Safety
///
/// `name` is a valid string; `opt` the descriptor of `Option<String>`.
#[no_mangle]
pub unsafe extern "C" fn plat_env_get(
    _ctx: *mut PlatCtx,
    name: *const PlatStr,
    opt: *const PlatShape,
) -> *mut u8 {
    // SAFETY: the caller's contract.
    let name = unsafe { value::owned(name) };
    match env::get(&name) {
        Some(v) => {
            let s = value::str_of(&v);
            value::some(opt, s as u64)
        }
        None => value::none(opt),
    }
}

/// `env_set(name, value) -> Bool`.
///
/// # Safety
///
/// `name` and `val` are valid strings.
#[no_mangle]
pub unsafe extern "C" fn plat_env_set(
    _ctx: *mut PlatCtx,
    name: *const PlatStr,
    val: *const PlatStr,
) -> u8 {
    // SAFETY: the caller's contract.
    let (name, val) = unsafe { (value::owned(name), value::owned(val)) };
    u8::from(env::set(&name, &val))
}

/// `env_vars() -> String`.
#[no_mangle]
pub extern "C" fn plat_env_vars(_ctx: *mut PlatCtx) -> *const PlatStr {
    value::str_of(&env::vars())
}

/// `random_int(min, max) -> Int64`; `min > max` panics.
#[no_mangle]
pub extern "C" fn plat_random_int(_ctx: *mut PlatCtx, min: i64, max: i64) -> i64 {
    match random::int_in(min, max) {
        Ok(v) => v,
        Err(msg) => crate::sched::panic(msg.as_bytes(), None),
    }
}

/// `random_float() -> Float64`.
#[no_mangle]
pub extern "C" fn plat_random_float(_ctx: *mut PlatCtx) -> f64 {
    random::float()
}

/// `process_args() -> String`: argv, one per line, argv[0] first (bytes
/// that are not UTF-8 become U+FFFD).
#[no_mangle]
pub extern "C" fn plat_process_args(_ctx: *mut PlatCtx) -> *const PlatStr {
    let args: Vec<String> = entry::args()
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    value::str_of(&args.join("\n"))
}

/// `io_read_line() -> Option<String>` (see [`stdin`]).
///
/// # Safety
///
/// `opt` is the descriptor of `Option<String>`.
#[no_mangle]
pub unsafe extern "C" fn plat_io_read_line(_ctx: *mut PlatCtx, opt: *const PlatShape) -> *mut u8 {
    match blocking::run("standard input", stdin::read_line) {
        stdin::Line::Text(line) => {
            let s = value::str_of(&line);
            value::some(opt, s as u64)
        }
        stdin::Line::End => value::none(opt),
        stdin::Line::Failed(msg) => crate::sched::panic(msg.as_bytes(), None),
    }
}

/// `process_run(command, args) -> Result<ProcessOutput, String>`.
///
/// # Safety
///
/// `command` is a valid string, `args` a valid `List[String]`, `res` the
/// descriptor of `Result<ProcessOutput, String>` and `class` that of
/// `ProcessOutput`.
#[no_mangle]
pub unsafe extern "C" fn plat_process_run(
    _ctx: *mut PlatCtx,
    command: *const PlatStr,
    args: *mut PlatList,
    res: *const PlatShape,
    class: *const PlatShape,
) -> *mut u8 {
    // Copy everything out of the Plat heap before the blocking pool.
    // SAFETY: the caller's contract: a valid string and list whose
    // elements are valid strings.
    let (command, args) = unsafe {
        let args: Vec<String> = (*args)
            .iter()
            .map(|s| value::owned(s as *const PlatStr))
            .collect();
        (value::owned(command), args)
    };
    let done = blocking::run("a child process", move || process::run(&command, &args));
    match done {
        Ok(f) => {
            // Each pointer stays in a local while the next allocation runs
            // (task stacks are scanned conservatively).
            let out = value::str_of(&f.stdout);
            let err = value::str_of(&f.stderr);
            let obj = heap::alloc(PROCESS_OUTPUT_SIZE, class);
            // SAFETY: a fresh object of 4 words: header, then 3 slots.
            unsafe {
                let w = obj as *mut u64;
                w.add(1).write(i64::from(f.exit_code) as u64);
                w.add(2).write(out as u64);
                w.add(3).write(err as u64);
            }
            value::ok(res, obj as u64)
        }
        Err(msg) => value::err(res, &msg),
    }
}
