//! Causes: the findings that share a code, a field and a value, told once.
//! A vendor file that is systematically wrong (one wrong domain, one column
//! Excel damaged) gives one cause and many rows, and the admin needs the
//! one sentence first. The individual findings stay where they are.

use super::Words;
use crate::columns::Field;
use crate::finding::{Code, Detail, Finding, Input, ProviderIssue, Severity};
use crate::model::Key;
use crate::reconcile::earlier::RequestedBy;
use crate::reconcile::{Cause, Outcome};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::fmt::Write as _;

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

/// Causes in words.
impl Words<'_> {
    /// A cause in one sentence: how many rows, what they share, what to do.
    pub fn cause(&self, cause: &Cause) -> String {
        let mut out = String::new();
        let _ = self.write_cause(cause, &mut out);
        out
    }

    fn write_cause(&self, cause: &Cause, out: &mut String) -> std::fmt::Result {
        let o = self.outcome;
        let rows = thousands(cause.rows);
        let people = thousands(cause.people);
        let field = cause.field.map_or("", Field::name);
        let example = cause
            .examples
            .first()
            .and_then(|&i| o.findings.get(i as usize));
        let column = example
            .and_then(|f| self.column(f))
            .map(|c| {
                format!(
                    " (column {})",
                    crate::source::sheet::column_letters(c as u32)
                )
            })
            .unwrap_or_default();
        let value = cause.value.as_deref().map(super::messages::clip);
        let value = value.as_deref();
        match (cause.code, example.map(|f| f.detail)) {
            (Code::WrongProvider, Some(Detail::Provider(ProviderIssue::Microsoft))) => write!(
                out,
                "{rows} rows name Microsoft's own bridge as the provider. Ask the vendor for its own provider details."
            )?,
            (Code::WrongProvider, _) => {
                let source = o.reconciliation.expected.source();
                let want = super::messages::clip(cause.expected.as_deref().unwrap_or_default());
                match value {
                    Some(got) => write!(out, "{rows} rows: {field} is {got:?}, {source} expects {want:?}.")?,
                    None => write!(out, "{rows} rows: {field} is empty, {source} expects {want:?}.")?,
                }
                out.push_str(" Fix the config or ask the vendor.");
            }
            (Code::ExcelMangled, Some(Detail::Mangled(damage, _))) => {
                write!(out, "{rows} rows: {field}{column} ")?;
                super::messages::damage_text(damage, value.unwrap_or_default(), out)?;
                out.push_str(". Ask the vendor to send the file again with the column formatted as text.");
            }
            (Code::ExcelRepaired, Some(Detail::Mangled(damage, _))) => {
                write!(out, "{rows} rows: {field}{column} ")?;
                super::messages::damage_text(damage, value.unwrap_or_default(), out)?;
                out.push_str(" in Excel; it was undone and the rows are planned. Check a few, and ask the vendor to format the column as text.");
            }
            (Code::MissingFromReturn, _) => write!(
                out,
                "{people} requested people have no row in {}. Ask the vendor for them.",
                o.file(Input::Returned)
            )?,
            (Code::NotInRoster, _) => write!(
                out,
                "{rows} rows are for people who are not in the roster. Check that the roster and the returned file are of the same tenant and batch."
            )?,
            (Code::NotRequested, _) => {
                let why = match o.coverage.requested_by {
                    RequestedBy::Sent => "not in the sent file",
                    RequestedBy::Batches => "not waited for by the batches this run covers",
                    RequestedBy::Roster => "disabled, or in TeamsOnly mode",
                };
                write!(
                    out,
                    "{rows} rows are for people in the roster who were not requested ({why}); they are planned anyway. Take them out of the file if that is wrong."
                )?
            }
            (Code::DuplicateConferenceId, _) => write!(
                out,
                "{rows} rows ({people} people) share the conference ID {}: none of them is planned. Ask the vendor for distinct IDs.",
                value.unwrap_or_default()
            )?,
            (Code::TeamsOnlyUser, _) => write!(
                out,
                "{people} people are in TeamsOnly mode: a third-party provider does not apply to their Teams meetings."
            )?,
            (Code::IdentityMismatch, _) => write!(
                out,
                "{rows} rows echo a {field} that is not the roster's for their key: the vendor's rows may be shifted. Compare the file with the one that was sent."
            )?,
            _ => {
                write!(out, "{rows} rows ({people} people): {}", cause.code)?;
                if !field.is_empty() {
                    write!(out, " in {field}{column}")?;
                }
                if let Some(value) = value {
                    write!(out, ", all {value:?}")?;
                }
                if let Some(f) = example {
                    out.push_str(". For example: ");
                    self.message(f, out);
                } else {
                    out.push('.');
                }
            }
        }
        Ok(())
    }
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
