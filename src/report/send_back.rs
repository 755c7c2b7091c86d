//! `send-back.csv`: the rejected rows as the vendor sent them (PIN cells
//! emptied), with a last column that says what is wrong, ready to return.

use crate::escape::spreadsheet_cell;
use crate::finding::{Input, Severity};
use crate::model::Key;
use crate::output::{csv_parts, Output, Parts, BOM};
use crate::reconcile::Outcome;
use crate::report::Words;
use std::io::{self, Write};

pub struct SendBackCsv;

impl Output<Outcome> for SendBackCsv {
    fn file_name(&self) -> &str {
        "send-back.csv"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let header = header(outcome);
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        out.write_all(BOM)?;
        let mut w = ::csv::WriterBuilder::new().flexible(true).from_writer(out);
        w.write_record(&header)?;
        let mut rows = Rows::new(outcome);
        for &row in &outcome.reconciliation.send_back {
            rows.write(row, &mut w)?;
        }
        w.flush()
    }

    fn rows(&self, outcome: &Outcome) -> Option<usize> {
        Some(outcome.reconciliation.send_back.len())
    }

    fn write_parts(&self, outcome: &Outcome, parts: &mut Parts<'_>) -> io::Result<()> {
        let header = header(outcome);
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let mut rows = Rows::new(outcome);
        let sent = outcome.reconciliation.send_back.iter().copied();
        csv_parts(parts, BOM, &header, sent, |w, row| rows.write(row, w))
    }
}

/// The header of send-back.csv: the returned file's, a `Problems` column
/// of one that came back left out, and `Problems` last.
fn header(outcome: &Outcome) -> Vec<String> {
    let headers = outcome
        .source(Input::Returned)
        .map_or(&[][..], |s| &s.headers[..]);
    let problems = outcome.inputs.returned.columns.problems;
    headers
        .iter()
        .enumerate()
        .filter(|(c, _)| Some(*c) != problems)
        .map(|(_, h)| spreadsheet_cell(h).into_owned())
        .chain(["Problems".to_string()])
        .collect()
}

/// The rows sent back, written one by one with their problems.
struct Rows<'a> {
    outcome: &'a Outcome,
    problems: Problems<'a>,
    text: String,
    width: usize,
}

impl<'a> Rows<'a> {
    fn new(outcome: &'a Outcome) -> Rows<'a> {
        Rows {
            outcome,
            problems: Problems::of(outcome),
            text: String::new(),
            width: outcome
                .source(Input::Returned)
                .map_or(0, |s| s.headers.len()),
        }
    }

    /// Writes the next row sent back: its cells as received, and what is
    /// wrong with it.
    fn write(&mut self, row: u32, w: &mut ::csv::Writer<impl Write>) -> io::Result<()> {
        let outcome = self.outcome;
        // The Problems column of a send-back that came back is written anew.
        let problems_column = outcome.inputs.returned.columns.problems;
        let record = outcome.inputs.returned.cells(row);
        self.text.clear();
        self.problems.row(outcome, row, &mut self.text);
        let cells = record.cells().chain((record.len()..self.width).map(|_| ""));
        for (_, cell) in cells
            .enumerate()
            .filter(|(c, _)| Some(*c) != problems_column)
        {
            w.write_field(spreadsheet_cell(cell).as_bytes())?;
        }
        w.write_field(spreadsheet_cell(&self.text).as_bytes())?;
        w.write_record(None::<&[u8]>)?;
        Ok(())
    }
}

/// The first `n` rows sent back, each with what is wrong with it.
pub fn first(outcome: &Outcome, n: usize) -> Vec<(u32, String)> {
    let mut problems = Problems::of(outcome);
    outcome
        .reconciliation
        .send_back
        .iter()
        .take(n)
        .map(|&row| {
            let mut text = String::new();
            problems.row(outcome, row, &mut text);
            (row, text)
        })
        .collect()
}

/// The errors of the returned rows, in the findings' order (key, then
/// line): the rows sent back are in that order too, and are read
/// alongside.
struct Problems<'a> {
    words: Words<'a>,
    /// `(key, line, index in the findings)` of every error on a returned row.
    errors: Vec<(u64, u32, u32)>,
    /// How far the rows sent back have read.
    at: usize,
}

/// The order of a key in findings: keyless first.
fn rank(key: Key) -> u64 {
    key.get().map_or(0, |k| u64::from(k.0) + 1)
}

impl<'a> Problems<'a> {
    fn of(outcome: &'a Outcome) -> Problems<'a> {
        let errors = outcome
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.input == Input::Returned && f.severity() <= Severity::Error)
            .filter(|(_, f)| f.row().is_some())
            .map(|(i, f)| (rank(f.key), f.line, i as u32))
            .collect();
        Problems {
            words: Words::new(outcome),
            errors,
            at: 0,
        }
    }

    /// Appends what is wrong with `row`, the next row sent back: its
    /// errors, and those of the row it repeats.
    fn row(&mut self, outcome: &Outcome, row: u32, text: &mut String) {
        let rows = &outcome.inputs.returned.rows;
        let key = rows.key(row);
        self.next(key, rows.lines[row as usize], text);
        if let Some(&original) = outcome
            .reconciliation
            .copy_of
            .get(row as usize)
            .filter(|&&o| o != u32::MAX)
        {
            let line = rows.lines[original as usize];
            if !text.is_empty() {
                text.push_str(" | ");
            }
            text.push_str(&format!("Same as line {line}:"));
            let mut theirs = String::new();
            self.of_row(key, line, &mut theirs);
            if !theirs.is_empty() {
                text.push_str(" | ");
                text.push_str(&theirs);
            }
        }
        if text.is_empty() {
            text.push_str("Another row of this person has an error (see its line).");
        }
    }

    /// Appends the problems of the next row sent back (of `key` at
    /// `line`), `Field: message`, joined by ` | `.
    fn next(&mut self, key: Key, line: u32, out: &mut String) {
        let here = (rank(key), line);
        while self.errors.get(self.at).is_some_and(|e| (e.0, e.1) < here) {
            self.at += 1;
        }
        let start = self.at;
        while self.errors.get(self.at).is_some_and(|e| (e.0, e.1) == here) {
            self.at += 1;
        }
        self.write(start..self.at, out);
    }

    /// Appends the problems of another row (the one a copy repeats).
    fn of_row(&self, key: Key, line: u32, out: &mut String) {
        let here = (rank(key), line);
        let start = self.errors.partition_point(|e| (e.0, e.1) < here);
        let len = self.errors[start..]
            .iter()
            .take_while(|e| (e.0, e.1) == here)
            .count();
        self.write(start..start + len, out);
    }

    fn write(&self, errors: std::ops::Range<usize>, out: &mut String) {
        for (n, &(_, _, i)) in self.errors[errors].iter().enumerate() {
            let f = &self.words.outcome.findings.list[i as usize];
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
