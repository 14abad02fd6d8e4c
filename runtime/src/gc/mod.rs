//! Memory: shapes and the heap.
//!
//! Everything about object lifetime is private to this module: today the
//! heap never frees, tomorrow a collector will trace precisely through the
//! heap (using shapes) and conservatively through task stacks. Code
//! outside `gc/` must not rely on objects living forever; it may rely on a
//! pointer held in a local variable of a runtime function (on its stack or
//! in a register) keeping the object alive, and on objects never moving.

pub mod arena;
pub mod collect;
pub mod heap;
pub mod mark;
pub mod shape;
pub mod size_class;
pub mod span;
