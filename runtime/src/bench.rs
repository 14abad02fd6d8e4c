//! The `plat bench` runner (docs/testing.md): measures each `bench_*`
//! case of the compiled case table (the same table as `plat test`'s, see
//! `sched::testrun::CaseEntry`).
//!
//! Per benchmark, within a time budget `B` (`--time-ms`, default 1000):
//! a warm-up of `B/10` (at least one call) estimates the cost of a call;
//! then samples of `k` calls each, `k` chosen so that a sample takes about
//! `B/50`, are timed until the budget is spent (at least
//! [`MIN_SAMPLES`]). Reported per benchmark: the calls timed, and the
//! median, mean and standard deviation of the per-call time over the
//! samples. Each call's result goes through `std::hint::black_box`, an
//! opaque sink, so the work cannot be optimised away.
//!
//! Benchmarks run one after the other in the main task; a panic in one
//! ends the run, as in a program.

use std::time::{Duration, Instant};

use crate::ctx::PlatCtx;
use crate::sched::testrun::{module_name, selected, CaseEntry};
use crate::stdout;

/// Samples taken at least, even past the budget.
pub const MIN_SAMPLES: usize = 5;
/// Default time budget per benchmark.
pub const DEFAULT_BUDGET_MS: u64 = 1000;

struct Config {
    filters: Vec<String>,
    json: bool,
    budget: Duration,
}

fn config() -> Result<Config, String> {
    let mut c = Config {
        filters: Vec::new(),
        json: false,
        budget: Duration::from_millis(DEFAULT_BUDGET_MS),
    };
    let args: Vec<String> = crate::entry::args()
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-f" | "--filter" => c.filters.extend(it.next()),
            "--json" => c.json = true,
            "--time-ms" => {
                let v = it.next().unwrap_or_default();
                let ms: u64 = v
                    .parse()
                    .ok()
                    .filter(|&ms| ms > 0)
                    .ok_or(format!("--time-ms needs a positive number, not `{v}`"))?;
                c.budget = Duration::from_millis(ms);
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(c)
}

/// One benchmark's figures (per-call times in nanoseconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub iterations: u64,
    pub median: f64,
    pub mean: f64,
    pub stddev: f64,
}

/// Median, mean and (sample) standard deviation of per-call times.
pub fn stats(samples: &[f64], iterations: u64) -> Stats {
    let n = samples.len().max(1) as f64;
    let mean = samples.iter().sum::<f64>() / n;
    let var = if samples.len() > 1 {
        samples.iter().map(|s| (s - mean) * (s - mean)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let median = match sorted.len() {
        0 => 0.0,
        l if l % 2 == 1 => sorted[l / 2],
        l => (sorted[l / 2 - 1] + sorted[l / 2]) / 2.0,
    };
    Stats {
        iterations,
        median,
        mean,
        stddev: var.sqrt(),
    }
}

/// `k` calls of `e`, timed.
fn timed(ctx: *mut PlatCtx, e: &CaseEntry, k: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..k {
        // SAFETY: a compiled case wrapper, called on the main task with
        // its context.
        let r = unsafe { (e.run)(ctx) };
        std::hint::black_box(r);
    }
    start.elapsed()
}

fn measure(ctx: *mut PlatCtx, e: &CaseEntry, budget: Duration) -> Stats {
    // Warm-up: at least one call, about a tenth of the budget.
    let warm_budget = budget / 10;
    let warm_start = Instant::now();
    let mut warm_calls = 0u64;
    let mut batch = 1u64;
    while warm_calls == 0 || warm_start.elapsed() < warm_budget {
        timed(ctx, e, batch);
        warm_calls += batch;
        batch = (batch * 2).min(1 << 20);
    }
    let per_call = warm_start.elapsed().as_nanos() as f64 / warm_calls as f64;
    let sample_target = budget.as_nanos() as f64 / 50.0;
    let k = ((sample_target / per_call.max(1.0)) as u64).max(1);
    let mut samples = Vec::new();
    let mut iterations = 0u64;
    let start = Instant::now();
    while samples.len() < MIN_SAMPLES || start.elapsed() < budget {
        let t = timed(ctx, e, k);
        samples.push(t.as_nanos() as f64 / k as f64);
        iterations += k;
    }
    stats(&samples, iterations)
}

/// A time in nanoseconds with a readable unit.
pub fn human(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Runs the benchmarks of `table` (`count` entries); returns the exit
/// code.
///
/// # Safety
///
/// `ctx` is the main task's context; `table` points to `count` entries
/// that live for the whole process.
#[no_mangle]
pub unsafe extern "C" fn plat_bench_main(
    ctx: *mut PlatCtx,
    table: *const CaseEntry,
    count: i64,
) -> i32 {
    let cases: &[CaseEntry] = if count <= 0 {
        &[]
    } else {
        // SAFETY: contract above.
        unsafe { std::slice::from_raw_parts(table, count as usize) }
    };
    let cfg = match config() {
        Ok(c) => c,
        Err(e) => {
            stdout::flush();
            stdout::write_all(2, format!("error: {e}\n").as_bytes());
            return 2;
        }
    };
    let module = cases
        .first()
        .map(|e| module_name(&e.location()))
        .unwrap_or_default();
    let chosen: Vec<&CaseEntry> = cases
        .iter()
        .filter(|e| selected(&cfg.filters, &module, e))
        .collect();
    let width = chosen
        .iter()
        .map(|e| e.shown().chars().count())
        .max()
        .unwrap_or(0)
        .max("benchmark".len());
    if !cfg.json {
        stdout::print_line(
            format!(
                "{:<width$}  {:>12}  {:>12}  {:>12}  {:>12}",
                "benchmark", "iterations", "median", "mean", "stddev"
            )
            .as_bytes(),
        );
    }
    let mut json = Vec::new();
    for e in chosen {
        let s = measure(ctx, e, cfg.budget);
        if cfg.json {
            json.push(format!(
                "  {{\"name\": {}, \"iterations\": {}, \"median_ns\": {:.3}, \"mean_ns\": {:.3}, \"stddev_ns\": {:.3}}}",
                json_string(&e.shown()),
                s.iterations,
                s.median,
                s.mean,
                s.stddev
            ));
        } else {
            stdout::print_line(
                format!(
                    "{:<width$}  {:>12}  {:>12}  {:>12}  {:>12}",
                    e.shown(),
                    s.iterations,
                    human(s.median),
                    human(s.mean),
                    human(s.stddev)
                )
                .as_bytes(),
            );
        }
    }
    if cfg.json {
        stdout::print_line(format!("[\n{}\n]", json.join(",\n")).as_bytes());
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_that_stats_are_the_median_mean_and_sample_stddev() {
        let s = stats(&[1.0, 2.0, 3.0, 10.0], 40);
        assert_eq!(s.median, 2.5);
        assert_eq!(s.mean, 4.0);
        assert!((s.stddev - (50.0f64 / 3.0).sqrt()).abs() < 1e-9);
        assert_eq!(stats(&[5.0], 1).stddev, 0.0);
    }

    #[test]
    fn ensure_that_times_get_readable_units() {
        assert_eq!(human(12.34), "12.3 ns");
        assert_eq!(human(1500.0), "1.50 µs");
        assert_eq!(human(2.5e6), "2.50 ms");
        assert_eq!(human(3e9), "3.00 s");
    }
}
