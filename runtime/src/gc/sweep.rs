//! Sweeping, lazily and in the background (`docs/gc.md`).
//!
//! A collection's pause ends with the marking: it only puts every span in
//! use on an *unswept* list ([`start`]). After the world restarts, spans
//! are swept two ways, whichever comes first:
//!
//! - on demand, by an allocation cache that needs a span of some size
//!   class and finds no swept one with free slots ([`take_span`]): it
//!   sweeps that class's unswept spans until one has a free slot;
//! - by the background sweeper thread, which sweeps whatever is left,
//!   then returns free memory to the OS (the scavenger).
//!
//! Sweeping a span turns its mark bits into its allocation bits (dead
//! objects' slots become free; the finalizer of a span of task handles
//! runs on each dead one), frees a span without live objects (its pages
//! go back to the page allocator), and puts a span with free slots on its
//! class's *partial* list.
//!
//! # Invariants
//!
//! - Marking starts only once every span is swept: the collector calls
//!   [`finish`] with the world stopped, which sweeps what is left and
//!   waits for sweeps in progress on other threads.
//! - A span is in exactly one place: a thread's allocation cache (its
//!   `cached` flag set; a worker asleep through a collection loses its
//!   cache to [`start`]), a partial list (swept, free slots), an unswept
//!   list, being swept by one thread (counted in [`SWEEPING`]), or none
//!   (swept and full, or free). Whoever takes a span off a list owns it
//!   until it puts it somewhere.
//! - `LISTS` (mutex) protects both kinds of lists; [`SWEEPING`] is raised
//!   under it, when a span is taken off an unswept list, and lowered
//!   (Release) once that span is put where it belongs, so [`finish`]
//!   (Acquire) sees every sweep's effects.
//! - Sweeping touches only the span swept and the page allocator (which
//!   has its own lock); finalizers touch only the dead object they are
//!   given. Neither races with the mutator: nothing reachable changes.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use super::size_class::N_CLASSES;
use super::span::{self, Span};

/// The lists' index for spans of finalized objects (task handles); index
/// 0 holds large objects' spans, `1..N_CLASSES` the size classes.
pub const FINALIZED: usize = N_CLASSES;

struct Lists {
    /// Swept spans with free slots.
    partial: Vec<Vec<u32>>,
    /// Spans not swept since the last marking.
    unswept: Vec<Vec<u32>>,
    /// Whether any list of `unswept` is non-empty.
    pending: bool,
}

static LISTS: Mutex<Lists> = Mutex::new(Lists {
    partial: Vec::new(),
    unswept: Vec::new(),
    pending: false,
});

/// Spans taken off an unswept list whose sweep has not finished.
static SWEEPING: AtomicUsize = AtomicUsize::new(0);
/// Spans freed by sweeps since the last collection's report.
static FREED_SPANS: AtomicUsize = AtomicUsize::new(0);
/// Free bytes the scavenger keeps resident (set by each collection).
static KEEP_RESIDENT: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Bytes the scavenger returned to the OS since the last report.
static RELEASED: AtomicUsize = AtomicUsize::new(0);

/// Wakes the background sweeper: `true` when there is work.
static WORK: Mutex<bool> = Mutex::new(false);
static WORK_CV: Condvar = Condvar::new();
static SWEEPER_STARTED: AtomicBool = AtomicBool::new(false);

fn lists() -> MutexGuard<'static, Lists> {
    let mut l = LISTS.lock().unwrap_or_else(|e| e.into_inner());
    if l.partial.is_empty() {
        l.partial.resize(N_CLASSES + 1, Vec::new());
        l.unswept.resize(N_CLASSES + 1, Vec::new());
    }
    l
}

/// The list a span belongs on.
fn list_of(s: &Span) -> usize {
    if s.finalizer.load(Ordering::Relaxed) != 0 {
        FINALIZED
    } else {
        s.class.load(Ordering::Relaxed) as usize
    }
}

/// After marking, with the world stopped and every span swept since the
/// last one: puts every span in use on the unswept lists and wakes the
/// background sweeper, which then returns free memory beyond
/// `keep_resident` bytes to the OS.
pub fn start(keep_resident: usize) {
    let mut l = lists();
    l.partial.iter_mut().for_each(Vec::clear);
    for n in 1..span::end() {
        let s = span::get(n);
        if s.npages.load(Ordering::Relaxed) == 0 {
            continue;
        }
        // Every worker gave its cache up at the barrier
        // (`collect::arrive`), except workers that slept through the
        // stop: their caches are taken back here, and they forget them
        // when they wake (`crate::sched::hold_sleepers`).
        s.cached.store(false, Ordering::Relaxed);
        let list = list_of(s);
        l.unswept[list].push(n);
    }
    l.pending = true;
    drop(l);
    KEEP_RESIDENT.store(keep_resident, Ordering::Relaxed);
    wake_sweeper();
}

/// With the world stopped, before marking: sweeps every span still
/// unswept and waits for sweeps in progress elsewhere.
pub fn finish() {
    while sweep_one().is_some() {}
    while SWEEPING.load(Ordering::Acquire) != 0 {
        std::thread::yield_now();
    }
}

/// A span of `list` with free slots for an allocation cache, marked
/// cached: a swept one from the partial list, else the first unswept one
/// that has a free slot once swept. `None`: make a new span.
pub fn take_span(list: usize) -> Option<u32> {
    let mut l = lists();
    if let Some(n) = l.partial[list].pop() {
        span::get(n).cached.store(true, Ordering::Relaxed);
        return Some(n);
    }
    while let Some(n) = l.unswept[list].pop() {
        SWEEPING.fetch_add(1, Ordering::Relaxed);
        drop(l);
        let s = span::get(n);
        let live = s.sweep();
        let has_room = live < s.n_elems.load(Ordering::Relaxed) as usize;
        if has_room {
            // An empty span is kept too: a span of this class is needed.
            s.cached.store(true, Ordering::Relaxed);
        }
        SWEEPING.fetch_sub(1, Ordering::Release);
        if has_room {
            return Some(n);
        }
        l = lists();
    }
    None
}

/// Before the heap grows by `pages` pages (a new span): sweeps unswept
/// spans until sweeping has freed that many pages, or none is left. So
/// the heap never grows while dead objects' memory waits for the
/// background sweeper.
pub fn before_growth(pages: usize) {
    let mut freed = 0;
    while freed < pages {
        match sweep_one() {
            Some(p) => freed += p,
            None => return,
        }
    }
}

/// Sweeps one unswept span, if any is left (large objects' first: they
/// free the most memory per sweep): the pages it freed, or `None` when
/// none was left.
fn sweep_one() -> Option<usize> {
    let mut l = lists();
    if !l.pending {
        return None;
    }
    let Some(n) = l.unswept.iter_mut().find_map(Vec::pop) else {
        l.pending = false;
        return None;
    };
    SWEEPING.fetch_add(1, Ordering::Relaxed);
    drop(l);
    let s = span::get(n);
    let live = s.sweep();
    let mut freed = 0;
    if live == 0 {
        freed = s.npages.load(Ordering::Relaxed);
        span::free(n);
        FREED_SPANS.fetch_add(1, Ordering::Relaxed);
    } else if s.class.load(Ordering::Relaxed) != 0
        && live < s.n_elems.load(Ordering::Relaxed) as usize
    {
        lists().partial[list_of(s)].push(n);
    }
    SWEEPING.fetch_sub(1, Ordering::Release);
    Some(freed)
}

/// Takes the statistics since the last call: (spans freed, bytes
/// returned to the OS).
pub fn take_stats() -> (usize, usize) {
    (
        FREED_SPANS.swap(0, Ordering::Relaxed),
        RELEASED.swap(0, Ordering::Relaxed),
    )
}

fn wake_sweeper() {
    if !SWEEPER_STARTED.swap(true, Ordering::Relaxed) {
        let started = std::thread::Builder::new()
            .name("plat-sweeper".into())
            .spawn(sweeper);
        if started.is_err() {
            // No thread: allocation sweeps on demand and the next
            // collection sweeps the rest; only the scavenger is lost.
            SWEEPER_STARTED.store(false, Ordering::Relaxed);
            return;
        }
    }
    *WORK.lock().unwrap_or_else(|e| e.into_inner()) = true;
    WORK_CV.notify_one();
}

/// The background sweeper: after each collection, sweeps every span no
/// allocation has swept yet, then returns free memory to the OS.
fn sweeper() {
    loop {
        {
            let mut work = WORK.lock().unwrap_or_else(|e| e.into_inner());
            while !*work {
                work = WORK_CV.wait(work).unwrap_or_else(|e| e.into_inner());
            }
            *work = false;
        }
        while sweep_one().is_some() {}
        let released = super::arena::release_free(KEEP_RESIDENT.load(Ordering::Relaxed));
        RELEASED.fetch_add(released, Ordering::Relaxed);
    }
}
