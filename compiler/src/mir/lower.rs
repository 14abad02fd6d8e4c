//! HIR to MIR: monomorphisation from the entry outwards.
//!
//! The entry (`main`, or the test or bench cases and their hooks) is the
//! first instance; lowering an instance's body substitutes its type
//! arguments into every type and turns each call, closure, spawn body and
//! function value into an instance, declared on first use and queued
//! (breadth first, in evaluation order: the order code generation used to
//! find them). Every class type an instance mentions (directly, or inside
//! another type, a field or a parent) gets its vtable instantiated too.
//! The limits of `instances.rs` stop runaway instantiation with a
//! diagnostic (E0223, E0903), so `plat check` reports them.
//!
//! Lowering also decides where the safepoint polls go ([`Stmt::Poll`]):
//! one at the end of every loop body, and one at function entry unless the
//! function is a leaf without loops (see [`needs_entry_poll`]).

use std::collections::HashSet;

use super::instances::{InstanceKey, Instances};
use super::*;
use crate::diag::Diagnostic;
use crate::hir::{AdtKind, Entry, LibOp};
use crate::syntax::limits;

pub use super::instances::MAX_INSTANCES;

/// Lowers a checked program. A limit crossed (or a program nested too
/// deeply for the stack) is a diagnostic.
pub fn lower(program: &hir::Program) -> Result<Program, Box<Diagnostic>> {
    let mut l = Lowerer {
        hir: program,
        out: Program::default(),
        instances: Instances::default(),
        seen_types: HashSet::new(),
        current: None,
        out_of_stack: None,
    };
    match &program.entry {
        Entry::Main(main) => {
            let id = l.instance(*main, Vec::new());
            l.out.main = Some(id);
        }
        Entry::Tests(cases) | Entry::Benches(cases) => {
            for c in cases {
                for f in [Some(c.func), c.before, c.after].into_iter().flatten() {
                    l.instance(f, Vec::new());
                }
            }
        }
    }
    while let Some(id) = l.instances.next() {
        l.lower_instance(id);
    }
    if let Some(span) = l.out_of_stack {
        return Err(Box::new(limits::out_of_stack(span)));
    }
    if let Some(diag) = l.instances.diagnostic(program) {
        return Err(Box::new(diag));
    }
    Ok(l.out)
}

struct Lowerer<'h> {
    hir: &'h hir::Program,
    out: Program,
    instances: Instances,
    /// Concrete types whose class instances have been given vtables.
    seen_types: HashSet<Ty>,
    /// The HIR function and type arguments of the instance being lowered.
    current: Option<(&'h hir::Function, Vec<Ty>)>,
    /// Where lowering ran short of stack, if it did.
    out_of_stack: Option<Span>,
}

impl<'h> Lowerer<'h> {
    /// The instance of `func` for concrete `type_args`, declared (and
    /// queued) on first use.
    fn instance(&mut self, func: FnId, type_args: Vec<Ty>) -> InstId {
        let key: InstanceKey = (func, type_args);
        if let Some(id) = self.out.instances.get(&key) {
            return *id;
        }
        let id = InstId(self.out.functions.len() as u32);
        let f = self.hir.function(func);
        // A placeholder until the instance is lowered.
        self.out.functions.push(Function {
            name: f.name.clone(),
            origin: func,
            type_args: key.1.clone(),
            kind: f.kind,
            is_init: f.is_init,
            captures: f.captures.clone(),
            params: f.params.clone(),
            ret: Ty::Unit,
            locals: Vec::new(),
            body: Block {
                stmts: Vec::new(),
                tail: None,
                ty: Ty::Unit,
            },
            span: f.span,
        });
        self.out.instances.insert(key.clone(), id);
        self.instances.add(key, id);
        id
    }

    fn lower_instance(&mut self, id: InstId) {
        let (func, type_args) = {
            let f = self.out.function(id);
            (f.origin, f.type_args.clone())
        };
        let f = self.hir.function(func);
        self.current = Some((f, type_args));
        let locals: Vec<Local> = f
            .locals
            .iter()
            .map(|l| Local {
                name: l.name.clone(),
                ty: self.ty(&l.ty),
                mutable: l.mutable,
            })
            .collect();
        let ret = self.ty(&f.ret);
        let mut body = self.block(&f.body);
        if needs_entry_poll(f.kind, &body) {
            body.stmts.insert(0, Stmt::Poll);
        }
        let out = &mut self.out.functions[id.0 as usize];
        out.locals = locals;
        out.ret = ret;
        out.body = body;
        self.current = None;
    }

    /// `ty` with the current instance's type arguments substituted; the
    /// class types in it get their vtables.
    fn ty(&mut self, ty: &Ty) -> Ty {
        let t = match &self.current {
            Some((f, args)) => hir::subst_params(ty, &f.generics, args),
            None => ty.clone(),
        };
        self.note_type(&t);
        t
    }

    /// Instantiates the vtable of every class type reachable from `ty`
    /// (type arguments, fields, parents, payloads): any of them may get a
    /// descriptor in code generation. A walk with a work list, memoised;
    /// types past the size limit (a class whose fields grow its type
    /// arguments) are not followed.
    fn note_type(&mut self, ty: &Ty) {
        if self.seen_types.contains(ty) {
            return;
        }
        let mut work = vec![ty.clone()];
        while let Some(t) = work.pop() {
            if self.seen_types.contains(&t) || t.larger_than(hir::MAX_TYPE_SIZE) {
                continue;
            }
            self.seen_types.insert(t.clone());
            match &t {
                Ty::List(e)
                | Ty::Set(e)
                | Ty::Task(e)
                | Ty::Thread(e)
                | Ty::Channel(e)
                | Ty::Atomic(e) => work.push((**e).clone()),
                Ty::Dict(k, v) => {
                    work.push((**k).clone());
                    work.push((**v).clone());
                }
                Ty::Fn(ps, r) => {
                    work.extend(ps.iter().cloned());
                    work.push((**r).clone());
                }
                Ty::Newtype(id) => {
                    if let AdtKind::Newtype { inner } = &self.hir.adt(*id).kind {
                        work.push(inner.clone());
                    }
                }
                Ty::Adt(id, args) => {
                    work.extend(args.iter().cloned());
                    let adt = self.hir.adt(*id);
                    match &adt.kind {
                        AdtKind::Class { parent, vtable, .. } => {
                            let fields = self.hir.class_fields(*id, args);
                            work.extend(fields.into_iter().map(|(_, t)| t));
                            if let Some(p) = parent {
                                work.push(hir::subst_params(p, &adt.generics, args));
                            }
                            let slots: Vec<InstId> = vtable
                                .iter()
                                .map(|e| {
                                    let targs = e
                                        .type_args
                                        .iter()
                                        .map(|a| hir::subst_params(a, &adt.generics, args))
                                        .collect();
                                    self.instance(e.func, targs)
                                })
                                .collect();
                            self.out.vtables.insert(t.clone(), slots);
                        }
                        AdtKind::Enum { variants } => {
                            for v in variants {
                                work.extend(
                                    v.fields
                                        .iter()
                                        .map(|f| hir::subst_params(f, &adt.generics, args)),
                                );
                            }
                        }
                        AdtKind::Newtype { inner } => work.push(inner.clone()),
                    }
                }
                _ => {}
            }
        }
    }

    /// The type arguments of the current instance (those of a lifted
    /// body's instance: it has its enclosing function's generics).
    fn current_args(&self) -> Vec<Ty> {
        self.current
            .as_ref()
            .map(|(_, a)| a.clone())
            .unwrap_or_default()
    }

    fn block(&mut self, b: &hir::Block) -> Block {
        let stmts = b.stmts.iter().map(|s| self.stmt(s)).collect();
        let tail = b.tail.as_ref().map(|e| Box::new(self.expr(e)));
        Block {
            stmts,
            tail,
            ty: self.ty(&b.ty),
        }
    }

    /// A loop body: the block, then the back edge's poll.
    fn loop_body(&mut self, b: &hir::Block) -> Block {
        let mut body = self.block(b);
        // The poll comes last: after the tail, if any (a loop body's
        // value is discarded).
        if let Some(tail) = body.tail.take() {
            body.stmts.push(Stmt::Expr(*tail));
        }
        body.stmts.push(Stmt::Poll);
        body
    }

    fn stmt(&mut self, s: &hir::Stmt) -> Stmt {
        match s {
            hir::Stmt::Let { local, value } => Stmt::Let {
                local: *local,
                value: self.expr(value),
            },
            hir::Stmt::Expr(e) => Stmt::Expr(self.expr(e)),
            hir::Stmt::Return(e, span) => Stmt::Return(e.as_ref().map(|e| self.expr(e)), *span),
            hir::Stmt::While { cond, body } => Stmt::While {
                cond: self.expr(cond),
                body: self.loop_body(body),
            },
            hir::Stmt::ForRange {
                var,
                start,
                end,
                inclusive,
                body,
            } => Stmt::ForRange {
                var: *var,
                start: Box::new(self.expr(start)),
                end: Box::new(self.expr(end)),
                inclusive: *inclusive,
                body: self.loop_body(body),
            },
            hir::Stmt::ForList { var, list, body } => Stmt::ForList {
                var: *var,
                list: self.expr(list),
                body: self.loop_body(body),
            },
            hir::Stmt::Break => Stmt::Break,
            hir::Stmt::Continue => Stmt::Continue,
            hir::Stmt::Concurrent {
                scope,
                deadline,
                body,
            } => Stmt::Concurrent {
                scope: *scope,
                deadline: deadline.as_ref().map(|d| Box::new(self.expr(d))),
                body: self.block(body),
            },
            hir::Stmt::ForChannel { var, chan, body } => Stmt::ForChannel {
                var: *var,
                chan: self.expr(chan),
                body: self.loop_body(body),
            },
            hir::Stmt::Select { arms, span } => Stmt::Select {
                arms: arms.iter().map(|a| self.select_arm(a)).collect(),
                span: *span,
            },
        }
    }

    fn select_arm(&mut self, a: &hir::SelectArm) -> SelectArm {
        let kind = match &a.kind {
            hir::SelectArmKind::Recv { local, chan } => SelectArmKind::Recv {
                local: *local,
                chan: self.expr(chan),
            },
            hir::SelectArmKind::Send {
                chan,
                value,
                local,
                span,
            } => SelectArmKind::Send {
                chan: self.expr(chan),
                value: self.expr(value),
                local: *local,
                span: *span,
            },
            hir::SelectArmKind::After { millis } => SelectArmKind::After {
                millis: self.expr(millis),
            },
            hir::SelectArmKind::Default => SelectArmKind::Default,
        };
        SelectArm {
            kind,
            body: self.block(&a.body),
        }
    }

    fn boxed(&mut self, e: &hir::Expr) -> Box<Expr> {
        Box::new(self.expr(e))
    }

    fn exprs(&mut self, es: &[hir::Expr]) -> Vec<Expr> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn args(&mut self, args: &[(usize, hir::Expr)]) -> Vec<(usize, Expr)> {
        args.iter().map(|(s, e)| (*s, self.expr(e))).collect()
    }

    fn expr(&mut self, e: &hir::Expr) -> Expr {
        let ty = self.ty(&e.ty);
        if limits::stack_is_low() {
            self.out_of_stack.get_or_insert(e.span);
            return Expr::new(ExprKind::Unreachable, ty, e.span);
        }
        let kind = self.expr_kind(e);
        Expr::new(kind, ty, e.span)
    }

    fn expr_kind(&mut self, e: &hir::Expr) -> ExprKind {
        use hir::ExprKind as H;
        match &e.kind {
            H::Int(v) => ExprKind::Int(*v),
            H::Float(v) => ExprKind::Float(*v),
            H::Bool(v) => ExprKind::Bool(*v),
            H::Str(s) => ExprKind::Str(s.clone()),
            H::Unit => ExprKind::Unit,
            H::Local(l) => ExprKind::Local(*l),
            H::Call {
                func,
                type_args,
                args,
            } => {
                // Arguments first: their instances come before the
                // callee's, as code generation found them.
                let args = self.args(args);
                let targs = type_args.iter().map(|t| self.ty(t)).collect();
                ExprKind::Call {
                    func: self.instance(*func, targs),
                    args,
                }
            }
            H::VirtualCall {
                func,
                type_args,
                slot,
                args,
            } => {
                let args = self.args(args);
                let callee = self.hir.function(*func);
                let targs: Vec<Ty> = type_args.iter().map(|t| self.ty(t)).collect();
                let params = callee
                    .params
                    .iter()
                    .map(|p| hir::subst_params(&callee.local(*p).ty, &callee.generics, &targs))
                    .collect();
                ExprKind::VirtualCall {
                    slot: *slot,
                    params,
                    args,
                }
            }
            H::Builtin { op, args } => ExprKind::Builtin {
                op: *op,
                args: args
                    .iter()
                    .map(|a| a.as_ref().map(|a| self.expr(a)))
                    .collect(),
            },
            H::Binary { .. } => self.binary(e),
            H::Unary { op, operand } => ExprKind::Unary {
                op: *op,
                operand: self.boxed(operand),
            },
            H::Assign { local, value } => ExprKind::Assign {
                local: *local,
                value: self.boxed(value),
            },
            H::AssignField {
                object,
                index,
                value,
            } => ExprKind::AssignField {
                object: self.boxed(object),
                index: *index,
                value: self.boxed(value),
            },
            H::Cast { value } => ExprKind::Cast {
                value: self.boxed(value),
            },
            H::Interp(parts) => ExprKind::Interp(self.exprs(parts)),
            H::Block(b) => ExprKind::Block(self.block(b)),
            H::If {
                cond,
                then,
                otherwise,
            } => ExprKind::If {
                cond: self.boxed(cond),
                then: self.block(then),
                otherwise: otherwise.as_ref().map(|b| self.block(b)),
            },
            H::NewObject { fields } => ExprKind::NewObject {
                fields: self.exprs(fields),
            },
            H::AllocObject => ExprKind::AllocObject,
            H::Field { object, index } => ExprKind::Field {
                object: self.boxed(object),
                index: *index,
            },
            H::Variant { tag, fields } => ExprKind::Variant {
                tag: *tag,
                fields: self.exprs(fields),
            },
            H::Closure { func, captures } => {
                let args = self.current_args();
                ExprKind::Closure {
                    func: self.instance(*func, args),
                    captures: captures.clone(),
                }
            }
            H::FnRef(func) => ExprKind::FnRef(self.instance(*func, Vec::new())),
            H::CallValue { callee, args } => ExprKind::CallValue {
                callee: self.boxed(callee),
                args: self.exprs(args),
            },
            H::Spawn {
                func,
                captures,
                scope,
            } => {
                let args = self.current_args();
                ExprKind::Spawn {
                    func: self.instance(*func, args),
                    captures: captures.clone(),
                    scope: *scope,
                }
            }
            H::ThreadSpawn { func, captures } => {
                let args = self.current_args();
                ExprKind::ThreadSpawn {
                    func: self.instance(*func, args),
                    captures: captures.clone(),
                }
            }
            H::Race { scope, spawns } => ExprKind::Race {
                scope: *scope,
                spawns: self.exprs(spawns),
            },
            H::Retype(inner) => ExprKind::Retype(self.boxed(inner)),
            H::Match { scrutinee, arms } => ExprKind::Match {
                scrutinee: self.boxed(scrutinee),
                arms: arms
                    .iter()
                    .map(|a| MatchArm {
                        pattern: self.pattern(&a.pattern),
                        body: self.expr(&a.body),
                    })
                    .collect(),
            },
            H::Try(inner) => ExprKind::Try(self.boxed(inner)),
            H::Index { list, index } => ExprKind::Index {
                list: self.boxed(list),
                index: self.boxed(index),
            },
            H::List(items) => ExprKind::List(self.exprs(items)),
            H::Dict(entries) => ExprKind::Dict(
                entries
                    .iter()
                    .map(|(k, v)| (self.expr(k), self.expr(v)))
                    .collect(),
            ),
            H::Set(items) => ExprKind::Set(self.exprs(items)),
            // `Error` never survives checking.
            H::Unreachable | H::Error => ExprKind::Unreachable,
        }
    }

    /// A chain `a + b + c + ...` nests on the left: walked with a loop, not
    /// by recursion, so its length does not matter (issue 7, item 4).
    fn binary(&mut self, e: &hir::Expr) -> ExprKind {
        // (operator, right operand, type, span), outermost first.
        let mut spine = Vec::new();
        let mut leftmost = e;
        while let hir::ExprKind::Binary { op, lhs, rhs } = &leftmost.kind {
            spine.push((*op, &**rhs, &leftmost.ty, leftmost.span));
            leftmost = lhs;
        }
        let mut value = self.expr(leftmost);
        let mut last = None;
        for (op, rhs, ty, span) in spine.into_iter().rev() {
            let rhs = self.boxed(rhs);
            let kind = ExprKind::Binary {
                op,
                lhs: Box::new(value),
                rhs,
            };
            let ty = self.ty(ty);
            value = Expr::new(kind, ty, span);
            last = Some(());
        }
        debug_assert!(last.is_some(), "called on a binary expression");
        value.kind
    }

    fn pattern(&mut self, p: &hir::Pattern) -> Pattern {
        match p {
            hir::Pattern::Wildcard => Pattern::Wildcard,
            hir::Pattern::Binding(l) => Pattern::Binding(*l),
            hir::Pattern::Literal(e) => Pattern::Literal(self.boxed(e)),
            hir::Pattern::Variant { tag, fields } => Pattern::Variant {
                tag: *tag,
                fields: fields.iter().map(|f| self.pattern(f)).collect(),
            },
        }
    }
}

/// Whether a function with this body needs a poll at entry. A function
/// that neither loops nor calls Plat code (directly, through a function
/// value or a vtable) runs a bounded amount of code, so its callers' polls
/// suffice: such small functions are what gets inlined into loops, where a
/// second poll per iteration, with its call on the cold path, made values
/// spill around it (spectral_norm: 0.40 s -> 0.65 s). Calls into the
/// runtime (allocation, printing, parking) do not count: they are bounded
/// or park the task; `critical`, `read`, `write` and `Once.call` call
/// the function value they are given from compiled code, so they count.
/// A spawn body always polls (it starts a task).
pub fn needs_entry_poll(kind: FnKind, body: &Block) -> bool {
    kind == FnKind::Spawn
        || super::visit::block_any(
            body,
            &mut |e| match &e.kind {
                ExprKind::Call { .. }
                | ExprKind::VirtualCall { .. }
                | ExprKind::CallValue { .. } => true,
                // The built-ins whose code calls the function value it is
                // given (codegen/sync_lib.rs); others hand it to the runtime.
                ExprKind::Builtin {
                    op:
                        Builtin::Lib(
                            LibOp::MutexCritical | LibOp::RwRead | LibOp::RwWrite | LibOp::OnceCall,
                        ),
                    ..
                } => true,
                _ => false,
            },
            &mut |s| {
                matches!(
                    s,
                    Stmt::While { .. }
                        | Stmt::ForRange { .. }
                        | Stmt::ForList { .. }
                        | Stmt::ForChannel { .. }
                )
            },
        )
}
