//! What one input gave: accepted, rejected with diagnostics, or a
//! finding (a compiler bug).

use std::fmt;

#[derive(Clone, Debug)]
pub enum Verdict {
    /// Checked without a diagnostic.
    Accepted,
    /// Rejected with this many diagnostics, all well placed.
    Rejected(usize),
    Finding(Finding),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingKind {
    /// The compiler panicked.
    Panic,
    /// No answer within the timeout.
    Hang,
    /// A diagnostic whose span is not inside its file.
    BadSpan,
    /// Rejected (exit 1) without any diagnostic.
    NoDiagnostic,
    /// Killed by a signal, an unexpected exit code, a dead worker.
    Crash,
}

impl FindingKind {
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::Panic => "panic",
            FindingKind::Hang => "hang",
            FindingKind::BadSpan => "bad-span",
            FindingKind::NoDiagnostic => "no-diagnostic",
            FindingKind::Crash => "crash",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub kind: FindingKind,
    /// What tells two findings of a kind apart: the panic's location, the
    /// diagnostic code, the exit status. Minimisation keeps it.
    pub key: String,
    /// The full story (panic message, stderr...).
    pub detail: String,
}

impl Finding {
    pub fn new(kind: FindingKind, key: &str, detail: String) -> Finding {
        Finding {
            kind,
            key: key.to_string(),
            detail,
        }
    }

    /// `kind` and `key`: two findings with the same id are one bug.
    pub fn id(&self) -> String {
        if self.key.is_empty() {
            self.kind.name().to_string()
        } else {
            format!("{} {}", self.kind.name(), self.key)
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.id(), self.detail)
    }
}
