//! Test helpers: type descriptors and values built the way the compiler
//! emits them (descriptors as data that lives forever, here leaked).

use std::ffi::{c_char, CString};

use crate::gc::heap;
use crate::gc::shape::{PlatShape, PlatVariant, ShapeKind};

fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

fn cstr(s: &str) -> *const c_char {
    CString::new(s).expect("no NUL").into_raw()
}

fn children(kids: &[&'static PlatShape]) -> *const *const PlatShape {
    let v: Vec<*const PlatShape> = kids.iter().map(|k| *k as *const PlatShape).collect();
    Box::leak(v.into_boxed_slice()).as_ptr()
}

fn shape(kind: ShapeKind, name: &str, kids: &[&'static PlatShape]) -> PlatShape {
    PlatShape {
        kind: kind as u32,
        flags: 0,
        payload_words: 0,
        ptr_map: std::ptr::null(),
        name: cstr(name),
        n_children: kids.len() as u64,
        children: children(kids),
        child_names: std::ptr::null(),
        vtable: std::ptr::null(),
        parent: std::ptr::null(),
    }
}

/// `List[elem]`.
pub fn list_of(elem: &'static PlatShape) -> &'static PlatShape {
    leak(shape(ShapeKind::List, "List", &[elem]))
}

/// `Dict[k, v]`.
pub fn dict_of(k: &'static PlatShape, v: &'static PlatShape) -> &'static PlatShape {
    leak(shape(ShapeKind::Dict, "Dict", &[k, v]))
}

/// `Set[t]`.
pub fn set_of(t: &'static PlatShape) -> &'static PlatShape {
    leak(shape(ShapeKind::Set, "Set", &[t]))
}

/// An enum with the given variants (name, payload types).
pub fn enum_of(name: &str, variants: &[(&str, &[&'static PlatShape])]) -> &'static PlatShape {
    let vs: Vec<*const PlatShape> = variants
        .iter()
        .map(|(n, fields)| {
            let v: &'static PlatVariant = leak(PlatVariant {
                name: cstr(n),
                n_fields: fields.len() as u64,
                fields: children(fields),
            });
            v as *const PlatVariant as *const PlatShape
        })
        .collect();
    let mut s = shape(ShapeKind::Enum, name, &[]);
    s.n_children = vs.len() as u64;
    s.children = Box::leak(vs.into_boxed_slice()).as_ptr();
    leak(s)
}

/// `Option<t>`: `Some(t)` (tag 0), `None` (tag 1).
pub fn option_of(t: &'static PlatShape) -> &'static PlatShape {
    enum_of("Option", &[("Some", &[t]), ("None", &[])])
}

/// A class with the given fields (name, type).
pub fn class_of(name: &str, fields: &[(&str, &'static PlatShape)]) -> &'static PlatShape {
    let kids: Vec<&'static PlatShape> = fields.iter().map(|f| f.1).collect();
    let mut s = shape(ShapeKind::Class, name, &kids);
    s.payload_words = fields.len() as u64;
    let names: Vec<*const c_char> = fields.iter().map(|f| cstr(f.0)).collect();
    s.child_names = Box::leak(names.into_boxed_slice()).as_ptr();
    leak(s)
}

/// An enum value: `[header][tag][fields]`.
pub fn enum_value(desc: &'static PlatShape, tag: u64, fields: &[u64]) -> u64 {
    object(desc, &[&[tag], fields].concat())
}

/// A class instance: `[header][fields]`.
pub fn instance(desc: &'static PlatShape, fields: &[u64]) -> u64 {
    object(desc, fields)
}

fn object(desc: &'static PlatShape, words: &[u64]) -> u64 {
    let p = heap::alloc(8 + 8 * words.len(), desc) as *mut u64;
    // SAFETY: a fresh object with room for `words` after the header.
    unsafe { std::ptr::copy_nonoverlapping(words.as_ptr(), p.add(1), words.len()) };
    p as u64
}

/// A string slot.
pub fn s(text: &str) -> u64 {
    crate::string::from_str(text) as u64
}

/// A descriptor of kind `kind` without children (Task, Function,
/// Opaque types).
pub fn handle_type(kind: ShapeKind, name: &str) -> &'static PlatShape {
    leak(shape(kind, name, &[]))
}

/// A descriptor of kind `kind` with children `kids` (`Channel<T>`...).
pub fn handle_type_of(
    kind: ShapeKind,
    name: &str,
    kids: &[&'static PlatShape],
) -> &'static PlatShape {
    leak(shape(kind, name, kids))
}
