//! Looking things up in classes and enums: parents, fields and methods
//! along the inheritance chain, with type arguments substituted, and the
//! type a declaration's own methods see (`owner_type`).

use super::Checker;
use crate::hir::{self, AdtId, AdtKind, FnId, Ty};

/// The parent class of class `id`, if any.
pub(crate) fn parent_of(checker: &Checker, id: AdtId) -> Option<AdtId> {
    match &checker.adt(id).kind {
        AdtKind::Class {
            parent: Some(Ty::Adt(p, _)),
            ..
        } => Some(*p),
        _ => None,
    }
}

/// The parent of class type `ty`, with `ty`'s arguments substituted.
pub(crate) fn parent_ty(checker: &Checker, ty: &Ty) -> Option<Ty> {
    let Ty::Adt(id, args) = ty else { return None };
    let adt = checker.adt(*id);
    match &adt.kind {
        AdtKind::Class {
            parent: Some(p), ..
        } => Some(hir::subst_params(p, &adt.generics, args)),
        _ => None,
    }
}

/// Finds method `name` on `ty` or its ancestors: the method and the type
/// (`ty` or an ancestor) that declares it.
pub(crate) fn find_method(checker: &Checker, ty: &Ty, name: &str) -> Option<(FnId, Ty)> {
    let mut cur = Some(ty.clone());
    let mut depth = 0;
    while let Some(t) = cur {
        let Ty::Adt(id, _) = &t else { return None };
        if let Some(&f) = checker.extra(*id).methods.get(name) {
            return Some((f, t));
        }
        depth += 1;
        if depth > 1000 {
            return None;
        }
        cur = parent_ty(checker, &t);
    }
    None
}

/// A field found on a class type.
pub(crate) struct FoundField {
    /// Index among all fields, inherited first.
    pub index: u32,
    pub ty: Ty,
    pub field: hir::Field,
    /// The class that declares it.
    pub owner: AdtId,
}

/// Every field of a class type, inherited first: `(declaring class, field,
/// substituted type)`.
pub(crate) fn all_fields(checker: &Checker, ty: &Ty) -> Vec<(AdtId, hir::Field, Ty)> {
    let mut chain = Vec::new();
    let mut cur = Some(ty.clone());
    while let Some(t) = cur {
        if chain.len() > 1000 {
            break;
        }
        cur = parent_ty(checker, &t);
        chain.push(t);
    }
    let mut out = Vec::new();
    for t in chain.iter().rev() {
        let Ty::Adt(id, args) = t else { continue };
        let adt = checker.adt(*id);
        if let AdtKind::Class { fields, .. } = &adt.kind {
            for f in fields {
                out.push((
                    *id,
                    f.clone(),
                    hir::subst_params(&f.ty, &adt.generics, args),
                ));
            }
        }
    }
    out
}

pub(crate) fn find_field(checker: &Checker, ty: &Ty, name: &str) -> Option<FoundField> {
    all_fields(checker, ty)
        .into_iter()
        .enumerate()
        .rev()
        .find(|(_, (_, f, _))| f.name == name)
        .map(|(i, (owner, field, ty))| FoundField {
            index: i as u32,
            ty,
            field,
            owner,
        })
}

/// Whether class `sub` is `sup` or inherits from it (same type arguments).
pub(crate) fn is_subclass(checker: &Checker, sub: &Ty, sup: &Ty) -> bool {
    let mut cur = Some(sub.clone());
    let mut depth = 0;
    while let Some(t) = cur {
        if t == *sup {
            return true;
        }
        depth += 1;
        if depth > 1000 {
            return false;
        }
        cur = parent_ty(checker, &t);
    }
    false
}

/// Whether class `inner` is `outer` or one of its subclasses (by id).
pub(crate) fn class_within(checker: &Checker, inner: AdtId, outer: AdtId) -> bool {
    let mut cur = Some(inner);
    let mut depth = 0;
    while let Some(c) = cur {
        if c == outer {
            return true;
        }
        depth += 1;
        if depth > 1000 {
            return false;
        }
        cur = parent_of(checker, c);
    }
    false
}

/// `Name<T, U>` for a declaration with parameters `T, U`.
pub(crate) fn owner_type(checker: &Checker, id: AdtId) -> Ty {
    match checker.adt(id).kind {
        hir::AdtKind::Newtype { .. } => Ty::Newtype(id),
        _ => Ty::Adt(
            id,
            checker
                .adt(id)
                .generics
                .iter()
                .map(|p| Ty::Param(*p))
                .collect(),
        ),
    }
}
