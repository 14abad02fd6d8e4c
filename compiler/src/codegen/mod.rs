//! Code generation: one Cranelift function per HIR function, written into
//! one object file by `cranelift-object`.
//!
//! Every generated function takes the hidden task context `ctx` as its
//! first parameter (see `docs/runtime-abi.md`); its prologue checks the
//! stack pointer against `ctx.stack_limit`.

mod control;
mod expr;
mod function;
mod inline;
mod runtime_abi;

use std::collections::HashMap;
use std::fmt::Write as _;

use cranelift_codegen::ir::{types, AbiParam, ArgumentPurpose, Signature, Type};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::{verify_function, Context};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::{DataDescription, DataId, FuncId, Linkage, Module};
use cranelift_object::{ObjectBuilder, ObjectModule};

use crate::hir::{FloatWidth, IntWidth, Program, Ty};
use crate::source::SourceMap;

/// Options of one code generation run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Collect the Cranelift IR of every function as text.
    pub emit_clif: bool,
}

/// The object file, and the IR text when asked for.
pub struct Output {
    pub object: Vec<u8>,
    pub clif: String,
}

/// The Cranelift type of a value of type `ty`; `None` for types without a
/// runtime value (Unit, Never).
pub fn value_type(ty: &Ty) -> Option<Type> {
    match ty {
        Ty::Bool => Some(types::I8),
        Ty::Int(IntWidth::W8) => Some(types::I8),
        Ty::Int(IntWidth::W16) => Some(types::I16),
        Ty::Int(IntWidth::W32) => Some(types::I32),
        Ty::Int(IntWidth::W64) => Some(types::I64),
        Ty::Float(FloatWidth::W32) => Some(types::F32),
        Ty::Float(FloatWidth::W64) => Some(types::F64),
        Ty::String => Some(types::I64),
        Ty::Unit | Ty::Never | Ty::Error => None,
    }
}

fn make_isa() -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k: &str, v: &str| {
        f.set(k, v)
            .map_err(|e| format!("cranelift setting {k}: {e}"))
    };
    set(&mut flags, "opt_level", "speed")?;
    // Linked with `-no-pie`: direct calls into the runtime, no GOT.
    set(&mut flags, "is_pic", "false")?;
    set(
        &mut flags,
        "enable_verifier",
        if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        },
    )?;
    let isa = cranelift_native::builder().map_err(|e| format!("unsupported host: {e}"))?;
    isa.finish(settings::Flags::new(flags))
        .map_err(|e| format!("cannot configure the code generator: {e}"))
}

/// State shared by the functions of one object file.
pub(crate) struct ModuleCx<'p> {
    pub module: ObjectModule,
    pub program: &'p Program,
    pub sources: &'p SourceMap,
    /// The `FuncId` of each HIR function, by `FnId`.
    pub functions: Vec<FuncId>,
    runtime: HashMap<&'static str, FuncId>,
    strings: HashMap<String, DataId>,
    cstrings: HashMap<String, DataId>,
    shape_string: Option<DataId>,
    pub call_conv: CallConv,
}

impl ModuleCx<'_> {
    /// The runtime function `name`, declared on first use.
    pub fn runtime_fn(&mut self, name: &'static str) -> FuncId {
        if let Some(id) = self.runtime.get(name) {
            return *id;
        }
        let sig = runtime_abi::signature(name, self.call_conv)
            .unwrap_or_else(|| panic!("runtime function `{name}` missing from runtime_abi::TABLE"));
        let id = self
            .module
            .declare_function(name, Linkage::Import, &sig)
            .unwrap_or_else(|e| panic!("declaring runtime function `{name}`: {e}"));
        self.runtime.insert(name, id);
        id
    }

    /// A string literal as a static string object (runtime-abi.md).
    pub fn string_literal(&mut self, text: &str) -> DataId {
        if let Some(id) = self.strings.get(text) {
            return *id;
        }
        let shape = match self.shape_string {
            Some(id) => id,
            None => {
                let id = self
                    .module
                    .declare_data("plat_shape_string", Linkage::Import, false, false)
                    .expect("declaring plat_shape_string");
                self.shape_string = Some(id);
                id
            }
        };
        let name = format!("plat_str_{}", self.strings.len());
        let id = self
            .module
            .declare_data(&name, Linkage::Local, false, false)
            .expect("declaring a string literal");
        let mut bytes = vec![0u8; 24];
        bytes[8..16].copy_from_slice(&(text.len() as u64).to_le_bytes());
        bytes[16..24].copy_from_slice(&(text.chars().count() as u64).to_le_bytes());
        bytes.extend_from_slice(text.as_bytes());
        bytes.push(0);
        let mut desc = DataDescription::new();
        desc.define(bytes.into_boxed_slice());
        desc.set_align(8);
        let shape_gv = self.module.declare_data_in_data(shape, &mut desc);
        desc.write_data_addr(0, shape_gv, 0);
        self.module
            .define_data(id, &desc)
            .expect("defining a string literal");
        self.strings.insert(text.to_owned(), id);
        id
    }

    /// A NUL-terminated C string (source locations, fixed messages).
    pub fn c_string(&mut self, text: &str) -> DataId {
        if let Some(id) = self.cstrings.get(text) {
            return *id;
        }
        let name = format!("plat_cstr_{}", self.cstrings.len());
        let id = self
            .module
            .declare_data(&name, Linkage::Local, false, false)
            .expect("declaring a C string");
        let mut bytes = text.as_bytes().to_vec();
        bytes.push(0);
        let mut desc = DataDescription::new();
        desc.define(bytes.into_boxed_slice());
        self.module
            .define_data(id, &desc)
            .expect("defining a C string");
        self.cstrings.insert(text.to_owned(), id);
        id
    }

    /// The signature of a Plat function: `ctx`, then its value parameters.
    pub fn plat_signature(&self, params: &[Ty], ret: &Ty) -> Signature {
        let mut sig = Signature::new(self.call_conv);
        sig.params
            .push(AbiParam::special(types::I64, ArgumentPurpose::VMContext));
        sig.params
            .extend(params.iter().filter_map(value_type).map(AbiParam::new));
        sig.returns.extend(value_type(ret).map(AbiParam::new));
        sig
    }
}

/// Generates the object file for a checked program.
pub fn generate(
    program: &Program,
    sources: &SourceMap,
    options: Options,
) -> Result<Output, String> {
    let isa = make_isa()?;
    let call_conv = isa.default_call_conv();
    let builder = ObjectBuilder::new(
        isa,
        "plat_program",
        cranelift_module::default_libcall_names(),
    )
    .map_err(|e| format!("cannot create the object file: {e}"))?;
    let mut cx = ModuleCx {
        module: ObjectModule::new(builder),
        program,
        sources,
        functions: Vec::new(),
        runtime: HashMap::new(),
        strings: HashMap::new(),
        cstrings: HashMap::new(),
        shape_string: None,
        call_conv,
    };
    for (i, f) in program.functions.iter().enumerate() {
        let params: Vec<Ty> = f.params.iter().map(|p| f.local(*p).ty.clone()).collect();
        let sig = cx.plat_signature(&params, &f.ret);
        let id = cx
            .module
            .declare_function(&format!("plat_fn_{i}_{}", f.name), Linkage::Local, &sig)
            .map_err(|e| e.to_string())?;
        cx.functions.push(id);
    }
    let mut clif = String::new();
    let mut ctx = Context::new();
    let mut fb_ctx = FunctionBuilderContext::new();
    // Build every function first, so each can inline the others.
    let mut bodies = Vec::with_capacity(program.functions.len());
    for (i, f) in program.functions.iter().enumerate() {
        let id = cx.functions[i];
        ctx.func.signature = cx
            .module
            .declarations()
            .get_function_decl(id)
            .signature
            .clone();
        function::build(&mut cx, &mut ctx.func, &mut fb_ctx, f);
        verify(&cx, &ctx, &f.name)?;
        bodies.push(std::mem::replace(
            &mut ctx.func,
            cranelift_codegen::ir::Function::new(),
        ));
    }
    for (i, f) in program.functions.iter().enumerate() {
        let id = cx.functions[i];
        ctx.func = bodies[i].clone();
        ctx.inline(inline::SmallFunctions::new(&bodies, &cx.functions))
            .map_err(|e| format!("internal error: inlining into `{}`: {e:?}", f.name))?;
        finish_function(&mut cx, &mut ctx, id, &f.name, options, &mut clif)?;
    }
    let main_id = function::build_entry(&mut cx, &mut ctx, &mut fb_ctx)?;
    finish_function(&mut cx, &mut ctx, main_id, "plat_main", options, &mut clif)?;
    let product = cx.module.finish();
    let object = product
        .emit()
        .map_err(|e| format!("cannot write the object file: {e}"))?;
    Ok(Output { object, clif })
}

/// Runs the IR verifier in debug builds of the compiler.
fn verify(cx: &ModuleCx, ctx: &Context, name: &str) -> Result<(), String> {
    if cfg!(debug_assertions) {
        if let Err(errors) = verify_function(&ctx.func, cx.module.isa()) {
            return Err(format!(
                "internal error: invalid code for `{name}`:\n{}",
                cranelift_codegen::print_errors::pretty_verifier_error(&ctx.func, None, errors)
            ));
        }
    }
    Ok(())
}

/// Verifies (in debug builds), optionally prints, and defines a function.
fn finish_function(
    cx: &mut ModuleCx,
    ctx: &mut Context,
    id: FuncId,
    name: &str,
    options: Options,
    clif: &mut String,
) -> Result<(), String> {
    verify(cx, ctx, name)?;
    if options.emit_clif {
        let _ = writeln!(clif, "; function {name}\n{}", ctx.func.display());
    }
    cx.module
        .define_function(id, ctx)
        .map_err(|e| format!("internal error: compiling `{name}`: {e:?}"))?;
    cx.module.clear_context(ctx);
    Ok(())
}
