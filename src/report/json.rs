//! `report.json`: the summary, how each input was read, and every finding.

use crate::finding::Finding;
use crate::output::Output;
use crate::reconcile::{InputInfo, Outcome, Summary};
use serde::Serialize;
use std::io::{self, Write};

pub struct ReportJson;

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
        let report = Report {
            summary: &outcome.summary,
            inputs: &outcome.inputs,
            findings: &outcome.findings,
        };
        serde_json::to_writer_pretty(&mut *out, &report)?;
        out.write_all(b"\n")
    }
}
