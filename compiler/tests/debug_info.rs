//! Debug information (issue 11, item 6; docs/debugging.md): compiled Plat
//! functions have readable symbols (module and path), and the DWARF line
//! tables map their code to the right source file and line, as binutils'
//! `nm` and `addr2line` read them from the executable.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const PLAT: &str = env!("CARGO_BIN_EXE_plat");

const MAIN: &str = "\
use geometry;

fn fib(n: Int32) -> Int32 {
  if (n < 2) {
    return n;
  }
  return fib(n = n - 1) + fib(n = n - 2);
}

fn identity<T>(v: T) -> T {
  return v;
}

fn scaler(k: Int32) -> Int32 {
  let f: Fn(Int32) -> Int32 = fn(x: Int32) -> Int32 { return x * k; };
  return f(3);
}

fn main() {
  let r: geometry::Rect = geometry::Rect.init(w = 2, h = 5);
  print(value = r.area());
  print(value = identity(v = \"id\"));
  print(value = scaler(k = 7));
  concurrent {
    let t: Task<Int32> = spawn { return fib(n = 20); };
    print(value = t.await());
  }
}
";

const GEOMETRY: &str = "\
mod geometry;

pub class Rect {
  pub let w: Int32;
  pub let h: Int32;

  pub fn area() -> Int32 {
    let a: Int32 = self.w * self.h;
    return a;
  }
}
";

/// A symbol of the executable: address, size, name.
struct Symbol {
    addr: u64,
    size: u64,
    name: String,
}

/// Builds the program in a fresh directory; returns the executable.
fn build(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("debug_info")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    std::fs::write(dir.join("main.plat"), MAIN).expect("write main.plat");
    std::fs::write(dir.join("geometry.plat"), GEOMETRY).expect("write geometry.plat");
    let exe = dir.join("prog");
    let out = Command::new(PLAT)
        .current_dir(&dir)
        .args(["build", "main.plat", "-o", "prog"])
        .output()
        .expect("run plat");
    assert!(
        out.status.success(),
        "plat build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().expect("run the program");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "10\nid\n21\n6765\n");
    exe
}

fn tool(name: &str, args: &[&str], exe: &Path) -> String {
    let out = Command::new(name)
        .args(args)
        .arg(exe)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{name}` (binutils is needed): {e}"));
    assert!(out.status.success(), "{name} failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The defined symbols of `exe`, by `nm -S`.
fn symbols(exe: &Path) -> Vec<Symbol> {
    tool("nm", &["-S", "--defined-only"], exe)
        .lines()
        .filter_map(|line| {
            // `ADDR SIZE TYPE NAME`; names may contain spaces.
            let mut parts = line.splitn(4, ' ');
            let addr = u64::from_str_radix(parts.next()?, 16).ok()?;
            let size = u64::from_str_radix(parts.next()?, 16).ok()?;
            let _kind = parts.next()?;
            let name = parts.next()?.to_owned();
            Some(Symbol { addr, size, name })
        })
        .collect()
}

fn find<'s>(symbols: &'s [Symbol], name: &str) -> &'s Symbol {
    symbols.iter().find(|s| s.name == name).unwrap_or_else(|| {
        let plat: Vec<&str> = symbols
            .iter()
            .map(|s| s.name.as_str())
            .filter(|n| n.contains("::") && !n.contains("plat_rt"))
            .collect();
        panic!("no symbol `{name}`; the program's symbols: {plat:?}")
    })
}

/// The frames of each address, by `addr2line -a -f -i`: `(function, file
/// name, line)`, innermost first (more than one where code was inlined).
fn addr2line_inlined(exe: &Path, addrs: &[u64]) -> Vec<Vec<(String, String, u32)>> {
    let mut args: Vec<String> = vec!["-a".into(), "-f".into(), "-i".into(), "-e".into()];
    args.push(exe.display().to_string());
    args.extend(addrs.iter().map(|a| format!("{a:#x}")));
    let out = Command::new("addr2line")
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run addr2line (binutils is needed): {e}"));
    assert!(out.status.success(), "addr2line failed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut found: Vec<Vec<(String, String, u32)>> = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("0x") {
            found.push(Vec::new());
            continue;
        }
        let place = lines
            .next()
            .unwrap_or_else(|| panic!("no FILE:LINE after {line}"));
        let (path, n) = place
            .rsplit_once(':')
            .unwrap_or_else(|| panic!("not FILE:LINE: {place}"));
        let n = n.split_whitespace().next().unwrap_or("");
        let file = Path::new(path)
            .file_name()
            .map_or(String::new(), |f| f.to_string_lossy().into_owned());
        found.last_mut().expect("an address first").push((
            line.to_owned(),
            file,
            n.parse().unwrap_or(0),
        ));
    }
    assert_eq!(found.len(), addrs.len(), "addr2line output:\n{text}");
    found
}

/// 1-based line of the first line of `source` containing `text`.
fn line_of(source: &str, text: &str) -> u32 {
    source
        .lines()
        .position(|l| l.contains(text))
        .map(|i| i as u32 + 1)
        .unwrap_or_else(|| panic!("`{text}` not in the source"))
}

#[test]
fn functions_have_readable_symbols_named_by_module() {
    let exe = build("symbols");
    let symbols = symbols(&exe);
    for name in [
        "main::main",
        "main::fib",
        "main::identity<String>",
        "main::scaler",
        "main::scaler::{closure#1}",
        "main::main::{spawn#1}",
        "geometry::Rect::area",
        // The runtime's entry into the program keeps its name.
        "plat_main",
    ] {
        let s = find(&symbols, name);
        assert!(s.size > 0, "`{name}` has no size");
    }
    let old = |n: &str| {
        n.strip_prefix("plat_fn_")
            .or_else(|| n.strip_prefix("plat_wrap_"))
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    };
    assert!(
        !symbols.iter().any(|s| old(&s.name)),
        "old-style symbols remain"
    );
}

#[test]
fn addr2line_maps_a_function_start_to_its_declaration() {
    let exe = build("starts");
    let symbols = symbols(&exe);
    let cases = [
        ("main::fib", "main.plat", line_of(MAIN, "fn fib(")),
        ("main::scaler", "main.plat", line_of(MAIN, "fn scaler(")),
        (
            "geometry::Rect::area",
            "geometry.plat",
            line_of(GEOMETRY, "fn area("),
        ),
    ];
    let addrs: Vec<u64> = cases
        .iter()
        .map(|(n, _, _)| find(&symbols, n).addr)
        .collect();
    let found = addr2line_inlined(&exe, &addrs);
    for ((name, file, line), frames) in cases.iter().zip(&found) {
        assert_eq!(
            frames.as_slice(),
            &[(name.to_string(), file.to_string(), *line)],
            "addr2line of `{name}`'s first instruction"
        );
    }
}

#[test]
fn every_instruction_of_a_function_maps_to_a_line_of_its_body() {
    let exe = build("bodies");
    let symbols = symbols(&exe);
    let check =
        |name: &str, file: &str, source: &str, first: &str, last: &str, expected: &[&str]| {
            let s = find(&symbols, name);
            let addrs: Vec<u64> = (s.addr..s.addr + s.size).collect();
            let found = addr2line_inlined(&exe, &addrs);
            let (lo, hi) = (line_of(source, first), line_of(source, last));
            let mut lines = BTreeSet::new();
            for (addr, frames) in addrs.iter().zip(&found) {
                // The outermost frame: the function's own code, or the
                // call that code inlined into it stands for.
                let (func, f, line) = frames.last().expect("a frame");
                assert_eq!(func, name, "function at {addr:#x}");
                assert_eq!(f, file, "file at {addr:#x}");
                assert!(
                    (lo..=hi).contains(line),
                    "{addr:#x} in `{name}` maps to line {line}, outside {lo}..={hi}"
                );
                lines.insert(*line);
            }
            for text in expected {
                let want = line_of(source, text);
                assert!(
                    lines.contains(&want),
                    "no code of `{name}` maps to line {want} (`{text}`); lines: {lines:?}"
                );
            }
        };
    check(
        "main::fib",
        "main.plat",
        MAIN,
        "fn fib(",
        "return fib(n = n - 1)",
        &[
            "fn fib(",
            "if (n < 2)",
            "return n;",
            "return fib(n = n - 1)",
        ],
    );
    // Every statement has code of its own: the first expression of a
    // function is not lost (Cranelift's relative source locations), and
    // the inlined `area` counts as its call's line in `main`'s frame.
    check(
        "main::main",
        "main.plat",
        MAIN,
        "fn main(",
        "print(value = t.await())",
        &[
            "let r: geometry::Rect",
            "print(value = r.area())",
            "print(value = identity(",
            "print(value = scaler(",
            "let t: Task<Int32>",
            "print(value = t.await())",
        ],
    );
    check(
        "geometry::Rect::area",
        "geometry.plat",
        GEOMETRY,
        "fn area(",
        "return a;",
        &["let a: Int32", "return a;"],
    );
}

/// Code the compiler inlined is an inlined call in the debug
/// information (`DW_TAG_inlined_subroutine`): `area`'s code inside `main`
/// is at `area`'s own line, in a frame of `geometry::Rect::area` inlined
/// by `main` at the call's line, as `addr2line -i` (and gdb's `bt`) show.
#[test]
fn inlined_code_is_an_inlined_call_at_its_own_line() {
    let exe = build("inlined");
    let symbols = symbols(&exe);
    let s = find(&symbols, "main::main");
    let addrs: Vec<u64> = (s.addr..s.addr + s.size).collect();
    let found = addr2line_inlined(&exe, &addrs);
    let want = vec![
        (
            "geometry::Rect::area".to_owned(),
            "geometry.plat".to_owned(),
            line_of(GEOMETRY, "let a: Int32"),
        ),
        (
            "main::main".to_owned(),
            "main.plat".to_owned(),
            line_of(MAIN, "print(value = r.area())"),
        ),
    ];
    assert!(
        found.contains(&want),
        "no code of `main` is `area`'s inlined by `main`: {:?}",
        found.iter().filter(|f| f.len() > 1).collect::<Vec<_>>()
    );
}
