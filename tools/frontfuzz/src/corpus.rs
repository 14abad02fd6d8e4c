//! The seed corpus: every `.plat` file under the folders given, with its
//! tokens (from the compiler's own lexer) and the spans of its syntactic
//! fragments by kind (from the compiler's own parser), which the
//! grammar-aware mutations cut and splice.

use std::path::{Path, PathBuf};

use platc::source::FileId;
use platc::syntax::ast::*;
use platc::syntax::{lexer, parse_file, token::Token};

/// The kinds of fragment a grammar-aware mutation swaps: a fragment is
/// only ever replaced by another of the same kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Expr,
    Stmt,
    Block,
    Type,
    Pattern,
    Item,
}

pub const KINDS: [Kind; 6] = [
    Kind::Expr,
    Kind::Stmt,
    Kind::Block,
    Kind::Type,
    Kind::Pattern,
    Kind::Item,
];

/// A lexical class of token, enough for the token-level mutations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokClass {
    Ident,
    Literal,
    Open,
    Close,
    Other,
}

pub struct Tok {
    pub class: TokClass,
    pub start: usize,
    pub end: usize,
}

/// One corpus file.
pub struct Seed {
    pub path: PathBuf,
    /// The path relative to the workspace root, for reports.
    pub display: String,
    pub text: String,
    pub tokens: Vec<Tok>,
    /// (kind, start, end) of every fragment, in no particular order.
    pub fragments: Vec<(Kind, usize, usize)>,
    /// Every distinct identifier the file uses.
    pub idents: Vec<String>,
}

impl Seed {
    pub fn fragments_of(&self, kind: Kind) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.fragments
            .iter()
            .filter(move |f| f.0 == kind)
            .map(|f| (f.1, f.2))
    }
}

/// Every `.plat` file under `dirs` (relative to `root`), sorted, so the
/// same seed mutates the same files in the same order.
pub fn find(root: &Path, dirs: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo: Vec<PathBuf> = dirs.iter().map(|d| root.join(d)).collect();
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "plat") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Reads, lexes and parses every file (on a big stack, as the compiler
/// does). Unreadable or non-UTF-8 files are skipped.
pub fn load(root: &Path, files: &[PathBuf]) -> Vec<Seed> {
    platc::stack::run(|| {
        files
            .iter()
            .filter_map(|path| {
                let text = std::fs::read_to_string(path).ok()?;
                let display = path
                    .strip_prefix(root)
                    .unwrap_or(path)
                    .display()
                    .to_string();
                Some(analyse(path.clone(), display, text))
            })
            .collect()
    })
}

/// Lexes and parses one text into a seed (needs a big stack for deep
/// programs: see [`load`]).
pub fn analyse(path: PathBuf, display: String, text: String) -> Seed {
    let (tokens, _) = lexer::lex(FileId(0), &text);
    let mut idents: Vec<String> = Vec::new();
    let tokens = tokens
        .into_iter()
        .filter(|(_, span)| span.start < span.end)
        .map(|(tok, span)| {
            let class = match tok {
                Token::Ident(name) => {
                    if !idents.contains(&name) {
                        idents.push(name);
                    }
                    TokClass::Ident
                }
                Token::Int { .. }
                | Token::Float { .. }
                | Token::Str(_)
                | Token::True
                | Token::False => TokClass::Literal,
                Token::LParen | Token::LBracket | Token::LBrace | Token::InterpOpen => {
                    TokClass::Open
                }
                Token::RParen | Token::RBracket | Token::RBrace | Token::InterpClose => {
                    TokClass::Close
                }
                _ => TokClass::Other,
            };
            Tok {
                class,
                start: span.start as usize,
                end: span.end as usize,
            }
        })
        .collect();
    let (module, _) = parse_file(FileId(0), &text);
    let mut walk = Walk {
        out: Vec::new(),
        len: text.len(),
        text: &text,
    };
    for item in &module.items {
        walk.item(item);
    }
    let fragments = walk.out;
    Seed {
        path,
        display,
        text,
        tokens,
        fragments,
        idents,
    }
}

/// Collects fragment spans. The corpus is shallow, so plain recursion.
struct Walk<'a> {
    out: Vec<(Kind, usize, usize)>,
    len: usize,
    text: &'a str,
}

impl Walk<'_> {
    fn add(&mut self, kind: Kind, span: platc::source::Span) {
        let (s, e) = (span.start as usize, span.end as usize);
        // Recovery nodes can have odd spans: keep only real slices.
        if s < e && e <= self.len && self.text.is_char_boundary(s) && self.text.is_char_boundary(e)
        {
            self.out.push((kind, s, e));
        }
    }

    fn item(&mut self, item: &Item) {
        self.add(Kind::Item, item.span);
        match &item.kind {
            ItemKind::Fn(f) => self.func(f),
            ItemKind::Class(c) => {
                c.methods.iter().chain(&c.inits).for_each(|f| self.func(f));
                c.fields.iter().for_each(|f| self.ty(&f.ty));
                if let Some(p) = &c.parent {
                    self.ty(p);
                }
            }
            ItemKind::Enum(e) => {
                e.methods.iter().for_each(|f| self.func(f));
                e.variants
                    .iter()
                    .flat_map(|v| &v.fields)
                    .for_each(|t| self.ty(t));
            }
            ItemKind::TypeAlias { ty, .. } | ItemKind::Newtype { ty, .. } => self.ty(ty),
            ItemKind::Test { fns, .. } | ItemKind::Bench { fns, .. } => {
                fns.iter().for_each(|f| self.func(f));
            }
        }
    }

    fn func(&mut self, f: &FnDecl) {
        self.params(&f.params);
        if let Some(r) = &f.ret {
            self.ty(r);
        }
        self.block(&f.body);
    }

    fn params(&mut self, params: &[Param]) {
        for p in params {
            self.ty(&p.ty);
            if let Some(d) = &p.default {
                self.expr(d);
            }
        }
    }

    fn block(&mut self, b: &Block) {
        self.add(Kind::Block, b.span);
        b.stmts.iter().for_each(|s| self.stmt(s));
        if let Some(t) = &b.tail {
            self.expr(t);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        self.add(Kind::Stmt, s.span);
        match &s.kind {
            StmtKind::Let { ty, value, .. } => {
                if let Some(t) = ty {
                    self.ty(t);
                }
                self.expr(value);
            }
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) => self.expr(e),
            StmtKind::While { cond, body } => {
                self.expr(cond);
                self.block(body);
            }
            StmtKind::For { ty, iter, body, .. } => {
                if let Some(t) = ty {
                    self.ty(t);
                }
                self.expr(iter);
                self.block(body);
            }
            StmtKind::Concurrent { args, body } => {
                args.iter().for_each(|a| self.expr(&a.value));
                self.block(body);
            }
            StmtKind::Select(arms) => {
                for arm in arms {
                    match &arm.kind {
                        SelectArmKind::Recv { ty, channel, .. } => {
                            if let Some(t) = ty {
                                self.ty(t);
                            }
                            self.expr(channel);
                        }
                        SelectArmKind::Send(e) | SelectArmKind::After(e) => self.expr(e),
                        SelectArmKind::Default => {}
                    }
                    self.block(&arm.body);
                }
            }
            StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue | StmtKind::Error => {}
        }
    }

    fn ty(&mut self, t: &TypeExpr) {
        self.add(Kind::Type, t.span);
        match &t.kind {
            TypeExprKind::Named { args, .. } => args.iter().for_each(|a| self.ty(a)),
            TypeExprKind::List(e) | TypeExprKind::Set(e) => self.ty(e),
            TypeExprKind::Dict(k, v) => {
                self.ty(k);
                self.ty(v);
            }
            TypeExprKind::Fn { params, ret } => {
                params.iter().for_each(|p| self.ty(p));
                if let Some(r) = ret {
                    self.ty(r);
                }
            }
            TypeExprKind::Unit | TypeExprKind::Error => {}
        }
    }

    fn pattern(&mut self, p: &Pattern) {
        self.add(Kind::Pattern, p.span);
        match &p.kind {
            PatternKind::Binding { ty: Some(t), .. } => self.ty(t),
            PatternKind::Literal(e) => self.expr(e),
            PatternKind::Variant {
                fields: Some(fields),
                ..
            } => fields.iter().for_each(|f| self.pattern(f)),
            _ => {}
        }
    }

    fn expr(&mut self, e: &Expr) {
        self.add(Kind::Expr, e.span);
        match &e.kind {
            ExprKind::Int { .. }
            | ExprKind::Float { .. }
            | ExprKind::Bool(_)
            | ExprKind::Unit
            | ExprKind::Path(_)
            | ExprKind::SelfValue
            | ExprKind::Error => {}
            ExprKind::Str(parts) => {
                for p in parts {
                    if let StrPart::Interp(x) = p {
                        self.expr(x);
                    }
                }
            }
            ExprKind::List(items) | ExprKind::Set(items) | ExprKind::Race(items) => {
                items.iter().for_each(|x| self.expr(x));
            }
            ExprKind::Dict(entries) => {
                for (k, v) in entries {
                    self.expr(k);
                    self.expr(v);
                }
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Unary { operand: x, .. }
            | ExprKind::Try(x)
            | ExprKind::Field { object: x, .. } => self.expr(x),
            ExprKind::Assign { target, value } => {
                self.expr(target);
                self.expr(value);
            }
            ExprKind::Call { callee: x, args }
            | ExprKind::MethodCall {
                receiver: x, args, ..
            } => {
                self.expr(x);
                args.iter().for_each(|a| self.expr(&a.value));
            }
            ExprKind::SuperCall { args, .. } => args.iter().for_each(|a| self.expr(&a.value)),
            ExprKind::Index { object, index } => {
                self.expr(object);
                self.expr(index);
            }
            ExprKind::Cast { value, target } => {
                self.expr(value);
                self.ty(target);
            }
            ExprKind::Range { start, end, .. } => {
                self.expr(start);
                self.expr(end);
            }
            ExprKind::Block(b) | ExprKind::Spawn(b) => self.block(b),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond);
                self.block(then);
                if let Some(o) = otherwise {
                    self.expr(o);
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee);
                for arm in arms {
                    self.pattern(&arm.pattern);
                    self.expr(&arm.body);
                }
            }
            ExprKind::Closure { params, ret, body } => {
                self.params(params);
                if let Some(r) = ret {
                    self.ty(r);
                }
                self.block(body);
            }
        }
    }
}
