//! Rendering diagnostics with ariadne: the only place that formats them.

use std::fmt;

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
    for d in diags.iter() {
        crate::output::stderr(&render_with(d, &mut cache, color));
    }
}

fn render_with(diag: &Diagnostic, cache: &mut SourceCache, color: bool) -> String {
    let config = Config::default()
        .with_color(color)
        .with_index_type(IndexType::Byte);
    let mut report = Report::build(ReportKind::Error, diag.primary.span)
        .with_config(config)
        .with_code(diag.code.as_str())
        .with_message(&diag.message);
    for (order, label, color) in label_order(diag) {
        report = report.with_label(
            ALabel::new(label.span)
                .with_message(&label.message)
                .with_color(color)
                .with_order(order),
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

/// The labels in the order ariadne must draw them so that each file's
/// labels form one snippet: the primary label's file first, then by file,
/// then by where each label ends.
///
/// ariadne starts a new snippet for a file whenever a label ends on an
/// earlier line than the one before it, and heads every snippet of the
/// report's file with the primary location; labels in written order (a
/// "declared here" above the error) thus got a second snippet headed by
/// the primary line while showing another (issue 7, item 13).
fn label_order(diag: &Diagnostic) -> Vec<(i32, &super::Label, Color)> {
    let primary_file = diag.primary.span.file;
    let mut labels: Vec<(&super::Label, Color)> = std::iter::once((&diag.primary, Color::Red))
        .chain(diag.secondary.iter().map(|l| (l, Color::Yellow)))
        .collect();
    labels.sort_by_key(|(l, _)| (l.span.file != primary_file, l.span.file, l.span.end));
    labels
        .into_iter()
        .enumerate()
        .map(|(i, (l, c))| (i as i32, l, c))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use crate::source::Span;
    use std::path::Path;

    /// The `file:line:col` of every snippet header (`╭─[ ... ]`, `├─[ ... ]`).
    fn headers(text: &str) -> Vec<String> {
        text.lines()
            .filter_map(|l| {
                let start = l.find("─[ ")? + "─[ ".len();
                let end = l.rfind(" ]")?;
                Some(l[start..end].to_string())
            })
            .collect()
    }

    fn offset_of(text: &str, needle: &str) -> usize {
        text.find(needle).expect("needle in the test source")
    }

    #[test]
    fn a_label_above_the_error_shares_its_snippet() {
        let text = "fn main() {\n  let x: Int32 = 1;\n  x = 2;\n}\n".to_string();
        let mut map = SourceMap::default();
        let f = map.add(Path::new("a.plat"), "a.plat".into(), text.clone());
        let decl = offset_of(&text, "x:");
        let assign = offset_of(&text, "x = 2");
        let d = Diagnostic::new(
            Code::AssignImmutable,
            "cannot assign",
            Span::new(f, assign, assign + 1),
            "assigned here",
        )
        .with_label(Span::new(f, decl, decl + 1), "declared here");
        let out = render(&d, &map, false);
        // One snippet, headed by the primary location, showing both lines.
        assert_eq!(headers(&out), vec!["a.plat:3:3"], "{out}");
        assert!(out.contains(" 2 │   let x: Int32 = 1;"), "{out}");
        assert!(out.contains(" 3 │   x = 2;"), "{out}");
    }

    #[test]
    fn a_multiline_label_around_the_error_shares_its_snippet() {
        let text = "fn main() {\n  let f = fn() {\n    n = 1;\n  };\n}\n".to_string();
        let mut map = SourceMap::default();
        let f = map.add(Path::new("a.plat"), "a.plat".into(), text.clone());
        let body = offset_of(&text, "fn() {");
        let body_end = offset_of(&text, "};") + 1;
        let assign = offset_of(&text, "n = 1");
        let d = Diagnostic::new(
            Code::CapturedAssign,
            "captured",
            Span::new(f, assign, assign + 1),
            "assigned inside the body",
        )
        .with_label(Span::new(f, body, body_end), "the closure")
        .with_label(Span::new(f, 3, 7), "the function");
        let out = render(&d, &map, false);
        assert_eq!(headers(&out), vec!["a.plat:3:5"], "{out}");
    }

    #[test]
    fn each_other_file_gets_a_header_naming_its_own_label() {
        let main = "use m;\nfn main() {\n  m::f();\n}\n".to_string();
        let lib = "mod m;\n\nfn f() {}\n".to_string();
        let mut map = SourceMap::default();
        let a = map.add(Path::new("main.plat"), "main.plat".into(), main.clone());
        let b = map.add(Path::new("m.plat"), "m.plat".into(), lib.clone());
        let call = offset_of(&main, "m::f");
        let decl = offset_of(&lib, "f()");
        let d = Diagnostic::new(
            Code::Private,
            "private",
            Span::new(a, call, call + 4),
            "not pub",
        )
        .with_label(Span::new(b, decl, decl + 1), "declared here");
        let out = render(&d, &map, false);
        assert_eq!(headers(&out), vec!["main.plat:3:3", "m.plat:3:4"], "{out}");
    }
}
