//! DWARF debug information for `gdb`, `perf`, `addr2line` and friends
//! (docs/debugging.md), written with `gimli` into the object file:
//!
//! - `.debug_info` / `.debug_abbrev` / `.debug_str`: a compile unit per
//!   source file, holding a subprogram per function declared in it (its
//!   symbol name, declaration line and code range) and, inside it, an
//!   inlined subroutine per call the MIR inliner replaced by the callee's
//!   code (the callee's name, the call's `file:line:column`, the code
//!   ranges of the copy), nested as the inlining was;
//! - `.debug_line`: per function, a sequence mapping code offsets to
//!   `file:line:column`, from the source locations Cranelift reports for
//!   the instructions (`FunctionCx::expr` sets one per expression);
//!   inlined code has its own lines (a debugger shows the callee's line
//!   in an inlined frame, and the call's in the frame around it);
//! - `.debug_ranges`: the code ranges of each unit;
//! - `.debug_frame`: Cranelift's call frame information, so debuggers and
//!   profilers unwind Plat frames exactly.
//!
//! These sections are not loaded at run time and the code is the same
//! with or without them. Addresses in them are relocations against the
//! function symbols; offsets between them are relocations against the
//! sections, so the linker can merge them with the runtime's own.

use std::collections::HashMap;

use cranelift_codegen::isa::unwind::UnwindInfo;
use cranelift_codegen::isa::TargetIsa;
use cranelift_module::FuncId;
use cranelift_object::object::write::{Object, Relocation as ObjectRelocation, SymbolId};
use cranelift_object::object::{
    self, RelocationEncoding, RelocationFlags, RelocationKind, SectionKind,
};
use cranelift_object::ObjectProduct;
use gimli::write::{
    Address, AttributeValue, Dwarf, EndianVec, FrameTable, LineProgram, LineString, Range,
    RangeList, RelocateWriter, Relocation, RelocationTarget, Sections, Unit,
};
use gimli::{constants, Encoding, Format, LineEncoding, RunTimeEndian};

use crate::source::{FileId, SourceMap, Span};

/// What the debug information says about one compiled function.
pub(crate) struct DebugFunction {
    pub id: FuncId,
    /// Its symbol name.
    pub name: String,
    /// Its declaration: the unit it belongs to and its first line.
    pub decl: Span,
    /// Code size in bytes.
    pub size: u32,
    /// `(code offset, SourceLoc index)` where the source location changes.
    pub lines: Vec<(u32, u32)>,
    /// Call frame information, when the target has it.
    pub unwind: Option<UnwindInfo>,
}

/// The source locations of the code: `srclocs[i]` is `SourceLoc(i)`;
/// `inlined` names the function inlined at each call that was inlined
/// (by the function the call is in and the call's `SourceLoc` index).
pub(crate) struct Locations<'a> {
    pub srclocs: &'a [super::Located],
    pub inlined: &'a HashMap<(FuncId, u32), String>,
}

/// Whether debug information can be written for this object format:
/// ELF only (Mach-O's DWARF sections are not relocated this way).
pub(crate) fn supported(product: &ObjectProduct) -> bool {
    product.object.format() == object::BinaryFormat::Elf
}

/// Writes the debug sections of `fns` into the object; `locs` says where
/// their code comes from.
pub(crate) fn write(
    product: &mut ObjectProduct,
    isa: &dyn TargetIsa,
    fns: &[DebugFunction],
    locs: &Locations,
    sources: &SourceMap,
) -> Result<(), String> {
    let encoding = Encoding {
        format: Format::Dwarf32,
        version: 4,
        address_size: 8,
    };
    // gimli names relocation targets by index: here, into `symbols`.
    let symbols: Vec<SymbolId> = fns.iter().map(|f| product.function_symbol(f.id)).collect();
    let mut dwarf = Dwarf::new();
    let comp_dir = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| ".".to_owned());
    let mut by_file: Vec<(FileId, Vec<usize>)> = Vec::new();
    for (i, f) in fns.iter().enumerate() {
        match by_file.iter_mut().find(|(file, _)| *file == f.decl.file) {
            Some((_, members)) => members.push(i),
            None => by_file.push((f.decl.file, vec![i])),
        }
    }
    for (file, members) in by_file {
        let unit = compile_unit(
            &mut dwarf, encoding, &comp_dir, sources, locs, file, fns, &members,
        );
        dwarf.units.add(unit);
    }
    let endian = RunTimeEndian::Little;
    let mut sections = Sections::new(Section::new(endian));
    dwarf
        .write(&mut sections)
        .map_err(|e| format!("internal error: writing debug information: {e}"))?;
    if let Some(cie) = isa.create_systemv_cie() {
        let mut table = FrameTable::default();
        let cie = table.add_cie(cie);
        for (i, f) in fns.iter().enumerate() {
            if let Some(UnwindInfo::SystemV(info)) = &f.unwind {
                table.add_fde(
                    cie,
                    info.to_fde(Address::Symbol {
                        symbol: i,
                        addend: 0,
                    }),
                );
            }
        }
        table
            .write_debug_frame(&mut sections.debug_frame)
            .map_err(|e| format!("internal error: writing call frame information: {e}"))?;
    }
    let obj = &mut product.object;
    let mut ids = HashMap::new();
    let _: Result<(), ()> = sections.for_each(|id, s| {
        if !s.writer.slice().is_empty() {
            ids.insert(id, add_section(obj, id, s.writer.slice().to_vec()));
        }
        Ok(())
    });
    sections.for_each(|id, s| {
        let Some(&section) = ids.get(&id) else {
            return Ok::<(), String>(());
        };
        for r in &s.relocations {
            let symbol = match r.target {
                RelocationTarget::Symbol(i) => symbols[i],
                RelocationTarget::Section(target) => {
                    let target = *ids
                        .entry(target)
                        .or_insert_with(|| add_section(obj, target, Vec::new()));
                    obj.section_symbol(target)
                }
            };
            let relocation = ObjectRelocation {
                offset: r.offset as u64,
                symbol,
                addend: r.addend,
                flags: RelocationFlags::Generic {
                    kind: RelocationKind::Absolute,
                    encoding: RelocationEncoding::Generic,
                    size: r.size * 8,
                },
            };
            obj.add_relocation(section, relocation)
                .map_err(|e| format!("internal error: a debug information relocation: {e}"))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The unit of source file `file`: its functions `members` of `fns`,
/// with their line tables.
#[allow(clippy::too_many_arguments)]
fn compile_unit(
    dwarf: &mut Dwarf,
    encoding: Encoding,
    comp_dir: &str,
    sources: &SourceMap,
    locs: &Locations,
    file: FileId,
    fns: &[DebugFunction],
    members: &[usize],
) -> Unit {
    let (dir, name) = split_path(sources, file);
    let mut lines = LineProgram::new(
        encoding,
        LineEncoding::default(),
        LineString::String(comp_dir.as_bytes().to_vec()),
        dir.clone().map(|d| LineString::String(d.into_bytes())),
        LineString::String(name.clone().into_bytes()),
        None,
    );
    let mut files = HashMap::new();
    let mut line_file = |lines: &mut LineProgram, f: FileId| {
        *files.entry(f).or_insert_with(|| {
            let (dir, name) = split_path(sources, f);
            let dir = match dir {
                Some(dir) => lines.add_directory(LineString::String(dir.into_bytes())),
                None => lines.default_directory(),
            };
            lines.add_file(LineString::String(name.into_bytes()), dir, None)
        })
    };
    let mut unit = Unit::new(encoding, LineProgram::none());
    let mut ranges = Vec::new();
    let root = unit.root();
    let mut call_dies = HashMap::new();
    for &i in members {
        let f = &fns[i];
        let start = Address::Symbol {
            symbol: i,
            addend: 0,
        };
        ranges.push(Range::StartLength {
            begin: start,
            length: u64::from(f.size),
        });
        let (decl_line, _) = line_col(sources, f.decl);
        let decl_file = line_file(&mut lines, f.decl.file);
        let sub = unit.add(root, constants::DW_TAG_subprogram);
        let entry = unit.get_mut(sub);
        let fn_name = dwarf.strings.add(f.name.as_bytes());
        entry.set(constants::DW_AT_name, AttributeValue::StringRef(fn_name));
        entry.set(constants::DW_AT_low_pc, AttributeValue::Address(start));
        entry.set(
            constants::DW_AT_high_pc,
            AttributeValue::Udata(u64::from(f.size)),
        );
        entry.set(
            constants::DW_AT_decl_file,
            AttributeValue::FileIndex(Some(decl_file)),
        );
        entry.set(constants::DW_AT_decl_line, AttributeValue::Udata(decl_line));

        // Rows: the declaration for the code before the first located
        // instruction (the prologue), then each location change.
        let mut rows: Vec<(u32, gimli::write::FileId, u64, u64)> = Vec::new();
        if f.lines.first().is_none_or(|(offset, _)| *offset > 0) {
            rows.push((0, decl_file, decl_line, 0));
        }
        for (offset, srcloc) in &f.lines {
            let Some(loc) = locs.srclocs.get(*srcloc as usize) else {
                continue;
            };
            let span = &loc.span;
            let (line, col) = line_col(sources, *span);
            let file = line_file(&mut lines, span.file);
            match rows.last_mut() {
                Some(last) if last.0 == *offset => *last = (*offset, file, line, col),
                Some(last) if (last.1, last.2, last.3) == (file, line, col) => {}
                _ => rows.push((*offset, file, line, col)),
            }
        }
        lines.begin_sequence(Some(start));
        for (offset, file, line, col) in rows {
            let row = lines.row();
            row.address_offset = u64::from(offset);
            row.file = file;
            row.line = line;
            row.column = col;
            lines.generate_row();
        }
        lines.end_sequence(u64::from(f.size));

        for call in inlined_calls(f, locs.srclocs) {
            let parent = match call.parent {
                Some(p) => call_dies[&p],
                None => sub,
            };
            let die = unit.add(parent, constants::DW_TAG_inlined_subroutine);
            call_dies.insert(call.call, die);
            let name = locs
                .inlined
                .get(&(f.id, call.call))
                .map_or("?", String::as_str);
            let name = dwarf.strings.add(name.as_bytes());
            let at = locs.srclocs[call.call as usize].span;
            let (call_line, call_col) = line_col(sources, at);
            let call_file = line_file(&mut lines, at.file);
            let ranges: Vec<Range> = call
                .ranges
                .iter()
                .map(|&(begin, end)| Range::StartLength {
                    begin: Address::Symbol {
                        symbol: i,
                        addend: i64::from(begin),
                    },
                    length: u64::from(end - begin),
                })
                .collect();
            let ranges = match ranges.as_slice() {
                [Range::StartLength { begin, length }] => Ok((*begin, *length)),
                _ => Err(unit.ranges.add(RangeList(ranges))),
            };
            let entry = unit.get_mut(die);
            entry.set(constants::DW_AT_name, AttributeValue::StringRef(name));
            entry.set(
                constants::DW_AT_call_file,
                AttributeValue::FileIndex(Some(call_file)),
            );
            entry.set(constants::DW_AT_call_line, AttributeValue::Udata(call_line));
            entry.set(
                constants::DW_AT_call_column,
                AttributeValue::Udata(call_col),
            );
            match ranges {
                Ok((begin, length)) => {
                    entry.set(constants::DW_AT_low_pc, AttributeValue::Address(begin));
                    entry.set(constants::DW_AT_high_pc, AttributeValue::Udata(length));
                }
                Err(list) => entry.set(constants::DW_AT_ranges, AttributeValue::RangeListRef(list)),
            }
        }
    }
    let range_list = unit.ranges.add(RangeList(ranges));
    let producer = dwarf
        .strings
        .add(format!("platc {}", env!("CARGO_PKG_VERSION")).into_bytes());
    let unit_name = dwarf.strings.add(join(&dir, &name).into_bytes());
    let comp_dir = dwarf.strings.add(comp_dir.as_bytes());
    let entry = unit.get_mut(root);
    entry.set(
        constants::DW_AT_producer,
        AttributeValue::StringRef(producer),
    );
    entry.set(
        constants::DW_AT_language,
        AttributeValue::Language(LANGUAGE),
    );
    entry.set(constants::DW_AT_name, AttributeValue::StringRef(unit_name));
    entry.set(
        constants::DW_AT_comp_dir,
        AttributeValue::StringRef(comp_dir),
    );
    entry.set(
        constants::DW_AT_low_pc,
        AttributeValue::Address(Address::Constant(0)),
    );
    entry.set(
        constants::DW_AT_ranges,
        AttributeValue::RangeListRef(range_list),
    );
    unit.line_program = lines;
    unit
}

/// A call of function `f` whose callee's code was inlined: the call's
/// `SourceLoc` index, the call it is itself inside (inlined code) if any,
/// and the code ranges `[begin, end)` of the copy (nested copies
/// included), as offsets from `f`'s start.
struct InlinedCall {
    call: u32,
    parent: Option<u32>,
    ranges: Vec<(u32, u32)>,
}

/// The inlined calls of `f`, each after the call it is inside.
fn inlined_calls(f: &DebugFunction, srclocs: &[super::Located]) -> Vec<InlinedCall> {
    let mut calls: Vec<InlinedCall> = Vec::new();
    let mut index: HashMap<u32, usize> = HashMap::new();
    let call_of = |s: u32| srclocs.get(s as usize).and_then(|l| l.call);
    for (k, &(begin, srcloc)) in f.lines.iter().enumerate() {
        let end = f.lines.get(k + 1).map_or(f.size, |&(next, _)| next);
        if end <= begin {
            continue;
        }
        // The code belongs to every call on its chain.
        let mut at = call_of(srcloc);
        while let Some(call) = at {
            let i = *index.entry(call).or_insert_with(|| {
                calls.push(InlinedCall {
                    call,
                    parent: call_of(call),
                    ranges: Vec::new(),
                });
                calls.len() - 1
            });
            let ranges = &mut calls[i].ranges;
            match ranges.last_mut() {
                Some(last) if last.1 == begin => last.1 = end,
                _ => ranges.push((begin, end)),
            }
            at = call_of(call);
        }
    }
    // Outer calls first (a call's chain is longer than its parent's).
    let depth = |mut at: Option<u32>| {
        let mut d = 0;
        while let Some(call) = at {
            d += 1;
            at = call_of(call);
        }
        d
    };
    calls.sort_by_key(|c| (depth(c.parent), c.ranges.first().map(|r| r.0)));
    calls
}

/// The language the units claim. DWARF has no code for Plat; C keeps
/// debuggers from applying another language's name rules (the symbols
/// are whole paths such as `main::fib`: `break 'main::fib'` in gdb).
const LANGUAGE: constants::DwLang = constants::DW_LANG_C99;

/// 1-based line and column of the start of `span`.
fn line_col(sources: &SourceMap, span: Span) -> (u64, u64) {
    let (line, col) = sources.get(span.file).line_col(span.start as usize);
    (line as u64, col as u64)
}

/// The directory and file name of a source file as the line table
/// records them; no directory stands for the compile directory (relative
/// directories are relative to it).
fn split_path(sources: &SourceMap, file: FileId) -> (Option<String>, String) {
    let path = &sources.get(file).path;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let dir = path
        .parent()
        .map(|p| p.display().to_string())
        .filter(|d| !d.is_empty() && d != ".");
    (dir, name)
}

fn join(dir: &Option<String>, name: &str) -> String {
    match dir {
        Some(dir) => format!("{dir}/{name}"),
        None => name.to_owned(),
    }
}

/// Adds a debug section (`.debug_info`...) holding `data`.
fn add_section(
    obj: &mut Object<'static>,
    id: gimli::SectionId,
    data: Vec<u8>,
) -> object::write::SectionId {
    let segment = obj
        .segment_name(object::write::StandardSegment::Debug)
        .to_vec();
    let section = obj.add_section(segment, id.name().as_bytes().to_vec(), SectionKind::Debug);
    obj.section_mut(section).set_data(data, 1);
    section
}

/// A section being written, with the relocations it needs.
#[derive(Clone)]
struct Section {
    writer: EndianVec<RunTimeEndian>,
    relocations: Vec<Relocation>,
}

impl Section {
    fn new(endian: RunTimeEndian) -> Section {
        Section {
            writer: EndianVec::new(endian),
            relocations: Vec::new(),
        }
    }
}

impl RelocateWriter for Section {
    type Writer = EndianVec<RunTimeEndian>;

    fn writer(&self) -> &Self::Writer {
        &self.writer
    }

    fn writer_mut(&mut self) -> &mut Self::Writer {
        &mut self.writer
    }

    fn relocate(&mut self, relocation: Relocation) {
        self.relocations.push(relocation);
    }
}
