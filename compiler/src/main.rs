//! The `plat` command line: argument parsing only (clap's derive API);
//! the work is in `platc::driver`, `platc::testcmd` and `platc::fmt`.
//!
//! Exit codes: 0 success, 1 compile errors (or a failed test, a file
//! `fmt --check` would change), 2 bad usage (clap's errors) and tool
//! failures; `plat run` exits with the program's own code.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use platc::driver::{self, DiagnosticFormat, Emit, Failure, Options};
use platc::{output, testcmd};

/// Exit code for a program with compile errors.
const EXIT_ERRORS: u8 = 1;
/// Exit code for bad usage and tool failures.
const EXIT_USAGE: u8 = 2;

/// The Plat compiler and its tools.
#[derive(Parser)]
#[command(name = "plat", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Compile FILE (default main.plat) to a native executable
    Build {
        /// The program (default: ./main.plat)
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// The executable to write (default: ./STEM of FILE)
        #[arg(short = 'o', value_name = "OUT")]
        output: Option<PathBuf>,
        #[command(flatten)]
        front: FrontEnd,
    },
    /// Compile and run FILE (default main.plat), exiting with its code
    Run {
        /// The program (default: ./main.plat)
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// Arguments for the program, after `--`, passed on verbatim
        #[arg(last = true, value_name = "ARGS")]
        args: Vec<OsString>,
        #[command(flatten)]
        front: FrontEnd,
    },
    /// Report the errors of FILE, test and bench blocks included, without
    /// generating code
    Check {
        /// The program (default: ./main.plat)
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        #[command(flatten)]
        front: FrontEnd,
    },
    /// Run the test blocks (default: of every .plat file under . that has one)
    Test(TestCli),
    /// Measure the bench blocks of FILE (default main.plat)
    Bench(BenchCli),
    /// Write a starter project in NAME/
    New {
        /// The project's folder
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Rewrite files in the canonical layout (docs/fmt.md)
    Fmt {
        /// Write nothing; list the files that would change, exit 1 if any
        #[arg(long)]
        check: bool,
        /// Files, or folders standing for their .plat files
        #[arg(value_name = "FILE|DIR", required = true)]
        paths: Vec<PathBuf>,
    },
}

/// Options of the commands that compile a program.
#[derive(Args)]
struct FrontEnd {
    /// Print a stage's output instead of building
    #[arg(long, value_enum, value_name = "STAGE")]
    emit: Option<EmitArg>,
    #[command(flatten)]
    diagnostics: DiagnosticsArg,
}

#[derive(Args)]
struct DiagnosticsArg {
    /// How errors are printed: with source excerpts, or one line each
    #[arg(
        long = "diagnostic-format",
        value_enum,
        value_name = "FORMAT",
        default_value_t = FormatArg::Human
    )]
    format: FormatArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum EmitArg {
    Ast,
    Hir,
    Mir,
    MirUnopt,
    Clif,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Short,
}

#[derive(Args)]
struct TestCli {
    /// A file, or a folder: every .plat file under it with a test block
    /// (default: .)
    #[arg(value_name = "FILE|DIR")]
    target: Option<PathBuf>,
    /// Run only the cases whose module.block.case, block.case or block
    /// matches this glob (repeatable)
    #[arg(short = 'f', long = "filter", value_name = "PATTERN")]
    filters: Vec<String>,
    /// Run the cases one at a time
    #[arg(long)]
    serial: bool,
    /// Run the tests under N seeded schedules and report every failing seed
    #[arg(long, value_name = "N", value_parser = positive("--schedules"))]
    schedules: Option<u64>,
    /// Fail a case that runs longer than this (0: no limit)
    #[arg(long, value_name = "SECONDS", default_value_t = testcmd::DEFAULT_TIMEOUT_S)]
    timeout: u64,
    #[command(flatten)]
    diagnostics: DiagnosticsArg,
}

#[derive(Args)]
struct BenchCli {
    /// The file with bench blocks (default: ./main.plat)
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Print the results as JSON
    #[arg(long)]
    json: bool,
    /// The time budget of each benchmark, in milliseconds (default 1000)
    #[arg(long = "time-ms", value_name = "MS", value_parser = positive("--time-ms"))]
    time_ms: Option<u64>,
    /// Run only the benchmarks matching this glob (repeatable)
    #[arg(short = 'f', long = "filter", value_name = "PATTERN")]
    filters: Vec<String>,
    #[command(flatten)]
    diagnostics: DiagnosticsArg,
}

/// A parser of positive whole numbers whose error names `flag`.
fn positive(flag: &'static str) -> impl Fn(&str) -> Result<u64, String> + Clone {
    move |v| {
        v.parse()
            .ok()
            .filter(|&n: &u64| n > 0)
            .ok_or(format!("{flag} needs a positive number"))
    }
}

fn main() -> ExitCode {
    // The pipeline recurses on the program's nesting: a big stack.
    platc::stack::run(plat_main)
}

fn plat_main() -> ExitCode {
    let cli = match Cli::try_parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        // `--help`, `--version` and errors; clap renders them all.
        Err(e) => {
            let text = e.render().to_string();
            if !e.use_stderr() {
                return print_or_fail(&text);
            }
            output::stderr(&text);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let Some(command) = cli.command else {
        return print_or_fail(&Cli::command().render_help().to_string());
    };
    match command {
        Cmd::Build {
            file,
            output,
            front,
        } => {
            let file = file.unwrap_or_else(default_file);
            let output = output.unwrap_or_else(|| default_output(&file));
            finish(driver::build(&file, &output, &front.options()))
        }
        Cmd::Run { file, args, front } => run(&file.unwrap_or_else(default_file), &args, &front),
        Cmd::Check { file, front } => finish(driver::check_all(
            &file.unwrap_or_else(default_file),
            &front.options(),
        )),
        Cmd::Test(t) => {
            let options = t.diagnostics.options(None);
            let args = testcmd::TestArgs {
                target: t.target,
                filters: t.filters,
                serial: t.serial,
                schedules: t.schedules,
                timeout_s: t.timeout,
            };
            ExitCode::from(testcmd::test(&args, &options))
        }
        Cmd::Bench(b) => {
            let options = b.diagnostics.options(None);
            let args = testcmd::BenchArgs {
                file: b.file.unwrap_or_else(default_file),
                json: b.json,
                time_ms: b.time_ms,
                filters: b.filters,
            };
            ExitCode::from(testcmd::bench(&args, &options))
        }
        Cmd::New { name } => match testcmd::new_project(&name) {
            Ok(()) => print_or_fail(&format!(
                "created {name}/ (main.plat, README.md): try `cd {name} && plat run && plat test`\n"
            )),
            Err(e) => {
                output::stderr_line(&format!("error: {e}"));
                ExitCode::from(EXIT_USAGE)
            }
        },
        Cmd::Fmt { check, paths } => platc::fmt::run(check, &paths, stderr_color()),
    }
}

impl FrontEnd {
    fn options(&self) -> Options {
        let emit = self.emit.map(|e| match e {
            EmitArg::Ast => Emit::Ast,
            EmitArg::Hir => Emit::Hir,
            EmitArg::Mir => Emit::Mir,
            EmitArg::MirUnopt => Emit::MirUnopt,
            EmitArg::Clif => Emit::Clif,
        });
        self.diagnostics.options(emit)
    }
}

impl DiagnosticsArg {
    fn options(&self, emit: Option<Emit>) -> Options {
        Options {
            format: match self.format {
                FormatArg::Human => DiagnosticFormat::Human,
                FormatArg::Short => DiagnosticFormat::Short,
            },
            color: stderr_color(),
            emit,
            mode: platc::check::Mode::Program,
        }
    }
}

/// Whether diagnostics on stderr get colours.
fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// `plat build`, `run`, `check` and `bench` without FILE use ./main.plat.
fn default_file() -> PathBuf {
    PathBuf::from("main.plat")
}

/// Prints `text` on stdout (a closed pipe is fine, see `output`).
fn print_or_fail(text: &str) -> ExitCode {
    match output::stdout(text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::stderr_line(&format!("error: cannot write the output: {e}"));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// `plat build main.plat` writes `./main`.
fn default_output(file: &Path) -> PathBuf {
    PathBuf::from(file.file_stem().unwrap_or_default())
}

fn finish(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Diagnostics(_)) => ExitCode::from(EXIT_ERRORS),
        Err(Failure::Tool(message)) => {
            output::stderr_line(&format!("error: {message}"));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Builds into a private temporary directory, runs the program with the
/// terminal's stdin/stdout/stderr (so output streams as it happens), and
/// exits with its code, or 128+N if signal N killed it.
fn run(file: &Path, program_args: &[OsString], front: &FrontEnd) -> ExitCode {
    let options = front.options();
    let dir = std::env::temp_dir().join(format!("plat-run-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        output::stderr_line(&format!("error: cannot create {}: {e}", dir.display()));
        return ExitCode::from(EXIT_USAGE);
    }
    let exe = dir.join(file.file_stem().unwrap_or_default());
    let built = driver::build(file, &exe, &options);
    if built.is_err() || options.emit.is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        return finish(built);
    }
    let status = Command::new(&exe).args(program_args).status();
    let _ = std::fs::remove_dir_all(&dir);
    match status {
        Ok(status) => ExitCode::from(exit_code(status)),
        Err(e) => {
            output::stderr_line(&format!("error: cannot run {}: {e}", exe.display()));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn exit_code(status: std::process::ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return code as u8;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return (128 + signal) as u8;
        }
    }
    EXIT_USAGE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_that_the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
