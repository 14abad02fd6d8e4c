//! Deadlock detection's report: every blocked task and why (or, in a
//! `plat test` run, the failure of the deadlocked cases).
//!
//! # Invariants
//!
//! - Called only when every worker is idle (or, seeded, the only one),
//!   with no queued task and no pending timer, so no task runs and every
//!   live task's `reason` is stable.

use std::sync::atomic::Ordering;

use super::lifecycle::task_label;
use super::task::{self, FiberRef, RUNNING};
use super::DEADLOCK_EXIT;
use crate::fatal;

/// What parked task `t` waits for: `"await of task 3"`, `"receive on the
/// channel made at a.plat:4:3"`...
///
/// # Safety
///
/// `t` is parked and stays so (nobody writes its reason meanwhile).
pub(super) unsafe fn reason_text(t: &task::Fiber) -> String {
    // SAFETY: caller's contract.
    let r = unsafe { *t.reason.get() };
    let mut what = match r.task {
        Some(0) => format!("{} main", r.what),
        Some(id) => format!("{} {id}", r.what),
        None => r.what.to_owned(),
    };
    if !r.at.is_null() {
        // SAFETY: `at` is a static NUL-terminated location.
        let at = unsafe { std::ffi::CStr::from_ptr(r.at) };
        what.push(' ');
        what.push_str(&at.to_string_lossy());
    }
    what
}

/// Every parked task, by id: `(fiber, id, "task N (spawned at L): what")`.
fn blocked_tasks() -> Vec<(FiberRef, u64, String)> {
    let mut lines = Vec::new();
    let mut p = task::ALL.load(Ordering::Acquire);
    while !p.is_null() {
        // SAFETY: fibers are never freed; registry links are immutable
        // once published.
        let t = unsafe { &*p };
        let h = t.handle.load(Ordering::Acquire);
        // SAFETY: a non-null handle is a live task's (never freed).
        if !h.is_null() && unsafe { &*h }.done.load(Ordering::Acquire) == RUNNING {
            // SAFETY: every task is parked, so nobody writes its reason
            // or recycles its fiber.
            let what = unsafe { reason_text(t) };
            let info = t.info();
            let id = t.id();
            let who = task_label(id, info.loc);
            lines.push((
                FiberRef(p),
                id,
                format!("{}: {what}", who.trim_start().trim_start_matches("in ")),
            ));
        }
        p = t.next_all.load(Ordering::Acquire);
    }
    lines.sort_by_key(|l| l.1);
    lines
}

/// Every task is parked and nothing can wake one. In a `plat test` run,
/// fails the deadlocked cases and hands the runner to `resume` (which
/// must not take the idle lock when the caller holds it), see
/// `testrun::on_deadlock`; otherwise prints the report and exits.
pub(super) fn deadlock_found(resume: impl FnOnce(FiberRef)) {
    let blocked: Vec<(FiberRef, String)> = blocked_tasks()
        .into_iter()
        .map(|(f, _, line)| (f, line))
        .collect();
    if !super::testrun::on_deadlock(&blocked, resume) {
        report_deadlock();
    }
}

/// Prints every parked task and exits with [`DEADLOCK_EXIT`].
pub(super) fn report_deadlock() -> ! {
    let mut text = String::from("fatal: all tasks are blocked (deadlock)\n");
    for (_, _, l) in blocked_tasks() {
        text.push_str("  ");
        text.push_str(&l);
        text.push('\n');
    }
    fatal::fail_raw(text.as_bytes(), DEADLOCK_EXIT)
}
