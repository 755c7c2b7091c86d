//! Causes: the findings that share a code, a field and a value, told once.
//! A vendor file that is systematically wrong (one wrong domain, one column
//! Excel damaged) gives one cause and many rows, and the admin needs the
//! one sentence first. The individual findings stay where they are.

use super::Words;
use crate::finding::{Code, Detail, Finding, Severity};
use crate::model::Key;
use crate::reconcile::{Cause, Outcome};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// A cause holds at least this many rows, or [`SHARE`] of the returned rows.
pub const ROWS: usize = 20;
/// One row in this many of the returned file makes a cause too.
pub const SHARE: usize = 20;
/// How many findings of a cause are kept as examples.
const EXAMPLES: usize = 3;

/// What findings of one cause share besides code and field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Shared<'a> {
    /// Only the code: each row's value is its own (a key, a name).
    Code,
    /// What Excel did, whatever the digits.
    Damage(crate::finding::Damage),
    /// The value received.
    Value(Cow<'a, str>),
}

type Group<'a> = (Code, Option<crate::columns::Field>, Shared<'a>);

/// What a finding shares with the others of its cause; `None` for the
/// ones that are never part of one (notes for the record).
fn group<'a>(words: &Words<'a>, f: &Finding) -> Option<Group<'a>> {
    if f.severity() > Severity::Warning {
        return None;
    }
    let shared = match (f.code, f.detail) {
        (Code::ExcelMangled | Code::ExcelRepaired, Detail::Mangled(damage, _)) => {
            Shared::Damage(damage)
        }
        (
            Code::NotInRoster
            | Code::NotRequested
            | Code::DuplicateUser
            | Code::DuplicateRow
            | Code::EmptyKey
            | Code::MissingFromReturn
            | Code::TeamsOnlyUser
            | Code::AccountDisabled
            | Code::MalformedRow
            | Code::IdentityMismatch
            | Code::MissingTollNumber
            | Code::MissingConferenceId
            | Code::ConferenceIdChanged
            | Code::TollNumberChanged,
            _,
        ) => Shared::Code,
        _ => match words.value_at(f, words.cell(f)) {
            Some(value) => Shared::Value(value),
            None => Shared::Code,
        },
    };
    Some((f.code, f.field, shared))
}

/// One cause being counted.
#[derive(Debug, Clone)]
struct Count {
    rows: usize,
    people: usize,
    last: Key,
    first_line: u32,
    examples: Vec<u32>,
}

impl Count {
    fn add(&mut self, index: u32, f: &Finding) {
        self.rows += 1;
        if f.key != self.last || f.key == Key::NONE {
            self.people += 1;
            self.last = f.key;
        }
        if f.line > 0 && (self.first_line == 0 || f.line < self.first_line) {
            self.first_line = f.line;
        }
        if self.examples.len() < EXAMPLES {
            self.examples.push(index);
        }
    }

    fn merge(&mut self, other: Count) {
        self.rows += other.rows;
        self.people += other.people;
        if other.first_line > 0 && (self.first_line == 0 || other.first_line < self.first_line) {
            self.first_line = other.first_line;
        }
        let room = EXAMPLES.saturating_sub(self.examples.len());
        self.examples.extend(other.examples.into_iter().take(room));
    }
}

/// The causes of a run: groups of at least [`ROWS`] findings, or of one
/// returned row in [`SHARE`], about at least two people; errors first,
/// then most rows.
pub fn find(outcome: &Outcome) -> Vec<Cause> {
    let words = Words::new(outcome);
    let findings = &outcome.findings.list;
    const CHUNK: usize = 1 << 15;
    let counts: FxHashMap<Group<'_>, Count> = findings
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut counts: FxHashMap<Group<'_>, Count> = FxHashMap::default();
            for (i, f) in chunk.iter().enumerate() {
                let Some(group) = group(&words, f) else {
                    continue;
                };
                let count = counts.entry(group).or_insert_with(|| Count {
                    rows: 0,
                    people: 0,
                    last: Key(u32::MAX - 1),
                    first_line: 0,
                    examples: Vec::new(),
                });
                count.add((c * CHUNK + i) as u32, f);
            }
            counts
        })
        .reduce(FxHashMap::default, |mut a, b| {
            for (group, count) in b {
                match a.get_mut(&group) {
                    Some(have) => have.merge(count),
                    None => {
                        a.insert(group, count);
                    }
                }
            }
            a
        });
    let returned = outcome.summary.returned_rows.max(1);
    let mut causes: Vec<Cause> = counts
        .into_iter()
        .filter(|(_, n)| n.people >= 2 && (n.rows >= ROWS || n.rows * SHARE >= returned))
        .map(|((code, field, shared), n)| {
            let mut examples = n.examples;
            examples.sort_unstable();
            Cause {
                code,
                field,
                value: match shared {
                    Shared::Value(v) => Some(v.into_owned()),
                    _ => None,
                },
                expected: expected(outcome, code, field),
                rows: n.rows,
                people: n.people,
                first_line: n.first_line,
                examples,
            }
        })
        .collect();
    causes.sort_by(|a, b| {
        (
            a.code.severity(),
            std::cmp::Reverse(a.rows),
            a.code.as_str(),
            &a.value,
        )
            .cmp(&(
                b.code.severity(),
                std::cmp::Reverse(b.rows),
                b.code.as_str(),
                &b.value,
            ))
    });
    causes
}

/// The expected value of a cause, where the run expected one.
fn expected(outcome: &Outcome, code: Code, field: Option<crate::columns::Field>) -> Option<String> {
    use crate::columns::Field;
    match (code, field) {
        (Code::WrongProvider, Some(Field::Domain)) => {
            outcome.reconciliation.expected.domain.clone()
        }
        (Code::WrongProvider, _) => outcome.reconciliation.expected.name.clone(),
        _ => None,
    }
}

/// Which cause each finding belongs to, for showing one example a cause.
pub struct Membership<'a> {
    words: Words<'a>,
    index: FxHashMap<Group<'a>, usize>,
}

impl<'a> Membership<'a> {
    pub fn new(outcome: &'a Outcome) -> Membership<'a> {
        let words = Words::new(outcome);
        let index = outcome
            .findings
            .causes
            .iter()
            .enumerate()
            .filter_map(|(i, cause)| {
                let example = outcome.findings.get(*cause.examples.first()? as usize)?;
                Some((group(&words, example)?, i))
            })
            .collect();
        Membership { words, index }
    }

    /// The cause of a finding, if it has one.
    pub fn of(&self, f: &Finding) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        self.index.get(&group(&self.words, f)?).copied()
    }
}

/// `998,000`: a count as people read it.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_with_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(998_000), "998,000");
        assert_eq!(thousands(2_089_973), "2,089,973");
    }
}
