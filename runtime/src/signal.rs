//! Fatal signals: turning a stack-limit trap into a clean Plat panic.
//!
//! Compiled functions compare the stack pointer with `PlatCtx::stack_limit`
//! in their prologue and execute a trap instruction (`ud2` / `udf`, hence
//! `SIGILL`) when it is below. The handlers here run on a per-thread
//! alternate signal stack (the faulting stack has no room left) and end the
//! process:
//!
//! - `SIGILL` with the stack pointer near the limit: `panic: stack
//!   overflow\n  in task main\n` in the main task, `panic: stack overflow
//!   in task N\n` in spawned task N, exit 101 (the process ends from the
//!   handler; the task's failure is not re-raised anywhere). Far from the limit it cannot
//!   be a stack check, so it is reported as a compiler bug (exit 134): the
//!   code generator must raise every other runtime error with an explicit
//!   check and `plat_panic`, never with a Cranelift trap.
//! - `SIGSEGV` / `SIGBUS` on the guard page just below a Plat stack (the
//!   runtime code called from Plat used up the safety margin): the same
//!   stack-overflow panic. Anywhere else: `fatal: segmentation fault
//!   (runtime bug)`, exit 134.
//!
//! # Invariants
//!
//! - Handlers use only async-signal-safe operations: reads of const-
//!   initialised thread-locals, `write`, `_exit` (and a `try_lock` flush of
//!   stdout, which never blocks).
//! - Every thread that runs compiled code has called [`install_altstack`]
//!   and [`set_task`] (workers, at every switch into a task) before
//!   running it.

use std::cell::Cell;
use std::ffi::c_void;

use crate::fatal;

/// Alternate signal stack size per thread.
const ALTSTACK_SIZE: usize = 64 << 10;
/// A trap whose stack pointer is within this distance of the limit is a
/// stack-check trap (Cranelift compares `sp` with `limit + frame size`).
const TRAP_SLACK: usize = 1 << 20;
/// Faults this far below a Plat stack's lowest address hit its guard.
const GUARD_SLACK: usize = 64 << 10;

thread_local! {
    /// This thread's `PlatCtx::stack_limit` (0: not a Plat thread).
    static STACK_LIMIT: Cell<usize> = const { Cell::new(0) };
    /// Lowest address of this thread's Plat stack (0: not a Plat thread).
    static STACK_LO: Cell<usize> = const { Cell::new(0) };
    /// Id of the spawned task running on this thread (0: main or none).
    static TASK_ID: Cell<u64> = const { Cell::new(0) };
}

/// Records the stack bounds and id of the task this worker thread is
/// about to run (`lo == 0`: none; `id == None`: the main task).
pub fn set_task(lo: usize, limit: usize, id: Option<u64>) {
    STACK_LO.with(|c| c.set(lo));
    STACK_LIMIT.with(|c| c.set(limit));
    TASK_ID.with(|c| c.set(id.unwrap_or(0)));
}

/// `panic: stack overflow in task N\n` (or the main task's message),
/// formatted without allocating, then exit 101.
fn stack_overflow() -> ! {
    let id = TASK_ID.with(|c| c.get());
    if id == 0 {
        fatal::fail_from_signal(STACK_OVERFLOW, fatal::PANIC_EXIT);
    }
    let mut buf = [0u8; 64];
    let head = b"panic: stack overflow in task ";
    buf[..head.len()].copy_from_slice(head);
    let mut n = head.len();
    let mut digits = [0u8; 20];
    let mut k = 0;
    let mut v = id;
    while v > 0 {
        digits[k] = b'0' + (v % 10) as u8;
        v /= 10;
        k += 1;
    }
    while k > 0 {
        k -= 1;
        buf[n] = digits[k];
        n += 1;
    }
    buf[n] = b'\n';
    fatal::fail_from_signal(&buf[..n + 1], fatal::PANIC_EXIT)
}

/// Records the current thread's stack bounds for the handlers.
pub fn set_stack_bounds(lo: usize, limit: usize) {
    STACK_LO.with(|c| c.set(lo));
    STACK_LIMIT.with(|c| c.set(limit));
}

const STACK_OVERFLOW: &[u8] = b"panic: stack overflow\n  in task main\n";

/// Installs the process-wide handlers (once, from `main`).
pub fn install_handlers() {
    for (sig, handler) in [
        (libc::SIGILL, on_sigill as extern "C" fn(_, _, _)),
        (libc::SIGSEGV, on_sigsegv as extern "C" fn(_, _, _)),
        (libc::SIGBUS, on_sigsegv as extern "C" fn(_, _, _)),
    ] {
        // SAFETY: `sigaction` is plain data, zero is a valid initial value;
        // the handler has the `SA_SIGINFO` signature and is
        // async-signal-safe (module invariant).
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = handler as usize;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigfillset(&mut sa.sa_mask);
            if libc::sigaction(sig, &sa, std::ptr::null_mut()) != 0 {
                crate::rt_fatal!("cannot install the handler for signal {sig}");
            }
        }
    }
}

/// Gives the current thread an alternate signal stack (never freed: such
/// threads live until the process exits).
pub fn install_altstack() {
    // SAFETY: a fresh anonymous mapping; checked before use.
    let sp = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            ALTSTACK_SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if sp == libc::MAP_FAILED {
        crate::rt_fatal!("out of memory: cannot map a signal stack");
    }
    let ss = libc::stack_t {
        ss_sp: sp,
        ss_flags: 0,
        ss_size: ALTSTACK_SIZE,
    };
    // SAFETY: `ss` describes memory we own for the rest of the process.
    if unsafe { libc::sigaltstack(&ss, std::ptr::null_mut()) } != 0 {
        crate::rt_fatal!("cannot install a signal stack");
    }
}

/// The stack pointer of the interrupted code, or 0 if unknown here.
///
/// # Safety
///
/// `uctx` must be the third argument of an `SA_SIGINFO` handler.
unsafe fn fault_sp(uctx: *mut c_void) -> usize {
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    {
        // SAFETY: on Linux the kernel passes a `ucontext_t` (contract).
        unsafe {
            let uc = &*(uctx as *const libc::ucontext_t);
            uc.uc_mcontext.gregs[libc::REG_RSP as usize] as usize
        }
    }
    #[cfg(all(target_os = "linux", target_arch = "aarch64"))]
    {
        // SAFETY: on Linux the kernel passes a `ucontext_t` (contract).
        unsafe { (*(uctx as *const libc::ucontext_t)).uc_mcontext.sp as usize }
    }
    #[cfg(not(all(
        target_os = "linux",
        any(target_arch = "x86_64", target_arch = "aarch64")
    )))]
    {
        let _ = uctx;
        0
    }
}

extern "C" fn on_sigill(_sig: libc::c_int, _info: *mut libc::siginfo_t, uctx: *mut c_void) {
    let limit = STACK_LIMIT.with(|c| c.get());
    // SAFETY: we are an `SA_SIGINFO` handler and `uctx` is our third argument.
    let sp = unsafe { fault_sp(uctx) };
    if limit == 0 {
        // Not a thread running compiled code.
        fatal::fail_from_signal(
            b"fatal: illegal instruction (runtime bug)\n",
            fatal::FATAL_EXIT,
        );
    }
    if sp == 0 || sp < limit.saturating_add(TRAP_SLACK) {
        stack_overflow();
    }
    fatal::fail_from_signal(
        b"fatal: illegal instruction in compiled code (compiler bug: a trap that is not a stack check)\n",
        fatal::FATAL_EXIT,
    );
}

extern "C" fn on_sigsegv(_sig: libc::c_int, info: *mut libc::siginfo_t, _uctx: *mut c_void) {
    let lo = STACK_LO.with(|c| c.get());
    // SAFETY: the kernel passes a valid `siginfo_t` to `SA_SIGINFO` handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    if lo != 0 && addr < lo && addr >= lo - GUARD_SLACK.min(lo) {
        stack_overflow();
    }
    fatal::fail_from_signal(
        b"fatal: segmentation fault (runtime bug)\n",
        fatal::FATAL_EXIT,
    );
}
