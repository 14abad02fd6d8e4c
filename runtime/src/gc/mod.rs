//! Memory: shapes and the heap.
//!
//! Everything about object lifetime is here (`docs/gc.md`): the arena and
//! its spans ([`arena`], [`span`], [`size_class`]), allocation
//! ([`heap`]), marking ([`mark`]), sweeping ([`sweep`]) and collections
//! ([`collect`]): precise
//! through the heap (using shapes), conservative through task stacks.
//! Code outside `gc/` may rely on a pointer held in a local variable of a
//! runtime function running on a task (its stack or registers) keeping
//! the object alive, on objects never moving, and on no collection
//! running while it works: one runs only while every task is switched
//! out (at a safepoint or parked). A Plat pointer kept only in Rust heap
//! memory across a park must be a registered root.

pub mod abi;
pub mod arena;
pub mod collect;
pub mod heap;
pub mod limit;
pub mod mark;
pub mod shape;
pub mod size_class;
pub mod span;
pub mod sweep;
