//! Each person's fate: rejected when a row of theirs errs, else planned or
//! unchanged as their first row compares with what they have now; then
//! every returned row and every requested person counted into exactly one
//! fate, and the rows to send back.

use super::compare::{self, Note, Now};
use super::join::{Groups, Joined};
use super::{Accounting, Plan, PlanEntry};
use crate::check::returned::{Checked, Returned};
use crate::check::roster::Roster;
use crate::check::sent::Requests;
use crate::config::Target;
use crate::finding::{Code, Finding, Input};
use crate::model::{Key, Phones};
use rayon::prelude::*;

/// Whether any row of each key carries an error: the person is rejected.
pub(super) fn erred_keys(joined: &Joined, checked: &Checked) -> Vec<bool> {
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
pub(super) fn keep_cells(
    returned: &mut Returned,
    roster: &Roster,
    erred: &[bool],
    findings: &[Finding],
) {
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
pub(super) struct Fates {
    /// By key; `None` for keys without rows.
    pub of_key: Vec<Option<Fate>>,
    /// By returned row.
    pub of_row: Vec<Fate>,
    pub plan: Plan,
}

/// Decides each person's fate from their rows: rejected when any of them
/// errs (or the person is not in the roster), else planned or unchanged
/// as their first row compares with what they have now. Keys in parallel,
/// in batches, in key order.
pub(super) fn decide(
    roster: &Roster,
    returned: &Returned,
    checked: &Checked,
    (joined, erred): (&Joined, &[bool]),
    phones: &Phones,
    target: Target,
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
                let change = match target {
                    Target::Acp => compare::compare(row, &now, &mut made),
                    Target::Teams => compare::compare_teams(row, &now, &mut made),
                };
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
    Fates {
        of_key,
        of_row,
        plan,
    }
}

/// Counts every returned row into the plan, the unchanged people or the
/// rows to send back, from those lists themselves (so that a row any of
/// them lost shows), and every requested person into exactly one fate;
/// reports the requested people who have no row. Returns the accounting,
/// who is missing, and by key who was requested.
pub(super) fn account(
    roster: &Roster,
    requests: &Requests,
    joined: &Joined,
    fates: &Fates,
    send_back: &[u32],
    findings: &mut Vec<Finding>,
) -> (Accounting, Vec<Key>, Vec<bool>) {
    let mut a = Accounting::default();
    let mut missing = Vec::new();
    let rows = |key: Key| joined.groups.rows(key).len();
    a.planned_rows = fates.plan.iter().map(|e| rows(e.key)).sum();
    a.unchanged_rows = (0..joined.keys.len() as u32)
        .map(Key)
        .filter(|k| fates.of_key[k.index()] == Some(Fate::Unchanged))
        .map(rows)
        .sum();
    a.rejected_rows = send_back.len();
    a.rows_balanced = fates.of_row.len() == a.planned_rows + a.unchanged_rows + a.rejected_rows;
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
    let mut by_key = vec![false; joined.keys.len()];
    for (key, input, row) in requested {
        a.requested += 1;
        by_key[key.index()] = true;
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
    (a, missing, by_key)
}

/// The rejected rows, in key order (rows without a key first), then line.
pub(super) fn send_back(returned: &Returned, of_row: &[Fate]) -> Vec<u32> {
    let mut rows: Vec<u32> = (0..of_row.len() as u32)
        .filter(|&r| of_row[r as usize] == Fate::Rejected)
        .collect();
    rows.sort_unstable_by_key(|&r| (returned.rows.key(r).get(), r));
    rows
}
