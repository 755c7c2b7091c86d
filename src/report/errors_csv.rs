//! `errors.csv`: the findings, one per line, for a spreadsheet: errors
//! first, then by code, person and line, so that what must be fixed is on
//! top. `unchanged` notes are left out unless asked for (report.json has
//! them).

use super::Words;
use crate::escape::spreadsheet_cell;
use crate::finding::{Code, Finding};
use crate::output::{Output, BOM};
use crate::reconcile::Outcome;
use rayon::prelude::*;
use std::io::{self, Write};

/// The columns of `errors.csv`, in order.
pub const COLUMNS: [&str; 8] = [
    "Severity",
    "Code",
    "UserPrincipalName",
    "File",
    "Line",
    "Field",
    "Value",
    "Message",
];

pub struct ErrorsCsv {
    /// Also the `unchanged` notes (`--all-findings`).
    pub all: bool,
    /// `errors.csv`, or the name `validate --errors` gives.
    pub name: std::borrow::Cow<'static, str>,
}

impl Output<Outcome> for ErrorsCsv {
    fn file_name(&self) -> &str {
        &self.name
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        write_findings(Words::new(outcome), &outcome.findings.list, self.all, out)
    }
}

/// The findings in the order errors.csv lists them: severity, code, then
/// the order they have (person, then line); `unchanged` only with `all`.
pub fn order(findings: &[Finding], all: bool) -> Vec<u32> {
    let mut order: Vec<u32> = (0..findings.len() as u32)
        .filter(|&i| all || findings[i as usize].code != Code::Unchanged)
        .collect();
    // Stable: within a code the findings keep their person-then-line order.
    order.par_sort_by_key(|&i| {
        let f = &findings[i as usize];
        (f.severity(), f.code.as_str())
    });
    order
}

/// Writes findings as `errors.csv` does; `validate --errors` uses it too.
pub fn write_findings(
    words: Words<'_>,
    findings: &[Finding],
    all: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    out.write_all(BOM)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    let mut message = String::new();
    let mut line = String::new();
    for f in order(findings, all)
        .into_iter()
        .map(|i| &findings[i as usize])
    {
        let cell = words.cell(f);
        message.clear();
        words.message_at(f, cell, &mut message);
        line.clear();
        if let Some(n) = words.line(f) {
            use std::fmt::Write as _;
            let _ = write!(line, "{n}");
        }
        let file = words.file(f);
        let file = match words.cell_ref(f) {
            Some(cell) => format!("{file}, {cell}").into(),
            None => std::borrow::Cow::Borrowed(file),
        };
        let value = words.value_at(f, cell);
        w.write_record([
            f.severity().as_str(),
            f.code.as_str(),
            &spreadsheet_cell(words.key(f).unwrap_or_default()),
            &spreadsheet_cell(&file),
            &line,
            &spreadsheet_cell(words.field(f).unwrap_or_default()),
            &spreadsheet_cell(value.as_deref().unwrap_or_default()),
            &spreadsheet_cell(&message),
        ])?;
    }
    w.flush()
}
