//! The `plat` command line itself: help, version, usage errors (exit 2,
//! naming what was wrong), a missing file, and `plat run FILE -- ARGS`
//! passing the arguments on verbatim.

use std::process::{Command, Output};

mod support;
use support::{Scratch, PLAT};

fn plat(args: &[&str]) -> Output {
    Command::new(PLAT)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("plat runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn ensure_that_help_lists_every_command() {
    for args in [&["--help"][..], &["-h"], &["help"], &[]] {
        let o = plat(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains("Usage: plat [COMMAND]"), "{args:?}: {out}");
        for command in ["build", "run", "check", "test", "bench", "new", "fmt"] {
            assert!(
                out.lines()
                    .any(|l| l.trim_start().starts_with(&format!("{command} "))),
                "{args:?}: no `{command}` in\n{out}"
            );
        }
    }
}

#[test]
fn ensure_that_each_command_has_its_own_help() {
    let o = plat(&["test", "--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Usage: plat test [OPTIONS] [FILE|DIR]"),
        "{out}"
    );
    for flag in [
        "--filter <PATTERN>",
        "--serial",
        "--schedules <N>",
        "--timeout <SECONDS>",
        "[default: 60]",
        "--diagnostic-format <FORMAT>",
    ] {
        assert!(out.contains(flag), "no `{flag}` in\n{out}");
    }
    let o = plat(&["help", "build"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Usage: plat build [OPTIONS] [FILE]"));
    assert!(stdout(&o).contains("--emit <STAGE>"));
}

#[test]
fn ensure_that_version_prints_the_compiler_version() {
    let o = plat(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), format!("plat {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn ensure_that_bad_usage_exits_2_naming_the_culprit() {
    let cases: [(&[&str], &str); 7] = [
        (&["build", "--frobnicate", "x.plat"], "'--frobnicate'"),
        (&["test", "--serial", "--nope"], "'--nope'"),
        (&["frob"], "unrecognized subcommand 'frob'"),
        (&["build", "--emit=llvm", "x.plat"], "invalid value 'llvm'"),
        (
            &["test", "--schedules", "0"],
            "--schedules needs a positive number",
        ),
        (&["run", "a.plat", "b.plat"], "unexpected argument 'b.plat'"),
        (
            &["test", "--timeout", "soon"],
            "invalid value 'soon' for '--timeout",
        ),
    ];
    for (args, says) in cases {
        let o = plat(args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: want `{says}` in\n{err}");
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
    let o = plat(&["fmt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("<FILE|DIR>"), "{}", stderr(&o));
}

#[test]
fn ensure_that_a_missing_file_is_a_clear_error() {
    let scratch = Scratch::new("missing");
    let missing = scratch.0.join("nowhere.plat");
    let missing = missing.to_str().expect("utf-8 path");
    for command in ["check", "build", "run"] {
        let o = plat(&[command, missing]);
        assert_eq!(o.status.code(), Some(2), "{command}");
        assert!(
            stderr(&o).starts_with(&format!("error: cannot read {missing}: ")),
            "{command}: {}",
            stderr(&o)
        );
    }
    // Without FILE: ./main.plat.
    let o = Command::new(PLAT)
        .arg("check")
        .current_dir(&scratch.0)
        .output()
        .expect("plat runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error: cannot read main.plat: "));
}

#[test]
fn ensure_that_run_passes_the_arguments_after_the_separator_verbatim() {
    let scratch = Scratch::new("args");
    let file = scratch.0.join("echo.plat");
    std::fs::write(
        &file,
        "fn main() -> Int32 {\n  let lines: List[String] = process_args().split(delimiter = \"\\n\");\n  for (arg: String in lines.slice(start = 1, end = lines.length())) {\n    print(value = \"[${arg}]\");\n  }\n  return 3;\n}\n",
    )
    .expect("write");
    let file = file.to_str().expect("utf-8 path");
    let o = plat(&[
        "run",
        file,
        "--diagnostic-format=short",
        "--",
        "-x",
        "--emit=ast",
        "--",
        "two words",
        "-o",
    ]);
    assert_eq!(
        stdout(&o),
        "[-x]\n[--emit=ast]\n[--]\n[two words]\n[-o]\n",
        "{}",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(3), "the program's exit code");
}

#[test]
fn ensure_that_the_human_format_renders_the_first_hundred_errors() {
    // Found by tools/frontfuzz: 20,000 stray `$` on one 80 KB line were
    // 20,000 renderings of that line (gigabytes of output).
    let scratch = Scratch::new("many_errors");
    let file = scratch.0.join("many.plat");
    let line = "$ x ".repeat(150);
    std::fs::write(&file, format!("fn main() {{\n  {line}\n}}\n")).expect("write");
    let file = file.to_str().expect("utf-8 path");
    let o = plat(&["check", file]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    // 150 stray `$` and the parse error they leave.
    assert_eq!(err.matches("] Error: ").count(), 100, "{err}");
    assert!(
        err.ends_with(
            "error: 51 more errors not shown (the first 100 are; \
             --diagnostic-format=short lists every one)\n"
        ),
        "{err}"
    );
    let o = plat(&["check", file, "--diagnostic-format=short"]);
    assert_eq!(stderr(&o).matches(": error[E0").count(), 151);

    // Found by tools/frontfuzz: a hundred renderings of a 200 KB line were
    // 20 MB of output. Rendered diagnostics show at most 64 KB of source
    // lines in all (the first always).
    let line = "$ x ".repeat(50_000);
    std::fs::write(file, format!("fn main() {{\n  {line}\n}}\n")).expect("write");
    let o = plat(&["check", file]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.matches("] Error: ").count(), 1);
    assert!(
        err.ends_with(
            "error: 50000 more errors not shown (the first is; \
             --diagnostic-format=short lists every one)\n"
        ),
        "{}",
        &err[err.len().saturating_sub(300)..]
    );
}
