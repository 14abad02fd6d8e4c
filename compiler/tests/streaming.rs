//! Output appears as it happens (spec decision 10): a program whose
//! stdout is a pipe shows each line while it still runs, whether it then
//! parks (a worker going idle flushes) or computes without ever parking
//! (the runtime's flusher writes buffered output within a few
//! milliseconds). Each test reads the first line through the pipe, then
//! kills the program: without streaming, the read would only return when
//! the program ends, a minute later or never, and the test would hit the
//! harness timeout instead of passing. Nothing here measures time.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

mod support;

/// Starts `name` with stdout on a pipe, reads its first line, kills it.
fn first_line(name: &str, workers: &str) -> String {
    let mut child = Command::new(support::build("stream", name))
        .env("PLAT_WORKERS", workers)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the program");
    support::watchdog(&child);
    let mut line = String::new();
    let read = BufReader::new(child.stdout.take().expect("piped stdout")).read_line(&mut line);
    let _ = child.kill();
    let _ = child.wait();
    read.expect("read from the pipe");
    line
}

#[test]
fn a_line_printed_before_the_program_parks_arrives_while_it_sleeps() {
    for workers in ["1", "2"] {
        assert_eq!(
            first_line("print_then_sleep", workers),
            "before the sleep\n"
        );
    }
}

#[test]
fn a_line_printed_before_a_long_computation_arrives_while_it_runs() {
    for workers in ["1", "2"] {
        assert_eq!(first_line("print_then_spin", workers), "before the loop\n");
    }
}

#[test]
fn a_line_printed_by_a_task_arrives_while_every_task_waits() {
    for workers in ["1", "4"] {
        assert_eq!(
            first_line("print_in_task_then_wait", workers),
            "from a task\n"
        );
    }
}
