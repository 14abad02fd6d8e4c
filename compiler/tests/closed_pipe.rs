//! Regression (issue 7, item 14): `plat ... | head` panicked with "failed
//! printing to stdout: Broken pipe". A reader that goes away early ends
//! `plat` quietly, with the exit code it would have had, whether the
//! output is a dump on stdout or diagnostics on stderr.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PLAT: &str = env!("CARGO_BIN_EXE_plat");

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("closed_pipe");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

/// Runs `plat args`, reads a little of the chosen stream, closes it, and
/// returns the exit code and everything on the other stream.
fn run_and_close(args: &[&str], close_stderr: bool) -> (Option<i32>, String) {
    let mut child = Command::new(PLAT)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run plat");
    let out: Box<dyn Read> = Box::new(child.stdout.take().expect("piped"));
    let err: Box<dyn Read> = Box::new(child.stderr.take().expect("piped"));
    let (mut closed, mut kept) = if close_stderr { (err, out) } else { (out, err) };
    let mut head = [0u8; 16];
    closed
        .read_exact(&mut head)
        .expect("some output before closing");
    drop(closed);
    let mut rest = String::new();
    kept.read_to_string(&mut rest)
        .expect("read the other stream");
    let status = child.wait().expect("wait for plat");
    (status.code(), rest)
}

/// A program whose dumps are far larger than a pipe's buffer.
fn big_program() -> PathBuf {
    let path = scratch("big.plat");
    let mut src = String::from("fn main() {\n");
    for i in 0..4000 {
        src.push_str(&format!("  let x{i}: Int32 = {i} + {i} * 2;\n"));
    }
    src.push_str("}\n");
    std::fs::write(&path, src).expect("write the program");
    path
}

/// A program with thousands of errors.
fn broken_program() -> PathBuf {
    let path = scratch("broken.plat");
    let mut src = String::from("fn main() {\n");
    for i in 0..3000 {
        src.push_str(&format!("  let x{i}: Int32 = \"text\";\n"));
    }
    src.push_str("}\n");
    std::fs::write(&path, src).expect("write the program");
    path
}

#[test]
fn dumps_end_quietly_when_stdout_closes() {
    let file = big_program();
    let file = file.to_str().expect("utf-8 path");
    for emit in ["--emit=ast", "--emit=hir", "--emit=clif"] {
        let (code, stderr) = run_and_close(&["build", emit, file], false);
        assert_eq!(code, Some(0), "{emit}: exit code; stderr:\n{stderr}");
        assert!(stderr.is_empty(), "{emit}: stderr:\n{stderr}");
    }
}

#[test]
fn diagnostics_end_quietly_when_stderr_closes() {
    let file = broken_program();
    let file = file.to_str().expect("utf-8 path");
    for format in ["--diagnostic-format=human", "--diagnostic-format=short"] {
        for command in ["check", "build", "run"] {
            let (code, stdout) = run_and_close(&[command, format, file], true);
            assert_eq!(code, Some(1), "{command} {format}: exit code");
            assert!(stdout.is_empty(), "{command} {format}: stdout:\n{stdout}");
        }
    }
}
