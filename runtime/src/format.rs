//! Rendering numbers and booleans as text, for conversions and
//! interpolation (spec §9.6).
//!
//! - Integers: decimal.
//! - Floats: Rust's `Display`, which is the shortest round-trip form
//!   without exponent: `2.0` gives `2`, `1e20` gives
//!   `100000000000000000000`, `2.5` stays `2.5`; `inf`, `-inf`, `NaN`.
//!   `Float32` values use `f32`'s shortest form.
//! - Booleans: `true` / `false`.
//!
//! All of these produce ASCII only, so their char count is their length.

use std::fmt::Write;

const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends the decimal form of `v` to `out`.
pub fn push_i64(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = v.unsigned_abs();
    while n >= 100 {
        let d = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[d..d + 2]);
    }
    if n >= 10 {
        let d = n as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[d..d + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[i..]);
}

/// `Vec<u8>` as a `fmt::Write` sink (formatting floats writes only ASCII).
struct VecSink<'a>(&'a mut Vec<u8>);

impl Write for VecSink<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Appends the shortest round-trip form of `v` (no exponent) to `out`.
pub fn push_f64(out: &mut Vec<u8>, v: f64) {
    // Writing to a Vec cannot fail.
    let _ = write!(VecSink(out), "{v}");
}

/// Appends the shortest round-trip form of `v` as an `f32` to `out`.
pub fn push_f32(out: &mut Vec<u8>, v: f32) {
    let _ = write!(VecSink(out), "{v}");
}

/// Appends `true` or `false`.
pub fn push_bool(out: &mut Vec<u8>, v: bool) {
    out.extend_from_slice(if v { b"true" } else { b"false" });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i(v: i64) -> String {
        let mut o = Vec::new();
        push_i64(&mut o, v);
        String::from_utf8(o).expect("ascii")
    }
    fn f(v: f64) -> String {
        let mut o = Vec::new();
        push_f64(&mut o, v);
        String::from_utf8(o).expect("ascii")
    }
    fn f32s(v: f32) -> String {
        let mut o = Vec::new();
        push_f32(&mut o, v);
        String::from_utf8(o).expect("ascii")
    }

    #[test]
    fn ensure_that_integers_render_in_decimal() {
        for v in [
            0, 1, 9, 10, 99, 100, 101, 12345, -1, -10, -99, -100, 987654321,
        ] {
            assert_eq!(i(v), v.to_string());
        }
        assert_eq!(i(i64::MIN), "-9223372036854775808");
        assert_eq!(i(i64::MAX), "9223372036854775807");
        for v in (-5000..5000).chain((0..60).map(|s| 1i64 << s)) {
            assert_eq!(i(v), v.to_string());
        }
    }

    #[test]
    fn ensure_that_floats_render_in_shortest_form_without_exponent() {
        assert_eq!(f(2.0), "2");
        assert_eq!(f(2.5), "2.5");
        assert_eq!(f(1e20), "100000000000000000000");
        assert_eq!(f(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(f(-0.0), "-0");
        assert_eq!(f(1e-7), "0.0000001");
        assert_eq!(f(f64::INFINITY), "inf");
        assert_eq!(f(f64::NEG_INFINITY), "-inf");
        assert_eq!(f(f64::NAN), "NaN");
        assert_eq!(f(f64::MAX).len(), 309);
        assert_eq!(f32s(0.1), "0.1");
        assert_eq!(f32s(2.0), "2");
        assert_eq!(f32s(1.5e10), "15000000000");
    }
}
