//! Loom models of the channel and select protocols: the production
//! `src/chan/{lock,waitq,core,select}.rs`, included as modules of this
//! test (`#[path]`) with the loom shim (`src/loom.rs`), driven by loom
//! threads through a small [`Env`] (park = `loom::thread::park`). Loom
//! explores the interleavings: a lost wake-up shows up as its deadlock
//! error (a thread parked for ever), a lost or duplicated value as a
//! failed assertion.
//!
//! Run with:
//!
//! ```text
//! cd runtime && RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=../target/loom \
//!     cargo test --test loom_chan --release
//! ```
//!
//! Each model runs with at most 2 preemptions (`LOOM_MAX_PREEMPTIONS`
//! raises it), as the idle-worker models do.
#![cfg(loom)]

#[path = "../src/loom.rs"]
#[allow(dead_code)]
mod loom;

// The modules sit at this crate's root, so their `super::` paths (to
// each other) and `crate::loom` resolve as in the runtime.
#[path = "../src/chan/core.rs"]
#[allow(dead_code)]
mod core;
#[path = "../src/chan/lock.rs"]
#[allow(dead_code)]
mod lock;
#[path = "../src/chan/select.rs"]
#[allow(dead_code)]
mod select;
#[path = "../src/chan/waitq.rs"]
#[allow(dead_code)]
mod waitq;

use std::mem::MaybeUninit;

use crate::core::{Chan, Env, Why};
use crate::select::{select, Arm, Block, Op, Outcome};
use crate::waitq::{Waiter, DONE};
use ::loom::sync::Arc;
use ::loom::thread;

/// Parks loom threads.
struct Threads;

#[derive(Clone, Copy)]
struct Handle(&'static thread::Thread);

impl Env for Threads {
    type Handle = Handle;
    type Meta = ();
    fn current() -> Handle {
        Handle(Box::leak(Box::new(thread::current())))
    }
    fn prepare_park(_: Handle) {}
    fn cancel_park(_: Handle) {}
    fn park(_: Handle, _: Why) {
        thread::park();
    }
    fn wake(h: Handle) {
        h.0.unpark();
    }
    fn cancelled(_: Handle) -> bool {
        false
    }
    fn exit_cancelled(_: Handle) -> ! {
        unreachable!("no cancellation in the models")
    }
    fn now() -> u64 {
        0
    }
    fn arm_timer(_: u64, _: Handle) {}
    fn alloc_slots(_: (), n: usize) -> *mut u64 {
        Box::leak(vec![0u64; n].into_boxed_slice()).as_mut_ptr()
    }
    fn out_of_memory(n: usize) -> ! {
        panic!("a model's channel buffer of {n} slots was refused")
    }
    fn below(_: usize) -> usize {
        0
    }
}

fn model<F: Fn() + Sync + Send + 'static>(f: F) {
    let mut b = ::loom::model::Builder::new();
    if b.preemption_bound.is_none() {
        b.preemption_bound = Some(2);
    }
    b.check(f);
}

fn new_chan(cap: usize) -> Arc<Chan<Threads>> {
    Arc::new(Chan::new(cap, (), std::ptr::null()))
}

/// A rendezvous hand-off in either order: the receiver parks first or
/// the sender does; the value arrives and nobody sleeps for ever.
#[test]
fn rendezvous_send_and_recv_meet() {
    model(|| {
        let c = new_chan(0);
        let c2 = c.clone();
        let t = thread::spawn(move || assert!(c2.send(7)));
        assert_eq!(c.recv(None), Some(7));
        t.join().unwrap();
    });
}

/// Two senders on a one-slot buffer: one buffers, the other parks until
/// the receiver makes room; both values arrive, in sending order per
/// sender, none twice.
#[test]
fn buffered_senders_park_on_a_full_buffer_and_resume() {
    model(|| {
        let c = new_chan(1);
        let (a, b) = (c.clone(), c.clone());
        let ta = thread::spawn(move || assert!(a.send(1)));
        let tb = thread::spawn(move || assert!(b.send(2)));
        let x = c.recv(None).unwrap();
        let y = c.recv(None).unwrap();
        assert_eq!(x + y, 3);
        ta.join().unwrap();
        tb.join().unwrap();
        assert!(c.try_recv().is_none());
    });
}

/// Closing wakes a parked receiver (None) and fails a parked sender.
#[test]
fn close_wakes_parked_receivers_and_senders() {
    model(|| {
        let rx = new_chan(0);
        let tx = new_chan(0);
        let (r2, t2) = (rx.clone(), tx.clone());
        let r = thread::spawn(move || r2.recv(None));
        let s = thread::spawn(move || t2.send(5));
        rx.close().unwrap();
        tx.close().unwrap();
        assert_eq!(r.join().unwrap(), None);
        assert!(!s.join().unwrap());
        assert!(rx.close().is_err());
    });
}

fn select_recv2(a: &Chan<Threads>, b: &Chan<Threads>, block: Block) -> Outcome {
    select_on(&[a, b], |_| Op::Recv, block)
}

/// A select whose arm `i` does `op(i)` on `chans[i]`.
fn select_on(chans: &[&Chan<Threads>], op: impl Fn(usize) -> Op, block: Block) -> Outcome {
    let mut w: Vec<MaybeUninit<Waiter<Handle>>> =
        chans.iter().map(|_| MaybeUninit::uninit()).collect();
    select(
        chans.len(),
        |i| Arm {
            chan: chans[i],
            op: op(i),
        },
        &mut w,
        block,
        Why {
            what: "select",
            loc: std::ptr::null(),
        },
    )
}

/// Arm `arm` completed normally with `value`.
fn done(arm: usize, value: u64) -> Outcome {
    Outcome::Arm {
        arm,
        status: DONE,
        value,
    }
}

/// A select waiting on two channels, served by two senders at once: it
/// takes exactly one value; the other stays in its channel.
#[test]
fn a_select_served_by_two_senders_takes_one_value() {
    model(|| {
        let (a, b) = (new_chan(1), new_chan(1));
        let (a2, b2) = (a.clone(), b.clone());
        let ta = thread::spawn(move || assert!(a2.send(1)));
        let tb = thread::spawn(move || assert!(b2.send(2)));
        let got = match select_recv2(&a, &b, Block::Forever) {
            Outcome::Arm {
                arm,
                status: DONE,
                value,
            } => {
                assert_eq!(value, arm as u64 + 1);
                value
            }
            other => panic!("{other:?}"),
        };
        ta.join().unwrap();
        tb.join().unwrap();
        let rest = a.try_recv().unwrap_or(0) + b.try_recv().unwrap_or(0);
        assert_eq!(got + rest, 3);
    });
}

/// Two rendezvous senders race to serve one select: one wins, the other
/// stays parked until the channel closes (its value is not delivered).
#[test]
fn competing_completers_serve_a_select_once() {
    model(|| {
        let (a, b) = (new_chan(0), new_chan(0));
        let (a2, b2) = (a.clone(), b.clone());
        let ta = thread::spawn(move || a2.send(1));
        let tb = thread::spawn(move || b2.send(2));
        let got = match select_recv2(&a, &b, Block::Forever) {
            Outcome::Arm {
                status: DONE,
                value,
                ..
            } => value,
            other => panic!("{other:?}"),
        };
        a.close().unwrap();
        b.close().unwrap();
        let (sa, sb) = (ta.join().unwrap(), tb.join().unwrap());
        assert!(sa != sb, "exactly one send delivered");
        assert_eq!(got, if sa { 1 } else { 2 });
    });
}

/// A select's send arm meets another select's receive arm on a
/// rendezvous channel: the claim protocol hands the value over once.
#[test]
fn two_selects_meet_on_a_rendezvous_channel() {
    model(|| {
        let c = new_chan(0);
        let c2 = c.clone();
        let t = thread::spawn(move || {
            assert_eq!(
                select_on(&[&*c2], |_| Op::Send(9), Block::Forever),
                done(0, 0)
            );
        });
        assert_eq!(select_on(&[&*c], |_| Op::Recv, Block::Forever), done(0, 9));
        t.join().unwrap();
    });
}

/// Two selects of two arms each (so both take the fast poll, one channel
/// lock at a time) meet on a rendezvous channel: a send arm and a
/// receive arm; the other arms' channels stay idle. The value is handed
/// over exactly once, whichever side polls, parks or serves.
#[test]
fn two_arm_selects_meet_through_their_fast_polls() {
    model(|| {
        let (c, d, e) = (new_chan(0), new_chan(0), new_chan(0));
        let (c2, d2) = (c.clone(), d.clone());
        let t = thread::spawn(move || {
            let op = |i| if i == 0 { Op::Send(9) } else { Op::Recv };
            assert_eq!(select_on(&[&*c2, &*d2], op, Block::Forever), done(0, 0));
        });
        assert_eq!(select_recv2(&c, &e, Block::Forever), done(0, 9));
        t.join().unwrap();
    });
}

/// A select over two channels, one of which is closed concurrently: the
/// closed arm is ready (the fast poll reads `closed` without the lock,
/// the full poll under it, or the close wakes the parked select).
#[test]
fn a_concurrent_close_makes_a_select_arm_ready() {
    model(|| {
        let (a, b) = (new_chan(0), new_chan(0));
        let a2 = a.clone();
        let t = thread::spawn(move || a2.close().unwrap());
        assert_eq!(
            select_recv2(&a, &b, Block::Forever),
            Outcome::Arm {
                arm: 0,
                status: crate::waitq::CLOSED,
                value: 0
            }
        );
        t.join().unwrap();
    });
}
