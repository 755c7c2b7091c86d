//! What earlier runs tell this one, as the ledger hands it over: the people
//! the open batches still wait for (who was requested, when no sent file
//! says), and the values the vendor returned before (to catch a vendor that
//! changes a person's values between two returns). Plain data both ways:
//! the ledger reads and stores it, the join and the findings use it.

use super::Outcome;
use crate::check::roster::Roster;
use crate::columns::Field;
use crate::finding::{Code, Detail, Finding, Input};
use crate::model::{Key, Keys};
use crate::normalize::text::same_text;

/// A person an open batch still waits for: returned with errors, missing,
/// or not returned yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The key as the run normalises it.
    pub key: Box<str>,
    /// The batch's id in the ledger.
    pub batch: u32,
}

/// Who the open batches asked for, as the join found them.
#[derive(Debug, Default)]
pub(crate) struct Asked {
    /// Each requested roster person once, with their roster row, in key order.
    pub requests: Vec<(Key, u32)>,
    /// The batches the run covers, by id, ascending.
    pub covered: Vec<u32>,
    /// People of those batches no longer in the roster.
    pub gone: usize,
}

/// The batches a returned file covers are the open ones it has at least one
/// of their waiting people in (all open ones when it has none); everyone
/// those batches wait for who is still in the roster was requested.
pub(crate) fn asked(
    pending: &[Pending],
    keys: &Keys,
    roster: &Roster,
    returned: impl Fn(Key) -> bool,
) -> Asked {
    let found: Vec<(Option<Key>, u32)> = pending
        .iter()
        .map(|p| (keys.find(&p.key), p.batch))
        .collect();
    let mut covered: Vec<u32> = found
        .iter()
        .filter(|(key, _)| key.is_some_and(&returned))
        .map(|&(_, batch)| batch)
        .collect();
    if covered.is_empty() {
        covered = found.iter().map(|&(_, batch)| batch).collect();
    }
    covered.sort_unstable();
    covered.dedup();
    let mut asked = Asked::default();
    for (key, batch) in found {
        if covered.binary_search(&batch).is_err() {
            continue;
        }
        match key.and_then(|k| roster.person(k)) {
            Some(person) => asked.requests.push((person.key, person.row)),
            None => asked.gone += 1,
        }
    }
    asked.requests.sort_unstable();
    asked.requests.dedup_by_key(|r| r.0);
    asked.covered = covered;
    asked
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
    /// The fields whose values differ, with the value here and there. Names
    /// compare as text does (case and spacing aside); numbers and IDs exactly.
    pub fn differences<'a>(&'a self, now: &'a Values) -> Vec<(Field, &'a str, &'a str)> {
        let pairs = [
            (
                Field::ProviderName,
                &self.provider_name,
                &now.provider_name,
                true,
            ),
            (Field::Domain, &self.domain, &now.domain, true),
            (
                Field::TollNumber,
                &self.toll_number,
                &now.toll_number,
                false,
            ),
            (
                Field::TollFreeNumbers,
                &self.toll_free_numbers,
                &now.toll_free_numbers,
                false,
            ),
            (
                Field::ConferenceId,
                &self.conference_id,
                &now.conference_id,
                false,
            ),
            (Field::Url, &self.url, &now.url, false),
        ];
        pairs
            .into_iter()
            .filter(|(_, a, b, text)| match text {
                true => !same_text(a, b),
                false => a != b,
            })
            .map(|(field, a, b, _)| (field, a.as_str(), b.as_str()))
            .collect()
    }
}

/// Values the vendor returned for a person in an earlier file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub before: Values,
    pub now: Values,
    /// The earlier returned file, by the path it was given as, and the line.
    pub file: String,
    pub line: u32,
}

impl Outcome {
    /// What became of a person in this run; `None` for a key with no fate
    /// (neither returned nor requested).
    pub fn fate(&self, key: Key) -> Option<super::Fate> {
        self.fates.get(key.index()).copied().flatten()
    }

    /// The values of a person's first returned row, when it passed its
    /// checks (the person is planned or unchanged).
    pub fn values(&self, key: Key) -> Option<Values> {
        use super::Fate;
        if !matches!(self.fate(key), Some(Fate::Planned | Fate::Unchanged)) {
            return None;
        }
        let row = *self.first_row.get(key.index())?;
        let row = self.rows.get(row as usize)?;
        let bridge = self.bridges.get(row.bridge as usize)?;
        let free: Vec<&str> = self
            .phones
            .numbers(row.toll_free_numbers)
            .iter()
            .map(|&p| self.e164(p))
            .collect();
        Some(Values {
            provider_name: self.texts.get(bridge.provider_name).to_string(),
            domain: self.texts.get(bridge.domain).to_string(),
            toll_number: self.e164(row.toll_number).to_string(),
            toll_free_numbers: free.join(";"),
            conference_id: self.texts.get(row.conference_id).to_string(),
            url: self.texts.get(bridge.url).to_string(),
        })
    }

    /// Adds a `vendor-changed-values` warning on the first returned row of
    /// each person whose values differ from an earlier return's.
    pub fn add_drift(&mut self, drift: Vec<(Key, Drift)>) {
        if drift.is_empty() {
            return;
        }
        for (key, d) in drift {
            let Some(&row) = self.first_row.get(key.index()) else {
                continue;
            };
            let field = d.before.differences(&d.now).first().map(|c| c.0);
            let mut finding = Finding::new(Code::VendorChangedValues, Input::Returned, row)
                .detail(Detail::Drift(self.drift.len() as u32));
            finding.field = field;
            finding.key = key;
            finding.line = self.returned.rows.line(row).unwrap_or(0);
            self.findings.push(finding);
            self.drift.push(d);
            self.summary.warnings += 1;
        }
        self.sort_findings();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(id: &str, name: &str) -> Values {
        Values {
            provider_name: name.into(),
            domain: "acp.fabrikam.example".into(),
            toll_number: "+14255550100".into(),
            conference_id: id.into(),
            ..Values::default()
        }
    }

    #[test]
    fn only_the_fields_that_differ_are_named() {
        let before = values("123456", "Fabrikam");
        assert!(before
            .differences(&values("123456", "FABRIKAM "))
            .is_empty());
        assert_eq!(
            before.differences(&values("654321", "Fabrikam")),
            [(Field::ConferenceId, "123456", "654321")]
        );
        // Leading zeros are part of an ID.
        assert_eq!(
            values("0123456", "F")
                .differences(&values("123456", "F"))
                .len(),
            1
        );
    }
}
