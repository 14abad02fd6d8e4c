//! The MIR optimisation passes (issue 14 item 3), run by the driver after
//! lowering and before code generation and `--emit=mir`
//! (`--emit=mir-unopt` prints the MIR before them). Each pass is a file
//! of its own, opening with a before/after example; in debug builds
//! [`mir::check`](super::check) runs after every pass.
//!
//! (A minimal pass manager made by h-bounds; h-inline owns this file and
//! its inlining, folding and copy propagation passes run first.)

mod bounds;
mod effects;
mod hoist;

use super::Program;
use crate::hir;

/// A pass: rewrites every function of the program in place.
type Pass = fn(&mut Program, &hir::Program);

/// The passes, in order: element reads without an `Option` and bounds
/// checks proven away (`bounds`), then loop-invariant list views
/// (`hoist`, which uses what `bounds` left).
const PASSES: &[(&str, Pass)] = &[("bounds", bounds::run), ("hoist", hoist::run)];

/// Runs every pass over `program`.
pub fn optimise(program: &mut Program, hir: &hir::Program) {
    for (name, pass) in PASSES {
        pass(program, hir);
        if cfg!(debug_assertions) {
            if let Err(e) = super::check(program, hir) {
                panic!("internal compiler error: after the {name} pass: {e}");
            }
        }
    }
}
