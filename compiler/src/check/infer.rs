//! Inferring the type arguments of a generic call from its arguments and
//! its expected type, by structural unification. Inference is local to one
//! call: every parameter must be decided there, or the call is an error.

use std::collections::HashMap;

use crate::hir::{ParamId, Ty};

#[derive(Clone)]
pub(crate) struct Inference {
    /// The parameters being inferred, in the callee's order.
    pub params: Vec<ParamId>,
    bound: HashMap<ParamId, Ty>,
}

impl Inference {
    pub fn new(params: &[ParamId]) -> Self {
        Inference {
            params: params.to_vec(),
            bound: HashMap::new(),
        }
    }

    /// `ty` with every decided parameter replaced.
    pub fn apply(&self, ty: &Ty) -> Ty {
        ty.subst(&|p| self.bound.get(&p).cloned())
    }

    /// Whether `ty` still mentions an undecided parameter.
    pub fn is_open(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Param(p) => self.params.contains(p) && !self.bound.contains_key(p),
            Ty::List(t) | Ty::Set(t) => self.is_open(t),
            Ty::Dict(k, v) => self.is_open(k) || self.is_open(v),
            Ty::Adt(_, args) => args.iter().any(|a| self.is_open(a)),
            Ty::Task(t) | Ty::Thread(t) | Ty::Channel(t) | Ty::Atomic(t) => self.is_open(t),
            Ty::Fn(ps, r) => ps.iter().any(|p| self.is_open(p)) || self.is_open(r),
            _ => false,
        }
    }

    /// Matches `pattern` (a callee type) against `actual`, deciding
    /// parameters on the way. False on a conflict.
    pub fn unify(&mut self, pattern: &Ty, actual: &Ty) -> bool {
        if actual.is_flexible() || pattern.is_flexible() {
            return true;
        }
        match (pattern, actual) {
            (Ty::Param(p), _) if self.params.contains(p) => match self.bound.get(p) {
                Some(b) => b.fits(actual) && actual.fits(b),
                None => {
                    if !actual.has_error() {
                        self.bound.insert(*p, actual.clone());
                    }
                    true
                }
            },
            (Ty::List(a), Ty::List(b)) | (Ty::Set(a), Ty::Set(b)) => self.unify(a, b),
            (Ty::Dict(k1, v1), Ty::Dict(k2, v2)) => self.unify(k1, k2) && self.unify(v1, v2),
            (Ty::Task(a), Ty::Task(b))
            | (Ty::Thread(a), Ty::Thread(b))
            | (Ty::Channel(a), Ty::Channel(b))
            | (Ty::Atomic(a), Ty::Atomic(b)) => self.unify(a, b),
            (Ty::Fn(ps, r), Ty::Fn(qs, s)) if ps.len() == qs.len() => {
                ps.iter().zip(qs).all(|(p, q)| self.unify(p, q)) && self.unify(r, s)
            }
            (Ty::Adt(a, xs), Ty::Adt(b, ys)) if a == b && xs.len() == ys.len() => {
                xs.iter().zip(ys).all(|(x, y)| self.unify(x, y))
            }
            _ => pattern == actual,
        }
    }

    /// Parameters still undecided.
    pub fn missing(&self) -> Vec<ParamId> {
        self.params
            .iter()
            .filter(|p| !self.bound.contains_key(p))
            .copied()
            .collect()
    }

    /// The decided arguments in order (`Error` for undecided ones).
    pub fn args(&self) -> Vec<Ty> {
        self.params
            .iter()
            .map(|p| self.bound.get(p).cloned().unwrap_or(Ty::Error))
            .collect()
    }
}
