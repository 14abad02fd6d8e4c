//! Error tests: every lexer error, parser errors and their hints,
//! unclosed delimiters, recovery (several mistakes reported at once), and
//! a smoke test that no input makes the lexer or parser panic.

use super::tests::parse;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::*;

fn codes(d: &[Diagnostic]) -> Vec<Code> {
    d.iter().map(|d| d.code).collect()
}

fn one(src: &str) -> Diagnostic {
    let (_, d) = parse(src);
    assert_eq!(d.len(), 1, "expected one diagnostic for {src:?}: {d:#?}");
    d.into_iter().next().expect("one diagnostic")
}

fn text<'a>(src: &'a str, d: &Diagnostic) -> &'a str {
    &src[d.primary.span.range()]
}

#[test]
fn bad_numbers() {
    for src in [
        "fn f() { let a = 5u8; }",
        "fn f() { let a = 99999999999999999999; }",
        "fn f() { let a = 1e; }",
        "fn f() { let a = 1.5i32; }",
        "fn f() { let a = 0x; }",
    ] {
        let d = one(src);
        assert_eq!(d.code, Code::BadNumber, "{src}: {d:?}");
    }
    let src = "fn f() { let a = 5u8; }";
    assert_eq!(text(src, &one(src)), "5u8");
    assert!(one(src).hint.is_some());
}

#[test]
fn unterminated_string_and_comment() {
    let d = one("fn f() { let s = \"abc; }");
    assert_eq!(d.code, Code::UnterminatedString);
    let d = one("fn f() { let s = \"a ${ x \"; }");
    assert_eq!(d.code, Code::UnterminatedString);
    let src = "fn f() { } /* never closed";
    let d = one(src);
    assert_eq!(d.code, Code::UnterminatedComment);
    assert_eq!(text(src, &d), "/*");
}

#[test]
fn unexpected_characters_do_not_stop_lexing() {
    let src = "fn f() { let a = !b; let c = d @# e; }";
    let (_, d) = parse(src);
    assert_eq!(codes(&d)[..2], [Code::UnexpectedChar, Code::UnexpectedChar]);
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `not` or `!=`?"));
    assert_eq!(text(src, &d[1]), "@#");
    // After skipping `@#` the parser sees `d e`: one more (syntax) error.
    assert_eq!(d.len(), 3, "{d:#?}");
    assert_eq!(d[2].code, Code::UnexpectedToken);
}

#[test]
fn expected_semicolon() {
    let src = "fn f() { let x: Int32 = 5 }";
    let d = one(src);
    assert_eq!(d.code, Code::UnexpectedToken);
    assert_eq!(d.message, "expected `;`, found `}`");
    assert_eq!(text(src, &d), "}");
    let src = "fn f() { foo(a = 1)\n bar(); }";
    let d = one(src);
    assert_eq!(d.message, "expected `;`, found identifier `bar`");
}

#[test]
fn hints_for_foreign_operators() {
    let d = one("fn f() { if (a && b) { } }");
    assert_eq!(d.hint.as_deref(), Some("use `and` for logical and"));
    let d = one("fn f() { x += 1; }");
    assert!(d.hint.is_some_and(|h| h.contains("compound")));
    let d = one("fn f() { let type = 1; }");
    assert!(
        d.hint.is_some_and(|h| h.contains("keyword")),
        "keyword hint"
    );
}

#[test]
fn unclosed_delimiter_points_at_opener() {
    let src = "fn f() {\n  if (x) {\n    g();\n";
    let d = one(src);
    assert_eq!(d.code, Code::UnclosedDelimiter);
    assert_eq!(d.primary.span.start as usize, src.len());
    let openers: Vec<_> = d.secondary.iter().map(|l| &src[l.span.range()]).collect();
    assert_eq!(openers, ["{", "{"]);
    assert_eq!(
        d.secondary[0].span.start as usize,
        src.find("{\n    g").unwrap_or(0)
    );
}

#[test]
fn many_unclosed_delimiters_label_the_innermost_few() {
    // Found by tools/frontfuzz: one label per open brace made rendering
    // quadratic (800 braces: 25 seconds, 7 MB of output).
    let src = format!("fn f() {{ {}", "g() { ".repeat(800));
    let d = one(&src);
    assert_eq!(d.code, Code::UnclosedDelimiter);
    assert_eq!(d.secondary.len(), 8, "{:#?}", d.secondary);
    assert_eq!(d.secondary[0].span.start as usize, src.len() - 2);
    assert_eq!(
        d.notes,
        ["793 more delimiters opened before these are never closed either"]
    );
}

#[test]
fn thousands_of_unclosed_parentheses_are_reported_without_parsing() {
    // Found by tools/frontfuzz: recovery rescanned the rest of the file
    // at every open level (9,000 parentheses: about 10 seconds).
    let src = format!("fn f() {{ g({}1", "(".repeat(9000));
    let start = std::time::Instant::now();
    let d = one(&src);
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    assert_eq!(d.code, Code::UnclosedDelimiter);
    assert_eq!(d.message, "unclosed delimiter `(`");
    // At the limit, the file is still parsed (with the same diagnostic;
    // on the compiler's big stack, as the driver parses).
    let src = format!("fn f() {{ g({}1", "(".repeat(198));
    let d = crate::stack::run(|| one(&src));
    assert_eq!(d.code, Code::UnclosedDelimiter);
}

#[test]
fn thousands_of_parentheses_a_brace_leaves_open_are_reported_without_parsing() {
    // Found by tools/frontfuzz (CI's seed 1): nested calls never closed
    // before the block's `}` made recovery rescan the group at every
    // level (4,000 levels: 5 seconds in a release build, 40 in debug).
    let src = format!(
        "fn main() {{\n  print(value = {}c);\n}}\n",
        "c (value = ".repeat(4000)
    );
    let d = one(&src);
    assert_eq!(d.code, Code::UnclosedDelimiter);
    assert_eq!(d.message, "unclosed delimiter `(`");
    // At the `}` that closes the block around them.
    assert_eq!(d.primary.span.start as usize, src.len() - 2);
    assert_eq!(d.secondary.len(), 8);
    assert_eq!(
        d.notes,
        ["3992 more delimiters opened before these are never closed either"]
    );
    // Under the limit the file is parsed, and the parse reports it.
    let src = format!(
        "fn main() {{\n  print(value = {}c);\n}}\n",
        "c (value = ".repeat(150)
    );
    let d = crate::stack::run(|| one(&src));
    assert_eq!(d.code, Code::UnexpectedToken, "{d:?}");
}

#[test]
fn nested_broken_groups_past_the_budget_are_left_to_the_statement() {
    // Each of 8,000 nested calls has a mistake after its inner call: every
    // level's recovery rescanned its group (33 seconds in a release
    // build). Past RECOVERY_BUDGET the mistakes go up to the statement.
    let n = 8000;
    let src = format!(
        "fn main() {{\n  print(value = {}x{});\n  print(value = 1);\n}}\n",
        "g(v = ".repeat(n),
        " y)".repeat(n)
    );
    let (module, diags, left) = crate::stack::run(move || {
        let (tokens, _) = crate::syntax::lexer::lex(crate::source::FileId(0), &src);
        let (module, diags) = super::parse(crate::source::FileId(0), &tokens, src.len(), false);
        (module, diags, super::recovery::recoveries_left())
    });
    assert_eq!(left, 0);
    assert!(!diags.is_empty());
    // The function is still there, with the statement after the broken one.
    assert_eq!(module.items.len(), 1);
    // A few broken groups are each recovered on their own, as before.
    let src = "fn main() {\n  f(a = 1 2);\n  g(b = (3 4));\n  h(c = [5 6]);\n}\n";
    let (tokens, _) = crate::syntax::lexer::lex(crate::source::FileId(0), src);
    let (_, diags) = super::parse(crate::source::FileId(0), &tokens, src.len(), false);
    assert_eq!(diags.len(), 3, "{diags:#?}");
    let used = super::recovery::RECOVERY_BUDGET - super::recovery::recoveries_left();
    assert!(used < 40, "{used} recoveries for three mistakes");
}

#[test]
fn three_mistakes_three_diagnostics() {
    let src = "fn a() {\n  let x = ;\n  print(value = 1);\n}\n\
               fn b() -> Int32 {\n  return 1 + ;\n}\n\
               fn c() {\n  foo(a = 1)\n  bar(b = 2);\n}\n\
               fn d() -> Int32 { return 4; }\n";
    let (m, d) = parse(src);
    assert_eq!(d.len(), 3, "{d:#?}");
    assert!(d.iter().all(|d| d.code == Code::UnexpectedToken));
    let lines: Vec<usize> = d
        .iter()
        .map(|d| src[..d.primary.span.start as usize].lines().count())
        .collect();
    assert_eq!(lines, [2, 6, 10]);
    // Every function is still there, with error statements where needed.
    assert_eq!(m.items.len(), 4);
    let ItemKind::Fn(a) = &m.items[0].kind else {
        panic!()
    };
    assert!(matches!(a.body.stmts[0].kind, StmtKind::Error));
    assert_eq!(a.body.stmts.len(), 2);
}

#[test]
fn errors_in_items_and_members_recover() {
    let src = "fn a( { }\nclass C { let x Int32; fn ok() { } }\nenum E { A, B(, C }\nfn z() { }";
    let (m, d) = parse(src);
    assert_eq!(d.len(), 3, "{d:#?}");
    let names: Vec<_> = m
        .items
        .iter()
        .map(|i| match &i.kind {
            ItemKind::Fn(f) => f.name.name.clone(),
            ItemKind::Class(c) => format!("{}:{}", c.name.name, c.methods.len()),
            ItemKind::Enum(e) => format!("{}:{}", e.name.name, e.variants.len()),
            _ => String::new(),
        })
        .collect();
    // `fn a(` never closes its `(`: that item is skipped.
    assert_eq!(names, ["C:1", "E:2", "z"]);
}

#[test]
fn error_in_interpolation_points_into_string() {
    let src = "fn f() { print(value = \"x ${ 1 + } y\"); }";
    let d = one(src);
    assert_eq!(
        d.message,
        "expected expression, found `}` (end of interpolation)"
    );
    assert_eq!(d.primary.span.start as usize, src.find("} y").unwrap_or(0));
}

#[test]
fn top_level_junk_is_reported_once_per_run() {
    let (m, d) = parse("let x = 1;\nfn f() { }");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].message.contains("item"), "{}", d[0].message);
    assert_eq!(m.items.len(), 1);
}

/// A tiny deterministic generator (no external crates).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

#[test]
fn garbage_never_panics() {
    const PIECES: &[&str] = &[
        "fn",
        "f",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "let",
        "x",
        "=",
        ";",
        ":",
        "::",
        "Int32",
        "\"",
        "${",
        "\"a${",
        "}\"",
        "1",
        "0x",
        "1.5",
        "..",
        "..=",
        "->",
        "match",
        "if",
        "else",
        "class",
        "enum",
        "select",
        "race",
        "spawn",
        "concurrent",
        ",",
        ".",
        "?",
        "!",
        "@",
        "/*",
        "*/",
        "//",
        "\n",
        " ",
        "-",
        "not",
        "pub",
        "init",
        "super",
        "cast",
        "List",
        "<",
        ">",
        "é",
        "\\",
        "_",
        "return",
        "while",
        "for",
        "in",
        "test",
        "mod",
        "use",
        "Set",
        "Fn",
        "default",
        "after",
    ];
    let mut rng = Lcg(42);
    for _ in 0..3000 {
        let len = rng.next() % 40;
        let src: String = (0..len)
            .map(|_| PIECES[rng.next() % PIECES.len()])
            .collect::<Vec<_>>()
            .join(if rng.next().is_multiple_of(2) {
                " "
            } else {
                ""
            });
        let _ = parse(&src);
    }
    // Raw bytes as text, and deep nesting.
    for seed in 0..300u64 {
        let mut rng = Lcg(seed);
        let src: String = (0..rng.next() % 60)
            .map(|_| char::from_u32((rng.next() % 0x80) as u32).unwrap_or(' '))
            .collect();
        let _ = parse(&src);
    }
    let _ = parse(&format!(
        "fn f() {{ return {}1{}; }}",
        "(".repeat(200),
        ")".repeat(200)
    ));
    let _ = parse(&"{[(".repeat(300));
    let _ = parse(&"\"${".repeat(100));
}
