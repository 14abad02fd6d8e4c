//! Constant folding (stub until written).
use crate::mir::Program;
pub fn run(_program: &mut Program) {}
