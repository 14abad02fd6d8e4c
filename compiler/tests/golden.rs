//! Golden tests: the language specified by example.
//!
//! * `tests/run/**/*.plat` and `examples/*.plat` are built with
//!   `plat build FILE -o EXE` and run; stdout must equal the sibling
//!   `NAME.out` exactly (no `.out` file means empty stdout).
//! * `tests/fail/**/*.plat` must be rejected by
//!   `plat check FILE --diagnostic-format=short` (exit code 1), which prints
//!   one `PATH:LINE:COL: error[E0xxx]: MESSAGE` line per diagnostic. The set
//!   of (line, code) pairs must equal the set announced by the file's
//!   `// ERROR E0xxx [text]` comments; `text`, if given, must appear in the
//!   message. A sibling `NAME.stderr` is compared exactly with the full
//!   rendering of `plat check FILE` (of `plat build FILE` for `//
//!   compile-fail build`; `BLESS=1` rewrites these files).
//!   Every diagnostic code of `platc::diag::Code` has at least one such
//!   snapshot (`every_diagnostic_code_has_a_snapshot`), so its message,
//!   labels and hints are specified, not only its code.
//! * A test that needs modules of its own keeps them in a folder named
//!   after it: `NAME.plat` loads `use NAME::a;` from `NAME/a.plat`. Such a
//!   folder is not a test folder; the `// ERROR` comments of its files
//!   count like those of `NAME.plat` (errors are matched by file, line and
//!   code).
//!
//! Header directives (comment lines at the very top of a file):
//! `// run`, `// compile-fail` (`// compile-fail build` when the error is
//! only found by `plat build`, `// compile-fail test` when only by `plat
//! test`, which checks the `test` blocks), `// exit-code: N` (default 0),
//! `// stderr-contains: TEXT` (repeatable), `// args: A B C` (`{root}` in
//! an argument is the workspace root: programs run in a scratch folder),
//! `// env: KEY=VALUE` (repeatable). Other header comments are free text.
//!
//! Commands run from the workspace root with the file path relative to it,
//! so paths in diagnostics and panic locations are stable; each case gets
//! its own scratch directory, and each command a timeout.
//!
//! Programs that use tasks run under several schedules: every worker
//! count of `PLAT_TEST_WORKERS` and every seed of `PLAT_TEST_SEEDS` (see
//! `schedules`), and must print the same thing under each. Programs of
//! the concurrency and data-type folders also run once with a collection
//! every `PLAT_TEST_GC_STRESS` allocations (default 100; `// gc-stress:
//! skip` in the header opts a very allocation-heavy program out).
//!
//! Environment: `PLAT_TEST_FILTER=substring` selects cases by path,
//! `PLAT_TEST_ONLY_TASKS=1` the programs that use tasks,
//! `PLAT_TEST_TIMEOUT=seconds` (default 30), `BLESS=1` (see above),
//! `PLAT_TEST_WORKERS=1,2,4` and `PLAT_TEST_SEEDS=1,2,3` (the schedules;
//! `A..B` is a range: `tools/explore` runs the suite's task programs
//! under many seeds).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

const PLAT: &str = env!("CARGO_BIN_EXE_plat");

#[test]
fn run_pass() {
    run_suite("tests/run", Kind::Run);
}

#[test]
fn compile_fail() {
    run_suite("tests/fail", Kind::Fail);
}

#[test]
fn examples() {
    run_suite("examples", Kind::Example);
}

/// Ensure that every diagnostic code the compiler defines has a blessed
/// `.stderr` snapshot in `tests/fail`, so a new code cannot come without
/// its rendering being specified.
#[test]
fn every_diagnostic_code_has_a_snapshot() {
    let mut files = Vec::new();
    collect_ext(&root().join("tests/fail"), "stderr", &mut files);
    let snapshots: Vec<String> = files
        .iter()
        .filter_map(|f| fs::read_to_string(f).ok())
        .collect();
    let missing: Vec<&str> = platc::diag::Code::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| {
            let rendered = format!("[{code}] Error:");
            !snapshots.iter().any(|s| s.contains(&rendered))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "no tests/fail/**/*.stderr snapshot renders {missing:?}: add a compile-fail \
         test for each and bless it (BLESS=1)"
    );
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Run,
    Fail,
    Example,
}

fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .expect("compiler/ lives in the workspace")
        .to_path_buf()
}

// ------------------------------------------------------------ the driver

fn run_suite(dir: &str, kind: Kind) {
    let root = root();
    let filter = std::env::var("PLAT_TEST_FILTER").unwrap_or_default();
    let only_tasks = std::env::var("PLAT_TEST_ONLY_TASKS").is_ok_and(|v| v == "1");
    let mut cases = Vec::new();
    collect(&root.join(dir), kind != Kind::Example, &mut cases);
    let mut cases: Vec<String> = cases
        .iter()
        .filter_map(|p| p.strip_prefix(&root).ok())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .filter(|rel| rel.contains(&filter))
        .filter(|rel| {
            !only_tasks || fs::read_to_string(root.join(rel)).is_ok_and(|s| uses_tasks(&s))
        })
        .collect();
    cases.sort();

    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(4, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..threads.min(cases.len()) {
            s.spawn(|| {
                while let Some(rel) = cases.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(report) = check_case(&root, rel, kind) {
                        let mut failures = failures.lock().unwrap_or_else(PoisonError::into_inner);
                        failures.push((rel.clone(), report));
                    }
                }
            });
        }
    });

    let mut failures = failures
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    failures.sort();
    for (rel, report) in &failures {
        eprintln!("\n---- {rel}\n{report}");
    }
    let summary = format!(
        "golden: {} passed, {} failed ({dir})",
        cases.len() - failures.len(),
        failures.len()
    );
    eprintln!("\n{summary}");
    assert!(failures.is_empty(), "{summary}");
}

/// The test programs under `dir`: `.plat` files, not counting the
/// folders of a test's own modules (see [`module_dir`]).
fn collect(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if recursive && !path.with_extension("plat").is_file() {
                collect(&path, recursive, out);
            }
        } else if path.extension().is_some_and(|e| e == "plat") {
            out.push(path);
        }
    }
}

/// Every file under `dir` (recursively) whose name ends in `.ext`.
fn collect_ext(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_ext(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// The folder holding test `rel`'s own modules: `NAME/` beside `NAME.plat`.
fn module_dir(root: &Path, rel: &str) -> PathBuf {
    root.join(rel).with_extension("")
}

/// A fresh directory per case: `target/tmp/golden/tests__run__area__name`.
fn scratch_dir(rel: &str) -> Result<PathBuf, String> {
    let name = rel.trim_end_matches(".plat").replace('/', "__");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("golden")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn check_case(root: &Path, rel: &str, kind: Kind) -> Result<(), String> {
    let source = fs::read_to_string(root.join(rel)).map_err(|e| format!("cannot read: {e}"))?;
    let mut header = Header::parse(&source)?;
    let root_text = root.to_string_lossy();
    for arg in &mut header.args {
        *arg = arg.replace("{root}", &root_text);
    }
    let scratch = scratch_dir(rel)?;
    match kind {
        Kind::Run if !header.run => Err("missing `// run` header on the first line".into()),
        Kind::Fail if !header.compile_fail => Err("missing `// compile-fail` header".into()),
        Kind::Fail => check_fail(root, rel, &source, &scratch),
        Kind::Run | Kind::Example => check_run(root, rel, &header, &scratch),
    }
}

// ------------------------------------------------------------ directives

#[derive(Default)]
struct Header {
    run: bool,
    compile_fail: bool,
    /// The command that finds the errors of a compile-fail test.
    fail_by: FailBy,
    exit_code: i32,
    stderr_contains: Vec<String>,
    args: Vec<String>,
    env: Vec<(String, String)>,
    /// `// gc-stress: skip`: too many allocations to run with a
    /// collection every few of them (see `schedules`).
    no_gc_stress: bool,
}

impl Header {
    fn parse(source: &str) -> Result<Header, String> {
        let mut h = Header::default();
        for line in source.lines() {
            let Some(body) = line.trim().strip_prefix("//") else {
                break;
            };
            let body = body.trim();
            if body == "run" || body.starts_with("run ") {
                h.run = true;
            } else if body == "compile-fail" {
                h.compile_fail = true;
            } else if body == "compile-fail build" {
                h.compile_fail = true;
                h.fail_by = FailBy::Build;
            } else if body == "compile-fail test" {
                h.compile_fail = true;
                h.fail_by = FailBy::Test;
            } else if let Some((key, value)) = body.split_once(':') {
                let value = value.trim();
                match key.trim() {
                    "exit-code" => {
                        h.exit_code = value
                            .parse()
                            .map_err(|_| format!("bad exit-code `{value}`"))?;
                    }
                    "stderr-contains" => h.stderr_contains.push(value.to_string()),
                    "args" => h.args = value.split_whitespace().map(String::from).collect(),
                    "env" => {
                        let (k, v) = value.split_once('=').ok_or(format!("bad env `{value}`"))?;
                        h.env.push((k.trim().to_string(), v.to_string()));
                    }
                    "gc-stress" if value == "skip" => h.no_gc_stress = true,
                    _ => {} // free-text comment
                }
            }
        }
        Ok(h)
    }
}

/// The command a compile-fail test runs (see the header directives).
#[derive(Clone, Copy, Default, PartialEq)]
enum FailBy {
    /// `plat check`: most errors.
    #[default]
    Check,
    /// `plat build`: errors found during monomorphisation.
    Build,
    /// `plat test`: malformed `test` blocks, checked only in that mode.
    Test,
}

// ------------------------------------------------------------ processes

struct Outcome {
    /// Exit code, or 128 + N when killed by signal N.
    code: i32,
    status: String,
    timed_out: bool,
    stdout: String,
    stderr: String,
}

fn timeout() -> Duration {
    let secs = std::env::var("PLAT_TEST_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok());
    Duration::from_secs(secs.unwrap_or(30))
}

/// Runs `cmd` with stdout/stderr going to files in `scratch` (no pipe can
/// fill up), killing it after the timeout.
fn exec(mut cmd: Command, scratch: &Path, tag: &str) -> Result<Outcome, String> {
    let out_path = scratch.join(format!("{tag}.stdout"));
    let err_path = scratch.join(format!("{tag}.stderr"));
    let file =
        |p: &Path| File::create(p).map_err(|e| format!("cannot create {}: {e}", p.display()));
    cmd.stdin(Stdio::null())
        .stdout(file(&out_path)?)
        .stderr(file(&err_path)?);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let deadline = Instant::now() + timeout();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().map_err(|e| e.to_string())?;
            }
            Err(e) => return Err(format!("waiting for {:?}: {e}", cmd.get_program())),
        }
    };
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned();
    let (code, status) = describe(status);
    Ok(Outcome {
        code,
        status,
        timed_out,
        stdout: read(&out_path),
        stderr: read(&err_path),
    })
}

fn describe(status: std::process::ExitStatus) -> (i32, String) {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => (code, format!("exit code {code}")),
        (None, Some(sig)) => (128 + sig, format!("killed by signal {sig}")),
        (None, None) => (-1, "unknown status".into()),
    }
}

fn plat(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(PLAT);
    cmd.args(args).current_dir(root).env("NO_COLOR", "1");
    cmd
}

// ------------------------------------------------------------ run tests

fn check_run(root: &Path, rel: &str, h: &Header, scratch: &Path) -> Result<(), String> {
    let exe = scratch.join("exe");
    let exe_s = exe.to_string_lossy().into_owned();
    let build_cmd = format!("cd {} && {PLAT} build {rel} -o {exe_s}", root.display());

    let build = exec(plat(root, &["build", rel, "-o", &exe_s]), scratch, "build")?;
    if build.timed_out || build.code != 0 || !exe.exists() {
        let why = if build.timed_out {
            "timed out"
        } else {
            &build.status
        };
        return Err(format!(
            "reproduce: {build_cmd}\nbuild failed ({why}):\n{}{}",
            indent(&build.stdout),
            indent(&build.stderr)
        ));
    }

    let source = fs::read_to_string(root.join(rel)).unwrap_or_default();
    let expected = fs::read_to_string(root.join(rel).with_extension("out")).unwrap_or_default();
    let mut reports = Vec::new();
    for schedule in schedules(rel, &source, h) {
        let mut env = h.env.clone();
        env.extend(schedule);
        let shown: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        let repro = format!(
            "reproduce: {build_cmd} && {shown}{exe_s} {}",
            h.args.join(" ")
        );
        if let Err(report) = run_once(&exe, h, &env, &expected, scratch) {
            reports.push(format!("{repro}\n{report}"));
        }
    }
    if reports.is_empty() {
        Ok(())
    } else {
        Err(reports.join("\n"))
    }
}

/// The environments a program runs under, on top of its `// env:` lines.
///
/// A program that uses tasks (`concurrent`, `race` or a `par_` method of
/// `List`) must give the same
/// output on any number of workers and under any seeded schedule, so it
/// runs once per worker count in `PLAT_TEST_WORKERS` (default `1,2,4`)
/// and once per seed in `PLAT_TEST_SEEDS` (default `1,2,3`). A program
/// whose `// env:` already fixes `PLAT_WORKERS` or `PLAT_SEED` runs once,
/// as written; so does every other program.
fn schedules(rel: &str, source: &str, h: &Header) -> Vec<Vec<(String, String)>> {
    let mut out = task_schedules(source, h);
    if gc_stressed(rel) && !h.no_gc_stress {
        let every = std::env::var("PLAT_TEST_GC_STRESS").unwrap_or_else(|_| "100".into());
        if every != "0" {
            out.push(vec![
                ("PLAT_GC_STRESS".to_string(), every),
                ("PLAT_WORKERS".to_string(), "2".to_string()),
            ]);
        }
    }
    out
}

/// Folders whose programs also run with a collection every
/// `PLAT_TEST_GC_STRESS` allocations (default 100; 0: none), on two
/// workers: the concurrency and data-type programs, where a root the
/// collector misses shows up (freed slots are poisoned in stress mode).
fn gc_stressed(rel: &str) -> bool {
    const DIRS: &[&str] = &[
        "tests/run/channels/",
        "tests/run/classes/",
        "tests/run/closures/",
        "tests/run/collections/",
        "tests/run/concurrency/",
        "tests/run/enums/",
        "tests/run/gc/",
        "tests/run/io/",
        "tests/run/generics/",
        "tests/run/option_result/",
        "tests/run/parallel/",
        "tests/run/print/",
        "tests/run/races/",
        "tests/run/select/",
        "tests/run/strings/",
        "tests/run/sync/",
        "tests/run/threads/",
    ];
    DIRS.iter().any(|d| rel.starts_with(d))
}

/// Whether a program uses tasks: `concurrent`, `race`, a `par_` method of
/// `List` or `Thread.spawn`, outside comments.
fn uses_tasks(source: &str) -> bool {
    source.lines().any(|l| {
        let code = l.split("//").next().unwrap_or("");
        code.contains("concurrent")
            || code.contains("race {")
            || code.contains("race{")
            || code.contains(".par_")
            || code.contains("Thread.spawn")
    })
}

/// Worker counts and seeds, for a program that uses tasks (see
/// `schedules`).
fn task_schedules(source: &str, h: &Header) -> Vec<Vec<(String, String)>> {
    let pinned = h
        .env
        .iter()
        .any(|(k, _)| k == "PLAT_WORKERS" || k == "PLAT_SEED");
    if !uses_tasks(source) || pinned {
        return vec![Vec::new()];
    }
    let list = |var: &str, default: &str| -> Vec<String> {
        let text = std::env::var(var).unwrap_or_else(|_| default.to_string());
        let mut items = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            items.extend(expand_range(item));
        }
        items
    };
    let mut out = Vec::new();
    for w in list("PLAT_TEST_WORKERS", "1,2,4") {
        out.push(vec![("PLAT_WORKERS".to_string(), w)]);
    }
    for seed in list("PLAT_TEST_SEEDS", "1,2,3") {
        out.push(vec![("PLAT_SEED".to_string(), seed)]);
    }
    out
}

/// `A..B` (inclusive, as `PLAT_TEST_SEEDS=1..200` for a long exploration)
/// as its numbers; anything else as itself.
fn expand_range(item: &str) -> Vec<String> {
    if let Some((a, b)) = item.split_once("..") {
        if let (Ok(a), Ok(b)) = (a.parse::<u64>(), b.parse::<u64>()) {
            return (a..=b).map(|n| n.to_string()).collect();
        }
    }
    vec![item.to_string()]
}

/// Runs the built program once in `env` and compares what it did with
/// what the test expects.
fn run_once(
    exe: &Path,
    h: &Header,
    env: &[(String, String)],
    expected: &str,
    scratch: &Path,
) -> Result<(), String> {
    let mut cmd = Command::new(exe);
    cmd.args(&h.args)
        .current_dir(scratch)
        .envs(env.iter().map(|(k, v)| (k, v)));
    let run = exec(cmd, scratch, "run")?;
    let mut report = String::new();
    if run.timed_out {
        let _ = writeln!(report, "program timed out after {:?}", timeout());
    }
    if run.stdout != expected {
        report.push_str(&diff("stdout", expected, &run.stdout));
    }
    if run.code != h.exit_code {
        let _ = writeln!(
            report,
            "exit status: EXPECTED exit code {}, FOUND {}",
            h.exit_code, run.status
        );
    }
    for needle in &h.stderr_contains {
        if !run.stderr.contains(needle.as_str()) {
            let _ = writeln!(report, "stderr does not contain {needle:?}");
        }
    }
    if report.is_empty() {
        return Ok(());
    }
    if !run.stderr.is_empty() {
        let _ = write!(report, "stderr:\n{}", indent(&run.stderr));
    }
    Err(report)
}

fn diff(what: &str, expected: &str, found: &str) -> String {
    let (e, f): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), found.lines().collect());
    let first = e
        .iter()
        .zip(&f)
        .position(|(a, b)| a != b)
        .unwrap_or(e.len().min(f.len()));
    let detail = match (e.get(first), f.get(first)) {
        (Some(a), Some(b)) => format!("line {}: expected {a:?}, found {b:?}", first + 1),
        (Some(a), None) => format!("line {} missing, expected {a:?}", first + 1),
        (None, Some(b)) => format!("unexpected extra line {}: {b:?}", first + 1),
        (None, None) => "only the final newline differs".to_string(),
    };
    format!(
        "{what} differs ({detail})\nEXPECTED:\n{}FOUND:\n{}",
        indent(expected),
        indent(found)
    )
}

fn indent(text: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for line in text.lines().take(MAX) {
        let _ = writeln!(out, "  | {line}");
    }
    let n = text.lines().count();
    if n > MAX {
        let _ = writeln!(out, "  | ... ({} more lines)", n - MAX);
    }
    if !text.is_empty() && !text.ends_with('\n') {
        out.push_str("  (no newline at end)\n");
    }
    if text.is_empty() {
        out.push_str("  (empty)\n");
    }
    out
}

// ------------------------------------------------------------ fail tests

/// An expected diagnostic (`// ERROR E0200 text`, where `text` is a part
/// of the message) or an actual one (`PATH:LINE:COL: error[E0200]: text`).
struct Diag {
    /// The file, relative to the workspace root.
    file: String,
    line: usize,
    code: String,
    text: String,
}

impl Diag {
    fn key(&self) -> (&str, usize, &str) {
        (self.file.as_str(), self.line, self.code.as_str())
    }
}

/// The `// ERROR` comments of `source` (the file `rel`).
fn expected_errors(rel: &str, source: &str) -> Vec<Diag> {
    let mut out = Vec::new();
    for (i, line) in source.lines().enumerate() {
        for part in line.split("// ERROR").skip(1) {
            let part = part.trim();
            let (code, text) = part.split_once(char::is_whitespace).unwrap_or((part, ""));
            out.push(Diag {
                file: rel.to_string(),
                line: i + 1,
                code: code.to_string(),
                text: text.trim().to_string(),
            });
        }
    }
    out
}

/// The `// ERROR` comments of test `rel` and of its own modules.
fn all_expected_errors(root: &Path, rel: &str, source: &str) -> Result<Vec<Diag>, String> {
    let mut out = expected_errors(rel, source);
    let mut modules = Vec::new();
    collect_ext(&module_dir(root, rel), "plat", &mut modules);
    modules.sort();
    for module in modules {
        let text = fs::read_to_string(&module)
            .map_err(|e| format!("cannot read {}: {e}", module.display()))?;
        let module_rel = module.strip_prefix(root).unwrap_or(&module);
        out.extend(expected_errors(&module_rel.to_string_lossy(), &text));
    }
    Ok(out)
}

fn parse_short(stderr: &str) -> Vec<Diag> {
    let mut out = Vec::new();
    for line in stderr.lines() {
        let Some((location, rest)) = line.split_once(": error[") else {
            continue;
        };
        let Some((code, message)) = rest.split_once("]: ") else {
            continue;
        };
        let mut parts = location.rsplitn(3, ':');
        let (_col, line_no, file) = (parts.next(), parts.next(), parts.next());
        if let (Some(n), Some(file)) = (line_no.and_then(|l| l.parse().ok()), file) {
            out.push(Diag {
                file: file.to_string(),
                line: n,
                code: code.to_string(),
                text: message.to_string(),
            });
        }
    }
    out
}

fn check_fail(root: &Path, rel: &str, source: &str, scratch: &Path) -> Result<(), String> {
    let expected = all_expected_errors(root, rel, source)?;
    if expected.is_empty() {
        return Err("a compile-fail test needs at least one `// ERROR E0xxx` comment".into());
    }
    let exe = scratch.join("exe");
    let exe = exe.to_string_lossy();
    let args: Vec<&str> = match Header::parse(source)?.fail_by {
        FailBy::Check => vec!["check", rel],
        FailBy::Build => vec!["build", rel, "-o", &exe],
        FailBy::Test => vec!["test", rel],
    };
    let short = [&args[..], &["--diagnostic-format=short"]].concat();
    let shown = format!("plat {}", short.join(" "));
    let repro = format!("reproduce: cd {} && NO_COLOR=1 {shown}", root.display());
    let check = exec(plat(root, &short), scratch, "check")?;
    let actual = parse_short(&check.stderr);

    let mut report = String::new();
    if check.timed_out {
        let _ = writeln!(report, "`{shown}` timed out after {:?}", timeout());
    } else if check.code != 1 {
        let _ = writeln!(
            report,
            "`{shown}`: EXPECTED exit code 1, FOUND {}",
            check.status
        );
    }
    let want: BTreeSet<(&str, usize, &str)> = expected.iter().map(Diag::key).collect();
    let got: BTreeSet<(&str, usize, &str)> = actual.iter().map(Diag::key).collect();
    for (file, line, code) in want.difference(&got) {
        let _ = writeln!(report, "missing: {file}:{line}: error[{code}]");
    }
    for (file, line, code) in got.difference(&want) {
        let _ = writeln!(report, "unexpected: {file}:{line}: error[{code}]");
    }
    for e in expected.iter().filter(|e| got.contains(&e.key())) {
        let same = |a: &Diag| a.key() == e.key() && a.text.contains(&e.text);
        if !actual.iter().any(same) {
            let _ = writeln!(
                report,
                "{}:{}: no error[{}] message contains {:?}",
                e.file, e.line, e.code, e.text
            );
        }
    }
    check_snapshot(root, rel, &args, scratch, &mut report)?;
    if report.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{repro}\n{report}stderr of `{shown}`:\n{}",
        indent(&check.stderr)
    ))
}

/// Compares (or with `BLESS=1` rewrites) `NAME.stderr`, the full rendering
/// of the command that finds the errors (`args`: `check FILE` or `build
/// FILE -o EXE`).
fn check_snapshot(
    root: &Path,
    rel: &str,
    args: &[&str],
    scratch: &Path,
    report: &mut String,
) -> Result<(), String> {
    let snapshot = root.join(rel).with_extension("stderr");
    let bless = std::env::var("BLESS").is_ok_and(|v| v == "1");
    if !bless && !snapshot.exists() {
        return Ok(());
    }
    let full = exec(plat(root, args), scratch, "full")?;
    if bless {
        return fs::write(&snapshot, &full.stderr).map_err(|e| format!("cannot bless: {e}"));
    }
    let expected =
        fs::read_to_string(&snapshot).map_err(|e| format!("cannot read snapshot: {e}"))?;
    if full.stderr != expected {
        report.push_str(&diff(
            "rendered diagnostics (.stderr; BLESS=1 to update)",
            &expected,
            &full.stderr,
        ));
    }
    Ok(())
}
