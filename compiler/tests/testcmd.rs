//! `plat test` (its time limit included), `plat bench`, `plat new` and the default `main.plat`,
//! over the fixtures in `tests/testcmd/` (run from that folder, so the
//! locations in the golden output are stable).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::{Scratch, PLAT};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("compiler/ lives in the workspace")
        .join("tests/testcmd")
}

fn plat(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(PLAT);
    cmd.args(args).current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.env_remove("PLAT_SEED");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("plat runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The result lines (`✓`/`✗`) and the summary.
fn results(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with('✓') || l.starts_with('✗') || l.contains(" tests, "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn ensure_that_each_case_passes_or_fails_alone_in_declaration_order() {
    let o = plat(&fixtures(), &["test", "cases.plat", "--serial"], &[]);
    let want = std::fs::read_to_string(fixtures().join("cases.out")).expect("cases.out");
    assert_eq!(stdout(&o), want, "stderr: {}", stderr(&o));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn ensure_that_parallel_runs_report_the_same_results_in_the_same_order() {
    let want = results(&std::fs::read_to_string(fixtures().join("cases.out")).expect("cases.out"));
    for workers in ["1", "2", "4"] {
        let o = plat(
            &fixtures(),
            &["test", "cases.plat"],
            &[("PLAT_WORKERS", workers)],
        );
        assert_eq!(results(&stdout(&o)), want, "PLAT_WORKERS={workers}");
        assert_eq!(o.status.code(), Some(1));
    }
    // Seeded: one worker, cases one at a time.
    let o = plat(&fixtures(), &["test", "cases.plat"], &[("PLAT_SEED", "7")]);
    assert_eq!(results(&stdout(&o)), want, "PLAT_SEED=7");
}

#[test]
fn ensure_that_filters_select_by_block_case_and_module_globs() {
    let o = plat(&fixtures(), &["test", "cases.plat", "-f", "hooks"], &[]);
    assert_eq!(
        results(&stdout(&o)),
        [
            "✓ hooks::test_gets_a_fresh_ctx",
            "✓ hooks::test_again",
            "✓ hooks::test_without_ctx",
            "3 tests, 3 passed, 0 failed"
        ]
    );
    assert_eq!(o.status.code(), Some(0));
    let o = plat(
        &fixtures(),
        &[
            "test",
            "cases.plat",
            "-f",
            "cases.arith.test_s*",
            "-f",
            "*.test_still_?uns",
        ],
        &[],
    );
    assert_eq!(
        results(&stdout(&o)),
        [
            "✓ arith::test_sum",
            "✓ failures::test_still_runs",
            "2 tests, 2 passed, 0 failed"
        ]
    );
    let o = plat(
        &fixtures(),
        &["test", "cases.plat", "-f", "arith.test_wrong"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("1 tests, 0 passed, 1 failed"));
    let o = plat(&fixtures(), &["test", "cases.plat", "-f", "nothing"], &[]);
    assert_eq!(results(&stdout(&o)), ["0 tests, 0 passed, 0 failed"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn ensure_that_malformed_cases_are_errors_of_plat_test_only() {
    let o = plat(
        &fixtures(),
        &["test", "bad_blocks.plat", "--diagnostic-format=short"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for at in ["8:25", "11:6", "17:6", "29:15"] {
        assert!(
            err.contains(&format!("bad_blocks.plat:{at}: error[E0227]")),
            "{at} in {err}"
        );
    }
    assert_eq!(err.lines().count(), 4, "{err}");
    let o = plat(&fixtures(), &["run", "bad_blocks.plat"], &[]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "main runs; test blocks are ignored\n");
}

#[test]
fn ensure_that_schedules_find_the_race_and_each_failing_seed_replays() {
    let o = plat(
        &fixtures(),
        &["test", "racy.plat", "--schedules", "20"],
        &[],
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("✓ counter::test_sequential (20 schedules)"),
        "{out}"
    );
    assert!(
        out.contains("✗ counter::test_two_tasks_increment: failed under "),
        "{out}"
    );
    let seeds: Vec<String> = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("replay: PLAT_SEED="))
        .map(|rest| {
            let (seed, cmd) = rest.split_once(' ').expect("seed then command");
            assert_eq!(
                cmd,
                "plat test racy.plat -f counter.test_two_tasks_increment"
            );
            seed.to_owned()
        })
        .collect();
    assert!(!seeds.is_empty(), "{out}");
    for seed in seeds.iter().take(2) {
        for _ in 0..3 {
            let o = plat(
                &fixtures(),
                &[
                    "test",
                    "racy.plat",
                    "-f",
                    "counter.test_two_tasks_increment",
                ],
                &[("PLAT_SEED", seed)],
            );
            assert_eq!(o.status.code(), Some(1), "seed {seed}");
            assert!(stdout(&o).contains("✗ both increments counted, got 1"));
        }
    }
    // A seed that did not fail passes on replay too.
    let passing = (1..=20)
        .map(|s| s.to_string())
        .find(|s| !seeds.contains(s))
        .expect("some seed passes");
    let o = plat(
        &fixtures(),
        &[
            "test",
            "racy.plat",
            "-f",
            "counter.test_two_tasks_increment",
        ],
        &[("PLAT_SEED", &passing)],
    );
    assert_eq!(o.status.code(), Some(0), "seed {passing}: {}", stdout(&o));
}

#[test]
fn ensure_that_bench_prints_a_table_and_json() {
    let o = plat(
        &fixtures(),
        &["bench", "bench_shapes.plat", "--time-ms", "20"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    let head: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        head,
        ["benchmark", "iterations", "median", "mean", "stddev"]
    );
    for (line, name) in lines[1..].iter().zip([
        "numbers::bench_fib_15",
        "numbers::bench_sum_loop",
        "numbers::bench_unit",
    ]) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols.len(), 8, "{line}");
        assert_eq!(cols[0], name);
        assert!(cols[1].parse::<u64>().is_ok_and(|n| n > 0), "{line}");
        for (value, unit) in [(cols[2], cols[3]), (cols[4], cols[5]), (cols[6], cols[7])] {
            assert!(value.parse::<f64>().is_ok(), "{line}");
            assert!(["ns", "µs", "ms", "s"].contains(&unit), "{line}");
        }
    }
    let o = plat(
        &fixtures(),
        &[
            "bench",
            "bench_shapes.plat",
            "--time-ms",
            "10",
            "--json",
            "-f",
            "*fib*",
        ],
        &[],
    );
    let out = stdout(&o);
    assert!(
        out.starts_with("[\n  {\"name\": \"numbers::bench_fib_15\", \"iterations\": "),
        "{out}"
    );
    for key in ["\"median_ns\": ", "\"mean_ns\": ", "\"stddev_ns\": "] {
        assert!(out.contains(key), "{out}");
    }
    assert_eq!(out.matches("\"name\"").count(), 1);
    let o = plat(
        &fixtures(),
        &["bench", "bench_shapes.plat", "--time-ms", "x"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--time-ms needs a positive number"));
}

#[test]
fn ensure_that_a_new_project_runs_builds_and_tests_as_it_stands() {
    let scratch = Scratch::new("new");
    let o = plat(&scratch.0, &["new", "demo"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let demo = scratch.0.join("demo");
    // `plat run` and `plat build` without FILE use ./main.plat.
    let o = plat(&demo, &["run"], &[]);
    assert_eq!(stdout(&o), "Hello, world!\n", "{}", stderr(&o));
    let o = plat(&demo, &["build"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run = Command::new(demo.join("main"))
        .output()
        .expect("./main runs");
    assert_eq!(stdout(&run), "Hello, world!\n");
    let o = plat(&demo, &["test"], &[]);
    assert_eq!(
        results(&stdout(&o)),
        [
            "✓ greeting::test_greets_by_name",
            "1 tests, 1 passed, 0 failed"
        ]
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(std::fs::read_to_string(demo.join("README.md"))
        .expect("README")
        .contains("plat test"));
    let o = plat(&scratch.0, &["new", "demo"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"));
}

#[test]
fn ensure_that_a_folder_tests_every_file_with_test_blocks() {
    let scratch = Scratch::new("dir");
    let pass = "test a {\n  fn test_one() {\n    assert(condition = true);\n  }\n}\n";
    let fail =
        "test b {\n  fn test_two() {\n    assert(condition = 1 == 2, message = \"no\");\n  }\n}\n";
    std::fs::create_dir_all(scratch.0.join("sub")).expect("sub");
    std::fs::write(scratch.0.join("one.plat"), pass).expect("write");
    std::fs::write(scratch.0.join("sub/two.plat"), fail).expect("write");
    std::fs::write(
        scratch.0.join("lib.plat"),
        "fn f() -> Int64 {\n  return 1;\n}\n",
    )
    .expect("write");
    let o = plat(&scratch.0, &["test"], &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("── one.plat\n✓ a::test_one"), "{out}");
    assert!(out.contains("── sub/two.plat\n✗ b::test_two"), "{out}");
    assert!(
        out.ends_with("all files: 2 tests, 1 passed, 1 failed\n"),
        "{out}"
    );
}

#[test]
fn ensure_that_a_case_past_the_time_limit_fails_and_the_run_goes_on() {
    // Each never-ending case costs the 1 s limit; the others take
    // milliseconds.
    let args = ["test", "timeout.plat", "--timeout", "1"];
    let o = plat(&fixtures(), &[&args[..], &["--serial"]].concat(), &[]);
    let want = std::fs::read_to_string(fixtures().join("timeout.out")).expect("timeout.out");
    assert_eq!(stdout(&o), want, "stderr: {}", stderr(&o));
    assert_eq!(o.status.code(), Some(1));
    // In parallel every case starts at once: the same results, in
    // declaration order.
    for workers in ["1", "2"] {
        let o = plat(&fixtures(), &args, &[("PLAT_WORKERS", workers)]);
        assert_eq!(
            results(&stdout(&o)),
            results(&want),
            "PLAT_WORKERS={workers}"
        );
        assert_eq!(o.status.code(), Some(1));
    }
    // Seeded mode (virtual time, but the limit is real time), and the
    // replay command keeps the limit.
    let o = plat(
        &fixtures(),
        &[
            &args[..],
            &["--schedules", "1", "-f", "limits.test_loops_in_a_task"],
        ]
        .concat(),
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("    seed 1: timed out after 1 s\n"), "{out}");
    assert!(
        out.contains(
            "replay: PLAT_SEED=1 plat test timeout.plat -f limits.test_loops_in_a_task --timeout 1\n"
        ),
        "{out}"
    );
}
