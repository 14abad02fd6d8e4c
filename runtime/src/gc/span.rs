//! Spans: runs of pages holding objects of one size class (or one large
//! object), with a bit per slot saying which slots hold objects
//! (`alloc_bits`) and which the current collection has marked
//! (`mark_bits`). See `docs/gc.md`, "Heap layout".
//!
//! Span records live in one table (a `MAP_NORESERVE` array indexed by span
//! number, never moved or freed: a record is type-stable, so a stale span
//! number read from the page table is still safe to look at). Span 0 is
//! never used: 0 means "no span" in the page table.
//!
//! # Invariants
//!
//! - A span's geometry (`base`, `npages`, `elem_size`, `n_elems`) is
//!   written once when it is made, before its pages are published in the
//!   page table, and not changed while any page maps to it.
//! - `alloc_bits` and `free_index` are written only by the thread whose
//!   allocation cache holds the span, or by the collector while the world
//!   is stopped; `mark_bits` only by the collector (atomic `fetch_or` from
//!   every marking worker).
//! - Slot `i` holds a valid object (a header naming its shape) iff bit `i`
//!   of `alloc_bits` is set.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use super::arena::{self, PAGE_SIZE};
use super::size_class::{span_elems, span_pages, CLASS_SIZES};

/// Slots per span at most (the bitmaps' size).
pub const MAX_ELEMS: usize = 1024;
const WORDS: usize = MAX_ELEMS / 64;
/// Span records that can exist at once (one per page at worst).
fn max_spans() -> usize {
    arena::arena_pages()
}

/// One span's record (see the module doc).
pub struct Span {
    pub base: AtomicUsize,
    pub npages: AtomicUsize,
    /// Size class, or 0 for a large object.
    pub class: AtomicU32,
    /// Bytes per slot (a large object: the whole span).
    pub elem_size: AtomicUsize,
    pub n_elems: AtomicU32,
    /// Where the next search for a free slot starts (owner only).
    pub free_index: AtomicU32,
    /// Slots handed out again must be zeroed first (they held objects).
    pub needs_zero: AtomicBool,
    /// `ceil(2^48 / elem_size)`: slot index = `(offset * div_magic) >> 48`
    /// without a division (exact for offsets below 2^18, which every span
    /// of small objects is: 32 pages).
    pub div_magic: AtomicU64,
    /// Called by the sweep on each object of this span found dead (a
    /// `fn(object address)`, as `usize`), or 0.
    pub finalizer: AtomicUsize,
    /// The span is in some thread's allocation cache.
    pub cached: AtomicBool,
    pub alloc_bits: [AtomicU64; WORDS],
    pub mark_bits: [AtomicU64; WORDS],
}

struct Table {
    spans: &'static [Span],
}

static TABLE: OnceLock<Table> = OnceLock::new();
/// The next span number never used.
static NEXT: AtomicU32 = AtomicU32::new(1);
/// Span numbers given back, for reuse.
static FREE: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn table() -> &'static [Span] {
    TABLE
        .get_or_init(|| {
            let bytes = max_spans() * std::mem::size_of::<Span>();
            // SAFETY: a fresh anonymous private mapping; checked below.
            let p = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    bytes,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                    -1,
                    0,
                )
            };
            if p == libc::MAP_FAILED {
                crate::rt_fatal!("out of memory: cannot reserve the span table");
            }
            // SAFETY: zeroed memory for `max_spans()` records, never
            // unmapped; all-zero is a valid `Span` (atomics and plain zeros).
            let spans = unsafe { std::slice::from_raw_parts(p as *const Span, max_spans()) };
            Table { spans }
        })
        .spans
}

/// The record of span `n` (`n != 0`, a number handed out by [`new`]).
#[inline]
pub fn get(n: u32) -> &'static Span {
    &table()[n as usize]
}

/// A fresh span number.
fn number() -> u32 {
    if let Some(n) = FREE.lock().unwrap_or_else(|e| e.into_inner()).pop() {
        return n;
    }
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    if n as usize >= max_spans() {
        crate::rt_fatal!("out of memory: too many spans");
    }
    n
}

/// Number one past the last span number ever handed out (spans `1..`
/// this are made or free).
pub fn end() -> u32 {
    NEXT.load(Ordering::Acquire)
}

/// Gives span `n`'s pages back and its number for reuse. Only the sweep
/// calls it, on a span it owns without live objects.
pub fn free(n: u32) {
    let s = get(n);
    let npages = s.npages.swap(0, Ordering::Relaxed);
    if npages == 0 {
        return;
    }
    arena::free_pages(s.base.load(Ordering::Relaxed), npages);
    FREE.lock().unwrap_or_else(|e| e.into_inner()).push(n);
}

/// Makes a span for size class `class` (or, with `class == 0`, for one
/// large object of `large_bytes`), with fresh or reused pages. Returns its
/// number.
pub fn new(class: usize, large_bytes: usize) -> u32 {
    let n = number();
    let (npages, elem_size, n_elems) = if class == 0 {
        let npages = large_bytes.div_ceil(PAGE_SIZE);
        (npages, npages * PAGE_SIZE, 1)
    } else {
        (
            span_pages(class),
            CLASS_SIZES[class] as usize,
            span_elems(class),
        )
    };
    let s = get(n);
    s.npages.store(npages, Ordering::Relaxed);
    s.class.store(class as u32, Ordering::Relaxed);
    s.elem_size.store(elem_size, Ordering::Relaxed);
    s.n_elems.store(n_elems as u32, Ordering::Relaxed);
    s.free_index.store(0, Ordering::Relaxed);
    s.div_magic
        .store(((1u64 << 48) - 1) / elem_size as u64 + 1, Ordering::Relaxed);
    s.finalizer.store(0, Ordering::Relaxed);
    s.cached.store(false, Ordering::Relaxed);
    for w in s.alloc_bits.iter().chain(s.mark_bits.iter()) {
        w.store(0, Ordering::Relaxed);
    }
    let (base, fresh) = arena::alloc_pages(npages, class != 0);
    s.base.store(base, Ordering::Relaxed);
    // Reused pages hold old objects; fresh ones are zero.
    s.needs_zero.store(!fresh, Ordering::Relaxed);
    // Publishing the pages (Release in the page table) publishes the
    // record written above.
    arena::set_owner(base, npages, n);
    n
}

impl Span {
    /// Takes the next free slot (owner only): its address, or `None` when
    /// the span is full.
    #[inline]
    pub fn take_free(&self) -> Option<usize> {
        let n = self.n_elems.load(Ordering::Relaxed) as usize;
        let mut i = self.free_index.load(Ordering::Relaxed) as usize;
        while i < n {
            let w = i / 64;
            let word = self.alloc_bits[w].load(Ordering::Relaxed);
            let free = !word >> (i % 64);
            if free == 0 {
                i = (w + 1) * 64;
                continue;
            }
            i += free.trailing_zeros() as usize;
            if i >= n {
                break;
            }
            self.alloc_bits[i / 64].store(word | 1 << (i % 64), Ordering::Relaxed);
            self.free_index.store(i as u32 + 1, Ordering::Relaxed);
            return Some(
                self.base.load(Ordering::Relaxed) + i * self.elem_size.load(Ordering::Relaxed),
            );
        }
        self.free_index.store(n as u32, Ordering::Relaxed);
        None
    }

    /// Claims the next run of consecutive free slots from `free_index`
    /// (owner only): marks them all allocated at once and returns the
    /// run's address range, or `None` when no free slot is left. The
    /// allocation cache then bumps through the run; slots of the run not
    /// handed out yet are zero, and count as objects with a null header,
    /// which the marker and the sweep treat as empty.
    pub fn take_run(&self) -> Option<(usize, usize)> {
        let n = self.n_elems.load(Ordering::Relaxed) as usize;
        let mut i = self.free_index.load(Ordering::Relaxed) as usize;
        // The first free slot from `i`, a bitmap word at a time.
        while i < n {
            let free = !self.alloc_bits[i / 64].load(Ordering::Relaxed) >> (i % 64);
            if free != 0 {
                i += free.trailing_zeros() as usize;
                break;
            }
            i = (i / 64 + 1) * 64;
        }
        if i >= n {
            self.free_index.store(n as u32, Ordering::Relaxed);
            return None;
        }
        let start = i;
        // Extend the run to the next allocated slot (or the span's end),
        // marking it allocated a word at a time. Only the owner writes
        // these bits while the span is cached: no read-modify-write.
        while i < n {
            let (w, bit) = (i / 64, i % 64);
            let word = self.alloc_bits[w].load(Ordering::Relaxed);
            let used = word >> bit;
            let free_here = if used == 0 {
                64 - bit
            } else {
                used.trailing_zeros() as usize
            };
            let len = free_here.min(n - i);
            let mask = if len == 64 {
                !0
            } else {
                ((1u64 << len) - 1) << bit
            };
            self.alloc_bits[w].store(word | mask, Ordering::Relaxed);
            i += len;
            if bit + len < 64 {
                break;
            }
        }
        self.free_index.store(i as u32, Ordering::Relaxed);
        let base = self.base.load(Ordering::Relaxed);
        let size = self.elem_size.load(Ordering::Relaxed);
        Some((base + start * size, base + i * size))
    }

    /// Zeroes every free slot, in runs (a span taken back from the
    /// partial list, by the thread that will allocate from it): its
    /// allocations then need no clearing of their own.
    pub fn zero_free_slots(&self) {
        let n = self.n_elems.load(Ordering::Relaxed) as usize;
        let base = self.base.load(Ordering::Relaxed);
        let size = self.elem_size.load(Ordering::Relaxed);
        let free = |i: usize| self.alloc_bits[i / 64].load(Ordering::Relaxed) >> (i % 64) & 1 == 0;
        let mut i = 0;
        while i < n {
            if !free(i) {
                i += 1;
                continue;
            }
            let start = i;
            while i < n && free(i) {
                i += 1;
            }
            // SAFETY: slots `start..i` are free slots of this span, which
            // only the calling thread allocates from.
            unsafe {
                std::ptr::write_bytes((base + start * size) as *mut u8, 0, (i - start) * size)
            };
        }
        self.needs_zero.store(false, Ordering::Relaxed);
    }

    /// Bytes of free slots (for the pacer's accounting).
    pub fn free_bytes(&self) -> usize {
        let n = self.n_elems.load(Ordering::Relaxed) as usize;
        let used: usize = self
            .alloc_bits
            .iter()
            .map(|w| w.load(Ordering::Relaxed).count_ones() as usize)
            .sum();
        (n - used.min(n)) * self.elem_size.load(Ordering::Relaxed)
    }

    /// After marking: dead objects' slots become free (the finalizer runs
    /// on each), marks are cleared, allocation restarts from the first
    /// slot. Returns the number of live objects. The caller owns the span
    /// (see `super::sweep`): nobody allocates from it meanwhile.
    pub fn sweep(&self) -> usize {
        let n = self.n_elems.load(Ordering::Relaxed) as usize;
        let words = n.div_ceil(64);
        let fin = self.finalizer.load(Ordering::Relaxed);
        let base = self.base.load(Ordering::Relaxed);
        let size = self.elem_size.load(Ordering::Relaxed);
        let mut live = 0;
        for w in 0..words {
            let marked = self.mark_bits[w].swap(0, Ordering::Relaxed);
            let allocated = self.alloc_bits[w].load(Ordering::Relaxed);
            let mut dead = allocated & !marked;
            if fin != 0 {
                // SAFETY: only `fn(usize)` values are stored (see
                // `heap::alloc_finalized`).
                let f: fn(usize) = unsafe { std::mem::transmute(fin) };
                while dead != 0 {
                    let i = w * 64 + dead.trailing_zeros() as usize;
                    let obj = base + i * size;
                    // A slot of a run never handed out has no header.
                    // SAFETY: a slot of this span.
                    if unsafe { *(obj as *const usize) } != 0 {
                        f(obj);
                    }
                    dead &= dead - 1;
                }
            }
            if super::collect::poisoning() {
                let mut dead = allocated & !marked;
                while dead != 0 {
                    let i = w * 64 + dead.trailing_zeros() as usize;
                    // SAFETY: a dead slot of this span: nobody may use it.
                    unsafe { std::ptr::write_bytes((base + i * size) as *mut u8, 0xA5, size) };
                    dead &= dead - 1;
                }
            }
            self.alloc_bits[w].store(marked & allocated, Ordering::Relaxed);
            live += (marked & allocated).count_ones() as usize;
        }
        self.free_index.store(0, Ordering::Relaxed);
        self.needs_zero.store(true, Ordering::Relaxed);
        live
    }

    /// The slot index of byte offset `off` (inside the span).
    #[inline]
    pub fn slot_of(&self, off: usize) -> usize {
        if self.n_elems.load(Ordering::Relaxed) == 1 {
            // A large object (offsets beyond the magic's range): one slot.
            return 0;
        }
        ((off as u64 * self.div_magic.load(Ordering::Relaxed)) >> 48) as usize
    }

    /// The start of the object holding address `addr` (inside this span),
    /// if that slot holds one.
    #[inline]
    pub fn object_at(&self, addr: usize) -> Option<usize> {
        let base = self.base.load(Ordering::Relaxed);
        let size = self.elem_size.load(Ordering::Relaxed);
        let i = self.slot_of(addr.checked_sub(base)?);
        if i >= self.n_elems.load(Ordering::Relaxed) as usize {
            return None;
        }
        let allocated = self.alloc_bits[i / 64].load(Ordering::Relaxed) >> (i % 64) & 1 == 1;
        allocated.then_some(base + i * size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::size_class::class_of;

    #[test]
    fn ensure_that_a_span_hands_out_every_slot_once_then_is_full() {
        let class = class_of(48);
        let n = new(class, 0);
        let s = get(n);
        let mut seen = std::collections::HashSet::new();
        while let Some(p) = s.take_free() {
            assert!(seen.insert(p));
            assert_eq!(s.object_at(p + 17), Some(p));
            assert_eq!(arena::span_of(p), n);
        }
        assert_eq!(seen.len(), span_elems(class));
        assert_eq!(s.take_free(), None);
    }

    #[test]
    fn ensure_that_runs_cover_exactly_the_free_slots() {
        for class in [class_of(16), class_of(48), class_of(1024)] {
            let n = new(class, 0);
            let s = get(n);
            let elems = s.n_elems.load(Ordering::Relaxed) as usize;
            let size = s.elem_size.load(Ordering::Relaxed);
            let base = s.base.load(Ordering::Relaxed);
            // Some slots in use: a pattern with runs inside one word,
            // across words, and up to the span's end.
            let used = |i: usize| i % 7 == 3 || (70..140).contains(&i) || i % 64 == 63;
            for i in (0..elems).filter(|&i| used(i)) {
                s.alloc_bits[i / 64].fetch_or(1 << (i % 64), Ordering::Relaxed);
            }
            let mut handed = vec![false; elems];
            while let Some((from, to)) = s.take_run() {
                assert!(from < to && to <= base + elems * size);
                for p in (from..to).step_by(size) {
                    let i = (p - base) / size;
                    assert!(!used(i) && !handed[i], "class {class}: slot {i} twice");
                    handed[i] = true;
                    assert_eq!(s.object_at(p), Some(p), "now allocated");
                }
                // A run ends at a used slot or at the span's end.
                let end = (to - base) / size;
                assert!(end == elems || used(end), "class {class}: run cut at {end}");
            }
            assert!(
                (0..elems).all(|i| used(i) || handed[i]),
                "class {class}: slot left"
            );
        }
    }

    #[test]
    fn ensure_that_slot_indexes_need_no_division_and_are_exact() {
        for (class, &size) in CLASS_SIZES.iter().enumerate().skip(1) {
            let size = size as usize;
            let magic = ((1u64 << 48) - 1) / size as u64 + 1;
            let bytes = span_pages(class) * PAGE_SIZE;
            for off in (0..bytes).step_by(7).chain([bytes - 1]) {
                assert_eq!(
                    ((off as u64 * magic) >> 48) as usize,
                    off / size,
                    "class {class}, offset {off}"
                );
            }
        }
    }

    #[test]
    fn ensure_that_unallocated_slots_are_not_objects() {
        let n = new(class_of(64), 0);
        let s = get(n);
        let base = s.base.load(Ordering::Relaxed);
        assert_eq!(s.object_at(base + 64), None);
        let first = s.take_free().expect("a free slot");
        assert_eq!(first, base);
        assert_eq!(s.object_at(base + 63), Some(base));
        assert_eq!(s.object_at(base + 64), None);
    }

    #[test]
    fn ensure_that_a_large_span_holds_one_object_of_whole_pages() {
        let n = new(0, 100_000);
        let s = get(n);
        assert_eq!(s.n_elems.load(Ordering::Relaxed), 1);
        assert_eq!(s.elem_size.load(Ordering::Relaxed) % PAGE_SIZE, 0);
        let p = s.take_free().expect("the object");
        assert_eq!(s.object_at(p + 99_999), Some(p));
        assert_eq!(s.take_free(), None);
    }
}
