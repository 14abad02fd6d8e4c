//! The list nodes the optimisation passes add (`mir/opt/bounds.rs`,
//! `mir/opt/hoist.rs`): element reads without an `Option`
//! ([`mir::ExprKind::ListElem`]), stores proven in range
//! ([`mir::ExprKind::ListStore`]) and a loop's list views
//! ([`mir::Stmt::ListViews`]).
//!
//! A view is a list's `len` and then its `data`, loaded once before the
//! loop, in that order (the order every bounds check loads them in, see
//! `collections.rs` `list_len`): an index below that `len` is inside
//! that `data`'s buffer, whatever other tasks do to the list meanwhile
//! (runtime/src/collections/list.rs, invariants 1-3). Inside the loop,
//! every access to the list local goes through the view
//! ([`FunctionCx::view_of`]).

use cranelift_codegen::ir::{condcodes::IntCC, InstBuilder, Value};

use super::collections::elem;
use super::function::FunctionCx;
use crate::hir::{LocalId, Ty};
use crate::mir::{ElemCheck, Expr, ExprKind, Stmt, StoreCheck};
use crate::source::Span;

impl FunctionCx<'_, '_> {
    /// The view `(len, data)` of `list` if it is a list local under an
    /// enclosing `Stmt::ListViews`.
    pub fn view_of(&self, list: &Expr) -> Option<(Value, Value)> {
        let ExprKind::Local(id) = list.kind else {
            return None;
        };
        self.views
            .iter()
            .rev()
            .find(|(l, _, _)| *l == id)
            .map(|&(_, len, data)| (len, data))
    }

    /// `list`'s view if it has one, else its `len` and `data` loaded now
    /// (`l` is the list's value).
    pub fn list_bound_of(&mut self, list: &Expr, l: Value) -> (Value, Value) {
        match self.view_of(list) {
            Some(v) => v,
            None => self.list_bound(l),
        }
    }

    /// `views lists { looped }`: loads each list's view (one already in
    /// view from an enclosing loop keeps it), emits the loop, drops them.
    pub fn with_list_views(&mut self, lists: &[LocalId], looped: &Stmt) {
        let before = self.views.len();
        for &id in lists {
            if self.views.iter().any(|(l, _, _)| *l == id) {
                continue;
            }
            let Some(var) = self.var(id) else { continue };
            let l = self.b.use_var(var);
            let (len, data) = self.list_bound(l);
            self.views.push((id, len, data));
        }
        self.stmt(looped);
        self.views.truncate(before);
    }

    /// `ListElem`: element `index` of `list`; with `ElemCheck::Panic`,
    /// out of range panics at `span` with `unwrap`'s message (or the
    /// `expect` message), exactly as `xs[i].unwrap()` did; with
    /// `ElemCheck::NonNegative` only a negative index can be out of range
    /// (the pass proved it below the length) and panics the same way.
    pub fn list_elem(
        &mut self,
        list: &Expr,
        index: &Expr,
        check: &ElemCheck,
        ty: &Ty,
        span: Span,
    ) -> Option<Value> {
        let elem_ty = elem(&list.ty);
        let l = self.expr(list)?;
        let i = self.expr(index)?;
        let i = self.index64(i);
        let (len, data) = self.list_bound_of(list, l);
        let inside = match check {
            ElemCheck::Panic { .. } => Some(self.b.ins().icmp(IntCC::UnsignedLessThan, i, len)),
            ElemCheck::NonNegative { .. } => Some(self.b.ins().icmp_imm_s(
                IntCC::SignedGreaterThanOrEqual,
                i,
                0,
            )),
            ElemCheck::InRange => None,
        };
        if let Some(inside) = inside {
            let ok = self.b.create_block();
            let bad = self.b.create_block();
            self.b.set_cold_block(bad);
            self.b.ins().brif(inside, ok, &[], bad, &[]);
            self.b.switch_to_block(bad);
            let message = match check.message() {
                Some(m) => self.expr_value(m),
                None => self.string_const("called `unwrap()` on `None`"),
            };
            let loc = self.location(span);
            self.call_runtime("plat_panic", &[message, loc]);
            self.b.switch_to_block(ok);
        }
        let addr = self.elem_addr_in(data, i, &elem_ty);
        self.load_elem_value(addr, ty)
    }

    /// `ListStore`: `list.set(index =, value =)` with the index proven
    /// below the list's length: the store alone, or with
    /// `StoreCheck::NonNegative` after a sign check whose failure calls
    /// the runtime's `set`, which panics as `set` does (a negative index
    /// is out of range) and so never returns here.
    pub fn list_store(
        &mut self,
        list: &Expr,
        index: &Expr,
        value: &Expr,
        check: StoreCheck,
        span: Span,
    ) {
        let elem_ty = elem(&list.ty);
        let Some(l) = self.expr(list) else { return };
        let Some(i) = self.expr(index) else { return };
        let i = self.index64(i);
        let v = self.expr(value);
        let (_, data) = self.list_bound_of(list, l);
        if check == StoreCheck::NonNegative {
            let inside = self
                .b
                .ins()
                .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, i, 0);
            let ok = self.b.create_block();
            let bad = self.b.create_block();
            self.b.set_cold_block(bad);
            self.b.ins().brif(inside, ok, &[], bad, &[]);
            self.b.switch_to_block(bad);
            let slot = self.encode_slot(v);
            let loc = self.location(span);
            self.call_runtime("plat_list_set", &[l, i, slot, loc]);
            // A negative index: the runtime panicked and does not return.
            self.b.ins().trap(super::function::UNREACHABLE);
            self.b.switch_to_block(ok);
        }
        let addr = self.elem_addr_in(data, i, &elem_ty);
        self.store_elem_value(v, addr, &elem_ty);
    }
}
