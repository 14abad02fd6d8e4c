//! Linking: the object file written by codegen plus the runtime archive
//! into a native executable, by the system C compiler driver.
//!
//! The runtime archive (`libplat_rt.a`) is embedded in the compiler by
//! `build.rs`. On first use it is written to a cache directory named after
//! its content hash, `$XDG_CACHE_HOME/plat/<hash>/libplat_rt.a` (falling
//! back to `$HOME/.cache`, then the temp directory), through a temporary
//! file and a rename, so compilers running in parallel never see a partial
//! archive. Later links reuse it.
//!
//! The command is `cc -no-pie -Wl,--gc-sections [-fuse-ld=L] -o OUT OBJ
//! ARCHIVE LIBS`:
//! - `cc` can be replaced with `PLAT_CC` (split on whitespace, so
//!   `PLAT_CC="zig cc"` works);
//! - `L` is the fastest linker found on `PATH` (`mold`, `lld`, then
//!   `gold`; GNU `ld` is 2-3x slower on the runtime's archive), or
//!   `PLAT_LD` (`mold`, `lld`, `gold`, `bfd`, or `default` for the
//!   driver's own choice);
//! - `-no-pie` accepts objects compiled with or without PIC;
//!   `--gc-sections` drops the unused parts of the runtime.
//!
//! This module depends on std only.

use std::ffi::OsString;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The runtime archive, embedded at build time.
static RUNTIME_ARCHIVE: &[u8] = include_bytes!(env!("PLAT_RUNTIME_ARCHIVE"));
/// Hash of `RUNTIME_ARCHIVE` (hex), computed by `build.rs`.
const RUNTIME_HASH: &str = env!("PLAT_RUNTIME_HASH");
/// Native libraries the runtime needs, space-separated (`-lc ...`).
const RUNTIME_LIBS: &str = env!("PLAT_RUNTIME_LIBS");
/// File name of the cached archive.
const ARCHIVE_NAME: &str = "libplat_rt.a";

/// Why linking failed.
#[derive(Debug)]
pub enum LinkError {
    /// The runtime archive could not be written to any cache directory.
    Runtime { tried: Vec<(PathBuf, io::Error)> },
    /// The C compiler could not be started.
    Spawn { command: String, error: io::Error },
    /// The C compiler ran and failed.
    Failed {
        command: String,
        status: String,
        stderr: String,
    },
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Runtime { tried } => {
                write!(f, "cannot write the runtime library to a cache directory")?;
                for (path, error) in tried {
                    write!(f, "\n  {}: {error}", path.display())?;
                }
                Ok(())
            }
            LinkError::Spawn { command, error } => {
                write!(f, "cannot run the linker (set PLAT_CC to choose a C compiler): {error}\n  command: {command}")
            }
            LinkError::Failed {
                command,
                status,
                stderr,
            } => {
                write!(f, "linking failed ({status})\n  command: {command}")?;
                if !stderr.trim().is_empty() {
                    write!(f, "\n{}", stderr.trim_end())?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LinkError {}

/// Links `object_file` with the runtime into the executable `output`.
pub fn link(object_file: &Path, output: &Path) -> Result<(), LinkError> {
    let archive = runtime_archive()?;
    let mut cc = c_compiler();
    let mut cmd = Command::new(cc.remove(0));
    cmd.args(cc);
    if let Some(ld) = linker() {
        cmd.arg(format!("-fuse-ld={ld}"));
    }
    if cfg!(target_os = "linux") {
        cmd.args(["-no-pie", "-Wl,--gc-sections"]);
    } else if cfg!(target_os = "macos") {
        cmd.arg("-Wl,-dead_strip");
    }
    cmd.arg("-o").arg(output).arg(object_file).arg(&archive);
    cmd.args(RUNTIME_LIBS.split_whitespace());

    let command = render_command(&cmd);
    let out = cmd.output().map_err(|error| LinkError::Spawn {
        command: command.clone(),
        error,
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(LinkError::Failed {
            command,
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

/// The C compiler driver and its leading arguments.
fn c_compiler() -> Vec<OsString> {
    let words: Vec<OsString> = std::env::var("PLAT_CC")
        .ok()
        .map(|v| v.split_whitespace().map(OsString::from).collect())
        .unwrap_or_default();
    if words.is_empty() {
        vec![OsString::from("cc")]
    } else {
        words
    }
}

/// The `-fuse-ld=` value, if any (see the module doc).
fn linker() -> Option<String> {
    if let Ok(choice) = std::env::var("PLAT_LD") {
        let choice = choice.trim();
        return (!choice.is_empty() && choice != "default").then(|| choice.to_owned());
    }
    let path = std::env::var_os("PATH")?;
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    ["mold", "lld", "gold"]
        .into_iter()
        .find(|ld| dirs.iter().any(|d| d.join(format!("ld.{ld}")).is_file()))
        .map(str::to_owned)
}

/// The command as a shell-like line, for error messages.
fn render_command(cmd: &Command) -> String {
    let quote = |s: &std::ffi::OsStr| {
        let s = s.to_string_lossy();
        if !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=,:+@".contains(c))
        {
            s.into_owned()
        } else {
            format!("'{}'", s.replace('\'', r"'\''"))
        }
    };
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Returns the path of the cached runtime archive, writing it first if
/// needed.
pub fn runtime_archive() -> Result<PathBuf, LinkError> {
    let mut tried = Vec::new();
    for base in cache_bases() {
        let dir = base.join("plat").join(RUNTIME_HASH);
        let path = dir.join(ARCHIVE_NAME);
        if std::fs::metadata(&path).is_ok_and(|m| m.len() == RUNTIME_ARCHIVE.len() as u64) {
            return Ok(path);
        }
        match write_atomically(&dir, &path) {
            Ok(()) => return Ok(path),
            Err(error) => tried.push((path, error)),
        }
    }
    Err(LinkError::Runtime { tried })
}

/// Candidate cache roots, in order of preference.
fn cache_bases() -> Vec<PathBuf> {
    let absolute = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let mut bases = Vec::new();
    bases.extend(absolute("XDG_CACHE_HOME"));
    bases.extend(absolute("HOME").map(|h| h.join(".cache")));
    bases.push(std::env::temp_dir());
    bases
}

/// Writes the archive to `path` via a unique temporary file in `dir` and a
/// rename, so readers only ever see a complete file.
fn write_atomically(dir: &Path, path: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(
        ".{ARCHIVE_NAME}.{}.{nanos}.tmp",
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(RUNTIME_ARCHIVE)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_archive_is_cached_once_and_complete() {
        let a = runtime_archive().expect("runtime archive is writable");
        let b = runtime_archive().expect("runtime archive is writable");
        assert_eq!(a, b);
        assert_eq!(
            std::fs::read(&a).expect("readable").len(),
            RUNTIME_ARCHIVE.len()
        );
        assert!(a.to_string_lossy().contains(RUNTIME_HASH));
    }

    #[test]
    fn commands_are_rendered_with_quotes_where_needed() {
        let mut cmd = Command::new("cc");
        cmd.args(["-o", "a b", "x.o", "it's"]);
        assert_eq!(render_command(&cmd), r"cc -o 'a b' x.o 'it'\''s'");
    }

    /// Links a C stand-in for a compiled program (it defines `plat_main`)
    /// and runs it.
    #[test]
    fn a_linked_program_runs_and_exits_with_plat_main_result() {
        let dir = std::env::temp_dir().join(format!("plat-link-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let c = dir.join("prog.c");
        std::fs::write(
            &c,
            "#include <stdint.h>\n\
             void *plat_str_from_i64(int64_t);\n\
             void plat_print_str(void *);\n\
             int32_t plat_main(void *ctx) { plat_print_str(plat_str_from_i64(42)); return 7; }\n",
        )
        .expect("write C file");
        let obj = dir.join("prog.o");
        let status = Command::new("cc")
            .args(["-c", "-o"])
            .arg(&obj)
            .arg(&c)
            .status()
            .expect("cc runs");
        assert!(status.success());
        let exe = dir.join("prog");
        link(&obj, &exe).unwrap_or_else(|e| panic!("{e}"));
        let out = Command::new(&exe).output().expect("program runs");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "42\n");
        assert_eq!(out.status.code(), Some(7));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
