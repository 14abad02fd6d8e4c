//! The insertion-ordered hash table behind `Dict[K, V]` and `Set[T]`,
//! safe to read while another task mutates it.
//!
//! The design is CPython's compact dict: entries are appended to an array
//! in insertion order, and a separate open-addressing index maps hashes
//! to entry positions. Iteration walks the entries, so it follows
//! insertion order; removal leaves a hole that the next rebuild squeezes
//! out.
//!
//! ```text
//! object   [header: Dict[K,V] or Set[T]][len][used][writer][entries][index]
//! entries  Array of cap entries of W slots: [hash][key] (Set, W = 2)
//!          or [hash][key][value] (Dict, W = 3); shape array::entries_shape
//! index    Array of 2 * cap u64 words (shape Array[Int64]); each is
//!          EMPTY (0), TOMB (1), or (hash >> 32) << 32 | (position + 2)
//! ```
//!
//! Lookups probe the index linearly from `hash & (2 * cap - 1)`; the high
//! half of the hash, kept in the index word, filters candidates before the
//! entry is touched. Stored hashes are `value::hash` of the key, with
//! [`UNUSED`] (0, the hash word of an entry never written) and [`DELETED`]
//! (a removed entry) moved to neighbouring values ([`key_hash`]).
//!
//! # Invariants
//!
//! For the table's own state, as every mutation leaves it (mutations hold
//! the writer word, [`super::writer`], so they never overlap):
//!
//! - `len <= used <= cap`, where `cap` is the entries Array's capacity in
//!   entries; `entries` and `index` are both null (a table that never
//!   held anything, or was cleared) or both Arrays, `cap` a power of two
//!   `>= MIN_CAP` and the index of `2 * cap` words.
//! - Entries `[0, used)` are live (hash neither UNUSED nor DELETED) or
//!   deleted (hash DELETED; key and value keep their old values, see
//!   below). `len` counts the live ones. Entries `[used, cap)` are zero
//!   (hash UNUSED).
//! - Every live entry at position `p` with hash `h` is named by exactly one
//!   index word, `(h >> 32) << 32 | (p + 2)`, reachable from `h & mask`
//!   without crossing an EMPTY word. No other word names a position.
//! - At most `used` index words are not EMPTY, so with `2 * cap` words at
//!   least half are EMPTY and every probe of the writer ends.
//! - No two live entries have equal keys (`value::eq` on the key type).
//!
//! For racing readers (any task, any time):
//!
//! - An Array, once published, is never freed or reused while reachable
//!   and its capacity word never changes: a mutation that needs new ones
//!   (a rebuild, `clear`) publishes fresh Arrays and leaves the old ones
//!   to whoever still reads them (the collector will see them through
//!   those readers' stacks).
//! - An entry's slots are written key first, value next, hash last
//!   (Release), and its index word after that (Release); a reader that
//!   sees a hash that is neither UNUSED nor DELETED (Acquire) therefore
//!   sees the entry's key and value. Keys and values are never cleared:
//!   a removal only sets the hash to DELETED, so a reader that got past
//!   the hash before the removal still reads valid values.
//! - Readers take the Arrays once ([`Arrays`]), bound entry positions by
//!   the entries Array's own capacity and probe at most as many index
//!   words as that index has, so a mismatched pair of Arrays (one from
//!   before a rebuild, one from after) or any interleaving costs at most a
//!   wrong "absent", never an out-of-bounds access or an endless loop.
//!
//! A key mutated after insertion (lists are mutable) may no longer be
//! found; the table stays memory-safe.

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicPtr, AtomicU64};

use super::array;
use super::writer;
use crate::gc::heap;
use crate::gc::shape::{PlatShape, ShapeKind};
use crate::value;

/// A dict or set object. Opaque to compiled code.
#[repr(C)]
#[derive(Debug)]
pub struct Table {
    pub shape: *const PlatShape,
    /// Live entries.
    len: AtomicU64,
    /// Entries written since the last rebuild (live and deleted).
    used: AtomicU64,
    /// The writer word ([`super::writer`]); tables keep no owner.
    pub(in crate::collections) writer: AtomicU64,
    /// First slot of the entries Array, or null.
    entries: AtomicPtr<u64>,
    /// First slot of the index Array, or null.
    index: AtomicPtr<u64>,
}

// SAFETY: a table is designed to be shared between tasks on any threads:
// every field that changes is an atomic, its Arrays are read and written
// only with atomic slot accesses, and `shape` points to an immutable
// descriptor that lives forever (module invariants).
unsafe impl Sync for Table {}
// SAFETY: as above; nothing in a table is tied to a thread.
unsafe impl Send for Table {}

/// The words of a table object (the header is word 0) holding pointers
/// (interior: first slots of its entries and index Arrays), for the
/// collector (`crate::gc::mark`).
pub const POINTER_WORDS: [usize; 2] = [4, 5];
const _: () = assert!(std::mem::offset_of!(Table, entries) == 8 * POINTER_WORDS[0]);
const _: () = assert!(std::mem::offset_of!(Table, index) == 8 * POINTER_WORDS[1]);

/// Hash word of an entry never written.
pub const UNUSED: u64 = 0;
/// Hash word of a deleted entry.
pub const DELETED: u64 = u64::MAX;
const EMPTY: u64 = 0;
const TOMB: u64 = 1;
/// Capacity of a table's first entries Array.
const MIN_CAP: u64 = 4;
/// The most entries a table may hold: a power of two, so that `len()`
/// (an `Int32`) never wraps and positions fit in an index word.
pub const MAX_CAP: u64 = 1 << 30;

/// Makes an empty table of type `desc` (a Dict or Set descriptor).
pub fn new(desc: &'static PlatShape) -> *mut Table {
    heap::alloc(std::mem::size_of::<Table>(), desc) as *mut Table
}

/// The hash stored for a key: never [`UNUSED`] or [`DELETED`]. A function
/// of the key's value only (set hashing relies on it).
#[inline]
pub fn key_hash(key: u64, kd: &PlatShape) -> u64 {
    value::hash(key, kd).clamp(UNUSED + 1, DELETED - 1)
}

/// Where a key is, or where it would go.
enum Probe {
    /// At entry position `pos`, named by index word `slot`, holding the
    /// key `key` (equal to the one looked for).
    Found { slot: usize, pos: usize, key: u64 },
    /// Absent; a new entry would be named by index word `slot`.
    Vacant { slot: usize },
    /// Absent, and every index word was visited (only a reader racing
    /// with mutations can see this).
    Exhausted,
}

/// A table's Arrays, loaded once: what every access goes through.
#[derive(Clone, Copy)]
pub struct Arrays {
    entries: *mut u64,
    /// Capacity of `entries` in entries (its own capacity word / width).
    cap: usize,
    index: *mut u64,
    /// Index words - 1 (the index's own capacity word; a power of two).
    mask: usize,
    /// Entries to scan: `used`, at most `cap`.
    used: usize,
    /// Slots per entry.
    width: usize,
}

/// A copy of a live entry's slots: `[hash, key]` (set) or `[hash, key,
/// value]` (dict), read atomically (index it like the slice it derefs to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    slots: [u64; 3],
    width: usize,
}

impl std::ops::Deref for Entry {
    type Target = [u64];

    fn deref(&self) -> &[u64] {
        &self.slots[..self.width]
    }
}

/// The table's contents at one moment, for reading: see [`Table::live`].
pub struct Live {
    a: Option<Arrays>,
    pos: usize,
}

impl Iterator for Live {
    type Item = Entry;

    /// The next live entry.
    fn next(&mut self) -> Option<Entry> {
        let a = self.a?;
        while self.pos < a.used {
            let pos = self.pos;
            self.pos += 1;
            if let Some(e) = a.read(pos) {
                return Some(e);
            }
        }
        None
    }
}

impl Arrays {
    /// The entries Array's capacity, in entries.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Slot `k` of entry `pos` (`pos < cap`, `k < width`).
    #[inline]
    fn slot(&self, pos: usize, k: usize) -> &AtomicU64 {
        debug_assert!(pos < self.cap && k < self.width);
        // SAFETY: `pos < cap`, so the slot is inside the entries Array,
        // which is never freed while reachable (module invariants).
        unsafe { AtomicU64::from_ptr(self.entries.add(pos * self.width + k)) }
    }

    /// Index word `i` (`i <= mask`).
    #[inline]
    fn word(&self, i: usize) -> &AtomicU64 {
        debug_assert!(i <= self.mask);
        // SAFETY: `i <= mask`: inside the index Array, as above.
        unsafe { AtomicU64::from_ptr(self.index.add(i)) }
    }

    /// The hash and key of entry `pos` if it is live (a position out of
    /// range, possible only under a race, is not).
    #[inline]
    fn hash_key(&self, pos: usize) -> Option<(u64, u64)> {
        if pos >= self.cap {
            return None;
        }
        // Acquire: pairs with the Release store of the hash, written after
        // the key and value.
        let h = self.slot(pos, 0).load(Acquire);
        if h == UNUSED || h == DELETED {
            return None;
        }
        Some((h, self.slot(pos, 1).load(Acquire)))
    }

    /// Entry `pos` if it is live.
    #[inline]
    fn read(&self, pos: usize) -> Option<Entry> {
        let (h, key) = self.hash_key(pos)?;
        let value = if self.width == 3 {
            self.slot(pos, 2).load(Acquire)
        } else {
            0
        };
        Some(Entry {
            slots: [h, key, value],
            width: self.width,
        })
    }

    /// Finds `key` (hash `h`), or the index word a new entry would use,
    /// visiting each index word at most once.
    fn probe(&self, key: u64, h: u64, kd: &PlatShape) -> Probe {
        let mut i = h as usize & self.mask;
        let mut vacant = None;
        for _ in 0..=self.mask {
            let word = self.word(i).load(Acquire);
            if word == EMPTY {
                return Probe::Vacant {
                    slot: vacant.unwrap_or(i),
                };
            }
            if word == TOMB {
                vacant.get_or_insert(i);
            } else if word >> 32 == h >> 32 {
                // Out of range only for a word from another generation of
                // Arrays (a reader racing with a rebuild): then skip it.
                let pos = (word as u32).wrapping_sub(2) as usize;
                if let Some((eh, ek)) = self.hash_key(pos) {
                    if eh == h && value::eq(ek, key, kd) {
                        return Probe::Found {
                            slot: i,
                            pos,
                            key: ek,
                        };
                    }
                }
            }
            i = (i + 1) & self.mask;
        }
        match vacant {
            Some(slot) => Probe::Vacant { slot },
            None => Probe::Exhausted,
        }
    }

    /// The first EMPTY index word on `h`'s probe sequence (writer only:
    /// one exists, module invariants).
    fn empty_slot(&self, h: u64) -> usize {
        let mut i = h as usize & self.mask;
        for _ in 0..=self.mask {
            if self.word(i).load(Relaxed) == EMPTY {
                return i;
            }
            i = (i + 1) & self.mask;
        }
        crate::rt_fatal!("hash index without an empty word")
    }
}

/// A table that would pass [`MAX_CAP`] entries.
#[derive(Debug)]
pub struct TooBig;

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

    /// Whether this is a dict (else a set).
    #[inline]
    fn is_dict(&self) -> bool {
        self.desc().kind == ShapeKind::Dict as u32
    }

    /// Slots per entry: 3 for a dict, 2 for a set.
    #[inline]
    pub fn width(&self) -> usize {
        if self.is_dict() {
            3
        } else {
            2
        }
    }

    /// The number of live entries.
    #[inline]
    pub fn len(&self) -> u64 {
        self.len.load(Acquire)
    }

    /// Whether there are no live entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The Arrays, loaded once, or `None` for a table without any. `used`
    /// is loaded first, then the Arrays (Acquire, pairing with the Release
    /// stores of a rebuild or an insertion).
    #[inline]
    pub fn arrays(&self) -> Option<Arrays> {
        let used = self.used.load(Acquire) as usize;
        let entries = self.entries.load(Acquire);
        let index = self.index.load(Acquire);
        if entries.is_null() || index.is_null() {
            return None;
        }
        // SAFETY: non-null Array pointers are first slots of Arrays
        // (module invariants), whose capacity words never change.
        let (slots, words) = unsafe { (array::capacity(entries), array::capacity(index)) };
        // Index Arrays have a power of two of words (at least 8); a mask
        // of `words - 1` keeps every probe inside the Array regardless.
        if words == 0 {
            return None;
        }
        // (Division by constants: this is on every lookup's path.)
        let (width, cap) = if self.is_dict() {
            (3, slots / 3)
        } else {
            (2, slots / 2)
        };
        Some(Arrays {
            entries,
            cap,
            index,
            mask: words - 1,
            used: used.min(cap),
            width,
        })
    }

    /// The live entries in insertion order, read from one set of
    /// Arrays. Under a race an
    /// entry may be missing or stale, never invalid.
    pub fn live(&self) -> Live {
        Live {
            a: self.arrays(),
            pos: 0,
        }
    }

    /// The hash this table stores for `key`.
    #[inline]
    pub fn hash_of(&self, key: u64) -> u64 {
        key_hash(key, self.key_desc())
    }

    /// The next live entry whose stored hash is `h`, searching `h`'s probe
    /// sequence from step `from` (0 first), and the step to resume after
    /// it: the entries
    /// [`Table::find`] would compare a key of hash `h` with, for callers
    /// that compare keys themselves (`value::eq`, which must not nest
    /// walks). Each call reads the table's current Arrays: if a racing
    /// mutation replaces them between calls, the search may miss or
    /// repeat an entry, but stays within the Arrays it reads and ends
    /// after at most as many steps as the index has words.
    pub fn next_with_hash(&self, h: u64, from: usize) -> Option<(Entry, usize)> {
        let a = self.arrays()?;
        let mut step = from;
        while step <= a.mask {
            let i = (h as usize).wrapping_add(step) & a.mask;
            let word = a.word(i).load(Acquire);
            if word == EMPTY {
                return None;
            }
            step += 1;
            if word != TOMB && word >> 32 == h >> 32 {
                let pos = (word as u32).wrapping_sub(2) as usize;
                if let Some(e) = a.read(pos).filter(|e| e[0] == h) {
                    return Some((e, step));
                }
            }
        }
        None
    }

    /// The entry holding `key`, if any, as a pointer to its first slot
    /// (read its slots atomically under races: prefer [`Table::get`]).
    pub fn find(&self, key: u64) -> Option<*mut u64> {
        let a = self.arrays()?;
        let kd = self.key_desc();
        match a.probe(key, key_hash(key, kd), kd) {
            Probe::Found { pos, .. } => Some(a.slot(pos, 0).as_ptr()),
            Probe::Vacant { .. } | Probe::Exhausted => None,
        }
    }

    /// The entry for `key`.
    #[inline]
    pub fn get(&self, key: u64) -> Option<Entry> {
        let a = self.arrays()?;
        let kd = self.key_desc();
        let h = key_hash(key, kd);
        match a.probe(key, h, kd) {
            // The hash and key were read by the probe; the value is read
            // after them (Acquire both: a value stored before the hash).
            Probe::Found { pos, key, .. } => Some(Entry {
                slots: [
                    h,
                    key,
                    if a.width == 3 {
                        a.slot(pos, 2).load(Acquire)
                    } else {
                        0
                    },
                ],
                width: a.width,
            }),
            Probe::Vacant { .. } | Probe::Exhausted => None,
        }
    }

    /// Whether `key` is in the table.
    pub fn contains(&self, key: u64) -> bool {
        self.get(key).is_some()
    }

    // ----------------------------------------------------------------
    // Mutations: the caller holds the writer word ([`Table::mutate`]) or
    // the table is not shared yet, so the state read here is the table's
    // own and only readers race with us.

    /// Sets `key` (hash `h`, from [`key_hash`]) to `value` (ignored for a
    /// set), appending a new entry if it is absent. Returns whether it was
    /// new.
    pub fn insert_claimed(&self, key: u64, h: u64, value: u64) -> Result<bool, TooBig> {
        let kd = self.key_desc();
        let mut a = match self.arrays() {
            Some(a) => a,
            None => self.rebuild(MIN_CAP)?,
        };
        let mut slot = match a.probe(key, h, kd) {
            Probe::Found { pos, .. } => {
                if a.width == 3 {
                    a.slot(pos, 2).store(value, Release);
                }
                return Ok(false);
            }
            Probe::Vacant { slot } => slot,
            Probe::Exhausted => crate::rt_fatal!("hash index without an empty word"),
        };
        let used = self.used.load(Relaxed) as usize;
        if used == a.cap {
            // Full: compact in place when many entries were deleted,
            // otherwise double.
            let len = self.len();
            let cap = a.cap as u64;
            a = self.rebuild(if len >= cap / 2 { cap * 2 } else { cap })?;
            slot = a.empty_slot(h);
        }
        let pos = self.used.load(Relaxed) as usize;
        a.slot(pos, 1).store(key, Release);
        if a.width == 3 {
            a.slot(pos, 2).store(value, Release);
        }
        a.slot(pos, 0).store(h, Release);
        a.word(slot).store(encode(h, pos), Release);
        self.used.store(pos as u64 + 1, Release);
        self.len.store(self.len.load(Relaxed) + 1, Release);
        Ok(true)
    }

    /// Removes `key` (hash `h`); returns its entry's last slot (the value
    /// of a dict, the element of a set) if it was there.
    pub fn remove_claimed(&self, key: u64, h: u64) -> Option<u64> {
        let a = self.arrays()?;
        let kd = self.key_desc();
        let Probe::Found { slot, pos, .. } = a.probe(key, h, kd) else {
            return None;
        };
        let last = a.slot(pos, a.width - 1).load(Relaxed);
        a.slot(pos, 0).store(DELETED, Release);
        a.word(slot).store(TOMB, Release);
        self.len.store(self.len.load(Relaxed) - 1, Release);
        Some(last)
    }

    /// Removes every entry: the table drops its Arrays (readers that hold
    /// them keep reading the old contents).
    pub fn clear_claimed(&self) {
        self.used.store(0, Release);
        self.len.store(0, Release);
        self.entries.store(std::ptr::null_mut(), Release);
        self.index.store(std::ptr::null_mut(), Release);
    }

    /// Moves the live entries, in order, to fresh Arrays of `cap` entries,
    /// builds their index, and publishes them.
    #[cold]
    #[inline(never)]
    fn rebuild(&self, cap: u64) -> Result<Arrays, TooBig> {
        if cap > MAX_CAP {
            return Err(TooBig);
        }
        debug_assert!(cap.is_power_of_two() && cap >= self.len());
        let w = self.width();
        let entries = array::alloc_slots(array::entries_shape(self.desc()), cap as usize * w);
        let index = array::alloc_slots(array::index_shape(), 2 * cap as usize);
        let fresh = Arrays {
            entries,
            cap: cap as usize,
            index,
            mask: 2 * cap as usize - 1,
            used: 0,
            width: w,
        };
        let mut n = 0;
        for e in self.live() {
            // The fresh Arrays are unpublished: plain order is enough, the
            // Release stores below publish them.
            for (k, &s) in e.iter().enumerate() {
                fresh.slot(n, k).store(s, Relaxed);
            }
            let slot = fresh.empty_slot(e[0]);
            fresh.word(slot).store(encode(e[0], n), Relaxed);
            n += 1;
        }
        self.entries.store(entries, Release);
        self.index.store(index, Release);
        self.used.store(n as u64, Release);
        self.len.store(n as u64, Release);
        Ok(Arrays { used: n, ..fresh })
    }

    /// Runs the mutation `f` holding the writer word; panics if another
    /// task is mutating the table. `what` names the type in the message.
    #[inline]
    pub fn mutate<R>(&self, f: impl FnOnce(&Table) -> R) -> R {
        match self.try_mutate(f) {
            Ok(r) => r,
            Err(writer::Busy) => writer::concurrent_mutation(self.type_name()),
        }
    }

    /// Runs the mutation `f` holding the writer word, or fails without
    /// running it if another mutation is in progress.
    #[inline]
    pub fn try_mutate<R>(&self, f: impl FnOnce(&Table) -> R) -> Result<R, writer::Busy> {
        writer::claim(&self.writer)?;
        let r = f(self);
        writer::release(&self.writer, 0);
        Ok(r)
    }

    /// "Dict" or "Set", for messages.
    pub fn type_name(&self) -> &'static str {
        if self.is_dict() {
            "Dict"
        } else {
            "Set"
        }
    }
}

/// The panic message for a table that outgrew [`MAX_CAP`].
pub fn too_big(what: &str) -> String {
    format!("{what} too big (the limit is {MAX_CAP} entries)")
}

/// Raises the [`too_big`] panic.
#[cold]
pub fn raise_too_big(what: &str) -> ! {
    crate::sched::panic(too_big(what).as_bytes(), None)
}

/// The index word naming entry `pos` of hash `h`.
#[inline]
fn encode(h: u64, pos: usize) -> u64 {
    (h >> 32) << 32 | (pos as u64 + 2)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::gc::shape::{plat_shape_string, plat_type_int64};
    use crate::testdesc;

    /// Checks every invariant of the module doc.
    pub(crate) fn check(t: &Table) {
        let Some(a) = t.arrays() else {
            assert_eq!((t.len(), t.used.load(Relaxed)), (0, 0));
            return;
        };
        let (len, used) = (t.len(), t.used.load(Relaxed));
        assert!(len <= used && used <= a.cap as u64);
        assert!(a.cap.is_power_of_two() && a.mask + 1 == 2 * a.cap);
        let mut named = vec![0usize; a.cap];
        let mut busy = 0;
        for i in 0..=a.mask {
            let word = a.word(i).load(Relaxed);
            if word != EMPTY {
                busy += 1;
            }
            if word > TOMB {
                named[(word as u32 - 2) as usize] += 1;
            }
        }
        assert!(busy <= used);
        let mut live = 0;
        for (pos, &names) in named.iter().enumerate() {
            let h = a.slot(pos, 0).load(Relaxed);
            if pos >= used as usize {
                assert!((0..a.width).all(|k| a.slot(pos, k).load(Relaxed) == 0));
            } else if h == DELETED {
                assert_eq!(names, 0);
            } else {
                assert_ne!(h, UNUSED);
                live += 1;
                assert_eq!(names, 1);
                let key = a.slot(pos, 1).load(Relaxed);
                assert!(t.find(key) == Some(a.slot(pos, 0).as_ptr()));
            }
        }
        assert_eq!(live, len);
    }

    fn insert(t: &Table, k: u64) -> bool {
        let h = key_hash(k, t.key_desc());
        t.mutate(|t| t.insert_claimed(k, h, 0)).expect("small")
    }

    fn remove(t: &Table, k: u64) -> bool {
        let h = key_hash(k, t.key_desc());
        t.mutate(|t| t.remove_claimed(k, h)).is_some()
    }

    #[test]
    fn ensure_that_the_table_keeps_its_invariants_through_churn() {
        let desc = testdesc::set_of(&plat_type_int64);
        // SAFETY: a fresh table used by this thread only.
        let t = unsafe { &*new(desc) };
        let mut model = std::collections::BTreeSet::new();
        let mut x: u64 = 1;
        for round in 0..20_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let k = (x >> 33) % 300;
            if x.is_multiple_of(3) {
                assert_eq!(remove(t, k), model.remove(&k));
            } else {
                assert_eq!(insert(t, k), model.insert(k));
            }
            if round % 997 == 0 {
                check(t);
            }
        }
        check(t);
        assert_eq!(t.len() as usize, model.len());
        t.mutate(|t| t.clear_claimed());
        check(t);
        assert_eq!(t.live().count(), 0);
        assert!(insert(t, 7));
        check(t);
    }

    #[test]
    fn ensure_that_string_keys_probe_briefly() {
        let desc = testdesc::set_of(&plat_shape_string);
        // SAFETY: as above.
        let t = unsafe { &*new(desc) };
        let n = 100_000;
        for i in 0..n {
            insert(t, crate::string::from_str(&format!("key{i}")) as u64);
        }
        // Average probe length from each key's home slot.
        let a = t.arrays().expect("arrays");
        let mut total = 0u64;
        for i in 0..=a.mask {
            let word = a.word(i).load(Relaxed);
            if word > TOMB {
                let h = a.slot((word as u32 - 2) as usize, 0).load(Relaxed);
                total += ((i as u64).wrapping_sub(h) & a.mask as u64) + 1;
            }
        }
        let avg = total as f64 / n as f64;
        assert!(avg < 2.0, "average probe length {avg}");
    }

    #[test]
    fn ensure_that_a_table_cannot_outgrow_its_limit() {
        let desc = testdesc::set_of(&plat_type_int64);
        // SAFETY: as above.
        let t = unsafe { &*new(desc) };
        insert(t, 1);
        assert!(
            t.mutate(|t| t.rebuild(MAX_CAP * 2)).is_err(),
            "refused before allocating"
        );
        check(t);
        assert_eq!(
            too_big("Dict"),
            "Dict too big (the limit is 1073741824 entries)"
        );
        assert!(MAX_CAP <= i32::MAX as u64, "length() fits an Int32");
    }

    #[test]
    fn ensure_that_stored_hashes_avoid_the_marker_values() {
        let kd = &plat_type_int64;
        for k in [0u64, 1, u64::MAX, 12345] {
            let h = key_hash(k, kd);
            assert!(h != UNUSED && h != DELETED);
        }
    }

    #[test]
    fn ensure_that_a_probe_of_a_full_index_ends() {
        // A reader can meet an index with no EMPTY word only through a
        // race; build one by hand and check the probe gives up.
        let desc = testdesc::set_of(&plat_type_int64);
        // SAFETY: as above.
        let t = unsafe { &*new(desc) };
        insert(t, 1);
        let a = t.arrays().expect("arrays");
        for i in 0..=a.mask {
            a.word(i).store(TOMB, Relaxed);
        }
        assert!(matches!(
            a.probe(2, key_hash(2, &plat_type_int64), &plat_type_int64),
            Probe::Vacant { .. }
        ));
        assert_eq!(t.find(2), None);
        for i in 0..=a.mask {
            a.word(i)
                .store(encode(0xFFFF_FFFF_0000_0000, 1000 + i), Relaxed);
        }
        assert!(matches!(
            a.probe(2, 0xFFFF_FFFF_0000_0000, &plat_type_int64),
            Probe::Exhausted
        ));
    }
}
