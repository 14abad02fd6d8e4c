//! Methods of the built-in generic types: `List[T]`, `Dict[K, V]`,
//! `Set[T]`, `Option<T>` and `Result<T, E>`, with the receiver's type
//! arguments substituted into each signature.
//!
//! `Dict.get` and `Dict.remove` return `Option<V>`, like `List.get` and
//! indexing; `get_or` gives a default instead.

use super::builtin_sig::{BuiltinParam, BuiltinSig, ParamTy};
use crate::hir::{AdtId, Builtin, Ty};

fn p(name: &'static str, ty: Ty) -> BuiltinParam {
    BuiltinParam {
        name,
        ty: ParamTy::Exactly(ty),
        optional: false,
    }
}

fn sig(op: Builtin, params: Vec<BuiltinParam>, ret: Ty) -> Option<BuiltinSig> {
    Some(BuiltinSig { op, params, ret })
}

/// A method of `List`, `Dict` or `Set` on a receiver of type `recv`.
pub(crate) fn method(recv: &Ty, name: &str) -> Option<BuiltinSig> {
    use Builtin::*;
    let i32 = || Ty::INT32;
    match recv {
        Ty::List(t) => {
            let t = || (**t).clone();
            let list = || recv.clone();
            match name {
                "len" | "length" => sig(ListLen, vec![], i32()),
                "push" | "append" => sig(ListPush, vec![p("value", t())], Ty::Unit),
                "set" => sig(ListSet, vec![p("index", i32()), p("value", t())], Ty::Unit),
                "insert_at" => sig(
                    ListInsertAt,
                    vec![p("index", i32()), p("value", t())],
                    Ty::Unit,
                ),
                "count" => sig(ListCount, vec![p("value", t())], i32()),
                "slice" => sig(ListSlice, vec![p("start", i32()), p("end", i32())], list()),
                "clear" => sig(ListClear, vec![], Ty::Unit),
                "get" => sig(ListGet, vec![p("index", i32())], Ty::option(t())),
                "pop" => sig(ListPop, vec![], Ty::option(t())),
                "remove_at" => sig(ListRemoveAt, vec![p("index", i32())], Ty::option(t())),
                "index_of" => sig(ListIndexOf, vec![p("value", t())], Ty::option(i32())),
                "contains" => sig(ListContains, vec![p("value", t())], Ty::Bool),
                "concat" => sig(ListConcat, vec![p("other", list())], list()),
                "sort" => sig(ListSort, vec![], Ty::Unit),
                "sort_by" => {
                    let f = Ty::Fn(vec![t(), t()], Box::new(i32()));
                    sig(ListSortBy, vec![p("f", f)], Ty::Unit)
                }
                "reverse" => sig(ListReverse, vec![], Ty::Unit),
                "first" => sig(ListFirst, vec![], Ty::option(t())),
                "last" => sig(ListLast, vec![], Ty::option(t())),
                "is_empty" => sig(ListIsEmpty, vec![], Ty::Bool),
                "extend" => sig(ListExtend, vec![p("other", list())], Ty::Unit),
                "min" => sig(ListMin, vec![], Ty::option(t())),
                "max" => sig(ListMax, vec![], Ty::option(t())),
                "join" => sig(ListJoin, vec![p("separator", Ty::String)], Ty::String),
                _ => None,
            }
        }
        Ty::Dict(k, v) => {
            let k = || (**k).clone();
            let v = || (**v).clone();
            match name {
                "get" => sig(DictGet, vec![p("key", k())], Ty::option(v())),
                "get_or" => sig(DictGetOr, vec![p("key", k()), p("default", v())], v()),
                "set" | "insert" => sig(DictSet, vec![p("key", k()), p("value", v())], Ty::Bool),
                "remove" => sig(DictRemove, vec![p("key", k())], Ty::option(v())),
                "has_key" => sig(DictHasKey, vec![p("key", k())], Ty::Bool),
                "has_value" => sig(DictHasValue, vec![p("value", v())], Ty::Bool),
                "keys" => sig(DictKeys, vec![], Ty::List(Box::new(k()))),
                "values" => sig(DictValues, vec![], Ty::List(Box::new(v()))),
                "merge" => sig(DictMerge, vec![p("other", recv.clone())], Ty::Unit),
                "len" | "length" => sig(DictLen, vec![], i32()),
                "clear" => sig(DictClear, vec![], Ty::Unit),
                _ => None,
            }
        }
        Ty::Set(t) => {
            let t = || (**t).clone();
            let set = || recv.clone();
            match name {
                "add" => sig(SetAdd, vec![p("value", t())], Ty::Bool),
                "remove" => sig(SetRemove, vec![p("value", t())], Ty::Bool),
                "contains" => sig(SetContains, vec![p("value", t())], Ty::Bool),
                "len" | "length" => sig(SetLen, vec![], i32()),
                "clear" => sig(SetClear, vec![], Ty::Unit),
                "union" => sig(SetUnion, vec![p("other", set())], set()),
                "intersection" => sig(SetIntersection, vec![p("other", set())], set()),
                "difference" => sig(SetDifference, vec![p("other", set())], set()),
                "is_subset_of" => sig(SetIsSubsetOf, vec![p("other", set())], Ty::Bool),
                "is_superset_of" => sig(SetIsSupersetOf, vec![p("other", set())], Ty::Bool),
                "is_disjoint_from" => sig(SetIsDisjointFrom, vec![p("other", set())], Ty::Bool),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Every method name of the receiver's type, for "did you mean" hints.
pub(crate) fn method_names(recv: &Ty) -> &'static [&'static str] {
    match recv {
        Ty::List(_) => &[
            "len",
            "length",
            "push",
            "append",
            "set",
            "insert_at",
            "count",
            "slice",
            "clear",
            "get",
            "pop",
            "remove_at",
            "index_of",
            "contains",
            "concat",
            "any",
            "all",
            "sort",
            "sort_by",
            "reverse",
            "map",
            "filter",
            "reduce",
            "for_each",
            "find",
            "first",
            "last",
            "is_empty",
            "extend",
            "min",
            "max",
            "sum",
            "join",
        ],
        Ty::Dict(..) => &[
            "get",
            "get_or",
            "set",
            "insert",
            "remove",
            "has_key",
            "has_value",
            "keys",
            "values",
            "merge",
            "len",
            "length",
            "clear",
            "for_each",
        ],
        Ty::Set(_) => &[
            "add",
            "remove",
            "contains",
            "len",
            "length",
            "clear",
            "union",
            "intersection",
            "difference",
            "is_subset_of",
            "is_superset_of",
            "is_disjoint_from",
        ],
        _ => &[],
    }
}

pub(crate) const ENUM_METHODS: &[&str] = &[
    "is_some",
    "is_none",
    "is_ok",
    "is_err",
    "unwrap",
    "expect",
    "unwrap_or",
];

/// A method of `Option<T>` or `Result<T, E>` (decision 8).
pub(crate) fn enum_method(recv: &Ty, name: &str) -> Option<BuiltinSig> {
    use Builtin::*;
    let Ty::Adt(id, args) = recv else { return None };
    let t = args.first().cloned().unwrap_or(Ty::Error);
    let option = *id == AdtId::OPTION;
    match (name, option) {
        ("is_some", true) | ("is_ok", false) => sig(IsFirst, vec![], Ty::Bool),
        ("is_none", true) | ("is_err", false) => sig(IsSecond, vec![], Ty::Bool),
        ("unwrap", _) => sig(Unwrap, vec![], t),
        ("expect", _) => sig(Expect, vec![p("message", Ty::String)], t),
        ("unwrap_or", _) => sig(UnwrapOr, vec![p("default", t.clone())], t),
        _ => None,
    }
}
