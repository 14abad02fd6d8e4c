//! The static shapes of synchronisation objects (kind Sync, named after
//! the Plat type) and of the channels the runtime makes for them
//! (`CancelToken.done()`, `Ticker.channel()`).
//!
//! A Sync shape describes its object as a Class descriptor would:
//! `payload_words` words after the header, and `ptr_map` bit `i` set iff
//! payload word `i` (object offset `8 + 8 i`) holds a Plat heap pointer
//! (or null). Everything else in these objects (locks, counters, queue
//! links to waiters on task stacks, task handles, static locations) is
//! not a Plat heap pointer.

use std::ffi::CStr;
use std::mem::{offset_of, size_of};

use super::abi::{CondObj, MutexObj, OnceObj, RwLockObj, SemObj, WaitGroupObj};
use super::atomic::AtomicObj;
use super::ctoken::TokenObj;
use super::ratelimit::LimiterObj;
use super::ticker::TickerObj;
use crate::gc::shape::{plat_type_int64, plat_type_unit, PlatShape, ShapeKind};

/// Kind number of channel headers (`ShapeKind::Channel`, which the
/// channel side of the runtime defines).
pub const CHANNEL_KIND: u32 = ShapeKind::Channel as u32;

const fn sync_shape(name: &'static CStr, size: usize, ptr_map: *const u64) -> PlatShape {
    assert!(size.is_multiple_of(8) && size > 8);
    let mut s = PlatShape::leaf(ShapeKind::Sync, name);
    s.payload_words = ((size - 8) / 8) as u64;
    s.ptr_map = ptr_map;
    s
}

/// The `ptr_map` bit of the payload word at object offset `off`.
const fn bit(off: usize) -> u64 {
    assert!(off >= 8 && off.is_multiple_of(8) && off < 8 + 8 * 64);
    1 << ((off - 8) / 8)
}

static CONDITION_PTRS: [u64; 1] = [bit(offset_of!(CondObj, mutex))];
static CANCEL_TOKEN_PTRS: [u64; 1] = [bit(offset_of!(TokenObj, done))
    | bit(offset_of!(TokenObj, parent))
    | bit(offset_of!(TokenObj, first_child))
    | bit(offset_of!(TokenObj, next_sibling))
    | bit(offset_of!(TokenObj, prev_sibling))];
static TICKER_PTRS: [u64; 1] = [bit(offset_of!(TickerObj, chan))];

const NONE: *const u64 = std::ptr::null();

pub static MUTEX: PlatShape = sync_shape(c"Mutex", size_of::<MutexObj>(), NONE);
pub static RWLOCK: PlatShape = sync_shape(c"RwLock", size_of::<RwLockObj>(), NONE);
pub static CONDITION: PlatShape =
    sync_shape(c"Condition", size_of::<CondObj>(), CONDITION_PTRS.as_ptr());
pub static WAIT_GROUP: PlatShape = sync_shape(c"WaitGroup", size_of::<WaitGroupObj>(), NONE);
pub static SEMAPHORE: PlatShape = sync_shape(c"Semaphore", size_of::<SemObj>(), NONE);
pub static ONCE: PlatShape = sync_shape(c"Once", size_of::<OnceObj>(), NONE);
pub static ATOMIC: PlatShape = sync_shape(c"Atomic", size_of::<AtomicObj>(), NONE);
pub static CANCEL_TOKEN: PlatShape = sync_shape(
    c"CancelToken",
    size_of::<TokenObj>(),
    CANCEL_TOKEN_PTRS.as_ptr(),
);
pub static TICKER: PlatShape = sync_shape(c"Ticker", size_of::<TickerObj>(), TICKER_PTRS.as_ptr());
pub static RATE_LIMITER: PlatShape = sync_shape(c"RateLimiter", size_of::<LimiterObj>(), NONE);

/// Every Sync shape (for tests and the collector's checks).
pub static ALL: [&PlatShape; 10] = [
    &MUTEX,
    &RWLOCK,
    &CONDITION,
    &WAIT_GROUP,
    &SEMAPHORE,
    &ONCE,
    &ATOMIC,
    &CANCEL_TOKEN,
    &TICKER,
    &RATE_LIMITER,
];

/// Children lists of the channel descriptors (`&PlatShape` has the
/// layout of `*const PlatShape`).
static UNIT_KIDS: [&PlatShape; 1] = [&plat_type_unit];
static INT64_KIDS: [&PlatShape; 1] = [&plat_type_int64];

const fn channel_shape(kids: &'static [&'static PlatShape; 1]) -> PlatShape {
    let mut s = PlatShape::leaf(ShapeKind::Unit, c"Channel");
    s.kind = CHANNEL_KIND;
    s.n_children = 1;
    s.children = kids.as_ptr() as *const *const PlatShape;
    s
}

/// `Channel<Unit>` (a `CancelToken`'s `done()`).
pub static CHANNEL_UNIT: PlatShape = channel_shape(&UNIT_KIDS);
/// `Channel<Int64>` (a `Ticker`'s `channel()`).
pub static CHANNEL_INT64: PlatShape = channel_shape(&INT64_KIDS);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::shape::ShapeKind;

    fn map(s: &PlatShape) -> u64 {
        if s.ptr_map.is_null() {
            0
        } else {
            // SAFETY: a one-word map (every Sync object is under 64 words).
            unsafe { *s.ptr_map }
        }
    }

    #[test]
    fn ensure_that_sync_shapes_describe_their_objects() {
        let sizes = [
            size_of::<MutexObj>(),
            size_of::<RwLockObj>(),
            size_of::<CondObj>(),
            size_of::<WaitGroupObj>(),
            size_of::<SemObj>(),
            size_of::<OnceObj>(),
            size_of::<AtomicObj>(),
            size_of::<TokenObj>(),
            size_of::<TickerObj>(),
            size_of::<LimiterObj>(),
        ];
        for (s, size) in ALL.iter().zip(sizes) {
            assert_eq!(s.shape_kind(), ShapeKind::Sync);
            assert_eq!(s.kind, 14);
            assert_eq!(8 + 8 * s.payload_words as usize, size, "{:?}", s.name);
            assert!(s.payload_words < 64);
            assert_eq!(map(s) >> s.payload_words, 0, "bits inside the payload");
        }
        let names: Vec<&[u8]> = ALL.iter().map(|s| s.name_bytes()).collect();
        assert_eq!(
            names,
            [
                &b"Mutex"[..],
                b"RwLock",
                b"Condition",
                b"WaitGroup",
                b"Semaphore",
                b"Once",
                b"Atomic",
                b"CancelToken",
                b"Ticker",
                b"RateLimiter"
            ]
        );
        // The Plat pointers: a condition's mutex; a token's done channel,
        // parent and tree links; a ticker's channel.
        assert_eq!(map(&CONDITION), 1);
        assert_eq!(map(&CANCEL_TOKEN), 0b11111);
        assert_eq!(map(&TICKER), 1);
        for s in [
            &MUTEX,
            &RWLOCK,
            &WAIT_GROUP,
            &SEMAPHORE,
            &ONCE,
            &ATOMIC,
            &RATE_LIMITER,
        ] {
            assert!(s.ptr_map.is_null());
        }
        assert_eq!(CHANNEL_UNIT.kind, CHANNEL_KIND);
        // SAFETY: one child each.
        unsafe {
            assert_eq!(CHANNEL_UNIT.child(0).shape_kind(), ShapeKind::Unit);
            assert_eq!(CHANNEL_INT64.child(0).shape_kind(), ShapeKind::Int64);
        }
    }

    #[test]
    fn ensure_that_constructors_set_the_header() {
        use crate::sync::abi::*;
        // SAFETY: constructors with a static location; objects are only
        // inspected.
        unsafe {
            let loc = c"s.plat:1:1".as_ptr();
            let m = plat_mutex_new(loc);
            let header = |p: *mut u8| *(p as *const *const PlatShape);
            assert!(std::ptr::eq(header(m.cast()), &MUTEX));
            assert!(std::ptr::eq(
                header(plat_cond_new(m, loc).cast()),
                &CONDITION
            ));
            assert!(std::ptr::eq(
                header(crate::sync::ctoken::plat_ctoken_new(loc).cast()),
                &CANCEL_TOKEN
            ));
            assert!(std::ptr::eq(
                header(crate::sync::atomic::plat_atomic_new(1, loc).cast()),
                &ATOMIC
            ));
        }
    }
}
