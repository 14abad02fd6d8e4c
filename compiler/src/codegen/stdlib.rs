//! The String methods and number functions of issue 12 (docs/stdlib.md):
//! `compare`, `to_upper`, `index_of`, `repeat`, `lines`, `pad_left`...,
//! `math_abs`/`math_min`/`math_max` on every numeric type (inline code),
//! the Float64 functions of `runtime/src/math.rs` and `format_float`.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Value};

use super::function::FunctionCx;
use crate::hir::{Builtin, Ty};
use crate::mir::Expr;
use crate::source::Span;

/// Whether `op` is lowered by [`FunctionCx::stdlib_builtin`].
pub fn is_stdlib_op(op: Builtin) -> bool {
    use Builtin::*;
    matches!(
        op,
        StrCompare
            | StrToUpper
            | StrToLower
            | StrIndexOf
            | StrRepeat
            | StrLines
            | StrChars
            | StrSplitWhitespace
            | StrPadLeft
            | StrPadRight
            | MathAbs
            | MathMin
            | MathMax
            | MathSin
            | MathCos
            | MathTan
            | MathAtan2
            | MathPow
            | MathExp
            | MathLn
            | MathLog10
            | FormatFloat
    )
}

impl FunctionCx<'_, '_> {
    /// One of the operations of [`is_stdlib_op`]; `args` in parameter
    /// order (the receiver first for methods), `None` for an omitted
    /// optional argument.
    pub fn stdlib_builtin(
        &mut self,
        op: Builtin,
        args: &[Option<Expr>],
        ret: &Ty,
        span: Span,
    ) -> Option<Value> {
        use Builtin::*;
        let vals: Vec<Option<Value>> = args
            .iter()
            .map(|a| a.as_ref().map(|e| self.expr_value(e)))
            .collect();
        let arg = |i: usize| vals.get(i).copied().flatten();
        match op {
            StrCompare => self.call_runtime("plat_str_compare", &[arg(0)?, arg(1)?]),
            StrToUpper => self.call_runtime("plat_str_to_upper", &[arg(0)?]),
            StrToLower => self.call_runtime("plat_str_to_lower", &[arg(0)?]),
            StrIndexOf => {
                let i = self.call_runtime("plat_str_index_of", &[arg(0)?, arg(1)?])?;
                let found = self
                    .b
                    .ins()
                    .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, i, 0);
                Some(self.option_from(found, i, ret))
            }
            StrRepeat => {
                let loc = self.location(span);
                self.call_runtime("plat_str_repeat", &[arg(0)?, arg(1)?, loc])
            }
            StrPadLeft | StrPadRight => {
                let fill = match arg(2) {
                    Some(f) => f,
                    None => self.string_const(" "),
                };
                let loc = self.location(span);
                let name = if op == StrPadLeft {
                    "plat_str_pad_left"
                } else {
                    "plat_str_pad_right"
                };
                self.call_runtime(name, &[arg(0)?, arg(1)?, fill, loc])
            }
            StrLines | StrChars | StrSplitWhitespace => {
                let name = match op {
                    StrLines => "plat_str_lines",
                    StrChars => "plat_str_chars",
                    _ => "plat_str_split_whitespace",
                };
                let desc = self.desc_value(ret);
                self.call_runtime(name, &[arg(0)?, desc])
            }
            MathAbs => Some(self.abs(arg(0)?, ret)),
            MathMin | MathMax => Some(self.min_max(op == MathMin, arg(0)?, arg(1)?, ret)),
            MathSin | MathCos | MathTan | MathExp | MathLn | MathLog10 => {
                let name = match op {
                    MathSin => "plat_math_sin",
                    MathCos => "plat_math_cos",
                    MathTan => "plat_math_tan",
                    MathExp => "plat_math_exp",
                    MathLn => "plat_math_ln",
                    _ => "plat_math_log10",
                };
                self.call_runtime(name, &[arg(0)?])
            }
            MathAtan2 => self.call_runtime("plat_math_atan2", &[arg(0)?, arg(1)?]),
            MathPow => self.call_runtime("plat_math_pow", &[arg(0)?, arg(1)?]),
            FormatFloat => {
                let loc = self.location(span);
                self.call_runtime("plat_format_float", &[arg(0)?, arg(1)?, loc])
            }
            _ => unreachable!("not a stdlib operation: {op:?}"),
        }
    }

    /// `math_abs`: `fabs` on floats; on integers `-x` when negative, which
    /// wraps as `-x` does (the minimum value is its own absolute value).
    fn abs(&mut self, x: Value, ty: &Ty) -> Value {
        if let Ty::Float(_) = ty {
            return self.b.ins().fabs(x);
        }
        let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
        let minus = self.b.ins().ineg(x);
        self.b.ins().select(negative, minus, x)
    }

    /// `math_min`/`math_max`. Floats: Cranelift's `fmin`/`fmax` (IEEE
    /// 754-2019 minimum/maximum: NaN if either operand is NaN, and -0.0
    /// below +0.0). Integers: signed comparison.
    fn min_max(&mut self, min: bool, a: Value, b: Value, ty: &Ty) -> Value {
        if let Ty::Float(_) = ty {
            return if min {
                self.b.ins().fmin(a, b)
            } else {
                self.b.ins().fmax(a, b)
            };
        }
        let cc = if min {
            IntCC::SignedLessThanOrEqual
        } else {
            IntCC::SignedGreaterThanOrEqual
        };
        let pick_a = self.b.ins().icmp(cc, a, b);
        self.b.ins().select(pick_a, a, b)
    }
}
