//! The context switch: save the running coroutine's callee-saved state on
//! its own stack, store its stack pointer, load another one, return there.
//!
//! # x86_64 System V
//!
//! Only what the ABI says a callee must preserve is saved: `rbp`, `rbx`,
//! `r12`-`r15`, `rsp`, and the control words of the SSE unit (`mxcsr`) and
//! of the x87 FPU. Everything else is caller-saved, so the Rust or compiled
//! code that called [`switch`] already assumes it is clobbered.
//!
//! A suspended coroutine's stack looks like this (growing down), and its
//! saved stack pointer points at the lowest word:
//!
//! ```text
//! sp + 56   return address (where `switch` returns to when resumed)
//! sp + 48   rbp
//! sp + 40   rbx
//! sp + 32   r12
//! sp + 24   r13
//! sp + 16   r14
//! sp + 8    r15
//! sp + 0    mxcsr (low 4 bytes), x87 control word (next 2 bytes)
//! ```
//!
//! [`init_stack`] writes the same frame on a fresh stack, with the return
//! address of [`trampoline`], `r12` = the argument and `r13` = the entry
//! function, so the first switch to it "returns" into the trampoline,
//! which calls `entry(arg)` on a 16-byte aligned stack. `entry` must never
//! return (the scheduler switches away from a finished coroutine for
//! good); if it did, the trampoline executes `ud2`.
//!
//! # Other architectures
//!
//! aarch64 is not implemented: [`SUPPORTED`] is false there and the
//! scheduler refuses to start (the rest of the runtime still builds).

/// Whether this target has a context switch.
pub const SUPPORTED: bool = cfg!(target_arch = "x86_64");

/// Size of the frame [`init_stack`] writes below the top of a stack.
pub const INITIAL_FRAME: usize = 80;

/// Saves the current context, storing its stack pointer in `*save_sp`,
/// and resumes the context whose saved stack pointer is `to_sp`. Returns
/// when some other context switches back to the saved one.
///
/// # Safety
///
/// `save_sp` must be writable; `to_sp` must be a stack pointer saved by
/// `switch` (or made by [`init_stack`]) of a context that is not running
/// and that nobody else resumes concurrently.
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
pub unsafe extern "C" fn switch(save_sp: *mut usize, to_sp: usize) {
    core::arch::naked_asm!(
        // The call pushed the return address; save the callee-saved
        // registers above it, in the order the layout doc shows.
        "push rbp",
        "push rbx",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        // Room for the two floating-point control words.
        "sub rsp, 8",
        // SSE control/status (rounding mode, exception masks).
        "stmxcsr [rsp]",
        // x87 control word (precision and rounding).
        "fnstcw [rsp + 4]",
        // Publish the suspended context: *save_sp = rsp.
        "mov [rdi], rsp",
        // Switch stacks: from here on we are on the resumed context.
        "mov rsp, rsi",
        // Restore its SSE control/status.
        "ldmxcsr [rsp]",
        // Restore its x87 control word.
        "fldcw [rsp + 4]",
        // Drop the control-word slot.
        "add rsp, 8",
        // Restore its callee-saved registers (reverse push order).
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbx",
        "pop rbp",
        // Return to where it called `switch` (or into the trampoline).
        "ret",
    )
}

/// First code run on a fresh stack: calls `entry(arg)` (`r13(r12)`).
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
unsafe extern "C" fn trampoline() {
    core::arch::naked_asm!(
        // First argument: the pointer stored by `init_stack`.
        "mov rdi, r12",
        // rsp is 16-byte aligned here, as a `call` requires.
        "call r13",
        // `entry` never returns; trap if it does.
        "ud2",
    )
}

#[cfg(not(target_arch = "x86_64"))]
pub unsafe extern "C" fn switch(_save_sp: *mut usize, _to_sp: usize) {
    crate::rt_fatal!("task switching is not implemented on this architecture");
}

/// Writes the initial frame on the stack whose highest address is `top`
/// and returns the stack pointer to pass to [`switch`] to start running
/// `entry(arg)` there.
///
/// # Safety
///
/// `[top - INITIAL_FRAME, top)` must be writable memory owned by the
/// caller; `entry` must never return.
pub unsafe fn init_stack(
    top: usize,
    entry: unsafe extern "C" fn(*mut u8) -> !,
    arg: *mut u8,
) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        let top = top & !15;
        let sp = top - INITIAL_FRAME;
        let words = sp as *mut u64;
        // SAFETY: the caller owns the 80 bytes below `top` (10 words);
        // indices follow the frame layout in the module doc, with the
        // return address at `top - 24` so that after `ret` the stack
        // pointer is `top - 16`, 16-byte aligned.
        unsafe {
            // mxcsr = 0x1F80 (all exceptions masked, round to nearest),
            // x87 control word = 0x037F (the SysV initial value).
            words.add(0).write(0x1F80 | (0x037F << 32));
            words.add(1).write(0); // r15
            words.add(2).write(0); // r14
            words.add(3).write(entry as usize as u64); // r13
            words.add(4).write(arg as u64); // r12
            words.add(5).write(0); // rbx
            words.add(6).write(0); // rbp
            words.add(7).write(trampoline as *const () as usize as u64); // return address
            words.add(8).write(0); // padding (top - 16)
            words.add(9).write(0); // padding (top - 8)
        }
        sp
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (top, entry, arg);
        crate::rt_fatal!("task switching is not implemented on this architecture");
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static MAIN_SP: Cell<usize> = const { Cell::new(0) };
        static CO_SP: Cell<usize> = const { Cell::new(0) };
        static COUNT: Cell<u64> = const { Cell::new(0) };
    }

    unsafe extern "C" fn counter(arg: *mut u8) -> ! {
        let step = arg as u64;
        let mut f = 1.5f64;
        loop {
            COUNT.with(|c| c.set(c.get() + step));
            f *= 2.0;
            let main = MAIN_SP.with(|c| c.get());
            let co = CO_SP.with(|c| c as *const Cell<usize> as *mut usize);
            // SAFETY: `main` was saved by the switch that resumed us.
            unsafe { switch(co, main) };
            assert!(f > 1.0);
        }
    }

    #[test]
    fn ensure_that_a_coroutine_resumes_where_it_switched_away() {
        let mut mem = vec![0u8; 64 << 10];
        let top = mem.as_mut_ptr() as usize + mem.len();
        // SAFETY: `mem` outlives the coroutine (we stop resuming it
        // before dropping it) and `counter` never returns.
        let sp = unsafe { init_stack(top, counter, 3 as *mut u8) };
        CO_SP.with(|c| c.set(sp));
        for i in 1..=5u64 {
            let to = CO_SP.with(|c| c.get());
            // `switch` stores our stack pointer straight into MAIN_SP
            // (`Cell<usize>` has the layout of `usize`).
            let cell = MAIN_SP.with(|c| c as *const Cell<usize> as *mut usize);
            // SAFETY: `to` is the coroutine's saved sp; `cell` is valid.
            unsafe { switch(cell, to) };
            assert_eq!(COUNT.with(|c| c.get()), 3 * i);
        }
        drop(mem);
    }
}
