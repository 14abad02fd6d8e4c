//! `io_read_line()` on real standard input (the golden harness gives
//! programs none): lines come back without `\n` or `\r\n`, a last line
//! without a newline is returned, end of input is `None` (and stays so),
//! invalid UTF-8 becomes U+FFFD; and a task waiting for input parks
//! without holding up other tasks, even on one worker.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

mod support;

/// Starts `exe` with piped stdin and stdout; a regression must fail, not
/// hang, so the program is killed after a minute.
fn start(exe: &Path, workers: &str) -> Child {
    let child = Command::new(exe)
        .env("PLAT_WORKERS", workers)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the program");
    support::watchdog(&child);
    child
}

#[test]
fn lines_come_back_without_terminators_and_end_of_input_is_none() {
    let exe = support::build("stdin", "echo_lines");
    for workers in ["1", "2"] {
        let mut child = start(&exe, workers);
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin
            .write_all(b"one\ntwo words\r\n\nh\xc3\xa9llo\xff\nlast")
            .expect("write input");
        drop(stdin);
        let mut out = String::new();
        child
            .stdout
            .take()
            .expect("piped stdout")
            .read_to_string(&mut out)
            .expect("read output");
        let status = child.wait().expect("wait");
        assert!(status.success(), "exit status {status}");
        assert_eq!(
            out,
            "[one] 3\n[two words] 9\n[] 0\n[h\u{e9}llo\u{fffd}] 6\n[last] 4\nlines: 5\n\
             after the end: None\n"
        );
    }
}

#[test]
fn a_large_input_arrives_whole_and_in_order() {
    let exe = support::build("stdin", "echo_lines");
    let mut child = start(&exe, "2");
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Written from another thread: the program's output fills its pipe
    // while this input is still being written.
    let writer = std::thread::spawn(move || {
        for i in 0..20_000 {
            writeln!(stdin, "line {i}").expect("write input");
        }
    });
    let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    for i in 0..20_000 {
        let want = format!("line {i}");
        let got = lines.next().expect("a line").expect("read");
        assert_eq!(got, format!("[{want}] {}", want.len()));
    }
    writer.join().expect("writer");
    assert_eq!(lines.next().expect("count").expect("read"), "lines: 20000");
    assert!(child.wait().expect("wait").success());
}

#[test]
fn a_task_waiting_for_input_does_not_hold_up_the_others() {
    let exe = support::build("stdin", "read_while_ticking");
    for workers in ["1", "2"] {
        let mut child = start(&exe, workers);
        let mut stdin = child.stdin.take().expect("piped stdin");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        // No input yet: the ticks must come while the reader waits.
        for i in 1..=3 {
            let line = lines.next().expect("a tick").expect("read");
            assert_eq!(line, format!("tick {i}"), "workers={workers}");
        }
        stdin.write_all(b"hi\n").expect("write input");
        drop(stdin);
        assert_eq!(lines.next().expect("reply").expect("read"), "got: hi");
        assert!(child.wait().expect("wait").success());
    }
}
