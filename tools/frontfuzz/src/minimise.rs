//! Delta debugging (ddmin, complements only): remove chunks of lines,
//! then of characters, while the input still shows the same finding.

use std::time::Instant;

/// Shrinks `input` while `still_fails` holds, within `deadline`. Returns
/// the smallest failing input found (at worst `input` itself).
pub fn minimise(
    input: &[u8],
    deadline: Instant,
    still_fails: &mut dyn FnMut(&[u8]) -> bool,
) -> Vec<u8> {
    let lines = split_lines(input);
    let lines = ddmin(lines, deadline, still_fails);
    let flat: Vec<u8> = lines.concat();
    let units: Vec<Vec<u8>> = match std::str::from_utf8(&flat) {
        Ok(text) => text.chars().map(|c| c.to_string().into_bytes()).collect(),
        Err(_) => flat.iter().map(|b| vec![*b]).collect(),
    };
    ddmin(units, deadline, still_fails).concat()
}

/// Lines with their `\n`.
fn split_lines(input: &[u8]) -> Vec<Vec<u8>> {
    input
        .split_inclusive(|b| *b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn ddmin(
    mut units: Vec<Vec<u8>>,
    deadline: Instant,
    still_fails: &mut dyn FnMut(&[u8]) -> bool,
) -> Vec<Vec<u8>> {
    let mut n = 2usize;
    while units.len() >= 2 && Instant::now() < deadline {
        let chunk = units.len().div_ceil(n);
        let mut reduced = false;
        let mut start = 0;
        while start < units.len() && Instant::now() < deadline {
            let end = (start + chunk).min(units.len());
            let candidate: Vec<u8> = units[..start]
                .iter()
                .chain(&units[end..])
                .flatten()
                .copied()
                .collect();
            if still_fails(&candidate) {
                units.drain(start..end);
                reduced = true;
                // The next chunk now starts at `start`.
            } else {
                start = end;
            }
        }
        if reduced {
            n = n.saturating_sub(1).max(2);
        } else if chunk == 1 {
            break;
        } else {
            n = (n * 2).min(units.len());
        }
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn keeps_only_what_the_predicate_needs() {
        let input = b"fn main() {\n  let x = 1;\n  boom(\n  print(x);\n}\n";
        let out = minimise(input, Instant::now() + Duration::from_secs(10), &mut |c| {
            std::str::from_utf8(c).is_ok_and(|t| t.contains("boom("))
        });
        assert_eq!(out, b"boom(");
    }

    #[test]
    fn an_input_that_no_longer_fails_is_returned_whole() {
        let input = b"abc\ndef\n";
        let out = minimise(input, Instant::now() + Duration::from_secs(10), &mut |c| {
            c == input
        });
        assert_eq!(out, input);
    }
}
