//! Ensure that the modules of `check` keep forming a DAG (the layering of
//! `check/mod.rs`'s doc): a module that uses a sibling through `super::`
//! must not be used back, directly or through others. The test reads the
//! sources, so a new cycle fails here with its path, not in review.

use std::collections::BTreeMap;
use std::path::Path;

/// The sibling modules `source` refers to through `super::`, among
/// `modules`. Comments are skipped; `use super::{a, b::c}` yields `a`, `b`.
fn uses(source: &str, modules: &[String]) -> Vec<String> {
    let code: String = source
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("super::") {
        rest = &rest[at + "super::".len()..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group, up to its closing brace.
            let mut depth = 0usize;
            let mut items = Vec::new();
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        items.push(&group[start..i]);
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(&group[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            items
        } else {
            vec![rest]
        };
        for name in names {
            let first: String = name
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if modules.contains(&first) && !out.contains(&first) {
                out.push(first);
            }
        }
    }
    out
}

/// A cycle of `graph`, as the path that closes it, if there is one.
fn find_cycle(graph: &BTreeMap<String, Vec<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks: BTreeMap<&str, Mark> = graph.keys().map(|k| (k.as_str(), Mark::New)).collect();
    for start in graph.keys() {
        if marks[start.as_str()] != Mark::New {
            continue;
        }
        // Iterative depth-first search: (module, index of its next edge).
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        marks.insert(start, Mark::Open);
        while let Some((node, next)) = stack.last().copied() {
            let edges = &graph[node];
            if let Some(to) = edges.get(next) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match marks.get(to.as_str()).copied() {
                    Some(Mark::Open) => {
                        let from = stack.iter().position(|(n, _)| *n == to.as_str())?;
                        let mut cycle: Vec<String> =
                            stack[from..].iter().map(|(n, _)| n.to_string()).collect();
                        cycle.push(to.clone());
                        return Some(cycle);
                    }
                    Some(Mark::New) => {
                        marks.insert(to, Mark::Open);
                        stack.push((to, 0));
                    }
                    _ => {}
                }
            } else {
                marks.insert(node, Mark::Done);
                stack.pop();
            }
        }
    }
    None
}

#[test]
fn the_modules_of_check_form_a_dag() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/check");
    let mut sources = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("read src/check") {
        let path = entry.expect("a directory entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        // mod.rs holds the shared state every module uses (and declares
        // the modules); tests are no layer.
        if path.extension().is_some_and(|e| e == "rs")
            && name != "mod"
            && !name.starts_with("tests")
        {
            let text = std::fs::read_to_string(&path).expect("read a module");
            sources.insert(name, text);
        }
    }
    let modules: Vec<String> = sources.keys().cloned().collect();
    assert!(modules.len() > 10, "found only {modules:?} in {dir:?}");
    let graph: BTreeMap<String, Vec<String>> = sources
        .iter()
        .map(|(name, text)| (name.clone(), uses(text, &modules)))
        .collect();
    assert!(
        graph["items"].contains(&"signature".to_string()),
        "the reader of `super::` paths finds nothing: {graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "check's modules use each other in a cycle: {}; move what both \
             need into a lower layer (see check/mod.rs)",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn a_cycle_is_found() {
    let graph: BTreeMap<String, Vec<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    let modules = vec!["adt".to_string(), "body".to_string(), "types".to_string()];
    assert_eq!(
        uses(
            "use super::{adt::{self, x}, Checker};\n// super::types\nsuper::body::f()",
            &modules
        ),
        ["adt", "body"]
    );
}
