//! The mid-level IR (MIR): the checked program after monomorphisation,
//! what code generation translates and what optimisation passes rewrite.
//!
//! A [`Program`] holds every function *instance* the program runs: a HIR
//! function together with concrete type arguments, found from the entry
//! outwards by [`lower`]. Each instance is an ordinary [`Function`] named
//! by an [`InstId`]; calls, closures, spawn bodies, function values and
//! vtables all name instances, never generic functions.
//!
//! The body is *structured*, like HIR (and tao's MIR, Zig's AIR): blocks,
//! `if`, loops and `match` stay trees, with the same evaluation order and
//! spans as the source. Loops stay explicit so passes can find counted
//! loops and hoist out of them. The nodes mirror HIR's, minus type
//! arguments, plus what passes need to see: the safepoint poll
//! ([`Stmt::Poll`]).
//!
//! Invariants (the first three checked by [`check`] after lowering in
//! debug builds and in tests):
//!
//! * no [`Ty::Param`] (nor `Ty::Error`) in any type: locals, expression
//!   types, signatures;
//! * every [`InstId`] names a function of [`Program::functions`]; a direct
//!   call passes one argument per parameter of its callee;
//! * every local read, written or captured is declared in its function's
//!   `locals`;
//! * every class type any function mentions has its vtable in
//!   [`Program::vtables`] (code generation builds descriptors from it);
//! * polls: one at the entry of every function that loops, calls Plat code
//!   or is a spawn body, one at the end of every loop body (the back edge);
//!   nowhere else. A `Poll` ending a loop body is the loop's back-edge
//!   poll: code generation emits it where the loop latches, which
//!   `continue` also reaches.

mod check;
mod instances;
mod lower;
pub mod opt;
mod print;
pub mod visit;

pub use check::check;
pub use lower::{lower, needs_entry_poll, MAX_INSTANCES};
pub use print::print;

use std::collections::HashMap;

use crate::hir::{self, BinOp, Builtin, FnId, FnKind, Local, LocalId, Ty, UnOp};
use crate::source::Span;

/// Index of a function instance in [`Program::functions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstId(pub u32);

/// A monomorphic program. Types keep naming the HIR's ADTs
/// (`Ty::Adt(id, concrete args)`): read their definitions from the
/// `hir::Program` it was lowered from.
#[derive(Debug, Default)]
pub struct Program {
    /// Every instance, in the order lowering found them (the entry first).
    pub functions: Vec<Function>,
    /// The instance of each (HIR function, type arguments) pair.
    pub instances: HashMap<(FnId, Vec<Ty>), InstId>,
    /// The vtable of every class instance type (`Ty::Adt`) the program
    /// mentions, by slot.
    pub vtables: HashMap<Ty, Vec<InstId>>,
    /// The user's `main`, for a program; `None` for a test or bench runner
    /// (whose cases are the instances of `hir::Entry`'s functions, see
    /// [`Program::instance_of`]).
    pub main: Option<InstId>,
}

impl Program {
    pub fn function(&self, id: InstId) -> &Function {
        &self.functions[id.0 as usize]
    }

    /// The instance of the non-generic HIR function `func` (entries, test
    /// cases and their hooks).
    pub fn instance_of(&self, func: FnId) -> Option<InstId> {
        self.instances.get(&(func, Vec::new())).copied()
    }

    pub fn ids(&self) -> impl Iterator<Item = InstId> {
        (0..self.functions.len() as u32).map(InstId)
    }
}

/// One function instance.
#[derive(Debug, Clone)]
pub struct Function {
    /// The HIR function's name (`Point.scale`, `main`).
    pub name: String,
    /// The HIR function it is an instance of, and the type arguments.
    pub origin: FnId,
    pub type_args: Vec<Ty>,
    pub kind: FnKind,
    /// A class's `init`: it returns `self` when its body falls through.
    pub is_init: bool,
    /// Locals of the enclosing function read from the environment (a
    /// closure or spawn body has its own copy of its enclosing function's
    /// locals table).
    pub captures: Vec<LocalId>,
    pub params: Vec<LocalId>,
    pub ret: Ty,
    /// Every local with its concrete type.
    pub locals: Vec<Local>,
    pub body: Block,
    pub span: Span,
}

impl Function {
    pub fn local(&self, id: LocalId) -> &Local {
        &self.locals[id.0 as usize]
    }

    /// The concrete types of the value parameters.
    pub fn param_types(&self) -> Vec<Ty> {
        self.params
            .iter()
            .map(|p| self.local(*p).ty.clone())
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// The block's value, when it ends in an expression without `;`.
    pub tail: Option<Box<Expr>>,
    pub ty: Ty,
}

/// Statements: HIR's (see `hir::Stmt` for each), plus [`Stmt::Poll`].
#[derive(Debug, Clone)]
pub enum Stmt {
    Let {
        local: LocalId,
        value: Expr,
    },
    Expr(Expr),
    Return(Option<Expr>, Span),
    While {
        cond: Expr,
        body: Block,
    },
    ForRange {
        var: LocalId,
        start: Box<Expr>,
        end: Box<Expr>,
        inclusive: bool,
        body: Block,
    },
    ForList {
        var: LocalId,
        list: Expr,
        body: Block,
    },
    Break,
    Continue,
    Concurrent {
        scope: LocalId,
        deadline: Option<Box<Expr>>,
        body: Block,
    },
    ForChannel {
        var: LocalId,
        chan: Expr,
        body: Block,
    },
    Select {
        arms: Vec<SelectArm>,
        span: Span,
    },
    /// A safepoint: test `ctx.poll` and enter the runtime when it is set
    /// (docs/runtime-abi.md "Safepoints").
    Poll,
    /// The loop `looped` (a `While`, `ForRange` or `ForList`) with the
    /// view of each list local of `lists` (its `len`, then its `data`)
    /// loaded once before it: every length, element read and `set` of
    /// those locals inside it, its header included, uses that view
    /// (`opt/hoist.rs` says when this is sound).
    ListViews {
        lists: Vec<LocalId>,
        looped: Box<Stmt>,
    },
}

#[derive(Debug, Clone)]
pub struct SelectArm {
    pub kind: SelectArmKind,
    pub body: Block,
}

#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant, reason = "a few per select statement")]
pub enum SelectArmKind {
    Recv {
        local: LocalId,
        chan: Expr,
    },
    Send {
        chan: Expr,
        value: Expr,
        local: Option<LocalId>,
        span: Span,
    },
    After {
        millis: Expr,
    },
    Default,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, ty: Ty, span: Span) -> Expr {
        Expr { kind, ty, span }
    }
}

#[derive(Debug, Clone)]
pub enum Pattern {
    Wildcard,
    Binding(LocalId),
    Literal(Box<Expr>),
    Variant { tag: u32, fields: Vec<Pattern> },
}

#[derive(Debug, Clone)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub body: Expr,
}

/// Expressions: HIR's (see `hir::ExprKind` for each), with instances in
/// place of functions and type arguments.
#[derive(Debug, Clone)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Unit,
    Local(LocalId),
    /// A direct call; arguments in evaluation order, each with its
    /// parameter slot.
    Call {
        func: InstId,
        args: Vec<(usize, Expr)>,
    },
    /// A call through slot `slot` of the receiver's (`args[0]`) vtable,
    /// to a method taking `params` (the receiver first) and returning the
    /// expression's type.
    VirtualCall {
        slot: u32,
        params: Vec<Ty>,
        args: Vec<(usize, Expr)>,
    },
    Builtin {
        op: Builtin,
        args: Vec<Option<Expr>>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    Assign {
        local: LocalId,
        value: Box<Expr>,
    },
    AssignField {
        object: Box<Expr>,
        index: u32,
        value: Box<Expr>,
    },
    Cast {
        value: Box<Expr>,
    },
    Interp(Vec<Expr>),
    Block(Block),
    If {
        cond: Box<Expr>,
        then: Block,
        otherwise: Option<Block>,
    },
    NewObject {
        fields: Vec<Expr>,
    },
    AllocObject,
    Field {
        object: Box<Expr>,
        index: u32,
    },
    Variant {
        tag: u32,
        fields: Vec<Expr>,
    },
    /// A closure value: the instance of its lifted body and the locals it
    /// copies into the environment.
    Closure {
        func: InstId,
        captures: Vec<LocalId>,
    },
    /// A named function used as a value (a static closure whose code is a
    /// wrapper ignoring the environment).
    FnRef(InstId),
    CallValue {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    Spawn {
        func: InstId,
        captures: Vec<LocalId>,
        scope: LocalId,
    },
    ThreadSpawn {
        func: InstId,
        captures: Vec<LocalId>,
    },
    Race {
        scope: LocalId,
        spawns: Vec<Expr>,
    },
    Retype(Box<Expr>),
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    Try(Box<Expr>),
    Index {
        list: Box<Expr>,
        index: Box<Expr>,
    },
    /// Element `index` of `list`, without an `Option`: what
    /// `xs[i].unwrap()`, `xs.get(index = i).unwrap()` and their `expect`
    /// become (`opt/bounds.rs`).
    ListElem {
        list: Box<Expr>,
        index: Box<Expr>,
        check: ElemCheck,
    },
    /// `list.set(index =, value =)` with an index proven below the
    /// list's length: the store with at most a sign check
    /// (`opt/bounds.rs`).
    ListStore {
        list: Box<Expr>,
        index: Box<Expr>,
        value: Box<Expr>,
        check: StoreCheck,
    },
    List(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Set(Vec<Expr>),
    /// A value of type Never after a diverging expression (never
    /// evaluated).
    Unreachable,
    /// The body of plain function `func` inlined at a call
    /// (`opt/inline.rs`): a labelled block whose value is the callee's
    /// result. A `return` in `body`, or a failing `?`, leaves this block
    /// (the innermost `Inlined` around it) with that value instead of
    /// leaving the function, and leaves the `concurrent` blocks opened
    /// inside it. `body` uses the caller's locals (the callee's were
    /// renumbered into them, its parameters bound by leading `let`s) and
    /// keeps the callee's spans, so a panic inside still names the
    /// callee's line; code generation gives its instructions the call's
    /// location in the line tables.
    Inlined {
        func: InstId,
        body: Block,
    },
}

/// How [`ExprKind::ListElem`] treats an index out of range.
#[derive(Debug, Clone)]
pub enum ElemCheck {
    /// Panics at the expression's span as `unwrap()` of `None` does, or as
    /// `expect(message =)` does with `message` (evaluated only then).
    Panic { message: Option<Box<Expr>> },
    /// A pass proved the index below the list's length, not that it is
    /// not negative: only the sign is checked; a negative index panics as
    /// `Panic` does (`opt/bounds.rs`).
    NonNegative { message: Option<Box<Expr>> },
    /// No check: a pass proved the index in range of the list's view
    /// (`opt/bounds.rs`).
    InRange,
}

impl ElemCheck {
    /// The `expect` message evaluated when the check fails, if any.
    pub fn message(&self) -> Option<&Expr> {
        match self {
            ElemCheck::Panic { message } | ElemCheck::NonNegative { message } => message.as_deref(),
            ElemCheck::InRange => None,
        }
    }

    /// [`Self::message`], mutably.
    pub fn message_mut(&mut self) -> Option<&mut Expr> {
        match self {
            ElemCheck::Panic { message } | ElemCheck::NonNegative { message } => {
                message.as_deref_mut()
            }
            ElemCheck::InRange => None,
        }
    }
}

/// How [`ExprKind::ListStore`] treats its index (proven below the
/// length in both cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreCheck {
    /// A negative index fails as `set` does (the runtime's panic).
    NonNegative,
    /// No check: proven in range.
    InRange,
}

/// Whether the HIR function kind takes an environment.
pub fn takes_env(kind: FnKind) -> bool {
    kind != hir::FnKind::Plain
}
