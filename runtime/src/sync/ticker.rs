//! `Ticker`: a `Channel<Int64>` of capacity 1 that receives `time_now()`
//! every period, dropping the ticks nobody takes (Go's `time.Ticker`).
//!
//! A periodic timer callback (`tick`) offers the time as `try_send`
//! would (so a full channel drops the tick and never blocks the timer)
//! and re-arms itself one period later, skipping the periods it missed
//! (a late tick does not cause a burst of catch-up ticks). `stop` sets a
//! flag the next tick reads: it neither sends nor re-arms.
//!
//! For deadlock detection a tick can wake a task only if one is parked
//! receiving from the channel (`tick_may_wake`): a program whose tasks
//! are all blocked while a ticker nobody listens to runs is reported as
//! deadlocked instead of ticking for ever.
//!
//! # Invariants
//!
//! - At most one tick timer of a ticker is pending; only the tick
//!   callback (running on one worker at a time, since it re-arms only
//!   itself) writes `next`.
//! - `stopped` is written and, by a tick, read under the channel's lock,
//!   so no tick is sent after `stop` returns.
//! - `chan`, `period` and `loc` never change after creation; the pending
//!   timer entry keeps the ticker (and so its channel) alive.
//!
//! Contract of the entry points: `t` was made by `plat_ticker_new`; `loc`
//! is null or a static `"file:line:col"`.
#![allow(clippy::missing_safety_doc)]

use std::ffi::c_char;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::abi::{alloc_obj, panic_at};
use super::shapes;
use crate::chan::abi::{make, ChanObj};
use crate::chan::core::SendNow;
use crate::gc::shape::PlatShape;
use crate::sched::abi::plat_time_now;
use crate::sched::{self, timer};

/// A ticker object. Known to compiler only as an opaque pointer.
#[repr(C)]
pub struct TickerObj {
    header: *const PlatShape,
    /// Its channel (a Plat heap pointer).
    pub(super) chan: *mut ChanObj,
    /// Nanoseconds.
    period: u64,
    /// The pending tick's deadline (monotonic nanoseconds).
    next: AtomicU64,
    stopped: AtomicBool,
    pub loc: *const c_char,
}

fn ticker<'a>(t: *mut TickerObj) -> &'a TickerObj {
    // SAFETY: a ticker object (contract, or a pending timer's argument);
    // never moved.
    unsafe { &*t }
}

fn arm(t: *mut TickerObj, at: u64) {
    ticker(t).next.store(at, Ordering::Relaxed);
    timer::add(
        at,
        timer::Action::Call(timer::Callback {
            run: tick,
            arg: t.cast(),
            may_wake: Some(tick_may_wake),
        }),
    );
}

/// The timer callback: offer the time, re-arm.
fn tick(arg: *mut u8) {
    let t: *mut TickerObj = arg.cast();
    let tk = ticker(t);
    // SAFETY: the ticker's channel (never moved).
    let ch = unsafe { &(*tk.chan).chan };
    // The check of `stopped` and the send are one step under the
    // channel's lock, which `stop` takes too.
    ch.lock();
    if tk.stopped.load(Ordering::Relaxed) {
        ch.unlock();
        return;
    }
    let woken = match ch.send_now(plat_time_now() as u64) {
        SendNow::Done(h) => h,
        // Full: the tick is dropped (as it is if its one-slot buffer
        // could not be made).
        SendNow::Blocked | SendNow::Closed | SendNow::NoMemory(_) => None,
    };
    ch.unlock();
    if let Some(h) = woken {
        sched::wake(h);
    }
    let now = sched::now_nanos();
    let mut next = tk.next.load(Ordering::Relaxed).saturating_add(tk.period);
    if next <= now {
        let missed = (now - next) / tk.period + 1;
        next = next.saturating_add(missed.saturating_mul(tk.period));
    }
    arm(t, next);
}

/// Whether a tick could wake a task now: one is parked receiving.
fn tick_may_wake(arg: *mut u8) -> bool {
    let tk = ticker(arg.cast());
    // SAFETY: the ticker's channel (never moved).
    let ch = unsafe { &(*tk.chan).chan };
    ch.lock();
    let waiting = !tk.stopped.load(Ordering::Relaxed) && ch.state_with(|st| !st.recvq.is_empty());
    ch.unlock();
    waiting
}

/// `Ticker.init(millis =)`: a period of `millis <= 0` panics at `loc`.
#[no_mangle]
pub unsafe extern "C" fn plat_ticker_new(millis: i64, loc: *const c_char) -> *mut TickerObj {
    if millis <= 0 {
        panic_at(
            &format!("Ticker period must be positive (got {millis} ms)"),
            loc,
        );
    }
    let period = (millis as u64).saturating_mul(1_000_000);
    let chan = make(&shapes::CHANNEL_INT64, 1, loc);
    let t: *mut TickerObj = alloc_obj(&shapes::TICKER);
    // SAFETY: a fresh, zeroed object whose header `alloc` set; written in
    // place before the timer can see it.
    unsafe {
        ptr::addr_of_mut!((*t).chan).write(chan);
        ptr::addr_of_mut!((*t).period).write(period);
        ptr::addr_of_mut!((*t).next).write(AtomicU64::new(0));
        ptr::addr_of_mut!((*t).stopped).write(AtomicBool::new(false));
        ptr::addr_of_mut!((*t).loc).write(loc);
    }
    arm(t, sched::now_nanos().saturating_add(period));
    t
}

/// `t.channel()`: the ticks (the same channel on every call).
#[no_mangle]
pub unsafe extern "C" fn plat_ticker_channel(t: *mut TickerObj) -> *mut ChanObj {
    ticker(t).chan
}

/// `t.stop()`: no tick is sent after it returns (idempotent). The
/// channel stays open, as in Go.
#[no_mangle]
pub unsafe extern "C" fn plat_ticker_stop(t: *mut TickerObj) {
    let tk = ticker(t);
    // SAFETY: the ticker's channel (never moved).
    let ch = unsafe { &(*tk.chan).chan };
    ch.lock();
    tk.stopped.store(true, Ordering::Relaxed);
    ch.unlock();
}
