//! Semantic types, as the checker computes them.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntWidth {
    W8,
    W16,
    W32,
    W64,
}

impl IntWidth {
    pub fn bits(self) -> u32 {
        match self {
            IntWidth::W8 => 8,
            IntWidth::W16 => 16,
            IntWidth::W32 => 32,
            IntWidth::W64 => 64,
        }
    }

    /// Smallest and largest value of the signed integer of this width.
    pub fn range(self) -> (i128, i128) {
        let bits = self.bits();
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FloatWidth {
    W32,
    W64,
}

/// A class or enum declaration (an index into [`super::Program::adts`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AdtId(pub u32);

impl AdtId {
    /// The built-in `Option<T>`: variants `Some(T)` (tag 0), `None` (tag 1).
    pub const OPTION: AdtId = AdtId(0);
    /// The built-in `Result<T, E>`: variants `Ok(T)` (tag 0), `Err(E)` (tag 1).
    pub const RESULT: AdtId = AdtId(1);
    /// The built-in `MemoryOrder`: `Relaxed`, `Acquire`, `Release`,
    /// `AcqRel`, `SeqCst` (tags 0-4, the runtime's order numbers).
    pub const MEMORY_ORDER: AdtId = AdtId(2);
    /// The built-in class `ProcessOutput` (what `process_run` returns):
    /// fields `exit_code: Int32`, `stdout: String`, `stderr: String`.
    pub const PROCESS_OUTPUT: AdtId = AdtId(3);
}

/// A generic type parameter, unique in the whole program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(pub u32);

/// The non-generic types of the synchronisation library (spec:
/// concurrency.md section 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SyncKind {
    Mutex,
    RwLock,
    Condition,
    WaitGroup,
    Semaphore,
    Once,
    CancelToken,
    Ticker,
    RateLimiter,
}

impl SyncKind {
    pub const ALL: [SyncKind; 9] = [
        SyncKind::Mutex,
        SyncKind::RwLock,
        SyncKind::Condition,
        SyncKind::WaitGroup,
        SyncKind::Semaphore,
        SyncKind::Once,
        SyncKind::CancelToken,
        SyncKind::Ticker,
        SyncKind::RateLimiter,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SyncKind::Mutex => "Mutex",
            SyncKind::RwLock => "RwLock",
            SyncKind::Condition => "Condition",
            SyncKind::WaitGroup => "WaitGroup",
            SyncKind::Semaphore => "Semaphore",
            SyncKind::Once => "Once",
            SyncKind::CancelToken => "CancelToken",
            SyncKind::Ticker => "Ticker",
            SyncKind::RateLimiter => "RateLimiter",
        }
    }

    pub fn from_name(name: &str) -> Option<SyncKind> {
        SyncKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    Bool,
    Int(IntWidth),
    Float(FloatWidth),
    String,
    /// The type of `()` and of functions without `-> T`.
    Unit,
    /// The type of expressions that never produce a value (`return`,
    /// `break`, `panic(...)`); it fits every expected type.
    Never,
    List(Box<Ty>),
    Dict(Box<Ty>, Box<Ty>),
    Set(Box<Ty>),
    /// A class or enum with its type arguments.
    Adt(AdtId, Vec<Ty>),
    /// A newtype: distinct from its underlying type, represented the same.
    Newtype(AdtId),
    /// A type parameter of the enclosing generic declaration.
    Param(ParamId),
    /// A function value: `Fn(A, B) -> R`.
    Fn(Vec<Ty>, Box<Ty>),
    /// A handle to a task producing a `T`.
    Task(Box<Ty>),
    /// `Thread<T>`: a handle to a task pinned to its own OS thread
    /// (`Thread.spawn`); represented as a task handle.
    Thread(Box<Ty>),
    /// `Channel<T>`.
    Channel(Box<Ty>),
    /// `Atomic<T>` (`T`: Int32, Int64 or Bool).
    Atomic(Box<Ty>),
    /// A synchronisation object of the library (`Mutex`, `WaitGroup`...).
    Sync(SyncKind),
    /// A task scope (`concurrent`, `race`): compiler-internal, never written.
    Scope,
    /// Stands in after an error so one mistake does not cascade.
    Error,
}

/// The most parts a type may have (see [`Ty::larger_than`]). Every
/// expression owns its type, so the checker's memory is proportional to
/// this; aliases and generic calls can double a type's size at each step
/// (`type A2 = Dict[A1, A1];`), so without a limit a few lines could make
/// a type with billions of parts.
pub const MAX_TYPE_SIZE: usize = 1_000;

impl Ty {
    pub const INT32: Ty = Ty::Int(IntWidth::W32);
    pub const INT64: Ty = Ty::Int(IntWidth::W64);
    pub const FLOAT64: Ty = Ty::Float(FloatWidth::W64);

    pub fn option(t: Ty) -> Ty {
        Ty::Adt(AdtId::OPTION, vec![t])
    }

    pub fn result(t: Ty, e: Ty) -> Ty {
        Ty::Adt(AdtId::RESULT, vec![t, e])
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int(_) | Ty::Float(_))
    }

    pub fn is_int(&self) -> bool {
        matches!(self, Ty::Int(_))
    }

    /// Error and Never are compatible with everything; reporting a
    /// mismatch against them would only repeat an earlier error.
    pub fn is_flexible(&self) -> bool {
        matches!(self, Ty::Error | Ty::Never)
    }

    /// Whether a value of type `self` is accepted where `expected` is
    /// (class up-casting is decided by the checker, which knows parents).
    ///
    /// Type arguments are invariant: they must be the same type, `Error`
    /// and `Never` matching anything (see [`Ty::same`]).
    pub fn fits(&self, expected: &Ty) -> bool {
        self.same(expected)
    }

    /// Whether two types are the same, `Error` and `Never` (at any depth)
    /// matching anything. One walk over both types: testing `fits` both
    /// ways at every level, as this once did, took time exponential in
    /// the nesting (a `List` 30 deep took minutes).
    pub fn same(&self, other: &Ty) -> bool {
        if self.is_flexible() || other.is_flexible() {
            return true;
        }
        match (self, other) {
            (Ty::List(a), Ty::List(b))
            | (Ty::Set(a), Ty::Set(b))
            | (Ty::Task(a), Ty::Task(b))
            | (Ty::Thread(a), Ty::Thread(b))
            | (Ty::Channel(a), Ty::Channel(b))
            | (Ty::Atomic(a), Ty::Atomic(b)) => a.same(b),
            (Ty::Dict(k1, v1), Ty::Dict(k2, v2)) => k1.same(k2) && v1.same(v2),
            (Ty::Fn(ps, r), Ty::Fn(qs, s)) => {
                ps.len() == qs.len() && ps.iter().zip(qs).all(|(p, q)| p.same(q)) && r.same(s)
            }
            (Ty::Adt(a, xs), Ty::Adt(b, ys)) => {
                a == b && xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| x.same(y))
            }
            _ => self == other,
        }
    }

    /// Whether values of this type occupy a register (Unit and Never do not).
    pub fn has_value(&self) -> bool {
        !matches!(self, Ty::Unit | Ty::Never)
    }

    /// Whether the type contains an error (so diagnostics about it would
    /// only echo an earlier one).
    pub fn has_error(&self) -> bool {
        match self {
            Ty::Error => true,
            Ty::List(t) | Ty::Set(t) => t.has_error(),
            Ty::Dict(k, v) => k.has_error() || v.has_error(),
            Ty::Adt(_, args) => args.iter().any(Ty::has_error),
            Ty::Task(t) | Ty::Thread(t) | Ty::Channel(t) | Ty::Atomic(t) => t.has_error(),
            Ty::Fn(ps, r) => ps.iter().any(Ty::has_error) || r.has_error(),
            _ => false,
        }
    }

    /// Replaces type parameters using `f` (identity where it returns None).
    pub fn subst(&self, f: &impl Fn(ParamId) -> Option<Ty>) -> Ty {
        match self {
            Ty::Param(p) => f(*p).unwrap_or_else(|| self.clone()),
            Ty::List(t) => Ty::List(Box::new(t.subst(f))),
            Ty::Set(t) => Ty::Set(Box::new(t.subst(f))),
            Ty::Dict(k, v) => Ty::Dict(Box::new(k.subst(f)), Box::new(v.subst(f))),
            Ty::Adt(id, args) => Ty::Adt(*id, args.iter().map(|a| a.subst(f)).collect()),
            Ty::Task(t) => Ty::Task(Box::new(t.subst(f))),
            Ty::Thread(t) => Ty::Thread(Box::new(t.subst(f))),
            Ty::Channel(t) => Ty::Channel(Box::new(t.subst(f))),
            Ty::Atomic(t) => Ty::Atomic(Box::new(t.subst(f))),
            Ty::Fn(ps, r) => Ty::Fn(
                ps.iter().map(|p| p.subst(f)).collect(),
                Box::new(r.subst(f)),
            ),
            _ => self.clone(),
        }
    }

    /// Whether the type has more than `limit` parts (`List[Int32]` has
    /// two). Counting stops at the limit, so this is cheap on any type.
    pub fn larger_than(&self, limit: usize) -> bool {
        let mut budget = limit;
        !self.within(&mut budget)
    }

    fn within(&self, budget: &mut usize) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        match self {
            Ty::List(t)
            | Ty::Set(t)
            | Ty::Task(t)
            | Ty::Thread(t)
            | Ty::Channel(t)
            | Ty::Atomic(t) => t.within(budget),
            Ty::Dict(k, v) => k.within(budget) && v.within(budget),
            Ty::Adt(_, args) => args.iter().all(|a| a.within(budget)),
            Ty::Fn(ps, r) => ps.iter().all(|p| p.within(budget)) && r.within(budget),
            _ => true,
        }
    }

    /// Whether `part` is this type or occurs inside it.
    pub fn contains(&self, part: &Ty) -> bool {
        if self == part {
            return true;
        }
        match self {
            Ty::List(t)
            | Ty::Set(t)
            | Ty::Task(t)
            | Ty::Thread(t)
            | Ty::Channel(t)
            | Ty::Atomic(t) => t.contains(part),
            Ty::Dict(k, v) => k.contains(part) || v.contains(part),
            Ty::Adt(_, args) => args.iter().any(|a| a.contains(part)),
            Ty::Fn(ps, r) => ps.iter().any(|p| p.contains(part)) || r.contains(part),
            _ => false,
        }
    }

    /// How deeply types are nested in this one (`List[List[Int32]]` is 3).
    pub fn depth(&self) -> usize {
        match self {
            Ty::List(t) | Ty::Set(t) => 1 + t.depth(),
            Ty::Dict(k, v) => 1 + k.depth().max(v.depth()),
            Ty::Adt(_, args) => 1 + args.iter().map(Ty::depth).max().unwrap_or(0),
            Ty::Task(t) | Ty::Thread(t) | Ty::Channel(t) | Ty::Atomic(t) => 1 + t.depth(),
            Ty::Fn(ps, r) => 1 + ps.iter().map(Ty::depth).max().unwrap_or(0).max(r.depth()),
            _ => 1,
        }
    }

    /// Whether the type mentions a type parameter.
    pub fn has_params(&self) -> bool {
        match self {
            Ty::Param(_) => true,
            Ty::List(t) | Ty::Set(t) => t.has_params(),
            Ty::Dict(k, v) => k.has_params() || v.has_params(),
            Ty::Adt(_, args) => args.iter().any(Ty::has_params),
            Ty::Task(t) | Ty::Thread(t) | Ty::Channel(t) | Ty::Atomic(t) => t.has_params(),
            Ty::Fn(ps, r) => ps.iter().any(Ty::has_params) || r.has_params(),
            _ => false,
        }
    }
}

/// Substitutes `params[i]` by `args[i]`.
pub fn subst_params(ty: &Ty, params: &[ParamId], args: &[Ty]) -> Ty {
    if params.is_empty() {
        return ty.clone();
    }
    ty.subst(&|p| {
        params
            .iter()
            .position(|q| *q == p)
            .and_then(|i| args.get(i).cloned())
    })
}

/// Names of ADTs and parameters, for displaying types.
pub trait TyNames {
    fn adt_name(&self, id: AdtId) -> &str;
    fn param_name(&self, id: ParamId) -> &str;
}

/// A type ready for display with its names.
pub struct Display<'a, N: TyNames + ?Sized> {
    pub ty: &'a Ty,
    pub names: &'a N,
}

impl<N: TyNames + ?Sized> fmt::Display for Display<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = |ty| Display {
            ty,
            names: self.names,
        };
        match self.ty {
            Ty::Bool => write!(f, "Bool"),
            Ty::Int(w) => write!(f, "Int{}", w.bits()),
            Ty::Float(FloatWidth::W32) => write!(f, "Float32"),
            Ty::Float(FloatWidth::W64) => write!(f, "Float64"),
            Ty::String => write!(f, "String"),
            Ty::Unit => write!(f, "Unit"),
            Ty::Never => write!(f, "Never"),
            Ty::Error => write!(f, "{{error}}"),
            Ty::List(t) => write!(f, "List[{}]", d(t)),
            Ty::Set(t) => write!(f, "Set[{}]", d(t)),
            Ty::Dict(k, v) => write!(f, "Dict[{}, {}]", d(k), d(v)),
            Ty::Newtype(id) => write!(f, "{}", self.names.adt_name(*id)),
            Ty::Param(p) => write!(f, "{}", self.names.param_name(*p)),
            Ty::Task(t) => write!(f, "Task<{}>", d(t)),
            Ty::Thread(t) => write!(f, "Thread<{}>", d(t)),
            Ty::Channel(t) => write!(f, "Channel<{}>", d(t)),
            Ty::Atomic(t) => write!(f, "Atomic<{}>", d(t)),
            Ty::Sync(k) => write!(f, "{}", k.name()),
            Ty::Scope => write!(f, "Scope"),
            Ty::Fn(ps, r) => {
                write!(f, "Fn(")?;
                for (i, p) in ps.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{}", d(p))?;
                }
                write!(f, ") -> {}", d(r))
            }
            Ty::Adt(id, args) => {
                write!(f, "{}", self.names.adt_name(*id))?;
                if !args.is_empty() {
                    write!(f, "<")?;
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            write!(f, ", ")?;
                        }
                        write!(f, "{}", d(a))?;
                    }
                    write!(f, ">")?;
                }
                Ok(())
            }
        }
    }
}
