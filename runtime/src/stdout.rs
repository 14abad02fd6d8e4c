//! The program's buffered standard output.
//!
//! Plat's `print` writes through this buffer: line-buffered when fd 1 is a
//! terminal, block-buffered ([`BLOCK`] bytes) otherwise. The buffer is
//! flushed at normal exit, at `process_exit`, and before any panic or
//! assertion message goes to stderr (see `crate::fatal`).
//!
//! # Invariants
//!
//! - `STDOUT` protects the buffer and the buffering mode; every print takes
//!   it exactly once, so one `print` is never interleaved with another.
//! - Nothing blocks on anything but the `write` system call while holding
//!   the lock.
//! - After a write error (for example `EPIPE`), buffered bytes are dropped:
//!   there is nowhere to send them.

use std::sync::{Mutex, MutexGuard};

/// Buffer size when stdout is not a terminal.
pub const BLOCK: usize = 64 << 10;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Unknown,
    Line,
    Block,
}

struct Stdout {
    buf: Vec<u8>,
    mode: Mode,
}

static STDOUT: Mutex<Stdout> = Mutex::new(Stdout {
    buf: Vec::new(),
    mode: Mode::Unknown,
});

fn lock() -> MutexGuard<'static, Stdout> {
    // A poisoned lock only means a Rust panic happened while printing, and
    // the buffer is still a valid `Vec`: keep going.
    STDOUT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes `bytes` followed by `\n` as one unit.
pub fn print_line(bytes: &[u8]) {
    let mut out = lock();
    if out.mode == Mode::Unknown {
        // SAFETY: `isatty` only inspects the descriptor.
        let tty = unsafe { libc::isatty(1) } == 1;
        out.mode = if tty { Mode::Line } else { Mode::Block };
        out.buf.reserve(BLOCK);
    }
    if out.buf.len() + bytes.len() + 1 > BLOCK && !out.buf.is_empty() {
        flush_locked(&mut out);
    }
    out.buf.extend_from_slice(bytes);
    out.buf.push(b'\n');
    if out.mode == Mode::Line || out.buf.len() >= BLOCK {
        flush_locked(&mut out);
    }
}

/// Writes out everything buffered.
pub fn flush() {
    flush_locked(&mut lock());
}

/// Flushes if the lock is free right now; for the fatal-signal path, where
/// blocking could deadlock (the interrupted code may hold the lock).
pub fn try_flush() {
    if let Ok(mut out) = STDOUT.try_lock() {
        flush_locked(&mut out);
    }
}

fn flush_locked(out: &mut Stdout) {
    write_all(1, &out.buf);
    out.buf.clear();
}

/// Writes all of `bytes` to `fd`, retrying on `EINTR` and short writes;
/// gives up silently on any other error.
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
