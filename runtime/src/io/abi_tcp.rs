//! Entry points of the TCP built-ins (`tcp_listen`, `tcp_accept`,
//! `tcp_connect`, `tcp_read`, `tcp_write`, `tcp_close`), in the system
//! built-in convention (docs/runtime-abi.md, "System built-ins").
//!
//! # Safety (all entry points)
//!
//! Called by compiled code on a task: `ctx` is the task's context,
//! string arguments are valid string objects, `desc` is the descriptor
//! of the `Result` type the built-in returns.

#![allow(clippy::missing_safety_doc)]

use std::sync::Arc;

use super::handles::{self, Handle, SOCKET_BASE};
use super::tcp::{self, Socket, CANCELLED};
use super::value;
use crate::ctx::PlatCtx;
use crate::gc::shape::PlatShape;
use crate::sched;
use crate::string::PlatStr;

/// Ends the task if `r` is the cancellation of a wait (after the
/// caller dropped its socket reference), else returns it.
fn checked<T>(r: Result<T, String>) -> Result<T, String> {
    if let Err(e) = &r {
        if e == CANCELLED {
            sched::check_cancel(sched::me());
        }
    }
    r
}

/// The result of an operation making a socket: its new number.
fn opened(desc: *const PlatShape, r: Result<Socket, String>) -> *mut u8 {
    let r = checked(r.map(|s| handles::insert(SOCKET_BASE, Handle::Socket(Arc::new(s)))));
    value::result_i32(desc, r)
}

/// The socket numbered `n`, or an `Err` saying which call found it bad.
fn sock(n: i32, call: &str) -> Result<Arc<Socket>, String> {
    handles::socket(n).map_err(|e| format!("{call}({n}): {e}"))
}

/// `tcp_listen(host =, port =) -> Result<Int32, String>`.
#[no_mangle]
pub unsafe extern "C" fn plat_tcp_listen(
    _ctx: *mut PlatCtx,
    host: *const PlatStr,
    port: i32,
    desc: *const PlatShape,
) -> *mut u8 {
    // SAFETY: `host` is a valid string (module contract).
    let host = unsafe { value::owned(host) };
    opened(desc, tcp::listen(&host, port))
}

/// `tcp_accept(listener =) -> Result<Int32, String>`.
#[no_mangle]
pub unsafe extern "C" fn plat_tcp_accept(
    _ctx: *mut PlatCtx,
    listener: i32,
    desc: *const PlatShape,
) -> *mut u8 {
    let r = sock(listener, "tcp_accept").and_then(|l| tcp::accept(&l, listener));
    opened(desc, r)
}

/// `tcp_connect(host =, port =) -> Result<Int32, String>`.
#[no_mangle]
pub unsafe extern "C" fn plat_tcp_connect(
    _ctx: *mut PlatCtx,
    host: *const PlatStr,
    port: i32,
    desc: *const PlatShape,
) -> *mut u8 {
    // SAFETY: `host` is a valid string (module contract).
    let host = unsafe { value::owned(host) };
    opened(desc, tcp::connect(&host, port))
}

/// `tcp_read(socket =, max_bytes =) -> Result<String, String>`.
#[no_mangle]
pub unsafe extern "C" fn plat_tcp_read(
    _ctx: *mut PlatCtx,
    socket: i32,
    max_bytes: i32,
    desc: *const PlatShape,
) -> *mut u8 {
    let r = sock(socket, "tcp_read").and_then(|s| tcp::read(&s, socket, max_bytes));
    match checked(r) {
        Ok(text) => value::ok(desc, text as u64),
        Err(e) => value::err(desc, &e),
    }
}

/// `tcp_write(socket =, data =) -> Result<Int32, String>`.
#[no_mangle]
pub unsafe extern "C" fn plat_tcp_write(
    _ctx: *mut PlatCtx,
    socket: i32,
    data: *const PlatStr,
    desc: *const PlatShape,
) -> *mut u8 {
    // SAFETY: `data` is a valid string (module contract); strings are
    // immutable and the task's stack keeps it alive while it parks.
    let bytes = unsafe { crate::string::bytes(data) };
    let r = sock(socket, "tcp_write").and_then(|s| tcp::write(&s, socket, bytes));
    value::result_i32(desc, checked(r))
}

/// `tcp_close(socket =) -> Result<Bool, String>`: tasks waiting on the
/// socket get an `Err`; the descriptor is closed once they let go.
#[no_mangle]
pub unsafe extern "C" fn plat_tcp_close(
    _ctx: *mut PlatCtx,
    socket: i32,
    desc: *const PlatShape,
) -> *mut u8 {
    match handles::remove_socket(socket) {
        Ok(s) => {
            s.shut();
            drop(s);
            value::ok_true(desc)
        }
        Err(e) => value::err(desc, &format!("tcp_close({socket}): {e}")),
    }
}

/// `tcp_local_port(socket =) -> Result<Int32, String>` (an extension:
/// the port a listener bound to port 0 got).
#[no_mangle]
pub unsafe extern "C" fn plat_tcp_local_port(
    _ctx: *mut PlatCtx,
    socket: i32,
    desc: *const PlatShape,
) -> *mut u8 {
    let r = sock(socket, "tcp_local_port").and_then(|s| tcp::local_port(&s, socket));
    value::result_i32(desc, r)
}
