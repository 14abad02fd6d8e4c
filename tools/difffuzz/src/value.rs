//! The value model: Plat's scalar types and their semantics, computed in
//! Rust (wrapping integer arithmetic at every width, truncating division,
//! saturating float-to-int casts, IEEE floats rendered as the runtime
//! renders them: Rust's `Display`, see runtime/src/format.rs).

use std::fmt::Write as _;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ty {
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
    Bool,
    Str,
}

pub const INTS: [Ty; 4] = [Ty::I8, Ty::I16, Ty::I32, Ty::I64];

/// Scalar types a generated value, field or payload may have.
pub const SCALARS: &[Ty] = &[
    Ty::I32,
    Ty::I64,
    Ty::I8,
    Ty::Str,
    Ty::F64,
    Ty::F32,
    Ty::Bool,
];

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::I8 => "Int8",
            Ty::I16 => "Int16",
            Ty::I32 => "Int32",
            Ty::I64 => "Int64",
            Ty::F32 => "Float32",
            Ty::F64 => "Float64",
            Ty::Bool => "Bool",
            Ty::Str => "String",
        }
    }

    pub fn is_int(self) -> bool {
        matches!(self, Ty::I8 | Ty::I16 | Ty::I32 | Ty::I64)
    }

    pub fn is_float(self) -> bool {
        matches!(self, Ty::F32 | Ty::F64)
    }

    pub fn is_num(self) -> bool {
        self.is_int() || self.is_float()
    }

    fn suffix(self) -> &'static str {
        match self {
            Ty::I8 => "i8",
            Ty::I16 => "i16",
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::F32 => "f32",
            _ => "",
        }
    }

    pub fn min(self) -> i64 {
        match self {
            Ty::I8 => i8::MIN as i64,
            Ty::I16 => i16::MIN as i64,
            Ty::I32 => i32::MIN as i64,
            _ => i64::MIN,
        }
    }

    pub fn max(self) -> i64 {
        match self {
            Ty::I8 => i8::MAX as i64,
            Ty::I16 => i16::MAX as i64,
            Ty::I32 => i32::MAX as i64,
            _ => i64::MAX,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Int(Ty, i64),
    F32(f32),
    F64(f64),
    Bool(bool),
    Str(String),
}

/// Truncates `v` to the width of `ty` (two's complement).
pub fn wrap(ty: Ty, v: i64) -> i64 {
    match ty {
        Ty::I8 => v as i8 as i64,
        Ty::I16 => v as i16 as i64,
        Ty::I32 => v as i32 as i64,
        _ => v,
    }
}

impl Val {
    /// How `print` and `${}` render the value.
    pub fn show(&self) -> String {
        match self {
            Val::Int(_, v) => v.to_string(),
            Val::F32(v) => format!("{v}"),
            Val::F64(v) => format!("{v}"),
            Val::Bool(b) => b.to_string(),
            Val::Str(s) => s.clone(),
        }
    }

    /// How the value renders inside a printed collection, enum payload
    /// or class field: strings between `"`, with nothing escaped
    /// (runtime/src/value/print.rs).
    pub fn show_nested(&self) -> String {
        match self {
            Val::Str(s) => format!("\"{s}\""),
            v => v.show(),
        }
    }

    /// A Plat expression denoting the value (parenthesised when negative).
    pub fn literal(&self) -> String {
        match self {
            Val::Int(t, v) => int_literal(*t, *v),
            Val::F64(v) => float_literal(&format!("{v:?}"), v.is_sign_negative(), ""),
            Val::F32(v) => float_literal(&format!("{v:?}"), v.is_sign_negative(), "f32"),
            Val::Bool(b) => b.to_string(),
            Val::Str(s) => str_literal(s),
        }
    }

    pub fn as_int(&self) -> i64 {
        match self {
            Val::Int(_, v) => *v,
            _ => 0,
        }
    }

    pub fn as_bool(&self) -> bool {
        matches!(self, Val::Bool(true))
    }

    pub fn as_str(&self) -> &str {
        match self {
            Val::Str(s) => s,
            _ => "",
        }
    }
}

fn int_literal(t: Ty, v: i64) -> String {
    let s = t.suffix();
    if v == t.min() {
        format!("({}{s} - 1{s})", t.max().wrapping_neg())
    } else if v < 0 {
        format!("(-{}{s})", v.unsigned_abs())
    } else {
        format!("{v}{s}")
    }
}

fn float_literal(debug: &str, negative: bool, suffix: &str) -> String {
    let body = debug.trim_start_matches('-');
    if negative {
        format!("(-{body}{suffix})")
    } else {
        format!("{body}{suffix}")
    }
}

pub fn str_literal(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '$' => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    pub fn text(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

/// A runtime panic the program is expected to raise (exit code 101).
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Division or remainder by zero.
    DivZero,
    /// Any other runtime panic: a list index out of range (`unwrap` or
    /// `expect` of a missing element, `set` past the end or below zero).
    Panic,
    /// The model cannot evaluate this program (a generator bug or a
    /// minimisation step that removed a definition): never emitted.
    Invalid(String),
}

/// `a op b` for two values of the same type (`and`/`or` are handled by
/// the evaluator, which short-circuits).
pub fn binary(op: BinOp, a: &Val, b: &Val) -> Result<Val, Fault> {
    use BinOp::*;
    Ok(match (a, b) {
        (Val::Int(t, x), Val::Int(_, y)) => {
            let (t, x, y) = (*t, *x, *y);
            match op {
                Add => Val::Int(t, wrap(t, x.wrapping_add(y))),
                Sub => Val::Int(t, wrap(t, x.wrapping_sub(y))),
                Mul => Val::Int(t, wrap(t, x.wrapping_mul(y))),
                Div | Rem if y == 0 => return Err(Fault::DivZero),
                Div => Val::Int(t, wrap(t, x.wrapping_div(y))),
                Rem => Val::Int(t, wrap(t, x.wrapping_rem(y))),
                _ => Val::Bool(compare(op, x.cmp(&y))),
            }
        }
        (Val::F64(x), Val::F64(y)) => match op {
            Add => Val::F64(x + y),
            Sub => Val::F64(x - y),
            Mul => Val::F64(x * y),
            Div => Val::F64(x / y),
            _ => Val::Bool(fcompare(op, x.partial_cmp(y))),
        },
        (Val::F32(x), Val::F32(y)) => match op {
            Add => Val::F32(x + y),
            Sub => Val::F32(x - y),
            Mul => Val::F32(x * y),
            Div => Val::F32(x / y),
            _ => Val::Bool(fcompare(op, x.partial_cmp(y))),
        },
        (Val::Str(x), Val::Str(y)) => match op {
            Add => Val::Str(format!("{x}{y}")),
            Eq => Val::Bool(x == y),
            Ne => Val::Bool(x != y),
            _ => return Err(Fault::Invalid(format!("string {op:?}"))),
        },
        (Val::Bool(x), Val::Bool(y)) => match op {
            Eq => Val::Bool(x == y),
            Ne => Val::Bool(x != y),
            _ => return Err(Fault::Invalid(format!("bool {op:?}"))),
        },
        _ => return Err(Fault::Invalid(format!("mixed operands {a:?} {op:?} {b:?}"))),
    })
}

fn compare(op: BinOp, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        BinOp::Eq => o == Equal,
        BinOp::Ne => o != Equal,
        BinOp::Lt => o == Less,
        BinOp::Le => o != Greater,
        BinOp::Gt => o == Greater,
        _ => o != Less,
    }
}

fn fcompare(op: BinOp, o: Option<std::cmp::Ordering>) -> bool {
    match o {
        Some(o) => compare(op, o),
        // NaN: every comparison is false except `!=`.
        None => op == BinOp::Ne,
    }
}

pub fn negate(v: &Val) -> Val {
    match v {
        Val::Int(t, x) => Val::Int(*t, wrap(*t, x.wrapping_neg())),
        Val::F64(x) => Val::F64(-x),
        Val::F32(x) => Val::F32(-x),
        other => other.clone(),
    }
}

/// `cast(value = v, target = to)`: int-to-int wraps, float-to-int
/// saturates (NaN gives 0), int-to-float rounds to nearest.
pub fn cast(v: &Val, to: Ty) -> Val {
    match (v, to) {
        (Val::Int(_, x), t) if t.is_int() => Val::Int(t, wrap(t, *x)),
        (Val::Int(_, x), Ty::F64) => Val::F64(*x as f64),
        (Val::Int(_, x), Ty::F32) => Val::F32(*x as f32),
        (Val::F64(x), Ty::F64) => Val::F64(*x),
        (Val::F64(x), Ty::F32) => Val::F32(*x as f32),
        (Val::F32(x), Ty::F64) => Val::F64(*x as f64),
        (Val::F32(x), Ty::F32) => Val::F32(*x),
        (Val::F64(x), t) => Val::Int(t, saturate(t, *x)),
        (Val::F32(x), t) => Val::Int(t, saturate(t, *x as f64)),
        (other, _) => other.clone(),
    }
}

fn saturate(t: Ty, x: f64) -> i64 {
    match t {
        Ty::I8 => x as i8 as i64,
        Ty::I16 => x as i16 as i64,
        Ty::I32 => x as i32 as i64,
        _ => x as i64,
    }
}

/// Renders a list of values as Plat prints a `List`.
pub fn show_list(items: &[Val]) -> String {
    let mut out = String::from("[");
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{}", v.show_nested());
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(t: Ty, v: i64) -> Val {
        Val::Int(t, v)
    }

    #[test]
    fn integer_arithmetic_wraps_at_every_width() {
        let r = binary(BinOp::Add, &int(Ty::I8, 127), &int(Ty::I8, 1));
        assert_eq!(r, Ok(int(Ty::I8, -128)));
        let r = binary(BinOp::Mul, &int(Ty::I16, 300), &int(Ty::I16, 300));
        assert_eq!(r, Ok(int(Ty::I16, 24464)));
        let r = binary(
            BinOp::Div,
            &int(Ty::I32, i32::MIN as i64),
            &int(Ty::I32, -1),
        );
        assert_eq!(r, Ok(int(Ty::I32, i32::MIN as i64)));
        let r = binary(BinOp::Rem, &int(Ty::I64, i64::MIN), &int(Ty::I64, -1));
        assert_eq!(r, Ok(int(Ty::I64, 0)));
        let r = binary(BinOp::Div, &int(Ty::I32, -7), &int(Ty::I32, 2));
        assert_eq!(r, Ok(int(Ty::I32, -3)));
        let r = binary(BinOp::Rem, &int(Ty::I32, -7), &int(Ty::I32, 3));
        assert_eq!(r, Ok(int(Ty::I32, -1)));
        let r = binary(BinOp::Rem, &int(Ty::I8, 5), &int(Ty::I8, 0));
        assert_eq!(r, Err(Fault::DivZero));
        assert_eq!(negate(&int(Ty::I8, -128)), int(Ty::I8, -128));
    }

    #[test]
    fn casts_wrap_or_saturate() {
        assert_eq!(cast(&int(Ty::I32, 300), Ty::I8), int(Ty::I8, 44));
        assert_eq!(cast(&Val::F64(1e10), Ty::I16), int(Ty::I16, 32767));
        assert_eq!(cast(&Val::F64(f64::NAN), Ty::I32), int(Ty::I32, 0));
        assert_eq!(cast(&Val::F64(-3.99), Ty::I64), int(Ty::I64, -3));
        assert_eq!(cast(&int(Ty::I64, 3), Ty::F32), Val::F32(3.0));
    }

    #[test]
    fn values_render_as_plat_prints_them() {
        assert_eq!(Val::F64(2.0).show(), "2");
        assert_eq!(Val::F64(1e20).show(), "100000000000000000000");
        assert_eq!(Val::F64(0.1 + 0.2).show(), "0.30000000000000004");
        assert_eq!(Val::F64(-0.0).show(), "-0");
        assert_eq!(Val::F32(0.1).show(), "0.1");
        assert_eq!(Val::Bool(true).show(), "true");
        assert_eq!(
            show_list(&[Val::Str("a".into()), Val::Str("b".into())]),
            "[\"a\", \"b\"]"
        );
        // Nothing is escaped inside a collection: quotes, backslashes,
        // control characters and non-ASCII text are printed as they are.
        assert_eq!(
            show_list(&[
                Val::Str("a\"b\\c\n\t日é$".into()),
                Val::F32(-0.0),
                Val::F32(0.1)
            ]),
            "[\"a\"b\\c\n\t日é$\", -0, 0.1]"
        );
    }

    #[test]
    fn literals_denote_their_value() {
        assert_eq!(int(Ty::I8, -128).literal(), "(-127i8 - 1i8)");
        assert_eq!(int(Ty::I64, -5).literal(), "(-5i64)");
        assert_eq!(Val::F64(-0.0).literal(), "(-0.0)");
        assert_eq!(Val::F64(1e-7).literal(), "1e-7");
        assert_eq!(Val::F32(1.5).literal(), "1.5f32");
        assert_eq!(Val::Str("a\"$\n".into()).literal(), "\"a\\\"\\$\\n\"");
        // `\r` is an escape; other control characters, NUL and
        // astral-plane text stand raw between the quotes (the lexer keeps
        // them), and render unchanged, nested too.
        let odd = Val::Str("\r\u{0}\u{1b}😀🇫🇷".into());
        assert_eq!(odd.literal(), "\"\\r\u{0}\u{1b}😀🇫🇷\"");
        assert_eq!(odd.show_nested(), "\"\r\u{0}\u{1b}😀🇫🇷\"");
    }
}
