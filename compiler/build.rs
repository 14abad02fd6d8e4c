//! Builds the runtime archive (`libplat_rt.a`) and hands it to the compiler
//! so that a fresh clone needs no other step: `cargo run --release -- run
//! examples/hello.plat` just works.
//!
//! 1. Runs a nested `cargo build --release -p plat_rt --lib` with its own
//!    target directory (`<workspace>/target/plat-runtime`), so it never
//!    waits on the outer build's lock, and with the variables the outer
//!    cargo sets for build scripts removed (they would leak into and break
//!    the nested build: target dir, rustflags, jobserver, wrappers...).
//!    The runtime is always optimised, whatever the compiler's profile.
//! 2. Copies the archive to `OUT_DIR` and strips its debug info there
//!    (when `strip` exists): about 40% smaller and twice as fast to link.
//! 3. Exports to the compiler crate (see `src/link.rs`):
//!    - `PLAT_RUNTIME_ARCHIVE`: path of the archive, for `include_bytes!`;
//!    - `PLAT_RUNTIME_HASH`: a hash of its bytes, naming its cache copy;
//!    - `PLAT_RUNTIME_LIBS`: the native libraries it needs, space-separated.

use std::env;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What `rustc --print native-static-libs` reports for the runtime on
/// Linux (checked by linking a test program against it).
const LINUX_LIBS: &str = "-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc";
const MACOS_LIBS: &str = "-lSystem -lc -lm";

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .parent()
        .expect("compiler/ is inside the workspace")
        .to_path_buf();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target = env::var("TARGET").expect("cargo sets TARGET");
    let host = env::var("HOST").expect("cargo sets HOST");

    for path in [
        "abi/src",
        "abi/Cargo.toml",
        "runtime/src",
        "runtime/Cargo.toml",
        "Cargo.lock",
        "Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={}", workspace.join(path).display());
    }
    println!("cargo:rerun-if-changed=build.rs");

    let built = build_runtime(&workspace, &target, &host);
    let archive = out_dir.join("libplat_rt.a");
    std::fs::copy(&built, &archive).unwrap_or_else(|e| {
        panic!(
            "cannot copy {} to {}: {e}",
            built.display(),
            archive.display()
        )
    });
    strip_debug_info(&archive);

    let bytes = std::fs::read(&archive)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", archive.display()));
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(&bytes);
    hasher.write_usize(bytes.len());

    let libs = if target.contains("apple") {
        MACOS_LIBS
    } else {
        LINUX_LIBS
    };
    println!("cargo:rustc-env=PLAT_RUNTIME_ARCHIVE={}", archive.display());
    println!("cargo:rustc-env=PLAT_RUNTIME_HASH={:016x}", hasher.finish());
    println!("cargo:rustc-env=PLAT_RUNTIME_LIBS={libs}");
}

/// Runs the nested cargo and returns the path of the archive it built.
fn build_runtime(workspace: &Path, target: &str, host: &str) -> PathBuf {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = workspace.join("target").join("plat-runtime");
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--release")
        .args(["-p", "plat_rt", "--lib"])
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir);
    let mut release_dir = target_dir.clone();
    if target != host {
        cmd.args(["--target", target]);
        release_dir.push(target);
    }
    release_dir.push("release");
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if leaks_into_nested_cargo(key) {
            cmd.env_remove(key);
        }
    }
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo to build the runtime: {e}"));
    // Cargo shows a build script's stderr when it fails (or with -vv).
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    if !output.status.success() {
        panic!("building the runtime (plat_rt) failed: {}", output.status);
    }
    release_dir.join("libplat_rt.a")
}

/// Whether an environment variable set by the outer cargo (or the user's
/// build settings) must not reach the nested one.
fn leaks_into_nested_cargo(key: &str) -> bool {
    const KEEP_PREFIXES: &[&str] = &[
        "CARGO_HOME",
        "CARGO_NET_",
        "CARGO_HTTP_",
        "CARGO_REGISTRIES_",
        "CARGO_REGISTRY_",
        "CARGO_TERM_",
    ];
    const REMOVE: &[&str] = &[
        "RUSTFLAGS",
        "RUSTDOCFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_LINKER",
        "MAKEFLAGS",
        "MFLAGS",
        "OUT_DIR",
        "TARGET",
        "HOST",
        "NUM_JOBS",
        "OPT_LEVEL",
        "DEBUG",
        "PROFILE",
    ];
    if key.starts_with("CARGO") {
        // CARGO, CARGO_TARGET_DIR, CARGO_ENCODED_RUSTFLAGS, CARGO_MAKEFLAGS,
        // CARGO_PRIMARY_PACKAGE, CARGO_BUILD_*, CARGO_PROFILE_*, CARGO_CFG_*,
        // CARGO_PKG_*, CARGO_MANIFEST_*, CARGO_FEATURE_*...
        return !KEEP_PREFIXES.iter().any(|p| key.starts_with(p));
    }
    key.starts_with("__CARGO") || REMOVE.contains(&key)
}

/// Strips debug info from the archive in place, if a `strip` tool exists;
/// the unstripped archive works too, only slower to link.
fn strip_debug_info(archive: &Path) {
    let strip = env::var("PLAT_STRIP").unwrap_or_else(|_| "strip".to_owned());
    println!("cargo:rerun-if-env-changed=PLAT_STRIP");
    match Command::new(&strip).arg("--strip-debug").arg(archive).output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => println!(
            "cargo:warning=`{strip} --strip-debug` failed on the runtime archive (linking will be slower): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => println!("cargo:warning=cannot run `{strip}` on the runtime archive (linking will be slower): {e}"),
    }
}
