//! The compiler's own output: dumps and messages on stdout, diagnostics
//! and errors on stderr. Everything the `plat` binary prints goes through
//! here (never `print!`, which panics when the reader has gone away).
//!
//! A closed pipe (`plat build --emit=ast f.plat | head`) is not an error:
//! what cannot be written is dropped, and the command finishes with the
//! exit code it would have had. Any other failure to write stdout (a full
//! disk) is an error for the caller to report; a failure to write stderr
//! cannot be reported anywhere and is ignored.

use std::io::{self, Write};

/// Writes `text` to stdout. Only errors other than a closed pipe come back.
pub fn stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    quiet_on_closed_pipe(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// Writes `text` to stderr, ignoring every failure.
pub fn stderr(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Writes `text` and a newline to stderr, ignoring every failure.
pub fn stderr_line(text: &str) {
    stderr(&format!("{text}\n"));
}

fn quiet_on_closed_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
