//! Entry points for compiled code: channels and `select` on green tasks.
//! Known to compiler (`compiler/src/codegen/runtime_abi.rs`,
//! `docs/runtime-abi.md`, "Channels and select").
//!
//! A channel value is a Plat heap object ([`ChanObj`]): the header (the
//! `Channel<T>` descriptor, kind Channel, children `[T]`) followed by the
//! protocol state of [`Chan`]. Its ring buffer is an Array object of
//! whole slots (`collections::array::slot_buffer_shape`), reached from the
//! state; parked senders' values live in waiters on their own stacks.
//!
//! Contract of every entry point: `ch` is a channel made by
//! `plat_chan_new` / `plat_chan_unbounded`, `ctx` the running task's
//! context, `loc` null or a static `"file:line:col"`, `out` writable.
#![allow(clippy::missing_safety_doc)]

use std::ffi::c_char;
use std::mem::MaybeUninit;

use super::core::{Chan, Env, Why, UNBOUNDED};
use super::select::{self, Arm, Block, Op, Outcome};
use super::waitq::{Waiter, CLOSED, DONE};
use crate::collections::array;
use crate::ctx::PlatCtx;
use crate::fatal::abi::plat_panic_cstr;
use crate::gc::heap;
use crate::gc::shape::PlatShape;
use crate::sched::task::{Fiber, FiberRef, Reason, CANCELLED};
use crate::sched::{self, seed, timer};
use plat_abi::tables::select as sel;

/// The runtime's [`Env`]: tasks park on the scheduler.
pub struct Tasks;

impl Env for Tasks {
    type Handle = FiberRef;
    /// The `Channel<T>` descriptor (the buffer's element type).
    type Meta = *const PlatShape;

    fn current() -> FiberRef {
        sched::me()
    }
    fn prepare_park(h: FiberRef) {
        sched::prepare_park(h);
    }
    fn cancel_park(h: FiberRef) {
        sched::cancel_park(h);
    }
    fn park(h: FiberRef, why: Why) {
        // Returns at once if a cancellation arrived since the caller last
        // looked (the protocol then leaves the queue and ends the task).
        sched::park_cancellable(
            h,
            Reason {
                what: why.what,
                task: None,
                at: why.loc,
            },
        );
    }
    fn wake(h: FiberRef) {
        sched::wake(h);
    }
    fn cancelled(h: FiberRef) -> bool {
        sched::cancel_requested(h)
    }
    fn exit_cancelled(h: FiberRef) -> ! {
        sched::end_task(h, CANCELLED, None)
    }
    fn now() -> u64 {
        sched::now_nanos()
    }
    fn arm_timer(deadline: u64, h: FiberRef) {
        timer::add(deadline, timer::Action::Wake(h));
    }
    #[allow(
        clippy::not_unsafe_ptr_arg_deref,
        reason = "`meta` is always the channel's own descriptor (`make`)"
    )]
    fn alloc_slots(meta: *const PlatShape, n: usize) -> *mut u64 {
        // Under the channel's lock (`core`: no Plat panic there): an
        // impossible buffer is refused, and the send panics once unlocked
        // (`out_of_memory`).
        let bytes = n
            .checked_mul(8)
            .and_then(|b| b.checked_add(array::SLOTS_OFFSET));
        if crate::gc::limit::too_big(bytes) {
            return std::ptr::null_mut();
        }
        // SAFETY: `meta` is the channel's descriptor, which lives forever.
        array::alloc_slots(array::slot_buffer_shape(unsafe { &*meta }), n)
    }
    fn out_of_memory(n: usize) -> ! {
        let bytes = (n as u128) * 8 + array::SLOTS_OFFSET as u128;
        let msg =
            format!("out of memory: allocation of {bytes} bytes (channel buffer of {n} values)");
        // No lock is held (the `Env` contract); the panic names the
        // compiled call site of the send.
        sched::panic(msg.as_bytes(), None)
    }
    fn below(n: usize) -> usize {
        seed::choose(n)
    }
}

/// A channel object. Known to compiler only as an opaque pointer.
#[repr(C)]
pub struct ChanObj {
    header: *const PlatShape,
    pub chan: Chan<Tasks>,
}

/// The collector's view of a channel object at `obj`: its ring buffer
/// (the first slot, an interior pointer), if it has one. Values in flight
/// are in waiters on the parked tasks' stacks, which are scanned anyway.
///
/// # Safety
///
/// `obj` is a channel object and the world is stopped (no task can be
/// inside the channel's lock).
pub unsafe fn buffer_of(obj: usize) -> Option<usize> {
    // SAFETY: a channel object (caller); its state is not being changed.
    let ch = unsafe { &(*(obj as *const ChanObj)).chan };
    let buf = ch.buffer_for_collector();
    (!buf.is_null()).then_some(buf as usize)
}

fn task_of(ctx: *mut PlatCtx) -> FiberRef {
    // The context is the first field of its `#[repr(C)]` fiber.
    FiberRef(ctx as *const Fiber)
}

fn chan<'a>(ch: *mut ChanObj) -> &'a Chan<Tasks> {
    // SAFETY: a channel object (contract); channels are never moved.
    unsafe { &(*ch).chan }
}

pub(crate) fn make(desc: *const PlatShape, cap: usize, loc: *const c_char) -> *mut ChanObj {
    let obj = heap::alloc(std::mem::size_of::<ChanObj>(), desc) as *mut ChanObj;
    // SAFETY: a fresh, zeroed, suitably sized and aligned object whose
    // header `alloc` already set; the state is written in place.
    unsafe { std::ptr::addr_of_mut!((*obj).chan).write(Chan::new(cap, desc, loc)) };
    obj
}

/// `Channel.init(capacity = n)`: a rendezvous channel (`n == 0`) or one
/// buffering `n` values. A negative capacity panics at `loc`.
#[no_mangle]
pub unsafe extern "C" fn plat_chan_new(
    desc: *const PlatShape,
    capacity: i64,
    loc: *const c_char,
) -> *mut ChanObj {
    if capacity < 0 {
        // SAFETY: static message and the caller's location.
        unsafe { plat_panic_cstr(c"channel capacity must not be negative".as_ptr(), loc) };
    }
    make(
        desc,
        (capacity as u64).min(UNBOUNDED as u64 - 1) as usize,
        loc,
    )
}

/// `Channel.unbounded()`: a channel whose sends never park.
#[no_mangle]
pub unsafe extern "C" fn plat_chan_unbounded(
    desc: *const PlatShape,
    loc: *const c_char,
) -> *mut ChanObj {
    make(desc, UNBOUNDED, loc)
}

/// `ch.send(value =)`: 1 once delivered or buffered, 0 if closed.
#[no_mangle]
pub unsafe extern "C" fn plat_chan_send(ctx: *mut PlatCtx, ch: *mut ChanObj, slot: u64) -> u8 {
    sched::check_cancel(task_of(ctx));
    chan(ch).send(slot) as u8
}

/// `ch.try_send(value =)`: never parks.
#[no_mangle]
pub unsafe extern "C" fn plat_chan_try_send(ch: *mut ChanObj, slot: u64) -> u8 {
    chan(ch).try_send(slot) as u8
}

/// `ch.recv()`: 1 and `*out` = the value, or 0 once closed and drained.
#[no_mangle]
pub unsafe extern "C" fn plat_chan_recv(ctx: *mut PlatCtx, ch: *mut ChanObj, out: *mut u64) -> u8 {
    sched::check_cancel(task_of(ctx));
    put(chan(ch).recv(None), out)
}

/// `ch.try_recv()`: never parks.
#[no_mangle]
pub unsafe extern "C" fn plat_chan_try_recv(ch: *mut ChanObj, out: *mut u64) -> u8 {
    put(chan(ch).try_recv(), out)
}

/// `ch.recv_timeout(millis =)`: as `recv`, 0 also at the deadline.
#[no_mangle]
pub unsafe extern "C" fn plat_chan_recv_timeout(
    ctx: *mut PlatCtx,
    ch: *mut ChanObj,
    millis: i64,
    out: *mut u64,
) -> u8 {
    sched::check_cancel(task_of(ctx));
    let deadline =
        sched::now_nanos().saturating_add((millis.max(0) as u64).saturating_mul(1_000_000));
    put(chan(ch).recv(Some(deadline)), out)
}

fn put(v: Option<u64>, out: *mut u64) -> u8 {
    match v {
        Some(v) => {
            // SAFETY: `out` is writable (contract).
            unsafe { *out = v };
            1
        }
        None => 0,
    }
}

/// `ch.close()`: closing a closed channel panics at `loc`.
#[no_mangle]
pub unsafe extern "C" fn plat_chan_close(ch: *mut ChanObj, loc: *const c_char) {
    if chan(ch).close().is_err() {
        // SAFETY: static message and the caller's location.
        unsafe { plat_panic_cstr(c"close of a closed channel".as_ptr(), loc) };
    }
}

/// `ch.is_closed()`.
#[no_mangle]
pub unsafe extern "C" fn plat_chan_is_closed(ch: *mut ChanObj) -> u8 {
    chan(ch).is_closed() as u8
}

/// `ch.len()`: buffered values.
#[no_mangle]
pub unsafe extern "C" fn plat_chan_len(ch: *mut ChanObj) -> i64 {
    chan(ch).len() as i64
}

/// `ch.capacity()`: `Int64` max for an unbounded channel.
#[no_mangle]
pub unsafe extern "C" fn plat_chan_capacity(ch: *mut ChanObj) -> i64 {
    match chan(ch).cap {
        UNBOUNDED => i64::MAX,
        c => c as i64,
    }
}

/// One arm of a `select`, as compiled code lays it out (known to
/// compiler): 24 bytes.
#[repr(C)]
pub struct SelectArm {
    pub chan: *mut ChanObj,
    /// [`ARM_RECV`] or [`ARM_SEND`].
    pub kind: u64,
    /// The value a send arm sends.
    pub value: u64,
}

pub const ARM_RECV: u64 = sel::RECV;
pub const ARM_SEND: u64 = sel::SEND;
/// Bytes of scratch space compiled code provides per arm (a waiter).
pub const SCRATCH_PER_ARM: usize = sel::SCRATCH_PER_ARM;
// The arm table compiled code builds (plat_abi::tables::select).
const _: () = {
    use std::mem::{offset_of, size_of};
    assert!(offset_of!(SelectArm, chan) == sel::ARM_CHAN);
    assert!(offset_of!(SelectArm, kind) == sel::ARM_KIND);
    assert!(offset_of!(SelectArm, value) == sel::ARM_VALUE);
    assert!(size_of::<SelectArm>() == sel::ARM_SIZE);
};
const _: () = assert!(std::mem::size_of::<Waiter<FiberRef>>() <= SCRATCH_PER_ARM);
const _: () = assert!(std::mem::align_of::<Waiter<FiberRef>>() <= 8);

/// `plat_select` result: no arm was ready and there is a `default` arm.
pub const SELECT_DEFAULT: i64 = sel::SELECTED_DEFAULT;
/// `plat_select` result: the `after` arm's time passed.
pub const SELECT_TIMEOUT: i64 = sel::SELECTED_TIMEOUT;

/// `select { ... }` over the `n` arms at `arms`. `timeout_millis`: -1
/// parks without limit; -2 never parks (a `default` arm); otherwise the
/// `after(millis =)` arm's time (negative values other than -1/-2 are
/// treated as 0). `scratch`: `n * SCRATCH_PER_ARM` bytes, 8-aligned, in
/// the caller's frame. Returns the index of the arm that completed (with
/// `*ok` = 1 and `*out` = the received value for a receive that got one,
/// `*ok` = 0 for a receive on a closed channel or a send that delivered
/// nothing because its channel is closed), or [`SELECT_DEFAULT`] or
/// [`SELECT_TIMEOUT`].
#[no_mangle]
pub unsafe extern "C" fn plat_select(
    ctx: *mut PlatCtx,
    arms: *const SelectArm,
    n: u64,
    scratch: *mut u8,
    timeout_millis: i64,
    loc: *const c_char,
    out: *mut u64,
    ok: *mut u8,
) -> i64 {
    sched::check_cancel(task_of(ctx));
    let n = n as usize;
    let raw: &[SelectArm] = if n == 0 {
        &[]
    } else {
        // SAFETY: `n` arms at `arms` (contract).
        unsafe { std::slice::from_raw_parts(arms, n) }
    };
    let arm = |i: usize| {
        let a = &raw[i];
        Arm {
            chan: chan(a.chan),
            op: if a.kind == ARM_SEND {
                Op::Send(a.value)
            } else {
                Op::Recv
            },
        }
    };
    let waiters: &mut [MaybeUninit<Waiter<FiberRef>>] = if n == 0 {
        &mut []
    } else {
        // SAFETY: `n * SCRATCH_PER_ARM` writable, 8-aligned bytes in the
        // caller's frame (contract), big enough for `n` waiters.
        unsafe { std::slice::from_raw_parts_mut(scratch.cast(), n) }
    };
    let block = match timeout_millis {
        sel::BLOCK_FOREVER => Block::Forever,
        sel::NEVER_BLOCK => Block::Never,
        ms => Block::Until(
            sched::now_nanos().saturating_add((ms.max(0) as u64).saturating_mul(1_000_000)),
        ),
    };
    let why = Why {
        what: "in select at",
        loc,
    };
    match select::select(n, arm, waiters, block, why) {
        Outcome::Arm { arm, status, value } => {
            // SAFETY: writable outputs (contract).
            unsafe {
                *ok = (status == DONE) as u8;
                *out = if status == CLOSED { 0 } else { value };
            }
            arm as i64
        }
        Outcome::Default => SELECT_DEFAULT,
        Outcome::Timeout => SELECT_TIMEOUT,
    }
}
