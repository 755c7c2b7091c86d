//! Findings drawn as miette diagnostics on stderr: the source line, a label
//! on the field, and what to do. Only the first few; the rest are counted
//! and left to `errors.csv`.

use super::causes::Membership;
use super::Words;
use crate::columns::pin_cells;
use crate::escape::{terminal, terminal_span};
use crate::finding::{Finding, Input, Severity};
use crate::reconcile::Outcome;
use crate::source::line::{field_spans, window};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// How to draw: width and colour are fixed in tests.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub width: usize,
    pub color: bool,
    /// How many findings to draw in full.
    pub limit: usize,
}

/// How much of a line a snippet shows on each side of its label.
const SNIPPET: usize = 120;

/// How many causes are drawn, each with one of its rows.
const CAUSES: usize = 10;

/// Renders each cause with one example, then the first findings of no
/// cause (errors first, then warnings, `style.limit` of them), and a line
/// that counts the rest and ends with `rest`: where they are, or how to see
/// them.
pub fn render(outcome: &Outcome, style: Style, rest: &str) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(1);
    let findings = &outcome.findings.list;
    let words = Words::new(outcome);
    let mut out = String::new();
    let draw = |out: &mut String, finding: &Finding| {
        let diagnostic = FindingDiagnostic::new(words, finding);
        if handler.render_report(out, &diagnostic).is_err() {
            out.push_str(&format!("{}\n", diagnostic));
        }
    };
    // Each cause once, with one of its rows; then the findings of no cause.
    let mut shown = 0;
    if style.limit > 0 {
        for cause in outcome.findings.causes.iter().take(CAUSES) {
            out.push_str(&format!("cause: {}\n", terminal(&words.cause(cause))));
            if let Some(example) = cause.examples.first() {
                draw(&mut out, &findings[*example as usize]);
            }
            shown += 1;
        }
    }
    let membership = Membership::new(outcome);
    let alone = [Severity::Error, Severity::Warning]
        .iter()
        .flat_map(|&s| findings.iter().filter(move |f| f.severity() == s))
        .filter(|f| membership.of(f).is_none())
        .take(style.limit);
    for finding in alone {
        draw(&mut out, finding);
        shown += 1;
    }
    let notable = findings
        .iter()
        .filter(|f| f.severity() <= Severity::Warning)
        .count();
    if notable > shown {
        out.push_str(&format!(
            "… and {} more errors and warnings {}\n",
            notable - shown,
            terminal(rest)
        ));
    }
    out
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    location: String,
    message: String,
    field: Option<&'a str>,
    snippet: Option<Snippet>,
    span: Option<SourceSpan>,
}

impl<'a> FindingDiagnostic<'a> {
    fn new(words: Words<'a>, finding: &'a Finding) -> Self {
        let outcome = words.outcome;
        let line = words.line(finding);
        let location = match (words.cell_ref(finding), line) {
            (Some(cell), _) => format!("{}, {cell}", words.file(finding)),
            (None, Some(line)) => format!("{}:{line}", words.file(finding)),
            (None, None) => words.file(finding).to_string(),
        };
        let found = (|| {
            let row = finding.row()?;
            let source = outcome.source(finding.input)?;
            let offset = *outcome.rows_of(finding.input).offsets.get(row as usize)?;
            let text = source.line_at(u64::from(offset))?;
            let span = words
                .column(finding)
                .and_then(|c| field_spans(&text, source.delimiter).get(c).copied())
                .unwrap_or((0, text.len()));
            let pins = match finding.input {
                Input::Returned => &outcome.inputs.returned.columns.pins[..],
                Input::Roster => &outcome.inputs.roster.columns.pins[..],
                Input::Sent | Input::Bridge => &[][..],
            };
            let masked = mask(&text, source.delimiter, pins, source.headers.len());
            // A line can be huge: what is shown of it is a window.
            let (shown, span) = window(&masked, span, SNIPPET);
            // What is shown of the file cannot steer the terminal.
            let (text, span) = terminal_span(&shown, span);
            let snippet = Snippet {
                name: terminal(&source.name).into_owned(),
                text: text.into_owned(),
                first_line: line.unwrap_or(1).saturating_sub(1) as usize,
            };
            Some((snippet, SourceSpan::from(span)))
        })();
        let (snippet, span) = found.unzip();
        FindingDiagnostic {
            finding,
            location: terminal(&location).into_owned(),
            message: terminal(&words.message_string(finding)).into_owned(),
            field: words.field(finding),
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
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.finding.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        let label = terminal(self.field.unwrap_or("this row")).into_owned();
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
fn mask(line: &str, delimiter: u8, pins: &[usize], width: usize) -> String {
    if pins.is_empty() {
        return line.to_string();
    }
    let spans = field_spans(line, delimiter);
    let is_pin = pin_cells(pins, width, spans.len());
    let mut bytes = line.as_bytes().to_vec();
    for (column, &(start, len)) in spans.iter().enumerate() {
        if is_pin(column) {
            bytes[start..start + len].fill(b'*');
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| "*".repeat(line.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_cells_are_masked_in_snippets() {
        assert_eq!(mask("ann,1234,x", b',', &[1], 3), "ann,****,x");
        assert_eq!(mask("ann;\"12;34\";x", b';', &[1], 3), "ann;*******;x");
        assert_eq!(mask("ann,1234,x", b',', &[], 3), "ann,1234,x");
        // A row with an extra field: the PIN may have moved right.
        assert_eq!(mask("a,b,1234,x", b',', &[1], 3), "a,*,****,*");
        // Unbalanced quotes: split on every delimiter.
        assert_eq!(mask("\"ann,1234,x", b',', &[1], 3), "\"ann,****,x");
    }
}
