//! Tables that compiled code hands to the runtime, and the numbers some
//! entry points take or return (docs/runtime-abi.md "Function table",
//! "Test and bench entry", "Channels and select", "Synchronisation
//! library").

/// The function table passed to `plat_register_functions` (runtime
/// `codemap`): `[count: u64]` then `count` entries.
pub mod fn_table {
    /// The entry count, then the first entry.
    pub const COUNT: usize = 0;
    pub const ENTRIES: usize = 8;

    /// One entry (runtime `codemap::FnEntry`).
    pub mod entry {
        /// `start: *const u8`, the function's first instruction.
        pub const START: usize = 0;
        /// `size: u64`, its code size in bytes.
        pub const CODE_SIZE: usize = 8;
        /// `name: *const c_char`, how messages name it.
        pub const NAME: usize = 16;
        /// `loc: *const c_char`, `"file:line:col"` of its declaration.
        pub const LOC: usize = 24;
        /// `lines: *const Line`, its line table (null when empty).
        pub const LINES: usize = 32;
        /// `n_lines: u64`.
        pub const N_LINES: usize = 40;
        /// Size of an entry.
        pub const SIZE: usize = 48;
    }

    /// One line-table entry (runtime `codemap::Line`), by increasing
    /// offset.
    pub mod line {
        /// `offset: u64`, from the function's start.
        pub const OFFSET: usize = 0;
        /// `loc: *const c_char`, the location of the code from there on.
        pub const LOC: usize = 8;
        /// `calls: *const c_char`, for code the compiler inlined: the
        /// calls it was inlined at, innermost first, one "file:line:col"
        /// per line; null for code of the function itself.
        pub const CALLS: usize = 16;
        /// Size of an entry.
        pub const SIZE: usize = 24;
    }
}

/// One entry of the case table passed to `plat_test_main` /
/// `plat_bench_main` (runtime `sched::testrun::CaseEntry`).
pub mod case {
    /// `block: *const c_char`, the `test`/`bench` block's name.
    pub const BLOCK: usize = 0;
    /// `name: *const c_char`, the case's name.
    pub const NAME: usize = 8;
    /// `run: fn(ctx) -> i64`, the case's wrapper.
    pub const RUN: usize = 16;
    /// `loc: *const c_char`, the case's location.
    pub const LOC: usize = 24;
    /// Size of an entry.
    pub const SIZE: usize = 32;
}

/// `plat_select`: its arm table, scratch space, timeouts and results
/// (runtime `chan::abi`).
pub mod select {
    /// One arm (runtime `chan::abi::SelectArm`): the channel object.
    pub const ARM_CHAN: usize = 0;
    /// `kind: u64`: [`RECV`] or [`SEND`].
    pub const ARM_KIND: usize = 8;
    /// `value: u64`: the slot a send arm sends.
    pub const ARM_VALUE: usize = 16;
    /// Size of an arm.
    pub const ARM_SIZE: usize = 24;
    /// Arm kinds.
    pub const RECV: u64 = 0;
    pub const SEND: u64 = 1;
    /// Bytes of scratch space (8-aligned, in the caller's frame) the
    /// caller provides per arm: the runtime parks a waiter there.
    pub const SCRATCH_PER_ARM: usize = 64;
    /// `timeout_millis`: park without limit (no `after` arm).
    pub const BLOCK_FOREVER: i64 = -1;
    /// `timeout_millis`: never park (there is a `default` arm).
    pub const NEVER_BLOCK: i64 = -2;
    /// Result: no arm was ready and there is a `default` arm.
    pub const SELECTED_DEFAULT: i64 = -1;
    /// Result: the `after` arm's time passed.
    pub const SELECTED_TIMEOUT: i64 = -2;
}

/// `Atomic<T>` entry points: memory orders (the tags of the standard
/// library's `MemoryOrder` enum, passed as they are) and value widths.
pub mod atomic {
    pub const RELAXED: u32 = 0;
    pub const ACQUIRE: u32 = 1;
    pub const RELEASE: u32 = 2;
    pub const ACQ_REL: u32 = 3;
    /// The default order.
    pub const SEQ_CST: u32 = 4;
    /// `width` of an `Atomic<Int32>` (its `add` wraps at 32 bits); any
    /// other width means 64.
    pub const WIDTH_32: u32 = 32;
    pub const WIDTH_64: u32 = 64;
}
