//! The insertion-ordered hash table behind `Dict[K, V]` and `Set[T]`.
//!
//! The design is CPython's compact dict: entries are appended to an array
//! in insertion order, and a separate open-addressing index maps hashes
//! to entry positions. Iteration walks the entries, so it follows
//! insertion order; removal leaves a hole that the next rebuild squeezes
//! out.
//!
//! ```text
//! object   [header: Dict[K,V] or Set[T]][len][used][cap][entries][index]
//! entries  Array of cap entries of W slots: [hash][key] (Set, W = 2)
//!          or [hash][key][value] (Dict, W = 3); shape array::entries_shape
//! index    Array of 2 * cap u64 words (shape Array[Int64]); each is
//!          EMPTY (0), TOMB (1), or (hash >> 32) << 32 | (position + 2)
//! ```
//!
//! Lookups probe the index linearly from `hash & (2 * cap - 1)`; the high
//! half of the hash, kept in the index word, filters candidates before the
//! entry is touched. Hashes are `value::hash` of the key, with
//! [`DELETED`] (which marks a removed entry) mapped to `DELETED - 1`.
//!
//! # Invariants
//!
//! - `len <= used <= cap`; `cap` is 0 (then `entries` and `index` are null)
//!   or a power of two `>= MIN_CAP`.
//! - Entries `[0, used)` are live (hash != DELETED) or deleted (hash
//!   DELETED, key and value zeroed). `len` counts the live
//!   ones. Entries `[used, cap)` are all zero.
//! - Every live entry at position `p` with hash `h` is named by exactly one
//!   index word, `(h >> 32) << 32 | (p + 2)`, reachable from
//!   `h & mask` without crossing an EMPTY word. No other word names a
//!   position.
//! - At most `used` index words are not EMPTY, so with `2 * cap` words at
//!   least half are EMPTY and every probe ends.
//! - No two live entries have equal keys (`value::eq` on the key type).
//!
//! A key mutated after insertion (lists are mutable) may no longer be
//! found; the table stays memory-safe.

use super::array;
use crate::gc::heap;
use crate::gc::shape::{PlatShape, ShapeKind};
use crate::value;

/// A dict or set object. Opaque to compiled code.
#[repr(C)]
#[derive(Debug)]
pub struct Table {
    pub shape: *const PlatShape,
    /// Live entries.
    pub len: u64,
    /// Entries written since the last rebuild (live and deleted).
    pub used: u64,
    /// Capacity in entries; the index has `2 * cap` words.
    pub cap: u64,
    /// First slot of the entries Array, or null.
    pub entries: *mut u64,
    /// First slot of the index Array, or null.
    pub index: *mut u64,
}

/// Hash word of a deleted entry.
pub const DELETED: u64 = u64::MAX;
const EMPTY: u64 = 0;
const TOMB: u64 = 1;
/// Capacity of a table's first entries Array.
const MIN_CAP: u64 = 4;
/// Positions must fit in the low half of an index word (minus 2).
const MAX_CAP: u64 = 1 << 31;

/// Makes an empty table of type `desc` (a Dict or Set descriptor).
pub fn new(desc: &'static PlatShape) -> *mut Table {
    heap::alloc(std::mem::size_of::<Table>(), desc) as *mut Table
}

/// Where a key is, or where it would go.
enum Probe {
    /// At entry position `pos`, named by index word `slot`.
    Found { slot: usize, pos: usize },
    /// Absent; a new entry would be named by index word `slot`.
    Vacant { slot: usize },
}

/// The hash stored for a key: never [`DELETED`].
#[inline]
fn key_hash(key: u64, kd: &PlatShape) -> u64 {
    value::hash(key, kd).min(DELETED - 1)
}

impl Table {
    /// The table's descriptor.
    #[inline]
    pub fn desc(&self) -> &'static PlatShape {
        // SAFETY: the header is a descriptor that lives forever.
        unsafe { &*self.shape }
    }

    /// The key (Dict) or element (Set) type.
    #[inline]
    pub fn key_desc(&self) -> &'static PlatShape {
        // SAFETY: Dict and Set descriptors have a child 0.
        unsafe { self.desc().child(0) }
    }

    /// Slots per entry: 3 for a dict, 2 for a set.
    #[inline]
    pub fn width(&self) -> usize {
        if self.desc().kind == ShapeKind::Dict as u32 {
            3
        } else {
            2
        }
    }

    /// The entry at position `pos` (`pos < cap`) as a slot pointer.
    #[inline]
    fn entry(&self, pos: usize) -> *mut u64 {
        debug_assert!((pos as u64) < self.cap);
        // SAFETY: `entries` holds `cap` entries of `width` slots.
        unsafe { self.entries.add(pos * self.width()) }
    }

    /// The slots of the live entries, in insertion order.
    pub fn live(&self) -> impl Iterator<Item = &[u64]> + '_ {
        let w = self.width();
        let all: &[u64] = if self.used == 0 {
            &[]
        } else {
            // SAFETY: entries `[0, used)` are inside the Array
            // (invariants); the table is not mutated while borrowed.
            unsafe { std::slice::from_raw_parts(self.entries, self.used as usize * w) }
        };
        all.chunks_exact(w).filter(|e| e[0] != DELETED)
    }

    /// Finds `key` (hash `h`), or the index word a new entry would use.
    #[inline]
    fn probe(&self, key: u64, h: u64, kd: &PlatShape) -> Probe {
        let mask = (2 * self.cap - 1) as usize;
        let w = self.width();
        let mut i = h as usize & mask;
        let mut vacant = None;
        loop {
            // SAFETY: `i <= mask`, inside the index Array of `2 * cap` words.
            let word = unsafe { *self.index.add(i) };
            if word == EMPTY {
                return Probe::Vacant {
                    slot: vacant.unwrap_or(i),
                };
            }
            if word == TOMB {
                vacant.get_or_insert(i);
            } else if word >> 32 == h >> 32 {
                let pos = (word as u32 - 2) as usize;
                // SAFETY: the word names a live entry (invariants), inside
                // the entries Array.
                let e = unsafe { self.entries.add(pos * w) };
                // SAFETY: as above; slots 0 and 1 are the hash and key.
                if unsafe { *e == h && value::eq(*e.add(1), key, kd) } {
                    return Probe::Found { slot: i, pos };
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The entry holding `key`, if any.
    pub fn find(&self, key: u64) -> Option<*mut u64> {
        if self.len == 0 {
            return None;
        }
        let kd = self.key_desc();
        match self.probe(key, key_hash(key, kd), kd) {
            Probe::Found { pos, .. } => Some(self.entry(pos)),
            Probe::Vacant { .. } => None,
        }
    }

    /// The hash this table stores for `key`.
    #[inline]
    pub fn hash_of(&self, key: u64) -> u64 {
        key_hash(key, self.key_desc())
    }

    /// The next live entry whose stored hash is `h`, searching `h`'s probe
    /// sequence from step `from` (0 first), and the step to resume after
    /// it: the entries [`Table::find`] would compare a key of hash `h`
    /// with, for callers that compare keys themselves (`value::eq`, which
    /// must not nest walks).
    pub fn next_with_hash(&self, h: u64, from: usize) -> Option<(&[u64], usize)> {
        if self.len == 0 {
            return None;
        }
        let mask = (2 * self.cap - 1) as usize;
        let w = self.width();
        let mut step = from;
        // At most `2 * cap` steps: the sequence ends at an EMPTY word.
        while step <= mask {
            let i = (h as usize).wrapping_add(step) & mask;
            // SAFETY: `i <= mask`, inside the index Array of `2 * cap` words.
            let word = unsafe { *self.index.add(i) };
            if word == EMPTY {
                return None;
            }
            step += 1;
            if word != TOMB && word >> 32 == h >> 32 {
                let pos = (word as u32 - 2) as usize;
                // SAFETY: the word names a live entry (invariants), inside
                // the entries Array, of `w` slots.
                let e = unsafe { std::slice::from_raw_parts(self.entries.add(pos * w), w) };
                if e[0] == h {
                    return Some((e, step));
                }
            }
        }
        None
    }

    /// Finds `key` or appends a new entry for it (value slot zero).
    /// Returns the entry and whether it is new.
    pub fn insert(&mut self, key: u64) -> (*mut u64, bool) {
        let kd = self.key_desc();
        let h = key_hash(key, kd);
        if self.cap == 0 {
            self.rebuild(MIN_CAP);
        }
        let mut slot = match self.probe(key, h, kd) {
            Probe::Found { pos, .. } => return (self.entry(pos), false),
            Probe::Vacant { slot } => slot,
        };
        if self.used == self.cap {
            // Full: compact in place when many entries were deleted,
            // otherwise double.
            let cap = if self.len >= self.cap / 2 {
                self.cap * 2
            } else {
                self.cap
            };
            self.rebuild(cap);
            slot = self.empty_slot(h);
        }
        let pos = self.used as usize;
        let e = self.entry(pos);
        // SAFETY: `pos < cap`: the entry's slots and index word `slot` are
        // inside their Arrays.
        unsafe {
            e.write(h);
            e.add(1).write(key);
            self.index.add(slot).write(encode(h, pos));
        }
        self.used += 1;
        self.len += 1;
        (e, true)
    }

    /// Removes `key`; returns its entry's last slot (the value of a dict,
    /// the element of a set) if it was there.
    pub fn remove(&mut self, key: u64) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        let kd = self.key_desc();
        let Probe::Found { slot, pos } = self.probe(key, key_hash(key, kd), kd) else {
            return None;
        };
        let w = self.width();
        let e = self.entry(pos);
        // SAFETY: a live entry of `w` slots and an index word in range.
        let last = unsafe {
            let last = *e.add(w - 1);
            e.write(DELETED);
            std::ptr::write_bytes(e.add(1), 0, w - 1);
            self.index.add(slot).write(TOMB);
            last
        };
        self.len -= 1;
        Some(last)
    }

    /// Removes every entry, keeping the Arrays.
    pub fn clear(&mut self) {
        if self.cap > 0 {
            // SAFETY: entries `[0, used)` and the `2 * cap` index words are
            // inside their Arrays.
            unsafe {
                std::ptr::write_bytes(self.entries, 0, self.used as usize * self.width());
                std::ptr::write_bytes(self.index, 0, 2 * self.cap as usize);
            }
        }
        self.len = 0;
        self.used = 0;
    }

    /// The first EMPTY index word on `h`'s probe sequence.
    fn empty_slot(&self, h: u64) -> usize {
        let mask = (2 * self.cap - 1) as usize;
        let mut i = h as usize & mask;
        // SAFETY: `i <= mask`, inside the index; an EMPTY word exists
        // (invariants).
        while unsafe { *self.index.add(i) } != EMPTY {
            i = (i + 1) & mask;
        }
        i
    }

    /// Moves the live entries, in order, to fresh Arrays of `cap` entries
    /// and rebuilds the index.
    #[cold]
    #[inline(never)]
    fn rebuild(&mut self, cap: u64) {
        if cap > MAX_CAP {
            crate::rt_fatal!("out of memory: more than {MAX_CAP} dict or set entries");
        }
        debug_assert!(cap.is_power_of_two() && cap >= self.len);
        let w = self.width();
        let entries = array::alloc_slots(array::entries_shape(self.desc()), cap as usize * w);
        let index = array::alloc_slots(array::index_shape(), 2 * cap as usize);
        let mut fresh = Table {
            shape: self.shape,
            len: 0,
            used: 0,
            cap,
            entries,
            index,
        };
        for (pos, e) in self.live().enumerate() {
            // SAFETY: `pos < len <= cap`: the destination entry is inside
            // the fresh Array, which does not overlap the old one.
            unsafe { std::ptr::copy_nonoverlapping(e.as_ptr(), entries.add(pos * w), w) };
            let slot = fresh.empty_slot(e[0]);
            // SAFETY: `slot` is inside the fresh index.
            unsafe { index.add(slot).write(encode(e[0], pos)) };
            fresh.used += 1;
        }
        fresh.len = fresh.used;
        *self = fresh;
    }
}

/// The index word naming entry `pos` of hash `h`.
#[inline]
fn encode(h: u64, pos: usize) -> u64 {
    (h >> 32) << 32 | (pos as u64 + 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::shape::{plat_shape_string, plat_type_int64};
    use crate::testdesc;

    /// Checks every invariant of the module doc.
    fn check(t: &Table) {
        assert!(t.len <= t.used && t.used <= t.cap);
        if t.cap == 0 {
            return;
        }
        assert!(t.cap.is_power_of_two());
        let w = t.width();
        let mut named = vec![0usize; t.cap as usize];
        let mut busy = 0;
        for i in 0..2 * t.cap as usize {
            // SAFETY: inside the index.
            let word = unsafe { *t.index.add(i) };
            if word != EMPTY {
                busy += 1;
            }
            if word > TOMB {
                named[(word as u32 - 2) as usize] += 1;
            }
        }
        assert!(busy <= t.used);
        let mut live = 0;
        for (pos, &names) in named.iter().enumerate() {
            // SAFETY: inside the entries.
            let e = unsafe { std::slice::from_raw_parts(t.entry(pos), w) };
            if pos >= t.used as usize {
                assert!(e.iter().all(|&s| s == 0));
            } else if e[0] == DELETED {
                assert!(e[1..].iter().all(|&s| s == 0));
                assert_eq!(names, 0);
            } else {
                live += 1;
                assert_eq!(names, 1);
                assert!(t.find(e[1]) == Some(t.entry(pos)));
            }
        }
        assert_eq!(live, t.len);
    }

    #[test]
    fn ensure_that_the_table_keeps_its_invariants_through_churn() {
        let desc = testdesc::set_of(&plat_type_int64);
        // SAFETY: a fresh table used by this thread only.
        let t = unsafe { &mut *new(desc) };
        let mut model = std::collections::BTreeSet::new();
        let mut x: u64 = 1;
        for round in 0..20_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let k = (x >> 33) % 300;
            if x.is_multiple_of(3) {
                assert_eq!(t.remove(k).is_some(), model.remove(&k));
            } else {
                assert_eq!(t.insert(k).1, model.insert(k));
            }
            if round % 997 == 0 {
                check(t);
            }
        }
        check(t);
        assert_eq!(t.len as usize, model.len());
        t.clear();
        check(t);
        assert_eq!(t.live().count(), 0);
    }

    #[test]
    fn ensure_that_string_keys_probe_briefly() {
        let desc = testdesc::set_of(&plat_shape_string);
        // SAFETY: as above.
        let t = unsafe { &mut *new(desc) };
        let n = 100_000;
        for i in 0..n {
            t.insert(crate::string::from_str(&format!("key{i}")) as u64);
        }
        // Average probe length from each key's home slot.
        let mask = 2 * t.cap - 1;
        let mut total = 0u64;
        for i in 0..2 * t.cap {
            // SAFETY: inside the index.
            let word = unsafe { *t.index.add(i as usize) };
            if word > TOMB {
                // SAFETY: the word names a live entry.
                let h = unsafe { *t.entry((word as u32 - 2) as usize) };
                total += (i.wrapping_sub(h) & mask) + 1;
            }
        }
        let avg = total as f64 / n as f64;
        assert!(avg < 2.0, "average probe length {avg}");
    }
}
