//! Resolving written types (`TypeExpr`) to semantic types (`Ty`).

use super::{Checker, TypeName};
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::hir::{AdtKind, FloatWidth, IntWidth, ParamId, Ty, MAX_TYPE_SIZE};
use crate::source::Span;
use crate::syntax::ast::{TypeExpr, TypeExprKind};

/// Names in scope for type parameters: `(name, id)`.
pub(crate) type Generics = Vec<(String, ParamId)>;

/// Names of the primitive types, for "did you mean" hints.
const PRIMITIVES: &[&str] = &[
    "Bool", "Int8", "Int16", "Int32", "Int64", "Int", "Float32", "Float64", "Float", "String",
    "Unit",
];

/// Whether `name` is a built-in type name (not available for user types).
pub(crate) fn is_builtin_type(name: &str) -> bool {
    PRIMITIVES.contains(&name)
        || super::lib_types::is_lib_type(name)
        || matches!(
            name,
            "Float8"
                | "Float16"
                | "Option"
                | "Result"
                | "Thread"
                | "MemoryOrder"
                | "ProcessOutput"
                | "List"
                | "Dict"
                | "Set"
                | "Task"
                | "Fn"
        )
}

fn primitive(name: &str) -> Option<Ty> {
    Some(match name {
        "Bool" => Ty::Bool,
        "Int8" => Ty::Int(IntWidth::W8),
        "Int16" => Ty::Int(IntWidth::W16),
        "Int32" => Ty::Int(IntWidth::W32),
        "Int64" | "Int" => Ty::Int(IntWidth::W64),
        "Float32" => Ty::Float(FloatWidth::W32),
        "Float64" | "Float" => Ty::Float(FloatWidth::W64),
        "String" => Ty::String,
        "Unit" => Ty::Unit,
        _ => return None,
    })
}

/// The type `ty` names. A type with more than [`MAX_TYPE_SIZE`] parts is
/// an error (aliases can double a type's size at each step).
pub(crate) fn resolve(checker: &mut Checker, ty: &TypeExpr, generics: &Generics) -> Ty {
    let resolved = resolve_parts(checker, ty, generics);
    if resolved.larger_than(MAX_TYPE_SIZE) {
        checker.error(type_too_large(ty.span));
        return Ty::Error;
    }
    resolved
}

/// The diagnostic for a type with more than [`MAX_TYPE_SIZE`] parts.
pub(crate) fn type_too_large(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TypeTooLarge,
        format!("this type has more than {MAX_TYPE_SIZE} parts"),
        span,
        "type too large",
    )
    .with_hint("nested generic types and aliases multiply: name smaller pieces with classes")
}

fn resolve_parts(checker: &mut Checker, ty: &TypeExpr, generics: &Generics) -> Ty {
    let mut r = |t: &TypeExpr| Box::new(resolve_parts(checker, t, generics));
    match &ty.kind {
        TypeExprKind::Unit => Ty::Unit,
        TypeExprKind::Error => Ty::Error,
        TypeExprKind::List(t) => Ty::List(r(t)),
        TypeExprKind::Set(t) => Ty::Set(r(t)),
        TypeExprKind::Dict(k, v) => {
            let k = r(k);
            let v = r(v);
            Ty::Dict(k, v)
        }
        TypeExprKind::Fn { params, ret } => {
            let params = params
                .iter()
                .map(|p| resolve_parts(checker, p, generics))
                .collect();
            let ret = ret
                .as_ref()
                .map_or(Ty::Unit, |r| resolve_parts(checker, r, generics));
            Ty::Fn(params, Box::new(ret))
        }
        TypeExprKind::Named { path, args } => {
            let segs: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
            let Some(seg) = path.segments.last() else {
                return Ty::Error;
            };
            let name = seg.name.as_str();
            if segs.len() > 1 {
                return match checker.lookup_type(&segs) {
                    Some((TypeName::Adt(id), _)) => {
                        if !checker.extra(id).is_pub {
                            checker.error(Diagnostic::new(
                                Code::Private,
                                format!("the type `{}` is private to its module", segs.join("::")),
                                ty.span,
                                "not `pub`",
                            ));
                        }
                        adt_type(checker, id, name, args, generics, ty.span)
                    }
                    Some((TypeName::Alias { ty: target, module }, _)) => {
                        let full = checker.expand(&segs).unwrap_or_default();
                        resolve_alias(checker, name, &full, &target, module, seg.span)
                    }
                    None => {
                        checker.error(Diagnostic::new(
                            Code::UnknownType,
                            format!("unknown type `{}`", segs.join("::")),
                            ty.span,
                            "not a known type",
                        ));
                        Ty::Error
                    }
                };
            }
            if let Some((_, id)) = generics.iter().rev().find(|(n, _)| n == name) {
                no_args(checker, name, args);
                return Ty::Param(*id);
            }
            if let Some(prim) = primitive(name) {
                no_args(checker, name, args);
                return prim;
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
            if name == "Task" || name == "Thread" {
                let make = |t: Ty| match name {
                    "Task" => Ty::Task(Box::new(t)),
                    _ => Ty::Thread(Box::new(t)),
                };
                return match args.as_slice() {
                    [t] => make(resolve_parts(checker, t, generics)),
                    _ => {
                        checker.error(Diagnostic::new(
                            Code::TypeMismatch,
                            format!("`{name}` takes 1 type argument"),
                            ty.span,
                            "wrong number of type arguments",
                        ));
                        Ty::Error
                    }
                };
            }
            if super::lib_types::is_lib_type(name) {
                let args: Vec<Ty> = args
                    .iter()
                    .map(|a| resolve_parts(checker, a, generics))
                    .collect();
                return super::lib_types::lib_type(checker, name, args, ty.span);
            }
            match checker.lookup_type(&[name]) {
                Some((TypeName::Alias { ty: target, module }, _)) => {
                    no_args(checker, name, args);
                    let full = checker.qualify(name);
                    resolve_alias(checker, name, &full, &target, module, seg.span)
                }
                Some((TypeName::Adt(id), _)) => {
                    adt_type(checker, id, name, args, generics, ty.span)
                }
                None => {
                    let mut diag = Diagnostic::new(
                        Code::UnknownType,
                        format!("unknown type `{name}`"),
                        seg.span,
                        "not a known type",
                    );
                    let mut candidates: Vec<String> =
                        PRIMITIVES.iter().map(|s| s.to_string()).collect();
                    candidates.extend(checker.type_names.keys().cloned());
                    candidates.extend(generics.iter().map(|(n, _)| n.clone()));
                    if let Some(best) = did_you_mean(name, candidates.iter().map(String::as_str)) {
                        diag = diag.with_hint(format!("did you mean `{best}`?"));
                    }
                    checker.error(diag);
                    Ty::Error
                }
            }
        }
    }
}

/// `Name<args>` for a class, enum or newtype.
fn adt_type(
    checker: &mut Checker,
    id: crate::hir::AdtId,
    name: &str,
    args: &[TypeExpr],
    generics: &Generics,
    span: Span,
) -> Ty {
    if let AdtKind::Newtype { .. } = checker.adt(id).kind {
        no_args(checker, name, args);
        return Ty::Newtype(id);
    }
    let args: Vec<Ty> = args
        .iter()
        .map(|a| resolve_parts(checker, a, generics))
        .collect();
    let want = checker.adt(id).generics.len();
    if args.len() != want {
        checker.error(Diagnostic::new(
            Code::TypeMismatch,
            format!(
                "`{name}` takes {want} type argument(s), {} given",
                args.len()
            ),
            span,
            "wrong number of type arguments",
        ));
        return Ty::Error;
    }
    Ty::Adt(id, args)
}

fn no_args(checker: &mut Checker, name: &str, args: &[TypeExpr]) {
    if let Some(arg) = args.first() {
        checker.error(Diagnostic::new(
            Code::TypeMismatch,
            format!("`{name}` takes no type arguments"),
            arg.span,
            "unexpected type argument",
        ));
    }
}

/// The type alias `name` (its full name `full`, declared in `module` as
/// `target`), resolved once, with the names of its own module.
fn resolve_alias(
    checker: &mut Checker,
    name: &str,
    full: &str,
    target: &TypeExpr,
    module: usize,
    use_span: Span,
) -> Ty {
    if checker.resolving.iter().any(|n| n == full) {
        checker.error(Diagnostic::new(
            Code::UnknownType,
            format!("the type alias `{name}` refers to itself"),
            use_span,
            "alias cycle",
        ));
        return Ty::Error;
    }
    // Resolved once: an alias built from others (`type B = Dict[A, A];`)
    // would otherwise resolve them again at every use, in time that
    // doubles with each such level.
    if let Some(ty) = checker.alias_cache.get(full) {
        return ty.clone();
    }
    checker.resolving.push(full.to_owned());
    let user = std::mem::replace(&mut checker.cur, module);
    let ty = resolve(checker, target, &Vec::new());
    checker.cur = user;
    checker.resolving.pop();
    checker.alias_cache.insert(full.to_owned(), ty.clone());
    ty
}
