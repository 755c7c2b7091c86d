//! Findings rendered as miette diagnostics on stderr: the source line, a
//! label on the field, and what to do. Only the first few; the rest are
//! counted and left to `errors.csv`.

use crate::finding::{Finding, Severity};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::sync::Arc;

/// A decoded input, for snippets.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub name: Arc<str>,
    text: Text,
    pub delimiter: u8,
    /// PIN columns: masked in every snippet.
    pub pins: Vec<usize>,
    /// The header's number of fields, to tell shifted rows.
    pub width: usize,
}

/// Where a source's text is: held, or in its file, read again only when a
/// snippet is drawn. A run lets go of the returned file's text once its
/// rows are checked; the few snippets shown do not need it kept.
#[derive(Debug, Clone)]
enum Text {
    Held(Arc<crate::source::Text>),
    InFile {
        path: std::path::PathBuf,
        sha256: crate::source::Sha256,
        read: Arc<std::sync::OnceLock<Option<crate::source::Text>>>,
    },
}

impl SourceText {
    pub fn of(table: &crate::source::Table, pins: &[usize]) -> SourceText {
        SourceText {
            name: Arc::clone(&table.name),
            text: Text::Held(Arc::clone(&table.text)),
            delimiter: table.delimiter,
            pins: pins.to_vec(),
            width: table.headers.len(),
        }
    }

    /// [`SourceText::of`] a delimited file that can be read again: its text
    /// is not held. A file changed since (its SHA-256 differs) gives no
    /// snippets. Other tables (workbooks, text not from a file) are held.
    pub fn in_file(table: &crate::source::Table, pins: &[usize]) -> SourceText {
        let mut source = SourceText::of(table, pins);
        if let (Some(path), Some(sha256), None) = (&table.path, &table.sha256, &table.sheet) {
            source.text = Text::InFile {
                path: path.clone(),
                sha256: sha256.clone(),
                read: Arc::default(),
            };
        }
        source
    }

    /// The decoded text, read again from its file if need be.
    pub fn text(&self) -> Option<&str> {
        match &self.text {
            Text::Held(text) => Some(text),
            Text::InFile { path, sha256, read } => read
                .get_or_init(|| {
                    let bytes = std::fs::read(path).ok()?;
                    let same = crate::source::Sha256::of(&bytes) == *sha256;
                    same.then(|| crate::source::decode::decode(bytes).text)
                })
                .as_deref(),
        }
    }
}

/// How to draw: width and colour are fixed in tests.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub width: usize,
    pub color: bool,
    /// How many findings to draw in full.
    pub limit: usize,
}

/// Renders the first findings (errors first, then warnings) and a line that
/// counts the rest.
pub fn render(findings: &[Finding], sources: &[SourceText], style: Style, rest_in: &str) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(1);
    let shown: Vec<&Finding> = [Severity::Fatal, Severity::Error, Severity::Warning]
        .iter()
        .flat_map(|&s| findings.iter().filter(move |f| f.severity == s))
        .take(style.limit)
        .collect();
    let mut out = String::new();
    for finding in &shown {
        let diagnostic = FindingDiagnostic::new(finding, sources);
        if handler.render_report(&mut out, &diagnostic).is_err() {
            out.push_str(&format!("{}: {}\n", finding.location(), finding.message()));
        }
    }
    let notable = findings
        .iter()
        .filter(|f| f.severity <= Severity::Warning)
        .count();
    if notable > shown.len() {
        out.push_str(&format!(
            "… and {} more errors and warnings in {rest_in}\n",
            notable - shown.len()
        ));
    }
    out
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    snippet: Option<Snippet>,
    span: Option<SourceSpan>,
}

impl<'a> FindingDiagnostic<'a> {
    fn new(finding: &'a Finding, sources: &[SourceText]) -> Self {
        let found = finding.offset.and_then(|offset| {
            let source = sources.iter().find(|s| s.name == finding.file)?;
            let text = source.text()?.get(offset..)?;
            let line = &text[..text.find(['\n', '\r']).unwrap_or(text.len())];
            let span = finding
                .column
                .and_then(|c| field_span(line, source.delimiter, c as usize))
                .unwrap_or((0, line.len()));
            let snippet = Snippet {
                name: finding.file.to_string(),
                text: mask(line, source),
                first_line: finding.line.unwrap_or(1).saturating_sub(1) as usize,
            };
            Some((snippet, SourceSpan::from(span)))
        });
        let (snippet, span) = match found {
            Some((s, sp)) => (Some(s), Some(sp)),
            None => (None, None),
        };
        FindingDiagnostic {
            finding,
            snippet,
            span,
        }
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.finding, f)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.finding.location(), self.finding.message())
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.finding.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Fatal | Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        let label = self
            .finding
            .field
            .as_deref()
            .unwrap_or("this row")
            .to_string();
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(label),
            span,
        ))))
    }
}

/// One line of a file that reports its real line number to miette.
#[derive(Debug)]
struct Snippet {
    name: String,
    text: String,
    /// 0-based number of the line `text` starts on.
    first_line: usize,
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// The line with every PIN cell overwritten by `*`, byte for byte, so that
/// spans stay where they were.
fn mask(line: &str, source: &SourceText) -> String {
    if source.pins.is_empty() {
        return line.to_string();
    }
    let spans: Vec<(usize, usize)> = (0..)
        .map_while(|c| field_span(line, source.delimiter, c))
        .collect();
    let is_pin = crate::columns::pin_cells(&source.pins, source.width, spans.len());
    let mut bytes = line.as_bytes().to_vec();
    for (column, &(start, len)) in spans.iter().enumerate() {
        if is_pin(column) {
            bytes[start..start + len].fill(b'*');
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| "*".repeat(line.len()))
}

/// The byte range of one field in a delimited line, quotes included. A
/// line whose quotes do not balance is split on every delimiter, as the
/// reader did when it recovered from it.
pub fn field_span(line: &str, delimiter: u8, column: usize) -> Option<(usize, usize)> {
    let balanced = line.bytes().filter(|&b| b == b'"').count() % 2 == 0;
    let mut field = 0;
    let mut start = 0;
    let mut quoted = false;
    for (i, b) in line.bytes().enumerate() {
        if b == b'"' && balanced {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            if field == column {
                return Some((start, i - start));
            }
            field += 1;
            start = i + 1;
        }
    }
    (field == column).then(|| (start, line.len() - start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_let_go_of_is_read_again_for_snippets_unless_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, "\u{feff}a,b\nZo\u{eb},1\n").unwrap();
        let mut table = crate::source::read(&path).unwrap();
        let text = table.text.to_string();
        let source = SourceText::in_file(&table, &[]);
        let changed = SourceText::in_file(&table, &[]);
        // As in a run, the table lets go of its (mapped) text first.
        table.release_rows_and_text();
        assert!(matches!(source.text, Text::InFile { .. }));
        assert_eq!(source.text(), Some(text.as_str()));
        // Changed since it was read: no snippet rather than a wrong one.
        std::fs::write(&path, "a,b\nBo,2\n").unwrap();
        assert_eq!(changed.text(), None);
        // Read once: the first answer stays.
        assert_eq!(source.text(), Some(text.as_str()));
    }

    #[test]
    fn pin_cells_are_masked_in_snippets() {
        let source = |delimiter, pins: &[usize]| SourceText {
            name: "r.csv".into(),
            text: Text::Held(Arc::default()),
            delimiter,
            pins: pins.to_vec(),
            width: 3,
        };
        assert_eq!(mask("ann,1234,x", &source(b',', &[1])), "ann,****,x");
        assert_eq!(
            mask("ann;\"12;34\";x", &source(b';', &[1])),
            "ann;*******;x"
        );
        assert_eq!(mask("ann,1234,x", &source(b',', &[])), "ann,1234,x");
        // A row with an extra field: the PIN may have moved right.
        assert_eq!(mask("a,b,1234,x", &source(b',', &[1])), "a,*,****,*");
        // Unbalanced quotes: split on every delimiter.
        assert_eq!(mask("\"ann,1234,x", &source(b',', &[1])), "\"ann,****,x");
    }

    #[test]
    fn finds_fields_in_a_line_with_quotes() {
        let line = r#"a,"b,c",,d"#;
        assert_eq!(field_span(line, b',', 0), Some((0, 1)));
        assert_eq!(field_span(line, b',', 1), Some((2, 5)));
        assert_eq!(field_span(line, b',', 2), Some((8, 0)));
        assert_eq!(field_span(line, b',', 3), Some((9, 1)));
        assert_eq!(field_span(line, b',', 4), None);
    }
}
