//! `send-back.csv`: the rejected rows as the vendor sent them (PIN cells
//! emptied), with a last column that says what is wrong, ready to return.

use crate::escape::spreadsheet_cell;
use crate::finding::{Input, Severity};
use crate::output::{Output, BOM};
use crate::reconcile::Outcome;
use crate::report::Words;
use std::io::{self, Write};

pub struct SendBackCsv;

impl Output<Outcome> for SendBackCsv {
    fn file_name(&self) -> &str {
        "send-back.csv"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(BOM)?;
        let headers = outcome
            .source(Input::Returned)
            .map_or(&[][..], |s| &s.headers[..]);
        let width = headers.len();
        let mut w = ::csv::WriterBuilder::new().flexible(true).from_writer(out);
        for header in headers.iter().map(String::as_str).chain(["Problems"]) {
            w.write_field(spreadsheet_cell(header).as_bytes())?;
        }
        w.write_record(None::<&[u8]>)?;
        let problems = Problems::of(outcome);
        let mut text = String::new();
        for &row in &outcome.send_back {
            let record = outcome.returned.row(row);
            text.clear();
            problems.of_row(row, &mut text);
            if let Some(&original) = outcome
                .copy_of
                .get(row as usize)
                .filter(|&&o| o != u32::MAX)
            {
                let line = outcome.returned.rows.lines[original as usize];
                if !text.is_empty() {
                    text.push_str(" | ");
                }
                text.push_str(&format!("Same as line {line}:"));
                let mut theirs = String::new();
                problems.of_row(original, &mut theirs);
                if !theirs.is_empty() {
                    text.push_str(" | ");
                    text.push_str(&theirs);
                }
            }
            if text.is_empty() {
                text.push_str("Another row of this person has an error (see its line).");
            }
            let cells = record.cells().chain((record.len()..width).map(|_| ""));
            for cell in cells {
                w.write_field(spreadsheet_cell(cell).as_bytes())?;
            }
            w.write_field(spreadsheet_cell(&text).as_bytes())?;
            w.write_record(None::<&[u8]>)?;
        }
        w.flush()
    }
}

/// The errors of each returned row, in the findings' order.
struct Problems<'a> {
    words: Words<'a>,
    /// `(row, index in the findings)` of every error on a returned row.
    by_row: Vec<(u32, u32)>,
}

impl<'a> Problems<'a> {
    fn of(outcome: &'a Outcome) -> Problems<'a> {
        let mut by_row: Vec<(u32, u32)> = outcome
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.input == Input::Returned && f.severity() <= Severity::Error)
            .filter_map(|(i, f)| Some((f.row()?, i as u32)))
            .collect();
        by_row.sort_by_key(|&(row, _)| row);
        Problems {
            words: Words::new(outcome),
            by_row,
        }
    }

    /// Appends a row's problems, `Field: message`, joined by ` | `.
    fn of_row(&self, row: u32, out: &mut String) {
        let start = self.by_row.partition_point(|&(r, _)| r < row);
        for (n, &(_, i)) in self.by_row[start..]
            .iter()
            .take_while(|&&(r, _)| r == row)
            .enumerate()
        {
            let f = &self.words.outcome.findings[i as usize];
            if n > 0 {
                out.push_str(" | ");
            }
            if let Some(field) = self.words.field(f) {
                out.push_str(field);
                out.push_str(": ");
            }
            self.words.message(f, out);
        }
    }
}
