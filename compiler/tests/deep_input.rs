//! Regression (issue 7, item 4): the compiler overflowed its own stack
//! (abort, exit 134) on a sum of 3,000 terms, 4,000 nested blocks and
//! 5,000 nested `if`, `[` or `not`. Deep input is compiled; input deeper
//! than the limits of `syntax/limits.rs` gets a diagnostic (E0901, or
//! E0902 for a type too large), never a crash.
//!
//! The programs are generated; each case runs `plat check` or `plat build`
//! plus the program, within the usual time of a few seconds each (the
//! unoptimised compiler's parser uses about 100 KiB of stack per level).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PLAT: &str = env!("CARGO_BIN_EXE_plat");

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("deep_input");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

/// `fn main() { BODY }` written to `NAME.plat`.
fn program(name: &str, body: &str) -> PathBuf {
    let path = scratch(&format!("{name}.plat"));
    std::fs::write(&path, format!("fn main() {{\n{body}\n}}\n")).expect("write the program");
    path
}

fn plat(args: &[&str]) -> Output {
    Command::new(PLAT).args(args).output().expect("run plat")
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Builds and runs the program; returns its stdout.
fn build_and_run(name: &str, body: &str) -> String {
    let src = program(name, body);
    let exe = scratch(name);
    let built = plat(&[
        "build",
        src.to_str().expect("utf-8"),
        "-o",
        exe.to_str().expect("utf-8"),
    ]);
    assert!(
        built.status.success(),
        "{name}: build failed\n{}",
        describe(&built)
    );
    let ran = Command::new(&exe).output().expect("run the program");
    assert!(
        ran.status.success(),
        "{name}: the program failed\n{}",
        describe(&ran)
    );
    String::from_utf8_lossy(&ran.stdout).into_owned()
}

/// `plat check` accepts the program.
fn check_ok(name: &str, body: &str) {
    let src = program(name, body);
    let out = plat(&["check", src.to_str().expect("utf-8")]);
    assert!(
        out.status.success(),
        "{name}: check failed\n{}",
        describe(&out)
    );
}

/// `plat check` rejects the program with exactly one diagnostic, `code`.
fn check_rejects(name: &str, body: &str, code: &str) {
    let src = program(name, body);
    let out = plat(&[
        "check",
        "--diagnostic-format=short",
        src.to_str().expect("utf-8"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{name}: {}", describe(&out));
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{name}: one diagnostic expected\n{stderr}");
    assert!(
        lines[0].contains(&format!("error[{code}]")),
        "{name}: {stderr}"
    );
}

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

#[test]
fn a_3000_term_sum_compiles_and_runs() {
    let sum = vec!["1"; 3000].join(" + ");
    let out = build_and_run(
        "sum3000",
        &format!("let x: Int32 = {sum};\nprint(value = x);"),
    );
    assert_eq!(out, "3000\n");
    // Comparisons and `and` chains too.
    let ands = vec!["x > 0"; 3000].join(" and ");
    let out = build_and_run(
        "and3000",
        &format!("let x: Int32 = 2;\nlet b: Bool = {ands};\nprint(value = b);"),
    );
    assert_eq!(out, "true\n");
}

#[test]
fn deep_nesting_compiles() {
    let blocks = nested("{ ", "print(value = 1);", " }", 4000);
    assert_eq!(build_and_run("blocks4000", &blocks), "1\n");
    let ifs = nested("if (c) { ", "print(value = 2);", " }", 5000);
    assert_eq!(
        build_and_run("ifs5000", &format!("let c: Bool = true;\n{ifs}")),
        "2\n"
    );
    let nots = format!(
        "let b: Bool = {}true;\nprint(value = b);",
        "not ".repeat(5000)
    );
    assert_eq!(build_and_run("nots5000", &nots), "true\n");
    let parens = format!(
        "let x: Int32 = {};\nprint(value = x);",
        nested("(", "3", ")", 5000)
    );
    check_ok("parens5000", &parens);
    let chain: Vec<String> = (0..3000)
        .map(|i| format!("if (n == {i}) {{ print(value = {i}); }}"))
        .collect();
    let chain = format!("let n: Int32 = 2999;\n{}", chain.join(" else "));
    assert_eq!(build_and_run("elseif3000", &chain), "2999\n");
    // Lists nest as deep as their type may (1,000 parts).
    let lists = format!(
        "let x: Int32 = {}.len();\nprint(value = x);",
        nested("[", "1", "]", 900)
    );
    assert_eq!(build_and_run("lists900", &lists), "1\n");
}

#[test]
fn input_beyond_the_limits_is_a_diagnostic() {
    // Delimiters, found before parsing.
    let parens = format!("let x: Int32 = {};", nested("(", "3", ")", 10_001));
    check_rejects("parens10001", &parens, "E0901");
    let mut interp = String::from("\"x\"");
    for _ in 0..10_001 {
        interp = format!("\"${{{interp}}}\"");
    }
    check_rejects("interp10001", &format!("print(value = {interp});"), "E0901");
    // Nesting without delimiters, found in the tree.
    let nots = format!("let b: Bool = {}true;", "not ".repeat(12_000));
    check_rejects("nots12000", &nots, "E0901");
    let fn_type = format!("let f: {}Int32 = 1;", "Fn() -> ".repeat(12_000));
    check_rejects("fn_type12000", &fn_type, "E0901");
    let chain: Vec<String> = (0..10_001)
        .map(|i| format!("if (n == {i}) {{ }}"))
        .collect();
    let chain = format!("let n: Int32 = 1;\n{}", chain.join(" else "));
    check_rejects("elseif10001", &chain, "E0901");
    // Types: at most 1,000 parts.
    let lists = format!("let x: Int32 = {}.len();", nested("[", "1", "]", 5000));
    check_rejects("lists5000", &lists, "E0902");
}

#[test]
fn a_chain_longer_than_the_depth_limit_is_a_diagnostic() {
    let sum = vec!["1"; 100_001].join("+");
    check_rejects("sum100001", &format!("let x: Int32 = {sum};"), "E0901");
}
