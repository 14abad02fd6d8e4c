//! Value representation: the Cranelift type of each Plat type, the 64-bit
//! slot encoding used inside heap objects, and the type descriptors
//! (`PlatShape`, docs/runtime-abi.md) emitted as read-only data.

use cranelift_codegen::ir::{types, InstBuilder, Type, Value};
use cranelift_module::{DataId, Linkage, Module};

use super::function::FunctionCx;
use super::{ModuleCx, Target};
use crate::hir::{AdtKind, FloatWidth, IntWidth, Program, Ty};
use plat_abi::object::{shape, variant};
use plat_abi::WORD;

/// `PlatShape.kind` values (plat_abi, the one source of the layout).
use plat_abi::kind;

/// Byte offsets in objects, as Cranelift load/store offsets (from
/// plat_abi, the one source of the layout; docs/runtime-abi.md).
pub mod layout {
    use plat_abi::object;

    /// The object's header word (its shape).
    pub const HEADER: i32 = object::HEADER as i32;
    /// Bytes of the header: payload slot 0 is at this offset.
    pub const HEADER_SIZE: i32 = object::HEADER_SIZE as i32;
    /// First field of a class instance.
    pub const FIELDS: i32 = object::class::FIELDS as i32;
    /// Tag of an enum value.
    pub const TAG: i32 = object::enumeration::TAG as i32;
    /// First payload slot of an enum value.
    pub const PAYLOAD: i32 = object::enumeration::PAYLOAD as i32;
    /// `len` of a list.
    pub const LIST_LEN: i32 = object::list::LEN as i32;
    /// `writer` of a list: the owner's `ctx` (bit 0: a runtime mutation
    /// is in progress).
    pub const LIST_WRITER: i32 = object::list::WRITER as i32;
    /// `data` of a list.
    pub const LIST_DATA: i32 = object::list::DATA as i32;
    /// The capacity word of a list's buffer, relative to `data`.
    pub const BUFFER_CAP: i32 = -(object::list::CAP_BEFORE_DATA as i32);
    /// `vtable` in a `PlatShape`.
    pub const SHAPE_VTABLE: i32 = object::shape::VTABLE as i32;
    /// `code` of a closure (environment).
    pub const ENV_CODE: i32 = object::closure::CODE as i32;
    /// The first captured slot of a closure (environment).
    pub const ENV_CAPTURES: i32 = object::closure::CAPTURES as i32;
    /// `ctx.stack_limit`.
    pub const CTX_STACK_LIMIT: i32 = plat_abi::ctx::STACK_LIMIT as i32;
    /// `ctx.poll`.
    pub const CTX_POLL: i32 = plat_abi::ctx::POLL as i32;
    /// Bytes per slot (fields, payloads, captures, vtable entries).
    pub const SLOT: i32 = plat_abi::WORD as i32;
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
        | Ty::Thread(_)
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
        | Ty::Thread(_)
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
    ///
    /// The load has the value's own type and width: a slot holds its value
    /// in its low bytes (x86-64 is little-endian; [`Self::encode_slot`]),
    /// so a Float64 field goes straight into a float register and a
    /// narrow integer needs no truncation (nbody: a general register and
    /// a `vmovq` per Float field access before).
    pub fn load_slot(&mut self, object: Value, offset: i32, ty: &Ty) -> Option<Value> {
        let t = value_type(self.cx.program, ty)?;
        Some(self.b.ins().load(t, self.trusted, object, offset))
    }

    /// Stores `v` as the slot at `offset` of `object`. A 64-bit value is
    /// stored as it is (a Float64 from its float register); a narrower
    /// one is widened so the whole slot stays canonical (the collector and
    /// structural equality read whole slots).
    pub fn store_slot(&mut self, object: Value, offset: i32, v: Option<Value>) {
        let slot = match v {
            Some(v) if self.b.func.dfg.value_type(v).bits() == 64 => v,
            _ => self.encode_slot(v),
        };
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
            Ty::Task(t) | Ty::Thread(t) => d.set(kind::TASK, 0, vec![self.desc(t)]),
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
                    // Lowering instantiated the vtable of every class
                    // type the program mentions (mir/lower.rs).
                    let slots =
                        self.mir.vtables.get(&ty).unwrap_or_else(|| {
                            panic!("internal error: no vtable lowered for {shown}")
                        });
                    debug_assert_eq!(slots.len(), vtable.len(), "{shown}");
                    d.vtable = slots.iter().map(|s| self.inst(*s)).collect();
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
        let mut addrs = vec![(variant::NAME as u32, Target::Data(name_id))];
        if let Some(f) = self.pointer_array(fields) {
            addrs.push((variant::FIELDS as u32, Target::Data(f)));
        }
        let bytes = make_bytes(variant::SIZE, &[(variant::N_FIELDS, fields.len() as u64)]);
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
            .map(|(i, item)| ((WORD * i) as u32, Target::Data(*item)))
            .collect();
        Some(self.static_object("plat_ptrs", vec![0; WORD * items.len()], &addrs))
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
                .map(|(i, f)| ((WORD * i) as u32, Target::Func(*f)))
                .collect();
            self.static_object("plat_vtable", vec![0; WORD * d.vtable.len()], &addrs)
        });
        // `kind` is a u32 followed by the u32 `flags` (0): written as one
        // little-endian word.
        let bytes = make_bytes(
            shape::SIZE,
            &[
                (shape::KIND, u64::from(d.kind)),
                (shape::PAYLOAD_WORDS, d.payload_words),
                (shape::N_CHILDREN, d.children.len() as u64),
            ],
        );
        let addrs: Vec<(u32, Target)> = [
            (shape::PTR_MAP, ptr_map),
            (shape::NAME, Some(name_id)),
            (shape::CHILDREN, children),
            (shape::CHILD_NAMES, names),
            (shape::VTABLE, vtable),
            (shape::PARENT, d.parent),
        ]
        .into_iter()
        .filter_map(|(offset, t)| t.map(|t| (offset as u32, Target::Data(t))))
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
