//! Lists, dicts and sets (spec §9.2-9.4): objects and entry points.
//!
//! Known to compiler (`docs/runtime-abi.md`, "Types, objects and
//! collections"; `compiler/src/codegen/runtime_abi.rs`): the `plat_list_*`,
//! `plat_dict_*`, `plat_set_*` entry points, the List layout and its
//! element widths ([`array::Elem`]), which compiled code reads (`len`,
//! `data`) and writes (elements, in place; appends while `len < cap`).
//! Dict and Set objects are opaque to it.
//!
//! # Objects
//!
//! Entry points take and return every element, key and value as a 64-bit
//! slot (see the doc). Dicts and sets store slots; lists store elements at
//! their natural width (1, 2, 4 or 8 bytes, see [`mod@array`]). All memory
//! that holds elements is a Plat heap object with a shape the collector
//! can understand; no Rust allocation ever holds a Plat pointer.
//!
//! ```text
//! List   [header: List[T]][len][cap][data]       data: element 0 of a
//!                                                buffer of cap elements,
//!                                                or null
//! Dict   [header: Dict[K,V]][len][used][cap][entries][index]
//! Set    [header: Set[T]]   [len][used][cap][entries][index]
//! Array  [header: Array][capacity: u64][slot 0][slot 1]...
//! Bytes  [header: Bytes][capacity: u64][narrow elements, W bytes each]
//! ```
//!
//! `data`, `entries` and `index` point to the first element / slot of
//! their buffer object (16 bytes past its start), so compiled code indexes
//! `data` directly. Dict and Set share one implementation ([`table`]): an
//! insertion-ordered entries Array plus an open-addressing index; see
//! there.
//!
//! # Invariants
//!
//! - A collection's header is its type descriptor (`List[T]`, `Dict[K,
//!   V]`, `Set[T]`), read for the element / key / value types.
//! - Buffer contents not in use (the bytes of a list's elements `[len,
//!   cap)`, deleted or unused dict entries) are zero, so they never keep
//!   objects alive.
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
