//! Tokens produced by the lexer and consumed by the parser.
//!
//! Keywords are those of section 2 of `plat-language.md` plus `break` and
//! `continue`. `select`, `race`, `default`, `after`, `Fn` and `Unit` are
//! plain identifiers that the parser treats contextually.
//!
//! An interpolated string is lexed into several tokens so that the
//! expressions inside `${ }` keep their real spans:
//! `"a${x}b"` is `StrStart StrPart("a") InterpOpen Ident(x) InterpClose
//! StrPart("b") StrEnd`. A string without interpolation is one `Str` token.

use std::fmt;

use crate::syntax::ast::{FloatSuffix, IntSuffix};

#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    // ---- literals and names
    Int {
        value: u64,
        suffix: Option<IntSuffix>,
    },
    Float {
        value: f64,
        suffix: Option<FloatSuffix>,
    },
    /// A string literal without interpolation (escapes already resolved).
    Str(String),
    /// The opening `"` of an interpolated string.
    StrStart,
    /// A literal piece of an interpolated string.
    StrPart(String),
    /// `${` inside a string.
    InterpOpen,
    /// The `}` closing an interpolation.
    InterpClose,
    /// The closing `"` of an interpolated string.
    StrEnd,
    Ident(String),

    // ---- keywords
    Fn,
    Let,
    Var,
    If,
    Else,
    While,
    For,
    In,
    Return,
    True,
    False,
    Print,
    List,
    Dict,
    Set,
    Enum,
    Match,
    Mut,
    Class,
    Init,
    SelfKw,
    Virtual,
    Override,
    Super,
    Mod,
    Use,
    Type,
    Newtype,
    Test,
    Bench,
    Cast,
    Pub,
    Concurrent,
    Spawn,
    And,
    Or,
    Not,
    Break,
    Continue,

    // ---- operators and punctuation
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Arrow,
    ColonColon,
    Colon,
    Dot,
    DotDot,
    DotDotEq,
    Question,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Semi,

    // ---- operators of other languages: lexed so the parser can say what
    // to write instead.
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `=>`
    FatArrow,
    /// `+=`, `-=`, `*=`, `/=`, `%=`
    CompoundAssign(char),
    /// `++`
    PlusPlus,
}

impl Token {
    /// The keyword token for `word`, if it is one.
    pub fn keyword(word: &str) -> Option<Token> {
        use Token::*;
        Some(match word {
            "fn" => Fn,
            "let" => Let,
            "var" => Var,
            "if" => If,
            "else" => Else,
            "while" => While,
            "for" => For,
            "in" => In,
            "return" => Return,
            "true" => True,
            "false" => False,
            "print" => Print,
            "List" => List,
            "Dict" => Dict,
            "Set" => Set,
            "enum" => Enum,
            "match" => Match,
            "mut" => Mut,
            "class" => Class,
            "init" => Init,
            "self" => SelfKw,
            "virtual" => Virtual,
            "override" => Override,
            "super" => Super,
            "mod" => Mod,
            "use" => Use,
            "type" => Type,
            "newtype" => Newtype,
            "test" => Test,
            "bench" => Bench,
            "cast" => Cast,
            "pub" => Pub,
            "concurrent" => Concurrent,
            "spawn" => Spawn,
            "and" => And,
            "or" => Or,
            "not" => Not,
            "break" => Break,
            "continue" => Continue,
            _ => return None,
        })
    }

    /// The source text of a keyword token (`None` for any other token).
    pub fn keyword_text(&self) -> Option<&'static str> {
        self.text().filter(|w| Token::keyword(w).is_some())
    }

    /// The source text of a keyword or punctuation token.
    pub fn text(&self) -> Option<&'static str> {
        use Token::*;
        Some(match self {
            Fn => "fn",
            Let => "let",
            Var => "var",
            If => "if",
            Else => "else",
            While => "while",
            For => "for",
            In => "in",
            Return => "return",
            True => "true",
            False => "false",
            Print => "print",
            List => "List",
            Dict => "Dict",
            Set => "Set",
            Enum => "enum",
            Match => "match",
            Mut => "mut",
            Class => "class",
            Init => "init",
            SelfKw => "self",
            Virtual => "virtual",
            Override => "override",
            Super => "super",
            Mod => "mod",
            Use => "use",
            Type => "type",
            Newtype => "newtype",
            Test => "test",
            Bench => "bench",
            Cast => "cast",
            Pub => "pub",
            Concurrent => "concurrent",
            Spawn => "spawn",
            And => "and",
            Or => "or",
            Not => "not",
            Break => "break",
            Continue => "continue",
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Percent => "%",
            EqEq => "==",
            NotEq => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Eq => "=",
            Arrow => "->",
            ColonColon => "::",
            Colon => ":",
            Dot => ".",
            DotDot => "..",
            DotDotEq => "..=",
            Question => "?",
            LParen => "(",
            RParen => ")",
            LBrace => "{",
            RBrace => "}",
            LBracket => "[",
            RBracket => "]",
            Comma => ",",
            Semi => ";",
            AndAnd => "&&",
            OrOr => "||",
            FatArrow => "=>",
            PlusPlus => "++",
            InterpOpen => "${",
            InterpClose => "}",
            StrStart | StrEnd => "\"",
            CompoundAssign('+') => "+=",
            CompoundAssign('-') => "-=",
            CompoundAssign('*') => "*=",
            CompoundAssign('/') => "/=",
            CompoundAssign(_) => "%=",
            Int { .. } | Float { .. } | Str(_) | StrPart(_) | Ident(_) => return None,
        })
    }

    /// True for reserved words (used to explain "expected identifier").
    pub fn is_keyword(&self) -> bool {
        self.text()
            .is_some_and(|t| t.starts_with(|c: char| c.is_ascii_alphabetic()))
    }
}

/// How a token is named in diagnostics: `` `;` ``, ``identifier `x` ``...
impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Int { .. } => write!(f, "integer literal"),
            Token::Float { .. } => write!(f, "float literal"),
            Token::Str(_) | Token::StrStart => write!(f, "string literal"),
            Token::StrPart(_) => write!(f, "string text"),
            Token::StrEnd => write!(f, "end of string"),
            Token::InterpClose => write!(f, "`}}` (end of interpolation)"),
            Token::Ident(name) => write!(f, "identifier `{name}`"),
            tok => match tok.text() {
                Some(text) if tok.is_keyword() => write!(f, "keyword `{text}`"),
                Some(text) => write!(f, "`{text}`"),
                None => write!(f, "{tok:?}"),
            },
        }
    }
}
