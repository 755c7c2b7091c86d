//! `report.json`: the summary, how each input was read, the causes, and
//! every finding, written by serde_json's serializer as it goes: indented
//! down to the lists, and each entry of a list on one line (to `grep`).

use super::Words;
use crate::finding::{Code, Finding, Severity};
use crate::output::Output;
use crate::reconcile::{InputInfo, Outcome, Summary};
use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, Write};

pub struct ReportJson;

/// The whole document.
#[derive(Serialize)]
struct Document<'a> {
    summary: &'a Summary,
    inputs: &'a [InputInfo],
    /// The ledger's batches the run covered.
    batches: Vec<&'a str>,
    /// The files written, parts included.
    outputs: &'a [String],
    causes: Vec<CauseEntry<'a>>,
    findings: Findings<'a>,
}

/// Every finding, put in words one by one as it is written.
struct Findings<'a>(Words<'a>);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let words = &self.0;
        let findings = &words.outcome.findings;
        let mut seq = s.serialize_seq(Some(findings.len()))?;
        let mut message = String::new();
        for f in findings.iter() {
            let cell = words.cell(f);
            message.clear();
            words.message_at(f, cell, &mut message);
            seq.serialize_element(&entry(words, f, cell, &message))?;
        }
        seq.end()
    }
}

/// Indented like `serde_json`'s pretty printer down to the document's
/// lists, and compact inside their entries: one entry a line.
struct Lines {
    pretty: serde_json::ser::PrettyFormatter<'static>,
    /// How many objects and arrays are open.
    depth: usize,
}

impl Lines {
    /// The entries of the document's lists open at this depth.
    const COMPACT: usize = 2;

    fn compact(&self) -> bool {
        self.depth > Lines::COMPACT
    }
}

impl serde_json::ser::Formatter for Lines {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        match self.compact() {
            true => w.write_all(b"["),
            false => self.pretty.begin_array(w),
        }
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        let compact = self.compact();
        self.depth -= 1;
        match compact {
            true => w.write_all(b"]"),
            false => self.pretty.end_array(w),
        }
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        match self.compact() {
            true if first => Ok(()),
            true => w.write_all(b","),
            false => self.pretty.begin_array_value(w, first),
        }
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        match self.compact() {
            true => Ok(()),
            false => self.pretty.end_array_value(w),
        }
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        match self.compact() {
            true => w.write_all(b"{"),
            false => self.pretty.begin_object(w),
        }
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        let compact = self.compact();
        self.depth -= 1;
        match compact {
            true => w.write_all(b"}"),
            false => self.pretty.end_object(w),
        }
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        match self.compact() {
            true if first => Ok(()),
            true => w.write_all(b","),
            false => self.pretty.begin_object_key(w, first),
        }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        match self.compact() {
            true => w.write_all(b":"),
            false => self.pretty.begin_object_value(w),
        }
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        match self.compact() {
            true => Ok(()),
            false => self.pretty.end_object_value(w),
        }
    }
}

/// A cause as `report.json` has it.
#[derive(Serialize)]
struct CauseEntry<'a> {
    code: Code,
    field: Option<&'a str>,
    expected: Option<&'a str>,
    rows: usize,
    people: usize,
    first_line: u32,
    /// The values received, most rows first (whole: report.json keeps them).
    values: Vec<CauseValue<'a>>,
    more_values: usize,
    message: String,
    examples: Vec<Example<'a>>,
}

/// A value of a cause, and how many rows hold it.
#[derive(Serialize)]
struct CauseValue<'a> {
    value: &'a str,
    rows: usize,
}

/// One finding of a cause, to find it in the file.
#[derive(Serialize)]
struct Example<'a> {
    key: Option<&'a str>,
    file: &'a str,
    line: Option<u32>,
}

fn causes<'a>(words: &Words<'a>) -> Vec<CauseEntry<'a>> {
    let o = words.outcome;
    o.findings
        .causes
        .iter()
        .map(|c| CauseEntry {
            code: c.code,
            field: c.field.map(crate::columns::Field::name),
            expected: c.expected.as_deref(),
            rows: c.rows,
            people: c.people,
            first_line: c.first_line,
            values: c
                .values
                .iter()
                .map(|(value, rows)| CauseValue { value, rows: *rows })
                .collect(),
            more_values: c.more_values,
            message: words.cause(c),
            examples: c
                .examples
                .iter()
                .filter_map(|&i| o.findings.get(i as usize))
                .map(|f| Example {
                    key: words.key(f),
                    file: words.file(f),
                    line: words.line(f),
                })
                .collect(),
        })
        .collect()
}

/// A finding as `report.json` has it.
#[derive(Serialize)]
struct Entry<'a> {
    severity: Severity,
    code: Code,
    key: Option<&'a str>,
    file: &'a str,
    line: Option<u32>,
    field: Option<&'a str>,
    value: Option<Cow<'a, str>>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cell: Option<String>,
    /// For `not-in-roster`: the requested key it is most likely meant to be.
    #[serde(skip_serializing_if = "Option::is_none")]
    suggestion: Option<&'a str>,
}

impl Output<Outcome> for ReportJson {
    fn file_name(&self) -> &str {
        "report.json"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let words = Words::new(outcome);
        let document = Document {
            summary: &outcome.summary,
            inputs: &outcome.inputs.infos,
            batches: outcome.coverage.names(),
            outputs: &outcome.outputs,
            causes: causes(&words),
            findings: Findings(words),
        };
        let lines = Lines {
            pretty: serde_json::ser::PrettyFormatter::new(),
            depth: 0,
        };
        let mut serializer = serde_json::Serializer::with_formatter(&mut *out, lines);
        document.serialize(&mut serializer)?;
        out.write_all(b"\n")
    }
}

fn entry<'a>(words: &Words<'a>, f: &Finding, cell: &'a str, message: &'a str) -> Entry<'a> {
    Entry {
        severity: f.severity(),
        code: f.code,
        key: words.key(f),
        file: words.file(f),
        line: words.line(f),
        field: words.field(f),
        value: words.value_at(f, cell),
        message,
        cell: words.cell_ref(f),
        suggestion: words.suggestion(f),
    }
}
