//! `report.json`: the summary, how each input was read, and every finding.

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
            let mut alone = Vec::with_capacity(512);
            for f in run {
                let first = std::ptr::eq(f, &findings[0]);
                text.extend_from_slice(if first { b"\n    " } else { b",\n    " });
                // Pretty-printed on its own, a finding is two levels less
                // indented than inside the document. JSON strings hold no raw
                // line break, so every one is the printer's.
                alone.clear();
                serde_json::to_writer_pretty(&mut alone, f)?;
                for (i, line) in alone.split(|&b| b == b'\n').enumerate() {
                    if i > 0 {
                        text.extend_from_slice(b"\n    ");
                    }
                    text.extend_from_slice(line);
                }
            }
            Ok(())
        })?;
        out.write_all(b"\n  ]\n}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Code;
    use crate::model::UserKey;

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
        let key = UserKey::parse("Ann@Contoso.example");
        let file: std::sync::Arc<str> = "returned.csv".into();
        outcome.findings = (0..3000)
            .map(|i| {
                Finding::new(Code::InvalidTollNumber, &file, "Say \"why\"\nhere.")
                    .key(key.as_ref())
                    .at(i + 2, None)
                    .field("TollNumber")
                    .value("+1 425\t555")
            })
            .collect();
        outcome.summary.errors = 3000;
        assert_eq!(written(&outcome), whole(&outcome));
    }
}
