//! `plat fmt` over the whole corpus: every program of tests/run,
//! tests/fail (those that parse), examples/, stdlib/ and bench/programs/.
//!
//! * Formatting is idempotent: formatting the output again changes nothing.
//! * The output parses to the same tree as the original (spans aside).
//! * The output has the same comments, in the same order.
//! * For every example and a fixed sample of tests/run, the formatted
//!   program builds and prints exactly the expected output (the `.out`
//!   file), with the same exit code.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use platc::fmt::{format_source, tree_shape, FmtError};
use platc::source::FileId;
use platc::syntax::parse_file;

const PLAT: &str = env!("CARGO_BIN_EXE_plat");

/// Programs of tests/run built and run after formatting (plus every
/// example).
const RUN_SAMPLE: usize = 31;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("compiler/ lives in the workspace")
        .to_path_buf()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|x| x == "plat") {
            out.push(path);
        }
    }
}

fn corpus(dirs: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in dirs {
        collect(&root().join(dir), &mut files);
    }
    files
}

/// Checks one file; `Ok(None)` when it does not parse (a compile-fail
/// test), else its formatted text.
fn check_file(path: &Path) -> Result<Option<String>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let out = match format_source(FileId(0), &text) {
        Ok(out) => out,
        Err(FmtError::Syntax(_)) => return Ok(None),
        Err(FmtError::Internal(why)) => return Err(why),
    };
    let (original, _) = parse_file(FileId(0), &text);
    let (formatted, diags) = parse_file(FileId(0), &out);
    if !diags.is_empty() {
        return Err(format!("the output does not parse:\n{out}"));
    }
    if tree_shape(&original) != tree_shape(&formatted) {
        return Err(format!("the output is a different program:\n{out}"));
    }
    let again = format_source(FileId(0), &out).map_err(|e| format!("{e:?}"))?;
    if again != out {
        return Err(format!("not idempotent; FIRST\n{out}\nSECOND\n{again}"));
    }
    Ok(Some(out))
}

/// Runs `f` on every item with two threads; the failures, in order.
fn in_parallel<T: Sync>(items: &[T], f: impl Fn(&T) -> Option<String> + Sync) -> Vec<String> {
    let failures = Mutex::new(Vec::new());
    let next = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().expect("no panics while locked");
                    *n += 1;
                    *n - 1
                };
                let Some(item) = items.get(i) else { break };
                if let Some(failure) = f(item) {
                    failures
                        .lock()
                        .expect("no panics while locked")
                        .push((i, failure));
                }
            });
        }
    });
    let mut failures = failures.into_inner().expect("no panics while locked");
    failures.sort();
    failures.into_iter().map(|(_, f)| f).collect()
}

#[test]
fn formatting_the_corpus_keeps_every_program_and_is_idempotent() {
    let files = corpus(&[
        "tests/run",
        "tests/fail",
        "examples",
        "stdlib",
        "bench/programs",
    ]);
    assert!(
        files.len() > 400,
        "the corpus is missing ({} files)",
        files.len()
    );
    let formatted = Mutex::new(0usize);
    let failures = in_parallel(&files, |path| match check_file(path) {
        Ok(Some(_)) => {
            *formatted.lock().expect("no panics while locked") += 1;
            None
        }
        Ok(None) => None,
        Err(why) => Some(format!("{}: {why}", path.display())),
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let formatted = formatted.into_inner().expect("no panics while locked");
    // Every file but the compile-fail ones with syntax errors.
    assert!(formatted > 500, "only {formatted} files formatted");
}

/// The header directives a sampled program may use.
struct Header {
    args: Vec<String>,
    env: Vec<(String, String)>,
    exit_code: i32,
}

fn header(text: &str) -> Header {
    let mut h = Header {
        args: Vec::new(),
        env: Vec::new(),
        exit_code: 0,
    };
    let root = root().to_string_lossy().into_owned();
    for line in text.lines() {
        let Some(body) = line.trim().strip_prefix("//") else {
            break;
        };
        let Some((key, value)) = body.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "args" => {
                h.args = value
                    .split_whitespace()
                    .map(|a| a.replace("{root}", &root))
                    .collect();
            }
            "env" => {
                if let Some((k, v)) = value.split_once('=') {
                    h.env.push((k.trim().to_string(), v.to_string()));
                }
            }
            "exit-code" => h.exit_code = value.parse().unwrap_or(0),
            _ => {}
        }
    }
    h
}

/// Programs that build from a lone copy: no user module imports.
fn standalone(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("use "))
        .all(|l| l.starts_with("use std::"))
}

/// Formats `path`, builds the copy in a scratch folder, runs it there and
/// compares its stdout and exit code with the original's expectations.
fn build_and_run(path: &Path, scratch_root: &Path) -> Option<String> {
    let fail = |why: String| Some(format!("{}: {why}", path.display()));
    let text = fs::read_to_string(path).ok()?;
    let out = match check_file(path) {
        Ok(Some(out)) => out,
        Ok(None) => return fail("does not parse".into()),
        Err(why) => return fail(why),
    };
    let name = path.file_name()?.to_string_lossy().into_owned();
    let rel = path.strip_prefix(root()).unwrap_or(path);
    let scratch = scratch_root.join(rel.to_string_lossy().replace(['/', '.'], "_"));
    if let Err(e) = fs::create_dir_all(&scratch) {
        return fail(format!("cannot create {}: {e}", scratch.display()));
    }
    let copy = scratch.join(&name);
    let exe = scratch.join("exe");
    if let Err(e) = fs::write(&copy, &out) {
        return fail(format!("cannot write {}: {e}", copy.display()));
    }
    let build = Command::new(PLAT)
        .args([
            "build",
            &copy.to_string_lossy(),
            "-o",
            &exe.to_string_lossy(),
        ])
        .env("NO_COLOR", "1")
        .output();
    match build {
        Ok(b) if b.status.success() => {}
        Ok(b) => {
            return fail(format!(
                "the formatted program does not build:\n{}{}",
                String::from_utf8_lossy(&b.stdout),
                String::from_utf8_lossy(&b.stderr)
            ))
        }
        Err(e) => return fail(format!("cannot run plat: {e}")),
    }
    let h = header(&text);
    let run = Command::new(&exe)
        .args(&h.args)
        .envs(h.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&scratch)
        .stdin(Stdio::null())
        .output();
    let run = match run {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot run the program: {e}")),
    };
    let expected = fs::read_to_string(path.with_extension("out")).unwrap_or_default();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let code = run.status.code().unwrap_or(-1);
    if stdout != expected || code != h.exit_code {
        return fail(format!(
            "the formatted program behaves differently (exit {code}, expected {}):\n\
             EXPECTED\n{expected}\nFOUND\n{stdout}",
            h.exit_code
        ));
    }
    None
}

#[test]
fn formatted_programs_print_the_same() {
    let mut programs = corpus(&["examples"]);
    let runs: Vec<PathBuf> = corpus(&["tests/run"])
        .into_iter()
        .filter(|p| fs::read_to_string(p).is_ok_and(|t| standalone(&t)))
        .collect();
    let step = (runs.len() / RUN_SAMPLE).max(1);
    programs.extend(runs.into_iter().step_by(step).take(RUN_SAMPLE));
    assert!(programs.len() >= 35, "too few programs: {}", programs.len());

    let scratch = std::env::temp_dir().join(format!("plat-fmt-corpus-{}", std::process::id()));
    let failures = in_parallel(&programs, |p| build_and_run(p, &scratch));
    let _ = fs::remove_dir_all(&scratch);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_fmt_command_rewrites_checks_and_leaves_broken_files_alone() {
    let dir = std::env::temp_dir().join(format!("plat-fmt-cli-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("scratch folder");
    let messy = dir.join("messy.plat");
    let tidy = dir.join("tidy.plat");
    let broken = dir.join("broken.plat");
    let messy_text = "fn main( ) {print(value=1+2) ;}\n";
    let tidy_text = "fn main() {\n  print(value = 1 + 2);\n}\n";
    let broken_text = "fn main( {\n";
    fs::write(&messy, messy_text).expect("write");
    fs::write(&tidy, tidy_text).expect("write");
    fs::write(&broken, broken_text).expect("write");
    let fmt = |args: &[&Path], check: bool| {
        let mut cmd = Command::new(PLAT);
        cmd.arg("fmt").env("NO_COLOR", "1");
        if check {
            cmd.arg("--check");
        }
        let out = cmd.args(args).output().expect("plat runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };

    // --check lists the file that would change and writes nothing.
    let (code, out) = fmt(&[&messy, &tidy], true);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("messy.plat") && !out.contains("tidy.plat"),
        "{out}"
    );
    assert_eq!(fs::read_to_string(&messy).expect("read"), messy_text);

    // A file that does not parse is reported and left as it is.
    let (code, out) = fmt(&[&broken], false);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("E0"), "no diagnostic: {out}");
    assert_eq!(fs::read_to_string(&broken).expect("read"), broken_text);

    // Formatting rewrites in place; then --check is happy.
    let (code, out) = fmt(&[&messy, &tidy], false);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(fs::read_to_string(&messy).expect("read"), tidy_text);
    assert_eq!(fmt(&[&messy, &tidy], true).0, Some(0));

    // No file: bad usage.
    assert_eq!(fmt(&[], false).0, Some(2));
    let _ = fs::remove_dir_all(&dir);
}
