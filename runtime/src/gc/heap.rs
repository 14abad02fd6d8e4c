//! The heap: the single allocation entry point for Plat objects.
//!
//! For now this is a bump allocator that never frees (there is no
//! collector yet). Nothing outside `gc/` may depend on that: callers only
//! know that [`alloc`] returns a zeroed, 8-byte aligned object whose header
//! already names its shape.
//!
//! # Design
//!
//! Each OS thread owns a *chunk* ([`CHUNK_SIZE`] bytes, fresh from `mmap`)
//! and bumps a pointer through it; no lock and no atomic on the fast path.
//! When the chunk is exhausted the rest of it is abandoned and a new one is
//! mapped. Objects larger than [`LARGE_OBJECT`] get a mapping of their own,
//! so a big allocation never wastes most of a chunk.
//!
//! # Invariants
//!
//! - Memory handed out is zero: chunks come zeroed from `mmap` and no byte
//!   is ever handed out twice (nothing is freed or reused), so the fast path
//!   does not clear anything.
//! - `BUMP.ptr <= BUMP.end`, both 8-byte aligned; `[ptr, end)` is the
//!   unused, zeroed tail of the current thread's chunk (both 0 before the
//!   thread's first allocation).
//! - A chunk belongs to exactly one thread; only that thread reads or
//!   writes `BUMP`.

use std::cell::Cell;

use super::shape::PlatShape;

/// Size of the chunk each thread bumps through.
pub const CHUNK_SIZE: usize = 4 << 20;
/// Objects above this size are mapped on their own.
pub const LARGE_OBJECT: usize = 256 << 10;
/// Every object is aligned (and sized) to this many bytes.
pub const ALIGN: usize = 8;

#[derive(Clone, Copy)]
struct Bump {
    ptr: usize,
    end: usize,
}

thread_local! {
    /// This thread's allocation window; see the module invariants.
    static BUMP: Cell<Bump> = const { Cell::new(Bump { ptr: 0, end: 0 }) };
}

/// Allocates an object of `size` bytes (header included), zeroed, 8-byte
/// aligned, with its header set to `shape`.
///
/// `size` is rounded up to a multiple of 8 and to at least one word.
#[inline]
#[allow(
    clippy::not_unsafe_ptr_arg_deref,
    reason = "`shape` is stored, never dereferenced"
)]
pub fn alloc(size: usize, shape: *const PlatShape) -> *mut u8 {
    let size = match size.checked_add(ALIGN - 1) {
        Some(s) => (s & !(ALIGN - 1)).max(ALIGN),
        None => crate::rt_fatal!("out of memory: allocation of {size} bytes"),
    };
    let obj = BUMP.with(|cell| {
        let b = cell.get();
        // `b.end - b.ptr` cannot underflow (invariant `ptr <= end`).
        if size <= b.end - b.ptr {
            cell.set(Bump {
                ptr: b.ptr + size,
                end: b.end,
            });
            b.ptr as *mut u8
        } else {
            alloc_slow(cell, size)
        }
    });
    // SAFETY: `obj` is the start of at least `size >= 8` bytes of writable
    // memory owned by this allocation and aligned to 8 bytes.
    unsafe { (obj as *mut *const PlatShape).write(shape) };
    obj
}

#[cold]
#[inline(never)]
fn alloc_slow(cell: &Cell<Bump>, size: usize) -> *mut u8 {
    if size > LARGE_OBJECT {
        return map_zeroed(size);
    }
    // A thread's first chunk is faulted in lazily (short-lived programs and
    // threads touch little of it); later ones are populated up front.
    let first = cell.get().end == 0;
    let chunk = map_chunk(!first) as usize;
    cell.set(Bump {
        ptr: chunk + size,
        end: chunk + CHUNK_SIZE,
    });
    chunk as *mut u8
}

/// `mmap` flag asking the kernel to fault the whole mapping in at once.
#[cfg(target_os = "linux")]
const POPULATE: libc::c_int = libc::MAP_POPULATE;
#[cfg(not(target_os = "linux"))]
const POPULATE: libc::c_int = 0;

/// Maps a chunk, optionally with its pages populated up front: one system call
/// instead of one page fault per 4 KiB (page faults dominated the cost of
/// allocation-heavy programs). Transparent huge pages were tried too: as
/// fast at best, but direct compaction made them several times slower on
/// a busy machine.
fn map_chunk(populate: bool) -> *mut u8 {
    map(CHUNK_SIZE, if populate { POPULATE } else { 0 })
}

/// Maps `size` bytes of fresh zeroed memory (page-aligned).
fn map_zeroed(size: usize) -> *mut u8 {
    map(size, 0)
}

/// Maps `size` bytes of fresh zeroed memory with extra `mmap` flags.
fn map(size: usize, flags: libc::c_int) -> *mut u8 {
    // SAFETY: an anonymous private mapping at a kernel-chosen address
    // touches no existing memory; the result is checked before use.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | flags,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        crate::rt_fatal!("out of memory: cannot map {size} bytes");
    }
    p as *mut u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::shape::plat_shape_string;

    fn shape() -> *const PlatShape {
        &plat_shape_string
    }

    #[test]
    fn ensure_that_objects_are_aligned_zeroed_and_carry_their_shape() {
        for size in [
            1usize,
            7,
            8,
            9,
            24,
            33,
            100,
            4096,
            LARGE_OBJECT + 1,
            3 << 20,
        ] {
            let p = alloc(size, shape());
            assert_eq!(p as usize % ALIGN, 0, "size {size}");
            // SAFETY: `alloc` returned at least `size` (rounded up) bytes.
            let bytes = unsafe { std::slice::from_raw_parts(p, size.max(8)) };
            assert_eq!(bytes[..8], (shape() as usize).to_ne_bytes());
            assert!(bytes[8..].iter().all(|&b| b == 0), "size {size}");
        }
    }

    #[test]
    fn ensure_that_consecutive_objects_do_not_overlap() {
        let mut prev = alloc(24, shape()) as usize;
        for _ in 0..100_000 {
            let p = alloc(20, shape()) as usize;
            // Either the next slot in the chunk or a fresh chunk.
            assert!(p >= prev + 24 || p + 24 <= prev);
            prev = p;
        }
    }

    #[test]
    fn ensure_that_many_threads_allocate_disjoint_zeroed_memory() {
        let threads: Vec<_> = (0..8)
            .map(|t| {
                std::thread::spawn(move || {
                    let mut objs = Vec::new();
                    for i in 0..50_000usize {
                        let size = 16 + (i % 7) * 8;
                        let p = alloc(size, shape());
                        // SAFETY: the object has at least 16 bytes.
                        unsafe {
                            assert_eq!(*(p.add(8) as *const u64), 0);
                            *(p.add(8) as *mut u64) = (t * 1_000_000 + i) as u64;
                        }
                        objs.push((p as usize, (t * 1_000_000 + i) as u64));
                    }
                    objs
                })
            })
            .collect();
        let all: Vec<(usize, u64)> = threads
            .into_iter()
            .flat_map(|h| h.join().expect("allocating thread panicked"))
            .collect();
        for &(p, v) in &all {
            // SAFETY: `p` is a live object written above; never freed.
            assert_eq!(unsafe { *((p + 8) as *const u64) }, v);
        }
    }
}
