//! `random_int` and `random_float`: pseudo-random numbers for programs
//! (not for cryptography).
//!
//! # Design
//!
//! Normally each thread has its own SplitMix64 generator, seeded once
//! from the OS (`getrandom`), so draws cost a few instructions and no
//! lock; if `getrandom` fails the seed mixes the clock and the thread's
//! address instead.
//!
//! In seeded mode (`PLAT_SEED=N`) the program's draws come from one
//! generator whose state starts from N (mixed with a constant, so that it
//! is not the scheduler's stream). Seeded mode runs every task on one
//! worker in an order fixed by N, so the sequence of draws, and thus a
//! whole run, replays exactly with the same N. [`capture_seed`] reads N
//! once, before `env_set` could change `PLAT_SEED`.
//!
//! `random_int(min, max)` is uniform over `[min, max]` (Lemire's
//! multiply-and-reject, no modulo bias); `min > max` is a panic.
//! `random_float()` is uniform over `[0, 1)` with 53 random bits.

use std::cell::Cell;
use std::sync::{Mutex, OnceLock};

use crate::sched::seed;

/// Mixed into `PLAT_SEED` so the program's stream differs from the
/// scheduler's.
const STREAM: u64 = 0x706c_6174_5f72_6e67; // "plat_rng"

static SEED: OnceLock<u64> = OnceLock::new();
static SEEDED_STATE: Mutex<Option<u64>> = Mutex::new(None);

thread_local! {
    static STATE: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Reads `PLAT_SEED` for the seeded stream, once (a no-op outside seeded
/// mode and after the first call).
pub fn capture_seed() {
    if seed::is_seeded() {
        seeded_start();
    }
}

fn seeded_start() -> u64 {
    *SEED.get_or_init(|| {
        let n = std::env::var("PLAT_SEED")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0);
        n ^ STREAM
    })
}

/// The next 64 random bits.
pub fn next_u64() -> u64 {
    if seed::is_seeded() {
        let start = seeded_start();
        let mut st = SEEDED_STATE.lock().unwrap_or_else(|e| e.into_inner());
        let (s, out) = seed::splitmix64(st.unwrap_or(start));
        *st = Some(s);
        return out;
    }
    STATE.with(|c| {
        let state = c.get().unwrap_or_else(os_seed);
        let (s, out) = seed::splitmix64(state);
        c.set(Some(s));
        out
    })
}

/// A seed from the OS, or from the clock and this thread if that fails.
fn os_seed() -> u64 {
    let mut buf = [0u8; 8];
    // SAFETY: `buf` is 8 writable bytes.
    let n = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    if n == 8 {
        return u64::from_ne_bytes(buf);
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let here = &buf as *const [u8; 8] as u64;
    seed::splitmix64(nanos ^ here.rotate_left(32)).1
}

/// A uniform integer in `[min, max]`, or the panic message when
/// `min > max`.
pub fn int_in(min: i64, max: i64) -> Result<i64, String> {
    if min > max {
        return Err(format!(
            "random_int: min ({min}) is greater than max ({max})"
        ));
    }
    // The number of values, minus one (fits in u64 for every range).
    let span_m1 = max.wrapping_sub(min) as u64;
    if span_m1 == u64::MAX {
        return Ok(next_u64() as i64);
    }
    Ok(min.wrapping_add(below(span_m1 + 1) as i64))
}

/// A uniform integer in `[0, n)` (`n > 0`), Lemire's method.
fn below(n: u64) -> u64 {
    let mut m = u128::from(next_u64()) * u128::from(n);
    if (m as u64) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u64) < threshold {
            m = u128::from(next_u64()) * u128::from(n);
        }
    }
    (m >> 64) as u64
}

/// A uniform float in `[0, 1)`.
pub fn float() -> f64 {
    (next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_stay_in_bounds_and_cover_a_small_range() {
        let mut seen = [false; 5];
        for _ in 0..2000 {
            let v = int_in(-2, 2).unwrap();
            assert!((-2..=2).contains(&v));
            seen[(v + 2) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(int_in(7, 7), Ok(7));
        let _ = int_in(i64::MIN, i64::MAX).unwrap();
        let v = int_in(i64::MAX - 1, i64::MAX).unwrap();
        assert!(v >= i64::MAX - 1);
    }

    #[test]
    fn min_above_max_is_an_error_naming_both() {
        let e = int_in(3, 1).unwrap_err();
        assert!(e.contains("min (3)") && e.contains("max (1)"), "{e}");
    }

    #[test]
    fn floats_are_in_the_unit_interval() {
        for _ in 0..1000 {
            let f = float();
            assert!((0.0..1.0).contains(&f));
        }
    }
}
