//! Causes: the findings of one code in one field, told once, with the
//! values they were given by count. A vendor file that is systematically
//! wrong (one wrong domain, one column Excel damaged, a column of "N/A")
//! gives one cause and many rows, and the admin needs the one sentence
//! first. The individual findings stay where they are.

use super::Words;
use crate::columns::Field;
use crate::config::Target;
use crate::finding::{Code, Damage, Detail, Finding, Input, ProviderIssue, Severity};
use crate::model::Key;
use crate::reconcile::earlier::RequestedBy;
use crate::reconcile::{Cause, Outcome};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::fmt::Write as _;

/// A cause holds at least this many rows, or [`SHARE`] of the returned rows.
pub const ROWS: usize = 20;
/// One row in this many of the returned file makes a cause too.
pub const SHARE: usize = 20;
/// How many findings of a cause are kept as examples.
const EXAMPLES: usize = 3;
/// How many of a cause's values are listed, most rows first.
pub const VALUES: usize = 10;

type Group = (Code, Option<Field>);

/// The cause a finding may belong to; `None` for the ones that are never
/// part of one (notes for the record).
fn group(f: &Finding) -> Option<Group> {
    (f.severity() <= Severity::Warning).then_some((f.code, f.field))
}

/// Whether a code's findings share values worth counting; the others' value
/// is each row's own (a key, a name).
fn counts_values(code: Code) -> bool {
    !matches!(
        code,
        Code::NotInRoster
            | Code::NotRequested
            | Code::DuplicateUser
            | Code::DuplicateRow
            | Code::EmptyKey
            | Code::MissingFromReturn
            | Code::TeamsOnlyUser
            | Code::PolicyOverridesNumbers
            | Code::AccountDisabled
            | Code::MalformedRow
            | Code::IdentityMismatch
            | Code::MissingTollNumber
            | Code::MissingConferenceId
            | Code::ConferenceIdChanged
            | Code::TollNumberChanged
    )
}

/// One cause being counted.
#[derive(Debug, Clone, Default)]
struct Count<'a> {
    rows: usize,
    people: usize,
    last: Option<Key>,
    first_line: u32,
    examples: Vec<u32>,
    values: FxHashMap<&'a str, usize>,
    /// What Excel did, when every row of the cause says the same.
    damage: Option<Option<Damage>>,
}

impl<'a> Count<'a> {
    fn add(&mut self, index: u32, f: &Finding, value: Option<&'a str>) {
        self.rows += 1;
        if Some(f.key) != self.last || f.key == Key::NONE {
            self.people += 1;
            self.last = Some(f.key);
        }
        if f.line > 0 && (self.first_line == 0 || f.line < self.first_line) {
            self.first_line = f.line;
        }
        if self.examples.len() < EXAMPLES {
            self.examples.push(index);
        }
        if let Some(value) = value {
            *self.values.entry(value).or_default() += 1;
        }
        let damage = match f.detail {
            Detail::Mangled(damage, _) => Some(damage),
            _ => None,
        };
        self.damage = match self.damage {
            None => Some(damage),
            Some(d) if d == damage => Some(d),
            Some(_) => Some(None),
        };
    }

    fn merge(&mut self, other: Count<'a>) {
        self.rows += other.rows;
        // A person split between two chunks is counted twice: chunks are
        // large, and the count is what the sentence says, not a total.
        self.people += other.people;
        if other.first_line > 0 && (self.first_line == 0 || other.first_line < self.first_line) {
            self.first_line = other.first_line;
        }
        let room = EXAMPLES.saturating_sub(self.examples.len());
        self.examples.extend(other.examples.into_iter().take(room));
        for (value, n) in other.values {
            *self.values.entry(value).or_default() += n;
        }
        self.damage = match (self.damage, other.damage) {
            (None, d) | (d, None) => d,
            (Some(a), Some(b)) if a == b => Some(a),
            _ => Some(None),
        };
    }
}

/// The causes of a run: the findings of one code in one field, at least
/// [`ROWS`] of them or one returned row in [`SHARE`], about at least two
/// people; errors first, then most rows.
pub fn find(outcome: &Outcome) -> Vec<Cause> {
    let words = Words::new(outcome);
    let findings = &outcome.findings.list;
    const CHUNK: usize = 1 << 15;
    let counts: FxHashMap<Group, Count<'_>> = findings
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut counts: FxHashMap<Group, Count<'_>> = FxHashMap::default();
            for (i, f) in chunk.iter().enumerate() {
                let Some(group) = group(f) else {
                    continue;
                };
                let value = match counts_values(f.code) {
                    true => words.value_at(f, words.cell(f)),
                    false => None,
                };
                // A value the run worked out (not a cell) is not kept.
                let value = match value {
                    Some(std::borrow::Cow::Borrowed(v)) => Some(v),
                    _ => None,
                };
                let count = counts.entry(group).or_default();
                count.add((c * CHUNK + i) as u32, f, value);
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
        .map(|((code, field), n)| {
            let mut values: Vec<(String, usize)> = n
                .values
                .iter()
                .map(|(v, &rows)| (v.to_string(), rows))
                .collect();
            // Most rows first; ties in the order of the values.
            values.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let more_values = values.len().saturating_sub(VALUES);
            values.truncate(VALUES);
            let mut examples = n.examples;
            examples.sort_unstable();
            Cause {
                code,
                field,
                expected: expected(outcome, code, field),
                rows: n.rows,
                people: n.people,
                first_line: n.first_line,
                values,
                more_values,
                damage: n.damage.flatten(),
                examples,
            }
        })
        .collect();
    causes.sort_by(|a, b| {
        (
            a.code.severity(),
            std::cmp::Reverse(a.rows),
            a.code,
            a.field,
        )
            .cmp(&(
                b.code.severity(),
                std::cmp::Reverse(b.rows),
                b.code,
                b.field,
            ))
    });
    causes
}

/// The expected value of a cause, where the run expected one.
fn expected(outcome: &Outcome, code: Code, field: Option<Field>) -> Option<String> {
    let expected = &outcome.reconciliation.expected;
    match (code, field) {
        (Code::WrongProvider, Some(Field::Domain)) => expected.domain.clone(),
        (Code::WrongProvider, _) => expected.name.clone(),
        _ => None,
    }
}

/// Which cause each finding belongs to, for showing one example a cause.
pub struct Membership {
    index: FxHashMap<Group, usize>,
}

impl Membership {
    pub fn new(outcome: &Outcome) -> Membership {
        let index = outcome
            .findings
            .causes
            .iter()
            .enumerate()
            .map(|(i, cause)| ((cause.code, cause.field), i))
            .collect();
        Membership { index }
    }

    /// The cause of a finding, if it has one.
    pub fn of(&self, f: &Finding) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        self.index.get(&group(f)?).copied()
    }
}

impl Cause {
    /// The one value every row of the cause holds, if there is one.
    pub fn only_value(&self) -> Option<&str> {
        match (self.values.as_slice(), self.more_values) {
            ([(value, rows)], 0) if *rows == self.rows => Some(value),
            _ => None,
        }
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
        let field = cause.field.map_or("", |f| self.field_name(f));
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
        let clip = super::messages::clip;
        let only = cause.only_value().map(clip);
        let only = only.as_deref();
        let values = self.values(cause);
        let damage = |out: &mut String, value: &str| match cause.damage {
            Some(damage) => super::reasons::damage_text(damage, value, out),
            None => write!(out, "was damaged by Excel in more than one way"),
        };
        match (cause.code, example.map(|f| f.detail)) {
            (Code::WrongProvider, Some(Detail::Provider(ProviderIssue::Microsoft))) if only.is_some() => write!(
                out,
                "{rows} rows name Microsoft's own bridge as the provider. Ask the vendor for its own provider details."
            )?,
            (Code::WrongProvider, _) => {
                let source = o.reconciliation.expected.source();
                let want = clip(cause.expected.as_deref().unwrap_or_default());
                match (only, cause.values.is_empty()) {
                    (Some(got), _) => write!(out, "{rows} rows: {field} is {got:?}, {source} expects {want:?}.")?,
                    (None, true) => write!(out, "{rows} rows: {field} is empty, {source} expects {want:?}.")?,
                    (None, false) => write!(out, "{rows} rows: {field} is not {want:?}, which {source} expects: {values}.")?,
                }
                out.push_str(" Fix the config or ask the vendor.");
            }
            (Code::ExcelMangled, _) => {
                write!(out, "{rows} rows: {field}{column} ")?;
                damage(out, only.unwrap_or_default())?;
                if only.is_none() && !values.is_empty() {
                    write!(out, " ({values})")?;
                }
                out.push_str(". Ask the vendor to send the file again with the column formatted as text.");
            }
            (Code::ExcelRepaired, _) => {
                write!(out, "{rows} rows: {field}{column} ")?;
                damage(out, only.unwrap_or_default())?;
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
                    RequestedBy::Roster if o.target == Target::Teams => "disabled",
                    RequestedBy::Roster => "disabled, or in TeamsOnly mode",
                };
                write!(
                    out,
                    "{rows} rows are for people in the roster who were not requested ({why}); they are planned anyway. Take them out of the file if that is wrong."
                )?
            }
            (Code::DuplicateConferenceId, _) => match only {
                Some(id) => write!(
                    out,
                    "{rows} rows ({people} people) share the conference ID {id}: none of them is planned. Ask the vendor for distinct IDs."
                )?,
                None => write!(
                    out,
                    "{rows} rows ({people} people) share a conference ID with someone else ({values}): none of them is planned. Ask the vendor for distinct IDs."
                )?,
            },
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
                match only {
                    Some(value) => write!(out, ", all {value:?}")?,
                    None if !values.is_empty() => write!(out, ": {values}")?,
                    None => {}
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

    /// A cause's values by count: `"N/A" (457 rows), "TBD" (392), … and 58
    /// more values`; "" when it counts none.
    pub fn values(&self, cause: &Cause) -> String {
        let mut out = String::new();
        for (i, (value, rows)) in cause.values.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let value = super::messages::clip(value);
            let _ = match (i, rows) {
                (0, 1) => write!(out, "{value:?} (1 row)"),
                (0, _) => write!(out, "{value:?} ({} rows)", thousands(*rows)),
                _ => write!(out, "{value:?} ({})", thousands(*rows)),
            };
        }
        if cause.more_values > 0 {
            let _ = write!(out, " and {} more values", thousands(cause.more_values));
        }
        out
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
