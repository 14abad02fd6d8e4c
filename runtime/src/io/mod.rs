//! I/O that parks only the calling task (concurrency.md section 8): the
//! built-ins of spec section 13 for files, directories, sockets, the
//! environment, processes and standard input.
//!
//! # Design
//!
//! No built-in ever blocks a worker thread. There are two ways to wait:
//!
//! - **Readiness** ([`netpoll`]), for sockets, as Go's netpoller: every
//!   socket is non-blocking and registered once, edge-triggered, with one
//!   epoll instance. An operation tries the system call; on `EAGAIN` the
//!   task parks on the socket's read or write side and the poller wakes
//!   it when the kernel reports readiness. Workers consult the poller
//!   when their own queue runs dry (before stealing), an idle worker
//!   blocks in `epoll_wait` instead of on its condvar (bounded by the next
//!   timer), and an eventfd interrupts it when work arrives.
//! - **Completion** ([`blocking`]), for everything the kernel cannot
//!   report readiness for (regular files, directory calls, name lookups,
//!   waiting for a child process, standard input): a pool of threads,
//!   grown on demand up to a bound, runs the call while the task parks.
//!
//! Descriptors handed to Plat code are numbers in one table
//! ([`handles`]): sockets from 1000, files from 2000 (spec section 13),
//! each the lowest number free at or above its start. A number that was
//! never issued, or was closed, is an `Err` naming it, never a crash.
//!
//! Results come back as Plat values built by [`value`]: the compiled
//! call passes the descriptor of its `Result`/`Option`/`List` type
//! (docs/runtime-abi.md, "System built-ins").
//!
//! # Rules
//!
//! - Work sent to the blocking pool never touches the Plat heap: pool
//!   threads are not mutators the collector stops. Arguments are copied
//!   into Rust values before, results turned into Plat values after.
//! - Seeded mode (`PLAT_SEED`) runs blocking work inline on the one
//!   worker, so file I/O does not make a schedule irreproducible; sockets
//!   are polled at defined points (each scheduling decision, and when
//!   nothing is runnable).

pub mod abi_fs;
pub mod abi_misc;
pub mod abi_tcp;
pub mod blocking;
pub mod env;
pub mod file;
pub mod handles;
pub mod netpoll;
pub mod process;
pub mod random;
pub mod stdin;
pub mod tcp;
pub mod value;

/// Raises the soft limit on open descriptors to the hard limit (as Go
/// does at start), so that a server can hold many connections.
pub fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid out-pointer; failure leaves the limit as
    // it was, which is harmless.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}
