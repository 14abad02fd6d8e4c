//! The process environment as the `env_*` built-ins see it.
//!
//! # Design
//!
//! Every read and write of the environment made by the runtime goes
//! through [`LOCK`], so `env_set` in one task never races `env_get` or
//! `env_vars` in another, nor the environment snapshot a child process
//! of `process_run` starts with (Rust's `Command` copies it under the
//! standard library's own environment lock, which `set_var` also takes).
//!
//! What no lock here can protect: C code in the process that reads the
//! environment with `getenv` while `env_set` changes it (for example a
//! name lookup inside libc reading `LOCALDOMAIN`). `env_set` is meant for
//! setting up a program's own configuration, typically before it starts
//! concurrent work.
//!
//! Names and values: a name that is empty or contains `=` or NUL is
//! rejected (`env_set` returns false and changes nothing; `env_get`
//! returns `None`), as is a value containing NUL. Names and values that
//! are not valid UTF-8 (set by the parent process) come back with each
//! invalid sequence replaced by U+FFFD.

use std::ffi::OsString;
use std::sync::{Mutex, MutexGuard};

static LOCK: Mutex<()> = Mutex::new(());

fn lock() -> MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether `name` can name an environment variable.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['=', '\0'])
}

/// The value of `name`, if it is set.
pub fn get(name: &str) -> Option<String> {
    if !valid_name(name) {
        return None;
    }
    let _g = lock();
    std::env::var_os(name).map(lossy)
}

/// Sets `name` to `value`; false (and no change) when either is invalid
/// (see the module doc).
pub fn set(name: &str, value: &str) -> bool {
    if !valid_name(name) || value.contains('\0') {
        return false;
    }
    // A seeded run's random stream comes from `PLAT_SEED`: read it before
    // the program can change it.
    super::random::capture_seed();
    let _g = lock();
    std::env::set_var(name, value);
    true
}

/// Every variable as a `NAME=value` line (each ending in `\n`), sorted
/// by name (byte order).
pub fn vars() -> String {
    let mut all: Vec<(String, String)> = {
        let _g = lock();
        std::env::vars_os()
            .map(|(k, v)| (lossy(k), lossy(v)))
            .collect()
    };
    all.sort();
    let mut out = String::new();
    for (k, v) in all {
        out.push_str(&k);
        out.push('=');
        out.push_str(&v);
        out.push('\n');
    }
    out
}

fn lossy(s: OsString) -> String {
    s.into_string()
        .unwrap_or_else(|s| s.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_names_and_values_are_refused_without_a_change() {
        assert!(!set("", "x"));
        assert!(!set("A=B", "x"));
        assert!(!set("A\0B", "x"));
        assert!(!set("PLAT_ENV_TEST_NUL", "a\0b"));
        assert_eq!(get("PLAT_ENV_TEST_NUL"), None);
        assert_eq!(get(""), None);
        assert_eq!(get("A=B"), None);
    }

    #[test]
    fn a_set_variable_is_read_back_and_listed_in_order() {
        assert!(set("PLAT_ENV_TEST_B", "2"));
        assert!(set("PLAT_ENV_TEST_A", "1=one"));
        assert_eq!(get("PLAT_ENV_TEST_A").as_deref(), Some("1=one"));
        let all = vars();
        let a = all.find("PLAT_ENV_TEST_A=1=one\n").expect("A listed");
        let b = all.find("PLAT_ENV_TEST_B=2\n").expect("B listed");
        assert!(a < b);
        let names: Vec<&str> = all.lines().map(|l| l.split('=').next().unwrap()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }
}
