//! `errors.csv`: every finding, one per line, for a spreadsheet.

use crate::escape::spreadsheet_cell;
use crate::finding::Finding;
use crate::output::{Output, BOM};
use crate::reconcile::Outcome;
use std::io::{self, Write};

pub struct ErrorsCsv;

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
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record([
        "Severity",
        "Code",
        "UserPrincipalName",
        "File",
        "Line",
        "Field",
        "Value",
        "Message",
    ])?;
    for f in findings {
        let line = f.line.map_or(String::new(), |l| l.to_string());
        w.write_record([
            f.severity.as_str(),
            f.code.as_str(),
            &spreadsheet_cell(f.key.as_ref().map_or("", |k| k.as_str())),
            &spreadsheet_cell(&match &f.cell {
                Some(cell) => format!("{}, {cell}", f.file),
                None => f.file.to_string(),
            }),
            &line,
            &spreadsheet_cell(f.field.as_deref().unwrap_or("")),
            &spreadsheet_cell(f.value.as_deref().unwrap_or("")),
            &spreadsheet_cell(&f.message),
        ])?;
    }
    w.flush()
}
