//! MIR golden tests: `tests/mir/NAME.plat` lowered with `plat check
//! --emit=mir-unopt` must print exactly `tests/mir/NAME.mir` (the MIR on
//! stdout, then any diagnostics in short form; `BLESS=1` rewrites the
//! files). The optimisation passes' tests, `opt_NAME.plat`, are
//! before/after pairs: `opt_NAME.unopt.mir` as lowered, `opt_NAME.mir`
//! after `mir::opt::optimise` (`--emit=mir`).
//!
//! Also: the front end reports the monomorphisation limits, so `plat
//! check` and `plat build` give the same diagnostic for them.

mod support;

use std::path::Path;
use std::process::Command;

use support::PLAT;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(PLAT)
        .current_dir(root())
        .args(args)
        .output()
        .expect("run plat");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The expected files of `tests/mir/NAME.plat`, each with the `--emit`
/// stage it holds: `NAME.mir` the MIR as lowered; for an optimisation
/// test (`opt_*`), `NAME.unopt.mir` as lowered and `NAME.mir` after the
/// passes (`mir::opt`), the before/after pair.
fn expectations(name: &str) -> Vec<(String, &'static str)> {
    if name.starts_with("opt_") {
        vec![
            (format!("{name}.unopt.mir"), "--emit=mir-unopt"),
            (format!("{name}.mir"), "--emit=mir"),
        ]
    } else {
        vec![(format!("{name}.mir"), "--emit=mir-unopt")]
    }
}

#[test]
fn mir_golden() {
    let dir = root().join("tests/mir");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/mir")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".plat").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 5, "the MIR tests are missing: {names:?}");
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for name in &names {
        let file = format!("tests/mir/{name}.plat");
        for (expected_name, emit) in expectations(name) {
            let (_, stdout, stderr) = run(&["check", &file, emit, "--diagnostic-format=short"]);
            let found = format!("{stdout}{stderr}");
            let expected_path = dir.join(&expected_name);
            if bless {
                std::fs::write(&expected_path, &found).expect("write .mir");
                continue;
            }
            let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
            if expected != found {
                failures.push(format!(
                    "--- {expected_name} ({emit}): EXPECTED\n{expected}\n--- FOUND\n{found}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The limits of monomorphisation are front-end errors: `plat check`
/// reports them, with the same rendering as `plat build`.
#[test]
fn check_and_build_report_the_same_instance_limits() {
    for name in ["polymorphic_recursion", "instance_explosion"] {
        let file = format!("tests/fail/generics/{name}.plat");
        let (ok, _, checked) = run(&["check", &file]);
        assert!(!ok, "plat check accepted {file}");
        let exe = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mir-{name}"));
        let (ok, _, built) = run(&["build", &file, "-o", exe.to_str().expect("utf-8 path")]);
        assert!(!ok, "plat build accepted {file}");
        assert_eq!(checked, built, "{file}: plat check and plat build differ");
        assert!(
            checked.contains("E0223") || checked.contains("E0903"),
            "{file}: {checked}"
        );
    }
}

/// The text of function `name` in printed MIR (up to the next function).
fn function_text<'a>(mir: &'a str, name: &str) -> &'a str {
    let head = format!("\nfn {name}(");
    let start = mir
        .find(&head)
        .unwrap_or_else(|| panic!("no `fn {name}` in:\n{mir}"));
    let rest = &mir[start + 1..];
    let end = rest.find("\n}\n").map_or(rest.len(), |e| e + 3);
    &rest[..end]
}

/// The inliner respects recursion: a self-recursive function is unrolled
/// two levels deep (the innermost copy's calls stay calls), and functions calling each other
/// in a cycle, of two or three, are never inlined into one another.
#[test]
fn inlining_respects_recursion() {
    let scratch = support::Scratch::new("mir-recursion");
    let file = scratch.0.join("recursion.plat");
    std::fs::write(
        &file,
        "fn fact(n: Int64) -> Int64 {\n  if (n < 2) { return 1; }\n  return n * fact(n = n - 1);\n}\n\
         fn a(n: Int64) -> Int64 {\n  if (n <= 0) { return 0; }\n  return b(n = n - 1) + 1;\n}\n\
         fn b(n: Int64) -> Int64 {\n  return c(n = n) * 1;\n}\n\
         fn c(n: Int64) -> Int64 {\n  return a(n = n);\n}\n\
         fn main() {\n  print(value = fact(n = 10) + a(n = 5));\n}\n",
    )
    .expect("write");
    let (ok, mir, stderr) = run(&["check", file.to_str().expect("utf-8"), "--emit=mir"]);
    assert!(ok, "{stderr}");
    let fact = function_text(&mir, "fact");
    assert_eq!(
        fact.matches("inlined fact").count(),
        2,
        "a copy in a copy:\n{fact}"
    );
    assert_eq!(
        fact.matches("fact(").count(),
        2,
        "one call left in the inner copy:\n{fact}"
    );
    for (f, others) in [("a", ["b", "c"]), ("b", ["a", "c"]), ("c", ["a", "b"])] {
        let text = function_text(&mir, f);
        for g in others.iter().chain([&f]) {
            assert!(
                !text.contains(&format!("inlined {g} ")),
                "`{g}` inlined into `{f}` of its cycle:\n{text}"
            );
        }
    }
}

/// Inlining bounds code growth: on a generated 5,000-line program the
/// optimised MIR stays under 3x the lowered one, and the program still
/// prints what it should.
#[test]
fn inlining_bounds_growth_on_a_generated_program() {
    let scratch = support::Scratch::new("mir-growth");
    let src = scratch.0.join("large.plat");
    let expected = scratch.0.join("large.out");
    let status = Command::new("python3")
        .current_dir(root())
        .args(["bench/gen_large.py", "--lines", "5000", "-o"])
        .arg(&src)
        .arg("--expected")
        .arg(&expected)
        .status()
        .expect("run python3 bench/gen_large.py");
    assert!(status.success());
    let src_arg = src.to_str().expect("utf-8 path");
    let (ok, lowered, stderr) = run(&["check", src_arg, "--emit=mir-unopt"]);
    assert!(ok, "{stderr}");
    let (ok, optimised, stderr) = run(&["check", src_arg, "--emit=mir"]);
    assert!(ok, "{stderr}");
    assert!(
        optimised.len() < 3 * lowered.len(),
        "MIR grew from {} to {} bytes",
        lowered.len(),
        optimised.len()
    );
    assert_ne!(optimised, lowered, "the passes changed nothing");
    let exe = scratch.0.join("large");
    let (ok, _, stderr) = run(&["build", src_arg, "-o", exe.to_str().expect("utf-8 path")]);
    assert!(ok, "{stderr}");
    let out = Command::new(&exe)
        .output()
        .expect("run the generated program");
    assert!(out.status.success());
    let want = std::fs::read_to_string(&expected).expect("expected output");
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
}
