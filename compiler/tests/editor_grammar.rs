//! The editor grammar (editors/vscode) against every Plat source of the
//! repository: `editors/check_grammar.py` runs the TextMate grammar and
//! compares each character's scope with a reference lexer (comments,
//! strings, interpolation, keywords, numbers). Needs python3 (on every
//! machine of this project's kind).

use std::path::Path;
use std::process::Command;

#[test]
fn the_editor_grammar_scopes_every_program_like_the_lexer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new("python3")
        .arg(root.join("editors/check_grammar.py"))
        .current_dir(&root)
        .output()
        .expect("run python3 editors/check_grammar.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the grammar disagrees with the lexer:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0 problems"), "{stdout}");
}
