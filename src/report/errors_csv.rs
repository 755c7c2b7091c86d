//! `errors.csv`: every finding, one per line, for a spreadsheet.

use crate::escape::{csv_field, csv_record, spreadsheet_cell};
use crate::finding::Finding;
use crate::output::{Output, BOM};
use crate::reconcile::Outcome;
use std::io::{self, Write};

pub struct ErrorsCsv;

/// The columns of `errors.csv`, in order.
const COLUMNS: [&str; 8] = [
    "Severity",
    "Code",
    "UserPrincipalName",
    "File",
    "Line",
    "Field",
    "Value",
    "Message",
];

impl Output for ErrorsCsv {
    fn file_name(&self) -> &str {
        "errors.csv"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        write_findings(&outcome.findings, out)
    }
}

/// Writes findings as `errors.csv` does; `validate` uses it too.
pub fn write_findings(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    out.write_all(BOM)?;
    let mut header = Vec::new();
    csv_record(&mut header, &COLUMNS);
    out.write_all(&header)?;
    crate::output::write_in_order(out, findings, |findings, text| {
        let mut message = String::new();
        for f in findings {
            message.clear();
            f.write_message(&mut message).map_err(io::Error::other)?;
            text.extend_from_slice(f.severity.as_str().as_bytes());
            text.push(b',');
            text.extend_from_slice(f.code.as_str().as_bytes());
            text.push(b',');
            cell(text, f.key.as_ref().map_or("", |k| k.as_str()));
            text.push(b',');
            match &f.cell {
                Some(at) => cell(text, &format!("{}, {at}", f.file)),
                None => cell(text, &f.file),
            }
            text.push(b',');
            if let Some(line) = f.line {
                crate::escape::push_decimal(text, line);
            }
            text.push(b',');
            cell(text, f.field.as_deref().unwrap_or(""));
            text.push(b',');
            cell(text, f.value.as_deref().unwrap_or(""));
            text.push(b',');
            cell(text, &message);
            text.push(b'\n');
        }
        Ok(())
    })
}

/// A cell a spreadsheet opens, as a CSV field.
fn cell(text: &mut Vec<u8>, value: &str) {
    csv_field(text, &spreadsheet_cell(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The csv crate's writer, field by field: what the file was written
    /// with before it was written by hand.
    fn by_the_csv_crate(findings: &[Finding]) -> Vec<u8> {
        let mut w = ::csv::Writer::from_writer(BOM.to_vec());
        w.write_record(COLUMNS).unwrap();
        for f in findings {
            let line = f.line.map_or(String::new(), |l| l.to_string());
            let file = match &f.cell {
                Some(cell) => format!("{}, {cell}", f.file),
                None => f.file.to_string(),
            };
            w.write_record([
                f.severity.as_str(),
                f.code.as_str(),
                &spreadsheet_cell(f.key.as_ref().map_or("", |k| k.as_str())),
                &spreadsheet_cell(&file),
                &line,
                &spreadsheet_cell(f.field.as_deref().unwrap_or("")),
                &spreadsheet_cell(f.value.as_deref().unwrap_or("")),
                &spreadsheet_cell(&f.message_text().to_string()),
            ])
            .unwrap();
        }
        w.into_inner().unwrap()
    }

    #[test]
    fn same_bytes_as_the_csv_crate_writes() {
        let findings = crate::finding::hostile_samples(3000);
        let mut written = Vec::new();
        write_findings(&findings, &mut written).unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            String::from_utf8(by_the_csv_crate(&findings)).unwrap()
        );
    }
}
