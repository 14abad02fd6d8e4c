//! `print(value = s)`.
#![allow(clippy::missing_safety_doc)]

use crate::string::{self, PlatStr};

/// `print(value = s)`: writes `s` and a newline to the buffered stdout.
///
/// `s` must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn plat_print_str(s: *const PlatStr) {
    // SAFETY: `s` is a valid string (contract above).
    crate::stdout::print_line(unsafe { string::bytes(s) });
}

/// Flushes the buffered stdout (for code that writes to fd 1 another way).
#[no_mangle]
pub extern "C" fn plat_flush_stdout() {
    crate::stdout::flush();
}
