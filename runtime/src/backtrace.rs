//! The compiled calls a panic came through: its `called from LOC` lines.
//!
//! ```text
//! panic: called `unwrap()` on `None`
//!   at prog.plat:4:22
//!   called from prog.plat:9:10
//!   called from prog.plat:15:3
//!   in task 2 (spawned at prog.plat:14:26)
//! ```
//!
//! `at` is where the panic happened (in the innermost compiled function,
//! F); each `called from` line is a call still waiting on the stack, from
//! F's caller outwards, named by the line table of the function it is in
//! (`crate::codemap`). Calls the compiler inlined are listed too: a line
//! table entry of inlined code names the calls it stands for, so the
//! panic's own entry in F and each caller's call are followed by those.
//! The walk has two parts:
//!
//! 1. From the runtime code raising the panic down to F, with the system
//!    unwinder (`_Unwind_Backtrace`): the runtime's frames are Rust code,
//!    which has `.eh_frame` unwind tables. The first frame whose address is
//!    in compiled code is F; the unwinder's register state for it gives
//!    F's frame pointer (`rbp`), wherever the runtime frames saved it.
//! 2. From F outwards by frame pointers. Cranelift gives every function
//!    that makes a call a frame (`push rbp; mov rbp, rsp`) and never
//!    allocates `rbp` to anything else, so in a compiled frame `[rbp]` is
//!    the caller's `rbp` and `[rbp + 8]` the return address into the
//!    caller (compiled code has no `.eh_frame`: the unwinder stops at F).
//!
//! The walk stops at the first return address that is not just after a
//! call in compiled code (the task's entry, or runtime code that called a
//! function value: `par_map`, `Mutex.critical`...), and at a frame pointer
//! that leaves the running task's stack or does not go up it, so it never
//! reads outside that stack. A deep recursion prints its innermost
//! [`FIRST`] and outermost [`LAST`] calls and says how many it left out.
//!
//! Only for panics raised in task context (`crate::sched::raise`), never
//! from a signal handler; a stack overflow's panic has no trace (its task
//! resumes on an abandoned stack, see `crate::signal`). On targets other
//! than x86-64 Linux the trace is empty.

use std::ffi::CStr;

use crate::codemap::{FnEntry, Line};

/// Innermost calls kept.
pub const FIRST: usize = 20;
/// Outermost calls kept.
pub const LAST: usize = 5;

/// Where the calls of a panic's stack are: innermost first, at most
/// [`FIRST`] + [`LAST`] of them, and how many were left out between.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// The source location of each kept call ("file:line:col").
    pub calls: Vec<&'static [u8]>,
    /// Calls left out after the first [`FIRST`].
    pub elided: usize,
}

impl Trace {
    /// Appends one `  called from LOC` line per call (and one for the
    /// left-out ones) to `text`.
    pub fn render(&self, text: &mut Vec<u8>) {
        for (i, loc) in self.calls.iter().enumerate() {
            if i == FIRST && self.elided > 0 {
                text.extend_from_slice(
                    format!("  ... {} more calls ...\n", self.elided).as_bytes(),
                );
            }
            text.extend_from_slice(b"  called from ");
            text.extend_from_slice(loc);
            text.push(b'\n');
        }
    }

    /// Keeps `loc` as the next (outer) call.
    fn push(&mut self, loc: &'static [u8], ring: &mut Vec<&'static [u8]>) {
        if self.calls.len() < FIRST {
            self.calls.push(loc);
            return;
        }
        // Past the first FIRST: the last LAST go round a ring, the rest
        // are counted.
        if ring.len() == LAST {
            ring.remove(0);
            self.elided += 1;
        }
        ring.push(loc);
    }
}

/// The calls waiting on the running task's stack `[lo, top)` below the
/// runtime code calling this (see the module doc).
pub fn capture(lo: usize, top: usize) -> Trace {
    let mut trace = Trace::default();
    let Some((ip, mut rbp)) = innermost_compiled_frame() else {
        return trace;
    };
    let mut ring = Vec::new();
    // The panic's own call into the runtime: only the calls it was
    // inlined at (its location is the panic's `at`).
    if let Some(f) = crate::codemap::find(ip) {
        for call in inlined_calls(f.line(ip - 1)) {
            trace.push(call, &mut ring);
        }
    }
    loop {
        if rbp < lo || rbp % 8 != 0 || rbp.saturating_add(16) > top {
            break;
        }
        // SAFETY: `[rbp, rbp + 16)` is inside the running task's stack
        // `[lo, top)` (checked above), which is mapped and readable.
        let (next, ra) = unsafe { (*(rbp as *const usize), *((rbp + 8) as *const usize)) };
        let Some(f) = crate::codemap::find(ra) else {
            break;
        };
        if !crate::codemap::follows_call(ra, f.start) {
            break;
        }
        // The call instruction ends just before the return address.
        let line = f.line(ra - 1);
        trace.push(call_location(f, line), &mut ring);
        for call in inlined_calls(line) {
            trace.push(call, &mut ring);
        }
        if next <= rbp {
            break;
        }
        rbp = next;
    }
    trace.calls.append(&mut ring);
    trace
}

/// Where a call in `f` is: its line-table entry's location, or `f`'s
/// declaration.
fn call_location(f: &FnEntry, line: Option<&'static Line>) -> &'static [u8] {
    let loc = line.map_or(f.loc, |l| l.loc);
    // SAFETY: locations in a registered table are null or static
    // NUL-terminated strings (`crate::codemap`).
    unsafe { crate::fatal::loc_arg(loc) }.map_or(b"?", CStr::to_bytes)
}

/// The calls inlined code at `line` stands for, innermost first.
fn inlined_calls(line: Option<&'static Line>) -> impl Iterator<Item = &'static [u8]> {
    let calls = line.map_or(std::ptr::null(), |l| l.calls);
    // SAFETY: as in `call_location`.
    let text = unsafe { crate::fatal::loc_arg(calls) }.map_or(&b""[..], CStr::to_bytes);
    text.split(|&b| b == b'\n').filter(|l| !l.is_empty())
}

/// The innermost compiled frame below the caller: the address in it the
/// runtime returns to, and its frame pointer, found with the system
/// unwinder (part 1 of the module doc).
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn innermost_compiled_frame() -> Option<(usize, usize)> {
    use std::ffi::{c_int, c_void};

    /// `struct _Unwind_Context`, opaque.
    #[repr(C)]
    struct UnwindContext {
        _private: [u8; 0],
    }
    type TraceFn = extern "C" fn(*mut UnwindContext, *mut c_void) -> c_int;
    extern "C" {
        fn _Unwind_Backtrace(trace: TraceFn, arg: *mut c_void) -> c_int;
        fn _Unwind_GetIP(ctx: *mut UnwindContext) -> usize;
        fn _Unwind_GetGR(ctx: *mut UnwindContext, index: c_int) -> usize;
    }
    /// `_URC_NO_REASON`: go on; anything else stops the walk.
    const CONTINUE: c_int = 0;
    const STOP: c_int = 4;
    /// DWARF register number of `rbp` on x86-64.
    const RBP: c_int = 6;
    /// Runtime frames above compiled code are few; more means the walk
    /// is not where it should be.
    const MAX_RUNTIME_FRAMES: usize = 64;

    struct Search {
        frames: usize,
        found: Option<(usize, usize)>,
    }
    extern "C" fn on_frame(ctx: *mut UnwindContext, arg: *mut c_void) -> c_int {
        // SAFETY: `arg` is the `Search` passed below, alive for the walk;
        // `ctx` is the unwinder's context for this frame.
        let (search, ip) = unsafe { (&mut *(arg as *mut Search), _Unwind_GetIP(ctx)) };
        if crate::codemap::find(ip).is_some() {
            // SAFETY: as above.
            search.found = Some((ip, unsafe { _Unwind_GetGR(ctx, RBP) }));
            return STOP;
        }
        search.frames += 1;
        if search.frames > MAX_RUNTIME_FRAMES {
            return STOP;
        }
        CONTINUE
    }
    let mut search = Search {
        frames: 0,
        found: None,
    };
    // SAFETY: `on_frame` has the callback's signature and only reads the
    // context it is given; `search` outlives the call.
    unsafe { _Unwind_Backtrace(on_frame, &mut search as *mut Search as *mut c_void) };
    search.found
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn innermost_compiled_frame() -> Option<(usize, usize)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locs(n: usize) -> Vec<&'static [u8]> {
        (0..n)
            .map(|i| format!("p.plat:{i}:1").leak().as_bytes())
            .collect()
    }

    /// A deep stack keeps its innermost FIRST and outermost LAST calls
    /// and counts the others; a short one keeps all, in order.
    #[test]
    fn a_deep_trace_keeps_both_ends() {
        let names = locs(100);
        let mut t = Trace::default();
        let mut ring = Vec::new();
        for n in &names {
            t.push(n, &mut ring);
        }
        t.calls.append(&mut ring);
        assert_eq!(t.calls.len(), FIRST + LAST);
        assert_eq!(t.elided, 100 - FIRST - LAST);
        let mut text = Vec::new();
        t.render(&mut text);
        let text = String::from_utf8(text).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  called from p.plat:0:1");
        assert_eq!(lines[FIRST - 1], "  called from p.plat:19:1");
        assert_eq!(lines[FIRST], "  ... 75 more calls ...");
        assert_eq!(lines[FIRST + 1], "  called from p.plat:95:1");
        assert_eq!(lines.last(), Some(&"  called from p.plat:99:1"));

        let short = locs(3);
        let mut t = Trace::default();
        let mut ring = Vec::new();
        for n in &short {
            t.push(n, &mut ring);
        }
        t.calls.append(&mut ring);
        let mut text = Vec::new();
        t.render(&mut text);
        assert_eq!(
            String::from_utf8(text).expect("utf-8"),
            "  called from p.plat:0:1\n  called from p.plat:1:1\n  called from p.plat:2:1\n"
        );
    }

    /// Without compiled code on the stack (a unit test's), the unwinder
    /// finds no compiled frame and the trace is empty.
    #[test]
    fn no_compiled_frames_give_an_empty_trace() {
        let here = 0u8;
        let sp = std::hint::black_box(&here) as *const u8 as usize;
        let t = capture(sp, sp + 4096);
        assert!(t.calls.is_empty() && t.elided == 0);
    }
}
