//! Lists, dicts and sets: literals, indexing, `for` loops over lists, and
//! the built-in methods, as calls into `runtime/src/collections/` with
//! values passed as slots.

use cranelift_codegen::ir::{
    condcodes::IntCC, types, BlockArg, InstBuilder, StackSlotData, StackSlotKind, Value,
};

use super::function::FunctionCx;
use super::types::layout;
use crate::hir::{self, Builtin, Ty};
use crate::mir::{self, Expr};
use crate::source::Span;

/// Bytes per list element: `plat_abi::kind::list_elem_width` of the
/// element type's descriptor kind (the runtime uses the same rule); only
/// the narrow scalars' kinds matter, every other type takes a slot.
pub fn elem_width(program: &crate::hir::Program, ty: &Ty) -> u32 {
    use plat_abi::kind;
    let k = match super::types::representation(program, ty) {
        Ty::Bool => kind::BOOL,
        Ty::Int(hir::IntWidth::W8) => kind::INT8,
        Ty::Int(hir::IntWidth::W16) => kind::INT16,
        Ty::Int(hir::IntWidth::W32) => kind::INT32,
        Ty::Float(hir::FloatWidth::W32) => kind::FLOAT32,
        _ => kind::INT64,
    };
    kind::list_elem_width(k) as u32
}

/// The element type of a concrete `List[T]`/`Set[T]`, or key/value of a Dict.
pub(super) fn elem(ty: &Ty) -> Ty {
    match ty {
        Ty::List(t) | Ty::Set(t) => (**t).clone(),
        _ => Ty::Error,
    }
}

impl FunctionCx<'_, '_> {
    pub fn list_literal(&mut self, items: &[Expr], ty: &Ty) -> Value {
        let values: Vec<Option<Value>> = items.iter().map(|e| self.expr(e)).collect();
        let desc = self.desc_value(ty);
        let cap = self.b.ins().iconst(types::I64, values.len() as i64);
        let list = self
            .call_runtime("plat_list_new", &[desc, cap])
            .expect("plat_list_new returns a list");
        // The new list has a buffer of exactly `n` elements and no other
        // task can see it yet: store the items, then the length.
        let elem_ty = elem(ty);
        let n = values.len() as i64;
        if n > 0 {
            let data = self.list_data(list);
            let width = i64::from(elem_width(self.cx.program, &elem_ty));
            for (k, v) in values.into_iter().enumerate() {
                let slot = self.encode_slot(v);
                let addr = self.b.ins().iadd_imm_s(data, k as i64 * width);
                self.store_elem(slot, addr, &elem_ty);
            }
            let len = self.b.ins().iconst(types::I64, n);
            self.b
                .ins()
                .store(self.trusted, len, list, layout::LIST_LEN);
        }
        list
    }

    pub fn set_literal(&mut self, items: &[Expr], ty: &Ty) -> Value {
        let values: Vec<Option<Value>> = items.iter().map(|e| self.expr(e)).collect();
        let desc = self.desc_value(ty);
        let set = self
            .call_runtime("plat_set_new", &[desc])
            .expect("plat_set_new returns a set");
        for v in values {
            let slot = self.encode_slot(v);
            self.call_runtime("plat_set_add", &[set, slot]);
        }
        set
    }

    pub fn dict_literal(&mut self, entries: &[(Expr, Expr)], ty: &Ty) -> Value {
        let values: Vec<(Option<Value>, Option<Value>)> = entries
            .iter()
            .map(|(k, v)| (self.expr(k), self.expr(v)))
            .collect();
        let desc = self.desc_value(ty);
        let dict = self
            .call_runtime("plat_dict_new", &[desc])
            .expect("plat_dict_new returns a dict");
        for (k, v) in values {
            let (k, v) = (self.encode_slot(k), self.encode_slot(v));
            self.call_runtime("plat_dict_set", &[dict, k, v]);
        }
        dict
    }

    /// Sign-extends an integer index to 64 bits.
    pub(super) fn index64(&mut self, v: Value) -> Value {
        if self.b.func.dfg.value_type(v) == types::I64 {
            v
        } else {
            self.b.ins().sextend(types::I64, v)
        }
    }

    /// `xs[i]`: bounds-checked inline; `Some(element)` or `None`.
    pub fn index(&mut self, list: &Expr, index: &Expr, ty: &Ty) -> Option<Value> {
        let elem_ty = elem(&list.ty);
        let l = self.expr(list)?;
        let i = self.expr(index)?;
        let i = self.index64(i);
        let (len, data) = self.list_bound_of(list, l);
        let (found, slot) = self.list_lookup_in(len, data, i, &elem_ty);
        let opt_ty = ty;
        Some(self.option_from(found, slot, opt_ty))
    }

    /// `xs.push(value =)`: appends in place when this task owns the list
    /// (its writer word is our `ctx`) and the buffer it loads has room;
    /// the runtime takes ownership or grows the buffer otherwise (known to
    /// compiler: docs/runtime-abi.md, "Lists"). The room is checked
    /// against the capacity word of the very buffer the element is stored
    /// into, so a racing growth can lose this element but never make the
    /// store land outside a buffer.
    fn list_push(&mut self, l: Value, slot: Value, elem_ty: &Ty) {
        let f = self.trusted;
        let owned = self.b.create_block();
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let raced = self.b.create_block();
        let done = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.set_cold_block(raced);
        let owner = self.b.ins().load(types::I64, f, l, layout::LIST_WRITER);
        let mine = self.b.ins().icmp(IntCC::Equal, owner, self.ctx);
        self.b.ins().brif(mine, owned, &[], slow, &[]);
        self.b.switch_to_block(owned);
        let len = self.list_len(l);
        let data = self.list_data(l);
        let cap = self.b.ins().load(types::I64, f, data, layout::BUFFER_CAP);
        let room = self.b.ins().icmp(IntCC::UnsignedLessThan, len, cap);
        self.b.ins().brif(room, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        let addr = self.elem_addr_in(data, len, elem_ty);
        self.store_elem(slot, addr, elem_ty);
        let len1 = self.b.ins().iadd_imm_s(len, 1);
        self.b.ins().store(f, len1, l, layout::LIST_LEN);
        // Still the owner? If another task claimed the list since the
        // first load, its mutation overlapped this append (which it may
        // have undone): a concurrent mutation.
        let after = self.b.ins().load(types::I64, f, l, layout::LIST_WRITER);
        let kept = self.b.ins().icmp(IntCC::Equal, after, self.ctx);
        self.b.ins().brif(kept, done, &[], raced, &[]);
        self.b.switch_to_block(raced);
        self.call_runtime("plat_list_push_raced", &[l]);
        self.b.switch_to_block(slow);
        self.call_runtime("plat_list_push", &[l, slot]);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
    }

    /// `xs.set(index =, value =)`: a bounds check and a store; the runtime
    /// is called only to report an index out of range.
    fn list_set(
        &mut self,
        (l, len, data): (Value, Value, Value),
        i: Value,
        slot: Value,
        elem_ty: &Ty,
        span: Span,
    ) {
        let inside = self.b.ins().icmp(IntCC::UnsignedLessThan, i, len);
        let store = self.b.create_block();
        let fail = self.b.create_block();
        let done = self.b.create_block();
        self.b.set_cold_block(fail);
        self.b.ins().brif(inside, store, &[], fail, &[]);
        self.b.switch_to_block(store);
        let addr = self.elem_addr_in(data, i, elem_ty);
        self.store_elem(slot, addr, elem_ty);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(fail);
        let loc = self.location(span);
        self.call_runtime("plat_list_set", &[l, i, slot, loc]);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
    }

    /// Whether `e` is a lookup whose `Option` result [`Self::option_parts`]
    /// can give without allocating.
    pub fn is_lookup(e: &Expr) -> bool {
        matches!(
            e.kind,
            mir::ExprKind::Index { .. }
                | mir::ExprKind::Builtin {
                    op: Builtin::ListGet | Builtin::DictGet,
                    ..
                }
        )
    }

    /// For `xs[i]`, `xs.get(index =)` and `d.get(key =)`: whether the value
    /// is there (`i8`) and its slot (0 when it is not), without building
    /// the `Option`. Only for expressions where [`Self::is_lookup`] holds.
    pub fn option_parts(&mut self, e: &Expr) -> Option<(Value, Value)> {
        match &e.kind {
            mir::ExprKind::Index { list, index } => {
                let elem_ty = elem(&list.ty);
                let l = self.expr(list)?;
                let i = self.expr(index)?;
                let i = self.index64(i);
                let (len, data) = self.list_bound_of(list, l);
                Some(self.list_lookup_in(len, data, i, &elem_ty))
            }
            mir::ExprKind::Builtin { op, args } => {
                let recv_expr = args.first()?.as_ref()?;
                let elem_ty = elem(&recv_expr.ty);
                let recv = self.expr(recv_expr)?;
                let key = args.get(1)?.as_ref()?;
                let k = self.expr(key);
                if *op == Builtin::ListGet {
                    let i = self.index64(k?);
                    let (len, data) = self.list_bound_of(recv_expr, recv);
                    return Some(self.list_lookup_in(len, data, i, &elem_ty));
                }
                let k = self.encode_slot(k);
                let out = self.out_slot();
                let found = self.call_runtime("plat_dict_get", &[recv, k, out])?;
                let slot = self.b.ins().load(types::I64, self.trusted, out, 0);
                Some((found, slot))
            }
            _ => None,
        }
    }

    /// Bounds-checked load of element `i` of the list view `(len, data)`:
    /// (in range, slot).
    pub(super) fn list_lookup_in(
        &mut self,
        len: Value,
        data: Value,
        i: Value,
        elem_ty: &Ty,
    ) -> (Value, Value) {
        let inside = self.b.ins().icmp(IntCC::UnsignedLessThan, i, len);
        let load = self.b.create_block();
        let merge = self.b.create_block();
        let slot = self.b.append_block_param(merge, types::I64);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b
            .ins()
            .brif(inside, load, &[], merge, &[BlockArg::Value(zero)]);
        self.b.switch_to_block(load);
        let addr = self.elem_addr_in(data, i, elem_ty);
        let v = self.load_elem(addr, elem_ty);
        self.b.ins().jump(merge, &[BlockArg::Value(v)]);
        self.b.switch_to_block(merge);
        (inside, slot)
    }

    /// The address of element `i` in the buffer whose first element is
    /// `data`.
    pub(super) fn elem_addr_in(&mut self, data: Value, i: Value, elem_ty: &Ty) -> Value {
        let shift = elem_width(self.cx.program, elem_ty).trailing_zeros();
        let offset = if shift == 0 {
            i
        } else {
            self.b.ins().ishl_imm_s(i, i64::from(shift))
        };
        self.b.ins().iadd(data, offset)
    }

    /// A list's `data` word: the first element of its current buffer
    /// (never null).
    pub(super) fn list_data(&mut self, l: Value) -> Value {
        self.b
            .ins()
            .load(types::I64, self.trusted, l, layout::LIST_DATA)
    }

    /// Loads an element as a slot: narrow integers sign-extended, Bool and
    /// Float32 bits zero-extended.
    pub(super) fn load_elem(&mut self, addr: Value, elem_ty: &Ty) -> Value {
        let ty = super::types::representation(self.cx.program, elem_ty);
        let f = self.trusted;
        match (elem_width(self.cx.program, &ty), ty) {
            (1, Ty::Bool) => self.b.ins().uload8(types::I64, f, addr, 0),
            (1, _) => self.b.ins().sload8(types::I64, f, addr, 0),
            (2, _) => self.b.ins().sload16(types::I64, f, addr, 0),
            (4, Ty::Float(_)) => self.b.ins().uload32(f, addr, 0),
            (4, _) => self.b.ins().sload32(f, addr, 0),
            _ => self.b.ins().load(types::I64, f, addr, 0),
        }
    }

    /// Loads an element as a value of its own type (`None` for Unit).
    /// Elements are stored at their value's width, so the load needs no
    /// widening and a float goes straight into a float register (as a slot
    /// it went through a general register and a `vmovq`: spectral_norm's
    /// inner loop).
    pub(super) fn load_elem_value(&mut self, addr: Value, elem_ty: &Ty) -> Option<Value> {
        let t = self.vt(elem_ty)?;
        if t.bytes() != elem_width(self.cx.program, elem_ty) {
            let slot = self.load_elem(addr, elem_ty);
            return self.decode_slot(slot, elem_ty);
        }
        Some(self.b.ins().load(t, self.trusted, addr, 0))
    }

    /// Stores a value of the element type into an element (the
    /// counterpart of [`Self::load_elem_value`]; Unit stores a zero slot).
    pub(super) fn store_elem_value(&mut self, v: Option<Value>, addr: Value, elem_ty: &Ty) {
        match v {
            Some(v)
                if self.b.func.dfg.value_type(v).bytes()
                    == elem_width(self.cx.program, elem_ty) =>
            {
                self.b.ins().store(self.trusted, v, addr, 0);
            }
            _ => {
                let slot = self.encode_slot(v);
                self.store_elem(slot, addr, elem_ty);
            }
        }
    }

    /// Stores a slot into an element, truncated to the element's width.
    pub(super) fn store_elem(&mut self, slot: Value, addr: Value, elem_ty: &Ty) {
        let f = self.trusted;
        match elem_width(self.cx.program, elem_ty) {
            1 => self.b.ins().istore8(f, slot, addr, 0),
            2 => self.b.ins().istore16(f, slot, addr, 0),
            4 => self.b.ins().istore32(f, slot, addr, 0),
            _ => self.b.ins().store(f, slot, addr, 0),
        };
    }

    /// The length of list `l`, for bounds-checking reads and `xs.set`
    /// (known to compiler: docs/runtime-abi.md, "Lists", and
    /// docs/memory-model.md). Races need no extra check here: every `len`
    /// ever stored is at most the capacity of the buffer current at that
    /// moment, buffers only grow, and on x86-64 a later load of `data`
    /// (loads are not reordered with loads, and Cranelift keeps these in
    /// program order) sees that buffer or a newer, bigger one. So an
    /// index below this length is inside any `data` loaded after it.
    pub fn list_len(&mut self, l: Value) -> Value {
        self.b
            .ins()
            .load(types::I64, self.trusted, l, layout::LIST_LEN)
    }

    /// [`Self::list_len`] and then `data` (in that order: see there).
    pub(super) fn list_bound(&mut self, l: Value) -> (Value, Value) {
        let len = self.list_len(l);
        let data = self.list_data(l);
        (len, data)
    }

    /// A stack slot for a runtime function's `out` parameter.
    pub fn out_slot(&mut self) -> Value {
        let ss =
            self.b
                .create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3));
        self.b.ins().stack_addr(types::I64, ss, 0)
    }

    /// Calls `name(args..., out) -> found` and wraps the result in an Option.
    fn call_option(&mut self, name: &'static str, args: &[Value], opt_ty: &Ty) -> Option<Value> {
        let out = self.out_slot();
        let mut all = args.to_vec();
        all.push(out);
        let found = self.call_runtime(name, &all)?;
        let slot = self.b.ins().load(types::I64, self.trusted, out, 0);
        Some(self.option_from(found, slot, opt_ty))
    }

    /// Narrows an i64 count from the runtime to Int32.
    fn narrow_i32(&mut self, v: Option<Value>) -> Option<Value> {
        v.map(|v| self.b.ins().ireduce(types::I32, v))
    }

    /// A built-in method of List, Dict or Set; `args[0]` is the receiver.
    pub fn collection_method(
        &mut self,
        op: Builtin,
        args: &[Option<Expr>],
        ret: &Ty,
        span: Span,
    ) -> Option<Value> {
        if matches!(op, Builtin::ListFilled | Builtin::ListWithCapacity) {
            return self.list_constructor(op, args, ret);
        }
        let recv_ty = (args.first()?.as_ref()?.ty).clone();
        let vals: Vec<Option<Value>> = args
            .iter()
            .map(|a| a.as_ref().and_then(|e| self.expr(e)))
            .collect();
        let recv = vals.first().copied().flatten()?;
        let arg = |i: usize| vals.get(i).copied().flatten();
        let slot = |fx: &mut Self, i: usize| fx.encode_slot(arg(i));
        use Builtin::*;
        match op {
            ListLen => {
                let n = match args
                    .first()
                    .and_then(Option::as_ref)
                    .and_then(|e| self.view_of(e))
                {
                    Some((len, _)) => len,
                    None => self.list_len(recv),
                };
                self.narrow_i32(Some(n))
            }
            ListPush => {
                let s = slot(self, 1);
                self.list_push(recv, s, &elem(&recv_ty));
                None
            }
            ListSet => {
                let i = self.index64(arg(1)?);
                let s = slot(self, 2);
                let recv_expr = args.first()?.as_ref()?;
                let (len, data) = self.list_bound_of(recv_expr, recv);
                self.list_set((recv, len, data), i, s, &elem(&recv_ty), span);
                None
            }
            ListInsertAt => {
                let i = self.index64(arg(1)?);
                let s = slot(self, 2);
                let loc = self.location(span);
                let name = if op == ListSet {
                    "plat_list_set"
                } else {
                    "plat_list_insert_at"
                };
                self.call_runtime(name, &[recv, i, s, loc])
            }
            ListCount => {
                let s = slot(self, 1);
                let n = self.call_runtime("plat_list_count", &[recv, s]);
                self.narrow_i32(n)
            }
            ListSlice => {
                let a = self.index64(arg(1)?);
                let b = self.index64(arg(2)?);
                self.call_runtime("plat_list_slice", &[recv, a, b])
            }
            ListClear => self.call_runtime("plat_list_clear", &[recv]),
            ListGet | ListRemoveAt => {
                let i = self.index64(arg(1)?);
                let name = if op == ListGet {
                    "plat_list_get"
                } else {
                    "plat_list_remove_at"
                };
                self.call_option(name, &[recv, i], ret)
            }
            ListPop => self.call_option("plat_list_pop", &[recv], ret),
            ListIndexOf => {
                let s = slot(self, 1);
                let i = self.call_runtime("plat_list_index_of", &[recv, s])?;
                let found = self
                    .b
                    .ins()
                    .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, i, 0);
                Some(self.option_from(found, i, ret))
            }
            ListContains => {
                let s = slot(self, 1);
                self.call_runtime("plat_list_contains", &[recv, s])
            }
            ListConcat => self.call_runtime("plat_list_concat", &[recv, arg(1)?]),
            ListSort => self.call_runtime("plat_list_sort", &[recv]),
            ListSortBy => {
                let ctx = self.ctx;
                self.call_runtime("plat_list_sort_by", &[ctx, recv, arg(1)?])
            }
            ListReverse => self.call_runtime("plat_list_reverse", &[recv]),
            ListFirst => {
                let zero = self.b.ins().iconst(types::I64, 0);
                let (len, data) = self.list_bound(recv);
                let (found, slot) = self.list_lookup_in(len, data, zero, &elem(&recv_ty));
                Some(self.option_from(found, slot, ret))
            }
            ListLast => self.call_option("plat_list_last", &[recv], ret),
            ListIsEmpty => {
                let n = self.list_len(recv);
                Some(self.b.ins().icmp_imm_s(IntCC::Equal, n, 0))
            }
            ListExtend => self.call_runtime("plat_list_extend", &[recv, arg(1)?]),
            ListMin | ListMax => {
                let max = self.b.ins().iconst(types::I8, i64::from(op == ListMax));
                self.call_option("plat_list_min_max", &[recv, max], ret)
            }
            ListJoin => self.call_runtime("plat_list_join", &[recv, arg(1)?]),
            DictGet => {
                let k = slot(self, 1);
                self.call_option("plat_dict_get", &[recv, k], ret)
            }
            DictGetOr => {
                let k = slot(self, 1);
                let out = self.out_slot();
                let found = self.call_runtime("plat_dict_get", &[recv, k, out])?;
                let got = self.b.ins().load(types::I64, self.trusted, out, 0);
                let d = slot(self, 2);
                let chosen = self.b.ins().select(found, got, d);
                self.decode_slot(chosen, ret)
            }
            DictSet => {
                let (k, v) = (slot(self, 1), slot(self, 2));
                self.call_runtime("plat_dict_set", &[recv, k, v])
            }
            DictRemove => {
                let k = slot(self, 1);
                self.call_option("plat_dict_remove", &[recv, k], ret)
            }
            DictHasKey | DictHasValue => {
                let s = slot(self, 1);
                let name = if op == DictHasKey {
                    "plat_dict_has_key"
                } else {
                    "plat_dict_has_value"
                };
                self.call_runtime(name, &[recv, s])
            }
            DictKeys | DictValues => {
                let desc = self.desc_value(ret);
                let name = if op == DictKeys {
                    "plat_dict_keys"
                } else {
                    "plat_dict_values"
                };
                self.call_runtime(name, &[recv, desc])
            }
            DictMerge => self.call_runtime("plat_dict_merge", &[recv, arg(1)?]),
            DictLen => {
                let n = self.call_runtime("plat_dict_len", &[recv]);
                self.narrow_i32(n)
            }
            DictClear => self.call_runtime("plat_dict_clear", &[recv]),
            SetAdd | SetRemove | SetContains => {
                let s = slot(self, 1);
                let name = match op {
                    SetAdd => "plat_set_add",
                    SetRemove => "plat_set_remove",
                    _ => "plat_set_contains",
                };
                self.call_runtime(name, &[recv, s])
            }
            SetLen => {
                let n = self.call_runtime("plat_set_len", &[recv]);
                self.narrow_i32(n)
            }
            SetClear => self.call_runtime("plat_set_clear", &[recv]),
            SetUnion | SetIntersection | SetDifference | SetIsSubsetOf | SetIsSupersetOf
            | SetIsDisjointFrom => {
                let name = match op {
                    SetUnion => "plat_set_union",
                    SetIntersection => "plat_set_intersection",
                    SetDifference => "plat_set_difference",
                    SetIsSubsetOf => "plat_set_is_subset_of",
                    SetIsSupersetOf => "plat_set_is_superset_of",
                    _ => "plat_set_is_disjoint_from",
                };
                self.call_runtime(name, &[recv, arg(1)?])
            }
            SetToList => {
                let list_ty = Ty::List(Box::new(elem(&recv_ty)));
                let desc = self.desc_value(&list_ty);
                self.call_runtime("plat_set_to_list", &[recv, desc])
            }
            _ => unreachable!("not a collection method: {op:?}"),
        }
    }

    /// `List.filled(length =, value =)` and `List.with_capacity(capacity
    /// =)`: the list's type is the result's.
    fn list_constructor(&mut self, op: Builtin, args: &[Option<Expr>], ret: &Ty) -> Option<Value> {
        let n = self.expr(args.first()?.as_ref()?)?;
        let n = self.index64(n);
        let desc = self.desc_value(ret);
        if op == Builtin::ListWithCapacity {
            return self.call_runtime("plat_list_with_capacity", &[desc, n]);
        }
        let v = args.get(1)?.as_ref().and_then(|v| self.expr(v));
        let slot = self.encode_slot(v);
        self.call_runtime("plat_list_filled", &[desc, n, slot])
    }

    /// `s.split(delimiter =)` and `s.parse_*()`.
    pub fn string_collection_method(
        &mut self,
        op: Builtin,
        args: &[Option<Expr>],
        ret: &Ty,
    ) -> Option<Value> {
        let vals: Vec<Value> = args.iter().flatten().map(|a| self.expr_value(a)).collect();
        let s = *vals.first()?;
        if op == Builtin::StrSplit {
            let desc = self.desc_value(ret);
            return self.call_runtime("plat_str_split", &[s, *vals.get(1)?, desc]);
        }
        let ok_ty = match &ret {
            Ty::Adt(_, args) => args.first().cloned().unwrap_or(Ty::Error),
            _ => Ty::Error,
        };
        let name = match ok_ty {
            Ty::Int(hir::IntWidth::W32) => "plat_str_parse_int",
            Ty::Int(_) => "plat_str_parse_int64",
            Ty::Float(_) => "plat_str_parse_float",
            _ => "plat_str_parse_bool",
        };
        let out = self.out_slot();
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.ins().store(self.trusted, zero, out, 0);
        let err = self.out_slot();
        let ok = self.call_runtime(name, &[s, out, err])?;
        let okb = self.b.create_block();
        let errb = self.b.create_block();
        let merge = self.b.create_block();
        let result = self.b.append_block_param(merge, types::I64);
        self.b.ins().brif(ok, okb, &[], errb, &[]);
        self.b.switch_to_block(okb);
        // parse_bool writes one byte; the slot was zeroed first.
        let raw = self.b.ins().load(types::I64, self.trusted, out, 0);
        let obj = self.alloc_object(ret, 2);
        let tag = self.b.ins().iconst(types::I64, 0);
        self.b.ins().store(self.trusted, tag, obj, layout::TAG);
        self.b.ins().store(self.trusted, raw, obj, layout::PAYLOAD);
        self.b.ins().jump(merge, &[BlockArg::Value(obj)]);
        self.b.switch_to_block(errb);
        let e = self.b.ins().load(types::I64, self.trusted, err, 0);
        let eobj = self.variant_of(1, vec![Some(e)], ret);
        self.b.ins().jump(merge, &[BlockArg::Value(eobj)]);
        self.b.switch_to_block(merge);
        Some(result)
    }
}
