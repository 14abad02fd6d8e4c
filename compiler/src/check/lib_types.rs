//! The types of the concurrency library as type expressions name them:
//! `Channel<T>`, `Atomic<T>` and the synchronisation objects (spec:
//! concurrency.md sections 3, 4 and 6). Their constructors and methods
//! are checked in `sync_lib.rs`.

use super::Checker;
use crate::diag::{Code, Diagnostic};
use crate::hir::{self, SyncKind, Ty};
use crate::source::Span;

/// Whether `name` is a type of the library.
pub(crate) fn is_lib_type(name: &str) -> bool {
    name == "Channel" || name == "Atomic" || SyncKind::from_name(name).is_some()
}

/// The library type `name` with the written type arguments `args`.
pub(crate) fn lib_type(checker: &mut Checker, name: &str, args: Vec<Ty>, span: Span) -> Ty {
    let generic = name == "Channel" || name == "Atomic";
    let wanted = usize::from(generic);
    if args.len() != wanted {
        checker.error(Diagnostic::new(
            Code::TypeMismatch,
            if generic {
                format!("`{name}` takes 1 type argument")
            } else {
                format!("`{name}` takes no type arguments")
            },
            span,
            "wrong number of type arguments",
        ));
        return Ty::Error;
    }
    let mut args = args;
    match name {
        "Channel" => Ty::Channel(Box::new(args.remove(0))),
        "Atomic" => {
            let t = args.remove(0);
            if !atomic_value_ok(&t) {
                let shown = checker.show(&t);
                checker.error(bad_atomic(&t, &shown, span));
                return Ty::Error;
            }
            Ty::Atomic(Box::new(t))
        }
        _ => SyncKind::from_name(name).map_or(Ty::Error, Ty::Sync),
    }
}

/// `Atomic<T>` holds Int32, Int64 or Bool. Not a type parameter: generic
/// code has no way to say that its `T` is one of those, and an
/// `Atomic<T>` instantiated with a `String` or a `Float64` (or `add` on
/// a `Bool`) would silently compute garbage.
pub(crate) fn atomic_value_ok(t: &Ty) -> bool {
    matches!(
        t,
        Ty::Int(hir::IntWidth::W32 | hir::IntWidth::W64) | Ty::Bool | Ty::Error | Ty::Never
    )
}

pub(crate) fn bad_atomic(t: &Ty, shown: &str, span: Span) -> Diagnostic {
    let d = Diagnostic::new(
        Code::TypeMismatch,
        format!("`Atomic` holds `Int32`, `Int64` or `Bool`, not `{shown}`"),
        span,
        "not an atomic value type",
    );
    if matches!(t, Ty::Param(_)) {
        d.with_hint(format!(
            "`{shown}` could be any type: write `Atomic<Int32>`, `Atomic<Int64>` or `Atomic<Bool>`, or share the value through a `Mutex`"
        ))
    } else {
        d.with_hint("share other values through a `Mutex`, or send them on a `Channel`")
    }
}
