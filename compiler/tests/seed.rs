//! PLAT_SEED makes a schedule replayable: a program whose output depends
//! on the interleaving of its tasks prints the same thing for the same
//! seed every time, and different things for different seeds.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const PLAT: &str = env!("CARGO_BIN_EXE_plat");

fn build(dir: &Path) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let exe = dir.join("interleaving");
    let status = Command::new(PLAT)
        .current_dir(&root)
        .args(["build", "tests/seed/interleaving.plat", "-o"])
        .arg(&exe)
        .status()
        .expect("run plat build");
    assert!(status.success(), "plat build failed");
    exe
}

fn run(exe: &Path, seed: u64) -> String {
    let out = Command::new(exe)
        .env("PLAT_SEED", seed.to_string())
        .output()
        .expect("run the program");
    assert!(out.status.success(), "the program failed with seed {seed}");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.ends_with("sum 60\n"),
        "unexpected output with seed {seed}:\n{text}"
    );
    text
}

#[test]
fn same_seed_same_output_and_seeds_differ() {
    let dir = std::env::temp_dir().join(format!("plat-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let exe = build(&dir);

    let first = run(&exe, 7);
    for _ in 0..19 {
        assert_eq!(
            run(&exe, 7),
            first,
            "PLAT_SEED=7 gave two different outputs"
        );
    }

    let outputs: BTreeSet<String> = (1..=20).map(|seed| run(&exe, seed)).collect();
    assert!(
        outputs.len() >= 2,
        "20 seeds all produced the same interleaving"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
