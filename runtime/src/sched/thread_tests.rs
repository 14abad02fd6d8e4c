//! `Thread.spawn` driven from Rust (see `tests.rs` for the conventions):
//! the thread's task parks and is woken across threads, spawns tasks
//! onto the pool, and `join` (an await) returns its value or panic.
#![allow(clippy::undocumented_unsafe_blocks)]

use std::ffi::c_char;

use super::abi::*;
use super::run_root;
use super::task::{FAILED, OK};
use crate::ctx::PlatCtx;
use crate::fatal::abi::plat_panic_cstr;

const LOC: *const c_char = c"thread.plat:1:1".as_ptr();

unsafe extern "C" fn double(_ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    env as u64 * 2
}

/// On the thread: sleeps (parks; a worker's timer wakes it), spawns
/// `env` tasks onto the pool and awaits them.
unsafe extern "C" fn thread_body(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    unsafe {
        plat_time_sleep(ctx, 1);
        let scope = plat_scope_enter(ctx);
        let n = env as u64;
        let tasks: Vec<_> = (0..n)
            .map(|i| plat_spawn(ctx, scope, double, i as *mut u8, LOC))
            .collect();
        let sum = tasks
            .into_iter()
            .map(|t| plat_task_await(ctx, t, LOC))
            .sum();
        plat_scope_exit(ctx, scope);
        sum
    }
}

unsafe extern "C" fn join_threads(ctx: *mut PlatCtx, env: *mut u8) -> u64 {
    unsafe {
        let ts: Vec<_> = (0..env as u64)
            .map(|i| plat_thread_spawn(ctx, thread_body, (10 + i) as *mut u8, LOC))
            .collect();
        ts.into_iter().map(|t| plat_task_await(ctx, t, LOC)).sum()
    }
}

#[test]
fn threads_park_spawn_and_join() {
    let t = run_root(join_threads, 3 as *mut u8);
    assert_eq!(t.get().done.load(std::sync::atomic::Ordering::Acquire), OK);
    // sum over n in 10..13 of n * (n - 1)
    assert_eq!(t.get().result(), 90 + 110 + 132);
}

unsafe extern "C" fn failing(_ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe { plat_panic_cstr(c"boom in thread".as_ptr(), LOC) }
}

unsafe extern "C" fn join_failing(ctx: *mut PlatCtx, _env: *mut u8) -> u64 {
    unsafe {
        let t = plat_thread_spawn(ctx, failing, std::ptr::null_mut(), LOC);
        plat_task_await(ctx, t, LOC)
    }
}

#[test]
fn join_reraises_the_threads_panic() {
    let t = run_root(join_failing, std::ptr::null_mut());
    assert_eq!(
        t.get().done.load(std::sync::atomic::Ordering::Acquire),
        FAILED
    );
    let text = super::failure_text(t).unwrap_or_default();
    assert!(text.contains("boom in thread"), "{text}");
}
