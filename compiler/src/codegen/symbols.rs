//! Symbol names of compiled functions: readable, unmangled paths such as
//! `main::fib`, `geometry::Point::area`, `main::identity<Int32>`,
//! `main::worker::{closure#1}` and `main::worker::{spawn#1}`
//! (docs/runtime-abi.md, "Symbols"). They are local symbols of the object
//! file: nothing links against them, so they need no mangling; `nm`,
//! `perf`, `gdb` and `addr2line -f` show them as they are.
//!
//! The module of a function is the module of the file it is declared in:
//! the program's root file is `main`, `use std::json;` is `std::json`, and
//! `use a::b;` (the file `a/b.plat` under the root's folder) is `a::b`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::hir::{FnId, FnKind, Program, Ty};
use crate::source::{FileId, SourceMap};

/// Gives every function instance of one object file a unique name.
pub(crate) struct Names {
    used: HashSet<String>,
    /// `{closure#N}` / `{spawn#N}`: the ordinal of each lifted body among
    /// the bodies of its kind lifted from the same function.
    ordinals: HashMap<FnId, usize>,
    modules: HashMap<FileId, String>,
}

impl Names {
    pub fn new(program: &Program) -> Names {
        // The lifted bodies of one function are named `OWNER.closureI` /
        // `OWNER.spawnI`, I counting both kinds in source order.
        let mut groups: HashMap<(String, bool), Vec<(u32, FnId)>> = HashMap::new();
        for (i, f) in program.functions.iter().enumerate() {
            if f.kind == FnKind::Plain {
                continue;
            }
            let (owner, index) = split_lifted(&f.name);
            let key = (owner.to_owned(), f.kind == FnKind::Spawn);
            groups.entry(key).or_default().push((index, FnId(i as u32)));
        }
        let mut ordinals = HashMap::new();
        for mut members in groups.into_values() {
            members.sort_unstable();
            for (n, (_, id)) in members.into_iter().enumerate() {
                ordinals.insert(id, n + 1);
            }
        }
        Names {
            used: HashSet::new(),
            ordinals,
            modules: HashMap::new(),
        }
    }

    /// The symbol of the instance of `func` for `type_args`.
    pub fn instance(
        &mut self,
        program: &Program,
        sources: &SourceMap,
        func: FnId,
        type_args: &[Ty],
    ) -> String {
        let name = self.path(program, sources, func, type_args);
        self.unique(name)
    }

    /// The symbol of the wrapper that makes named function `target`
    /// callable as a function value.
    pub fn wrapper(&mut self, program: &Program, sources: &SourceMap, target: FnId) -> String {
        let base = self.path(program, sources, target, &[]);
        self.unique(format!("{base}::{{fn_value}}"))
    }

    /// The readable path of an instance (not yet made unique).
    fn path(
        &mut self,
        program: &Program,
        sources: &SourceMap,
        func: FnId,
        type_args: &[Ty],
    ) -> String {
        let f = program.function(func);
        let module = self.module(sources, f.span.file).to_owned();
        let mut name = module;
        let (path, lifted) = match f.kind {
            FnKind::Plain => (f.name.as_str(), None),
            _ => (split_lifted(&f.name).0, Some(f.kind)),
        };
        // `Owner.method`: the owner's type arguments come first.
        let (owner, item) = match path.split_once('.') {
            Some((owner, item)) => (Some(owner), item),
            None => (None, path),
        };
        let mut args = type_args;
        if let Some(owner) = owner {
            let count = program
                .adts
                .iter()
                .find(|a| a.name == owner && a.span.file == f.span.file)
                .or_else(|| program.adts.iter().find(|a| a.name == owner))
                .map_or(0, |a| a.generics.len())
                .min(args.len());
            name.push_str("::");
            name.push_str(owner);
            push_args(&mut name, program, &args[..count]);
            args = &args[count..];
        }
        name.push_str("::");
        name.push_str(item);
        push_args(&mut name, program, args);
        if let Some(kind) = lifted {
            let n = self.ordinals.get(&func).copied().unwrap_or(0);
            let what = if kind == FnKind::Spawn {
                "spawn"
            } else {
                "closure"
            };
            name.push_str(&format!("::{{{what}#{n}}}"));
        }
        name
    }

    /// `name`, or `name~N` for the smallest N >= 2 not used yet (two
    /// types of different modules may show the same).
    fn unique(&mut self, name: String) -> String {
        if self.used.insert(name.clone()) {
            return name;
        }
        let mut n = 2;
        loop {
            let candidate = format!("{name}~{n}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }

    fn module(&mut self, sources: &SourceMap, file: FileId) -> &str {
        self.modules
            .entry(file)
            .or_insert_with(|| module_name(sources, file))
    }
}

/// `OWNER.closureI` -> (`OWNER`, I); a name of another form is its own
/// owner.
fn split_lifted(name: &str) -> (&str, u32) {
    if let Some((owner, last)) = name.rsplit_once('.') {
        for kind in ["closure", "spawn"] {
            if let Some(Ok(i)) = last.strip_prefix(kind).map(str::parse) {
                return (owner, i);
            }
        }
    }
    (name, 0)
}

fn push_args(name: &mut String, program: &Program, args: &[Ty]) {
    if args.is_empty() {
        return;
    }
    let shown: Vec<String> = args.iter().map(|t| program.show(t)).collect();
    name.push('<');
    name.push_str(&shown.join(", "));
    name.push('>');
}

/// The module path of source file `file`, with `::` between segments.
/// The first file of the map is the program's root module, `main`.
pub(crate) fn module_name(sources: &SourceMap, file: FileId) -> String {
    if file == FileId(0) {
        return "main".to_owned();
    }
    let this = sources.get(file);
    if let Some(std_name) = this.display.strip_prefix("<std>/") {
        return format!("std::{}", std_name.trim_end_matches(".plat"));
    }
    let root = &sources.get(FileId(0)).path;
    let root_dir = root.parent().unwrap_or(Path::new(""));
    let relative = this.path.strip_prefix(root_dir).unwrap_or(&this.path);
    let segments: Vec<String> = relative
        .with_extension("")
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if segments.is_empty() {
        "main".to_owned()
    } else {
        segments.join("::")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(files: &[&str]) -> SourceMap {
        let mut sources = SourceMap::default();
        for f in files {
            sources.add(Path::new(f), (*f).to_owned(), String::new());
        }
        sources
    }

    #[test]
    fn modules_are_named_by_their_path_under_the_root() {
        let s = map(&[
            "proj/app.plat",
            "proj/geometry/shapes.plat",
            "<std>/json.plat",
            "proj/util.plat",
        ]);
        assert_eq!(module_name(&s, FileId(0)), "main");
        assert_eq!(module_name(&s, FileId(1)), "geometry::shapes");
        assert_eq!(module_name(&s, FileId(2)), "std::json");
        assert_eq!(module_name(&s, FileId(3)), "util");
        let s = map(&["main.plat", "util.plat"]);
        assert_eq!(module_name(&s, FileId(1)), "util");
    }

    #[test]
    fn lifted_bodies_are_split_from_their_owner() {
        assert_eq!(split_lifted("worker.closure3"), ("worker", 3));
        assert_eq!(split_lifted("Point.scale.spawn0"), ("Point.scale", 0));
        assert_eq!(split_lifted("Point.scale"), ("Point.scale", 0));
    }

    #[test]
    fn repeated_names_get_a_suffix() {
        let program = Program {
            functions: Vec::new(),
            adts: Vec::new(),
            params: Vec::new(),
            entry: crate::hir::Entry::Main(FnId(0)),
        };
        let mut names = Names::new(&program);
        assert_eq!(names.unique("main::f".into()), "main::f");
        assert_eq!(names.unique("main::f".into()), "main::f~2");
        assert_eq!(names.unique("main::f".into()), "main::f~3");
    }
}
