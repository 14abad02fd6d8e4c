//! Tasks, scopes and failures: the objects behind `Task<T>` handles and
//! `concurrent` / `race` blocks.
//!
//! A task is two objects:
//!
//! - its [`Task`] *handle* (48 bytes): what `plat_spawn` returns to
//!   compiled code and what `await`, `is_done`, `cancel`, scopes and
//!   causes refer to: id, outcome (`done`, result, failure), waiters,
//!   cancellation state. A handle is a heap object (header
//!   [`TASK_HANDLE_SHAPE`], the `Task` one word in) that the collector
//!   reclaims once unreachable ([`handle_alloc`], [`trace_handle`],
//!   [`finalize_handle`]). The runtime's own references keep it alive: a
//!   live task's fiber, the open scopes (children, failures, winner) and
//!   causes, all roots or traced (`super::gc_roots`).
//! - its [`Fiber`] (recycled): context, stack, run state, scope stack,
//!   wait reason. A fiber serves one task from its spawn until the task
//!   has ended and switched away for the last time; the worker then
//!   gives its stack back to the pool and puts it on its free list
//!   ([`release`]), and a later spawn reuses it. Fibers are never freed
//!   either (type-stable memory), so a stale fiber pointer (a timer, an old waiter entry, the
//!   monitor's view, a scope owner woken late) may still be used for the
//!   atomics `park` and `ctx.poll`: at worst a spurious wake-up or yield
//!   of whichever task runs on it now, which every park site tolerates.
//!
//! # Invariants
//!
//! - A [`Fiber`] starts with its [`PlatCtx`] (`#[repr(C)]`), so the `ctx`
//!   pointer compiled code passes around *is* the running fiber pointer.
//! - `Fiber::handle` is non-null exactly while the fiber serves a task
//!   (set before the fiber is first queued, cleared by [`release`] after
//!   the task's last switch away); `Task::fiber` points back to it for
//!   the same span and is cleared first. Readers of `Task::fiber` may see
//!   a stale fiber: they only touch its atomics (see above).
//! - A fiber's `info` and other unlocked cells (`sp`, `stack`, `scopes`,
//!   `reason`, `held`) are written by the thread that allocates it
//!   (before it is queued) and otherwise touched only by the thread
//!   currently running the task or by the scheduler that switched to /
//!   from it, which is ordered with the task's runs by the park protocol
//!   and queue hand-offs (see `sched`); the deadlock report reads them
//!   when nothing runs.
//! - The free lists: a thread's two magazines ([`FREE`]) are touched only
//!   by that thread, outside any task switch; full magazines move between
//!   threads through [`SPARE`] (mutex), which protects its vector only.
//!   A fiber on a free list has `handle == null` and `park ==
//!   PARK_RUNNING`, so a stale wake-up leaves it alone.
//! - `done` goes from [`RUNNING`] to one of [`OK`], [`FAILED`],
//!   [`CANCELLED`] exactly once, with `Release`, after `outcome` (result
//!   or failure) is written; readers load it with `Acquire` first.
//! - `cancel_cause` goes from null to a cause (see [`Task::request_cancel`])
//!   at most once, before `cancel` is stored with `Release`; so whoever
//!   sees `cancel` (or `done == CANCELLED`) with `Acquire` sees the cause.
//!   A cause that is an `Arc<Cause>` is owned by the task forever.
//! - `waiters` is a lock-free stack of the fibers parked in `await` on
//!   this task; the ending task stores `done` and then swaps in `CLOSED`
//!   (`AcqRel`), so a waiter whose push succeeds is always woken, and
//!   one whose push fails (sees `CLOSED`) sees `done`.
//! - A [`Scope`]'s `inner` (mutex) protects its children list, failure
//!   and winner records, its cancellation and its spawn count; the count
//!   of ended children is an atomic on its own line (`Scope::pending`: a
//!   task that ends without failing, outside a race, never takes the
//!   lock). A child touches its scope only until it is counted ended.
//!   Lock order:
//!   a scope's lock, then the idle lock; never the reverse. [`SPARE`] is
//!   a leaf lock.

use std::cell::{Cell, UnsafeCell};
use std::ffi::c_char;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::coro::stack::Stack;
use crate::ctx::PlatCtx;
use crate::gc::shape::TASK_HANDLE_SHAPE;
use crate::sync::held::Held;

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

/// A task handle pointer that may cross threads. Wherever the runtime
/// keeps one (a fiber, a scope, a cause) the collector sees it, so it
/// stays valid while kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskRef(pub *const Task);
// SAFETY: a kept handle stays valid (see above) and its shared fields
// are atomics or locked (module invariants).
unsafe impl Send for TaskRef {}
// SAFETY: as above.
unsafe impl Sync for TaskRef {}

impl TaskRef {
    pub fn get(&self) -> &'static Task {
        // SAFETY: a kept handle is reachable by the collector, so valid.
        unsafe { &*self.0 }
    }
}

/// A fiber pointer that may cross threads (fibers are never unmapped;
/// see the module invariants for what a stale one may be used for).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FiberRef(pub *const Fiber);
// SAFETY: fibers are type-stable; shared fields are atomics, unlocked
// cells follow the ownership rules of the module invariants.
unsafe impl Send for FiberRef {}
// SAFETY: as above.
unsafe impl Sync for FiberRef {}

impl FiberRef {
    pub fn get(&self) -> &'static Fiber {
        // SAFETY: fibers are never unmapped (module invariant).
        unsafe { &*self.0 }
    }
}

/// A panic that escaped a task: what `await` or scope exit re-raises.
#[derive(Debug, Clone)]
pub struct Failure {
    pub message: Vec<u8>,
    pub loc: *const c_char,
    /// The compiled calls waiting where it was raised (`crate::backtrace`).
    pub trace: crate::backtrace::Trace,
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
/// Why a parked task waits (shown by the deadlock report and traces).
#[derive(Clone, Copy, Debug)]
pub struct Reason {
    pub what: &'static str,
    /// A task id the reason refers to, if any.
    pub task: Option<u64>,
    /// A source location completing `what` (where the channel or lock
    /// was made, where the select is), or null.
    pub at: *const c_char,
}

/// A task handle: identity, outcome and cancellation state (see the
/// module notes). 48 bytes.
#[repr(C)]
pub struct Task {
    pub id: u64,
    /// The fiber running this task (null once it has ended).
    pub fiber: AtomicPtr<Fiber>,
    /// [`OK`]: the result slot; [`FAILED`]: the `Box<Failure>` (raw,
    /// owned by the task forever; null if none). Written once, by the
    /// task itself, before `done`.
    outcome: UnsafeCell<u64>,
    /// Null until cancellation is requested; then the `Arc<Cause>` (raw)
    /// of a cancellation caused by a failure, or [`NO_CAUSE`].
    pub cancel_cause: AtomicPtr<Cause>,
    /// Fibers awaiting this task: a lock-free stack of boxed nodes
    /// ([`Task::add_waiter`]), closed ([`CLOSED`]) when the task ends
    /// ([`Task::close_waiters`]).
    waiters: AtomicPtr<Waiter>,
    /// [`RUNNING`], [`OK`], [`FAILED`] or [`CANCELLED`].
    pub done: AtomicU8,
    /// Cancellation requested (set only by [`Task::request_cancel`] after
    /// `cancel_cause`).
    pub cancel: AtomicBool,
    /// The failure was observed by an `await`.
    pub observed: AtomicBool,
}

const _: () = assert!(std::mem::size_of::<Task>() <= 48);

/// A fiber parked in `await` on a task (a node of `Task::waiters`; freed
/// by whoever closes the list).
struct Waiter {
    fiber: FiberRef,
    next: *mut Waiter,
}

/// Marks a closed waiter list (never dereferenced).
static CLOSED: u8 = 0;

fn closed() -> *mut Waiter {
    &CLOSED as *const u8 as *mut Waiter
}

// SAFETY: see the module invariants; `result` / `failure` are written
// once before `done` is released and only read after it is acquired.
unsafe impl Sync for Task {}
// SAFETY: as above.
unsafe impl Send for Task {}

/// What a fiber runs: set when it is (re)assigned to a task.
#[derive(Clone, Copy)]
pub struct Info {
    pub body: Option<Body>,
    pub env: *mut u8,
    pub loc: *const c_char,
    /// The scope it was spawned in (null for root tasks).
    pub scope: *const Scope,
}

/// The running side of a task (recycled, see the module notes). What a
/// spawn writes into a recycled fiber (`ctx.poll`, `handle`, `info`) and
/// reads (`next_free`) is its first cache line: the fiber was last
/// touched by the worker that ran its previous task, so every line the
/// spawner touches is a transfer between cores.
#[repr(C, align(64))]
pub struct Fiber {
    /// Must stay first (module invariant).
    pub ctx: PlatCtx,
    /// The task it serves (null while on a free list).
    pub handle: AtomicPtr<Task>,
    pub info: UnsafeCell<Info>,
    /// Next fiber on a free list (owner: whoever holds the list).
    next_free: UnsafeCell<*mut Fiber>,
    /// Park state, see `sched` ([`super::PARK_RUNNING`] ...).
    pub park: AtomicU8,
    /// Set (before the task can run) on the fiber of a `Thread.spawn`
    /// task, so that waking any other task needs no look at the threads
    /// (`super::thread::pinned_of`). Never cleared: a stale `true` on a
    /// recycled fiber only costs that lookup.
    pub pinned: AtomicBool,
    /// Saved stack pointer while not running.
    pub sp: UnsafeCell<usize>,
    /// From the first run to the end of its task (none while free).
    pub stack: UnsafeCell<Option<Stack>>,
    /// Scopes this task has entered and not exited, innermost last.
    pub scopes: UnsafeCell<Vec<*const Scope>>,
    pub reason: UnsafeCell<Reason>,
    /// Mutexes, lock holds, permits and running `Once`s the task holds
    /// (`crate::sync::held`): released if it ends failed or cancelled.
    /// Only the running task touches it; empty while the fiber is free.
    /// Boxed on first use (8 bytes here: the fiber stays 192 bytes).
    pub held: UnsafeCell<Option<Box<Vec<Held>>>>,
    /// Next fiber in the registry of all fibers (deadlock report).
    pub next_all: AtomicPtr<Fiber>,
}

// Three cache lines (see `held`); `pinned` sits in `park`'s padding.
const _: () = assert!(std::mem::size_of::<Fiber>() == 192);

// SAFETY: see the module invariants; unlocked cells are owned by the
// thread running the task (or allocating / releasing the fiber).
unsafe impl Sync for Fiber {}
// SAFETY: as above.
unsafe impl Send for Fiber {}

impl Fiber {
    /// What this fiber runs (only its owner, see the module invariants).
    pub fn info(&self) -> Info {
        // SAFETY: `info` changes only while the fiber is owned by the
        // allocating thread, before anyone else can reach it as a live
        // fiber; every reader here is ordered after that write.
        unsafe { *self.info.get() }
    }

    /// The handle of the task it runs (the caller owns the fiber).
    pub fn task(&self) -> TaskRef {
        TaskRef(self.handle.load(Ordering::Relaxed))
    }

    /// The id of the task it runs (the caller owns the fiber).
    pub fn id(&self) -> u64 {
        self.task().get().id
    }

    /// It runs the program's main task (a panic there ends the process).
    pub fn is_main(&self) -> bool {
        self.id() == 0
    }
}

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

/// Memory for one handle: a heap object whose header is
/// [`TASK_HANDLE_SHAPE`], the `Task` one word in (so the handle compiled
/// code holds is an interior pointer of the object, which keeps it
/// alive). Reclaimed by the collector once unreachable; see
/// [`trace_handle`] and [`finalize_handle`].
fn handle_alloc() -> *mut Task {
    let obj = crate::gc::heap::alloc_finalized(
        8 + std::mem::size_of::<Task>(),
        &TASK_HANDLE_SHAPE,
        finalize_handle,
    );
    // SAFETY: the object is 8 + size_of::<Task>() bytes, 8-aligned.
    unsafe { obj.add(8) as *mut Task }
}

/// The collector's view of a task handle object at `obj`: the result of
/// a task that returned (traced conservatively: the handle does not know
/// its result type) and the failed task its cancellation cause names.
///
/// # Safety
///
/// `obj` is a task handle object; the world is stopped.
pub unsafe fn trace_handle(obj: usize, mark: &mut dyn FnMut(usize)) {
    // SAFETY: the `Task` one word into a handle object.
    let t = unsafe { &*((obj + 8) as *const Task) };
    if t.done.load(Ordering::Acquire) == OK {
        mark(t.result() as usize);
    }
    let cause = t.cancel_cause.load(Ordering::Acquire);
    if !cause.is_null() && cause != no_cause() {
        // SAFETY: a published cause is a live `Arc<Cause>` owned by the
        // task.
        mark(unsafe { (*cause).task.0 } as usize);
    }
}

/// Frees what an unreachable task handle owns outside the heap: its
/// failure, its cause reference, any waiter nodes left (a timed-out
/// await's). Called by the collector's sweep.
fn finalize_handle(obj: usize) {
    // SAFETY: an unreachable handle object: nobody else can touch it.
    let t = unsafe { &*((obj + 8) as *const Task) };
    if t.done.load(Ordering::Acquire) == FAILED {
        // SAFETY: for FAILED the outcome is null or a `Box<Failure>`
        // owned by the task (see `finish`).
        let f = unsafe { *t.outcome.get() } as *mut Failure;
        if !f.is_null() {
            // SAFETY: as above; freed once, here.
            drop(unsafe { Box::from_raw(f) });
        }
    }
    let cause = t.cancel_cause.load(Ordering::Acquire);
    if !cause.is_null() && cause != no_cause() {
        // SAFETY: the task's own reference, from `Arc::into_raw`.
        drop(unsafe { Arc::from_raw(cause as *const Cause) });
    }
    let mut p = t.waiters.load(Ordering::Acquire);
    while !p.is_null() && p != closed() {
        // SAFETY: nodes published by `add_waiter`, owned by the list.
        let node = unsafe { Box::from_raw(p) };
        p = node.next;
    }
}

/// Fibers per magazine (a free list moved between threads as a whole).
const MAGAZINE: usize = 128;

/// A free list of fibers linked through `next_free`: (head, length).
#[derive(Clone, Copy)]
struct Magazine(*mut Fiber, usize);

const EMPTY: Magazine = Magazine(std::ptr::null_mut(), 0);

// SAFETY: a magazine's fibers belong to whoever holds the magazine
// (module invariants).
unsafe impl Send for Magazine {}

thread_local! {
    /// This thread's free fibers: the current magazine and a spare
    /// (Bonwick's magazines). Touched only by [`fiber_alloc`] and
    /// [`release`], which never switch tasks.
    static FREE: Cell<(Magazine, Magazine)> = const { Cell::new((EMPTY, EMPTY)) };
}

/// Full magazines given up by threads that free more fibers than they
/// allocate (a leaf lock).
static SPARE: Mutex<Vec<Magazine>> = Mutex::new(Vec::new());

fn lock_spare() -> MutexGuard<'static, Vec<Magazine>> {
    SPARE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A free fiber of this thread (or from [`SPARE`]), if any.
fn fiber_pop() -> Option<*mut Fiber> {
    FREE.with(|f| {
        let (mut cur, mut spare) = f.get();
        if cur.1 == 0 {
            if spare.1 > 0 {
                std::mem::swap(&mut cur, &mut spare);
            } else {
                cur = lock_spare().pop()?;
            }
        }
        let p = cur.0;
        // SAFETY: `p` heads a list this thread owns; `next_free` is
        // touched only by the list's holder.
        cur = Magazine(unsafe { *(*p).next_free.get() }, cur.1 - 1);
        f.set((cur, spare));
        Some(p)
    })
}

/// Registry of all fibers ever created (for the deadlock report).
pub static ALL: Padded<AtomicPtr<Fiber>> = Padded(AtomicPtr::new(std::ptr::null_mut()));

/// A fiber for a new task: a recycled one, else a fresh one (registered).
fn fiber_alloc(handle: *mut Task, info: Info) -> FiberRef {
    let poll = super::seed::is_seeded() as usize;
    if let Some(f) = fiber_pop() {
        // SAFETY: a free fiber is ours alone (module invariants); stale
        // users only touch `park` (already `PARK_RUNNING`) and `poll`
        // (atomics).
        unsafe {
            let fr = &*f;
            *fr.info.get() = info;
            fr.ctx.poll.store(poll, Ordering::Relaxed);
            fr.handle.store(handle, Ordering::Relaxed);
        }
        return FiberRef(f);
    }
    let f = Box::into_raw(Box::new(Fiber {
        ctx: PlatCtx {
            stack_limit: 0,
            // Seeded mode: every safepoint enters the runtime, where
            // the generator decides whether to switch.
            poll: AtomicUsize::new(poll),
        },
        park: AtomicU8::new(super::PARK_RUNNING),
        pinned: AtomicBool::new(false),
        handle: AtomicPtr::new(handle),
        info: UnsafeCell::new(info),
        sp: UnsafeCell::new(0),
        stack: UnsafeCell::new(None),
        scopes: UnsafeCell::new(Vec::new()),
        reason: UnsafeCell::new(Reason {
            what: "",
            task: None,
            at: std::ptr::null(),
        }),
        held: UnsafeCell::new(None),
        next_free: UnsafeCell::new(std::ptr::null_mut()),
        next_all: AtomicPtr::new(std::ptr::null_mut()),
    }));
    // Treiber push; fibers are never freed so there is no ABA hazard.
    let mut head = ALL.load(Ordering::Relaxed);
    loop {
        // SAFETY: `f` is ours until published by the CAS below.
        unsafe { (*f).next_all.store(head, Ordering::Relaxed) };
        match ALL.compare_exchange_weak(head, f, Ordering::Release, Ordering::Relaxed) {
            Ok(_) => break,
            Err(h) => head = h,
        }
    }
    FiberRef(f)
}

/// Recycles the fiber of an ended task that has switched away for the
/// last time (called by its worker, after taking its stack).
pub fn release(f: FiberRef) {
    let fiber = f.get();
    let t = fiber.task();
    t.get().fiber.store(std::ptr::null_mut(), Ordering::Relaxed);
    fiber.handle.store(std::ptr::null_mut(), Ordering::Relaxed);
    // SAFETY: the fiber is ours; its scope stack is already empty (see
    // `end_task`), its reason is reset here rather than by the next
    // spawner (which then writes only the fiber's first line).
    unsafe {
        debug_assert!((*fiber.scopes.get()).is_empty());
        debug_assert!((*fiber.held.get()).as_ref().is_none_or(|h| h.is_empty()));
        *fiber.reason.get() = Reason {
            what: "",
            task: None,
            at: std::ptr::null(),
        };
    }
    let p = f.0 as *mut Fiber;
    FREE.with(|c| {
        let (mut cur, mut spare) = c.get();
        if cur.1 == MAGAZINE {
            if spare.1 == MAGAZINE {
                lock_spare().push(spare);
            }
            spare = cur;
            cur = EMPTY;
        }
        // SAFETY: the fiber is ours (its task ended and switched away).
        unsafe { *fiber.next_free.get() = cur.0 };
        cur = Magazine(p, cur.1 + 1);
        c.set((cur, spare));
    });
}

impl Task {
    /// Allocates a task (its handle, a heap object, and a fiber) and
    /// returns its handle and fiber.
    pub fn create(
        body: Option<Body>,
        env: *mut u8,
        loc: *const c_char,
        scope: *const Scope,
        is_main: bool,
    ) -> (TaskRef, FiberRef) {
        let id = if is_main {
            0
        } else {
            NEXT_ID.fetch_add(1, Ordering::Relaxed)
        };
        let t = handle_alloc();
        let f = fiber_alloc(
            t,
            Info {
                body,
                env,
                loc,
                scope,
            },
        );
        let task = Task {
            id,
            fiber: AtomicPtr::new(f.0 as *mut Fiber),
            outcome: UnsafeCell::new(0),
            cancel_cause: AtomicPtr::new(std::ptr::null_mut()),
            waiters: AtomicPtr::new(std::ptr::null_mut()),
            done: AtomicU8::new(RUNNING),
            cancel: AtomicBool::new(false),
            observed: AtomicBool::new(false),
        };
        // SAFETY: `t` is fresh, properly aligned, unused memory for one
        // `Task` (see `handle_alloc`).
        unsafe { t.write(task) };
        (TaskRef(t), f)
    }

    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire) != RUNNING
    }

    /// Registers `f` to be woken when this task ends; false (nothing
    /// registered) if it has ended. A waiter that gives up (a timeout)
    /// stays registered: its wake-up is then spurious.
    pub fn add_waiter(&self, f: FiberRef) -> bool {
        let mut head = self.waiters.load(Ordering::Acquire);
        if head == closed() {
            return false;
        }
        let node = Box::into_raw(Box::new(Waiter {
            fiber: f,
            next: head,
        }));
        loop {
            // Release: publishes the node; AcqRel pairs with the swap in
            // `close_waiters` (seeing `CLOSED` means seeing `done`).
            match self.waiters.compare_exchange_weak(
                head,
                node,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(h) if h == closed() => {
                    // SAFETY: `node` was never published.
                    drop(unsafe { Box::from_raw(node) });
                    return false;
                }
                Err(h) => {
                    head = h;
                    // SAFETY: `node` is still ours (not published).
                    unsafe { (*node).next = h };
                }
            }
        }
    }

    /// Closes the waiter list (after `done` was stored) and returns the
    /// fibers to wake. Only the task itself calls it, once.
    pub fn close_waiters(&self) -> Vec<FiberRef> {
        let mut p = self.waiters.swap(closed(), Ordering::AcqRel);
        let mut out = Vec::new();
        while !p.is_null() && p != closed() {
            // SAFETY: the swap made us the only owner of the nodes,
            // which were published by `add_waiter` (Acquire above).
            let node = unsafe { Box::from_raw(p) };
            out.push(node.fiber);
            p = node.next;
        }
        out
    }

    /// Records the outcome (result already written for [`OK`]) and
    /// publishes `done`. Only the task itself calls it, once.
    pub fn finish(&self, kind: u8, failure: Option<Box<Failure>>) {
        if let Some(f) = failure {
            // SAFETY: written once, by the task itself, before `done`.
            unsafe { *self.outcome.get() = Box::into_raw(f) as u64 };
        }
        self.done.store(kind, Ordering::Release);
    }

    /// Stores the result of a task that returned (by the task itself,
    /// before [`Task::finish`]).
    pub fn set_result(&self, r: u64) {
        // SAFETY: only the running task writes its outcome, before `done`.
        unsafe { *self.outcome.get() = r };
    }

    /// The failure of a task whose `done` is [`FAILED`].
    pub fn failure(&self) -> Option<&Failure> {
        if self.done.load(Ordering::Acquire) != FAILED {
            return None;
        }
        // SAFETY: written once before `done` was released, never again;
        // for `FAILED` it is null or a `Box<Failure>` owned forever.
        unsafe { (*self.outcome.get() as *const Failure).as_ref() }
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
        unsafe { *self.outcome.get() }
    }
}

/// A `concurrent` or `race` block. Three groups of fields on lines of
/// their own (`repr(C)`): `owner` and `race` (read-only), `pending`
/// (written by the finishing children) and `inner` (written by each
/// spawn): a finisher's read of `owner` does not pull in the line the
/// spawner is writing.
#[repr(C)]
pub struct Scope {
    pub owner: FiberRef,
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
    pub inner: Padded<Mutex<ScopeInner>>,
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
    pub fn new(owner: FiberRef, race: bool) -> Arc<Scope> {
        Arc::new(Scope {
            owner,
            race,
            pending: Padded(AtomicUsize::new(0)),
            inner: Padded(Mutex::new(ScopeInner::default())),
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
