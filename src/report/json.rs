//! `report.json`: the summary, how each input was read, and every finding,
//! one a line (to `grep`), each written by serde_json as it goes.

use super::Words;
use crate::finding::{Code, Finding, Severity};
use crate::output::Output;
use crate::reconcile::{InputInfo, Outcome, Summary};
use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, Write};

pub struct ReportJson;

/// The document before its findings.
#[derive(Serialize)]
struct Head<'a> {
    summary: &'a Summary,
    inputs: &'a [InputInfo],
    causes: Vec<CauseEntry<'a>>,
    findings: [(); 0],
}

/// A cause as `report.json` has it.
#[derive(Serialize)]
struct CauseEntry<'a> {
    code: Code,
    field: Option<&'a str>,
    value: Option<&'a str>,
    expected: Option<&'a str>,
    rows: usize,
    people: usize,
    first_line: u32,
    message: String,
    examples: Vec<Example<'a>>,
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
            value: c.value.as_deref(),
            expected: c.expected.as_deref(),
            rows: c.rows,
            people: c.people,
            first_line: c.first_line,
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
        let head = Head {
            summary: &outcome.summary,
            inputs: &outcome.inputs.infos,
            causes: causes(&words),
            findings: [],
        };
        let mut text = serde_json::to_vec_pretty(&head)?;
        // `"findings": []` and the closing brace: the findings go between.
        text.truncate(text.len() - b"]\n}".len());
        out.write_all(&text)?;
        let mut message = String::new();
        for (i, f) in outcome.findings.iter().enumerate() {
            out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            let cell = words.cell(f);
            message.clear();
            words.message_at(f, cell, &mut message);
            serde_json::to_writer(&mut *out, &entry(&words, f, cell, &message))?;
        }
        let end: &[u8] = if outcome.findings.is_empty() {
            b"]\n}\n"
        } else {
            b"\n  ]\n}\n"
        };
        out.write_all(end)
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
