//! Two primitives for library code written in Plat (`stdlib/std/actor.plat`
//! is their first user; docs/actors.md): running a function value as a
//! task of the caller's *dynamic* scope, and catching a panic at a task
//! boundary. Both are system built-ins (docs/runtime-abi.md, "System
//! built-ins"; `compiler/src/check/sys_builtins.rs`), taking a closure
//! `Fn() -> Unit`.
//!
//! - `scope_spawn(f) -> Option<Task<Unit>>` ([`plat_scope_spawn`]): `f` as
//!   a new task of the innermost scope the calling task is in: the last
//!   `concurrent` block it opened and has not left, else the scope it was
//!   spawned in. `None` when there is none (the main task outside every
//!   `concurrent` block): the library says what went wrong in its own
//!   words. The task is an ordinary child of that scope: the scope waits
//!   for it, a panic in it cancels the scope's other tasks.
//! - `catch_panic(f) -> Option<String>` ([`plat_catch_panic`]): runs `f`
//!   in a child task of a private scope and waits for it. `None` when `f`
//!   returned, `Some("MESSAGE (at LOC)")` when it panicked; that failure
//!   counts as observed, so it goes no further. A panic cannot be caught
//!   inside its own task (it ends the task without unwinding, see
//!   `sched` invariants), hence the task. If the caller is cancelled
//!   meanwhile, `f`'s task is cancelled too and the caller ends at once
//!   as cancelled.
//!
//! Invariant: both keep the `Scope` protocol of `abi.rs` (children are
//! counted under the scope lock before they are published; the scope
//! outlives them), since they go through `plat_spawn`.
#![allow(clippy::missing_safety_doc)]

use std::sync::atomic::Ordering;

use super::abi::{enter, leave, plat_spawn, task_of};
use super::task::{Scope, Task, CANCELLED, FAILED, OK};
use crate::ctx::PlatCtx;
use crate::gc::shape::PlatShape;
use crate::io::value;

/// The `spawn` body of a task running a closure `Fn() -> Unit`: calls its
/// code with the closure as `env` (docs/runtime-abi.md, "Closures").
unsafe extern "C" fn closure_body(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    // SAFETY: `env` is a closure object (the built-ins' contract), whose
    // word at `closure::CODE` is its code pointer.
    let code = unsafe { *(env.add(plat_abi::object::closure::CODE) as *const usize) };
    // SAFETY: the code of a `Fn() -> Unit` is compiled with the signature
    // `fn(ctx, env)` and no result, in the C convention of compiled code.
    let f =
        unsafe { std::mem::transmute::<usize, unsafe extern "C" fn(*mut PlatCtx, *mut u8)>(code) };
    // SAFETY: as above; `ctx` is the running task's context.
    unsafe { f(ctx, env) };
    0
}

/// `scope_spawn(f = f) -> Option<Task<Unit>>`: see the module doc.
/// `opt` is the descriptor of `Option<Task<Unit>>`.
#[no_mangle]
pub unsafe extern "C" fn plat_scope_spawn(
    ctx: *mut PlatCtx,
    f: *mut u8,
    opt: *const PlatShape,
) -> *mut u8 {
    let me = task_of(ctx);
    // SAFETY: only the running task touches its scope stack.
    let innermost = unsafe { (*me.get().scopes.get()).last().copied() };
    let scope: *const Scope = innermost.unwrap_or_else(|| me.get().info().scope);
    if scope.is_null() {
        return value::none(opt);
    }
    // SAFETY: an open scope of this task, or the scope this running task
    // was spawned in (which cannot end before it does); `f` is a closure.
    let t = unsafe { plat_spawn(ctx, scope as *mut Scope, closure_body, f, std::ptr::null()) };
    value::some(opt, t as u64)
}

/// `catch_panic(f = f) -> Option<String>`: see the module doc. `opt` is
/// the descriptor of `Option<String>`.
#[no_mangle]
pub unsafe extern "C" fn plat_catch_panic(
    ctx: *mut PlatCtx,
    f: *mut u8,
    opt: *const PlatShape,
) -> *mut u8 {
    let me = task_of(ctx);
    let scope = enter(ctx, false);
    // SAFETY: `scope` was just opened by this task; `f` is a closure.
    let t = unsafe { plat_spawn(ctx, scope, closure_body, f, std::ptr::null()) };
    // SAFETY: `scope` stays alive until `leave` below.
    super::wait_scope(me, unsafe { &*scope }, false, true);
    // SAFETY: the handle is a heap object kept alive by this frame (the
    // collector scans task stacks conservatively).
    let task: &Task = unsafe { &*t };
    let message = match task.done.load(Ordering::Acquire) {
        OK => None,
        FAILED => {
            task.observed.store(true, Ordering::Release);
            task.failure().map(describe)
        }
        CANCELLED => Some("task was cancelled".to_owned()),
        _ => crate::rt_fatal!("catch_panic: its task has not ended"),
    };
    leave(me, scope);
    // Our own cancellation (which cancelled `f`'s task) ends us here.
    super::check_cancel(me);
    match message {
        None => value::none(opt),
        Some(m) => {
            let s = value::str_of(&m);
            value::some(opt, s as u64)
        }
    }
}

/// `MESSAGE (at LOC)`, or `MESSAGE` when the failure has no location.
fn describe(f: &super::task::Failure) -> String {
    let message = String::from_utf8_lossy(&f.message);
    // SAFETY: failure locations are null or static NUL-terminated strings.
    match unsafe { crate::fatal::loc_arg(f.loc) } {
        Some(loc) => format!("{message} (at {})", loc.to_string_lossy()),
        None => message.into_owned(),
    }
}

/// `eprint(value = s)`: writes `s` and a newline to stderr (unbuffered),
/// e.g. a library reporting a failure nobody waits for.
#[no_mangle]
pub unsafe extern "C" fn plat_eprint(_ctx: *mut PlatCtx, s: *const crate::string::PlatStr) {
    // SAFETY: `s` is a valid string (contract).
    let mut line = unsafe { crate::string::bytes(s) }.to_vec();
    line.push(b'\n');
    crate::fatal::write_all(2, &line);
}
