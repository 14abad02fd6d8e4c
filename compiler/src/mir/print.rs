//! The text form of MIR (`--emit=mir`): one statement per line, nesting
//! by indentation, locals as `name_N` (`N` its index), instances as
//! `name<T1, T2>` (lifted bodies are named after their owner by the
//! checker: `main.closure0`), a closure's or spawn body's captures in
//! brackets after its name. Stable: the optimisation passes' golden tests
//! compare it before and after.
//!
//! The printer appends to the current line (`cur`); a construct holding
//! blocks ends the line at its `{`, prints the block's lines one level
//! deeper and continues the line after its `}`, so text before and after
//! it (`let x: T = if c {` ... `} else {` ... `}`) stays in order.

use std::fmt::Write as _;

use super::*;
use crate::hir::AdtKind;

/// The whole program: the entry, the vtables, then every instance in
/// lowering order.
pub fn print(program: &Program, hir: &hir::Program) -> String {
    let mut p = Printer {
        program,
        hir,
        out: String::new(),
        cur: String::new(),
        depth: 0,
        f: None,
    };
    if let Some(main) = program.main {
        let _ = writeln!(p.out, "entry {}", p.inst(main));
    }
    let mut vtables: Vec<String> = program
        .vtables
        .iter()
        .filter(|(_, slots)| !slots.is_empty())
        .map(|(ty, slots)| {
            let slots: Vec<String> = slots.iter().map(|s| p.inst(*s)).collect();
            format!("vtable {} = [{}]", hir.show(ty), slots.join(", "))
        })
        .collect();
    vtables.sort();
    for v in vtables {
        let _ = writeln!(p.out, "{v}");
    }
    for id in program.ids() {
        p.out.push('\n');
        p.function(program.function(id), id);
    }
    p.out
}

struct Printer<'a> {
    program: &'a Program,
    hir: &'a hir::Program,
    out: String,
    /// The line being written, without its indentation.
    cur: String,
    depth: usize,
    f: Option<&'a Function>,
}

impl<'a> Printer<'a> {
    fn inst(&self, id: InstId) -> String {
        let f = self.program.function(id);
        if f.type_args.is_empty() {
            return f.name.clone();
        }
        let args: Vec<String> = f.type_args.iter().map(|t| self.hir.show(t)).collect();
        format!("{}<{}>", f.name, args.join(", "))
    }

    fn local(&self, l: LocalId) -> String {
        match self.f.and_then(|f| f.locals.get(l.0 as usize)) {
            Some(local) => {
                // Checker-made locals are named `$scope`, `$race`, `$5`.
                let name = local.name.trim_start_matches('$');
                match name.chars().next() {
                    Some(c) if !c.is_ascii_digit() => format!("{name}_{}", l.0),
                    _ => format!("tmp_{}", l.0),
                }
            }
            None => format!("?_{}", l.0),
        }
    }

    fn locals(&self, ls: &[LocalId]) -> String {
        ls.iter()
            .map(|l| self.local(*l))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn ty(&self, t: &Ty) -> String {
        self.hir.show(t)
    }

    fn put(&mut self, text: &str) {
        self.cur.push_str(text);
    }

    /// Ends the current line.
    fn end_line(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
        self.out.push_str(self.cur.trim_end());
        self.out.push('\n');
        self.cur.clear();
    }

    fn function(&mut self, f: &'a Function, id: InstId) {
        self.f = Some(f);
        let params: Vec<String> = f
            .params
            .iter()
            .map(|p| format!("{}: {}", self.local(*p), self.ty(&f.local(*p).ty)))
            .collect();
        let captures = if f.kind == FnKind::Plain {
            String::new()
        } else {
            format!("[{}]", self.locals(&f.captures))
        };
        let ret = if f.ret == Ty::Unit {
            String::new()
        } else {
            format!(" -> {}", self.ty(&f.ret))
        };
        let keyword = match f.kind {
            FnKind::Plain if f.is_init => "init fn",
            FnKind::Plain => "fn",
            FnKind::Closure => "closure fn",
            FnKind::Spawn => "spawn fn",
        };
        let head = format!(
            "{keyword} {}{captures}({}){ret} ",
            self.inst(id),
            params.join(", ")
        );
        self.put(&head);
        self.braced(&f.body);
        self.end_line();
    }

    /// `{`, the block's lines one level deeper, `}` (the line continues
    /// after it).
    fn braced(&mut self, b: &Block) {
        self.put("{");
        self.end_line();
        self.depth += 1;
        for s in &b.stmts {
            self.stmt(s);
        }
        if let Some(t) = &b.tail {
            self.expr(t);
            self.end_line();
        }
        self.depth -= 1;
        self.put("}");
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Let { local, value } => {
                let l = self.f.map(|f| f.local(*local));
                let m = if l.is_some_and(|l| l.mutable) {
                    "mut "
                } else {
                    ""
                };
                let ty = l.map(|l| self.ty(&l.ty)).unwrap_or_default();
                let head = format!("let {m}{}: {ty} = ", self.local(*local));
                self.put(&head);
                self.expr(value);
            }
            Stmt::Expr(e) => self.expr(e),
            Stmt::Return(e, _) => {
                self.put("return");
                if let Some(e) = e {
                    self.put(" ");
                    self.expr(e);
                }
            }
            Stmt::While { cond, body } => {
                self.put("while ");
                self.expr(cond);
                self.put(" ");
                self.braced(body);
            }
            Stmt::ForRange {
                var,
                start,
                end,
                inclusive,
                body,
            } => {
                let head = format!("for {} in ", self.local(*var));
                self.put(&head);
                self.expr(start);
                self.put(if *inclusive { "..=" } else { ".." });
                self.expr(end);
                self.put(" ");
                self.braced(body);
            }
            Stmt::ForList { var, list, body } => {
                let head = format!("for {} in ", self.local(*var));
                self.put(&head);
                self.expr(list);
                self.put(" ");
                self.braced(body);
            }
            Stmt::ForChannel { var, chan, body } => {
                let head = format!("for {} in channel ", self.local(*var));
                self.put(&head);
                self.expr(chan);
                self.put(" ");
                self.braced(body);
            }
            Stmt::Break => self.put("break"),
            Stmt::Continue => self.put("continue"),
            Stmt::Poll => self.put("poll"),
            Stmt::ListViews { lists, looped } => {
                let head = format!("views {} {{", self.locals(lists));
                self.put(&head);
                self.end_line();
                self.depth += 1;
                self.stmt(looped);
                self.depth -= 1;
                self.put("}");
            }
            Stmt::Concurrent {
                scope,
                deadline,
                body,
            } => {
                let head = format!("concurrent {}", self.local(*scope));
                self.put(&head);
                if let Some(d) = deadline {
                    self.put(" deadline ");
                    self.expr(d);
                }
                self.put(" ");
                self.braced(body);
            }
            Stmt::Select { arms, .. } => {
                self.put("select {");
                self.end_line();
                self.depth += 1;
                for a in arms {
                    self.select_arm(a);
                    self.end_line();
                }
                self.depth -= 1;
                self.put("}");
            }
        }
        self.end_line();
    }

    fn select_arm(&mut self, a: &SelectArm) {
        match &a.kind {
            SelectArmKind::Recv { local, chan } => {
                let head = format!("{} = recv ", self.local(*local));
                self.put(&head);
                self.expr(chan);
            }
            SelectArmKind::Send {
                chan, value, local, ..
            } => {
                if let Some(l) = local {
                    let bound = format!("{} = ", self.local(*l));
                    self.put(&bound);
                }
                self.put("send ");
                self.expr(chan);
                self.put(" <- ");
                self.expr(value);
            }
            SelectArmKind::After { millis } => {
                self.put("after ");
                self.expr(millis);
            }
            SelectArmKind::Default => self.put("default"),
        }
        self.put(" => ");
        self.braced(&a.body);
    }

    /// Appends an expression.
    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Int(v) => self.put(&v.to_string()),
            ExprKind::Float(v) => self.put(&format!("{v:?}")),
            ExprKind::Bool(v) => self.put(&v.to_string()),
            ExprKind::Str(s) => self.put(&format!("{s:?}")),
            ExprKind::Unit => self.put("()"),
            ExprKind::Unreachable => self.put("unreachable"),
            ExprKind::Local(l) => {
                let l = self.local(*l);
                self.put(&l);
            }
            ExprKind::Call { func, args } => {
                let name = self.inst(*func);
                self.put(&name);
                self.args(args);
            }
            ExprKind::VirtualCall { slot, args, .. } => {
                self.put(&format!("virtual[{slot}]"));
                self.args(args);
            }
            ExprKind::Builtin { op, args } => {
                self.put(&format!("@{op:?}("));
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        self.put(", ");
                    }
                    match a {
                        Some(a) => self.expr(a),
                        None => self.put("_"),
                    }
                }
                self.put(")");
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.operand(lhs);
                self.put(&format!(" {} ", op.symbol()));
                self.operand(rhs);
            }
            ExprKind::Unary { op, operand } => {
                self.put(match op {
                    UnOp::Neg => "-",
                    UnOp::Not => "not ",
                });
                self.operand(operand);
            }
            ExprKind::Assign { local, value } => {
                let l = self.local(*local);
                self.put(&format!("{l} = "));
                self.expr(value);
            }
            ExprKind::AssignField {
                object,
                index,
                value,
            } => {
                self.operand(object);
                let field = self.field_name(&object.ty, *index);
                self.put(&format!(".{field} = "));
                self.expr(value);
            }
            ExprKind::Cast { value } => {
                self.operand(value);
                let t = self.ty(&e.ty);
                self.put(&format!(" as {t}"));
            }
            ExprKind::Interp(parts) => {
                self.put("interp(");
                self.list(parts);
                self.put(")");
            }
            ExprKind::Block(b) => self.braced(b),
            ExprKind::Inlined { func, body } => {
                let head = format!("inlined {} ", self.inst(*func));
                self.put(&head);
                self.braced(body);
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.put("if ");
                self.expr(cond);
                self.put(" ");
                self.braced(then);
                if let Some(b) = otherwise {
                    self.put(" else ");
                    self.braced(b);
                }
            }
            ExprKind::NewObject { fields } => {
                let t = self.ty(&e.ty);
                self.put(&format!("new {t}("));
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        self.put(", ");
                    }
                    let name = self.field_name(&e.ty, i as u32);
                    self.put(&format!("{name}: "));
                    self.expr(f);
                }
                self.put(")");
            }
            ExprKind::AllocObject => {
                let t = self.ty(&e.ty);
                self.put(&format!("alloc {t}"));
            }
            ExprKind::Field { object, index } => {
                self.operand(object);
                let field = self.field_name(&object.ty, *index);
                self.put(&format!(".{field}"));
            }
            ExprKind::Variant { tag, fields } => {
                let name = self.variant_name(&e.ty, *tag);
                self.put(&name);
                if !fields.is_empty() {
                    self.put("(");
                    self.list(fields);
                    self.put(")");
                }
            }
            ExprKind::Closure { func, captures } => {
                let text = format!("closure {}[{}]", self.inst(*func), self.locals(captures));
                self.put(&text);
            }
            ExprKind::FnRef(func) => {
                let text = format!("fnref {}", self.inst(*func));
                self.put(&text);
            }
            ExprKind::CallValue { callee, args } => {
                self.operand(callee);
                self.put("(");
                self.list(args);
                self.put(")");
            }
            ExprKind::Spawn {
                func,
                captures,
                scope,
            } => {
                let text = format!(
                    "spawn {}[{}] in {}",
                    self.inst(*func),
                    self.locals(captures),
                    self.local(*scope)
                );
                self.put(&text);
            }
            ExprKind::ThreadSpawn { func, captures } => {
                let text = format!(
                    "thread_spawn {}[{}]",
                    self.inst(*func),
                    self.locals(captures)
                );
                self.put(&text);
            }
            ExprKind::Race { scope, spawns } => {
                let text = format!("race {} [", self.local(*scope));
                self.put(&text);
                self.list(spawns);
                self.put("]");
            }
            ExprKind::Retype(inner) => {
                self.put("retype(");
                self.expr(inner);
                self.put(")");
            }
            ExprKind::Match { scrutinee, arms } => {
                self.put("match ");
                self.expr(scrutinee);
                self.put(" {");
                self.end_line();
                self.depth += 1;
                for a in arms {
                    self.pattern(&a.pattern, &scrutinee.ty);
                    self.put(" => ");
                    self.expr(&a.body);
                    self.end_line();
                }
                self.depth -= 1;
                self.put("}");
            }
            ExprKind::Try(inner) => {
                self.operand(inner);
                self.put("?");
            }
            ExprKind::Index { list, index } => {
                self.operand(list);
                self.put("[");
                self.expr(index);
                self.put("]");
            }
            ExprKind::ListElem { list, index, check } => {
                self.operand(list);
                self.put("[");
                self.expr(index);
                match check {
                    ElemCheck::Panic { message: None } => self.put("]!"),
                    ElemCheck::Panic { message: Some(m) } => {
                        self.put("]!(");
                        self.expr(m);
                        self.put(")");
                    }
                    ElemCheck::NonNegative { message: None } => self.put("]!sign"),
                    ElemCheck::NonNegative { message: Some(m) } => {
                        self.put("]!sign(");
                        self.expr(m);
                        self.put(")");
                    }
                    ElemCheck::InRange => self.put("]!in_range"),
                }
            }
            ExprKind::ListStore {
                list,
                index,
                value,
                check,
            } => {
                self.operand(list);
                self.put("[");
                self.expr(index);
                self.put(match check {
                    StoreCheck::NonNegative => "]!sign = ",
                    StoreCheck::InRange => "]!in_range = ",
                });
                self.expr(value);
            }
            ExprKind::List(items) => {
                self.put("[");
                self.list(items);
                self.put("]");
            }
            ExprKind::Set(items) => {
                self.put("set{");
                self.list(items);
                self.put("}");
            }
            ExprKind::Dict(entries) => {
                self.put("dict{");
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.put(", ");
                    }
                    self.expr(k);
                    self.put(": ");
                    self.expr(v);
                }
                self.put("}");
            }
        }
    }

    /// An operand: parenthesised unless atomic.
    fn operand(&mut self, e: &Expr) {
        let wrap = matches!(
            e.kind,
            ExprKind::Binary { .. }
                | ExprKind::Unary { .. }
                | ExprKind::Cast { .. }
                | ExprKind::Assign { .. }
                | ExprKind::AssignField { .. }
        );
        if wrap {
            self.put("(");
        }
        self.expr(e);
        if wrap {
            self.put(")");
        }
    }

    fn list(&mut self, es: &[Expr]) {
        for (i, e) in es.iter().enumerate() {
            if i > 0 {
                self.put(", ");
            }
            self.expr(e);
        }
    }

    /// Call arguments in evaluation order; `#slot: ` before each when the
    /// order differs from the parameters'.
    fn args(&mut self, args: &[(usize, Expr)]) {
        let in_order = args.iter().enumerate().all(|(i, (s, _))| i == *s);
        self.put("(");
        for (i, (s, a)) in args.iter().enumerate() {
            if i > 0 {
                self.put(", ");
            }
            if !in_order {
                self.put(&format!("#{s}: "));
            }
            self.expr(a);
        }
        self.put(")");
    }

    fn field_name(&self, ty: &Ty, index: u32) -> String {
        match ty {
            Ty::Adt(id, args) => self
                .hir
                .class_fields(*id, args)
                .get(index as usize)
                .map_or_else(|| index.to_string(), |(n, _)| n.clone()),
            _ => index.to_string(),
        }
    }

    fn variant_name(&self, ty: &Ty, tag: u32) -> String {
        if let Ty::Adt(id, _) = ty {
            let adt = self.hir.adt(*id);
            if let AdtKind::Enum { variants } = &adt.kind {
                if let Some(v) = variants.get(tag as usize) {
                    return format!("{}::{}", adt.name, v.name);
                }
            }
        }
        format!("variant#{tag}")
    }

    /// The payload types of variant `tag` of enum type `ty`.
    fn payload_types(&self, ty: &Ty, tag: u32) -> Vec<Ty> {
        let Ty::Adt(id, args) = ty else {
            return Vec::new();
        };
        let adt = self.hir.adt(*id);
        let AdtKind::Enum { variants } = &adt.kind else {
            return Vec::new();
        };
        variants
            .get(tag as usize)
            .map(|v| {
                v.fields
                    .iter()
                    .map(|f| hir::subst_params(f, &adt.generics, args))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn pattern(&mut self, p: &Pattern, ty: &Ty) {
        match p {
            Pattern::Wildcard => self.put("_"),
            Pattern::Binding(l) => {
                let l = self.local(*l);
                self.put(&l);
            }
            Pattern::Literal(e) => self.expr(e),
            Pattern::Variant { tag, fields } => {
                let name = self.variant_name(ty, *tag);
                self.put(&name);
                if fields.is_empty() {
                    return;
                }
                let tys = self.payload_types(ty, *tag);
                self.put("(");
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        self.put(", ");
                    }
                    let t = tys.get(i).cloned().unwrap_or(Ty::Unit);
                    self.pattern(f, &t);
                }
                self.put(")");
            }
        }
    }
}
