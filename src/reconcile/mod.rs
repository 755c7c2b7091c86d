//! The keyed join of the returned file against the roster, as a list of
//! named stages: join the inputs by key, learn who was requested, check the
//! rows, find duplicates and shared conference IDs, decide each person's
//! fate, account for every row and every requested person. Produces the
//! [`Outcome`] every writer reads. Keys are ids in key order, so the stages
//! after the join go through people in the order the outputs list them.

pub mod compare;
mod decide;
pub mod duplicates;
pub mod earlier;
pub mod join;
mod outcome;
#[cfg(test)]
mod row_cases;
pub mod shared_ids;
pub mod suggest;
pub mod values;

pub use compare::Action;
pub use decide::Fate;
pub use outcome::{
    Accounting, Cause, Findings, InputInfo, Inputs, Outcome, Plan, PlanEntry, Planned,
    Reconciliation, Summary,
};

use crate::check::bridge::Inventory;
use crate::check::returned::{self, Checked, Returned};
use crate::check::roster::Roster;
use crate::check::sent::{Requests, Sent};
use crate::config::Settings;
use crate::error::Error;
use crate::finding::{Finding, Input};
use crate::model::{Key, Phones};
use crate::progress::Progress;
use crate::source::Source;
use earlier::{Earlier, RequestedBy};

/// The files of one run, read: each as its source and what its sink kept.
pub struct Read {
    pub roster: (Source, Roster),
    pub returned: (Source, Returned),
    pub sent: Option<(Source, Sent)>,
    /// The bridge's numbers (`--bridge`, Teams).
    pub bridge: Option<(Source, Inventory)>,
}

/// Where a run learns who was requested when no sent file says: the
/// ledger's batches (`only` one of them, when named).
#[derive(Clone, Copy)]
pub struct Ask<'a> {
    pub earlier: &'a dyn Earlier,
    pub only: Option<&'a str>,
}

impl Ask<'_> {
    /// No ledger: everyone eligible was requested.
    pub const NOBODY: Ask<'static> = Ask {
        earlier: &earlier::Nothing,
        only: None,
    };
}

/// Reconciles the returned file against the roster. `Err` only when the
/// ledger cannot be read.
pub fn reconcile(
    read: Read,
    ask: Ask<'_>,
    settings: &Settings,
    progress: &dyn Progress,
) -> Result<Outcome, Error> {
    let Read {
        roster: (roster_source, mut roster),
        returned: (returned_source, mut returned),
        sent,
        bridge,
    } = read;
    let (sent_source, mut sent) = sent.unzip();
    let (bridge_source, bridge) = bridge.unzip();

    progress.stage("joining by key");
    let joined = join::join(&mut roster, Some(&mut returned), sent.as_mut());
    let mut coverage = earlier::Coverage::default();
    let requests = match &joined.requests {
        Some(from_sent) => {
            coverage.requested_by = RequestedBy::Sent;
            Requests::new(Some(from_sent.clone()), joined.keys.len())
        }
        None => {
            let asked = earlier::asked(
                ask.earlier,
                ask.only,
                &returned_source.sha256,
                &joined.keys,
                &roster,
                |key| !joined.groups.rows(key).is_empty(),
            )?;
            coverage = asked.coverage;
            let mut requests = Requests::new(asked.requests, joined.keys.len());
            requests.origin = Input::Roster;
            requests
        }
    };

    crate::output::interrupt::check()?;
    progress.stage("checking returned rows");
    let mut phones = std::mem::take(&mut roster.phones);
    let ctx = returned::Context {
        settings,
        roster: Some(&roster),
        keys: Some(&joined.keys),
        requests: Some(&requests),
        bridge: bridge.as_ref(),
    };
    let mut checked = returned::check(&returned, &ctx, &mut phones);

    let mut outcome = Outcome::default();
    let mut findings = std::mem::take(&mut checked.findings);
    progress.stage("finding duplicates");
    let copy_of = duplicates::mark(
        &returned,
        &joined,
        &mut checked.rows,
        &mut findings,
        &mut outcome.findings.lists,
    );
    progress.stage("finding shared conference IDs");
    shared_ids::mark(
        settings.target,
        &mut checked.rows,
        &returned.rows.keys,
        &checked.texts,
        &copy_of,
        &mut findings,
        &mut outcome.findings.shared,
    );
    progress.stage("keeping the rows to send back");
    let erred = decide::erred_keys(&joined, &checked);
    decide::keep_cells(&mut returned, &roster, &erred, &findings);

    crate::output::interrupt::check()?;
    progress.stage("deciding");
    let fates = decide::decide(
        &roster,
        &returned,
        &checked,
        (&joined, &erred),
        &phones,
        settings.target,
        &mut findings,
    );
    let send_back = decide::send_back(&returned, &fates.of_row);
    let (accounting, missing, requested) = decide::account(
        &roster,
        &requests,
        &joined,
        &fates,
        &send_back,
        &mut findings,
    );
    progress.stage("suggesting keys");
    suggest::suggest(&mut findings, &missing, &joined.keys, &roster, |f| {
        match (f.input, f.row()) {
            (Input::Returned, Some(row)) => returned.rows.key(row),
            _ => Key::NONE,
        }
    });

    progress.stage("sorting findings");
    findings.append(&mut roster.findings);
    if let Some(sent) = &mut sent {
        findings.append(&mut sent.findings);
    }
    let first_row = (0..joined.keys.len() as u32)
        .map(|key| {
            joined
                .groups
                .rows(Key(key))
                .first()
                .copied()
                .unwrap_or(u32::MAX)
        })
        .collect();
    outcome.reconciliation = Reconciliation {
        keys: joined.keys,
        phones,
        copy_of,
        fates: fates.of_key,
        first_row,
        send_back,
        requested,
        accounting,
        ..Reconciliation::default()
    };
    outcome.plan = fates.plan;
    outcome.coverage = coverage;
    if let Some(bridge) = &bridge {
        findings.extend_from_slice(&bridge.findings);
    }
    finish(
        &mut outcome,
        [
            Some(roster_source),
            Some(returned_source),
            sent_source,
            bridge_source,
        ],
        (roster, returned, sent, bridge),
        checked,
        findings,
        settings,
    );
    Ok(outcome)
}

/// Puts the inputs and the checked rows in the outcome, and the findings
/// in their one order.
fn finish(
    outcome: &mut Outcome,
    sources: [Option<Source>; 4],
    (roster, returned, sent, bridge): (Roster, Returned, Option<Sent>, Option<Inventory>),
    checked: Checked,
    findings: Vec<Finding>,
    settings: &Settings,
) {
    let r = &mut outcome.reconciliation;
    r.rows = checked.rows;
    r.texts = checked.texts;
    r.bridges = checked.bridges;
    r.expected = checked.expected;
    r.id_length = settings.id_length;
    outcome.target = settings.target;
    outcome.findings.likely = checked.likely;
    outcome.findings.list = findings;
    let mut infos = Vec::new();
    if let Some(source) = &sources[0] {
        infos.push(InputInfo::new("roster", source, &roster.columns));
    }
    if let Some(source) = &sources[1] {
        infos.push(InputInfo::new("returned", source, &returned.columns));
    }
    if let (Some(source), Some(sent)) = (&sources[2], &sent) {
        infos.push(InputInfo::new("sent", source, &sent.columns));
    }
    if let (Some(source), Some(bridge)) = (&sources[3], &bridge) {
        infos.push(InputInfo::new("bridge", source, &bridge.columns));
    }
    let roster_vendor_columns = match &sources[0] {
        Some(_) => crate::columns::vendor_columns(&roster.columns),
        None => Vec::new(),
    };
    outcome.inputs = Inputs {
        sources,
        roster,
        returned,
        sent,
        bridge,
        infos,
        roster_vendor_columns,
    };
    outcome.settle_findings();
    outcome.count();
}

/// The roster on its own, as `export` and `validate` read it: joined with
/// itself to find the keys listed twice, its findings sorted, in an
/// outcome the writers and messages read.
pub fn roster_alone(source: Source, mut roster: Roster, settings: &Settings) -> Outcome {
    let joined = join::join(&mut roster, None, None);
    let mut outcome = Outcome::default();
    let findings = std::mem::take(&mut roster.findings);
    outcome.reconciliation.keys = joined.keys;
    finish(
        &mut outcome,
        [Some(source), None, None, None],
        (roster, Returned::default(), None, None),
        Checked::default(),
        findings,
        settings,
    );
    outcome
}

/// A returned file on its own, as `validate` checks it: each row, then
/// duplicates and shared conference IDs among its rows; nothing that needs
/// the roster.
pub fn returned_alone(source: Source, mut returned: Returned, settings: &Settings) -> Outcome {
    let mut roster = Roster::default();
    let joined = join::join(&mut roster, Some(&mut returned), None);
    let mut phones = Phones::default();
    let ctx = returned::Context {
        settings,
        roster: None,
        keys: Some(&joined.keys),
        requests: None,
        bridge: None,
    };
    let mut checked = returned::check(&returned, &ctx, &mut phones);
    let mut outcome = Outcome::default();
    let mut findings = std::mem::take(&mut checked.findings);
    let copy_of = duplicates::mark(
        &returned,
        &joined,
        &mut checked.rows,
        &mut findings,
        &mut outcome.findings.lists,
    );
    shared_ids::mark(
        settings.target,
        &mut checked.rows,
        &returned.rows.keys,
        &checked.texts,
        &copy_of,
        &mut findings,
        &mut outcome.findings.shared,
    );
    outcome.reconciliation.copy_of = copy_of;
    outcome.reconciliation.phones = phones;
    outcome.reconciliation.keys = joined.keys;
    finish(
        &mut outcome,
        [None, Some(source), None, None],
        (roster, returned, None, None),
        checked,
        findings,
        settings,
    );
    outcome
}
