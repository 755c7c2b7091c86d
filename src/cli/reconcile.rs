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
    let bar = Bar::new(args.common.progress());
    bar.stage("reading inputs", 0);
    let files = Files {
        sent: args.sent.as_deref(),
        returned_sheet: args.sheet.as_deref(),
        roster_sheet: args.roster_sheet.as_deref(),
        ..Files::new(&args.roster, &args.returned)
    };
    let inputs = reconcile::read(files, &settings)?;
    super::warn_if_vendor_file(&inputs.roster.0, &settings);
    let mut outcome = reconcile::reconcile(inputs, &settings, &bar);
    bar.stage("finding causes", 0);
    outcome.causes = crate::report::causes::find(&outcome);
    bar.stage("writing outputs", 0);
    let written = output::write_all(&args.out, &outcome, &outputs(args.all_findings));
    bar.finish();
    let written = written?;
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
    let a = &outcome.summary.accounting;
    Ok(
        if outcome.has_errors() || !(a.rows_balanced && a.requested_balanced) {
            ExitStatus::ErrorsFound
        } else {
            ExitStatus::Clean
        },
    )
}
