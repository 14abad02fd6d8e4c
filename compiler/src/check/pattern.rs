//! `match`: patterns (variants with nested patterns, literals, `_`,
//! bindings with or without a type) and exhaustiveness.
//!
//! Exhaustiveness is the classic usefulness check over a pattern matrix:
//! the first column is split by the constructors of its type (the variants
//! of an enum, `true`/`false`), and a type with unlimited values (integers,
//! strings) is covered only by a catch-all. The search returns a missing
//! case, shown in the diagnostic.

use super::body::{Expect, FnChecker};
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, AdtKind, ExprKind, Pattern, Ty};
use crate::source::Span;
use crate::syntax::ast;

impl FnChecker<'_> {
    pub fn match_expr(
        &mut self,
        scrutinee: &ast::Expr,
        arms: &[ast::MatchArm],
        span: Span,
        expect: Expect,
    ) -> hir::Expr {
        let scrut = self.expr(scrutinee, Expect::Value);
        let sty = scrut.ty.clone();
        let matchable = matches!(
            sty,
            Ty::Int(_) | Ty::String | Ty::Bool | Ty::Error | Ty::Never
        ) || self.enum_variants(&sty).is_some();
        if !matchable {
            let shown = self.show(&sty);
            self.error(Diagnostic::new(
                Code::BadPattern,
                format!("cannot match on a value of type `{shown}`"),
                scrutinee.span,
                "not an enum, integer, String or Bool",
            ));
        }
        let mut harms = Vec::new();
        let mut result: Option<Ty> = None;
        let mut mismatch = false;
        for arm in arms {
            self.push_scope();
            let pattern = self.pattern(&arm.pattern, &sty);
            let arm_expect = match (expect, &result) {
                (Expect::Value, Some(t)) => Expect::Ty(t),
                _ => expect,
            };
            let arm_expect_owned = match arm_expect {
                Expect::Ty(t) => Some(t.clone()),
                _ => None,
            };
            let body = match &arm_expect_owned {
                Some(t) => self.expr(&arm.body, Expect::Ty(t)),
                None => self.expr(&arm.body, arm_expect),
            };
            self.pop_scope();
            match &result {
                _ if body.ty == Ty::Never => {}
                None => result = Some(body.ty.clone()),
                Some(t) if body.ty.fits(t) || t.is_flexible() => {}
                Some(t) if self.fits(&body.ty, t) => {}
                Some(t) => {
                    if !matches!(expect, Expect::Discard) && !mismatch {
                        mismatch = true;
                        let (a, b) = (self.show(t), self.show(&body.ty));
                        self.error(Diagnostic::new(
                            Code::TypeMismatch,
                            format!("match arms have different types: `{a}` and `{b}`"),
                            arm.body.span,
                            format!("this arm is `{b}`"),
                        ));
                    }
                }
            }
            harms.push(hir::MatchArm { pattern, body });
        }
        if !sty.is_flexible() && matchable {
            self.check_exhaustive(&harms, &sty, span);
        }
        let ty = if mismatch {
            if matches!(expect, Expect::Discard) {
                Ty::Unit
            } else {
                Ty::Error
            }
        } else if matches!(expect, Expect::Discard)
            && result.as_ref().is_some_and(|t| t.has_value())
        {
            // Arms of different types are fine when the value is unused.
            result.unwrap_or(Ty::Never)
        } else {
            result.unwrap_or(Ty::Never)
        };
        hir::Expr::new(
            ExprKind::Match {
                scrutinee: Box::new(scrut),
                arms: harms,
            },
            ty,
            span,
        )
    }

    /// The variants of an enum type, with its type arguments substituted.
    pub fn enum_variants(&self, ty: &Ty) -> Option<Vec<hir::Variant>> {
        let Ty::Adt(id, args) = ty else { return None };
        let adt = self.c.adt(*id);
        let AdtKind::Enum { variants } = &adt.kind else {
            return None;
        };
        Some(
            variants
                .iter()
                .map(|v| hir::Variant {
                    name: v.name.clone(),
                    fields: v
                        .fields
                        .iter()
                        .map(|f| hir::subst_params(f, &adt.generics, args))
                        .collect(),
                })
                .collect(),
        )
    }

    fn pattern(&mut self, p: &ast::Pattern, ty: &Ty) -> Pattern {
        match &p.kind {
            ast::PatternKind::Wildcard | ast::PatternKind::Error => Pattern::Wildcard,
            ast::PatternKind::Binding {
                name,
                ty: annotated,
            } => {
                let bound = match annotated {
                    Some(t) => {
                        let declared = self.resolve_type(t);
                        if !declared.fits(ty) {
                            let (a, b) = (self.show(&declared), self.show(ty));
                            self.error(Diagnostic::new(
                                Code::TypeMismatch,
                                format!("this binding is `{a}`, but the value matched is `{b}`"),
                                t.span,
                                format!("expected `{b}`"),
                            ));
                        }
                        declared
                    }
                    None => ty.clone(),
                };
                super::naming::check_snake_case(self.c, name, "binding");
                Pattern::Binding(self.declare_local(name, bound, false))
            }
            ast::PatternKind::Literal(e) => {
                if !matches!(ty, Ty::Int(_) | Ty::String | Ty::Bool | Ty::Error) {
                    let shown = self.show(ty);
                    self.error(Diagnostic::new(
                        Code::BadPattern,
                        format!("a literal cannot match a value of type `{shown}`"),
                        p.span,
                        "literal pattern",
                    ));
                    return Pattern::Wildcard;
                }
                let value = self.expect_ty(e, ty);
                Pattern::Literal(Box::new(value))
            }
            ast::PatternKind::Variant { path, fields } => {
                self.variant_pattern(path, fields.as_deref(), ty, p.span)
            }
        }
    }

    fn variant_pattern(
        &mut self,
        path: &ast::Path,
        fields: Option<&[ast::Pattern]>,
        ty: &Ty,
        span: Span,
    ) -> Pattern {
        if ty.is_flexible() {
            return Pattern::Wildcard;
        }
        let Some(variants) = self.enum_variants(ty) else {
            let shown = self.show(ty);
            self.error(Diagnostic::new(
                Code::BadPattern,
                format!("a variant pattern cannot match a value of type `{shown}`"),
                span,
                "variant pattern",
            ));
            return Pattern::Wildcard;
        };
        let Ty::Adt(id, _) = ty else {
            return Pattern::Wildcard;
        };
        let enum_name = self.c.adt(*id).name.clone();
        let segs = &path.segments;
        let Some(last) = segs.last() else {
            return Pattern::Wildcard;
        };
        if segs.len() >= 2 && segs[segs.len() - 2].name != enum_name {
            let written = &segs[segs.len() - 2];
            self.error(Diagnostic::new(
                Code::BadPattern,
                format!(
                    "this pattern is for `{}`, but the value matched is `{enum_name}`",
                    written.name
                ),
                written.span,
                format!("expected `{enum_name}`"),
            ));
            return Pattern::Wildcard;
        }
        let Some(tag) = variants.iter().position(|v| v.name == last.name) else {
            let names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
            let mut diag = Diagnostic::new(
                Code::BadPattern,
                format!("`{enum_name}` has no variant `{}`", last.name),
                last.span,
                "unknown variant",
            );
            if let Some(best) =
                crate::diag::did_you_mean(&last.name, names.iter().map(String::as_str))
            {
                diag = diag.with_hint(format!("did you mean `{best}`?"));
            }
            self.error(diag);
            return Pattern::Wildcard;
        };
        let field_tys = variants[tag].fields.clone();
        let fields = match fields {
            // `E::V` on a variant with a payload matches any payload.
            None => vec![Pattern::Wildcard; field_tys.len()],
            Some(ps) if ps.len() != field_tys.len() => {
                // Bindings are declared anyway so the arm checks without echoes.
                for p in ps {
                    self.pattern(p, &Ty::Error);
                }
                self.error(Diagnostic::new(
                    Code::BadPattern,
                    format!(
                        "`{enum_name}::{}` has {} field(s), but the pattern has {}",
                        last.name,
                        field_tys.len(),
                        ps.len()
                    ),
                    span,
                    "wrong number of fields",
                ));
                return Pattern::Wildcard;
            }
            Some(ps) => ps
                .iter()
                .zip(&field_tys)
                .map(|(p, t)| self.pattern(p, t))
                .collect(),
        };
        Pattern::Variant {
            tag: tag as u32,
            fields,
        }
    }

    fn check_exhaustive(&mut self, arms: &[hir::MatchArm], ty: &Ty, span: Span) {
        let rows: Vec<Vec<Pattern>> = arms.iter().map(|a| vec![a.pattern.clone()]).collect();
        if let Some(witness) = self.missing_case(rows, std::slice::from_ref(ty)) {
            let case = witness.first().cloned().unwrap_or_else(|| "_".into());
            self.error(
                Diagnostic::new(
                    Code::NonExhaustive,
                    format!("this match does not cover `{case}`"),
                    span,
                    format!("`{case}` not covered"),
                )
                .with_hint("add an arm for it, or a catch-all `_ -> ...`"),
            );
        }
    }

    /// A case that no row of `rows` matches (one pattern per column of
    /// `tys`), or `None` when the rows cover every value.
    fn missing_case(&self, rows: Vec<Vec<Pattern>>, tys: &[Ty]) -> Option<Vec<String>> {
        let Some((ty, rest)) = tys.split_first() else {
            return if rows.is_empty() {
                Some(Vec::new())
            } else {
                None
            };
        };
        let irrefutable = |p: &Pattern| matches!(p, Pattern::Wildcard | Pattern::Binding(_));
        // Split by constructors only where the patterns use them: splitting
        // wildcards of a recursive enum would never end.
        let has_ctor = rows
            .iter()
            .any(|r| r.first().is_some_and(|p| !irrefutable(p)));
        if !has_ctor {
            let defaults: Vec<Vec<Pattern>> = rows.iter().map(|r| r[1..].to_vec()).collect();
            return self.missing_case(defaults, rest).map(|mut w| {
                w.insert(0, "_".into());
                w
            });
        }
        if let (Some(variants), Ty::Adt(id, _)) = (self.enum_variants(ty), ty) {
            let enum_name = &self.c.adt(*id).name;
            for (tag, v) in variants.iter().enumerate() {
                let arity = v.fields.len();
                let spec: Vec<Vec<Pattern>> = rows
                    .iter()
                    .filter_map(|row| {
                        let (first, others) = row.split_first()?;
                        let mut out = match first {
                            Pattern::Variant { tag: t, fields } if *t as usize == tag => {
                                fields.clone()
                            }
                            p if irrefutable(p) => vec![Pattern::Wildcard; arity],
                            _ => return None,
                        };
                        out.extend(others.iter().cloned());
                        Some(out)
                    })
                    .collect();
                let mut col_tys = v.fields.clone();
                col_tys.extend(rest.iter().cloned());
                if let Some(w) = self.missing_case(spec, &col_tys) {
                    let (inner, outer) = w.split_at(arity.min(w.len()));
                    let case = if arity == 0 {
                        format!("{enum_name}::{}", v.name)
                    } else {
                        format!("{enum_name}::{}({})", v.name, inner.join(", "))
                    };
                    let mut out = vec![case];
                    out.extend(outer.iter().cloned());
                    return Some(out);
                }
            }
            return None;
        }
        if *ty == Ty::Bool {
            for b in [true, false] {
                let spec: Vec<Vec<Pattern>> = rows
                    .iter()
                    .filter_map(|row| {
                        let (first, others) = row.split_first()?;
                        let keep = match first {
                            Pattern::Literal(e) => matches!(e.kind, ExprKind::Bool(v) if v == b),
                            p => irrefutable(p),
                        };
                        keep.then(|| others.to_vec())
                    })
                    .collect();
                if let Some(mut w) = self.missing_case(spec, rest) {
                    w.insert(0, b.to_string());
                    return Some(w);
                }
            }
            return None;
        }
        // Unlimited values: only catch-alls cover them.
        let defaults: Vec<Vec<Pattern>> = rows
            .iter()
            .filter_map(|row| {
                let (first, others) = row.split_first()?;
                irrefutable(first).then(|| others.to_vec())
            })
            .collect();
        self.missing_case(defaults, rest).map(|mut w| {
            w.insert(0, "_".into());
            w
        })
    }
}
