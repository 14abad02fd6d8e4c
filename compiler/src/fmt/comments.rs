//! The comments of a file, found in the gaps between its tokens.
//!
//! The lexer drops comments, but every byte of a file that lexes cleanly
//! is either a token, whitespace or a comment. So the comments are exactly
//! what is not whitespace in the gaps between consecutive tokens, outside
//! string literals (a string, interpolations included, is copied from the
//! source as a whole, so a comment inside `${ }` travels with it).
//!
//! Each comment records where it sits relative to its neighbours, which is
//! all the printer needs to put it back: on its own line or after code,
//! after a blank line or not, and which token it follows.

use crate::source::Span;
use crate::syntax::token::Token;

/// One `//` or `/* */` comment.
#[derive(Clone, Debug)]
pub(super) struct Comment {
    /// Byte offset in the source.
    pub start: usize,
    /// The text, with trailing whitespace removed from each line.
    pub text: String,
    /// A `//` comment: nothing may follow it on its line.
    pub is_line: bool,
    /// Only whitespace between the start of its line and the comment.
    pub own_line: bool,
    /// At least one empty line before it.
    pub blank_before: bool,
    /// The end of the token before it (0 when none).
    pub prev_tok_end: usize,
}

/// Finds every comment of `src`, in order. `tokens` are the lexer's tokens
/// for `src`, which must have lexed without errors.
pub(super) fn scan(src: &str, tokens: &[(Token, Span)]) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut depth = 0usize; // open string literals
    let mut prev_end = 0usize;
    for (tok, span) in tokens {
        if depth == 0 {
            scan_gap(src, prev_end, span.start as usize, &mut out);
        }
        match tok {
            Token::StrStart => depth += 1,
            Token::StrEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev_end = span.end as usize;
    }
    scan_gap(src, prev_end, src.len(), &mut out);
    out
}

/// The comments between two tokens (`from` is the end of the first).
fn scan_gap(src: &str, from: usize, to: usize, out: &mut Vec<Comment>) {
    let Some(gap) = src.get(from..to) else {
        return;
    };
    let mut i = 0;
    while i < gap.len() {
        let rest = gap.get(i..).unwrap_or("");
        let (len, is_line) = if rest.starts_with("//") {
            (rest.find('\n').unwrap_or(rest.len()), true)
        } else if rest.starts_with("/*") {
            (rest.find("*/").map_or(rest.len(), |e| e + 2), false)
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let start = from + i;
        out.push(Comment {
            start,
            text: clean(src.get(start..start + len).unwrap_or("")),
            is_line,
            own_line: line_break_before(src, start),
            blank_before: blank_line_before(src, start),
            prev_tok_end: from,
        });
        i += len;
    }
}

/// Trailing whitespace removed from every line of a comment.
fn clean(text: &str) -> String {
    text.split('\n')
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The whitespace right before `pos`, back to the previous non-blank
/// character (or the start of the file).
fn space_before(src: &str, pos: usize) -> (&str, bool) {
    let head = src.get(..pos).unwrap_or("");
    let trimmed = head.trim_end();
    (head.get(trimmed.len()..).unwrap_or(""), trimmed.is_empty())
}

/// A line break between `pos` and the previous non-blank character; the
/// start of the file counts as one.
pub(super) fn line_break_before(src: &str, pos: usize) -> bool {
    let (space, at_start) = space_before(src, pos);
    at_start || space.contains('\n')
}

/// An empty line between `pos` and the previous non-blank character.
pub(super) fn blank_line_before(src: &str, pos: usize) -> bool {
    let (space, at_start) = space_before(src, pos);
    !at_start && space.matches('\n').count() >= 2
}
