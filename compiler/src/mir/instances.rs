//! Monomorphisation bookkeeping: which instances (a function and concrete
//! type arguments) exist, which are still to lower, which instance's code
//! asked for each one (its instantiation chain), and when to stop.
//!
//! A generic function is compiled once per list of type arguments it is
//! used with, found from `main` outwards. Two things end that early with a
//! diagnostic instead of running away:
//!
//! * polymorphic recursion (E0223): a new instance of a function whose
//!   chain already holds that function, with type arguments nested more
//!   than [`MAX_TYPE_DEPTH`] deep: `f<T>` calling `f<List[T]>` would be
//!   instantiated forever;
//! * more than [`MAX_INSTANCES`] instances (E0903). Calls with ever new
//!   types multiply them: `f0<T>` calling `f1` with `[x]` and
//!   `Option::Some(x)`, and so on for 14 levels, needs 2^14 instances of
//!   the last function per type `main` starts with (issue 7, item 17).
//!   That growth is real, not duplicated work, so it is a limit.

use std::collections::VecDeque;

use super::InstId;
use crate::diag::{Code, Diagnostic};
use crate::hir::{FnId, Program, Ty};

/// One function instance: a HIR function and concrete type arguments.
pub(crate) type InstanceKey = (FnId, Vec<Ty>);

/// Type arguments nesting deeper than this, in a function instantiated
/// again from its own chain, mean polymorphic recursion.
const MAX_TYPE_DEPTH: usize = 32;

/// The most instances one program may need.
pub const MAX_INSTANCES: usize = 10_000;

/// Why instantiation stopped: the instance (an index into `list`) that
/// crossed a limit.
#[derive(Clone, Copy)]
enum Stop {
    TooMany(usize),
    Recursion(usize),
}

/// Every instance in order of first use (its [`InstId`] is its position),
/// with the instance whose code first asked for it (`None`: the entry and
/// test cases).
#[derive(Default)]
pub(crate) struct Instances {
    list: Vec<(InstanceKey, Option<usize>)>,
    /// Instances declared but not lowered yet.
    queue: VecDeque<InstId>,
    /// The instance whose body is being lowered.
    building: Option<usize>,
    stop: Option<Stop>,
}

impl Instances {
    /// Records new instance `id` (the next position), asked for by the
    /// one being lowered, and queues it unless a limit stops
    /// instantiation.
    pub fn add(&mut self, key: InstanceKey, id: InstId) {
        let at = self.list.len();
        debug_assert_eq!(at, id.0 as usize, "instances are numbered in order");
        self.list.push((key.clone(), self.building));
        if self.stop.is_some() {
            return;
        }
        if self.list.len() > MAX_INSTANCES {
            self.stop = Some(Stop::TooMany(at));
            return;
        }
        if key.1.iter().any(|t| t.depth() > MAX_TYPE_DEPTH) && self.recursive(at) {
            self.stop = Some(Stop::Recursion(at));
            return;
        }
        self.queue.push_back(id);
    }

    /// The next instance to lower (none once a limit was crossed); it is
    /// the one asking for new instances until the next call.
    pub fn next(&mut self) -> Option<InstId> {
        if self.stop.is_some() {
            return None;
        }
        let id = self.queue.pop_front()?;
        self.building = Some(id.0 as usize);
        Some(id)
    }

    /// Whether the function of instance `at` occurs earlier in its chain.
    fn recursive(&self, at: usize) -> bool {
        let func = self.list[at].0 .0;
        let mut up = self.list[at].1;
        while let Some(i) = up {
            if self.list[i].0 .0 == func {
                return true;
            }
            up = self.list[i].1;
        }
        false
    }

    /// The diagnostic of the limit that stopped instantiation, if any.
    pub fn diagnostic(&self, program: &Program) -> Option<Diagnostic> {
        let (at, recursion) = match self.stop? {
            Stop::TooMany(at) => (at, false),
            Stop::Recursion(at) => (at, true),
        };
        let func = program.function(self.list[at].0 .0);
        let chain = format!("instantiated through: {}", self.chain(program, at));
        let diag = if recursion {
            Diagnostic::new(
                Code::PolymorphicRecursion,
                format!("`{}` calls itself with ever larger type arguments", func.name),
                func.span,
                "each call instantiates it again with a deeper type",
            )
            .with_note("generic functions are compiled once per list of type arguments, so this would never end")
            .with_note(chain)
            .with_hint("call it recursively with the same type arguments")
        } else {
            Diagnostic::new(
                Code::TooManyInstances,
                format!(
                    "this program needs more than {} compiled copies of generic functions",
                    crate::syntax::limits::thousands(MAX_INSTANCES)
                ),
                func.span,
                "the copy that passed the limit",
            )
            .with_note(
                "a generic function is compiled once per list of type arguments it is called with; \
                 calling generic functions with new types at each level multiplies the copies",
            )
            .with_note(chain)
            .with_hint("call with fewer distinct types, or take a class or enum that covers them")
        };
        Some(diag)
    }

    /// `main -> f0<Int32> -> f1<List[Int32]> -> ...` up to instance `at`,
    /// the middle left out when long.
    fn chain(&self, program: &Program, at: usize) -> String {
        const ENDS: usize = 6;
        let mut path = vec![at];
        let mut up = self.list[at].1;
        while let Some(i) = up {
            path.push(i);
            up = self.list[i].1;
        }
        path.reverse();
        let shown: Vec<String> = if path.len() > 2 * ENDS + 1 {
            let skipped = path.len() - 2 * ENDS;
            let mut v: Vec<String> = path[..ENDS]
                .iter()
                .map(|i| self.show(program, *i))
                .collect();
            v.push(format!("({skipped} more)"));
            v.extend(
                path[path.len() - ENDS..]
                    .iter()
                    .map(|i| self.show(program, *i)),
            );
            v
        } else {
            path.iter().map(|i| self.show(program, *i)).collect()
        };
        shown.join(" -> ")
    }

    /// An instance as `name<T, U>`, long type arguments shortened.
    fn show(&self, program: &Program, at: usize) -> String {
        const LONG: usize = 60;
        let (func, args) = &self.list[at].0;
        let name = &program.function(*func).name;
        if args.is_empty() {
            return name.clone();
        }
        let args: Vec<String> = args
            .iter()
            .map(|t| {
                let text = program.show(t);
                match text.char_indices().nth(LONG) {
                    Some((cut, _)) => format!("{}...", &text[..cut]),
                    None => text,
                }
            })
            .collect();
        format!("{name}<{}>", args.join(", "))
    }
}
