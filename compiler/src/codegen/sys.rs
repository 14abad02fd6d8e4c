//! Calls of the system built-ins (`Builtin::Sys`, listed in
//! `check/sys_builtins.rs`): files, sockets, environment, processes.
//!
//! One convention for all (docs/runtime-abi.md, "System built-ins"):
//! the runtime function takes the task context, then each argument in
//! its natural type (`Int32` as `i32`, `Bool` as `u8`, strings and lists
//! as pointers), then, when the result is a heap value built by the
//! runtime (a `Result`, an `Option`, a `List`), the descriptor of the
//! result type, and when that is a `Result` whose `Ok` value the runtime
//! builds too (a `List`, a `ProcessOutput`), that type's descriptor. It returns the result in its natural type.

use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Signature, Value};
use cranelift_module::Module;

use super::function::FunctionCx;
use super::types::value_type;
use crate::hir::{AdtId, Ty};
use crate::mir;

impl FunctionCx<'_, '_> {
    /// `symbol(ctx, args..., descs...)` for a system built-in.
    pub fn sys_call(
        &mut self,
        symbol: &'static str,
        args: &[Option<mir::Expr>],
        ret: &Ty,
    ) -> Option<Value> {
        let mut sig = Signature::new(self.cx.call_conv);
        let mut values = vec![self.ctx];
        sig.params.push(AbiParam::new(types::I64));
        for arg in args.iter().flatten() {
            let ty = arg.ty.clone();
            let v = self.expr_value(arg);
            let t = value_type(self.cx.program, &ty).unwrap_or(types::I64);
            // Runtime functions are Rust: `u8` arguments zero-extended.
            sig.params.push(if t == types::I8 {
                AbiParam::new(t).uext()
            } else {
                AbiParam::new(t)
            });
            values.push(v);
        }
        for ty in result_descriptors(ret) {
            values.push(self.desc_value(&ty));
            sig.params.push(AbiParam::new(types::I64));
        }
        if let Some(t) = value_type(self.cx.program, ret) {
            sig.returns.push(AbiParam::new(t));
        }
        let id = self.cx.runtime_fn_with(symbol, sig);
        let func_ref = self.cx.module.declare_func_in_func(id, self.b.func);
        let call = self.b.ins().call(func_ref, &values);
        self.b.inst_results(call).first().copied()
    }
}

/// The descriptors a system built-in returning `ret` is passed.
fn result_descriptors(ret: &Ty) -> Vec<Ty> {
    match ret {
        Ty::Adt(AdtId::RESULT, args) => {
            let mut out = vec![ret.clone()];
            match args.first() {
                Some(ok @ Ty::List(_)) => out.push(ok.clone()),
                Some(ok @ Ty::Adt(id, _)) if *id == AdtId::PROCESS_OUTPUT => out.push(ok.clone()),
                _ => {}
            }
            out
        }
        Ty::Adt(..) | Ty::List(_) => vec![ret.clone()],
        _ => Vec::new(),
    }
}
