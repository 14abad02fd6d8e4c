//! Value representation: the Cranelift type of each Plat type, the 64-bit
//! slot encoding used inside heap objects, and the type descriptors
//! (`PlatShape`, docs/runtime-abi.md) emitted as read-only data.

use cranelift_codegen::ir::{types, InstBuilder, Type, Value};
use cranelift_module::{DataId, Linkage, Module};

use super::function::FunctionCx;
use super::{ModuleCx, Target};
use crate::hir::{AdtKind, FloatWidth, IntWidth, Program, Ty};

/// Known to compiler: `PlatShape.kind` values (runtime/src/gc/shape.rs).
mod kind {
    pub const CLASS: u32 = 3;
    pub const ENUM: u32 = 4;
    pub const LIST: u32 = 5;
    pub const DICT: u32 = 6;
    pub const SET: u32 = 7;
    pub const TASK: u32 = 10;
    pub const FUNCTION: u32 = 11;
    pub const OPAQUE: u32 = 12;
    pub const CHANNEL: u32 = 13;
}

/// Byte offsets in objects (docs/runtime-abi.md).
pub mod layout {
    /// First field of a class instance.
    pub const FIELDS: i32 = 8;
    /// Tag of an enum value.
    pub const TAG: i32 = 8;
    /// First payload slot of an enum value.
    pub const PAYLOAD: i32 = 16;
    /// `len` of a list.
    pub const LIST_LEN: i32 = 8;
    /// `writer` of a list: the owner's `ctx` (bit 0: a runtime mutation
    /// is in progress).
    pub const LIST_WRITER: i32 = 16;
    /// `data` of a list.
    pub const LIST_DATA: i32 = 24;
    /// The capacity word of a list's buffer, relative to `data`.
    pub const BUFFER_CAP: i32 = -8;
    /// `vtable` in a `PlatShape`.
    pub const SHAPE_VTABLE: i32 = 56;
    /// `byte_len` of a string.
    pub const STR_BYTE_LEN: usize = 8;
    /// `char_len` of a string.
    pub const STR_CHAR_LEN: usize = 16;
    /// `data` of a string: null for inline bytes (every literal).
    pub const STR_DATA: usize = 24;
    /// The inline bytes of a string (the header's size).
    pub const STR_INLINE: usize = 32;
}

/// The Cranelift type of a value of type `ty` (after substitution);
/// `None` for types without a runtime value (Unit, Never).
pub fn value_type(program: &Program, ty: &Ty) -> Option<Type> {
    match ty {
        Ty::Bool => Some(types::I8),
        Ty::Int(IntWidth::W8) => Some(types::I8),
        Ty::Int(IntWidth::W16) => Some(types::I16),
        Ty::Int(IntWidth::W32) => Some(types::I32),
        Ty::Int(IntWidth::W64) => Some(types::I64),
        Ty::Float(FloatWidth::W32) => Some(types::F32),
        Ty::Float(FloatWidth::W64) => Some(types::F64),
        Ty::Newtype(id) => match &program.adt(*id).kind {
            AdtKind::Newtype { inner } => value_type(program, inner),
            _ => None,
        },
        Ty::String
        | Ty::List(_)
        | Ty::Dict(..)
        | Ty::Set(_)
        | Ty::Adt(..)
        | Ty::Fn(..)
        | Ty::Task(_)
        | Ty::Channel(_)
        | Ty::Atomic(_)
        | Ty::Sync(_)
        | Ty::Scope => Some(types::I64),
        Ty::Unit | Ty::Never | Ty::Error | Ty::Param(_) => None,
    }
}

/// Whether values of `ty` are heap pointers (for the collector's maps).
fn is_pointer(program: &Program, ty: &Ty) -> bool {
    match ty {
        Ty::String
        | Ty::List(_)
        | Ty::Dict(..)
        | Ty::Set(_)
        | Ty::Adt(..)
        | Ty::Fn(..)
        | Ty::Task(_)
        | Ty::Channel(_)
        | Ty::Atomic(_)
        | Ty::Sync(_) => true,
        Ty::Newtype(id) => match &program.adt(*id).kind {
            AdtKind::Newtype { inner } => is_pointer(program, inner),
            _ => false,
        },
        _ => false,
    }
}

/// The collector's bitmap of which slots of a fixed object hold pointers:
/// bit `i % 64` of word `i / 64` for slot `i`.
fn pointer_map(program: &Program, slots: &[Ty]) -> Vec<u64> {
    let mut words = Vec::new();
    for (i, t) in slots.iter().enumerate() {
        if is_pointer(program, t) {
            if words.len() <= i / 64 {
                words.resize(i / 64 + 1, 0u64);
            }
            words[i / 64] |= 1 << (i % 64);
        }
    }
    words
}

/// A type with newtypes replaced by what they wrap (same representation).
pub fn representation(program: &Program, ty: &Ty) -> Ty {
    match ty {
        Ty::Newtype(id) => match &program.adt(*id).kind {
            AdtKind::Newtype { inner } => representation(program, inner),
            _ => ty.clone(),
        },
        _ => ty.clone(),
    }
}

impl FunctionCx<'_, '_> {
    /// Encodes a value as a 64-bit slot.
    pub fn encode_slot(&mut self, v: Option<Value>) -> Value {
        let Some(v) = v else {
            return self.b.ins().iconst(types::I64, 0);
        };
        match self.b.func.dfg.value_type(v) {
            types::I64 => v,
            types::F64 => self.b.ins().bitcast(types::I64, self.plain, v),
            types::F32 => {
                let bits = self.b.ins().bitcast(types::I32, self.plain, v);
                self.b.ins().uextend(types::I64, bits)
            }
            _ => self.b.ins().sextend(types::I64, v),
        }
    }

    /// Decodes a 64-bit slot as a value of type `ty` (concrete).
    pub fn decode_slot(&mut self, slot: Value, ty: &Ty) -> Option<Value> {
        let t = value_type(self.cx.program, ty)?;
        Some(match t {
            types::I64 => slot,
            types::F64 => self.b.ins().bitcast(types::F64, self.plain, slot),
            types::F32 => {
                let bits = self.b.ins().ireduce(types::I32, slot);
                self.b.ins().bitcast(types::F32, self.plain, bits)
            }
            t => self.b.ins().ireduce(t, slot),
        })
    }

    /// Loads the slot at `offset` of `object`, decoded as `ty`.
    pub fn load_slot(&mut self, object: Value, offset: i32, ty: &Ty) -> Option<Value> {
        let slot = self.b.ins().load(types::I64, self.trusted, object, offset);
        self.decode_slot(slot, ty)
    }

    /// Stores `v` as the slot at `offset` of `object`.
    pub fn store_slot(&mut self, object: Value, offset: i32, v: Option<Value>) {
        let slot = self.encode_slot(v);
        self.b.ins().store(self.trusted, slot, object, offset);
    }

    /// The address of the descriptor of (concrete) type `ty`.
    pub fn desc_value(&mut self, ty: &Ty) -> Value {
        let id = self.cx.desc(ty);
        let gv = self.cx.module.declare_data_in_func(id, self.b.func);
        self.b.ins().symbol_value(types::I64, gv)
    }
}

impl ModuleCx<'_> {
    /// A runtime-provided static (scalar descriptors, the string shape).
    fn runtime_data(&mut self, name: &str) -> DataId {
        if let Some(id) = self.imported_data.get(name) {
            return *id;
        }
        let id = self
            .module
            .declare_data(name, Linkage::Import, false, false)
            .unwrap_or_else(|e| panic!("declaring {name}: {e}"));
        self.imported_data.insert(name.to_owned(), id);
        id
    }

    /// The descriptor of concrete type `ty`, emitted on first use.
    /// Recursive types work: the descriptor is declared (and memoised)
    /// before the descriptors it points to are made.
    pub fn desc(&mut self, ty: &Ty) -> DataId {
        let ty = representation(self.program, ty);
        let scalar = match &ty {
            Ty::Bool => Some("plat_type_bool"),
            Ty::Int(IntWidth::W8) => Some("plat_type_int8"),
            Ty::Int(IntWidth::W16) => Some("plat_type_int16"),
            Ty::Int(IntWidth::W32) => Some("plat_type_int32"),
            Ty::Int(IntWidth::W64) => Some("plat_type_int64"),
            Ty::Float(FloatWidth::W32) => Some("plat_type_float32"),
            Ty::Float(FloatWidth::W64) => Some("plat_type_float64"),
            Ty::String => Some("plat_shape_string"),
            // No value ever has type Never (or Unit's single value is 0).
            Ty::Unit | Ty::Never => Some("plat_type_unit"),
            // Code generation sees checked programs with every type
            // parameter substituted: a descriptor that stood in for one
            // would make the runtime misread values.
            Ty::Error | Ty::Param(_) | Ty::Newtype(_) => {
                panic!("internal error: descriptor of the unresolved type {ty:?}")
            }
            _ => None,
        };
        if let Some(name) = scalar {
            return self.runtime_data(name);
        }
        if let Some(id) = self.descs.get(&ty) {
            return *id;
        }
        let id = self.declare_object("plat_type");
        self.descs.insert(ty.clone(), id);
        let shown = self.program.show(&ty);
        let mut d = ShapeBuilder::default();
        match &ty {
            // Values are task handles (runtime memory without a header).
            Ty::Task(t) => d.set(kind::TASK, 0, vec![self.desc(t)]),
            // Values are closure objects, each described by its own
            // header (an environment descriptor, see `env_desc`).
            Ty::Fn(..) => d.set(kind::FUNCTION, 0, Vec::new()),
            // A runtime scope: never a user value, but captured by spawn
            // bodies, so environments describe it.
            Ty::Scope => d.set(kind::OPAQUE, 0, Vec::new()),
            // The header of channel objects too (`plat_chan_new`):
            // children [T], the buffer's element type.
            Ty::Channel(t) => d.set(kind::CHANNEL, 0, vec![self.desc(t)]),
            // Runtime objects with headers of their own (kind Sync):
            // this descriptor only names the type for printing.
            Ty::Atomic(_) | Ty::Sync(_) => d.set(kind::OPAQUE, 0, Vec::new()),
            Ty::List(t) => d.set(kind::LIST, 0, vec![self.desc(t)]),
            Ty::Set(t) => d.set(kind::SET, 0, vec![self.desc(t)]),
            Ty::Dict(k, v) => {
                let k = self.desc(k);
                let v = self.desc(v);
                d.set(kind::DICT, 0, vec![k, v]);
            }
            Ty::Adt(adt, args) => match &self.program.adt(*adt).kind {
                AdtKind::Class { parent, vtable, .. } => {
                    let generics = self.program.adt(*adt).generics.clone();
                    let fields = self.program.class_fields(*adt, args);
                    let children = fields.iter().map(|(_, t)| self.desc(t)).collect();
                    d.set(kind::CLASS, fields.len() as u64, children);
                    let tys: Vec<Ty> = fields.iter().map(|(_, t)| t.clone()).collect();
                    d.ptr_map = pointer_map(self.program, &tys);
                    d.child_names = fields.iter().map(|(n, _)| n.clone()).collect();
                    d.parent = parent
                        .as_ref()
                        .map(|p| self.desc(&crate::hir::subst_params(p, &generics, args)));
                    d.vtable = vtable
                        .clone()
                        .iter()
                        .map(|e| {
                            let targs: Vec<Ty> = e
                                .type_args
                                .iter()
                                .map(|t| crate::hir::subst_params(t, &generics, args))
                                .collect();
                            self.instance(e.func, targs)
                        })
                        .collect();
                }
                AdtKind::Enum { variants } => {
                    let generics = self.program.adt(*adt).generics.clone();
                    let variants = variants.clone();
                    let mut vs = Vec::new();
                    for v in &variants {
                        let fields: Vec<DataId> = v
                            .fields
                            .iter()
                            .map(|f| self.desc(&crate::hir::subst_params(f, &generics, args)))
                            .collect();
                        vs.push(self.variant_desc(&v.name, &fields));
                    }
                    d.set(kind::ENUM, 0, vs);
                }
                AdtKind::Newtype { .. } => {
                    unreachable!("newtypes are replaced by their representation")
                }
            },
            _ => unreachable!("no descriptor kind for {ty:?}"),
        }
        self.define_shape(id, &shown, d);
        id
    }

    /// The descriptor of an environment (see `ModuleCx::closure_desc`)
    /// named `name`, which is how the runtime renders the closure
    /// (`<NAME>`): `closure` for a closure or spawn body, `fn f` for the
    /// named function `f` used as a value.
    pub fn env_desc(&mut self, captures: &[Ty], name: &str) -> DataId {
        let key = (captures.to_vec(), name.to_owned());
        if let Some(id) = self.env_descs.get(&key) {
            return *id;
        }
        let id = self.declare_object("plat_env");
        self.env_descs.insert(key, id);
        let mut fields = vec![Ty::INT64];
        fields.extend(captures.iter().cloned());
        let mut d = ShapeBuilder::default();
        let children = fields.iter().map(|t| self.desc(t)).collect();
        d.set(kind::CLASS, fields.len() as u64, children);
        d.child_names = std::iter::once("code".to_owned())
            .chain((0..captures.len()).map(|i| format!("capture{i}")))
            .collect();
        d.ptr_map = pointer_map(self.program, &fields);
        self.define_shape(id, name, d);
        id
    }

    /// A `PlatVariant`: name, field count, field descriptors.
    fn variant_desc(&mut self, name: &str, fields: &[DataId]) -> DataId {
        let name_id = self.c_string(name);
        let mut addrs = vec![(0, Target::Data(name_id))];
        if let Some(f) = self.pointer_array(fields) {
            addrs.push((16, Target::Data(f)));
        }
        let bytes = make_bytes(24, &[(8, fields.len() as u64)]);
        self.static_object("plat_variant", bytes, &addrs)
    }

    /// A read-only array of data pointers, or `None` when empty.
    fn pointer_array(&mut self, items: &[DataId]) -> Option<DataId> {
        if items.is_empty() {
            return None;
        }
        let addrs: Vec<(u32, Target)> = items
            .iter()
            .enumerate()
            .map(|(i, item)| (8 * i as u32, Target::Data(*item)))
            .collect();
        Some(self.static_object("plat_ptrs", vec![0; 8 * items.len()], &addrs))
    }

    fn define_shape(&mut self, id: DataId, name: &str, d: ShapeBuilder) {
        let name_id = self.c_string(name);
        let children = self.pointer_array(&d.children);
        let names: Vec<DataId> = d.child_names.iter().map(|n| self.c_string(n)).collect();
        let names = self.pointer_array(&names);
        let ptr_map = (!d.ptr_map.is_empty()).then(|| {
            let bytes = d.ptr_map.iter().flat_map(|w| w.to_le_bytes()).collect();
            self.static_object("plat_ptrmap", bytes, &[])
        });
        let vtable = (!d.vtable.is_empty()).then(|| {
            let addrs: Vec<(u32, Target)> = d
                .vtable
                .iter()
                .enumerate()
                .map(|(i, f)| (8 * i as u32, Target::Func(*f)))
                .collect();
            self.static_object("plat_vtable", vec![0; 8 * d.vtable.len()], &addrs)
        });
        let bytes = make_bytes(
            72,
            &[
                (0, u64::from(d.kind)),
                (8, d.payload_words),
                (32, d.children.len() as u64),
            ],
        );
        let addrs: Vec<(u32, Target)> = [
            (16, ptr_map),
            (24, Some(name_id)),
            (40, children),
            (48, names),
            (56, vtable),
            (64, d.parent),
        ]
        .into_iter()
        .filter_map(|(offset, t)| t.map(|t| (offset, Target::Data(t))))
        .collect();
        self.define_object(id, bytes, &addrs);
    }
}

/// The parts of a `PlatShape` before they are laid out.
#[derive(Default)]
struct ShapeBuilder {
    kind: u32,
    payload_words: u64,
    ptr_map: Vec<u64>,
    children: Vec<DataId>,
    child_names: Vec<String>,
    vtable: Vec<cranelift_module::FuncId>,
    parent: Option<DataId>,
}

impl ShapeBuilder {
    fn set(&mut self, kind: u32, payload_words: u64, children: Vec<DataId>) {
        self.kind = kind;
        self.payload_words = payload_words;
        self.children = children;
    }
}

/// `len` zero bytes with little-endian words written at the given offsets.
fn make_bytes(len: usize, words: &[(usize, u64)]) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    for (offset, value) in words {
        bytes[*offset..*offset + 8].copy_from_slice(&value.to_le_bytes());
    }
    bytes
}
