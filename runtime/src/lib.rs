//! `plat_rt`: the runtime linked into every compiled Plat program.
//!
//! Built as a `staticlib` (`libplat_rt.a`, embedded in the compiler and
//! linked with each program's object file by `compiler/src/link.rs`) and as
//! an `rlib` for its own tests. Compiled code calls it only through
//! `extern "C"` functions named `plat_*`, each in the entry-point module of
//! the part it belongs to: [`abi`] (strings, printing, panics,
//! allocation), [`collections`] (`list`, `dict`, `set`), [`value`]
//! (rendering, equality, hashing of any value), [`sched::abi`] (tasks,
//! scopes, time), [`chan::abi`], [`sync::abi`] and the sync types' own
//! files, and [`io`]'s `abi_*` files; the contract is
//! `docs/runtime-abi.md`, and a compiler test checks that the compiler's
//! entry-point tables and these exports agree.
//!
//! # Glossary
//!
//! - **object**: a heap value; its first word points to its shape.
//! - **shape** ([`gc::shape::PlatShape`]): static descriptor of an
//!   object's kind, size and pointer words.
//! - **context** ([`entry::PlatCtx`]): per-task data passed as the hidden
//!   first argument of every compiled function (stack limit, poll flag).
//! - **task**: a running Plat function with its own stack and context
//!   (the main task, or a `spawn` body), scheduled on worker threads.
//! - **worker**: an OS thread of the scheduler running tasks.
//! - **park / wake**: suspending the running task with a reason until
//!   something wakes it (the one blocking mechanism, see [`sched`]).
//! - **loc**: a source location `"file:line:col"`, passed by compiled code
//!   as a NUL-terminated C string for error messages.
//!
//! # Modules
//!
//! - [`abi`]: the entry points for strings, printing, panics and
//!   allocation (the other parts keep their own entry points, above).
//! - [`collections`]: lists, dicts and sets, with their entry points.
//! - [`value`]: printing, equality and hashing of any value, driven by
//!   type descriptors.
//! - [`entry`]: the C `main`, the main task and its context.
//! - [`sched`]: workers, tasks, scopes, parking, timers, the task and
//!   time entry points.
//! - [`chan`]: channels and `select`.
//! - [`sync`]: the synchronisation library (mutexes, rwlocks, conditions,
//!   wait groups, semaphores, once, atomics, cancel tokens, tickers,
//!   rate limiters).
//! - [`coro`]: task stacks and the context switch.
//! - [`gc`]: shapes and the heap (the only allocation path).
//! - [`io`]: files, sockets (the readiness poller), the blocking pool,
//!   environment, processes and standard input: the system built-ins.
//! - [`string`]: the string object layout and helpers.
//! - [`format`]: rendering numbers for conversions and interpolation.
//! - [`stdout`]: the buffered standard output.
//! - [`fatal`]: exit, Plat panics, asserts and runtime bugs.
//! - [`signal`]: the stack-overflow trap and fatal signals.
//! - `loom`: `std` or `loom` sync primitives for model-checked code
//!   (tokio's shim; `tests/loom_idle.rs`).
//!
//! # Known to compiler
//!
//! Change these only together with `compiler/src/codegen/runtime_abi.rs`
//! and `docs/runtime-abi.md`: the names and signatures of every `plat_*`
//! function in [`abi`], [`collections`] and [`value`]; the statics
//! `plat_shape_string` and `plat_type_*`; the layouts of
//! [`gc::shape::PlatShape`], [`gc::shape::PlatVariant`],
//! [`string::PlatStr`], [`collections::list::PlatList`] and
//! [`entry::PlatCtx`]; the list element widths
//! ([`collections::array::Elem`]); the shape kind numbers;
//! the symbol `plat_main` the compiler must define; the exit codes 101
//! (panic), 1 (assert) and the messages' format.
//!
//! # Unsafe policy
//!
//! Entry points receive raw pointers from compiled code, so most of them
//! are `unsafe extern "C" fn`; each [`abi`] module states once what it
//! requires of its arguments. Every `unsafe` block carries a `// SAFETY:`
//! comment saying why its requirements hold. Helpers that read objects
//! ([`string::bytes`]...) are `unsafe fn` with a `# Safety` section.
//! One deliberate exception: functions that take *slots* with their
//! descriptor ([`value::eq`], [`value::hash`], the dict/set table) are safe
//! to call, because "a slot is a valid value of its type" is an invariant
//! of every collection and the contract of every entry point that passes
//! one in (see [`value`]).
//! A Rust panic inside the runtime is a runtime bug: the hook installed by
//! `main` turns it into `fatal: runtime bug: ...` (exit 134); nothing
//! unwinds into compiled code.

pub mod abi;
pub mod bench;
pub mod chan;
pub mod codemap;
pub mod collections;
pub mod coro;
pub mod entry;
pub mod fatal;
pub mod format;
pub mod gc;
pub mod io;
mod loom;
pub mod sched;
pub mod signal;
pub mod stdout;
pub mod string;
pub mod sync;
pub mod value;

#[cfg(test)]
pub mod testdesc;
