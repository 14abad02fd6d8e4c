//! `io_read_line()`: the next line of standard input.
//!
//! # Design
//!
//! All reads go through the standard library's one buffered `Stdin`
//! (its lock is held for a whole line), so bytes read ahead for one call
//! are there for the next and no line is lost or split between tasks.
//! The read runs on the blocking pool: a task waiting for input parks
//! and the worker runs other tasks.
//!
//! A line is returned without its `\n`, and without a `\r` before it. A
//! last line without a newline is returned as it is; after it, and at end
//! of input, the result is `None`. Bytes that are not valid UTF-8 become
//! U+FFFD. A standard input that is not open counts as empty; any other
//! read error is a panic naming it.

use std::io::BufRead;

/// What one read found.
pub enum Line {
    /// A line (terminator removed).
    Text(String),
    /// End of input.
    End,
    /// A read error (the message).
    Failed(String),
}

/// Reads the next line, blocking the calling thread (run it on the
/// blocking pool).
pub fn read_line() -> Line {
    let mut buf = Vec::new();
    match std::io::stdin().lock().read_until(b'\n', &mut buf) {
        Ok(0) => Line::End,
        Ok(_) => {
            if buf.last() == Some(&b'\n') {
                buf.pop();
                if buf.last() == Some(&b'\r') {
                    buf.pop();
                }
            }
            Line::Text(match String::from_utf8(buf) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            })
        }
        Err(e) if e.raw_os_error() == Some(libc::EBADF) => Line::End,
        Err(e) => Line::Failed(format!("io_read_line: cannot read standard input: {e}")),
    }
}
