//! The short summary printed on stdout: counts, and the proof that every
//! row and every requested person is accounted for exactly once.

use crate::finding::{Code, Finding, Severity};
use crate::reconcile::Outcome;
use std::fmt::Write;

/// The summary text of a reconcile run.
pub fn render(outcome: &Outcome, written: &[std::path::PathBuf]) -> String {
    let s = &outcome.summary;
    let a = &s.accounting;
    let mut out = String::new();
    let check = |ok: bool| if ok { "ok" } else { "DOES NOT ADD UP" };
    let _ = writeln!(out, "acp-recon reconcile");
    for input in &outcome.inputs.infos {
        // A workbook's layout is its sheet ("sheet Users"), not a delimiter.
        let layout = match input.delimiter.strip_prefix("sheet ") {
            Some(_) => input.delimiter.clone(),
            None => format!("delimiter {:?}", input.delimiter),
        };
        let _ = writeln!(
            out,
            "  {:<9} {} ({}, {layout}, {} rows)",
            input.role, input.file, input.encoding, input.rows
        );
    }
    if let Some(line) = requested_by(outcome) {
        let _ = writeln!(out, "  {:<9} {line}", "requested");
    }
    let _ = writeln!(
        out,
        "returned rows  {:>7} = {} planned + {} unchanged + {} rejected   [{}]",
        s.returned_rows,
        a.planned_rows,
        a.unchanged_rows,
        a.rejected_rows,
        check(a.rows_balanced)
    );
    let _ = writeln!(
        out,
        "requested      {:>7} = {} planned + {} unchanged + {} rejected + {} missing   [{}]",
        a.requested,
        a.requested_planned,
        a.requested_unchanged,
        a.requested_rejected,
        a.requested_missing,
        check(a.requested_balanced)
    );
    let info = outcome
        .findings
        .iter()
        .filter(|f| f.severity() == Severity::Info)
        .count();
    let _ = writeln!(
        out,
        "plan           {:>7} people; findings: {} errors, {} warnings, {} info",
        s.planned, s.errors, s.warnings, info
    );
    out.push_str(&causes(outcome));
    out.push_str(&code_counts(&outcome.findings.list));
    if a.rows_balanced && a.requested_balanced {
        let _ = writeln!(
            out,
            "Every returned row and every requested person is accounted for exactly once."
        );
    } else {
        let _ = writeln!(
            out,
            "WARNING: THE COUNTS DO NOT ADD UP. Some rows or people are not accounted for; do not import this plan, and report this with the input files."
        );
    }
    for path in written {
        let _ = writeln!(out, "wrote {}", path.display());
    }
    out
}

/// Who was requested, when the ledger's batches said: the batches the run
/// covered.
pub fn requested_by(outcome: &Outcome) -> Option<String> {
    use crate::reconcile::earlier::RequestedBy;
    let coverage = &outcome.coverage;
    if coverage.requested_by != RequestedBy::Batches {
        return None;
    }
    let names = coverage.names();
    Some(match names.is_empty() {
        true => "by no batch: no open batch of the ledger has anyone in this file".to_string(),
        false => format!("by the ledger's batches {}", names.join(", ")),
    })
}

/// The causes, one sentence each, before the codes: one mistake on many
/// rows is told once.
pub fn causes(outcome: &Outcome) -> String {
    const SHOWN: usize = 10;
    let words = super::Words::new(outcome);
    let mut out = String::new();
    if outcome.findings.causes.is_empty() {
        return out;
    }
    let _ = writeln!(out, "causes:");
    for cause in outcome.findings.causes.iter().take(SHOWN) {
        let _ = writeln!(out, "  {}", words.cause(cause));
    }
    if outcome.findings.causes.len() > SHOWN {
        let _ = writeln!(
            out,
            "  … and {} more causes in report.json",
            outcome.findings.causes.len() - SHOWN
        );
    }
    let _ = writeln!(out, "findings by code:");
    out
}

/// One line per finding code present: count, severity, code; most severe first.
pub fn code_counts(findings: &[Finding]) -> String {
    let mut counts = vec![0usize; Code::ALL.len()];
    for f in findings {
        // The codes are numbered as `Code::ALL` lists them.
        counts[f.code as usize] += 1;
    }
    let mut by_code: Vec<(Code, usize)> = Code::ALL
        .iter()
        .zip(counts)
        .map(|(&c, n)| (c, n))
        .filter(|(_, n)| *n > 0)
        .collect();
    by_code.sort_by_key(|&(c, _)| (c.severity(), c));
    let mut out = String::new();
    for (code, n) in by_code {
        let _ = writeln!(out, "  {:>7}  {:<8} {}", n, code.severity().as_str(), code);
    }
    out
}

/// The summary of `validate`: how the file was read, which columns were
/// found, the causes, and the findings by code. `input` is the role the
/// file was read in.
pub fn validation(outcome: &Outcome, input: crate::finding::Input) -> String {
    let Some(source) = outcome.source(input) else {
        return String::new();
    };
    let layout = match &source.sheet {
        Some(sheet) => format!(
            "{} workbook, sheet {sheet:?}, header on row {}",
            source.encoding.as_str(),
            source.header_line
        ),
        None => format!(
            "{}, delimiter {:?}, header on line {}",
            source.encoding.as_str(),
            match source.delimiter {
                b'\t' => "tab".to_string(),
                d => (d as char).to_string(),
            },
            source.header_line
        ),
    };
    let mut out = String::new();
    let blank = match source.blank_rows {
        0 => String::new(),
        n => format!(" ({n} blank rows skipped)"),
    };
    let _ = writeln!(
        out,
        "{}: {} file, {layout}, {} rows{blank}\ncolumns:",
        source.name,
        input.as_str(),
        source.rows,
    );
    if let Some(info) = outcome.inputs.infos.first() {
        for (field, header) in &info.columns {
            let _ = writeln!(out, "  {field:<26} <- {header:?}");
        }
    }
    let columns = outcome.columns(input).map_or(&[][..], |c| &c.pins[..]);
    for header in columns.iter().filter_map(|&c| source.headers.get(c)) {
        let _ = writeln!(
            out,
            "  {:<26} <- {header:?} (read past, never copied)",
            "PIN"
        );
    }
    let f = &outcome.findings;
    let _ = writeln!(
        out,
        "findings: {} errors, {} warnings, {} info",
        f.count(Severity::Error),
        f.count(Severity::Warning),
        f.count(Severity::Info)
    );
    out.push_str(&causes(outcome));
    out.push_str(&code_counts(&f.list));
    out
}

/// Warnings about the inputs as a whole, one a line, for stderr.
pub fn input_warnings(outcome: &Outcome) -> String {
    let columns = &outcome.inputs.roster_vendor_columns;
    if columns.is_empty() {
        return String::new();
    }
    format!(
        "warning: the roster {} has the vendor's columns ({}) and none of a roster's: \
         is it a returned file? The roster is who exists in the tenant, with what each \
         person has now.\n",
        outcome.file(crate::finding::Input::Roster),
        columns.join(", ")
    )
}
