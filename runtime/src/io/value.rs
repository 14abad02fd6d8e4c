//! Building the Plat values that system built-ins return: `Result`,
//! `Option`, strings and byte lists, from the descriptors compiled code
//! passes in (docs/runtime-abi.md, "System built-ins").
//!
//! Enum objects are `[header][tag][payload]` (`plat_abi::object::enumeration`): `Ok`/`Some` are tag 0 with one payload slot,
//! `Err`/`None` tag 1 (`Err` with its message).
//!
//! Everything here allocates, so it runs on a task (or on a thread the
//! collector knows about), never on a blocking-pool thread.

use crate::gc::heap;
use crate::gc::shape::PlatShape;
use crate::string::{self, PlatStr};

/// An enum value of type `desc` with variant `tag` and `payload`.
fn variant(desc: *const PlatShape, tag: u64, payload: Option<u64>) -> *mut u8 {
    use plat_abi::object::enumeration::{PAYLOAD, TAG, UNIT_SIZE};
    let size = UNIT_SIZE + plat_abi::WORD * usize::from(payload.is_some());
    let obj = heap::alloc(size, desc);
    // SAFETY: a fresh object of `size` bytes: the tag, and the payload
    // slot when there is one.
    unsafe {
        (obj.add(TAG) as *mut u64).write(tag);
        if let Some(p) = payload {
            (obj.add(PAYLOAD) as *mut u64).write(p);
        }
    }
    obj
}

/// `Result::Ok(slot)` of type `desc`.
pub fn ok(desc: *const PlatShape, slot: u64) -> *mut u8 {
    variant(desc, 0, Some(slot))
}

/// `Result::Ok(text)`.
pub fn ok_str(desc: *const PlatShape, text: &str) -> *mut u8 {
    let s = string::from_str(text);
    ok(desc, s as u64)
}

/// `Result::Ok(true)`.
pub fn ok_true(desc: *const PlatShape) -> *mut u8 {
    ok(desc, 1)
}

/// `Result::Err(message)`.
pub fn err(desc: *const PlatShape, message: &str) -> *mut u8 {
    let s = string::from_str(message);
    variant(desc, 1, Some(s as u64))
}

/// `Ok(v)` or `Err(message)` from a Rust result whose `Ok` is a slot.
pub fn result(desc: *const PlatShape, r: Result<u64, String>) -> *mut u8 {
    match r {
        Ok(v) => ok(desc, v),
        Err(e) => err(desc, &e),
    }
}

/// `Ok(n)` / `Err` for an `Int32` payload (its slot sign-extended).
pub fn result_i32(desc: *const PlatShape, r: Result<i32, String>) -> *mut u8 {
    result(desc, r.map(|n| n as i64 as u64))
}

/// `Ok(n)` / `Err` for an `Int64` payload.
pub fn result_i64(desc: *const PlatShape, r: Result<i64, String>) -> *mut u8 {
    result(desc, r.map(|n| n as u64))
}

/// `Ok(true)` / `Err`, for the built-ins whose success carries nothing.
pub fn result_unit(desc: *const PlatShape, r: Result<(), String>) -> *mut u8 {
    result(desc, r.map(|()| 1))
}

/// `Ok(text)` / `Err`.
pub fn result_str(desc: *const PlatShape, r: Result<String, String>) -> *mut u8 {
    match r {
        Ok(s) => ok_str(desc, &s),
        Err(e) => err(desc, &e),
    }
}

/// `Option::Some(slot)` of type `desc`.
pub fn some(desc: *const PlatShape, slot: u64) -> *mut u8 {
    variant(desc, 0, Some(slot))
}

/// `Option::None` of type `desc`.
pub fn none(desc: *const PlatShape) -> *mut u8 {
    variant(desc, 1, None)
}

/// A Plat string of `bytes`, which must be UTF-8.
pub fn str_of(text: &str) -> *const PlatStr {
    string::from_str(text)
}

/// The contents of a Plat string argument, copied (so that it can go to
/// a blocking-pool thread).
///
/// # Safety
///
/// `s` must be a valid string object.
pub unsafe fn owned(s: *const PlatStr) -> String {
    // SAFETY: the caller's contract.
    unsafe { string::as_str(s) }.to_owned()
}

/// The message of an OS error, as Plat code sees it: `what: reason`
/// (`open /tmp/x: No such file or directory (os error 2)`).
pub fn os_error(what: &str, e: &std::io::Error) -> String {
    format!("{what}: {e}")
}
