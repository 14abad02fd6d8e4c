//! The second mode: the real command line, `plat check FILE
//! --diagnostic-format=short` (positions checked) and, when it rejects
//! the file, `plat check FILE` (the default rendering), as subprocesses
//! with a timeout. It catches
//! what the in-process runner cannot: a stack overflow or another abort,
//! a hang (the process is killed), the command line's own handling of
//! unreadable (non-UTF-8) files and its exit codes. `plat build` of an
//! accepted input is optional (`--build`).

use std::collections::HashMap;
use std::fs::{self, File};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::inprocess::panic_key;
use crate::verdict::{Finding, FindingKind, Verdict};

pub struct Cli {
    plat: PathBuf,
    scratch: PathBuf,
    timeout: Duration,
    /// A scratch folder per corpus folder, mirroring its subfolders (the
    /// modules a program imports), so imports still resolve.
    dirs: HashMap<PathBuf, PathBuf>,
}

impl Cli {
    pub fn new(plat: PathBuf, scratch: PathBuf, timeout: Duration) -> Cli {
        Cli {
            plat,
            scratch,
            timeout,
            dirs: HashMap::new(),
        }
    }

    /// The scratch folder standing for `origin` (created on first use).
    fn dir_for(&mut self, origin: &Path) -> std::io::Result<PathBuf> {
        if let Some(d) = self.dirs.get(origin) {
            return Ok(d.clone());
        }
        let dir = self.scratch.join(format!("d{}", self.dirs.len()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir)?;
        for entry in fs::read_dir(origin)?.flatten() {
            if entry.path().is_dir() {
                std::os::unix::fs::symlink(entry.path(), dir.join(entry.file_name()))?;
            }
        }
        self.dirs.insert(origin.to_path_buf(), dir.clone());
        Ok(dir)
    }

    /// `plat check` on `bytes` written as `name` in the scratch folder
    /// for `origin` (the folder the seed file came from).
    pub fn check(&mut self, bytes: &[u8], origin: &Path, name: &str) -> Verdict {
        let dir = match self.dir_for(origin) {
            Ok(d) => d,
            Err(e) => return tool_error(format!("scratch folder: {e}")),
        };
        let file = dir.join(name);
        if let Err(e) = fs::write(&file, bytes) {
            return tool_error(format!("cannot write {}: {e}", file.display()));
        }
        let run = self.run(
            &dir,
            &["check", name, "--diagnostic-format=short"],
            self.timeout,
        );
        let (status, stderr) = match run {
            Ok(Some(r)) => r,
            Ok(None) => {
                return Verdict::Finding(Finding::new(
                    FindingKind::Hang,
                    "",
                    format!("plat check ran for more than {:?}", self.timeout),
                ))
            }
            Err(e) => return tool_error(e),
        };
        let text = String::from_utf8_lossy(bytes);
        match status.code() {
            Some(0) => Verdict::Accepted,
            Some(1) => match short_diagnostics(&stderr, name, &text) {
                Verdict::Rejected(n) => self.human(&dir, name, n),
                other => other,
            },
            // An unreadable file is a usage error (exit 2): fine when the
            // input is not UTF-8.
            Some(2) if std::str::from_utf8(bytes).is_err() && stderr.contains("cannot read") => {
                Verdict::Rejected(1)
            }
            _ => Verdict::Finding(process_finding(status, &stderr)),
        }
    }

    /// The default rendering (ariadne, with source excerpts) of a file
    /// the short format rejected with `n` diagnostics: the same exit
    /// code, in time, without a panic.
    fn human(&self, dir: &Path, name: &str, n: usize) -> Verdict {
        match self.run(dir, &["check", name], self.timeout) {
            Ok(Some((status, stderr))) if status.code() == Some(1) && stderr.contains("Error") => {
                Verdict::Rejected(n)
            }
            Ok(Some((status, stderr))) => {
                let mut f = process_finding(status, &stderr);
                f.key = format!("human {}", f.key);
                Verdict::Finding(f)
            }
            Ok(None) => Verdict::Finding(Finding::new(
                FindingKind::Hang,
                "human",
                format!(
                    "plat check (human format) ran for more than {:?}",
                    self.timeout
                ),
            )),
            Err(e) => tool_error(e),
        }
    }

    /// `plat build` of an input `check` accepted: no crash, no hang (the
    /// output program is not run). `plat build` may still reject it.
    pub fn build(&mut self, bytes: &[u8], origin: &Path, name: &str, timeout: Duration) -> Verdict {
        let dir = match self.dir_for(origin) {
            Ok(d) => d,
            Err(e) => return tool_error(format!("scratch folder: {e}")),
        };
        if let Err(e) = fs::write(dir.join(name), bytes) {
            return tool_error(format!("cannot write {name}: {e}"));
        }
        let exe = format!("{name}.exe");
        let run = self.run(
            &dir,
            &["build", name, "-o", &exe, "--diagnostic-format=short"],
            timeout,
        );
        let _ = fs::remove_file(dir.join(&exe));
        match run {
            Ok(Some((status, stderr))) => match status.code() {
                Some(0) => Verdict::Accepted,
                Some(1) => short_diagnostics(&stderr, name, &String::from_utf8_lossy(bytes)),
                _ => Verdict::Finding(process_finding(status, &stderr)),
            },
            Ok(None) => Verdict::Finding(Finding::new(
                FindingKind::Hang,
                "build",
                format!("plat build ran for more than {timeout:?}"),
            )),
            Err(e) => tool_error(e),
        }
    }

    /// Runs plat in `dir`; `None` if it had to be killed.
    fn run(
        &self,
        dir: &Path,
        args: &[&str],
        timeout: Duration,
    ) -> Result<Option<(ExitStatus, String)>, String> {
        let err_path = dir.join("stderr.txt");
        let err_file = File::create(&err_path).map_err(|e| e.to_string())?;
        let mut child = Command::new(&self.plat)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err_file)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.plat.display()))?;
        let start = Instant::now();
        let status = loop {
            match child.try_wait().map_err(|e| e.to_string())? {
                Some(status) => break status,
                None if start.elapsed() > timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Ok(None);
                }
                None => std::thread::sleep(Duration::from_millis(2)),
            }
        };
        let stderr = fs::read(&err_path).map_err(|e| e.to_string())?;
        Ok(Some((
            status,
            String::from_utf8_lossy(&stderr).into_owned(),
        )))
    }
}

/// The fuzzer's own trouble (not the compiler's) is reported as a crash
/// of the harness, which stops nothing but shows up.
fn tool_error(message: String) -> Verdict {
    Verdict::Finding(Finding::new(FindingKind::Crash, "harness", message))
}

fn process_finding(status: ExitStatus, stderr: &str) -> Finding {
    let tail: String = stderr.chars().take(4000).collect();
    if stderr.contains("panicked at") {
        return Finding::new(FindingKind::Panic, &panic_key(stderr), tail);
    }
    let key = match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(signal)) => format!("signal {signal}"),
        _ => "unknown".into(),
    };
    if stderr.contains("overflowed its stack") {
        return Finding::new(FindingKind::Crash, "stack overflow", tail);
    }
    Finding::new(FindingKind::Crash, &key, tail)
}

/// Exit 1: at least one `PATH:LINE:COL: error[E0xxx]: ...` line, and
/// each line:col of the file checked inside it. Other stderr lines
/// (none expected) are ignored.
fn short_diagnostics(stderr: &str, name: &str, text: &str) -> Verdict {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut count = 0;
    for line in stderr.lines() {
        let Some((place, _)) = line.split_once(": error[") else {
            continue;
        };
        count += 1;
        let mut parts = place.rsplitn(3, ':');
        let (Some(col), Some(row), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            return bad(line, "no PATH:LINE:COL");
        };
        let (Ok(row), Ok(col)) = (row.parse::<usize>(), col.parse::<usize>()) else {
            return bad(line, "LINE:COL are not numbers");
        };
        if path != name {
            continue;
        }
        let Some(source_line) = row.checked_sub(1).and_then(|r| lines.get(r)) else {
            return bad(
                line,
                &format!("line {row} of a file of {} lines", lines.len()),
            );
        };
        if col == 0 || col > source_line.chars().count() + 1 {
            return bad(
                line,
                &format!(
                    "column {col} of a line of {} characters",
                    source_line.chars().count()
                ),
            );
        }
    }
    if count == 0 {
        let tail: String = stderr.chars().take(2000).collect();
        return Verdict::Finding(Finding::new(
            FindingKind::NoDiagnostic,
            "",
            format!("exit 1 without a diagnostic; stderr: {tail:?}"),
        ));
    }
    Verdict::Rejected(count)
}

fn bad(line: &str, why: &str) -> Verdict {
    let code = line
        .split("error[")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .unwrap_or("");
    Verdict::Finding(Finding::new(
        FindingKind::BadSpan,
        code,
        format!("{why}: {line}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(v: Verdict) -> Option<FindingKind> {
        match v {
            Verdict::Finding(f) => Some(f.kind),
            _ => None,
        }
    }

    #[test]
    fn short_diagnostics_are_checked_against_the_file() {
        let text = "fn main() {\n  let é = ;\n}\n";
        let ok = "t.plat:2:11: error[E0010]: expected expression, found `;`\n";
        assert!(matches!(
            short_diagnostics(ok, "t.plat", text),
            Verdict::Rejected(1)
        ));
        // Line 2 has 11 characters: column 12 (its end) is fine, 13 is not.
        let end = "t.plat:2:12: error[E0010]: x\n";
        assert!(matches!(
            short_diagnostics(end, "t.plat", text),
            Verdict::Rejected(1)
        ));
        let past = "t.plat:2:13: error[E0010]: x\n";
        assert_eq!(
            kind(short_diagnostics(past, "t.plat", text)),
            Some(FindingKind::BadSpan)
        );
        let no_line = "t.plat:9:1: error[E0010]: x\n";
        assert_eq!(
            kind(short_diagnostics(no_line, "t.plat", text)),
            Some(FindingKind::BadSpan)
        );
        // Another file's positions are not this file's to check.
        let std = "std/io.plat:900:1: error[E0010]: x\n";
        assert!(matches!(
            short_diagnostics(std, "t.plat", text),
            Verdict::Rejected(1)
        ));
        assert_eq!(
            kind(short_diagnostics("", "t.plat", text)),
            Some(FindingKind::NoDiagnostic)
        );
    }
}
