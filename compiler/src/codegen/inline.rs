//! Inlining policy. Cranelift performs the inlining ("inlining as a
//! library"); this module decides which calls: direct calls to small Plat
//! functions, one level deep. A self-recursive function thus gets its
//! recursion unrolled once (as gcc does for `fib`), which halves its calls.

use std::borrow::Cow;
use std::collections::HashMap;

use cranelift_codegen::entity::EntityRef;
use cranelift_codegen::inline::{Inline, InlineCommand};
use cranelift_codegen::ir::{self, ExternalName};
use cranelift_module::FuncId;

/// Callees with at most this many instructions are inlined.
const MAX_CALLEE_INSTS: usize = 40;

/// Offers the bodies of small Plat functions to Cranelift's inliner.
/// Made once per object file and lent to every function's inlining pass
/// (making it per function cost time quadratic in the number of
/// functions: issue 7, item 17).
pub(crate) struct SmallFunctions<'a> {
    /// The IR of each Plat function, before optimisation.
    bodies: &'a [ir::Function],
    /// Position in `bodies` of each Plat function's `FuncId`.
    index: HashMap<u32, usize>,
}

impl<'a> SmallFunctions<'a> {
    pub fn new(bodies: &'a [ir::Function], ids: &[FuncId]) -> Self {
        let index = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_u32(), i))
            .collect();
        SmallFunctions { bodies, index }
    }
}

/// Lends one [`SmallFunctions`] to an inlining pass, and records where
/// each inlined body went.
pub(crate) struct Lend<'s, 'a> {
    small: &'s SmallFunctions<'a>,
    /// Per inlined call, in order: the index of the first instruction
    /// made after it was decided (Cranelift copies the callee's body
    /// right then) and the call's source location.
    sites: Vec<(usize, ir::SourceLoc)>,
}

impl<'s, 'a> Lend<'s, 'a> {
    pub fn new(small: &'s SmallFunctions<'a>) -> Self {
        Lend {
            small,
            sites: Vec::new(),
        }
    }

    /// Gives the instructions copied from inlined callees, which
    /// Cranelift leaves without a source location, the location of the
    /// call they replace: debuggers, profilers and the runtime's line
    /// tables then name the call's line for them rather than whatever
    /// code happens to precede them.
    pub fn locate_inlined(&self, func: &mut ir::Function) {
        for (k, &(first, loc)) in self.sites.iter().enumerate() {
            if loc.is_default() {
                continue;
            }
            let end = self
                .sites
                .get(k + 1)
                .map_or(func.dfg.num_insts(), |next| next.0);
            for i in first..end {
                let inst = ir::Inst::new(i);
                if func.srcloc(inst).is_default() {
                    func.set_srcloc(inst, loc);
                }
            }
        }
    }
}

impl Inline for Lend<'_, '_> {
    fn inline(
        &mut self,
        caller: &ir::Function,
        call_inst: ir::Inst,
        call_opcode: ir::Opcode,
        callee: ir::FuncRef,
        call_args: &[ir::Value],
    ) -> InlineCommand<'_> {
        let command = self
            .small
            .decide(caller, call_inst, call_opcode, callee, call_args);
        if matches!(command, InlineCommand::Inline { .. }) {
            self.sites
                .push((caller.dfg.num_insts(), caller.srcloc(call_inst)));
        }
        command
    }
}

/// Whether the function refers to a data symbol (string literals,
/// locations). Cranelift 0.135.8's inliner copies `Symbol` global values
/// without remapping their `UserExternalNameRef` into the caller's name
/// table (function references are remapped), so an inlined symbol would
/// name whatever the caller's table holds at that index. Such callees are
/// not inlined until that is fixed upstream.
fn refers_to_data(func: &ir::Function) -> bool {
    func.global_values
        .values()
        .any(|gv| matches!(gv, ir::GlobalValueData::Symbol { .. }))
}

fn inst_count(func: &ir::Function) -> usize {
    func.layout
        .blocks()
        .map(|b| func.layout.block_insts(b).count())
        .sum()
}

impl SmallFunctions<'_> {
    fn decide(
        &self,
        caller: &ir::Function,
        _call_inst: ir::Inst,
        call_opcode: ir::Opcode,
        callee: ir::FuncRef,
        _call_args: &[ir::Value],
    ) -> InlineCommand<'_> {
        if call_opcode != ir::Opcode::Call {
            return InlineCommand::KeepCall;
        }
        let ExternalName::User(name) = &caller.dfg.ext_funcs[callee].name else {
            return InlineCommand::KeepCall;
        };
        let id = caller.params.user_named_funcs()[*name].index;
        match self.index.get(&id).and_then(|&i| self.bodies.get(i)) {
            Some(body) if inst_count(body) <= MAX_CALLEE_INSTS && !refers_to_data(body) => {
                InlineCommand::Inline {
                    callee: Cow::Borrowed(body),
                    visit_callee: false,
                }
            }
            _ => InlineCommand::KeepCall,
        }
    }
}
