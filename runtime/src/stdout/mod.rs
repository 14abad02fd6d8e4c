//! The program's buffered standard output.
//!
//! Plat's `print` appends to one process-wide buffer. Output must appear
//! as it happens (spec decision 10: `plat run p | cat` shows lines as the
//! program prints them, and a killed program loses at most a few
//! milliseconds of output), yet a tight loop of prints must not cost a
//! `write` system call each. So:
//!
//! - On a terminal, every line is written at once (line buffering).
//! - Otherwise the buffer is written when it reaches [`BLOCK`] bytes, and
//!   in any case at most [`FLUSH_INTERVAL`] after the first byte went into
//!   an empty buffer: the first print into an empty buffer wakes the
//!   *flusher*, a thread of its own that sleeps that long and then writes
//!   whatever has accumulated.
//! - A worker about to go idle (nothing runnable: every task is parked,
//!   asleep or done) flushes first ([`flush_if_dirty`]), so output printed
//!   before a task waits shows up at once.
//! - Everything is flushed at exit, at `process_exit`, before any panic,
//!   assertion or fatal message goes to stderr, and, as far as possible,
//!   from the fatal-signal handlers ([`try_flush`]): the first print
//!   registers these flushes as `crate::fatal`'s exit hooks.
//!
//! # Locks and invariants
//!
//! - `BUF` protects the pending bytes and the buffering mode. A `print`
//!   holds it only to append (never across a system call), so printing
//!   tasks never wait for a `write` unless the buffer is full.
//! - `WRITER` serialises writes to fd 1 and holds the spare buffer that
//!   the pending bytes are swapped into. Lock order: `WRITER`, then
//!   `BUF`. A flush takes `WRITER`, swaps the buffers under `BUF`,
//!   releases `BUF`, then writes: bytes reach fd 1 in the order they were
//!   printed because every write happens under `WRITER` and takes
//!   everything pending at once.
//! - `DIRTY` mirrors "`BUF` holds bytes" for lock-free checks by idle
//!   workers. It is set (under `BUF`) by the print that makes the buffer
//!   non-empty and cleared (under `BUF`) by the flush that empties it, so
//!   a `false` read can only miss bytes printed concurrently with the
//!   check, which the flusher writes within [`FLUSH_INTERVAL`].
//! - `KICK` (mutex + condvar) hands "the buffer became non-empty" to the
//!   flusher; it is taken once per flush period, not once per print.
//! - One `print` is one append under `BUF`, so lines from different tasks
//!   never interleave.
//! - After a write error (for example `EPIPE`), the bytes are dropped:
//!   there is nowhere to send them.

pub mod abi;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, Once};
use std::time::Duration;

/// Buffer size when stdout is not a terminal.
pub const BLOCK: usize = 64 << 10;
/// The longest a printed line waits in the buffer.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(5);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Unknown,
    Line,
    Block,
}

struct Pending {
    buf: Vec<u8>,
    mode: Mode,
}

static BUF: Mutex<Pending> = Mutex::new(Pending {
    buf: Vec::new(),
    mode: Mode::Unknown,
});
/// The spare buffer, swapped with `BUF`'s by each flush.
static WRITER: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static DIRTY: AtomicBool = AtomicBool::new(false);
/// `true` while the flusher has been told about bytes it has not written.
static KICK: Mutex<bool> = Mutex::new(false);
static KICKED: Condvar = Condvar::new();
static FLUSHER: Once = Once::new();

/// Locks `m`, ignoring poisoning: a Rust panic while printing leaves the
/// buffers valid `Vec`s, so going on is fine.
fn lock<T>(m: &'static Mutex<T>) -> MutexGuard<'static, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes `bytes` followed by `\n` as one unit.
pub fn print_line(bytes: &[u8]) {
    let mut p = lock(&BUF);
    if p.mode == Mode::Unknown {
        // SAFETY: `isatty` only inspects the descriptor.
        let tty = unsafe { libc::isatty(1) } == 1;
        p.mode = if tty { Mode::Line } else { Mode::Block };
        p.buf.reserve(BLOCK);
        // Once, with the first print: whatever is buffered goes out
        // before the process ends.
        crate::fatal::on_exit(flush);
        crate::fatal::on_signal_exit(try_flush);
    }
    let was_empty = p.buf.is_empty();
    p.buf.extend_from_slice(bytes);
    p.buf.push(b'\n');
    if was_empty {
        DIRTY.store(true, Ordering::Relaxed);
    }
    let now = p.mode == Mode::Line || p.buf.len() >= BLOCK;
    drop(p);
    if now {
        flush();
    } else if was_empty {
        kick_flusher();
    }
}

/// Tells the flusher that the buffer became non-empty (starting it the
/// first time).
fn kick_flusher() {
    FLUSHER.call_once(|| {
        let started = std::thread::Builder::new()
            .name("plat-stdout".into())
            .stack_size(64 << 10)
            .spawn(flusher);
        // Without a flusher, output still goes out when the buffer fills,
        // a worker idles, or the program ends.
        drop(started);
    });
    let mut kicked = lock(&KICK);
    if !*kicked {
        *kicked = true;
        KICKED.notify_one();
    }
}

/// The flusher thread: waits for a kick, lets output accumulate for
/// [`FLUSH_INTERVAL`], writes it.
fn flusher() {
    loop {
        let mut kicked = lock(&KICK);
        while !*kicked {
            kicked = KICKED.wait(kicked).unwrap_or_else(|e| e.into_inner());
        }
        *kicked = false;
        drop(kicked);
        std::thread::sleep(FLUSH_INTERVAL);
        flush();
    }
}

/// Writes out everything buffered.
pub fn flush() {
    let mut spare = lock(&WRITER);
    {
        let mut p = lock(&BUF);
        if p.buf.is_empty() {
            return;
        }
        std::mem::swap(&mut p.buf, &mut *spare);
        DIRTY.store(false, Ordering::Relaxed);
    }
    write_all(1, &spare);
    spare.clear();
}

/// Flushes if anything is buffered; cheap when nothing is (an idle
/// worker calls it before sleeping).
pub fn flush_if_dirty() {
    if DIRTY.load(Ordering::Relaxed) {
        flush();
    }
}

/// Flushes if both locks are free right now; for the fatal-signal path,
/// where blocking could deadlock (the interrupted code may hold a lock).
pub fn try_flush() {
    let Ok(mut spare) = WRITER.try_lock() else {
        return;
    };
    if let Ok(mut p) = BUF.try_lock() {
        std::mem::swap(&mut p.buf, &mut *spare);
        DIRTY.store(false, Ordering::Relaxed);
    }
    write_all(1, &spare);
    spare.clear();
}

/// Writes all of `bytes` to `fd` (see [`crate::fatal::write_all`]).
pub use crate::fatal::write_all;
