//! File built-ins park only the calling task (concurrency.md section 8):
//! with one worker, a task that opens and reads a FIFO nobody writes to
//! must not stop another task from ticking. The test reads the program's
//! output until it has seen all the ticks, and only then writes to the
//! FIFO; if the open or the read held the worker, the ticks would never
//! come, the watchdog would kill the program after a minute and the test
//! would fail on the missing line (it never hangs). Nothing here measures
//! time.

use std::ffi::CString;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod support;

use support::{watchdog, PLAT};

/// Reads `fifo` (in its working directory) in one task while another
/// prints `tick 1` to `tick 5`, 10 ms apart; then prints what it read.
const PROGRAM: &str = r#"
fn main() {
  concurrent {
    let reader: Task<String> = spawn {
      let fd: Int32 = file_open(path = "fifo", mode = "r").unwrap();
      let text: String = file_read(fd = fd, max_bytes = 100).unwrap();
      file_close(fd = fd).unwrap();
      return text;
    };
    spawn {
      var i: Int32 = 1;
      while (i <= 5) {
        print(value = "tick ${i}");
        time_sleep(millis = 10i64);
        i = i + 1;
      }
      return 0;
    };
    print(value = "read: ${reader.await()}");
  }
}
"#;

/// A fresh directory under the test target's scratch space.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("io_files")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn mkfifo(path: &Path) {
    let c = CString::new(path.as_os_str().as_bytes()).expect("no NUL in the path");
    // SAFETY: `c` is a valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    assert_eq!(rc, 0, "mkfifo: {}", std::io::Error::last_os_error());
}

/// Builds `source` as `dir/prog` and returns the executable's path.
fn build(dir: &Path, source: &str) -> PathBuf {
    let src = dir.join("prog.plat");
    std::fs::write(&src, source).expect("write the program");
    let exe = dir.join("prog");
    let out = Command::new(PLAT)
        .current_dir(dir)
        .arg("build")
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("run plat build");
    assert!(
        out.status.success(),
        "plat build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

#[test]
fn a_task_blocked_on_a_fifo_does_not_stall_a_ticking_task() {
    let dir = scratch("fifo_tick");
    let exe = build(&dir, PROGRAM);
    let fifo = dir.join("fifo");
    mkfifo(&fifo);
    let mut child = Command::new(&exe)
        .current_dir(&dir)
        .env("PLAT_WORKERS", "1")
        .env_remove("PLAT_SEED")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the program");
    watchdog(&child);
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut seen = Vec::new();
    while !seen.iter().any(|l| l == "tick 5") {
        let mut line = String::new();
        let n = out.read_line(&mut line).expect("read the program's output");
        assert!(
            n > 0,
            "the program ended or was killed before `tick 5`; its output: {seen:?}"
        );
        seen.push(line.trim_end().to_owned());
    }
    assert_eq!(seen, ["tick 1", "tick 2", "tick 3", "tick 4", "tick 5"]);
    // Opened read-write, a FIFO never blocks the opener (Linux), so a
    // program that never opened it cannot hang the test here either.
    let mut w = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .expect("open the FIFO");
    w.write_all(b"hello through the fifo\n")
        .expect("write to the FIFO");
    let mut rest = String::new();
    out.read_line(&mut rest).expect("read the program's output");
    drop(w);
    let status = child.wait().expect("wait for the program");
    let mut err = String::new();
    let _ =
        std::io::Read::read_to_string(&mut child.stderr.take().expect("piped stderr"), &mut err);
    assert_eq!(rest, "read: hello through the fifo\n", "stderr: {err}");
    assert!(status.success(), "exit status {status}, stderr: {err}");
}
