//! The printer's state: the output text, the indentation, the comments
//! still to place, and what it knows of the source (tokens, parentheses).
//!
//! Layout is written through a few primitives:
//! * [`Printer::w`] appends text, indenting lazily at the start of a line
//!   (so empty lines never carry spaces);
//! * [`Printer::line_element`] starts a statement, item or member on its
//!   own line, with the comments before it and at most one blank line;
//! * [`Printer::trailing`] puts the comments that followed an element on
//!   its line back after it;
//! * [`Printer::comments_before`] places every comment that comes before a
//!   source position, wherever the printer is: on their own lines at the
//!   start of a line, or inside a line of code (a `//` comment then breaks
//!   the line, continued one level deeper).
//!
//! Every comment goes out exactly once and in source order: the printer
//! visits the tree in source order, and [`Printer::finish`] places those
//! left at the end.

use std::collections::HashMap;

use super::comments::{self, Comment};
use crate::source::Span;
use crate::syntax::token::Token;

/// Spaces per indentation level.
const INDENT: &str = "  ";

pub(super) struct Printer<'a> {
    pub src: &'a str,
    tokens: &'a [(Token, Span)],
    /// Start offset of each `(` to the end offset of its `)`.
    close_paren: HashMap<usize, usize>,
    comments: Vec<Comment>,
    /// The first comment not printed yet.
    next: usize,
    out: String,
    pub indent: usize,
    /// The next line element starts after one blank line.
    pub need_blank: bool,
    /// Nothing printed since the start of the file or of a body: no blank
    /// line goes here.
    fresh: bool,
}

impl<'a> Printer<'a> {
    pub fn new(src: &'a str, tokens: &'a [(Token, Span)]) -> Printer<'a> {
        let mut close_paren = HashMap::new();
        let mut open = Vec::new();
        for (tok, span) in tokens {
            match tok {
                Token::LParen => open.push(span.start as usize),
                Token::RParen => {
                    if let Some(start) = open.pop() {
                        close_paren.insert(start, span.end as usize);
                    }
                }
                _ => {}
            }
        }
        Printer {
            src,
            tokens,
            close_paren,
            comments: comments::scan(src, tokens),
            next: 0,
            out: String::new(),
            indent: 0,
            need_blank: false,
            fresh: true,
        }
    }

    // ------------------------------------------------------------ source

    /// The source text of a span.
    pub fn text(&self, span: Span) -> &'a str {
        self.src.get(span.range()).unwrap_or("")
    }

    /// The span without the parentheses written around it, and whether
    /// there were any (`((a))` counts as one pair).
    pub fn unparen(&self, span: Span) -> (Span, bool) {
        let mut inner = span;
        let mut had = false;
        loop {
            let start = inner.start as usize;
            let matched = self.close_paren.get(&start) == Some(&(inner.end as usize));
            let Some(open_end) = self.token_at(start).map(|s| s.end) else {
                break;
            };
            let close_start = self
                .last_token_before(inner.end as usize)
                .map_or(0, |s| s.start);
            if !matched || close_start <= open_end {
                break;
            }
            // The first and last tokens inside the parentheses.
            let (Some(first), Some(last)) = (
                self.token_from(open_end as usize),
                self.last_token_before(close_start as usize),
            ) else {
                break;
            };
            inner = Span {
                start: first.start,
                end: last.end,
                ..inner
            };
            had = true;
        }
        (inner, had)
    }

    /// Places the comments before the first `tok` at or after `pos` (the
    /// closing token of a construct).
    pub fn comments_before_token(&mut self, pos: usize, tok: &Token) {
        if let Some(t) = self.find(pos, tok) {
            self.comments_before(t.start as usize);
        }
    }

    /// The end of the `)` matching the `(` that starts at `open`.
    pub fn close_of(&self, open: usize) -> Option<usize> {
        self.close_paren.get(&open).copied()
    }

    /// The token starting exactly at `pos`.
    fn token_at(&self, pos: usize) -> Option<Span> {
        self.token_from(pos).filter(|s| s.start as usize == pos)
    }

    /// The first token starting at or after `pos`.
    pub fn token_from(&self, pos: usize) -> Option<Span> {
        let i = self
            .tokens
            .partition_point(|(_, s)| (s.start as usize) < pos);
        self.tokens.get(i).map(|(_, s)| *s)
    }

    /// The last token ending at or before `pos`.
    pub fn last_token_before(&self, pos: usize) -> Option<Span> {
        let i = self
            .tokens
            .partition_point(|(_, s)| (s.end as usize) <= pos);
        i.checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map(|(_, s)| *s)
    }

    /// The first `tok` at or after `pos`.
    pub fn find(&self, pos: usize, tok: &Token) -> Option<Span> {
        let i = self
            .tokens
            .partition_point(|(_, s)| (s.start as usize) < pos);
        self.tokens
            .get(i..)
            .unwrap_or(&[])
            .iter()
            .find(|(t, _)| t == tok)
            .map(|(_, s)| *s)
    }

    /// True when a comment starts inside `span`.
    pub fn has_comments(&self, span: Span) -> bool {
        let i = self
            .comments
            .partition_point(|c| c.start < span.start as usize);
        self.comments
            .get(i)
            .is_some_and(|c| c.start < span.end as usize)
    }

    // ------------------------------------------------------------ output

    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    /// Appends `s`, indenting first at the start of a line.
    pub fn w(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        let mut s = s;
        if self.at_line_start() {
            for _ in 0..self.indent {
                self.out.push_str(INDENT);
            }
        } else if self.on_blank_line() {
            // A continuation line (after a `//` comment) starts with code.
            s = s.trim_start();
        } else if self.out.ends_with("*/ ") && s.starts_with([')', ']', ',', ';']) {
            self.out.pop();
        }
        self.out.push_str(s);
        self.fresh = false;
    }

    /// The current line holds only indentation.
    fn on_blank_line(&self) -> bool {
        let line = self.out.rsplit('\n').next().unwrap_or("");
        line.bytes().all(|b| b == b' ')
    }

    /// Ends the current line (without trailing spaces).
    fn newline(&mut self) {
        let kept = self.out.trim_end_matches(' ').len();
        self.out.truncate(kept);
        // A continuation line with nothing on it is dropped, not ended.
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    /// Moves to the start of a line unless already there.
    pub fn ensure_line(&mut self) {
        if !self.at_line_start() {
            self.newline();
        }
    }

    fn blank_line(&mut self) {
        self.ensure_line();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// A line break inside a line of code: the rest continues one level
    /// deeper.
    fn continuation(&mut self) {
        self.newline();
        for _ in 0..=self.indent {
            self.out.push_str(INDENT);
        }
    }

    /// Starts a statement, item or member at `start` on a new line, after
    /// the comments before it; one blank line if the source had one (or
    /// [`Self::need_blank`]), none at the start of a body.
    pub fn line_element(&mut self, start: usize) {
        self.ensure_line();
        self.comments_before(start);
        self.ensure_line();
        let blank = self.need_blank || comments::blank_line_before(self.src, start);
        if blank && !self.fresh {
            self.blank_line();
        }
        self.need_blank = false;
        self.fresh = false;
    }

    /// After `{` (whose token ends at `brace_end`): its trailing comments,
    /// then the body one level deeper.
    pub fn open_body(&mut self, brace_end: usize) {
        self.indent += 1;
        self.fresh = true;
        self.trailing(brace_end);
        self.ensure_line();
        self.fresh = true;
        self.need_blank = false;
    }

    /// Closes a body whose `}` starts at `brace_start`: the comments left
    /// inside it, then `}` on its own line.
    pub fn close_body(&mut self, brace_start: usize) {
        self.ensure_line();
        self.comments_before(brace_start);
        self.ensure_line();
        self.indent = self.indent.saturating_sub(1);
        self.need_blank = false;
        self.w("}");
    }

    /// Places the comments that followed, on the same line, the element
    /// ending at `end` (or the `,`/`;` right after it).
    pub fn trailing(&mut self, end: usize) {
        let mut end = end;
        if let Some(next) = self.token_from(end) {
            let sep = matches!(self.text(next), "," | ";");
            let between = self.src.get(end..next.start as usize).unwrap_or("");
            if sep && between.trim().is_empty() {
                end = next.end as usize;
            }
        }
        // Anything left before this point goes first, in order, as it
        // will be read next time: after the element, a comment on its own
        // line is a line of its own.
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= end {
                break;
            }
            let c = c.clone();
            self.next += 1;
            if c.own_line {
                self.ensure_line();
            }
            self.comment(&c);
        }
        while let Some(c) = self.comments.get(self.next) {
            if c.prev_tok_end != end || c.own_line {
                break;
            }
            let c = c.clone();
            self.next += 1;
            self.w(" ");
            self.w(&c.text);
            if c.is_line {
                break;
            }
        }
    }

    /// Places every comment that starts before `pos`.
    pub fn comments_before(&mut self, pos: usize) {
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= pos {
                break;
            }
            let c = c.clone();
            self.next += 1;
            self.comment(&c);
        }
    }

    fn comment(&mut self, c: &Comment) {
        if self.at_line_start() {
            if (c.blank_before || self.need_blank) && !self.fresh {
                self.blank_line();
            }
            self.need_blank = false;
            self.w(&c.text);
            self.newline();
            return;
        }
        if self.on_blank_line() {
            // Already on a continuation line.
        } else if c.own_line {
            self.continuation();
        } else if !self.out.ends_with([' ', '(', '[']) {
            self.out.push(' ');
        }
        self.out.push_str(&c.text);
        if c.is_line {
            self.continuation();
        } else {
            self.out.push(' ');
        }
    }

    /// The finished text: the comments left at the end, one final newline.
    pub fn finish(mut self) -> String {
        self.ensure_line();
        self.comments_before(usize::MAX);
        self.ensure_line();
        let kept = self.out.trim_end_matches('\n').len();
        self.out.truncate(kept);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }
}
