//! The structural checker: the invariants of `mir/mod.rs` that a lowering
//! or an optimisation pass could break, tested after lowering in debug
//! builds and in tests (and after each pass, once there are passes). A
//! failure is a compiler bug; the message names the function.

use super::visit::{walk, Node};
use super::*;

/// Checks every function of `program`; the first violation found, as a
/// message naming the instance.
pub fn check(program: &Program, hir: &hir::Program) -> Result<(), String> {
    for id in program.ids() {
        check_function(program, id).map_err(|e| {
            format!(
                "MIR of `{}` (instance {}): {e}",
                show_instance(program, hir, id),
                id.0
            )
        })?;
    }
    for (ty, slots) in &program.vtables {
        if ty.has_params() {
            return Err(format!("a vtable for the generic type {}", hir.show(ty)));
        }
        for s in slots {
            if s.0 as usize >= program.functions.len() {
                return Err(format!(
                    "the vtable of {} names no instance {}",
                    hir.show(ty),
                    s.0
                ));
            }
        }
    }
    if let Some(main) = program.main {
        if main.0 as usize >= program.functions.len() {
            return Err("the entry names no instance".into());
        }
    }
    Ok(())
}

/// `name<T1, T2>` of an instance.
pub(super) fn show_instance(program: &Program, hir: &hir::Program, id: InstId) -> String {
    let f = program.function(id);
    if f.type_args.is_empty() {
        return f.name.clone();
    }
    let args: Vec<String> = f.type_args.iter().map(|t| hir.show(t)).collect();
    format!("{}<{}>", f.name, args.join(", "))
}

fn concrete(ty: &Ty, what: &str) -> Result<(), String> {
    if ty.has_params() || ty.has_error() {
        return Err(format!("{what} has the unresolved type {ty:?}"));
    }
    Ok(())
}

fn check_function(program: &Program, id: InstId) -> Result<(), String> {
    let f = program.function(id);
    for (i, l) in f.locals.iter().enumerate() {
        concrete(&l.ty, &format!("local {}_{i}", l.name))?;
    }
    concrete(&f.ret, "the return type")?;
    for t in &f.type_args {
        concrete(t, "a type argument")?;
    }
    let declared = |l: &LocalId, what: &str| -> Result<(), String> {
        if (l.0 as usize) < f.locals.len() {
            Ok(())
        } else {
            Err(format!("{what} uses the undeclared local {}", l.0))
        }
    };
    for l in f.params.iter().chain(&f.captures) {
        declared(l, "the signature")?;
    }
    let instance = |i: &InstId| -> Result<&Function, String> {
        program
            .functions
            .get(i.0 as usize)
            .ok_or_else(|| format!("no instance {}", i.0))
    };
    let mut error: Option<String> = None;
    walk(&f.body, &mut |node| {
        let r = match node {
            Node::Expr(e) => check_expr(e, &declared, &instance),
            Node::Stmt(s) => check_stmt(s, &declared),
            Node::Pattern(Pattern::Binding(l)) => declared(l, "a pattern"),
            Node::Pattern(_) => Ok(()),
        };
        match r {
            Ok(()) => true,
            Err(e) => {
                error = Some(e);
                false
            }
        }
    });
    error.map_or(Ok(()), Err)
}

fn check_expr<'p>(
    e: &Expr,
    declared: &impl Fn(&LocalId, &str) -> Result<(), String>,
    instance: &impl Fn(&InstId) -> Result<&'p Function, String>,
) -> Result<(), String> {
    concrete(&e.ty, "an expression")?;
    match &e.kind {
        ExprKind::Local(l) => declared(l, "a read")?,
        ExprKind::Assign { local, .. } => declared(local, "an assignment")?,
        ExprKind::Call { func, args } => {
            let callee = instance(func)?;
            let arity = callee.params.len();
            if args.len() != arity || args.iter().any(|(slot, _)| *slot >= arity) {
                return Err(format!(
                    "a call to `{}` passes {} arguments to {} parameters",
                    callee.name,
                    args.len(),
                    arity
                ));
            }
            if callee.kind != FnKind::Plain {
                return Err(format!(
                    "a direct call to the lifted body `{}`",
                    callee.name
                ));
            }
        }
        ExprKind::VirtualCall { params, args, .. } => {
            if args.len() != params.len() {
                return Err(format!(
                    "a virtual call passes {} arguments to {} parameters",
                    args.len(),
                    params.len()
                ));
            }
            for p in params {
                concrete(p, "a virtual call's parameter")?;
            }
        }
        ExprKind::Closure { func, captures } | ExprKind::ThreadSpawn { func, captures } => {
            instance(func)?;
            for c in captures {
                declared(c, "a capture")?;
            }
        }
        ExprKind::Spawn {
            func,
            captures,
            scope,
        } => {
            instance(func)?;
            declared(scope, "a spawn")?;
            for c in captures {
                declared(c, "a capture")?;
            }
        }
        ExprKind::FnRef(func) if instance(func)?.kind != FnKind::Plain => {
            return Err("a function value of a lifted body".into());
        }
        ExprKind::Race { scope, .. } => declared(scope, "a race")?,
        ExprKind::ListElem { list, .. } | ExprKind::ListStore { list, .. }
            if !matches!(list.ty, Ty::List(_)) =>
        {
            return Err("an element access on something that is not a list".into());
        }
        ExprKind::Inlined { func, .. } => {
            let callee = instance(func)?;
            if callee.kind != FnKind::Plain {
                return Err(format!("the lifted body `{}` inlined", callee.name));
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_stmt(
    s: &Stmt,
    declared: &impl Fn(&LocalId, &str) -> Result<(), String>,
) -> Result<(), String> {
    match s {
        Stmt::Let { local, .. } => declared(local, "a let"),
        Stmt::ForRange { var, .. } | Stmt::ForList { var, .. } | Stmt::ForChannel { var, .. } => {
            declared(var, "a loop")
        }
        Stmt::Concurrent { scope, .. } => declared(scope, "a concurrent block"),
        Stmt::ListViews { lists, looped } => {
            for l in lists {
                declared(l, "a list view")?;
            }
            match **looped {
                Stmt::While { .. } | Stmt::ForRange { .. } | Stmt::ForList { .. } => Ok(()),
                _ => Err("list views around a statement that is not a loop".into()),
            }
        }
        Stmt::Select { arms, .. } => {
            for a in arms {
                match &a.kind {
                    SelectArmKind::Recv { local, .. } => declared(local, "a select arm")?,
                    SelectArmKind::Send { local: Some(l), .. } => declared(l, "a select arm")?,
                    _ => {}
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program_with(body: Block, locals: usize) -> Program {
        let f = Function {
            name: "f".into(),
            origin: FnId(0),
            type_args: Vec::new(),
            kind: FnKind::Plain,
            is_init: false,
            captures: Vec::new(),
            params: Vec::new(),
            ret: Ty::Unit,
            locals: (0..locals)
                .map(|i| Local {
                    name: format!("x{i}"),
                    ty: Ty::INT64,
                    mutable: true,
                })
                .collect(),
            body,
            span: Span::default(),
        };
        Program {
            functions: vec![f],
            main: Some(InstId(0)),
            ..Program::default()
        }
    }

    fn hir() -> hir::Program {
        hir::Program {
            functions: Vec::new(),
            adts: Vec::new(),
            params: vec!["T".into()],
            entry: hir::Entry::Main(FnId(0)),
        }
    }

    fn body(stmts: Vec<Stmt>) -> Block {
        Block {
            stmts,
            tail: None,
            ty: Ty::Unit,
        }
    }

    fn e(kind: ExprKind, ty: Ty) -> Expr {
        Expr::new(kind, ty, Span::default())
    }

    #[test]
    fn accepts_a_well_formed_body() {
        let b = body(vec![
            Stmt::Poll,
            Stmt::Let {
                local: LocalId(0),
                value: e(ExprKind::Int(1), Ty::INT64),
            },
            Stmt::Expr(e(ExprKind::Local(LocalId(0)), Ty::INT64)),
        ]);
        assert_eq!(check(&program_with(b, 1), &hir()), Ok(()));
    }

    #[test]
    fn rejects_an_undeclared_local() {
        let b = body(vec![Stmt::Expr(e(ExprKind::Local(LocalId(3)), Ty::INT64))]);
        let err = check(&program_with(b, 1), &hir()).expect_err("rejected");
        assert!(err.contains("undeclared local 3"), "{err}");
    }

    #[test]
    fn rejects_a_type_parameter() {
        let b = body(vec![Stmt::Expr(e(
            ExprKind::Unit,
            Ty::Param(hir::ParamId(0)),
        ))]);
        let err = check(&program_with(b, 0), &hir()).expect_err("rejected");
        assert!(err.contains("unresolved type"), "{err}");
    }

    #[test]
    fn rejects_a_call_to_a_missing_instance() {
        let call = ExprKind::Call {
            func: InstId(7),
            args: Vec::new(),
        };
        let b = body(vec![Stmt::Expr(e(call, Ty::Unit))]);
        let err = check(&program_with(b, 0), &hir()).expect_err("rejected");
        assert!(err.contains("no instance 7"), "{err}");
    }

    #[test]
    fn rejects_a_call_with_the_wrong_arity() {
        let call = ExprKind::Call {
            func: InstId(0),
            args: vec![(0, e(ExprKind::Int(1), Ty::INT64))],
        };
        let b = body(vec![Stmt::Expr(e(call, Ty::Unit))]);
        let err = check(&program_with(b, 0), &hir()).expect_err("rejected");
        assert!(err.contains("passes 1 arguments to 0 parameters"), "{err}");
    }

    #[test]
    fn rejects_an_undeclared_local_deep_in_a_loop() {
        let inner = Stmt::While {
            cond: e(ExprKind::Bool(true), Ty::Bool),
            body: body(vec![Stmt::Expr(e(
                ExprKind::Assign {
                    local: LocalId(5),
                    value: Box::new(e(ExprKind::Int(0), Ty::INT64)),
                },
                Ty::Unit,
            ))]),
        };
        let err = check(&program_with(body(vec![inner]), 1), &hir()).expect_err("rejected");
        assert!(
            err.contains("an assignment uses the undeclared local 5"),
            "{err}"
        );
    }
}
