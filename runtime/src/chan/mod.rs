//! Channels and `select`: tasks that talk.
//!
//! - [`core`]: the channel protocol (buffer, wait queues, direct
//!   hand-off, close), written against an [`core::Env`] so that the loom
//!   models run the production code with threads.
//! - [`select`]: waiting on several channel operations at once.
//! - [`waitq`]: waiters (on the parked task's stack) and intrusive FIFO
//!   wait queues, shared with the synchronisation library.
//! - [`lock`]: the word-sized lock of a channel.
//! - [`abi`]: the entry points compiled code calls, on green tasks.
//!
//! The design, with its invariants and lock order, is in each file's
//! header and in `docs/channels.md`.

pub mod abi;
pub mod core;
pub mod lock;
pub mod select;
pub mod waitq;

#[cfg(test)]
mod tests;
