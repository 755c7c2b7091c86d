//! What earlier runs tell this one, through the [`Earlier`] trait the
//! ledger implements (and tests fake): the batches sent and their members,
//! whether the returned file was recorded before, and the values the vendor
//! returned before. From them this module decides who was requested (a
//! batch asks for its members) and finds the values a vendor changed
//! between two returns. Plain data both ways.

use super::values::{Assignment, RETURNED};
use super::Outcome;
use crate::check::roster::Roster;
use crate::columns::Field;
use crate::error::Error;
use crate::finding::{Code, Detail, Finding, Input};
use crate::model::{Key, Keys};

/// Where a batch member stands, as the latest run that saw them left them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberState {
    /// Sent, not returned yet.
    Waiting,
    /// Planned; no roster shows the plan applied yet.
    Planned,
    /// Returned with the values they have already.
    Unchanged,
    /// A later roster shows the plan applied.
    Confirmed,
    /// Returned with errors: waiting for the vendor's fix.
    Rejected,
    /// Not in the return that covered their batch.
    Missing,
    /// No longer in the roster.
    Left,
}

impl MemberState {
    pub const ALL: [MemberState; 7] = [
        MemberState::Waiting,
        MemberState::Planned,
        MemberState::Unchanged,
        MemberState::Confirmed,
        MemberState::Rejected,
        MemberState::Missing,
        MemberState::Left,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberState::Waiting => "waiting",
            MemberState::Planned => "planned",
            MemberState::Unchanged => "unchanged",
            MemberState::Confirmed => "confirmed",
            MemberState::Rejected => "rejected",
            MemberState::Missing => "missing",
            MemberState::Left => "left",
        }
    }

    pub fn parse(text: &str) -> Option<MemberState> {
        MemberState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the batch still asks the vendor for the person.
    pub fn asked_for(self) -> bool {
        matches!(
            self,
            MemberState::Waiting | MemberState::Rejected | MemberState::Missing | MemberState::Left
        )
    }

    /// Whether the person is not done yet: the vendor owes a row, or the
    /// plan is not applied yet.
    pub fn pending(self) -> bool {
        matches!(
            self,
            MemberState::Waiting
                | MemberState::Rejected
                | MemberState::Missing
                | MemberState::Planned
        )
    }
}

/// A batch, by its id in the ledger and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: u32,
    pub name: String,
}

/// One person of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The key as the run normalises it.
    pub key: Box<str>,
    pub batch: u32,
    pub state: MemberState,
}

/// The batches an earlier `export` recorded, and their members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batches {
    pub batches: Vec<Batch>,
    pub members: Vec<Member>,
}

/// A returned file an earlier run recorded: when, the batches it covered,
/// and who it requested.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub time: String,
    pub batches: Vec<u32>,
    pub requested: Vec<Box<str>>,
}

/// What earlier runs say. The ledger implements it; [`Nothing`] is a run
/// without one.
pub trait Earlier {
    /// The batches and their members: those of `only` when named, else all
    /// of them. `None` when there is no ledger.
    fn batches(&self, only: Option<&str>) -> Result<Option<Batches>, Error>;

    /// The earlier run that recorded the returned file of this SHA-256.
    fn seen(&self, sha256: &str) -> Result<Option<Seen>, Error>;

    /// The values returned for each person in files other than the one of
    /// `sha256`, in key order, oldest first: `(key, values, file, line)`.
    fn values(
        &self,
        except_sha256: &str,
        each: &mut dyn FnMut(&str, Values, String, u32),
    ) -> Result<(), Error>;
}

/// No ledger: nothing was sent before, nothing returned.
pub struct Nothing;

impl Earlier for Nothing {
    fn batches(&self, _: Option<&str>) -> Result<Option<Batches>, Error> {
        Ok(None)
    }

    fn seen(&self, _: &str) -> Result<Option<Seen>, Error> {
        Ok(None)
    }

    fn values(&self, _: &str, _: &mut dyn FnMut(&str, Values, String, u32)) -> Result<(), Error> {
        Ok(())
    }
}

/// Who said who was requested.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RequestedBy {
    /// No sent file and no batch: everyone eligible in the roster.
    #[default]
    Roster,
    /// The sent file.
    Sent,
    /// The ledger's batches the returned file covers.
    Batches,
}

/// What a run took from the ledger's batches, and what it tells them back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub requested_by: RequestedBy,
    /// The batches the run covered, in the order they were exported.
    pub batches: Vec<Batch>,
    /// Members of those batches no longer in the roster, noticed by this
    /// run: `(key, batch)`.
    pub left: Vec<(Box<str>, u32)>,
    /// When an earlier run recorded the returned file, if one did.
    pub already: Option<String>,
}

impl Coverage {
    /// The names of the batches covered.
    pub fn names(&self) -> Vec<&str> {
        self.batches.iter().map(|b| b.name.as_str()).collect()
    }
}

/// Who the run requested, by key with the row that asks for them.
#[derive(Debug, Default)]
pub(crate) struct Asked {
    /// Each requested roster person once, with their roster row, in key
    /// order; `None`: everyone eligible.
    pub requests: Option<Vec<(Key, u32)>>,
    pub coverage: Coverage,
}

/// Who was requested, when no sent file says: a batch asks for its members
/// the vendor still owes, still in the roster. The batches covered are the
/// named one, or those still open with at least one member in the returned
/// file; a file recorded before covers what it covered then. A run never
/// widens to the whole roster when the ledger has batches.
pub(crate) fn asked(
    earlier: &dyn Earlier,
    only: Option<&str>,
    sha256: &str,
    keys: &Keys,
    roster: &Roster,
    returned: impl Fn(Key) -> bool,
) -> Result<Asked, Error> {
    let recorded = earlier.seen(sha256)?;
    let all = earlier.batches(only)?.unwrap_or_default();
    if all.batches.is_empty() {
        // No batch: everyone eligible, as the first time.
        let mut asked = Asked::default();
        asked.coverage.already = recorded.map(|r| r.time);
        return Ok(asked);
    }
    let mut coverage = Coverage {
        requested_by: RequestedBy::Batches,
        ..Coverage::default()
    };
    let in_roster = |key: &str| keys.find(key).and_then(|k| roster.person(k));
    let covered: Vec<u32> = match (&recorded, only) {
        (Some(recorded), None) => recorded.batches.clone(),
        _ if only.is_some() => all.batches.iter().map(|b| b.id).collect(),
        _ => {
            let mut open: Vec<u32> = all
                .members
                .iter()
                .filter(|m| m.state.pending())
                .map(|m| m.batch)
                .collect();
            open.sort_unstable();
            open.dedup();
            let covered: Vec<u32> = all
                .members
                .iter()
                .filter(|m| open.binary_search(&m.batch).is_ok())
                .filter(|m| keys.find(&m.key).is_some_and(&returned))
                .map(|m| m.batch)
                .collect();
            covered
        }
    };
    let mut covered = covered;
    covered.sort_unstable();
    covered.dedup();
    coverage.batches = all
        .batches
        .iter()
        .filter(|b| covered.contains(&b.id))
        .cloned()
        .collect();
    let mut requests: Vec<(Key, u32)> = Vec::new();
    let again = recorded.as_ref();
    for m in all
        .members
        .iter()
        .filter(|m| covered.binary_search(&m.batch).is_ok())
    {
        match in_roster(&m.key) {
            Some(person) if again.is_none() && m.state.asked_for() => {
                requests.push((person.key, person.row))
            }
            Some(_) => {}
            None if m.state.pending() => coverage.left.push((m.key.clone(), m.batch)),
            None => {}
        }
    }
    // A file recorded before requests whom it requested then (of the
    // named batch, when one is).
    if let Some(recorded) = again {
        let mut members: Vec<&str> = all.members.iter().map(|m| &*m.key).collect();
        members.sort_unstable();
        let named = |key: &str| only.is_none() || members.binary_search(&key).is_ok();
        for key in recorded.requested.iter().filter(|k| named(k)) {
            if let Some(person) = in_roster(key) {
                requests.push((person.key, person.row));
            }
        }
    }
    coverage.already = recorded.map(|r| r.time);
    requests.sort_unstable();
    requests.dedup_by_key(|r| r.0);
    coverage.left.sort();
    coverage.left.dedup_by(|a, b| a.0 == b.0);
    Ok(Asked {
        requests: Some(requests),
        coverage,
    })
}

/// A person's bridge values as text, as returned and checked: numbers in
/// E.164, toll-free numbers joined by `;`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub provider_name: String,
    pub domain: String,
    pub toll_number: String,
    pub toll_free_numbers: String,
    pub conference_id: String,
    pub url: String,
}

impl Values {
    pub fn assignment(&self) -> Assignment<'_> {
        Assignment {
            domain: &self.domain,
            url: &self.url,
            ..Assignment::new(
                &self.provider_name,
                &self.toll_number,
                self.toll_free_numbers.split(';'),
                &self.conference_id,
            )
        }
    }

    /// The value of a field, the toll-free numbers as joined.
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::TollFreeNumbers => &self.toll_free_numbers,
            field => self.assignment().get(field),
        }
    }
}

/// Values the vendor returned for a person in an earlier file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub before: Values,
    pub now: Values,
    /// The fields that differ.
    pub fields: Vec<Field>,
    /// The earlier returned file, by the path it was given as, and the line.
    pub file: String,
    pub line: u32,
}

impl Outcome {
    /// The values of a person's first returned row, when it passed its
    /// checks (the person is planned or unchanged).
    pub fn values(&self, key: Key) -> Option<Values> {
        use super::Fate;
        if !matches!(self.fate(key), Some(Fate::Planned | Fate::Unchanged)) {
            return None;
        }
        let r = &self.reconciliation;
        let row = *r.first_row.get(key.index())?;
        let row = r.rows.get(row as usize)?;
        let bridge = r.bridges.get(row.bridge as usize)?;
        let free: Vec<&str> = r
            .phones
            .numbers(row.toll_free_numbers)
            .iter()
            .map(|&p| self.e164(p))
            .collect();
        // A Teams bridge stands where a provider does.
        let provider = match self.target {
            crate::config::Target::Acp => bridge.provider_name,
            crate::config::Target::Teams => bridge.name,
        };
        Some(Values {
            provider_name: r.texts.get(provider).to_string(),
            domain: r.texts.get(bridge.domain).to_string(),
            toll_number: self.e164(row.toll_number).to_string(),
            toll_free_numbers: free.join(";"),
            conference_id: r.texts.get(row.conference_id).to_string(),
            url: r.texts.get(bridge.url).to_string(),
        })
    }

    /// Adds a `vendor-changed-values` warning on the first returned row of
    /// each person whose values differ from the latest the same vendor
    /// (same provider name) returned for them in another file.
    pub(crate) fn add_drift(&mut self, earlier: &dyn Earlier) -> Result<(), Error> {
        let sha256 = self
            .source(Input::Returned)
            .map_or(String::new(), |s| s.sha256.clone());
        let mut latest: Option<(String, Drift)> = None;
        let mut found: Vec<(Key, Drift)> = Vec::new();
        let settle = |latest: Option<(String, Drift)>, found: &mut Vec<(Key, Drift)>| {
            let Some((key, mut d)) = latest else { return };
            let Some(id) = self.reconciliation.keys.find(&key) else {
                return;
            };
            let Some(now) = self.values(id) else { return };
            let (before, after) = (d.before.assignment(), now.assignment());
            if !before.same(&after, &[Field::ProviderName]) {
                return;
            }
            let fields = match self.target {
                crate::config::Target::Acp => RETURNED,
                crate::config::Target::Teams => super::compare::TEAMS,
            };
            d.fields = before.differences(&after, fields);
            if !d.fields.is_empty() {
                d.now = now;
                found.push((id, d));
            }
        };
        earlier.values(&sha256, &mut |key, before, file, line| {
            if latest.as_ref().is_some_and(|(k, _)| k != key) {
                settle(latest.take(), &mut found);
            }
            let drift = Drift {
                before,
                now: Values::default(),
                fields: Vec::new(),
                file,
                line,
            };
            latest = Some((key.to_string(), drift));
        })?;
        settle(latest, &mut found);
        let mut findings = Vec::with_capacity(found.len());
        for (key, d) in found {
            let Some(&row) = self.reconciliation.first_row.get(key.index()) else {
                continue;
            };
            let mut finding = Finding::new(Code::VendorChangedValues, Input::Returned, row)
                .detail(Detail::Drift(self.findings.drift.len() as u32));
            finding.field = d.fields.first().copied();
            finding.key = key;
            finding.line = self.inputs.returned.rows.line(row).unwrap_or(0);
            findings.push(finding);
            self.findings.drift.push(d);
        }
        self.add_findings(findings);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_back_and_say_what_is_owed() {
        for state in MemberState::ALL {
            assert_eq!(MemberState::parse(state.as_str()), Some(state));
        }
        assert_eq!(MemberState::parse("done"), None);
        assert!(MemberState::Missing.asked_for() && MemberState::Missing.pending());
        assert!(!MemberState::Planned.asked_for() && MemberState::Planned.pending());
        assert!(!MemberState::Confirmed.pending() && !MemberState::Left.pending());
    }
}
