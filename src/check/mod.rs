//! Row checks and roster building: each input's rows as they are read,
//! turned into people, requests and checked returned rows, with the
//! problems of each row as findings. A row in, values and findings out;
//! nothing here compares rows with each other (that is `reconcile`).

pub mod provider;
pub mod returned;
pub mod roster;
pub mod sent;

use crate::columns::{closest, ColumnMap, Field};
use crate::error::{Error, MissingColumn};
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
            field_span(header, source.delimiter, *i).unwrap_or((0, header.len())),
            format!("is this the {missing} column?"),
        ),
        None => ((0, header.len()), format!("no {missing} here")),
    };
    let mut help = format!(
        "add a {missing} column, or map yours in the config: [aliases] {missing} = [\"Your header\"]"
    );
    if let Some((_, h)) = &suggestion {
        help.push_str(&format!("; the closest header is {h:?}"));
    }
    Err(Error::MissingColumn(Box::new(MissingColumn {
        file: source.name.to_string(),
        column: missing.name(),
        src: NamedSource::new(&*source.name, text.clone()),
        span: (span.0 + header_start, span.1).into(),
        label,
        help,
    })))
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
    fn finds_fields_in_a_line_with_quotes() {
        let line = r#"a,"b,c",,d"#;
        assert_eq!(field_span(line, b',', 0), Some((0, 1)));
        assert_eq!(field_span(line, b',', 1), Some((2, 5)));
        assert_eq!(field_span(line, b',', 2), Some((8, 0)));
        assert_eq!(field_span(line, b',', 3), Some((9, 1)));
        assert_eq!(field_span(line, b',', 4), None);
    }
}
