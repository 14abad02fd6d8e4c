//! `plat_rt`: the runtime linked into every compiled Plat program.
//!
//! Built as a `staticlib` (`libplat_rt.a`, embedded in the compiler and
//! linked with each program's object file by `compiler/src/link.rs`) and as
//! an `rlib` for its own tests. Compiled code calls it only through
//! `extern "C"` functions named `plat_*`, each kept by the part it belongs
//! to, in that part's `abi.rs` (or `abi_*.rs`) unless the part is one
//! small file:
//!
//! - [`string::abi`] (string methods and conversions) and
//!   [`string::abi_builder`] (interpolation);
//! - [`stdout::abi`] (`print`);
//! - [`fatal::abi`] (`panic`, runtime errors, `assert`, `process_exit`);
//! - [`gc::abi`] (`plat_alloc`);
//! - [`value`] (rendering, equality and hashing of any value);
//! - [`sched::abi`] (tasks, scopes, safepoints, time);
//! - [`chan::abi`] (channels, `select`);
//! - [`sync::abi`] (locks, conditions, wait groups, semaphores, once) and
//!   the files of the other sync types (`atomic`, `ctoken`, `ticker`,
//!   `ratelimit`);
//! - [`io`]'s `abi_fs`, `abi_tcp` and `abi_misc`;
//! - with their types: [`collections`]' `list`, `dict` and `set`;
//!   [`codemap`] (`plat_register_functions`); the `plat test` and
//!   `plat bench` mains, `sched::testrun` and [`bench`].
//!
//! The contract is `docs/runtime-abi.md`; every layout fact in it (shape
//! kinds, object and table offsets, the context fields, exit codes) is a
//! constant of the `plat_abi` crate, which the compiler uses and to which
//! the runtime's `#[repr(C)]` structs are tied by compile-time
//! assertions. A compiler test checks that the compiler's entry-point
//! tables and these exports agree.
//!
//! # Glossary
//!
//! - **object**: a heap value; its first word points to its shape.
//! - **shape** ([`gc::shape::PlatShape`]): static descriptor of an
//!   object's kind, size and pointer words.
//! - **context** ([`ctx::PlatCtx`]): per-task data passed as the hidden
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
//! - [`string`]: the string object layout and helpers, with the string
//!   entry points.
//! - [`collections`]: lists, dicts and sets, with their entry points.
//! - [`value`]: printing, equality and hashing of any value, driven by
//!   type descriptors.
//! - [`ctx`]: the task context compiled code receives.
//! - [`entry`]: the C `main` and the main task.
//! - [`sched`]: workers, tasks, scopes, parking, timers, the task and
//!   time entry points, the `plat test` runner.
//! - [`bench`]: the `plat bench` runner.
//! - [`chan`]: channels and `select`.
//! - [`sync`]: the synchronisation library (mutexes, rwlocks, conditions,
//!   wait groups, semaphores, once, atomics, cancel tokens, tickers,
//!   rate limiters).
//! - [`coro`]: task stacks and the context switch.
//! - [`gc`]: shapes and the heap (the only allocation path).
//! - [`io`]: files, sockets (the readiness poller), the blocking pool,
//!   environment, processes and standard input: the system built-ins.
//! - [`format`]: rendering numbers for conversions and interpolation.
//! - [`par`]: the chunk count of `par_map` and its siblings.
//! - [`math`]: the math built-ins that are not one instruction, and
//!   `format_float`, with their entry points.
//! - [`stdout`]: the buffered standard output, and `print`.
//! - [`fatal`]: exit, failed asserts, runtime bugs, and the panic entry
//!   points (a leaf: it uses no other part of the runtime).
//! - [`signal`]: the stack-overflow trap and fatal signals.
//! - [`codemap`]: the compiled functions' table, for messages.
//! - `loom`: `std` or `loom` sync primitives for model-checked code
//!   (tokio's shim; `tests/loom_idle.rs`).
//!
//! # Known to compiler
//!
//! Change these only together with the compiler (`compiler/src/codegen/`)
//! and `docs/runtime-abi.md`: the names and signatures of every `plat_*`
//! function (the compiler's table is `codegen/runtime_abi.rs`); the
//! statics `plat_shape_string` and `plat_type_*`; the symbol `plat_main`
//! the compiler must define; the messages' format; and every layout fact,
//! which lives in `plat_abi` (changing a constant there changes both
//! sides; changing a struct here without it fails to build): the layouts
//! of [`gc::shape::PlatShape`], [`gc::shape::PlatVariant`],
//! [`string::PlatStr`], [`collections::list::PlatList`], [`ctx::PlatCtx`],
//! the function and case tables and `select`'s arms; the list element
//! widths ([`collections::array::Elem`]); the shape kind numbers; the exit
//! codes 101 (panic), 1 (assert), 2 (deadlock) and 134 (runtime bug).
//!
//! # Unsafe policy
//!
//! Entry points receive raw pointers from compiled code, so most of them
//! are `unsafe extern "C" fn`; each `abi` module states once what it
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

pub mod backtrace;
pub mod bench;
pub mod chan;
pub mod codemap;
pub mod collections;
pub mod coro;
pub mod ctx;
pub mod entry;
pub mod fatal;
pub mod format;
pub mod gc;
pub mod interrupt;
pub mod io;
mod loom;
pub mod math;
pub mod par;
pub mod sched;
pub mod signal;
pub mod stdout;
pub mod string;
pub mod sync;
pub mod value;

#[cfg(test)]
pub mod testdesc;
