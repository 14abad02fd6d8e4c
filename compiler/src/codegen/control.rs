//! Control flow: blocks, statements, `if`, loops and short-circuit
//! `and`/`or`. Each construct creates its blocks first, branches, then
//! fills them; values merge through block parameters.

use cranelift_codegen::ir::{condcodes::IntCC, Block, BlockArg, InstBuilder, Value};

use super::function::FunctionCx;
use crate::hir::{self, BinOp};
use crate::mir::{self, Stmt};

impl FunctionCx<'_, '_> {
    /// Emits a block; returns its value (the tail's), if any.
    pub fn block(&mut self, block: &mir::Block) -> Option<Value> {
        for stmt in &block.stmts {
            self.stmt(stmt);
        }
        block.tail.as_ref().and_then(|t| self.expr(t))
    }

    /// Emits a loop body. A `Poll` ending it is the loop's back-edge
    /// safepoint (mir/mod.rs): it is left out here and the caller emits it
    /// where the loop latches, which `continue` reaches too.
    /// Returns whether there was one.
    pub fn loop_body(&mut self, body: &mir::Block) -> bool {
        let (stmts, poll) = match body.stmts.split_last() {
            Some((Stmt::Poll, rest)) if body.tail.is_none() => (rest, true),
            _ => (&body.stmts[..], false),
        };
        for stmt in stmts {
            self.stmt(stmt);
        }
        if let Some(t) = &body.tail {
            self.expr(t);
        }
        poll
    }

    pub(super) fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Let { local, value } => {
                let v = self.expr(value);
                if let (Some(var), Some(v)) = (self.var(*local), v) {
                    self.b.def_var(var, v);
                }
            }
            Stmt::Expr(e) => {
                self.expr(e);
            }
            Stmt::Return(value, span) => {
                // The return's own location for the code leaving the
                // function (debuggers stop on the `return` line).
                let outer = self.b.srcloc();
                if self.inlined.is_empty() {
                    let here = self.cx.srcloc(*span);
                    self.b.set_srcloc(here);
                }
                let v = value.as_ref().and_then(|e| self.expr(e));
                if self.leave_inlined(v) {
                    self.b.set_srcloc(outer);
                    return;
                }
                // Leaving the function leaves its `concurrent` blocks.
                self.exit_scopes(0);
                let ret = self.f.ret.clone();
                if self.f.kind == hir::FnKind::Spawn {
                    let slot = self.encode_slot(v);
                    self.b.ins().return_(&[slot]);
                    self.b.set_srcloc(outer);
                    self.start_unreachable_block();
                    return;
                }
                match (self.vt(&ret), v) {
                    (Some(_), Some(v)) => self.b.ins().return_(&[v]),
                    (Some(t), None) => {
                        let z = self.zero(t);
                        self.b.ins().return_(&[z])
                    }
                    (None, _) => self.b.ins().return_(&[]),
                };
                self.b.set_srcloc(outer);
                self.start_unreachable_block();
            }
            Stmt::While { cond, body } => self.while_loop(cond, body),
            Stmt::ForRange {
                var,
                start,
                end,
                inclusive,
                body,
            } => self.for_range(*var, start, end, *inclusive, body),
            Stmt::ForList { var, list, body } => self.for_list(*var, list, body),
            Stmt::ForChannel { var, chan, body } => self.for_channel(*var, chan, body),
            Stmt::Select { arms, span } => {
                // The select's own location for its runtime calls (a
                // panic raised inside names this line).
                self.with_location(*span, |cx| cx.select(arms, *span));
            }
            Stmt::Poll => self.safepoint(),
            Stmt::ListViews { lists, looped } => self.with_list_views(lists, looped),
            Stmt::Concurrent {
                scope,
                deadline,
                body,
            } => self.concurrent(*scope, deadline.as_deref(), body),
            Stmt::Break | Stmt::Continue => {
                let (cont, brk, depth) = *self.loops.last().expect("checker: break inside a loop");
                self.exit_scopes(depth);
                let target = if matches!(stmt, Stmt::Break) {
                    brk
                } else {
                    cont
                };
                self.b.ins().jump(target, &[]);
                self.start_unreachable_block();
            }
        }
    }

    /// `while (cond) { body }`. `continue` goes to the latch, so a loop
    /// that always continues still polls. A condition made of locals,
    /// literals, arithmetic and list lengths is tested before the loop
    /// and again at the latch, which branches back to the body (the loop
    /// rotated, as compilers do: one conditional branch per iteration
    /// instead of a test at the top and a jump back to it); any other
    /// condition is emitted once, in a header the latch jumps to.
    fn while_loop(&mut self, cond: &mir::Expr, body: &mir::Block) {
        let body_block = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        let rotated = cheap_to_repeat(cond);
        let header = if rotated {
            self.branch_on(cond, body_block, exit);
            None
        } else {
            let header = self.b.create_block();
            self.b.ins().jump(header, &[]);
            self.b.switch_to_block(header);
            self.branch_on(cond, body_block, exit);
            Some(header)
        };
        self.b.switch_to_block(body_block);
        self.loops.push((latch, exit, self.open_scopes.len()));
        let poll = self.loop_body(body);
        self.loops.pop();
        self.b.ins().jump(latch, &[]);
        self.b.switch_to_block(latch);
        if poll {
            self.safepoint();
        }
        match header {
            None => self.branch_on(cond, body_block, exit),
            Some(h) => {
                self.b.ins().jump(h, &[]);
            }
        }
        self.b.switch_to_block(exit);
    }

    /// `for (var in start..end)`: the bounds are evaluated once; with `..=`
    /// the loop stops after `end` without computing `end + 1`, so a range
    /// ending at the type's maximum terminates.
    fn for_range(
        &mut self,
        var: hir::LocalId,
        start: &mir::Expr,
        end: &mir::Expr,
        inclusive: bool,
        body: &mir::Block,
    ) {
        let ty = self.vt(&start.ty).expect("checker: integer range");
        let first = self.expr_value(start);
        let last = self.expr_value(end);
        let body_block = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        let i = self.b.append_block_param(body_block, ty);
        let cc = if inclusive {
            IntCC::SignedLessThanOrEqual
        } else {
            IntCC::SignedLessThan
        };
        // Rotated: tested once before the loop, then at the latch, which
        // branches back to the body.
        let any = self.b.ins().icmp(cc, first, last);
        self.b
            .ins()
            .brif(any, body_block, &[BlockArg::Value(first)], exit, &[]);

        self.b.switch_to_block(body_block);
        if let Some(v) = self.var(var) {
            self.b.def_var(v, i);
        }
        self.loops.push((latch, exit, self.open_scopes.len()));
        let poll = self.loop_body(body);
        self.loops.pop();
        self.b.ins().jump(latch, &[]);

        self.b.switch_to_block(latch);
        if poll {
            self.safepoint();
        }
        if inclusive {
            // Stop after `last` without computing `last + 1`.
            let at_end = self.b.ins().icmp(IntCC::Equal, i, last);
            let next = self.b.ins().iadd_imm_s(i, 1);
            self.b
                .ins()
                .brif(at_end, exit, &[], body_block, &[BlockArg::Value(next)]);
        } else {
            let next = self.b.ins().iadd_imm_s(i, 1);
            let more = self.b.ins().icmp(IntCC::SignedLessThan, next, last);
            self.b
                .ins()
                .brif(more, body_block, &[BlockArg::Value(next)], exit, &[]);
        }
        self.b.switch_to_block(exit);
    }

    /// `for (x in list)`: the length is read on every iteration, so
    /// pushing inside the loop extends it, as in a `while` over indices.
    fn for_list(&mut self, var: hir::LocalId, list: &mir::Expr, body: &mir::Block) {
        let l = self.expr_value(list);
        let elem_ty = match list.ty.clone() {
            hir::Ty::List(t) => *t,
            _ => hir::Ty::Error,
        };
        let header = self.b.create_block();
        let body_block = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        let i = self
            .b
            .append_block_param(header, cranelift_codegen::ir::types::I64);
        let zero = self.b.ins().iconst(cranelift_codegen::ir::types::I64, 0);
        self.b.ins().jump(header, &[BlockArg::Value(zero)]);
        self.b.switch_to_block(header);
        // A list under a view (`Stmt::ListViews`) is read through it.
        let view = self.view_of(list);
        let len = match view {
            Some((len, _)) => len,
            None => self.list_len(l),
        };
        let more = self.b.ins().icmp(IntCC::SignedLessThan, i, len);
        self.b.ins().brif(more, body_block, &[], exit, &[]);
        self.b.switch_to_block(body_block);
        let data = match view {
            Some((_, data)) => data,
            None => self.list_data(l),
        };
        let addr = self.elem_addr_in(data, i, &elem_ty);
        let v = self.load_elem_value(addr, &elem_ty);
        if let (Some(var), Some(v)) = (self.var(var), v) {
            self.b.def_var(var, v);
        }
        self.loops.push((latch, exit, self.open_scopes.len()));
        let poll = self.loop_body(body);
        self.loops.pop();
        self.b.ins().jump(latch, &[]);
        self.b.switch_to_block(latch);
        if poll {
            self.safepoint();
        }
        let next = self.b.ins().iadd_imm_s(i, 1);
        self.b.ins().jump(header, &[BlockArg::Value(next)]);
        self.b.switch_to_block(exit);
    }

    pub fn if_expr(
        &mut self,
        cond: &mir::Expr,
        then: &mir::Block,
        otherwise: Option<&mir::Block>,
        ty: &hir::Ty,
    ) -> Option<Value> {
        let result_ty = self.vt(ty);
        let then_block = self.b.create_block();
        let else_block = self.b.create_block();
        let merge = self.b.create_block();
        let result = result_ty.map(|t| self.b.append_block_param(merge, t));
        self.branch_on(cond, then_block, else_block);

        self.b.switch_to_block(then_block);
        let v = self.block(then);
        self.jump_with(merge, v, result_ty);

        self.b.switch_to_block(else_block);
        let v = otherwise.and_then(|o| self.block(o));
        self.jump_with(merge, v, result_ty);

        self.b.switch_to_block(merge);
        result
    }

    /// Branches to `yes` if `cond` holds, else to `no`; `not c` branches
    /// on `c` with the targets swapped instead of computing the negation.
    fn branch_on(&mut self, cond: &mir::Expr, yes: Block, no: Block) {
        let (mut cond, mut yes, mut no) = (cond, yes, no);
        while let mir::ExprKind::Unary {
            op: hir::UnOp::Not,
            operand,
        } = &cond.kind
        {
            cond = operand;
            std::mem::swap(&mut yes, &mut no);
        }
        let c = self.expr_value(cond);
        self.b.ins().brif(c, yes, &[], no, &[]);
    }

    /// `a and b` / `a or b`, `l` the value of `a`: `b` is evaluated only
    /// when it decides.
    pub fn short_circuit(&mut self, op: BinOp, l: Value, rhs: &mir::Expr) -> Value {
        let rhs_block = self.b.create_block();
        let merge = self.b.create_block();
        let result = self
            .b
            .append_block_param(merge, cranelift_codegen::ir::types::I8);
        let short = [BlockArg::Value(l)];
        if op == BinOp::And {
            self.b.ins().brif(l, rhs_block, &[], merge, &short);
        } else {
            self.b.ins().brif(l, merge, &short, rhs_block, &[]);
        }
        self.b.switch_to_block(rhs_block);
        let r = self.expr_value(rhs);
        self.b.ins().jump(merge, &[BlockArg::Value(r)]);
        self.b.switch_to_block(merge);
        result
    }
}

/// Whether `cond` is cheap and safe to emit twice (a rotated `while`):
/// locals, literals, arithmetic, comparisons, casts and list lengths.
fn cheap_to_repeat(cond: &mir::Expr) -> bool {
    let mut nodes = 0;
    mir::visit::walk_expr(cond, &mut |n| {
        nodes += 1;
        match n {
            mir::visit::Node::Expr(e) => {
                nodes <= 12
                    && matches!(
                        e.kind,
                        mir::ExprKind::Local(_)
                            | mir::ExprKind::Int(_)
                            | mir::ExprKind::Float(_)
                            | mir::ExprKind::Bool(_)
                            | mir::ExprKind::Binary { .. }
                            | mir::ExprKind::Unary { .. }
                            | mir::ExprKind::Cast { .. }
                            | mir::ExprKind::Builtin {
                                op: hir::Builtin::ListLen,
                                ..
                            }
                    )
            }
            _ => false,
        }
    })
}
