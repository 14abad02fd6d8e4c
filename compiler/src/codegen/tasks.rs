//! Closures, function values, `concurrent` scopes, `spawn`, `race` and
//! the `Task` methods. Environments (capture records) have the layout of
//! docs/runtime-abi.md "Closures": `[header][code][captured slot 0]...`.

use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_module::Module;

use super::function::FunctionCx;
use super::types::layout::{ENV_CAPTURES, ENV_CODE, SLOT};
use crate::hir::{Builtin, LocalId, Ty};
use crate::mir::{self, Expr, InstId};
use crate::source::Span;

impl FunctionCx<'_, '_> {
    /// Makes an environment: the code pointer of `code` and the current
    /// values of `captures`.
    fn make_env(&mut self, code: cranelift_module::FuncId, captures: &[LocalId]) -> Value {
        let tys: Vec<Ty> = captures
            .iter()
            .map(|c| self.f.local(*c).ty.clone())
            .collect();
        let desc_id = self.cx.closure_desc(&tys);
        let gv = self.cx.module.declare_data_in_func(desc_id, self.b.func);
        let desc = self.b.ins().symbol_value(types::I64, gv);
        let size = self.b.ins().iconst(
            types::I64,
            i64::from(ENV_CAPTURES) + i64::from(SLOT) * captures.len() as i64,
        );
        let env = self
            .call_runtime("plat_alloc", &[size, desc])
            .expect("plat_alloc returns the object");
        let fr = self.cx.module.declare_func_in_func(code, self.b.func);
        let addr = self.b.ins().func_addr(types::I64, fr);
        self.b.ins().store(self.trusted, addr, env, ENV_CODE);
        for (i, c) in captures.iter().enumerate() {
            let v = self.var(*c).map(|var| self.b.use_var(var));
            self.store_slot(env, ENV_CAPTURES + SLOT * i as i32, v);
        }
        env
    }

    /// On entry to a closure or spawn body: the captures from `env`.
    pub fn load_captures(&mut self, env: Value) {
        for (i, c) in self.f.captures.clone().iter().enumerate() {
            let ty = self.f.local(*c).ty.clone();
            let v = self.load_slot(env, ENV_CAPTURES + SLOT * i as i32, &ty);
            if let (Some(var), Some(v)) = (self.var(*c), v) {
                self.b.def_var(var, v);
            }
        }
    }

    pub fn closure(&mut self, func: InstId, captures: &[LocalId]) -> Value {
        let code = self.cx.inst(func);
        self.make_env(code, captures)
    }

    /// A named function as a value: a static closure without captures
    /// whose code is a wrapper taking (and ignoring) the environment.
    pub fn fn_ref(&mut self, func: InstId) -> Value {
        let id = self.cx.static_closure(func);
        let gv = self.cx.module.declare_data_in_func(id, self.b.func);
        self.b.ins().symbol_value(types::I64, gv)
    }

    pub fn call_value(&mut self, callee: &Expr, args: &[Expr], ret: &Ty) -> Option<Value> {
        let env = self.expr(callee)?;
        let values: Vec<Option<Value>> = args.iter().map(|a| self.expr(a)).collect();
        let Ty::Fn(params, _) = callee.ty.clone() else {
            unreachable!("checker: calls through Fn values only")
        };
        let mut sig = self.cx.plat_signature(&params, ret);
        sig.params
            .insert(1, cranelift_codegen::ir::AbiParam::new(types::I64));
        let sig_ref = self.b.import_signature(sig);
        let code = self.b.ins().load(types::I64, self.trusted, env, ENV_CODE);
        let mut all = vec![self.ctx, env];
        all.extend(values.into_iter().flatten());
        let call = self.b.ins().call_indirect(sig_ref, code, &all);
        self.b.inst_results(call).first().copied()
    }

    /// `concurrent { body }`: the scope is exited on every path out of the
    /// block (see `exit_scopes`).
    pub fn concurrent(&mut self, scope: LocalId, deadline: Option<&Expr>, body: &mir::Block) {
        let s = match deadline {
            Some(d) => {
                let ms = self.expr_value(d);
                self.call_runtime("plat_scope_enter_deadline", &[self.ctx, ms])
            }
            None => self.call_runtime("plat_scope_enter", &[self.ctx]),
        }
        .expect("scope_enter returns a scope");
        if let Some(var) = self.var(scope) {
            self.b.def_var(var, s);
        }
        self.open_scopes.push(scope);
        self.block(body);
        self.open_scopes.pop();
        self.exit_scope(scope);
    }

    fn exit_scope(&mut self, scope: LocalId) {
        if let Some(var) = self.var(scope) {
            let s = self.b.use_var(var);
            self.call_runtime("plat_scope_exit", &[self.ctx, s]);
        }
    }

    /// Exits the open scopes above `depth`, innermost first: before a
    /// `return`, `break` or `continue` leaves them.
    pub fn exit_scopes(&mut self, depth: usize) {
        let open: Vec<LocalId> = self.open_scopes[depth.min(self.open_scopes.len())..].to_vec();
        for scope in open.into_iter().rev() {
            self.exit_scope(scope);
        }
    }

    pub fn spawn(
        &mut self,
        func: InstId,
        captures: &[LocalId],
        scope: LocalId,
        span: Span,
    ) -> Option<Value> {
        let code = self.cx.inst(func);
        let env = self.make_env(code, captures);
        let fr = self.cx.module.declare_func_in_func(code, self.b.func);
        let addr = self.b.ins().func_addr(types::I64, fr);
        let s = self.var(scope).map(|v| self.b.use_var(v))?;
        let loc = self.location(span);
        self.call_runtime("plat_spawn", &[self.ctx, s, addr, env, loc])
    }

    /// `Thread.spawn(f = ...)`: the lifted body runs as a task pinned to
    /// a new OS thread (no scope; `join` awaits the returned handle).
    pub fn thread_spawn(
        &mut self,
        func: InstId,
        captures: &[LocalId],
        span: Span,
    ) -> Option<Value> {
        let code = self.cx.inst(func);
        let env = self.make_env(code, captures);
        let fr = self.cx.module.declare_func_in_func(code, self.b.func);
        let addr = self.b.ins().func_addr(types::I64, fr);
        let loc = self.location(span);
        self.call_runtime("plat_thread_spawn", &[self.ctx, addr, env, loc])
    }

    pub fn race(&mut self, scope: LocalId, spawns: &[Expr], ty: &Ty, span: Span) -> Option<Value> {
        let s = self
            .call_runtime("plat_race_enter", &[self.ctx])
            .expect("race_enter returns a scope");
        if let Some(var) = self.var(scope) {
            self.b.def_var(var, s);
        }
        for spawn in spawns {
            self.expr(spawn);
        }
        let loc = self.location(span);
        let slot = self.call_runtime("plat_race_wait", &[self.ctx, s, loc])?;
        self.decode_slot(slot, ty)
    }

    /// `Task` methods, `is_cancelled()` and the time built-ins.
    pub fn task_builtin(
        &mut self,
        op: Builtin,
        args: &[Option<Expr>],
        ret: &Ty,
        span: Span,
    ) -> Option<Value> {
        let vals: Vec<Value> = args.iter().flatten().map(|a| self.expr_value(a)).collect();
        let arg = |i: usize| vals.get(i).copied();
        match op {
            Builtin::TaskAwait => {
                let loc = self.location(span);
                let slot = self.call_runtime("plat_task_await", &[self.ctx, arg(0)?, loc])?;
                self.decode_slot(slot, ret)
            }
            Builtin::TaskAwaitTimeout => {
                let out = self.out_slot();
                let loc = self.location(span);
                let found = self.call_runtime(
                    "plat_task_await_timeout",
                    &[self.ctx, arg(0)?, arg(1)?, out, loc],
                )?;
                let slot = self.b.ins().load(types::I64, self.trusted, out, 0);
                Some(self.option_from(found, slot, ret))
            }
            Builtin::TaskIsDone => self.call_runtime("plat_task_is_done", &[arg(0)?]),
            Builtin::TaskCancel => self.call_runtime("plat_task_cancel", &[arg(0)?]),
            Builtin::IsCancelled => self.call_runtime("plat_is_cancelled", &[self.ctx]),
            Builtin::TimeSleep => {
                self.call_runtime("plat_time_sleep", &[self.ctx, arg(0)?]);
                Some(self.b.ins().iconst(types::I8, 1))
            }
            Builtin::TimeNow => self.call_runtime("plat_time_now", &[]),
            Builtin::TimeMonotonicNanos => self.call_runtime("plat_time_monotonic_nanos", &[]),
            Builtin::ParChunks => {
                // `(len: Int32) -> Int32`, through the runtime's i64s.
                let len = self.b.ins().sextend(types::I64, arg(0)?);
                let n = self.call_runtime("plat_par_chunks", &[len])?;
                Some(self.b.ins().ireduce(types::I32, n))
            }
            _ => unreachable!("not a task built-in: {op:?}"),
        }
    }
}
