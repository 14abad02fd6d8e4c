//! What the integration tests that build and run Plat programs share
//! (each test file includes it with `mod support;`).

#![allow(dead_code, reason = "each test file uses only some of these helpers")]

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Mutex;
use std::time::Duration;

pub const PLAT: &str = env!("CARGO_BIN_EXE_plat");

/// Builds `tests/FOLDER/NAME.plat` (from the workspace root, so paths in
/// messages are stable) into `FOLDER/NAME` under the tests' scratch
/// directory, once per test process: tests run in parallel, and two of
/// them writing one executable at the same time made the loader fail.
pub fn build(folder: &str, name: &str) -> PathBuf {
    static BUILT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(folder);
    let exe = dir.join(name);
    if built.contains(&exe) {
        return exe;
    }
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let status = Command::new(PLAT)
        .current_dir(&root)
        .args(["build", &format!("tests/{folder}/{name}.plat"), "-o"])
        .arg(&exe)
        .status()
        .expect("run plat build");
    assert!(
        status.success(),
        "plat build of tests/{folder}/{name}.plat failed"
    );
    built.push(exe.clone());
    exe
}

/// Kills `child` after a minute, so that a regression fails (its pipes
/// end, and the reads and assertions that follow report it) instead of
/// hanging the test run.
pub fn watchdog(child: &Child) {
    let pid = child.id().to_string();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(60));
        let _ = Command::new("kill").args(["-9", &pid]).status();
    });
}

/// A scratch folder under the system's temporary directory, named after
/// the test and the process, removed at the end.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("plat-scratch-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
