//! The entry of `plat test` and `plat bench` executables: one wrapper
//! per case, a table of the cases, and a `plat_main` that hands the table
//! to the runtime's runner (`runtime/src/sched/testrun.rs`,
//! `runtime/src/bench.rs`; docs/testing.md).
//!
//! Case table (docs/runtime-abi.md "Test and bench entry"): per case
//! `plat_abi::tables::case::SIZE` bytes, `[block: C string][case: C string][wrapper][location: C string]`.
//! A wrapper is `fn(ctx) -> i64`: a test's runs `before_each`, the case
//! (with the `ctx`), then `after_each`, and returns 0; a bench's calls the
//! case once and returns its result as 64 bits (0 for `Unit`), which the
//! runner feeds to an opaque sink so that the work cannot be optimised
//! away.

use cranelift_codegen::ir::{self, types, InstBuilder};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{DataId, FuncId, Linkage, Module};

use super::{ModuleCx, Target};
use crate::hir::{TestCase, Ty};
use plat_abi::tables::case;

/// Size of one entry of the case table (plat_abi, the one source of the
/// layout).
const ENTRY: usize = case::SIZE;

/// The compiled functions of the instances the cases call.
pub(crate) fn declare_instances(
    cx: &mut ModuleCx,
    cases: &[TestCase],
) -> Result<Vec<CaseFns>, String> {
    let mut find = |f: crate::hir::FnId| {
        cx.mir
            .instance_of(f)
            .map(|i| cx.inst(i))
            .ok_or_else(|| "internal error: a test case without an instance".to_owned())
    };
    cases
        .iter()
        .map(|c| {
            Ok(CaseFns {
                func: find(c.func)?,
                before: c.before.map(&mut find).transpose()?,
                after: c.after.map(&mut find).transpose()?,
            })
        })
        .collect()
}

/// The compiled functions one case calls.
pub(crate) struct CaseFns {
    func: FuncId,
    before: Option<FuncId>,
    after: Option<FuncId>,
}

/// Builds the wrapper of case `i`; returns it and its name (for
/// `finish_function`).
pub(crate) fn build_wrapper(
    cx: &mut ModuleCx,
    ctx: &mut Context,
    fb_ctx: &mut FunctionBuilderContext,
    case: &TestCase,
    fns: &CaseFns,
    i: usize,
    bench: bool,
) -> Result<(FuncId, String), String> {
    let mut sig = cx.plat_signature(&[], &Ty::Unit);
    sig.returns.push(ir::AbiParam::new(types::I64));
    let name = format!("plat_case_{i}_{}_{}", case.block, case.name);
    let id = cx
        .module
        .declare_function(&name, Linkage::Local, &sig)
        .map_err(|e| e.to_string())?;
    ctx.func.signature = sig;
    let config = cx.module.isa().frontend_config();
    let func_ref = cx.module.declare_func_in_func(fns.func, &mut ctx.func);
    let before_ref = fns
        .before
        .map(|f| cx.module.declare_func_in_func(f, &mut ctx.func));
    let after_ref = fns
        .after
        .map(|f| cx.module.declare_func_in_func(f, &mut ctx.func));
    let mut b = FunctionBuilder::new(&mut ctx.func, fb_ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let task_ctx = b.block_params(entry)[0];
    let mut ctx_value: Option<ir::Value> = None;
    if let Some(before) = before_ref {
        let call = b.ins().call(before, &[task_ctx]);
        ctx_value = b.inst_results(call).first().copied();
    }
    let with_ctx = |takes: bool| -> Vec<ir::Value> {
        let mut args = vec![task_ctx];
        if takes {
            args.extend(ctx_value);
        }
        args
    };
    let call = b.ins().call(func_ref, &with_ctx(case.takes_ctx));
    let result = b.inst_results(call).first().copied();
    if let Some(after) = after_ref {
        b.ins().call(after, &with_ctx(case.after_takes_ctx));
    }
    let ret = match result {
        Some(v) if bench => {
            let ty = b.func.dfg.value_type(v);
            match ty {
                types::I64 => v,
                types::F64 => b.ins().bitcast(types::I64, ir::MemFlagsData::new(), v),
                types::F32 => {
                    let bits = b.ins().bitcast(types::I32, ir::MemFlagsData::new(), v);
                    b.ins().uextend(types::I64, bits)
                }
                _ if ty.is_int() && ty.bits() < 64 => b.ins().uextend(types::I64, v),
                _ => b.ins().iconst(types::I64, 0),
            }
        }
        _ => b.ins().iconst(types::I64, 0),
    };
    b.ins().return_(&[ret]);
    b.finalize(config);
    Ok((id, name))
}

/// The case table.
pub(crate) fn case_table(cx: &mut ModuleCx, cases: &[TestCase], wrappers: &[FuncId]) -> DataId {
    let mut bytes = vec![0u8; ENTRY * cases.len().max(1)];
    let mut addrs = Vec::new();
    for (i, (case, wrapper)) in cases.iter().zip(wrappers).enumerate() {
        let at = (ENTRY * i) as u32;
        let block = cx.c_string(&case.block);
        let name = cx.c_string(&case.name);
        let loc = cx.c_string(&cx.sources.location(case.span));
        addrs.push((at + case::BLOCK as u32, Target::Data(block)));
        addrs.push((at + case::NAME as u32, Target::Data(name)));
        addrs.push((at + case::RUN as u32, Target::Func(*wrapper)));
        addrs.push((at + case::LOC as u32, Target::Data(loc)));
    }
    bytes.truncate(ENTRY * cases.len().max(1));
    cx.static_object("plat_cases", bytes, &addrs)
}

/// `plat_main(ctx)`: registers the function table, then returns
/// `plat_test_main(ctx, cases, n)` (or `plat_bench_main`).
pub(crate) fn build_entry(
    cx: &mut ModuleCx,
    ctx: &mut Context,
    fb_ctx: &mut FunctionBuilderContext,
    cases: DataId,
    count: usize,
    fn_table: DataId,
    bench: bool,
) -> Result<FuncId, String> {
    let mut sig = cx.plat_signature(&[], &Ty::Unit);
    sig.returns.push(ir::AbiParam::new(types::I32));
    let id = cx
        .module
        .declare_function("plat_main", Linkage::Export, &sig)
        .map_err(|e| e.to_string())?;
    ctx.func.signature = sig;
    let config = cx.module.isa().frontend_config();
    let register = cx.runtime_fn("plat_register_functions");
    let register_ref = cx.module.declare_func_in_func(register, &mut ctx.func);
    let runner = cx.runtime_fn(if bench {
        "plat_bench_main"
    } else {
        "plat_test_main"
    });
    let runner_ref = cx.module.declare_func_in_func(runner, &mut ctx.func);
    let table_gv = cx.module.declare_data_in_func(fn_table, &mut ctx.func);
    let cases_gv = cx.module.declare_data_in_func(cases, &mut ctx.func);
    let mut b = FunctionBuilder::new(&mut ctx.func, fb_ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let task_ctx = b.block_params(entry)[0];
    let table = b.ins().symbol_value(types::I64, table_gv);
    b.ins().call(register_ref, &[table]);
    let cases = b.ins().symbol_value(types::I64, cases_gv);
    let n = b.ins().iconst(types::I64, count as i64);
    let call = b.ins().call(runner_ref, &[task_ctx, cases, n]);
    let code = b.inst_results(call)[0];
    b.ins().return_(&[code]);
    b.finalize(config);
    Ok(id)
}
