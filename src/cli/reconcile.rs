//! `acp-recon reconcile`: read the roster and the returned file, reconcile,
//! and write the plan and the reports.

use super::{eprint_rendered, print, Common};
use crate::error::{Error, ExitStatus};
use crate::output::{self, Output};
use crate::plan::{csv::ImportPlanCsv, powershell::ImportPlanPs1, send_back::SendBackCsv};
use crate::progress::{Bar, Progress};
use crate::reconcile::{self, Files, Outcome};
use crate::report::{
    diagnostics, errors_csv::ErrorsCsv, html::ReportHtml, json::ReportJson, summary,
};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Who exists, and optionally what each person has now
    #[arg(long, value_name = "ROSTER")]
    roster: PathBuf,
    /// The file the vendor sent back
    #[arg(long, value_name = "RETURNED")]
    returned: PathBuf,
    /// The sheet of RETURNED to read, when it is a workbook (default: the first)
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// The sheet of ROSTER to read, when it is a workbook (default: the first)
    #[arg(long, value_name = "NAME")]
    roster_sheet: Option<String>,
    /// The file that was sent to the vendor; defines who was requested
    #[arg(long, value_name = "SENT")]
    sent: Option<PathBuf>,
    /// List the `unchanged` notes in errors.csv too (report.json always has them)
    #[arg(long)]
    all_findings: bool,
    /// Folder to write the outputs into (created if needed)
    #[arg(short = 'o', long, value_name = "DIR")]
    out: PathBuf,
    /// Without --sent: request only the people this ledger batch waits for
    #[arg(long, value_name = "NAME", conflicts_with = "sent")]
    batch: Option<String>,
    #[command(flatten)]
    ledger: super::ledger::LedgerArgs,
    #[command(flatten)]
    common: Common,
}

/// The outputs of a run, in the order they are listed; errors.csv with the
/// `unchanged` notes when `all_findings`.
pub fn outputs(all_findings: bool) -> [&'static dyn Output<Outcome>; 6] {
    static ERRORS: ErrorsCsv = ErrorsCsv { all: false };
    static ALL_FINDINGS: ErrorsCsv = ErrorsCsv { all: true };
    [
        &ImportPlanCsv,
        &ImportPlanPs1,
        if all_findings { &ALL_FINDINGS } else { &ERRORS },
        &SendBackCsv,
        &ReportJson,
        &ReportHtml,
    ]
}

pub fn run(args: Args) -> Result<ExitStatus, Error> {
    let settings = args.common.settings()?;
    // First, so that a ledger that cannot be used stops the run early.
    let mut ledger = args.ledger.open()?;
    let pending = match (&ledger, &args.sent) {
        (Some(ledger), None) => Some(ledger.pending(args.batch.as_deref())?),
        _ => None,
    };
    let bar = Bar::new(args.common.progress());
    bar.stage("reading inputs", 0);
    let files = Files {
        sent: args.sent.as_deref(),
        returned_sheet: args.sheet.as_deref(),
        roster_sheet: args.roster_sheet.as_deref(),
        ..Files::new(&args.roster, &args.returned)
    };
    let mut inputs = reconcile::read(files, &settings)?;
    inputs.pending = pending;
    super::warn_if_vendor_file(&inputs.roster.0, &settings);
    let mut outcome = reconcile::reconcile(inputs, &settings, &bar);
    if let Some(ledger) = &ledger {
        bar.stage("comparing with earlier returns", 0);
        outcome.add_drift(ledger.drift(&outcome)?);
    }
    bar.stage("finding causes", 0);
    outcome.causes = crate::report::causes::find(&outcome);
    bar.stage("writing outputs", 0);
    // The ledger records while the outputs are written, and commits once
    // they are in place: a run that stops before records nothing.
    let (written, recorded) = std::thread::scope(|scope| {
        let recording = ledger.take().map(|mut ledger| {
            let outcome = &outcome;
            scope.spawn(move || {
                let recorded = ledger.record_run(outcome);
                (ledger, recorded)
            })
        });
        let written = output::write_all(&args.out, &outcome, &outputs(args.all_findings));
        (written, recording.map(|r| r.join()))
    });
    bar.finish();
    let written = written?;
    let recorded = recorded.map(|joined| {
        let (ledger, recorded) = joined.map_err(|_| Error::Ledger {
            path: args.ledger.path().unwrap_or_default(),
            message: "recording stopped unexpectedly".into(),
            help: "run again".into(),
        })?;
        let recorded = recorded?;
        ledger.commit()?;
        Ok::<_, Error>(recorded)
    });
    let style = args.common.style();
    if style.limit > 0 {
        let errors = args.out.join("errors.csv");
        eprint_rendered(&diagnostics::render(
            &outcome,
            style,
            &format!("in {}", errors.display()),
        ));
    }
    print(&summary::render(&outcome, &written));
    match recorded {
        Some(Ok(recorded)) => {
            let path = args.ledger.path().unwrap_or_default();
            print(&super::ledger::recorded_text(&path, &recorded));
            if outcome.gone > 0 {
                print(&format!(
                    "  {} people of these batches are no longer in the roster: they stay pending in the ledger\n",
                    outcome.gone
                ));
            }
        }
        Some(Err(error)) => super::eprint(&format!(
            "warning: the outputs are written, but the ledger did not record this run:\n{}",
            super::render_error(error)
        )),
        None => {}
    }
    let a = &outcome.summary.accounting;
    Ok(
        if outcome.has_errors() || !(a.rows_balanced && a.requested_balanced) {
            ExitStatus::ErrorsFound
        } else {
            ExitStatus::Clean
        },
    )
}
