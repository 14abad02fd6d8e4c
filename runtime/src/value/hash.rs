//! Hashing, consistent with [`super::eq`]: equal values hash equally.
//!
//! Mixing is wyhash's: a 64x64->128 multiply folded by xor ("mum"), with
//! wyhash's constants; byte strings use wyhash (final version 4) without
//! a secret seed (ported from Wang Yi's public-domain `wyhash.h`,
//! simplified: fixed seed, reads via `from_le_bytes`). Dicts and sets hash
//! their contents order-independently (a wrapping sum of per-entry
//! hashes).
//!
//! Slot validity: as in [`super::eq`].

use super::EnumRef;
use crate::collections::list::PlatList;
use crate::collections::table::Table;
use crate::gc::shape::{PlatShape, ShapeKind};
use crate::string::{self, PlatStr};

/// Containers nested deeper than this hash to a constant.
pub const MAX_DEPTH: u32 = 32;

const P0: u64 = 0xa076_1d64_78bd_642f;
const P1: u64 = 0xe703_7ed1_a0b4_28db;
const P2: u64 = 0x8ebc_6af0_9c88_c6e3;
const P3: u64 = 0x5899_65cc_7537_4cc3;
/// The hash of everything below `MAX_DEPTH`.
const DEEP: u64 = 0x1d8e_4e27_c47d_124f;

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
    hash_at(slot, desc, 0)
}

fn hash_at(slot: u64, desc: &PlatShape, depth: u32) -> u64 {
    use ShapeKind::*;
    match desc.shape_kind() {
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
        Class | Leaf | Array | Bytes | String => hash_u64(slot),
        _ if slot == 0 => hash_u64(0),
        _ if depth >= MAX_DEPTH => DEEP,
        Enum => {
            // SAFETY: a valid, non-null enum value of type `desc`.
            let v = unsafe { EnumRef::new(slot, desc) };
            let mut h = hash_u64(v.tag ^ P2);
            for i in 0..v.variant.n_fields as usize {
                let (f, fd) = v.typed_field(i);
                h = combine(h, hash_at(f, fd, depth + 1));
            }
            h
        }
        List => {
            // SAFETY: a valid list (slot validity).
            let l = unsafe { &*(slot as *const PlatList) };
            let elem = l.elem();
            let mut h = hash_u64(l.len() ^ P3);
            for x in l.iter() {
                h = combine(h, hash_at(x, elem, depth + 1));
            }
            h
        }
        Dict => {
            // SAFETY: a valid dict (slot validity).
            let t = unsafe { &*(slot as *const Table) };
            // SAFETY: a Dict descriptor has children [K, V].
            let vd = unsafe { desc.child(1) };
            let sum = t.live().fold(0u64, |s, e| {
                s.wrapping_add(combine(e[0], hash_at(e[2], vd, depth + 1)))
            });
            combine(sum, t.len())
        }
        Set => {
            // SAFETY: a valid set (slot validity).
            let t = unsafe { &*(slot as *const Table) };
            // Stored element hashes are `hash` of the element (capped
            // below `DELETED`): a function of the element's value.
            let sum = t.live().fold(0u64, |s, e| s.wrapping_add(hash_u64(e[0])));
            combine(sum, t.len() ^ P1)
        }
    }
}
