//! Tasks, scopes and failures: the objects behind `Task<T>` handles and
//! `concurrent` / `race` blocks.
//!
//! # Invariants
//!
//! - A [`Task`] starts with its [`PlatCtx`] (`#[repr(C)]`), so the `ctx`
//!   pointer compiled code passes around *is* the task pointer.
//! - Task objects are never freed (compiled code may keep a handle
//!   forever; the collector will own them once it exists), so any thread
//!   may dereference a task pointer it has seen, even a stale one. They
//!   are carved from per-thread slabs ([`slab_alloc`]), never reused.
//! - `done` goes from [`RUNNING`] to one of [`OK`], [`FAILED`],
//!   [`CANCELLED`] exactly once, with `Release`, after `result` /
//!   `failure` are written; readers load it with `Acquire` first.
//! - `cancel_cause` goes from null to a cause (see [`Task::request_cancel`])
//!   at most once, before `cancel` is stored with `Release`; so whoever
//!   sees `cancel` (or `done == CANCELLED`) with `Acquire` sees the cause.
//!   A cause that is an `Arc<Cause>` is owned by the task forever.
//! - `waiters` (mutex) holds the tasks parked in `await` on this task; it
//!   is emptied when `done` is set, under the same lock, so a waiter that
//!   registers under the lock and sees `done == RUNNING` is always woken.
//! - Fields in `UnsafeCell`s without a lock (`sp`, `stack`, `scopes`,
//!   `reason`) are touched only by the thread currently running the task
//!   or by the scheduler that switched to / from it, which is ordered with
//!   the task's runs by the park protocol (see `sched`).
//! - A [`Scope`]'s `inner` (mutex) protects its children list, failure
//!   and winner records, its cancellation and its spawn count; the count
//!   of ended children is an atomic on its own line (`Scope::pending`: a
//!   task that ends without failing, outside a race, never takes the
//!   lock). A child touches its scope only until it is counted ended.
//!   Lock order:
//!   a scope's lock, then a task's `waiters`, then the idle lock; never
//!   the reverse.

use std::cell::UnsafeCell;
use std::ffi::c_char;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::coro::stack::Stack;
use crate::entry::PlatCtx;

/// `done`: still running (or not started).
pub const RUNNING: u8 = 0;
/// `done`: returned a result.
pub const OK: u8 = 1;
/// `done`: a panic escaped it.
pub const FAILED: u8 = 2;
/// `done`: stopped by cancellation.
pub const CANCELLED: u8 = 3;

/// Compiled `spawn` body: `fn(ctx, env) -> result slot`.
pub type Body = unsafe extern "C" fn(*mut PlatCtx, *mut u8) -> u64;

/// A task pointer that may cross threads (tasks are never freed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskRef(pub *const Task);
// SAFETY: tasks are immortal and their shared fields are atomics or
// locked (module invariants).
unsafe impl Send for TaskRef {}
// SAFETY: as above.
unsafe impl Sync for TaskRef {}

impl TaskRef {
    pub fn get(&self) -> &'static Task {
        // SAFETY: task objects are never freed (module invariant).
        unsafe { &*self.0 }
    }
}

/// A panic that escaped a task: what `await` or scope exit re-raises.
#[derive(Debug, Clone)]
pub struct Failure {
    pub message: Vec<u8>,
    pub loc: *const c_char,
    /// Tasks the panic crossed, innermost first: (task id, spawn loc).
    pub chain: Vec<(u64, *const c_char)>,
}
// SAFETY: `loc` pointers are static NUL-terminated strings.
unsafe impl Send for Failure {}
// SAFETY: as above; a `Failure` is never mutated once shared.
unsafe impl Sync for Failure {}

/// Why a task was cancelled when the reason is a failure: the root
/// failure of its scope (the first failure that cancelled the scope's
/// other tasks, or the failure of a task whose open scopes were cancelled
/// as it ended), and the task that failed with it (its `observed` flag
/// is set when an `await` re-raises the cause). A task cancelled
/// explicitly (`cancel()`), by a deadline or by a race has no cause.
#[derive(Debug)]
pub struct Cause {
    pub task: TaskRef,
    pub failure: Failure,
}

/// Marks a task cancelled without a cause in `cancel_cause` (never
/// dereferenced).
static NO_CAUSE: u8 = 0;

fn no_cause() -> *mut Cause {
    &NO_CAUSE as *const u8 as *mut Cause
}

/// Why a parked task waits (shown by the deadlock report).
#[derive(Clone, Copy, Debug)]
pub struct Reason {
    pub what: &'static str,
    /// A task id the reason refers to, if any.
    pub task: Option<u64>,
}

/// A task: handle, context and run state.
#[repr(C)]
pub struct Task {
    /// Must stay first (module invariant).
    pub ctx: PlatCtx,
    pub id: u64,
    /// Park state, see `sched` ([`super::PARK_RUNNING`] ...).
    pub park: AtomicU8,
    /// [`RUNNING`], [`OK`], [`FAILED`] or [`CANCELLED`].
    pub done: AtomicU8,
    /// Cancellation requested (set only by [`Task::request_cancel`] after
    /// `cancel_cause`).
    pub cancel: AtomicBool,
    /// Null until cancellation is requested; then the `Arc<Cause>` (raw)
    /// of a cancellation caused by a failure, or [`NO_CAUSE`].
    pub cancel_cause: AtomicPtr<Cause>,
    /// The failure was observed by an `await`.
    pub observed: AtomicBool,
    /// The program's main task (a panic there ends the process).
    pub is_main: bool,
    pub body: Option<Body>,
    pub env: *mut u8,
    pub loc: *const c_char,
    /// The scope it was spawned in (null for root tasks).
    pub scope: *const Scope,
    pub result: UnsafeCell<u64>,
    pub failure: UnsafeCell<Option<Box<Failure>>>,
    pub waiters: Mutex<Vec<TaskRef>>,
    /// Saved stack pointer while not running.
    pub sp: UnsafeCell<usize>,
    pub stack: UnsafeCell<Option<Stack>>,
    /// Scopes this task has entered and not exited, innermost last.
    pub scopes: UnsafeCell<Vec<*const Scope>>,
    pub reason: UnsafeCell<Reason>,
    /// Next task in the registry of all tasks (for the deadlock report).
    pub next_all: AtomicPtr<Task>,
}

// SAFETY: see the module invariants; unlocked cells are owned by the
// thread running the task.
unsafe impl Sync for Task {}
// SAFETY: as above.
unsafe impl Send for Task {}

/// Keeps a hot atomic on cache lines of its own (128 bytes: adjacent-line
/// prefetch), away from read-mostly globals such as `trace::ON` and the
/// stack size, which every worker reads per task (false sharing made the
/// spawner's registry push miss every time).
#[repr(align(128))]
pub struct Padded<T>(pub T);

impl<T> std::ops::Deref for Padded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

static NEXT_ID: Padded<AtomicU64> = Padded(AtomicU64::new(1));

/// Tasks per small slab chunk (a thread's first [`SMALL_CHUNKS`]).
const SLAB: usize = 256;
/// Small chunks per thread before it switches to huge ones.
const SMALL_CHUNKS: usize = 2;
/// Bytes of a big chunk (a thread's later chunks): mapped with
/// `MAP_POPULATE`, so the kernel fills its pages in one call instead of
/// taking a page fault per 4 KiB on first touch (the faults were ~20%
/// of a spawn). Not huge pages: with `defrag=madvise` a huge-page fault
/// may compact memory synchronously, which made runs bimodal.
const BIG_CHUNK: usize = 1 << 20;

thread_local! {
    /// This thread's current chunk of task memory: next free slot, slots
    /// left and chunks taken so far. Reached only inside [`slab_alloc`],
    /// which never switches tasks, so the thread-local address is not
    /// cached across a switch.
    static CHUNK: std::cell::Cell<(*mut Task, usize, usize)> =
        const { std::cell::Cell::new((std::ptr::null_mut(), 0, 0)) };
}

/// A fresh chunk: `(first slot, slots)`; small for a thread's first
/// chunks (programs with few tasks stay small), then big and populated.
fn new_chunk(taken: usize) -> (*mut Task, usize) {
    if taken < SMALL_CHUNKS {
        let l = std::alloc::Layout::array::<Task>(SLAB)
            .unwrap_or_else(|_| crate::rt_fatal!("task slab layout"));
        // SAFETY: a non-zero-sized layout.
        let p = unsafe { std::alloc::alloc(l) };
        if p.is_null() {
            crate::rt_fatal!("out of memory allocating tasks");
        }
        return (p as *mut Task, SLAB);
    }
    // SAFETY: a fresh anonymous private mapping (page-aligned, so aligned
    // for `Task`); checked below.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            BIG_CHUNK,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_POPULATE,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        crate::rt_fatal!("out of memory allocating tasks");
    }
    (p as *mut Task, BIG_CHUNK / std::mem::size_of::<Task>())
}

/// Memory for one task: carved from a per-thread chunk (one allocation
/// per chunk, no lock, no per-task `malloc`). Chunks are never freed:
/// task objects are immortal (module invariant).
fn slab_alloc() -> *mut Task {
    CHUNK.with(|c| {
        let (mut next, mut left, mut taken) = c.get();
        if left == 0 {
            (next, left) = new_chunk(taken);
            taken += 1;
        }
        // SAFETY: `next` is inside the chunk while `left > 0`.
        c.set((unsafe { next.add(1) }, left - 1, taken));
        next
    })
}
/// Head of the registry of all tasks ever created.
pub static ALL: Padded<AtomicPtr<Task>> = Padded(AtomicPtr::new(std::ptr::null_mut()));

impl Task {
    /// Allocates a task (never freed) and registers it.
    pub fn create(
        body: Option<Body>,
        env: *mut u8,
        loc: *const c_char,
        scope: *const Scope,
        is_main: bool,
    ) -> TaskRef {
        let id = if is_main {
            0
        } else {
            NEXT_ID.fetch_add(1, Ordering::Relaxed)
        };
        let t = slab_alloc();
        let task = Task {
            ctx: PlatCtx {
                stack_limit: 0,
                // Seeded mode: every safepoint enters the runtime, where
                // the generator decides whether to switch.
                poll: AtomicUsize::new(super::seed::is_seeded() as usize),
            },
            id,
            park: AtomicU8::new(0),
            done: AtomicU8::new(RUNNING),
            cancel: AtomicBool::new(false),
            cancel_cause: AtomicPtr::new(std::ptr::null_mut()),
            observed: AtomicBool::new(false),
            is_main,
            body,
            env,
            loc,
            scope,
            result: UnsafeCell::new(0),
            failure: UnsafeCell::new(None),
            waiters: Mutex::new(Vec::new()),
            sp: UnsafeCell::new(0),
            stack: UnsafeCell::new(None),
            scopes: UnsafeCell::new(Vec::new()),
            reason: UnsafeCell::new(Reason {
                what: "",
                task: None,
            }),
            next_all: AtomicPtr::new(std::ptr::null_mut()),
        };
        // SAFETY: `t` is fresh, properly aligned, unused memory for one
        // `Task` (see `slab_alloc`).
        unsafe { t.write(task) };
        // Treiber push; tasks are never freed so there is no ABA hazard.
        let mut head = ALL.load(Ordering::Relaxed);
        loop {
            // SAFETY: `t` is ours until published by the CAS below.
            unsafe { (*t).next_all.store(head, Ordering::Relaxed) };
            match ALL.compare_exchange_weak(head, t, Ordering::Release, Ordering::Relaxed) {
                Ok(_) => break,
                Err(h) => head = h,
            }
        }
        TaskRef(t)
    }

    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire) != RUNNING
    }

    pub fn lock_waiters(&self) -> MutexGuard<'_, Vec<TaskRef>> {
        self.waiters.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The failure of a task whose `done` is [`FAILED`] (Acquire-loaded).
    pub fn failure(&self) -> Option<&Failure> {
        // SAFETY: written once before `done` was released, never again.
        unsafe { (*self.failure.get()).as_deref() }
    }

    /// Records a cancellation request with its cause (`None`: explicit,
    /// deadline, race) and sets `cancel`; false (and nothing changes) if
    /// one was already recorded: the first request decides the cause.
    /// The caller makes the task notice it (`poll`, wake-up).
    pub fn request_cancel(&self, cause: Option<&Arc<Cause>>) -> bool {
        let p = match cause {
            Some(c) => Arc::into_raw(Arc::clone(c)) as *mut Cause,
            None => no_cause(),
        };
        match self.cancel_cause.compare_exchange(
            std::ptr::null_mut(),
            p,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => {
                self.cancel.store(true, Ordering::Release);
                true
            }
            Err(_) => {
                if cause.is_some() {
                    // SAFETY: `p` came from `Arc::into_raw` above and was
                    // not published.
                    drop(unsafe { Arc::from_raw(p as *const Cause) });
                }
                false
            }
        }
    }

    /// The cause of this task's cancellation, if it was cancelled because
    /// of a failure (see [`Cause`]); `None` if it was cancelled without a
    /// cause or not at all.
    pub fn cancel_cause(&self) -> Option<Arc<Cause>> {
        let p = self.cancel_cause.load(Ordering::Acquire);
        if p.is_null() || p == no_cause() {
            return None;
        }
        // SAFETY: a published cause is an `Arc` owned by the task
        // forever (never released), so taking one more reference is fine.
        unsafe {
            Arc::increment_strong_count(p as *const Cause);
            Some(Arc::from_raw(p as *const Cause))
        }
    }

    /// The result of a task whose `done` is [`OK`] (Acquire-loaded).
    pub fn result(&self) -> u64 {
        // SAFETY: as for `failure`.
        unsafe { *self.result.get() }
    }
}

/// A `concurrent` or `race` block.
pub struct Scope {
    pub owner: TaskRef,
    pub race: bool,
    /// Children ended minus, once the owner has joined (see
    /// [`Scope::join`]), children spawned: a wrapping `isize` in a `usize`.
    /// Before the join it only grows (finishers add 1); the owner's join
    /// subtracts the spawn count kept under the lock (so a spawn touches
    /// no line the finishers write), after which it is zero exactly when
    /// every child has ended, and the finisher that brings it from -1 to
    /// 0 wakes the owner. That `fetch_add` is a child's last access to
    /// the scope (the owner may free it as soon as it sees zero).
    pub pending: Padded<AtomicUsize>,
    pub inner: Mutex<ScopeInner>,
}

#[derive(Default)]
pub struct ScopeInner {
    pub children: Vec<TaskRef>,
    /// Children spawned before the owner joined (see `Scope::pending`).
    pub spawned: usize,
    /// The owner has joined: later spawns count in `pending` directly.
    pub joined: bool,
    pub first_failure: Option<TaskRef>,
    pub last_failure: Option<TaskRef>,
    /// `race`: the first child that succeeded.
    pub winner: Option<TaskRef>,
    /// The scope was cancelled (deadline, failure, owner cancelled).
    pub cancelled: bool,
    /// Why, when `cancelled` because of a failure (given to its tasks,
    /// also to those spawned after the cancellation).
    pub cause: Option<Arc<Cause>>,
}

impl Scope {
    pub fn new(owner: TaskRef, race: bool) -> Arc<Scope> {
        Arc::new(Scope {
            owner,
            race,
            pending: Padded(AtomicUsize::new(0)),
            inner: Mutex::new(ScopeInner::default()),
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, ScopeInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a child about to be published (under the scope lock).
    pub fn count_spawn(&self, inner: &mut ScopeInner) {
        if inner.joined {
            self.pending.fetch_sub(1, Ordering::SeqCst);
        } else {
            inner.spawned += 1;
        }
    }

    /// Counts the end of a child (its last access to the scope); true if
    /// it was the last one the joined owner waits for.
    pub fn count_end(&self) -> bool {
        self.pending.fetch_add(1, Ordering::SeqCst) == usize::MAX
    }

    /// Whether every child has ended; the first call (by the owner, when
    /// it starts waiting) joins: later spawns count directly in `pending`.
    /// `SeqCst`: see `sched::wait_scope`.
    pub fn all_ended(&self) -> bool {
        let spawned = {
            let mut inner = self.lock();
            if inner.joined {
                None
            } else {
                inner.joined = true;
                Some(inner.spawned)
            }
        };
        match spawned {
            Some(n) => self.pending.fetch_sub(n, Ordering::SeqCst) == n,
            None => self.pending.load(Ordering::SeqCst) == 0,
        }
    }
}
