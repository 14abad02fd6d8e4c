//! The typed, resolved program the checker produces and the code generator
//! consumes. Every expression has its type; every name is resolved to a
//! [`LocalId`] or [`FnId`]; named arguments are bound to parameter slots and
//! defaults are filled in.

mod ty;

pub use ty::{FloatWidth, IntWidth, Ty};

use crate::source::Span;
pub use crate::syntax::ast::{BinOp, UnOp};

/// Index of a function in [`Program::functions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FnId(pub u32);

/// Index of a local in [`Function::locals`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LocalId(pub u32);

#[derive(Debug)]
pub struct Program {
    pub functions: Vec<Function>,
    /// The user's `main`.
    pub main: FnId,
}

impl Program {
    pub fn function(&self, id: FnId) -> &Function {
        &self.functions[id.0 as usize]
    }
}

#[derive(Debug)]
pub struct Function {
    pub name: String,
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

#[derive(Debug)]
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
        start: Expr,
        end: Expr,
        inclusive: bool,
        body: Block,
    },
    Break,
    Continue,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

/// Operations implemented by the runtime or by inline code, reached through
/// built-in functions and methods of built-in types.
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
    // String methods: the receiver is argument 0.
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
    /// binds (defaults appended after the written arguments).
    Call {
        func: FnId,
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
