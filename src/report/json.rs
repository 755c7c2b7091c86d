//! `report.json`: the summary, how each input was read, and every finding.

use crate::escape::Json;
use crate::finding::Finding;
use crate::output::Output;
use crate::reconcile::{InputInfo, Outcome, Summary};
use serde::Serialize;
use std::io::{self, Write};

pub struct ReportJson;

/// The document: the summary and inputs as serde_json pretty-prints them,
/// then one finding a line as serde_json writes it compactly, so that a
/// finding is one line to `grep` and the file about a fifth smaller than
/// pretty throughout. The findings are written a window at a time, in
/// parallel.
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

/// Appends a finding as serde_json writes it compactly (the tests hold the
/// two to the same bytes): written by hand, it takes a third of the time.
fn push_finding(f: &Finding, message: &mut String, text: &mut Vec<u8>) {
    let string = |value: Option<&str>, text: &mut Vec<u8>| match value {
        Some(value) => Json(value).push_to(text),
        None => text.extend_from_slice(b"null"),
    };
    let name = |name: &str, text: &mut Vec<u8>| {
        text.extend_from_slice(b",\"");
        text.extend_from_slice(name.as_bytes());
        text.extend_from_slice(b"\":");
    };
    text.extend_from_slice(b"{\"severity\":");
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
    text.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(outcome: &Outcome) -> Report<'_> {
        Report {
            summary: &outcome.summary,
            inputs: &outcome.inputs,
            findings: &outcome.findings,
        }
    }

    /// serde_json's bytes: the summary and inputs pretty-printed, each
    /// finding compact on a line of its own.
    fn expected(outcome: &Outcome) -> Vec<u8> {
        if outcome.findings.is_empty() {
            let mut text = serde_json::to_vec_pretty(&report(outcome)).unwrap();
            text.push(b'\n');
            return text;
        }
        let head = serde_json::to_vec_pretty(&Report {
            findings: &[],
            ..report(outcome)
        })
        .unwrap();
        // Up to the findings' opening bracket.
        let mut text = head[..head.len() - b"]\n}".len()].to_vec();
        for (i, f) in outcome.findings.iter().enumerate() {
            text.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
            text.extend(serde_json::to_vec(f).unwrap());
        }
        text.extend_from_slice(b"\n  ]\n}\n");
        text
    }

    fn written(outcome: &Outcome) -> Vec<u8> {
        let mut text = Vec::new();
        ReportJson.write(outcome, &mut text).unwrap();
        text
    }

    #[test]
    fn same_bytes_as_serde_json_one_finding_a_line() {
        let mut outcome = Outcome::default();
        assert_eq!(written(&outcome), expected(&outcome));
        outcome.findings = crate::finding::hostile_samples(3000);
        outcome.summary.errors = 3000;
        let text = written(&outcome);
        assert_eq!(text, expected(&outcome));
        // The same document as serde_json's, and each finding on its line.
        let parsed: serde_json::Value = serde_json::from_slice(&text).unwrap();
        assert_eq!(parsed, serde_json::to_value(report(&outcome)).unwrap());
        let lines = text.split(|&b| b == b'\n');
        let finding_lines = lines
            .filter(|l| l.starts_with(b"    {\"severity\":"))
            .count();
        assert_eq!(finding_lines, 3000);
    }
}
