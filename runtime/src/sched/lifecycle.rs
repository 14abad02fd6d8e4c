//! Task lifecycle: entry, parking, cancellation, scopes, the end of a
//! task and Plat panics (failures) crossing tasks.
//!
//! # Invariants
//!
//! - Only the running task calls [`park`], [`yield_now`], [`end_task`],
//!   [`check_cancel`], [`raise`] (they switch off its stack).
//! - A task's end publishes its outcome (`done`, under its `waiters`
//!   lock) before it touches its scope, and touches its scope only while
//!   it is not yet counted as ended there (the owner frees the scope once
//!   every child is counted).

use std::ffi::{c_char, CStr};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::task::{Cause, Failure, Fiber, FiberRef, Reason, Scope, TaskRef, CANCELLED, FAILED, OK};
use super::{current, wake, worker, Action, PARK_PARKING, PARK_RUNNING};
use crate::backtrace::Trace;
use crate::coro::switch;
use crate::ctx::PlatCtx;
use crate::fatal;

/// First function on a task's stack.
pub(super) unsafe extern "C" fn task_entry(arg: *mut u8) -> ! {
    let f = FiberRef(arg as *const Fiber);
    let fiber = f.get();
    let task = fiber.task().get();
    if task.cancel.load(Ordering::Acquire) {
        end_task(f, CANCELLED, None);
    }
    let info = fiber.info();
    let body = info
        .body
        .unwrap_or_else(|| crate::rt_fatal!("task without a body"));
    let ctx = &fiber.ctx as *const PlatCtx as *mut PlatCtx;
    // SAFETY: the body is compiled code (or a test's) following the
    // `spawn` body contract; `ctx` is this task's context.
    let r = unsafe { body(ctx, info.env) };
    task.set_result(r);
    end_task(f, OK, None)
}

/// Switches from the running task back to its worker's scheduler.
pub(super) fn switch_out(t: FiberRef, action: Action) {
    let w = worker().unwrap_or_else(|| crate::rt_fatal!("switch outside a worker"));
    w.action.set(action);
    // SAFETY: we are running `t` on `w`; its scheduler context is saved
    // in `sched_sp` by the switch that resumed us.
    unsafe { switch::switch(t.get().sp.get(), *w.sched_sp.get()) };
}

/// The running task's fiber, or a runtime bug if called outside a task.
pub fn me() -> FiberRef {
    let p = current();
    if p.is_null() {
        crate::rt_fatal!("a task operation was called outside a task");
    }
    FiberRef(p)
}

/// Parks the running task, which has stored `PARK_PARKING` before
/// publishing itself to a waker. Returns once woken (maybe spuriously).
pub fn park(t: FiberRef, reason: Reason) {
    // SAFETY: only the running task writes its reason.
    unsafe { *t.get().reason.get() = reason };
    switch_out(t, Action::Park);
}

/// Whether the running task `t` has been asked to stop (never the main
/// task).
pub fn cancel_requested(t: FiberRef) -> bool {
    let f = t.get();
    !f.is_main() && f.task().get().cancel.load(Ordering::Acquire)
}

/// [`park`] for a site that ends its task when it is cancelled (it loops
/// back to a [`check_cancel`]). Called after the caller's
/// [`prepare_park`]: a cancellation that came after the caller's last
/// look found the task running and woke nobody, so it is looked for again
/// here, after a `SeqCst` fence that pairs with the one in [`cancel`]
/// (Dekker: either `cancel` sees `PARKING` and its wake-up is not lost,
/// or this load sees the flag). Then it returns at once, as a spurious
/// wake-up would.
pub fn park_cancellable(t: FiberRef, reason: Reason) {
    std::sync::atomic::fence(Ordering::SeqCst);
    if cancel_requested(t) {
        cancel_park(t);
        return;
    }
    park(t, reason);
}

/// Marks the running task as parking (step one of a park).
pub fn prepare_park(t: FiberRef) {
    t.get().park.store(PARK_PARKING, Ordering::SeqCst);
}

/// Undoes [`prepare_park`] when the condition turned out to hold.
pub fn cancel_park(t: FiberRef) {
    t.get().park.store(PARK_RUNNING, Ordering::SeqCst);
}

/// Lets other tasks run; the running task is queued behind them.
pub fn yield_now(t: FiberRef) {
    switch_out(t, Action::Yield);
}

/// Lets the tasks of this worker's own queue run first: the running task
/// is queued behind them, on this worker (a spawner letting its children
/// catch up, see `worker::spawn_backlog`).
pub fn yield_local(t: FiberRef) {
    switch_out(t, Action::YieldLocal);
}

/// Requests cancellation of `t` (idempotent: the first request decides
/// the cause). `cause`: the failure that made its scope cancel it, or
/// `None` (explicit `cancel()`, deadline, race).
pub fn cancel(t: TaskRef, cause: Option<&Arc<Cause>>) {
    let task = t.get();
    if task.is_done() || !task.request_cancel(cause) {
        return;
    }
    // Maybe stale (the task just ended and its fiber was recycled): then
    // a spurious yield and wake-up of the fiber's new task (harmless,
    // see `task`).
    let f = task.fiber.load(Ordering::Acquire);
    if !f.is_null() {
        let f = FiberRef(f);
        f.get().ctx.poll.store(1, Ordering::Release);
        // Dekker with a park site that stores `PARKING` and then reads
        // `cancel` (`crate::sync::wait::park_until`): either it sees the
        // flag, or this wake-up sees it parking.
        std::sync::atomic::fence(Ordering::SeqCst);
        wake(f);
    }
}

/// Cancels every child of `scope` (idempotent: the first cancellation
/// decides the cause), with `cause` as in [`cancel`].
pub fn cancel_scope(scope: &Scope, cause: Option<Arc<Cause>>) {
    let children = {
        let mut inner = scope.lock();
        if inner.cancelled {
            return;
        }
        inner.cancelled = true;
        inner.cause = cause.clone();
        inner.children.clone()
    };
    for c in children {
        cancel(c, cause.as_ref());
    }
}

/// Parks the running task until every child of `scope` is done (or, for
/// a race with `stop_at_winner`, until one succeeded).
pub fn wait_scope(me: FiberRef, scope: &Scope, stop_at_winner: bool, cancel_on_own_cancel: bool) {
    let mut cascaded = false;
    loop {
        let own = me.get().task().get();
        if cancel_on_own_cancel && !cascaded && own.cancel.load(Ordering::Acquire) {
            // The owner's cancellation cascades with its cause.
            cancel_scope(scope, own.cancel_cause());
            cascaded = true;
        }
        // Dekker with the last child's `pending` increment then `wake`: we
        // store `PARKING` then read `pending`, it increments `pending` then
        // loads `park` (all `SeqCst`), so one of us sees the other.
        prepare_park(me);
        let done = scope.all_ended() || (stop_at_winner && scope.lock().winner.is_some());
        if done {
            cancel_park(me);
            return;
        }
        let reason = Reason {
            what: "waiting for the tasks of its scope",
            task: None,
            at: std::ptr::null(),
        };
        if cancel_on_own_cancel && !cascaded {
            // Back to the top (and the cascade) if a cancellation came.
            park_cancellable(me, reason);
        } else {
            park(me, reason);
        }
    }
}

/// Ends the running task `t` with `kind` and never returns: releases
/// what it holds of the synchronisation library, closes the scopes it
/// left open (cancelling and waiting for their tasks), records
/// the outcome, wakes its awaiters and its scope's owner, and switches
/// away for good.
pub fn end_task(f: FiberRef, kind: u8, failure: Option<Box<Failure>>) -> ! {
    // First what it holds of the synchronisation library: a failed or
    // cancelled task releases its mutexes, lock holds and permits; any
    // end completes a `Once` it was running (`crate::sync::held`).
    crate::sync::held::on_task_end(f, kind != OK);
    let fiber = f.get();
    let t = fiber.task();
    let task = t.get();
    // SAFETY: only the running task touches its scope stack. Usually
    // empty: then its buffer stays for the fiber's next task.
    let open: Vec<*const Scope> = unsafe {
        let scopes = &mut *fiber.scopes.get();
        if scopes.is_empty() {
            Vec::new()
        } else {
            std::mem::take(scopes)
        }
    };
    // Why the tasks of those scopes and, for a first failure, this task's
    // siblings are cancelled: this task's failure, or the cause of its
    // own cancellation.
    let cause = match (&failure, kind) {
        (Some(f), FAILED) => Some(Arc::new(Cause {
            task: t,
            failure: (**f).clone(),
        })),
        _ => task.cancel_cause(),
    };
    for &sc in open.iter().rev() {
        // SAFETY: an open scope is kept alive by its `Arc` until the
        // owner exits it, which can no longer happen for these.
        let sc = unsafe { &*sc };
        cancel_scope(sc, cause.clone());
        wait_scope(f, sc, false, false);
    }
    task.finish(kind, failure);
    for w in task.close_waiters() {
        wake(w);
    }
    // SAFETY: a child's scope outlives the child: the owner frees it only
    // once `count_end` counted every child, and ours is our last access.
    if let Some(scope) = unsafe { fiber.info().scope.as_ref() } {
        let owner = scope.owner;
        // Failures and race wins are recorded under the lock (rare); a
        // plain success touches only the ended count.
        if kind == FAILED || (kind == OK && scope.race) {
            let (cancel_others, won) = {
                let mut inner = scope.lock();
                let mut cancel_others = false;
                let mut won = false;
                if kind == FAILED {
                    if inner.first_failure.is_none() {
                        inner.first_failure = Some(t);
                        cancel_others = !scope.race;
                    }
                    inner.last_failure = Some(t);
                } else if inner.winner.is_none() {
                    inner.winner = Some(t);
                    won = true;
                }
                (cancel_others, won)
            };
            if cancel_others {
                cancel_scope(scope, cause);
            }
            if won {
                // Maybe spurious (the owner is not waiting yet): harmless.
                wake(owner);
            }
        }
        if scope.count_end() {
            wake(owner);
        }
    }
    switch_out(f, Action::Exit);
    crate::rt_fatal!("a finished task was resumed")
}

/// Ends the running task as cancelled if cancellation was requested
/// (a cancellation point). The main task is never cancelled.
pub fn check_cancel(f: FiberRef) {
    let fiber = f.get();
    if fiber.task().get().cancel.load(Ordering::Acquire) && !fiber.is_main() {
        end_task(f, CANCELLED, None);
    }
}

/// Raises a Plat panic. Inside a spawned task it ends that task as
/// failed (the failure travels to whoever awaits the task); in the main
/// task, or outside any task, it prints `panic: MESSAGE\n  at LOC\n`
/// (plus the chain of tasks it crossed) on stderr and exits with 101.
/// `loc` must be static (compiled code's locations are); `None` names the
/// compiled call site. Must not be called while holding a runtime lock.
pub fn panic(message: &[u8], loc: Option<&CStr>) -> ! {
    raise(message, loc.map_or(std::ptr::null(), |l| l.as_ptr()))
}

/// A Plat panic raised with `message` at `loc` in the running code.
/// Inside a task: ends the task as failed. Otherwise (or in the main
/// task): prints the panic and exits with 101. The failure carries the
/// compiled calls waiting on the stack (`crate::backtrace`).
pub fn raise(message: &[u8], loc: *const c_char) -> ! {
    let trace = match crate::signal::running_stack() {
        Some((lo, top)) => crate::backtrace::capture(lo, top),
        None => Trace::default(),
    };
    raise_with(message, loc, trace)
}

/// [`raise`] without the calls: for a panic raised where the stack below
/// is not the panicking code's (a stack overflow's, see `crate::signal`).
pub fn raise_untraced(message: &[u8], loc: *const c_char) -> ! {
    raise_with(message, loc, Trace::default())
}

fn raise_with(message: &[u8], loc: *const c_char, trace: Trace) -> ! {
    // Every panic names where it happened: a runtime error raised without
    // a location gets the line of the compiled call it came from.
    let loc = if loc.is_null() {
        crate::signal::call_site()
    } else {
        loc
    };
    let p = current();
    if p.is_null() {
        print_failure_and_exit(&Failure {
            message: message.to_vec(),
            loc,
            trace,
            chain: Vec::new(),
        });
    }
    let t = FiberRef(p);
    let fiber = t.get();
    let f = Failure {
        message: message.to_vec(),
        loc,
        trace,
        chain: vec![(fiber.id(), fiber.info().loc)],
    };
    fail(t, f)
}

/// Re-raises `f` (a failure of another task) in the running task `t`.
pub fn reraise(t: FiberRef, f: &Failure) -> ! {
    let fiber = t.get();
    let mut f = f.clone();
    f.chain.push((fiber.id(), fiber.info().loc));
    fail(t, f)
}

fn fail(t: FiberRef, f: Failure) -> ! {
    if t.get().is_main() {
        print_failure_and_exit(&f);
    }
    end_task(t, FAILED, Some(Box::new(f)))
}

/// Renders a failure: `panic: MSG`, `  at LOC`, one `  called from LOC`
/// line per compiled call it came through, then (when it crossed tasks)
/// one `  in task N (spawned at LOC)` line per task.
pub fn render_failure(f: &Failure) -> Vec<u8> {
    let mut text = b"panic: ".to_vec();
    text.extend_from_slice(&f.message);
    text.push(b'\n');
    // SAFETY: locations are null or static NUL-terminated strings.
    if let Some(loc) = unsafe { fatal::loc_arg(f.loc) } {
        text.extend_from_slice(b"  at ");
        text.extend_from_slice(loc.to_bytes());
        text.push(b'\n');
    }
    f.trace.render(&mut text);
    let crossed = f.chain.iter().any(|&(id, _)| id != 0);
    if crossed {
        for &(id, loc) in &f.chain {
            text.extend_from_slice(task_label(id, loc).as_bytes());
            text.push(b'\n');
        }
    }
    text
}

pub(super) fn task_label(id: u64, loc: *const c_char) -> String {
    if id == 0 {
        return "  in task main".to_owned();
    }
    // SAFETY: as in `render_failure`.
    match unsafe { fatal::loc_arg(loc) } {
        Some(l) => format!("  in task {id} (spawned at {})", l.to_string_lossy()),
        None => format!("  in task {id}"),
    }
}

fn print_failure_and_exit(f: &Failure) -> ! {
    fatal::fail_raw(&render_failure(f), fatal::PANIC_EXIT)
}
