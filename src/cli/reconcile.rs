//! `acp-recon reconcile`: the arguments, the run, what it prints.

use super::{eprint, eprint_rendered, print, Common};
use crate::error::{Error, ExitStatus};
use crate::progress::{Bar, Progress};
use crate::report::{diagnostics, summary};
use crate::run::{self, Request};
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
    /// Teams: the bridge's numbers, an export of Get-CsOnlineDialInConferencingServiceNumber
    #[arg(long, value_name = "FILE")]
    bridge: Option<PathBuf>,
    #[command(flatten)]
    target: super::TargetArgs,
    #[command(flatten)]
    ledger: super::ledger::LedgerArgs,
    #[command(flatten)]
    common: Common,
}

pub fn run(args: Args) -> Result<ExitStatus, Error> {
    let settings = args.target.apply(args.common.settings()?);
    // First, so that a ledger that cannot be used stops the run early.
    let ledger = args.ledger.open()?;
    let bar = Bar::new(args.common.progress());
    let request = Request {
        sent: args.sent.as_deref(),
        roster_sheet: args.roster_sheet.as_deref(),
        returned_sheet: args.sheet.as_deref(),
        batch: args.batch.as_deref(),
        bridge: args.bridge.as_deref(),
        ..Request::new(&args.roster, &args.returned)
    };
    let earlier: &dyn run::Earlier = match &ledger {
        Some(ledger) => ledger,
        None => &run::Nothing,
    };
    let mut outcome = run::reconcile(&request, earlier, &settings, &bar)?;
    eprint(&summary::input_warnings(&outcome));
    bar.stage("writing outputs");
    let outputs = run::outputs(settings.target, args.all_findings);
    let delivered = run::deliver(&mut outcome, &args.out, &outputs, ledger)?;
    bar.finish();
    let style = args.common.style();
    if style.limit > 0 {
        let rest = format!("in {}", delivered.written[2].display());
        eprint_rendered(&diagnostics::render(&outcome, style, &rest));
    }
    print(&summary::render(&outcome, &delivered.written));
    if let (Some(path), Some(recorded)) = (args.ledger.path(), &delivered.recorded) {
        let coverage = &outcome.coverage;
        print(&crate::ledger::show::recorded(&path, coverage, recorded));
    }
    Ok(run::status(&outcome))
}
