//! `errors.csv`: the findings, one per line, for a spreadsheet: errors
//! first, then by code, person and line, so that what must be fixed is on
//! top. `unchanged` notes are left out unless asked for (report.json has
//! them).

use super::Words;
use crate::escape::spreadsheet_cell;
use crate::finding::{Code, Finding};
use crate::output::{csv_parts, Output, Parts, BOM};
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
        out.write_all(BOM)?;
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
        w.write_record(COLUMNS)?;
        let words = Words::new(outcome);
        let mut row = Row::default();
        for i in order(&outcome.findings.list, self.all) {
            row.write(&words, &outcome.findings.list[i as usize], &mut w)?;
        }
        w.flush()
    }

    fn rows(&self, outcome: &Outcome) -> Option<usize> {
        Some(count(&outcome.findings.list, self.all))
    }

    fn write_parts(&self, outcome: &Outcome, parts: &mut Parts<'_>) -> io::Result<()> {
        let words = Words::new(outcome);
        let findings = &outcome.findings.list;
        let mut row = Row::default();
        let order = order(findings, self.all);
        let rows = order.into_iter().map(|i| &findings[i as usize]);
        csv_parts(parts, BOM, &COLUMNS, rows, |w, f| row.write(&words, f, w))
    }
}

/// How many findings errors.csv lists.
fn count(findings: &[Finding], all: bool) -> usize {
    findings
        .iter()
        .filter(|f| all || f.code != Code::Unchanged)
        .count()
}

/// The texts of one row, kept from one to the next.
#[derive(Default)]
struct Row {
    message: String,
    line: String,
}

impl Row {
    fn write(
        &mut self,
        words: &Words<'_>,
        f: &Finding,
        w: &mut csv::Writer<impl Write>,
    ) -> io::Result<()> {
        let cell = words.cell(f);
        self.message.clear();
        words.message_at(f, cell, &mut self.message);
        self.line.clear();
        if let Some(n) = words.line(f) {
            use std::fmt::Write as _;
            let _ = write!(self.line, "{n}");
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
            &self.line,
            &spreadsheet_cell(words.field(f).unwrap_or_default()),
            &spreadsheet_cell(value.as_deref().unwrap_or_default()),
            &spreadsheet_cell(&self.message),
        ])?;
        Ok(())
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
