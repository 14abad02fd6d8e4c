//! Fatal signals: turning a stack overflow into a clean Plat panic.
//!
//! Compiled functions compare the stack pointer with `PlatCtx::stack_limit`
//! in their prologue and execute a trap instruction (`ud2` / `udf`, hence
//! `SIGILL`) when it is below. Runtime (Rust) code called from Plat runs
//! in the margin below the limit without checks; a guard page below a
//! task's stack (the main task's always, spawned tasks' within the budget
//! of `crate::coro::stack`) turns an overrun into `SIGSEGV`. The handlers
//! here run on a per-thread alternate signal stack (the faulting stack has
//! no room left) and end the process:
//!
//! - `SIGILL` with the stack pointer near the limit, or `SIGSEGV` /
//!   `SIGBUS` on the guard page below the running task's stack: a stack
//!   overflow panic, exit 101:
//!
//!   ```text
//!   panic: stack overflow in `down`
//!     at prog.plat:8:1
//!     in task 3 (spawned at prog.plat:20:27)
//!   ```
//!
//!   The function is the compiled function that trapped (its prologue
//!   check), or for a fault in runtime code the innermost compiled
//!   function found on the stack (`crate::codemap`); `at` is where it is
//!   declared. Both lines are left out when unknown (no function table).
//!   When the trap is a compiled function's own stack check (the usual
//!   case), the handler does not end the process: it makes the task
//!   resume on the top of its (abandoned) stack in a function that raises
//!   the same panic as an ordinary Plat panic, so only that task fails
//!   and its failure reaches whoever awaits it (or its scope's owner),
//!   with the usual task chain. An overrun of runtime code (a guard page
//!   hit, where a runtime lock may be held) ends the process from the
//!   handler, with the task line naming a spawned task.
//! - `SIGILL` far from the limit cannot be a stack check: it is reported
//!   as a compiler bug (exit 134): the code generator must raise every
//!   other runtime error with an explicit check and `plat_panic`, never
//!   with a Cranelift trap.
//! - `SIGSEGV` / `SIGBUS` anywhere else, and `SIGFPE`: `fatal:
//!   segmentation fault (SIGSEGV at address 0x...; a runtime or compiler
//!   bug)`, then where (the compiled function the fault is in, or the
//!   innermost one on the task's stack, and the running task), exit 134.
//! - Any of these signals *sent* by another process (`kill -SEGV`, told
//!   apart by `si_code`): `fatal: signal SIGSEGV sent by process N`, the
//!   same where lines, exit `128 + signal`. Not reported as a bug: it is
//!   not one.
//! - A runtime bug found by the runtime itself (`rt_fatal!`, a Rust
//!   panic) gets the same where lines (`fatal::on_report`).
//!
//! # Invariants
//!
//! - Handlers use only async-signal-safe operations: reads of const-
//!   initialised thread-locals and of static data, `write`, `_exit` (and a
//!   `try_lock` flush of stdout, which never blocks).
//! - Every thread that runs compiled code has called [`install_altstack`]
//!   and [`set_task`] (workers, at every switch into a task) before
//!   running it.

use std::cell::Cell;
use std::ffi::{c_char, c_void};

use crate::codemap::{self, SigBuf};
use crate::fatal;

/// Alternate signal stack size per thread.
const ALTSTACK_SIZE: usize = 64 << 10;
/// A trap whose stack pointer is within this distance of the limit is a
/// stack-check trap (Cranelift compares `sp` with `limit + frame size`).
const TRAP_SLACK: usize = 1 << 20;
/// Faults this far below a Plat stack's lowest address hit its guard.
const GUARD_SLACK: usize = 64 << 10;

/// What the handlers know about the task running on this thread.
#[derive(Clone, Copy)]
pub struct Running {
    /// Lowest address of its stack (0: not a Plat thread).
    pub lo: usize,
    /// Its `PlatCtx::stack_limit`.
    pub limit: usize,
    /// One past the highest address of its stack.
    pub top: usize,
    /// Its id, `None` for the main task.
    pub id: Option<u64>,
    /// Where it was spawned (null for main).
    pub spawned_at: *const c_char,
}

impl Running {
    const NONE: Running = Running {
        lo: 0,
        limit: 0,
        top: 0,
        id: None,
        spawned_at: std::ptr::null(),
    };
}

thread_local! {
    /// The task running on this thread (`lo == 0`: none).
    static RUNNING: Cell<Running> = const { Cell::new(Running::NONE) };
}

/// The source line of the innermost compiled call on the running task's
/// stack: where a runtime error raised without a location of its own (a
/// concurrent mutation, a string grown too long...) was called from.
/// Null outside a task or without a function table.
pub fn call_site() -> *const c_char {
    let t = RUNNING.with(|c| c.get());
    let here = 0u8;
    let sp = std::hint::black_box(&here) as *const u8 as usize;
    if t.top == 0 || sp < t.lo || sp >= t.top {
        return std::ptr::null();
    }
    // SAFETY: `[sp, top)` is the part of the running task's own stack
    // above this frame: mapped and readable.
    unsafe { codemap::innermost_call_site(sp, t.top) }.unwrap_or(std::ptr::null())
}

/// The stack `[lo, top)` of the task running on this thread, if any.
pub fn running_stack() -> Option<(usize, usize)> {
    let t = RUNNING.with(|c| c.get());
    (t.top != 0).then_some((t.lo, t.top))
}

/// Records the task this worker thread is about to run (`None`: it
/// returns to the scheduler).
pub fn set_task(t: Option<Running>) {
    RUNNING.with(|c| c.set(t.unwrap_or(Running::NONE)));
}

/// Appends where the interrupted code was (see the module doc): the
/// compiled function at `pc` or, failing that, the innermost one on the
/// running task's stack above `sp` (`in `f`` / `at LOC` lines), and the
/// running task (`in task N (spawned at LOC)`). Async-signal-safe.
fn push_where(msg: &mut SigBuf, pc: usize, sp: usize) {
    let t = RUNNING.with(|c| c.get());
    let func = codemap::find(pc).or_else(|| {
        if t.top == 0 || sp >= t.top {
            return None;
        }
        let from = sp.max(t.lo);
        // SAFETY: `[from, top)` is the part of the running task's stack
        // above the interrupted stack pointer: mapped and readable.
        unsafe { codemap::innermost_caller(from, t.top) }
    });
    if let Some(f) = func {
        msg.push(b"  in ");
        msg.push_cstr(f.name);
        msg.push(b"\n  at ");
        msg.push_cstr(f.loc);
        msg.push(b"\n");
    }
    push_task(msg, &t);
}

/// Appends the running task's line (nothing outside a task).
fn push_task(msg: &mut SigBuf, t: &Running) {
    if t.top == 0 {
        return;
    }
    match t.id {
        Some(id) => {
            msg.push(b"  in task ");
            msg.push_u64(id);
            if !t.spawned_at.is_null() {
                msg.push(b" (spawned at ");
                msg.push_cstr(t.spawned_at);
                msg.push(b")");
            }
        }
        None => msg.push(b"  in task main"),
    }
    msg.push(b"\n");
}

/// The stack overflow panic (see the module doc), formatted without
/// allocating, then exit 101. `pc` and `sp` are the interrupted code's
/// (0 when unknown).
fn stack_overflow(pc: usize, sp: usize) -> ! {
    let t = RUNNING.with(|c| c.get());
    let mut msg = SigBuf::default();
    msg.push(b"panic: stack overflow");
    let func = codemap::find(pc).or_else(|| {
        let from = sp.max(t.lo);
        // SAFETY: `[from, top)` is the part of the running task's stack
        // above the interrupted stack pointer: mapped and readable.
        unsafe { codemap::innermost_caller(from, t.top) }
    });
    if let Some(f) = func {
        msg.push(b" in ");
        msg.push_cstr(f.name);
        msg.push(b"\n  at ");
        msg.push_cstr(f.loc);
    }
    msg.push(b"\n");
    if t.id.is_some() {
        push_task(&mut msg, &t);
    }
    fatal::fail_from_signal(msg.bytes(), fatal::PANIC_EXIT)
}

/// For a runtime bug (`rt_fatal!`, a Rust panic) on this thread: appends
/// the innermost compiled call and the running task, as the signal
/// reports do (registered with `fatal::on_report`).
fn report_where(out: &mut Vec<u8>) {
    let mut msg = SigBuf::default();
    let here = 0u8;
    let sp = std::hint::black_box(&here) as *const u8 as usize;
    let t = RUNNING.with(|c| c.get());
    if t.top != 0 && sp >= t.lo && sp < t.top {
        push_where(&mut msg, 0, sp);
    } else {
        push_task(&mut msg, &t);
    }
    out.extend_from_slice(msg.bytes());
}

thread_local! {
    /// The compiled function whose stack check trapped, for
    /// [`overflow_continue`]: (name, declaration location).
    static OVERFLOWED: Cell<(*const c_char, *const c_char)> =
        const { Cell::new((std::ptr::null(), std::ptr::null())) };
}

/// Bytes left free above the frames of [`overflow_continue`] at the top
/// of the overflowed stack.
const RESUME_GAP: usize = 256;

/// A stack check in compiled code trapped: makes the interrupted thread
/// resume, when the handler returns, in [`overflow_continue`] on the top
/// of the same stack, which raises an ordinary Plat panic. So a stack
/// overflow fails only its task, and reaches whoever awaits it like any
/// other panic. Safe because the trap is in a compiled function's
/// prologue: the task is not inside runtime code (which might hold a
/// lock) and everything on its stack is abandoned by the panic anyway
/// (the stack goes back to the pool). False (nothing changed) when the
/// trap is not in a registered compiled function or the stack is unknown.
///
/// # Safety
///
/// `uctx` must be the third argument of an `SA_SIGINFO` handler.
unsafe fn resume_as_panic(pc: usize, uctx: *mut c_void) -> bool {
    let t = RUNNING.with(|c| c.get());
    let Some(f) = codemap::find(pc) else {
        return false;
    };
    if t.top == 0 || t.top - t.lo < 4 * RESUME_GAP {
        return false;
    }
    OVERFLOWED.with(|c| c.set((f.name, f.loc)));
    // As if `overflow_continue` had just been called: the stack pointer
    // is 8 below a 16-byte boundary.
    let sp = ((t.top - RESUME_GAP) & !15) - 8;
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    {
        // SAFETY: on Linux the kernel passes a `ucontext_t` (contract),
        // whose registers it restores when the handler returns.
        unsafe {
            let uc = &mut *(uctx as *mut libc::ucontext_t);
            uc.uc_mcontext.gregs[libc::REG_RIP as usize] =
                overflow_continue as *const () as usize as i64;
            uc.uc_mcontext.gregs[libc::REG_RSP as usize] = sp as i64;
        }
        true
    }
    #[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
    {
        let _ = (uctx, sp);
        false
    }
}

/// Where a task whose stack overflowed in compiled code continues (see
/// [`resume_as_panic`]): raises `stack overflow in `f`` at `f`'s
/// declaration, as any Plat panic.
extern "C" fn overflow_continue() -> ! {
    let (name, loc) = OVERFLOWED.with(|c| c.get());
    let mut msg = b"stack overflow".to_vec();
    if !name.is_null() {
        msg.extend_from_slice(b" in ");
        // SAFETY: a static NUL-terminated name from the function table.
        msg.extend_from_slice(unsafe { std::ffi::CStr::from_ptr(name) }.to_bytes());
    }
    // No trace: the frames below this one are the abandoned stack's.
    crate::sched::raise_untraced(&msg, loc)
}

/// Installs the process-wide handlers (once, from `main`).
pub fn install_handlers() {
    for (sig, handler) in [
        (libc::SIGILL, on_sigill as extern "C" fn(_, _, _)),
        (libc::SIGSEGV, on_sigsegv as extern "C" fn(_, _, _)),
        (libc::SIGBUS, on_sigsegv as extern "C" fn(_, _, _)),
        (libc::SIGFPE, on_sigsegv as extern "C" fn(_, _, _)),
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
    fatal::on_report(report_where);
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

/// The program counter and stack pointer of the interrupted code, or 0
/// where unknown.
///
/// # Safety
///
/// `uctx` must be the third argument of an `SA_SIGINFO` handler.
unsafe fn fault_regs(uctx: *mut c_void) -> (usize, usize) {
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    {
        // SAFETY: on Linux the kernel passes a `ucontext_t` (contract).
        unsafe {
            let uc = &*(uctx as *const libc::ucontext_t);
            (
                uc.uc_mcontext.gregs[libc::REG_RIP as usize] as usize,
                uc.uc_mcontext.gregs[libc::REG_RSP as usize] as usize,
            )
        }
    }
    #[cfg(all(target_os = "linux", target_arch = "aarch64"))]
    {
        // SAFETY: on Linux the kernel passes a `ucontext_t` (contract).
        unsafe {
            let mc = &(*(uctx as *const libc::ucontext_t)).uc_mcontext;
            (mc.pc as usize, mc.sp as usize)
        }
    }
    #[cfg(not(all(
        target_os = "linux",
        any(target_arch = "x86_64", target_arch = "aarch64")
    )))]
    {
        let _ = uctx;
        (0, 0)
    }
}

extern "C" fn on_sigill(sig: libc::c_int, info: *mut libc::siginfo_t, uctx: *mut c_void) {
    // SAFETY: we are an `SA_SIGINFO` handler and `uctx` is our third argument.
    let (pc, sp) = unsafe { fault_regs(uctx) };
    // SAFETY: the kernel passes a valid `siginfo_t` to `SA_SIGINFO` handlers.
    if unsafe { sent(info) } {
        foreign(sig, info, pc, sp);
    }
    let limit = RUNNING.with(|c| c.get().limit);
    if limit == 0 {
        // Not a thread running compiled code.
        report(
            b"fatal: illegal instruction (runtime bug)\n",
            pc,
            sp,
            fatal::FATAL_EXIT,
        );
    }
    if sp == 0 || sp < limit.saturating_add(TRAP_SLACK) {
        // SAFETY: as above.
        if unsafe { resume_as_panic(pc, uctx) } {
            return;
        }
        stack_overflow(pc, sp);
    }
    report(
        b"fatal: illegal instruction in compiled code (compiler bug: a trap that is not a stack check)\n",
        pc,
        sp,
        fatal::FATAL_EXIT,
    );
}

/// Whether the signal was sent (`kill`, `sigqueue`, `tgkill`) rather
/// than raised by a fault of the interrupted instruction.
///
/// # Safety
///
/// `info` is the second argument of an `SA_SIGINFO` handler.
unsafe fn sent(info: *mut libc::siginfo_t) -> bool {
    // SAFETY: caller's contract; `si_code` is always valid. `SI_USER` is
    // 0 and the other sender codes (`SI_QUEUE`, `SI_TKILL`...) negative.
    unsafe { (*info).si_code <= 0 }
}

/// Writes `head` and where the interrupted code was ([`push_where`]),
/// then exits with `code`.
fn report(head: &[u8], pc: usize, sp: usize, code: i32) -> ! {
    let mut msg = SigBuf::default();
    msg.push(head);
    push_where(&mut msg, pc, sp);
    fatal::fail_from_signal(msg.bytes(), code)
}

/// A fault signal another process sent (`kill -SEGV`): not a bug of the
/// program or the runtime. Reported with the sender's pid and where the
/// thread it landed on was, exit `128 + sig` (as if it had killed us).
fn foreign(sig: libc::c_int, info: *mut libc::siginfo_t, pc: usize, sp: usize) -> ! {
    let mut msg = SigBuf::default();
    msg.push(b"fatal: signal ");
    msg.push(name(sig));
    msg.push(b" sent by process ");
    // SAFETY: a sent signal's `siginfo_t` holds the sender's pid.
    msg.push_u64(unsafe { (*info).si_pid() } as u64);
    msg.push(b"\n");
    push_where(&mut msg, pc, sp);
    fatal::fail_from_signal(msg.bytes(), 128 + sig)
}

fn name(sig: libc::c_int) -> &'static [u8] {
    match sig {
        libc::SIGSEGV => b"SIGSEGV",
        libc::SIGBUS => b"SIGBUS",
        libc::SIGFPE => b"SIGFPE",
        libc::SIGILL => b"SIGILL",
        _ => b"?",
    }
}

extern "C" fn on_sigsegv(sig: libc::c_int, info: *mut libc::siginfo_t, uctx: *mut c_void) {
    // SAFETY: as in `on_sigill`.
    let (pc, sp) = unsafe { fault_regs(uctx) };
    // SAFETY: as in `on_sigill`.
    if unsafe { sent(info) } {
        foreign(sig, info, pc, sp);
    }
    let lo = RUNNING.with(|c| c.get().lo);
    // SAFETY: the kernel passes a valid `siginfo_t` to `SA_SIGINFO` handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    if sig != libc::SIGFPE && lo != 0 && addr < lo && addr >= lo - GUARD_SLACK.min(lo) {
        stack_overflow(pc, sp);
    }
    let mut msg = SigBuf::default();
    msg.push(match sig {
        libc::SIGFPE => b"fatal: arithmetic fault (SIGFPE",
        libc::SIGBUS => b"fatal: bus error (SIGBUS",
        _ => b"fatal: segmentation fault (SIGSEGV",
    });
    msg.push(b" at address ");
    msg.push_hex(addr as u64);
    msg.push(b"; a runtime or compiler bug)\n");
    push_where(&mut msg, pc, sp);
    fatal::fail_from_signal(msg.bytes(), fatal::FATAL_EXIT)
}

#[cfg(all(test, target_arch = "x86_64", target_os = "linux"))]
mod tests {
    use super::*;
    use crate::coro::{stack, switch};
    use std::hint::black_box;

    const CHILD: &str = "PLAT_SIGNAL_TEST_CHILD";

    /// Recurses in Rust (runtime code has no stack checks) until it runs
    /// off its stack.
    #[inline(never)]
    fn burn(n: u64) -> u64 {
        let buf = [n; 64];
        black_box(&buf);
        if black_box(true) {
            burn(black_box(n) + 1) + buf[3]
        } else {
            0
        }
    }

    unsafe extern "C" fn overrun(_arg: *mut u8) -> ! {
        black_box(burn(0));
        crate::rt_fatal!("the overrun returned");
    }

    /// The child: runs `overrun` as "task 7" on a guarded task stack, as
    /// a worker would; with `named`, `burn` is registered as a compiled
    /// function first.
    fn child(named: bool) -> ! {
        install_handlers();
        install_altstack();
        if named {
            let name = c"`burn`".as_ptr() as u64;
            let loc = c"t.plat:3:4".as_ptr() as u64;
            let table: &'static [u64] = Box::leak(Box::new([
                1,
                burn as *const () as u64,
                512,
                name,
                loc,
                0,
                0,
            ]));
            // SAFETY: a table of the documented layout, leaked (static).
            unsafe { crate::codemap::plat_register_functions(table.as_ptr()) };
        }
        // Two neighbouring stacks; the second overruns. Without its guard
        // page it would run on into the first one's memory.
        let below = stack::take();
        let st = stack::take();
        assert!(
            st.lo > below.top() && st.lo - below.top() <= 64 << 10,
            "neighbours"
        );
        assert_eq!(stack::guarded(), 2, "the first stacks carved have guards");
        set_task(Some(Running {
            lo: st.lo,
            limit: st.limit(),
            top: st.top(),
            id: Some(7),
            spawned_at: c"t.plat:1:2".as_ptr(),
        }));
        let mut back = 0usize;
        // SAFETY: a fresh stack we own; `overrun` never returns.
        unsafe {
            let sp = switch::init_stack(st.top(), overrun, std::ptr::null_mut());
            switch::switch(&mut back, sp);
        }
        crate::rt_fatal!("switched back from the overrun");
    }

    /// Runs this test binary's test `name` in a child process with
    /// `CHILD=mode`; returns its exit code and stderr.
    fn run_child(name: &str, mode: &str) -> (Option<i32>, String) {
        let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", name, "--nocapture", "--test-threads=1"])
            .env(CHILD, mode)
            .output()
            .expect("the test binary runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    #[test]
    fn ensure_that_runtime_code_overrunning_a_task_stack_is_a_clean_panic() {
        match std::env::var(CHILD).as_deref() {
            Ok("plain") => child(false),
            Ok("named") => child(true),
            _ => {}
        }
        let me =
            "signal::tests::ensure_that_runtime_code_overrunning_a_task_stack_is_a_clean_panic";
        let (code, err) = run_child(me, "plain");
        assert_eq!(code, Some(101), "stderr: {err}");
        assert!(
            err.ends_with("panic: stack overflow\n  in task 7 (spawned at t.plat:1:2)\n"),
            "stderr: {err}"
        );
        // With a function table, the innermost compiled function is named.
        let (code, err) = run_child(me, "named");
        assert_eq!(code, Some(101), "stderr: {err}");
        assert!(
            err.ends_with(
                "panic: stack overflow in `burn`\n  at t.plat:3:4\n  in task 7 (spawned at t.plat:1:2)\n"
            ),
            "stderr: {err}"
        );
    }
}
