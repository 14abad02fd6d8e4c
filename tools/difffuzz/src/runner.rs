//! Compiling a program with `plat build` and running it with a timeout,
//! then classifying what happened against the model's expectation.

use crate::gen::Expected;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How a program failed; minimisation keeps a reduction only while the
/// failure stays of the same kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailKind {
    /// `plat build` rejected a program the generator believes valid.
    Rejected,
    /// `plat build` panicked, died from a signal or exited oddly.
    CompilerCrash,
    CompileTimeout,
    RunTimeout,
    /// The program died from a signal.
    Signal,
    WrongExit,
    WrongOutput,
}

impl FailKind {
    pub fn name(self) -> &'static str {
        match self {
            FailKind::Rejected => "rejected",
            FailKind::CompilerCrash => "compiler-crash",
            FailKind::CompileTimeout => "compile-timeout",
            FailKind::RunTimeout => "run-timeout",
            FailKind::Signal => "signal",
            FailKind::WrongExit => "wrong-exit",
            FailKind::WrongOutput => "wrong-output",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Failure {
    pub kind: FailKind,
    /// The schedule it failed under (`PLAT_WORKERS`, `PLAT_SEED`), if any.
    pub schedule: Option<(u32, u32, u32)>,
    pub detail: String,
}

pub struct Runner {
    pub plat: PathBuf,
    pub dir: PathBuf,
    pub compile_timeout: Duration,
    pub run_timeout: Duration,
}

/// The schedules a concurrent program runs under: (PLAT_WORKERS,
/// PLAT_SEED, PLAT_GC_STRESS; 0 leaves a variable unset).
pub const SCHEDULES: &[(u32, u32, u32)] = &[(1, 1, 0), (2, 1, 0), (2, 7, 0), (1, 3, 50)];

/// A sequential program runs as it is and with a collection every 50
/// allocations: the output must not change.
pub const SEQUENTIAL: &[(u32, u32, u32)] = &[(0, 0, 0), (0, 0, 50)];

struct Ran {
    status: Option<std::process::ExitStatus>,
    stdout: String,
    stderr: String,
}

fn run_with_timeout(mut cmd: Command, timeout: Duration) -> std::io::Result<Ran> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    // Drain both pipes on threads so a chatty child cannot block.
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_end(&mut s);
        }
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_end(&mut s);
        }
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait()? {
            break Some(st);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    Ok(Ran {
        status,
        stdout,
        stderr,
    })
}

fn signal_of(st: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    st.signal()
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

impl Runner {
    /// Builds and runs `source` with its module `files` (paths under
    /// `fz/`, relative to the main file's folder); `None` when it behaved
    /// as expected.
    pub fn check(
        &self,
        source: &str,
        files: &[(String, String)],
        exp: &Expected,
        concurrent: bool,
    ) -> Option<Failure> {
        let src = self.dir.join("prog.plat");
        let exe = self.dir.join("prog");
        let _ = std::fs::remove_file(&exe);
        // The previous program's modules must not be seen by this one.
        let _ = std::fs::remove_dir_all(self.dir.join("fz"));
        for (path, text) in files {
            let f = self.dir.join(path);
            let written = f
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&f, text));
            if let Err(e) = written {
                return Some(fail(
                    FailKind::CompilerCrash,
                    None,
                    format!("writing {f:?}: {e}"),
                ));
            }
        }
        if let Err(e) = std::fs::write(&src, source) {
            return Some(fail(
                FailKind::CompilerCrash,
                None,
                format!("writing {src:?}: {e}"),
            ));
        }
        let mut build = Command::new(&self.plat);
        build.arg("build").arg(&src).arg("-o").arg(&exe);
        let ran = match run_with_timeout(build, self.compile_timeout) {
            Ok(r) => r,
            Err(e) => {
                return Some(fail(
                    FailKind::CompilerCrash,
                    None,
                    format!("spawning plat: {e}"),
                ))
            }
        };
        let diag = format!("{}{}", ran.stdout, ran.stderr);
        match ran.status {
            None => return Some(fail(FailKind::CompileTimeout, None, String::new())),
            Some(st) if signal_of(&st).is_some() || st.code() == Some(101) => {
                return Some(fail(FailKind::CompilerCrash, None, tail(&diag, 20)));
            }
            Some(st) if !st.success() => {
                let kind = if st.code() == Some(1) && !diag.contains("panicked") {
                    FailKind::Rejected
                } else {
                    FailKind::CompilerCrash
                };
                return Some(fail(kind, None, tail(&diag, 20)));
            }
            Some(_) => {}
        }
        let schedules = if concurrent { SCHEDULES } else { SEQUENTIAL };
        for &(workers, seed, gc) in schedules {
            let sched = (workers > 0 || gc > 0).then_some((workers, seed, gc));
            let mut cmd = Command::new(&exe);
            cmd.current_dir(&self.dir);
            if workers > 0 {
                cmd.env("PLAT_WORKERS", workers.to_string())
                    .env("PLAT_SEED", seed.to_string());
            }
            if gc > 0 {
                cmd.env("PLAT_GC_STRESS", gc.to_string());
            }
            if let Some(f) = self.run_once(cmd, exp, sched) {
                return Some(f);
            }
        }
        None
    }

    fn run_once(
        &self,
        cmd: Command,
        exp: &Expected,
        sched: Option<(u32, u32, u32)>,
    ) -> Option<Failure> {
        let ran = match run_with_timeout(cmd, self.run_timeout) {
            Ok(r) => r,
            Err(e) => {
                return Some(fail(
                    FailKind::Signal,
                    sched,
                    format!("spawning program: {e}"),
                ))
            }
        };
        let Some(st) = ran.status else {
            return Some(fail(FailKind::RunTimeout, sched, tail(&ran.stdout, 5)));
        };
        if let Some(sig) = signal_of(&st) {
            return Some(fail(
                FailKind::Signal,
                sched,
                format!("signal {sig}\n{}", tail(&ran.stderr, 10)),
            ));
        }
        if ran.stdout != exp.stdout {
            return Some(fail(
                FailKind::WrongOutput,
                sched,
                first_difference(&exp.stdout, &ran.stdout),
            ));
        }
        let code = st.code().unwrap_or(-1);
        if code != exp.exit {
            return Some(fail(
                FailKind::WrongExit,
                sched,
                format!(
                    "exit {code}, expected {}\n{}",
                    exp.exit,
                    tail(&ran.stderr, 5)
                ),
            ));
        }
        None
    }
}

fn fail(kind: FailKind, schedule: Option<(u32, u32, u32)>, detail: String) -> Failure {
    Failure {
        kind,
        schedule,
        detail,
    }
}

/// The first line where `got` differs from `want`.
pub fn first_difference(want: &str, got: &str) -> String {
    let w: Vec<&str> = want.split('\n').collect();
    let g: Vec<&str> = got.split('\n').collect();
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b {
            return format!(
                "line {}: expected {:?}, got {:?}",
                i + 1,
                a.copied().unwrap_or("<end>"),
                b.copied().unwrap_or("<end>")
            );
        }
    }
    "outputs differ".into()
}

pub fn scratch(out: &Path, job: u32) -> PathBuf {
    let d = out.join(format!("work{job}"));
    let _ = std::fs::create_dir_all(&d);
    d
}
