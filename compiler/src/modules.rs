//! Finding and loading the modules a program imports (section 10).
//!
//! `use std::x;` loads the standard library module `x`, which is compiled
//! into the `plat` binary (see [`std_source`]). `use a::b;` loads the file
//! `a/b.plat` under the root folder, the folder of the file being compiled.
//! Imports are followed depth first; an import that leads back to a
//! module still being loaded is a circular import.

use std::collections::HashMap;
use std::path::Path;

use crate::diag::{Code, Diagnostic};
use crate::source::SourceMap;
use crate::syntax::{self, ast};

/// One source file of the program, as the driver loaded it.
pub struct SourceModule {
    /// `["std", "json"]`; empty for the root module (the file compiled).
    pub path: Vec<String>,
    pub ast: ast::Module,
}

/// The standard library: module name and source, embedded at build time.
const STD: &[(&str, &str)] = &[
    ("io", include_str!("../../stdlib/std/io.plat")),
    ("json", include_str!("../../stdlib/std/json.plat")),
    ("net", include_str!("../../stdlib/std/net.plat")),
    ("actor", include_str!("../../stdlib/std/actor.plat")),
];

/// The source of standard library module `name`.
pub fn std_source(name: &str) -> Option<&'static str> {
    STD.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

struct Loader<'a> {
    root_dir: &'a Path,
    sources: &'a mut SourceMap,
    modules: Vec<SourceModule>,
    index: HashMap<Vec<String>, usize>,
    /// Paths of the modules being loaded, innermost last.
    stack: Vec<Vec<String>>,
    diags: Vec<Diagnostic>,
}

/// Loads every module `root` imports, directly or not. The root module is
/// first in the result; diagnostics are syntax and import errors.
pub fn load(
    root: ast::Module,
    root_dir: &Path,
    sources: &mut SourceMap,
) -> (Vec<SourceModule>, Vec<Diagnostic>) {
    let mut loader = Loader {
        root_dir,
        sources,
        modules: vec![SourceModule {
            path: Vec::new(),
            ast: root,
        }],
        index: HashMap::new(),
        stack: Vec::new(),
        diags: Vec::new(),
    };
    loader.visit(0);
    (loader.modules, loader.diags)
}

impl Loader<'_> {
    fn visit(&mut self, module: usize) {
        let uses = self.modules[module].ast.uses.clone();
        for u in uses {
            let path: Vec<String> = u.segments.iter().map(|s| s.name.clone()).collect();
            if self.stack.contains(&path) {
                let mut cycle: Vec<String> = self.stack.iter().map(|p| p.join("::")).collect();
                cycle.push(path.join("::"));
                self.diags.push(
                    Diagnostic::new(
                        Code::CircularImport,
                        format!("circular import of `{}`", path.join("::")),
                        u.span,
                        "imported while it is being loaded",
                    )
                    .with_note(format!("the cycle: {}", cycle.join(" -> "))),
                );
                continue;
            }
            if self.index.contains_key(&path) {
                continue;
            }
            let Some((display, text)) = self.read(&path) else {
                self.diags.push(
                    Diagnostic::new(
                        Code::UnknownModule,
                        format!("cannot find the module `{}`", path.join("::")),
                        u.span,
                        "no such module",
                    )
                    .with_hint(match path.first().map(String::as_str) {
                        Some("std") => {
                            "the standard library has: std::io, std::json, std::net".to_owned()
                        }
                        _ => format!(
                            "expected the file {}.plat under the program's folder",
                            path.join("/")
                        ),
                    }),
                );
                continue;
            };
            let file = self.sources.add(Path::new(&display), display.clone(), text);
            let (ast, diags) = syntax::parse_file(file, &self.sources.get(file).text);
            self.diags.extend(diags);
            let id = self.modules.len();
            self.modules.push(SourceModule {
                path: path.clone(),
                ast,
            });
            self.index.insert(path.clone(), id);
            self.stack.push(path);
            self.visit(id);
            self.stack.pop();
        }
    }

    /// The display name and text of the module at `path`.
    fn read(&self, path: &[String]) -> Option<(String, String)> {
        match path {
            [std, name] if std == "std" => {
                std_source(name).map(|s| (format!("<std>/{name}.plat"), s.to_owned()))
            }
            _ => {
                let mut file = self.root_dir.to_path_buf();
                for seg in path {
                    file.push(seg);
                }
                file.set_extension("plat");
                let text = std::fs::read_to_string(&file).ok()?;
                Some((file.display().to_string(), text))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    /// Writes `files` under a fresh directory and loads `root_source` as
    /// the root module from there.
    fn load_tree(
        files: &[(&str, &str)],
        root_source: &str,
    ) -> (Vec<SourceModule>, Vec<Diagnostic>) {
        let dir = std::env::temp_dir().join(format!(
            "plat-modules-{}-{}",
            std::process::id(),
            files.first().map_or("none", |f| f.0).replace('/', "_")
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().expect("a file has a parent")).expect("mkdir");
            std::fs::write(file, text).expect("write a module");
        }
        let mut sources = SourceMap::default();
        let root = sources.add(
            Path::new("main.plat"),
            "main.plat".into(),
            root_source.into(),
        );
        let (ast, diags) = syntax::parse_file(root, &sources.get(root).text);
        assert!(diags.is_empty(), "the root parses");
        let loaded = load(ast, &dir, &mut sources);
        let _ = std::fs::remove_dir_all(&dir);
        loaded
    }

    fn codes(diags: &[Diagnostic]) -> Vec<Code> {
        diags.iter().map(|d| d.code).collect()
    }

    #[test]
    fn loads_nested_and_std_modules_once_each() {
        let (modules, diags) = load_tree(
            &[
                (
                    "geometry/shapes.plat",
                    "mod geometry::shapes;\nuse util;\npub fn area() -> Int32 { return 1; }\n",
                ),
                (
                    "util.plat",
                    "use std::json;\npub fn one() -> Int32 { return 1; }\n",
                ),
            ],
            "use geometry::shapes;\nuse util;\nfn main() {}\n",
        );
        assert!(diags.is_empty(), "unexpected: {:?}", codes(&diags));
        let paths: Vec<String> = modules.iter().map(|m| m.path.join("::")).collect();
        assert_eq!(paths, ["", "geometry::shapes", "util", "std::json"]);
    }

    #[test]
    fn reports_a_circular_import_with_its_cycle() {
        let (_, diags) = load_tree(
            &[
                ("cycle_a.plat", "use cycle_b;\n"),
                ("cycle_b.plat", "use cycle_a;\n"),
            ],
            "use cycle_a;\nfn main() {}\n",
        );
        assert_eq!(codes(&diags), [Code::CircularImport]);
        assert!(diags[0]
            .notes
            .iter()
            .any(|n| n.contains("cycle_a -> cycle_b -> cycle_a")));
    }

    #[test]
    fn reports_a_module_importing_itself() {
        let (_, diags) = load_tree(
            &[("selfish.plat", "use selfish;\n")],
            "use selfish;\nfn main() {}\n",
        );
        assert_eq!(codes(&diags), [Code::CircularImport]);
    }

    #[test]
    fn reports_missing_modules_without_stopping() {
        let (modules, diags) = load_tree(
            &[("present.plat", "use absent;\n")],
            "use present;\nuse std::nothing;\nfn main() {}\n",
        );
        assert_eq!(codes(&diags), [Code::UnknownModule, Code::UnknownModule]);
        assert_eq!(modules.len(), 2, "the root and `present` are loaded");
    }
}
