//! A run of a command, from its request to its outputs in place: the one
//! place where the stages are put in order. The command line parses its
//! arguments into a [`Request`], calls one entry point here, and prints
//! what it returns.
//!
//! `reconcile` is, in order:
//!
//! 1. **read** the roster and the returned file side by side, then the sent
//!    file ([`read`]);
//! 2. **join, check and decide** ([`crate::reconcile::reconcile`]), asking
//!    earlier runs ([`Earlier`]) who was requested when no sent file says;
//! 3. **causes**: the findings that share one mistake
//!    ([`crate::report::causes`]);
//! 4. **drift**: the values a vendor changed since an earlier return;
//! 5. **deliver**: the outputs written as one set, and the run recorded in
//!    the ledger ([`deliver`]).
//!
//! `validate` and `export` take the first stages of the same list.

mod deliver;
pub mod export;
pub mod validate;

pub use crate::reconcile::earlier::{Earlier, Nothing};
pub use deliver::{deliver, Delivered};

use crate::check::bridge::Inventory;
use crate::check::returned::Returned;
use crate::check::roster::Builder;
use crate::check::sent::Sent;
use crate::config::{Settings, Target};
use crate::error::{Error, ExitStatus};
use crate::output::{interrupt, Output};
use crate::plan::teams::{TeamsPlanCsv, TeamsPlanPs1};
use crate::plan::{csv::ImportPlanCsv, powershell::ImportPlanPs1};
use crate::progress::Progress;
use crate::reconcile::{self, Ask, Outcome, Read};
use crate::report::{
    errors_csv::ErrorsCsv, html::ReportHtml, json::ReportJson, send_back::SendBackCsv,
};
use crate::source::{self, ReadOptions};
use std::path::Path;

/// What `reconcile` is asked to do: the files, the sheet of each workbook,
/// and, without a sent file, the ledger batch to take.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub roster: &'a Path,
    pub returned: &'a Path,
    pub sent: Option<&'a Path>,
    pub roster_sheet: Option<&'a str>,
    pub returned_sheet: Option<&'a str>,
    /// Only this ledger batch was requested.
    pub batch: Option<&'a str>,
    /// The bridge's numbers, for the Teams target.
    pub bridge: Option<&'a Path>,
}

impl<'a> Request<'a> {
    pub fn new(roster: &'a Path, returned: &'a Path) -> Request<'a> {
        Request {
            roster,
            returned,
            sent: None,
            roster_sheet: None,
            returned_sheet: None,
            batch: None,
            bridge: None,
        }
    }
}

/// Reads the files of a run: the roster and the returned file side by
/// side, then the sent file.
pub fn read(request: &Request<'_>, settings: &Settings) -> Result<Read, Error> {
    let same = || Error::SameFile {
        roster: request.roster.display().to_string(),
        returned: request.returned.display().to_string(),
    };
    if request.bridge.is_some() && settings.target != Target::Teams {
        return Err(Error::BridgeNeedsTeams);
    }
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    if canonical(request.roster).is_some_and(|r| Some(r) == canonical(request.returned)) {
        return Err(same());
    }
    let options = |sheet: Option<&str>| ReadOptions {
        sheet: sheet.map(String::from),
        aliases: settings.aliases.clone(),
    };
    let (roster, returned) = rayon::join(
        || {
            source::read(request.roster, &options(request.roster_sheet), |s| {
                Builder::open(s, settings, false)
            })
        },
        || {
            source::read(request.returned, &options(request.returned_sheet), |s| {
                Returned::open(s, settings)
            })
        },
    );
    // Errors in the order a run meets them one after another.
    let (roster_source, builder) = roster?;
    let returned = returned?;
    if roster_source.sha256 == returned.0.sha256 {
        return Err(same());
    }
    let sent = request
        .sent
        .map(|path| source::read(path, &options(None), |s| Sent::open(s, settings)))
        .transpose()?;
    let bridge = request
        .bridge
        .map(|path| source::read(path, &options(None), |s| Inventory::open(s, settings)))
        .transpose()?;
    Ok(Read {
        roster: (roster_source, builder.finish()),
        returned,
        sent,
        bridge,
    })
}

/// The whole reconciliation, up to the outputs: read, join, check and
/// decide, causes, drift.
///
/// ```
/// use acp_recon::run::{self, Nothing, Request};
/// use acp_recon::Settings;
/// use std::path::Path;
///
/// let settings = Settings::load(Path::new("fixtures/acp.toml"))?;
/// let request = Request::new(Path::new("fixtures/roster.csv"), Path::new("fixtures/returned.csv"));
/// let outcome = run::reconcile(&request, &Nothing, &settings, &acp_recon::progress::Quiet)?;
/// assert!(outcome.summary.accounting.balanced());
/// assert!(outcome.planned().all(|p| p.toll_number.starts_with('+')));
/// # Ok::<(), acp_recon::Error>(())
/// ```
pub fn reconcile(
    request: &Request<'_>,
    earlier: &dyn Earlier,
    settings: &Settings,
    progress: &dyn Progress,
) -> Result<Outcome, Error> {
    progress.stage("reading inputs");
    let read = read(request, settings)?;
    interrupt::check()?;
    let ask = Ask {
        earlier,
        only: request.batch,
    };
    let outcome = reconcile::reconcile(read, ask, settings, progress)?;
    interrupt::check()?;
    finish(outcome, earlier, progress)
}

/// The stages after the decisions: the values changed since an earlier
/// return, then the causes.
pub fn finish(
    mut outcome: Outcome,
    earlier: &dyn Earlier,
    progress: &dyn Progress,
) -> Result<Outcome, Error> {
    progress.stage("comparing with earlier returns");
    outcome.add_drift(earlier)?;
    outcome.count();
    progress.stage("finding causes");
    outcome.findings.causes = crate::report::causes::find(&outcome);
    interrupt::check()?;
    Ok(outcome)
}

/// The outputs of `reconcile`, in the order they are listed: the target's
/// plan, then the reports; errors.csv with the `unchanged` notes when
/// `all_findings`. The one place a target chooses its writers.
pub fn outputs(target: Target, all_findings: bool) -> [&'static dyn Output<Outcome>; 6] {
    static ERRORS: ErrorsCsv = ErrorsCsv {
        all: false,
        name: std::borrow::Cow::Borrowed("errors.csv"),
    };
    static ALL_FINDINGS: ErrorsCsv = ErrorsCsv {
        all: true,
        name: std::borrow::Cow::Borrowed("errors.csv"),
    };
    let (plan, script): (&'static dyn Output<Outcome>, &'static dyn Output<Outcome>) = match target
    {
        Target::Acp => (&ImportPlanCsv, &ImportPlanPs1),
        Target::Teams => (&TeamsPlanCsv, &TeamsPlanPs1),
    };
    [
        plan,
        script,
        if all_findings { &ALL_FINDINGS } else { &ERRORS },
        &SendBackCsv,
        &ReportJson,
        &ReportHtml,
    ]
}

/// The exit status of a reconciled run: errors found, or counts that do
/// not add up, are status 1.
pub fn status(outcome: &Outcome) -> ExitStatus {
    if outcome.has_errors() || !outcome.summary.accounting.balanced() {
        ExitStatus::ErrorsFound
    } else {
        ExitStatus::Clean
    }
}
