//! The task dump (`SIGQUIT`, as Go's): every live task, its state, what
//! it waits for and where it is, printed on stderr while the program goes
//! on.
//!
//! ```text
//! SIGQUIT: 3 tasks
//!   task main: waiting: await of task 2, at prog.plat:9:16
//!   task 2 (spawned at prog.plat:7:26): waiting: receive on the channel made at prog.plat:5:3, at prog.plat:7:40
//!   task 3 (spawned at prog.plat:8:26): runnable, at prog.plat:12:5
//! ```
//!
//! `at` is the innermost compiled call on the task's stack (the line it
//! is stopped at); it is left out when unknown (a task not started yet).
//!
//! # Invariants
//!
//! - [`dump_tasks`] runs only with the world stopped (`crate::gc::collect`
//!   runs it at the barrier, by the leader): every task is switched out,
//!   parked or queued, so its reason, saved stack pointer and stack are
//!   stable and its stack is readable.

use std::sync::atomic::Ordering;

use super::lifecycle::task_label;
use super::task::{self, RUNNING};
use super::PARK_PARKED;
use crate::{codemap, fatal};

/// Writes the dump of every live task to stderr (one `write`). Only with
/// the world stopped (module invariant).
pub fn dump_tasks() {
    let mut lines = Vec::new();
    let mut p = task::ALL.load(Ordering::Acquire);
    while !p.is_null() {
        // SAFETY: fibers are never freed; registry links are immutable
        // once published.
        let t = unsafe { &*p };
        p = t.next_all.load(Ordering::Acquire);
        let h = t.handle.load(Ordering::Acquire);
        // SAFETY: a non-null handle is a live task's (never freed).
        if h.is_null() || unsafe { &*h }.done.load(Ordering::Acquire) != RUNNING {
            continue;
        }
        let id = t.id();
        let mut line = task_label(id, t.info().loc).replacen("  in ", "  ", 1);
        line.push_str(": ");
        if t.park.load(Ordering::Acquire) == PARK_PARKED {
            line.push_str("waiting: ");
            // SAFETY: the world is stopped and the task parked (module
            // invariant): nobody writes its reason.
            line.push_str(&unsafe { super::deadlock::reason_text(t) });
        } else {
            line.push_str("runnable");
        }
        // SAFETY: the world is stopped: the task's saved stack pointer
        // and stack are stable, and `[sp, top)` is its own mapped stack.
        let at = unsafe {
            (*t.stack.get()).and_then(|st| {
                let sp = (*t.sp.get()).clamp(st.lo, st.top());
                codemap::innermost_call_site(sp, st.top())
            })
        };
        // SAFETY: a static NUL-terminated location from the function table.
        if let Some(at) = at.and_then(|a| unsafe { fatal::loc_arg(a) }) {
            line.push_str(", at ");
            line.push_str(&at.to_string_lossy());
        }
        lines.push((id, line));
    }
    lines.sort_by_key(|l| l.0);
    let mut text = format!("SIGQUIT: {} tasks\n", lines.len());
    for (_, l) in lines {
        text.push_str(&l);
        text.push('\n');
    }
    fatal::write_all(2, text.as_bytes());
}
