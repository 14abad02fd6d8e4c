//! The untyped syntax tree. Every node carries the [`Span`] of the source it
//! came from. The tree covers the whole grammar of `plat-language.md` and
//! `concurrency.md`, including constructs later stages do not compile yet.

use crate::source::Span;

/// An identifier with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `a::b::c` (one segment for a plain name).
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

/// A whole source file.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// `mod a::b;`
    pub mod_decl: Option<Path>,
    /// `use a::b;`
    pub uses: Vec<Path>,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub is_pub: bool,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Fn(FnDecl),
    Class(ClassDecl),
    Enum(EnumDecl),
    /// `type Name = T;`
    TypeAlias {
        name: Ident,
        ty: TypeExpr,
    },
    /// `newtype Name = T;`
    Newtype {
        name: Ident,
        ty: TypeExpr,
    },
    /// `test name { fns }`
    Test {
        name: Ident,
        fns: Vec<FnDecl>,
    },
    /// `bench name { fns }`
    Bench {
        name: Ident,
        fns: Vec<FnDecl>,
    },
}

/// Modifiers written before `fn`, in the order the grammar requires.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FnModifiers {
    pub is_pub: bool,
    pub is_virtual: bool,
    pub is_override: bool,
    pub is_mut: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    pub modifiers: FnModifiers,
    pub name: Ident,
    pub generics: Vec<Ident>,
    pub params: Vec<Param>,
    /// `None`: no `-> T`, the function returns Unit.
    pub ret: Option<TypeExpr>,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClassDecl {
    pub name: Ident,
    pub generics: Vec<Ident>,
    /// `class Dog : Animal`
    pub parent: Option<TypeExpr>,
    pub fields: Vec<FieldDecl>,
    pub methods: Vec<FnDecl>,
    /// `init(...) -> Name { ... }`; its `name` ident is `init`.
    pub inits: Vec<FnDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub is_pub: bool,
    pub mutable: bool,
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub generics: Vec<Ident>,
    pub variants: Vec<VariantDecl>,
    pub methods: Vec<FnDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VariantDecl {
    pub name: Ident,
    /// Payload types; empty for a unit variant.
    pub fields: Vec<TypeExpr>,
    pub span: Span,
}

// ---------------------------------------------------------------- types

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    /// `Int32`, `Option<T>`, `geo::Shape`, `Task<Int32>`, `Unit`...
    Named { path: Path, args: Vec<TypeExpr> },
    /// `List[T]` / `List<T>`
    List(Box<TypeExpr>),
    /// `Dict[K, V]` / `Dict<K, V>`
    Dict(Box<TypeExpr>, Box<TypeExpr>),
    /// `Set[T]` / `Set<T>`
    Set(Box<TypeExpr>),
    /// `Fn(A, B) -> R` (`-> R` omitted means Unit)
    Fn {
        params: Vec<TypeExpr>,
        ret: Option<Box<TypeExpr>>,
    },
    /// `()`
    Unit,
    /// A type that failed to parse (recovery).
    Error,
}

// ---------------------------------------------------------------- statements

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// The final expression without `;`, the block's value.
    pub tail: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let x: T = e;` / `var x: T = e;` (the type may be omitted)
    Let {
        mutable: bool,
        name: Ident,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    /// `e;` (block-like expressions such as `if`/`while` need no `;`)
    Expr(Expr),
    Return(Option<Expr>),
    /// `while (c) { }`
    While {
        cond: Expr,
        body: Block,
    },
    /// `for (x: T in e) { }`; `e` is a range, a collection or a channel.
    For {
        var: Ident,
        ty: Option<TypeExpr>,
        iter: Expr,
        body: Block,
    },
    Break,
    Continue,
    /// `concurrent { }` / `concurrent(deadline_millis = n) { }`
    Concurrent {
        args: Vec<Arg>,
        body: Block,
    },
    /// `select { arms }`
    Select(Vec<SelectArm>),
    /// A statement that failed to parse (recovery).
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SelectArm {
    pub kind: SelectArmKind,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SelectArmKind {
    /// `let v: Option<T> = ch.recv() -> { }`
    Recv {
        name: Ident,
        ty: Option<TypeExpr>,
        channel: Expr,
    },
    /// `ch.send(value = e) -> { }` (the whole call expression)
    Send(Expr),
    /// `after(millis = n) -> { }`
    After(Expr),
    /// `default -> { }`
    Default,
}

// ---------------------------------------------------------------- expressions

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntSuffix {
    I8,
    I16,
    I32,
    I64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatSuffix {
    /// `f8`: parsed so the checker can reject it clearly.
    F8,
    /// `f16`: parsed so the checker can reject it clearly.
    F16,
    F32,
    F64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Lit(String),
    /// `${ expr }`
    Interp(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

/// A call argument: `name = value`, or positional (calls through function
/// values are positional).
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    pub pattern: Pattern,
    /// An expression, a block, or a statement-like expression (`print(..)`).
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int {
        value: u64,
        suffix: Option<IntSuffix>,
    },
    Float {
        value: f64,
        suffix: Option<FloatSuffix>,
    },
    Str(Vec<StrPart>),
    Bool(bool),
    /// `()`
    Unit,
    /// `x`, `a::b`, `Enum::Variant` (a path of one or more segments)
    Path(Path),
    SelfValue,
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{"k": v, ident: v}`; a bare identifier key is a string key.
    Dict(Vec<(Expr, Expr)>),
    /// `Set{a, b}`
    Set(Vec<Expr>),
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    /// `lhs = rhs`
    Assign {
        target: Box<Expr>,
        value: Box<Expr>,
    },
    /// `f(args)` where f is any expression (a path for named functions and
    /// enum variants).
    Call {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    /// `recv.name(args)`; `Name.init(...)` is a method call named `init`
    /// on the type path `Name`.
    MethodCall {
        receiver: Box<Expr>,
        method: Ident,
        args: Vec<Arg>,
    },
    /// `super.name(args)` / `super.init(args)`
    SuperCall {
        method: Ident,
        args: Vec<Arg>,
    },
    /// `e.field`
    Field {
        object: Box<Expr>,
        field: Ident,
    },
    /// `e[i]`
    Index {
        object: Box<Expr>,
        index: Box<Expr>,
    },
    /// `e?`
    Try(Box<Expr>),
    /// `cast(value = e, target = T)`
    Cast {
        value: Box<Expr>,
        target: TypeExpr,
    },
    /// `a..b` / `a..=b`
    Range {
        start: Box<Expr>,
        end: Box<Expr>,
        inclusive: bool,
    },
    Block(Block),
    /// `if (c) { } else if (c2) { } else { }`
    If {
        cond: Box<Expr>,
        then: Block,
        /// An `Expr` of kind `If` (else-if) or `Block`.
        otherwise: Option<Box<Expr>>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    /// `spawn { }`
    Spawn(Block),
    /// `race { spawn {..} spawn {..} }`: each element is a `Spawn` expression.
    Race(Vec<Expr>),
    /// `fn(params) -> T { body }`
    Closure {
        params: Vec<Param>,
        ret: Option<TypeExpr>,
        body: Block,
    },
    /// An expression that failed to parse (recovery).
    Error,
}

// ---------------------------------------------------------------- patterns

#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatternKind {
    /// `_`
    Wildcard,
    /// A lower-case identifier with an optional type: a binding. A bare
    /// capitalised identifier parses as `Variant` with no fields.
    Binding { name: Ident, ty: Option<TypeExpr> },
    /// `42`, `-1`, `"s"`, `true`
    Literal(Expr),
    /// `Enum::Variant`, `Variant`, `Enum::Variant(p, ...)`, `m::Enum::Variant(..)`
    Variant {
        path: Path,
        /// `None`: no parentheses were written.
        fields: Option<Vec<Pattern>>,
    },
    /// A pattern that failed to parse (recovery).
    Error,
}
