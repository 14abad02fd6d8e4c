//! Channels, `select`, `for` over a channel and the synchronisation
//! library: calls into the runtime (`runtime/src/chan/abi.rs`,
//! `runtime/src/sync/`), per docs/runtime-abi.md "Channels and select"
//! and "Synchronisation library".

use cranelift_codegen::ir::{
    condcodes::IntCC, types, AbiParam, InstBuilder, StackSlotData, StackSlotKind, Value,
};

use super::function::FunctionCx;
use super::types::layout::{self, ENV_CODE};
use crate::hir::{self, IntWidth, LibOp, Ty};
use crate::mir::{self, Expr, SelectArmKind};
use crate::source::Span;
use plat_abi::tables::{atomic, select};

/// `SelectArm` as the runtime reads it: `{ chan, kind, value }`
/// (plat_abi, the one source of the layout).
const ARM_BYTES: u32 = select::ARM_SIZE as u32;
const ARM_RECV: i64 = select::RECV as i64;
const ARM_SEND: i64 = select::SEND as i64;
/// Scratch bytes per arm (a waiter the runtime parks there).
const SCRATCH_PER_ARM: u32 = select::SCRATCH_PER_ARM as u32;
/// `plat_select` timeouts and results.
const BLOCK_FOREVER: i64 = select::BLOCK_FOREVER;
const NEVER_BLOCK: i64 = select::NEVER_BLOCK;
const SELECTED_DEFAULT: i64 = select::SELECTED_DEFAULT;
const SELECTED_TIMEOUT: i64 = select::SELECTED_TIMEOUT;
/// `MemoryOrder::SeqCst`'s tag, the default order.
const SEQ_CST: i64 = atomic::SEQ_CST as i64;
/// The panic of an unbound send arm that found its channel closed.
const SEND_ON_CLOSED: &str = "send on a closed channel in select (bind the arm to see it: `let sent: Bool = ch.send(value = v) -> { ... }`)";

/// What the runtime function of a plain library call takes.
#[derive(Clone, Copy)]
enum In {
    /// The task context.
    Ctx,
    /// Argument `i` as its register value.
    Arg(usize),
    /// Argument `i` as a slot (channel and atomic values).
    Slot(usize),
    /// Argument `i`, or this constant when omitted.
    ArgOr(usize, i64),
    /// The memory order in argument `i` (a `MemoryOrder` value), as a
    /// 32-bit order number; SeqCst when omitted.
    Order(usize),
    /// The call's source location.
    Loc,
    /// The descriptor of the call's result type (a channel's header).
    RetDesc,
    /// The width in bits of the atomic in argument 0.
    Width,
}

/// How its result becomes the call's value.
#[derive(Clone, Copy)]
enum Out {
    /// The runtime's result as it is (pointer, I8 Bool, I64), or nothing.
    Plain,
    /// `found` plus a slot written through a trailing `out` pointer: an
    /// `Option` of the result type.
    Option,
    /// A slot, decoded as the result type.
    Slot,
}

/// The runtime function and argument plan of a plain library operation.
fn plan(op: LibOp) -> (&'static str, &'static [In], Out) {
    use In::*;
    use LibOp::*;
    match op {
        ChanNew => ("plat_chan_new", &[RetDesc, ArgOr(0, 0), Loc], Out::Plain),
        ChanUnbounded => ("plat_chan_unbounded", &[RetDesc, Loc], Out::Plain),
        ChanSend => ("plat_chan_send", &[Ctx, Arg(0), Slot(1)], Out::Plain),
        ChanTrySend => ("plat_chan_try_send", &[Arg(0), Slot(1)], Out::Plain),
        ChanRecv => ("plat_chan_recv", &[Ctx, Arg(0)], Out::Option),
        ChanTryRecv => ("plat_chan_try_recv", &[Arg(0)], Out::Option),
        ChanRecvTimeout => (
            "plat_chan_recv_timeout",
            &[Ctx, Arg(0), Arg(1)],
            Out::Option,
        ),
        ChanClose => ("plat_chan_close", &[Arg(0), Loc], Out::Plain),
        ChanIsClosed => ("plat_chan_is_closed", &[Arg(0)], Out::Plain),
        ChanLen => ("plat_chan_len", &[Arg(0)], Out::Plain),
        ChanCapacity => ("plat_chan_capacity", &[Arg(0)], Out::Plain),
        MutexNew => ("plat_mutex_new", &[Loc], Out::Plain),
        MutexLock => ("plat_mutex_lock", &[Ctx, Arg(0)], Out::Plain),
        MutexUnlock => ("plat_mutex_unlock", &[Ctx, Arg(0), Loc], Out::Plain),
        MutexTryLock => ("plat_mutex_try_lock", &[Ctx, Arg(0)], Out::Plain),
        RwNew => ("plat_rwlock_new", &[Loc], Out::Plain),
        RwReadLock => ("plat_rwlock_read_lock", &[Ctx, Arg(0)], Out::Plain),
        RwReadUnlock => ("plat_rwlock_read_unlock", &[Ctx, Arg(0), Loc], Out::Plain),
        RwWriteLock => ("plat_rwlock_write_lock", &[Ctx, Arg(0)], Out::Plain),
        RwWriteUnlock => ("plat_rwlock_write_unlock", &[Ctx, Arg(0), Loc], Out::Plain),
        CondNew => ("plat_cond_new", &[Arg(0), Loc], Out::Plain),
        CondWait => ("plat_cond_wait", &[Ctx, Arg(0), Loc], Out::Plain),
        CondSignal => ("plat_cond_signal", &[Arg(0)], Out::Plain),
        CondBroadcast => ("plat_cond_broadcast", &[Arg(0)], Out::Plain),
        WgNew => ("plat_wg_new", &[Loc], Out::Plain),
        WgAdd => ("plat_wg_add", &[Arg(0), Arg(1), Loc], Out::Plain),
        WgDone => ("plat_wg_done", &[Arg(0), Loc], Out::Plain),
        WgWait => ("plat_wg_wait", &[Ctx, Arg(0)], Out::Plain),
        SemNew => ("plat_sem_new", &[Arg(0), Loc], Out::Plain),
        SemAcquire => ("plat_sem_acquire", &[Ctx, Arg(0)], Out::Plain),
        SemRelease => ("plat_sem_release", &[Ctx, Arg(0), Loc], Out::Plain),
        SemTryAcquire => ("plat_sem_try_acquire", &[Ctx, Arg(0)], Out::Plain),
        OnceNew => ("plat_once_new", &[Loc], Out::Plain),
        AtomicNew => ("plat_atomic_new", &[Slot(0), Loc], Out::Plain),
        AtomicLoad => ("plat_atomic_load", &[Arg(0), Order(1)], Out::Slot),
        AtomicStore => (
            "plat_atomic_store",
            &[Arg(0), Slot(1), Order(2)],
            Out::Plain,
        ),
        AtomicSwap => ("plat_atomic_swap", &[Arg(0), Slot(1), Order(2)], Out::Slot),
        AtomicAdd => (
            "plat_atomic_add",
            &[Arg(0), Slot(1), Order(2), Width],
            Out::Slot,
        ),
        AtomicCas => (
            "plat_atomic_cas",
            &[Arg(0), Slot(1), Slot(2), Order(3)],
            Out::Plain,
        ),
        TokenNew => ("plat_ctoken_new", &[Loc], Out::Plain),
        TokenWithTimeout => ("plat_ctoken_with_timeout", &[Arg(0), Loc], Out::Plain),
        TokenChild => ("plat_ctoken_child", &[Arg(0), Loc], Out::Plain),
        TokenCancel => ("plat_ctoken_cancel", &[Arg(0)], Out::Plain),
        TokenIsCancelled => ("plat_ctoken_is_cancelled", &[Arg(0)], Out::Plain),
        TokenDone => ("plat_ctoken_done", &[Arg(0)], Out::Plain),
        TickerNew => ("plat_ticker_new", &[Arg(0), Loc], Out::Plain),
        TickerChannel => ("plat_ticker_channel", &[Arg(0)], Out::Plain),
        TickerStop => ("plat_ticker_stop", &[Arg(0)], Out::Plain),
        LimiterNew => (
            "plat_ratelimiter_new",
            &[Arg(0), ArgOr(1, 1), Loc],
            Out::Plain,
        ),
        LimiterWait => ("plat_ratelimiter_wait", &[Ctx, Arg(0)], Out::Plain),
        LimiterTryTake => ("plat_ratelimiter_try_take", &[Arg(0)], Out::Plain),
        MutexCritical | RwRead | RwWrite | OnceCall => {
            unreachable!("{op:?} calls a function value: see `lib_call_with`")
        }
    }
}

impl FunctionCx<'_, '_> {
    /// A `Builtin::Lib` operation (arguments in signature order, the
    /// receiver first).
    pub fn lib_builtin(
        &mut self,
        op: LibOp,
        args: &[Option<Expr>],
        ret: &Ty,
        span: Span,
    ) -> Option<Value> {
        let vals: Vec<Option<Value>> = args
            .iter()
            .map(|a| a.as_ref().and_then(|e| self.expr(e)))
            .collect();
        match op {
            LibOp::MutexCritical => {
                return self.locked_call(("plat_mutex_lock", "plat_mutex_unlock"), &vals, ret, span)
            }
            LibOp::RwRead => {
                let pair = ("plat_rwlock_read_lock", "plat_rwlock_read_unlock");
                return self.locked_call(pair, &vals, ret, span);
            }
            LibOp::RwWrite => {
                let pair = ("plat_rwlock_write_lock", "plat_rwlock_write_unlock");
                return self.locked_call(pair, &vals, ret, span);
            }
            LibOp::OnceCall => {
                self.once_call(&vals);
                return None;
            }
            _ => {}
        }
        let (name, inputs, out) = plan(op);
        let first_ty = args.first().and_then(|a| a.as_ref()).map(|e| e.ty.clone());
        let mut call_args = Vec::new();
        for input in inputs {
            let v = match *input {
                In::Ctx => self.ctx,
                In::Arg(i) => vals.get(i).copied().flatten()?,
                In::Slot(i) => {
                    let v = vals.get(i).copied().flatten();
                    self.encode_slot(v)
                }
                In::ArgOr(i, default) => match vals.get(i).copied().flatten() {
                    Some(v) => v,
                    None => self.b.ins().iconst(types::I64, default),
                },
                In::Order(i) => match vals.get(i).copied().flatten() {
                    Some(order) => {
                        let tag = self
                            .b
                            .ins()
                            .load(types::I64, self.trusted, order, layout::TAG);
                        self.b.ins().ireduce(types::I32, tag)
                    }
                    None => self.b.ins().iconst(types::I32, SEQ_CST),
                },
                In::Loc => self.location(span),
                In::RetDesc => self.desc_value(ret),
                In::Width => {
                    let bits = match &first_ty {
                        Some(Ty::Atomic(t)) if **t == Ty::Int(IntWidth::W32) => atomic::WIDTH_32,
                        _ => atomic::WIDTH_64,
                    };
                    self.b.ins().iconst(types::I32, i64::from(bits))
                }
            };
            call_args.push(v);
        }
        match out {
            Out::Plain => self.call_runtime(name, &call_args),
            Out::Option => {
                let slot_addr = self.out_slot();
                call_args.push(slot_addr);
                let found = self.call_runtime(name, &call_args)?;
                let slot = self.b.ins().load(types::I64, self.trusted, slot_addr, 0);
                Some(self.option_from(found, slot, ret))
            }
            Out::Slot => {
                let slot = self.call_runtime(name, &call_args)?;
                self.decode_slot(slot, ret)
            }
        }
    }

    /// Panics with `message` at `span` when `cond` (an I8) is 0.
    fn panic_unless(&mut self, cond: Value, message: &str, span: Span) {
        let bad = self.b.create_block();
        let good = self.b.create_block();
        self.b.set_cold_block(bad);
        self.b.ins().brif(cond, good, &[], bad, &[]);
        self.b.switch_to_block(bad);
        let msg = self.c_string_const(message);
        let loc = self.location(span);
        self.call_runtime("plat_panic_cstr", &[msg, loc]);
        self.b.switch_to_block(good);
    }

    /// Calls the function value `env` (no arguments) and returns its result.
    fn call_env(&mut self, env: Value, ret: &Ty) -> Option<Value> {
        let mut sig = self.cx.plat_signature(&[], ret);
        sig.params.insert(1, AbiParam::new(types::I64));
        let sig_ref = self.b.import_signature(sig);
        let code = self.b.ins().load(types::I64, self.trusted, env, ENV_CODE);
        let call = self.b.ins().call_indirect(sig_ref, code, &[self.ctx, env]);
        self.b.inst_results(call).first().copied()
    }

    /// `critical`, `read`, `write`: lock, call `f`, unlock. A panic in `f`
    /// ends the task, and the runtime releases what a failed task holds.
    fn locked_call(
        &mut self,
        (lock, unlock): (&'static str, &'static str),
        vals: &[Option<Value>],
        ret: &Ty,
        span: Span,
    ) -> Option<Value> {
        let object = vals.first().copied().flatten()?;
        let f = vals.get(1).copied().flatten()?;
        self.call_runtime(lock, &[self.ctx, object]);
        let r = self.call_env(f, ret);
        let loc = self.location(span);
        self.call_runtime(unlock, &[self.ctx, object, loc]);
        r
    }

    /// `once.call(f = f)`: `f` runs if `plat_once_begin` says so.
    fn once_call(&mut self, vals: &[Option<Value>]) {
        let (Some(once), Some(f)) = (
            vals.first().copied().flatten(),
            vals.get(1).copied().flatten(),
        ) else {
            return;
        };
        let run = self.b.create_block();
        let done = self.b.create_block();
        let first = self
            .call_runtime("plat_once_begin", &[self.ctx, once])
            .expect("plat_once_begin returns a flag");
        self.b.ins().brif(first, run, &[], done, &[]);
        self.b.switch_to_block(run);
        self.call_env(f, &Ty::Unit);
        self.call_runtime("plat_once_end", &[self.ctx, once]);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
    }

    /// `for (var in chan)`: receives until the channel is closed and
    /// drained.
    pub fn for_channel(&mut self, var: hir::LocalId, chan: &Expr, body: &mir::Block) {
        let ch = self.expr_value(chan);
        let elem = match chan.ty.clone() {
            Ty::Channel(t) => *t,
            _ => Ty::Error,
        };
        let out = self.out_slot();
        let header = self.b.create_block();
        let body_block = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let found = self
            .call_runtime("plat_chan_recv", &[self.ctx, ch, out])
            .expect("plat_chan_recv returns a flag");
        self.b.ins().brif(found, body_block, &[], exit, &[]);
        self.b.switch_to_block(body_block);
        let slot = self.b.ins().load(types::I64, self.trusted, out, 0);
        let v = self.decode_slot(slot, &elem);
        if let (Some(var), Some(v)) = (self.var(var), v) {
            self.b.def_var(var, v);
        }
        self.loops.push((latch, exit, self.open_scopes.len()));
        let poll = self.loop_body(body);
        self.loops.pop();
        self.b.ins().jump(latch, &[]);
        self.b.switch_to_block(latch);
        if poll {
            self.safepoint();
        }
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(exit);
    }

    /// `select { arms }`: evaluates every arm's channel and value in
    /// source order, lays the channel arms out for `plat_select`, and runs
    /// the body of the arm it reports.
    pub fn select(&mut self, arms: &[mir::SelectArm], span: Span) {
        // Arm index in the runtime's array, for channel arms.
        let mut chan_arms: Vec<(Value, i64, Value)> = Vec::new();
        let mut timeout: Option<Value> = None;
        let mut has_default = false;
        for arm in arms {
            match &arm.kind {
                SelectArmKind::Recv { chan, .. } => {
                    let c = self.expr_value(chan);
                    let zero = self.b.ins().iconst(types::I64, 0);
                    chan_arms.push((c, ARM_RECV, zero));
                }
                SelectArmKind::Send { chan, value, .. } => {
                    let c = self.expr_value(chan);
                    let v = self.expr(value);
                    let slot = self.encode_slot(v);
                    chan_arms.push((c, ARM_SEND, slot));
                }
                SelectArmKind::After { millis } => {
                    let ms = self.expr_value(millis);
                    // Negative times mean "now", never the runtime's
                    // special values.
                    let zero = self.b.ins().iconst(types::I64, 0);
                    timeout = Some(self.b.ins().smax(ms, zero));
                }
                SelectArmKind::Default => has_default = true,
            }
        }
        let n = chan_arms.len() as u32;
        let table = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            (n * ARM_BYTES).max(8),
            3,
        ));
        let scratch = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            (n * SCRATCH_PER_ARM).max(8),
            3,
        ));
        for (k, (c, kind, v)) in chan_arms.iter().enumerate() {
            let at = (k as u32 * ARM_BYTES) as i32;
            let kind = self.b.ins().iconst(types::I64, *kind);
            self.b
                .ins()
                .stack_store(types::I64, *c, table, at + select::ARM_CHAN as i32);
            self.b
                .ins()
                .stack_store(types::I64, kind, table, at + select::ARM_KIND as i32);
            self.b
                .ins()
                .stack_store(types::I64, *v, table, at + select::ARM_VALUE as i32);
        }
        let table_addr = self.b.ins().stack_addr(types::I64, table, 0);
        let scratch_addr = self.b.ins().stack_addr(types::I64, scratch, 0);
        let count = self.b.ins().iconst(types::I64, i64::from(n));
        let timeout = match (has_default, timeout) {
            (true, _) => self.b.ins().iconst(types::I64, NEVER_BLOCK),
            (false, Some(ms)) => ms,
            (false, None) => self.b.ins().iconst(types::I64, BLOCK_FOREVER),
        };
        let loc = self.location(span);
        let out = self.out_slot();
        let ok = self.out_slot();
        let chosen = self
            .call_runtime(
                "plat_select",
                &[
                    self.ctx,
                    table_addr,
                    count,
                    scratch_addr,
                    timeout,
                    loc,
                    out,
                    ok,
                ],
            )
            .expect("plat_select returns the arm");
        let merge = self.b.create_block();
        let mut chan_index = 0i64;
        for arm in arms {
            let wanted = match &arm.kind {
                SelectArmKind::Recv { .. } | SelectArmKind::Send { .. } => {
                    chan_index += 1;
                    chan_index - 1
                }
                SelectArmKind::After { .. } => SELECTED_TIMEOUT,
                SelectArmKind::Default => SELECTED_DEFAULT,
            };
            let this = self.b.create_block();
            let next = self.b.create_block();
            let hit = self.b.ins().icmp_imm_s(IntCC::Equal, chosen, wanted);
            self.b.ins().brif(hit, this, &[], next, &[]);
            self.b.switch_to_block(this);
            match &arm.kind {
                SelectArmKind::Recv { local, .. } => {
                    let opt_ty = self.f.local(*local).ty.clone();
                    let got = self.b.ins().load(types::I8, self.trusted, ok, 0);
                    let slot = self.b.ins().load(types::I64, self.trusted, out, 0);
                    let v = self.option_from(got, slot, &opt_ty);
                    if let Some(var) = self.var(*local) {
                        self.b.def_var(var, v);
                    }
                }
                SelectArmKind::Send { local, span, .. } => {
                    let sent = self.b.ins().load(types::I8, self.trusted, ok, 0);
                    match local.and_then(|l| self.var(l)) {
                        Some(var) => self.b.def_var(var, sent),
                        None => self.panic_unless(sent, SEND_ON_CLOSED, *span),
                    }
                }
                _ => {}
            }
            self.block(&arm.body);
            self.b.ins().jump(merge, &[]);
            self.b.switch_to_block(next);
        }
        // No arm matched: impossible (the runtime reports one of them).
        self.b.ins().jump(merge, &[]);
        self.b.switch_to_block(merge);
    }
}
