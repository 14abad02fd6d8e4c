//! Signals sent to the program from outside: `SIGINT` and `SIGTERM` end
//! it cleanly, `SIGQUIT` prints every task and lets it go on (as Go).
//!
//! - `SIGINT` / `SIGTERM`: the exit hooks run (buffered stdout is
//!   flushed, a `PLAT_TRACE` trace written), then the process exits with
//!   `128 + signal` (130, 143: what a shell reports for a program the
//!   signal killed). A second such signal while the first one's exit is
//!   flushing (stdout blocked on a full pipe...) exits at once.
//! - `SIGQUIT`: the world is stopped as for a collection and every live
//!   task is printed on stderr (`crate::sched::dump_tasks`: id, where it
//!   was spawned, runnable or what it waits for, the line it is at), then
//!   the program goes on. If the world cannot stop within 2 s (a worker
//!   inside a blocking system call; in seeded mode blocking calls run on
//!   the one worker), a line says so and the dump comes when it stops.
//!
//! # Design
//!
//! The three signals are blocked in the main thread before any other
//! thread exists, so every runtime thread inherits the mask, and one
//! thread of their own waits for them with `sigwait`. No handler runs
//! inside interrupted code (no async-signal-safety limits, no `EINTR` in
//! the workers' system calls), and the exit and the dump run on an
//! ordinary thread that may lock and allocate. A child process would
//! inherit the mask (`std::process::Command` keeps it): `crate::io::process`
//! unblocks the signals in the child before `exec`
//! ([`unblock_in_child`]), so `kill -TERM` still ends it.
//!
//! # Invariants
//!
//! - [`start`] runs once, on the main thread, before any other thread is
//!   created.

use crate::fatal;

const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGQUIT];

/// Blocks the signals in the calling thread (inherited by every thread
/// created later) and starts the thread that handles them.
pub fn start() {
    // SAFETY: `set` is initialised by `sigemptyset` before use;
    // `pthread_sigmask` only changes this thread's mask.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in SIGNALS {
            libc::sigaddset(&mut set, s);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            crate::rt_fatal!("cannot block the interrupt signals");
        }
        set
    };
    let spawned = std::thread::Builder::new()
        .name("plat-signals".to_owned())
        .stack_size(64 << 10)
        .spawn(move || wait_loop(set));
    if spawned.is_err() {
        crate::rt_fatal!("cannot start the signal thread");
    }
}

/// Unblocks the signals [`start`] blocked, in a forked child before
/// `exec` (a `pre_exec` hook: async-signal-safe).
pub fn unblock_in_child() -> std::io::Result<()> {
    // SAFETY: `set` is initialised by `sigemptyset` before use;
    // `pthread_sigmask` changes only this (the child's) thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in SIGNALS {
            libc::sigaddset(&mut set, s);
        }
        if libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

fn wait_loop(set: libc::sigset_t) -> ! {
    loop {
        let mut sig: libc::c_int = 0;
        // SAFETY: `set` is a valid signal set, blocked in this thread
        // (inherited from `start`'s thread); `sig` is an out-parameter.
        if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
            continue;
        }
        match sig {
            libc::SIGQUIT => dump(),
            _ => fatal::exit_by_signal(128 + sig),
        }
    }
}

/// How long [`dump`] waits for the world to stop before it says why
/// the dump is late.
const STOP_PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

/// Asks for the task dump; if the world has not stopped after
/// [`STOP_PATIENCE`] (a worker inside a blocking system call: in seeded
/// mode blocking calls run on the one worker), says so: the dump then
/// comes when the world stops.
fn dump() {
    crate::gc::collect::request_dump();
    let start = std::time::Instant::now();
    while crate::gc::collect::dump_pending() {
        if start.elapsed() >= STOP_PATIENCE {
            fatal::write_all(
                2,
                b"SIGQUIT: the tasks cannot be stopped now (a worker is inside a system call); the dump follows when they are\n",
            );
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
