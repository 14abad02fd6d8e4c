//! The checking run: collect every item, check every body, find the
//! entry point (`main`, or the test or bench cases), and hand over the
//! HIR if nothing was reported.

use std::collections::HashMap;

use super::{body, items, test_blocks, Checker, Mode};
use crate::diag::Diagnostic;
use crate::hir::{self, FnId};
use crate::modules::SourceModule;
use crate::source::Span;

/// Checks a parsed program: the root module first, then the modules it
/// imports. Returns the HIR when there was no error.
pub fn check(modules: &[SourceModule], file_span: Span) -> (Option<hir::Program>, Vec<Diagnostic>) {
    check_mode(modules, file_span, Mode::Program)
}

/// [`check`] for `mode`: a test or bench build checks the root module's
/// blocks of that kind and needs no `main`.
pub fn check_mode(
    modules: &[SourceModule],
    file_span: Span,
    mode: Mode,
) -> (Option<hir::Program>, Vec<Diagnostic>) {
    let mut checker = Checker {
        mode,
        diags: Vec::new(),
        fns: Vec::new(),
        fn_by_name: HashMap::new(),
        adts: Vec::new(),
        adt_extra: Vec::new(),
        type_names: HashMap::new(),
        resolving: Vec::new(),
        alias_cache: HashMap::new(),
        out_of_stack: false,
        params: Vec::new(),
        modules: Vec::new(),
        cur: 0,
        next_lifted: 0,
        lifted: Vec::new(),
    };
    let decls = items::collect(&mut checker, modules);
    checker.next_lifted = decls.len() as u32;
    let mut functions: Vec<hir::Function> = decls
        .iter()
        .enumerate()
        .map(|(i, decl)| body::check_function(&mut checker, FnId(i as u32), decl))
        .collect();
    functions.append(&mut checker.lifted);
    checker.cur = 0;
    let entry = match (mode, modules.first()) {
        (Mode::Program, _) | (_, None) => {
            items::find_main(&mut checker, file_span).map(hir::Entry::Main)
        }
        (Mode::Test, Some(root)) => Some(hir::Entry::Tests(test_blocks::cases(
            &mut checker,
            &root.ast,
        ))),
        (Mode::Bench, Some(root)) => Some(hir::Entry::Benches(test_blocks::cases(
            &mut checker,
            &root.ast,
        ))),
    };
    let ok = checker.diags.is_empty();
    let program = match entry {
        Some(entry) if ok => Some(hir::Program {
            functions,
            adts: checker.adts,
            params: checker.params,
            entry,
        }),
        _ => None,
    };
    (program, checker.diags)
}
