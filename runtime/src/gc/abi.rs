//! Allocation, for every heap object compiled code creates (class
//! instances, enum payloads, closures, ...).

use crate::gc::heap;
use crate::gc::shape::PlatShape;

/// Allocates an object of `size` bytes, header included; returns it
/// 8-byte aligned with a zeroed payload and its header already set to
/// `shape` (the caller writes nothing to the header).
///
/// `shape` must point to a static `PlatShape` that lives for the whole
/// program.
#[no_mangle]
pub extern "C" fn plat_alloc(size: u64, shape: *const PlatShape) -> *mut u8 {
    heap::alloc(size as usize, shape)
}
