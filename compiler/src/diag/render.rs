//! Rendering diagnostics with ariadne: the only place that formats them.

use std::fmt;
use std::io::Write;

use ariadne::{Color, Config, IndexType, Label as ALabel, Report, ReportKind, Source};

use super::Diagnostic;
use crate::source::{FileId, SourceMap};

/// Renders one diagnostic to text. `color` adds ANSI colours.
pub fn render(diag: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let mut cache = SourceCache::new(sources);
    render_with(diag, &mut cache, color)
}

/// Renders every diagnostic, sorted by position, to stderr.
pub fn render_all(diags: &mut [Diagnostic], sources: &SourceMap, color: bool) {
    diags.sort_by_key(|d| (d.primary.span.file, d.primary.span.start));
    let mut cache = SourceCache::new(sources);
    let mut err = std::io::stderr().lock();
    for d in diags.iter() {
        let _ = err.write_all(render_with(d, &mut cache, color).as_bytes());
    }
}

fn render_with(diag: &Diagnostic, cache: &mut SourceCache, color: bool) -> String {
    let config = Config::default()
        .with_color(color)
        .with_index_type(IndexType::Byte);
    let mut report = Report::build(ReportKind::Error, diag.primary.span)
        .with_config(config)
        .with_code(diag.code.as_str())
        .with_message(&diag.message)
        .with_label(
            ALabel::new(diag.primary.span)
                .with_message(&diag.primary.message)
                .with_color(Color::Red),
        );
    for label in &diag.secondary {
        report = report.with_label(
            ALabel::new(label.span)
                .with_message(&label.message)
                .with_color(Color::Yellow),
        );
    }
    if let Some(hint) = &diag.hint {
        report = report.with_help(hint);
    }
    for note in &diag.notes {
        report = report.with_note(note);
    }
    let mut out = Vec::new();
    if report.finish().write(&mut *cache, &mut out).is_err() {
        return format!("error[{}]: {}\n", diag.code.as_str(), diag.message);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Adapts [`SourceMap`] to ariadne's `Cache`, naming files by their
/// display path.
struct SourceCache {
    names: Vec<String>,
    sources: Vec<Source<String>>,
}

impl SourceCache {
    fn new(map: &SourceMap) -> Self {
        let (names, sources) = map
            .files()
            .map(|(_, f)| (f.display.clone(), Source::from(f.text.clone())))
            .unzip();
        SourceCache { names, sources }
    }
}

impl ariadne::Cache<FileId> for SourceCache {
    type Storage = String;

    fn fetch(&mut self, id: &FileId) -> Result<&Source<String>, impl fmt::Debug> {
        self.sources.get(id.0 as usize).ok_or("unknown source file")
    }

    fn display<'a>(&self, id: &'a FileId) -> Option<impl fmt::Display + 'a> {
        self.names.get(id.0 as usize).cloned()
    }
}
