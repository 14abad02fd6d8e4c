//! Ending the process: normal exit, failed asserts, runtime bugs, and
//! the exit of a Plat panic that nobody catches.
//!
//! A leaf: this module uses no other part of the runtime (every part may
//! use it, from any state). What must happen before the process ends
//! (flushing stdout, writing the scheduler trace) is registered here by
//! the part that owns it ([`on_exit`], [`on_signal_exit`]); the entry
//! points compiled code calls are in [`abi`].
//!
//! Two kinds of failure, as in Go's runtime (`panic` vs `throw`):
//!
//! - **Plat panics** (`crate::sched::panic`) are the program's fault:
//!   division by zero, `unwrap` of `None`, stack overflow, the `panic`
//!   built-in. Inside a spawned task they end the task; otherwise they
//!   print `panic: MESSAGE` and the source location on stderr and exit
//!   with 101 ([`fail_raw`]). A failed `assert` ([`assert_fail`]) prints
//!   `✗ MESSAGE` and exits with 1.
//! - **Runtime bugs** ([`rt_fatal!`](crate::rt_fatal)) mean the runtime's own
//!   invariants are broken (or the machine is out of memory). They print
//!   `fatal: ...` and exit with 134.
//!
//! # Invariants
//!
//! - The process exits exactly once: the first thread to call [`exit`]
//!   claims `EXITING`; any later caller parks forever instead of racing it
//!   (concurrent `exit` calls are undefined in C).
//! - The exit hooks run before the process exits and before a failure
//!   message is written (stdout registers its flush the first time
//!   something is printed), so output appears in program order. From a
//!   signal handler only the signal hooks run, which must be
//!   async-signal-safe (stdout's flushes only if its locks are free).
//! - Hooks are registered at most [`MAX_HOOKS`] per list, never removed,
//!   and run in registration order.
//! - Each failure message is written with a single `write` call so
//!   messages from different threads never interleave.

pub mod abi;

use std::ffi::CStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// Exit code of a Plat panic (as Rust's).
pub const PANIC_EXIT: i32 = plat_abi::exit::PANIC;
/// Exit code of a failed assert.
pub const ASSERT_EXIT: i32 = plat_abi::exit::ASSERT;
/// Exit code of a runtime bug (as `abort`, without the core dump).
pub const FATAL_EXIT: i32 = plat_abi::exit::FATAL;

static EXITING: AtomicBool = AtomicBool::new(false);

/// The most hooks one list holds (stdout and the trace use one each).
pub const MAX_HOOKS: usize = 4;

/// A list of functions to run before the process ends. A slot is set
/// once; reading it is a lock-free load, so a signal handler may run the
/// list.
struct Hooks([OnceLock<fn()>; MAX_HOOKS]);

impl Hooks {
    const fn new() -> Hooks {
        Hooks([const { OnceLock::new() }; MAX_HOOKS])
    }

    fn add(&self, hook: fn()) {
        if !self.0.iter().any(|slot| slot.set(hook).is_ok()) {
            panic!("more than {MAX_HOOKS} exit hooks registered");
        }
    }

    fn run(&self) {
        for hook in self.0.iter().map_while(OnceLock::get) {
            hook();
        }
    }
}

static ON_EXIT: Hooks = Hooks::new();
static ON_SIGNAL_EXIT: Hooks = Hooks::new();

/// Registers `hook` to run before the process exits (or writes a failure
/// message), on the exiting thread, after it claimed the exit. It must
/// not call back into this module's exits.
pub fn on_exit(hook: fn()) {
    ON_EXIT.add(hook);
}

/// Registers `hook` to run when a fatal signal ends the process, inside
/// the signal handler: it must be async-signal-safe and must not block on
/// a lock the interrupted code may hold.
pub fn on_signal_exit(hook: fn()) {
    ON_SIGNAL_EXIT.add(hook);
}

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

/// Runs the exit hooks (flushing stdout) and ends the process with
/// `code`.
pub fn exit(code: i32) -> ! {
    claim_exit();
    ON_EXIT.run();
    // SAFETY: `_exit` ends the process; no Rust state needs tearing down.
    unsafe { libc::_exit(code) }
}

/// Ends the process for a `SIGINT` / `SIGTERM` (`crate::interrupt`) with
/// `code`: as [`exit`], except that when an exit is already under way (a
/// first signal's exit blocked flushing stdout into a full pipe...) it
/// exits at once instead of waiting for it.
pub fn exit_by_signal(code: i32) -> ! {
    if EXITING.swap(true, Ordering::Relaxed) {
        // SAFETY: `_exit` ends the process; the other exit is abandoned.
        unsafe { libc::_exit(code) }
    }
    ON_EXIT.run();
    // SAFETY: as in `exit`.
    unsafe { libc::_exit(code) }
}

/// Runs the exit hooks (flushing stdout), writes `text` to stderr in one
/// write, and exits.
fn fail(text: &[u8], code: i32) -> ! {
    claim_exit();
    ON_EXIT.run();
    write_all(2, text);
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

/// Runs the exit hooks (flushing stdout), writes `text` to stderr in one write, and exits with
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

/// Appends where a runtime bug happened (the running task...) to its
/// report; set once by `crate::signal`.
static WHERE: OnceLock<fn(&mut Vec<u8>)> = OnceLock::new();

/// Registers what [`fatal`] appends to its message: where the thread
/// was (the running task, the innermost compiled call).
pub fn on_report(describe: fn(&mut Vec<u8>)) {
    let _ = WHERE.set(describe);
}

/// A runtime bug or resource exhaustion: `fatal: MESSAGE\n` and where
/// (see [`on_report`]), exit 134.
pub fn fatal(message: std::fmt::Arguments<'_>) -> ! {
    let mut text = format!("fatal: {message}\n").into_bytes();
    if let Some(describe) = WHERE.get() {
        describe(&mut text);
    }
    fail(&text, FATAL_EXIT)
}

/// Writes `text` to stderr and exits with `code`, from a signal handler:
/// only async-signal-safe calls (the signal hooks: stdout is flushed only
/// if its locks are free, the interrupted code may hold them).
pub fn fail_from_signal(text: &[u8], code: i32) -> ! {
    if EXITING.swap(true, Ordering::Relaxed) {
        loop {
            // SAFETY: as in `claim_exit`.
            unsafe { libc::pause() };
        }
    }
    ON_SIGNAL_EXIT.run();
    write_all(2, text);
    // SAFETY: `_exit` is async-signal-safe.
    unsafe { libc::_exit(code) }
}

/// Writes all of `bytes` to `fd`, retrying on `EINTR` and short writes;
/// gives up silently on any other error (there is nowhere left to report
/// it). Async-signal-safe.
pub fn write_all(fd: libc::c_int, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: `bytes` is a valid readable slice for its whole length.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        bytes = &bytes[n as usize..];
    }
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
