//! The typed, resolved program the checker produces and the code generator
//! consumes. Every expression has its type; every name is resolved to a
//! [`LocalId`], [`FnId`], field index or variant tag; named arguments are
//! bound to parameter slots and defaults are filled in.
//!
//! Generic functions and types stay generic here: types may mention
//! [`Ty::Param`]; lowering to MIR (`crate::mir`) monomorphises from the
//! entry, substituting each call's type arguments.

mod lib_ops;
mod ty;

pub use lib_ops::LibOp;

pub use ty::{
    subst_params, AdtId, Display, FloatWidth, IntWidth, ParamId, SyncKind, Ty, TyNames,
    MAX_TYPE_SIZE,
};

use crate::source::Span;
pub use crate::syntax::ast::{BinOp, UnOp};

/// Index of a function in [`Program::functions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnId(pub u32);

/// Index of a local in [`Function::locals`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LocalId(pub u32);

#[derive(Debug)]
pub struct Program {
    pub functions: Vec<Function>,
    pub adts: Vec<AdtDef>,
    /// The name of every type parameter, by [`ParamId`].
    pub params: Vec<String>,
    /// Where the executable starts.
    pub entry: Entry,
}

/// What the executable runs: the user's `main`, or (`plat test`,
/// `plat bench`) a runner over the cases of the root module's blocks.
#[derive(Debug, Clone)]
pub enum Entry {
    Main(FnId),
    Tests(Vec<TestCase>),
    Benches(Vec<TestCase>),
}

/// One case (`test_*` or `bench_*` function) of a `test`/`bench` block,
/// with its block's hooks.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub block: String,
    pub name: String,
    pub func: FnId,
    /// The block's `before_each`, run first; its result is the `ctx`.
    pub before: Option<FnId>,
    /// Whether the case takes the `ctx` parameter.
    pub takes_ctx: bool,
    /// The block's `after_each`, run after the case returns.
    pub after: Option<FnId>,
    /// Whether `after_each` takes the `ctx` parameter.
    pub after_takes_ctx: bool,
    pub span: Span,
}

impl Program {
    pub fn function(&self, id: FnId) -> &Function {
        &self.functions[id.0 as usize]
    }

    pub fn adt(&self, id: AdtId) -> &AdtDef {
        &self.adts[id.0 as usize]
    }

    /// Every field of a class instance of type `Adt(id, args)`, inherited
    /// ones first, with their types substituted.
    pub fn class_fields(&self, id: AdtId, args: &[Ty]) -> Vec<(String, Ty)> {
        let adt = self.adt(id);
        let AdtKind::Class { parent, fields, .. } = &adt.kind else {
            return Vec::new();
        };
        let mut all = match parent {
            Some(Ty::Adt(pid, pargs)) => {
                let pargs: Vec<Ty> = pargs
                    .iter()
                    .map(|a| subst_params(a, &adt.generics, args))
                    .collect();
                self.class_fields(*pid, &pargs)
            }
            _ => Vec::new(),
        };
        all.extend(
            fields
                .iter()
                .map(|f| (f.name.clone(), subst_params(&f.ty, &adt.generics, args))),
        );
        all
    }

    /// Shows a type with its declared names.
    pub fn show(&self, ty: &Ty) -> String {
        Display { ty, names: self }.to_string()
    }
}

impl TyNames for Program {
    fn adt_name(&self, id: AdtId) -> &str {
        &self.adt(id).name
    }
    fn param_name(&self, id: ParamId) -> &str {
        &self.params[id.0 as usize]
    }
}

#[derive(Debug, Clone)]
pub struct AdtDef {
    pub name: String,
    pub generics: Vec<ParamId>,
    pub kind: AdtKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
    pub is_pub: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub fields: Vec<Ty>,
}

/// One entry of a class's virtual method table: the implementation and its
/// type arguments in terms of the class's own parameters.
#[derive(Debug, Clone)]
pub struct VtableEntry {
    pub func: FnId,
    pub type_args: Vec<Ty>,
}

#[derive(Debug, Clone)]
pub enum AdtKind {
    Class {
        /// `Adt(parent, args)` in terms of this class's parameters.
        parent: Option<Ty>,
        /// This class's own fields (inherited ones are the parent's).
        fields: Vec<Field>,
        /// Virtual methods by slot, inherited slots first.
        vtable: Vec<VtableEntry>,
    },
    Enum {
        variants: Vec<Variant>,
    },
    Newtype {
        inner: Ty,
    },
}

/// How a function is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnKind {
    /// A declared function or method: `(ctx, params...) -> ret`.
    Plain,
    /// A closure body: `(ctx, env, params...) -> ret`; its captures are
    /// loaded from `env` on entry.
    Closure,
    /// A spawn body: `(ctx, env) -> u64`, the result as a slot.
    Spawn,
}

#[derive(Debug)]
pub struct Function {
    pub name: String,
    pub kind: FnKind,
    /// A class's `init`: it returns `self` when its body falls through.
    pub is_init: bool,
    /// Locals of the enclosing function read from the environment
    /// (closures and spawn bodies share their enclosing function's locals).
    pub captures: Vec<LocalId>,
    /// Type parameters: the owner's first, then the function's own.
    pub generics: Vec<ParamId>,
    pub params: Vec<LocalId>,
    pub ret: Ty,
    pub locals: Vec<Local>,
    pub body: Block,
    pub span: Span,
}

impl Function {
    pub fn local(&self, id: LocalId) -> &Local {
        &self.locals[id.0 as usize]
    }
}

#[derive(Debug, Clone)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// The block's value, when it ends in an expression without `;`.
    pub tail: Option<Box<Expr>>,
    pub ty: Ty,
}

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
    /// `for (var in start..end)`, `..=` when `inclusive`.
    ForRange {
        var: LocalId,
        start: Box<Expr>,
        end: Box<Expr>,
        inclusive: bool,
        body: Block,
    },
    /// `for (var in list)`: `list` is a `List[T]` (sets and dicts are
    /// turned into lists of their elements or keys first).
    ForList {
        var: LocalId,
        list: Expr,
        body: Block,
    },
    Break,
    Continue,
    /// `concurrent { }`: `scope` holds the scope for the body's spawns.
    Concurrent {
        scope: LocalId,
        deadline: Option<Box<Expr>>,
        body: Block,
    },
    /// `for (var in chan)`: receives until the channel is closed and
    /// drained.
    ForChannel {
        var: LocalId,
        chan: Expr,
        body: Block,
    },
    /// `select { arms }`, arms in source order (their channel and value
    /// expressions are evaluated once, in that order).
    Select {
        arms: Vec<SelectArm>,
        span: Span,
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
    /// `let local: Option<T> = chan.recv() -> { }`.
    Recv { local: LocalId, chan: Expr },
    /// `chan.send(value = value) -> { }`, or bound,
    /// `let local: Bool = chan.send(value = value) -> { }` (`local`
    /// false: the channel was closed and nothing was delivered; unbound,
    /// a closed channel is a panic at `span`).
    Send {
        chan: Expr,
        value: Expr,
        local: Option<LocalId>,
        span: Span,
    },
    /// `after(millis = millis) -> { }`: at most one per select.
    After { millis: Expr },
    /// `default -> { }`: at most one; never with `after`.
    Default,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

/// Operations implemented by the runtime or by inline code, reached through
/// built-in functions and methods of built-in types. For methods the
/// receiver is argument 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `print(value = e)` of any type.
    Print,
    /// `assert(condition = c, message = m)`; message optional.
    Assert,
    /// `panic(message = m)`.
    Panic,
    /// `process_exit(code = n)`.
    ProcessExit,
    /// `Task` methods; the task is argument 0.
    TaskAwait,
    TaskAwaitTimeout,
    TaskIsDone,
    TaskCancel,
    /// `is_cancelled()`.
    IsCancelled,
    TimeSleep,
    TimeNow,
    TimeMonotonicNanos,
    /// The chunk count of `xs.par_map(f =)` and siblings for a list of
    /// `len` elements (`check/list_par.rs`): `(len: Int32) -> Int32`.
    ParChunks,
    /// `math_sqrt(value =)` and friends on Float64: one instruction each.
    MathSqrt,
    MathFloor,
    MathCeil,
    /// `math_abs(value =)`, `math_min(a =, b =)`, `math_max(a =, b =)` on
    /// any numeric type (the operands' type is the result's); inline code.
    MathAbs,
    MathMin,
    MathMax,
    /// Float64 functions the runtime implements (`runtime/src/abi/math.rs`).
    MathSin,
    MathCos,
    MathTan,
    MathAtan2,
    MathPow,
    MathExp,
    MathLn,
    MathLog10,
    /// `format_float(value =, decimals =)`.
    FormatFloat,
    StrLength,
    StrConcat,
    StrContains,
    StrStartsWith,
    StrEndsWith,
    StrTrim,
    StrTrimLeft,
    StrTrimRight,
    StrReplace,
    StrReplaceAll,
    StrIsAlpha,
    StrIsNumeric,
    StrIsAlphanumeric,
    StrSubstring,
    StrCharAt,
    StrSplit,
    /// `parse_int` etc.: the result type says which.
    StrParse,
    /// The String methods of issue 12 (`codegen/stdlib.rs`).
    StrCompare,
    StrToUpper,
    StrToLower,
    StrIndexOf,
    StrRepeat,
    StrLines,
    StrChars,
    StrSplitWhitespace,
    StrPadLeft,
    StrPadRight,
    ListLen,
    ListPush,
    ListSet,
    ListInsertAt,
    ListCount,
    ListSlice,
    ListClear,
    ListGet,
    ListPop,
    ListRemoveAt,
    ListIndexOf,
    ListContains,
    ListConcat,
    /// The standard-library methods of `List` (docs/stdlib.md) that are
    /// runtime calls or inline code; `sort`, `min` and `max` only on
    /// orderable elements, `join` only on `List[String]` (the checker
    /// says so).
    ListSort,
    ListSortBy,
    ListReverse,
    ListFirst,
    ListLast,
    ListIsEmpty,
    ListExtend,
    ListMin,
    ListMax,
    ListJoin,
    /// `List.filled(length =, value =)` and `List.with_capacity(capacity
    /// =)`: no receiver; the result type is the list's.
    ListFilled,
    ListWithCapacity,
    DictGet,
    DictGetOr,
    DictSet,
    DictRemove,
    DictHasKey,
    DictHasValue,
    DictKeys,
    DictValues,
    DictMerge,
    DictLen,
    DictClear,
    SetAdd,
    SetRemove,
    SetContains,
    SetLen,
    SetClear,
    SetUnion,
    SetIntersection,
    SetDifference,
    SetIsSubsetOf,
    SetIsSupersetOf,
    SetIsDisjointFrom,
    /// The elements of a set as a new list (for `for` loops).
    SetToList,
    /// Channels and the synchronisation library (see [`LibOp`]).
    Lib(LibOp),
    /// A built-in function of section 13 (files, sockets, environment,
    /// processes) implemented by the runtime function of this name; see
    /// `check/sys_builtins.rs` for the table and `codegen/sys.rs` for the
    /// calling convention.
    Sys(&'static str),
    /// `Option`/`Result` methods; the tag tested is 0 (`Some`/`Ok`).
    IsFirst,
    IsSecond,
    Unwrap,
    Expect,
    UnwrapOr,
}

#[derive(Debug, Clone)]
pub enum Pattern {
    /// `_`, or a binding whose value is unused.
    Wildcard,
    Binding(LocalId),
    /// An Int, String or Bool constant.
    Literal(Box<Expr>),
    /// A variant of the scrutinee's enum, with a pattern per payload field.
    Variant {
        tag: u32,
        fields: Vec<Pattern>,
    },
}

#[derive(Debug, Clone)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub body: Expr,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Unit,
    Local(LocalId),
    /// Arguments in evaluation order, each with the parameter slot it
    /// binds (defaults appended after the written arguments). For methods
    /// `self` is slot 0.
    Call {
        func: FnId,
        type_args: Vec<Ty>,
        args: Vec<(usize, Expr)>,
    },
    /// A call through slot `slot` of the receiver's vtable; `func` is the
    /// method as declared where the slot was introduced (its signature),
    /// `type_args` its type arguments. `args[0]` is the receiver.
    VirtualCall {
        func: FnId,
        type_args: Vec<Ty>,
        slot: u32,
        args: Vec<(usize, Expr)>,
    },
    /// Arguments already in the built-in's parameter order; `None` for an
    /// omitted optional argument.
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
    /// `object.field = value`; `index` counts inherited fields first.
    AssignField {
        object: Box<Expr>,
        index: u32,
        value: Box<Expr>,
    },
    Cast {
        value: Box<Expr>,
    },
    /// String interpolation: each part is rendered and concatenated.
    Interp(Vec<Expr>),
    Block(Block),
    If {
        cond: Box<Expr>,
        then: Block,
        otherwise: Option<Block>,
    },
    /// A new class instance (the expression's type) with every field given,
    /// in field order (the default `init`).
    NewObject {
        fields: Vec<Expr>,
    },
    /// A zeroed class instance, for an explicit `init` to fill in.
    AllocObject,
    /// `object.field`; `index` counts inherited fields first.
    Field {
        object: Box<Expr>,
        index: u32,
    },
    /// An enum value (the expression's type) of variant `tag`.
    Variant {
        tag: u32,
        fields: Vec<Expr>,
    },
    /// A closure value: the lifted body and the locals it copies.
    Closure {
        func: FnId,
        captures: Vec<LocalId>,
    },
    /// A named function used as a value.
    FnRef(FnId),
    /// A call through a function value; arguments in parameter order.
    CallValue {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    /// `spawn { }` into the scope held by local `scope`.
    Spawn {
        func: FnId,
        captures: Vec<LocalId>,
        scope: LocalId,
    },
    /// `Thread.spawn(f = ...)`: the lifted body `func` (a `Spawn`-kind
    /// function calling the captured `f`) runs as a task pinned to a new
    /// OS thread; no scope (docs/threads.md).
    ThreadSpawn {
        func: FnId,
        captures: Vec<LocalId>,
    },
    /// `race { spawn {..} .. }`: the spawns go into the race's own scope.
    Race {
        scope: LocalId,
        spawns: Vec<Expr>,
    },
    /// Newtype construction and `.value`: the representation is unchanged.
    Retype(Box<Expr>),
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    /// `e?` on an Option or Result: the payload, or return the failure.
    Try(Box<Expr>),
    /// `xs[i]`: an `Option` of the element.
    Index {
        list: Box<Expr>,
        index: Box<Expr>,
    },
    List(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Set(Vec<Expr>),
    /// A value of type Never for code after a diverging expression
    /// (never evaluated).
    Unreachable,
    /// Placeholder after an error; never reaches code generation.
    Error,
}

impl Expr {
    pub fn new(kind: ExprKind, ty: Ty, span: Span) -> Expr {
        Expr { kind, ty, span }
    }

    pub fn error(span: Span) -> Expr {
        Expr::new(ExprKind::Error, Ty::Error, span)
    }
}
