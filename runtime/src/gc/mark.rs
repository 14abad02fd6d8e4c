//! Marking: from the roots, every reachable object gets its mark bit
//! (`docs/gc.md`, "Marking"). Precise through the heap (each object's
//! header says where its pointers are), conservative for root ranges
//! (task stacks), with an explicit mark stack: no recursion, so a list of
//! ten million nodes is a loop, not a deep stack.
//!
//! Every word that might point into the heap, precise or conservative,
//! goes through [`super::heap::find_object`], so interior pointers (a
//! list's `data`, an element's address held by compiled code) keep their
//! object alive, and pointers to static data (string literals,
//! descriptors, static closures and unit variants) are ignored: those are
//! immortal.
//!
//! Runs only while the world is stopped (see `super::collect`), so object
//! contents and span geometry do not change under it.

use std::sync::atomic::Ordering;

use super::arena;
use super::shape::{PlatShape, ShapeKind};
use super::span;

/// Objects marked but not yet scanned.
pub struct Marker {
    stack: Vec<usize>,
    /// Objects marked in this cycle (statistics).
    pub marked: usize,
    /// Bytes of marked objects (their slot sizes).
    pub marked_bytes: usize,
    /// The only marker of this cycle: mark bits are set with a plain
    /// load and store instead of an atomic read-modify-write (a locked
    /// instruction per object, a fifth of marking's time).
    exclusive: bool,
}

impl Default for Marker {
    fn default() -> Self {
        Marker::new()
    }
}

impl Marker {
    pub fn new() -> Marker {
        Marker {
            stack: Vec::with_capacity(4096),
            marked: 0,
            marked_bytes: 0,
            exclusive: false,
        }
    }

    /// A marker that no other marks alongside (see `exclusive`).
    pub fn exclusive() -> Marker {
        Marker {
            exclusive: true,
            ..Marker::new()
        }
    }

    /// Marks the object `word` points to or into, if any, and queues it
    /// for scanning the first time.
    #[inline]
    pub fn mark_word(&mut self, word: usize) {
        let n = arena::span_of(word);
        if n == 0 {
            return;
        }
        let s = span::get(n);
        let base = s.base.load(Ordering::Relaxed);
        let size = s.elem_size.load(Ordering::Relaxed);
        let Some(off) = word.checked_sub(base) else {
            return;
        };
        let i = s.slot_of(off);
        if i >= s.n_elems.load(Ordering::Relaxed) as usize {
            return;
        }
        let bit = 1u64 << (i % 64);
        if s.alloc_bits[i / 64].load(Ordering::Relaxed) & bit == 0 {
            return;
        }
        let word = &s.mark_bits[i / 64];
        let before = if self.exclusive {
            let w = word.load(Ordering::Relaxed);
            word.store(w | bit, Ordering::Relaxed);
            w
        } else {
            word.fetch_or(bit, Ordering::Relaxed)
        };
        if before & bit == 0 {
            self.marked += 1;
            self.marked_bytes += size;
            self.stack.push(base + i * size);
        }
    }

    /// Conservatively marks every aligned word of `[lo, hi)`.
    ///
    /// # Safety
    ///
    /// `[lo, hi)` is readable memory.
    pub unsafe fn scan_range(&mut self, lo: usize, hi: usize) {
        let mut at = (lo + 7) & !7;
        while at + 8 <= hi {
            // SAFETY: inside `[lo, hi)` (caller).
            let w = unsafe { *(at as *const usize) };
            self.mark_word(w);
            at += 8;
        }
    }

    /// Scans queued objects until none is left.
    pub fn drain(&mut self) {
        while self.step(usize::MAX) {}
    }

    /// Scans up to `n` queued objects; whether any is left.
    pub fn step(&mut self, n: usize) -> bool {
        for _ in 0..n {
            let Some(obj) = self.stack.pop() else {
                return false;
            };
            // SAFETY: every queued address is an allocated object (its
            // alloc bit was set), whose first word is its shape.
            unsafe { self.scan_object(obj) };
        }
        !self.stack.is_empty()
    }

    /// Objects queued, not yet scanned.
    pub fn pending(&self) -> usize {
        self.stack.len()
    }

    /// Takes `n` queued objects off (for another marker).
    pub fn split_off(&mut self, n: usize) -> Vec<usize> {
        let at = self.stack.len().saturating_sub(n);
        self.stack.split_off(at)
    }

    /// Queues objects another marker gave away (already marked).
    pub fn push_all(&mut self, objs: Vec<usize>) {
        self.stack.extend(objs);
    }

    /// Marks what object `obj` points to, by its shape's kind.
    ///
    /// # Safety
    ///
    /// `obj` is an allocated object with a valid header.
    unsafe fn scan_object(&mut self, obj: usize) {
        // SAFETY: the first word of an allocated slot.
        let header = unsafe { *(obj as *const *const PlatShape) };
        if header.is_null() {
            // A slot of an allocation cache's run not handed out yet.
            return;
        }
        // SAFETY: the header of a valid object.
        let shape: &PlatShape = unsafe { &*header };
        let word = |i: usize| -> usize {
            // SAFETY: `i` is within the object (per its kind's layout).
            unsafe { *((obj + 8 * i) as *const usize) }
        };
        match ShapeKind::from_u32(shape.kind) {
            Some(ShapeKind::String) => {
                // A view's `data` (the first byte of its buffer, an
                // interior pointer) keeps the buffer alive; null for
                // inline bytes (`crate::string`).
                let data = word(crate::string::DATA_WORD);
                if data != 0 {
                    self.mark_word(data);
                }
            }
            Some(ShapeKind::Bytes | ShapeKind::Leaf) => {}
            Some(ShapeKind::Class | ShapeKind::Sync) => {
                let n = shape.payload_words as usize;
                if shape.ptr_map.is_null() {
                    return;
                }
                for i in 0..n {
                    // SAFETY: a ptr_map has a bit per payload word.
                    let bits = unsafe { *shape.ptr_map.add(i / 64) };
                    if bits >> (i % 64) & 1 == 1 {
                        self.mark_word(word(1 + i));
                    }
                }
            }
            Some(ShapeKind::Enum) => {
                let tag = word(1);
                if tag >= shape.n_children as usize {
                    return;
                }
                // SAFETY: `tag < n_children` of an Enum descriptor.
                let v = unsafe { shape.variant(tag) };
                for i in 0..v.n_fields as usize {
                    // SAFETY: `i < n_fields`.
                    if holds_pointer(unsafe { v.field(i) }) {
                        self.mark_word(word(2 + i));
                    }
                }
            }
            Some(ShapeKind::List) => {
                self.mark_word(word(crate::collections::list::DATA_WORD));
            }
            Some(ShapeKind::Dict | ShapeKind::Set) => {
                for w in crate::collections::table::POINTER_WORDS {
                    self.mark_word(word(w));
                }
            }
            Some(ShapeKind::Array) => {
                let n = shape.n_children as usize;
                if n == 0 {
                    return;
                }
                let cap = word(1);
                // Skip the whole array when no child type holds pointers.
                // SAFETY: `k < n_children`.
                if !(0..n).any(|k| holds_pointer(unsafe { shape.child(k) })) {
                    return;
                }
                for i in 0..cap {
                    // SAFETY: `i % n < n_children`.
                    if holds_pointer(unsafe { shape.child(i % n) }) {
                        self.mark_word(word(2 + i));
                    }
                }
            }
            Some(ShapeKind::Channel) => {
                // SAFETY: a channel object (its header says so).
                if let Some(buf) = unsafe { crate::chan::abi::buffer_of(obj) } {
                    self.mark_word(buf);
                }
            }
            Some(ShapeKind::TaskHandle) => {
                // SAFETY: a task handle object (its header says so).
                unsafe { crate::sched::task::trace_handle(obj, &mut |w| self.mark_word(w)) };
            }
            _ => crate::rt_fatal!(
                "the collector met an object with an unknown shape kind {}",
                shape.kind
            ),
        }
    }
}

/// Whether a value of type `desc` may be a heap pointer (anything but a
/// scalar).
#[inline]
fn holds_pointer(desc: &PlatShape) -> bool {
    desc.kind < ShapeKind::Bool as u32
}

#[cfg(test)]
mod tests {
    //! The marker on objects of private spans (made here, never in an
    //! allocation cache), so no other test's objects are touched; the
    //! runtime's unit tests never run a whole collection.
    use super::*;
    use crate::gc::size_class::class_of;
    use std::ptr::null;

    /// `class Node { next: Node; value: Int64 }`: word 0 a pointer.
    static NODE_MAP: [u64; 1] = [0b01];
    static NODE: PlatShape = PlatShape {
        kind: ShapeKind::Class as u32,
        flags: 0,
        payload_words: 2,
        ptr_map: &NODE_MAP as *const [u64; 1] as *const u64,
        name: c"Node".as_ptr(),
        n_children: 0,
        children: null(),
        child_names: null(),
        vtable: null(),
        parent: null(),
    };

    /// `count` zeroed Node objects in fresh spans, and the spans.
    fn nodes(count: usize) -> (Vec<usize>, Vec<u32>) {
        let class = class_of(24);
        let mut out = Vec::with_capacity(count);
        let mut spans = vec![span::new(class, 0)];
        while out.len() < count {
            let s = span::get(*spans.last().expect("a span"));
            match s.take_free() {
                Some(p) => {
                    // SAFETY: a slot of 24 bytes just taken from a span
                    // this test owns.
                    unsafe {
                        std::ptr::write_bytes(p as *mut u8, 0, 24);
                        *(p as *mut *const PlatShape) = &NODE;
                    }
                    out.push(p);
                }
                None => spans.push(span::new(class, 0)),
            }
        }
        (out, spans)
    }

    fn set_next(node: usize, next: usize) {
        // SAFETY: `node` is a Node object of `nodes`.
        unsafe { *((node + 8) as *mut usize) = next };
    }

    fn is_marked(obj: usize) -> bool {
        let s = span::get(arena::span_of(obj));
        let i = s.slot_of(obj - s.base.load(Ordering::Relaxed));
        s.mark_bits[i / 64].load(Ordering::Relaxed) >> (i % 64) & 1 == 1
    }

    #[test]
    fn ensure_that_a_million_node_chain_is_marked_without_recursion() {
        const N: usize = 1_000_000;
        let (objs, spans) = nodes(N + 1);
        for w in objs[..N].windows(2) {
            set_next(w[0], w[1]);
        }
        let stray = objs[N];
        let mut m = Marker::new();
        // An interior pointer (the head's field) keeps the head alive.
        m.mark_word(objs[0] + 8);
        m.drain();
        assert_eq!(m.marked, N);
        assert_eq!(m.marked_bytes, N * 24);
        assert!(objs[..N].iter().all(|&o| is_marked(o)));
        assert!(!is_marked(stray));
        // Sweeping keeps exactly the marked objects and frees the stray.
        let live: usize = spans.iter().map(|&n| span::get(n).sweep()).sum();
        assert_eq!(live, N);
        let s = span::get(arena::span_of(stray));
        assert_eq!(s.object_at(stray), None);
        let s = span::get(arena::span_of(objs[0]));
        assert_eq!(s.object_at(objs[0] + 8), Some(objs[0]));
        assert!(!is_marked(objs[0]), "sweeping clears the marks");
    }

    /// A zeroed object of `size` bytes with header `shape`, in a fresh
    /// span of its own class (private to the test).
    fn private_object(size: usize, shape: &'static PlatShape) -> usize {
        let s = span::get(span::new(class_of(size), 0));
        let p = s.take_free().expect("a fresh span has a free slot");
        // SAFETY: a slot of at least `size` bytes just taken from a span
        // this test owns.
        unsafe {
            std::ptr::write_bytes(p as *mut u8, 0, size);
            *(p as *mut *const PlatShape) = shape;
        }
        p
    }

    #[test]
    fn ensure_that_a_string_view_keeps_its_buffer_alive() {
        use crate::string::append::{BUFFER_SHAPE, BUF_DATA_OFFSET};
        use crate::string::{PlatStr, DATA_OFFSET};
        let shape = &crate::gc::shape::plat_shape_string;
        let buf = private_object(BUF_DATA_OFFSET + 100, &BUFFER_SHAPE);
        let view = private_object(DATA_OFFSET, shape);
        let inline = private_object(DATA_OFFSET + 8, shape);
        let other_buf = private_object(BUF_DATA_OFFSET + 100, &BUFFER_SHAPE);
        // SAFETY: `view` and `inline` are string-sized objects made above.
        unsafe {
            let v = view as *mut PlatStr;
            (*v).byte_len = 10;
            (*v).char_len = 10;
            (*v).data = (buf + BUF_DATA_OFFSET) as *const u8;
            (*(inline as *mut PlatStr)).byte_len = 8;
        }
        let mut m = Marker::new();
        m.mark_word(view);
        m.mark_word(inline);
        m.drain();
        assert!(is_marked(view) && is_marked(inline));
        assert!(is_marked(buf), "the view's data word is traced");
        assert!(!is_marked(other_buf));
        assert_eq!(m.marked, 3);
    }

    #[test]
    fn ensure_that_conservative_scans_mark_only_heap_objects() {
        let (objs, _spans) = nodes(4);
        // A cycle between two nodes, reached only through the second.
        set_next(objs[0], objs[1]);
        set_next(objs[1], objs[0]);
        let s = span::get(arena::span_of(objs[3]));
        let last_slot =
            s.base.load(Ordering::Relaxed) + 24 * (s.n_elems.load(Ordering::Relaxed) as usize - 1);
        let words: [usize; 6] = [
            objs[1] + 23,               // the last byte of an object
            &NODE as *const _ as usize, // static data: immortal, ignored
            42,
            usize::MAX,
            last_slot, // a slot never handed out
            objs[1],   // the same object again: marked once
        ];
        let mut m = Marker::new();
        let lo = words.as_ptr() as usize;
        // SAFETY: the range is the array above.
        unsafe { m.scan_range(lo, lo + std::mem::size_of_val(&words)) };
        m.drain();
        assert_eq!(m.marked, 2);
        assert!(is_marked(objs[0]) && is_marked(objs[1]));
        assert!(!is_marked(objs[2]) && !is_marked(objs[3]));
    }
}
