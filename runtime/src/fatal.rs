//! Ending the process: normal exit, Plat panics, failed asserts, and
//! runtime bugs.
//!
//! Two kinds of failure, as in Go's runtime (`panic` vs `throw`):
//!
//! - **Plat panics** ([`panic`]) are the program's fault: division by zero,
//!   `unwrap` of `None`, stack overflow, the `panic` built-in. They print
//!   `panic: MESSAGE` and the source location on stderr and exit with 101.
//!   A failed `assert` ([`assert_fail`]) prints `✗ MESSAGE` and exits
//!   with 1.
//! - **Runtime bugs** ([`rt_fatal!`](crate::rt_fatal)) mean the runtime's own
//!   invariants are broken (or the machine is out of memory). They print
//!   `fatal: ...` and exit with 134.
//!
//! # Invariants
//!
//! - The process exits exactly once: the first thread to call [`exit`]
//!   claims `EXITING`; any later caller parks forever instead of racing it
//!   (concurrent `exit` calls are undefined in C).
//! - Stdout is flushed before the process exits and before a failure
//!   message is written, so output appears in program order.
//! - Each failure message is written with a single `write` call so
//!   messages from different threads never interleave.

use std::ffi::CStr;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::stdout;

/// Exit code of a Plat panic (as Rust's).
pub const PANIC_EXIT: i32 = 101;
/// Exit code of a failed assert.
pub const ASSERT_EXIT: i32 = 1;
/// Exit code of a runtime bug (as `abort`, without the core dump).
pub const FATAL_EXIT: i32 = 134;

static EXITING: AtomicBool = AtomicBool::new(false);

/// Claims the right to end the process; parks forever if another thread
/// already has it.
fn claim_exit() {
    // Relaxed is enough: nothing is published through this flag, it only
    // elects one thread.
    if EXITING.swap(true, Ordering::Relaxed) {
        loop {
            // SAFETY: `pause` just suspends the thread until a signal.
            unsafe { libc::pause() };
        }
    }
}

/// Flushes stdout and ends the process with `code`.
pub fn exit(code: i32) -> ! {
    claim_exit();
    stdout::flush();
    crate::sched::trace::finish();
    // SAFETY: `_exit` ends the process; no Rust state needs tearing down.
    unsafe { libc::_exit(code) }
}

/// Flushes stdout, writes `text` to stderr in one write, and exits.
fn fail(text: &[u8], code: i32) -> ! {
    claim_exit();
    stdout::flush();
    crate::sched::trace::finish();
    stdout::write_all(2, text);
    // SAFETY: as in `exit`.
    unsafe { libc::_exit(code) }
}

fn with_location(mut text: Vec<u8>, loc: Option<&CStr>) -> Vec<u8> {
    text.push(b'\n');
    if let Some(loc) = loc {
        text.extend_from_slice(b"  at ");
        text.extend_from_slice(loc.to_bytes());
        text.push(b'\n');
    }
    text
}

/// Raises a Plat panic. Inside a spawned task it ends that task as
/// failed (see `sched::raise`; the failure travels to whoever awaits the
/// task); in the main task, or outside any task, it prints
/// `panic: MESSAGE\n  at LOC\n` (plus the chain of tasks it crossed) on
/// stderr and exits with 101. `loc` must be static (compiled code's
/// locations are). Must not be called while holding a runtime lock.
pub fn panic(message: &[u8], loc: Option<&CStr>) -> ! {
    crate::sched::raise(message, loc.map_or(std::ptr::null(), |l| l.as_ptr()))
}

/// Flushes stdout, writes `text` to stderr in one write, and exits with
/// `code` (for already rendered failure reports).
pub fn fail_raw(text: &[u8], code: i32) -> ! {
    fail(text, code)
}

/// A failed assert: `✗ MESSAGE\n  at LOC\n` on stderr, exit 1.
pub fn assert_fail(message: Option<&[u8]>, loc: Option<&CStr>) -> ! {
    let mut text = "✗ ".as_bytes().to_vec();
    text.extend_from_slice(message.unwrap_or(b"Assertion failed"));
    fail(&with_location(text, loc), ASSERT_EXIT)
}

/// A runtime bug or resource exhaustion: `fatal: MESSAGE\n`, exit 134.
pub fn fatal(message: std::fmt::Arguments<'_>) -> ! {
    fail(format!("fatal: {message}\n").as_bytes(), FATAL_EXIT)
}

/// Writes `text` to stderr and exits with `code`, from a signal handler:
/// only async-signal-safe calls, and stdout is flushed only if its lock is
/// free (the interrupted code may hold it).
pub fn fail_from_signal(text: &[u8], code: i32) -> ! {
    if EXITING.swap(true, Ordering::Relaxed) {
        loop {
            // SAFETY: as in `claim_exit`.
            unsafe { libc::pause() };
        }
    }
    stdout::try_flush();
    stdout::write_all(2, text);
    // SAFETY: `_exit` is async-signal-safe.
    unsafe { libc::_exit(code) }
}

/// Aborts the process because a runtime invariant is broken:
/// `rt_fatal!("bad state {x}")` prints `fatal: bad state ...` and exits 134.
#[macro_export]
macro_rules! rt_fatal {
    ($($arg:tt)*) => {
        $crate::fatal::fatal(format_args!($($arg)*))
    };
}

/// Reads an optional NUL-terminated location string from compiled code.
///
/// # Safety
///
/// `loc` must be null or point to a NUL-terminated string that outlives
/// the returned reference.
pub unsafe fn loc_arg<'a>(loc: *const libc::c_char) -> Option<&'a CStr> {
    if loc.is_null() {
        None
    } else {
        // SAFETY: non-null, and the caller guarantees NUL termination.
        Some(unsafe { CStr::from_ptr(loc) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_that_locations_are_appended_on_their_own_line() {
        let t = with_location(b"panic: x".to_vec(), Some(c"a.plat:1:2"));
        assert_eq!(t, b"panic: x\n  at a.plat:1:2\n");
        assert_eq!(with_location(b"y".to_vec(), None), b"y\n");
    }
}
