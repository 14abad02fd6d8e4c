//! The pipeline as a flat sequence of stages: load, parse, check, lower,
//! generate, link. Each stage hands the next a plain data structure; diagnostics stop
//! the pipeline before code generation.

use std::path::{Path, PathBuf};

use crate::diag::{self, Diagnostic};
use crate::source::{SourceMap, Span};
use crate::{check, codegen, dump, hir, link, mir, modules, output, syntax};

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagnosticFormat {
    /// ariadne reports with source excerpts.
    Human,
    /// One line each: `path:line:col: error[E0xxx]: message`.
    Short,
}

/// A stage's textual dump, for `--emit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    Ast,
    Hir,
    /// The MIR after the optimisation passes (what code generation sees).
    Mir,
    /// The MIR as lowered, before the passes.
    MirUnopt,
    Clif,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub format: DiagnosticFormat,
    pub color: bool,
    pub emit: Option<Emit>,
    /// A program, or a `plat test` / `plat bench` runner.
    pub mode: check::Mode,
}

/// Why a compilation stopped. Diagnostics were already printed.
#[derive(Debug)]
pub enum Failure {
    /// The program has errors (reported).
    Diagnostics(usize),
    /// The compiler could not do its work (I/O, linker...).
    Tool(String),
}

/// The result of the front end: the sources, the checked program and its
/// monomorphic MIR.
pub struct Checked {
    pub sources: SourceMap,
    pub program: hir::Program,
    pub mir: mir::Program,
}

/// A parsed file with the modules it imports, before checking.
struct Loaded {
    sources: SourceMap,
    modules: Vec<crate::modules::SourceModule>,
    /// The whole root file, where file-level diagnostics point.
    whole_file: Span,
}

/// Reads and parses `path` and the modules it imports; syntax and import
/// errors are reported here (and stop the pipeline), as is the AST dump
/// asked for with `--emit=ast` (then `None`).
fn load(path: &Path, options: &Options) -> Result<Option<Loaded>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Tool(format!("cannot read {}: {e}", path.display())))?;
    let mut sources = SourceMap::default();
    let file = sources.add(path, display_path(path), text);
    let (module, mut diags) = syntax::parse_file(file, &sources.get(file).text);
    if options.emit == Some(Emit::Ast) {
        print_stdout(&dump::ast_module(&module))?;
        report(&mut diags, &sources, options)?;
        return Ok(None);
    }
    let root_dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let (modules, load_diags) = modules::load(module, &root_dir, &mut sources);
    diags.extend(load_diags);
    // Checking a tree rebuilt by error recovery mostly reports echoes of
    // the syntax errors; report those alone.
    report(&mut diags, &sources, options)?;
    Ok(Some(Loaded {
        sources,
        modules,
        whole_file: Span::new(file, 0, 0),
    }))
}

/// Reads, parses, checks and lowers `path`. Prints diagnostics (or a dump
/// asked for with `--emit=ast|hir|mir|mir-unopt`) as it goes. The MIR
/// is optimised (`mir::opt`) unless `--emit=mir-unopt` asked for it as
/// lowered.
pub fn check_file(path: &Path, options: &Options) -> Result<Option<Checked>, Failure> {
    let Some(loaded) = load(path, options)? else {
        return Ok(None);
    };
    let Loaded {
        sources,
        modules,
        whole_file,
    } = loaded;
    let (program, mut diags) = check::check_mode(&modules, whole_file, options.mode);
    report(&mut diags, &sources, options)?;
    let program = program.ok_or(Failure::Diagnostics(0))?;
    if options.emit == Some(Emit::Hir) {
        print_stdout(&dump::hir_program(&program))?;
        return Ok(None);
    }
    let mut mir = match lower(&program) {
        Ok(mir) => mir,
        Err(d) => {
            report(&mut [*d], &sources, options)?;
            return Err(Failure::Diagnostics(1));
        }
    };
    if options.emit == Some(Emit::MirUnopt) {
        print_stdout(&mir::print(&mir, &program))?;
        return Ok(None);
    }
    mir::opt::optimise(&mut mir, &program);
    if options.emit == Some(Emit::Mir) {
        print_stdout(&mir::print(&mir, &program))?;
        return Ok(None);
    }
    Ok(Some(Checked {
        sources,
        program,
        mir,
    }))
}

/// Lowers a checked program to MIR (monomorphisation and its limits are
/// the last checks of the front end); in debug builds the MIR's invariants
/// are checked too.
fn lower(program: &hir::Program) -> Result<mir::Program, Box<Diagnostic>> {
    let mir = mir::lower(program)?;
    if cfg!(debug_assertions) {
        if let Err(e) = mir::check(&mir, program) {
            panic!("internal compiler error: {e}");
        }
    }
    Ok(mir)
}

/// `plat check`: checks `path` as a program, and its `test` and `bench`
/// blocks as `plat test` and `plat bench` would (those builds check the
/// rest of the file again: an error outside the blocks is reported once).
/// With `--emit`, [`check_file`] alone.
pub fn check_all(path: &Path, options: &Options) -> Result<(), Failure> {
    if options.emit.is_some() {
        return check_file(path, options).map(|_| ());
    }
    let Some(loaded) = load(path, options)? else {
        return Ok(());
    };
    let root_items = loaded.modules.first().map_or(&[][..], |m| &m.ast.items[..]);
    let has = |want: check::Mode| {
        root_items.iter().any(|item| {
            matches!(
                (&item.kind, want),
                (syntax::ast::ItemKind::Test { .. }, check::Mode::Test)
                    | (syntax::ast::ItemKind::Bench { .. }, check::Mode::Bench)
            )
        })
    };
    let mut diags: Vec<Diagnostic> = Vec::new();
    for mode in [check::Mode::Program, check::Mode::Test, check::Mode::Bench] {
        if mode != check::Mode::Program && !has(mode) {
            continue;
        }
        let (program, mut found) = check::check_mode(&loaded.modules, loaded.whole_file, mode);
        if let Some(program) = program.filter(|_| found.is_empty()) {
            if let Err(d) = lower(&program) {
                found.push(*d);
            }
        }
        for d in found {
            let seen = diags.iter().any(|old| {
                old.code == d.code && old.primary.span == d.primary.span && old.message == d.message
            });
            if !seen {
                diags.push(d);
            }
        }
    }
    report(&mut diags, &loaded.sources, options)
}

/// Compiles `path` into the executable `output`.
pub fn build(path: &Path, output: &Path, options: &Options) -> Result<(), Failure> {
    let Some(checked) = check_file(path, options)? else {
        return Ok(());
    };
    let cg_options = codegen::Options {
        emit_clif: options.emit == Some(Emit::Clif),
    };
    let out = match codegen::generate(&checked.program, &checked.mir, &checked.sources, cg_options)
    {
        Ok(out) => out,
        Err(codegen::Error::Program(d)) => return report(&mut [*d], &checked.sources, options),
        Err(codegen::Error::Internal(e)) => return Err(Failure::Tool(e)),
    };
    if options.emit == Some(Emit::Clif) {
        return print_stdout(&out.clif);
    }
    let object = object_path(output);
    std::fs::write(&object, &out.object)
        .map_err(|e| Failure::Tool(format!("cannot write {}: {e}", object.display())))?;
    let linked = link::link(&object, output);
    let _ = std::fs::remove_file(&object);
    linked.map_err(|e| Failure::Tool(e.to_string()))
}

/// Diagnostics rendered in full (with source excerpts) at most: each
/// prints its source lines, so thousands of them on one long line made
/// gigabytes of output (found by tools/frontfuzz, issue 15).
pub const MAX_RENDERED: usize = 100;

/// Bytes of source lines the rendered diagnostics may show in all (the
/// first is always rendered): a hundred diagnostics on one 200 KB line
/// were 20 MB of output and 6 seconds of a debug build (tools/frontfuzz).
pub const MAX_RENDERED_SOURCE: usize = 64 << 10;

/// How many of `diags` (sorted) the human format renders in full: at
/// most [`MAX_RENDERED`], within [`MAX_RENDERED_SOURCE`] bytes of the
/// source lines their labels show, at least one.
fn rendered_count(diags: &[Diagnostic], sources: &SourceMap) -> usize {
    let mut shown_bytes = 0usize;
    for (i, d) in diags.iter().enumerate().take(MAX_RENDERED) {
        let lines: usize = std::iter::once(&d.primary)
            .chain(&d.secondary)
            .map(|l| sources.get(l.span.file).line_len(l.span.start as usize))
            .sum();
        shown_bytes = shown_bytes.saturating_add(lines);
        if i > 0 && shown_bytes > MAX_RENDERED_SOURCE {
            return i;
        }
    }
    diags.len().min(MAX_RENDERED)
}

/// Prints diagnostics (the first [`MAX_RENDERED`] in the human format);
/// an error if there were any.
fn report(diags: &mut [Diagnostic], sources: &SourceMap, options: &Options) -> Result<(), Failure> {
    if diags.is_empty() {
        return Ok(());
    }
    match options.format {
        DiagnosticFormat::Human => {
            diags.sort_by_key(|d| (d.primary.span.file, d.primary.span.start));
            let shown = rendered_count(diags, sources);
            diag::render_all(&mut diags[..shown], sources, options.color);
            if diags.len() > shown {
                let first = match shown {
                    1 => "the first is".to_owned(),
                    n => format!("the first {n} are"),
                };
                output::stderr(&format!(
                    "error: {} more errors not shown ({first}; \
                     --diagnostic-format=short lists every one)\n",
                    diags.len() - shown
                ));
            }
        }
        DiagnosticFormat::Short => {
            diags.sort_by_key(|d| (d.primary.span.file, d.primary.span.start));
            let mut text = String::new();
            for d in diags.iter() {
                text.push_str(&format!(
                    "{}: error[{}]: {}\n",
                    sources.location(d.primary.span),
                    d.code.as_str(),
                    d.message
                ));
            }
            output::stderr(&text);
        }
    }
    Err(Failure::Diagnostics(diags.len()))
}

/// Prints a dump on stdout (a closed pipe is fine, see `output`).
fn print_stdout(text: &str) -> Result<(), Failure> {
    output::stdout(text).map_err(|e| Failure::Tool(format!("cannot write the output: {e}")))
}

/// The object file written next to the output, removed after linking.
fn object_path(output: &Path) -> PathBuf {
    let mut name = output.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.o", std::process::id()));
    output.with_file_name(name)
}

/// The path as users should see it: relative to the current directory
/// when it is inside it.
fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_ref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    shown.display().to_string()
}
