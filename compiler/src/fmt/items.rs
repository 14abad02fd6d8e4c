//! The file and its items: `mod` and `use` declarations, functions,
//! classes, enums, aliases, newtypes, `test` and `bench` blocks; and the
//! pieces they share (parameters, generics, types).
//!
//! A blank line separates items, and the methods of a class, an enum or a
//! test block from their neighbours; elsewhere the source's blank lines are
//! kept, at most one in a row.

use super::printer::Printer;
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::token::Token;

/// A member of a class or enum body, in source order.
enum Member<'a> {
    Field(&'a FieldDecl),
    Variant(&'a VariantDecl),
    Method(&'a FnDecl),
}

impl Member<'_> {
    fn span(&self) -> Span {
        match self {
            Member::Field(f) => f.span,
            Member::Variant(v) => v.span,
            Member::Method(f) => f.span,
        }
    }
}

impl Printer<'_> {
    pub fn module(&mut self, m: &Module) {
        if let Some(path) = &m.mod_decl {
            let kw = self.last_token_before(path.span.start as usize);
            self.line_element(kw.map_or(0, |t| t.start as usize));
            self.w("mod ");
            self.path(path);
            self.w(";");
            // Set before the trailing comments: those left over from
            // inside the element lead the next one.
            self.need_blank = true;
            self.trailing(path.span.end as usize);
        }
        for (i, path) in m.uses.iter().enumerate() {
            let kw = self.last_token_before(path.span.start as usize);
            self.line_element(kw.map_or(0, |t| t.start as usize));
            self.w("use ");
            self.path(path);
            self.w(";");
            self.need_blank = i + 1 == m.uses.len();
            self.trailing(path.span.end as usize);
        }
        for item in &m.items {
            self.line_element(item.span.start as usize);
            self.item(item);
            self.need_blank = true;
            self.trailing(item.span.end as usize);
        }
    }

    fn item(&mut self, item: &Item) {
        let public = if item.is_pub { "pub " } else { "" };
        let close = (item.span.end as usize).saturating_sub(1);
        match &item.kind {
            ItemKind::Fn(f) => self.fn_decl(f),
            ItemKind::Class(c) => {
                self.w(public);
                self.w("class ");
                self.ident(&c.name);
                self.generics(&c.generics);
                if let Some(parent) = &c.parent {
                    self.w(" : ");
                    self.ty(parent);
                }
                let mut members: Vec<Member> = c.fields.iter().map(Member::Field).collect();
                members.extend(c.methods.iter().chain(&c.inits).map(Member::Method));
                self.members(members, c.name.span.end as usize, close);
            }
            ItemKind::Enum(e) => {
                self.w(public);
                self.w("enum ");
                self.ident(&e.name);
                self.generics(&e.generics);
                let mut members: Vec<Member> = e.variants.iter().map(Member::Variant).collect();
                members.extend(e.methods.iter().map(Member::Method));
                self.members(members, e.name.span.end as usize, close);
            }
            ItemKind::TypeAlias { name, ty } | ItemKind::Newtype { name, ty } => {
                self.w(public);
                let alias = matches!(item.kind, ItemKind::TypeAlias { .. });
                self.w(if alias { "type " } else { "newtype " });
                self.ident(name);
                self.w(" = ");
                self.ty(ty);
                self.w(";");
            }
            ItemKind::Test { name, fns } | ItemKind::Bench { name, fns } => {
                let test = matches!(item.kind, ItemKind::Test { .. });
                self.w(public);
                self.w(if test { "test " } else { "bench " });
                self.ident(name);
                let members = fns.iter().map(Member::Method).collect();
                self.members(members, name.span.end as usize, close);
            }
        }
    }

    /// ` { members }` of a class, enum or test block; the `{` is the first
    /// after `from`, the `}` starts at `close`.
    fn members(&mut self, mut members: Vec<Member>, from: usize, close: usize) {
        members.sort_by_key(|m| m.span().start);
        let open = self.find(from, &Token::LBrace);
        let open_end = open.map_or(from, |t| t.end as usize);
        let inside = Span::new(crate::source::FileId(0), open_end, close);
        if members.is_empty() && !self.has_comments(inside) {
            self.w(" {}");
            return;
        }
        self.w(" {");
        self.open_body(open_end);
        let last_variant = members
            .iter()
            .rposition(|m| matches!(m, Member::Variant(_)));
        for (i, m) in members.iter().enumerate() {
            self.line_element(m.span().start as usize);
            match m {
                Member::Field(f) => {
                    if f.is_pub {
                        self.w("pub ");
                    }
                    self.w(if f.mutable { "var " } else { "let " });
                    self.ident(&f.name);
                    self.w(": ");
                    self.ty(&f.ty);
                    self.w(";");
                }
                Member::Variant(v) => {
                    self.ident(&v.name);
                    if !v.fields.is_empty() {
                        self.w("(");
                        self.type_list(&v.fields);
                        self.comments_before(v.span.end as usize - 1);
                        self.w(")");
                    }
                    if Some(i) != last_variant {
                        self.w(",");
                    }
                }
                Member::Method(f) => self.fn_decl(f),
            }
            // A blank line after a method and before one.
            let is_method = |m: &Member| matches!(m, Member::Method(_));
            self.need_blank = is_method(m) || members.get(i + 1).is_some_and(is_method);
            self.trailing(m.span().end as usize);
        }
        self.close_body(close);
    }

    /// A function, method or `init`.
    pub fn fn_decl(&mut self, f: &FnDecl) {
        let m = &f.modifiers;
        for (on, word) in [
            (m.is_pub, "pub "),
            (m.is_virtual, "virtual "),
            (m.is_override, "override "),
            (m.is_mut, "mut "),
        ] {
            if on {
                self.w(word);
            }
        }
        // `init` is a keyword: no function is named so but an `init`.
        let is_init = f.name.name == "init" && self.text(f.name.span) == "init";
        if !is_init {
            self.w("fn ");
        }
        self.ident(&f.name);
        self.generics(&f.generics);
        self.params(&f.params, f.name.span.end as usize);
        if let Some(ret) = &f.ret {
            self.w(" -> ");
            self.ty(ret);
        }
        self.w(" ");
        self.comments_before(f.body.span.start as usize);
        self.body(&f.body);
    }

    /// `<T, U>` (nothing when empty).
    fn generics(&mut self, names: &[Ident]) {
        if names.is_empty() {
            return;
        }
        self.w("<");
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            self.comments_before(n.span.start as usize);
            self.ident(n);
        }
        self.w(">");
    }

    /// `(a: T, b: U = d)`; the `(` is the first after `from`.
    pub fn params(&mut self, params: &[Param], from: usize) {
        let close = self
            .find(from, &Token::LParen)
            .and_then(|open| self.close_of(open.start as usize))
            .map_or(0, |end| end - 1);
        self.w("(");
        for (i, p) in params.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            self.comments_before(p.span.start as usize);
            self.ident(&p.name);
            self.w(": ");
            self.ty(&p.ty);
            if let Some(d) = &p.default {
                self.w(" = ");
                self.expr(d);
            }
        }
        self.comments_before(close);
        self.w(")");
    }

    fn type_list(&mut self, types: &[TypeExpr]) {
        for (i, t) in types.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            self.ty(t);
        }
    }

    /// A type; collections are written with brackets (`List[T]`).
    pub fn ty(&mut self, t: &TypeExpr) {
        self.comments_before(t.span.start as usize);
        match &t.kind {
            TypeExprKind::Named { path, args } => {
                self.path(path);
                if !args.is_empty() {
                    self.w("<");
                    self.type_list(args);
                    self.w(">");
                }
            }
            TypeExprKind::List(e) => {
                self.w("List[");
                self.ty(e);
                self.w("]");
            }
            TypeExprKind::Set(e) => {
                self.w("Set[");
                self.ty(e);
                self.w("]");
            }
            TypeExprKind::Dict(k, v) => {
                self.w("Dict[");
                self.ty(k);
                self.w(", ");
                self.ty(v);
                self.w("]");
            }
            TypeExprKind::Fn { params, ret } => {
                self.w("Fn(");
                self.type_list(params);
                self.w(")");
                if let Some(r) = ret {
                    self.w(" -> ");
                    self.ty(r);
                }
            }
            TypeExprKind::Unit => self.w("()"),
            TypeExprKind::Error => {
                let text = self.text(t.span);
                self.w(text);
            }
        }
    }
}
