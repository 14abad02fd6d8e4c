//! The arena: one reservation of address space for the whole heap, its
//! page table, and the page allocator that hands out runs of pages to
//! spans (see `docs/gc.md`, "Heap layout").
//!
//! The arena is reserved once ([`arena_bytes`]: 64 GiB, less under an
//! address-space limit; `MAP_NORESERVE`: address space only until a page
//! is touched). Every heap address is inside it,
//! so "is this word a heap pointer, and of which span?" is a range check
//! and one load from the page table, which maps each page to the index of
//! the span that owns it (0: none).
//!
//! # Invariants
//!
//! - `PAGES` (mutex) protects the frontier (the first page never handed
//!   out) and the free runs; a page is in at most one of: a span, a free
//!   run, beyond the frontier.
//! - A page table entry is written (with `Release`) when its page is given
//!   to a span, before the span's memory is handed to anyone, and cleared
//!   when the span gives its pages back; readers (`span_of`) load it with
//!   `Acquire`. The collector reads it while the world is stopped.
//! - Pages beyond the frontier have never been touched: they read as
//!   zero. Pages given back keep their contents (allocation zeroes what it
//!   hands out from them).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

/// log2 of the page size.
pub const PAGE_SHIFT: usize = 13;
/// Page size: the unit of spans (8 KiB).
pub const PAGE_SIZE: usize = 1 << PAGE_SHIFT;
/// The arena's size (address space only) when nothing limits it: 64 GiB.
pub const MAX_ARENA_BYTES: usize = 64 << 30;
/// The smallest arena reserved under an address-space limit.
const MIN_ARENA_BYTES: usize = 256 << 20;
/// Fresh memory for small objects is faulted in this much at a time (one
/// `madvise` instead of a page fault per 4 KiB: page faults dominated
/// allocation-heavy programs), except the first [`LAZY_START`] bytes, so
/// that small programs stay small.
const POPULATE_CHUNK: usize = 1 << 20;
/// Fresh pages below this offset are faulted in only as they are used.
const LAZY_START: usize = 4 << 20;
/// Large objects of at least this size ask for transparent huge pages
/// ([`prefer_huge_pages`]).
pub const HUGE_OBJECT: usize = 4 << 20;
/// The huge page size of x86-64 (what `MADV_HUGEPAGE` gets).
const HUGE_PAGE: usize = 2 << 20;

struct Arena {
    base: usize,
    /// Size in bytes ([`arena_bytes`]).
    bytes: usize,
    /// One entry per page: the owning span's index, 0 for none.
    table: &'static [AtomicU32],
}

static ARENA: OnceLock<Arena> = OnceLock::new();

struct Pages {
    /// The first page never handed out.
    frontier: usize,
    /// Pages below this are populated (or were not asked to be).
    populated: usize,
    /// Free runs given back: first page -> length.
    free: BTreeMap<usize, usize>,
    /// Pages in free runs still backed by memory (not yet returned to the
    /// OS; an over-estimate: a run merged with a returned one counts
    /// whole).
    resident_free: usize,
    /// Free runs already returned to the OS (first page -> length), a
    /// subset of `free`'s runs.
    returned: BTreeMap<usize, usize>,
}

impl Pages {
    /// Takes the first `npages` pages of the free run of `len` pages at
    /// `start` (`len >= npages`), keeping the rest free; whether the run
    /// had been returned to the OS (then the pages read as zero).
    fn take_from_run(&mut self, start: usize, len: usize, npages: usize) -> bool {
        self.free.remove(&start);
        let was_returned = self.returned.remove(&start).is_some();
        if len > npages {
            self.free.insert(start + npages, len - npages);
            if was_returned {
                self.returned.insert(start + npages, len - npages);
            }
        }
        if !was_returned {
            self.resident_free = self.resident_free.saturating_sub(npages);
        }
        was_returned
    }
}

static PAGES: Mutex<Pages> = Mutex::new(Pages {
    frontier: 0,
    populated: LAZY_START >> PAGE_SHIFT,
    free: BTreeMap::new(),
    resident_free: 0,
    returned: BTreeMap::new(),
});

/// Reserves `bytes` of address space (never returns on failure).
fn reserve(bytes: usize) -> usize {
    // SAFETY: a fresh anonymous private mapping at a kernel-chosen
    // address touches no existing memory; the result is checked.
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
        crate::rt_fatal!(
            "out of memory: cannot reserve {} MiB of address space",
            bytes >> 20
        );
    }
    p as usize
}

fn arena() -> &'static Arena {
    ARENA.get_or_init(|| {
        // Aligned to a page, which `mmap` guarantees for 4 KiB; reserve
        // one page more and round up for 8 KiB pages.
        let bytes = size_for(address_space_limit());
        let pages = bytes >> PAGE_SHIFT;
        let raw = reserve(bytes + PAGE_SIZE);
        let base = (raw + PAGE_SIZE - 1) & !(PAGE_SIZE - 1);
        let table_ptr = reserve(pages * std::mem::size_of::<AtomicU32>());
        // SAFETY: a fresh zeroed mapping of `pages` u32 words, never
        // unmapped; zero is a valid `AtomicU32`.
        let table = unsafe { std::slice::from_raw_parts(table_ptr as *const AtomicU32, pages) };
        Arena { base, bytes, table }
    })
}

/// The arena's first address (reserving it on first use).
pub fn base() -> usize {
    arena().base
}

/// The arena's size in bytes: [`MAX_ARENA_BYTES`], or under an
/// address-space limit (`ulimit -v`, `RLIMIT_AS`) a quarter of it (at
/// least 256 MiB), leaving the rest for task stacks (reserved 1 GiB at a
/// time), the span table, threads and code. The heap cannot grow past
/// it; the limit on one allocation (`gc::limit`) is half of it at most.
pub fn arena_bytes() -> usize {
    arena().bytes
}

/// Pages in the arena.
pub fn arena_pages() -> usize {
    arena().bytes >> PAGE_SHIFT
}

/// `RLIMIT_AS`'s soft limit in bytes, if finite.
fn address_space_limit() -> Option<usize> {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit` writes the struct we pass.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut r) } == 0;
    (ok && r.rlim_cur != libc::RLIM_INFINITY).then_some(r.rlim_cur as usize)
}

/// The arena size for an address-space limit (see [`arena_bytes`]), a
/// multiple of the huge page size.
fn size_for(limit: Option<usize>) -> usize {
    match limit {
        None => MAX_ARENA_BYTES,
        Some(l) => (l / 4).clamp(MIN_ARENA_BYTES, MAX_ARENA_BYTES) & !(HUGE_PAGE - 1),
    }
}

/// The index of the span owning the page of `addr`, or 0 when `addr` is
/// outside the arena or on a page no span owns. Cheap enough to run on
/// every word of a stack.
#[inline]
pub fn span_of(addr: usize) -> u32 {
    let Some(a) = ARENA.get() else {
        return 0;
    };
    let off = addr.wrapping_sub(a.base);
    if off >= a.bytes {
        return 0;
    }
    a.table[off >> PAGE_SHIFT].load(Ordering::Acquire)
}

/// Records `span` as the owner of the `npages` pages from address `addr`
/// (0: none), publishing (`Release`) everything written to the span's
/// record before.
pub fn set_owner(addr: usize, npages: usize, span: u32) {
    let a = arena();
    let first = (addr - a.base) >> PAGE_SHIFT;
    for e in &a.table[first..first + npages] {
        e.store(span, Ordering::Release);
    }
}

/// Hands out `npages` contiguous pages: the address of the first, and
/// whether they are fresh (never used: zero). Reuses a free run if one is
/// big enough (first fit), else takes fresh pages from the frontier,
/// faulting the next chunk in ahead when `populate` (small-object spans,
/// which fill at once; a large object's pages fault in as it is used).
/// The caller publishes them with [`set_owner`].
pub fn alloc_pages(npages: usize, populate_ahead: bool) -> (usize, bool) {
    let base = arena().base;
    let first = {
        let mut p = PAGES.lock().unwrap_or_else(|e| e.into_inner());
        let fit = p
            .free
            .iter()
            .find(|(_, len)| **len >= npages)
            .map(|(start, len)| (*start, *len));
        match fit {
            Some((start, len)) => {
                p.take_from_run(start, len, npages);
                if npages << PAGE_SHIFT >= HUGE_OBJECT {
                    prefer_huge_pages(base + (start << PAGE_SHIFT), npages << PAGE_SHIFT);
                }
                (start, false)
            }
            None => {
                let first = p.frontier;
                if first + npages > arena_pages() {
                    drop(p);
                    crate::rt_fatal!(
                        "out of memory: the heap would exceed {} MiB",
                        arena_bytes() >> 20
                    );
                }
                p.frontier += npages;
                if npages << PAGE_SHIFT >= HUGE_OBJECT {
                    prefer_huge_pages(base + (first << PAGE_SHIFT), npages << PAGE_SHIFT);
                }
                if !populate_ahead {
                    p.populated = p.populated.max(p.frontier);
                } else if p.frontier > p.populated {
                    let from = p.populated.max(first);
                    let to = (p.frontier + (POPULATE_CHUNK >> PAGE_SHIFT)).min(arena_pages());
                    populate(base + (from << PAGE_SHIFT), (to - from) << PAGE_SHIFT);
                    p.populated = to;
                }
                (first, true)
            }
        }
    };
    (base + (first.0 << PAGE_SHIFT), first.1)
}

/// Takes the `npages` pages starting at `addr` if they are not in use:
/// fresh pages at the frontier, or the start of a free run. Returns
/// whether they are fresh (zero), or `None` if they are not available.
/// For growing a large object in place; the caller publishes them with
/// [`set_owner`].
pub fn take_pages_at(addr: usize, npages: usize) -> Option<bool> {
    let first = (addr - arena().base) >> PAGE_SHIFT;
    let mut p = PAGES.lock().unwrap_or_else(|e| e.into_inner());
    if first == p.frontier {
        if first + npages > arena_pages() {
            return None;
        }
        p.frontier += npages;
        p.populated = p.populated.max(p.frontier);
        drop(p);
        if npages << PAGE_SHIFT >= HUGE_PAGE {
            prefer_huge_pages(addr, npages << PAGE_SHIFT);
        }
        return Some(true);
    }
    let len = *p.free.get(&first)?;
    if len < npages {
        return None;
    }
    let fresh = p.take_from_run(first, len, npages);
    drop(p);
    if npages << PAGE_SHIFT >= HUGE_PAGE {
        prefer_huge_pages(addr, npages << PAGE_SHIFT);
    }
    Some(fresh)
}

/// Asks the kernel to back `[addr, addr + len)` with transparent huge
/// pages where it can (`MADV_HUGEPAGE`; the 2 MiB-aligned part of it),
/// for the pages of a large object (at least [`HUGE_OBJECT`], or a
/// growth of one by at least a huge page). A big array walked with a
/// stride (a sieve, a matrix column) then takes a TLB miss per 2 MiB
/// instead of per 4 KiB, and its first touch one fault per 2 MiB
/// instead of 512 (sieve's 50 MB list: 12,590 faults before, 149 with
/// it). Go's heap asks the same. Small objects are left alone: their
/// spans would round a small program's footprint up to 2 MiB steps.
/// The advice stays with the address range when the object is freed
/// and its pages are reused. Harmless where THP is off or unsupported.
fn prefer_huge_pages(addr: usize, len: usize) {
    #[cfg(target_os = "linux")]
    {
        let start = (addr + HUGE_PAGE - 1) & !(HUGE_PAGE - 1);
        let end = (addr + len) & !(HUGE_PAGE - 1);
        if end > start {
            // SAFETY: inside our own reservation; the advice changes how
            // pages are backed, not their contents or mapping.
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (addr, len);
}

/// Gives `npages` pages starting at `addr` back (coalescing with free
/// neighbours). Their contents are kept.
pub fn free_pages(addr: usize, npages: usize) {
    let first = (addr - arena().base) >> PAGE_SHIFT;
    set_owner(addr, npages, 0);
    let mut p = PAGES.lock().unwrap_or_else(|e| e.into_inner());
    let (mut start, mut len) = (first, npages);
    p.resident_free += npages;
    if let Some((&prev, &plen)) = p.free.range(..start).next_back() {
        if prev + plen == start {
            p.free.remove(&prev);
            if p.returned.remove(&prev).is_some() {
                // The merged run counts as resident again.
                p.resident_free += plen;
            }
            start = prev;
            len += plen;
        }
    }
    if let Some(&next_len) = p.free.get(&(first + npages)) {
        p.free.remove(&(first + npages));
        if p.returned.remove(&(first + npages)).is_some() {
            p.resident_free += next_len;
        }
        len += next_len;
    }
    p.free.insert(start, len);
}

/// Returns free runs to the OS (`MADV_DONTNEED`: their pages read as
/// zero when used again) until at most `keep_bytes` of free memory stays
/// resident, largest runs first. The collector calls it after each sweep,
/// keeping about the room the heap will grow into before its next
/// collection. Returns the bytes released.
pub fn release_free(keep_bytes: usize) -> usize {
    let Some(a) = ARENA.get() else {
        return 0;
    };
    let keep = keep_bytes >> PAGE_SHIFT;
    let mut p = PAGES.lock().unwrap_or_else(|e| e.into_inner());
    if p.resident_free <= keep {
        return 0;
    }
    let mut runs: Vec<(usize, usize)> = p
        .free
        .iter()
        .filter(|(start, _)| !p.returned.contains_key(start))
        .map(|(s, l)| (*s, *l))
        .collect();
    runs.sort_unstable_by_key(|&(_, len)| std::cmp::Reverse(len));
    let mut released = 0;
    for (start, len) in runs {
        if p.resident_free <= keep {
            break;
        }
        // SAFETY: a free run of our reservation: no span owns its pages,
        // so nothing reads them until they are handed out again (zero).
        unsafe {
            libc::madvise(
                (a.base + (start << PAGE_SHIFT)) as *mut libc::c_void,
                len << PAGE_SHIFT,
                libc::MADV_DONTNEED,
            );
        }
        p.returned.insert(start, len);
        p.resident_free = p.resident_free.saturating_sub(len);
        released += len << PAGE_SHIFT;
    }
    released
}

/// Pages handed out so far (the frontier), for statistics.
pub fn frontier_pages() -> usize {
    PAGES.lock().unwrap_or_else(|e| e.into_inner()).frontier
}

/// Faults `[addr, addr + len)` in ahead of use; harmless if the kernel
/// does not support it.
fn populate(addr: usize, len: usize) {
    #[cfg(target_os = "linux")]
    {
        const MADV_POPULATE_WRITE: libc::c_int = 23;
        // SAFETY: the range is inside our own reservation; populating it
        // only faults pages in.
        unsafe { libc::madvise(addr as *mut libc::c_void, len, MADV_POPULATE_WRITE) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (addr, len);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_that_pages_map_back_to_their_span_and_runs_are_reused() {
        let (a, _) = alloc_pages(3, false);
        set_owner(a, 3, 77);
        assert_eq!(a % PAGE_SIZE, 0);
        assert_eq!(span_of(a), 77);
        assert_eq!(span_of(a + 3 * PAGE_SIZE - 1), 77);
        assert_eq!(span_of(base() - 8), 0);
        assert_eq!(span_of(0), 0);
        free_pages(a, 3);
        assert_eq!(span_of(a), 0);
        // A run of 2 fits in the freed run of 3 (other tests may take it
        // first, so only check what was handed out).
        let (b, _) = alloc_pages(2, false);
        set_owner(b, 2, 78);
        assert_eq!(span_of(b), 78);
        free_pages(b, 2);
    }

    /// The `VmFlags` line of the mapping of /proc/self/smaps holding
    /// `addr`.
    fn vm_flags_at(addr: usize) -> Option<String> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        let mut inside = false;
        for line in smaps.lines() {
            let range = line.split_whitespace().next().unwrap_or("");
            if let Some((lo, hi)) = range.split_once('-') {
                if let (Ok(lo), Ok(hi)) =
                    (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
                {
                    inside = lo <= addr && addr < hi;
                    continue;
                }
            }
            if inside && line.starts_with("VmFlags:") {
                return Some(line.to_string());
            }
        }
        None
    }

    #[test]
    fn ensure_that_large_objects_ask_for_huge_pages() {
        if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists() {
            return; // no THP in this kernel: the advice is a no-op
        }
        let npages = (HUGE_OBJECT + HUGE_PAGE) >> PAGE_SHIFT;
        let (a, _) = alloc_pages(npages, false);
        let inner = (a + HUGE_PAGE - 1) & !(HUGE_PAGE - 1);
        let flags = vm_flags_at(inner).expect("the arena is mapped");
        assert!(flags.split_whitespace().any(|f| f == "hg"), "{flags}");
        free_pages(a, npages);
    }
}
