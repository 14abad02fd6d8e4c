//! Ending the program: the `panic` built-in and runtime errors raised by
//! compiled code (division by zero, `unwrap` of `None`, ...), failed
//! asserts, and `process_exit`.
//!
//! Contract: `msg` is a valid string (or, for `plat_assert_fail`, null);
//! `loc` is null or a NUL-terminated `"file:line:col"`.
#![allow(clippy::missing_safety_doc)]

use std::ffi::{c_char, CStr};

use crate::fatal::{self, loc_arg};
use crate::string::{self, PlatStr};

/// Raises a Plat panic: prints `panic: MESSAGE\n  at LOC\n` on stderr
/// (after flushing stdout) and exits with 101.
#[no_mangle]
pub unsafe extern "C" fn plat_panic(msg: *const PlatStr, loc: *const c_char) -> ! {
    // SAFETY: valid string and location (module contract).
    unsafe { crate::sched::panic(string::bytes(msg), loc_arg(loc)) }
}

/// As `plat_panic`, with a NUL-terminated message (for the compiler's
/// fixed messages such as "division by zero").
#[no_mangle]
pub unsafe extern "C" fn plat_panic_cstr(msg: *const c_char, loc: *const c_char) -> ! {
    // SAFETY: NUL-terminated message and valid location (module contract).
    unsafe { crate::sched::panic(CStr::from_ptr(msg).to_bytes(), loc_arg(loc)) }
}

/// A failed `assert`: prints `✗ MESSAGE\n  at LOC\n` on stderr (message
/// "Assertion failed" when `msg` is null) and exits with 1.
#[no_mangle]
pub unsafe extern "C" fn plat_assert_fail(msg: *const PlatStr, loc: *const c_char) -> ! {
    // SAFETY: null or a valid string, and a valid location (module contract).
    unsafe {
        let msg = if msg.is_null() {
            None
        } else {
            Some(string::bytes(msg))
        };
        fatal::assert_fail(msg, loc_arg(loc))
    }
}

/// `process_exit(code = n)`: flushes stdout and exits with `code`.
#[no_mangle]
pub extern "C" fn plat_process_exit(code: i32) -> ! {
    fatal::exit(code)
}
