//! `errors.csv`: every finding, one per line, for a spreadsheet.

use crate::escape::spreadsheet_cell;
use crate::finding::Finding;
use crate::output::{Output, BOM};
use crate::reconcile::Outcome;
use std::fmt::Write as _;
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
    let mut w = ::csv::Writer::from_writer(&mut *out);
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
    w.flush()?;
    drop(w);
    crate::output::write_in_order(out, findings, |findings, text| {
        let mut w = ::csv::Writer::from_writer(text);
        let mut message = String::new();
        for f in findings {
            message.clear();
            write!(message, "{}", f.message_text()).map_err(io::Error::other)?;
            let line = f.line.map_or(String::new(), |l| l.to_string());
            let file = match &f.cell {
                Some(cell) => format!("{}, {cell}", f.file).into(),
                None => std::borrow::Cow::Borrowed(&*f.file),
            };
            w.write_record([
                f.severity.as_str(),
                f.code.as_str(),
                &spreadsheet_cell(f.key.as_ref().map_or("", |k| k.as_str())),
                &spreadsheet_cell(&file),
                &line,
                &spreadsheet_cell(f.field.as_deref().unwrap_or("")),
                &spreadsheet_cell(f.value.as_deref().unwrap_or("")),
                &spreadsheet_cell(&message),
            ])?;
        }
        w.flush()
    })
}
