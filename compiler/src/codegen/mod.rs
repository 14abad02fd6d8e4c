//! Code generation: one Cranelift function per MIR function instance
//! (already monomorphic, see `crate::mir`), written into one object file
//! by `cranelift-object`. Every instance is declared first, from the MIR's
//! list, then each is defined (rustc_codegen_cranelift's order).
//!
//! Every generated function takes the hidden task context `ctx` as its
//! first parameter (see `docs/runtime-abi.md`); its prologue checks the
//! stack pointer against `ctx.stack_limit`.

mod collections;
mod control;
mod debuginfo;
mod expr;
mod function;
mod list_views;
mod objects;
mod runtime_abi;
mod stdlib;
mod symbols;
mod sync_lib;
mod sys;
mod tasks;
mod test_entry;
mod types;

use std::collections::{HashMap, VecDeque};

use crate::mir::{self, InstId};
use std::fmt::Write as _;

use cranelift_codegen::ir::{types as cl, AbiParam, ArgumentPurpose, Signature};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::{verify_function, Context};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::{DataDescription, DataId, FuncId, Linkage, Module};
use cranelift_object::{ObjectBuilder, ObjectModule};

use crate::hir::{Entry, Program, Ty};
use crate::source::SourceMap;
use plat_abi::object::{closure, enumeration, string, HEADER};
use plat_abi::tables::fn_table;

pub use types::value_type;

/// Options of one code generation run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Collect the Cranelift IR of every function as text.
    pub emit_clif: bool,
}

/// Why code generation failed.
#[derive(Debug)]
pub enum Error {
    /// The program cannot be compiled (reported as a diagnostic).
    Program(Box<crate::diag::Diagnostic>),
    /// A bug in the compiler.
    Internal(String),
}

/// The object file, and the IR text when asked for.
pub struct Output {
    pub object: Vec<u8>,
    pub clif: String,
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
    // Cranelift's verifier after each of its own passes (for bugs in
    // Cranelift) only in debug builds of the compiler; every build
    // verifies the IR we generate once, before those passes (`verify`).
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

/// What an address written into a static data object points to.
#[derive(Clone, Copy)]
pub(crate) enum Target {
    Data(DataId),
    Func(FuncId),
}

/// State shared by the functions of one object file.
pub(crate) struct ModuleCx<'p> {
    pub module: ObjectModule,
    /// The checked program, for its ADT definitions and type names.
    pub program: &'p Program,
    /// The program's instances, what is compiled.
    pub mir: &'p mir::Program,
    pub sources: &'p SourceMap,
    /// The Cranelift function of each instance, by [`InstId`].
    funcs: Vec<FuncId>,
    runtime: HashMap<&'static str, FuncId>,
    strings: HashMap<String, DataId>,
    cstrings: HashMap<String, DataId>,
    pub imported_data: HashMap<String, DataId>,
    /// Type descriptors by concrete type.
    pub descs: HashMap<Ty, DataId>,
    /// Static objects of unit enum variants by (enum type, tag).
    pub unit_variants: HashMap<(Ty, u32), DataId>,
    /// Numbers the names of static data objects.
    data_count: usize,
    /// Where code generation ran short of stack, if it did.
    pub out_of_stack: Option<crate::source::Span>,
    /// Static closures of named functions used as values, and the
    /// wrappers (taking an environment) they point to, to build.
    static_closures: HashMap<InstId, DataId>,
    /// Environment descriptors by captured types and name.
    pub env_descs: HashMap<(Vec<Ty>, String), DataId>,
    wrappers: VecDeque<(InstId, FuncId)>,
    pub call_conv: CallConv,
    /// Source locations given to instructions (`SourceLoc(i)` is
    /// `srclocs[i]`), by position, so the runtime can name the line of
    /// any call into it (see `function_table`).
    srclocs: Vec<Located>,
    srcloc_ids: HashMap<(SpanKey, Option<u32>), u32>,
    /// The function inlined at each call whose code was inlined, by the
    /// function the call is in and the call's `SourceLoc` (for the debug
    /// information's inlined calls; two instances of a generic function
    /// share locations, not callees).
    inlined_at: HashMap<(FuncId, u32), FuncId>,
    /// The function being built.
    building: Option<FuncId>,
    /// Symbol names of the compiled functions (`symbols.rs`).
    names: symbols::Names,
}

impl ModuleCx<'_> {
    /// The `SourceLoc` of instructions generated for `span`.
    pub fn srcloc(&mut self, span: crate::source::Span) -> cranelift_codegen::ir::SourceLoc {
        self.located(Located { span, call: None })
    }

    /// The `SourceLoc` of instructions generated for `span`, an
    /// expression of a body inlined at the call whose instructions carry
    /// `call` (itself maybe inside inlined code): the runtime's line table
    /// and the debug information give them their own line and the chain
    /// of calls they stand for.
    pub fn srcloc_inlined(
        &mut self,
        call: cranelift_codegen::ir::SourceLoc,
        span: crate::source::Span,
    ) -> cranelift_codegen::ir::SourceLoc {
        let call = (!call.is_default()).then_some(call.bits());
        self.located(Located { span, call })
    }

    /// Records that instance `func` is inlined at the call located at
    /// `call`.
    pub fn note_inlined(&mut self, call: cranelift_codegen::ir::SourceLoc, func: InstId) {
        if let (false, Some(caller)) = (call.is_default(), self.building) {
            let id = self.funcs[func.0 as usize];
            self.inlined_at.insert((caller, call.bits()), id);
        }
    }

    fn located(&mut self, l: Located) -> cranelift_codegen::ir::SourceLoc {
        let key = (key_of(l.span), l.call);
        let n = self.srclocs.len() as u32;
        let id = *self.srcloc_ids.entry(key).or_insert(n);
        if id == n {
            self.srclocs.push(l);
        }
        cranelift_codegen::ir::SourceLoc::new(id)
    }

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

    /// Runtime function `name` with a signature given by the caller (the
    /// system built-ins, whose signatures follow from their Plat types).
    pub fn runtime_fn_with(&mut self, name: &'static str, sig: Signature) -> FuncId {
        if let Some(id) = self.runtime.get(name) {
            return *id;
        }
        let id = self
            .module
            .declare_function(name, Linkage::Import, &sig)
            .unwrap_or_else(|e| panic!("declaring runtime function `{name}`: {e}"));
        self.runtime.insert(name, id);
        id
    }

    /// The Cranelift function of instance `id`.
    pub fn inst(&self, id: InstId) -> FuncId {
        self.funcs[id.0 as usize]
    }

    /// Declares the Cranelift function of every instance, in order.
    fn declare_instances(&mut self) {
        for id in self.mir.ids() {
            let f = self.mir.function(id);
            let mut sig = match f.kind {
                crate::hir::FnKind::Spawn => self.plat_signature(&[], &Ty::INT64),
                _ => self.plat_signature(&f.param_types(), &f.ret),
            };
            if mir::takes_env(f.kind) {
                // The environment follows the context.
                sig.params.insert(1, AbiParam::new(cl::I64));
            }
            let name = self
                .names
                .instance(self.program, self.sources, f.origin, &f.type_args);
            let fid = self
                .module
                .declare_function(&name, Linkage::Local, &sig)
                .unwrap_or_else(|e| panic!("declaring {name}: {e}"));
            self.funcs.push(fid);
        }
    }

    /// The descriptor of an environment: a Class-kind shape named
    /// `closure` with a scalar `code` field, then the captured values.
    pub fn closure_desc(&mut self, captures: &[Ty]) -> DataId {
        self.env_desc(captures, "closure")
    }

    /// The static closure of named function `func` (no captures).
    pub fn static_closure(&mut self, func: InstId) -> DataId {
        if let Some(id) = self.static_closures.get(&func) {
            return *id;
        }
        let f = self.mir.function(func);
        let mut sig = self.plat_signature(&f.param_types(), &f.ret);
        sig.params.insert(1, AbiParam::new(cl::I64));
        let name = self.names.wrapper(self.program, self.sources, f.origin);
        let wrapper = self
            .module
            .declare_function(&name, Linkage::Local, &sig)
            .unwrap_or_else(|e| panic!("declaring {name}: {e}"));
        self.wrappers.push_back((func, wrapper));
        let shape = self.env_desc(&[], &format!("fn {}", f.name));
        let id = self.static_object(
            "plat_fnval",
            vec![0; closure::CAPTURES],
            &[
                (HEADER as u32, Target::Data(shape)),
                (closure::CODE as u32, Target::Func(wrapper)),
            ],
        );
        self.static_closures.insert(func, id);
        id
    }

    /// A string literal as a static string object (runtime-abi.md,
    /// "Strings"): an inline string, its `data` word null.
    pub fn string_literal(&mut self, text: &str) -> DataId {
        if let Some(id) = self.strings.get(text) {
            return *id;
        }
        let shape = self.desc(&Ty::String);
        let mut bytes = vec![0u8; string::DATA];
        put_word(&mut bytes, string::BYTE_LEN, text.len() as u64);
        put_word(&mut bytes, string::CHAR_LEN, text.chars().count() as u64);
        put_word(&mut bytes, string::DATA_PTR, 0); // null: the bytes follow inline
        bytes.extend_from_slice(text.as_bytes());
        let id = self.static_object("plat_str", bytes, &[(HEADER as u32, Target::Data(shape))]);
        self.strings.insert(text.to_owned(), id);
        id
    }

    /// A NUL-terminated C string (source locations, fixed messages).
    pub fn c_string(&mut self, text: &str) -> DataId {
        if let Some(id) = self.cstrings.get(text) {
            return *id;
        }
        let mut bytes = text.as_bytes().to_vec();
        bytes.push(0);
        let id = self.static_object("plat_cstr", bytes, &[]);
        self.cstrings.insert(text.to_owned(), id);
        id
    }

    /// The static object of a unit variant: `[descriptor][tag]`.
    pub fn unit_variant(&mut self, ty: &Ty, tag: u32) -> DataId {
        if let Some(id) = self.unit_variants.get(&(ty.clone(), tag)) {
            return *id;
        }
        let shape = self.desc(ty);
        let mut bytes = vec![0u8; enumeration::UNIT_SIZE];
        put_word(&mut bytes, enumeration::TAG, u64::from(tag));
        let id = self.static_object("plat_unit", bytes, &[(HEADER as u32, Target::Data(shape))]);
        self.unit_variants.insert((ty.clone(), tag), id);
        id
    }

    /// Declares a read-only data object local to the object file, named
    /// `prefix_N` with a unique N.
    pub fn declare_object(&mut self, prefix: &str) -> DataId {
        let name = format!("{prefix}_{}", self.data_count);
        self.data_count += 1;
        self.module
            .declare_data(&name, Linkage::Local, false, false)
            .unwrap_or_else(|e| panic!("declaring {name}: {e}"))
    }

    /// Defines `id` as `bytes`, 8-byte aligned, with the address of each
    /// target written at its offset.
    pub fn define_object(&mut self, id: DataId, bytes: Vec<u8>, addrs: &[(u32, Target)]) {
        let mut desc = DataDescription::new();
        desc.define(bytes.into_boxed_slice());
        desc.set_align(8);
        for (offset, target) in addrs {
            match *target {
                Target::Data(d) => {
                    let gv = self.module.declare_data_in_data(d, &mut desc);
                    desc.write_data_addr(*offset, gv, 0);
                }
                Target::Func(f) => {
                    let fr = self.module.declare_func_in_data(f, &mut desc);
                    desc.write_function_addr(*offset, fr);
                }
            }
        }
        self.module
            .define_data(id, &desc)
            .unwrap_or_else(|e| panic!("defining a data object: {e}"));
    }

    /// Declares and defines a data object at once.
    pub fn static_object(
        &mut self,
        prefix: &str,
        bytes: Vec<u8>,
        addrs: &[(u32, Target)],
    ) -> DataId {
        let id = self.declare_object(prefix);
        self.define_object(id, bytes, addrs);
        id
    }

    /// The signature of a Plat function: `ctx`, then its value parameters.
    pub fn plat_signature(&self, params: &[Ty], ret: &Ty) -> Signature {
        let mut sig = Signature::new(self.call_conv);
        sig.params
            .push(AbiParam::special(cl::I64, ArgumentPurpose::VMContext));
        sig.params.extend(
            params
                .iter()
                .filter_map(|t| value_type(self.program, t))
                .map(AbiParam::new),
        );
        sig.returns
            .extend(value_type(self.program, ret).map(AbiParam::new));
        sig
    }
}

/// Generates the object file for a checked program.
pub fn generate(
    program: &Program,
    mir: &mir::Program,
    sources: &SourceMap,
    options: Options,
) -> Result<Output, Error> {
    generate_object(program, mir, sources, options)
        .map_err(Error::Internal)?
        .map_err(|d| Error::Program(Box::new(d)))
}

fn generate_object(
    program: &Program,
    mir: &mir::Program,
    sources: &SourceMap,
    options: Options,
) -> Result<Result<Output, crate::diag::Diagnostic>, String> {
    let isa = make_isa()?;
    let call_conv = isa.default_call_conv();
    let builder = ObjectBuilder::new(
        isa.clone(),
        "plat_program",
        cranelift_module::default_libcall_names(),
    )
    .map_err(|e| format!("cannot create the object file: {e}"))?;
    let mut cx = ModuleCx {
        module: ObjectModule::new(builder),
        program,
        mir,
        sources,
        funcs: Vec::with_capacity(mir.functions.len()),
        runtime: HashMap::new(),
        strings: HashMap::new(),
        cstrings: HashMap::new(),
        imported_data: HashMap::new(),
        descs: HashMap::new(),
        unit_variants: HashMap::new(),
        data_count: 0,
        out_of_stack: None,
        static_closures: HashMap::new(),
        env_descs: HashMap::new(),
        wrappers: VecDeque::new(),
        call_conv,
        srclocs: Vec::new(),
        srcloc_ids: HashMap::new(),
        inlined_at: HashMap::new(),
        building: None,
        names: symbols::Names::new(program),
    };
    let mut clif = String::new();
    let mut ctx = Context::new();
    let mut fb_ctx = FunctionBuilderContext::new();
    cx.declare_instances();
    let (main_instance, case_fns) = match &program.entry {
        Entry::Main(_) => (mir.main.map(|m| cx.inst(m)), Vec::new()),
        Entry::Tests(cases) | Entry::Benches(cases) => {
            (None, test_entry::declare_instances(&mut cx, cases)?)
        }
    };
    // Build every instance, then compile each.
    let mut built: Vec<(FuncId, String, cranelift_codegen::ir::Function)> = Vec::new();
    // Where each built function is declared, for the debug information.
    let mut declared: HashMap<FuncId, crate::source::Span> = HashMap::new();
    // What the runtime's function table says about each built instance
    // (wrappers have no entry: they only forward a call).
    let mut described: HashMap<FuncId, (String, String)> = HashMap::new();
    let mut next = mir.ids();
    loop {
        if let Some((target, id)) = cx.wrappers.pop_front() {
            ctx.func.signature = cx
                .module
                .declarations()
                .get_function_decl(id)
                .signature
                .clone();
            function::build_wrapper(&mut cx, &mut ctx.func, &mut fb_ctx, target);
            verify(&cx, &ctx, "function wrapper")?;
            let body = std::mem::replace(&mut ctx.func, cranelift_codegen::ir::Function::new());
            let target = mir.function(target);
            declared.insert(id, target.span);
            built.push((id, format!("wrapper of {}", target.name), body));
            continue;
        }
        let Some(inst) = next.next() else {
            break;
        };
        let f = mir.function(inst);
        let id = cx.inst(inst);
        ctx.func.signature = cx
            .module
            .declarations()
            .get_function_decl(id)
            .signature
            .clone();
        cx.building = Some(id);
        function::build(&mut cx, &mut ctx.func, &mut fb_ctx, f);
        cx.building = None;
        verify(&cx, &ctx, &f.name)?;
        described.insert(id, (message_name(f), sources.location(f.span)));
        let body = std::mem::replace(&mut ctx.func, cranelift_codegen::ir::Function::new());
        declared.insert(id, f.span);
        built.push((id, f.name.clone(), body));
    }
    if let Some(span) = cx.out_of_stack {
        return Ok(Err(crate::syntax::limits::out_of_stack(span)));
    }
    // (Inlining happened on the MIR, `mir::opt::inline`.)
    let mut table = Vec::new();
    let mut debug = Vec::new();
    for (id, name, body) in built {
        ctx.func = body;
        let done = finish_function(&mut cx, &mut ctx, id, &name, options, &mut clif)?;
        if let Some((shown, loc)) = described.remove(&id) {
            table.push(FnTableEntry {
                id,
                size: done.size,
                name: shown,
                loc,
                lines: done.lines.clone(),
            });
        }
        let decl = declared.get(&id).copied().unwrap_or_default();
        debug.push(done.debug(&cx, id, decl));
    }
    let fn_table = cx.function_table(&table);
    let main_id = match (&program.entry, main_instance) {
        (Entry::Main(_), Some(main)) => {
            function::build_entry(&mut cx, &mut ctx, &mut fb_ctx, main, fn_table)?
        }
        (Entry::Tests(cases) | Entry::Benches(cases), _) => {
            let bench = matches!(program.entry, Entry::Benches(_));
            let mut wrappers = Vec::new();
            for (i, (case, fns)) in cases.iter().zip(&case_fns).enumerate() {
                let (id, name) =
                    test_entry::build_wrapper(&mut cx, &mut ctx, &mut fb_ctx, case, fns, i, bench)?;
                finish_function(&mut cx, &mut ctx, id, &name, options, &mut clif)?;
                wrappers.push(id);
            }
            let table = test_entry::case_table(&mut cx, cases, &wrappers);
            test_entry::build_entry(
                &mut cx,
                &mut ctx,
                &mut fb_ctx,
                table,
                cases.len(),
                fn_table,
                bench,
            )?
        }
        (Entry::Main(_), None) => return Err("internal error: no main instance".into()),
    };
    let done = finish_function(&mut cx, &mut ctx, main_id, "plat_main", options, &mut clif)?;
    let main_decl = match &program.entry {
        Entry::Main(f) => program.function(*f).span,
        Entry::Tests(_) | Entry::Benches(_) => crate::source::Span::default(),
    };
    debug.push(done.debug(&cx, main_id, main_decl));
    let inlined: HashMap<(FuncId, u32), String> = cx
        .inlined_at
        .iter()
        .map(|(&at, &id)| {
            let decl = cx.module.declarations().get_function_decl(id);
            (at, decl.linkage_name(id).into_owned())
        })
        .collect();
    let mut product = cx.module.finish();
    if debuginfo::supported(&product) {
        let locs = debuginfo::Locations {
            srclocs: &cx.srclocs,
            inlined: &inlined,
        };
        debuginfo::write(&mut product, &*isa, &debug, &locs, sources)?;
    }
    let object = product
        .emit()
        .map_err(|e| format!("cannot write the object file: {e}"))?;
    Ok(Ok(Output { object, clif }))
}

/// Runs the IR verifier on the function as built, in every build (issue
/// 11): a bug in code generation is an internal compiler error naming the
/// Plat function, never a program that silently computes the wrong thing.
/// It costs about 4% of a release build's time (a 5,000-line program:
/// 0.25 s -> 0.26 s).
fn verify(cx: &ModuleCx, ctx: &Context, name: &str) -> Result<(), String> {
    if let Err(errors) = verify_function(&ctx.func, cx.module.isa()) {
        return Err(format!(
            "internal compiler error: invalid code generated for `{name}` (please report it):\n{}",
            cranelift_codegen::print_errors::pretty_verifier_error(&ctx.func, None, errors)
        ));
    }
    Ok(())
}

/// How a stack overflow message names function `f`: "`fib`", "a spawn
/// body in `main`", "a closure in `Point.scale`".
fn message_name(f: &mir::Function) -> String {
    let owner = || f.name.rsplit_once('.').map_or(f.name.as_str(), |(o, _)| o);
    match f.kind {
        crate::hir::FnKind::Plain => format!("`{}`", f.name),
        crate::hir::FnKind::Closure => format!("a closure in `{}`", owner()),
        crate::hir::FnKind::Spawn => format!("a spawn body in `{}`", owner()),
    }
}

impl ModuleCx<'_> {
    /// The function table the runtime's stack overflow report reads
    /// (docs/runtime-abi.md "Function table"): `[count]` then, per
    /// function, `[start][code size][name][declaration location]`.
    fn function_table(&mut self, fns: &[FnTableEntry]) -> DataId {
        use fn_table::entry;
        let mut bytes = vec![0u8; fn_table::ENTRIES + entry::SIZE * fns.len()];
        put_word(&mut bytes, fn_table::COUNT, fns.len() as u64);
        let mut addrs = Vec::new();
        for (i, f) in fns.iter().enumerate() {
            let at = fn_table::ENTRIES + entry::SIZE * i;
            put_word(&mut bytes, at + entry::CODE_SIZE, u64::from(f.size));
            addrs.push(((at + entry::START) as u32, Target::Func(f.id)));
            let name = self.c_string(&f.name);
            addrs.push(((at + entry::NAME) as u32, Target::Data(name)));
            let loc = self.c_string(&f.loc);
            addrs.push(((at + entry::LOC) as u32, Target::Data(loc)));
            put_word(&mut bytes, at + entry::N_LINES, f.lines.len() as u64);
            if let Some(lines) = self.line_table(&f.lines) {
                addrs.push(((at + entry::LINES) as u32, Target::Data(lines)));
            }
        }
        self.static_object("plat_fn_table", bytes, &addrs)
    }

    /// For code inlined at a call, the calls it stands for, innermost
    /// first, one "file:line:col" per line (the line table's `calls`).
    fn inlined_calls(&self, l: Located) -> Option<String> {
        let mut text = String::new();
        let mut next = l.call;
        while let Some(i) = next {
            let call = self.srclocs[i as usize];
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&self.sources.location(call.span));
            next = call.call;
        }
        (!text.is_empty()).then_some(text)
    }

    /// A function's line table: `(code offset: u64, location: C string)`
    /// pairs by increasing offset, one where the location changes.
    fn line_table(&mut self, lines: &[(u32, u32)]) -> Option<DataId> {
        if lines.is_empty() {
            return None;
        }
        use fn_table::line;
        let mut bytes = vec![0u8; line::SIZE * lines.len()];
        let mut addrs = Vec::new();
        for (i, (offset, srcloc)) in lines.iter().enumerate() {
            let at = line::SIZE * i;
            put_word(&mut bytes, at + line::OFFSET, u64::from(*offset));
            // Inlined code: the line of the code itself (a runtime panic
            // or a parked task inside it names the callee's line), and
            // the calls it stands for (a panic's trace lists them).
            let l = self.srclocs[*srcloc as usize];
            let text = self.sources.location(l.span);
            let loc = self.c_string(&text);
            addrs.push(((at + line::LOC) as u32, Target::Data(loc)));
            if let Some(calls) = self.inlined_calls(l) {
                let calls = self.c_string(&calls);
                addrs.push(((at + line::CALLS) as u32, Target::Data(calls)));
            }
        }
        Some(self.static_object("plat_lines", bytes, &addrs))
    }
}

/// Where an instruction comes from: the expression's `span` (for code
/// the MIR inliner copied, the copy's own), and for copied code the
/// `SourceLoc` of the call it was inlined at (a `srclocs` index; that
/// call may be copied code too). The runtime's line table and the debug
/// information both read it.
#[derive(Clone, Copy)]
pub(crate) struct Located {
    pub span: crate::source::Span,
    pub call: Option<u32>,
}

/// A span's identity as a location (its file and start).
type SpanKey = (crate::source::FileId, u32);

fn key_of(span: crate::source::Span) -> SpanKey {
    (span.file, span.start)
}

/// What the runtime's function table says about one compiled function
/// (docs/runtime-abi.md, "Function table").
struct FnTableEntry {
    id: FuncId,
    size: u32,
    name: String,
    loc: String,
    /// `(code offset, SourceLoc index)` where the location changes.
    lines: Vec<(u32, u32)>,
}

/// A compiled function: its code size, its line table (`(code offset,
/// SourceLoc index)` where the source location changes) and its call
/// frame information.
struct Finished {
    size: u32,
    lines: Vec<(u32, u32)>,
    unwind: Option<cranelift_codegen::isa::unwind::UnwindInfo>,
}

impl Finished {
    /// What the debug information says about function `id`, declared
    /// at `decl`.
    fn debug(
        self,
        cx: &ModuleCx,
        id: FuncId,
        decl: crate::source::Span,
    ) -> debuginfo::DebugFunction {
        let name = cx
            .module
            .declarations()
            .get_function_decl(id)
            .linkage_name(id)
            .into_owned();
        debuginfo::DebugFunction {
            id,
            name,
            decl,
            size: self.size,
            lines: self.lines,
            unwind: self.unwind,
        }
    }
}

/// Verifies (in debug builds), optionally prints, and defines a function.
fn finish_function(
    cx: &mut ModuleCx,
    ctx: &mut Context,
    id: FuncId,
    name: &str,
    options: Options,
    clif: &mut String,
) -> Result<Finished, String> {
    verify(cx, ctx, name)?;
    if options.emit_clif {
        let _ = writeln!(clif, "; function {name}\n{}", ctx.func.display());
    }
    cx.module
        .define_function(id, ctx)
        .map_err(|e| format!("internal error: compiling `{name}`: {e:?}"))?;
    let mut lines: Vec<(u32, u32)> = Vec::new();
    let mut unwind = None;
    let size = ctx.compiled_code().map_or(0, |code| {
        for l in code.buffer.get_srclocs_sorted() {
            if l.loc.is_default() {
                continue;
            }
            let id = l.loc.bits();
            if lines.last().is_none_or(|(_, last)| *last != id) {
                lines.push((l.start, id));
            }
        }
        unwind = code.create_unwind_info(cx.module.isa()).ok().flatten();
        code.code_info().total_size
    });
    cx.module.clear_context(ctx);
    Ok(Finished {
        size,
        lines,
        unwind,
    })
}

/// Writes `value` as the little-endian word at `offset` of `bytes` (static
/// data laid out per plat_abi).
fn put_word(bytes: &mut [u8], offset: usize, value: u64) {
    bytes[offset..offset + 8].copy_from_slice(&value.to_le_bytes());
}
