//! The keyed join of the returned file against the roster, as a list of
//! named stages: join the inputs by key, check the rows, find duplicates
//! and shared conference IDs, decide each person's fate, account for every
//! row and every requested person. Produces the [`Outcome`] every writer
//! reads. Keys are ids in key order, so the stages after the join go
//! through people in the order the outputs list them.

pub mod compare;
pub mod duplicates;
pub mod earlier;
pub mod join;
mod outcome;
pub mod shared_ids;
pub mod suggest;

pub use compare::Action;
pub use outcome::{Accounting, Cause, InputInfo, Outcome, Plan, PlanEntry, Planned, Summary};

use crate::check::returned::{self, Checked, Returned};
use crate::check::roster::Roster;
use crate::check::sent::{Requests, Sent};
use crate::config::Settings;
use crate::error::Error;
use crate::finding::{Code, Finding, Input};
use crate::model::{Key, Phones};
use crate::progress::Progress;
use crate::source::{ReadOptions, Source};
use compare::{Note, Now};
use join::{Groups, Joined};
use rayon::prelude::*;
use std::path::Path;

/// The files of one run, read.
pub struct Inputs {
    pub roster: (Source, Roster),
    pub returned: (Source, Returned),
    /// The file that was sent; when absent, the people the ledger's open
    /// batches wait for were requested, or else everyone eligible.
    pub sent: Option<(Source, Sent)>,
    /// The people the ledger's open batches wait for.
    pub pending: Option<Vec<earlier::Pending>>,
}

/// The files of a run, by path, and the sheet to read of each workbook.
#[derive(Debug, Clone, Copy)]
pub struct Files<'a> {
    pub roster: &'a Path,
    pub returned: &'a Path,
    pub sent: Option<&'a Path>,
    pub roster_sheet: Option<&'a str>,
    pub returned_sheet: Option<&'a str>,
}

impl<'a> Files<'a> {
    pub fn new(roster: &'a Path, returned: &'a Path) -> Files<'a> {
        Files {
            roster,
            returned,
            sent: None,
            roster_sheet: None,
            returned_sheet: None,
        }
    }
}

/// Reads the files of a run: the roster and the returned file side by
/// side, then the sent file.
pub fn read(files: Files<'_>, settings: &Settings) -> Result<Inputs, Error> {
    let same = || Error::SameFile {
        roster: files.roster.display().to_string(),
        returned: files.returned.display().to_string(),
    };
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    if canonical(files.roster).is_some_and(|r| Some(r) == canonical(files.returned)) {
        return Err(same());
    }
    let options = |sheet: Option<&str>| ReadOptions {
        sheet: sheet.map(String::from),
        aliases: settings.aliases.clone(),
    };
    let (roster, returned) = rayon::join(
        || {
            crate::source::read(files.roster, &options(files.roster_sheet), |s| {
                crate::check::roster::Builder::open(s, settings, false)
            })
        },
        || {
            crate::source::read(files.returned, &options(files.returned_sheet), |s| {
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
    let sent = files
        .sent
        .map(|path| crate::source::read(path, &options(None), |s| Sent::open(s, settings)))
        .transpose()?;
    Ok(Inputs {
        roster: (roster_source, builder.finish()),
        returned,
        sent,
        pending: None,
    })
}

/// Reconciles the returned file against the roster.
pub fn reconcile(inputs: Inputs, settings: &Settings, progress: &dyn Progress) -> Outcome {
    let Inputs {
        roster: (roster_source, mut roster),
        returned: (returned_source, mut returned),
        sent,
        pending,
    } = inputs;
    let (sent_source, mut sent) = sent.unzip();

    progress.stage("joining by key", 0);
    let joined = join::join(&mut roster, Some(&mut returned), sent.as_mut());
    let mut asked = earlier::Asked::default();
    let requests = match pending.filter(|p| sent.is_none() && !p.is_empty()) {
        Some(pending) => {
            asked = earlier::asked(&pending, &joined.keys, &roster, |key| {
                !joined.groups.rows(key).is_empty()
            });
            let requests = std::mem::take(&mut asked.requests);
            let mut requests = Requests::new(Some(requests), joined.keys.len());
            requests.origin = Input::Roster;
            requests
        }
        None => Requests::new(joined.requests.clone(), joined.keys.len()),
    };

    progress.stage("checking returned rows", 0);
    let mut phones = std::mem::take(&mut roster.phones);
    let ctx = returned::Context {
        settings,
        roster: Some(&roster),
        keys: Some(&joined.keys),
        requests: Some(&requests),
    };
    let mut checked = returned::check(&returned, &ctx, &mut phones);

    let mut outcome = Outcome::new(
        [Some(roster_source), Some(returned_source), sent_source],
        settings,
    );
    let mut findings = std::mem::take(&mut checked.findings);
    progress.stage("finding duplicates", 0);
    let copy_of = duplicates::mark(
        &returned,
        &joined,
        &mut checked.rows,
        &mut findings,
        &mut outcome.lists,
    );
    progress.stage("finding shared conference IDs", 0);
    shared_ids::mark(
        &mut checked.rows,
        &returned.rows.keys,
        &checked.texts,
        &copy_of,
        &mut findings,
        &mut outcome.shared,
    );
    progress.stage("keeping the rows to send back", 0);
    let erred = erred_keys(&joined, &checked);
    keep_cells(&mut returned, &roster, &erred, &findings);

    progress.stage("deciding", 0);
    let fates = decide(
        &roster,
        &returned,
        &checked,
        (&joined, &erred),
        &phones,
        &mut findings,
    );
    let (accounting, missing) = account(
        &roster,
        &requests,
        &returned,
        &joined,
        &fates,
        &mut findings,
    );
    progress.stage("suggesting keys", 0);
    suggest::suggest(&mut findings, &missing, &joined.keys, &roster, |f| {
        match (f.input, f.row()) {
            (Input::Returned, Some(row)) => returned.rows.key(row),
            _ => Key::NONE,
        }
    });

    progress.stage("sorting findings", 0);
    findings.append(&mut roster.findings);
    if let Some(sent) = &mut sent {
        findings.append(&mut sent.findings);
    }
    outcome.send_back = send_back(&returned, &fates.of_row);
    outcome.first_row = (0..joined.keys.len() as u32)
        .map(|key| {
            joined
                .groups
                .rows(Key(key))
                .first()
                .copied()
                .unwrap_or(u32::MAX)
        })
        .collect();
    outcome.covered = asked.covered;
    outcome.gone = asked.gone;
    outcome.plan = fates.plan;
    outcome.fates = fates.of_key;
    outcome.copy_of = copy_of;
    outcome.phones = phones;
    outcome.keys = joined.keys;
    outcome.finish(
        roster,
        returned,
        sent,
        checked,
        findings,
        accounting,
        fates.unchanged,
    );
    outcome
}

/// Whether any row of each key carries an error: the person is rejected.
fn erred_keys(joined: &Joined, checked: &Checked) -> Vec<bool> {
    (0..joined.keys.len() as u32)
        .into_par_iter()
        .map(|key| {
            let rows = joined.groups.rows(Key(key));
            rows.iter().any(|&r| checked.rows[r as usize].error)
        })
        .collect()
}

/// Lets go of the cells of the rows no output reads again: those neither
/// sent back (a rejected person's, or nobody's) nor shown by a finding.
fn keep_cells(returned: &mut Returned, roster: &Roster, erred: &[bool], findings: &[Finding]) {
    let mut keep: Vec<bool> = (0..returned.len() as u32)
        .into_par_iter()
        .map(|row| match returned.rows.key(row).get() {
            Some(key) => erred[key.index()] || roster.person(key).is_none(),
            None => true,
        })
        .collect();
    for f in findings {
        if let (Input::Returned, Some(row), true) = (f.input, f.row(), f.code.shows_cell()) {
            keep[row as usize] = true;
        }
    }
    returned.keep_cells(|row| keep[row as usize]);
}

/// What became of a person or a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Planned,
    Unchanged,
    Rejected,
}

/// The decisions of a run.
struct Fates {
    /// By key; `None` for keys without rows.
    of_key: Vec<Option<Fate>>,
    /// By returned row.
    of_row: Vec<Fate>,
    plan: Plan,
    /// People whose values equal their current ones.
    unchanged: usize,
}

/// Decides each person's fate from their rows: rejected when any of them
/// errs (or the person is not in the roster), else planned or unchanged
/// as their first row compares with what they have now. Keys in parallel,
/// in batches, in key order.
fn decide(
    roster: &Roster,
    returned: &Returned,
    checked: &Checked,
    (joined, erred): (&Joined, &[bool]),
    phones: &Phones,
    findings: &mut Vec<Finding>,
) -> Fates {
    const BATCH: usize = 4096;
    let keys = joined.keys.len();
    let groups: &Groups = &joined.groups;
    type Batch = (Vec<Option<Fate>>, Vec<PlanEntry>, Vec<Finding>);
    let batches: Vec<Batch> = (0..keys.div_ceil(BATCH))
        .into_par_iter()
        .map(|b| {
            let mut fates = Vec::with_capacity(BATCH);
            let mut plan = Vec::new();
            let mut notes = Vec::new();
            let mut made: Vec<Note> = Vec::new();
            for key in (b * BATCH..keys.min((b + 1) * BATCH)).map(|k| Key(k as u32)) {
                let rows = groups.rows(key);
                let Some(&first) = rows.first() else {
                    fates.push(None);
                    continue;
                };
                let person = roster.person(key);
                let (Some(person), false) = (person, erred[key.index()]) else {
                    fates.push(Some(Fate::Rejected));
                    continue;
                };
                let row = &checked.rows[first as usize];
                let bridge = checked.bridges[row.bridge as usize];
                let current = roster.current(person);
                let now = Now {
                    person,
                    current,
                    current_free: current.map_or(&[][..], |c| roster.current_toll_free(c)),
                    roster_texts: &roster.texts,
                    phones,
                    conference_id: checked.texts.get(row.conference_id),
                    provider_name: checked.texts.get(bridge.provider_name),
                };
                made.clear();
                let change = compare::compare(row, &now, &mut made);
                notes.extend(made.iter().map(|n| {
                    // What the roster says cites the roster's line.
                    let from_roster = matches!(
                        n.field,
                        Some(
                            crate::columns::Field::CurrentProvider
                                | crate::columns::Field::MicrosoftLicence
                        )
                    );
                    let (input, row) = match from_roster {
                        true => (Input::Roster, person.row),
                        false => (Input::Returned, first),
                    };
                    Finding {
                        field: n.field,
                        detail: n.detail,
                        ..Finding::new(n.code, input, row)
                    }
                }));
                match change {
                    Some(change) => {
                        plan.push(PlanEntry {
                            key,
                            line: returned.rows.lines[first as usize],
                            toll_number: row.toll_number,
                            toll_free_numbers: row.toll_free_numbers,
                            conference_id: row.conference_id,
                            bridge: row.bridge,
                            display_name: person.display_name,
                            action: change.action,
                            disable_microsoft: change.disable_microsoft,
                            remove: change.remove.unwrap_or(crate::model::Span::EMPTY),
                        });
                        fates.push(Some(Fate::Planned));
                    }
                    None => fates.push(Some(Fate::Unchanged)),
                }
            }
            (fates, plan, notes)
        })
        .collect();
    let mut of_key = Vec::with_capacity(keys);
    let mut plan = Vec::with_capacity(batches.len());
    for (fates, entries, notes) in batches {
        of_key.extend(fates);
        plan.push(entries);
        findings.extend(notes);
    }
    let plan = Plan::new(plan);
    // A row takes its person's fate; a row without a key is rejected.
    let of_row: Vec<Fate> = returned
        .rows
        .keys
        .par_iter()
        .map(|key| match key.get() {
            Some(key) => of_key[key.index()].unwrap_or(Fate::Rejected),
            None => Fate::Rejected,
        })
        .collect();
    let unchanged = of_key
        .iter()
        .filter(|&&f| f == Some(Fate::Unchanged))
        .count();
    Fates {
        of_key,
        of_row,
        plan,
        unchanged,
    }
}

/// Counts every returned row and every requested person into exactly one
/// fate, and reports the requested people who have no row (returned too).
fn account(
    roster: &Roster,
    requests: &Requests,
    returned: &Returned,
    joined: &Joined,
    fates: &Fates,
    findings: &mut Vec<Finding>,
) -> (Accounting, Vec<Key>) {
    let mut a = Accounting::default();
    let mut missing = Vec::new();
    for fate in &fates.of_row {
        match fate {
            Fate::Planned => a.planned_rows += 1,
            Fate::Unchanged => a.unchanged_rows += 1,
            Fate::Rejected => a.rejected_rows += 1,
        }
    }
    a.rows_balanced = returned.len() == a.planned_rows + a.unchanged_rows + a.rejected_rows;
    let requested: Vec<(Key, Input, u32)> = match &requests.sent {
        Some(asked) => asked
            .iter()
            .map(|&(k, row)| (k, requests.origin, row))
            .collect(),
        None => (0..joined.keys.len() as u32)
            .map(Key)
            .filter_map(|key| {
                let person = roster.person(key)?;
                roster
                    .is_eligible(person)
                    .then_some((key, Input::Roster, person.row))
            })
            .collect(),
    };
    for (key, input, row) in requested {
        a.requested += 1;
        match fates.of_key.get(key.index()).copied().flatten() {
            Some(Fate::Planned) => a.requested_planned += 1,
            Some(Fate::Unchanged) => a.requested_unchanged += 1,
            Some(Fate::Rejected) => a.requested_rejected += 1,
            None => {
                a.requested_missing += 1;
                missing.push(key);
                findings.push(Finding::new(Code::MissingFromReturn, input, row));
            }
        }
    }
    a.requested_balanced = a.requested
        == a.requested_planned + a.requested_unchanged + a.requested_rejected + a.requested_missing;
    (a, missing)
}

/// The rejected rows, in key order (rows without a key first), then line.
fn send_back(returned: &Returned, of_row: &[Fate]) -> Vec<u32> {
    let mut rows: Vec<u32> = (0..of_row.len() as u32)
        .filter(|&r| of_row[r as usize] == Fate::Rejected)
        .collect();
    rows.sort_unstable_by_key(|&r| (returned.rows.key(r).get(), r));
    rows
}

/// The roster on its own, as `export` and `validate` read it: joined with
/// itself to find the keys listed twice, its findings sorted, in an
/// outcome the writers and messages read.
pub fn roster_alone(source: Source, mut roster: Roster, settings: &Settings) -> Outcome {
    let joined = join::join(&mut roster, None, None);
    let mut outcome = Outcome::new([Some(source), None, None], settings);
    let findings = std::mem::take(&mut roster.findings);
    outcome.keys = joined.keys;
    outcome.finish(
        roster,
        Returned::default(),
        None,
        Checked::default(),
        findings,
        Accounting::default(),
        0,
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
    };
    let mut checked = returned::check(&returned, &ctx, &mut phones);
    let mut outcome = Outcome::new([None, Some(source), None], settings);
    let mut findings = std::mem::take(&mut checked.findings);
    let copy_of = duplicates::mark(
        &returned,
        &joined,
        &mut checked.rows,
        &mut findings,
        &mut outcome.lists,
    );
    shared_ids::mark(
        &mut checked.rows,
        &returned.rows.keys,
        &checked.texts,
        &copy_of,
        &mut findings,
        &mut outcome.shared,
    );
    outcome.copy_of = copy_of;
    outcome.phones = phones;
    outcome.keys = joined.keys;
    outcome.finish(
        roster,
        returned,
        None,
        checked,
        findings,
        Accounting::default(),
        0,
    );
    outcome
}
