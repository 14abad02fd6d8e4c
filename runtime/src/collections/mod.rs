//! Lists, dicts and sets (spec §9.2-9.4): objects and entry points.
//!
//! Known to compiler (`docs/runtime-abi.md`, "Types, objects and
//! collections"; `compiler/src/codegen/runtime_abi.rs`): the `plat_list_*`,
//! `plat_dict_*`, `plat_set_*` entry points and the List layout, which
//! compiled code reads (`len`, `data`) and writes (slots, in place).
//! Dict and Set objects are opaque to it.
//!
//! # Objects
//!
//! Every element, key and value is a 64-bit slot (see the doc). All memory
//! that holds slots is a Plat heap object with a shape the collector can
//! trace; no Rust allocation ever holds a Plat pointer.
//!
//! ```text
//! List   [header: List[T]][len][cap][data]       data: first slot of an
//!                                                Array of cap slots, or null
//! Dict   [header: Dict[K,V]][len][used][cap][entries][index]
//! Set    [header: Set[T]]   [len][used][cap][entries][index]
//! Array  [header: Array][capacity: u64][slot 0][slot 1]...
//! ```
//!
//! `data`, `entries` and `index` point to the first *slot* of their Array
//! object (16 bytes past its start), so compiled code indexes `data`
//! directly. Dict and Set share one implementation ([`table`]): an
//! insertion-ordered entries Array plus an open-addressing index; see
//! there.
//!
//! # Invariants
//!
//! - A collection's header is its type descriptor (`List[T]`, `Dict[K,
//!   V]`, `Set[T]`), read for the element / key / value types.
//! - Slots of an Array that are not in use (a list's `[len, cap)`, deleted
//!   or unused dict entries) are zero, so they never keep objects alive.
//! - Between allocating a fresh Array and storing it in its owner, a
//!   runtime function may allocate again (a table rebuild allocates the
//!   entries, then the index) while holding only a first-slot pointer to
//!   it: the collector's conservative stack scan must treat such interior
//!   pointers as roots (as it must for `data` words anyway).
//! - A collection is used by one task at a time: the language shares lists
//!   and objects between tasks by reference, and concurrent mutation
//!   without synchronisation is a program error (as in Go), not something
//!   the runtime defends against.
//!
//! # Entry-point contract
//!
//! Collection arguments are valid objects of the stated kind; `desc`
//! arguments are well-formed descriptors of the stated kind; slots hold
//! values of the element type; `out` pointers are valid for writing (or
//! null, to discard the result); `loc` is null or NUL-terminated.
//! (Stated once here rather than as a `# Safety` section per function.)
#![allow(clippy::missing_safety_doc)]

pub mod array;
pub mod dict;
pub mod list;
pub mod set;
pub mod table;

#[cfg(test)]
mod tests;
