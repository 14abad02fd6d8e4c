//! The synchronisation library on the real scheduler: Rust closures run
//! as tasks and call the entry points the way compiled code does. No
//! test depends on timing: tasks wait for each other through gates
//! (polling a condition, sleeping 1 ms between looks), and time-based
//! primitives are checked only against lower bounds. Every stress test is
//! bounded; `PLAT_TEST_SCALE` (default 1) multiplies their sizes.
//!
//! Unsafe policy here: as in `sched::tests`, every `unsafe` block calls
//! entry points with the `ctx` the body received and objects obtained
//! from the matching constructors, which is their contract.
#![allow(clippy::undocumented_unsafe_blocks)]

mod blocking;
mod mutex;
mod rwlock;
mod timed;

use std::ffi::c_char;
use std::sync::atomic::Ordering;

use crate::ctx::PlatCtx;
use crate::sched::abi::{
    plat_scope_enter, plat_scope_exit, plat_spawn, plat_task_cancel, plat_task_is_done,
    plat_time_sleep,
};
use crate::sched::run_root;
use crate::sched::task::{Scope, Task, TaskRef, CANCELLED, FAILED, OK};

pub const LOC: *const c_char = c"sync.plat:1:1".as_ptr();
pub const LOC2: *const c_char = c"sync.plat:2:2".as_ptr();

pub fn scale() -> u64 {
    std::env::var("PLAT_TEST_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

type Body = Box<dyn FnOnce(*mut PlatCtx) -> u64>;

unsafe extern "C" fn trampoline(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    // SAFETY: `env` is the `Box<Body>` leaked by `spawn` or `run`.
    let f = unsafe { Box::from_raw(env as *mut Body) };
    f(ctx)
}

fn leak(f: impl FnOnce(*mut PlatCtx) -> u64 + 'static) -> *mut u8 {
    let b: Body = Box::new(f);
    Box::into_raw(Box::new(b)).cast()
}

/// Runs `f` as a root task and returns its handle once it has ended.
pub fn run(f: impl FnOnce(*mut PlatCtx) -> u64 + 'static) -> TaskRef {
    run_root(trampoline, leak(f))
}

/// Runs `f` as a root task that must succeed; its result.
pub fn run_ok(f: impl FnOnce(*mut PlatCtx) -> u64 + 'static) -> u64 {
    let t = run(f);
    assert_eq!(
        t.get().done.load(Ordering::Acquire),
        OK,
        "root failed: {:?}",
        crate::sched::failure_text(t)
    );
    t.get().result()
}

/// The panic text of a task that must have failed.
pub fn failure(t: TaskRef) -> String {
    assert_eq!(t.get().done.load(Ordering::Acquire), FAILED, "not failed");
    crate::sched::failure_text(t).expect("a failure")
}

/// Runs `f` as a root task that must fail; its panic text.
pub fn run_failing(f: impl FnOnce(*mut PlatCtx) -> u64 + 'static) -> String {
    failure(run(f))
}

/// Spawns `f` in `scope`.
pub fn spawn(
    ctx: *mut PlatCtx,
    scope: *mut Scope,
    f: impl FnOnce(*mut PlatCtx) -> u64 + 'static,
) -> *mut Task {
    unsafe { plat_spawn(ctx, scope, trampoline, leak(f), LOC2) }
}

/// Opens a scope, runs `f` in it, then waits for the scope's tasks.
pub fn scope<R>(ctx: *mut PlatCtx, f: impl FnOnce(*mut Scope) -> R) -> R {
    let s = unsafe { plat_scope_enter(ctx) };
    let r = f(s);
    unsafe { plat_scope_exit(ctx, s) };
    r
}

/// A gate: sleeps 1 ms at a time until `cond` holds.
pub fn until(ctx: *mut PlatCtx, mut cond: impl FnMut() -> bool) {
    while !cond() {
        unsafe { plat_time_sleep(ctx, 1) };
    }
}

/// Cancels `t` and waits until it has ended.
pub fn cancel_and_wait(ctx: *mut PlatCtx, t: *mut Task) {
    unsafe { plat_task_cancel(t) };
    until(ctx, || unsafe { plat_task_is_done(t) } == 1);
}

/// How a task ended.
pub fn outcome(t: *mut Task) -> u8 {
    // SAFETY: a task handle (never freed).
    unsafe { &*t }.done.load(Ordering::Acquire)
}

pub fn is_cancelled(t: *mut Task) -> bool {
    outcome(t) == CANCELLED
}

pub fn is_failed(t: *mut Task) -> bool {
    outcome(t) == FAILED
}

/// A raw pointer that closures may capture and move to other tasks
/// (the objects it points to are shared by design).
pub struct P<T>(pub *mut T);

impl<T> Clone for P<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for P<T> {}

impl<T> P<T> {
    pub fn get<'a>(self) -> &'a T {
        // SAFETY: test objects live for the whole test (leaked).
        unsafe { &*self.0 }
    }
}

/// Leaks `v`, for state shared by a test's tasks.
pub fn shared<T>(v: T) -> P<T> {
    P(Box::into_raw(Box::new(v)))
}
