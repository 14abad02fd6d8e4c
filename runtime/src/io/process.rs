//! `process_run(command, args)`: runs a program to completion and
//! captures its output.
//!
//! # Design
//!
//! The child is started with `Command::output` on the blocking pool (so
//! the task parks while the child runs, and the worker does not): the
//! program is looked up in `PATH` unless `command` contains a `/`; it
//! gets the runtime's environment (including `env_set` changes), the
//! current directory, and an empty standard input (it never competes
//! with `io_read_line` for the program's input). Its standard output and
//! error are read whole, concurrently (no pipe deadlock), and decoded as
//! UTF-8 with invalid sequences replaced by U+FFFD.
//!
//! The exit code is the child's status, or `128 + N` when signal N ended
//! it (the shell's convention). A program that cannot be started is an
//! `Err`: `run NAME: REASON`.

use std::os::unix::process::CommandExt;
use std::os::unix::process::ExitStatusExt;
use std::process::Command;

/// A finished child: exit code, stdout, stderr.
pub struct Finished {
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command` with `args` and waits for it (blocking the calling
/// thread: run it on the blocking pool).
pub fn run(command: &str, args: &[String]) -> Result<Finished, String> {
    if command.is_empty() {
        return Err("run: the command is empty".to_owned());
    }
    let mut cmd = Command::new(command);
    cmd.args(args);
    // SAFETY: the hook runs in the forked child before `exec` and only
    // calls `pthread_sigmask`, which is async-signal-safe.
    unsafe { cmd.pre_exec(crate::interrupt::unblock_in_child) };
    let out = cmd
        .output()
        .map_err(|e| super::value::os_error(&format!("run {command}"), &e))?;
    let exit_code = match (out.status.code(), out.status.signal()) {
        (Some(code), _) => code,
        (None, Some(sig)) => 128 + sig,
        (None, None) => 128,
    };
    Ok(Finished {
        exit_code,
        stdout: lossy(out.stdout),
        stderr: lossy(out.stderr),
    })
}

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_and_exit_codes_are_captured() {
        let f = run(
            "sh",
            &["-c".into(), "echo out; echo err >&2; exit 3".into()],
        )
        .unwrap();
        assert_eq!(
            (f.exit_code, f.stdout.as_str(), f.stderr.as_str()),
            (3, "out\n", "err\n")
        );
        let f = run("sh", &["-c".into(), "kill -9 $$".into()]).unwrap();
        assert_eq!(f.exit_code, 137);
    }

    #[test]
    fn a_missing_program_is_an_error_naming_it() {
        let e = run("plat_no_such_program_xyz", &[]).err().unwrap();
        assert!(e.starts_with("run plat_no_such_program_xyz: "), "{e}");
        assert!(run("", &[]).is_err());
    }
}
