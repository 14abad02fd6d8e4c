//! The dumps: content on a small program, and size linear in the input on
//! shapes that used to blow up (issue 7, item 14: `--emit=ast` of an
//! 800-term sum took 34 s and wrote 33 MB).

use crate::check;
use crate::modules::SourceModule;
use crate::source::{FileId, Span};
use crate::syntax::parse_file;

fn ast_dump(src: &str) -> String {
    crate::stack::run(|| ast_dump_here(src))
}

fn hir_dump(src: &str) -> String {
    crate::stack::run(|| hir_dump_here(src))
}

fn ast_dump_here(src: &str) -> String {
    let (module, diags) = parse_file(FileId(0), src);
    assert!(diags.is_empty(), "{diags:#?}");
    super::ast_module(&module)
}

fn hir_dump_here(src: &str) -> String {
    let (module, diags) = parse_file(FileId(0), src);
    assert!(diags.is_empty(), "{diags:#?}");
    let modules = [SourceModule {
        path: Vec::new(),
        ast: module,
    }];
    let (program, diags) = check::check(&modules, Span::new(FileId(0), 0, 0));
    assert!(diags.is_empty(), "{diags:#?}");
    super::hir_program(&program.expect("no errors, so a program"))
}

fn sum(terms: usize) -> String {
    let terms = vec!["1"; terms].join(" + ");
    format!("fn main() {{ let x: Int32 = {terms}; print(value = x); }}\n")
}

fn nested_ifs(depth: usize) -> String {
    format!(
        "fn main() {{ let c: Bool = true; {} print(value = 1); {} }}\n",
        "if (c) { ".repeat(depth),
        "} ".repeat(depth)
    )
}

#[test]
fn ast_dump_shows_the_tree() {
    let d = ast_dump("fn main() { let a: Int32 = 1 + 2 * 3 - 4; print(value = a); }");
    assert!(d.contains("(let a Int32 (- (+ 1 (* 2 3)) 4))"), "{d}");
    assert!(d.contains("(call print value=a)"), "{d}");
}

#[test]
fn hir_dump_shows_types_and_locals() {
    let d = hir_dump("fn main() { let a: Int32 = 1 + 2; let s: String = \"${a}\"; }");
    assert!(d.contains("(locals (a%0 Int32) (s%1 String))"), "{d}");
    assert!(d.contains("(let a%0 (+ 1 2 : Int32))"), "{d}");
    assert!(d.contains("(interp a%0)"), "{d}");
}

#[test]
fn long_types_are_printed_once() {
    let deep = format!("{}Int32{}", "List[".repeat(30), "]".repeat(30));
    let src = format!("fn main() {{ let a: {deep} = []; let b: {deep} = a; let c: {deep} = b; }}");
    let d = hir_dump(&src);
    assert!(!d.contains(&deep), "the long type is spelled out:\n{d}");
    assert!(d.contains("(types"), "{d}");
}

/// The dumps of `small` and `large` (the same shape, `scale` times
/// bigger) grow at most linearly.
fn assert_linear(dump: impl Fn(&str) -> String, small: &str, large: &str, scale: usize) {
    let (a, b) = (dump(small).len(), dump(large).len());
    assert!(
        b <= a * scale * 2,
        "dump grew from {a} to {b} bytes for an input {scale} times larger"
    );
    assert!(
        b <= large.len() * 40,
        "dump of {b} bytes for {} bytes of input",
        large.len()
    );
}

#[test]
fn dumps_of_long_sums_are_linear() {
    assert_linear(ast_dump, &sum(100), &sum(1000), 10);
    assert_linear(hir_dump, &sum(100), &sum(1000), 10);
}

#[test]
fn dumps_of_deep_nesting_are_linear() {
    assert_linear(ast_dump, &nested_ifs(40), &nested_ifs(400), 10);
    assert_linear(hir_dump, &nested_ifs(40), &nested_ifs(400), 10);
}
