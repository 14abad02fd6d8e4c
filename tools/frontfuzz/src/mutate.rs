//! The mutations. Each one turns a corpus file into a list of [`Edit`]s
//! on its text (byte ranges replaced); a mutant applies one to three
//! mutations whose edits do not overlap. Token positions come from the
//! compiler's lexer and fragment positions from its parser (`corpus`), so
//! the token-level and grammar-aware mutations cut at real boundaries.

use crate::corpus::{Kind, Seed, TokClass, KINDS};
use crate::rng::Rng;

/// Replace `start..end` of the text with `with`.
#[derive(Clone, Debug)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub with: Vec<u8>,
}

impl Edit {
    fn new(start: usize, end: usize, with: impl Into<Vec<u8>>) -> Edit {
        Edit {
            start,
            end,
            with: with.into(),
        }
    }
}

/// A mutated input and the names of the mutations that made it.
pub struct Mutant {
    pub bytes: Vec<u8>,
    pub what: Vec<&'static str>,
}

/// Every mutation, by name (the names are the categories reported).
pub const MUTATIONS: [&str; 16] = [
    "truncate",
    "token-delete",
    "token-duplicate",
    "token-swap",
    "token-insert",
    "byte-insert",
    "byte-flip",
    "byte-delete",
    "fragment-splice",
    "fragment-duplicate",
    "fragment-swap",
    "deep-nesting",
    "ident-replace",
    "unbalance",
    "huge-literal",
    "long-line",
];

/// Makes one mutant of `seeds[at]`.
pub fn mutant(rng: &mut Rng, seeds: &[Seed], at: usize) -> Mutant {
    let seed = &seeds[at];
    let rounds = if rng.one_in(3) { rng.range(2, 3) } else { 1 };
    let mut edits: Vec<Edit> = Vec::new();
    let mut what = Vec::new();
    for _ in 0..rounds {
        let name = *rng.pick(&MUTATIONS);
        let Some(new) = mutation(rng, name, seeds, seed) else {
            continue;
        };
        let clashes = new.iter().any(|n| {
            edits
                .iter()
                .any(|e| n.start < e.end.max(e.start + 1) && e.start < n.end.max(n.start + 1))
        });
        if clashes || new.is_empty() {
            continue;
        }
        edits.extend(new);
        what.push(name);
    }
    if what.is_empty() {
        // Every pick was impossible on this file (an empty file, say):
        // fall back on a mutation that always applies.
        edits = byte_insert(rng, seed);
        what.push("byte-insert");
    }
    Mutant {
        bytes: apply(seed.text.as_bytes(), edits),
        what,
    }
}

/// Applies non-overlapping edits.
pub fn apply(text: &[u8], mut edits: Vec<Edit>) -> Vec<u8> {
    edits.sort_by_key(|e| std::cmp::Reverse((e.start, e.end)));
    let mut out = text.to_vec();
    for e in edits {
        out.splice(e.start..e.end, e.with);
    }
    out
}

fn mutation(rng: &mut Rng, name: &str, seeds: &[Seed], seed: &Seed) -> Option<Vec<Edit>> {
    let text = &seed.text;
    let toks = &seed.tokens;
    let tok_text = |i: usize| &text[toks[i].start..toks[i].end];
    Some(match name {
        "truncate" => {
            let cut = char_floor(text, rng.below(text.len() + 1));
            vec![Edit::new(cut, text.len(), "")]
        }
        "token-delete" => {
            let (a, b) = token_run(rng, seed)?;
            vec![Edit::new(toks[a].start, toks[b].end, "")]
        }
        "token-duplicate" => {
            let (a, b) = token_run(rng, seed)?;
            let run = &text[toks[a].start..toks[b].end];
            let times = rng.count(2000);
            vec![Edit::new(
                toks[b].end,
                toks[b].end,
                format!(" {run}").repeat(times),
            )]
        }
        "token-swap" => {
            let (i, j) = two(rng, toks.len())?;
            vec![
                Edit::new(toks[i].start, toks[i].end, tok_text(j)),
                Edit::new(toks[j].start, toks[j].end, tok_text(i)),
            ]
        }
        "token-insert" => {
            let i = nonempty_index(rng, toks.len())?;
            let what = if rng.one_in(3) {
                rng.pick(&KEYWORDS_AND_PUNCT).to_string()
            } else {
                tok_text(rng.below(toks.len())).to_string()
            };
            let at = toks[i].start;
            vec![Edit::new(at, at, format!("{what} "))]
        }
        "byte-insert" => byte_insert(rng, seed),
        "byte-flip" => {
            let i = nonempty_index(rng, text.len())?;
            let byte = text.as_bytes()[i] ^ (1 << rng.below(8));
            vec![Edit::new(i, i + 1, vec![byte])]
        }
        "byte-delete" => {
            let i = nonempty_index(rng, text.len())?;
            let n = rng.range(1, 16).min(text.len() - i);
            vec![Edit::new(i, i + n, "")]
        }
        "fragment-splice" => {
            // A fragment replaced by one of the same kind, from any file.
            let kind = *rng.pick(&KINDS);
            let (s, e) = pick_fragment(rng, seed, kind)?;
            let donor = &seeds[rng.below(seeds.len())];
            let (ds, de) = pick_fragment(rng, donor, kind)?;
            vec![Edit::new(s, e, &donor.text[ds..de])]
        }
        "fragment-duplicate" => {
            let kind = *rng.pick(&[Kind::Stmt, Kind::Item, Kind::Block, Kind::Expr]);
            let (s, e) = pick_fragment(rng, seed, kind)?;
            let sep = if kind == Kind::Expr { " + " } else { "\n" };
            let copy = format!("{sep}{}", &text[s..e]).repeat(rng.count(500));
            vec![Edit::new(e, e, copy)]
        }
        "fragment-swap" => {
            // Two fragments of one kind in the same file, not nested.
            let kind = *rng.pick(&KINDS);
            let (s1, e1) = pick_fragment(rng, seed, kind)?;
            let (s2, e2) = pick_fragment(rng, seed, kind)?;
            if s1 < e2 && s2 < e1 {
                return None;
            }
            vec![
                Edit::new(s1, e1, &text[s2..e2]),
                Edit::new(s2, e2, &text[s1..e1]),
            ]
        }
        "deep-nesting" => deep_nesting(rng, seed)?,
        "ident-replace" => {
            // Another name from the same file (often one in scope), or a
            // near miss of this one.
            let idents: Vec<usize> = (0..toks.len())
                .filter(|&i| toks[i].class == TokClass::Ident)
                .collect();
            let i = *rng.pick(non_empty(&idents)?);
            let name = if rng.one_in(4) {
                format!("{}{}", tok_text(i), rng.pick(&["_", "2", "s", "X"]))
            } else {
                rng.pick(&seed.idents).clone()
            };
            vec![Edit::new(toks[i].start, toks[i].end, name)]
        }
        "unbalance" => {
            let delims: Vec<usize> = (0..toks.len())
                .filter(|&i| matches!(toks[i].class, TokClass::Open | TokClass::Close))
                .collect();
            if rng.one_in(2) {
                let i = *rng.pick(non_empty(&delims)?);
                vec![Edit::new(toks[i].start, toks[i].end, "")]
            } else {
                let i = nonempty_index(rng, toks.len())?;
                let d = rng.pick(&["(", ")", "[", "]", "{", "}", "${", "\"", "/*", "<", ">"]);
                let n = rng.count(50);
                vec![Edit::new(toks[i].start, toks[i].start, d.repeat(n))]
            }
        }
        "huge-literal" => {
            let lits: Vec<usize> = (0..toks.len())
                .filter(|&i| toks[i].class == TokClass::Literal)
                .collect();
            let i = *rng.pick(non_empty(&lits)?);
            vec![Edit::new(toks[i].start, toks[i].end, huge_literal(rng))]
        }
        "long-line" => {
            let i = nonempty_index(rng, toks.len())?;
            let at = toks[i].start;
            let n = rng.range(1_000, 200_000);
            let line = match rng.below(5) {
                0 => format!("{} ", "a".repeat(n)),
                1 => format!("({}1) ", "1 + ".repeat(n / 4)),
                2 => format!("// {}\n", "x".repeat(n)),
                3 => format!("{} ", "é".repeat(n / 2)),
                _ => format!("{};", " ".repeat(n)),
            };
            vec![Edit::new(at, at, line)]
        }
        _ => return None,
    })
}

const KEYWORDS_AND_PUNCT: [&str; 48] = [
    "fn",
    "let",
    "var",
    "if",
    "else",
    "while",
    "for",
    "in",
    "return",
    "true",
    "false",
    "print",
    "List",
    "Dict",
    "Set",
    "enum",
    "match",
    "mut",
    "class",
    "init",
    "self",
    "super",
    "pub",
    "virtual",
    "override",
    "spawn",
    "concurrent",
    "select",
    "race",
    "use",
    "mod",
    "type",
    "newtype",
    "test",
    "bench",
    "cast",
    "break",
    "continue",
    "->",
    "=>",
    "::",
    "..",
    "..=",
    "?",
    "=",
    ",",
    ";",
    ":",
];

fn byte_insert(rng: &mut Rng, seed: &Seed) -> Vec<Edit> {
    let at = char_floor(&seed.text, rng.below(seed.text.len() + 1));
    let with: Vec<u8> = match rng.below(4) {
        0 => vec![rng.below(128) as u8],
        1 => vec![rng.below(256) as u8],
        2 => rng
            .pick(&[
                "\0",
                "\r",
                "\t",
                "\u{feff}",
                "é",
                "\u{10ffff}",
                "\\",
                "$",
                "\"",
                "'",
                "`",
                "@",
                "#",
            ])
            .as_bytes()
            .to_vec(),
        _ => (0..rng.range(2, 8)).map(|_| rng.below(128) as u8).collect(),
    };
    vec![Edit::new(at, at, with)]
}

/// Wraps a fragment in many levels of one construct, sometimes beyond
/// the compiler's nesting limit (10,000).
fn deep_nesting(rng: &mut Rng, seed: &Seed) -> Option<Vec<Edit>> {
    let n = match rng.below(4) {
        0 => rng.range(9_990, 10_010),
        1 => rng.range(100, 3_000),
        _ => rng.range(2, 60),
    };
    let (kind, open, close): (Kind, &str, &str) = match rng.below(9) {
        0 => (Kind::Expr, "(", ")"),
        1 => (Kind::Expr, "[", "]"),
        2 => (Kind::Expr, "-", ""),
        3 => (Kind::Expr, "not ", ""),
        4 => (Kind::Expr, "{ ", " }"),
        5 => (Kind::Expr, "\"${", "}\""),
        6 => (Kind::Stmt, "if (true) { ", " }"),
        7 => (Kind::Type, "List[", "]"),
        _ => (Kind::Type, "Fn() -> ", ""),
    };
    let (s, e) = pick_fragment(rng, seed, kind)?;
    Some(vec![
        Edit::new(s, s, open.repeat(n)),
        Edit::new(e, e, close.repeat(n)),
    ])
}

fn huge_literal(rng: &mut Rng) -> String {
    let n = rng.range(20, 100_000);
    match rng.below(10) {
        0 => "9".repeat(n),
        1 => "18446744073709551616".into(),
        2 => format!("-{}", "9223372036854775808"),
        3 => format!("0x{}", "f".repeat(n.min(40))),
        4 => format!("1{}e{}", "0".repeat(n), rng.below(1000)),
        5 => "1.0e99999".into(),
        6 => format!("{}i8", rng.range(127, 100_000)),
        7 => format!("\"{}\"", "ab\\n".repeat(n)),
        8 => format!("\"{}\"", "${1}".repeat(n.min(20_000))),
        _ => format!("{}_{}", "1_".repeat(n / 2), "0"),
    }
}

/// A run of one to a few tokens: (first, last) indices.
fn token_run(rng: &mut Rng, seed: &Seed) -> Option<(usize, usize)> {
    let a = nonempty_index(rng, seed.tokens.len())?;
    let b = (a + rng.below(4)).min(seed.tokens.len() - 1);
    Some((a, b))
}

fn two(rng: &mut Rng, n: usize) -> Option<(usize, usize)> {
    if n < 2 {
        return None;
    }
    let i = rng.below(n);
    let j = rng.below(n);
    let (i, j) = (i.min(j), i.max(j));
    (i != j).then_some((i, j))
}

fn nonempty_index(rng: &mut Rng, n: usize) -> Option<usize> {
    (n > 0).then(|| rng.below(n))
}

fn non_empty<T>(items: &[T]) -> Option<&[T]> {
    (!items.is_empty()).then_some(items)
}

fn pick_fragment(rng: &mut Rng, seed: &Seed, kind: Kind) -> Option<(usize, usize)> {
    let all: Vec<(usize, usize)> = seed.fragments_of(kind).collect();
    Some(*rng.pick(non_empty(&all)?))
}

/// The largest char boundary at or below `at`.
fn char_floor(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::analyse;

    fn seeds() -> Vec<Seed> {
        let a = "fn main() {\n    let x: Int32 = 1 + 2;\n    if (x > 2) { print(value = \"${x}\"); }\n}\n";
        let b = "enum E { A, B(Int64) }\nfn f(e: E) -> Int64 {\n    return match e { E::A -> 0, E::B(n: Int64) -> n };\n}\n";
        [("a.plat", a), ("b.plat", b)]
            .iter()
            .map(|(n, t)| analyse(n.into(), n.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn the_corpus_analysis_finds_fragments_of_every_kind() {
        let seeds = seeds();
        for kind in KINDS {
            assert!(
                seeds.iter().any(|s| s.fragments_of(kind).next().is_some()),
                "no {kind:?} fragment"
            );
        }
        let a = &seeds[0];
        let stmts: Vec<&str> = a
            .fragments_of(Kind::Stmt)
            .map(|(s, e)| &a.text[s..e])
            .collect();
        assert!(stmts.contains(&"let x: Int32 = 1 + 2;"), "{stmts:?}");
    }

    #[test]
    fn the_same_seed_makes_the_same_mutants() {
        let seeds = seeds();
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..200)
                .map(|_| {
                    let at = rng.below(seeds.len());
                    mutant(&mut rng, &seeds, at).bytes
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn every_mutation_applies_and_changes_the_text() {
        let seeds = seeds();
        let mut rng = Rng::new(3);
        for name in MUTATIONS {
            let changed = (0..50).any(|_| {
                mutation(&mut rng, name, &seeds, &seeds[0]).is_some_and(|edits| {
                    apply(seeds[0].text.as_bytes(), edits) != seeds[0].text.as_bytes()
                })
            });
            assert!(changed, "{name} never changed the text");
        }
    }

    #[test]
    fn edits_apply_from_the_end() {
        let out = apply(
            b"abcdef",
            vec![
                Edit::new(0, 1, "X"),
                Edit::new(4, 6, ""),
                Edit::new(2, 2, "--"),
            ],
        );
        assert_eq!(out, b"Xb--cd");
    }
}
