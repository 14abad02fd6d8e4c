//! The fast path: the front end called in-process, on a worker thread
//! with the compiler's big stack, each input under `catch_unwind` and a
//! timeout. It does what `plat check` does (`driver::check_all`) but keeps
//! the diagnostics instead of printing them, then checks every span and
//! renders every diagnostic (the renderer must not panic either).

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Once;
use std::time::Duration;

use platc::check::{self, Mode};
use platc::diag::{self, Diagnostic};
use platc::modules;
use platc::source::{SourceMap, Span};
use platc::syntax::{self, ast::ItemKind};

use crate::verdict::{Finding, FindingKind, Verdict};

/// The name of the worker threads, which the panic hook recognises.
const WORKER: &str = "frontfuzz-check";

thread_local! {
    /// The message and location of the last panic on this thread.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A panic on a worker thread is recorded, not printed: it is a finding
/// the campaign reports. Panics elsewhere print as usual.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some(WORKER) {
                let location = info.location().map_or("unknown location".to_string(), |l| {
                    format!("{}:{}:{}", l.file(), l.line(), l.column())
                });
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(non-string payload)".into());
                LAST_PANIC
                    .with(|p| *p.borrow_mut() = Some(format!("panicked at {location}: {message}")));
            } else {
                default(info);
            }
        }));
    });
}

struct Job {
    /// Where the file claims to be: imports resolve from its folder.
    path: PathBuf,
    text: String,
}

struct Worker {
    jobs: Sender<Job>,
    results: Receiver<Verdict>,
}

/// The in-process runner. A hung input leaves its thread behind (a
/// thread cannot be stopped): the next input starts a new one.
pub struct InProcess {
    worker: Option<Worker>,
    timeout: Duration,
}

impl InProcess {
    pub fn new(timeout: Duration) -> InProcess {
        install_panic_hook();
        InProcess {
            worker: None,
            timeout,
        }
    }

    /// Checks `text` as the file `path` (which need not exist; its folder
    /// is where imports are looked up).
    pub fn check(&mut self, path: &Path, text: &str) -> Verdict {
        let worker = match self.worker.take() {
            Some(w) => w,
            None => match spawn() {
                Ok(w) => w,
                Err(e) => return Verdict::Finding(Finding::new(FindingKind::Crash, "spawn", e)),
            },
        };
        let job = Job {
            path: path.to_path_buf(),
            text: text.to_string(),
        };
        if worker.jobs.send(job).is_err() {
            return Verdict::Finding(Finding::new(
                FindingKind::Crash,
                "worker",
                "the worker thread is gone".into(),
            ));
        }
        match worker.results.recv_timeout(self.timeout) {
            Ok(v) => {
                self.worker = Some(worker);
                v
            }
            Err(RecvTimeoutError::Timeout) => Verdict::Finding(Finding::new(
                FindingKind::Hang,
                "",
                format!("no answer after {:?}", self.timeout),
            )),
            Err(RecvTimeoutError::Disconnected) => Verdict::Finding(Finding::new(
                FindingKind::Crash,
                "worker",
                "the worker thread died".into(),
            )),
        }
    }
}

fn spawn() -> Result<Worker, String> {
    // The compiler's own stack size (address space, committed as used);
    // smaller if refused.
    let mut refused = String::new();
    for size in [platc::stack::STACK_SIZE, 1 << 30, 256 << 20] {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (result_tx, results) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name(WORKER.into())
            .stack_size(size)
            .spawn(move || serve(job_rx, result_tx));
        match spawned {
            Ok(_) => return Ok(Worker { jobs, results }),
            Err(e) => refused = e.to_string(),
        }
    }
    Err(format!("cannot start a worker thread: {refused}"))
}

/// The worker thread: one verdict per job, panics caught.
fn serve(jobs: Receiver<Job>, results: Sender<Verdict>) {
    for job in jobs {
        LAST_PANIC.with(|p| p.borrow_mut().take());
        let verdict = match panic::catch_unwind(AssertUnwindSafe(|| front_end(&job.path, job.text)))
        {
            Ok(v) => v,
            Err(_) => {
                let message = LAST_PANIC
                    .with(|p| p.borrow_mut().take())
                    .unwrap_or_else(|| "panicked (no message)".into());
                Verdict::Finding(Finding::new(
                    FindingKind::Panic,
                    &panic_key(&message),
                    message,
                ))
            }
        };
        if results.send(verdict).is_err() {
            break;
        }
    }
}

/// What identifies a panic: where it happened (`file:line:col`).
pub fn panic_key(message: &str) -> String {
    message
        .split("panicked at ")
        .nth(1)
        .and_then(|m| m.split(['\n', ' ']).next())
        .map(|m| m.trim_end_matches(':').to_string())
        .unwrap_or_default()
}

/// `plat check`'s front end on one text: the verdict and its diagnostics
/// checked. Panics propagate to the caller's `catch_unwind`.
fn front_end(path: &Path, text: String) -> Verdict {
    let mut sources = SourceMap::default();
    let file = sources.add(path, path.display().to_string(), text);
    let text = &sources.get(file).text;
    let (module, mut diags) = syntax::parse_file(file, text);
    let has = |kind: fn(&ItemKind) -> bool| module.items.iter().any(|i| kind(&i.kind));
    let mut modes = vec![Mode::Program];
    if has(|k| matches!(k, ItemKind::Test { .. })) {
        modes.push(Mode::Test);
    }
    if has(|k| matches!(k, ItemKind::Bench { .. })) {
        modes.push(Mode::Bench);
    }
    let root_dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let (modules, load_diags) = modules::load(module, &root_dir, &mut sources);
    diags.extend(load_diags);
    let mut rejected = !diags.is_empty();
    if !rejected {
        // As `check_all`: each mode, its diagnostics merged.
        for mode in modes {
            let (program, found) = check::check_mode(&modules, Span::new(file, 0, 0), mode);
            if program.is_none() && found.is_empty() {
                return Verdict::Finding(Finding::new(
                    FindingKind::NoDiagnostic,
                    &format!("{mode:?}"),
                    format!("checking as {mode:?} failed without a diagnostic"),
                ));
            }
            rejected |= program.is_none();
            for d in found {
                let seen = diags.iter().any(|o| {
                    o.code == d.code && o.primary.span == d.primary.span && o.message == d.message
                });
                if !seen {
                    diags.push(d);
                }
            }
        }
    }
    if rejected && diags.is_empty() {
        return Verdict::Finding(Finding::new(
            FindingKind::NoDiagnostic,
            "",
            "rejected without a diagnostic".into(),
        ));
    }
    // Rendered as `plat check` does: sorted, the first `MAX_RENDERED`.
    diags.sort_by_key(|d| (d.primary.span.file, d.primary.span.start));
    for (i, d) in diags.iter().enumerate() {
        if let Some(problem) = bad_span(d, &sources) {
            return Verdict::Finding(Finding::new(
                FindingKind::BadSpan,
                d.code.as_str(),
                format!("{problem}: error[{}]: {}", d.code.as_str(), d.message),
            ));
        }
        // The renderer must take every diagnostic (a panic is caught).
        if i < platc::driver::MAX_RENDERED {
            let _ = diag::render(d, &sources, false);
        }
    }
    // Dropping the tree recurses along it: still on the big stack here.
    drop(modules);
    if diags.is_empty() {
        Verdict::Accepted
    } else {
        Verdict::Rejected(diags.len())
    }
}

/// Why a label's span is not inside its file, if it is not.
fn bad_span(d: &Diagnostic, sources: &SourceMap) -> Option<String> {
    let files = sources.files().count();
    std::iter::once(&d.primary)
        .chain(&d.secondary)
        .find_map(|label| {
            let s = label.span;
            if s.file.0 as usize >= files {
                return Some(format!("span {s:?} in file {} of {files}", s.file.0));
            }
            let text = &sources.get(s.file).text;
            let (start, end) = (s.start as usize, s.end as usize);
            if start > end || end > text.len() {
                Some(format!("span {s:?} outside a file of {} bytes", text.len()))
            } else if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
                Some(format!("span {s:?} cuts a character"))
            } else {
                None
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(text: &str) -> Verdict {
        InProcess::new(Duration::from_secs(60)).check(Path::new("/nonexistent/t.plat"), text)
    }

    #[test]
    fn a_good_program_is_accepted_and_a_bad_one_rejected() {
        assert!(matches!(
            verdict("fn main() { print(value = 1); }"),
            Verdict::Accepted
        ));
        assert!(matches!(
            verdict("fn main() { let x = 1 + ; }"),
            Verdict::Rejected(_)
        ));
        assert!(matches!(
            verdict("fn main() { print(value = y); }"),
            Verdict::Rejected(1)
        ));
    }

    #[test]
    fn a_span_outside_its_file_is_caught() {
        let mut sources = SourceMap::default();
        let file = sources.add(Path::new("t.plat"), "t.plat".into(), "fn é() {}".into());
        let d = |s, e| {
            Diagnostic::new(
                platc::diag::Code::UnexpectedChar,
                "x",
                Span::new(file, s, e),
                "here",
            )
        };
        assert_eq!(bad_span(&d(0, 10), &sources), None);
        assert_eq!(bad_span(&d(10, 10), &sources), None);
        assert!(bad_span(&d(0, 11), &sources).is_some());
        assert!(bad_span(&d(4, 5), &sources).is_some(), "cuts the é");
        assert!(bad_span(&d(5, 4), &sources).is_some());
        let other = Span::new(platc::source::FileId(1), 0, 0);
        assert!(bad_span(&d(0, 1).with_label(other, "there"), &sources).is_some());
    }

    #[test]
    fn panic_keys_are_the_location() {
        let m = "panicked at compiler/src/check/expr.rs:12:5: index out of bounds";
        assert_eq!(panic_key(m), "compiler/src/check/expr.rs:12:5");
        let stderr = "\nthread 'plat' panicked at compiler/src/x.rs:1:2:\nboom\n";
        assert_eq!(panic_key(stderr), "compiler/src/x.rs:1:2");
    }
}
