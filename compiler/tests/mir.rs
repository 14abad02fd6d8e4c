//! MIR golden tests: `tests/mir/NAME.plat` lowered with `plat check
//! --emit=mir` must print exactly `tests/mir/NAME.mir` (the MIR on stdout,
//! then any diagnostics in short form; `BLESS=1` rewrites the files). The
//! optimisation passes add their before/after pairs here: for
//! `opt_NAME.plat`, `opt_NAME.before.mir` is the MIR before the passes
//! (`--emit=mir-unopt`).
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
    // An optimisation pass's test (`opt_NAME`) shows the MIR before the
    // passes too, in `opt_NAME.before.mir` (`--emit=mir-unopt`).
    let cases = names.iter().flat_map(|name| {
        let after = (name.clone(), "--emit=mir", format!("{name}.mir"));
        let before = (
            name.clone(),
            "--emit=mir-unopt",
            format!("{name}.before.mir"),
        );
        let both = name.starts_with("opt_");
        std::iter::once(after).chain(both.then_some(before))
    });
    for (name, emit, out) in cases {
        let file = format!("tests/mir/{name}.plat");
        let (_, stdout, stderr) = run(&["check", &file, emit, "--diagnostic-format=short"]);
        let found = format!("{stdout}{stderr}");
        let expected_path = dir.join(&out);
        if bless {
            std::fs::write(&expected_path, &found).expect("write .mir");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != found {
            failures.push(format!(
                "--- {out}: EXPECTED\n{expected}\n--- FOUND\n{found}"
            ));
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
