//! The descriptor table: the numbers Plat code holds for open files and
//! sockets (spec section 13: sockets from 1000, files from 2000).
//!
//! One table for both kinds, so a number names one object whatever its
//! kind (10,000 sockets overlap the files' start; each new descriptor
//! takes the lowest free number at or above its kind's start, as POSIX
//! does for fds). Using a file's number with `tcp_*` (or a socket's with
//! `file_*`), or a number not open, is an `Err` that names the number.
//!
//! # Invariants
//!
//! - `TABLE` (rwlock) protects the entries and the free set; `free`
//!   holds exactly the indices of the empty entries below `entries.len()`.
//! - Entries are `Arc`s: an operation clones its descriptor's `Arc` under
//!   the read lock and works without the lock, so closing a descriptor
//!   while another task is inside an operation on it only removes the
//!   number; the OS descriptor is closed when the last `Arc` goes.

use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};

use super::file::File;
use super::tcp::Socket;

/// The first socket number.
pub const SOCKET_BASE: i32 = 1000;
/// The first file number.
pub const FILE_BASE: i32 = 2000;
/// The lowest number of the table (index 0).
const BASE: i32 = SOCKET_BASE;

/// What a descriptor number refers to.
#[derive(Clone)]
pub enum Handle {
    File(Arc<File>),
    Socket(Arc<Socket>),
}

struct Table {
    entries: Vec<Option<Handle>>,
    free: BTreeSet<usize>,
}

static TABLE: RwLock<Table> = RwLock::new(Table {
    entries: Vec::new(),
    free: BTreeSet::new(),
});

/// Adds `h` under the lowest free number at or above `first`.
pub fn insert(first: i32, h: Handle) -> i32 {
    let mut t = TABLE.write().unwrap_or_else(|e| e.into_inner());
    let start = (first - BASE) as usize;
    let index = match t.free.range(start..).next().copied() {
        Some(i) => {
            t.free.remove(&i);
            i
        }
        None => {
            while t.entries.len() < start {
                let i = t.entries.len();
                t.entries.push(None);
                t.free.insert(i);
            }
            t.entries.push(None);
            t.entries.len() - 1
        }
    };
    t.entries[index] = Some(h);
    index as i32 + BASE
}

/// The descriptor numbered `n`, if open.
pub fn get(n: i32) -> Option<Handle> {
    let index = usize::try_from(n.checked_sub(BASE)?).ok()?;
    let t = TABLE.read().unwrap_or_else(|e| e.into_inner());
    t.entries.get(index)?.clone()
}

/// Removes number `n` and returns what it referred to.
pub fn remove(n: i32) -> Option<Handle> {
    let index = usize::try_from(n.checked_sub(BASE)?).ok()?;
    let mut t = TABLE.write().unwrap_or_else(|e| e.into_inner());
    let h = t.entries.get_mut(index)?.take()?;
    t.free.insert(index);
    Some(h)
}

/// Removes number `n` if it is a file (kind and removal under one lock:
/// a close racing another close and a reopen never closes the new one).
pub fn remove_file(n: i32) -> Result<Arc<File>, String> {
    match remove_if(n, |h| matches!(h, Handle::File(_))) {
        Ok(Handle::File(f)) => Ok(f),
        Ok(Handle::Socket(_)) | Err(Some(Handle::Socket(_))) => {
            Err(format!("descriptor {n} is a socket, not a file"))
        }
        Err(_) => Err(format!("bad file descriptor {n} (not open)")),
    }
}

/// As [`remove_file`], for a socket.
pub fn remove_socket(n: i32) -> Result<Arc<Socket>, String> {
    match remove_if(n, |h| matches!(h, Handle::Socket(_))) {
        Ok(Handle::Socket(s)) => Ok(s),
        Ok(Handle::File(_)) | Err(Some(Handle::File(_))) => {
            Err(format!("descriptor {n} is a file, not a socket"))
        }
        Err(_) => Err(format!("bad socket descriptor {n} (not open)")),
    }
}

/// Removes number `n` if `wanted` accepts what it refers to; else
/// `Err(what it refers to)` (`None`: not open).
fn remove_if(n: i32, wanted: impl Fn(&Handle) -> bool) -> Result<Handle, Option<Handle>> {
    let index = n
        .checked_sub(BASE)
        .and_then(|i| usize::try_from(i).ok())
        .ok_or(None)?;
    let mut t = TABLE.write().unwrap_or_else(|e| e.into_inner());
    let Some(entry) = t.entries.get_mut(index) else {
        return Err(None);
    };
    match entry {
        Some(h) if wanted(h) => {}
        other => return Err(other.clone()),
    }
    let h = entry.take().ok_or(None)?;
    t.free.insert(index);
    Ok(h)
}

/// The file numbered `n`, or the message of the `Err` to return.
pub fn file(n: i32) -> Result<Arc<File>, String> {
    match get(n) {
        Some(Handle::File(f)) => Ok(f),
        Some(Handle::Socket(_)) => Err(format!("descriptor {n} is a socket, not a file")),
        None => Err(format!("bad file descriptor {n} (not open)")),
    }
}

/// The socket numbered `n`, or the message of the `Err` to return.
pub fn socket(n: i32) -> Result<Arc<Socket>, String> {
    match get(n) {
        Some(Handle::Socket(s)) => Ok(s),
        Some(Handle::File(_)) => Err(format!("descriptor {n} is a file, not a socket")),
        None => Err(format!("bad socket descriptor {n} (not open)")),
    }
}
