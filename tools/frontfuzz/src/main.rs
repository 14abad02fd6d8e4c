//! `frontfuzz`: the front end's mutation fuzzer (issue 15, item 2).
//!
//! It mutates every `.plat` file of the corpus (tests/, examples/,
//! stdlib/, bench/programs/) with byte, token and grammar-aware mutations
//! (`mutate`), runs each mutant through the front end in-process
//! (`inprocess`) and every so often through the real `plat check`
//! (`cli`), and checks: no panic, no hang, and either success or
//! diagnostics whose spans lie inside their files. Each finding is
//! minimised (`minimise`) and saved under `--out` with the command that
//! replays it. Exit status: 1 if anything was found, 0 otherwise.

mod cli;
mod corpus;
mod inprocess;
mod minimise;
mod mutate;
mod rng;
mod verdict;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};

use crate::cli::Cli;
use crate::corpus::Seed;
use crate::inprocess::InProcess;
use crate::rng::Rng;
use crate::verdict::{Finding, FindingKind, Verdict};

/// The folders whose `.plat` files are the corpus, under the root.
const CORPUS: [&str; 4] = ["tests", "examples", "stdlib", "bench/programs"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// The front end in-process only (fastest).
    Inprocess,
    /// `plat check` as a subprocess only.
    Cli,
    /// In-process, and every `--cli-every`th input (and every non-UTF-8
    /// one) through `plat check` as well.
    Both,
}

/// Mutation fuzzer for the Plat front end (lexer, parser, checker).
#[derive(Parser, Debug)]
#[command(name = "frontfuzz")]
struct Args {
    /// Length of the campaign.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Random seed: the same seed tries the same inputs (default: from
    /// the clock, printed).
    #[arg(long)]
    seed: Option<u64>,
    /// Where findings go (default: target/fuzz/frontfuzz under the root).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Campaigns run in parallel (seeds S, S+1, ...).
    #[arg(long, default_value_t = 1)]
    jobs: u64,
    #[arg(long, value_enum, default_value_t = Mode::Both)]
    mode: Mode,
    /// In `both` mode, one input in this many also goes through `plat check`.
    #[arg(long, default_value_t = 10)]
    cli_every: u64,
    /// Seconds an input may take before it counts as a hang.
    #[arg(long, default_value_t = 5)]
    timeout: u64,
    /// Also `plat build` the inputs `plat check` accepts (no crash allowed).
    #[arg(long)]
    build: bool,
    /// Stop after this many inputs (per job).
    #[arg(long)]
    max_inputs: Option<u64>,
    /// Seconds spent minimising each finding.
    #[arg(long, default_value_t = 60)]
    minimise_seconds: u64,
    /// Replay one file instead of fuzzing: run it through both runners
    /// and print the verdicts.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
    /// With `--replay`: where the file is checked as if it lived (its
    /// folder is where imports resolve); default the file itself.
    #[arg(long = "as", value_name = "PATH")]
    as_path: Option<PathBuf>,
    /// The workspace root (default: found from this crate's location).
    #[arg(long)]
    root: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(true) => ExitCode::from(1),
        Ok(false) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("frontfuzz: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the campaign (or the replay); `Ok(true)` if something was found.
fn run(args: Args) -> Result<bool, String> {
    let root = match &args.root {
        Some(r) => r.clone(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
    };
    let root = root
        .canonicalize()
        .map_err(|e| format!("root {}: {e}", root.display()))?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("target/fuzz/frontfuzz"));
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let out = out.canonicalize().map_err(|e| e.to_string())?;
    let plat = plat_binary(&root)?;
    let timeout = Duration::from_secs(args.timeout);
    if let Some(file) = &args.replay {
        return replay(file, args.as_path.as_deref(), &plat, &out, timeout);
    }
    let files = corpus::find(&root, &CORPUS);
    let seeds = Arc::new(corpus::load(&root, &files));
    if seeds.is_empty() {
        return Err(format!("no .plat files under {}", root.display()));
    }
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs())
    });
    println!(
        "frontfuzz: {} corpus files, seed {seed}, {} s, {} job(s), mode {:?}, findings in {}",
        seeds.len(),
        args.seconds,
        args.jobs,
        args.mode,
        out.display()
    );
    let shared = Arc::new(Shared {
        stats: Mutex::new(Stats::default()),
        findings: Mutex::new(BTreeMap::new()),
        out: out.clone(),
    });
    let args = Arc::new(args);
    let started = Instant::now();
    let handles: Vec<_> = (0..args.jobs.max(1))
        .map(|j| {
            let (seeds, shared, args, plat) =
                (seeds.clone(), shared.clone(), args.clone(), plat.clone());
            std::thread::spawn(move || {
                let scratch = shared.out.join(format!("scratch{j}"));
                let job = Job {
                    rng: Rng::new(seed.wrapping_add(j)),
                    inproc: InProcess::new(Duration::from_secs(args.timeout)),
                    cli: Cli::new(plat, scratch, Duration::from_secs(args.timeout)),
                    args: &args,
                    seeds: &seeds,
                    shared: &shared,
                    hang_confirmed: false,
                    rng_name: j,
                };
                job.campaign()
            })
        })
        .collect();
    for h in handles {
        h.join()
            .map_err(|_| "a campaign thread panicked".to_string())?;
    }
    let elapsed = started.elapsed();
    let stats = shared.stats.lock().unwrap_or_else(PoisonError::into_inner);
    let findings = shared
        .findings
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    print!("{}", stats.summary(elapsed, &findings));
    if let Some((own, children)) = cpu_seconds() {
        println!(
            "cpu: {:.1} s ({own:.1} s in-process, {children:.1} s in plat subprocesses)",
            own + children
        );
    }
    Ok(!findings.is_empty())
}

/// CPU seconds used by this process and by its finished children, from
/// /proc (Linux; `None` elsewhere), for the campaign's CPU-hours.
fn cpu_seconds() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses): utime is
    // field 14 of the line, so the 12th after the name; then stime,
    // cutime, cstime. In clock ticks, 100 a second on Linux.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(4)
        .filter_map(|x| x.parse().ok())
        .collect();
    let [utime, stime, cutime, cstime] = f[..] else {
        return None;
    };
    Some(((utime + stime) / 100.0, (cutime + cstime) / 100.0))
}

/// `$PLAT`, or `target/release/plat` under the root, brought up to date
/// with cargo first (a no-op when it is), so a campaign never tests a
/// stale compiler.
fn plat_binary(root: &Path) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("PLAT") {
        return Ok(PathBuf::from(p));
    }
    let status = std::process::Command::new("cargo")
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "platc",
            "--bin",
            "plat",
        ])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cargo build --release -p platc --bin plat failed".into());
    }
    Ok(root.join("target/release/plat"))
}

/// `--replay FILE`: both runners on one file.
fn replay(
    file: &Path,
    as_path: Option<&Path>,
    plat: &Path,
    out: &Path,
    timeout: Duration,
) -> Result<bool, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let as_path = as_path.unwrap_or(file);
    let as_path = std::path::absolute(as_path).map_err(|e| e.to_string())?;
    let origin = as_path.parent().unwrap_or(Path::new("."));
    let name = file_name(&as_path);
    let mut found = false;
    if let Ok(text) = std::str::from_utf8(&bytes) {
        let v = InProcess::new(timeout).check(&as_path, text);
        found |= matches!(v, Verdict::Finding(_));
        println!("in-process: {}", describe(&v));
    }
    let mut cli = Cli::new(plat.to_path_buf(), out.join("scratch-replay"), timeout);
    let v = cli.check(&bytes, origin, &name);
    found |= matches!(v, Verdict::Finding(_));
    println!("plat check: {}", describe(&v));
    Ok(found)
}

fn describe(v: &Verdict) -> String {
    match v {
        Verdict::Accepted => "accepted".into(),
        Verdict::Rejected(n) => format!("rejected with {n} diagnostic(s), all inside the file"),
        Verdict::Finding(f) => format!("FINDING {f}"),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or("input.plat".into(), |n| n.to_string_lossy().into_owned())
}

/// What the jobs share.
struct Shared {
    stats: Mutex<Stats>,
    /// Finding id to its record.
    findings: Mutex<BTreeMap<String, Record>>,
    out: PathBuf,
}

struct Record {
    count: u64,
    /// The reproducer and how to replay it.
    saved: String,
}

#[derive(Default)]
struct Stats {
    inputs: u64,
    accepted: u64,
    rejected: u64,
    inprocess: u64,
    cli: u64,
    builds: u64,
    not_utf8: u64,
    /// In-process checks that timed out but `plat check` answered in time.
    slow: u64,
    by_mutation: BTreeMap<&'static str, u64>,
    /// Findings by id, repeats included.
    found: u64,
}

impl Stats {
    fn summary(&self, elapsed: Duration, findings: &BTreeMap<String, Record>) -> String {
        let secs = elapsed.as_secs_f64();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "inputs: {} in {secs:.1} s ({:.0}/s): {} accepted, {} rejected with diagnostics, {} findings",
            self.inputs,
            self.inputs as f64 / secs.max(0.001),
            self.accepted,
            self.rejected,
            self.found
        );
        let _ = writeln!(
            s,
            "runs: {} in-process ({} too slow, left to plat check), {} plat check, {} plat build; {} inputs not UTF-8",
            self.inprocess, self.slow, self.cli, self.builds, self.not_utf8
        );
        let by: Vec<String> = self
            .by_mutation
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let _ = writeln!(s, "mutations applied: {}", by.join(", "));
        if findings.is_empty() {
            let _ = writeln!(s, "findings: none");
        }
        for (id, r) in findings {
            let _ = writeln!(s, "FINDING {id} (seen {} time(s)): {}", r.count, r.saved);
        }
        s
    }
}

/// One campaign thread.
struct Job<'a> {
    rng: Rng,
    inproc: InProcess,
    cli: Cli,
    args: &'a Args,
    seeds: &'a [Seed],
    shared: &'a Shared,
    /// `plat check` hung too: an in-process thread may spin for ever.
    hang_confirmed: bool,
    /// The job's number, in file names.
    rng_name: u64,
}

impl Job<'_> {
    fn campaign(mut self) {
        let deadline = Instant::now() + Duration::from_secs(self.args.seconds);
        let mut n: u64 = 0;
        while Instant::now() < deadline && self.args.max_inputs.is_none_or(|m| n < m) {
            n += 1;
            let at = self.rng.below(self.seeds.len());
            let mutant = mutate::mutant(&mut self.rng, self.seeds, at);
            let via_cli = match self.args.mode {
                Mode::Cli => true,
                Mode::Inprocess => false,
                Mode::Both => n.is_multiple_of(self.args.cli_every.max(1)),
            };
            self.one(at, &mutant, via_cli);
            if self.hang_confirmed {
                println!("frontfuzz: a check hung; an in-process thread cannot be stopped, so this job ends early");
                break;
            }
        }
    }

    fn one(&mut self, at: usize, mutant: &mutate::Mutant, via_cli: bool) {
        let seed = &self.seeds[at];
        let text = std::str::from_utf8(&mutant.bytes).ok();
        let mut verdicts: Vec<(Runner, Verdict)> = Vec::new();
        if let (Some(text), true) = (text, self.args.mode != Mode::Cli) {
            verdicts.push((Runner::InProcess, self.inproc.check(&seed.path, text)));
        }
        let hung = matches!(verdicts.last(), Some((_, Verdict::Finding(f))) if f.kind == FindingKind::Hang);
        let cli_wanted = via_cli || text.is_none() || hung || self.args.mode == Mode::Cli;
        if cli_wanted {
            let origin = seed.path.parent().unwrap_or(Path::new("."));
            let v = self
                .cli
                .check(&mutant.bytes, origin, &file_name(&seed.path));
            let accepted = matches!(v, Verdict::Accepted);
            let cli_hung = matches!(&v, Verdict::Finding(f) if f.kind == FindingKind::Hang);
            if hung {
                // The command line's verdict stands: a hang there is the
                // finding (its minimisation runs can be stopped); an
                // answer in time means the in-process run was only slow
                // (an unoptimised build of the fuzzer, another job's load).
                verdicts.remove(0);
                if !cli_hung {
                    let slow = {
                        let mut st = self
                            .shared
                            .stats
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner);
                        st.slow += 1;
                        st.slow
                    };
                    // Kept for a look (a slow path is worth knowing).
                    if slow <= 10 {
                        let file = self
                            .shared
                            .out
                            .join(format!("slow-{}-{slow}.plat", self.rng_name));
                        let _ = std::fs::write(&file, &mutant.bytes);
                        println!(
                            "frontfuzz: slow in-process (plat check answered in time): {} from {} ({})",
                            file.display(),
                            seed.display,
                            mutant.what.join("+")
                        );
                    }
                }
            }
            self.hang_confirmed |= cli_hung;
            verdicts.push((Runner::Cli, v));
            if accepted && self.args.build {
                let b = self.cli.build(
                    &mutant.bytes,
                    origin,
                    &file_name(&seed.path),
                    Duration::from_secs(60),
                );
                verdicts.push((Runner::Build, b));
            }
        }
        {
            let mut st = self
                .shared
                .stats
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            st.inputs += 1;
            st.not_utf8 += u64::from(text.is_none());
            for w in &mutant.what {
                *st.by_mutation.entry(w).or_default() += 1;
            }
            for (runner, _) in &verdicts {
                match runner {
                    Runner::InProcess => st.inprocess += 1,
                    Runner::Cli => st.cli += 1,
                    Runner::Build => st.builds += 1,
                }
            }
            match verdicts.first().map(|v| &v.1) {
                Some(Verdict::Accepted) => st.accepted += 1,
                Some(Verdict::Rejected(_)) => st.rejected += 1,
                _ => {}
            }
        }
        for (runner, v) in verdicts {
            if let Verdict::Finding(f) = v {
                self.report(runner, seed, mutant, f);
            }
        }
    }

    /// Records a finding; the first of its id is minimised and saved.
    fn report(&mut self, runner: Runner, seed: &Seed, mutant: &mutate::Mutant, finding: Finding) {
        let id = format!("{} {}", runner.name(), finding.id());
        {
            let mut found = self
                .shared
                .findings
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            self.shared
                .stats
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .found += 1;
            if let Some(r) = found.get_mut(&id) {
                r.count += 1;
                return;
            }
            found.insert(
                id.clone(),
                Record {
                    count: 1,
                    saved: "(being minimised)".into(),
                },
            );
        }
        println!(
            "frontfuzz: FINDING {id} from {} ({})",
            seed.display,
            mutant.what.join("+")
        );
        let origin = seed.path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let name = file_name(&seed.path);
        let want = finding.id();
        let deadline = Instant::now() + Duration::from_secs(self.args.minimise_seconds);
        let minimal = {
            let (inproc, cli) = (&mut self.inproc, &mut self.cli);
            let path = seed.path.clone();
            let mut still_fails = |bytes: &[u8]| -> bool {
                let v = match runner {
                    Runner::InProcess => match std::str::from_utf8(bytes) {
                        // A hang in-process is minimised through the
                        // command line, whose runs can be stopped.
                        Ok(text) if finding.kind != FindingKind::Hang => inproc.check(&path, text),
                        _ => cli.check(bytes, &origin, &name),
                    },
                    Runner::Cli => cli.check(bytes, &origin, &name),
                    Runner::Build => match cli.check(bytes, &origin, &name) {
                        Verdict::Accepted => {
                            cli.build(bytes, &origin, &name, Duration::from_secs(60))
                        }
                        other => other,
                    },
                };
                matches!(v, Verdict::Finding(f) if f.id() == want || (f.kind == FindingKind::Hang && finding.kind == FindingKind::Hang))
            };
            minimise::minimise(&mutant.bytes, deadline, &mut still_fails)
        };
        let saved = self.save(&id, &finding, seed, mutant, &minimal);
        let mut found = self
            .shared
            .findings
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(r) = found.get_mut(&id) {
            r.saved = saved;
        }
    }

    /// Writes the reproducer, the original mutant and a note; returns the
    /// line that says how to replay it.
    fn save(
        &self,
        id: &str,
        finding: &Finding,
        seed: &Seed,
        mutant: &mutate::Mutant,
        minimal: &[u8],
    ) -> String {
        let slug: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let out = &self.shared.out;
        let repro = out.join(format!("{slug}.plat"));
        let _ = std::fs::write(&repro, minimal);
        let _ = std::fs::write(out.join(format!("{slug}.orig.plat")), &mutant.bytes);
        let replay = format!(
            "cargo run --release -p frontfuzz -- --replay {} --as {}",
            repro.display(),
            seed.path.display()
        );
        let note = format!(
            "finding: {id}\nfrom: {} mutated by {}\nminimised: {} bytes (unminimised: {}.orig.plat, {} bytes)\nreplay: {replay}\n\n{}\n",
            seed.display,
            mutant.what.join("+"),
            minimal.len(),
            slug,
            mutant.bytes.len(),
            finding.detail
        );
        let _ = std::fs::write(out.join(format!("{slug}.txt")), note);
        println!(
            "frontfuzz: saved {} ({} bytes); replay: {replay}",
            repro.display(),
            minimal.len()
        );
        format!(
            "{} ({} bytes); replay: {replay}",
            repro.display(),
            minimal.len()
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Runner {
    InProcess,
    Cli,
    Build,
}

impl Runner {
    fn name(self) -> &'static str {
        match self {
            Runner::InProcess => "in-process",
            Runner::Cli => "plat-check",
            Runner::Build => "plat-build",
        }
    }
}
