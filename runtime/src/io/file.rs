//! Open files: what a file descriptor number refers to, and the reads,
//! writes and seeks on one. Everything here is plain Rust on owned
//! values: it runs on blocking-pool threads (`super::blocking`) and never
//! touches the Plat heap; `super::abi_fs` turns results into Plat values.
//!
//! # Design
//!
//! A [`File`] is shared (`Arc`) by the descriptor table and every
//! operation in progress on it. Writes go straight to `write(2)` through
//! `&std::fs::File` (no user-space buffer, so nothing to flush and two
//! tasks writing one file never corrupt each other's bytes in memory).
//! Reads, seeks and `tell` hold the file's `reader` lock, so that a read
//! and the seek-back of an incomplete UTF-8 tail (see [`File::read_text`])
//! are one step for other tasks.
//!
//! # Invariants
//!
//! - `reader` (mutex) holds the pushed-back bytes: bytes read from a file
//!   that cannot seek (a FIFO, a terminal) that the caller did not take
//!   (an incomplete character, or data that was not UTF-8). The next read
//!   returns them first. A file that can seek never has any: its position
//!   is moved back instead.
//! - Writes never take `reader`: a task blocked reading a FIFO opened
//!   `r+` does not stop another task writing to it.

use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

/// The size of the first buffer of a read (grown by doubling up to the
/// caller's `max_bytes`, so a large limit costs only what is read).
const FIRST_CHUNK: usize = 64 << 10;

/// An open file (its OS descriptor is closed when the last reference goes).
pub struct File {
    pub file: std::fs::File,
    /// The path it was opened with, for error messages.
    pub path: String,
    /// The `file_open` mode (`r`, `w+`, ...).
    pub mode: &'static str,
    readable: bool,
    writable: bool,
    /// A regular file: reads loop until `max_bytes` or end of file, as C's
    /// `fread`. Otherwise (FIFO, terminal, device) one `read(2)` returns
    /// what is there, so that a read never waits for more than it needs.
    regular: bool,
    reader: Mutex<Vec<u8>>,
}

/// How a mode of `file_open` opens a file (exactly as C's `fopen`).
struct Mode {
    name: &'static str,
    read: bool,
    write: bool,
    append: bool,
    create: bool,
    truncate: bool,
}

fn parse_mode(mode: &str) -> Option<Mode> {
    let m = |name, read, write, append, create, truncate| Mode {
        name,
        read,
        write,
        append,
        create,
        truncate,
    };
    Some(match mode {
        "r" => m("r", true, false, false, false, false),
        "w" => m("w", false, true, false, true, true),
        "a" => m("a", false, true, true, true, false),
        "r+" => m("r+", true, true, false, false, false),
        "w+" => m("w+", true, true, false, true, true),
        "a+" => m("a+", true, true, true, true, false),
        _ => return None,
    })
}

/// `op("path")`: how error messages name the operation and the file.
pub fn what(op: &str, path: &str) -> String {
    format!("{op}({path:?})")
}

fn os_err(op: &str, path: &str, e: &std::io::Error) -> String {
    super::value::os_error(&what(op, path), e)
}

/// How [`File::read_text`] ends when the bytes are not UTF-8.
pub fn not_utf8(op: &str, path: &str, at: usize) -> String {
    format!(
        "{}: the data read is not valid UTF-8 (invalid byte at index {at} of the read); \
         use file_read_binary for bytes",
        what(op, path)
    )
}

impl File {
    /// `file_open(path, mode)`: opens `path` as C's `fopen` would with
    /// `mode` (`r w a r+ w+ a+`); new files get mode 0o666 less the umask.
    pub fn open(path: String, mode: &str) -> Result<File, String> {
        let Some(m) = parse_mode(mode) else {
            return Err(format!(
                "{}: bad mode {mode:?} (expected one of r, w, a, r+, w+, a+)",
                what("file_open", &path)
            ));
        };
        let file = std::fs::OpenOptions::new()
            .read(m.read)
            .write(m.write && !m.append)
            .append(m.append)
            .create(m.create)
            .truncate(m.truncate)
            .open(&path)
            .map_err(|e| os_err("file_open", &path, &e))?;
        let regular = file
            .metadata()
            .map_err(|e| os_err("file_open", &path, &e))?
            .is_file();
        Ok(File {
            file,
            path,
            mode: m.name,
            readable: m.read,
            writable: m.write,
            regular,
            reader: Mutex::new(Vec::new()),
        })
    }

    fn what(&self, op: &str) -> String {
        what(op, &self.path)
    }

    fn os_err(&self, op: &str, e: &std::io::Error) -> String {
        os_err(op, &self.path, e)
    }

    fn pushback(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.reader.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn check_readable(&self, op: &str) -> Result<(), String> {
        if self.readable {
            Ok(())
        } else {
            Err(format!(
                "{}: the file was opened with mode {:?}, not for reading",
                self.what(op),
                self.mode
            ))
        }
    }

    /// Up to `max` bytes: first any pushed-back bytes (then nothing
    /// more), else one `read(2)` (not a regular file) or reads until `max`
    /// or end of file (a regular file). Empty at end of file.
    fn read_raw(&self, op: &str, pushed: &mut Vec<u8>, max: usize) -> Result<Vec<u8>, String> {
        if !pushed.is_empty() {
            let n = max.min(pushed.len());
            return Ok(pushed.drain(..n).collect());
        }
        let mut buf = vec![0u8; max.min(FIRST_CHUNK)];
        let mut len = 0;
        loop {
            if len == buf.len() {
                if len == max {
                    break;
                }
                buf.resize(max.min(len.saturating_mul(2)), 0);
            }
            match (&self.file).read(&mut buf[len..]) {
                Ok(0) => break,
                Ok(n) => {
                    len += n;
                    if !self.regular {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // Bytes already read are returned; the error comes again
                // on the next read.
                Err(_) if len > 0 => break,
                Err(e) => return Err(self.os_err(op, &e)),
            }
        }
        buf.truncate(len);
        Ok(buf)
    }

    /// Gives back `bytes` just read: the next read returns them first.
    fn unread(&self, op: &str, pushed: &mut Vec<u8>, bytes: &[u8]) -> Result<(), String> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.regular {
            let back = -(bytes.len() as i64);
            (&self.file)
                .seek(SeekFrom::Current(back))
                .map_err(|e| self.os_err(op, &e))?;
        } else {
            pushed.splice(..0, bytes.iter().copied());
        }
        Ok(())
    }

    /// `file_read_binary(fd, max_bytes)`: up to `max` bytes, empty at
    /// end of file.
    pub fn read_bytes(&self, max: usize) -> Result<Vec<u8>, String> {
        const OP: &str = "file_read_binary";
        self.check_readable(OP)?;
        let mut pushed = self.pushback();
        self.read_raw(OP, &mut pushed, max)
    }

    /// `file_read(fd, max_bytes)`: up to `max` bytes as UTF-8 text, empty
    /// at end of file.
    ///
    /// When the bytes read end inside a character, the complete
    /// characters are returned and the incomplete tail is given back
    /// (the file position moves back over it), so the next read starts
    /// with the whole character. When not even one character fits in
    /// `max` bytes, reading goes on to the end of the first character
    /// (at most 4 bytes). Bytes that are not UTF-8 (other than such a
    /// tail, or a tail cut off by the end of the file) are an `Err`, and
    /// are given back too: the position is where it was before the call.
    pub fn read_text(&self, max: usize) -> Result<String, String> {
        const OP: &str = "file_read";
        self.check_readable(OP)?;
        let mut pushed = self.pushback();
        let mut bytes = self.read_raw(OP, &mut pushed, max)?;
        loop {
            let err = match std::str::from_utf8(&bytes) {
                Ok(_) => break,
                Err(e) => e,
            };
            let valid = err.valid_up_to();
            if err.error_len().is_some() {
                self.unread(OP, &mut pushed, &bytes)?;
                return Err(not_utf8(OP, &self.path, valid));
            }
            // An incomplete character at the end.
            if valid > 0 {
                self.unread(OP, &mut pushed, &bytes[valid..])?;
                bytes.truncate(valid);
                break;
            }
            // Not even one whole character: read on to its end.
            let need = utf8_len(bytes[0]).saturating_sub(bytes.len()).max(1);
            let more = self.read_raw(OP, &mut pushed, need)?;
            if more.is_empty() {
                // The file ends inside a character.
                self.unread(OP, &mut pushed, &bytes)?;
                return Err(format!(
                    "{}: the file ends inside a character (not valid UTF-8); \
                     use file_read_binary for bytes",
                    self.what(OP)
                ));
            }
            bytes.extend_from_slice(&more);
        }
        // SAFETY: checked just above (the loop breaks only on UTF-8).
        Ok(unsafe { String::from_utf8_unchecked(bytes) })
    }

    /// `file_write(fd, data)` / `file_write_binary`: writes all of `data`,
    /// returns its length.
    pub fn write(&self, op: &str, data: &[u8]) -> Result<i32, String> {
        if !self.writable {
            return Err(format!(
                "{}: the file was opened with mode {:?}, not for writing",
                self.what(op),
                self.mode
            ));
        }
        let n = i32::try_from(data.len()).map_err(|_| {
            format!(
                "{}: {} bytes is more than one call writes (at most {})",
                self.what(op),
                data.len(),
                i32::MAX
            )
        })?;
        without_sigpipe(|| (&self.file).write_all(data)).map_err(|e| self.os_err(op, &e))?;
        Ok(n)
    }

    /// `file_seek(fd, offset, whence)`: the new position.
    pub fn seek(&self, offset: i64, whence: i32) -> Result<i64, String> {
        const OP: &str = "file_seek";
        let to = match whence {
            0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| {
                format!(
                    "{}: offset {offset} from the start is negative",
                    self.what(OP)
                )
            })?),
            1 => SeekFrom::Current(offset),
            2 => SeekFrom::End(offset),
            _ => {
                return Err(format!(
                    "{}: bad whence {whence} (0 = start, 1 = current, 2 = end)",
                    self.what(OP)
                ))
            }
        };
        self.seek_to(OP, to)
    }

    /// Moves the position (`file_seek`, `file_tell`, `file_rewind`).
    pub fn seek_to(&self, op: &str, to: SeekFrom) -> Result<i64, String> {
        let mut pushed = self.pushback();
        let pos = (&self.file).seek(to).map_err(|e| self.os_err(op, &e))?;
        pushed.clear();
        i64::try_from(pos).map_err(|_| format!("{}: position {pos} is too large", self.what(op)))
    }
}

/// Runs `write` (a write to this thread's file) with `SIGPIPE` blocked,
/// so that writing to a pipe or FIFO whose reader has gone is the error
/// `EPIPE` ("Broken pipe"), not the death of the process; a `SIGPIPE`
/// that the write raised is taken off the thread's pending set.
fn without_sigpipe<R>(write: impl FnOnce() -> std::io::Result<R>) -> std::io::Result<R> {
    // SAFETY: `sigset_t`s are plain data that the sig*set calls
    // initialise; `pthread_sigmask` changes only this thread's mask and
    // is restored below; `sigtimedwait` with a zero timeout only takes a
    // pending SIGPIPE of this thread (blocked here, so it cannot have been
    // delivered meanwhile).
    unsafe {
        let mut pipe: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut pipe);
        libc::sigaddset(&mut pipe, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &pipe, &mut old);
        let r = write();
        if matches!(&r, Err(e) if e.raw_os_error() == Some(libc::EPIPE)) {
            let zero = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            libc::sigtimedwait(&pipe, std::ptr::null_mut(), &zero);
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        r
    }
}

/// The length of the UTF-8 sequence that `first` starts (1 for a byte
/// that cannot start one).
fn utf8_len(first: u8) -> usize {
    match first {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    }
}

/// Closes `f` (the last reference to a file whose number was removed),
/// reporting what `close(2)` says, as C's `fclose` does.
pub fn close(f: File) -> Result<(), String> {
    use std::os::fd::IntoRawFd;
    let path = f.path;
    let fd = f.file.into_raw_fd();
    // SAFETY: `fd` was just taken out of the `File`, which no longer owns
    // it: it is closed exactly once, here.
    if unsafe { libc::close(fd) } != 0 {
        return Err(os_err(
            "file_close",
            &path,
            &std::io::Error::last_os_error(),
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
