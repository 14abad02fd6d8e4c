//! Deterministic mode (`PLAT_SEED=N`) and the scheduler's random choices.
//!
//! In seeded mode the program runs on one worker (the main thread, no
//! monitor thread), and every scheduling choice is drawn from one
//! SplitMix64 generator seeded with N:
//!
//! - **which runnable task runs next**: runnable tasks sit in the
//!   worker's `bag`; the next one is picked uniformly at random
//!   (`sched::find_task_seeded`);
//! - **preemption points**: every task's `poll` stays non-zero, so each
//!   safepoint of compiled code enters `plat_safepoint`, which yields with
//!   probability 1/[`YIELD_ONE_IN`]; `plat_spawn` yields the spawner with
//!   probability 1/[`SPAWN_YIELD_ONE_IN`] (the child may run first);
//! - **`select` arms**: [`choose`].
//!
//! Time is virtual in seeded mode: [`now`] starts at [`VCLOCK_START`],
//! advances by [`VCLOCK_STEP`] at each switch into a task, and jumps to
//! the earliest timer deadline when no task is runnable, so sleeps and
//! deadlines fire in an order that depends only on the seed (and cost no
//! wall-clock time). `time_now()` (the epoch clock) stays real.
//!
//! Outside seeded mode, [`choose`] uses a per-thread xorshift generator.
//!
//! # Invariants
//!
//! - `SEEDED` is written once, by [`init_from_env`] before the scheduler
//!   starts, and only read afterwards (Relaxed suffices: the worker
//!   thread that reads it is the thread that wrote it).
//! - `STATE` and `VCLOCK` are read and written only by the single worker
//!   thread of seeded mode (plain Relaxed loads and stores, no RMW: there
//!   is no concurrent writer). A stray call from another thread could only
//!   break determinism, never memory safety.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// `plat_safepoint` yields with probability 1/`YIELD_ONE_IN` when seeded.
pub const YIELD_ONE_IN: u64 = 8;
/// `plat_spawn` yields the spawner with probability 1/`SPAWN_YIELD_ONE_IN`.
pub const SPAWN_YIELD_ONE_IN: u64 = 4;
/// The virtual clock's first reading (nanoseconds).
pub const VCLOCK_START: u64 = 1_000_000_000;
/// Virtual nanoseconds per switch into a task.
pub const VCLOCK_STEP: u64 = 1_000;

static SEEDED: AtomicBool = AtomicBool::new(false);
static STATE: AtomicU64 = AtomicU64::new(0);
static VCLOCK: AtomicU64 = AtomicU64::new(VCLOCK_START);

/// Reads `PLAT_SEED` (a decimal `u64`) and enters seeded mode if set.
/// Returns whether seeded mode is on.
pub fn init_from_env() -> bool {
    match std::env::var("PLAT_SEED")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        Some(seed) => {
            enable(seed);
            true
        }
        None => false,
    }
}

/// The seed seeded mode started with.
static INITIAL: AtomicU64 = AtomicU64::new(0);

/// The seed of `PLAT_SEED` (seeded mode only).
pub fn initial() -> u64 {
    INITIAL.load(Ordering::Relaxed)
}

/// Restarts the generator at `seed` (the test runner, before each case,
/// so a case's schedule does not depend on the cases before it).
pub fn reseed(seed: u64) {
    STATE.store(seed, Ordering::Relaxed);
}

/// Enters seeded mode with `seed` (before the scheduler starts).
pub fn enable(seed: u64) {
    INITIAL.store(seed, Ordering::Relaxed);
    STATE.store(seed, Ordering::Relaxed);
    VCLOCK.store(VCLOCK_START, Ordering::Relaxed);
    SEEDED.store(true, Ordering::Relaxed);
}

/// Whether the runtime runs in deterministic mode.
#[inline]
pub fn is_seeded() -> bool {
    SEEDED.load(Ordering::Relaxed)
}

/// One SplitMix64 step on `state`: the new state and the output.
pub fn splitmix64(state: u64) -> (u64, u64) {
    let s = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (s, z ^ (z >> 31))
}

/// The next output of the seeded generator.
pub fn next() -> u64 {
    let (s, out) = splitmix64(STATE.load(Ordering::Relaxed));
    STATE.store(s, Ordering::Relaxed);
    out
}

/// A uniform-enough index below `n` (`n > 0`) from the seeded generator.
pub fn below(n: usize) -> usize {
    // Multiply-shift: unbiased enough for scheduling, no division.
    (((next() >> 32) * n as u64) >> 32) as usize
}

/// True with probability 1/`k` (seeded generator).
pub fn one_in(k: u64) -> bool {
    next().is_multiple_of(k)
}

thread_local! {
    static FAST: Cell<u64> = const { Cell::new(0) };
}

/// A fast per-thread xorshift64* draw (not seeded mode).
fn fast_next() -> u64 {
    FAST.with(|c| {
        let mut x = c.get();
        if x == 0 {
            // First use on this thread: mix the thread-local's address and
            // the clock (never 0 after mixing with an odd constant).
            let addr = c as *const Cell<u64> as u64;
            x = splitmix64(addr ^ super::real_nanos()).1 | 1;
        }
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        c.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// Picks one of `n` alternatives (`n > 0`), e.g. a ready `select` arm:
/// from the seeded generator in seeded mode (reproducible), else from a
/// fast per-thread generator.
pub fn choose(n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    if is_seeded() {
        below(n)
    } else {
        (((fast_next() >> 32) * n as u64) >> 32) as usize
    }
}

/// The virtual clock (nanoseconds), seeded mode only.
pub fn now() -> u64 {
    VCLOCK.load(Ordering::Relaxed)
}

/// Advances the virtual clock by `ns`.
pub fn advance(ns: u64) {
    VCLOCK.store(now().saturating_add(ns), Ordering::Relaxed);
}

/// Moves the virtual clock forward to `t` (never backwards).
pub fn advance_to(t: u64) {
    if t > now() {
        VCLOCK.store(t, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_that_splitmix_is_reproducible_and_spreads() {
        let run = |seed| {
            let mut s = seed;
            (0..8)
                .map(|_| {
                    let (n, o) = splitmix64(s);
                    s = n;
                    o
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
        // Known first output of SplitMix64 from state 0.
        assert_eq!(splitmix64(0).1, 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn ensure_that_choose_stays_in_range() {
        for n in 1..50 {
            for _ in 0..100 {
                assert!(choose(n) < n);
            }
        }
        let mut seen = [false; 4];
        for _ in 0..1000 {
            seen[choose(4)] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }
}
