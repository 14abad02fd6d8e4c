//! Unit tests of open files, the descriptor table and the blocking pool
//! outside tasks (everything here runs inline on the test thread).

use std::os::fd::FromRawFd;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::File;
use crate::io::handles::{self, Handle, FILE_BASE, SOCKET_BASE};
use crate::io::{blocking, tcp};

/// The descriptor table is one per process: tests that number
/// descriptors take this lock, so that they see only their own.
static TABLE: Mutex<()> = Mutex::new(());

fn table() -> std::sync::MutexGuard<'static, ()> {
    TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A file path of its own for test `name` (removed first).
fn temp(name: &str) -> String {
    let p: PathBuf =
        std::env::temp_dir().join(format!("plat-file-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p.to_str().expect("UTF-8 temp dir").to_owned()
}

fn null_file() -> Handle {
    Handle::File(Arc::new(
        File::open("/dev/null".into(), "r").expect("open /dev/null"),
    ))
}

#[test]
fn files_are_numbered_from_2000_and_reuse_the_lowest_free_number() {
    let _g = table();
    let a = handles::insert(FILE_BASE, null_file());
    let b = handles::insert(FILE_BASE, null_file());
    let c = handles::insert(FILE_BASE, null_file());
    assert_eq!((a, b, c), (FILE_BASE, FILE_BASE + 1, FILE_BASE + 2));
    assert!(handles::file(b).is_ok());
    assert!(handles::remove(b).is_some());
    assert!(handles::remove(b).is_none(), "a number is removed once");
    assert_eq!(
        handles::file(b).err().as_deref(),
        Some("bad file descriptor 2001 (not open)")
    );
    // The lowest free number comes back first, then the ones after.
    assert!(handles::remove(a).is_some());
    assert_eq!(handles::insert(FILE_BASE, null_file()), a);
    assert_eq!(handles::insert(FILE_BASE, null_file()), b);
    assert_eq!(handles::insert(FILE_BASE, null_file()), c + 1);
    for n in [a, b, c, c + 1] {
        assert!(handles::remove(n).is_some());
    }
}

#[test]
fn numbers_never_opened_are_errors_not_crashes() {
    let _g = table();
    for n in [i32::MIN, -1, 0, 999, 1000, 2000, 2999, i32::MAX] {
        assert_eq!(
            handles::file(n).err(),
            Some(format!("bad file descriptor {n} (not open)"))
        );
        assert!(handles::remove(n).is_none());
    }
}

#[test]
fn a_socket_number_is_not_a_file_and_a_file_number_not_a_socket() {
    let _g = table();
    let s = tcp::listen("127.0.0.1", 0).expect("listen on a free port");
    let sn = handles::insert(SOCKET_BASE, Handle::Socket(Arc::new(s)));
    let f = handles::insert(FILE_BASE, null_file());
    assert_eq!(
        handles::file(sn).err(),
        Some(format!("descriptor {sn} is a socket, not a file"))
    );
    assert_eq!(
        handles::socket(f).err(),
        Some(format!("descriptor {f} is a file, not a socket"))
    );
    assert!(handles::remove(sn).is_some());
    assert!(handles::remove(f).is_some());
}

#[test]
fn blocking_run_outside_a_task_runs_the_job_on_the_calling_thread() {
    let me = std::thread::current().id();
    let (id, v) = blocking::run("test", move || (std::thread::current().id(), 41 + 1));
    assert_eq!((id, v), (me, 42));
    assert_eq!(blocking::pending(), 0);
}

#[test]
fn modes_are_those_of_fopen_and_nothing_else() {
    let p = temp("modes");
    for bad in ["", "rw", "R", "rb", "x", "r+ ", "+"] {
        let e = File::open(p.clone(), bad).err().expect("a bad mode");
        assert!(e.contains(&format!("bad mode {bad:?}")), "{e}");
    }
    assert!(File::open(p.clone(), "r").is_err(), "r needs the file");
    assert!(File::open(p.clone(), "r+").is_err(), "r+ needs the file");
    let w = File::open(p.clone(), "w").expect("w creates");
    assert_eq!(w.write("t", b"abc"), Ok(3));
    assert!(w.read_text(10).is_err(), "w is write-only");
    let r = File::open(p.clone(), "r").expect("r opens");
    assert!(r.write("t", b"x").is_err(), "r is read-only");
    let a = File::open(p.clone(), "a+").expect("a+ opens");
    assert_eq!(a.read_text(10).as_deref(), Ok("abc"));
    assert_eq!(a.seek(0, 0), Ok(0));
    assert_eq!(a.write("t", b"d"), Ok(1), "a+ writes at the end");
    assert_eq!(std::fs::read(&p).expect("read back"), b"abcd");
    std::fs::remove_file(&p).expect("clean up");
}

#[test]
fn a_character_cut_by_the_limit_comes_whole_with_the_next_read() {
    let p = temp("utf8");
    std::fs::write(&p, "aé€😀".as_bytes()).expect("write");
    let f = File::open(p.clone(), "r").expect("open");
    assert_eq!(f.read_text(2).as_deref(), Ok("a"));
    assert_eq!(f.seek(0, 1), Ok(1));
    assert_eq!(f.read_text(4).as_deref(), Ok("é"));
    assert_eq!(f.read_text(1).as_deref(), Ok("€"));
    assert_eq!(f.read_text(100).as_deref(), Ok("😀"));
    assert_eq!(f.read_text(100).as_deref(), Ok(""));
    std::fs::remove_file(&p).expect("clean up");
}

#[test]
fn bytes_that_are_not_utf8_are_an_error_that_leaves_them_unread() {
    let p = temp("bad");
    std::fs::write(&p, b"ab\xffc").expect("write");
    let f = File::open(p.clone(), "r").expect("open");
    let e = f.read_text(10).expect_err("not UTF-8");
    assert!(e.contains("not valid UTF-8"), "{e}");
    assert_eq!(f.seek(0, 1), Ok(0));
    assert_eq!(f.read_bytes(10).as_deref(), Ok(&b"ab\xffc"[..]));
    std::fs::remove_file(&p).expect("clean up");
}

/// A pipe's read end opened as a `File` (through /proc), and its write
/// end.
fn pipe() -> (File, std::fs::File) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let r = File::open(format!("/proc/self/fd/{}", fds[0]), "r").expect("open the pipe");
    // SAFETY: both descriptors are ours: the read end is closed (the
    // `File` has its own), the write end owned by the returned file.
    let w = unsafe {
        libc::close(fds[0]);
        std::fs::File::from_raw_fd(fds[1])
    };
    (r, w)
}

#[test]
fn on_a_pipe_a_cut_character_is_kept_for_the_next_read() {
    use std::io::Write;
    let (r, mut w) = pipe();
    w.write_all("aé".as_bytes()).expect("write");
    assert_eq!(r.read_text(2).as_deref(), Ok("a"));
    assert_eq!(r.read_text(1).as_deref(), Ok("é"));
    // Invalid bytes go back too, for file_read_binary.
    w.write_all(b"x\xfe").expect("write");
    assert!(r.read_text(10).is_err());
    assert_eq!(r.read_bytes(1).as_deref(), Ok(&b"x"[..]));
    assert_eq!(r.read_bytes(10).as_deref(), Ok(&b"\xfe"[..]));
    assert!(r.seek(0, 1).is_err(), "a pipe cannot seek");
    drop(w);
    assert_eq!(r.read_text(10).as_deref(), Ok(""));
}

#[test]
fn writing_to_a_pipe_nobody_reads_is_an_error_not_a_signal() {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let w = File::open(format!("/proc/self/fd/{}", fds[1]), "w").expect("open the pipe");
    // SAFETY: our descriptors; the `File` has its own for the write end.
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
    }
    // The test harness ignores SIGPIPE (as every Rust program does); a
    // Plat program does not, so restore the default for this write: if
    // the write let the signal through, it would kill the test process.
    // SAFETY: setting a signal disposition; restored below.
    let old = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let r = w.write("file_write", b"x");
    // SAFETY: as above.
    unsafe { libc::signal(libc::SIGPIPE, old) };
    let e = r.expect_err("EPIPE");
    assert!(e.contains("Broken pipe"), "{e}");
}

#[test]
fn whence_is_0_1_or_2() {
    let p = temp("whence");
    let f = File::open(p.clone(), "w+").expect("open");
    assert_eq!(f.write("t", b"0123456789"), Ok(10));
    assert_eq!(f.seek(-2, 2), Ok(8));
    assert_eq!(f.seek(-3, 1), Ok(5));
    assert_eq!(f.seek(1, 0), Ok(1));
    for w in [-1, 3, 100] {
        let e = f.seek(0, w).expect_err("bad whence");
        assert!(e.contains("bad whence"), "{e}");
    }
    assert!(f.seek(-1, 0).is_err());
    std::fs::remove_file(&p).expect("clean up");
}
