//! The concurrency library (spec: concurrency.md sections 3, 4 and 6):
//! the constructors and methods (as `Builtin::Lib` operations) of
//! `Channel<T>`, `Atomic<T>` and the synchronisation objects, `select`
//! and `for` over a channel. The types themselves are `lib_types.rs`.

use super::args::BindParam;
use super::body::{Expect, FnChecker};
use super::builtin_sig::{BuiltinParam, BuiltinSig, ParamTy};
use super::lib_types::{atomic_value_ok, bad_atomic};
use super::naming;
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::hir::{self, AdtId, Builtin, ExprKind, LibOp, Stmt, SyncKind, Ty};
use crate::source::Span;
use crate::syntax::ast;

fn p(name: &'static str, ty: Ty) -> BuiltinParam {
    BuiltinParam {
        name,
        ty: ParamTy::Exactly(ty),
        optional: false,
    }
}

fn opt(name: &'static str, ty: Ty) -> BuiltinParam {
    BuiltinParam {
        name,
        ty: ParamTy::Exactly(ty),
        optional: true,
    }
}

fn sig(op: LibOp, params: Vec<BuiltinParam>, ret: Ty) -> BuiltinSig {
    BuiltinSig {
        op: Builtin::Lib(op),
        params,
        ret,
    }
}

fn memory_order() -> Ty {
    Ty::Adt(AdtId::MEMORY_ORDER, Vec::new())
}

/// A method of `Channel<T>`.
fn channel_method(t: &Ty, name: &str) -> Option<BuiltinSig> {
    use LibOp::*;
    let opt_t = Ty::option(t.clone());
    Some(match name {
        "send" => sig(ChanSend, vec![p("value", t.clone())], Ty::Bool),
        "try_send" => sig(ChanTrySend, vec![p("value", t.clone())], Ty::Bool),
        "recv" => sig(ChanRecv, vec![], opt_t),
        "try_recv" => sig(ChanTryRecv, vec![], opt_t),
        "recv_timeout" => sig(ChanRecvTimeout, vec![p("millis", Ty::INT64)], opt_t),
        "close" => sig(ChanClose, vec![], Ty::Unit),
        "is_closed" => sig(ChanIsClosed, vec![], Ty::Bool),
        "len" => sig(ChanLen, vec![], Ty::INT64),
        "capacity" => sig(ChanCapacity, vec![], Ty::INT64),
        _ => return None,
    })
}

const CHANNEL_METHODS: &[&str] = &[
    "send",
    "try_send",
    "recv",
    "try_recv",
    "recv_timeout",
    "close",
    "is_closed",
    "len",
    "capacity",
];

/// A method of `Atomic<T>`; every one takes an optional `order`.
fn atomic_method(t: &Ty, name: &str) -> Option<BuiltinSig> {
    use LibOp::*;
    let order = || opt("order", memory_order());
    Some(match name {
        "load" => sig(AtomicLoad, vec![order()], t.clone()),
        "store" => sig(AtomicStore, vec![p("value", t.clone()), order()], Ty::Unit),
        "swap" => sig(AtomicSwap, vec![p("value", t.clone()), order()], t.clone()),
        "add" if *t != Ty::Bool => sig(AtomicAdd, vec![p("delta", t.clone()), order()], t.clone()),
        "compare_and_swap" => sig(
            AtomicCas,
            vec![p("expected", t.clone()), p("new", t.clone()), order()],
            Ty::Bool,
        ),
        _ => return None,
    })
}

const ATOMIC_METHODS: &[&str] = &["load", "store", "swap", "add", "compare_and_swap"];

/// A method of a synchronisation object, except those taking a function
/// (see [`FnChecker::closure_method`]).
fn sync_method(k: SyncKind, name: &str) -> Option<BuiltinSig> {
    use LibOp::*;
    use SyncKind as K;
    let unit = Ty::Unit;
    Some(match (k, name) {
        (K::Mutex, "lock") => sig(MutexLock, vec![], unit),
        (K::Mutex, "unlock") => sig(MutexUnlock, vec![], unit),
        (K::Mutex, "try_lock") => sig(MutexTryLock, vec![], Ty::Bool),
        (K::RwLock, "read_lock") => sig(RwReadLock, vec![], unit),
        (K::RwLock, "read_unlock") => sig(RwReadUnlock, vec![], unit),
        (K::RwLock, "write_lock") => sig(RwWriteLock, vec![], unit),
        (K::RwLock, "write_unlock") => sig(RwWriteUnlock, vec![], unit),
        (K::Condition, "wait") => sig(CondWait, vec![], unit),
        (K::Condition, "signal") => sig(CondSignal, vec![], unit),
        (K::Condition, "broadcast") => sig(CondBroadcast, vec![], unit),
        (K::WaitGroup, "add") => sig(WgAdd, vec![p("delta", Ty::INT64)], unit),
        (K::WaitGroup, "done") => sig(WgDone, vec![], unit),
        (K::WaitGroup, "wait") => sig(WgWait, vec![], unit),
        (K::Semaphore, "acquire") => sig(SemAcquire, vec![], unit),
        (K::Semaphore, "release") => sig(SemRelease, vec![], unit),
        (K::Semaphore, "try_acquire") => sig(SemTryAcquire, vec![], Ty::Bool),
        (K::Once, "call") => sig(
            OnceCall,
            vec![p("f", Ty::Fn(vec![], Box::new(unit)))],
            Ty::Unit,
        ),
        (K::CancelToken, "child") => sig(TokenChild, vec![], Ty::Sync(K::CancelToken)),
        (K::CancelToken, "cancel") => sig(TokenCancel, vec![], unit),
        (K::CancelToken, "is_cancelled") => sig(TokenIsCancelled, vec![], Ty::Bool),
        (K::CancelToken, "done") => sig(TokenDone, vec![], Ty::Channel(Box::new(Ty::Unit))),
        (K::Ticker, "channel") => sig(TickerChannel, vec![], Ty::Channel(Box::new(Ty::INT64))),
        (K::Ticker, "stop") => sig(TickerStop, vec![], unit),
        (K::RateLimiter, "wait") => sig(LimiterWait, vec![], unit),
        (K::RateLimiter, "try_take") => sig(LimiterTryTake, vec![], Ty::Bool),
        _ => return None,
    })
}

/// Methods taking a function: `critical`, `read`, `write`.
fn closure_op(k: SyncKind, name: &str) -> Option<LibOp> {
    match (k, name) {
        (SyncKind::Mutex, "critical") => Some(LibOp::MutexCritical),
        (SyncKind::RwLock, "read") => Some(LibOp::RwRead),
        (SyncKind::RwLock, "write") => Some(LibOp::RwWrite),
        _ => None,
    }
}

fn sync_method_names(k: SyncKind) -> &'static [&'static str] {
    use SyncKind as K;
    match k {
        K::Mutex => &["lock", "unlock", "try_lock", "critical"],
        K::RwLock => &[
            "read_lock",
            "read_unlock",
            "write_lock",
            "write_unlock",
            "read",
            "write",
        ],
        K::Condition => &["wait", "signal", "broadcast"],
        K::WaitGroup => &["add", "done", "wait"],
        K::Semaphore => &["acquire", "release", "try_acquire"],
        K::Once => &["call"],
        K::CancelToken => &["child", "cancel", "is_cancelled", "done"],
        K::Ticker => &["channel", "stop"],
        K::RateLimiter => &["wait", "try_take"],
    }
}

/// The library's name for a method other languages spell differently
/// (`ch.receive()`, `a.fetch_add()`, `m.acquire()`...), for the
/// did-you-mean of an unknown method when no known name is close.
fn other_name(ty: &Ty, name: &str) -> Option<&'static str> {
    use SyncKind as K;
    Some(match (ty, name) {
        (Ty::Channel(_), "receive" | "recieve" | "get" | "take" | "pop") => "recv",
        (Ty::Channel(_), "put" | "push" | "offer" | "write") => "send",
        (Ty::Channel(_), "length" | "size" | "count") => "len",
        (Ty::Channel(_), "cap") => "capacity",
        (Ty::Channel(_), "closed") => "is_closed",
        (Ty::Atomic(_), "get" | "read") => "load",
        (Ty::Atomic(_), "set" | "write") => "store",
        (Ty::Atomic(t), "fetch_add" | "increment" | "add_and_get" | "get_and_add")
            if **t != Ty::Bool =>
        {
            "add"
        }
        (Ty::Atomic(_), "exchange" | "get_and_set") => "swap",
        (Ty::Atomic(_), "cas" | "compare_exchange" | "compare_and_set") => "compare_and_swap",
        (Ty::Sync(K::Mutex), "acquire") => "lock",
        (Ty::Sync(K::Mutex), "release") => "unlock",
        (Ty::Sync(K::Mutex), "with" | "synchronized" | "locked") => "critical",
        (Ty::Sync(K::RwLock), "lock") => "write_lock",
        (Ty::Sync(K::RwLock), "unlock") => "write_unlock",
        (Ty::Sync(K::RwLock), "rlock") => "read_lock",
        (Ty::Sync(K::RwLock), "runlock") => "read_unlock",
        (Ty::Sync(K::Semaphore), "take" | "wait" | "down") => "acquire",
        (Ty::Sync(K::Semaphore), "give" | "post" | "signal" | "up") => "release",
        (Ty::Sync(K::WaitGroup), "join") => "wait",
        (Ty::Sync(K::Condition), "notify" | "notify_one") => "signal",
        (Ty::Sync(K::Condition), "notify_all" | "signal_all") => "broadcast",
        (Ty::Sync(K::CancelToken), "is_canceled") => "is_cancelled",
        _ => return None,
    })
}

/// A constructor (or other call on the type name) of a library type.
fn constructor(name: &str, method: &str) -> Option<(LibOp, Vec<BuiltinParam>)> {
    use LibOp::*;
    Some(match (name, method) {
        ("Channel", "init") => (ChanNew, vec![opt("capacity", Ty::INT64)]),
        ("Channel", "unbounded") => (ChanUnbounded, vec![]),
        ("Mutex", "init") => (MutexNew, vec![]),
        ("RwLock", "init") => (RwNew, vec![]),
        ("Condition", "init") => (CondNew, vec![p("mutex", Ty::Sync(SyncKind::Mutex))]),
        ("WaitGroup", "init") => (WgNew, vec![]),
        ("Semaphore", "init") => (SemNew, vec![p("permits", Ty::INT64)]),
        ("Once", "init") => (OnceNew, vec![]),
        ("CancelToken", "init") => (TokenNew, vec![]),
        ("CancelToken", "with_timeout") => (TokenWithTimeout, vec![p("millis", Ty::INT64)]),
        ("Ticker", "init") => (TickerNew, vec![p("millis", Ty::INT64)]),
        ("RateLimiter", "init") => (
            LimiterNew,
            vec![p("per_second", Ty::INT64), opt("burst", Ty::INT64)],
        ),
        _ => return None,
    })
}

/// The hint of a malformed select arm.
const ARM_FORMS: &str = "arms are `let v: Option<T> = ch.recv() -> { }`, `ch.send(value = v) -> { }`, `after(millis = n) -> { }` and `default -> { }`";

/// The hint of a select arm using a non-blocking or timed call.
const NO_TRY: &str = "select itself decides whether to wait: use `recv()` / `send(value =)`, with a `default` arm to never wait or an `after(millis = n)` arm to wait at most n ms";

impl FnChecker<'_> {
    /// `Channel.init(capacity = n)`, `Mutex.init()`, `Atomic.init(value =
    /// v)`, `Channel.unbounded()`, `CancelToken.with_timeout(millis = n)`...
    pub(crate) fn lib_static_call(
        &mut self,
        name: &str,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        if name == "Atomic" && method.name == "init" {
            return self.atomic_init(args, span, expect);
        }
        let Some((op, params)) = constructor(name, &method.name) else {
            let what = if method.name == "init" {
                format!("`{name}` is made by a library call, not `init`")
            } else {
                format!("`{name}.{}` is not a constructor", method.name)
            };
            let hint = match name {
                "Channel" => "make channels with `Channel.init(capacity = n)` or `Channel.unbounded()`",
                "CancelToken" => "make tokens with `CancelToken.init()` or `CancelToken.with_timeout(millis = n)`",
                _ => "construct values with `.init(...)`",
            };
            self.error(
                Diagnostic::new(
                    Code::UnknownMethod,
                    what,
                    method.span,
                    "no such constructor",
                )
                .with_hint(hint),
            );
            self.skip_args(args);
            return hir::Expr::error(span);
        };
        let ret = if name == "Channel" {
            match expect.ty() {
                Some(Ty::Channel(t)) => Ty::Channel(t.clone()),
                Some(t) if t.is_flexible() => Ty::Error,
                _ => {
                    self.error(
                        Diagnostic::new(
                            Code::CannotInfer,
                            "cannot tell what this channel carries",
                            span,
                            "element type unknown",
                        )
                        .with_hint("write the type: `let ch: Channel<Int32> = Channel.init(capacity = 8);`"),
                    );
                    self.skip_args(args);
                    return hir::Expr::error(span);
                }
            }
        } else {
            SyncKind::from_name(name).map_or(Ty::Error, Ty::Sync)
        };
        let sig = BuiltinSig {
            op: Builtin::Lib(op),
            params,
            ret,
        };
        self.builtin_call(&sig, None, &format!("{name}.{}", method.name), args, span)
    }

    /// `Atomic.init(value = v)`: `T` from the expected type, else from `v`.
    fn atomic_init(&mut self, args: &[ast::Arg], span: Span, expect: Expect) -> hir::Expr {
        let expected = match expect.ty() {
            Some(Ty::Atomic(t)) => Some((**t).clone()),
            _ => None,
        };
        let params = [BindParam {
            name: "value".into(),
            ty: expected.clone(),
            required: true,
        }];
        let (mut bound, ok) = self.bind(&params, args, "Atomic.init", span, None);
        let Some((_, value)) = bound.pop().filter(|_| ok) else {
            return hir::Expr::error(span);
        };
        let t = expected.unwrap_or_else(|| value.ty.clone());
        if !atomic_value_ok(&t) {
            // A written type that is already an error (`Atomic<String>`,
            // reported where it is written) is not reported again here.
            if !matches!(expect.ty(), Some(e) if e.is_flexible()) {
                let shown = self.show(&t);
                self.error(bad_atomic(&t, &shown, value.span));
            }
            return hir::Expr::error(span);
        }
        hir::Expr::new(
            ExprKind::Builtin {
                op: Builtin::Lib(LibOp::AtomicNew),
                args: vec![Some(value)],
            },
            Ty::Atomic(Box::new(t)),
            span,
        )
    }

    /// A method call on a value of a library type.
    pub(crate) fn lib_method(
        &mut self,
        recv: hir::Expr,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
    ) -> hir::Expr {
        let ty = recv.ty.clone();
        let (found, names): (Option<BuiltinSig>, &[&str]) = match &ty {
            Ty::Channel(t) => (channel_method(t, &method.name), CHANNEL_METHODS),
            Ty::Atomic(t) => (atomic_method(t, &method.name), ATOMIC_METHODS),
            Ty::Sync(k) => {
                if let Some(op) = closure_op(*k, &method.name) {
                    return self.closure_method(op, recv, &method.name, args, span);
                }
                (sync_method(*k, &method.name), sync_method_names(*k))
            }
            _ => (None, &[]),
        };
        if let Some(sig) = found {
            return self.builtin_call(&sig, Some(recv), &method.name, args, span);
        }
        if matches!(&ty, Ty::Atomic(t) if **t == Ty::Bool) && method.name == "add" {
            self.error(
                Diagnostic::new(
                    Code::UnknownMethod,
                    "`Atomic<Bool>` has no method `add`: it is for `Atomic<Int32>` and `Atomic<Int64>`",
                    method.span,
                    "not for `Bool`",
                )
                .with_hint("flip or set a flag with `swap(value =)` or `compare_and_swap(expected =, new =)`"),
            );
            self.skip_args(args);
            return hir::Expr::error(span);
        }
        let hint = did_you_mean(&method.name, names.iter().copied())
            .or_else(|| other_name(&ty, &method.name));
        self.unknown_method(&ty, method, hint);
        self.skip_args(args);
        hir::Expr::error(span)
    }

    /// `m.critical(f = f)`, `l.read(f = f)`, `l.write(f = f)`: `f` takes no
    /// arguments; the call has `f`'s result type.
    fn closure_method(
        &mut self,
        op: LibOp,
        recv: hir::Expr,
        name: &str,
        args: &[ast::Arg],
        span: Span,
    ) -> hir::Expr {
        // `f` is checked on its own (a function value or a lambda carries
        // its whole type) and the call has its result type, which the
        // context then checks once: expecting `Fn() -> T` here as well
        // would report one mistake twice.
        let params = [BindParam {
            name: "f".into(),
            ty: None,
            required: true,
        }];
        let (mut bound, ok) = self.bind(&params, args, name, span, None);
        let Some((_, f)) = bound.pop().filter(|_| ok) else {
            return hir::Expr::error(span);
        };
        let ret = match &f.ty {
            Ty::Fn(ps, r) if ps.is_empty() => (**r).clone(),
            t if t.is_flexible() => Ty::Error,
            other => {
                let shown = self.show(other);
                self.error(Diagnostic::new(
                    Code::TypeMismatch,
                    format!("`{name}` takes a function of no arguments, found `{shown}`"),
                    f.span,
                    "expected `Fn() -> T`",
                ));
                return hir::Expr::error(span);
            }
        };
        hir::Expr::new(
            ExprKind::Builtin {
                op: Builtin::Lib(op),
                args: vec![Some(recv), Some(f)],
            },
            ret,
            span,
        )
    }

    /// `for (x in ch)`: receives until `ch` is closed and drained.
    pub(crate) fn for_channel(
        &mut self,
        var: &ast::Ident,
        declared: Option<&Ty>,
        chan: hir::Expr,
        body: &ast::Block,
    ) -> Option<Stmt> {
        let Ty::Channel(elem) = chan.ty.clone() else {
            return None;
        };
        if let Some(d) = declared {
            if !elem.fits(d) {
                self.mismatch(d, &elem, chan.span);
            }
        }
        self.push_scope();
        let var = self.declare_local(var, declared.cloned().unwrap_or(*elem), false);
        let body = self.loop_body(body);
        self.pop_scope();
        Some(Stmt::ForChannel { var, chan, body })
    }

    /// `select { arms }` (spec: concurrency.md section 4).
    pub(crate) fn select_stmt(&mut self, arms: &[ast::SelectArm], span: Span) -> Stmt {
        let mut out = Vec::new();
        let mut default_at: Option<Span> = None;
        let mut after_at: Option<Span> = None;
        for arm in arms {
            self.push_scope();
            let kind = match &arm.kind {
                ast::SelectArmKind::Recv { name, ty, channel } => {
                    self.select_recv(name, ty.as_ref(), channel)
                }
                ast::SelectArmKind::Send(call) => self.select_send(call),
                ast::SelectArmKind::After(call) => {
                    if let Some(first) = after_at {
                        self.error(
                            Diagnostic::new(
                                Code::BadSelectArm,
                                "a select has at most one `after` arm",
                                arm.span,
                                "second `after`",
                            )
                            .with_label(first, "first `after` here"),
                        );
                    }
                    after_at.get_or_insert(arm.span);
                    self.select_after(call)
                }
                ast::SelectArmKind::Default => {
                    if let Some(first) = default_at {
                        self.error(
                            Diagnostic::new(
                                Code::BadSelectArm,
                                "a select has at most one `default` arm",
                                arm.span,
                                "second `default`",
                            )
                            .with_label(first, "first `default` here"),
                        );
                    }
                    default_at.get_or_insert(arm.span);
                    Some(hir::SelectArmKind::Default)
                }
            };
            let body = self.block(&arm.body, Expect::Discard);
            self.pop_scope();
            if let Some(kind) = kind {
                out.push(hir::SelectArm { kind, body });
            }
        }
        if let (Some(d), Some(a)) = (default_at, after_at) {
            self.error(
                Diagnostic::new(
                    Code::BadSelectArm,
                    "`after` and `default` cannot be in one select",
                    a,
                    "never reached",
                )
                .with_label(d, "with `default` the select never waits")
                .with_hint("drop one: `default` runs when nothing is ready now, `after` when nothing is ready in time"),
            );
        }
        Stmt::Select { arms: out, span }
    }

    fn bad_arm(&mut self, span: Span, what: &str) {
        self.bad_arm_hint(span, what, ARM_FORMS);
    }

    fn bad_arm_hint(&mut self, span: Span, what: &str, hint: &str) {
        self.error(
            Diagnostic::new(
                Code::BadSelectArm,
                format!("a select arm must be {what}"),
                span,
                "not a select arm",
            )
            .with_hint(hint.to_string()),
        );
    }

    /// A receive arm whose call is wrong still binds its variable (with
    /// the written type, if any), so that its body is checked without a
    /// cascade of "unknown value" errors.
    fn bind_bad_recv(&mut self, name: &ast::Ident, ty: Option<&ast::TypeExpr>) {
        let t = ty.map_or(Ty::Error, |t| self.resolve_type(t));
        self.declare_local(name, t, false);
    }

    /// The channel of a receive or send arm, and its element type.
    fn arm_channel(&mut self, chan: &ast::Expr) -> (hir::Expr, Ty) {
        let chan = self.expr(chan, Expect::Value);
        let elem = match &chan.ty {
            Ty::Channel(t) => (**t).clone(),
            t if t.is_flexible() => Ty::Error,
            other => {
                let shown = self.show(other);
                self.error(Diagnostic::new(
                    Code::BadSelectArm,
                    format!("select arms use channels, not `{shown}`"),
                    chan.span,
                    "not a channel",
                ));
                Ty::Error
            }
        };
        (chan, elem)
    }

    fn select_recv(
        &mut self,
        name: &ast::Ident,
        ty: Option<&ast::TypeExpr>,
        call: &ast::Expr,
    ) -> Option<hir::SelectArmKind> {
        const WHAT: &str = "a receive `let v: Option<T> = ch.recv()`";
        let ast::ExprKind::MethodCall {
            receiver,
            method,
            args,
        } = &call.kind
        else {
            self.bad_arm(call.span, WHAT);
            self.bind_bad_recv(name, ty);
            return None;
        };
        if method.name == "send" {
            return self.select_bound_send(name, ty, call, receiver, args);
        }
        if method.name != "recv" || !args.is_empty() {
            match method.name.as_str() {
                "try_recv" | "recv_timeout" => self.bad_arm_hint(call.span, WHAT, NO_TRY),
                _ => self.bad_arm(call.span, WHAT),
            }
            self.skip_args(args);
            self.bind_bad_recv(name, ty);
            return None;
        }
        let (chan, elem) = self.arm_channel(receiver);
        let got = Ty::option(elem);
        let local_ty = match ty {
            Some(t) => {
                let declared = self.resolve_type(t);
                if !got.fits(&declared) {
                    self.mismatch(&declared, &got, t.span);
                }
                declared
            }
            None => got,
        };
        naming::check_snake_case(self.c, name, "variable");
        let local = self.declare_local(name, local_ty, false);
        Some(hir::SelectArmKind::Recv { local, chan })
    }

    fn select_send(&mut self, call: &ast::Expr) -> Option<hir::SelectArmKind> {
        // Any expression that is not a `let` receive, `after` or
        // `default` is taken for a send arm.
        const WHAT: &str = "a receive, a send, `after(millis = n)` or `default`";
        let ast::ExprKind::MethodCall {
            receiver,
            method,
            args,
        } = &call.kind
        else {
            self.bad_arm(call.span, WHAT);
            return None;
        };
        if method.name != "send" {
            match method.name.as_str() {
                "recv" => self.bad_arm_hint(
                    call.span,
                    "a receive that binds what it receives",
                    "write `let v: Option<T> = ch.recv() -> { ... }` (`v` is `None` once the channel is closed)",
                ),
                "try_send" | "try_recv" | "recv_timeout" => {
                    self.bad_arm_hint(call.span, WHAT, NO_TRY)
                }
                _ => self.bad_arm(call.span, WHAT),
            }
            self.skip_args(args);
            return None;
        }
        let (chan, value) = self.arm_send_value(receiver, args, call.span)?;
        Some(hir::SelectArmKind::Send {
            chan,
            value,
            local: None,
            span: call.span,
        })
    }

    /// The channel and the value of a send arm.
    fn arm_send_value(
        &mut self,
        receiver: &ast::Expr,
        args: &[ast::Arg],
        span: Span,
    ) -> Option<(hir::Expr, hir::Expr)> {
        let (chan, elem) = self.arm_channel(receiver);
        let params = [BindParam {
            name: "value".into(),
            ty: Some(elem),
            required: true,
        }];
        let (mut bound, ok) = self.bind(&params, args, "send", span, None);
        let (_, value) = bound.pop().filter(|_| ok)?;
        Some((chan, value))
    }

    /// `let ok: Bool = ch.send(value = v) -> { }`: `ok` says whether the
    /// value was delivered (false: the channel is closed).
    fn select_bound_send(
        &mut self,
        name: &ast::Ident,
        ty: Option<&ast::TypeExpr>,
        call: &ast::Expr,
        receiver: &ast::Expr,
        args: &[ast::Arg],
    ) -> Option<hir::SelectArmKind> {
        if let Some(t) = ty {
            let declared = self.resolve_type(t);
            if !Ty::Bool.fits(&declared) {
                self.mismatch(&declared, &Ty::Bool, t.span);
            }
        }
        naming::check_snake_case(self.c, name, "variable");
        let sent = self.arm_send_value(receiver, args, call.span);
        let local = self.declare_local(name, Ty::Bool, false);
        let (chan, value) = sent?;
        Some(hir::SelectArmKind::Send {
            chan,
            value,
            local: Some(local),
            span: call.span,
        })
    }

    fn select_after(&mut self, call: &ast::Expr) -> Option<hir::SelectArmKind> {
        let ast::ExprKind::Call { args, .. } = &call.kind else {
            self.bad_arm(call.span, "`after(millis = n)`");
            return None;
        };
        let params = [BindParam {
            name: "millis".into(),
            ty: Some(Ty::INT64),
            required: true,
        }];
        let (mut bound, ok) = self.bind(&params, args, "after", call.span, None);
        let (_, millis) = bound.pop().filter(|_| ok)?;
        Some(hir::SelectArmKind::After { millis })
    }
}
