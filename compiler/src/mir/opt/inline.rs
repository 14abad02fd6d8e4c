//! Inlining: a direct call to a plain function is replaced by a copy of
//! its body, in an [`ExprKind::Inlined`] block.
//!
//! ```text
//! fn sq(x_0: Float64) -> Float64 {       fn main() {
//!     return x_0 * x_0                       poll
//! }                                          @Print(inlined sq {
//! fn main() {                      =>            let x_1: Float64 = 1.5
//!     poll                                       return x_1 * x_1
//!     @Print(sq(1.5))                        })
//! }                                      }
//! ```
//!
//! The callee's parameters become fresh locals of the caller, bound to the
//! arguments in their evaluation order (so every argument is evaluated
//! once, in order, before the body, as for the call); its other locals
//! are renumbered after the caller's. A `return` (or failing `?`) in the
//! copy leaves the `Inlined` block with its value (code generation's
//! inline frames). The copy drops the callee's entry `Poll`: the caller,
//! which calls Plat code, polls at its entry, and the copy's loops keep
//! their back-edge polls, so every loop still polls once per iteration.
//! Spans are the callee's, so a panic inside names the callee's line.
//! Closure, spawn and thread bodies are separate instances and are never
//! inlined into their creators; calls through function values and
//! vtables stay calls.
//!
//! Which calls: functions are visited bottom-up over the call graph
//! (strongly connected components, callees first), so a callee already
//! holds what was inlined into it and inlining goes several levels deep.
//! A call is inlined when the callee is small ([`SMALL`] nodes, more
//! inside a loop: [`SMALL_IN_LOOP`]), or has this call as its only use
//! (up to [`ONCE`] nodes). Recursion: a function is never inlined into
//! another of its component (mutual recursion stays calls, so there is
//! no loop over a cycle); a small self-recursive function gets its own
//! *original* body inlined at each recursive call, and again at the
//! copy's recursive calls ([`SELF_UNROLL_DEPTH`] levels: `fib` makes a
//! quarter of the calls, as gcc's recursive inlining does), whose calls
//! stay calls. Growth is
//! bounded per function ([`grows_to`]) and for the program ([`budget`]).
//!
//! Concurrency: the copy runs on the caller's task exactly as the call
//! would have (same operations, same order, same polls at loop back
//! edges); no value is cached across a safepoint that was not already
//! held by the callee, so what another task may change is read as
//! before.

use super::walk::{walk_expr, walk_pattern, walk_stmt, VisitMut};
use crate::hir::{Local, LocalId};
use crate::mir::{
    self, visit, Block, Expr, ExprKind, Function, InstId, Pattern, Program, SelectArmKind, Stmt,
};

/// Callees of at most this many nodes are inlined anywhere.
pub const SMALL: usize = 40;
/// Inside a loop the call runs often: callees up to this size.
pub const SMALL_IN_LOOP: usize = 120;
/// A callee used by one call only is inlined up to this size.
pub const ONCE: usize = 400;
/// A self-recursive function up to this size is unrolled.
pub const SELF_UNROLL: usize = SMALL;
/// How many levels of its own body a small self-recursive function gets
/// at each recursive call (2: the copies' recursive calls get one more
/// copy; the body grows about `1 + c + c^2` times for `c` recursive
/// calls, inside the growth bounds).
pub const SELF_UNROLL_DEPTH: usize = 2;

/// The size, in MIR nodes, a function of `size` may grow to.
pub fn grows_to(size: usize) -> usize {
    (size * 3).max(size + 2 * ONCE)
}

/// The nodes inlining may add to a program of `total` nodes.
pub fn budget(total: usize) -> usize {
    total + 4 * ONCE
}

/// The number of nodes of a body (polls not counted): the measure of
/// code size for the decisions above.
pub fn size(body: &Block) -> usize {
    let mut n = 0;
    visit::walk(body, &mut |node| {
        if !matches!(node, visit::Node::Stmt(Stmt::Poll)) {
            n += 1;
        }
        true
    });
    n
}

pub fn run(program: &mut Program) {
    let n = program.functions.len();
    let mut sizes: Vec<usize> = program.functions.iter().map(|f| size(&f.body)).collect();
    let calls: Vec<Vec<InstId>> = program.functions.iter().map(|f| callees(&f.body)).collect();
    let uses = use_counts(program);
    let components = components(&calls);
    let mut component_of = vec![0usize; n];
    for (c, members) in components.iter().enumerate() {
        for m in members {
            component_of[m.0 as usize] = c;
        }
    }
    let total: usize = sizes.iter().sum();
    let mut left = budget(total);
    for members in &components {
        for &f in members {
            let fi = f.0 as usize;
            let self_recursive = calls[fi].contains(&f);
            let original =
                (self_recursive && sizes[fi] <= SELF_UNROLL).then(|| program.functions[fi].clone());
            let mut body = std::mem::replace(
                &mut program.functions[fi].body,
                Block {
                    stmts: Vec::new(),
                    tail: None,
                    ty: crate::hir::Ty::Unit,
                },
            );
            let mut locals = std::mem::take(&mut program.functions[fi].locals);
            let limit = grows_to(sizes[fi]);
            let mut inliner = Inliner {
                program,
                caller: f,
                original: original.as_ref(),
                component_of: &component_of,
                sizes: &sizes,
                uses: &uses,
                locals: &mut locals,
                loops: 0,
                self_depth: 0,
                size: sizes[fi],
                limit,
                left,
            };
            inliner.block(&mut body);
            let (grown, left_now) = (inliner.size, inliner.left);
            left = left_now;
            sizes[fi] = grown;
            let func = &mut program.functions[fi];
            func.locals = locals;
            // A caller whose calls were all inlined (and that does not
            // loop) no longer needs its entry poll.
            if matches!(body.stmts.first(), Some(Stmt::Poll))
                && !mir::needs_entry_poll(func.kind, &body)
            {
                body.stmts.remove(0);
            }
            func.body = body;
        }
    }
}

/// The instances `body` calls directly.
fn callees(body: &Block) -> Vec<InstId> {
    let mut out = Vec::new();
    visit::walk(body, &mut |node| {
        if let visit::Node::Expr(Expr {
            kind: ExprKind::Call { func, .. },
            ..
        }) = node
        {
            if !out.contains(func) {
                out.push(*func);
            }
        }
        true
    });
    out
}

/// How many times each instance is named anywhere (calls, function
/// values, closures, spawns, vtables, the entry, test cases): a function
/// named once, by a call, is inlined whatever its size within [`ONCE`].
fn use_counts(program: &Program) -> Vec<usize> {
    let mut uses = vec![0usize; program.functions.len()];
    for f in &program.functions {
        visit::walk(&f.body, &mut |node| {
            if let visit::Node::Expr(e) = node {
                match &e.kind {
                    ExprKind::Call { func, .. }
                    | ExprKind::FnRef(func)
                    | ExprKind::Closure { func, .. }
                    | ExprKind::Spawn { func, .. }
                    | ExprKind::ThreadSpawn { func, .. }
                    | ExprKind::Inlined { func, .. } => uses[func.0 as usize] += 1,
                    _ => {}
                }
            }
            true
        });
    }
    for slots in program.vtables.values() {
        for id in slots {
            uses[id.0 as usize] += 1;
        }
    }
    // The entry is called from outside. (A runner's test and bench cases
    // are too, uncounted: one also called once from Plat code gets
    // inlined there and still compiled as a case, which costs size only.)
    if let Some(main) = program.main {
        uses[main.0 as usize] += 1;
    }
    uses
}

/// The strongly connected components of the call graph, callees before
/// callers (Tarjan's algorithm, iteratively: call chains can be long).
fn components(calls: &[Vec<InstId>]) -> Vec<Vec<InstId>> {
    let n = calls.len();
    const NONE: usize = usize::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for root in 0..n {
        if index[root] != NONE {
            continue;
        }
        // (node, position in its callee list)
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if let Some(&w) = calls[v].get(*i) {
                *i += 1;
                let w = w.0 as usize;
                if index[w] == NONE {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    members.push(InstId(w as u32));
                    if w == v {
                        break;
                    }
                }
                members.reverse();
                out.push(members);
            }
        }
    }
    out
}

struct Inliner<'a> {
    program: &'a Program,
    caller: InstId,
    /// The caller's body before inlining, when it may be unrolled once.
    original: Option<&'a Function>,
    component_of: &'a [usize],
    sizes: &'a [usize],
    uses: &'a [usize],
    /// The caller's locals (the copies' are appended).
    locals: &'a mut Vec<Local>,
    /// Loops around the current node.
    loops: usize,
    /// Copies of the caller's own body around the current node.
    self_depth: usize,
    /// The caller's size so far, and what it may grow to.
    size: usize,
    limit: usize,
    /// What is left of the program's budget.
    left: usize,
}

impl<'a> Inliner<'a> {
    /// The body to inline for a call to `g`, if it is to be inlined.
    fn decide(&self, g: InstId) -> Option<&'a Function> {
        let program: &'a Program = self.program;
        let callee = if g == self.caller {
            if self.self_depth >= SELF_UNROLL_DEPTH {
                return None;
            }
            self.original?
        } else if self.component_of[g.0 as usize] == self.component_of[self.caller.0 as usize] {
            return None;
        } else {
            program.function(g)
        };
        if callee.kind != crate::hir::FnKind::Plain || callee.is_init {
            return None;
        }
        let size = if g == self.caller {
            size(&callee.body)
        } else {
            self.sizes[g.0 as usize]
        };
        let fits = size <= SMALL
            || (self.loops > 0 && size <= SMALL_IN_LOOP)
            || (self.uses[g.0 as usize] == 1 && g != self.caller && size <= ONCE);
        let affordable = self.size + size <= self.limit && size <= self.left;
        (fits && affordable).then_some(callee)
    }

    /// A copy of `callee`'s body with its locals renumbered after the
    /// caller's (which it adds to), without its entry poll; `None` when
    /// it nests too deeply to be copied here.
    fn copy_body(&mut self, callee: &Function) -> Option<(Block, u32)> {
        let base = self.locals.len() as u32;
        let mut body = callee.body.clone();
        if matches!(body.stmts.first(), Some(Stmt::Poll)) {
            body.stmts.remove(0);
        }
        // A `return` ending the body is its value: no jump to make.
        if body.tail.is_none() {
            match body.stmts.pop() {
                Some(Stmt::Return(Some(value), _)) => body.tail = Some(Box::new(value)),
                Some(Stmt::Return(None, _)) => {}
                Some(other) => body.stmts.push(other),
                None => {}
            }
        }
        let mut renumber = Renumber {
            base,
            failed: false,
        };
        renumber.block(&mut body);
        if renumber.failed {
            return None;
        }
        self.locals.extend(callee.locals.iter().cloned());
        Some((body, base))
    }
}

impl VisitMut for Inliner<'_> {
    fn stmt(&mut self, s: &mut Stmt) {
        let is_loop = matches!(
            s,
            Stmt::While { .. }
                | Stmt::ForRange { .. }
                | Stmt::ForList { .. }
                | Stmt::ForChannel { .. }
        );
        // A loop's operands and body count as in the loop (only a `while`
        // condition really runs every iteration: close enough).
        self.loops += usize::from(is_loop);
        walk_stmt(self, s);
        self.loops -= usize::from(is_loop);
    }

    fn expr(&mut self, e: &mut Expr) {
        // Arguments first: their calls are inlined in place.
        walk_expr(self, e);
        let ExprKind::Call { func: g, .. } = e.kind else {
            return;
        };
        let Some(callee) = self.decide(g) else {
            return;
        };
        let Some((mut body, base)) = self.copy_body(callee) else {
            return;
        };
        let ExprKind::Call { args, .. } = std::mem::replace(&mut e.kind, ExprKind::Unit) else {
            unreachable!("matched above");
        };
        // The parameters, bound in the arguments' evaluation order.
        let mut stmts: Vec<Stmt> = args
            .into_iter()
            .map(|(slot, value)| Stmt::Let {
                local: LocalId(callee.params[slot].0 + base),
                value,
            })
            .collect();
        stmts.append(&mut body.stmts);
        body.stmts = stmts;
        // Counted before the copy is walked: copies made inside it count
        // themselves.
        let added = size(&body);
        self.size += added;
        self.left = self.left.saturating_sub(added);
        if g == self.caller {
            // One level deeper: the copy's own recursive calls may get a
            // copy too, up to SELF_UNROLL_DEPTH.
            self.self_depth += 1;
            self.block(&mut body);
            self.self_depth -= 1;
        }
        e.kind = ExprKind::Inlined { func: g, body };
    }
}

/// Moves every local of a copied body past the caller's: `base` added
/// to each local read, written, bound or captured.
struct Renumber {
    base: u32,
    failed: bool,
}

impl Renumber {
    fn id(&self, l: &mut LocalId) {
        l.0 += self.base;
    }
}

impl VisitMut for Renumber {
    fn stmt(&mut self, s: &mut Stmt) {
        match s {
            Stmt::Let { local, .. } => self.id(local),
            Stmt::ForRange { var, .. }
            | Stmt::ForList { var, .. }
            | Stmt::ForChannel { var, .. } => self.id(var),
            Stmt::Concurrent { scope, .. } => self.id(scope),
            Stmt::Select { arms, .. } => {
                for a in arms {
                    match &mut a.kind {
                        SelectArmKind::Recv { local, .. } => self.id(local),
                        SelectArmKind::Send { local: Some(l), .. } => self.id(l),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        walk_stmt(self, s);
    }

    fn expr(&mut self, e: &mut Expr) {
        match &mut e.kind {
            ExprKind::Local(l) | ExprKind::Assign { local: l, .. } => self.id(l),
            ExprKind::Closure { captures, .. } | ExprKind::ThreadSpawn { captures, .. } => {
                captures.iter_mut().for_each(|c| self.id(c))
            }
            ExprKind::Spawn {
                captures, scope, ..
            } => {
                captures.iter_mut().for_each(|c| self.id(c));
                self.id(scope);
            }
            ExprKind::Race { scope, .. } => self.id(scope),
            _ => {}
        }
        walk_expr(self, e);
    }

    fn pattern(&mut self, p: &mut Pattern) {
        if let Pattern::Binding(l) = p {
            self.id(l);
        }
        walk_pattern(self, p);
    }

    fn too_deep(&mut self) {
        self.failed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(xs: &[u32]) -> Vec<InstId> {
        xs.iter().map(|&x| InstId(x)).collect()
    }

    /// Components come callees first; cycles (of one with a self-call,
    /// of two, of three) are one component each.
    #[test]
    fn components_are_callees_first_and_group_cycles() {
        // 0 -> 1 -> 2 -> 3 -> 1 (cycle 1,2,3); 0 -> 4 -> 4 (self); 4 -> 5 <-> 6.
        let calls = vec![
            ids(&[1, 4]),
            ids(&[2]),
            ids(&[3]),
            ids(&[1]),
            ids(&[4, 5]),
            ids(&[6]),
            ids(&[5]),
        ];
        let comps = components(&calls);
        let mut sorted: Vec<Vec<u32>> = comps
            .iter()
            .map(|c| {
                let mut v: Vec<u32> = c.iter().map(|i| i.0).collect();
                v.sort();
                v
            })
            .collect();
        sorted.sort();
        assert_eq!(sorted, vec![vec![0], vec![1, 2, 3], vec![4], vec![5, 6]]);
        let position = |f: u32| {
            comps
                .iter()
                .position(|c| c.contains(&InstId(f)))
                .expect("every function is in a component")
        };
        for (caller, callees) in calls.iter().enumerate() {
            for callee in callees {
                assert!(
                    position(callee.0) <= position(caller as u32),
                    "{caller} comes before its callee {}",
                    callee.0
                );
            }
        }
    }

    #[test]
    fn growth_is_bounded() {
        assert_eq!(grows_to(1000), 3000);
        assert_eq!(grows_to(10), 10 + 2 * ONCE);
        assert!(budget(0) >= ONCE);
    }
}
