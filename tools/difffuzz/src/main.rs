//! difffuzz: the differential fuzzer of issue 15. It generates random
//! well-typed Plat programs whose expected output is computed as they are
//! generated (a model of Plat's values in Rust), compiles each with `plat
//! build`, runs it (concurrent ones under several schedules), compares
//! stdout and exit code, and minimises and saves every mismatch.
//!
//! Usage: difffuzz [--seconds N] [--seed S] [--out DIR] [--jobs J]
//!                 [--checks N] [--category C] [--program I] [--print]

mod ast;
mod gen;
mod minimise;
mod rng;
mod runner;
mod value;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use runner::{Failure, Runner};

struct Opts {
    seconds: u64,
    seed: u64,
    out: Option<PathBuf>,
    jobs: u32,
    checks: u32,
    category: Option<String>,
    program: Option<u64>,
    print: bool,
}

const USAGE: &str = "usage: difffuzz [--seconds N] [--seed S] [--out DIR] [--jobs J] \
[--checks N] [--category C] [--program I [--print]]";

fn parse_args() -> Result<Opts, String> {
    let mut o = Opts {
        seconds: 60,
        seed: 1,
        out: None,
        jobs: 1,
        checks: 6,
        category: None,
        program: None,
        print: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let num = |s: String, name: &str| {
            s.parse::<u64>()
                .map_err(|_| format!("{name}: not a number: {s}"))
        };
        match a.as_str() {
            "--seconds" => o.seconds = num(val("--seconds")?, "--seconds")?,
            "--seed" => o.seed = num(val("--seed")?, "--seed")?,
            "--out" => o.out = Some(PathBuf::from(val("--out")?)),
            "--jobs" => o.jobs = num(val("--jobs")?, "--jobs")?.max(1) as u32,
            "--checks" => o.checks = num(val("--checks")?, "--checks")?.max(1) as u32,
            "--category" => o.category = Some(val("--category")?),
            "--program" => o.program = Some(num(val("--program")?, "--program")?),
            "--print" => o.print = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if let Some(c) = &o.category {
        if !gen::CATEGORIES.contains(&c.as_str()) {
            return Err(format!(
                "unknown category {c}; one of {:?}",
                gen::CATEGORIES
            ));
        }
    }
    Ok(o)
}

/// The workspace root: the nearest ancestor of the current directory (or
/// of this executable) holding a Cargo.toml with `[workspace]`.
fn workspace_root() -> Option<PathBuf> {
    let starts = [std::env::current_dir().ok(), std::env::current_exe().ok()];
    for start in starts.into_iter().flatten() {
        let mut d: Option<&Path> = Some(&start);
        while let Some(dir) = d {
            let toml = dir.join("Cargo.toml");
            if std::fs::read_to_string(&toml).is_ok_and(|t| t.contains("[workspace]")) {
                return Some(dir.to_path_buf());
            }
            d = dir.parent();
        }
    }
    None
}

/// `$PLAT`, or `target/release/plat`, built when missing.
fn find_plat(root: &Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("PLAT") {
        return Ok(PathBuf::from(p));
    }
    let root = root.as_ref().ok_or("no workspace root found; set PLAT")?;
    let plat = root.join("target/release/plat");
    if !plat.exists() {
        eprintln!("difffuzz: building {}", plat.display());
        let st = Command::new("cargo")
            .args(["build", "--release", "-p", "platc", "--bin", "plat"])
            .current_dir(root)
            .status()
            .map_err(|e| format!("running cargo: {e}"))?;
        if !st.success() {
            return Err("building plat failed".into());
        }
    }
    Ok(plat)
}

/// The generator's seed for program `i` of campaign `seed`.
fn program_seed(seed: u64, i: u64) -> u64 {
    seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn make_program(o: &Opts, i: u64) -> gen::Program {
    let mut rng = rng::Rng::new(program_seed(o.seed, i));
    gen::program(&mut rng, o.checks, o.category.as_deref())
}

#[derive(Default)]
struct Stats {
    programs: u64,
    by_category: BTreeMap<&'static str, u64>,
    findings: Vec<String>,
    seen: Vec<String>,
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let (Some(i), true) = (o.program, o.print) {
        let p = make_program(&o, i);
        print!("{}", p.render_all());
        return ExitCode::SUCCESS;
    }
    let root = workspace_root();
    let plat = match find_plat(&root) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("difffuzz: {e}");
            return ExitCode::from(2);
        }
    };
    let out = o.out.clone().unwrap_or_else(|| {
        root.clone()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("target/fuzz/difffuzz")
    });
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("difffuzz: creating {}: {e}", out.display());
        return ExitCode::from(2);
    }
    let out = std::fs::canonicalize(&out).unwrap_or(out);
    let plat = std::fs::canonicalize(&plat).unwrap_or(plat);
    let o = Arc::new(o);
    let stats = Arc::new(Mutex::new(Stats::default()));
    let next = Arc::new(AtomicU64::new(o.program.unwrap_or(0)));
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let mut workers = Vec::new();
    for job in 0..o.jobs {
        let (o, stats, next) = (o.clone(), stats.clone(), next.clone());
        let runner = Runner {
            plat: plat.clone(),
            dir: runner::scratch(&out, job),
            compile_timeout: Duration::from_secs(60),
            run_timeout: Duration::from_secs(10),
        };
        let out = out.clone();
        workers.push(std::thread::spawn(move || loop {
            if Instant::now() >= deadline && o.program.is_none() {
                break;
            }
            let i = next.fetch_add(1, Ordering::SeqCst);
            if o.program.is_some_and(|p| p != i) {
                break;
            }
            let prog = make_program(&o, i);
            fuzz_one(&o, &runner, &out, i, prog, &stats);
        }));
    }
    for w in workers {
        let _ = w.join();
    }
    let s = stats.lock().unwrap_or_else(PoisonError::into_inner);
    let cats: Vec<String> = s
        .by_category
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    println!(
        "difffuzz: seed {}, {} programs, {} checks ({}), {} finding(s)",
        o.seed,
        s.programs,
        s.by_category.values().sum::<u64>(),
        cats.join(", "),
        s.findings.len()
    );
    for f in &s.findings {
        println!("  {f}");
    }
    if s.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("  (findings in {})", out.display());
        ExitCode::from(1)
    }
}

fn fuzz_one(
    o: &Opts,
    runner: &Runner,
    out: &Path,
    i: u64,
    prog: gen::Program,
    stats: &Mutex<Stats>,
) {
    let exp = match prog.expected() {
        Ok(e) => e,
        Err(why) => {
            // A generator bug: report it like a finding, it must be fixed.
            let mut s = stats.lock().unwrap_or_else(PoisonError::into_inner);
            s.findings
                .push(format!("program {i}: the model cannot evaluate it: {why}"));
            return;
        }
    };
    let failure = runner.check(&prog.render(), &prog.files(), &exp, prog.concurrent());
    {
        let mut s = stats.lock().unwrap_or_else(PoisonError::into_inner);
        s.programs += 1;
        for c in &prog.checks {
            *s.by_category.entry(c.category).or_default() += 1;
        }
    }
    let Some(f) = failure else { return };
    let mut m = minimise::Minimiser {
        runner,
        kind: f.kind,
        budget: 300,
        last: None,
    };
    let small = m.run(prog);
    let f: Failure = m.last.unwrap_or(f);
    let sig = format!(
        "{} {}",
        f.kind.name(),
        f.detail.lines().next().unwrap_or("")
    );
    let mut s = stats.lock().unwrap_or_else(PoisonError::into_inner);
    if s.seen.contains(&sig) {
        s.findings.push(format!(
            "program {i}: {} (same as an earlier finding)",
            f.kind.name()
        ));
        return;
    }
    s.seen.push(sig);
    let name = format!("seed{}_prog{i}_{}", o.seed, f.kind.name());
    let line = save(out, &name, &small, &f, o.seed, i);
    s.findings.push(line);
}

/// Writes NAME.plat, NAME.expected and a README line; returns the line.
fn save(out: &Path, name: &str, p: &gen::Program, f: &Failure, seed: u64, i: u64) -> String {
    let exp = p.expected().unwrap_or(gen::Expected {
        stdout: String::new(),
        exit: 0,
    });
    // A program with modules is saved in a folder of its own (its
    // modules beside it); a plain one as a single file.
    let files = p.files();
    let main = if files.is_empty() {
        format!("{name}.plat")
    } else {
        let _ = std::fs::create_dir_all(out.join(name));
        for (path, text) in &files {
            let f = out.join(name).join(path);
            if let Some(d) = f.parent() {
                let _ = std::fs::create_dir_all(d);
            }
            let _ = std::fs::write(f, text);
        }
        format!("{name}/{name}.plat")
    };
    let _ = std::fs::write(out.join(&main), p.render());
    let _ = std::fs::write(out.join(format!("{name}.expected")), &exp.stdout);
    let sched = match f.schedule {
        Some((w, s, g)) => {
            let mut env = String::from(" under");
            if w > 0 {
                env.push_str(&format!(" PLAT_WORKERS={w} PLAT_SEED={s}"));
            }
            if g > 0 {
                env.push_str(&format!(" PLAT_GC_STRESS={g}"));
            }
            env
        }
        None => String::new(),
    };
    let line = format!(
        "{name}: {}{sched}: {} (expected exit {}; replay: plat build {main} -o t && ./t | diff {name}.expected -; regenerate: difffuzz --seed {seed} --program {i} --print)",
        f.kind.name(),
        f.detail.lines().next().unwrap_or(""),
        exp.exit
    );
    if let Ok(mut r) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out.join("README"))
    {
        let _ = writeln!(r, "{line}");
        if f.detail.lines().count() > 1 {
            for l in f.detail.lines().skip(1) {
                let _ = writeln!(r, "    {l}");
            }
        }
    }
    line
}
