//! Where compiled code is: the table of Plat functions the compiler emits,
//! so that a stack overflow names the Plat function it happened in.
//!
//! Known to compiler (`docs/runtime-abi.md`, "Function table";
//! `plat_abi::tables::fn_table`, tied to [`FnEntry`] and [`Line`] below): the
//! generated `plat_main` first calls `plat_register_functions(table)`
//! with a read-only table
//!
//! ```text
//! offset 0    count: u64
//! offset 8    count entries of 48 bytes:
//!   +0  start: *const u8       the function's first instruction
//!   +8  size: u64              its code size in bytes
//!   +16 name: *const c_char    what to call it in a message: "`fib`",
//!                              "a spawn body in `main`", ...
//!   +24 loc: *const c_char     "file:line:col" of its declaration
//!   +32 lines: *const Line     its line table (null when empty)
//!   +40 n_lines: u64
//!
//! Line (24 bytes):
//!   +0  offset: u64            code offset from `start`
//!   +8  loc: *const c_char     "file:line:col" of the expression whose
//!                              code starts there (until the next line)
//!   +16 calls: *const c_char   null, or for inlined code the calls it
//!                              was inlined at, innermost first, one
//!                              "file:line:col" per line
//! ```
//!
//! in no particular order (the linker places the code). A program without
//! a table (the C stand-ins of the link tests) simply gets messages
//! without a function.
//!
//! # Invariants
//!
//! - [`TABLE`] is null or a registered table, which is static data that
//!   lives (unchanged) for the whole process; it is set once, before any
//!   task other than main runs, and read by signal handlers.
//! - Lookups ([`find`], [`innermost_caller`]) are async-signal-safe: no
//!   allocation, no locks, only reads of static data and of the
//!   interrupted thread's own stack.

use std::ffi::c_char;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// One compiled function. Known to compiler; see the module doc.
#[repr(C)]
#[derive(Debug)]
pub struct FnEntry {
    pub start: usize,
    pub size: u64,
    pub name: *const c_char,
    pub loc: *const c_char,
    pub lines: *const Line,
    pub n_lines: u64,
}

/// One line-table entry. Known to compiler; see the module doc.
#[repr(C)]
#[derive(Debug)]
pub struct Line {
    pub offset: u64,
    pub loc: *const c_char,
    pub calls: *const c_char,
}

// The layouts the compiler emits (plat_abi::tables::fn_table).
const _: () = {
    use plat_abi::tables::fn_table::{entry, line};
    use std::mem::{offset_of, size_of};
    assert!(offset_of!(FnEntry, start) == entry::START);
    assert!(offset_of!(FnEntry, size) == entry::CODE_SIZE);
    assert!(offset_of!(FnEntry, name) == entry::NAME);
    assert!(offset_of!(FnEntry, loc) == entry::LOC);
    assert!(offset_of!(FnEntry, lines) == entry::LINES);
    assert!(offset_of!(FnEntry, n_lines) == entry::N_LINES);
    assert!(size_of::<FnEntry>() == entry::SIZE);
    assert!(offset_of!(Line, offset) == line::OFFSET);
    assert!(offset_of!(Line, loc) == line::LOC);
    assert!(offset_of!(Line, calls) == line::CALLS);
    assert!(size_of::<Line>() == line::SIZE);
};

impl FnEntry {
    /// The source location of the code at `pc` (inside this function):
    /// the last line-table entry at or before it.
    pub fn location(&self, pc: usize) -> Option<*const c_char> {
        self.line(pc).map(|l| l.loc)
    }

    /// The line-table entry covering `pc` (inside this function).
    pub fn line(&self, pc: usize) -> Option<&'static Line> {
        if self.lines.is_null() || pc < self.start {
            return None;
        }
        // SAFETY: a registered entry's `lines` points to `n_lines`
        // static entries (module doc).
        let lines: &'static [Line] =
            unsafe { std::slice::from_raw_parts(self.lines, self.n_lines as usize) };
        let off = (pc - self.start) as u64;
        let i = lines.partition_point(|l| l.offset <= off);
        i.checked_sub(1).map(|i| &lines[i])
    }
}

/// Where the innermost compiled code on the stack `[sp, top)` is: the
/// source line of the call it is in (for a runtime error raised without
/// a location), found like [`innermost_caller`].
///
/// # Safety
///
/// As [`innermost_caller`].
pub unsafe fn innermost_call_site(sp: usize, top: usize) -> Option<*const c_char> {
    // SAFETY: caller's contract.
    let (e, ra) = unsafe { innermost_return(sp, top) }?;
    // The call instruction ends just before the return address.
    e.location(ra - 1)
}

/// The registered table: `[count][entries]`, or null.
static TABLE: AtomicPtr<u64> = AtomicPtr::new(std::ptr::null_mut());
/// The range `[LO, HI)` covering every registered function: most words
/// on a stack are rejected with two compares.
static LO: AtomicUsize = AtomicUsize::new(usize::MAX);
static HI: AtomicUsize = AtomicUsize::new(0);

/// Registers the compiler's function table (called first by
/// `plat_main`).
///
/// # Safety
///
/// `table` has the layout of the module doc, and it and the strings it
/// points to are static.
#[no_mangle]
pub unsafe extern "C" fn plat_register_functions(table: *const u64) {
    // SAFETY: caller's contract.
    let entries = unsafe { entries(table) };
    let lo = entries.iter().map(|e| e.start).min().unwrap_or(usize::MAX);
    let hi = entries
        .iter()
        .map(|e| e.start.saturating_add(e.size as usize))
        .max()
        .unwrap_or(0);
    LO.store(lo, Ordering::Relaxed);
    HI.store(hi, Ordering::Relaxed);
    // Release: a handler that sees the table sees the bounds.
    TABLE.store(table as *mut u64, Ordering::Release);
}

/// The entries of a table.
///
/// # Safety
///
/// `table` is a table with the module doc's layout that lives forever.
unsafe fn entries(table: *const u64) -> &'static [FnEntry] {
    // SAFETY: word 0 is the count, followed by that many 48-byte entries
    // (caller's contract), 8-byte aligned.
    unsafe {
        let n = *table as usize;
        std::slice::from_raw_parts(table.add(1) as *const FnEntry, n)
    }
}

/// The registered entries (none before registration).
fn table() -> &'static [FnEntry] {
    let t = TABLE.load(Ordering::Acquire);
    if t.is_null() {
        return &[];
    }
    // SAFETY: only registered tables are stored (module invariant).
    unsafe { entries(t) }
}

/// The compiled function containing code address `pc`.
pub fn find(pc: usize) -> Option<&'static FnEntry> {
    if pc < LO.load(Ordering::Relaxed) || pc >= HI.load(Ordering::Relaxed) {
        return None;
    }
    table()
        .iter()
        .find(|e| pc >= e.start && pc - e.start < e.size as usize)
}

/// The innermost compiled function with a frame on the stack `[sp, top)`:
/// the first word from `sp` up that is a return address into compiled
/// code (it points just after a call instruction of a registered
/// function). A heuristic (a stale word left in an uninitialised stack
/// slot could match), used only to name where a stack overflow in
/// runtime code came from.
///
/// # Safety
///
/// `[sp, top)` is readable memory (the interrupted thread's stack), `sp`
/// 8-byte aligned or not.
pub unsafe fn innermost_caller(sp: usize, top: usize) -> Option<&'static FnEntry> {
    // SAFETY: caller's contract.
    unsafe { innermost_return(sp, top) }.map(|(e, _)| e)
}

/// [`innermost_caller`] and the return address found.
///
/// # Safety
///
/// As [`innermost_caller`].
unsafe fn innermost_return(sp: usize, top: usize) -> Option<(&'static FnEntry, usize)> {
    if table().is_empty() || sp >= top {
        return None;
    }
    let mut at = (sp + 7) & !7;
    while at + 8 <= top {
        // SAFETY: `at` is inside `[sp, top)`, readable (caller).
        let word = unsafe { *(at as *const usize) };
        if let Some(e) = find(word) {
            if follows_call(word, e.start) {
                return Some((e, word));
            }
        }
        at += 8;
    }
    None
}

/// Whether `ra`, an address inside the function starting at `start`,
/// follows a call instruction: x86_64 `call rel32` (`E8`), or `call r/m64`
/// (`FF /2`, optionally after a REX prefix) whose encoded length ends
/// exactly at `ra`. Other architectures: any address inside the function
/// counts.
pub fn follows_call(ra: usize, start: usize) -> bool {
    if !cfg!(target_arch = "x86_64") {
        return true;
    }
    let byte = |back: usize| -> Option<u8> {
        (ra - start >= back).then(|| {
            // SAFETY: the byte is inside the function's code (at or after
            // `start`, before `ra`), which is mapped and readable.
            unsafe { *((ra - back) as *const u8) }
        })
    };
    if byte(5) == Some(0xE8) {
        return true;
    }
    (2..=7).any(|back| {
        let (Some(0xFF), Some(modrm)) = (byte(back), byte(back - 1)) else {
            return false;
        };
        if (modrm >> 3) & 7 != 2 {
            return false;
        }
        let (md, rm) = (modrm >> 6, modrm & 7);
        let len = if md == 3 {
            2
        } else {
            let sib = if rm == 4 { byte(back - 2) } else { None };
            let disp = match md {
                0 if rm == 5 => 4,
                0 if sib.is_some_and(|s| s & 7 == 5) => 4,
                0 => 0,
                1 => 1,
                _ => 4,
            };
            2 + usize::from(rm == 4) + disp
        };
        len == back
    })
}

/// Writes a message into a fixed buffer (signal handlers cannot
/// allocate); text past the end is cut.
pub struct SigBuf {
    buf: [u8; 1024],
    len: usize,
}

impl Default for SigBuf {
    fn default() -> Self {
        SigBuf {
            buf: [0; 1024],
            len: 0,
        }
    }
}

impl SigBuf {
    pub fn push(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
    }

    /// Appends a NUL-terminated static string (`?` for null).
    pub fn push_cstr(&mut self, s: *const c_char) {
        if s.is_null() {
            self.push(b"?");
            return;
        }
        let mut p = s as *const u8;
        // SAFETY: a NUL-terminated static string; reading stops at the
        // NUL (or when the buffer is full).
        unsafe {
            while *p != 0 && self.len < self.buf.len() {
                self.buf[self.len] = *p;
                self.len += 1;
                p = p.add(1);
            }
        }
    }

    pub fn push_u64(&mut self, mut v: u64) {
        let mut digits = [0u8; 20];
        let mut k = digits.len();
        loop {
            k -= 1;
            digits[k] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.push(&digits[k..]);
    }

    /// `v` as `0x` and lower-case hex digits (addresses).
    pub fn push_hex(&mut self, v: u64) {
        let mut digits = [0u8; 16];
        for (i, d) in digits.iter_mut().enumerate() {
            let nib = (v >> (60 - 4 * i)) & 15;
            *d = b"0123456789abcdef"[nib as usize];
        }
        let first = digits.iter().position(|&d| d != b'0').unwrap_or(15);
        self.push(b"0x");
        self.push(&digits[first..]);
    }

    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_that_the_entry_layout_matches_the_documented_one() {
        assert_eq!(std::mem::size_of::<FnEntry>(), 48);
        assert_eq!(std::mem::offset_of!(FnEntry, size), 8);
        assert_eq!(std::mem::offset_of!(FnEntry, name), 16);
        assert_eq!(std::mem::offset_of!(FnEntry, loc), 24);
        assert_eq!(std::mem::offset_of!(FnEntry, lines), 32);
        assert_eq!(std::mem::offset_of!(FnEntry, n_lines), 40);
        assert_eq!(std::mem::size_of::<Line>(), 24);
    }

    #[test]
    fn ensure_that_a_code_address_maps_to_the_line_before_it() {
        let lines: &'static [Line] = Box::leak(Box::new([
            Line {
                offset: 0,
                loc: c"f.plat:1:1".as_ptr(),
                calls: std::ptr::null(),
            },
            Line {
                offset: 10,
                loc: c"f.plat:2:5".as_ptr(),
                calls: std::ptr::null(),
            },
            Line {
                offset: 30,
                loc: c"f.plat:3:9".as_ptr(),
                calls: std::ptr::null(),
            },
        ]));
        let e = FnEntry {
            start: 1000,
            size: 50,
            name: std::ptr::null(),
            loc: std::ptr::null(),
            lines: lines.as_ptr(),
            n_lines: 3,
        };
        let at = |pc| {
            e.location(pc).map(|l| {
                // SAFETY: the locations above are static C strings.
                unsafe { std::ffi::CStr::from_ptr(l) }
            })
        };
        assert_eq!(at(1000), Some(c"f.plat:1:1"));
        assert_eq!(at(1009), Some(c"f.plat:1:1"));
        assert_eq!(at(1010), Some(c"f.plat:2:5"));
        assert_eq!(at(1049), Some(c"f.plat:3:9"));
        assert_eq!(at(999), None);
    }

    #[test]
    fn ensure_that_sigbuf_formats_and_truncates() {
        let mut b = SigBuf::default();
        b.push(b"task ");
        b.push_u64(0);
        b.push(b" ");
        b.push_u64(18_446_744_073_709_551_615);
        b.push(b" ");
        b.push_cstr(c"at x".as_ptr());
        b.push_cstr(std::ptr::null());
        assert_eq!(b.bytes(), b"task 0 18446744073709551615 at x?");
        for _ in 0..2000 {
            b.push(b"x");
        }
        assert_eq!(b.bytes().len(), 1024);
    }

    #[test]
    fn ensure_that_return_addresses_follow_calls() {
        // 0: nop; 1: call rel32; 6: call rax (FF D0); 8: call [rbx+8]
        // (FF 53 08); 11: call r11 (41 FF D3); 14: mov rbx, rax.
        let code: &'static [u8] = Box::leak(Box::new([
            0x90, 0xE8, 1, 2, 3, 4, 0xFF, 0xD0, 0xFF, 0x53, 0x08, 0x41, 0xFF, 0xD3, 0x48, 0x89,
            0xC3,
        ]));
        let start = code.as_ptr() as usize;
        for ra in [6, 8, 11, 14] {
            assert!(
                follows_call(start + ra, start),
                "after the call ending at {ra}"
            );
        }
        for ra in [2, 3, 7, 9, 12, 16, 17] {
            assert!(!follows_call(start + ra, start), "{ra} is not after a call");
        }
        assert!(
            !follows_call(start + 1, start),
            "no byte before the start is read"
        );
    }
}
