//! Class instances, enum values and what works on them: construction,
//! fields, virtual calls, `match`, `?`, and the `Option`/`Result` methods.
//! Layouts are in docs/runtime-abi.md (`types::layout` here).

use cranelift_codegen::ir::{condcodes::IntCC, types, BlockArg, InstBuilder, Value};
use cranelift_module::Module;

use super::function::FunctionCx;
use super::types::layout;
use crate::hir::{self, AdtId, AdtKind, Builtin, Ty};
use crate::mir::{Expr, MatchArm, Pattern};
use crate::source::Span;

impl FunctionCx<'_, '_> {
    /// Allocates `words` slots after the header, for an object of type `ty`.
    pub fn alloc_object(&mut self, ty: &Ty, words: usize) -> Value {
        let size = self.b.ins().iconst(
            types::I64,
            i64::from(layout::HEADER_SIZE) + i64::from(layout::SLOT) * words as i64,
        );
        let desc = self.desc_value(ty);
        self.call_runtime("plat_alloc", &[size, desc])
            .expect("plat_alloc returns the object")
    }

    /// A class instance with every field given (the default `init`).
    pub fn new_object(&mut self, fields: &[Expr], ty: &Ty) -> Value {
        let values: Vec<Option<Value>> = fields.iter().map(|f| self.expr(f)).collect();
        let obj = self.alloc_object(ty, values.len());
        for (i, v) in values.into_iter().enumerate() {
            self.store_slot(obj, layout::FIELDS + layout::SLOT * i as i32, v);
        }
        obj
    }

    /// A zeroed instance of class `ty`, for its `init` to fill in.
    pub fn alloc_class(&mut self, ty: &Ty) -> Value {
        let Ty::Adt(id, args) = ty else {
            unreachable!("checker: AllocObject of a class")
        };
        let n = self.cx.program.class_fields(*id, args).len();
        self.alloc_object(ty, n)
    }

    /// The type of field `index` of class type `ty` (concrete).
    fn field_ty(&self, ty: &Ty, index: u32) -> Ty {
        let Ty::Adt(id, args) = ty else {
            return Ty::Error;
        };
        self.cx
            .program
            .class_fields(*id, args)
            .get(index as usize)
            .map_or(Ty::Error, |(_, t)| t.clone())
    }

    pub fn field(&mut self, object: &Expr, index: u32) -> Option<Value> {
        let obj = self.expr(object)?;
        let ty = self.field_ty(&object.ty, index);
        self.load_slot(obj, layout::FIELDS + layout::SLOT * index as i32, &ty)
    }

    pub fn assign_field(&mut self, object: &Expr, index: u32, value: &Expr) {
        let obj = self.expr(object);
        let v = self.expr(value);
        if let Some(obj) = obj {
            self.store_slot(obj, layout::FIELDS + layout::SLOT * index as i32, v);
        }
    }

    /// The payload types of variant `tag` of concrete enum type `ty`.
    pub fn variant_fields(&self, ty: &Ty, tag: u32) -> Vec<Ty> {
        let Ty::Adt(id, args) = ty else {
            return Vec::new();
        };
        let adt = self.cx.program.adt(*id);
        match &adt.kind {
            AdtKind::Enum { variants } => variants
                .get(tag as usize)
                .map(|v| {
                    v.fields
                        .iter()
                        .map(|f| hir::subst_params(f, &adt.generics, args))
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// An enum value of variant `tag`; unit variants are static objects.
    pub fn variant(&mut self, tag: u32, fields: &[Expr], ty: &Ty) -> Value {
        let values: Vec<Option<Value>> = fields.iter().map(|f| self.expr(f)).collect();
        self.variant_of(tag, values, ty)
    }

    pub fn variant_of(&mut self, tag: u32, values: Vec<Option<Value>>, ty: &Ty) -> Value {
        if values.is_empty() {
            let id = self.cx.unit_variant(ty, tag);
            let gv = self.cx.module.declare_data_in_func(id, self.b.func);
            return self.b.ins().symbol_value(types::I64, gv);
        }
        let obj = self.alloc_object(ty, values.len() + 1);
        let t = self.b.ins().iconst(types::I64, i64::from(tag));
        self.b.ins().store(self.trusted, t, obj, layout::TAG);
        for (i, v) in values.into_iter().enumerate() {
            self.store_slot(obj, layout::PAYLOAD + layout::SLOT * i as i32, v);
        }
        obj
    }

    fn tag(&mut self, value: Value) -> Value {
        self.b
            .ins()
            .load(types::I64, self.trusted, value, layout::TAG)
    }

    pub fn virtual_call(
        &mut self,
        slot: u32,
        params: &[Ty],
        args: &[(usize, Expr)],
        ret: &Ty,
    ) -> Option<Value> {
        let mut slots: Vec<Option<Value>> = vec![None; args.len()];
        for (s, arg) in args {
            let v = self.expr(arg);
            if let Some(x) = slots.get_mut(*s) {
                *x = v;
            }
        }
        let receiver = slots.first().copied().flatten()?;
        let sig = self.cx.plat_signature(params, ret);
        let sig_ref = self.b.import_signature(sig);
        let desc = self
            .b
            .ins()
            .load(types::I64, self.trusted, receiver, layout::HEADER);
        let vtable = self
            .b
            .ins()
            .load(types::I64, self.trusted, desc, layout::SHAPE_VTABLE);
        let fptr = self
            .b
            .ins()
            .load(types::I64, self.trusted, vtable, layout::SLOT * slot as i32);
        let mut values = vec![self.ctx];
        values.extend(slots.into_iter().flatten());
        let call = self.b.ins().call_indirect(sig_ref, fptr, &values);
        self.b.inst_results(call).first().copied()
    }

    pub fn match_expr(&mut self, scrutinee: &Expr, arms: &[MatchArm], ty: &Ty) -> Option<Value> {
        let fusable = arms
            .iter()
            .all(|a| matches!(a.pattern, Pattern::Variant { .. } | Pattern::Wildcard));
        if fusable && Self::is_lookup(scrutinee) {
            return self.match_lookup(scrutinee, arms, ty);
        }
        let v = self.expr(scrutinee);
        let sty = scrutinee.ty.clone();
        let result_ty = self.vt(ty);
        let merge = self.b.create_block();
        let result = result_ty.map(|t| self.b.append_block_param(merge, t));
        for arm in arms {
            let next = self.b.create_block();
            self.pattern(&arm.pattern, v, &sty, next);
            let r = self.expr(&arm.body);
            self.jump_with(merge, r, result_ty);
            self.b.switch_to_block(next);
        }
        // The checker proved the arms exhaustive.
        self.b.ins().trap(super::function::UNREACHABLE);
        self.b.switch_to_block(merge);
        result
    }

    /// Tests `value` (of concrete type `ty`) against `pattern`, binding its
    /// variables; jumps to `fail` when it does not match.
    fn pattern(
        &mut self,
        pattern: &Pattern,
        value: Option<Value>,
        ty: &Ty,
        fail: cranelift_codegen::ir::Block,
    ) {
        match pattern {
            Pattern::Wildcard => {}
            Pattern::Binding(local) => {
                if let (Some(var), Some(v)) = (self.var(*local), value) {
                    self.b.def_var(var, v);
                }
            }
            Pattern::Literal(e) => {
                let Some(v) = value else { return };
                let c = self.expr_value(e);
                let same = if *ty == Ty::String {
                    self.call_runtime("plat_str_eq", &[v, c])
                        .expect("plat_str_eq returns a Bool")
                } else {
                    self.b.ins().icmp(IntCC::Equal, v, c)
                };
                let ok = self.b.create_block();
                self.b.ins().brif(same, ok, &[], fail, &[]);
                self.b.switch_to_block(ok);
            }
            Pattern::Variant { tag, fields } => {
                let Some(v) = value else { return };
                let t = self.tag(v);
                let same = self.b.ins().icmp_imm_s(IntCC::Equal, t, i64::from(*tag));
                let ok = self.b.create_block();
                self.b.ins().brif(same, ok, &[], fail, &[]);
                self.b.switch_to_block(ok);
                let field_tys = self.variant_fields(ty, *tag);
                for (i, (p, fty)) in fields.iter().zip(field_tys).enumerate() {
                    if matches!(p, Pattern::Wildcard) {
                        continue;
                    }
                    let fv = self.load_slot(v, layout::PAYLOAD + layout::SLOT * i as i32, &fty);
                    self.pattern(p, fv, &fty, fail);
                }
            }
        }
    }

    /// `e?`: the payload of `Some`/`Ok`; otherwise return `e` itself (a
    /// `None`, or an `Err` whose payload type the checker matched).
    pub fn try_expr(&mut self, inner: &Expr, ty: &Ty) -> Option<Value> {
        let v = self.expr(inner)?;
        let t = self.tag(v);
        let fail = self.b.create_block();
        let ok = self.b.create_block();
        self.b.set_cold_block(fail);
        self.b.ins().brif(t, fail, &[], ok, &[]);
        self.b.switch_to_block(fail);
        // Inside an inlined body, `?` leaves that body.
        if !self.leave_inlined(Some(v)) {
            // Returning early leaves the function's open `concurrent` blocks.
            self.exit_scopes(0);
            self.b.ins().return_(&[v]);
        }
        self.b.switch_to_block(ok);
        let payload_ty = ty;
        self.load_slot(v, layout::PAYLOAD, payload_ty)
    }

    /// `Option`/`Result` methods; `args[0]` is the receiver.
    pub fn enum_method(
        &mut self,
        op: Builtin,
        args: &[Option<Expr>],
        ret: &Ty,
        span: Span,
    ) -> Option<Value> {
        let recv = args.first()?.as_ref()?;
        let recv_ty = recv.ty.clone();
        if Self::is_lookup(recv) {
            return self.lookup_method(op, recv, args, ret, span);
        }
        let v = self.expr(recv)?;
        let t = self.tag(v);
        match op {
            Builtin::IsFirst => return Some(self.b.ins().icmp_imm_s(IntCC::Equal, t, 0)),
            Builtin::IsSecond => return Some(self.b.ins().icmp_imm_s(IntCC::NotEqual, t, 0)),
            _ => {}
        }
        let ret_ty = ret;
        let result_t = self.vt(ret_ty);
        let ok = self.b.create_block();
        let bad = self.b.create_block();
        let merge = self.b.create_block();
        let result = result_t.map(|rt| self.b.append_block_param(merge, rt));
        self.b.ins().brif(t, bad, &[], ok, &[]);
        self.b.switch_to_block(ok);
        let payload = self.load_slot(v, layout::PAYLOAD, ret_ty);
        self.jump_with(merge, payload, result_t);
        self.b.switch_to_block(bad);
        if op == Builtin::UnwrapOr {
            let d = args
                .get(1)
                .and_then(Option::as_ref)
                .and_then(|d| self.expr(d));
            self.jump_with(merge, d, result_t);
        } else {
            self.b.set_cold_block(bad);
            let is_result = matches!(recv_ty, Ty::Adt(AdtId::RESULT, _));
            let message = match args.get(1).and_then(Option::as_ref) {
                Some(m) => self.expr_value(m),
                None if is_result => self.string_const("called `unwrap()` on an `Err` value"),
                None => self.string_const("called `unwrap()` on `None`"),
            };
            let message = if is_result {
                let err_ty = self.variant_fields(&recv_ty, 1).pop().unwrap_or(Ty::Unit);
                let err = self.load_slot(v, layout::PAYLOAD, &err_ty);
                let rendered = self.render_string(err, &err_ty);
                let sep = self.string_const(": ");
                let m = self.call_runtime("plat_str_concat", &[message, sep])?;
                self.call_runtime("plat_str_concat", &[m, rendered])?
            } else {
                message
            };
            let loc = self.location(span);
            self.call_runtime("plat_panic", &[message, loc]);
        }
        self.b.switch_to_block(merge);
        result
    }

    /// An `Option` method applied directly to a lookup (`xs[i].unwrap()`,
    /// `d.get(key = k).unwrap_or(default = 0)`): no `Option` is built.
    fn lookup_method(
        &mut self,
        op: Builtin,
        recv: &Expr,
        args: &[Option<Expr>],
        ret: &Ty,
        span: Span,
    ) -> Option<Value> {
        let (found, slot) = self.option_parts(recv)?;
        let ret_ty = ret;
        match op {
            Builtin::IsFirst => return Some(found),
            Builtin::IsSecond => return Some(self.b.ins().bxor_imm_u(found, 1)),
            Builtin::UnwrapOr => {
                let d = args
                    .get(1)
                    .and_then(Option::as_ref)
                    .and_then(|d| self.expr(d));
                let d = self.encode_slot(d);
                let chosen = self.b.ins().select(found, slot, d);
                return self.decode_slot(chosen, ret_ty);
            }
            _ => {}
        }
        let ok = self.b.create_block();
        let bad = self.b.create_block();
        self.b.set_cold_block(bad);
        self.b.ins().brif(found, ok, &[], bad, &[]);
        self.b.switch_to_block(bad);
        let message = match args.get(1).and_then(Option::as_ref) {
            Some(m) => self.expr_value(m),
            None => self.string_const("called `unwrap()` on `None`"),
        };
        let loc = self.location(span);
        self.call_runtime("plat_panic", &[message, loc]);
        self.b.switch_to_block(ok);
        self.decode_slot(slot, ret_ty)
    }

    /// `match` on a lookup whose arms test `Some`/`None` (or `_`) at the
    /// top: the arms read the parts of the lookup; no `Option` is built.
    fn match_lookup(&mut self, scrutinee: &Expr, arms: &[MatchArm], ty: &Ty) -> Option<Value> {
        let (found, slot) = self.option_parts(scrutinee)?;
        let payload_ty = self
            .variant_fields(&scrutinee.ty, 0)
            .pop()
            .unwrap_or(Ty::Error);
        let result_ty = self.vt(ty);
        let merge = self.b.create_block();
        let result = result_ty.map(|t| self.b.append_block_param(merge, t));
        for arm in arms {
            let next = self.b.create_block();
            if let Pattern::Variant { tag, fields } = &arm.pattern {
                let ok = self.b.create_block();
                let (yes, no) = if *tag == 0 { (ok, next) } else { (next, ok) };
                self.b.ins().brif(found, yes, &[], no, &[]);
                self.b.switch_to_block(ok);
                if let (0, Some(p)) = (*tag, fields.first()) {
                    let v = self.decode_slot(slot, &payload_ty);
                    self.pattern(p, v, &payload_ty, next);
                }
            }
            let r = self.expr(&arm.body);
            self.jump_with(merge, r, result_ty);
            self.b.switch_to_block(next);
        }
        self.b.ins().trap(super::function::UNREACHABLE);
        self.b.switch_to_block(merge);
        result
    }

    /// An `Option` of type `opt_ty` from a runtime "found" flag and the
    /// slot it wrote: `Some(slot)` or `None`.
    pub fn option_from(&mut self, found: Value, slot: Value, opt_ty: &Ty) -> Value {
        let some = self.b.create_block();
        let none = self.b.create_block();
        let merge = self.b.create_block();
        let result = self.b.append_block_param(merge, types::I64);
        self.b.ins().brif(found, some, &[], none, &[]);
        self.b.switch_to_block(some);
        let obj = self.alloc_object(opt_ty, 2);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.ins().store(self.trusted, zero, obj, layout::TAG);
        self.b.ins().store(self.trusted, slot, obj, layout::PAYLOAD);
        self.b.ins().jump(merge, &[BlockArg::Value(obj)]);
        self.b.switch_to_block(none);
        let n = self.variant_of(1, Vec::new(), opt_ty);
        self.b.ins().jump(merge, &[BlockArg::Value(n)]);
        self.b.switch_to_block(merge);
        result
    }
}
