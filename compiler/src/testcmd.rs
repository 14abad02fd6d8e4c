//! `plat test`, `plat bench` and `plat new` (docs/testing.md).
//!
//! `plat test` builds the file's `test` blocks into a runner executable
//! (`check::Mode::Test`; the runner is `runtime/src/sched/testrun.rs`) and
//! runs it; with `--schedules N` it runs it once per seed `1..=N`
//! (`PLAT_SEED`, deterministic) and reports, for each case, every seed
//! under which it failed with the command that replays it. For a folder,
//! every `.plat` file under it that has a `test` block is tested in turn.
//! `plat bench` builds the `bench` blocks the same way and runs them
//! (`runtime/src/bench.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::check::Mode;
use crate::driver::{self, Failure, Options};
use crate::output;

/// Exit code: a test failed (or, for the build, compile errors).
pub const EXIT_FAILED: u8 = 1;
/// Exit code: bad usage or tool failure.
pub const EXIT_USAGE: u8 = 2;

/// `plat test --timeout` when not given: a case running longer than
/// this many seconds fails (docs/testing.md).
pub const DEFAULT_TIMEOUT_S: u64 = 60;

/// What `plat test` was asked (parsed in `main.rs`).
#[derive(Debug)]
pub struct TestArgs {
    pub target: Option<PathBuf>,
    pub filters: Vec<String>,
    pub serial: bool,
    pub schedules: Option<u64>,
    /// The per-case time limit in seconds; 0: none.
    pub timeout_s: u64,
}

/// What `plat bench` was asked (parsed in `main.rs`).
#[derive(Debug)]
pub struct BenchArgs {
    pub file: PathBuf,
    pub json: bool,
    pub time_ms: Option<u64>,
    pub filters: Vec<String>,
}

/// A private scratch folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(what: &str) -> Result<Scratch, String> {
        let dir = std::env::temp_dir().join(format!("plat-{what}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Builds `file` in `mode` into `dir`; the executable's path, or the exit
/// code to end with.
fn build(file: &Path, dir: &Path, options: &Options, mode: Mode) -> Result<PathBuf, u8> {
    let exe = dir.join(file.file_stem().unwrap_or_default());
    let options = Options {
        mode,
        ..options.clone()
    };
    match driver::build(file, &exe, &options) {
        Ok(()) => Ok(exe),
        Err(Failure::Diagnostics(_)) => Err(EXIT_FAILED),
        Err(Failure::Tool(m)) => {
            output::stderr_line(&format!("error: {m}"));
            Err(EXIT_USAGE)
        }
    }
}

/// Every `.plat` file under `dir` (sorted, skipping hidden folders and
/// `target`) with a `test` block.
fn files_with_tests(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    todo.push(p);
                }
            } else if name.ends_with(".plat") && has_test_block(&p) {
                found.push(p);
            }
        }
    }
    found.sort();
    found
}

fn has_test_block(file: &Path) -> bool {
    std::fs::read_to_string(file).is_ok_and(|text| {
        text.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("test ") && l.contains('{')
        })
    })
}

/// `plat test`: the exit code.
pub fn test(args: &TestArgs, options: &Options) -> u8 {
    let target = args.target.clone().unwrap_or_else(|| PathBuf::from("."));
    if !target.is_dir() {
        return match test_file(&target, args, options) {
            Ok(t) => u8::from(t.failed > 0) * EXIT_FAILED,
            Err(code) => code,
        };
    }
    let files: Vec<PathBuf> = files_with_tests(&target)
        .into_iter()
        .map(|f| f.strip_prefix(".").map(Path::to_path_buf).unwrap_or(f))
        .collect();
    if let [only] = files.as_slice() {
        return match test_file(only, args, options) {
            Ok(t) => u8::from(t.failed > 0) * EXIT_FAILED,
            Err(code) => code,
        };
    }
    if files.is_empty() {
        output::stderr_line(&format!(
            "error: no `.plat` file with a `test` block under {}",
            target.display()
        ));
        return EXIT_USAGE;
    }
    let mut total = Totals::default();
    let mut worst = 0u8;
    for f in &files {
        let _ = output::stdout(&format!("── {}\n", f.display()));
        match test_file(f, args, options) {
            Ok(t) => {
                total.passed += t.passed;
                total.failed += t.failed;
            }
            Err(code) => worst = worst.max(code),
        }
        let _ = output::stdout("\n");
    }
    let _ = output::stdout(&format!(
        "all files: {} tests, {} passed, {} failed\n",
        total.passed + total.failed,
        total.passed,
        total.failed
    ));
    if worst > 0 {
        worst
    } else {
        u8::from(total.failed > 0) * EXIT_FAILED
    }
}

#[derive(Default, Debug)]
struct Totals {
    passed: usize,
    failed: usize,
}

/// The report a runner writes (`PLAT_TEST_REPORT`): `(case, ok, first
/// failure line)` per case.
fn read_report(path: &Path) -> Option<Vec<(String, bool, String)>> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .filter_map(|l| {
                let mut parts = l.splitn(3, '\t');
                let name = parts.next()?.to_owned();
                let ok = parts.next()? == "ok";
                Some((name, ok, parts.next().unwrap_or("").to_owned()))
            })
            .collect(),
    )
}

fn runner_args(args: &TestArgs) -> Vec<String> {
    let mut v = Vec::new();
    for f in &args.filters {
        v.push("-f".to_owned());
        v.push(f.clone());
    }
    if args.serial {
        v.push("--serial".to_owned());
    }
    v.push("--timeout".to_owned());
    v.push(args.timeout_s.to_string());
    v
}

/// Explains a runner that ended other than with 0 or 1.
fn abnormal(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("the test runner was killed by signal {sig}");
        }
    }
    format!(
        "the test runner ended abnormally (exit code {})",
        status.code().unwrap_or(-1)
    )
}

fn test_file(file: &Path, args: &TestArgs, options: &Options) -> Result<Totals, u8> {
    let scratch = Scratch::new("test").map_err(|e| {
        output::stderr_line(&format!("error: {e}"));
        EXIT_USAGE
    })?;
    let exe = build(file, &scratch.0, options, Mode::Test)?;
    let report = scratch.0.join("report.tsv");
    let Some(n) = args.schedules else {
        let status = Command::new(&exe)
            .args(runner_args(args))
            .env("PLAT_TEST_REPORT", &report)
            .status()
            .map_err(|e| {
                output::stderr_line(&format!("error: cannot run {}: {e}", exe.display()));
                EXIT_USAGE
            })?;
        let Some(cases) = read_report(&report).filter(|_| matches!(status.code(), Some(0 | 1)))
        else {
            output::stderr_line(&format!("error: {}", abnormal(status)));
            return Err(EXIT_USAGE);
        };
        let failed = cases.iter().filter(|c| !c.1).count();
        return Ok(Totals {
            passed: cases.len() - failed,
            failed,
        });
    };
    explore(file, &exe, &report, n, args)
}

/// `--schedules n`: runs the runner under seeds `1..=n`.
fn explore(file: &Path, exe: &Path, report: &Path, n: u64, args: &TestArgs) -> Result<Totals, u8> {
    // Case -> failing seeds with their first failure line, in the order
    // the runner lists the cases.
    let mut order: Vec<String> = Vec::new();
    let mut failures: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
    for seed in 1..=n {
        let _ = std::fs::remove_file(report);
        let out = Command::new(exe)
            .args(runner_args(args))
            .env("PLAT_SEED", seed.to_string())
            .env("PLAT_TEST_REPORT", report)
            .output()
            .map_err(|e| {
                output::stderr_line(&format!("error: cannot run {}: {e}", exe.display()));
                EXIT_USAGE
            })?;
        let cases = read_report(report).filter(|_| matches!(out.status.code(), Some(0 | 1)));
        let Some(cases) = cases else {
            output::stderr_line(&format!(
                "error: under PLAT_SEED={seed}: {}\n{}",
                abnormal(out.status),
                String::from_utf8_lossy(&out.stderr)
            ));
            return Err(EXIT_USAGE);
        };
        for (name, ok, first) in cases {
            if !order.contains(&name) {
                order.push(name.clone());
            }
            if !ok {
                failures.entry(name).or_default().push((seed, first));
            }
        }
    }
    let shown_file = file.display().to_string();
    let timeout = match args.timeout_s {
        DEFAULT_TIMEOUT_S => String::new(),
        t => format!(" --timeout {t}"),
    };
    let mut text = String::new();
    let mut totals = Totals::default();
    for name in &order {
        let shown = name.replacen('.', "::", 1);
        match failures.get(name) {
            None => {
                totals.passed += 1;
                text.push_str(&format!("✓ {shown} ({n} schedules)\n"));
            }
            Some(seeds) => {
                totals.failed += 1;
                text.push_str(&format!(
                    "✗ {shown}: failed under {} of {n} schedules\n",
                    seeds.len()
                ));
                for (seed, first) in seeds {
                    text.push_str(&format!("    seed {seed}: {first}\n"));
                    text.push_str(&format!(
                        "      replay: PLAT_SEED={seed} plat test {shown_file} -f {name}{timeout}\n"
                    ));
                }
            }
        }
    }
    text.push_str(&format!(
        "\n{} tests, {} passed, {} failed ({n} schedules each)\n",
        totals.passed + totals.failed,
        totals.passed,
        totals.failed
    ));
    let _ = output::stdout(&text);
    Ok(totals)
}

/// `plat bench`: the exit code.
pub fn bench(args: &BenchArgs, options: &Options) -> u8 {
    // The runner's own options (runtime/src/bench.rs).
    let mut forwarded = Vec::new();
    if args.json {
        forwarded.push("--json".to_owned());
    }
    if let Some(ms) = args.time_ms {
        forwarded.push("--time-ms".to_owned());
        forwarded.push(ms.to_string());
    }
    for f in &args.filters {
        forwarded.push("-f".to_owned());
        forwarded.push(f.clone());
    }
    let file = &args.file;
    let scratch = match Scratch::new("bench") {
        Ok(s) => s,
        Err(e) => {
            output::stderr_line(&format!("error: {e}"));
            return EXIT_USAGE;
        }
    };
    let exe = match build(file, &scratch.0, options, Mode::Bench) {
        Ok(exe) => exe,
        Err(code) => return code,
    };
    match Command::new(&exe).args(&forwarded).status() {
        Ok(s) => s.code().map_or(EXIT_USAGE, |c| c as u8),
        Err(e) => {
            output::stderr_line(&format!("error: cannot run {}: {e}", exe.display()));
            EXIT_USAGE
        }
    }
}

/// `plat new NAME`: a folder `NAME` with a starter project that builds,
/// runs and tests as it stands.
pub fn new_project(name: &str) -> Result<(), String> {
    let dir = Path::new(name);
    let stem = dir
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem.is_empty() || stem.starts_with('.') || stem.starts_with('-') {
        return Err(format!("`{name}` is not a usable project name"));
    }
    if dir.exists() {
        return Err(format!("{name} already exists"));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {name}: {e}"))?;
    let files = [
        ("main.plat", MAIN_TEMPLATE.replace("@NAME@", &stem)),
        ("README.md", README_TEMPLATE.replace("@NAME@", &stem)),
    ];
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

const MAIN_TEMPLATE: &str = r#"// @NAME@: a Plat program. `plat run` runs it, `plat test` tests it.

fn greeting(name: String) -> String {
  return "Hello, ${name}!";
}

fn main() {
  print(value = greeting(name = "world"));
}

test greeting {
  fn test_greets_by_name() {
    assert(condition = greeting(name = "Plat") == "Hello, Plat!", message = "greets by name");
  }
}
"#;

const README_TEMPLATE: &str = "# @NAME@

A Plat program, started by `plat new`.

```sh
plat run          # build and run main.plat
plat build        # build ./main
plat test         # run the test blocks of every .plat file here
plat bench        # run the bench blocks of main.plat
```
";
