//! Entry points for tasks, scopes, safepoints and time, called by
//! compiled code (`docs/runtime-abi.md`, "Tasks, scopes and the
//! scheduler"). Known to compiler: names and signatures.
//!
//! Contract: `ctx` is the running task's context (the one compiled code
//! received); `scope` and `task` are pointers returned by these entry
//! points; `loc` is null or a static NUL-terminated `"file:line:col"`;
//! `body` follows the `spawn` body convention.
#![allow(clippy::missing_safety_doc)]

use std::ffi::c_char;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::task::{Body, Fiber, FiberRef, Reason, Scope, Task, TaskRef, CANCELLED, FAILED, OK};
use super::timer;
use crate::ctx::PlatCtx;

pub(super) fn task_of(ctx: *mut PlatCtx) -> FiberRef {
    // The context is the first field of its `#[repr(C)]` fiber.
    FiberRef(ctx as *const Fiber)
}

pub(super) fn enter(ctx: *mut PlatCtx, race: bool) -> *mut Scope {
    let me = task_of(ctx);
    let scope = Arc::into_raw(Scope::new(me, race)) as *mut Scope;
    // SAFETY: only the running task touches its scope stack.
    unsafe { (*me.get().scopes.get()).push(scope) };
    scope
}

pub(super) fn leave(me: FiberRef, scope: *mut Scope) {
    // SAFETY: only the running task touches its scope stack.
    let scopes = unsafe { &mut *me.get().scopes.get() };
    if let Some(i) = scopes.iter().rposition(|&s| std::ptr::eq(s, scope)) {
        scopes.remove(i);
    }
    // SAFETY: `scope` came from `Arc::into_raw` in `enter` and is
    // released exactly once, here; its tasks are done.
    drop(unsafe { Arc::from_raw(scope as *const Scope) });
}

/// `concurrent { ... }`: opens a task scope.
#[no_mangle]
pub unsafe extern "C" fn plat_scope_enter(ctx: *mut PlatCtx) -> *mut Scope {
    enter(ctx, false)
}

/// `concurrent(deadline_millis = n) { ... }`: a scope whose tasks are
/// cancelled when `millis` have passed.
#[no_mangle]
pub unsafe extern "C" fn plat_scope_enter_deadline(ctx: *mut PlatCtx, millis: i64) -> *mut Scope {
    let scope = enter(ctx, false);
    // SAFETY: `scope` is a live `Arc` allocation made by `enter`.
    let arc = unsafe {
        Arc::increment_strong_count(scope as *const Scope);
        Arc::from_raw(scope as *const Scope)
    };
    let deadline = super::now_nanos().saturating_add(millis.max(0) as u64 * 1_000_000);
    timer::add(deadline, timer::Action::CancelScope(arc));
    scope
}

/// End of a `concurrent` block (every path out): waits for its tasks and
/// re-raises the first unobserved failure.
#[no_mangle]
pub unsafe extern "C" fn plat_scope_exit(ctx: *mut PlatCtx, scope: *mut Scope) {
    let me = task_of(ctx);
    // SAFETY: a scope from `plat_scope_enter`, not exited yet.
    let sc = unsafe { &*scope };
    super::wait_scope(me, sc, false, true);
    let failed = sc.lock().first_failure;
    leave(me, scope);
    if let Some(f) = failed {
        let t = f.get();
        if !t.observed.swap(true, Ordering::AcqRel) {
            if let Some(failure) = t.failure() {
                super::reraise(me, failure);
            }
        }
    }
}

/// `spawn { ... }` inside the scope `scope`.
#[no_mangle]
pub unsafe extern "C" fn plat_spawn(
    _ctx: *mut PlatCtx,
    scope: *mut Scope,
    body: Body,
    env: *mut u8,
    loc: *const c_char,
) -> *mut Task {
    let (t, f) = Task::create(Some(body), env, loc, scope, false);
    // SAFETY: a live scope of the running task.
    let sc = unsafe { &*scope };
    {
        let mut inner = sc.lock();
        inner.children.push(t);
        sc.count_spawn(&mut inner);
        if inner.cancelled {
            // Not started yet: it ends as cancelled when first run.
            t.get().request_cancel(inner.cause.as_ref());
            f.get().ctx.poll.store(1, Ordering::Release);
        }
    }
    if super::trace::on() {
        super::trace_spawn(f);
    }
    super::enqueue(f, false);
    if super::seed::is_seeded() && super::seed::one_in(super::seed::SPAWN_YIELD_ONE_IN) {
        // A seeded preemption point: the child (or another task) may run
        // before the spawner continues.
        let me = task_of(_ctx);
        super::yield_now(me);
        super::check_cancel(me);
    } else if super::spawn_backlog() {
        // Spawning faster than the children run: let them catch up.
        let me = task_of(_ctx);
        super::yield_local(me);
        super::check_cancel(me);
    }
    t.0 as *mut Task
}

/// Outcome of an ended task for its awaiter: the result, or a panic. A
/// task cancelled because of a failure (see `task::Cause`) re-raises
/// that root failure (and marks it observed); any other cancelled task
/// panics with "task was cancelled" at `loc` (the await's location).
fn collect(me: FiberRef, t: &Task, loc: *const c_char) -> u64 {
    match t.done.load(Ordering::Acquire) {
        OK => t.result(),
        FAILED => {
            t.observed.store(true, Ordering::Release);
            match t.failure() {
                Some(f) => super::reraise(me, f),
                None => crate::rt_fatal!("failed task without a failure"),
            }
        }
        CANCELLED => match t.cancel_cause() {
            Some(cause) => {
                cause.task.get().observed.store(true, Ordering::Release);
                super::reraise(me, &cause.failure)
            }
            None => super::raise(b"task was cancelled", loc),
        },
        _ => crate::rt_fatal!("collecting a running task"),
    }
}

/// Registers `me` as a waiter of `t` (after `prepare_park`); false if `t`
/// is already done.
fn register_waiter(me: FiberRef, t: &Task) -> bool {
    t.add_waiter(me)
}

/// `task.await()` at `loc` (null or the await's source location).
#[no_mangle]
pub unsafe extern "C" fn plat_task_await(
    ctx: *mut PlatCtx,
    task: *mut Task,
    loc: *const c_char,
) -> u64 {
    let me = task_of(ctx);
    // SAFETY: a task handle, kept alive by the caller's reference.
    let t = unsafe { &*task };
    loop {
        if t.is_done() {
            return collect(me, t, loc);
        }
        super::check_cancel(me);
        super::prepare_park(me);
        if !register_waiter(me, t) {
            super::cancel_park(me);
            continue;
        }
        super::park_cancellable(
            me,
            Reason {
                what: "awaiting task",
                task: Some(t.id),
                at: std::ptr::null(),
            },
        );
    }
}

/// `task.await_timeout(millis = n)` at `loc` (null or the call's source
/// location): 1 and `*out` = result if the task ended within `millis`,
/// else 0. A failed or cancelled task panics as in `plat_task_await`.
#[no_mangle]
pub unsafe extern "C" fn plat_task_await_timeout(
    ctx: *mut PlatCtx,
    task: *mut Task,
    millis: i64,
    out: *mut u64,
    loc: *const c_char,
) -> u8 {
    let me = task_of(ctx);
    // SAFETY: a task handle, kept alive by the caller's reference.
    let t = unsafe { &*task };
    let deadline = super::now_nanos().saturating_add(millis.max(0) as u64 * 1_000_000);
    let mut armed = false;
    loop {
        if t.is_done() {
            let r = collect(me, t, loc);
            // SAFETY: `out` is writable (contract).
            unsafe { *out = r };
            return 1;
        }
        if super::now_nanos() >= deadline {
            return 0;
        }
        super::check_cancel(me);
        super::prepare_park(me);
        if !register_waiter(me, t) {
            super::cancel_park(me);
            continue;
        }
        if !armed {
            timer::add(deadline, timer::Action::Wake(me));
            armed = true;
        }
        super::park_cancellable(
            me,
            Reason {
                what: "awaiting (with timeout) task",
                task: Some(t.id),
                at: std::ptr::null(),
            },
        );
    }
}

/// `task.is_done()`.
#[no_mangle]
pub unsafe extern "C" fn plat_task_is_done(task: *mut Task) -> u8 {
    // SAFETY: a task handle, kept alive by the caller's reference.
    unsafe { &*task }.is_done() as u8
}

/// `task.cancel()`.
#[no_mangle]
pub unsafe extern "C" fn plat_task_cancel(task: *mut Task) {
    super::cancel(TaskRef(task), None);
}

/// `is_cancelled()`.
#[no_mangle]
pub unsafe extern "C" fn plat_is_cancelled(ctx: *mut PlatCtx) -> u8 {
    task_of(ctx)
        .get()
        .task()
        .get()
        .cancel
        .load(Ordering::Acquire) as u8
}

/// `race { spawn ... }`: opens a racing scope.
#[no_mangle]
pub unsafe extern "C" fn plat_race_enter(ctx: *mut PlatCtx) -> *mut Scope {
    enter(ctx, true)
}

/// End of `race` at `loc` (null or the race's source location): the
/// first successful result; the other tasks are cancelled and awaited.
/// If none succeeded, the last failure is re-raised (and if every task
/// was cancelled, that is a panic at `loc`).
#[no_mangle]
pub unsafe extern "C" fn plat_race_wait(
    ctx: *mut PlatCtx,
    scope: *mut Scope,
    loc: *const c_char,
) -> u64 {
    let me = task_of(ctx);
    // SAFETY: a scope from `plat_race_enter`, not finished yet.
    let sc = unsafe { &*scope };
    super::wait_scope(me, sc, true, true);
    // The losers are cancelled without a cause (their awaiters panic with
    // "task was cancelled"); an owner's own cancellation already
    // cancelled the scope with its cause in `wait_scope`.
    super::cancel_scope(sc, None);
    super::wait_scope(me, sc, false, false);
    let (winner, last) = {
        let inner = sc.lock();
        (inner.winner, inner.last_failure)
    };
    // Failures of the losers are observed by the race itself.
    for c in sc.lock().children.iter() {
        c.get().observed.store(true, Ordering::Release);
    }
    leave(me, scope);
    if let Some(w) = winner {
        return w.get().result();
    }
    super::check_cancel(me);
    match last.and_then(|l| l.get().failure().cloned()) {
        Some(f) => super::reraise(me, &f),
        None => super::raise(
            b"race ended without a result (every task was cancelled)",
            loc,
        ),
    }
}

/// Slow path of the safepoint poll: yields on preemption requests, ends
/// the task when it was cancelled. In seeded mode `poll` stays set and
/// the generator decides whether to yield (a seeded preemption point).
#[no_mangle]
pub unsafe extern "C" fn plat_safepoint(ctx: *mut PlatCtx) {
    let me = task_of(ctx);
    super::check_cancel(me);
    if super::seed::is_seeded() {
        // A pending collection needs every task switched out.
        if !crate::gc::collect::pending() && !super::seed::one_in(super::seed::YIELD_ONE_IN) {
            return;
        }
    } else {
        me.get().ctx.poll.store(0, Ordering::Relaxed);
    }
    super::yield_now(me);
    // A cancellation may have come while we were queued.
    super::check_cancel(me);
}

/// The safepoint poll's slow path as compiled code calls it: with the
/// `preserve_all` convention (every register is as it was on return), so
/// that a poll in a hot loop costs its caller no spills. Saves the
/// registers the C convention lets [`plat_safepoint`] clobber (the
/// caller-saved general registers and xmm0-15; compiled code keeps
/// nothing in the upper halves of ymm registers), calls it, restores them.
///
/// # Safety
///
/// As [`plat_safepoint`].
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn plat_safepoint_preserving(ctx: *mut PlatCtx) {
    core::arch::naked_asm!(
        // Entry: rsp = 8 (mod 16). After rbp and nine pushes: 8 (mod 16);
        // after 264 bytes for the xmm registers: 0, as a call needs.
        "push rbp",
        "mov rbp, rsp",
        "push rax",
        "push rcx",
        "push rdx",
        "push rsi",
        "push rdi",
        "push r8",
        "push r9",
        "push r10",
        "push r11",
        "sub rsp, 264",
        "movdqu [rsp], xmm0",
        "movdqu [rsp + 16], xmm1",
        "movdqu [rsp + 32], xmm2",
        "movdqu [rsp + 48], xmm3",
        "movdqu [rsp + 64], xmm4",
        "movdqu [rsp + 80], xmm5",
        "movdqu [rsp + 96], xmm6",
        "movdqu [rsp + 112], xmm7",
        "movdqu [rsp + 128], xmm8",
        "movdqu [rsp + 144], xmm9",
        "movdqu [rsp + 160], xmm10",
        "movdqu [rsp + 176], xmm11",
        "movdqu [rsp + 192], xmm12",
        "movdqu [rsp + 208], xmm13",
        "movdqu [rsp + 224], xmm14",
        "movdqu [rsp + 240], xmm15",
        // rdi still holds `ctx`.
        "call {safepoint}",
        "movdqu xmm0, [rsp]",
        "movdqu xmm1, [rsp + 16]",
        "movdqu xmm2, [rsp + 32]",
        "movdqu xmm3, [rsp + 48]",
        "movdqu xmm4, [rsp + 64]",
        "movdqu xmm5, [rsp + 80]",
        "movdqu xmm6, [rsp + 96]",
        "movdqu xmm7, [rsp + 112]",
        "movdqu xmm8, [rsp + 128]",
        "movdqu xmm9, [rsp + 144]",
        "movdqu xmm10, [rsp + 160]",
        "movdqu xmm11, [rsp + 176]",
        "movdqu xmm12, [rsp + 192]",
        "movdqu xmm13, [rsp + 208]",
        "movdqu xmm14, [rsp + 224]",
        "movdqu xmm15, [rsp + 240]",
        "add rsp, 264",
        "pop r11",
        "pop r10",
        "pop r9",
        "pop r8",
        "pop rdi",
        "pop rsi",
        "pop rdx",
        "pop rcx",
        "pop rax",
        "pop rbp",
        "ret",
        safepoint = sym plat_safepoint,
    )
}

/// See the x86-64 version: compiled code runs only there.
#[cfg(not(target_arch = "x86_64"))]
#[no_mangle]
pub unsafe extern "C" fn plat_safepoint_preserving(_ctx: *mut PlatCtx) {
    crate::rt_fatal!("safepoints are not implemented on this architecture");
}

/// `time_sleep(millis = n)`: parks the task for at least `millis` ms.
#[no_mangle]
pub unsafe extern "C" fn plat_time_sleep(ctx: *mut PlatCtx, millis: i64) {
    let me = task_of(ctx);
    super::check_cancel(me);
    if millis <= 0 {
        return;
    }
    let deadline = super::now_nanos().saturating_add(millis as u64 * 1_000_000);
    let mut armed = false;
    loop {
        super::check_cancel(me);
        if super::now_nanos() >= deadline {
            return;
        }
        super::prepare_park(me);
        if !armed {
            timer::add(deadline, timer::Action::Wake(me));
            armed = true;
        }
        super::park_cancellable(
            me,
            Reason {
                what: "sleeping",
                task: None,
                at: std::ptr::null(),
            },
        );
    }
}

/// `time_now()`: milliseconds since the Unix epoch.
#[no_mangle]
pub extern "C" fn plat_time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `time_monotonic_nanos()`.
#[no_mangle]
pub extern "C" fn plat_time_monotonic_nanos() -> i64 {
    super::now_nanos() as i64
}

/// `Thread.spawn(f = ...)`: runs `body(ctx, env)` as a task pinned to a
/// new OS thread (`super::thread`); `join` is `plat_task_await` on the
/// returned handle.
#[no_mangle]
pub unsafe extern "C" fn plat_thread_spawn(
    _ctx: *mut PlatCtx,
    body: Body,
    env: *mut u8,
    loc: *const c_char,
) -> *mut Task {
    super::thread::spawn(body, env, loc).0 as *mut Task
}
