//! Channels and select on the real scheduler: `extern "C"` bodies call
//! the entry points the way compiled code does. Every test is bounded;
//! `PLAT_TEST_SCALE` (default 1) multiplies the stress sizes.
//!
//! Unsafe policy here: as in `sched::tests`, every `unsafe` block calls
//! entry points with the `ctx` the body received and objects obtained
//! from them, which is their contract.
#![allow(clippy::undocumented_unsafe_blocks)]

use std::ffi::c_char;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::abi::*;
use crate::ctx::PlatCtx;
use crate::gc::shape::{plat_type_int64, PlatShape};
use crate::sched::abi::*;
use crate::sched::run_root;
use crate::sched::task::{TaskRef, CANCELLED, OK};

const LOC: *const c_char = c"chan.plat:1:1".as_ptr();

fn scale() -> u64 {
    std::env::var("PLAT_TEST_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

/// A `Channel<Int64>` descriptor (only its child matters here).
fn desc() -> *const PlatShape {
    // SAFETY: a static descriptor.
    crate::testdesc::list_of(&plat_type_int64)
}

fn new_chan(cap: i64) -> *mut ChanObj {
    if cap < 0 {
        unsafe { plat_chan_unbounded(desc(), LOC) }
    } else {
        unsafe { plat_chan_new(desc(), cap, LOC) }
    }
}

fn root(body: unsafe extern "C" fn(*mut PlatCtx, *mut u8) -> u64, env: u64) -> u64 {
    let t = run_root(body, env as *mut u8);
    let task = t.get();
    assert_eq!(
        task.done.load(Ordering::Acquire),
        OK,
        "root failed: {:?}",
        crate::sched::failure_text(t)
    );
    task.result()
}

fn recv(ctx: *mut PlatCtx, ch: *mut ChanObj) -> Option<u64> {
    let mut v = 0;
    (unsafe { plat_chan_recv(ctx, ch, &mut v) } == 1).then_some(v)
}

// --- Producers and consumers: every value received exactly once -------

/// What a stress run shares with its tasks.
struct Stress {
    ch: *mut ChanObj,
    per_producer: u64,
    /// Sum and count of what the consumers received.
    sum: AtomicU64,
    count: AtomicU64,
    /// Each consumer checks that every producer's values come in order.
    order_ok: AtomicU64,
}

unsafe extern "C" fn producer(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let (s, id) = unpack(env);
    for i in 0..s.per_producer {
        // value: producer id in the high bits, sequence in the low bits
        assert_eq!(
            unsafe { plat_chan_send(ctx, s.ch, (id << 32) | (i + 1)) },
            1
        );
    }
    0
}

unsafe extern "C" fn consumer(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let (s, _) = unpack(env);
    let mut last = [0u64; 64];
    while let Some(v) = recv(ctx, s.ch) {
        let (p, seq) = ((v >> 32) as usize, v & 0xffff_ffff);
        if seq <= last[p] {
            s.order_ok.store(0, Ordering::Relaxed);
        }
        last[p] = seq;
        s.sum.fetch_add(seq, Ordering::Relaxed);
        s.count.fetch_add(1, Ordering::Relaxed);
    }
    0
}

/// `env`: a `Stress` pointer with a small id in the low 6 bits.
fn unpack<'a>(env: *mut u8) -> (&'a Stress, u64) {
    let p = env as usize;
    (unsafe { &*((p & !63) as *const Stress) }, (p & 63) as u64)
}

unsafe extern "C" fn stress(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let (s, _) = unpack(env);
    let base = s as *const Stress as usize;
    let (producers, consumers) = (4usize, 3usize);
    unsafe {
        let pscope = plat_scope_enter(ctx);
        let cscope = plat_scope_enter(ctx);
        for c in 0..consumers {
            plat_spawn(ctx, cscope, consumer, (base | c) as *mut u8, LOC);
        }
        let inner = plat_scope_enter(ctx);
        for p in 0..producers {
            plat_spawn(ctx, inner, producer, (base | p) as *mut u8, LOC);
        }
        plat_scope_exit(ctx, inner);
        plat_chan_close(s.ch, LOC);
        plat_scope_exit(ctx, cscope);
        plat_scope_exit(ctx, pscope);
    }
    producers as u64
}

fn run_stress(cap: i64) {
    #[repr(align(64))]
    struct Aligned(Stress);
    let n = 20_000 * scale();
    let s = Box::leak(Box::new(Aligned(Stress {
        ch: new_chan(cap),
        per_producer: n,
        sum: AtomicU64::new(0),
        count: AtomicU64::new(0),
        order_ok: AtomicU64::new(1),
    })));
    let producers = root(stress, &s.0 as *const Stress as u64);
    assert_eq!(
        s.0.count.load(Ordering::Relaxed),
        producers * n,
        "cap {cap}"
    );
    assert_eq!(
        s.0.sum.load(Ordering::Relaxed),
        producers * n * (n + 1) / 2,
        "cap {cap}"
    );
    assert_eq!(
        s.0.order_ok.load(Ordering::Relaxed),
        1,
        "cap {cap}: FIFO per producer"
    );
}

#[test]
fn ensure_that_every_value_sent_on_a_rendezvous_channel_is_received_once() {
    run_stress(0);
}

#[test]
fn ensure_that_every_value_sent_on_a_buffered_channel_is_received_once() {
    run_stress(1);
    run_stress(64);
}

#[test]
fn ensure_that_every_value_sent_on_an_unbounded_channel_is_received_once() {
    run_stress(-1);
}

// --- Close, try, timeouts ---------------------------------------------

unsafe extern "C" fn close_semantics(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    let ch = new_chan(2);
    let mut out = 0;
    unsafe {
        assert_eq!(plat_chan_try_recv(ch, &mut out), 0);
        assert_eq!(plat_chan_send(ctx, ch, 7), 1);
        assert_eq!(plat_chan_try_send(ch, 8), 1);
        assert_eq!(plat_chan_try_send(ch, 9), 0, "full");
        assert_eq!(plat_chan_len(ch), 2);
        assert_eq!(plat_chan_capacity(ch), 2);
        plat_chan_close(ch, LOC);
        assert_eq!(plat_chan_is_closed(ch), 1);
        assert_eq!(plat_chan_send(ctx, ch, 10), 0, "send on closed");
        assert_eq!(plat_chan_try_send(ch, 10), 0);
        // Buffered values are still delivered after close, then None.
        assert_eq!(recv(ctx, ch), Some(7));
        assert_eq!(plat_chan_try_recv(ch, &mut out), 1);
        assert_eq!(out, 8);
        assert_eq!(recv(ctx, ch), None);
        assert_eq!(plat_chan_recv_timeout(ctx, ch, 60_000, &mut out), 0);
        let u = new_chan(-1);
        assert_eq!(plat_chan_capacity(u), i64::MAX);
        for i in 0..1000 {
            assert_eq!(plat_chan_try_send(u, i), 1);
        }
        assert_eq!(plat_chan_len(u), 1000);
        for i in 0..1000 {
            assert_eq!(recv(ctx, u), Some(i));
        }
        let r = new_chan(0);
        assert_eq!(plat_chan_try_send(r, 1), 0, "no receiver");
        assert_eq!(plat_chan_recv_timeout(ctx, r, 1, &mut out), 0);
    }
    1
}

#[test]
fn ensure_that_close_try_and_timeouts_behave_as_specified() {
    assert_eq!(root(close_semantics, 0), 1);
}

static PARKED_SEEN: AtomicU64 = AtomicU64::new(0);

unsafe extern "C" fn parked_receiver(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    PARKED_SEEN.fetch_add(1, Ordering::SeqCst);
    recv(ctx, env.cast()).unwrap_or(1000)
}

unsafe extern "C" fn parked_sender(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    PARKED_SEEN.fetch_add(1, Ordering::SeqCst);
    unsafe { plat_chan_send(ctx, env.cast(), 5) as u64 + 2000 }
}

/// Close wakes parked receivers (None) and parked senders (false).
unsafe extern "C" fn close_wakes(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    let rx = new_chan(0);
    let tx = new_chan(0);
    unsafe {
        let scope = plat_scope_enter(ctx);
        let a = plat_spawn(ctx, scope, parked_receiver, rx.cast(), LOC);
        let b = plat_spawn(ctx, scope, parked_sender, tx.cast(), LOC);
        while PARKED_SEEN.load(Ordering::SeqCst) < 2 {
            plat_time_sleep(ctx, 1);
        }
        plat_chan_close(rx, LOC);
        plat_chan_close(tx, LOC);
        let r = plat_task_await(ctx, a, LOC) + plat_task_await(ctx, b, LOC);
        plat_scope_exit(ctx, scope);
        r
    }
}

#[test]
fn ensure_that_close_wakes_every_waiter() {
    assert_eq!(root(close_wakes, 0), 1000 + 2000);
}

static CANCEL_TASK: Mutex<Option<TaskRef>> = Mutex::new(None);
/// Set by the receiver of the cancellation test (its own flag: tests run
/// in parallel).
static CANCEL_SEEN: AtomicU64 = AtomicU64::new(0);

unsafe extern "C" fn receiver_to_cancel(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    CANCEL_SEEN.store(1, Ordering::SeqCst);
    recv(ctx, env.cast()).unwrap_or(1000)
}

/// A receiver cancelled while parked leaves the queue: a later sender
/// finds nobody (try_send fails) and the task ends cancelled.
unsafe extern "C" fn cancel_parked(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    let ch = new_chan(0);
    unsafe {
        let scope = plat_scope_enter(ctx);
        let t = plat_spawn(ctx, scope, receiver_to_cancel, ch.cast(), LOC);
        *CANCEL_TASK.lock().unwrap() = Some(TaskRef(t));
        while CANCEL_SEEN.load(Ordering::SeqCst) == 0 {
            plat_time_sleep(ctx, 1);
        }
        plat_task_cancel(t);
        while plat_task_is_done(t) == 0 {
            plat_time_sleep(ctx, 1);
        }
        let lost = plat_chan_try_send(ch, 9);
        plat_scope_exit(ctx, scope);
        lost as u64
    }
}

#[test]
fn ensure_that_a_cancelled_receiver_leaves_the_queue() {
    assert_eq!(root(cancel_parked, 0), 0);
    let t = CANCEL_TASK.lock().unwrap().unwrap();
    let done = t.get().done.load(Ordering::Acquire);
    // It was cancelled while parked, or (if the cancel came first) at its
    // first cancellation point: never handed a value.
    assert_eq!(done, CANCELLED);
}

// --- Select --------------------------------------------------------------

unsafe fn select(ctx: *mut PlatCtx, arms: &[SelectArm], timeout: i64) -> (i64, u8, u64) {
    let mut scratch = vec![0u64; arms.len() * SCRATCH_PER_ARM / 8 + 1];
    let (mut out, mut ok) = (0u64, 0u8);
    let r = unsafe {
        plat_select(
            ctx,
            arms.as_ptr(),
            arms.len() as u64,
            scratch.as_mut_ptr().cast(),
            timeout,
            LOC,
            &mut out,
            &mut ok,
        )
    };
    (r, ok, out)
}

fn recv_arm(ch: *mut ChanObj) -> SelectArm {
    SelectArm {
        chan: ch,
        kind: ARM_RECV,
        value: 0,
    }
}

fn send_arm(ch: *mut ChanObj, v: u64) -> SelectArm {
    SelectArm {
        chan: ch,
        kind: ARM_SEND,
        value: v,
    }
}

unsafe extern "C" fn select_basics(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    let a = new_chan(1);
    let b = new_chan(1);
    unsafe {
        // Nothing ready: default, then timeout.
        assert_eq!(
            select(ctx, &[recv_arm(a), recv_arm(b)], -2).0,
            SELECT_DEFAULT
        );
        assert_eq!(
            select(ctx, &[recv_arm(a), recv_arm(b)], 1).0,
            SELECT_TIMEOUT
        );
        // One ready.
        assert_eq!(plat_chan_send(ctx, b, 42), 1);
        assert_eq!(select(ctx, &[recv_arm(a), recv_arm(b)], -1), (1, 1, 42));
        // A send arm with room.
        assert_eq!(select(ctx, &[recv_arm(a), send_arm(b, 5)], -1), (1, 1, 0));
        assert_eq!(recv(ctx, b), Some(5));
        // Both ready: both get picked over many rounds.
        let mut seen = [0u32; 2];
        for _ in 0..200 {
            plat_chan_try_send(a, 1);
            plat_chan_try_send(b, 2);
            let (i, ok, v) = select(ctx, &[recv_arm(a), recv_arm(b)], -1);
            assert_eq!(ok, 1);
            assert_eq!(v, i as u64 + 1);
            seen[i as usize] += 1;
            let mut out = 0;
            plat_chan_try_recv(a, &mut out);
            plat_chan_try_recv(b, &mut out);
        }
        assert!(seen[0] > 20 && seen[1] > 20, "{seen:?}");
        // A closed channel makes its arms ready.
        plat_chan_close(a, LOC);
        assert_eq!(select(ctx, &[recv_arm(a), recv_arm(b)], -1), (0, 0, 0));
        assert_eq!(select(ctx, &[send_arm(a, 3)], -1), (0, 0, 0));
        // The same channel in a send and a receive arm.
        let c = new_chan(1);
        assert_eq!(select(ctx, &[recv_arm(c), send_arm(c, 9)], -1), (1, 1, 0));
        assert_eq!(select(ctx, &[recv_arm(c), send_arm(c, 9)], -2), (0, 1, 9));
    }
    1
}

#[test]
fn ensure_that_select_polls_defaults_times_out_and_picks_ready_arms() {
    assert_eq!(root(select_basics, 0), 1);
}

/// Many selects over two channels each, against plain senders: every
/// value arrives exactly once, and no waiter is left behind (the final
/// try_recv on each channel finds nothing).
unsafe extern "C" fn select_receiver(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let (a, b) = unsafe { *(env as *const (*mut ChanObj, *mut ChanObj)) };
    let mut sum = 0;
    loop {
        let (i, ok, v) = unsafe { select(ctx, &[recv_arm(a), recv_arm(b)], -1) };
        if ok == 0 {
            // One channel closed: drain the other, then stop.
            let other = if i == 0 { b } else { a };
            while let Some(v) = recv(ctx, other) {
                sum += v;
            }
            return sum;
        }
        sum += v;
    }
}

unsafe extern "C" fn select_sender(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let (a, b, n) = unsafe { *(env as *const (*mut ChanObj, *mut ChanObj, u64)) };
    for i in 1..=n {
        let ch = if i % 2 == 0 { a } else { b };
        assert_eq!(unsafe { plat_chan_send(ctx, ch, i) }, 1);
    }
    0
}

unsafe extern "C" fn select_stress(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    let n = env as u64;
    let chans = (new_chan(0), new_chan(0));
    let args = (chans.0, chans.1, n);
    unsafe {
        let scope = plat_scope_enter(ctx);
        let receivers: Vec<_> = (0..4)
            .map(|_| {
                plat_spawn(
                    ctx,
                    scope,
                    select_receiver,
                    &chans as *const _ as *mut u8,
                    LOC,
                )
            })
            .collect();
        let senders = plat_scope_enter(ctx);
        for _ in 0..3 {
            plat_spawn(
                ctx,
                senders,
                select_sender,
                &args as *const _ as *mut u8,
                LOC,
            );
        }
        plat_scope_exit(ctx, senders);
        plat_chan_close(chans.0, LOC);
        plat_chan_close(chans.1, LOC);
        let mut sum = 0;
        for r in receivers {
            sum += plat_task_await(ctx, r, LOC);
        }
        plat_scope_exit(ctx, scope);
        sum
    }
}

#[test]
fn ensure_that_selects_receive_every_value_exactly_once() {
    let n = 10_000 * scale();
    assert_eq!(root(select_stress, n), 3 * n * (n + 1) / 2);
}
