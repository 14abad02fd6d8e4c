//! The `plat fmt [--check] PATH...` command. A PATH may be a folder: its
//! `.plat` files, recursively, in name order.
//!
//! Files are rewritten in place; with `--check` nothing is written and the
//! files that would change are listed on stdout. Exit codes: 0 all fine,
//! 1 a file does not parse (reported as `plat check` does, file left
//! untouched) or, with `--check`, would change; 2 bad usage or I/O errors.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{format_source, FmtError};
use crate::diag;
use crate::output;
use crate::source::SourceMap;

/// Runs `plat fmt` (the command line is parsed in `main.rs`): `paths`
/// (at least one), `check` for `--check`, `color` for the diagnostics of
/// files that do not parse.
pub fn run(check: bool, paths: &[PathBuf], color: bool) -> ExitCode {
    let mut files = Vec::new();
    for path in paths {
        if let Err(e) = collect(path, &mut files) {
            output::stderr_line(&format!("error: cannot read {}: {e}", path.display()));
            return ExitCode::from(2);
        }
    }
    let mut code = 0u8;
    for file in &files {
        code = code.max(one_file(file, check, color));
    }
    ExitCode::from(code)
}

/// `path` itself, or the `.plat` files under it.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect(&entry, out)?;
        } else if entry.extension().is_some_and(|x| x == "plat") {
            out.push(entry);
        }
    }
    Ok(())
}

/// Formats (or checks) one file; its exit code.
fn one_file(path: &Path, check: bool, color: bool) -> u8 {
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            output::stderr_line(&format!("error: cannot read {shown}: {e}"));
            return 2;
        }
    };
    let mut sources = SourceMap::default();
    let file = sources.add(path, shown.clone(), text.clone());
    match format_source(file, &text) {
        Err(FmtError::Syntax(mut diags)) => {
            diag::render_all(&mut diags, &sources, color);
            1
        }
        Err(FmtError::Internal(why)) => {
            output::stderr_line(&format!(
                "error: internal error of plat fmt on {shown}: {why}; the file is left as it is"
            ));
            1
        }
        Ok(out) if out == text => 0,
        Ok(_) if check => {
            let _ = output::stdout(&format!("{shown}\n"));
            1
        }
        Ok(out) => match std::fs::write(path, out) {
            Ok(()) => 0,
            Err(e) => {
                output::stderr_line(&format!("error: cannot write {shown}: {e}"));
                2
            }
        },
    }
}
