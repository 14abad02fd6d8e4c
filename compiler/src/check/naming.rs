//! The naming conventions of section 15: snake_case for values and
//! functions, TitleCase for types. Violations are compile errors.

use super::Checker;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Ident;

pub(crate) fn is_snake_case(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

pub(crate) fn is_title_case(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('A'..='Z')) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// `myValue` -> `my_value`, `MyValue` -> `my_value`.
fn to_snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `my_type` -> `MyType`.
fn to_title_case(name: &str) -> String {
    name.split('_')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut cs = s.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

pub(crate) fn check_snake_case(checker: &mut Checker, ident: &Ident, what: &str) {
    if !is_snake_case(&ident.name) {
        checker.error(
            Diagnostic::new(
                Code::NotSnakeCase,
                format!("{what} name `{}` is not snake_case", ident.name),
                ident.span,
                "should be snake_case",
            )
            .with_hint(format!("rename it to `{}`", to_snake_case(&ident.name))),
        );
    }
}

pub(crate) fn check_title_case(checker: &mut Checker, ident: &Ident, what: &str) {
    if !is_title_case(&ident.name) {
        checker.error(
            Diagnostic::new(
                Code::NotTitleCase,
                format!("{what} name `{}` is not TitleCase", ident.name),
                ident.span,
                "should be TitleCase",
            )
            .with_hint(format!("rename it to `{}`", to_title_case(&ident.name))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_conventions() {
        assert!(is_snake_case("my_value2"));
        assert!(is_snake_case("_x"));
        assert!(!is_snake_case("myValue"));
        assert!(is_title_case("MyType2"));
        assert!(!is_title_case("My_Type"));
        assert_eq!(to_snake_case("myValue"), "my_value");
        assert_eq!(to_title_case("my_type"), "MyType");
    }
}
