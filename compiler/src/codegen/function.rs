//! Building one Cranelift function from one MIR function instance: the fixed
//! per-function pipeline (signature, stack limit, entry block, parameters,
//! body, return, seal, finalize) and the state shared by `expr.rs` and
//! `control.rs`.

use cranelift_codegen::ir::{
    self, types, BlockArg, GlobalValueData, InstBuilder, MemFlagsData, TrapCode, Type, Value,
};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_module::{FuncId, Linkage, Module};

use super::types::layout;
use super::{value_type, ModuleCx};
use crate::hir::{self, AdtId, LocalId, Ty};
use crate::mir;
use crate::source::Span;

/// Whether compiled code polls `ctx.poll` at function entry and loop back
/// edges (docs/runtime-abi.md "Safepoints").
pub const SAFEPOINTS: bool = true;

/// Trap code of unreachable code (after calls that never return).
pub const UNREACHABLE: TrapCode = TrapCode::unwrap_user(1);

pub(crate) struct FunctionCx<'a, 'p> {
    pub cx: &'a mut ModuleCx<'p>,
    pub b: FunctionBuilder<'a>,
    /// The instance being built (monomorphic: every type is concrete).
    pub f: &'p mir::Function,
    /// The variable of each local that has a runtime value.
    vars: Vec<Option<Variable>>,
    /// The hidden task context parameter.
    pub ctx: Value,
    /// `(continue target, break target, open scopes at the loop)` of the
    /// enclosing loops.
    pub loops: Vec<(ir::Block, ir::Block, usize)>,
    /// Scope locals of the enclosing `concurrent` blocks of this function.
    pub open_scopes: Vec<LocalId>,
    /// The enclosing inlined bodies (`mir::ExprKind::Inlined`), innermost
    /// last: where a `return` in one goes, and the open scopes there.
    pub inlined: Vec<InlineFrame>,
    /// Memory flags of this function: loads and stores of runtime objects
    /// (aligned, never trapping), and plain (for bitcasts).
    pub trusted: MemFlagsData,
    pub plain: MemFlagsData,
    /// The list views of the enclosing `Stmt::ListViews`: (list local,
    /// len, data), loaded before the loop (`list_views.rs`).
    pub views: Vec<(LocalId, Value, Value)>,
}

/// An inlined body being built: its exit block (taking the callee's
/// result, when it has a runtime value), that value's type, how many
/// `concurrent` blocks were open where it starts, and the location of the
/// call it replaces (its code's locations point to it: `srcloc_inlined`).
#[derive(Clone, Copy)]
pub(crate) struct InlineFrame {
    pub exit: ir::Block,
    pub ty: Option<Type>,
    pub scopes: usize,
    pub call: ir::SourceLoc,
}

/// Makes `func` read its stack limit from `ctx.stack_limit`.
fn install_stack_limit(func: &mut ir::Function) {
    let vmctx = func.create_global_value(GlobalValueData::VMContext);
    let flags = func.dfg.mem_flags.insert_unchecked(MemFlagsData::trusted());
    let limit = func.create_global_value(GlobalValueData::Load {
        base: vmctx,
        offset: layout::CTX_STACK_LIMIT.into(),
        global_type: types::I64,
        flags,
    });
    func.stack_limit = Some(limit);
}

/// Builds the body of instance `f` into `func` (whose signature is
/// already set). Safepoint polls are where the MIR has them.
pub(crate) fn build<'p>(
    cx: &mut ModuleCx<'p>,
    func: &mut ir::Function,
    fb_ctx: &mut FunctionBuilderContext,
    f: &'p mir::Function,
) {
    install_stack_limit(func);
    // Cranelift stores source locations relative to the function's first
    // one, and the location just below that base wraps to "no location":
    // a base of 0 keeps every location (they are indexes, see
    // `ModuleCx::srcloc`).
    func.params.ensure_base_srcloc(ir::SourceLoc::new(0));
    let trusted = MemFlagsData::trusted();
    let plain = MemFlagsData::new();
    let config = cx.module.isa().frontend_config();
    let mut b = FunctionBuilder::new(func, fb_ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let params = b.block_params(entry).to_vec();
    let vars = f
        .locals
        .iter()
        .map(|l| value_type(cx.program, &l.ty).map(|t| b.declare_var(t)))
        .collect();
    let ret = f.ret.clone();
    let mut fx = FunctionCx {
        cx,
        b,
        f,
        vars,
        ctx: params[0],
        loops: Vec::new(),
        open_scopes: Vec::new(),
        inlined: Vec::new(),
        trusted,
        plain,
        views: Vec::new(),
    };
    let mut next = 1;
    if f.kind != hir::FnKind::Plain {
        let env = params[1];
        fx.load_captures(env);
        next = 2;
    }
    for p in &f.params {
        if let Some(var) = fx.var(*p) {
            fx.b.def_var(var, params[next]);
            next += 1;
        }
    }
    let result = fx.block(&f.body);
    // An `init` returns `self` when its body falls through.
    let result = match (result, fx.f.params.first()) {
        (None, Some(self_local)) if f.is_init => fx.var(*self_local).map(|v| fx.b.use_var(v)),
        (r, _) => r,
    };
    if f.kind == hir::FnKind::Spawn {
        // A task returns its result as a slot.
        let slot = fx.encode_slot(result);
        fx.b.ins().return_(&[slot]);
        fx.b.seal_all_blocks();
        fx.b.finalize(config);
        return;
    }
    match (value_type(fx.cx.program, &ret), result) {
        (Some(_), Some(v)) => {
            fx.b.ins().return_(&[v]);
        }
        // The checker proved the end unreachable.
        (Some(_), None) => {
            fx.b.ins().trap(UNREACHABLE);
        }
        (None, _) => {
            fx.b.ins().return_(&[]);
        }
    }
    fx.b.seal_all_blocks();
    fx.b.finalize(config);
}

/// Builds the wrapper that lets named function `target` be called as a
/// function value: `(ctx, env, params...)` calls `target(ctx, params...)`.
pub(crate) fn build_wrapper(
    cx: &mut ModuleCx,
    func: &mut ir::Function,
    fb_ctx: &mut FunctionBuilderContext,
    target: mir::InstId,
) {
    let callee = cx.inst(target);
    let callee_ref = cx.module.declare_func_in_func(callee, func);
    let config = cx.module.isa().frontend_config();
    let mut b = FunctionBuilder::new(func, fb_ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let params = b.block_params(entry).to_vec();
    let mut args = vec![params[0]];
    args.extend(params.iter().skip(2).copied());
    let call = b.ins().call(callee_ref, &args);
    let results = b.inst_results(call).to_vec();
    b.ins().return_(&results);
    b.finalize(config);
}

/// Builds `plat_main(ctx) -> i32`, the entry the runtime calls: it
/// registers the function table `fn_table` (for stack overflow reports),
/// runs the user's `main` and turns its result into the exit code: an
/// Int32 as it is, `Some(v)`/`Ok(v)` as `v`, `None`/`Err(_)` as 1,
/// nothing as 0.
pub(crate) fn build_entry(
    cx: &mut ModuleCx,
    ctx: &mut Context,
    fb_ctx: &mut FunctionBuilderContext,
    main_instance: FuncId,
    fn_table: cranelift_module::DataId,
) -> Result<FuncId, String> {
    let mut sig = cx.plat_signature(&[], &Ty::Unit);
    sig.returns.push(ir::AbiParam::new(types::I32));
    let id = cx
        .module
        .declare_function("plat_main", Linkage::Export, &sig)
        .map_err(|e| e.to_string())?;
    ctx.func.signature = sig;
    let Some(main) = cx.mir.main else {
        return Err("internal error: a program entry without `main`".into());
    };
    let main = cx.mir.function(main);
    let trusted = MemFlagsData::trusted();
    let config = cx.module.isa().frontend_config();
    let main_ref = cx.module.declare_func_in_func(main_instance, &mut ctx.func);
    let register = cx.runtime_fn("plat_register_functions");
    let register_ref = cx.module.declare_func_in_func(register, &mut ctx.func);
    let table_gv = cx.module.declare_data_in_func(fn_table, &mut ctx.func);
    let mut b = FunctionBuilder::new(&mut ctx.func, fb_ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let task_ctx = b.block_params(entry)[0];
    let table = b.ins().symbol_value(types::I64, table_gv);
    b.ins().call(register_ref, &[table]);
    let call = b.ins().call(main_ref, &[task_ctx]);
    let code = match &main.ret {
        Ty::Int(hir::IntWidth::W32) => b.inst_results(call)[0],
        Ty::Adt(id, _) if *id == AdtId::OPTION || *id == AdtId::RESULT => {
            let obj = b.inst_results(call)[0];
            let tag = b.ins().load(types::I64, trusted, obj, layout::TAG);
            let payload = b.ins().load(types::I32, trusted, obj, layout::PAYLOAD);
            let one = b.ins().iconst(types::I32, 1);
            b.ins().select(tag, one, payload)
        }
        _ => b.ins().iconst(types::I32, 0),
    };
    b.ins().return_(&[code]);
    b.finalize(config);
    Ok(id)
}

impl FunctionCx<'_, '_> {
    /// Polls `ctx.poll`; when set, enters the runtime (preemption,
    /// cancellation). The check is one load and a predicted branch.
    pub fn safepoint(&mut self) {
        if !SAFEPOINTS {
            return;
        }
        let poll = self
            .b
            .ins()
            .load(types::I64, self.trusted, self.ctx, layout::CTX_POLL);
        let slow = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.ins().brif(poll, slow, &[], cont, &[]);
        self.b.switch_to_block(slow);
        let id = self.cx.runtime_fn("plat_safepoint_preserving");
        let fr = self.cx.module.declare_func_in_func(id, self.b.func);
        self.b.ins().call(fr, &[self.ctx]);
        self.b.ins().jump(cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// Leaves the innermost inlined body with `value` (a `return` or a
    /// failing `?` inside it), closing the `concurrent` blocks opened
    /// inside it. Returns false outside inlined bodies: the caller
    /// returns from the function.
    pub fn leave_inlined(&mut self, value: Option<Value>) -> bool {
        let Some(frame) = self.inlined.last().copied() else {
            return false;
        };
        self.exit_scopes(frame.scopes);
        self.jump_with(frame.exit, value, frame.ty);
        self.start_unreachable_block();
        true
    }

    /// An inlined body (`mir::ExprKind::Inlined`): its value is the
    /// tail's, or the value of a `return` inside it.
    pub fn inlined_body(&mut self, func: mir::InstId, body: &mir::Block, ty: &Ty) -> Option<Value> {
        let vt = self.vt(ty);
        let exit = self.b.create_block();
        let result = vt.map(|t| self.b.append_block_param(exit, t));
        // The `Inlined` expression's location is the call's.
        let call = self.b.srcloc();
        self.cx.note_inlined(call, func);
        self.inlined.push(InlineFrame {
            exit,
            ty: vt,
            scopes: self.open_scopes.len(),
            call,
        });
        let v = self.block(body);
        self.inlined.pop();
        self.jump_with(exit, v, vt);
        self.b.switch_to_block(exit);
        result
    }

    /// Runs `f` with the instructions it generates located at `span`
    /// (then restores the location), as an expression's carry the
    /// expression's: the runtime names the line of any call into it.
    /// Code inlined on the MIR carries its own location and the call it
    /// was inlined at (`srcloc_inlined`): a panic or a parked task inside
    /// it names the callee's line and lists the inlined calls, and
    /// debuggers show it as an inlined call.
    pub fn with_location<T>(
        &mut self,
        span: crate::source::Span,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let outer = self.b.srcloc();
        let here = match self.inlined.last() {
            None => self.cx.srcloc(span),
            Some(frame) => self.cx.srcloc_inlined(frame.call, span),
        };
        self.b.set_srcloc(here);
        let v = f(self);
        self.b.set_srcloc(outer);
        v
    }

    /// The Cranelift type of a value of type `ty`.
    pub fn vt(&self, ty: &Ty) -> Option<Type> {
        value_type(self.cx.program, ty)
    }

    pub fn var(&self, local: LocalId) -> Option<Variable> {
        self.vars[local.0 as usize]
    }

    /// Calls a runtime function; returns its result, if any.
    pub fn call_runtime(&mut self, name: &'static str, args: &[Value]) -> Option<Value> {
        let id = self.cx.runtime_fn(name);
        let func_ref = self.cx.module.declare_func_in_func(id, self.b.func);
        let call = self.b.ins().call(func_ref, args);
        if super::runtime_abi::never_returns(name) {
            self.b.ins().trap(UNREACHABLE);
            self.start_unreachable_block();
            return None;
        }
        self.b.inst_results(call).first().copied()
    }

    /// The address of a static string object for `text`.
    pub fn string_const(&mut self, text: &str) -> Value {
        let id = self.cx.string_literal(text);
        let gv = self.cx.module.declare_data_in_func(id, self.b.func);
        self.b.ins().symbol_value(types::I64, gv)
    }

    /// The address of a NUL-terminated C string.
    pub fn c_string_const(&mut self, text: &str) -> Value {
        let id = self.cx.c_string(text);
        let gv = self.cx.module.declare_data_in_func(id, self.b.func);
        self.b.ins().symbol_value(types::I64, gv)
    }

    /// `file:line:col` of a span, as a C string for runtime panics.
    pub fn location(&mut self, span: Span) -> Value {
        let loc = self.cx.sources.location(span);
        self.c_string_const(&loc)
    }

    /// After a jump, return or trap: later code goes into a fresh block
    /// that has no predecessors (it is unreachable but well formed).
    pub fn start_unreachable_block(&mut self) {
        let block = self.b.create_block();
        self.b.switch_to_block(block);
    }

    /// A zero of type `ty`, for values in unreachable code.
    pub fn zero(&mut self, ty: Type) -> Value {
        match ty {
            types::F32 => self.b.ins().f32const(0.0),
            types::F64 => self.b.ins().f64const(0.0),
            _ => self.b.ins().iconst(ty, 0),
        }
    }

    /// Jumps to `target`, passing `value` when the target takes one.
    pub fn jump_with(&mut self, target: ir::Block, value: Option<Value>, ty: Option<Type>) {
        match ty {
            Some(t) => {
                let v = match value {
                    Some(v) => v,
                    None => self.zero(t),
                };
                self.b.ins().jump(target, &[BlockArg::Value(v)]);
            }
            None => {
                self.b.ins().jump(target, &[]);
            }
        }
    }
}
