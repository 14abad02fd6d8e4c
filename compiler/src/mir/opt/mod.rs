//! The optimisation passes: MIR -> MIR rewrites run by [`optimise`]
//! between lowering and code generation (and before `--emit=mir`;
//! `--emit=mir-unopt` prints the MIR as lowered). One file per pass, each
//! opening with a before/after example (tao's `middle/src/opt`).
//!
//! Every pass preserves the program's meaning exactly: evaluation order,
//! panics with their messages and locations, wrap-around arithmetic at
//! each width, float semantics, and what another task may observe or
//! change at a safepoint. In debug builds (and so in tests) `mir::check`
//! runs after every pass.

mod bounds;
mod copy_prop;
mod effects;
mod fold;
mod hoist;
pub mod inline;
mod walk;

use crate::hir;
use crate::mir::{self, Program};

/// A pass: its name (for the checker's messages) and its entry.
type Pass = (&'static str, fn(&mut Program, &hir::Program));

/// The passes, in order. Inlining first, so propagation and folding see
/// the callees' bodies with the caller's arguments; folding after copy
/// propagation, which exposes literals to it, and both twice, since what
/// folding makes (`let y = 6`) propagates further. Then element reads
/// without an `Option` and bounds checks proven away (`bounds`, which
/// finds more counted loops once callees are inlined), then
/// loop-invariant list views (`hoist`, which uses what `bounds` left).
const PASSES: &[Pass] = &[
    ("inline", |p, _| inline::run(p)),
    ("copy_prop", |p, _| copy_prop::run(p)),
    ("fold", |p, _| fold::run(p)),
    ("copy_prop", |p, _| copy_prop::run(p)),
    ("fold", |p, _| fold::run(p)),
    ("bounds", bounds::run),
    ("hoist", hoist::run),
];

/// Runs every pass over `program` (lowered from `hir`).
pub fn optimise(program: &mut Program, hir: &hir::Program) {
    for (name, pass) in PASSES {
        pass(program, hir);
        if cfg!(debug_assertions) {
            if let Err(e) = mir::check(program, hir) {
                panic!("internal compiler error: MIR invalid after pass `{name}`: {e}");
            }
        }
    }
}
