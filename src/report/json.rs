//! `report.json`: the summary, how each input was read, and every finding.

use crate::escape::Json;
use crate::finding::Finding;
use crate::output::Output;
use crate::reconcile::{InputInfo, Outcome, Summary};
use serde::Serialize;
use std::io::{self, Write};

pub struct ReportJson;

/// The document as serde_json pretty-prints it. The findings are written a
/// window at a time, in parallel, to the same bytes.
#[derive(Serialize)]
struct Report<'a> {
    summary: &'a Summary,
    inputs: &'a [InputInfo],
    findings: &'a [Finding],
}

impl Output for ReportJson {
    fn file_name(&self) -> &str {
        "report.json"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let findings = &outcome.findings;
        let head = Report {
            summary: &outcome.summary,
            inputs: &outcome.inputs,
            findings: &[],
        };
        let mut text = serde_json::to_vec_pretty(&head)?;
        // `"findings": []` and the closing brace: the findings go in between.
        let tail = b"[]\n}";
        debug_assert!(text.ends_with(tail));
        text.truncate(text.len() - tail.len());
        if findings.is_empty() {
            text.extend_from_slice(tail);
            out.write_all(&text)?;
            return out.write_all(b"\n");
        }
        text.push(b'[');
        out.write_all(&text)?;
        crate::output::write_in_order(out, findings, |run, text| {
            let mut message = String::new();
            for f in run {
                let first = std::ptr::eq(f, &findings[0]);
                text.extend_from_slice(if first { b"\n    " } else { b",\n    " });
                push_finding(f, &mut message, text);
            }
            Ok(())
        })?;
        out.write_all(b"\n  ]\n}\n")
    }
}

/// Appends a finding as the document's `findings` array holds it, as
/// serde_json pretty-prints it there (the tests hold the two to the same
/// bytes): written by hand, it takes a third of the time.
fn push_finding(f: &Finding, message: &mut String, text: &mut Vec<u8>) {
    let string = |value: Option<&str>, text: &mut Vec<u8>| match value {
        Some(value) => Json(value).push_to(text),
        None => text.extend_from_slice(b"null"),
    };
    let name = |name: &str, text: &mut Vec<u8>| {
        text.extend_from_slice(b",\n      \"");
        text.extend_from_slice(name.as_bytes());
        text.extend_from_slice(b"\": ");
    };
    text.extend_from_slice(b"{\n      \"severity\": ");
    Json(f.severity.as_str()).push_to(text);
    name("code", text);
    Json(f.code.as_str()).push_to(text);
    name("key", text);
    string(f.key.as_ref().map(|k| k.as_str()), text);
    name("file", text);
    Json(&f.file).push_to(text);
    name("line", text);
    match f.line {
        Some(line) => crate::escape::push_decimal(text, line),
        None => text.extend_from_slice(b"null"),
    }
    name("field", text);
    string(f.field.as_deref(), text);
    name("value", text);
    string(f.value.as_deref(), text);
    name("message", text);
    message.clear();
    let _ = f.write_message(message);
    Json(message).push_to(text);
    if let Some(cell) = &f.cell {
        name("cell", text);
        Json(cell).push_to(text);
    }
    text.extend_from_slice(b"\n    }");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(outcome: &Outcome) -> Vec<u8> {
        let report = Report {
            summary: &outcome.summary,
            inputs: &outcome.inputs,
            findings: &outcome.findings,
        };
        let mut text = serde_json::to_vec_pretty(&report).unwrap();
        text.push(b'\n');
        text
    }

    fn written(outcome: &Outcome) -> Vec<u8> {
        let mut text = Vec::new();
        ReportJson.write(outcome, &mut text).unwrap();
        text
    }

    #[test]
    fn same_bytes_as_the_whole_document_pretty_printed() {
        let mut outcome = Outcome::default();
        assert_eq!(written(&outcome), whole(&outcome));
        outcome.findings = crate::finding::hostile_samples(3000);
        outcome.summary.errors = 3000;
        assert_eq!(written(&outcome), whole(&outcome));
    }
}
