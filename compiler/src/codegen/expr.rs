//! Expressions: one method per construct, dispatched from
//! [`FunctionCx::expr`]. An expression yields `None` when it has no
//! runtime value (Unit) or never completes (Never).

use cranelift_codegen::ir::{
    condcodes::FloatCC, condcodes::IntCC, types, InstBuilder, Type, Value,
};

use cranelift_module::Module;

use super::function::FunctionCx;
use crate::hir::{self, BinOp, Builtin, FloatWidth, Ty, UnOp};
use crate::mir::{self, ExprKind, InstId};
use crate::source::Span;

impl FunctionCx<'_, '_> {
    /// The value of `e`. When the stack runs low (deep nesting, see
    /// `syntax::limits`) code generation stops going deeper; the error is
    /// reported when the module is finished.
    pub fn expr(&mut self, e: &mir::Expr) -> Option<Value> {
        if crate::syntax::limits::stack_is_low() {
            self.cx.out_of_stack.get_or_insert(e.span);
            let ty = self.vt(&e.ty)?;
            return Some(self.zero(ty));
        }
        // Instructions carry the location of the innermost expression
        // they belong to (a call's, once its arguments are done).
        self.with_location(e.span, |cx| cx.expr_kind(e))
    }

    fn expr_kind(&mut self, e: &mir::Expr) -> Option<Value> {
        match &e.kind {
            ExprKind::Int(v) => {
                let ty = self.vt(&e.ty)?;
                // A narrow literal is written sign-extended (a folded
                // `-5: Int8`); Cranelift wants its bits zero-extended.
                let bits = ty.bits();
                let v = if bits < 64 {
                    *v & ((1i64 << bits) - 1)
                } else {
                    *v
                };
                Some(self.b.ins().iconst(ty, v))
            }
            ExprKind::Float(v) => Some(match e.ty {
                Ty::Float(FloatWidth::W32) => self.b.ins().f32const(*v as f32),
                _ => self.b.ins().f64const(*v),
            }),
            ExprKind::Bool(v) => Some(self.b.ins().iconst(types::I8, i64::from(*v))),
            ExprKind::Str(s) => Some(self.string_const(s)),
            ExprKind::Unit | ExprKind::Unreachable => None,
            ExprKind::Local(local) => self.var(*local).map(|v| self.b.use_var(v)),
            ExprKind::Assign { local, value } => {
                let v = self.expr(value);
                if let (Some(var), Some(v)) = (self.var(*local), v) {
                    self.b.def_var(var, v);
                }
                None
            }
            ExprKind::Call { func, args } => self.call(*func, args, &e.ty),
            ExprKind::VirtualCall { slot, params, args } => {
                self.virtual_call(*slot, params, args, &e.ty)
            }
            ExprKind::AssignField {
                object,
                index,
                value,
            } => {
                self.assign_field(object, *index, value);
                None
            }
            ExprKind::NewObject { fields } => {
                let ty = e.ty.clone();
                Some(self.new_object(fields, &ty))
            }
            ExprKind::AllocObject => {
                let ty = e.ty.clone();
                Some(self.alloc_class(&ty))
            }
            ExprKind::Field { object, index } => self.field(object, *index),
            ExprKind::Variant { tag, fields } => {
                let ty = e.ty.clone();
                Some(self.variant(*tag, fields, &ty))
            }
            ExprKind::Retype(inner) => self.expr(inner),
            ExprKind::Inlined { func, body } => {
                let ty = e.ty.clone();
                self.inlined_body(*func, body, &ty)
            }
            ExprKind::Closure { func, captures } => Some(self.closure(*func, captures)),
            ExprKind::FnRef(func) => Some(self.fn_ref(*func)),
            ExprKind::CallValue { callee, args } => self.call_value(callee, args, &e.ty),
            ExprKind::Spawn {
                func,
                captures,
                scope,
            } => self.spawn(*func, captures, *scope, e.span),
            ExprKind::ThreadSpawn { func, captures } => self.thread_spawn(*func, captures, e.span),
            ExprKind::Race { scope, spawns } => self.race(*scope, spawns, &e.ty, e.span),
            ExprKind::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, &e.ty),
            ExprKind::Try(inner) => self.try_expr(inner, &e.ty),
            ExprKind::Index { list, index } => self.index(list, index, &e.ty),
            ExprKind::ListElem { list, index, check } => {
                self.list_elem(list, index, check, &e.ty, e.span)
            }
            ExprKind::ListStore {
                list,
                index,
                value,
                check,
            } => {
                self.list_store(list, index, value, *check, e.span);
                None
            }
            ExprKind::List(items) => {
                let ty = e.ty.clone();
                Some(self.list_literal(items, &ty))
            }
            ExprKind::Set(items) => {
                let ty = e.ty.clone();
                Some(self.set_literal(items, &ty))
            }
            ExprKind::Dict(entries) => {
                let ty = e.ty.clone();
                Some(self.dict_literal(entries, &ty))
            }
            ExprKind::Builtin { op, args } => self.builtin(*op, args, &e.ty, e.span),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e.span),
            ExprKind::Unary { op, operand } => {
                let v = self.expr(operand)?;
                Some(match (op, &operand.ty) {
                    (UnOp::Not, _) => self.b.ins().bxor_imm_u(v, 1),
                    (UnOp::Neg, Ty::Float(_)) => self.b.ins().fneg(v),
                    (UnOp::Neg, _) => self.b.ins().ineg(v),
                })
            }
            ExprKind::Cast { value } => {
                let v = self.expr(value)?;
                Some(self.cast(v, &value.ty, &e.ty))
            }
            ExprKind::Interp(parts) => Some(self.interpolate(parts)),
            ExprKind::Block(block) => self.block(block),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => self.if_expr(cond, then, otherwise.as_ref(), &e.ty),
        }
    }

    /// An expression that must have a value; in unreachable code (after a
    /// `Never` operand) a zero stands in.
    pub fn expr_value(&mut self, e: &mir::Expr) -> Value {
        match self.expr(e) {
            Some(v) => v,
            None => {
                let ty = self.vt(&e.ty).unwrap_or(types::I8);
                self.zero(ty)
            }
        }
    }

    fn call(&mut self, func: InstId, args: &[(usize, mir::Expr)], ret: &Ty) -> Option<Value> {
        // Written order for side effects, slot order for the call.
        let mut slots: Vec<Option<Value>> = vec![None; args.len()];
        for (slot, arg) in args {
            let v = self.expr(arg);
            if let Some(s) = slots.get_mut(*slot) {
                *s = v;
            }
        }
        let mut values = vec![self.ctx];
        values.extend(slots.into_iter().flatten());
        let id = self.cx.inst(func);
        let func_ref = self.cx.module.declare_func_in_func(id, self.b.func);
        let call = self.b.ins().call(func_ref, &values);
        if *ret == Ty::Never {
            return None;
        }
        self.b.inst_results(call).first().copied()
    }

    /// A binary operation. A chain `a + b + c + ...` nests on the left;
    /// it is walked with a loop, not by recursion, so its length does not
    /// matter (issue 7, item 4).
    fn binary(&mut self, op: BinOp, lhs: &mir::Expr, rhs: &mir::Expr, span: Span) -> Option<Value> {
        // (operator, right operand, span, left operand), outermost first.
        let mut spine = vec![(op, rhs, span, lhs)];
        let mut leftmost = lhs;
        while let ExprKind::Binary { op, lhs, rhs } = &leftmost.kind {
            spine.push((*op, &**rhs, leftmost.span, &**lhs));
            leftmost = lhs;
        }
        let mut value = self.expr(leftmost);
        for (op, rhs, span, lhs) in spine.into_iter().rev() {
            value = self.binary_step(op, value, &lhs.ty, rhs, span);
        }
        value
    }

    /// One operation of a chain: `l` is the left operand's value, of type
    /// `lhs_ty`.
    fn binary_step(
        &mut self,
        op: BinOp,
        l: Option<Value>,
        lhs_ty: &Ty,
        rhs: &mir::Expr,
        span: Span,
    ) -> Option<Value> {
        if matches!(op, BinOp::And | BinOp::Or) {
            let l = match l {
                Some(l) => l,
                None => self.zero(types::I8),
            };
            return Some(self.short_circuit(op, l, rhs));
        }
        let r = self.expr(rhs);
        let operand_ty = super::types::representation(self.cx.program, lhs_ty);
        let (l, r) = match (l, r) {
            (Some(l), Some(r)) => (l, r),
            // Unit == Unit
            (None, None) if *lhs_ty == Ty::Unit => {
                return Some(self.b.ins().iconst(types::I8, i64::from(op == BinOp::Eq)))
            }
            _ => return None,
        };
        if matches!(
            operand_ty,
            Ty::List(_) | Ty::Dict(..) | Ty::Set(_) | Ty::Adt(..)
        ) {
            return Some(self.structural_eq(op, l, r, &operand_ty));
        }
        Some(match &operand_ty {
            Ty::String => match op {
                BinOp::Add => self.call_runtime("plat_str_concat", &[l, r])?,
                BinOp::Eq => self.call_runtime("plat_str_eq", &[l, r])?,
                BinOp::Ne => {
                    let eq = self.call_runtime("plat_str_eq", &[l, r])?;
                    self.b.ins().bxor_imm_u(eq, 1)
                }
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    let c = self.call_runtime("plat_str_compare", &[l, r])?;
                    self.b.ins().icmp_imm_s(int_cc(op), c, 0)
                }
                _ => unreachable!("checker: no `{}` on strings", op.symbol()),
            },
            Ty::Float(_) => self.float_binary(op, l, r),
            _ => {
                let t = self.vt(lhs_ty)?;
                match (op, &rhs.kind) {
                    // A constant divisor other than 0 and -1 can neither
                    // panic nor overflow: a plain division, which Cranelift
                    // turns into multiplications and shifts.
                    (BinOp::Div, ExprKind::Int(c)) if *c != 0 && *c != -1 => {
                        self.b.ins().sdiv(l, r)
                    }
                    (BinOp::Rem, ExprKind::Int(c)) if *c != 0 && *c != -1 => {
                        self.b.ins().srem(l, r)
                    }
                    _ => self.int_binary(op, l, r, t, span),
                }
            }
        })
    }

    fn float_binary(&mut self, op: BinOp, l: Value, r: Value) -> Value {
        let cc = match op {
            BinOp::Add => return self.b.ins().fadd(l, r),
            BinOp::Sub => return self.b.ins().fsub(l, r),
            BinOp::Mul => return self.b.ins().fmul(l, r),
            BinOp::Div => return self.b.ins().fdiv(l, r),
            BinOp::Eq => FloatCC::Equal,
            BinOp::Ne => FloatCC::NotEqual,
            BinOp::Lt => FloatCC::LessThan,
            BinOp::Le => FloatCC::LessThanOrEqual,
            BinOp::Gt => FloatCC::GreaterThan,
            BinOp::Ge => FloatCC::GreaterThanOrEqual,
            BinOp::Rem | BinOp::And | BinOp::Or => unreachable!("checker: float `{}`", op.symbol()),
        };
        self.b.ins().fcmp(cc, l, r)
    }

    /// Integer operators; also `==`/`!=` on Bool. Arithmetic wraps.
    fn int_binary(&mut self, op: BinOp, l: Value, r: Value, ty: Type, span: Span) -> Value {
        match op {
            BinOp::Add => self.b.ins().iadd(l, r),
            BinOp::Sub => self.b.ins().isub(l, r),
            BinOp::Mul => self.b.ins().imul(l, r),
            BinOp::Div | BinOp::Rem => self.int_divide(op, l, r, ty, span),
            _ => self.b.ins().icmp(int_cc(op), l, r),
        }
    }

    /// `/` and `%` with a panic on a zero divisor, and wrapping (not
    /// trapping) on `MIN / -1`: that case yields `-l` (= MIN) and `0`.
    fn int_divide(&mut self, op: BinOp, l: Value, r: Value, ty: Type, span: Span) -> Value {
        let ok = self.b.create_block();
        let fail = self.b.create_block();
        self.b.set_cold_block(fail);
        self.b.ins().brif(r, ok, &[], fail, &[]);
        self.b.switch_to_block(fail);
        let message = if op == BinOp::Div {
            "division by zero"
        } else {
            "remainder by zero"
        };
        let msg = self.c_string_const(message);
        let loc = self.location(span);
        self.call_runtime("plat_panic_cstr", &[msg, loc]);
        self.b.switch_to_block(ok);
        let minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, r, -1);
        let one = self.b.ins().iconst(ty, 1);
        let divisor = self.b.ins().select(minus_one, one, r);
        if op == BinOp::Div {
            let q = self.b.ins().sdiv(l, divisor);
            let neg = self.b.ins().ineg(l);
            self.b.ins().select(minus_one, neg, q)
        } else {
            let rem = self.b.ins().srem(l, divisor);
            let zero = self.b.ins().iconst(ty, 0);
            self.b.ins().select(minus_one, zero, rem)
        }
    }

    /// `==`/`!=` on collections and enums (structural, by the runtime)
    /// and class instances (identity).
    fn structural_eq(&mut self, op: BinOp, l: Value, r: Value, ty: &Ty) -> Value {
        let eq = match ty {
            Ty::Adt(id, _)
                if matches!(
                    self.cx.program.adt(*id).kind,
                    crate::hir::AdtKind::Class { .. }
                ) =>
            {
                self.b.ins().icmp(IntCC::Equal, l, r)
            }
            _ => {
                let desc = self.desc_value(ty);
                self.call_runtime("plat_value_eq", &[l, r, desc])
                    .expect("plat_value_eq returns a Bool")
            }
        };
        if op == BinOp::Ne {
            self.b.ins().bxor_imm_u(eq, 1)
        } else {
            eq
        }
    }

    fn cast(&mut self, v: Value, from: &Ty, to: &Ty) -> Value {
        let (Some(from_t), Some(to_t)) = (self.vt(from), self.vt(to)) else {
            unreachable!("checker: numeric cast")
        };
        match (from, to) {
            (Ty::Int(_), Ty::Int(_)) => match from_t.bits().cmp(&to_t.bits()) {
                std::cmp::Ordering::Less => self.b.ins().sextend(to_t, v),
                std::cmp::Ordering::Greater => self.b.ins().ireduce(to_t, v),
                std::cmp::Ordering::Equal => v,
            },
            // Float to integer saturates at the target's range and takes
            // NaN to 0. x64 converts to 32 or 64 bits only: narrower
            // targets saturate in 32 bits, then clamp to their own range.
            (Ty::Float(_), Ty::Int(w)) if to_t.bits() < 32 => {
                let wide = self.b.ins().fcvt_to_sint_sat(types::I32, v);
                let (min, max) = w.range();
                let lo = self.b.ins().iconst(types::I32, min as i64);
                let hi = self.b.ins().iconst(types::I32, max as i64);
                let clamped = self.b.ins().smax(wide, lo);
                let clamped = self.b.ins().smin(clamped, hi);
                self.b.ins().ireduce(to_t, clamped)
            }
            (Ty::Float(_), Ty::Int(_)) => self.b.ins().fcvt_to_sint_sat(to_t, v),
            (Ty::Int(_), Ty::Float(_)) => self.b.ins().fcvt_from_sint(to_t, v),
            (Ty::Float(_), Ty::Float(_)) => match from_t.bits().cmp(&to_t.bits()) {
                std::cmp::Ordering::Less => self.b.ins().fpromote(to_t, v),
                std::cmp::Ordering::Greater => self.b.ins().fdemote(to_t, v),
                std::cmp::Ordering::Equal => v,
            },
            _ => unreachable!("checker: numeric cast"),
        }
    }

    /// Renders a value of any type as a string object.
    pub fn render_string(&mut self, v: Option<Value>, ty: &Ty) -> Value {
        let Some(v) = v else {
            return self.string_const("()");
        };
        let converted = match ty {
            Ty::String => return v,
            Ty::Int(_) => {
                let wide = self.widen(v);
                self.call_runtime("plat_str_from_i64", &[wide])
            }
            Ty::Float(FloatWidth::W64) => self.call_runtime("plat_str_from_f64", &[v]),
            Ty::Float(FloatWidth::W32) => self.call_runtime("plat_str_from_f32", &[v]),
            Ty::Bool => self.call_runtime("plat_str_from_bool", &[v]),
            _ => {
                let concrete = super::types::representation(self.cx.program, ty);
                if concrete != *ty {
                    return self.render_string(Some(v), &concrete);
                }
                let slot = self.encode_slot(Some(v));
                let desc = self.desc_value(&concrete);
                self.call_runtime("plat_value_to_string", &[slot, desc])
            }
        };
        converted.unwrap_or_else(|| self.string_const("()"))
    }

    /// Sign-extends an integer to 64 bits.
    fn widen(&mut self, v: Value) -> Value {
        let ty = self.b.func.dfg.value_type(v);
        if ty == types::I64 {
            v
        } else {
            self.b.ins().sextend(types::I64, v)
        }
    }

    fn interpolate(&mut self, parts: &[mir::Expr]) -> Value {
        let sb = self
            .call_runtime("plat_sb_new", &[])
            .expect("plat_sb_new returns a builder");
        for part in parts {
            let v = self.expr(part);
            let ty = super::types::representation(self.cx.program, &part.ty);
            match (&ty, v) {
                (Ty::Int(_), Some(v)) => {
                    let wide = self.widen(v);
                    self.call_runtime("plat_sb_push_i64", &[sb, wide]);
                }
                (Ty::Float(FloatWidth::W64), Some(v)) => {
                    self.call_runtime("plat_sb_push_f64", &[sb, v]);
                }
                (Ty::Float(FloatWidth::W32), Some(v)) => {
                    self.call_runtime("plat_sb_push_f32", &[sb, v]);
                }
                (Ty::Bool, Some(v)) => {
                    self.call_runtime("plat_sb_push_bool", &[sb, v]);
                }
                (ty, v) => {
                    let s = self.render_string(v, ty);
                    self.call_runtime("plat_sb_push_str", &[sb, s]);
                }
            }
        }
        self.call_runtime("plat_sb_finish", &[sb])
            .expect("plat_sb_finish returns a string")
    }

    fn builtin(
        &mut self,
        op: Builtin,
        args: &[Option<mir::Expr>],
        ret: &Ty,
        span: Span,
    ) -> Option<Value> {
        match op {
            Builtin::Print => {
                let arg = args.first()?.as_ref()?;
                let v = self.expr(arg);
                let ty = arg.ty.clone();
                let s = self.render_string(v, &ty);
                self.call_runtime("plat_print_str", &[s]);
                None
            }
            Builtin::Assert => self.assert(args, span),
            Builtin::Panic => {
                let msg = self.expr_value(args.first()?.as_ref()?);
                let loc = self.location(span);
                self.call_runtime("plat_panic", &[msg, loc])
            }
            Builtin::ProcessExit => {
                let code = self.expr_value(args.first()?.as_ref()?);
                self.call_runtime("plat_process_exit", &[code])
            }
            Builtin::MathSqrt | Builtin::MathFloor | Builtin::MathCeil => {
                let x = self.expr_value(args.first()?.as_ref()?);
                Some(match op {
                    Builtin::MathSqrt => self.b.ins().sqrt(x),
                    Builtin::MathFloor => self.b.ins().floor(x),
                    _ => self.b.ins().ceil(x),
                })
            }
            Builtin::TaskAwait
            | Builtin::TaskAwaitTimeout
            | Builtin::TaskIsDone
            | Builtin::TaskCancel
            | Builtin::IsCancelled
            | Builtin::TimeSleep
            | Builtin::TimeNow
            | Builtin::TimeMonotonicNanos
            | Builtin::ParChunks => self.task_builtin(op, args, ret, span),
            Builtin::StrSplit | Builtin::StrParse => self.string_collection_method(op, args, ret),
            Builtin::Lib(op) => self.lib_builtin(op, args, ret, span),
            Builtin::Sys(symbol) => self.sys_call(symbol, args, ret),
            Builtin::IsFirst
            | Builtin::IsSecond
            | Builtin::Unwrap
            | Builtin::Expect
            | Builtin::UnwrapOr => self.enum_method(op, args, ret, span),
            op if super::stdlib::is_stdlib_op(op) => self.stdlib_builtin(op, args, ret, span),
            op if is_string_method(op) => {
                let name = string_method_symbol(op);
                let values: Vec<Value> =
                    args.iter().flatten().map(|a| self.expr_value(a)).collect();
                self.call_runtime(name, &values)
            }
            _ => self.collection_method(op, args, ret, span),
        }
    }

    /// `assert(condition =, message =)`: the message is evaluated only
    /// when the assertion fails.
    fn assert(&mut self, args: &[Option<mir::Expr>], span: Span) -> Option<Value> {
        let cond = self.expr_value(args.first()?.as_ref()?);
        let ok = self.b.create_block();
        let fail = self.b.create_block();
        self.b.set_cold_block(fail);
        self.b.ins().brif(cond, ok, &[], fail, &[]);
        self.b.switch_to_block(fail);
        let msg = match args.get(1).and_then(Option::as_ref) {
            Some(m) => self.expr_value(m),
            None => self.b.ins().iconst(types::I64, 0),
        };
        let loc = self.location(span);
        if matches!(self.cx.program.entry, hir::Entry::Tests(_)) {
            // `plat test`: the failure is recorded and the case goes on.
            let ctx = self.ctx;
            self.call_runtime("plat_test_assert_fail", &[ctx, msg, loc]);
            self.b.ins().jump(ok, &[]);
        } else {
            self.call_runtime("plat_assert_fail", &[msg, loc]);
        }
        self.b.switch_to_block(ok);
        None
    }
}

/// The signed integer condition of a comparison operator.
fn int_cc(op: BinOp) -> IntCC {
    match op {
        BinOp::Eq => IntCC::Equal,
        BinOp::Ne => IntCC::NotEqual,
        BinOp::Lt => IntCC::SignedLessThan,
        BinOp::Le => IntCC::SignedLessThanOrEqual,
        BinOp::Gt => IntCC::SignedGreaterThan,
        BinOp::Ge => IntCC::SignedGreaterThanOrEqual,
        _ => unreachable!("`{}` is not a comparison", op.symbol()),
    }
}

fn is_string_method(op: Builtin) -> bool {
    use Builtin::*;
    matches!(
        op,
        StrLength
            | StrConcat
            | StrContains
            | StrStartsWith
            | StrEndsWith
            | StrTrim
            | StrTrimLeft
            | StrTrimRight
            | StrReplace
            | StrReplaceAll
            | StrIsAlpha
            | StrIsNumeric
            | StrIsAlphanumeric
            | StrSubstring
            | StrCharAt
    )
}

/// The runtime function implementing a String method.
fn string_method_symbol(op: Builtin) -> &'static str {
    match op {
        Builtin::StrLength => "plat_str_length",
        Builtin::StrConcat => "plat_str_concat",
        Builtin::StrContains => "plat_str_contains",
        Builtin::StrStartsWith => "plat_str_starts_with",
        Builtin::StrEndsWith => "plat_str_ends_with",
        Builtin::StrTrim => "plat_str_trim",
        Builtin::StrTrimLeft => "plat_str_trim_left",
        Builtin::StrTrimRight => "plat_str_trim_right",
        Builtin::StrReplace => "plat_str_replace",
        Builtin::StrReplaceAll => "plat_str_replace_all",
        Builtin::StrIsAlpha => "plat_str_is_alpha",
        Builtin::StrIsNumeric => "plat_str_is_numeric",
        Builtin::StrIsAlphanumeric => "plat_str_is_alphanumeric",
        Builtin::StrSubstring => "plat_str_substring",
        Builtin::StrCharAt => "plat_str_char_at",
        _ => unreachable!("not a String method"),
    }
}
