//! `Atomic<T>` for `Int32`, `Int64` and `Bool`: one 64-bit slot in an
//! object, accessed with the hardware's atomic instructions and the
//! memory order the program asks for.
//!
//! Values are slots (`Int32` sign-extended, `Bool` 0 or 1), so every
//! stored value is canonical; `add` with `width` 32 wraps at 32 bits
//! (a CAS loop) so that the slot stays a sign-extended `Int32`. Orders
//! are the `MemoryOrder` variant tags; an order an operation cannot have
//! (a load with `Release`, a store with `Acquire`, an unknown tag) is
//! strengthened to `SeqCst`, never a crash. A compare-and-swap's failure
//! order is the success order without its release half.
//!
//! Contract of the entry points: `a` was made by `plat_atomic_new`, `loc`
//! is null or a static `"file:line:col"`.
#![allow(clippy::missing_safety_doc)]

use std::ffi::c_char;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};

use super::abi::alloc_obj;
use super::shapes;
use crate::gc::shape::PlatShape;

/// `MemoryOrder` tags.
pub use plat_abi::tables::atomic::{ACQUIRE, ACQ_REL, RELAXED, RELEASE, SEQ_CST};

/// An atomic object. Known to compiler only as an opaque pointer.
#[repr(C)]
pub struct AtomicObj {
    header: *const PlatShape,
    value: AtomicU64,
    pub loc: *const c_char,
}

fn cell<'a>(a: *mut AtomicObj) -> &'a AtomicU64 {
    // SAFETY: an atomic object (contract); never moved.
    unsafe { &(*a).value }
}

/// The order for a read-modify-write operation.
fn rmw(order: u32) -> Ordering {
    match order {
        RELAXED => Ordering::Relaxed,
        ACQUIRE => Ordering::Acquire,
        RELEASE => Ordering::Release,
        ACQ_REL => Ordering::AcqRel,
        _ => Ordering::SeqCst,
    }
}

fn load_order(order: u32) -> Ordering {
    match order {
        RELAXED => Ordering::Relaxed,
        ACQUIRE => Ordering::Acquire,
        _ => Ordering::SeqCst,
    }
}

fn store_order(order: u32) -> Ordering {
    match order {
        RELAXED => Ordering::Relaxed,
        RELEASE => Ordering::Release,
        _ => Ordering::SeqCst,
    }
}

fn failure_order(order: u32) -> Ordering {
    match order {
        RELAXED | RELEASE => Ordering::Relaxed,
        ACQUIRE | ACQ_REL => Ordering::Acquire,
        _ => Ordering::SeqCst,
    }
}

/// `Atomic.init(value =)`.
#[no_mangle]
pub unsafe extern "C" fn plat_atomic_new(value: u64, loc: *const c_char) -> *mut AtomicObj {
    let a: *mut AtomicObj = alloc_obj(&shapes::ATOMIC);
    // SAFETY: a fresh, zeroed object whose header `alloc` set.
    unsafe {
        ptr::addr_of_mut!((*a).value).write(AtomicU64::new(value));
        ptr::addr_of_mut!((*a).loc).write(loc);
    }
    a
}

/// `a.load(order =)`.
#[no_mangle]
pub unsafe extern "C" fn plat_atomic_load(a: *mut AtomicObj, order: u32) -> u64 {
    cell(a).load(load_order(order))
}

/// `a.store(value =, order =)`.
#[no_mangle]
pub unsafe extern "C" fn plat_atomic_store(a: *mut AtomicObj, value: u64, order: u32) {
    cell(a).store(value, store_order(order));
}

/// `a.swap(value =, order =)`: the previous value.
#[no_mangle]
pub unsafe extern "C" fn plat_atomic_swap(a: *mut AtomicObj, value: u64, order: u32) -> u64 {
    cell(a).swap(value, rmw(order))
}

/// `a.add(delta =, order =)`: the previous value; the sum wraps at
/// `width` bits (32, else 64) and is stored sign-extended.
#[no_mangle]
pub unsafe extern "C" fn plat_atomic_add(
    a: *mut AtomicObj,
    delta: u64,
    order: u32,
    width: u32,
) -> u64 {
    let c = cell(a);
    let ord = rmw(order);
    if width != plat_abi::tables::atomic::WIDTH_32 {
        return c.fetch_add(delta, ord);
    }
    let mut old = c.load(Ordering::Relaxed);
    loop {
        let new = (old as u32).wrapping_add(delta as u32) as i32 as i64 as u64;
        match c.compare_exchange_weak(old, new, ord, failure_order(order)) {
            Ok(prev) => return prev,
            Err(o) => old = o,
        }
    }
}

/// `a.compare_and_swap(expected =, new =, order =)`: 1 if the value was
/// `expected` (and is now `new`).
#[no_mangle]
pub unsafe extern "C" fn plat_atomic_cas(
    a: *mut AtomicObj,
    expected: u64,
    new: u64,
    order: u32,
) -> u8 {
    cell(a)
        .compare_exchange(expected, new, rmw(order), failure_order(order))
        .is_ok() as u8
}
