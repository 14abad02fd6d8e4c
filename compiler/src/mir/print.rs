//! The text form of MIR (`--emit=mir`): one statement per line, nesting
//! by indentation, locals as `name_N` (`N` its index), instances as
//! `name<T1, T2>` (lifted bodies are named after their owner by the
//! checker: `main.closure0`), a closure's or spawn body's captures in
//! brackets after its name. Stable: the optimisation passes' golden tests
//! compare it before and after.

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
    depth: usize,
    f: Option<&'a Function>,
}

impl<'a> Printer<'a> {
    fn inst(&self, id: InstId) -> String {
        let f = self.program.function(id);
        let base = f.name.clone();
        if f.type_args.is_empty() {
            return base;
        }
        let args: Vec<String> = f.type_args.iter().map(|t| self.hir.show(t)).collect();
        format!("{base}<{}>", args.join(", "))
    }

    fn local(&self, l: LocalId) -> String {
        match self.f.and_then(|f| f.locals.get(l.0 as usize)) {
            Some(local) => format!("{}_{}", local.name.trim_start_matches('$'), l.0),
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

    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
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
            "{keyword} {}{captures}({}){ret} {{",
            self.inst(id),
            params.join(", ")
        );
        self.line(&head);
        self.block_body(&f.body);
        self.line("}");
    }

    /// The statements and tail of a block, one level deeper.
    fn block_body(&mut self, b: &Block) {
        self.depth += 1;
        for s in &b.stmts {
            self.stmt(s);
        }
        if let Some(t) = &b.tail {
            let text = self.expr(t);
            self.line(&text);
        }
        self.depth -= 1;
    }

    /// `{`, the block's lines, and the closing brace at the current depth
    /// (returned, for the caller to finish its line with).
    fn braced(&mut self, head: &str, b: &Block) -> String {
        self.line(&format!("{head} {{"));
        self.block_body(b);
        "}".into()
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
                let v = self.expr(value);
                self.line(&format!("let {m}{}: {ty} = {v}", self.local(*local)));
            }
            Stmt::Expr(e) => {
                let t = self.expr(e);
                self.line(&t);
            }
            Stmt::Return(e, _) => {
                let t = match e {
                    Some(e) => format!("return {}", self.expr(e)),
                    None => "return".into(),
                };
                self.line(&t);
            }
            Stmt::While { cond, body } => {
                let head = format!("while {}", self.expr(cond));
                let end = self.braced(&head, body);
                self.line(&end);
            }
            Stmt::ForRange {
                var,
                start,
                end,
                inclusive,
                body,
            } => {
                let dots = if *inclusive { "..=" } else { ".." };
                let head = format!(
                    "for {} in {}{dots}{}",
                    self.local(*var),
                    self.expr(start),
                    self.expr(end)
                );
                let end = self.braced(&head, body);
                self.line(&end);
            }
            Stmt::ForList { var, list, body } => {
                let head = format!("for {} in {}", self.local(*var), self.expr(list));
                let end = self.braced(&head, body);
                self.line(&end);
            }
            Stmt::ForChannel { var, chan, body } => {
                let head = format!("for {} in channel {}", self.local(*var), self.expr(chan));
                let end = self.braced(&head, body);
                self.line(&end);
            }
            Stmt::Break => self.line("break"),
            Stmt::Continue => self.line("continue"),
            Stmt::Poll => self.line("poll"),
            Stmt::Concurrent {
                scope,
                deadline,
                body,
            } => {
                let mut head = format!("concurrent {}", self.local(*scope));
                if let Some(d) = deadline {
                    head = format!("{head} deadline {}", self.expr(d));
                }
                let end = self.braced(&head, body);
                self.line(&end);
            }
            Stmt::Select { arms, .. } => {
                self.line("select {");
                self.depth += 1;
                for a in arms {
                    let head = match &a.kind {
                        SelectArmKind::Recv { local, chan } => {
                            format!("{} = recv {} =>", self.local(*local), self.expr(chan))
                        }
                        SelectArmKind::Send {
                            chan, value, local, ..
                        } => {
                            let bound = local.map(|l| format!("{} = ", self.local(l)));
                            format!(
                                "{}send {} <- {} =>",
                                bound.unwrap_or_default(),
                                self.expr(chan),
                                self.expr(value)
                            )
                        }
                        SelectArmKind::After { millis } => {
                            format!("after {} =>", self.expr(millis))
                        }
                        SelectArmKind::Default => "default =>".into(),
                    };
                    let end = self.braced(&head, &a.body);
                    self.line(&end);
                }
                self.depth -= 1;
                self.line("}");
            }
        }
    }

    /// An expression as text; constructs holding blocks write their first
    /// lines out and return the closing line's start.
    fn expr(&mut self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Int(v) => v.to_string(),
            ExprKind::Float(v) => format!("{v:?}"),
            ExprKind::Bool(v) => v.to_string(),
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Unit => "()".into(),
            ExprKind::Unreachable => "unreachable".into(),
            ExprKind::Local(l) => self.local(*l),
            ExprKind::Call { func, args } => {
                format!("{}({})", self.inst(*func), self.args(args))
            }
            ExprKind::VirtualCall { slot, args, .. } => {
                format!("virtual[{slot}]({})", self.args(args))
            }
            ExprKind::Builtin { op, args } => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        Some(a) => self.expr(a),
                        None => "_".into(),
                    })
                    .collect();
                format!("@{op:?}({})", args.join(", "))
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let l = self.operand(lhs);
                let r = self.operand(rhs);
                format!("{l} {} {r}", op.symbol())
            }
            ExprKind::Unary { op, operand } => {
                let o = self.operand(operand);
                match op {
                    UnOp::Neg => format!("-{o}"),
                    UnOp::Not => format!("not {o}"),
                }
            }
            ExprKind::Assign { local, value } => {
                format!("{} = {}", self.local(*local), self.expr(value))
            }
            ExprKind::AssignField {
                object,
                index,
                value,
            } => {
                let field = self.field_name(&object.ty, *index);
                format!("{}.{field} = {}", self.operand(object), self.expr(value))
            }
            ExprKind::Cast { value } => format!("{} as {}", self.operand(value), self.ty(&e.ty)),
            ExprKind::Interp(parts) => format!("interp({})", self.list(parts)),
            ExprKind::Block(b) => self.braced("", b),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let head = format!("if {}", self.expr(cond));
                let end = self.braced(&head, then);
                match otherwise {
                    Some(b) => self.braced(&format!("{end} else"), b),
                    None => end,
                }
            }
            ExprKind::NewObject { fields } => {
                let parts: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("{}: {}", self.field_name(&e.ty, i as u32), self.expr(f)))
                    .collect();
                format!("new {}({})", self.ty(&e.ty), parts.join(", "))
            }
            ExprKind::AllocObject => format!("alloc {}", self.ty(&e.ty)),
            ExprKind::Field { object, index } => {
                format!(
                    "{}.{}",
                    self.operand(object),
                    self.field_name(&object.ty, *index)
                )
            }
            ExprKind::Variant { tag, fields } => {
                let name = self.variant_name(&e.ty, *tag);
                if fields.is_empty() {
                    name
                } else {
                    format!("{name}({})", self.list(fields))
                }
            }
            ExprKind::Closure { func, captures } => {
                format!("closure {}[{}]", self.inst(*func), self.locals(captures))
            }
            ExprKind::FnRef(func) => format!("fnref {}", self.inst(*func)),
            ExprKind::CallValue { callee, args } => {
                format!("{}({})", self.operand(callee), self.list(args))
            }
            ExprKind::Spawn {
                func,
                captures,
                scope,
            } => format!(
                "spawn {}[{}] in {}",
                self.inst(*func),
                self.locals(captures),
                self.local(*scope)
            ),
            ExprKind::ThreadSpawn { func, captures } => {
                format!(
                    "thread_spawn {}[{}]",
                    self.inst(*func),
                    self.locals(captures)
                )
            }
            ExprKind::Race { scope, spawns } => {
                format!("race {} [{}]", self.local(*scope), self.list(spawns))
            }
            ExprKind::Retype(inner) => format!("retype({})", self.expr(inner)),
            ExprKind::Match { scrutinee, arms } => {
                let head = format!("match {} {{", self.expr(scrutinee));
                self.line(&head);
                self.depth += 1;
                for a in arms {
                    let pat = self.pattern(&a.pattern, &scrutinee.ty);
                    let body = self.expr(&a.body);
                    self.line(&format!("{pat} => {body}"));
                }
                self.depth -= 1;
                "}".into()
            }
            ExprKind::Try(inner) => format!("{}?", self.operand(inner)),
            ExprKind::Index { list, index } => {
                format!("{}[{}]", self.operand(list), self.expr(index))
            }
            ExprKind::List(items) => format!("[{}]", self.list(items)),
            ExprKind::Set(items) => format!("set{{{}}}", self.list(items)),
            ExprKind::Dict(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", self.expr(k), self.expr(v)))
                    .collect();
                format!("dict{{{}}}", parts.join(", "))
            }
        }
    }

    /// An operand: parenthesised unless atomic.
    fn operand(&mut self, e: &Expr) -> String {
        let text = self.expr(e);
        match e.kind {
            ExprKind::Binary { .. }
            | ExprKind::Unary { .. }
            | ExprKind::Cast { .. }
            | ExprKind::Assign { .. }
            | ExprKind::AssignField { .. } => format!("({text})"),
            _ => text,
        }
    }

    fn list(&mut self, es: &[Expr]) -> String {
        es.iter()
            .map(|e| self.expr(e))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Call arguments in evaluation order; `#slot: ` before each when the
    /// order differs from the parameters'.
    fn args(&mut self, args: &[(usize, Expr)]) -> String {
        let in_order = args.iter().enumerate().all(|(i, (s, _))| i == *s);
        args.iter()
            .map(|(s, a)| {
                let v = self.expr(a);
                if in_order {
                    v
                } else {
                    format!("#{s}: {v}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
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

    fn pattern(&mut self, p: &Pattern, ty: &Ty) -> String {
        match p {
            Pattern::Wildcard => "_".into(),
            Pattern::Binding(l) => self.local(*l),
            Pattern::Literal(e) => self.expr(e),
            Pattern::Variant { tag, fields } => {
                let name = self.variant_name(ty, *tag);
                if fields.is_empty() {
                    return name;
                }
                let field_tys: Vec<Ty> = match ty {
                    Ty::Adt(id, args) => {
                        let adt = self.hir.adt(*id);
                        match &adt.kind {
                            AdtKind::Enum { variants } => variants
                                .get(*tag as usize)
                                .map(|v| {
                                    v.fields
                                        .iter()
                                        .map(|f| hir::subst_params(f, &adt.generics, args))
                                        .collect()
                                })
                                .unwrap_or_default(),
                            _ => Vec::new(),
                        }
                    }
                    _ => Vec::new(),
                };
                let parts: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let t = field_tys.get(i).cloned().unwrap_or(Ty::Unit);
                        self.pattern(f, &t)
                    })
                    .collect();
                format!("{name}({})", parts.join(", "))
            }
        }
    }
}
