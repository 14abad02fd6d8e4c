//! The largest allocation the heap accepts, and the panic for one asked
//! beyond it.
//!
//! An allocation larger than the machine can give is the program's
//! fault (a list of 2^40 elements, a string repeated a billion times), so
//! it is a Plat panic, `out of memory: allocation of N bytes`, raised
//! before any memory is touched: inside a task it ends the task, and the
//! failure reaches whoever awaits it like any other panic. It is never a
//! crash, an `abort` or the kernel's OOM killer later on.
//!
//! The limit ([`max_alloc`]) is the smallest of: half the arena (an
//! object lives in one span of it), the machine's physical memory, the
//! cgroup's `memory.max`, and the process's `RLIMIT_AS` / `RLIMIT_DATA`.
//! It bounds each allocation, not the heap's total: a program that keeps
//! many allocations each below the limit until the machine runs out is
//! stopped by the arena's end (`out of memory: the heap would exceed
//! 65536 MiB`; less under `ulimit -v`, see `arena::arena_bytes`) or,
//! before it, by the kernel, as in Go.
//!
//! # Invariants
//!
//! - [`out_of_memory`] raises a Plat panic, which abandons the task's
//!   stack (`crate::sched`): it is only called where the runtime holds no
//!   lock. Every allocation whose size comes from the program (a length,
//!   a capacity, a repeat count, bytes read) is checked by its entry
//!   point before it takes one, and [`super::heap::alloc`] checks again.

use std::sync::OnceLock;

use super::arena;

static MAX: OnceLock<usize> = OnceLock::new();

/// The largest size in bytes one allocation may have (computed once).
pub fn max_alloc() -> usize {
    *MAX.get_or_init(compute)
}

fn compute() -> usize {
    let mut max = arena::arena_bytes() / 2;
    // SAFETY: `sysconf` only reads system configuration.
    let (pages, page) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if pages > 0 && page > 0 {
        max = max.min((pages as usize).saturating_mul(page as usize));
    }
    if let Some(cg) = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
    {
        max = max.min(cg);
    }
    for res in [libc::RLIMIT_AS, libc::RLIMIT_DATA] {
        let mut r = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `r` is a valid out-parameter.
        if unsafe { libc::getrlimit(res, &mut r) } == 0 && r.rlim_cur != libc::RLIM_INFINITY {
            max = max.min(r.rlim_cur as usize);
        }
    }
    max
}

/// Whether an allocation of `bytes` (`None`: its size overflowed) is
/// refused.
#[inline]
pub fn too_big(bytes: Option<usize>) -> bool {
    bytes.is_none_or(|b| b > max_alloc())
}

/// The panic for an allocation of `bytes` (`None`: more than `usize`
/// holds) that [`too_big`] refused; `what` says what it was for (a list
/// of N elements...), or is empty.
#[cold]
#[inline(never)]
pub fn out_of_memory(what: &str, bytes: Option<usize>) -> ! {
    let size = match bytes {
        Some(b) => format!("allocation of {b} bytes"),
        None => "allocation of more than 2^64 bytes".to_owned(),
    };
    let msg = if what.is_empty() {
        format!("out of memory: {size}")
    } else {
        format!("out of memory: {size} ({what})")
    };
    crate::sched::panic(msg.as_bytes(), None)
}

/// Panics (see [`out_of_memory`]) unless `n` elements of `width` bytes
/// after a header of `header` bytes may be allocated; `what` names the
/// object (`"list"`, `"string"`...).
#[inline]
pub fn check_elems(what: &str, n: usize, width: usize, header: usize) {
    let bytes = n.checked_mul(width).and_then(|b| b.checked_add(header));
    if too_big(bytes) {
        out_of_memory(&format!("{what} of {n} elements"), bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_that_the_limit_is_positive_and_below_the_arena() {
        let m = max_alloc();
        assert!(m > 0 && m <= arena::arena_bytes() / 2);
        assert!(too_big(None));
        assert!(too_big(Some(m + 1)));
        assert!(!too_big(Some(m)));
    }
}
