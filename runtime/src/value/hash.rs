//! Hashing, consistent with [`super::eq`]: equal values hash equally.
//!
//! Mixing is wyhash's: a 64x64->128 multiply folded by xor ("mum"), with
//! wyhash's constants; byte strings use wyhash (final version 4) without
//! a secret seed (ported from Wang Yi's public-domain `wyhash.h`,
//! simplified: fixed seed, reads via `from_le_bytes`). Dicts and sets hash
//! their contents order-independently (a wrapping sum of per-entry
//! hashes).
//!
//! The whole value is hashed, however deep: values that need no walk
//! inline ([`flat_hash`]: scalars, strings, identities, sets, whose
//! stored element hashes are summed), others by a machine with explicit
//! stacks on the heap (`nested_hash`), as equality does. A value with a
//! cycle (a list or dict met again inside itself) hashes to one constant
//! (see `super`).
//!
//! Slot validity: as in [`super::eq`].

use super::{list_elem, EnumRef, PathSet};
use crate::collections::list::PlatList;
use crate::collections::table::Table;
use crate::gc::shape::{PlatShape, PlatVariant, ShapeKind};
use crate::string::{self, PlatStr};

const P0: u64 = 0xa076_1d64_78bd_642f;
const P1: u64 = 0xe703_7ed1_a0b4_28db;
const P2: u64 = 0x8ebc_6af0_9c88_c6e3;
const P3: u64 = 0x5899_65cc_7537_4cc3;
/// The hash of every value with a cycle (see `super`).
const CYCLIC: u64 = 0x1d8e_4e27_c47d_124f;

/// The full 128-bit product of `a` and `b`, as (low, high).
#[inline]
fn mul128(a: u64, b: u64) -> (u64, u64) {
    let r = a as u128 * b as u128;
    (r as u64, (r >> 64) as u64)
}

/// Folded multiply: the xor of the halves of `a * b`.
#[inline]
fn mum(a: u64, b: u64) -> u64 {
    let (lo, hi) = mul128(a, b);
    lo ^ hi
}

/// Hash of a 64-bit integer.
#[inline]
pub fn hash_u64(v: u64) -> u64 {
    mum(v ^ P0, P1)
}

/// Combines a running hash with the next part (order-dependent).
#[inline]
fn combine(h: u64, x: u64) -> u64 {
    mum(h ^ P2, x ^ P3)
}

#[inline]
fn r8(p: &[u8], i: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&p[i..i + 8]);
    u64::from_le_bytes(b)
}

#[inline]
fn r4(p: &[u8], i: usize) -> u64 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&p[i..i + 4]);
    u32::from_le_bytes(b) as u64
}

/// wyhash of a byte string.
pub fn hash_bytes(p: &[u8]) -> u64 {
    let len = p.len();
    let mut seed = P0 ^ mum(P0 ^ P1, P1);
    let (a, b);
    if len <= 16 {
        if len >= 4 {
            let q = (len >> 3) << 2;
            a = (r4(p, 0) << 32) | r4(p, q);
            b = (r4(p, len - 4) << 32) | r4(p, len - 4 - q);
        } else if len > 0 {
            a = ((p[0] as u64) << 16) | ((p[len >> 1] as u64) << 8) | p[len - 1] as u64;
            b = 0;
        } else {
            (a, b) = (0, 0);
        }
    } else {
        let mut i = 0;
        if len > 48 {
            let (mut s1, mut s2) = (seed, seed);
            while len - i > 48 {
                seed = mum(r8(p, i) ^ P1, r8(p, i + 8) ^ seed);
                s1 = mum(r8(p, i + 16) ^ P2, r8(p, i + 24) ^ s1);
                s2 = mum(r8(p, i + 32) ^ P3, r8(p, i + 40) ^ s2);
                i += 48;
            }
            seed ^= s1 ^ s2;
        }
        while len - i > 16 {
            seed = mum(r8(p, i) ^ P1, r8(p, i + 8) ^ seed);
            i += 16;
        }
        a = r8(p, len - 16);
        b = r8(p, len - 8);
    }
    let (lo, hi) = mul128(a ^ P1, b ^ seed);
    mum(lo ^ P0 ^ len as u64, hi ^ P1)
}

/// The hash of value `slot` of type `desc`.
#[inline]
pub fn hash(slot: u64, desc: &PlatShape) -> u64 {
    let h = match flat_hash(slot, desc) {
        Some(h) => h,
        None => nested_hash(slot, super::forever(desc)),
    };
    #[cfg(test)]
    let h = weak::apply(h);
    h
}

/// The hash of a value that needs no walk; `None` for a non-null value of
/// a kind with parts (enum, list, dict, set).
#[inline]
fn flat_hash(slot: u64, desc: &PlatShape) -> Option<u64> {
    use ShapeKind::*;
    Some(match desc.shape_kind() {
        Bool => hash_u64((slot != 0) as u64),
        Int8 | Int16 | Int32 | Int64 => hash_u64(super::int_of(slot, desc.shape_kind()) as u64),
        // `==` equates 0.0 and -0.0: hash them alike.
        Float32 => {
            let f = f32::from_bits(slot as u32);
            hash_u64(if f == 0.0 { 0 } else { f.to_bits() as u64 })
        }
        Float64 => {
            let f = f64::from_bits(slot);
            hash_u64(if f == 0.0 { 0 } else { f.to_bits() })
        }
        Unit => hash_u64(0),
        String if slot != 0 => {
            // SAFETY: a valid string (slot validity).
            hash_bytes(unsafe { string::bytes(slot as *const PlatStr) })
        }
        // Identity (and null).
        String | Class | Task | Function | Opaque | Channel | Sync | TaskHandle | Leaf | Array
        | Bytes => hash_u64(slot),
        Enum | List | Dict | Set if slot == 0 => hash_u64(0),
        Set => {
            // SAFETY: a valid set (slot validity).
            let t = unsafe { &*(slot as *const Table) };
            // Stored element hashes are `hash` of the element (capped
            // below `DELETED`): a function of the element's value, so
            // the sum is order-independent and needs no walk.
            let sum = t.live().fold(0u64, |s, e| s.wrapping_add(hash_u64(e[0])));
            combine(sum, t.len() ^ P1)
        }
        Enum | List | Dict => return None,
    })
}

/// One pending piece of work of the hash machine. Hashes being built sit
/// on a second stack (`acc`): a value's hash is pushed there when done.
enum Step {
    /// Hash a value and push it.
    Val(u64, &'static PlatShape),
    /// Fold payload fields `i..` of enum value `obj` into the top hash.
    Fields {
        obj: u64,
        variant: &'static PlatVariant,
        i: usize,
    },
    /// Fold elements `i..` of a list into the top hash.
    Elems {
        list: *const PlatList,
        elem: &'static PlatShape,
        i: usize,
    },
    /// Pop a hash `x`; the top becomes `combine(top, x)`.
    Combine,
    /// Pop a value's hash `x`; the top (a dict's sum) grows by
    /// `combine(key_hash, x)`.
    AddEntry(u64),
    /// The top (a dict's sum) becomes `combine(sum, len)`.
    FinishDict(u64),
    /// The innermost list or dict on the path is done.
    Close,
}

/// Hashes a value with parts, with explicit stacks (so depth costs heap,
/// not stack; see `super::eq`).
#[inline(never)]
fn nested_hash(slot: u64, desc: &'static PlatShape) -> u64 {
    let mut work = vec![Step::Val(slot, desc)];
    let mut acc: Vec<u64> = Vec::with_capacity(8);
    // The lists and dicts being hashed further out.
    let mut path: PathSet<u64> = PathSet::new();
    while let Some(step) = work.pop() {
        match step {
            Step::Val(slot, d) => {
                if let Some(h) = flat_hash(slot, d) {
                    acc.push(h);
                    continue;
                }
                match d.shape_kind() {
                    ShapeKind::Enum => {
                        // SAFETY: a valid, non-null enum value of type `d`.
                        let v = unsafe { EnumRef::new(slot, d) };
                        acc.push(hash_u64(v.tag ^ P2));
                        fields(&mut work, &mut acc, slot, v.variant, 0);
                    }
                    ShapeKind::List | ShapeKind::Dict if path.contains(slot) => return CYCLIC,
                    ShapeKind::List => {
                        path.push(slot);
                        work.push(Step::Close);
                        let list = slot as *const PlatList;
                        // SAFETY: a valid list (slot validity).
                        let (len, elem) = unsafe { ((*list).len(), (*list).elem()) };
                        acc.push(hash_u64(len ^ P3));
                        elems(&mut work, &mut acc, list, elem, 0);
                    }
                    ShapeKind::Dict => {
                        // SAFETY: a valid dict (slot validity).
                        let t = unsafe { &*(slot as *const Table) };
                        // SAFETY: a Dict descriptor has children [K, V].
                        let vd = unsafe { d.child(1) };
                        path.push(slot);
                        work.push(Step::Close);
                        work.push(Step::FinishDict(t.len()));
                        let mut sum = 0u64;
                        for e in t.live() {
                            match flat_hash(e[2], vd) {
                                Some(h) => sum = sum.wrapping_add(combine(e[0], h)),
                                None => {
                                    work.push(Step::AddEntry(e[0]));
                                    work.push(Step::Val(e[2], vd));
                                }
                            }
                        }
                        acc.push(sum);
                    }
                    _ => unreachable!("flat kinds are hashed by flat_hash"),
                }
            }
            Step::Fields { obj, variant, i } => fields(&mut work, &mut acc, obj, variant, i),
            Step::Elems { list, elem, i } => elems(&mut work, &mut acc, list, elem, i),
            Step::Combine => {
                let x = pop(&mut acc);
                let top = top(&mut acc);
                *top = combine(*top, x);
            }
            Step::AddEntry(key_hash) => {
                let x = pop(&mut acc);
                let top = top(&mut acc);
                *top = top.wrapping_add(combine(key_hash, x));
            }
            Step::FinishDict(len) => {
                let top = top(&mut acc);
                *top = combine(*top, len);
            }
            Step::Close => path.pop(),
        }
    }
    pop(&mut acc)
}

fn pop(acc: &mut Vec<u64>) -> u64 {
    acc.pop()
        .unwrap_or_else(|| crate::rt_fatal!("hash machine: empty stack"))
}

fn top(acc: &mut [u64]) -> &mut u64 {
    acc.last_mut()
        .unwrap_or_else(|| crate::rt_fatal!("hash machine: empty stack"))
}

/// Folds payload fields `i..` of enum value `obj` into the top hash:
/// flat ones now; at the first nested one, queues the rest, then the fold
/// of that field, then the field itself.
fn fields(
    work: &mut Vec<Step>,
    acc: &mut [u64],
    obj: u64,
    variant: &'static PlatVariant,
    i: usize,
) {
    let n = variant.n_fields as usize;
    for j in i..n {
        // SAFETY: `j < n_fields` of the object's variant: its payload
        // has one slot per field after the tag.
        let (fd, f) = unsafe {
            (
                variant.field(j),
                *(obj as *const u64).add(super::PAYLOAD_WORD + j),
            )
        };
        match flat_hash(f, fd) {
            Some(h) => {
                let t = top(acc);
                *t = combine(*t, h);
            }
            None => {
                if j + 1 < n {
                    work.push(Step::Fields {
                        obj,
                        variant,
                        i: j + 1,
                    });
                }
                work.push(Step::Combine);
                work.push(Step::Val(f, fd));
                return;
            }
        }
    }
}

/// Folds elements `i..` of `list` into the top hash, as [`fields`].
fn elems(
    work: &mut Vec<Step>,
    acc: &mut [u64],
    list: *const PlatList,
    elem: &'static PlatShape,
    mut i: usize,
) {
    // SAFETY: a valid list (slot validity); `list_elem` bounds-checks.
    let l = unsafe { &*list };
    while let Some(x) = list_elem(l, i) {
        match flat_hash(x, elem) {
            Some(h) => {
                let t = top(acc);
                *t = combine(*t, h);
                i += 1;
            }
            None => {
                work.push(Step::Elems {
                    list,
                    elem,
                    i: i + 1,
                });
                work.push(Step::Combine);
                work.push(Step::Val(x, elem));
                return;
            }
        }
    }
}

/// Unit tests only: makes this thread's hashes collide (keeps 3 bits), so
/// that tables hold many entries per hash and equality must try several
/// candidates ([`super::eq`]'s backtracking).
#[cfg(test)]
pub mod weak {
    use std::cell::Cell;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Threads with weak hashing on: while 0 (always, outside the tests
    /// that use it) `apply` costs one relaxed load, so the benchmarks in
    /// test builds still measure the real hash.
    static USERS: AtomicUsize = AtomicUsize::new(0);

    thread_local! {
        static ON: Cell<bool> = const { Cell::new(false) };
    }

    /// Turns weak hashing on or off for this thread.
    pub fn set(on: bool) {
        ON.with(|c| {
            if c.replace(on) != on {
                if on {
                    USERS.fetch_add(1, Ordering::Relaxed);
                } else {
                    USERS.fetch_sub(1, Ordering::Relaxed);
                }
            }
        });
    }

    #[inline]
    pub(super) fn apply(h: u64) -> u64 {
        if USERS.load(Ordering::Relaxed) != 0 && ON.with(|c| c.get()) {
            h & 7
        } else {
            h
        }
    }
}
