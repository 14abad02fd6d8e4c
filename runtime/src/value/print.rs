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
//! - `...` for a class instance that is already being rendered further
//!   out (a cycle) or is nested inside [`MAX_CLASS_DEPTH`] instances, and
//!   for anything nested deeper than [`MAX_DEPTH`].
//!
//! Slot validity: as in [`super::eq`].

use super::{class_field, class_of, EnumRef};
use crate::collections::list::PlatList;
use crate::collections::table::Table;
use crate::format;
use crate::gc::shape::{PlatShape, ShapeKind};
use crate::string::{self, PlatStr};

/// Class instances nested deeper than this render as `...`.
pub const MAX_CLASS_DEPTH: usize = 64;
/// Values nested deeper than this render as `...` (bounds the stack the
/// recursion uses: runtime code has a 128 KiB margin).
pub const MAX_DEPTH: u32 = 128;

/// The recursion state: depth and the class instances being rendered.
struct State {
    depth: u32,
    /// Addresses of the enclosing class instances (identity only; the
    /// objects are reachable from the value being rendered anyway).
    classes: [usize; MAX_CLASS_DEPTH],
    n_classes: usize,
}

/// Appends the rendering of the top-level value `slot` of type `desc`.
pub fn render(out: &mut Vec<u8>, slot: u64, desc: &PlatShape) {
    let mut st = State {
        depth: 0,
        classes: [0; MAX_CLASS_DEPTH],
        n_classes: 0,
    };
    value(out, slot, desc, false, &mut st);
}

fn value(out: &mut Vec<u8>, slot: u64, desc: &PlatShape, nested: bool, st: &mut State) {
    use ShapeKind::*;
    let kind = desc.shape_kind();
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
            if nested {
                out.push(b'"');
                out.extend_from_slice(bytes);
                out.push(b'"');
            } else {
                out.extend_from_slice(bytes);
            }
        }
        _ if st.depth >= MAX_DEPTH => out.extend_from_slice(b"..."),
        _ => {
            st.depth += 1;
            match kind {
                Enum => enum_value(out, slot, desc, st),
                List => list(out, slot, st),
                Set => set(out, slot, st),
                Dict => dict(out, slot, st),
                // SAFETY: a valid class instance (slot validity).
                _ => class(out, slot, unsafe { class_of(slot) }, st),
            }
            st.depth -= 1;
        }
    }
}

/// Appends `items` separated by `, `.
fn list_of<T>(
    out: &mut Vec<u8>,
    items: impl Iterator<Item = T>,
    mut each: impl FnMut(&mut Vec<u8>, T),
) {
    for (i, x) in items.enumerate() {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        each(out, x);
    }
}

fn enum_value(out: &mut Vec<u8>, slot: u64, desc: &PlatShape, st: &mut State) {
    // SAFETY: a valid, non-null enum value of type `desc`.
    let v = unsafe { EnumRef::new(slot, desc) };
    out.extend_from_slice(v.variant.name_bytes());
    let n = v.variant.n_fields as usize;
    if n > 0 {
        out.push(b'(');
        list_of(out, 0..n, |out, i| {
            let (f, fd) = v.typed_field(i);
            value(out, f, fd, true, st);
        });
        out.push(b')');
    }
}

fn list(out: &mut Vec<u8>, slot: u64, st: &mut State) {
    // SAFETY: a valid list (slot validity).
    let l = unsafe { &*(slot as *const PlatList) };
    let elem = l.elem();
    out.push(b'[');
    list_of(out, l.iter(), |out, x| value(out, x, elem, true, st));
    out.push(b']');
}

fn set(out: &mut Vec<u8>, slot: u64, st: &mut State) {
    // SAFETY: a valid set (slot validity).
    let t = unsafe { &*(slot as *const Table) };
    let elem = t.key_desc();
    out.push(b'{');
    list_of(out, t.live(), |out, e| value(out, e[1], elem, true, st));
    out.push(b'}');
}

fn dict(out: &mut Vec<u8>, slot: u64, st: &mut State) {
    // SAFETY: a valid dict (slot validity).
    let t = unsafe { &*(slot as *const Table) };
    // SAFETY: a Dict descriptor has children [K, V].
    let (kd, vd) = unsafe { (t.desc().child(0), t.desc().child(1)) };
    out.push(b'{');
    list_of(out, t.live(), |out, e| {
        value(out, e[1], kd, true, st);
        out.extend_from_slice(b": ");
        value(out, e[2], vd, true, st);
    });
    out.push(b'}');
}

fn class(out: &mut Vec<u8>, slot: u64, cls: &PlatShape, st: &mut State) {
    let addr = slot as usize;
    if st.n_classes >= MAX_CLASS_DEPTH || st.classes[..st.n_classes].contains(&addr) {
        out.extend_from_slice(b"...");
        return;
    }
    st.classes[st.n_classes] = addr;
    st.n_classes += 1;
    out.extend_from_slice(cls.name_bytes());
    let n = cls.n_children as usize;
    if n == 0 {
        out.extend_from_slice(b" {}");
    } else {
        out.extend_from_slice(b" { ");
        list_of(out, 0..n, |out, i| {
            // SAFETY: `i < n_children` of a Class descriptor, and the
            // instance has one slot per field.
            let (name, fd, f) = unsafe { (cls.child_name(i), cls.child(i), class_field(slot, i)) };
            out.extend_from_slice(name);
            out.extend_from_slice(b": ");
            value(out, f, fd, true, st);
        });
        out.extend_from_slice(b" }");
    }
    st.n_classes -= 1;
}
