//! `PLAT_TRACE=FILE`: a Chrome trace-event JSON file of the scheduler's
//! life (open it in Perfetto or chrome://tracing).
//!
//! Events, one row (`tid`) per worker (`tid` [`EXTERNAL_TID`] for threads
//! that are not workers, e.g. the test harness):
//!
//! - `"task N"` `B`/`E` slices: task N running on that worker (`main` for
//!   the main task);
//! - instants (`"ph":"i"`): `spawn` (in the spawner's slice),
//!   `park` (`args.reason`), `wake` (on the waker's row), `end`
//!   (`args.outcome`: ok, failed, cancelled); each names its task in
//!   `args.task`.
//!
//! Events are recorded in memory, in a buffer per worker, and written as
//! one JSON array when the process exits through `fatal::exit` /
//! `fatal::fail` (a normal end, a panic, a deadlock report, a runtime
//! bug; not a crash in a signal handler). Timestamps are real
//! microseconds since the scheduler started, also in seeded mode.
//!
//! # Invariants
//!
//! - `ON` is written once before the scheduler starts; when it is false
//!   nothing else here is touched (one Relaxed load per event site).
//! - Each buffer is a `Mutex<Vec<Event>>` locked by its own worker for one
//!   `push` (uncontended) and by the exiting thread in [`finish`]; the
//!   registry `BUFFERS` (mutex) is locked only when a worker registers
//!   its buffer and in [`finish`]. Lock order: `BUFFERS`, then a buffer.
//!   Nothing is called while a buffer is locked except `Vec::push`.
//! - [`finish`] uses `try_lock` only, so an exit raised while a buffer is
//!   locked (out of memory inside `push`) cannot deadlock; such a buffer
//!   is skipped.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// `tid` of events recorded outside a worker.
pub const EXTERNAL_TID: usize = 9999;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A task starts running (slice begin).
    Run,
    /// The running task switched away (slice end).
    Stop,
    Spawn,
    /// `detail`: the reason.
    Park,
    Wake,
    /// `detail`: the outcome.
    End,
}

/// One trace event.
#[derive(Clone, Copy, Debug)]
pub struct Event {
    pub ts: u64,
    pub kind: Kind,
    /// Task id (0: main).
    pub task: u64,
    pub detail: &'static str,
    /// A task id the detail refers to (`u64::MAX`: none).
    pub other: u64,
    /// A static NUL-terminated source location completing the detail
    /// (the `at` of a park reason), or 0.
    pub at: usize,
}

/// One thread's events.
pub struct Buffer {
    pub tid: usize,
    pub events: Mutex<Vec<Event>>,
}

static ON: AtomicBool = AtomicBool::new(false);
static PATH: OnceLock<std::path::PathBuf> = OnceLock::new();
static START: AtomicU64 = AtomicU64::new(0);
static BUFFERS: Mutex<Vec<&'static Buffer>> = Mutex::new(Vec::new());
static EXTERNAL: Buffer = Buffer {
    tid: EXTERNAL_TID,
    events: Mutex::new(Vec::new()),
};

/// Reads `PLAT_TRACE` and turns tracing on if set (before the scheduler
/// starts).
pub fn init_from_env() {
    if let Some(p) = std::env::var_os("PLAT_TRACE").filter(|p| !p.is_empty()) {
        let first = PATH.set(p.into()).is_ok();
        START.store(super::real_nanos(), Ordering::Relaxed);
        ON.store(true, Ordering::Release);
        if first {
            // The trace file is written when the process ends.
            crate::fatal::on_exit(finish);
        }
    }
}

/// Whether tracing is on.
#[inline]
pub fn on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// A new registered buffer for worker `tid` (leaked: lives until exit).
pub fn new_buffer(tid: usize) -> &'static Buffer {
    let b: &'static Buffer = Box::leak(Box::new(Buffer {
        tid,
        events: Mutex::new(Vec::with_capacity(1 << 12)),
    }));
    BUFFERS.lock().unwrap_or_else(|e| e.into_inner()).push(b);
    b
}

/// Records an event in `buf` (this thread's buffer), or in the external
/// buffer when `buf` is `None`. Call only when [`on`].
pub fn record(
    buf: Option<&'static Buffer>,
    kind: Kind,
    task: u64,
    detail: &'static str,
    other: u64,
) {
    record_at(buf, kind, task, detail, other, std::ptr::null());
}

/// [`record`] with a source location completing `detail` (a park
/// reason's `at`: where the channel or lock was made).
pub fn record_at(
    buf: Option<&'static Buffer>,
    kind: Kind,
    task: u64,
    detail: &'static str,
    other: u64,
    at: *const std::ffi::c_char,
) {
    let ts = super::real_nanos().saturating_sub(START.load(Ordering::Relaxed));
    let b = buf.unwrap_or(&EXTERNAL);
    b.events
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Event {
            ts,
            kind,
            task,
            detail,
            other,
            at: at as usize,
        });
}

fn task_name(out: &mut String, id: u64) {
    if id == 0 {
        out.push_str("main");
    } else {
        let _ = write!(out, "{id}");
    }
}

/// Appends `s` as a JSON string literal.
pub fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends one event as a JSON object.
pub fn render(out: &mut String, tid: usize, e: &Event) {
    let (name, ph) = match e.kind {
        Kind::Run | Kind::Stop => ("task", if e.kind == Kind::Run { "B" } else { "E" }),
        Kind::Spawn => ("spawn", "i"),
        Kind::Park => ("park", "i"),
        Kind::Wake => ("wake", "i"),
        Kind::End => ("end", "i"),
    };
    let mut label = String::from(name);
    label.push(' ');
    task_name(&mut label, e.task);
    out.push_str("{\"name\":");
    json_str(out, &label);
    let _ = write!(
        out,
        ",\"ph\":\"{ph}\",\"ts\":{}.{:03},\"pid\":1,\"tid\":{tid}",
        e.ts / 1000,
        e.ts % 1000
    );
    if ph == "i" {
        out.push_str(",\"s\":\"t\",\"args\":{\"task\":");
        let mut t = String::new();
        task_name(&mut t, e.task);
        json_str(out, &t);
        match e.kind {
            Kind::Park => {
                let mut r = e.detail.to_owned();
                if e.other != u64::MAX {
                    r.push(' ');
                    task_name(&mut r, e.other);
                }
                if e.at != 0 {
                    // SAFETY: `at` is a static NUL-terminated location
                    // (park reasons' contract).
                    let at = unsafe { std::ffi::CStr::from_ptr(e.at as *const std::ffi::c_char) };
                    r.push(' ');
                    r.push_str(&at.to_string_lossy());
                }
                out.push_str(",\"reason\":");
                json_str(out, &r);
            }
            Kind::End => {
                out.push_str(",\"outcome\":");
                json_str(out, e.detail);
            }
            _ => {}
        }
        out.push('}');
    }
    out.push('}');
}

/// Renders every buffer as a JSON array (with a thread name per row).
pub fn render_all(buffers: &[(usize, Vec<Event>)]) -> String {
    let mut out = String::from("[\n");
    let mut first = true;
    for (tid, events) in buffers {
        if !first {
            out.push_str(",\n");
        }
        first = false;
        let name = if *tid == EXTERNAL_TID {
            "external".to_owned()
        } else {
            format!("worker {tid}")
        };
        let _ = write!(
            out,
            "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":{tid},\"args\":{{\"name\":"
        );
        json_str(&mut out, &name);
        out.push_str("}}");
        for e in events {
            out.push_str(",\n");
            render(&mut out, *tid, e);
        }
    }
    out.push_str("\n]\n");
    out
}

/// Writes the trace file (at exit; idempotent: later calls write nothing).
pub fn finish() {
    if !ON.swap(false, Ordering::AcqRel) {
        return;
    }
    let Some(path) = PATH.get() else { return };
    let mut all = Vec::new();
    let bufs: Vec<&'static Buffer> = match BUFFERS.try_lock() {
        Ok(b) => b.clone(),
        Err(_) => Vec::new(),
    };
    for b in bufs.into_iter().chain(std::iter::once(&EXTERNAL)) {
        if let Ok(mut ev) = b.events.try_lock() {
            if !ev.is_empty() || b.tid != EXTERNAL_TID {
                all.push((b.tid, std::mem::take(&mut *ev)));
            }
        }
    }
    all.sort_by_key(|(tid, _)| *tid);
    // Close the slices still open (the task that is exiting, and tasks
    // running on other workers) at the exit time.
    let now = super::real_nanos().saturating_sub(START.load(Ordering::Relaxed));
    for (_, events) in &mut all {
        let last = events
            .iter()
            .rev()
            .find(|e| matches!(e.kind, Kind::Run | Kind::Stop))
            .copied();
        if let Some(e) = last.filter(|e| e.kind == Kind::Run) {
            events.push(Event {
                ts: now.max(e.ts),
                kind: Kind::Stop,
                ..e
            });
        }
    }
    if let Err(e) = std::fs::write(path, render_all(&all)) {
        let msg = format!(
            "warning: cannot write PLAT_TRACE file {}: {e}\n",
            path.display()
        );
        crate::stdout::write_all(2, msg.as_bytes());
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A minimal JSON syntax check (enough to catch broken rendering).
    pub fn valid_json(s: &str) -> bool {
        fn ws(b: &[u8], i: &mut usize) {
            while *i < b.len() && b[*i].is_ascii_whitespace() {
                *i += 1;
            }
        }
        fn value(b: &[u8], i: &mut usize) -> bool {
            ws(b, i);
            match b.get(*i) {
                Some(b'{') | Some(b'[') => {
                    let close = if b[*i] == b'{' { b'}' } else { b']' };
                    let obj = close == b'}';
                    *i += 1;
                    ws(b, i);
                    if b.get(*i) == Some(&close) {
                        *i += 1;
                        return true;
                    }
                    loop {
                        if obj {
                            ws(b, i);
                            if b.get(*i) != Some(&b'"') || !value(b, i) {
                                return false;
                            }
                            ws(b, i);
                            if b.get(*i) != Some(&b':') {
                                return false;
                            }
                            *i += 1;
                        }
                        if !value(b, i) {
                            return false;
                        }
                        ws(b, i);
                        match b.get(*i) {
                            Some(b',') => *i += 1,
                            Some(c) if *c == close => {
                                *i += 1;
                                return true;
                            }
                            _ => return false,
                        }
                    }
                }
                Some(b'"') => {
                    *i += 1;
                    while let Some(&c) = b.get(*i) {
                        *i += 1;
                        match c {
                            b'\\' => *i += 1,
                            b'"' => return true,
                            c if c < 0x20 => return false,
                            _ => {}
                        }
                    }
                    false
                }
                Some(c) if c.is_ascii_digit() || *c == b'-' => {
                    *i += 1;
                    while b
                        .get(*i)
                        .is_some_and(|c| c.is_ascii_digit() || b".eE+-".contains(c))
                    {
                        *i += 1;
                    }
                    true
                }
                Some(_) => {
                    for lit in ["true", "false", "null"] {
                        if b[*i..].starts_with(lit.as_bytes()) {
                            *i += lit.len();
                            return true;
                        }
                    }
                    false
                }
                None => false,
            }
        }
        let b = s.as_bytes();
        let mut i = 0;
        let ok = value(b, &mut i);
        ws(b, &mut i);
        ok && i == b.len()
    }

    #[test]
    fn ensure_that_rendered_events_are_valid_json() {
        let ev = |kind, task, detail, other| Event {
            ts: 1_234_567,
            kind,
            task,
            detail,
            other,
            at: 0,
        };
        let s = render_all(&[
            (
                0,
                vec![
                    ev(Kind::Run, 0, "", u64::MAX),
                    ev(Kind::Spawn, 3, "", u64::MAX),
                    ev(Kind::Park, 0, "awaiting \"task\"\n", 3),
                    ev(Kind::Stop, 0, "", u64::MAX),
                ],
            ),
            (
                1,
                vec![
                    ev(Kind::Wake, 0, "", u64::MAX),
                    ev(Kind::End, 3, "ok", u64::MAX),
                ],
            ),
            (EXTERNAL_TID, vec![]),
        ]);
        assert!(valid_json(&s), "{s}");
        assert!(s.contains("\"ts\":1234.567"), "{s}");
        assert!(
            s.contains("\"reason\":\"awaiting \\\"task\\\"\\n 3\""),
            "{s}"
        );
        assert!(s.contains("\"name\":\"task main\",\"ph\":\"B\""), "{s}");
        assert!(!valid_json("[{\"a\":1,}]"));
        assert!(!valid_json("[{\"a\" 1}]"));
    }
}
