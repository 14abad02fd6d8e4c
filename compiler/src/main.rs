//! The `plat` command line: argument parsing only; the work is in
//! `platc::driver`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use platc::driver::{self, DiagnosticFormat, Emit, Failure, Options};
use platc::{output, testcmd};

const USAGE: &str = "\
Usage:
  plat build [FILE] [-o OUT]   compile FILE (default main.plat) to a native executable
  plat run [FILE] [-- ARGS...] compile and run FILE (default main.plat), exiting with its code
  plat check FILE              report errors without generating code
  plat test [FILE|DIR] [-f PATTERN]... [--serial] [--schedules N]
                               run the test blocks (default: every file
                               under . with a test block)
  plat bench [FILE] [--json] [--time-ms N] [-f PATTERN]...
                               measure the bench blocks
  plat new NAME                write a starter project in NAME/
  plat fmt [--check] FILE...   rewrite files in the canonical layout
  plat --version

Options:
  --emit=ast|hir|clif          print a stage's output instead of building
  --diagnostic-format=human|short
  -o OUT                       the executable to write (build)
";

/// Exit code for a program with compile errors.
const EXIT_ERRORS: u8 = 1;
/// Exit code for bad usage and tool failures.
const EXIT_USAGE: u8 = 2;

struct Args {
    command: String,
    file: Option<PathBuf>,
    output: Option<PathBuf>,
    program_args: Vec<String>,
    options: Options,
}

fn parse_args(raw: Vec<String>) -> Result<Args, String> {
    let mut it = raw.into_iter();
    let command = it.next().ok_or("no command given")?;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut args = Args {
        command,
        file: None,
        output: None,
        program_args: Vec::new(),
        options: Options {
            format: DiagnosticFormat::Human,
            color,
            emit: None,
            mode: platc::check::Mode::Program,
        },
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--" => {
                args.program_args = it.by_ref().collect();
            }
            "-o" => args.output = Some(it.next().ok_or("`-o` needs a file name")?.into()),
            "--emit=ast" => args.options.emit = Some(Emit::Ast),
            "--emit=hir" => args.options.emit = Some(Emit::Hir),
            "--emit=clif" => args.options.emit = Some(Emit::Clif),
            "--diagnostic-format=short" => args.options.format = DiagnosticFormat::Short,
            "--diagnostic-format=human" => args.options.format = DiagnosticFormat::Human,
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            _ if args.file.is_none() => args.file = Some(arg.into()),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    // The pipeline recurses on the program's nesting: a big stack.
    platc::stack::run(plat_main)
}

fn plat_main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    match raw.first().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => {
            return print_or_fail(USAGE);
        }
        Some("fmt") => return platc::fmt::run(raw.get(1..).unwrap_or(&[])),
        Some("--version" | "-V") => {
            return print_or_fail(&format!("plat {}\n", env!("CARGO_PKG_VERSION")));
        }
        _ => {}
    }
    if let Some(code) = tool_command(&raw) {
        return code;
    }
    let args = match parse_args(raw) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let file = match (&args.file, args.command.as_str()) {
        (Some(f), _) => f.clone(),
        (None, "build" | "run" | "check") => PathBuf::from("main.plat"),
        (None, _) => PathBuf::new(),
    };
    match args.command.as_str() {
        "build" => {
            let output = args.output.clone().unwrap_or_else(|| default_output(&file));
            finish(driver::build(&file, &output, &args.options))
        }
        "check" => finish(driver::check_file(&file, &args.options).map(|_| ())),
        "run" => run(&file, &args),
        other => usage_error(&format!("unknown command `{other}`")),
    }
}

/// `plat test`, `plat bench` and `plat new` (`platc::testcmd`); `None`
/// for the other commands.
fn tool_command(raw: &[String]) -> Option<ExitCode> {
    let (command, rest) = raw.split_first()?;
    let options = |extra: &[String]| -> Result<Options, String> {
        let mut args = parse_args(
            std::iter::once(command.clone())
                .chain(extra.iter().cloned())
                .collect(),
        )?;
        args.options.mode = platc::check::Mode::Program;
        Ok(args.options)
    };
    let code = match command.as_str() {
        "test" => {
            let mut extra = Vec::new();
            let parsed = testcmd::parse_test_args(rest, &mut extra);
            match parsed.and_then(|a| Ok((a, options(&extra)?))) {
                Ok((a, o)) => ExitCode::from(testcmd::test(&a, &o)),
                Err(e) => usage_error(&e),
            }
        }
        "bench" => {
            let (extra, rest): (Vec<String>, Vec<String>) = rest
                .iter()
                .cloned()
                .partition(|a| a.starts_with("--diagnostic-format="));
            match options(&extra) {
                Ok(o) => ExitCode::from(testcmd::bench(&rest, &o)),
                Err(e) => usage_error(&e),
            }
        }
        "new" => match rest {
            [name] => match testcmd::new_project(name) {
                Ok(()) => print_or_fail(&format!(
                    "created {name}/ (main.plat, README.md): try `cd {name} && plat run && plat test`\n"
                )),
                Err(e) => {
                    output::stderr_line(&format!("error: {e}"));
                    ExitCode::from(EXIT_USAGE)
                }
            },
            _ => usage_error("`plat new` takes one project name"),
        },
        _ => return None,
    };
    Some(code)
}

fn usage_error(message: &str) -> ExitCode {
    output::stderr(&format!("error: {message}\n\n{USAGE}"));
    ExitCode::from(EXIT_USAGE)
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
fn run(file: &Path, args: &Args) -> ExitCode {
    let dir = std::env::temp_dir().join(format!("plat-run-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        output::stderr_line(&format!("error: cannot create {}: {e}", dir.display()));
        return ExitCode::from(EXIT_USAGE);
    }
    let exe = dir.join(file.file_stem().unwrap_or_default());
    let built = driver::build(file, &exe, &args.options);
    if built.is_err() || args.options.emit.is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        return finish(built);
    }
    let status = Command::new(&exe).args(&args.program_args).status();
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
