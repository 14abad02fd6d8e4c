//! `a + b` on strings: appending in place into a string buffer's tail when
//! `a` owns it, else copying into a new buffer with slack (the design and
//! the invariants are in `crate::string`'s module doc).
//!
//! # Invariants (besides those of `crate::string`)
//!
//! - `claimed` only grows, by a successful compare-and-swap from the
//!   claiming view's length; the claimer alone writes the claimed bytes,
//!   before it publishes the view that holds them.
//! - A buffer's `capacity` never changes after it is made.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{bytes, char_len, ensure_chars, PlatStr, DATA_OFFSET};
use crate::gc::heap;
use crate::gc::shape::{plat_shape_string, PlatShape, ShapeKind};

/// The header of a string buffer; its bytes follow it.
#[repr(C)]
pub struct StrBuf {
    pub shape: *const PlatShape,
    /// Bytes after the header (never changes).
    pub capacity: u64,
    /// Bytes owned by some view (only grows; see the module doc).
    pub claimed: AtomicU64,
}

/// Bytes from the start of a buffer to its first byte.
pub const BUF_DATA_OFFSET: usize = std::mem::size_of::<StrBuf>();

/// The shape of every string buffer: no pointers (the collector scans
/// nothing in it). Never a type descriptor.
pub static BUFFER_SHAPE: PlatShape = PlatShape::leaf(ShapeKind::Leaf, c"string buffer");

/// Results of at most this many bytes are inline strings (exact size, one
/// object): below it a copy costs about what a claim does.
pub const INLINE_MAX: usize = 64;

/// Up to this size a growing buffer doubles; then it grows by this much
/// until a quarter of its size is more.
const DOUBLING_MAX: usize = 4 << 20;

/// The capacity of a new buffer for a string of `len` bytes that is being
/// appended to: twice `len` up to [`DOUBLING_MAX`], then `len` plus the
/// larger of [`DOUBLING_MAX`] and a quarter of `len`.
pub fn grown_capacity(len: usize) -> usize {
    let slack = if len <= DOUBLING_MAX {
        len
    } else {
        DOUBLING_MAX.max(len / 4)
    };
    len.saturating_add(slack)
}

/// `a + b`: the appending concatenation behind `plat_str_concat`.
///
/// Returns `b` when `a` is empty and `a` when `b` is; else a new string
/// (inline when short, else a view, see the module doc of
/// `crate::string`). A result of more than `MAX_CHARS` characters panics
/// before anything is allocated or claimed.
///
/// # Safety
///
/// `a` and `b` point to valid string objects.
pub unsafe fn concat(a: *const PlatStr, b: *const PlatStr) -> *const PlatStr {
    // SAFETY: valid strings (caller's contract).
    let (ab, bb) = unsafe { (bytes(a), bytes(b)) };
    if ab.is_empty() {
        return b;
    }
    if bb.is_empty() {
        return a;
    }
    // SAFETY: valid strings (caller's contract).
    let chars = unsafe { char_len(a) + char_len(b) };
    ensure_chars(chars);
    let total = ab.len() + bb.len();
    if total <= INLINE_MAX {
        let (s, data) = super::alloc_raw(total, chars);
        // SAFETY: `data` has room for both parts; it is fresh, so no
        // overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(ab.as_ptr(), data, ab.len());
            std::ptr::copy_nonoverlapping(bb.as_ptr(), data.add(ab.len()), bb.len());
        }
        return s;
    }
    // SAFETY: a valid string (caller's contract).
    let a_data = unsafe { (*a).data };
    if a_data.is_null() {
        // `a` was not made by appending: an exact buffer.
        return view_of_new_buffer(total, ab, bb, chars);
    }
    // SAFETY: `a` is a view, so `a_data` is the first byte of a live
    // buffer (module invariants); its header is just before it.
    let buf = unsafe { &*(a_data.sub(BUF_DATA_OFFSET) as *const StrBuf) };
    let room = buf.capacity as usize - ab.len();
    if bb.len() <= room
        && buf
            .claimed
            .compare_exchange(
                ab.len() as u64,
                total as u64,
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_ok()
    {
        // SAFETY: bytes `ab.len()..total` of the buffer were just claimed
        // by this call alone (below capacity, checked). `bb` cannot
        // overlap them: it lies below the `claimed` of the moment `b` was
        // made, which is at most the `ab.len()` the claim started from.
        unsafe {
            std::ptr::copy_nonoverlapping(bb.as_ptr(), (a_data as *mut u8).add(ab.len()), bb.len())
        };
        return make_view(a_data, total, chars);
    }
    // Another string owns the tail, or it is full: copy with slack.
    view_of_new_buffer(grown_capacity(total), ab, bb, chars)
}

/// A new buffer of at least `capacity` bytes holding `ab` then `bb`
/// (claimed), and a view of them with `chars` characters.
fn view_of_new_buffer(capacity: usize, ab: &[u8], bb: &[u8], chars: u64) -> *const PlatStr {
    let total = ab.len() + bb.len();
    debug_assert!(capacity >= total);
    // The slack never makes a string that fits out of memory.
    let most = crate::gc::limit::max_alloc().saturating_sub(BUF_DATA_OFFSET);
    let capacity = capacity.min(most).max(total);
    crate::gc::limit::check_elems("string", capacity, 1, BUF_DATA_OFFSET);
    let size = BUF_DATA_OFFSET + capacity;
    let usable = heap::usable_size(size);
    let obj = heap::alloc(usable, &BUFFER_SHAPE) as *mut StrBuf;
    // SAFETY: a fresh allocation of `usable` bytes: room for the header
    // and `usable - BUF_DATA_OFFSET >= total` bytes. Nobody else sees it
    // yet, so the plain writes need no ordering.
    let data = unsafe {
        (*obj).capacity = (usable - BUF_DATA_OFFSET) as u64;
        (*obj).claimed.store(total as u64, Ordering::Relaxed);
        let data = (obj as *mut u8).add(BUF_DATA_OFFSET);
        std::ptr::copy_nonoverlapping(ab.as_ptr(), data, ab.len());
        std::ptr::copy_nonoverlapping(bb.as_ptr(), data.add(ab.len()), bb.len());
        data
    };
    // The buffer stays alive across the next allocation through `data`
    // (an interior pointer on this task's stack).
    make_view(data, total, chars)
}

/// A view of the first `byte_len` bytes (`chars` characters) of the
/// buffer whose first byte is `data`.
fn make_view(data: *const u8, byte_len: usize, chars: u64) -> *const PlatStr {
    debug_assert!(byte_len > 0);
    let s = heap::alloc(DATA_OFFSET, &plat_shape_string) as *mut PlatStr;
    // SAFETY: a fresh allocation of a string header.
    unsafe {
        (*s).byte_len = byte_len as u64;
        (*s).char_len = chars;
        (*s).data = data;
    }
    s
}

/// The buffer a string views, or `None` for an inline string.
///
/// # Safety
///
/// `s` points to a valid string object.
pub unsafe fn buffer_of<'a>(s: *const PlatStr) -> Option<&'a StrBuf> {
    // SAFETY: a valid string (caller); a view's `data` is its buffer's
    // first byte (module invariants).
    unsafe {
        let d = (*s).data;
        (!d.is_null()).then(|| &*(d.sub(BUF_DATA_OFFSET) as *const StrBuf))
    }
}

#[cfg(test)]
#[path = "append_tests.rs"]
mod tests;
