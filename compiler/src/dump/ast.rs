//! The AST dump (`--emit=ast`): the tree as parsed, before any checking.
//! Types are printed as written; named arguments as `name=value`.

use super::Writer;
use crate::syntax::ast::*;

/// The dump of a parsed module.
pub fn module(m: &Module) -> String {
    let mut w = Writer::default();
    w.open("module");
    if let Some(path) = &m.mod_decl {
        w.open_line("mod");
        w.atom(path_text(path));
        w.close();
    }
    for path in &m.uses {
        w.open_line("use");
        w.atom(path_text(path));
        w.close();
    }
    for item in &m.items {
        item_node(&mut w, item);
    }
    w.close();
    w.finish()
}

fn path_text(p: &Path) -> String {
    p.segments
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join("::")
}

fn generics_text(names: &[Ident]) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
    Some(format!("<{}>", names.join(", ")))
}

fn item_node(w: &mut Writer, item: &Item) {
    let public = if item.is_pub { "pub " } else { "" };
    match &item.kind {
        ItemKind::Fn(f) => fn_decl(w, f, public),
        ItemKind::Class(c) => {
            w.open_line(&format!("{public}class"));
            w.atom(&c.name.name);
            if let Some(g) = generics_text(&c.generics) {
                w.atom(g);
            }
            if let Some(parent) = &c.parent {
                w.atom(":");
                w.atom(type_text(parent));
            }
            for f in &c.fields {
                w.open_line(if f.is_pub { "pub field" } else { "field" });
                w.atom(if f.mutable { "var" } else { "let" });
                w.atom(&f.name.name);
                w.atom(type_text(&f.ty));
                w.close();
            }
            for m in c.inits.iter().chain(&c.methods) {
                fn_decl(w, m, "");
            }
            w.close();
        }
        ItemKind::Enum(e) => {
            w.open_line(&format!("{public}enum"));
            w.atom(&e.name.name);
            if let Some(g) = generics_text(&e.generics) {
                w.atom(g);
            }
            for v in &e.variants {
                w.open_line("variant");
                w.atom(&v.name.name);
                for t in &v.fields {
                    w.atom(type_text(t));
                }
                w.close();
            }
            for m in &e.methods {
                fn_decl(w, m, "");
            }
            w.close();
        }
        ItemKind::TypeAlias { name, ty } | ItemKind::Newtype { name, ty } => {
            let head = if matches!(item.kind, ItemKind::TypeAlias { .. }) {
                "type"
            } else {
                "newtype"
            };
            w.open_line(&format!("{public}{head}"));
            w.atom(&name.name);
            w.atom(type_text(ty));
            w.close();
        }
        ItemKind::Test { name, fns } | ItemKind::Bench { name, fns } => {
            let head = if matches!(item.kind, ItemKind::Test { .. }) {
                "test"
            } else {
                "bench"
            };
            w.open_line(head);
            w.atom(&name.name);
            for f in fns {
                fn_decl(w, f, "");
            }
            w.close();
        }
    }
}

fn fn_decl(w: &mut Writer, f: &FnDecl, public: &str) {
    let m = &f.modifiers;
    let mut head = String::from(public);
    if m.is_pub && public.is_empty() {
        head.push_str("pub ");
    }
    for (on, word) in [
        (m.is_virtual, "virtual "),
        (m.is_override, "override "),
        (m.is_mut, "mut "),
    ] {
        if on {
            head.push_str(word);
        }
    }
    head.push_str("fn");
    w.open_line(&head);
    w.atom(&f.name.name);
    if let Some(g) = generics_text(&f.generics) {
        w.atom(g);
    }
    params(w, &f.params);
    if let Some(ret) = &f.ret {
        w.atom("->");
        w.atom(type_text(ret));
    }
    w.space();
    block(w, &f.body);
    w.close();
}

fn params(w: &mut Writer, params: &[Param]) {
    w.space();
    w.open("params");
    for p in params {
        w.space();
        w.open(&p.name.name);
        w.atom(type_text(&p.ty));
        if let Some(d) = &p.default {
            w.atom("=");
            w.space();
            expr(w, d);
        }
        w.close();
    }
    w.close();
}

/// A type as it is written.
fn type_text(t: &TypeExpr) -> String {
    let mut out = String::new();
    write_type(&mut out, t);
    out
}

/// Appends a type as it is written (appending keeps deep types linear).
fn write_type(out: &mut String, t: &TypeExpr) {
    let list = |out: &mut String, ts: &[TypeExpr]| {
        for (i, t) in ts.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_type(out, t);
        }
    };
    match &t.kind {
        TypeExprKind::Named { path, args } => {
            out.push_str(&path_text(path));
            if !args.is_empty() {
                out.push('<');
                list(out, args);
                out.push('>');
            }
        }
        TypeExprKind::List(e) | TypeExprKind::Set(e) => {
            out.push_str(if matches!(t.kind, TypeExprKind::List(_)) {
                "List["
            } else {
                "Set["
            });
            write_type(out, e);
            out.push(']');
        }
        TypeExprKind::Dict(k, v) => {
            out.push_str("Dict[");
            write_type(out, k);
            out.push_str(", ");
            write_type(out, v);
            out.push(']');
        }
        TypeExprKind::Fn { params, ret } => {
            out.push_str("Fn(");
            list(out, params);
            out.push_str(") -> ");
            match ret {
                Some(r) => write_type(out, r),
                None => out.push_str("Unit"),
            }
        }
        TypeExprKind::Unit => out.push_str("()"),
        TypeExprKind::Error => out.push_str("<error>"),
    }
}

/// `(block stmt... (value e))`, one statement per line.
fn block(w: &mut Writer, b: &Block) {
    w.open("block");
    for s in &b.stmts {
        stmt(w, s);
    }
    if let Some(tail) = &b.tail {
        w.open_line("value");
        w.space();
        expr(w, tail);
        w.close();
    }
    w.close();
}

fn stmt(w: &mut Writer, s: &Stmt) {
    match &s.kind {
        StmtKind::Let {
            mutable,
            name,
            ty,
            value,
        } => {
            w.open_line(if *mutable { "var" } else { "let" });
            w.atom(&name.name);
            if let Some(t) = ty {
                w.atom(type_text(t));
            }
            w.space();
            expr(w, value);
            w.close();
        }
        StmtKind::Expr(e) => {
            w.newline();
            expr(w, e);
        }
        StmtKind::Return(value) => {
            w.open_line("return");
            if let Some(e) = value {
                w.space();
                expr(w, e);
            }
            w.close();
        }
        StmtKind::While { cond, body } => {
            w.open_line("while");
            w.space();
            expr(w, cond);
            w.space();
            block(w, body);
            w.close();
        }
        StmtKind::For {
            var,
            ty,
            iter,
            body,
        } => {
            w.open_line("for");
            w.atom(&var.name);
            if let Some(t) = ty {
                w.atom(type_text(t));
            }
            w.space();
            expr(w, iter);
            w.space();
            block(w, body);
            w.close();
        }
        StmtKind::Break => {
            w.open_line("break");
            w.close();
        }
        StmtKind::Continue => {
            w.open_line("continue");
            w.close();
        }
        StmtKind::Concurrent { args: a, body } => {
            w.open_line("concurrent");
            args(w, a);
            w.space();
            block(w, body);
            w.close();
        }
        StmtKind::Select(arms) => {
            w.open_line("select");
            for arm in arms {
                select_arm(w, arm);
            }
            w.close();
        }
        StmtKind::Error => {
            w.newline();
            w.out.push_str("<error>");
        }
    }
}

fn select_arm(w: &mut Writer, arm: &SelectArm) {
    match &arm.kind {
        SelectArmKind::Recv { name, ty, channel } => {
            w.open_line("recv");
            w.atom(&name.name);
            if let Some(t) = ty {
                w.atom(type_text(t));
            }
            w.space();
            expr(w, channel);
        }
        SelectArmKind::Send(e) => {
            w.open_line("send");
            w.space();
            expr(w, e);
        }
        SelectArmKind::After(e) => {
            w.open_line("after");
            w.space();
            expr(w, e);
        }
        SelectArmKind::Default => w.open_line("default"),
    }
    w.space();
    block(w, &arm.body);
    w.close();
}

fn args(w: &mut Writer, args: &[Arg]) {
    for a in args {
        w.space();
        if let Some(name) = &a.name {
            w.out.push_str(&name.name);
            w.out.push('=');
        }
        expr(w, &a.value);
    }
}

/// An expression, inline. The left spine of binary operators is walked
/// by a loop: `1 + 2 + 3` prints `(+ (+ 1 2) 3)`.
fn expr(w: &mut Writer, e: &Expr) {
    let mut spine = Vec::new();
    let mut leftmost = e;
    while let ExprKind::Binary { op, lhs, rhs } = &leftmost.kind {
        spine.push((*op, &**rhs));
        leftmost = lhs;
    }
    for (op, _) in &spine {
        w.open(op.symbol());
        w.space();
    }
    expr_node(w, leftmost);
    for (_, rhs) in spine.iter().rev() {
        w.space();
        expr(w, rhs);
        w.close();
    }
}

/// Every expression but a binary operation.
fn expr_node(w: &mut Writer, e: &Expr) {
    match &e.kind {
        ExprKind::Int { value, suffix } => {
            let suffix = suffix.map_or("", |s| match s {
                IntSuffix::I8 => "i8",
                IntSuffix::I16 => "i16",
                IntSuffix::I32 => "i32",
                IntSuffix::I64 => "i64",
            });
            w.out.push_str(&format!("{value}{suffix}"));
        }
        ExprKind::Float { value, suffix } => {
            let suffix = suffix.map_or("", |s| match s {
                FloatSuffix::F8 => "f8",
                FloatSuffix::F16 => "f16",
                FloatSuffix::F32 => "f32",
                FloatSuffix::F64 => "f64",
            });
            w.out.push_str(&format!("{value:?}{suffix}"));
        }
        ExprKind::Str(parts) => match parts.as_slice() {
            [StrPart::Lit(s)] => w.out.push_str(&format!("{s:?}")),
            _ => {
                w.open("str");
                for p in parts {
                    match p {
                        StrPart::Lit(s) => w.atom(format!("{s:?}")),
                        StrPart::Interp(e) => {
                            w.space();
                            expr(w, e);
                        }
                    }
                }
                w.close();
            }
        },
        ExprKind::Bool(b) => w.out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Unit => w.out.push_str("()"),
        ExprKind::Path(p) => w.out.push_str(&path_text(p)),
        ExprKind::SelfValue => w.out.push_str("self"),
        ExprKind::List(items) => list(w, "list", items),
        ExprKind::Set(items) => list(w, "set", items),
        ExprKind::Dict(entries) => {
            w.open("dict");
            for (k, v) in entries {
                w.space();
                w.open("");
                expr(w, k);
                w.space();
                expr(w, v);
                w.close();
            }
            w.close();
        }
        ExprKind::Binary { .. } => expr(w, e),
        ExprKind::Unary { op, operand } => {
            w.open(match op {
                UnOp::Neg => "-",
                UnOp::Not => "not",
            });
            w.space();
            expr(w, operand);
            w.close();
        }
        ExprKind::Assign { target, value } => {
            w.open("=");
            w.space();
            expr(w, target);
            w.space();
            expr(w, value);
            w.close();
        }
        ExprKind::Call { callee, args: a } => {
            w.open("call");
            w.space();
            expr(w, callee);
            args(w, a);
            w.close();
        }
        ExprKind::MethodCall {
            receiver,
            method,
            args: a,
        } => {
            w.open(&format!(".{}", method.name));
            w.space();
            expr(w, receiver);
            args(w, a);
            w.close();
        }
        ExprKind::SuperCall { method, args: a } => {
            w.open(&format!("super.{}", method.name));
            args(w, a);
            w.close();
        }
        ExprKind::Field { object, field } => {
            w.open("field");
            w.space();
            expr(w, object);
            w.atom(&field.name);
            w.close();
        }
        ExprKind::Index { object, index } => {
            w.open("index");
            w.space();
            expr(w, object);
            w.space();
            expr(w, index);
            w.close();
        }
        ExprKind::Try(inner) => {
            w.open("?");
            w.space();
            expr(w, inner);
            w.close();
        }
        ExprKind::Cast { value, target } => {
            w.open("cast");
            w.space();
            expr(w, value);
            w.atom(type_text(target));
            w.close();
        }
        ExprKind::Range {
            start,
            end,
            inclusive,
        } => {
            w.open(if *inclusive { "..=" } else { ".." });
            w.space();
            expr(w, start);
            w.space();
            expr(w, end);
            w.close();
        }
        ExprKind::Block(b) => block(w, b),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            w.open("if");
            w.space();
            expr(w, cond);
            w.space();
            block(w, then);
            if let Some(o) = otherwise {
                w.space();
                expr(w, o);
            }
            w.close();
        }
        ExprKind::Match { scrutinee, arms } => {
            w.open("match");
            w.space();
            expr(w, scrutinee);
            for arm in arms {
                w.open_line("arm");
                w.space();
                pattern(w, &arm.pattern);
                w.space();
                expr(w, &arm.body);
                w.close();
            }
            w.close();
        }
        ExprKind::Spawn(body) => {
            w.open("spawn");
            w.space();
            block(w, body);
            w.close();
        }
        ExprKind::Race(spawns) => {
            w.open("race");
            for s in spawns {
                w.newline();
                expr(w, s);
            }
            w.close();
        }
        ExprKind::Closure {
            params: ps,
            ret,
            body,
        } => {
            w.open("closure");
            params(w, ps);
            if let Some(t) = ret {
                w.atom("->");
                w.atom(type_text(t));
            }
            w.space();
            block(w, body);
            w.close();
        }
        ExprKind::Error => w.out.push_str("<error>"),
    }
}

fn list(w: &mut Writer, head: &str, items: &[Expr]) {
    w.open(head);
    for item in items {
        w.space();
        expr(w, item);
    }
    w.close();
}

/// A pattern as it is written.
fn pattern(w: &mut Writer, p: &Pattern) {
    match &p.kind {
        PatternKind::Wildcard => w.out.push('_'),
        PatternKind::Binding { name, ty } => {
            w.out.push_str(&name.name);
            if let Some(t) = ty {
                w.out.push_str(": ");
                write_type(&mut w.out, t);
            }
        }
        PatternKind::Literal(e) => expr(w, e),
        PatternKind::Variant { path, fields } => {
            w.out.push_str(&path_text(path));
            if let Some(fields) = fields {
                w.out.push('(');
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        w.out.push_str(", ");
                    }
                    pattern(w, f);
                }
                w.out.push(')');
            }
        }
        PatternKind::Error => w.out.push_str("<error>"),
    }
}
