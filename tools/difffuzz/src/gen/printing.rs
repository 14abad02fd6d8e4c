//! Printing inside collections: a random sequence of operations on a
//! `List[Float32]` (computed elements included: `inf`, `NaN`, `-0`), a
//! `List[String]`, a `Dict[String, Float32]` and a `Set[String]` whose
//! strings hold quotes, backslashes, tabs, newlines, `$`, braces and
//! non-ASCII text, printed alone, nested in other collections, in
//! `Option`s and interpolated. The runtime quotes nested strings without
//! escaping anything (`Val::show_nested`).

use super::options::value;
use super::scalar::pure_expr;
use super::Body;
use crate::ast::render_expr;
use crate::rng::Rng;
use crate::value::{show_list, Ty, Val};
use std::fmt::Write as _;

pub fn show_dict(d: &[(String, Val)]) -> String {
    let parts: Vec<String> = d
        .iter()
        .map(|(k, v)| format!("{}: {}", Val::Str(k.clone()).show_nested(), v.show_nested()))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

fn show_set(s: &[String]) -> String {
    let parts: Vec<String> = s
        .iter()
        .map(|k| Val::Str(k.clone()).show_nested())
        .collect();
    format!("{{{}}}", parts.join(", "))
}

fn some(v: Option<&Val>) -> String {
    match v {
        Some(v) => format!("Some({})", v.show_nested()),
        None => "None".into(),
    }
}

/// A Float32: a random literal value, sometimes a signed zero.
fn f32_val(rng: &mut Rng) -> Val {
    match rng.below(6) {
        0 => Val::F32(-0.0),
        1 => Val::F32(rng.range(-9, 9) as f32 / 4.0),
        _ => value(rng, Ty::F32),
    }
}

/// A Float32 element: a literal, or a computed expression (which may
/// overflow to `inf` or give `NaN`).
fn f32_elem(rng: &mut Rng) -> (String, Val) {
    if rng.chance(1, 2) {
        let v = f32_val(rng);
        return (v.literal(), v);
    }
    let (e, v) = pure_expr(rng, &[], Ty::F32, &[Vec::new()], 2);
    (render_expr(&e), v[0].clone())
}

pub fn str_val(rng: &mut Rng) -> String {
    let mut s = value(rng, Ty::Str).as_str().to_string();
    if rng.chance(1, 3) {
        let tail: &&str = rng.pick(&["\"", "\\", "'", "é", "日本", "\\\"", "\"\""]);
        s.push_str(tail);
    }
    s
}

pub fn printing(rng: &mut Rng, _id: u32) -> Body {
    let mut body = String::new();
    let mut exp = Vec::new();
    let mut fl: Vec<Val> = Vec::new();
    let mut lits = Vec::new();
    for _ in 0..rng.range(0, 4) {
        let (l, v) = f32_elem(rng);
        lits.push(l);
        fl.push(v);
    }
    let _ = writeln!(body, "  let fl: List[Float32] = [{}];", lits.join(", "));
    let mut ss: Vec<Val> = (0..rng.range(0, 3))
        .map(|_| Val::Str(str_val(rng)))
        .collect();
    let lits: Vec<String> = ss.iter().map(Val::literal).collect();
    let _ = writeln!(body, "  let ss: List[String] = [{}];", lits.join(", "));
    let _ = writeln!(body, "  let d: Dict[String, Float32] = {{}};");
    let _ = writeln!(body, "  let st: Set[String] = Set{{}};");
    let mut d: Vec<(String, Val)> = Vec::new();
    let mut st: Vec<String> = Vec::new();
    // Keys are reused now and then, so sets and removals hit.
    let mut keys: Vec<String> = Vec::new();
    let mut key = |rng: &mut Rng| -> String {
        if !keys.is_empty() && rng.chance(1, 2) {
            return rng.pick(&keys).clone();
        }
        let k = str_val(rng);
        keys.push(k.clone());
        k
    };
    for _ in 0..rng.range(4, 12) {
        match rng.below(13) {
            0 | 1 => {
                let (l, v) = f32_elem(rng);
                let _ = writeln!(body, "  fl.push(value = {l});");
                fl.push(v);
            }
            2 if !fl.is_empty() => {
                let i = rng.below(fl.len() as u64) as usize;
                let (l, v) = f32_elem(rng);
                let _ = writeln!(body, "  fl.set(index = {i}, value = {l});");
                fl[i] = v;
            }
            2 | 3 => {
                let _ = writeln!(body, "  print(value = fl);");
                exp.push(show_list(&fl));
            }
            4 => {
                let _ = writeln!(body, "  print(value = fl.pop());");
                exp.push(some(fl.pop().as_ref()));
            }
            5 => {
                let s = Val::Str(str_val(rng));
                let _ = writeln!(body, "  ss.push(value = {});", s.literal());
                ss.push(s);
                let _ = writeln!(body, "  print(value = ss);");
                exp.push(show_list(&ss));
            }
            6 => {
                let i = rng.range(0, ss.len() as i64);
                let _ = writeln!(body, "  print(value = ss[{i}]);");
                exp.push(some(ss.get(i as usize)));
            }
            7 => {
                let k = key(rng);
                let (l, v) = f32_elem(rng);
                let _ = writeln!(
                    body,
                    "  d.set(key = {}, value = {l});",
                    Val::Str(k.clone()).literal()
                );
                match d.iter_mut().find(|(x, _)| *x == k) {
                    Some(e) => e.1 = v,
                    None => d.push((k, v)),
                }
            }
            8 => {
                let k = key(rng);
                let _ = writeln!(
                    body,
                    "  print(value = d.remove(key = {}));",
                    Val::Str(k.clone()).literal()
                );
                let p = d.iter().position(|(x, _)| *x == k);
                exp.push(some(p.map(|p| d.remove(p).1).as_ref()));
                let _ = writeln!(body, "  print(value = d);");
                exp.push(show_dict(&d));
            }
            9 => {
                let k = key(rng);
                let _ = writeln!(body, "  st.add(value = {});", Val::Str(k.clone()).literal());
                if !st.contains(&k) {
                    st.push(k);
                }
                let _ = writeln!(body, "  print(value = st);");
                exp.push(show_set(&st));
            }
            10 => {
                let k = key(rng);
                let _ = writeln!(
                    body,
                    "  st.remove(value = {});",
                    Val::Str(k.clone()).literal()
                );
                st.retain(|x| *x != k);
                let _ = writeln!(body, "  print(value = \"${{st}} ${{st.length()}}\");");
                exp.push(format!("{} {}", show_set(&st), st.len()));
            }
            11 => {
                // Nested: a list of the lists, a dict of the string list.
                let _ = writeln!(body, "  print(value = [fl, fl]);");
                let f = show_list(&fl);
                exp.push(format!("[{f}, {f}]"));
                let k = key(rng);
                let _ = writeln!(
                    body,
                    "  print(value = {{{}: ss}});",
                    Val::Str(k.clone()).literal()
                );
                exp.push(format!(
                    "{{{}: {}}}",
                    Val::Str(k).show_nested(),
                    show_list(&ss)
                ));
            }
            _ => {
                let _ = writeln!(body, "  print(value = \"d=${{d}} ss=${{ss}}\");");
                exp.push(format!("d={} ss={}", show_dict(&d), show_list(&ss)));
            }
        }
    }
    let _ = writeln!(body, "  print(value = d);");
    exp.push(show_dict(&d));
    Body::Text {
        items: String::new(),
        body,
        expected: exp,
        exit: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_strings_are_quoted_not_escaped() {
        let d = vec![
            ("a\"".to_string(), Val::F32(f32::NAN)),
            ("\\".into(), Val::F32(1.0)),
        ];
        assert_eq!(show_dict(&d), "{\"a\"\": NaN, \"\\\": 1}");
        assert_eq!(show_set(&["日\t".to_string()]), "{\"日\t\"}");
        assert_eq!(some(Some(&Val::Str("$".into()))), "Some(\"$\")");
        assert_eq!(some(None), "None");
    }
}
