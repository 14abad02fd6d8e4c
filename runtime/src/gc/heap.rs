//! The heap: the single allocation entry point for Plat objects.
//!
//! Objects live in spans of the arena (`super::arena`, `super::span`):
//! small objects (at most [`MAX_SMALL`] bytes) in spans of one size class
//! (`super::size_class`), each large object in a span of its own. This is
//! the layout the collector needs (`docs/gc.md`): any address can be
//! resolved to the object holding it ([`find_object`]), and objects never
//! move. Callers only know that [`alloc`] returns a zeroed, 8-byte aligned
//! object whose header already names its shape.
//!
//! # Design
//!
//! Each thread has an allocation cache: one current span per size class,
//! which only that thread allocates from, with no lock and no atomic
//! read-modify-write on the fast path. A full span is replaced by a fresh
//! one from the page allocator (one lock per span, not per object).
//!
//! # Invariants
//!
//! - A span in a thread's cache is allocated from only by that thread
//!   (see `super::span` for who writes which fields).
//! - Memory handed out is zero: fresh pages are, and a slot on a span
//!   whose pages were used before is cleared before it is handed out.

use std::cell::Cell;
use std::sync::atomic::Ordering;

use super::arena;
use super::collect;
use super::limit;
use super::shape::PlatShape;
use super::size_class::{class_of, CLASS_SIZES, N_CLASSES};
use super::span::{self, Span};
use super::sweep;

pub use super::size_class::MAX_SMALL;

/// Every object is aligned (and sized) to this many bytes.
pub const ALIGN: usize = 8;

/// An allocation cache entry: the run of free slots being handed out
/// (`next..end`, bumped by the slot size) and the span it belongs to.
#[derive(Clone, Copy)]
struct Run {
    next: usize,
    end: usize,
    span: *const Span,
}

const NO_RUN: Run = Run {
    next: 0,
    end: 0,
    span: std::ptr::null(),
};

thread_local! {
    /// This thread's current run per size class.
    static CACHE: [Cell<Run>; N_CLASSES] = const { [const { Cell::new(NO_RUN) }; N_CLASSES] };
    /// This thread's current run of finalized objects (task handles).
    static FIN_CACHE: Cell<Run> = const { Cell::new(NO_RUN) };
}

/// Allocates an object of `size` bytes (header included), zeroed, 8-byte
/// aligned, with its header set to `shape`.
///
/// `size` is rounded up to a multiple of 8 and to at least one word.
/// More than [`limit::max_alloc`] bytes is a Plat panic (`out of memory:
/// allocation of N bytes`, see `super::limit`): the caller holds no lock.
#[inline]
#[allow(
    clippy::not_unsafe_ptr_arg_deref,
    reason = "`shape` is stored, never dereferenced"
)]
pub fn alloc(size: usize, shape: *const PlatShape) -> *mut u8 {
    let size = match size.checked_add(ALIGN - 1) {
        Some(s) => (s & !(ALIGN - 1)).max(ALIGN),
        None => limit::out_of_memory("", Some(size)),
    };
    collect::count_alloc();
    let obj = if size <= MAX_SMALL {
        let class = class_of(size);
        CACHE.with(|cache| alloc_from(&cache[class], class, None))
    } else {
        alloc_large(size)
    };
    // SAFETY: `obj` is the start of at least `size >= 8` bytes of writable
    // memory owned by this allocation and aligned to 8 bytes.
    unsafe { (obj as *mut *const PlatShape).write(shape) };
    obj
}

/// The bytes [`alloc`]`(size, ..)` really provides (the header included):
/// `size` rounded up to its size class, or to whole pages for a large
/// object. A buffer may use all of it (a string buffer's capacity does).
#[inline]
pub fn usable_size(size: usize) -> usize {
    let size = size.max(ALIGN);
    if size <= MAX_SMALL {
        CLASS_SIZES[class_of(size)] as usize
    } else {
        size.div_ceil(arena::PAGE_SIZE) * arena::PAGE_SIZE
    }
}

/// As [`alloc`] for a small object that the collector's sweep hands to
/// `finalizer` (with its address) when it finds it dead: for runtime
/// objects that own memory outside the heap (task handles).
#[allow(
    clippy::not_unsafe_ptr_arg_deref,
    reason = "`shape` is stored, never dereferenced"
)]
pub fn alloc_finalized(size: usize, shape: *const PlatShape, finalizer: fn(usize)) -> *mut u8 {
    let size = size.next_multiple_of(ALIGN);
    debug_assert!(size <= MAX_SMALL);
    collect::count_alloc();
    let class = class_of(size);
    let obj = FIN_CACHE.with(|c| alloc_from(c, class, Some(finalizer)));
    // SAFETY: as in `alloc`.
    unsafe { (obj as *mut *const PlatShape).write(shape) };
    obj
}

/// A slot of `class` from the run in cache entry `entry`: a bump of its
/// pointer (the run's slots are zero and already marked allocated);
/// a new run when it is used up.
#[inline]
fn alloc_from(entry: &Cell<Run>, class: usize, fin: Option<fn(usize)>) -> *mut u8 {
    let r = entry.get();
    let size = CLASS_SIZES[class] as usize;
    if r.next + size <= r.end {
        entry.set(Run {
            next: r.next + size,
            ..r
        });
        return r.next as *mut u8;
    }
    refill(entry, class, fin)
}

/// Takes the next run of free slots: from the current span, else from a
/// span the last sweep left with free slots, else from a new span.
#[cold]
#[inline(never)]
fn refill(entry: &Cell<Run>, class: usize, fin: Option<fn(usize)>) -> *mut u8 {
    let size = CLASS_SIZES[class] as usize;
    let old = entry.get().span;
    if !old.is_null() {
        // SAFETY: span records are type-stable and never freed.
        let s = unsafe { &*old };
        if let Some(run) = s.take_run() {
            return hand_out(entry, s, run, size);
        }
        s.cached.store(false, Ordering::Relaxed);
    }
    let list = if fin.is_some() {
        sweep::FINALIZED
    } else {
        class
    };
    let n = sweep::take_span(list).unwrap_or_else(|| {
        sweep::before_growth(super::size_class::span_pages(class));
        let n = span::new(class, 0);
        let s = span::get(n);
        if let Some(f) = fin {
            s.finalizer.store(f as usize, Ordering::Relaxed);
        }
        s.cached.store(true, Ordering::Relaxed);
        n
    });
    let s = span::get(n);
    if s.needs_zero.load(Ordering::Relaxed) {
        // Its free slots held objects (a span the sweep left with free
        // slots, or a new span on reused pages): clear them at once, as
        // runs handed out must be zero.
        s.zero_free_slots();
    }
    collect::note_alloc(s.free_bytes());
    let run = s
        .take_run()
        .unwrap_or_else(|| crate::rt_fatal!("a span with free slots has none"));
    hand_out(entry, s, run, size)
}

/// Makes `run` (`next..end` of span `s`) cache entry `entry`'s current
/// run and hands out its first slot of `size` bytes.
fn hand_out(entry: &Cell<Run>, s: &Span, (next, end): (usize, usize), size: usize) -> *mut u8 {
    entry.set(Run {
        next: next + size,
        end,
        span: s,
    });
    next as *mut u8
}

/// Clears slot `p` of span `s` if its memory was used before.
#[inline]
fn prepare(s: &Span, p: usize) -> *mut u8 {
    if s.needs_zero.load(Ordering::Relaxed) {
        let size = s.elem_size.load(Ordering::Relaxed);
        // SAFETY: the slot is `size` bytes inside the span, now owned by
        // this allocation.
        unsafe { std::ptr::write_bytes(p as *mut u8, 0, size) };
    }
    p as *mut u8
}

/// A large object: a span of its own.
#[cold]
#[inline(never)]
fn alloc_large(size: usize) -> *mut u8 {
    if limit::too_big(Some(size)) {
        limit::out_of_memory("", Some(size));
    }
    sweep::before_growth(size.div_ceil(arena::PAGE_SIZE));
    let s = span::get(span::new(0, size));
    collect::note_alloc(s.elem_size.load(Ordering::Relaxed));
    let p = s
        .take_free()
        .unwrap_or_else(|| crate::rt_fatal!("a fresh large span has no slot"));
    prepare(s, p)
}

/// Grows the large object that starts at `obj` in place to at least
/// `size` bytes, if the pages right after it are free (the usual case for
/// a list that keeps growing: its buffer was the last large allocation).
/// Returns whether it did; the bytes added are zero. Saves a growing
/// list the copy, and the old buffer's memory until it is collected.
///
/// The object stays where it is, so every pointer to or into it stays
/// valid. A concurrent sweep of its span (it is live, so the sweep only
/// rewrites its bits with the same values) reads neither field changed
/// here; marking only runs with the world stopped.
pub fn try_grow_large(obj: usize, size: usize) -> bool {
    let n = arena::span_of(obj);
    if n == 0 {
        return false;
    }
    let s = span::get(n);
    if s.n_elems.load(Ordering::Relaxed) != 1 || s.base.load(Ordering::Relaxed) != obj {
        return false;
    }
    let npages = s.npages.load(Ordering::Relaxed);
    let want = size.div_ceil(arena::PAGE_SIZE);
    if want <= npages {
        return true;
    }
    if size > arena::arena_bytes() / 2 {
        return false;
    }
    let end = obj + npages * arena::PAGE_SIZE;
    let extra = want - npages;
    let Some(fresh) = arena::take_pages_at(end, extra) else {
        return false;
    };
    if !fresh {
        // SAFETY: pages just taken for this object: nobody else uses them.
        unsafe { std::ptr::write_bytes(end as *mut u8, 0, extra * arena::PAGE_SIZE) };
    }
    s.npages.store(want, Ordering::Relaxed);
    s.elem_size
        .store(want * arena::PAGE_SIZE, Ordering::Relaxed);
    arena::set_owner(end, extra, n);
    collect::note_alloc(extra * arena::PAGE_SIZE);
    true
}

/// Gives this thread's cached spans up (each worker, when the world
/// stops: the sweep may then free or reuse them).
pub fn release_cache() {
    let drop_one = |c: &Cell<Run>| {
        let s = c.replace(NO_RUN).span;
        if !s.is_null() {
            // SAFETY: span records are type-stable.
            unsafe { &*s }.cached.store(false, Ordering::Relaxed);
        }
    };
    CACHE.with(|cache| cache.iter().for_each(drop_one));
    FIN_CACHE.with(drop_one);
}

/// Drops this thread's cached spans without touching them: a worker that
/// slept through a collection (`crate::sched::hold_sleepers`), whose
/// spans that collection already took back (`super::sweep::start`).
pub fn forget_cache() {
    CACHE.with(|cache| cache.iter().for_each(|c| c.set(NO_RUN)));
    FIN_CACHE.with(|c| c.set(NO_RUN));
}

/// The start of the heap object that `addr` points to or into, if any:
/// `None` for an address outside the heap (static data, stacks, null) or
/// on a free slot.
#[inline]
pub fn find_object(addr: usize) -> Option<usize> {
    match arena::span_of(addr) {
        0 => None,
        n => span::get(n).object_at(addr),
    }
}

/// Bytes of address space the heap has handed out to spans so far.
pub fn mapped_bytes() -> usize {
    arena::frontier_pages() << arena::PAGE_SHIFT
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
            MAX_SMALL,
            MAX_SMALL + 1,
            3 << 20,
        ] {
            let p = alloc(size, shape());
            assert_eq!(p as usize % ALIGN, 0, "size {size}");
            let usable = usable_size(size);
            assert!(usable >= size, "size {size}");
            let s = span::get(arena::span_of(p as usize));
            assert_eq!(s.elem_size.load(Ordering::Relaxed), usable, "size {size}");
            // SAFETY: `alloc` returned at least `size` (rounded up) bytes.
            let bytes = unsafe { std::slice::from_raw_parts(p, size.max(8)) };
            assert_eq!(bytes[..8], (shape() as usize).to_ne_bytes());
            assert!(bytes[8..].iter().all(|&b| b == 0), "size {size}");
        }
    }

    #[test]
    fn ensure_that_a_large_object_grows_in_place_into_free_pages() {
        // Other tests allocate meanwhile and may take the pages right
        // after a fresh object: try until one attempt finds them free.
        let grown = (0..100).find_map(|_| {
            let p = alloc(MAX_SMALL + 1, shape()) as usize;
            try_grow_large(p, 1 << 20).then_some(p)
        });
        let p = grown.expect("no large object could grow in 100 attempts");
        assert_eq!(find_object(p + (1 << 20) - 1), Some(p));
        // SAFETY: the object now spans at least 1 MiB.
        let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, 1 << 20) };
        assert!(bytes[8..].iter().all(|&b| b == 0), "grown room is zero");
        // Growing within the pages it already has always succeeds.
        assert!(try_grow_large(p, 1 << 19));
        // A small object never grows.
        let q = alloc(64, shape()) as usize;
        assert!(!try_grow_large(q, 1 << 20));
    }

    #[test]
    fn ensure_that_objects_do_not_overlap_and_resolve_to_themselves() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..100_000usize {
            let size = 8 + (i % 40) * 8;
            let p = alloc(size, shape()) as usize;
            assert!(seen.insert(p));
            assert_eq!(find_object(p), Some(p));
            assert_eq!(find_object(p + size - 1), Some(p));
        }
        let big = alloc(1 << 20, shape()) as usize;
        assert_eq!(find_object(big + 123_456), Some(big));
        assert_eq!(find_object(&seen as *const _ as usize), None);
        assert_eq!(find_object(0), None);
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
