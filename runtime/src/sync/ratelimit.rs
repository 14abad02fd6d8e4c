//! `RateLimiter`: `per_second` events per second with bursts of up to
//! `burst`, as GCRA (the generic cell rate algorithm, equivalent to a
//! token bucket of `burst` tokens refilled every `interval`).
//!
//! The state is one word, `tat` (the theoretical arrival time, monotonic
//! nanoseconds, virtual under `PLAT_SEED`). An event at `now` conforms
//! when `max(tat, now) - now <= tolerance`, where `tolerance = (burst -
//! 1) × interval`; taking it moves `tat` to `max(tat, now) + interval`.
//!
//! - `try_take` takes an event if one conforms now (a CAS loop).
//! - `wait` reserves the next event at once (the same CAS, whether or
//!   not it conforms yet: reservations are served in order) and then
//!   sleeps on a timer until it conforms. A task cancelled while sleeping
//!   gives its reservation back if nobody reserved after it.
//!
//! # Invariants
//!
//! - `tat` only moves by CAS; `interval` and `tolerance` never change.
//!
//! Contract of the entry points: `r` was made by `plat_ratelimiter_new`,
//! `ctx` is the running task's context; `loc` is null or a static
//! `"file:line:col"`.
#![allow(clippy::missing_safety_doc)]

use std::ffi::c_char;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};

use super::abi::{alloc_obj, cancel_point, exit_cancelled, panic_at, task_of};
use super::shapes;
use super::wait;
use crate::chan::abi::Tasks;
use crate::chan::core::Env;
use crate::ctx::PlatCtx;
use crate::gc::shape::PlatShape;
use crate::sched::task::Reason;
use crate::sched::{self, timer};

/// A rate limiter object. Known to compiler only as an opaque pointer.
#[repr(C)]
pub struct LimiterObj {
    header: *const PlatShape,
    tat: AtomicU64,
    /// Nanoseconds per event.
    interval: u64,
    /// `(burst - 1) × interval`.
    tolerance: u64,
    pub loc: *const c_char,
}

fn limiter<'a>(r: *mut LimiterObj) -> &'a LimiterObj {
    // SAFETY: a rate limiter object (contract); never moved.
    unsafe { &*r }
}

impl LimiterObj {
    /// The theoretical arrival time (for tests).
    pub fn tat(&self) -> u64 {
        self.tat.load(Ordering::Relaxed)
    }

    /// Takes an event if one conforms at `now`.
    fn try_take(&self, now: u64) -> bool {
        let mut tat = self.tat.load(Ordering::Relaxed);
        loop {
            let base = tat.max(now);
            if base - now > self.tolerance {
                return false;
            }
            match self.tat.compare_exchange_weak(
                tat,
                base.saturating_add(self.interval),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(t) => tat = t,
            }
        }
    }

    /// Reserves the next event: `(base, new tat)`; it conforms from
    /// `base - tolerance` on.
    fn reserve(&self, now: u64) -> (u64, u64) {
        let mut tat = self.tat.load(Ordering::Relaxed);
        loop {
            let base = tat.max(now);
            let new = base.saturating_add(self.interval);
            match self
                .tat
                .compare_exchange_weak(tat, new, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return (base, new),
                Err(t) => tat = t,
            }
        }
    }
}

/// `RateLimiter.init(per_second =, burst =)`: `per_second <= 0` or
/// `burst < 1` panic at `loc`.
#[no_mangle]
pub unsafe extern "C" fn plat_ratelimiter_new(
    per_second: i64,
    burst: i64,
    loc: *const c_char,
) -> *mut LimiterObj {
    if per_second <= 0 {
        panic_at(
            &format!("RateLimiter per_second must be positive (got {per_second})"),
            loc,
        );
    }
    if burst < 1 {
        panic_at(
            &format!("RateLimiter burst must be at least 1 (got {burst})"),
            loc,
        );
    }
    let interval = 1_000_000_000 / per_second as u64;
    let r: *mut LimiterObj = alloc_obj(&shapes::RATE_LIMITER);
    // SAFETY: a fresh, zeroed object whose header `alloc` set.
    unsafe {
        ptr::addr_of_mut!((*r).tat).write(AtomicU64::new(0));
        ptr::addr_of_mut!((*r).interval).write(interval);
        ptr::addr_of_mut!((*r).tolerance).write(interval.saturating_mul(burst as u64 - 1));
        ptr::addr_of_mut!((*r).loc).write(loc);
    }
    r
}

/// `r.try_take()`: 1 if an event is allowed now; never parks.
#[no_mangle]
pub unsafe extern "C" fn plat_ratelimiter_try_take(r: *mut LimiterObj) -> u8 {
    limiter(r).try_take(sched::now_nanos()) as u8
}

/// `r.wait()`: parks (on a timer, not the thread) until an event is
/// allowed, and takes it.
#[no_mangle]
pub unsafe extern "C" fn plat_ratelimiter_wait(ctx: *mut PlatCtx, r: *mut LimiterObj) {
    cancel_point(ctx);
    let me = task_of(ctx);
    let l = limiter(r);
    let now = sched::now_nanos();
    let (base, new) = l.reserve(now);
    let ready = base.saturating_sub(l.tolerance);
    if now >= ready {
        return;
    }
    let why = wait::why(
        "waiting on rate limiter made at",
        "waiting on rate limiter",
        l.loc,
    );
    let mut armed = false;
    loop {
        // Prepared before looking at the flag (see `wait::park_until`).
        sched::prepare_park(me);
        std::sync::atomic::fence(Ordering::SeqCst);
        if Tasks::cancelled(me) {
            sched::cancel_park(me);
            // Give the reservation back if it is still the last one.
            let _ = l
                .tat
                .compare_exchange(new, base, Ordering::Relaxed, Ordering::Relaxed);
            exit_cancelled(me);
        }
        if sched::now_nanos() >= ready {
            sched::cancel_park(me);
            return;
        }
        if !armed {
            timer::add(ready, timer::Action::Wake(me));
            armed = true;
        }
        sched::park(
            me,
            Reason {
                what: why.what,
                task: None,
                at: why.loc,
            },
        );
    }
}
