//! Row checks and roster building: each input's rows as they are read,
//! turned into people, requests and checked returned rows, with the
//! problems of each row as findings. A row in, values and findings out;
//! nothing here compares rows with each other (that is `reconcile`).

pub mod bridge;
pub mod provider;
pub mod returned;
pub mod roster;
pub mod sent;

use crate::columns::{closest, ColumnMap, Field};
use crate::error::{Error, MissingColumn};
use crate::source::line::{field_spans, window};
use crate::source::Source;
use miette::NamedSource;

/// Fails with a `missing-column` diagnostic when a required column is
/// absent, pointing at the closest header.
pub fn require(source: &Source, columns: &ColumnMap, fields: &[Field]) -> Result<(), Error> {
    let Some(&missing) = fields.iter().find(|f| !columns.has(**f)) else {
        return Ok(());
    };
    let text = &source.header_text;
    // The header is the last line of the text; the lines above keep
    // miette's line numbers true.
    let header_start = text.rfind('\n').map_or(0, |i| i + 1);
    let header = &text[header_start..];
    let suggestion = closest(&source.headers, missing);
    let (span, label) = match &suggestion {
        Some((i, _)) => (
            field_spans(header, source.delimiter)
                .get(*i)
                .copied()
                .unwrap_or((0, header.len())),
            format!("is this the {missing} column?"),
        ),
        None => ((0, header.len()), format!("no {missing} here")),
    };
    let mut help = format!(
        "add a {missing} column, or map yours in the config: [aliases] {missing} = [\"Your header\"]"
    );
    if let Some((_, h)) = &suggestion {
        let (h, _) = window(h, (0, 0), 100);
        help.push_str(&format!("; the closest header is {h:?}"));
    }
    // A header can be huge: what is shown of it is a window.
    let (header, span) = window(header, span, 120);
    let mut shown = text[..header_start].to_string();
    shown.push_str(&header);
    Err(Error::MissingColumn(Box::new(MissingColumn {
        file: source.name.to_string(),
        column: missing.name(),
        src: NamedSource::new(&*source.name, shown),
        span: (span.0 + header_start, span.1).into(),
        label,
        help,
    })))
}
