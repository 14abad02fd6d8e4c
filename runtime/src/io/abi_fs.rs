//! Entry points of the file, directory and symlink built-ins (spec
//! section 13; signatures in `compiler/src/check/sys_builtins.rs`, calling
//! convention in docs/runtime-abi.md, "System built-ins").
//!
//! Each copies its Plat arguments into Rust values, runs the system calls
//! on the blocking pool (`super::blocking::run`: only the task parks),
//! then builds the Plat result. Error messages name the operation and
//! the path as the program gave it: `file_open("x.txt"): No such file or
//! directory (os error 2)`; a descriptor error is the message of
//! `super::handles::file` after the call: `file_read(2005): bad file
//! descriptor 2005 (not open)`.
//!
//! # Safety (all entry points)
//!
//! Called by compiled code on a task: `ctx` is the task's context
//! (unused), string and list arguments point to valid objects, and
//! descriptors are well-formed and live forever.

#![allow(clippy::missing_safety_doc)]

use std::io::SeekFrom;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::sync::Arc;
use std::time::SystemTime;

use super::file::{self, what, File};
use super::handles::{self, Handle, FILE_BASE};
use super::value::{result_i32, result_i64, result_str, result_unit};
use super::{blocking, value};
use crate::collections::list::{self, PlatList};
use crate::ctx::PlatCtx;
use crate::gc::shape::PlatShape;
use crate::string::PlatStr;

type Desc = *const PlatShape;

/// The file numbered `fd`, or the `Err` of a bad number, naming the call.
fn file_handle(fd: i32, op: &str) -> Result<Arc<File>, String> {
    handles::file(fd).map_err(|e| format!("{op}({fd}): {e}"))
}

/// Runs `job` on the open file `fd` on the blocking pool.
fn with_file<T: Send + 'static>(
    fd: i32,
    op: &'static str,
    job: impl FnOnce(&File) -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let f = file_handle(fd, op)?;
    blocking::run(op, move || job(&f))
}

/// Runs `job` on path `path` on the blocking pool; an OS error becomes
/// `op("path"): reason`.
fn on_path<T: Send + 'static>(
    op: &'static str,
    path: String,
    job: impl FnOnce(&str) -> std::io::Result<T> + Send + 'static,
) -> Result<T, String> {
    blocking::run(op, move || {
        job(&path).map_err(|e| value::os_error(&what(op, &path), &e))
    })
}

/// `max_bytes` as a length, or the `Err` of a non-positive one.
fn max_bytes(op: &str, f: &File, max: i32) -> Result<usize, String> {
    if max <= 0 {
        return Err(format!(
            "{}: max_bytes must be positive (got {max})",
            what(op, &f.path)
        ));
    }
    Ok(max as usize)
}

/// A path argument, copied for the blocking pool.
///
/// # Safety
///
/// `s` is a valid string.
unsafe fn arg(s: *const PlatStr) -> String {
    // SAFETY: the caller's contract.
    unsafe { value::owned(s) }
}

// ------------------------------------------------------------ open files

/// `file_open(path, mode)`: `Ok(descriptor)` (from 2000).
#[no_mangle]
pub unsafe extern "C" fn plat_file_open(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    mode: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: valid strings (module contract).
    let (path, mode) = unsafe { (arg(path), arg(mode)) };
    let r = blocking::run("file_open", move || File::open(path, &mode))
        .map(|f| handles::insert(FILE_BASE, Handle::File(Arc::new(f))));
    result_i32(desc, r)
}

/// `file_read(fd, max_bytes)`: `Ok(text)`, `Ok("")` at end of file.
#[no_mangle]
pub unsafe extern "C" fn plat_file_read(
    _ctx: *mut PlatCtx,
    fd: i32,
    max: i32,
    desc: Desc,
) -> *mut u8 {
    let r = with_file(fd, "file_read", move |f| {
        f.read_text(max_bytes("file_read", f, max)?)
    });
    result_str(desc, r)
}

/// `file_read_binary(fd, max_bytes)`: `Ok(bytes)`, `Ok([])` at end of file.
#[no_mangle]
pub unsafe extern "C" fn plat_file_read_binary(
    _ctx: *mut PlatCtx,
    fd: i32,
    max: i32,
    desc: Desc,
    list_desc: Desc,
) -> *mut u8 {
    let r = with_file(fd, "file_read_binary", move |f| {
        f.read_bytes(max_bytes("file_read_binary", f, max)?)
    });
    match r {
        Ok(bytes) => {
            // Int8 slots hold the sign-extended byte.
            let slots: Vec<u64> = bytes.iter().map(|&b| b as i8 as i64 as u64).collect();
            // SAFETY: the List[Int8] descriptor lives forever (contract).
            let list = list::from_slots(unsafe { &*list_desc }, &slots);
            value::ok(desc, list as u64)
        }
        Err(e) => value::err(desc, &e),
    }
}

/// `file_write(fd, data)`: `Ok(bytes written)`.
#[no_mangle]
pub unsafe extern "C" fn plat_file_write(
    _ctx: *mut PlatCtx,
    fd: i32,
    data: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let data = unsafe { arg(data) };
    let r = with_file(fd, "file_write", move |f| {
        f.write("file_write", data.as_bytes())
    });
    result_i32(desc, r)
}

/// `file_write_binary(fd, data: List[Int8])`: `Ok(bytes written)`.
#[no_mangle]
pub unsafe extern "C" fn plat_file_write_binary(
    _ctx: *mut PlatCtx,
    fd: i32,
    data: *const PlatList,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid list (module contract); its elements are Int8
    // slots, whose low byte is the byte.
    let bytes: Vec<u8> = unsafe { &*data }.iter().map(|s| s as u8).collect();
    let r = with_file(fd, "file_write_binary", move |f| {
        f.write("file_write_binary", &bytes)
    });
    result_i32(desc, r)
}

/// `file_close(fd)`: `Ok(true)`; the number is free at once, a second
/// close is an `Err`.
#[no_mangle]
pub unsafe extern "C" fn plat_file_close(_ctx: *mut PlatCtx, fd: i32, desc: Desc) -> *mut u8 {
    let r = handles::remove_file(fd)
        .map_err(|e| format!("file_close({fd}): {e}"))
        .and_then(|f| {
            // The last reference closes the descriptor and reports what
            // close(2) says; if another task is inside an operation on it,
            // that operation's end closes it.
            blocking::run("file_close", move || match Arc::try_unwrap(f) {
                Ok(f) => file::close(f),
                Err(_) => Ok(()),
            })
        });
    result_unit(desc, r)
}

/// `file_seek(fd, offset, whence)`: `Ok(new position)`.
#[no_mangle]
pub unsafe extern "C" fn plat_file_seek(
    _ctx: *mut PlatCtx,
    fd: i32,
    offset: i64,
    whence: i32,
    desc: Desc,
) -> *mut u8 {
    let r = with_file(fd, "file_seek", move |f| f.seek(offset, whence));
    result_i64(desc, r)
}

/// `file_tell(fd)`: `Ok(position)`.
#[no_mangle]
pub unsafe extern "C" fn plat_file_tell(_ctx: *mut PlatCtx, fd: i32, desc: Desc) -> *mut u8 {
    let r = with_file(fd, "file_tell", |f| {
        f.seek_to("file_tell", SeekFrom::Current(0))
    });
    result_i64(desc, r)
}

/// `file_rewind(fd)`: `Ok(true)`, the position back at 0.
#[no_mangle]
pub unsafe extern "C" fn plat_file_rewind(_ctx: *mut PlatCtx, fd: i32, desc: Desc) -> *mut u8 {
    let r = with_file(fd, "file_rewind", |f| {
        f.seek_to("file_rewind", SeekFrom::Start(0)).map(|_| ())
    });
    result_unit(desc, r)
}

// ------------------------------------------------------------ paths

/// A `Bool` query on a path: false when it cannot be answered.
///
/// # Safety
///
/// `path` is a valid string.
unsafe fn query(
    op: &'static str,
    path: *const PlatStr,
    test: impl FnOnce(&str) -> bool + Send + 'static,
) -> u8 {
    // SAFETY: the caller's contract.
    let path = unsafe { arg(path) };
    u8::from(blocking::run(op, move || test(&path)))
}

/// `file_exists(path)`: whether `path` names anything (following
/// symlinks: a dangling symlink does not exist).
#[no_mangle]
pub unsafe extern "C" fn plat_file_exists(_ctx: *mut PlatCtx, path: *const PlatStr) -> u8 {
    // SAFETY: a valid string (module contract).
    unsafe { query("file_exists", path, |p| std::fs::metadata(p).is_ok()) }
}

/// `file_is_dir(path)`: whether `path` is a directory (following
/// symlinks).
#[no_mangle]
pub unsafe extern "C" fn plat_file_is_dir(_ctx: *mut PlatCtx, path: *const PlatStr) -> u8 {
    // SAFETY: a valid string (module contract).
    unsafe {
        query("file_is_dir", path, |p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_dir())
        })
    }
}

/// `file_is_symlink(path)`: whether `path` itself is a symlink.
#[no_mangle]
pub unsafe extern "C" fn plat_file_is_symlink(_ctx: *mut PlatCtx, path: *const PlatStr) -> u8 {
    // SAFETY: a valid string (module contract).
    unsafe {
        query("file_is_symlink", path, |p| {
            std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
        })
    }
}

/// `file_size(path)`: `Ok(bytes)` (following symlinks).
#[no_mangle]
pub unsafe extern "C" fn plat_file_size(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let path = unsafe { arg(path) };
    let r = on_path("file_size", path, |p| {
        std::fs::metadata(p).map(|m| m.len() as i64)
    });
    result_i64(desc, r)
}

/// `file_delete(path)`: removes a file or symlink (not a directory).
#[no_mangle]
pub unsafe extern "C" fn plat_file_delete(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let path = unsafe { arg(path) };
    result_unit(
        desc,
        on_path("file_delete", path, |p| std::fs::remove_file(p)),
    )
}

/// `file_rename(old_path, new_path)`: as rename(2), replacing a file at
/// `new_path`.
#[no_mangle]
pub unsafe extern "C" fn plat_file_rename(
    _ctx: *mut PlatCtx,
    old: *const PlatStr,
    new: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: valid strings (module contract).
    let (old, new) = unsafe { (arg(old), arg(new)) };
    let r = blocking::run("file_rename", move || {
        std::fs::rename(&old, &new)
            .map_err(|e| value::os_error(&format!("file_rename({old:?}, {new:?})"), &e))
    });
    result_unit(desc, r)
}

/// The bits `file_chmod` sets and `file_get_permissions` reports: the
/// permission bits plus set-user-ID, set-group-ID and sticky.
const MODE_BITS: u32 = 0o7777;

/// `file_chmod(path, mode)`: sets the mode bits (following symlinks).
#[no_mangle]
pub unsafe extern "C" fn plat_file_chmod(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    mode: i32,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let path = unsafe { arg(path) };
    let r = match u32::try_from(mode) {
        Ok(m) if m & !MODE_BITS == 0 => on_path("file_chmod", path, move |p| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m))
        }),
        _ => Err(format!(
            "{}: bad mode {mode} (expected 0 to 4095 = 0o7777)",
            what("file_chmod", &path)
        )),
    };
    result_unit(desc, r)
}

/// `file_get_permissions(path)`: `Ok(mode bits)`, e.g. 420 = 0o644.
#[no_mangle]
pub unsafe extern "C" fn plat_file_get_permissions(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let path = unsafe { arg(path) };
    let r = on_path("file_get_permissions", path, |p| {
        std::fs::metadata(p).map(|m| (m.mode() & MODE_BITS) as i32)
    });
    result_i32(desc, r)
}

/// Seconds since the Unix epoch (negative before it).
fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs_f64().ceil() as i64),
    }
}

/// `file_modified_time(path)`: `Ok(Unix seconds)` (following symlinks).
#[no_mangle]
pub unsafe extern "C" fn plat_file_modified_time(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let path = unsafe { arg(path) };
    let r = on_path("file_modified_time", path, |p| {
        std::fs::metadata(p)?.modified().map(unix_secs)
    });
    result_i64(desc, r)
}

/// `file_created_time(path)`: `Ok(Unix seconds)` of the birth time
/// (statx); an `Err` where the file system does not record it (never
/// the change time, which is not a creation time).
#[no_mangle]
pub unsafe extern "C" fn plat_file_created_time(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let path = unsafe { arg(path) };
    let r = blocking::run("file_created_time", move || {
        let w = what("file_created_time", &path);
        let m = std::fs::metadata(&path).map_err(|e| value::os_error(&w, &e))?;
        m.created().map(unix_secs).map_err(|e| match e.kind() {
            std::io::ErrorKind::Unsupported => {
                format!("{w}: the file system does not record creation times")
            }
            _ => value::os_error(&w, &e),
        })
    });
    result_i64(desc, r)
}

// ------------------------------------------------------------ directories

/// `dir_create(path)`: one directory (its parent must exist).
#[no_mangle]
pub unsafe extern "C" fn plat_dir_create(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let path = unsafe { arg(path) };
    result_unit(
        desc,
        on_path("dir_create", path, |p| std::fs::create_dir(p)),
    )
}

/// `dir_create_all(path)`: the directory and missing parents; `Ok` if
/// it exists already.
#[no_mangle]
pub unsafe extern "C" fn plat_dir_create_all(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let path = unsafe { arg(path) };
    result_unit(
        desc,
        on_path("dir_create_all", path, |p| std::fs::create_dir_all(p)),
    )
}

/// `dir_remove(path)`: an empty directory.
#[no_mangle]
pub unsafe extern "C" fn plat_dir_remove(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let path = unsafe { arg(path) };
    result_unit(
        desc,
        on_path("dir_remove", path, |p| std::fs::remove_dir(p)),
    )
}

/// `dir_list(path)`: the entry names, sorted (byte order), one per line,
/// without `.` and `..` and without a final newline; names that are not
/// UTF-8 get U+FFFD for their bad bytes.
#[no_mangle]
pub unsafe extern "C" fn plat_dir_list(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let path = unsafe { arg(path) };
    let r = on_path("dir_list", path, |p| {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(p)? {
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names.join("\n"))
    });
    result_str(desc, r)
}

// ------------------------------------------------------------ symlinks

/// `symlink_create(target, link)`: a symlink at `link` pointing to
/// `target` (which need not exist).
#[no_mangle]
pub unsafe extern "C" fn plat_symlink_create(
    _ctx: *mut PlatCtx,
    target: *const PlatStr,
    link: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: valid strings (module contract).
    let (target, link) = unsafe { (arg(target), arg(link)) };
    let r = blocking::run("symlink_create", move || {
        std::os::unix::fs::symlink(&target, &link)
            .map_err(|e| value::os_error(&format!("symlink_create({target:?}, {link:?})"), &e))
    });
    result_unit(desc, r)
}

/// `symlink_read(path)`: `Ok(target)` of the symlink `path`.
#[no_mangle]
pub unsafe extern "C" fn plat_symlink_read(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let path = unsafe { arg(path) };
    let r = blocking::run("symlink_read", move || {
        let w = what("symlink_read", &path);
        match std::fs::read_link(&path) {
            Ok(target) => Ok(target.to_string_lossy().into_owned()),
            // readlink(2)'s EINVAL: something that is not a symlink.
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                Err(format!("{w}: not a symbolic link"))
            }
            Err(e) => Err(value::os_error(&w, &e)),
        }
    });
    result_str(desc, r)
}

/// `symlink_delete(path)`: removes the symlink `path` (not its target);
/// anything else at `path` is an `Err` and stays.
#[no_mangle]
pub unsafe extern "C" fn plat_symlink_delete(
    _ctx: *mut PlatCtx,
    path: *const PlatStr,
    desc: Desc,
) -> *mut u8 {
    // SAFETY: a valid string (module contract).
    let path = unsafe { arg(path) };
    let r = blocking::run("symlink_delete", move || {
        let w = what("symlink_delete", &path);
        let m = std::fs::symlink_metadata(&path).map_err(|e| value::os_error(&w, &e))?;
        if !m.file_type().is_symlink() {
            return Err(format!("{w}: not a symbolic link"));
        }
        std::fs::remove_file(&path).map_err(|e| value::os_error(&w, &e))
    });
    result_unit(desc, r)
}
