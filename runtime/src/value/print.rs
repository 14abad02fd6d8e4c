//! Rendering any value as text (`print`, `"${v}"`), per
//! `docs/runtime-abi.md` ("Printing, equality, hashing"):
//!
//! - strings as they are at the top level, quoted with `"` (no escaping)
//!   inside collections, payloads and fields;
//! - `true`/`false`; integers in decimal; floats as Rust's `{}`
//!   (`crate::format`); `()` for Unit;
//! - `[1, 2]`, `{1, 2}`, `{"a": 1}`, `[]`, `{}`;
//! - enum values `Some(5)`, `None`, `Rect(3, 4)`;
//! - class instances `Point { x: 1, y: 2 }` (`Point {}` without fields),
//!   by their dynamic type;
//! - task handles `<task N>` (N as in panic messages; `<task main>` for
//!   the main task); function values `<NAME>`, NAME being the name of the
//!   closure object's descriptor (the compiler names it `fn f` for the
//!   named function `f`, `closure` for an anonymous one); channels and
//!   other runtime handles `<NAME>` with their type descriptor's name
//!   (`<Channel<Int32>>`); `null` for a
//!   null pointer (compiled code never makes one);
//! - `...` for a class instance, list, dict or set that is already being
//!   rendered further out (a cycle: these are the mutable objects, see
//!   `super`). Nothing else is elided: there is no depth limit.
//!
//! The walk is iterative (a work list on the heap, see `super::eq`), so
//! deep values cost heap, not stack.
//!
//! Slot validity: as in [`super::eq`].

use super::{class_field, class_of, list_elem, EnumRef, PathSet};
use crate::collections::list::PlatList;
use crate::collections::table::Table;
use crate::format;
use crate::gc::shape::{PlatShape, PlatVariant, ShapeKind};
use crate::sched::task::Task as TaskRecord;
use crate::string::{self, PlatStr};

/// One pending piece of output.
enum Step {
    /// Render a value nested in another (strings quoted).
    Val(u64, &'static PlatShape),
    /// Literal text.
    Text(&'static [u8]),
    /// Payload fields `i..` of an enum value, then `)`.
    Fields {
        obj: u64,
        variant: &'static PlatVariant,
        i: usize,
    },
    /// Elements `i..` of a list, then `]`; then the list leaves the path.
    Elems {
        list: *const PlatList,
        elem: &'static PlatShape,
        i: usize,
    },
    /// Entries `pairs[at..end]` of a dict (`vd` its value type) or set
    /// whose first entry is at `start`, then `}`; then the table leaves
    /// the path.
    Entries {
        start: usize,
        at: usize,
        end: usize,
        kd: &'static PlatShape,
        vd: Option<&'static PlatShape>,
    },
    /// Fields `i..` of class instance `obj` of dynamic type `cls`, then
    /// ` }`; then `obj` leaves the path.
    Members {
        obj: u64,
        cls: &'static PlatShape,
        i: usize,
    },
}

/// Appends the rendering of the top-level value `slot` of type `desc`.
pub fn render(out: &mut Vec<u8>, slot: u64, desc: &'static PlatShape) {
    if desc.shape_kind() == ShapeKind::String && slot != 0 {
        // SAFETY: a valid string (slot validity).
        out.extend_from_slice(unsafe { string::bytes(slot as *const PlatStr) });
        return;
    }
    if flat(out, slot, desc) {
        return;
    }
    let mut p = Printer {
        out,
        work: vec![Step::Val(slot, desc)],
        path: PathSet::new(),
        pairs: Vec::new(),
    };
    p.run();
}

struct Printer<'a> {
    out: &'a mut Vec<u8>,
    work: Vec<Step>,
    /// The class instances, lists, dicts and sets being rendered further
    /// out (by address).
    path: PathSet<u64>,
    /// Copies of the keys and values (0 for sets) of the tables being
    /// rendered; only grows during one rendering.
    pairs: Vec<u64>,
}

impl Printer<'_> {
    fn run(&mut self) {
        while let Some(step) = self.work.pop() {
            match step {
                Step::Val(slot, d) => self.val(slot, d),
                Step::Text(t) => self.out.extend_from_slice(t),
                Step::Fields { obj, variant, i } => self.fields(obj, variant, i),
                Step::Elems { list, elem, i } => self.elems(list, elem, i),
                Step::Members { obj, cls, i } => self.members(obj, cls, i),
                Step::Entries {
                    start,
                    at,
                    end,
                    kd,
                    vd,
                } => self.entries(start, at, end, kd, vd),
            }
        }
    }

    /// Renders a nested value, or starts rendering one with parts.
    fn val(&mut self, slot: u64, d: &'static PlatShape) {
        if flat(self.out, slot, d) {
            return;
        }
        let kind = d.shape_kind();
        if kind != ShapeKind::Enum {
            // A mutable object: it may contain itself.
            if self.path.contains(slot) {
                self.out.extend_from_slice(b"...");
                return;
            }
            self.path.push(slot);
        }
        match kind {
            ShapeKind::Enum => {
                // SAFETY: a valid, non-null enum value of type `d`.
                let v = unsafe { EnumRef::new(slot, d) };
                self.out.extend_from_slice(v.variant.name_bytes());
                if v.variant.n_fields > 0 {
                    self.out.push(b'(');
                    self.fields(slot, v.variant, 0);
                }
            }
            ShapeKind::List => {
                let list = slot as *const PlatList;
                // SAFETY: a valid list (slot validity).
                let elem = unsafe { (*list).elem() };
                self.out.push(b'[');
                self.elems(list, elem, 0);
            }
            ShapeKind::Set | ShapeKind::Dict => {
                // SAFETY: a valid dict or set (slot validity).
                let t = unsafe { &*(slot as *const Table) };
                self.table(t, d);
            }
            ShapeKind::Class => {
                // SAFETY: a valid, non-null class instance.
                let cls = unsafe { class_of(slot) };
                self.out.extend_from_slice(cls.name_bytes());
                if cls.n_children == 0 {
                    self.out.extend_from_slice(b" {}");
                    self.path.pop();
                } else {
                    self.out.extend_from_slice(b" { ");
                    self.members(slot, cls, 0);
                }
            }
            _ => unreachable!("flat kinds are rendered by `flat`"),
        }
    }

    /// Payload fields `i..`: flat ones now, up to the first nested one,
    /// which is queued after the rest.
    fn fields(&mut self, obj: u64, variant: &'static PlatVariant, mut i: usize) {
        let n = variant.n_fields as usize;
        while i < n {
            if i > 0 {
                self.out.extend_from_slice(b", ");
            }
            // SAFETY: `i < n_fields` of the object's variant: its payload
            // has one slot per field after the tag.
            let (fd, f) = unsafe {
                (
                    variant.field(i),
                    *(obj as *const u64).add(super::PAYLOAD_WORD + i),
                )
            };
            i += 1;
            if !flat(self.out, f, fd) {
                self.work.push(Step::Fields { obj, variant, i });
                self.work.push(Step::Val(f, fd));
                return;
            }
        }
        self.out.push(b')');
    }

    /// Elements `i..` of a list, as [`Printer::fields`].
    fn elems(&mut self, list: *const PlatList, elem: &'static PlatShape, mut i: usize) {
        // SAFETY: a valid list (slot validity); `list_elem` bounds-checks.
        let l = unsafe { &*list };
        while let Some(x) = list_elem(l, i) {
            if i > 0 {
                self.out.extend_from_slice(b", ");
            }
            i += 1;
            if !flat(self.out, x, elem) {
                self.work.push(Step::Elems { list, elem, i });
                self.work.push(Step::Val(x, elem));
                return;
            }
        }
        self.out.push(b']');
        self.path.pop();
    }

    /// Fields `i..` of a class instance, as [`Printer::fields`].
    fn members(&mut self, obj: u64, cls: &'static PlatShape, mut i: usize) {
        let n = cls.n_children as usize;
        while i < n {
            if i > 0 {
                self.out.extend_from_slice(b", ");
            }
            // SAFETY: `i < n_children` of a Class descriptor, and the
            // instance has one slot per field.
            let (name, fd, f) = unsafe { (cls.child_name(i), cls.child(i), class_field(obj, i)) };
            self.out.extend_from_slice(name);
            self.out.extend_from_slice(b": ");
            i += 1;
            if !flat(self.out, f, fd) {
                self.work.push(Step::Members { obj, cls, i });
                self.work.push(Step::Val(f, fd));
                return;
            }
        }
        self.out.extend_from_slice(b" }");
        self.path.pop();
    }

    /// A dict or set: its keys and values as they are now are copied to
    /// `pairs`, then rendered by [`Printer::entries`].
    fn table(&mut self, t: &Table, d: &'static PlatShape) {
        let is_dict = d.shape_kind() == ShapeKind::Dict;
        let kd = t.key_desc();
        // SAFETY: a Dict descriptor has children [K, V].
        let vd = is_dict.then(|| unsafe { d.child(1) });
        let start = self.pairs.len();
        for e in t.live() {
            self.pairs.push(e[1]);
            self.pairs.push(if is_dict { e[2] } else { 0 });
        }
        self.out.push(b'{');
        let end = self.pairs.len();
        self.entries(start, start, end, kd, vd);
    }

    /// Entries `pairs[at..end]` of a table whose first is at `start`, as
    /// [`Printer::fields`], then `}`.
    fn entries(
        &mut self,
        start: usize,
        mut at: usize,
        end: usize,
        kd: &'static PlatShape,
        vd: Option<&'static PlatShape>,
    ) {
        while at < end {
            if at > start {
                self.out.extend_from_slice(b", ");
            }
            let (k, v) = (self.pairs[at], self.pairs[at + 1]);
            at += 2;
            let rest = Step::Entries {
                start,
                at,
                end,
                kd,
                vd,
            };
            if !flat(self.out, k, kd) {
                self.work.push(rest);
                if let Some(vd) = vd {
                    self.work.push(Step::Val(v, vd));
                    self.work.push(Step::Text(b": "));
                }
                self.work.push(Step::Val(k, kd));
                return;
            }
            if let Some(vd) = vd {
                self.out.extend_from_slice(b": ");
                if !flat(self.out, v, vd) {
                    self.work.push(rest);
                    self.work.push(Step::Val(v, vd));
                    return;
                }
            }
        }
        self.out.push(b'}');
        self.path.pop();
    }
}

/// Renders a nested value that has no parts (strings quoted); false,
/// writing nothing, for a non-null value with parts.
fn flat(out: &mut Vec<u8>, slot: u64, d: &PlatShape) -> bool {
    use ShapeKind::*;
    let kind = d.shape_kind();
    match kind {
        Bool => format::push_bool(out, slot != 0),
        Int8 | Int16 | Int32 | Int64 => format::push_i64(out, super::int_of(slot, kind)),
        Float32 => format::push_f32(out, f32::from_bits(slot as u32)),
        Float64 => format::push_f64(out, f64::from_bits(slot)),
        Unit => out.extend_from_slice(b"()"),
        _ if slot == 0 => out.extend_from_slice(b"null"),
        String => {
            // SAFETY: a valid string (slot validity).
            let bytes = unsafe { string::bytes(slot as *const PlatStr) };
            out.push(b'"');
            out.extend_from_slice(bytes);
            out.push(b'"');
        }
        Task => {
            // SAFETY: a task handle held by the value being printed
            // (so alive); `id` is immutable.
            let id = unsafe { (*(slot as *const TaskRecord)).id };
            out.extend_from_slice(b"<task ");
            if id == 0 {
                out.extend_from_slice(b"main");
            } else {
                format::push_i64(out, id as i64);
            }
            out.push(b'>');
        }
        Function => {
            // SAFETY: a closure object: its header is its environment's
            // descriptor, which lives forever.
            let env = unsafe { class_of(slot) };
            angled(out, env.name_bytes());
        }
        // Runtime handles, channels and buffers: no contents to show.
        Opaque | Channel | Sync | TaskHandle | Leaf | Array | Bytes => angled(out, d.name_bytes()),
        Enum | List | Dict | Set | Class => return false,
    }
    true
}

fn angled(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'<');
    out.extend_from_slice(name);
    out.push(b'>');
}
