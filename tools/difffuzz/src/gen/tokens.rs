//! `CancelToken` trees (part of the `races` category): a random sequence
//! of `child()` (of any token so far, cancelled or not), `cancel()` (of
//! any token, again or not) and queries (`is_cancelled()`,
//! `done().is_closed()`, `done().try_recv()`), the model being that a
//! token is cancelled once it or any ancestor was (a child of a cancelled
//! token starts cancelled). Sometimes a task parked in a `select` on a
//! token's `done()` channel (beside a receive that never comes) returns
//! when the main task cancels an ancestor.

use crate::rng::Rng;
use std::fmt::Write as _;

/// A token's parent (`None` for a root) and whether `cancel` was called on
/// it.
struct Tok {
    parent: Option<usize>,
    cancelled: bool,
}

fn is_cancelled(toks: &[Tok], mut i: usize) -> bool {
    loop {
        if toks[i].cancelled {
            return true;
        }
        match toks[i].parent {
            Some(p) => i = p,
            None => return false,
        }
    }
}

pub fn tokens(rng: &mut Rng, body: &mut String, exp: &mut Vec<String>) {
    let mut toks = vec![Tok {
        parent: None,
        cancelled: false,
    }];
    body.push_str("  let tk0: CancelToken = CancelToken.init();\n");
    // A parked task watching one token (chosen among the first ones),
    // woken by a cancel of it or an ancestor; what it returns is printed
    // after the scope.
    let watch = rng.chance(1, 2);
    for _ in 0..rng.range(3, 10) {
        let i = rng.below(toks.len() as u64) as usize;
        match rng.below(5) {
            0 | 1 => {
                let n = toks.len();
                let _ = writeln!(body, "  let tk{n}: CancelToken = tk{i}.child();");
                toks.push(Tok {
                    parent: Some(i),
                    cancelled: false,
                });
            }
            2 if !watch => {
                let _ = writeln!(body, "  tk{i}.cancel();");
                toks[i].cancelled = true;
            }
            2 | 3 => {
                let _ = writeln!(body, "  print(value = tk{i}.is_cancelled());");
                exp.push(is_cancelled(&toks, i).to_string());
            }
            _ => {
                let _ = writeln!(
                    body,
                    "  print(value = \"${{tk{i}.done().is_closed()}} ${{tk{i}.done().try_recv()}}\");"
                );
                exp.push(format!("{} None", is_cancelled(&toks, i)));
            }
        }
    }
    if watch {
        // Cancel the watched token or one of its ancestors from the main
        // task; the watcher's `select` then takes the `done()` arm.
        let w = rng.below(toks.len() as u64) as usize;
        let mut chain = vec![w];
        while let Some(p) = toks[*chain.last().unwrap_or(&0)].parent {
            chain.push(p);
        }
        let c = *rng.pick(&chain);
        let k = rng.range(-99, 99);
        let _ = writeln!(
            body,
            "  let never: Channel<Int32> = Channel.init();\n  concurrent {{\n    let watcher: Task<Int32> = spawn {{\n      select {{\n        let j: Option<Int32> = never.recv() -> {{\n          return 0;\n        }}\n        let stop: Option<Unit> = tk{w}.done().recv() -> {{\n          return {k};\n        }}\n      }}\n      return 1;\n    }};\n    tk{c}.cancel();\n    print(value = watcher.await());\n  }}\n  print(value = tk{w}.is_cancelled());"
        );
        exp.push(k.to_string());
        exp.push("true".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cancellation reaches every descendant, not the ancestors.
    #[test]
    fn a_cancel_reaches_descendants_only() {
        let mut toks = vec![
            Tok {
                parent: None,
                cancelled: false,
            },
            Tok {
                parent: Some(0),
                cancelled: true,
            },
            Tok {
                parent: Some(1),
                cancelled: false,
            },
            Tok {
                parent: Some(0),
                cancelled: false,
            },
        ];
        let got: Vec<bool> = (0..4).map(|i| is_cancelled(&toks, i)).collect();
        assert_eq!(got, [false, true, true, false]);
        toks[0].cancelled = true;
        assert!((0..4).all(|i| is_cancelled(&toks, i)));
    }
}
