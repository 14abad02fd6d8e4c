//! Finding and loading the modules a program imports (section 10).
//!
//! `use std::x;` loads the standard library module `x`, which is compiled
//! into the `plat` binary (see [`std_source`]). `use a::b;` loads the file
//! `a/b.plat` under the root folder, the folder of the file being compiled.
//! Imports are followed depth first; an import that leads back to a
//! module still being loaded is a circular import.

use std::collections::HashMap;
use std::path::Path;

use crate::check::SourceModule;
use crate::diag::{Code, Diagnostic};
use crate::source::SourceMap;
use crate::syntax::{self, ast};

/// The standard library: module name and source, embedded at build time.
const STD: &[(&str, &str)] = &[("json", include_str!("../../stdlib/std/json.plat"))];

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
                        Some("std") => "the standard library has: std::json".to_owned(),
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
