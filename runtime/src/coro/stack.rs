//! Task stacks: fixed-size, carved from large reservations, pooled.
//!
//! A process has a limited number of memory mappings
//! (`vm.max_map_count`, 65,530 by default), so stacks are not mapped one
//! by one: [`take`] carves them from reservations of [`RESERVATION`]
//! bytes (`mmap` with `MAP_NORESERVE`, transparent huge pages disabled),
//! which cost address space only until a page is touched. Under an
//! address-space limit (`ulimit -v`) a reservation that does not fit is
//! asked for again at half the size, down to one stack.
//!
//! Overflow is caught first by the prologue check of compiled code
//! against `PlatCtx::stack_limit`, which sits [`TASK_MARGIN`] above the
//! lowest address so that runtime (Rust) code called from Plat has room
//! to run; runtime code never recurses on user data (`crate::value`), so
//! it stays well inside that margin.
//!
//! # Guard pages
//!
//! As a second line, each stack slot is one page larger than the stack
//! and that lowest page is made inaccessible (`mprotect(PROT_NONE)`) when
//! the slot is carved, so code that runs past a stack's end faults
//! (reported as a stack overflow by `crate::signal`) instead of writing
//! into the stack below, another task's. A guard splits the reservation's
//! mapping (up to two more mappings per stack), so guards are budgeted:
//! the first `max_map_count / 4` stacks carved get one ([`guard_budget`];
//! 16,382 with the default limit), which keeps at least half of the
//! mappings for everything else. Stacks are pooled and keep their guard,
//! so a program that never has more than that many tasks alive at once
//! runs every task on a guarded stack; later stacks have an unused
//! (untouched, free) page instead. If an `mprotect` fails (the map count
//! is exhausted anyway), guarding stops there. Cost: one `mprotect` per
//! guarded stack when it is first carved, about 3.5 µs (60 ms for all
//! 16,382), never again while the stack is reused.
//!
//! Freed stacks keep their touched pages and are reused: first from a
//! per-thread cache of up to [`CACHE_MAX`] stacks (no lock), then from the
//! global pool (one mutex, moved in batches of [`BATCH`]).
//!
//! # Invariants
//!
//! - Every stack handed out is `size` bytes, `size` a multiple of the
//!   page size, and its `lo` is page-aligned; all stacks have the size
//!   given to the first [`configure`] (later calls do not change it). The
//!   page below `lo` belongs to the stack's slot: a guard, or unused.
//! - A stack is in at most one of: a cache, the pool, a task.
//! - `POOL` (mutex) protects the global free list, the current
//!   reservation's bump pointer and the guard count; the caches are
//!   thread-local.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Default size of a spawned task's stack (`PLAT_STACK_KB` overrides).
pub const DEFAULT_TASK_STACK_KB: usize = 256;
/// Room below `stack_limit` for runtime code on a task stack.
pub const TASK_MARGIN: usize = 32 << 10;
/// Bytes reserved per `mmap` (address space only).
pub const RESERVATION: usize = 1 << 30;
/// Stacks kept per thread before spilling to the pool.
pub const CACHE_MAX: usize = 64;
/// Stacks moved between a cache and the pool at once.
pub const BATCH: usize = 32;

/// A task stack: `[lo, lo + size)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stack {
    pub lo: usize,
    pub size: usize,
}

impl Stack {
    /// One past the highest address.
    pub fn top(&self) -> usize {
        self.lo + self.size
    }
    /// The `PlatCtx::stack_limit` for this stack.
    pub fn limit(&self) -> usize {
        self.lo + TASK_MARGIN.min(self.size / 2)
    }
}

struct Pool {
    free: Vec<Stack>,
    next: usize,
    end: usize,
    /// Stacks that may still get a guard page (`None`: not read yet).
    guards_left: Option<usize>,
}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    free: Vec::new(),
    next: 0,
    end: 0,
    guards_left: None,
});
/// Number of stacks carved with a guard page (for tests and diagnostics).
static GUARDED: AtomicUsize = AtomicUsize::new(0);
static SIZE: AtomicUsize = AtomicUsize::new(0);
/// Number of reservations made (for tests and diagnostics).
static RESERVATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static CACHE: RefCell<Vec<Stack>> = const { RefCell::new(Vec::new()) };
}

fn page_size() -> usize {
    // SAFETY: `sysconf` has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p <= 0 {
        4096
    } else {
        p as usize
    }
}

/// Sets the task stack size (bytes, rounded up to pages) if not set yet;
/// returns the size in effect.
pub fn configure(bytes: usize) -> usize {
    let page = page_size();
    let bytes = bytes.max(64 << 10).div_ceil(page) * page;
    match SIZE.compare_exchange(0, bytes, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => bytes,
        Err(existing) => existing,
    }
}

/// The task stack size in effect (configures the default if needed).
pub fn size() -> usize {
    match SIZE.load(Ordering::Acquire) {
        0 => configure(DEFAULT_TASK_STACK_KB << 10),
        s => s,
    }
}

/// Maps `bytes` of address space without reserving swap.
pub fn reserve(bytes: usize) -> usize {
    try_reserve(bytes).unwrap_or_else(|| {
        crate::rt_fatal!(
            "out of memory: cannot reserve {} MiB for task stacks",
            bytes >> 20
        )
    })
}

/// [`reserve`], or `None` if the address space is not there.
fn try_reserve(bytes: usize) -> Option<usize> {
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
        return None;
    }
    // SAFETY: advice on our own mapping; failure is harmless (huge pages
    // would only waste memory on mostly-untouched stacks).
    unsafe { libc::madvise(p, bytes, libc::MADV_NOHUGEPAGE) };
    RESERVATIONS.fetch_add(1, Ordering::Relaxed);
    Some(p as usize)
}

/// A reservation for the pool: [`RESERVATION`] bytes, or under an
/// address-space limit (`ulimit -v`) as many as there are, halving down
/// to one `slot`; its size with it.
fn reserve_for_pool(slot: usize) -> (usize, usize) {
    let mut bytes = RESERVATION.max(slot);
    loop {
        if let Some(lo) = try_reserve(bytes) {
            return (lo, bytes);
        }
        if bytes == slot {
            return (reserve(bytes), bytes);
        }
        bytes = (bytes / 2).max(slot);
    }
}

/// A stack for a new task.
pub fn take() -> Stack {
    if let Some(s) = CACHE.with(|c| c.borrow_mut().pop()) {
        return s;
    }
    let size = size();
    let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    let n = pool.free.len();
    if n > 0 {
        let keep = n.saturating_sub(BATCH);
        let mut batch: Vec<Stack> = pool.free.drain(keep..).collect();
        drop(pool);
        let s = batch.pop().expect("non-empty batch");
        CACHE.with(|c| c.borrow_mut().extend(batch));
        return s;
    }
    let page = page_size();
    let slot = size + page;
    if pool.next + slot > pool.end {
        let (lo, bytes) = reserve_for_pool(slot);
        pool.next = lo;
        pool.end = lo + bytes / slot * slot;
    }
    let base = pool.next;
    pool.next += slot;
    let left = *pool.guards_left.get_or_insert_with(guard_budget);
    if left > 0 {
        // SAFETY: the slot's lowest page is ours (just carved, never
        // handed out); making it inaccessible affects nothing else.
        let rc = unsafe { libc::mprotect(base as *mut libc::c_void, page, libc::PROT_NONE) };
        if rc == 0 {
            pool.guards_left = Some(left - 1);
            GUARDED.fetch_add(1, Ordering::Relaxed);
        } else {
            // Out of mappings: no more guards (the stack works without).
            pool.guards_left = Some(0);
        }
    }
    Stack {
        lo: base + page,
        size,
    }
}

/// How many stacks get a guard page: a quarter of the process's mapping
/// limit (`/proc/sys/vm/max_map_count`, 65,530 if unreadable), as each
/// guard may cost two mappings (see the module doc).
pub fn guard_budget() -> usize {
    let limit = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(65_530);
    limit / 4
}

/// Number of stacks carved with a guard page so far.
pub fn guarded() -> usize {
    GUARDED.load(Ordering::Relaxed)
}

/// Returns a stack no task uses any more.
pub fn give(s: Stack) {
    let spill = CACHE.with(|c| {
        let mut c = c.borrow_mut();
        c.push(s);
        if c.len() > CACHE_MAX {
            let at = c.len() - BATCH;
            Some(c.split_off(at))
        } else {
            None
        }
    });
    if let Some(batch) = spill {
        POOL.lock()
            .unwrap_or_else(|e| e.into_inner())
            .free
            .extend(batch);
    }
}

/// Number of reservations made so far.
pub fn reservations() -> usize {
    RESERVATIONS.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_that_stacks_are_reused_and_carved_from_one_reservation() {
        let size = size();
        let a = take();
        let b = take();
        assert_ne!(a, b);
        assert_eq!(a.size, size);
        assert_eq!(a.lo % page_size(), 0);
        assert!(a.limit() > a.lo && a.limit() < a.top());
        // Touch both ends: the memory is usable.
        // SAFETY: both addresses are inside stack `a`, which we own.
        unsafe {
            *(a.lo as *mut u8) = 1;
            *((a.top() - 1) as *mut u8) = 2;
        }
        give(a);
        assert_eq!(take(), a, "the cache returns the last freed stack");
        give(a);
        give(b);
    }

    #[test]
    fn ensure_that_many_stacks_need_few_mappings() {
        let before = reservations();
        let stacks: Vec<Stack> = (0..2000).map(|_| take()).collect();
        let mut los: Vec<usize> = stacks.iter().map(|s| s.lo).collect();
        los.sort_unstable();
        los.dedup();
        assert_eq!(los.len(), stacks.len(), "no stack handed out twice");
        let made = reservations() - before;
        assert!(
            made <= 1 + 2000 * (size() + page_size()) / RESERVATION,
            "{made} reservations"
        );
        for s in stacks {
            give(s);
        }
    }
}
