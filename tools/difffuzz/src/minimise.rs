//! Automatic minimisation: delete whole checks, then single statements
//! (in pre-order, nested ones included) and helper functions, keeping each
//! deletion while the program still fails in the same way. The model
//! re-evaluates every candidate, so a deletion that leaves a dangling name
//! is simply not tried.

use crate::ast::Stmt;
use crate::gen::{lists, Body, Program};
use crate::runner::{FailKind, Failure, Runner};

/// Removes the `k`-th statement in pre-order; `k` counts down as it goes.
fn remove_nth(stmts: &mut Vec<Stmt>, k: &mut usize) -> bool {
    let mut i = 0;
    while i < stmts.len() {
        if *k == 0 {
            stmts.remove(i);
            return true;
        }
        *k -= 1;
        let done = match &mut stmts[i] {
            Stmt::If(_, a, b) => remove_nth(a, k) || remove_nth(b, k),
            Stmt::While { body, .. } | Stmt::For { body, .. } => remove_nth(body, k),
            _ => false,
        };
        if done {
            return true;
        }
        i += 1;
    }
    false
}

fn count(stmts: &[Stmt]) -> usize {
    stmts
        .iter()
        .map(|s| {
            1 + match s {
                Stmt::If(_, a, b) => count(a) + count(b),
                Stmt::While { body, .. } | Stmt::For { body, .. } => count(body),
                _ => 0,
            }
        })
        .sum()
}

pub struct Minimiser<'a> {
    pub runner: &'a Runner,
    pub kind: FailKind,
    pub budget: u32,
    pub last: Option<Failure>,
}

impl Minimiser<'_> {
    fn still_fails(&mut self, p: &Program) -> bool {
        if self.budget == 0 {
            return false;
        }
        let Ok(exp) = p.expected() else {
            return false;
        };
        self.budget -= 1;
        let r = self
            .runner
            .check(&p.render(), &p.files(), &exp, p.concurrent());
        if std::env::var_os("DIFFFUZZ_DEBUG").is_some() {
            eprintln!("minimise: {:?}", r.as_ref().map(|f| (f.kind, &f.detail)));
        }
        match r {
            Some(f) if f.kind == self.kind => {
                self.last = Some(f);
                true
            }
            _ => false,
        }
    }

    pub fn run(&mut self, mut p: Program) -> Program {
        // Whole checks, last first (a panic check is usually last).
        let mut i = p.checks.len();
        while i > 0 && p.checks.len() > 1 {
            i -= 1;
            let mut cand = p.clone();
            cand.checks.remove(i);
            if self.still_fails(&cand) {
                p = cand;
            }
        }
        // Statements and helper functions inside the remaining checks,
        // until a whole pass removes nothing (a deletion can make an
        // earlier one possible: a `let` whose last use just went).
        loop {
            let before = p.render().len();
            p = self.statements(p);
            if p.render().len() == before || self.budget == 0 {
                return p;
            }
        }
    }

    fn statements(&mut self, mut p: Program) -> Program {
        for c in 0..p.checks.len() {
            if matches!(p.checks[c].body, Body::Lists { .. }) {
                p = self.list_statements(p, c);
                continue;
            }
            let mut k = 0;
            while let Body::Scalar { stmts, .. } = &p.checks[c].body {
                if k >= count(stmts) {
                    break;
                }
                let mut cand = p.clone();
                if let Body::Scalar { stmts, .. } = &mut cand.checks[c].body {
                    let mut kk = k;
                    remove_nth(stmts, &mut kk);
                }
                if !self.still_fails(&cand) {
                    k += 1;
                } else {
                    p = cand;
                }
            }
            let mut f = 0;
            while let Body::Scalar { funcs, .. } = &p.checks[c].body {
                if f >= funcs.len() {
                    break;
                }
                let mut cand = p.clone();
                if let Body::Scalar { funcs, .. } = &mut cand.checks[c].body {
                    funcs.remove(f);
                }
                if !self.still_fails(&cand) {
                    f += 1;
                } else {
                    p = cand;
                }
            }
        }
        p
    }

    /// The same for an `indexing` check (the list AST), whose helper
    /// functions' statements are deleted too.
    fn list_statements(&mut self, mut p: Program, c: usize) -> Program {
        // Block 0 is the check's body, block `b > 0` helper `b - 1`'s.
        fn block(body: &mut Body, b: usize) -> Option<&mut Vec<lists::LStmt>> {
            match body {
                Body::Lists { stmts, .. } if b == 0 => Some(stmts),
                Body::Lists { funcs, .. } => funcs.get_mut(b - 1).map(|f| &mut f.body),
                _ => None,
            }
        }
        let mut b = 0;
        while let Some(stmts) = block(&mut p.checks[c].body, b) {
            let mut k = 0;
            let mut n = lists::count(stmts);
            while k < n {
                let mut cand = p.clone();
                if let Some(s) = block(&mut cand.checks[c].body, b) {
                    let mut kk = k;
                    lists::remove_nth(s, &mut kk);
                }
                if self.still_fails(&cand) {
                    p = cand;
                    n = block(&mut p.checks[c].body, b).map_or(0, |s| lists::count(s));
                } else {
                    k += 1;
                }
            }
            b += 1;
        }
        let mut f = 0;
        while let Body::Lists { funcs, .. } = &p.checks[c].body {
            if f >= funcs.len() {
                break;
            }
            let mut cand = p.clone();
            if let Body::Lists { funcs, .. } = &mut cand.checks[c].body {
                funcs.remove(f);
            }
            if self.still_fails(&cand) {
                p = cand;
            } else {
                f += 1;
            }
        }
        p
    }
}
