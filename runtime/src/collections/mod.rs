//! Lists, dicts and sets (spec §9.2-9.4): objects and entry points.
//!
//! Known to compiler (`docs/runtime-abi.md`, "Types, objects and
//! collections"; `compiler/src/codegen/runtime_abi.rs`): the `plat_list_*`,
//! `plat_dict_*`, `plat_set_*` entry points, the List layout, its element
//! widths ([`array::Elem`]) and the capacity word before each buffer,
//! which compiled code reads (`len`, `data`, the capacity, the writer
//! word) and writes (elements, in place; appends when it owns the list
//! and there is room, see [`list`]). Dict and Set objects are opaque to
//! it.
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
//! List   [header: List[T]][len][writer][data]    data: element 0 of a
//!                                                buffer (never null)
//! Dict   [header: Dict[K,V]][len][used][writer][entries][index]
//! Set    [header: Set[T]]   [len][used][writer][entries][index]
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
//! # Races (`docs/memory-model.md`)
//!
//! Collections are shared between tasks by reference, and nothing stops
//! two tasks from using one at the same time. Every operation here is
//! memory-safe under any such race: a reader sees old or new elements,
//! never a freed, out-of-bounds or uninitialised one, and no loop can run
//! forever on a structure being changed. Mutations claim the collection's
//! writer word ([`writer`]), so two runtime mutations never overlap: the
//! second one panics ("concurrent mutation of a List from two tasks ...")
//! before changing anything. The invariants that make this work are in
//! [`list`] and [`table`]; in short:
//!
//! - Buffers are never freed or reused while reachable, their capacity
//!   word never changes, and a collection only ever replaces a buffer with
//!   a fresh one (lists: a bigger one). A racing reader in the runtime
//!   takes a buffer once and bounds its accesses by that buffer's own
//!   capacity (compiled code relies on the order of its loads instead,
//!   see [`list`]).
//! - New contents are written before the pointer or length that makes them
//!   visible (Release stores, Acquire loads); slots that a racing reader
//!   may still load are never cleared (popped list elements, removed
//!   dict keys and values keep their old values).
//! - Elements are read and written with single atomic accesses of their
//!   width, so no value is ever torn.
//!
//! # Invariants
//!
//! - A collection's header is its type descriptor (`List[T]`, `Dict[K,
//!   V]`, `Set[T]`), read for the element / key / value types.
//! - Unused buffer contents (a list's elements `[len, cap)`, deleted dict
//!   entries) may hold stale values, which keep their objects alive until
//!   overwritten (the collector may clear them while the world is stopped,
//!   when no reader is between its loads).
//! - Between allocating a fresh Array and storing it in its owner, a
//!   runtime function may allocate again (a table rebuild allocates the
//!   entries, then the index) while holding only a first-slot pointer to
//!   it, and a racing reader holds only such pointers to the buffers it
//!   reads: the collector's conservative stack scan must treat interior
//!   pointers to buffers as roots (as it must for `data` words anyway).
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
pub mod list_ops;
pub mod set;
pub mod table;
pub mod writer;

#[cfg(test)]
mod tests;
