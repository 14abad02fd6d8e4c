//! Diagnostics: errors are data ([`Diagnostic`]), rendering is separate
//! ([`render`]). Every diagnostic has a stable code from [`Code`].

mod render;

pub use render::{render, render_all};

use crate::source::Span;

/// Declares [`Code`] from one table, so that its printed form and
/// [`Code::ALL`] cannot miss a variant.
macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident => $code:literal,)*) => {
        /// Stable diagnostic codes. The number never changes once released; the
        /// tests in `tests/fail/` refer to them. Gaps are reserved for diagnostics
        /// of features still to come (modules, fields, inference of `[]`...).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* $name,)*
        }

        impl Code {
            /// Every code, in declaration order (the golden tests check
            /// that each has a blessed snapshot in `tests/fail`).
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// The code as printed: `E0200`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $code,)*
                }
            }
        }
    };
}

codes! {
    // ---- lexing and parsing: E00xx
    /// A character that cannot start any token (`!`, `@`, `#`...).
    UnexpectedChar => "E0001",
    /// A string literal or interpolation without its closing quote/brace.
    UnterminatedString => "E0002",
    /// A malformed number literal: bad suffix, missing exponent, too large.
    BadNumber => "E0003",
    /// `/*` without `*/`.
    UnterminatedComment => "E0004",
    /// A token the grammar does not allow here.
    UnexpectedToken => "E0010",
    /// An opening delimiter never closed.
    UnclosedDelimiter => "E0011",
    // ---- names: E01xx
    UnknownName => "E0100",
    UnknownType => "E0101",
    DuplicateDefinition => "E0102",
    DuplicateLocal => "E0103",
    BuiltinShadowed => "E0104",
    NotSnakeCase => "E0105",
    NotTitleCase => "E0106",
    UnknownModule => "E0107",
    CircularImport => "E0108",
    // ---- types: E02xx
    TypeMismatch => "E0200",
    BadOperands => "E0201",
    MixedNumeric => "E0202",
    ConditionNotBool => "E0203",
    LiteralOutOfRange => "E0204",
    AssignImmutable => "E0205",
    BadAssignTarget => "E0206",
    MissingReturn => "E0207",
    BadReturn => "E0208",
    BreakOutsideLoop => "E0209",
    UnknownMethod => "E0210",
    BadCast => "E0211",
    UnsupportedFloat => "E0212",
    IfBranchMismatch => "E0213",
    BadMain => "E0214",
    BadForIterable => "E0215",
    UnitValue => "E0218",
    CannotInfer => "E0216",
    UnknownField => "E0217",
    BadOverride => "E0219",
    NonExhaustive => "E0220",
    BadPattern => "E0221",
    Private => "E0222",
    PolymorphicRecursion => "E0223",
    CapturedAssign => "E0224",
    SpawnOutsideConcurrent => "E0225",
    BadSelectArm => "E0226",
    /// A malformed `test`/`bench` block case or hook.
    BadTest => "E0227",
    ArgumentCount => "E0305",
    // ---- calls: E03xx
    MissingArgument => "E0300",
    UnknownArgument => "E0301",
    RepeatedArgument => "E0302",
    PositionalArgument => "E0303",
    NotCallable => "E0304",
    // ---- limits of this implementation: E09xx
    NotSupportedYet => "E0900",
    /// Nesting beyond what the compiler takes (`syntax::limits`).
    NestedTooDeeply => "E0901",
    /// A type with more parts than `hir::MAX_TYPE_SIZE`.
    TypeTooLarge => "E0902",
    /// More generic instances than `codegen::instances::MAX_INSTANCES`.
    TooManyInstances => "E0903",
}

/// A labelled span: the primary one says what is wrong, secondary ones
/// point at the other side (the declaration, the first definition...).
#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub code: Code,
    /// Short title: what was found and what was expected.
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    /// How to fix it ("declare it with `var`").
    pub hint: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            primary: Label {
                span,
                message: label.into(),
            },
            secondary: Vec::new(),
            hint: None,
            notes: Vec::new(),
        }
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// "`what` is not supported yet": a construct that parses but that
    /// this version does not compile.
    pub fn not_supported(what: &str, span: Span) -> Self {
        Diagnostic::new(
            Code::NotSupportedYet,
            format!("not supported yet: {what}"),
            span,
            "not supported yet",
        )
    }
}

/// Closest candidate to `name` by edit distance, for "did you mean" hints.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("countr", ["counter", "total"]),
            Some("counter")
        );
        assert_eq!(did_you_mean("x", ["counter"]), None);
    }
}
