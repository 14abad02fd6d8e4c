//! The seed corpus: every `.plat` file under the folders given, with its
//! tokens (from the compiler's own lexer) and the spans of its syntactic
//! fragments by kind (from the compiler's own parser), which the
//! grammar-aware mutations cut and splice.

use std::path::{Path, PathBuf};

use platc::source::FileId;
use platc::syntax::ast::Module;
use platc::syntax::walk::{self, Node};
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
    let fragments = fragments(&module, &text);
    Seed {
        path,
        display,
        text,
        tokens,
        fragments,
        idents,
    }
}

/// The spans of `module`'s fragments, by kind: every item, block,
/// statement, type, pattern and expression that covers a real slice of
/// `text` (recovery nodes can have odd spans).
fn fragments(module: &Module, text: &str) -> Vec<(Kind, usize, usize)> {
    let mut out = Vec::new();
    let mut todo: Vec<Node> = walk::items(module).collect();
    while let Some(node) = todo.pop() {
        let kind = match node {
            Node::Item(_) => Some(Kind::Item),
            Node::Block(_) => Some(Kind::Block),
            Node::Stmt(_) => Some(Kind::Stmt),
            Node::Type(_) => Some(Kind::Type),
            Node::Pattern(_) => Some(Kind::Pattern),
            Node::Expr(_) => Some(Kind::Expr),
            Node::Fn(_) | Node::Args(_) | Node::Params(_) => None,
        };
        let span = node.span();
        let (s, e) = (span.start as usize, span.end as usize);
        if let Some(kind) = kind {
            if s < e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e) {
                out.push((kind, s, e));
            }
        }
        walk::children(node, |child, _| todo.push(child));
    }
    out
}
