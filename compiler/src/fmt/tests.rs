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

/// Formats, then checks the second pass changes nothing.
fn stable(text: &str) -> String {
    let out = format(text);
    assert_eq!(
        format(&out),
        out,
        "not idempotent on:\n{text}\nFIRST:\n{out}"
    );
    out
}

#[test]
fn crlf_line_ends_become_lf_and_strings_stay_byte_for_byte() {
    let out = stable("fn main() {\r\n  // c\r\n  let s: String = \"a\r\nb\";\r\n}\r\n");
    assert_eq!(
        out,
        "fn main() {\n  // c\n  let s: String = \"a\r\nb\";\n}\n"
    );
}

#[test]
fn comments_in_odd_places_are_kept_and_stable() {
    // Between every pair of tokens of a small program, in turn, a block
    // comment and a line comment.
    for program in [FN_TOKENS, ITEM_TOKENS] {
        let tokens: Vec<&str> = program.split_whitespace().collect();
        each_gap_with_a_comment(&tokens);
    }
}

/// A function with a generic, a default, a match, an `if`, an index...
const FN_TOKENS: &str =
    "fn f < T > ( a : List [ T ] , b : Int32 = 1 ) -> Int32 { let x : Int32 = match o { \
     Option :: Some ( v : Int32 ) -> v , _ -> - 1 } ; if ( x > 0 ) { return g ( k = x ) ; } \
     else { x = [ x ] [ 0 ] ? ; } return x ; }";

/// Classes, enums, closures, `spawn`, `select`, `race`, `concurrent`.
const ITEM_TOKENS: &str =
    "use std :: io ; pub class A : B { pub var x : Int32 ; init ( x : Int32 ) { self . x = x \
     ; } } enum E { V ( Int32 ) , W } test t { fn test_a ( ) { let f = fn ( ) { return ; } ; \
     concurrent { spawn { work ( ) ; } ; } select { default -> { } } let r = race { spawn { } \
     } ; let d = { k : Set { 1 } } ; } }";

fn each_gap_with_a_comment(tokens: &[&str]) {
    for i in 1..tokens.len() {
        for comment in ["/* c */", "// c\n", "\n// c\n", "\n\n/* c */\n"] {
            let mut text = String::new();
            for (j, tok) in tokens.iter().enumerate() {
                if j == i {
                    text.push_str(comment);
                    text.push(' ');
                }
                text.push_str(tok);
                text.push(' ');
            }
            let out = stable(&text);
            assert!(out.contains(comment.trim()), "lost the comment:\n{out}");
        }
    }
}

#[test]
fn long_operator_chains_and_deep_nesting_format() {
    // The compiler's big stack, as `plat` itself runs (the parser needs it).
    crate::stack::run(long_and_deep);
}

fn long_and_deep() {
    let sum = (0..5000)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(" + ");
    let out = stable(&format!("fn f() -> Int32 {{ return {sum}; }}"));
    assert!(out.contains("4998 + 4999;"));
    let deep = format!(
        "fn f() {{ {}print(value = 1);{} }}",
        "if (true) { ".repeat(200),
        " }".repeat(200)
    );
    let out = stable(&deep);
    assert_eq!(out.lines().count(), 403);
}
