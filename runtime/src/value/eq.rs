//! Structural equality (`==` on any type, list search, dict keys).
//!
//! Slot validity: like everything in `value`, these functions take slots
//! that are valid values of their descriptor's type. That is the contract
//! of every entry point that passes a slot in and an invariant of every
//! collection, so it is not re-checked (the functions are safe to call
//! for that reason, as the pointer-reading helpers of `collections` are).
//!
//! # Iteration
//!
//! Values that need no walk (scalars, strings, identities, null) are
//! compared inline ([`flat_eq`]). Anything else runs a small machine with
//! an explicit work list on the heap ([`Machine`]), so the depth of a
//! value costs heap, never stack: runtime code runs on task stacks with a
//! small margin and no stack checks.
//!
//! Dict and set equality look each entry of the left table up in the
//! right one. When the key type needs a walk, that lookup would be a
//! nested equality; instead each candidate entry of the right table with
//! the key's hash becomes an *alternative*: a marker on the work list
//! ([`Step::Alt`]) below the comparisons of that candidate. A failure
//! unwinds the work list to the nearest marker, which tries its next
//! candidate; the marker is popped as a success once the comparisons
//! above it have all passed. Keys of one table are pairwise unequal and
//! equality is transitive, so at most one candidate can match and a
//! choice that succeeded never needs revisiting.
//!
//! The invariant that makes unwinding correct: a step queues its own
//! continuation (the siblings still to compare) *before* its children,
//! so everything above a marker is work of that alternative only. This is
//! why the entries of a table with nested keys are matched one at a time
//! ([`Step::Entries`]). Unwinding also closes the pairs of containers
//! whose [`Step::Close`] it drops.
//!
//! Cycles (see `super`): the pairs of lists, dicts and sets being
//! compared are kept on a path; meeting a pair again inside itself counts
//! as equal. If the walk then finds no difference, the pairs it expanded
//! form a bisimulation, which is what equality of cyclic values means.

use super::{list_elem, EnumRef, PathSet};
use crate::collections::list::PlatList;
use crate::collections::table::Table;
use crate::gc::shape::{PlatShape, PlatVariant, ShapeKind};
use crate::string::{self, PlatStr};

/// Whether the values `a` and `b` of type `desc` are equal.
#[inline]
pub fn eq(a: u64, b: u64, desc: &PlatShape) -> bool {
    match flat_eq(a, b, desc) {
        Some(r) => r,
        None => nested_eq(a, b, super::forever(desc)),
    }
}

/// Equality of values that need no walk; `None` for two non-null values
/// of a kind with parts (enum, list, dict, set).
#[inline]
pub fn flat_eq(a: u64, b: u64, desc: &PlatShape) -> Option<bool> {
    use ShapeKind::*;
    Some(match desc.shape_kind() {
        Bool => (a != 0) == (b != 0),
        Int8 => a as i8 == b as i8,
        Int16 => a as i16 == b as i16,
        Int32 => a as i32 == b as i32,
        Int64 => a == b,
        Float32 => f32::from_bits(a as u32) == f32::from_bits(b as u32),
        Float64 => f64::from_bits(a) == f64::from_bits(b),
        Unit => true,
        String => str_eq(a, b),
        // Identity: class instances, task handles, closures, runtime
        // handles, runtime buffers.
        Class | Task | Function | Opaque | Channel | Sync | TaskHandle | Leaf | Array | Bytes => {
            a == b
        }
        Enum | List | Dict | Set if a == 0 || b == 0 => a == b,
        Enum | List | Dict | Set => return None,
    })
}

#[inline]
fn str_eq(a: u64, b: u64) -> bool {
    if a == b {
        return true;
    }
    if a == 0 || b == 0 {
        return false;
    }
    // SAFETY: two valid strings (slot validity).
    unsafe { string::bytes(a as *const PlatStr) == string::bytes(b as *const PlatStr) }
}

/// One pending piece of work.
enum Step {
    /// Compare two values of a type.
    Val(u64, u64, &'static PlatShape),
    /// Compare payload fields `i..` of two values of one enum variant.
    Fields {
        a: u64,
        b: u64,
        variant: &'static PlatVariant,
        i: usize,
    },
    /// Compare elements `i..` of two lists of one element type.
    Elems {
        a: *const PlatList,
        b: *const PlatList,
        elem: &'static PlatShape,
        i: usize,
    },
    /// Match the left table's (stored hash, key, value) triples
    /// `pairs[at..end]` in
    /// table `right`, one at a time: each pair's alternatives are tried
    /// above this step, so that backtracking into them keeps the pairs
    /// still to match (nothing but an alternative's own comparisons may
    /// sit above its marker).
    Entries {
        right: *const Table,
        at: usize,
        end: usize,
    },
    /// An alternative for the entry `key` (and `value`, for a dict) of
    /// the left table: one entry of `right` with hash `h`, whose
    /// comparisons sit above this marker; the next candidates are found
    /// from probe step `from` on (see [`Machine::try_alt`]).
    Alt {
        key: u64,
        value: u64,
        right: *const Table,
        h: u64,
        from: usize,
        rehashed: bool,
    },
    /// The innermost pair of containers on the path is done.
    Close,
}

/// The equality machine: a work list; `false` as soon as a comparison
/// fails outside every alternative.
struct Machine {
    work: Vec<Step>,
    /// Copies of the hashes, keys and values of tables being matched (see
    /// [`Step::Entries`]); only grows during one comparison.
    pairs: Vec<u64>,
    /// The pairs of lists, dicts or sets being compared further out
    /// (closed by their [`Step::Close`]).
    path: PathSet<(u64, u64)>,
}

#[inline(never)]
fn nested_eq(a: u64, b: u64, desc: &'static PlatShape) -> bool {
    let mut m = Machine {
        work: Vec::with_capacity(8),
        pairs: Vec::new(),
        path: PathSet::new(),
    };
    m.work.push(Step::Val(a, b, desc));
    while let Some(step) = m.work.pop() {
        let ok = match step {
            Step::Val(a, b, d) => m.val(a, b, d),
            Step::Fields { a, b, variant, i } => m.fields(a, b, variant, i),
            Step::Elems { a, b, elem, i } => m.elems(a, b, elem, i),
            Step::Entries { right, at, end } => m.entries(right, at, end),
            // Every comparison of this alternative passed.
            Step::Alt { .. } => true,
            Step::Close => {
                m.path.pop();
                true
            }
        };
        if !ok && !m.backtrack() {
            return false;
        }
    }
    true
}

impl Machine {
    /// Enters the pair of containers `a`, `b` on the path (closed by a
    /// queued [`Step::Close`]); false, doing nothing, when they are being
    /// compared further out already: then they count as equal
    /// (coinduction, see the module doc of `super`).
    fn open(&mut self, a: u64, b: u64) -> bool {
        if self.path.contains((a, b)) {
            return false;
        }
        self.path.push((a, b));
        self.work.push(Step::Close);
        true
    }

    /// Drops the steps above `mark`, leaving the path as it was there.
    fn discard_to(&mut self, mark: usize) {
        while self.work.len() > mark {
            if let Some(Step::Close) = self.work.pop() {
                self.path.pop();
            }
        }
    }

    /// Compares `a` and `b` now if flat, else queues the comparison.
    #[inline]
    fn pair(&mut self, a: u64, b: u64, d: &'static PlatShape) -> bool {
        match flat_eq(a, b, d) {
            Some(r) => r,
            None => {
                self.work.push(Step::Val(a, b, d));
                true
            }
        }
    }

    /// Starts comparing two values: false if they already differ.
    fn val(&mut self, a: u64, b: u64, d: &'static PlatShape) -> bool {
        if let Some(r) = flat_eq(a, b, d) {
            return r;
        }
        match d.shape_kind() {
            ShapeKind::Enum => {
                // SAFETY: two valid, non-null enum values of type `d`.
                let (x, y) = unsafe { (EnumRef::new(a, d), EnumRef::new(b, d)) };
                if x.tag != y.tag {
                    return false;
                }
                self.fields(a, b, x.variant, 0)
            }
            ShapeKind::List => {
                let (x, y) = (a as *const PlatList, b as *const PlatList);
                // SAFETY: two valid lists (slot validity).
                let (lx, ly, elem) = unsafe { ((*x).len(), (*y).len(), (*x).elem()) };
                if lx != ly {
                    return false;
                }
                !self.open(a, b) || self.elems(x, y, elem, 0)
            }
            // SAFETY: two valid dicts or sets of type `d` (slot validity).
            ShapeKind::Dict | ShapeKind::Set => unsafe {
                self.tables(&*(a as *const Table), &*(b as *const Table), d)
            },
            _ => unreachable!("flat kinds are compared by flat_eq"),
        }
    }

    /// Payload fields `i..` of `a` and `b` (both of `variant`): flat
    /// fields now, the first nested one queued with the rest after it.
    fn fields(&mut self, a: u64, b: u64, variant: &'static PlatVariant, i: usize) -> bool {
        let n = variant.n_fields as usize;
        for j in i..n {
            // SAFETY: `j < n_fields`, and both objects have the variant's
            // payload (same tag), one slot per field after the tag.
            let (fd, fa, fb) = unsafe {
                let obj_a = a as *const u64;
                let obj_b = b as *const u64;
                (
                    variant.field(j),
                    *obj_a.add(super::PAYLOAD_WORD + j),
                    *obj_b.add(super::PAYLOAD_WORD + j),
                )
            };
            match flat_eq(fa, fb, fd) {
                Some(true) => {}
                Some(false) => return false,
                None => {
                    if j + 1 < n {
                        self.work.push(Step::Fields {
                            a,
                            b,
                            variant,
                            i: j + 1,
                        });
                    }
                    self.work.push(Step::Val(fa, fb, fd));
                    return true;
                }
            }
        }
        true
    }

    /// Elements `i..` of lists `a` and `b`, as [`Machine::fields`].
    fn elems(
        &mut self,
        a: *const PlatList,
        b: *const PlatList,
        elem: &'static PlatShape,
        mut i: usize,
    ) -> bool {
        // SAFETY: valid lists (slot validity); `list_elem` bounds-checks.
        let (a_ref, b_ref) = unsafe { (&*a, &*b) };
        loop {
            let (Some(x), Some(y)) = (list_elem(a_ref, i), list_elem(b_ref, i)) else {
                // The end of both (equal lengths), or of one if another
                // task changed a list meanwhile: then they differ.
                return list_elem(a_ref, i).is_none() && list_elem(b_ref, i).is_none();
            };
            match flat_eq(x, y, elem) {
                Some(true) => i += 1,
                Some(false) => return false,
                None => {
                    self.work.push(Step::Elems {
                        a,
                        b,
                        elem,
                        i: i + 1,
                    });
                    self.work.push(Step::Val(x, y, elem));
                    return true;
                }
            }
        }
    }

    /// Two dicts or two sets of type `d`: same size, and each entry of
    /// `x` has an equal key in `y` (with an equal value, for dicts).
    fn tables(&mut self, x: &Table, y: &'static Table, d: &'static PlatShape) -> bool {
        if x.len() != y.len() {
            return false;
        }
        if !self.open(x as *const Table as u64, y as *const Table as u64) {
            return true;
        }
        let is_dict = d.shape_kind() == ShapeKind::Dict;
        if !is_flat_type(x.key_desc()) {
            // One entry at a time (see `Step::Entries`), from a copy of
            // the left table's keys and values.
            let at = self.pairs.len();
            for e in x.live() {
                self.pairs.push(e[0]);
                self.pairs.push(e[1]);
                self.pairs.push(if is_dict { e[2] } else { 0 });
            }
            let end = self.pairs.len();
            return self.entries(y, at, end);
        }
        for e in x.live() {
            // The lookup compares flat keys only: no nesting.
            let Some(found) = y.find(e[1]) else {
                return false;
            };
            if is_dict {
                // SAFETY: a Dict descriptor has children [K, V]; a dict
                // entry has 3 slots.
                let (vd, fv) = unsafe { (d.child(1), *found.add(2)) };
                if !self.pair(e[2], fv, vd) {
                    return false;
                }
            }
        }
        true
    }

    /// The (stored hash, key, value) triples `pairs[at..end]` against
    /// table `right`: the first one's alternatives, with the rest queued
    /// below them.
    fn entries(&mut self, right: *const Table, at: usize, end: usize) -> bool {
        if at == end {
            return true;
        }
        if at + 3 < end {
            self.work.push(Step::Entries {
                right,
                at: at + 3,
                end,
            });
        }
        let (h, key, value) = (self.pairs[at], self.pairs[at + 1], self.pairs[at + 2]);
        self.try_alt(key, value, right, h, 0, false)
    }

    /// Queues the first alternative for `key` / `value` against table
    /// `right`: the entries with hash `h` from probe step `from` on, where
    /// `h` is first the hash stored with the key in its own table, then
    /// (`rehashed`) the key's hash now, if different: a list key mutated
    /// since both tables hashed it is still found. Pushes the marker, then
    /// the candidate's comparisons above it; candidates whose key is
    /// flat-unequal are skipped here. False when no candidate is left.
    fn try_alt(
        &mut self,
        key: u64,
        value: u64,
        right: *const Table,
        mut h: u64,
        mut from: usize,
        mut rehashed: bool,
    ) -> bool {
        // SAFETY: a valid table (slot validity).
        let t = unsafe { &*right };
        let kd = t.key_desc();
        loop {
            while let Some((c, next)) = t.next_with_hash(h, from) {
                from = next;
                let mark = self.work.len();
                self.work.push(Step::Alt {
                    key,
                    value,
                    right,
                    h,
                    from,
                    rehashed,
                });
                if !self.pair(key, c[1], kd) {
                    self.discard_to(mark);
                    continue;
                }
                if c.len() > 2 {
                    // SAFETY: a Dict descriptor has children [K, V].
                    let vd = unsafe { t.desc().child(1) };
                    if !self.pair(value, c[2], vd) {
                        self.discard_to(mark);
                        continue;
                    }
                }
                return true;
            }
            if rehashed {
                return false;
            }
            rehashed = true;
            let now = t.hash_of(key);
            if now == h {
                return false;
            }
            (h, from) = (now, 0);
        }
    }

    /// After a failed comparison: drops the work of the innermost
    /// alternative and queues its next candidate. False when no
    /// alternative is left (the values differ).
    fn backtrack(&mut self) -> bool {
        while let Some(step) = self.work.pop() {
            match step {
                Step::Alt {
                    key,
                    value,
                    right,
                    h,
                    from,
                    rehashed,
                } if self.try_alt(key, value, right, h, from, rehashed) => return true,
                Step::Close => self.path.pop(),
                _ => {}
            }
        }
        false
    }
}

/// Whether equality on type `d` never walks (so a table lookup with such
/// keys does not nest a walk).
#[inline]
pub fn is_flat_type(d: &PlatShape) -> bool {
    !matches!(
        d.shape_kind(),
        ShapeKind::Enum | ShapeKind::List | ShapeKind::Dict | ShapeKind::Set
    )
}
