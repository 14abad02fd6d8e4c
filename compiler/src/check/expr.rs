//! Checking expressions: one method per construct, dispatched from
//! [`FnChecker::expr`]. Operators are in `ops.rs`, calls in `call.rs`,
//! `match` in `pattern.rs`.

use super::body::{Expect, FnChecker};
use super::{adt, types};
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::hir::{self, AdtId, AdtKind, ExprKind, Ty, MAX_TYPE_SIZE};
use crate::source::Span;
use crate::syntax::{ast, limits};

impl FnChecker<'_> {
    /// Checks `e` and reports a mismatch unless its type fits `ty`.
    pub fn expect_ty(&mut self, e: &ast::Expr, ty: &Ty) -> hir::Expr {
        let value = self.expr(e, Expect::Ty(ty));
        if !self.fits(&value.ty, ty) {
            self.mismatch(ty, &value.ty, e.span);
        }
        value
    }

    pub fn mismatch(&mut self, expected: &Ty, found: &Ty, span: Span) {
        if expected.has_error() || found.has_error() {
            return;
        }
        let (e, f) = (self.show(expected), self.show(found));
        let mut diag = Diagnostic::new(
            Code::TypeMismatch,
            format!("expected `{e}`, found `{f}`"),
            span,
            format!("this is `{f}`"),
        );
        if expected.is_numeric() && found.is_numeric() {
            diag = diag.with_hint(format!("convert it with `cast(value = ..., target = {e})`"));
        }
        self.error(diag);
    }

    /// Checks an expression. Stops with a diagnostic when the stack runs
    /// low (deep nesting, see `syntax::limits`) and when the expression's
    /// type grows too large (see `hir::MAX_TYPE_SIZE`).
    pub fn expr(&mut self, e: &ast::Expr, expect: Expect) -> hir::Expr {
        if limits::stack_is_low() {
            return self.out_of_stack(e.span);
        }
        let mut value = self.expr_kind(e, expect);
        if value.ty.larger_than(MAX_TYPE_SIZE) {
            // Around a part cut before, the type grows again: one error.
            if !value.ty.has_error() {
                self.error(types::type_too_large(e.span));
            }
            value.ty = Ty::Error;
        }
        value
    }

    /// Reports (once) that checking ran short of stack at `span`.
    pub fn out_of_stack(&mut self, span: Span) -> hir::Expr {
        if !self.c.out_of_stack {
            self.c.out_of_stack = true;
            self.error(limits::out_of_stack(span));
        }
        hir::Expr::error(span)
    }

    fn expr_kind(&mut self, e: &ast::Expr, expect: Expect) -> hir::Expr {
        use ast::ExprKind as A;
        let span = e.span;
        match &e.kind {
            A::Int { value, suffix } => self.int_literal(*value, *suffix, false, span, expect),
            A::Float { value, suffix } => self.float_literal(*value, *suffix, false, span, expect),
            A::Bool(b) => hir::Expr::new(ExprKind::Bool(*b), Ty::Bool, span),
            A::Unit => hir::Expr::new(ExprKind::Unit, Ty::Unit, span),
            A::Str(parts) => self.string(parts, span),
            A::Path(path) => self.path(path, expect),
            A::SelfValue => match self.self_value(span) {
                Some(value) => value,
                None => {
                    self.error(Diagnostic::new(
                        Code::UnknownName,
                        "`self` is only available in methods",
                        span,
                        "not inside a method",
                    ));
                    hir::Expr::error(span)
                }
            },
            A::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, span, expect),
            A::Unary { op, operand } => self.unary(*op, operand, span, expect),
            A::Assign { target, value } => self.assign(target, value, span),
            A::Call { callee, args } => self.call(callee, args, span, expect),
            A::MethodCall {
                receiver,
                method,
                args,
            } => self.method_call(receiver, method, args, span, expect),
            A::SuperCall { method, args } => self.super_call(method, args, span, expect),
            A::Cast { value, target } => self.cast(value, target, span),
            A::Block(block) => {
                let block = self.block(block, expect);
                let ty = block.ty.clone();
                hir::Expr::new(ExprKind::Block(block), ty, span)
            }
            A::If {
                cond,
                then,
                otherwise,
            } => self.if_expr(cond, then, otherwise.as_deref(), span, expect),
            A::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, span, expect),
            A::Field { object, field } => self.field(object, field, span),
            A::Index { object, index } => self.index(object, index, span),
            A::Try(inner) => self.try_expr(inner, span),
            A::List(items) => self.list_literal(items, span, expect),
            A::Set(items) => self.set_literal(items, span, expect),
            A::Dict(entries) => self.dict_literal(entries, span, expect),
            A::Range { .. } => {
                self.error(Diagnostic::new(
                    Code::BadForIterable,
                    "a range is only allowed as what a `for` loop iterates over",
                    span,
                    "range used as a value",
                ));
                hir::Expr::error(span)
            }
            A::Spawn(body) => self.spawn(body, span, None, expect.ty()),
            A::Race(spawns) => self.race(spawns, span, expect.ty()),
            A::Closure { params, ret, body } => self.closure(params, ret.as_ref(), body, span),
            A::Error => hir::Expr::error(span),
        }
    }

    /// Reports a construct this version parses but does not compile.
    pub fn later(&mut self, what: &str, span: Span) -> hir::Expr {
        self.error(Diagnostic::not_supported(what, span));
        hir::Expr::error(span)
    }

    fn string(&mut self, parts: &[ast::StrPart], span: Span) -> hir::Expr {
        let all_literal = parts.iter().all(|p| matches!(p, ast::StrPart::Lit(_)));
        if all_literal {
            let text: String = parts
                .iter()
                .filter_map(|p| match p {
                    ast::StrPart::Lit(s) => Some(s.as_str()),
                    ast::StrPart::Interp(_) => None,
                })
                .collect();
            return hir::Expr::new(ExprKind::Str(text), Ty::String, span);
        }
        let pieces = parts
            .iter()
            .map(|part| match part {
                ast::StrPart::Lit(s) => hir::Expr::new(ExprKind::Str(s.clone()), Ty::String, span),
                ast::StrPart::Interp(e) => self.expr(e, Expect::Value),
            })
            .collect();
        hir::Expr::new(ExprKind::Interp(pieces), Ty::String, span)
    }

    fn path(&mut self, path: &ast::Path, expect: Expect) -> hir::Expr {
        let span = path.span;
        let [ident] = path.segments.as_slice() else {
            if let Some(e) = self.variant_path(path, None, span, expect) {
                return e;
            }
            let segs: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
            if let Some(func) = self.c.lookup_fn(&segs) {
                return self.fn_value(func, span);
            }
            self.unknown_path(path);
            return hir::Expr::error(span);
        };
        if let Some(local) = self.resolve_local(&ident.name) {
            return hir::Expr::new(ExprKind::Local(local), self.local_ty(local), span);
        }
        if let Some(func) = self.c.lookup_fn(&[ident.name.as_str()]) {
            return self.fn_value(func, span);
        }
        self.unknown_name(ident, "value");
        hir::Expr::error(span)
    }

    /// A named function used as a value: `Fn(params) -> ret`.
    fn fn_value(&mut self, func: hir::FnId, span: Span) -> hir::Expr {
        let sig = self.c.fns[func.0 as usize].clone();
        if !sig.generics.is_empty() || sig.owner.is_some() {
            return self.later("generic functions and methods as values", span);
        }
        let params = sig.params.iter().map(|p| p.ty.clone()).collect();
        hir::Expr::new(
            ExprKind::FnRef(func),
            Ty::Fn(params, Box::new(sig.ret)),
            span,
        )
    }

    /// Reports an unknown name, suggesting the closest visible one.
    pub fn unknown_name(&mut self, ident: &ast::Ident, what: &str) {
        let mut candidates = self.visible_names();
        candidates.extend(self.c.fn_by_name.keys().cloned());
        let mut diag = Diagnostic::new(
            Code::UnknownName,
            format!("unknown {what} `{}`", ident.name),
            ident.span,
            "not found in this scope",
        );
        if let Some(best) = did_you_mean(&ident.name, candidates.iter().map(String::as_str)) {
            diag = diag.with_hint(format!("did you mean `{best}`?"));
        }
        self.error(diag);
    }

    /// `object.field` on a class instance, or `.value` of a newtype.
    fn field(&mut self, object: &ast::Expr, field: &ast::Ident, span: Span) -> hir::Expr {
        let obj = self.expr(object, Expect::Value);
        match obj.ty.clone() {
            Ty::Newtype(id) if field.name == "value" => {
                let AdtKind::Newtype { inner } = self.c.adt(id).kind.clone() else {
                    return hir::Expr::error(span);
                };
                hir::Expr::new(ExprKind::Retype(Box::new(obj)), inner, span)
            }
            ty @ Ty::Adt(id, _) if self.c.extra(id).is_class => {
                let Some(found) = adt::find_field(self.c, &ty, &field.name) else {
                    self.unknown_field(&ty, field);
                    return hir::Expr::error(span);
                };
                self.check_field_visible(&found, field);
                hir::Expr::new(
                    ExprKind::Field {
                        object: Box::new(obj),
                        index: found.index,
                    },
                    found.ty,
                    span,
                )
            }
            Ty::Error => hir::Expr::error(span),
            ty => {
                self.unknown_field(&ty, field);
                hir::Expr::error(span)
            }
        }
    }

    fn unknown_field(&mut self, ty: &Ty, field: &ast::Ident) {
        let shown = self.show(ty);
        let mut diag = Diagnostic::new(
            Code::UnknownField,
            format!("`{shown}` has no field `{}`", field.name),
            field.span,
            "unknown field",
        );
        if matches!(ty, Ty::Adt(..)) {
            let names: Vec<String> = adt::all_fields(self.c, ty)
                .into_iter()
                .map(|(_, f, _)| f.name)
                .collect();
            if let Some(best) = did_you_mean(&field.name, names.iter().map(String::as_str)) {
                diag = diag.with_hint(format!("did you mean `{best}`?"));
            }
        }
        self.error(diag);
    }

    /// A private field is visible in the methods of its class and of the
    /// classes that inherit from it.
    fn check_field_visible(&mut self, found: &adt::FoundField, field: &ast::Ident) {
        if found.field.is_pub {
            return;
        }
        let inside = self
            .owner
            .is_some_and(|o| adt::class_within(self.c, o, found.owner));
        if !inside {
            let owner = self.c.adt(found.owner).name.clone();
            self.error(
                Diagnostic::new(
                    Code::Private,
                    format!("the field `{}` of `{owner}` is private", field.name),
                    field.span,
                    "private field",
                )
                .with_label(found.field.span, "declared here without `pub`"),
            );
        }
    }

    fn index(&mut self, object: &ast::Expr, index: &ast::Expr, span: Span) -> hir::Expr {
        let list = self.expr(object, Expect::Value);
        let idx = self.expr(index, Expect::Ty(&Ty::INT32));
        let is_list = matches!(list.ty, Ty::List(_));
        if is_list && !idx.ty.is_int() && !idx.ty.is_flexible() {
            let shown = self.show(&idx.ty);
            self.error(Diagnostic::new(
                Code::TypeMismatch,
                format!("an index must be an integer, found `{shown}`"),
                index.span,
                "not an integer",
            ));
        }
        match list.ty.clone() {
            Ty::List(t) => hir::Expr::new(
                ExprKind::Index {
                    list: Box::new(list),
                    index: Box::new(idx),
                },
                Ty::option(*t),
                span,
            ),
            Ty::Error => hir::Expr::error(span),
            other => {
                let shown = self.show(&other);
                let mut diag = Diagnostic::new(
                    Code::BadOperands,
                    format!("cannot index a value of type `{shown}`"),
                    object.span,
                    "only lists can be indexed",
                );
                if matches!(other, Ty::Dict(..)) {
                    diag = diag.with_hint("use `d.get(key = k)`");
                }
                self.error(diag);
                hir::Expr::error(span)
            }
        }
    }

    /// `e?`: the payload of `Some`/`Ok`; on `None`/`Err` the enclosing
    /// function returns it, so its return type must accept that.
    fn try_expr(&mut self, inner: &ast::Expr, span: Span) -> hir::Expr {
        let value = self.expr(inner, Expect::Value);
        let ret = self.ret.clone();
        let payload = match &value.ty {
            Ty::Adt(AdtId::OPTION, args) => {
                if !matches!(ret, Ty::Adt(AdtId::OPTION, _) | Ty::Error) {
                    let shown = self.show(&ret);
                    self.error(Diagnostic::new(
                        Code::TypeMismatch,
                        format!("`?` returns `None` early, but this function returns `{shown}`"),
                        span,
                        "needs a function returning an Option",
                    ));
                }
                args.first().cloned()
            }
            Ty::Adt(AdtId::RESULT, args) => {
                let err = args.get(1).cloned().unwrap_or(Ty::Error);
                match &ret {
                    Ty::Adt(AdtId::RESULT, rargs) if rargs.get(1).is_some_and(|e| e.fits(&err)) => {
                    }
                    Ty::Error => {}
                    _ => {
                        let (r, e) = (self.show(&ret), self.show(&err));
                        self.error(Diagnostic::new(
                            Code::TypeMismatch,
                            format!(
                                "`?` returns `Err({e})` early, but this function returns `{r}`"
                            ),
                            span,
                            format!("needs a function returning `Result<_, {e}>`"),
                        ));
                    }
                }
                args.first().cloned()
            }
            Ty::Error => return hir::Expr::error(span),
            other => {
                let shown = self.show(other);
                self.error(Diagnostic::new(
                    Code::BadOperands,
                    format!("`?` needs an `Option` or a `Result`, found `{shown}`"),
                    span,
                    "not an Option or Result",
                ));
                return hir::Expr::error(span);
            }
        };
        let ty = payload.unwrap_or(Ty::Error);
        hir::Expr::new(ExprKind::Try(Box::new(value)), ty, span)
    }

    /// The element type for a collection literal: from the expected type,
    /// else from the first element.
    fn elements(
        &mut self,
        items: &[ast::Expr],
        expected: Option<Ty>,
        span: Span,
        what: &str,
    ) -> (Vec<hir::Expr>, Ty) {
        let mut elem = expected;
        let mut out = Vec::new();
        for item in items {
            let value = match &elem {
                Some(t) => self.expect_ty(item, &t.clone()),
                None => {
                    let v = self.expr(item, Expect::Value);
                    elem = Some(v.ty.clone());
                    v
                }
            };
            out.push(value);
        }
        let elem = elem.unwrap_or_else(|| {
            self.error(
                Diagnostic::new(
                    Code::CannotInfer,
                    format!("cannot infer the element type of an empty {what}"),
                    span,
                    "empty literal",
                )
                .with_hint("annotate the variable, e.g. `let xs: List[Int32] = [];`"),
            );
            Ty::Error
        });
        (out, elem)
    }

    fn list_literal(&mut self, items: &[ast::Expr], span: Span, expect: Expect) -> hir::Expr {
        let expected = match expect.ty() {
            Some(Ty::List(t)) => Some((**t).clone()),
            _ => None,
        };
        let (items, elem) = self.elements(items, expected, span, "list");
        hir::Expr::new(ExprKind::List(items), Ty::List(Box::new(elem)), span)
    }

    fn set_literal(&mut self, items: &[ast::Expr], span: Span, expect: Expect) -> hir::Expr {
        let expected = match expect.ty() {
            Some(Ty::Set(t)) => Some((**t).clone()),
            _ => None,
        };
        let (items, elem) = self.elements(items, expected, span, "set");
        self.check_hashable(&elem, span);
        hir::Expr::new(ExprKind::Set(items), Ty::Set(Box::new(elem)), span)
    }

    fn dict_literal(
        &mut self,
        entries: &[(ast::Expr, ast::Expr)],
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let (mut k, mut v) = match expect.ty() {
            Some(Ty::Dict(k, v)) => (Some((**k).clone()), Some((**v).clone())),
            _ => (None, None),
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            let key = match &k {
                Some(t) => self.expect_ty(key, &t.clone()),
                None => {
                    let e = self.expr(key, Expect::Value);
                    k = Some(e.ty.clone());
                    e
                }
            };
            let value = match &v {
                Some(t) => self.expect_ty(value, &t.clone()),
                None => {
                    let e = self.expr(value, Expect::Value);
                    v = Some(e.ty.clone());
                    e
                }
            };
            out.push((key, value));
        }
        let (Some(k), Some(v)) = (k, v) else {
            self.error(
                Diagnostic::new(
                    Code::CannotInfer,
                    "cannot infer the types of an empty dict",
                    span,
                    "empty literal",
                )
                .with_hint("annotate the variable, e.g. `let d: Dict[String, Int32] = {};`"),
            );
            return hir::Expr::error(span);
        };
        self.check_hashable(&k, span);
        hir::Expr::new(
            ExprKind::Dict(out),
            Ty::Dict(Box::new(k), Box::new(v)),
            span,
        )
    }

    /// Set elements and dict keys are hashed: floats are not allowed.
    pub fn check_hashable(&mut self, ty: &Ty, span: Span) {
        if matches!(ty, Ty::Float(_)) {
            let shown = self.show(ty);
            self.error(Diagnostic::new(
                Code::TypeMismatch,
                format!("`{shown}` cannot be a set element or dict key"),
                span,
                "floats are not hashable",
            ));
        }
    }

    pub(crate) fn assign(
        &mut self,
        target: &ast::Expr,
        value: &ast::Expr,
        span: Span,
    ) -> hir::Expr {
        let ident = match &target.kind {
            ast::ExprKind::Path(p) if p.segments.len() == 1 => &p.segments[0],
            ast::ExprKind::Field { object, field } => {
                return self.assign_field(object, field, value, span)
            }
            kind => {
                let mut diag = Diagnostic::new(
                    Code::BadAssignTarget,
                    "cannot assign to this expression",
                    target.span,
                    "not a variable or field",
                );
                if matches!(kind, ast::ExprKind::Index { .. }) {
                    diag = diag
                        .with_hint("to change a list element use `xs.set(index = i, value = v)`");
                }
                self.error(diag);
                self.expr(value, Expect::Value);
                return hir::Expr::error(span);
            }
        };
        let Some(local) = self.resolve_local(&ident.name) else {
            self.unknown_name(ident, "variable");
            self.expr(value, Expect::Value);
            return hir::Expr::error(span);
        };
        self.check_not_captured(local, target.span);
        let ty = self.local_ty(local);
        let value = self.expect_ty(value, &ty);
        let info = &self.locals[local.0 as usize];
        if !info.mutable {
            let decl = self.local_spans[local.0 as usize];
            let name = info.name.clone();
            self.error(
                Diagnostic::new(
                    Code::AssignImmutable,
                    format!("cannot assign twice to immutable variable `{name}`"),
                    target.span,
                    "assigned here",
                )
                .with_label(decl, "declared with `let`")
                .with_hint(format!(
                    "declare it with `var` to make it mutable: `var {name}`"
                )),
            );
        }
        hir::Expr::new(
            ExprKind::Assign {
                local,
                value: Box::new(value),
            },
            Ty::Unit,
            span,
        )
    }

    /// `object.field = value`: `var` fields anywhere they are visible;
    /// `let` fields only through `self` inside `init`.
    fn assign_field(
        &mut self,
        object: &ast::Expr,
        field: &ast::Ident,
        value: &ast::Expr,
        span: Span,
    ) -> hir::Expr {
        let obj = self.expr(object, Expect::Value);
        let ty = obj.ty.clone();
        if ty.is_flexible() {
            self.expr(value, Expect::Value);
            return hir::Expr::error(span);
        }
        let found = match &ty {
            Ty::Adt(id, _) if self.c.extra(*id).is_class => {
                adt::find_field(self.c, &ty, &field.name)
            }
            _ => None,
        };
        let Some(found) = found else {
            self.unknown_field(&ty, field);
            self.expr(value, Expect::Value);
            return hir::Expr::error(span);
        };
        self.check_field_visible(&found, field);
        let through_self = matches!(object.kind, ast::ExprKind::SelfValue);
        // A closure or task made in `init` may run after it: only `init`'s
        // own code sets `let` fields.
        let in_init_body = self.in_init && self.frames.is_empty();
        if !(found.field.mutable || in_init_body && through_self) {
            self.error(
                Diagnostic::new(
                    Code::AssignImmutable,
                    format!("cannot assign to the `let` field `{}`", field.name),
                    field.span,
                    "immutable field",
                )
                .with_label(found.field.span, "declared with `let`")
                .with_hint("`let` fields are set once, through `self` in `init`; declare it `var` to change it later"),
            );
        }
        let value = self.expect_ty(value, &found.ty);
        hir::Expr::new(
            ExprKind::AssignField {
                object: Box::new(obj),
                index: found.index,
                value: Box::new(value),
            },
            Ty::Unit,
            span,
        )
    }
}
