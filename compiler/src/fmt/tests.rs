//! Golden tests: every `tests/fmt/NAME.plat` formats to `NAME.formatted`
//! (`BLESS=1` rewrites those), and formatting that output changes nothing.

use std::path::PathBuf;

use super::format_source;
use crate::source::FileId;

fn fmt_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fmt")
}

fn format(text: &str) -> String {
    match format_source(FileId(0), text) {
        Ok(out) => out,
        Err(e) => panic!("formatting failed: {e:?}"),
    }
}

#[test]
fn golden_files_format_as_expected_and_stay_put() {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(fmt_dir())
        .expect("tests/fmt exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "plat"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 10, "the golden files are missing");
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for input in &inputs {
        let text = std::fs::read_to_string(input).expect("readable input");
        let expected_path = input.with_extension("formatted");
        let out = format(&text);
        if bless {
            std::fs::write(&expected_path, &out).expect("writable golden file");
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if out != expected {
            failures.push(format!(
                "{}: EXPECTED\n{expected}\nFOUND\n{out}",
                input.display()
            ));
        }
        let again = format(&out);
        if again != out {
            failures.push(format!(
                "{}: not idempotent; SECOND PASS\n{again}",
                input.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_file_that_does_not_parse_is_an_error() {
    assert!(matches!(
        format_source(FileId(0), "fn main( {"),
        Err(super::FmtError::Syntax(_))
    ));
}

#[test]
fn an_empty_file_stays_empty() {
    assert_eq!(format(""), "");
    assert_eq!(format("\n\n"), "");
}

#[test]
fn a_file_of_comments_keeps_them() {
    assert_eq!(format("// a\n\n\n/* b */   \n"), "// a\n\n/* b */\n");
}
