//! Tests of the collection entry points, called as compiled code calls
//! them, with descriptors built by `crate::testdesc`.

mod bench;
mod dict;
mod list;
mod races;
mod set;
mod widths;

use crate::collections::list::PlatList;
use crate::gc::shape::PlatShape;
use crate::string;
use crate::value::plat_value_to_string;

/// The rendering of a value, as a Rust string.
fn show(slot: u64, desc: &'static PlatShape) -> String {
    // SAFETY: test values are valid and never freed.
    unsafe { string::as_str(plat_value_to_string(slot, desc)).to_owned() }
}

/// The elements of a list, as slots.
fn slots(l: *mut PlatList) -> Vec<u64> {
    // SAFETY: a valid test list.
    unsafe { (*l).to_slots() }
}

/// Runs each case of `cases` in its own copy of this test binary (the
/// test `test`, told which case by `PLAT_RT_CASE`) and returns the exit
/// code and stderr of each; in a child, runs its case instead (which
/// should not return) and returns nothing.
fn each_in_child(test: &str, cases: &[(&str, fn())]) -> Vec<(String, i32, String)> {
    if let Ok(name) = std::env::var("PLAT_RT_CASE") {
        if let Some((_, case)) = cases.iter().find(|c| c.0 == name) {
            case();
        }
        return Vec::new();
    }
    cases
        .iter()
        .map(|(name, _)| {
            let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
                .args(["--exact", test, "--nocapture", "--test-threads=1"])
                .env("PLAT_RT_CASE", name)
                .output()
                .expect("child runs");
            (
                name.to_string(),
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect()
}

/// Runs `child` in a copy of this test binary (selected by `test`, the
/// test's full path) and returns its exit code and stderr; the child
/// process is told apart by the environment variable `PLAT_RT_CHILD`.
fn in_child(test: &str, child: impl FnOnce()) -> Option<(i32, String)> {
    if std::env::var_os("PLAT_RT_CHILD").is_some() {
        child();
        return None;
    }
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env("PLAT_RT_CHILD", "1")
        .output()
        .expect("child runs");
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}
