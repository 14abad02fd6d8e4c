//! `Atomic`, `CancelToken`, `Ticker` and `RateLimiter`. Time is only
//! checked against lower bounds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::*;
use crate::chan::abi::*;
use crate::sync::atomic::*;
use crate::sync::ctoken::*;
use crate::sync::ratelimit::*;
use crate::sync::ticker::*;

fn recv(ctx: *mut PlatCtx, ch: *mut ChanObj) -> Option<u64> {
    let mut v = 0;
    (unsafe { plat_chan_recv(ctx, ch, &mut v) } == 1).then_some(v)
}

fn try_recv(ch: *mut ChanObj) -> Option<u64> {
    let mut v = 0;
    (unsafe { plat_chan_try_recv(ch, &mut v) } == 1).then_some(v)
}

// --- Atomic --------------------------------------------------------------

#[test]
fn ensure_that_atomics_load_store_swap_add_and_cas_with_every_order() {
    run_ok(|_| unsafe {
        let a = plat_atomic_new(5, LOC);
        for order in [RELAXED, ACQUIRE, RELEASE, ACQ_REL, SEQ_CST, 99] {
            plat_atomic_store(a, 5, order);
            assert_eq!(plat_atomic_load(a, order), 5);
            assert_eq!(plat_atomic_swap(a, 6, order), 5);
            assert_eq!(plat_atomic_add(a, 10, order, 64), 6);
            assert_eq!(plat_atomic_add(a, (-4i64) as u64, order, 64), 16);
            assert_eq!(plat_atomic_cas(a, 99, 1, order), 0);
            assert_eq!(plat_atomic_cas(a, 12, 1, order), 1);
            assert_eq!(plat_atomic_load(a, order), 1);
        }
        // Int32 wraps at 32 bits and stays sign-extended.
        let i = plat_atomic_new(i32::MAX as i64 as u64, LOC);
        assert_eq!(plat_atomic_add(i, 1, SEQ_CST, 32), i32::MAX as i64 as u64);
        assert_eq!(plat_atomic_load(i, SEQ_CST), i32::MIN as i64 as u64);
        assert_eq!(
            plat_atomic_add(i, (-1i64) as u64, SEQ_CST, 32),
            i32::MIN as i64 as u64
        );
        assert_eq!(plat_atomic_load(i, SEQ_CST), i32::MAX as i64 as u64);
        // Int64 wraps at 64 bits.
        let j = plat_atomic_new(i64::MAX as u64, LOC);
        plat_atomic_add(j, 1, RELAXED, 64);
        assert_eq!(plat_atomic_load(j, RELAXED), i64::MIN as u64);
        // Bool.
        let b = plat_atomic_new(0, LOC);
        assert_eq!(plat_atomic_cas(b, 0, 1, ACQ_REL), 1);
        assert_eq!(plat_atomic_swap(b, 0, RELEASE), 1);
        1
    });
}

#[test]
fn ensure_that_concurrent_atomic_adds_are_all_counted() {
    let n = 50_000 * scale();
    let total = run_ok(move |ctx| unsafe {
        let a = plat_atomic_new(0, LOC);
        let c = plat_atomic_new(0, LOC);
        scope(ctx, |s| {
            for t in 0..4u64 {
                spawn(ctx, s, move |_| {
                    for _ in 0..n {
                        plat_atomic_add(a, 1, (t % 5) as u32, 64);
                        plat_atomic_add(c, 1, SEQ_CST, 32);
                        let mut old = plat_atomic_load(c, ACQUIRE);
                        while plat_atomic_cas(c, old, old.wrapping_sub(1), ACQ_REL) == 0 {
                            old = plat_atomic_load(c, ACQUIRE);
                        }
                    }
                    0
                });
            }
        });
        assert_eq!(plat_atomic_load(c, SEQ_CST), 0);
        plat_atomic_load(a, SEQ_CST)
    });
    assert_eq!(total, 4 * n);
}

// --- CancelToken -----------------------------------------------------------

#[test]
fn ensure_that_a_cancel_token_closes_its_done_channel() {
    run_ok(|ctx| unsafe {
        let t = plat_ctoken_new(LOC);
        assert_eq!(plat_ctoken_is_cancelled(t), 0);
        let done = plat_ctoken_done(t);
        assert_eq!(plat_ctoken_done(t), done, "the same channel");
        assert_eq!(try_recv(done), None);
        scope(ctx, |s| {
            // A task parked on the channel is woken by the cancellation.
            let w = spawn(ctx, s, move |ctx| recv(ctx, done).map_or(1, |_| 2));
            until(ctx, || {
                let ch = &(*done).chan;
                ch.lock();
                let n = ch.state_with(|st| st.recvq.len());
                ch.unlock();
                n == 1
            });
            plat_ctoken_cancel(t);
            plat_ctoken_cancel(t); // idempotent
            until(ctx, || plat_task_is_done(w) == 1);
            assert_eq!((*w).result(), 1, "closed, no value");
        });
        assert_eq!(plat_ctoken_is_cancelled(t), 1);
        assert_eq!(plat_chan_is_closed(done), 1);
        // A channel asked for after the cancellation is closed too.
        let late = plat_ctoken_new(LOC);
        plat_ctoken_cancel(late);
        assert_eq!(plat_chan_is_closed(plat_ctoken_done(late)), 1);
        // ... and usable in select.
        let arms = [SelectArm {
            chan: plat_ctoken_done(late),
            kind: ARM_RECV,
            value: 0,
        }];
        let mut scratch = [0u64; SCRATCH_PER_ARM / 8];
        let (mut out, mut ok) = (9u64, 9u8);
        let r = plat_select(
            ctx,
            arms.as_ptr(),
            1,
            scratch.as_mut_ptr().cast(),
            -1,
            LOC,
            &mut out,
            &mut ok,
        );
        assert_eq!((r, ok), (0, 0));
        1
    });
}

#[test]
fn ensure_that_cancelling_a_token_cancels_its_children_only() {
    run_ok(|_| unsafe {
        let p = plat_ctoken_new(LOC);
        let c1 = plat_ctoken_child(p, LOC);
        let c2 = plat_ctoken_child(p, LOC);
        let c3 = plat_ctoken_child(p, LOC);
        let g = plat_ctoken_child(c1, LOC);
        let g_done = plat_ctoken_done(g);
        // A child alone: nothing else.
        plat_ctoken_cancel(c2);
        let state = |t| plat_ctoken_is_cancelled(t);
        assert_eq!(
            [state(p), state(c1), state(c2), state(c3), state(g)],
            [0, 0, 1, 0, 0]
        );
        // The parent: every descendant.
        plat_ctoken_cancel(p);
        assert_eq!(
            [state(p), state(c1), state(c2), state(c3), state(g)],
            [1, 1, 1, 1, 1]
        );
        assert_eq!(plat_chan_is_closed(g_done), 1);
        assert_eq!(plat_chan_is_closed(plat_ctoken_done(c3)), 1);
        // A child of a cancelled token is born cancelled.
        let late = plat_ctoken_child(c1, LOC);
        assert_eq!(state(late), 1);
        assert_eq!(plat_chan_is_closed(plat_ctoken_done(late)), 1);
        1
    });
}

/// Cancellation walks the tree without recursion: a deep chain of
/// children on a task's small stack.
#[test]
fn ensure_that_a_deep_chain_of_children_is_cancelled() {
    run_ok(|_| unsafe {
        let root = plat_ctoken_new(LOC);
        let mut t = root;
        let mut all = Vec::new();
        for i in 0..100_000 {
            t = plat_ctoken_child(t, LOC);
            if i % 1000 == 0 {
                plat_ctoken_done(t);
            }
            all.push(t);
        }
        plat_ctoken_cancel(root);
        assert!(all.iter().all(|&t| plat_ctoken_is_cancelled(t) == 1));
        assert!(all
            .iter()
            .step_by(1000)
            .all(|&t| plat_chan_is_closed(plat_ctoken_done(t)) == 1));
        1
    });
}

#[test]
fn ensure_that_a_token_with_a_timeout_cancels_itself() {
    run_ok(|ctx| unsafe {
        let start = Instant::now();
        let t = plat_ctoken_with_timeout(5, LOC);
        let c = plat_ctoken_child(t, LOC);
        assert_eq!(recv(ctx, plat_ctoken_done(c)), None);
        assert!(start.elapsed().as_millis() >= 5);
        assert_eq!(plat_ctoken_is_cancelled(t), 1);
        let now = plat_ctoken_with_timeout(-3, LOC);
        assert_eq!(recv(ctx, plat_ctoken_done(now)), None);
        1
    });
}

// --- Ticker ----------------------------------------------------------------

#[test]
fn ensure_that_a_ticker_with_a_bad_period_panics() {
    for ms in [0, -5] {
        let text = run_failing(move |_| unsafe {
            plat_ticker_new(ms, LOC2);
            0
        });
        assert!(
            text.starts_with(&format!(
                "panic: Ticker period must be positive (got {ms} ms)\n  at sync.plat:2:2\n"
            )),
            "{text}"
        );
    }
}

#[test]
fn ensure_that_a_ticker_ticks_drops_untaken_ticks_and_stops() {
    run_ok(|ctx| unsafe {
        let start = Instant::now();
        let t = plat_ticker_new(2, LOC);
        let ch = plat_ticker_channel(t);
        assert_eq!(plat_ticker_channel(t), ch);
        let v = recv(ctx, ch).expect("a tick");
        assert!(start.elapsed().as_millis() >= 2);
        assert!(v > 1_600_000_000_000, "ms since the epoch: {v}");
        // Periods go by untaken: one tick waits, the rest are dropped
        // (the timer never blocks on the full channel and keeps ticking).
        plat_time_sleep(ctx, 10);
        until(ctx, || plat_chan_len(ch) == 1);
        plat_time_sleep(ctx, 6);
        assert_eq!(plat_chan_len(ch), 1);
        assert_eq!(plat_chan_capacity(ch), 1);
        assert!(recv(ctx, ch).is_some());
        assert!(recv(ctx, ch).is_some(), "still ticking");
        // Stopped: nothing more, ever.
        plat_ticker_stop(t);
        plat_ticker_stop(t);
        try_recv(ch);
        plat_time_sleep(ctx, 6);
        assert_eq!(try_recv(ch), None);
        assert_eq!(plat_chan_is_closed(ch), 0, "stop does not close");
        1
    });
}

// --- RateLimiter -------------------------------------------------------------

#[test]
fn ensure_that_bad_rate_limiters_panic() {
    let cases = [
        (0, 1, "RateLimiter per_second must be positive (got 0)"),
        (-2, 1, "RateLimiter per_second must be positive (got -2)"),
        (5, 0, "RateLimiter burst must be at least 1 (got 0)"),
    ];
    for (per_second, burst, msg) in cases {
        let text = run_failing(move |_| unsafe {
            plat_ratelimiter_new(per_second, burst, LOC2);
            0
        });
        assert!(
            text.starts_with(&format!("panic: {msg}\n  at sync.plat:2:2\n")),
            "{text}"
        );
    }
}

#[test]
fn ensure_that_a_rate_limiter_allows_its_burst_then_its_rate() {
    run_ok(|ctx| unsafe {
        // One per second, bursts of 3: three at once, then no more for a
        // while (the test does not take a second).
        let r = plat_ratelimiter_new(1, 3, LOC);
        let start = Instant::now();
        let got: Vec<u8> = (0..4).map(|_| plat_ratelimiter_try_take(r)).collect();
        if start.elapsed().as_millis() < 900 {
            assert_eq!(got, [1, 1, 1, 0]);
        }
        // 1000 per second, burst 1: 21 events take at least 20 ms.
        let r = plat_ratelimiter_new(1000, 1, LOC);
        let start = Instant::now();
        for _ in 0..21 {
            plat_ratelimiter_wait(ctx, r);
        }
        assert!(start.elapsed().as_millis() >= 20);
        1
    });
}

#[test]
fn ensure_that_a_cancelled_rate_limiter_waiter_gives_its_reservation_back() {
    run_ok(|ctx| unsafe {
        let r = plat_ratelimiter_new(1, 1, LOC);
        assert_eq!(plat_ratelimiter_try_take(r), 1);
        let before = (*r).tat();
        let parked = shared(AtomicU64::new(0));
        scope(ctx, |s| {
            let w = spawn(ctx, s, move |ctx| {
                parked.get().store(1, Ordering::SeqCst);
                plat_ratelimiter_wait(ctx, r);
                0
            });
            until(ctx, || {
                parked.get().load(Ordering::SeqCst) == 1 && (*r).tat() != before
            });
            cancel_and_wait(ctx, w);
            assert!(is_cancelled(w));
        });
        assert_eq!((*r).tat(), before);
        1
    });
}
