//! Resolving written types (`TypeExpr`) to semantic types (`Ty`).

use super::Checker;
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::hir::{FloatWidth, IntWidth, Ty};
use crate::syntax::ast::{TypeExpr, TypeExprKind};

/// Names of the primitive types, for "did you mean" hints.
const PRIMITIVES: &[&str] = &[
    "Bool", "Int8", "Int16", "Int32", "Int64", "Int", "Float32", "Float64", "Float", "String",
    "Unit",
];

/// Type names that exist but that this version does not compile yet.
const LATER: &[&str] = &["Option", "Result", "Task", "Channel", "Fn"];

pub(crate) fn resolve(checker: &mut Checker, ty: &TypeExpr) -> Ty {
    match &ty.kind {
        TypeExprKind::Unit => Ty::Unit,
        TypeExprKind::Error => Ty::Error,
        TypeExprKind::List(_) => later(checker, "`List` types", ty),
        TypeExprKind::Dict(..) => later(checker, "`Dict` types", ty),
        TypeExprKind::Set(_) => later(checker, "`Set` types", ty),
        TypeExprKind::Fn { .. } => later(checker, "function types", ty),
        TypeExprKind::Named { path, args } => {
            let [seg] = path.segments.as_slice() else {
                return later(checker, "module-qualified types", ty);
            };
            let name = seg.name.as_str();
            let prim = match name {
                "Bool" => Some(Ty::Bool),
                "Int8" => Some(Ty::Int(IntWidth::W8)),
                "Int16" => Some(Ty::Int(IntWidth::W16)),
                "Int32" => Some(Ty::Int(IntWidth::W32)),
                "Int64" | "Int" => Some(Ty::Int(IntWidth::W64)),
                "Float32" => Some(Ty::Float(FloatWidth::W32)),
                "Float64" | "Float" => Some(Ty::Float(FloatWidth::W64)),
                "String" => Some(Ty::String),
                "Unit" => Some(Ty::Unit),
                _ => None,
            };
            if let Some(prim) = prim {
                if let Some(arg) = args.first() {
                    checker.error(Diagnostic::new(
                        Code::TypeMismatch,
                        format!("`{name}` takes no type arguments"),
                        arg.span,
                        "unexpected type argument",
                    ));
                }
                return prim;
            }
            if let Some((target, _)) = checker.aliases.get(name).cloned() {
                return resolve_alias(checker, name, &target, seg.span);
            }
            if name == "Float8" || name == "Float16" {
                checker.error(
                    Diagnostic::new(
                        Code::UnsupportedFloat,
                        format!("`{name}` is not supported"),
                        ty.span,
                        "no arithmetic exists for this width",
                    )
                    .with_hint("use `Float32` or `Float64`"),
                );
                return Ty::Error;
            }
            if LATER.contains(&name) {
                return later(checker, &format!("`{name}` types"), ty);
            }
            let mut diag = Diagnostic::new(
                Code::UnknownType,
                format!("unknown type `{name}`"),
                seg.span,
                "not a known type",
            );
            let aliases: Vec<String> = checker.aliases.keys().cloned().collect();
            let candidates = PRIMITIVES
                .iter()
                .copied()
                .chain(aliases.iter().map(String::as_str));
            if let Some(best) = did_you_mean(name, candidates) {
                diag = diag.with_hint(format!("did you mean `{best}`?"));
            }
            checker.error(diag);
            Ty::Error
        }
    }
}

/// Whether `name` is a built-in type name (not available for aliases).
pub(crate) fn is_builtin_type(name: &str) -> bool {
    PRIMITIVES.contains(&name) || LATER.contains(&name) || matches!(name, "Float8" | "Float16")
}

fn resolve_alias(
    checker: &mut Checker,
    name: &str,
    target: &TypeExpr,
    use_span: crate::source::Span,
) -> Ty {
    if checker.resolving.iter().any(|n| n == name) {
        checker.error(Diagnostic::new(
            Code::UnknownType,
            format!("the type alias `{name}` refers to itself"),
            use_span,
            "alias cycle",
        ));
        return Ty::Error;
    }
    checker.resolving.push(name.to_owned());
    let ty = resolve(checker, target);
    checker.resolving.pop();
    ty
}

fn later(checker: &mut Checker, what: &str, ty: &TypeExpr) -> Ty {
    checker.error(Diagnostic::not_supported(what, ty.span));
    Ty::Error
}
