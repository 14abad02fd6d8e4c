//! Deadlock detection's report: every blocked task and why.
//!
//! # Invariants
//!
//! - Called only when every worker is idle (or, seeded, the only one),
//!   with no queued task and no pending timer, so no task runs and every
//!   live task's `reason` is stable.

use std::sync::atomic::Ordering;

use super::lifecycle::task_label;
use super::task::{self, RUNNING};
use super::DEADLOCK_EXIT;
use crate::fatal;

/// Prints every parked task and exits with [`DEADLOCK_EXIT`].
pub(super) fn report_deadlock() -> ! {
    let mut text = String::from("fatal: all tasks are blocked (deadlock)\n");
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
            let r = unsafe { *t.reason.get() };
            let info = t.info();
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
            let id = t.id();
            let who = task_label(id, info.loc);
            lines.push((
                id,
                format!("{}: {what}", who.trim_start().trim_start_matches("in ")),
            ));
        }
        p = t.next_all.load(Ordering::Acquire);
    }
    lines.sort_by_key(|l| l.0);
    for (_, l) in lines {
        text.push_str("  ");
        text.push_str(&l);
        text.push('\n');
    }
    fatal::fail_raw(text.as_bytes(), DEADLOCK_EXIT)
}
