//! The HIR dump (`--emit=hir`): the checked program. Functions are
//! `name#id`, locals `name%id` (each function lists its locals with their
//! types), and every compound expression ends with its type: `(+ a b :
//! Int32)`. A type whose text is longer than [`SHORT_TYPE`] characters is
//! printed once, in the `types` table at the end, and written `#tN`
//! elsewhere; its entry refers to the long types inside it the same way.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::Writer;
use crate::hir::*;

/// Types up to this many characters are printed where they are used.
const SHORT_TYPE: usize = 40;

/// The dump of a checked program.
pub fn program(p: &Program) -> String {
    let mut d = Dumper {
        p,
        w: Writer::default(),
        types: Types::default(),
    };
    d.w.open("program");
    match &p.entry {
        crate::hir::Entry::Main(main) => {
            d.w.open_line("main");
            d.w.atom(fn_name(p, *main));
            d.w.close();
        }
        crate::hir::Entry::Tests(cases) | crate::hir::Entry::Benches(cases) => {
            for c in cases {
                d.w.open_line("case");
                d.w.atom(format!("{}::{}", c.block, c.name));
                d.w.close();
            }
        }
    }
    for (i, adt) in p.adts.iter().enumerate() {
        d.adt(AdtId(i as u32), adt);
    }
    for (i, f) in p.functions.iter().enumerate() {
        d.function(FnId(i as u32), f);
    }
    d.w.close();
    let table = std::mem::take(&mut d.types.table);
    if !table.is_empty() {
        d.w.open_line("types");
        for (i, text) in table.iter().enumerate() {
            d.w.open_line(&format!("#t{i}"));
            d.w.atom(text);
            d.w.close();
        }
        d.w.close();
    }
    d.w.finish()
}

fn fn_name(p: &Program, id: FnId) -> String {
    format!("{}#{}", p.function(id).name, id.0)
}

/// Long types, numbered in order of first use.
#[derive(Default)]
struct Types {
    ids: HashMap<Ty, usize>,
    table: Vec<String>,
}

/// A `fmt::Write` that fails once more than `SHORT_TYPE` characters are
/// written, so a long type's text is never built in full.
struct Bounded(String);

impl std::fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.0.len() + s.len() > SHORT_TYPE {
            return Err(std::fmt::Error);
        }
        self.0.push_str(s);
        Ok(())
    }
}

impl Types {
    /// `ty` as printed: its text when short, else `#tN`.
    fn show(&mut self, p: &Program, ty: &Ty) -> String {
        let mut short = Bounded(String::new());
        if write!(short, "{}", Display { ty, names: p }).is_ok() {
            return short.0;
        }
        if let Some(id) = self.ids.get(ty) {
            return format!("#t{id}");
        }
        let entry = self.entry(p, ty);
        let id = self.table.len();
        self.table.push(entry);
        self.ids.insert(ty.clone(), id);
        format!("#t{id}")
    }

    /// A long type's table entry: its outer constructor, with the types
    /// inside it shown by [`Types::show`].
    fn entry(&mut self, p: &Program, ty: &Ty) -> String {
        let mut list = |ts: &[Ty]| {
            ts.iter()
                .map(|t| self.show(p, t))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match ty {
            Ty::List(t) => format!("List[{}]", list(std::slice::from_ref(t))),
            Ty::Set(t) => format!("Set[{}]", list(std::slice::from_ref(t))),
            Ty::Task(t) => format!("Task<{}>", list(std::slice::from_ref(t))),
            Ty::Thread(t) => format!("Thread<{}>", list(std::slice::from_ref(t))),
            Ty::Channel(t) => format!("Channel<{}>", list(std::slice::from_ref(t))),
            Ty::Atomic(t) => format!("Atomic<{}>", list(std::slice::from_ref(t))),
            Ty::Sync(k) => k.name().to_owned(),
            Ty::Dict(k, v) => format!("Dict[{}]", list(&[(**k).clone(), (**v).clone()])),
            Ty::Fn(ps, r) => {
                let ps = list(ps);
                format!("Fn({ps}) -> {}", self.show(p, r))
            }
            Ty::Adt(id, args) => format!("{}<{}>", p.adt(*id).name, list(args)),
            // Only compound types can be long.
            other => Display {
                ty: other,
                names: p,
            }
            .to_string(),
        }
    }
}

struct Dumper<'p> {
    p: &'p Program,
    w: Writer,
    types: Types,
}

impl Dumper<'_> {
    fn ty(&mut self, ty: &Ty) -> String {
        self.types.show(self.p, ty)
    }

    /// ` : T)`: the type of a compound expression, and its closing.
    fn close_typed(&mut self, ty: &Ty) {
        let shown = self.ty(ty);
        self.w.atom(":");
        self.w.atom(shown);
        self.w.close();
    }

    fn adt(&mut self, id: AdtId, adt: &AdtDef) {
        let head = match adt.kind {
            AdtKind::Class { .. } => "class",
            AdtKind::Enum { .. } => "enum",
            AdtKind::Newtype { .. } => "newtype",
        };
        self.w.open_line(head);
        self.w.atom(format!("{}#{}", adt.name, id.0));
        for g in &adt.generics {
            let name = self.p.params[g.0 as usize].clone();
            self.w.atom(name);
        }
        match &adt.kind {
            AdtKind::Class {
                parent,
                fields,
                vtable,
            } => {
                if let Some(parent) = parent {
                    let shown = self.ty(parent);
                    self.w.atom(":");
                    self.w.atom(shown);
                }
                for f in fields {
                    self.w.open_line("field");
                    self.w.atom(&f.name);
                    let shown = self.ty(&f.ty);
                    self.w.atom(shown);
                    if f.mutable {
                        self.w.atom("var");
                    }
                    if f.is_pub {
                        self.w.atom("pub");
                    }
                    self.w.close();
                }
                if !vtable.is_empty() {
                    self.w.open_line("vtable");
                    for entry in vtable {
                        self.w.atom(fn_name(self.p, entry.func));
                    }
                    self.w.close();
                }
            }
            AdtKind::Enum { variants } => {
                for (tag, v) in variants.iter().enumerate() {
                    self.w.open_line("variant");
                    self.w.atom(format!("{}#{tag}", v.name));
                    for t in &v.fields {
                        let shown = self.ty(t);
                        self.w.atom(shown);
                    }
                    self.w.close();
                }
            }
            AdtKind::Newtype { inner } => {
                let shown = self.ty(inner);
                self.w.atom(shown);
            }
        }
        self.w.close();
    }

    fn function(&mut self, id: FnId, f: &Function) {
        self.w.open_line("fn");
        self.w.atom(fn_name(self.p, id));
        self.w.atom(match f.kind {
            FnKind::Plain if f.is_init => "init",
            FnKind::Plain => "plain",
            FnKind::Closure => "closure",
            FnKind::Spawn => "spawn",
        });
        if !f.generics.is_empty() {
            let names: Vec<String> = f
                .generics
                .iter()
                .map(|g| self.p.params[g.0 as usize].clone())
                .collect();
            self.w.atom(format!("<{}>", names.join(", ")));
        }
        self.w.space();
        self.local_list(f, "params", &f.params);
        if !f.captures.is_empty() {
            self.w.space();
            self.local_list(f, "captures", &f.captures);
        }
        self.w.atom("->");
        let ret = self.ty(&f.ret);
        self.w.atom(ret);
        self.w.open_line("locals");
        if f.kind != FnKind::Plain {
            // A lifted body shares the locals of the function it was
            // written in, listed there (printing them again for every
            // closure would make the dump quadratic).
            self.w.atom("shared");
            self.w.close();
            self.w.newline();
            self.block(f, &f.body);
            self.w.close();
            return;
        }
        for (i, local) in f.locals.iter().enumerate() {
            self.w.space();
            self.w.open(&format!("{}%{i}", local.name));
            let shown = self.ty(&local.ty);
            self.w.atom(shown);
            if local.mutable {
                self.w.atom("var");
            }
            self.w.close();
        }
        self.w.close();
        self.w.newline();
        self.block(f, &f.body);
        self.w.close();
    }

    fn local_list(&mut self, f: &Function, head: &str, locals: &[LocalId]) {
        self.w.open(head);
        for l in locals {
            self.w.atom(local_name(f, *l));
        }
        self.w.close();
    }

    fn block(&mut self, f: &Function, b: &Block) {
        self.w.open("block");
        for s in &b.stmts {
            self.stmt(f, s);
        }
        if let Some(tail) = &b.tail {
            self.w.open_line("value");
            self.w.space();
            self.expr(f, tail);
            self.w.close();
        }
        self.close_typed(&b.ty);
    }

    fn stmt(&mut self, f: &Function, s: &Stmt) {
        match s {
            Stmt::Let { local, value } => {
                self.w.open_line("let");
                self.w.atom(local_name(f, *local));
                self.w.space();
                self.expr(f, value);
                self.w.close();
            }
            Stmt::Expr(e) => {
                self.w.newline();
                self.expr(f, e);
            }
            Stmt::Return(value, _) => {
                self.w.open_line("return");
                if let Some(e) = value {
                    self.w.space();
                    self.expr(f, e);
                }
                self.w.close();
            }
            Stmt::While { cond, body } => {
                self.w.open_line("while");
                self.w.space();
                self.expr(f, cond);
                self.w.space();
                self.block(f, body);
                self.w.close();
            }
            Stmt::ForRange {
                var,
                start,
                end,
                inclusive,
                body,
            } => {
                self.w.open_line("for");
                self.w.atom(local_name(f, *var));
                self.w.space();
                self.w.open(if *inclusive { "..=" } else { ".." });
                self.w.space();
                self.expr(f, start);
                self.w.space();
                self.expr(f, end);
                self.w.close();
                self.w.space();
                self.block(f, body);
                self.w.close();
            }
            Stmt::ForList { var, list, body }
            | Stmt::ForChannel {
                var,
                chan: list,
                body,
            } => {
                self.w.open_line("for");
                self.w.atom(local_name(f, *var));
                self.w.space();
                self.expr(f, list);
                self.w.space();
                self.block(f, body);
                self.w.close();
            }
            Stmt::Select { arms, .. } => {
                self.w.open_line("select");
                for arm in arms {
                    match &arm.kind {
                        SelectArmKind::Recv { local, chan } => {
                            self.w.open_line("recv");
                            self.w.atom(local_name(f, *local));
                            self.w.space();
                            self.expr(f, chan);
                        }
                        SelectArmKind::Send { chan, value, .. } => {
                            self.w.open_line("send");
                            self.expr(f, chan);
                            self.w.space();
                            self.expr(f, value);
                        }
                        SelectArmKind::After { millis } => {
                            self.w.open_line("after");
                            self.expr(f, millis);
                        }
                        SelectArmKind::Default => self.w.open_line("default"),
                    }
                    self.w.space();
                    self.block(f, &arm.body);
                    self.w.close();
                }
                self.w.close();
            }
            Stmt::Break => {
                self.w.open_line("break");
                self.w.close();
            }
            Stmt::Continue => {
                self.w.open_line("continue");
                self.w.close();
            }
            Stmt::Concurrent {
                scope,
                deadline,
                body,
            } => {
                self.w.open_line("concurrent");
                self.w.atom(local_name(f, *scope));
                if let Some(d) = deadline {
                    self.w.space();
                    self.w.open("deadline");
                    self.w.space();
                    self.expr(f, d);
                    self.w.close();
                }
                self.w.space();
                self.block(f, body);
                self.w.close();
            }
        }
    }

    /// An expression, inline; the left spine of binary operators is
    /// walked by a loop.
    fn expr(&mut self, f: &Function, e: &Expr) {
        let mut spine = Vec::new();
        let mut leftmost = e;
        while let ExprKind::Binary { op, lhs, rhs } = &leftmost.kind {
            spine.push((*op, &**rhs, &leftmost.ty));
            leftmost = lhs;
        }
        for (op, _, _) in &spine {
            self.w.open(op.symbol());
            self.w.space();
        }
        self.expr_node(f, leftmost);
        for (_, rhs, ty) in spine.iter().rev() {
            self.w.space();
            self.expr(f, rhs);
            self.close_typed(ty);
        }
    }

    fn exprs(&mut self, f: &Function, es: &[Expr]) {
        for e in es {
            self.w.space();
            self.expr(f, e);
        }
    }

    /// `(head children... : T)`
    fn compound(&mut self, f: &Function, head: &str, children: &[&Expr], ty: &Ty) {
        self.w.open(head);
        for c in children {
            self.w.space();
            self.expr(f, c);
        }
        self.close_typed(ty);
    }

    fn bound_args(&mut self, f: &Function, args: &[(usize, Expr)]) {
        for (slot, value) in args {
            self.w.atom(format!("{slot}="));
            self.expr(f, value);
        }
    }

    fn expr_node(&mut self, f: &Function, e: &Expr) {
        let ty = &e.ty;
        match &e.kind {
            ExprKind::Int(i) => self.w.out.push_str(&i.to_string()),
            ExprKind::Float(x) => self.w.out.push_str(&format!("{x:?}")),
            ExprKind::Bool(b) => self.w.out.push_str(if *b { "true" } else { "false" }),
            ExprKind::Str(s) => self.w.out.push_str(&format!("{s:?}")),
            ExprKind::Unit => self.w.out.push_str("()"),
            ExprKind::Local(l) => self.w.out.push_str(&local_name(f, *l)),
            ExprKind::Binary { .. } => self.expr(f, e),
            ExprKind::Call {
                func,
                type_args,
                args,
            }
            | ExprKind::VirtualCall {
                func,
                type_args,
                args,
                ..
            } => {
                let head = match &e.kind {
                    ExprKind::VirtualCall { slot, .. } => format!("vcall[{slot}]"),
                    _ => "call".into(),
                };
                self.w.open(&head);
                self.w.atom(fn_name(self.p, *func));
                if !type_args.is_empty() {
                    let shown: Vec<String> = type_args.iter().map(|t| self.ty(t)).collect();
                    self.w.atom(format!("<{}>", shown.join(", ")));
                }
                self.bound_args(f, args);
                self.close_typed(ty);
            }
            ExprKind::Builtin { op, args } => {
                self.w.open(&format!("{op:?}"));
                for a in args {
                    match a {
                        Some(a) => {
                            self.w.space();
                            self.expr(f, a);
                        }
                        None => self.w.atom("_"),
                    }
                }
                self.close_typed(ty);
            }
            ExprKind::Unary { op, operand } => {
                let head = match op {
                    UnOp::Neg => "-",
                    UnOp::Not => "not",
                };
                self.compound(f, head, &[operand], ty);
            }
            ExprKind::Assign { local, value } => {
                self.w.open("=");
                self.w.atom(local_name(f, *local));
                self.w.space();
                self.expr(f, value);
                self.w.close();
            }
            ExprKind::AssignField {
                object,
                index,
                value,
            } => {
                self.w.open("=field");
                self.w.space();
                self.expr(f, object);
                self.w.atom(format!("#{index}"));
                self.w.space();
                self.expr(f, value);
                self.w.close();
            }
            ExprKind::Cast { value } => self.compound(f, "cast", &[value], ty),
            ExprKind::Interp(parts) => {
                self.w.open("interp");
                self.exprs(f, parts);
                self.w.close();
            }
            ExprKind::Block(b) => self.block(f, b),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.w.open("if");
                self.w.space();
                self.expr(f, cond);
                self.w.space();
                self.block(f, then);
                if let Some(o) = otherwise {
                    self.w.space();
                    self.block(f, o);
                }
                self.close_typed(ty);
            }
            ExprKind::NewObject { fields } => {
                self.w.open("new");
                self.exprs(f, fields);
                self.close_typed(ty);
            }
            ExprKind::AllocObject => {
                self.w.open("alloc");
                self.close_typed(ty);
            }
            ExprKind::Field { object, index } => {
                self.w.open("field");
                self.w.space();
                self.expr(f, object);
                self.w.atom(format!("#{index}"));
                self.close_typed(ty);
            }
            ExprKind::Variant { tag, fields } => {
                let name = self.variant_name(ty, *tag);
                self.w.open(&name);
                self.exprs(f, fields);
                self.close_typed(ty);
            }
            ExprKind::Closure { func, captures } => {
                self.w.open("closure");
                self.w.atom(fn_name(self.p, *func));
                self.w.space();
                self.local_list(f, "captures", captures);
                self.close_typed(ty);
            }
            ExprKind::FnRef(func) => self.w.out.push_str(&fn_name(self.p, *func)),
            ExprKind::CallValue { callee, args } => {
                self.w.open("callv");
                self.w.space();
                self.expr(f, callee);
                self.exprs(f, args);
                self.close_typed(ty);
            }
            ExprKind::Spawn {
                func,
                captures,
                scope,
            } => {
                self.w.open("spawn");
                self.w.atom(fn_name(self.p, *func));
                self.w.atom(local_name(f, *scope));
                self.w.space();
                self.local_list(f, "captures", captures);
                self.close_typed(ty);
            }
            ExprKind::ThreadSpawn { func, captures } => {
                self.w.open("thread-spawn");
                self.w.atom(fn_name(self.p, *func));
                self.w.space();
                self.local_list(f, "captures", captures);
                self.close_typed(ty);
            }
            ExprKind::Race { scope, spawns } => {
                self.w.open("race");
                self.w.atom(local_name(f, *scope));
                for s in spawns {
                    self.w.newline();
                    self.expr(f, s);
                }
                self.close_typed(ty);
            }
            ExprKind::Retype(inner) => self.compound(f, "retype", &[inner], ty),
            ExprKind::Match { scrutinee, arms } => {
                self.w.open("match");
                self.w.space();
                self.expr(f, scrutinee);
                for arm in arms {
                    self.w.open_line("arm");
                    self.w.space();
                    self.pattern(f, &arm.pattern);
                    self.w.space();
                    self.expr(f, &arm.body);
                    self.w.close();
                }
                self.close_typed(ty);
            }
            ExprKind::Try(inner) => self.compound(f, "?", &[inner], ty),
            ExprKind::Index { list, index } => self.compound(f, "index", &[list, index], ty),
            ExprKind::List(items) => {
                self.w.open("list");
                self.exprs(f, items);
                self.close_typed(ty);
            }
            ExprKind::Set(items) => {
                self.w.open("set");
                self.exprs(f, items);
                self.close_typed(ty);
            }
            ExprKind::Dict(entries) => {
                self.w.open("dict");
                for (k, v) in entries {
                    self.w.space();
                    self.w.open("");
                    self.expr(f, k);
                    self.w.space();
                    self.expr(f, v);
                    self.w.close();
                }
                self.close_typed(ty);
            }
            ExprKind::Unreachable => self.w.out.push_str("<unreachable>"),
            ExprKind::Error => self.w.out.push_str("<error>"),
        }
    }

    /// `Some`, `Circle`...: the name of variant `tag` of enum type `ty`.
    fn variant_name(&self, ty: &Ty, tag: u32) -> String {
        if let Ty::Adt(id, _) = ty {
            if let AdtKind::Enum { variants } = &self.p.adt(*id).kind {
                if let Some(v) = variants.get(tag as usize) {
                    return v.name.clone();
                }
            }
        }
        format!("variant#{tag}")
    }

    fn pattern(&mut self, f: &Function, p: &Pattern) {
        match p {
            Pattern::Wildcard => self.w.out.push('_'),
            Pattern::Binding(l) => self.w.out.push_str(&local_name(f, *l)),
            Pattern::Literal(e) => self.expr(f, e),
            Pattern::Variant { tag, fields } => {
                self.w.out.push_str(&format!("#{tag}"));
                if !fields.is_empty() {
                    self.w.out.push('(');
                    for (i, field) in fields.iter().enumerate() {
                        if i > 0 {
                            self.w.out.push_str(", ");
                        }
                        self.pattern(f, field);
                    }
                    self.w.out.push(')');
                }
            }
        }
    }
}

fn local_name(f: &Function, l: LocalId) -> String {
    let name = f.locals.get(l.0 as usize).map_or("?", |x| x.name.as_str());
    format!("{name}%{}", l.0)
}
