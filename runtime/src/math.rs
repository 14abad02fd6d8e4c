//! The math functions of issue 12 (docs/stdlib.md, "Numbers and math")
//! that are not one machine instruction, and `format_float`.
//!
//! `math_sqrt`, `math_floor`, `math_ceil`, `math_abs`, `math_min` and
//! `math_max` are inline code (`compiler/src/codegen/stdlib.rs`); these are
//! Rust's `f64` methods, so their results are the platform's libm's.
//!
//! Contract of `plat_format_float`: `loc` is null or a NUL-terminated
//! `"file:line:col"` that lives forever.
#![allow(clippy::missing_safety_doc)]

use std::ffi::c_char;

use crate::fatal::loc_arg;
use crate::string::{self, PlatStr};

/// `math_sin(value = x)`, radians.
#[no_mangle]
pub extern "C" fn plat_math_sin(x: f64) -> f64 {
    x.sin()
}

/// `math_cos(value = x)`, radians.
#[no_mangle]
pub extern "C" fn plat_math_cos(x: f64) -> f64 {
    x.cos()
}

/// `math_tan(value = x)`, radians.
#[no_mangle]
pub extern "C" fn plat_math_tan(x: f64) -> f64 {
    x.tan()
}

/// `math_atan2(y =, x =)`: the angle of the point (x, y), in (-pi, pi].
#[no_mangle]
pub extern "C" fn plat_math_atan2(y: f64, x: f64) -> f64 {
    y.atan2(x)
}

/// `math_pow(base =, exponent =)`.
#[no_mangle]
pub extern "C" fn plat_math_pow(base: f64, exponent: f64) -> f64 {
    base.powf(exponent)
}

/// `math_exp(value = x)`: e to the power x.
#[no_mangle]
pub extern "C" fn plat_math_exp(x: f64) -> f64 {
    x.exp()
}

/// `math_ln(value = x)`: the natural logarithm (NaN below 0, -inf at 0).
#[no_mangle]
pub extern "C" fn plat_math_ln(x: f64) -> f64 {
    x.ln()
}

/// `math_log10(value = x)`.
#[no_mangle]
pub extern "C" fn plat_math_log10(x: f64) -> f64 {
    x.log10()
}

/// The most decimals `format_float` writes: the exact value of every
/// `Float64` has at most 1074 digits after the point (the smallest
/// subnormal, 2^-1074), so more would only add zeros.
pub const MAX_DECIMALS: i32 = 1074;

/// `format_float(value = v, decimals = d)`: `v` with exactly `d` digits
/// after the point (none, and no point, for 0), correctly rounded from
/// its exact binary value with ties to even: Rust's `format!("{:.d$}")`,
/// C's `printf("%.*f")`. NaN and infinities are written as everywhere
/// else (`NaN`, `inf`, `-inf`); a negative value that rounds to zero
/// keeps its sign (`-0.00`). `d` outside 0..=1074 panics.
#[no_mangle]
pub unsafe extern "C" fn plat_format_float(
    v: f64,
    decimals: i32,
    loc: *const c_char,
) -> *const PlatStr {
    if !(0..=MAX_DECIMALS).contains(&decimals) {
        let message =
            format!("format_float: decimals must be between 0 and {MAX_DECIMALS} (got {decimals})");
        // SAFETY: null or a valid location (module contract).
        crate::sched::panic(message.as_bytes(), unsafe { loc_arg(loc) });
    }
    if !v.is_finite() {
        // The spelling of `print` and interpolation (`crate::format`).
        return crate::string::abi::plat_str_from_f64(v);
    }
    let text = format!("{v:.prec$}", prec = decimals as usize);
    string::from_ascii(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(v: f64, d: i32) -> String {
        // SAFETY: a null location; the result is a valid string.
        unsafe { string::as_str(plat_format_float(v, d, std::ptr::null())).to_owned() }
    }

    #[test]
    fn ensure_that_format_float_rounds_the_exact_value() {
        assert_eq!(fixed(1.23456, 2), "1.23");
        assert_eq!(fixed(2.5, 0), "2");
        assert_eq!(fixed(3.5, 0), "4");
        assert_eq!(fixed(0.125, 2), "0.12");
        assert_eq!(fixed(0.375, 2), "0.38");
        // 0.1 is a little above 1/10, 2.675 a little below 2.675.
        assert_eq!(fixed(0.1, 20), "0.10000000000000000555");
        assert_eq!(fixed(2.675, 2), "2.67");
        assert_eq!(fixed(-1.5, 3), "-1.500");
        assert_eq!(fixed(-0.001, 2), "-0.00");
        assert_eq!(fixed(1e21, 1), "1000000000000000000000.0");
        assert_eq!(fixed(f64::NAN, 3), "NaN");
        assert_eq!(fixed(f64::INFINITY, 3), "inf");
        assert_eq!(fixed(f64::NEG_INFINITY, 0), "-inf");
        let tiny = fixed(f64::from_bits(1), MAX_DECIMALS);
        assert!(tiny.starts_with("0.000") && tiny.ends_with("625"), "{tiny}");
        assert_eq!(tiny.len(), 2 + MAX_DECIMALS as usize);
    }

    #[test]
    fn ensure_that_the_functions_are_the_f64_methods() {
        assert_eq!(plat_math_sin(0.0), 0.0);
        assert_eq!(plat_math_cos(0.0), 1.0);
        assert_eq!(plat_math_tan(0.0), 0.0);
        assert_eq!(plat_math_atan2(1.0, 1.0), std::f64::consts::FRAC_PI_4);
        assert_eq!(plat_math_pow(2.0, 10.0), 1024.0);
        assert_eq!(plat_math_exp(0.0), 1.0);
        assert_eq!(plat_math_ln(1.0), 0.0);
        assert_eq!(plat_math_ln(0.0), f64::NEG_INFINITY);
        assert!(plat_math_ln(-1.0).is_nan());
        assert_eq!(plat_math_log10(1000.0), 3.0);
    }
}
