//! The keyed join: every key of the run sorted once, each input's keys on
//! their own core, then merged. A key's id is its place in that order, so
//! whatever is kept by key is kept in the order the outputs list it. The
//! merge gives each row its key, picks each key's person (the roster's
//! first well-formed row of it, later ones being duplicates), groups the
//! returned rows by key and finds what the sent file asked for.

use crate::check::returned::Returned;
use crate::check::roster::Roster;
use crate::check::sent::Sent;
use crate::columns::Field;
use crate::finding::{Code, Detail, Finding, Input};
use crate::model::{Key, Keys, Span};
use rayon::prelude::*;
use std::cmp::Ordering;

/// The returned rows of each key, in row order.
#[derive(Debug, Default)]
pub struct Groups {
    /// Row indexes, grouped by key, each group in row order.
    order: Vec<u32>,
    /// Where each key's group starts in `order`, and after the last, its end.
    starts: Vec<u32>,
}

impl Groups {
    /// The rows of a key, in row order.
    pub fn rows(&self, key: Key) -> &[u32] {
        let i = key.index();
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&start), Some(&end)) => &self.order[start as usize..end as usize],
            _ => &[],
        }
    }
}

/// What the join found.
#[derive(Debug, Default)]
pub struct Joined {
    pub keys: Keys,
    pub groups: Groups,
    /// What the sent file asked for: each key once, with the first row
    /// that asks, in key order; `None` without a sent file.
    pub requests: Option<Vec<(Key, u32)>>,
}

/// A row's text: its first sixteen bytes (which order texts as they
/// compare, and settle most comparisons without reading the rest), the row,
/// and where the text is, so that it is read without a look-up by row.
pub(crate) type Entry = ([u8; 16], u32, Span);

fn prefix(text: &str) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    let n = text.len().min(16);
    bytes[..n].copy_from_slice(&text.as_bytes()[..n]);
    bytes
}

/// The flag of a row number in an [`Entry`] that marks the row apart (a
/// roster row that is not read as its header says): it sorts after the
/// unmarked rows of its text.
pub(crate) const MARKED: u32 = 1 << 31;

/// The rows of `0..rows` that have a text (`span`, in `texts`), sorted by
/// it, then by row (marked rows last): on every core, with no table to look
/// each up in.
pub(crate) fn sorted(
    rows: usize,
    texts: &str,
    span: impl Fn(u32) -> Option<Span> + Sync,
    marked: impl Fn(u32) -> bool + Sync,
) -> Vec<Entry> {
    let text = |span: Span| span.read(texts);
    let mut entries: Vec<Entry> = (0..rows as u32)
        .into_par_iter()
        .filter_map(|row| {
            let span = span(row)?;
            let flag = if marked(row) { MARKED } else { 0 };
            Some((prefix(text(span)), row | flag, span))
        })
        .collect();
    entries.par_sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| text(a.2).cmp(text(b.2)))
            .then(a.1.cmp(&b.1))
    });
    entries
}

/// One input's sorted rows, read from the front; the text of the row at
/// the front is read once.
struct Run<'e, 'a> {
    entries: &'e [Entry],
    at: usize,
    texts: &'a str,
    head: Option<([u8; 16], &'a str)>,
}

impl<'e, 'a> Run<'e, 'a> {
    fn new(entries: &'e [Entry], texts: &'a str) -> Self {
        let mut run = Run {
            entries,
            at: 0,
            texts,
            head: None,
        };
        run.read_head();
        run
    }

    fn read_head(&mut self) {
        self.head = self
            .entries
            .get(self.at)
            .map(|&(prefix, _, span)| (prefix, span.read(self.texts)));
    }

    /// The rows from the front whose key is `text`.
    fn take(&mut self, prefix: &[u8; 16], text: &str) -> &'e [Entry] {
        let start = self.at;
        while let Some((p, t)) = self.head {
            if &p != prefix || t != text {
                break;
            }
            self.at += 1;
            self.read_head();
        }
        &self.entries[start..self.at]
    }
}

/// The smaller of two keys at the heads of runs.
fn smaller<'a>(
    a: Option<([u8; 16], &'a str)>,
    b: Option<([u8; 16], &'a str)>,
) -> Option<([u8; 16], &'a str)> {
    match (a, b) {
        (Some(a), Some(b)) => match a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)) {
            Ordering::Greater => Some(b),
            _ => Some(a),
        },
        (a, None) => a,
        (None, b) => b,
    }
}

/// Joins the inputs by key. Every row with a key gets it (in its input's
/// `rows.keys`); the roster's repeated keys become findings.
pub fn join(
    roster: &mut Roster,
    returned: Option<&mut Returned>,
    sent: Option<&mut Sent>,
) -> Joined {
    let (roster_texts, returned_texts, sent_texts) = (
        roster.cleaned.as_str(),
        returned.as_ref().map_or("", |t| t.key_texts()),
        sent.as_ref().map_or("", |s| s.cleaned.as_str()),
    );
    let (roster_sorted, (returned_sorted, sent_sorted)) = rayon::join(
        || {
            let broken = |r: u32| !roster.well_formed[r as usize];
            sorted(
                roster.rows.len(),
                roster_texts,
                |r| roster.cleaned_key(r),
                broken,
            )
        },
        || {
            let none = |_| false;
            rayon::join(
                || {
                    let t = returned.as_ref()?;
                    Some(sorted(t.len(), returned_texts, |r| t.key_span(r), none))
                },
                || {
                    let s = sent.as_ref()?;
                    Some(sorted(s.rows.len(), sent_texts, |r| s.cleaned_key(r), none))
                },
            )
        },
    );
    let returned_sorted = returned_sorted.unwrap_or_default();
    let sent_sorted = sent_sorted.unwrap_or_default();
    let count = roster_sorted.len() + returned_sorted.len() + sent_sorted.len();
    let mut keys = Keys::with_capacity(
        roster_sorted.len().max(returned_sorted.len()),
        roster.cleaned.bytes(),
    );
    let mut person_of = Vec::with_capacity(roster_sorted.len());
    let mut groups = Groups {
        order: Vec::with_capacity(returned_sorted.len()),
        starts: Vec::with_capacity(count.min(roster_sorted.len() + returned_sorted.len()) + 1),
    };
    let mut requests = sent.as_ref().map(|_| Vec::new());
    let mut roster_keys = vec![Key::NONE; roster.rows.len()];
    let mut returned_keys = vec![Key::NONE; returned.as_ref().map_or(0, |t| t.len())];
    let mut sent_keys = vec![Key::NONE; sent.as_ref().map_or(0, |s| s.rows.len())];
    let mut findings = Vec::new();
    let mut conflicts = Vec::new();
    {
        let mut r = Run::new(&roster_sorted, roster_texts);
        let mut t = Run::new(&returned_sorted, returned_texts);
        let mut s = Run::new(&sent_sorted, sent_texts);
        while let Some((prefix, text)) = smaller(smaller(r.head, t.head), s.head) {
            let key = keys.push(text);
            // The roster's rows of the key: the first well-formed one is the
            // person; the others repeat it, or disagree with it.
            let mut person: Option<u32> = None;
            for &(_, row, _) in r.take(&prefix, text) {
                // A broken row keeps its key, for the report; it is nobody's row.
                roster_keys[(row & !MARKED) as usize] = key;
                if row & MARKED != 0 {
                    continue;
                }
                match person {
                    None => person = Some(row),
                    Some(first) => {
                        let first_line = roster.rows.lines[first as usize];
                        let same = roster.fingerprints[first as usize]
                            == roster.fingerprints[row as usize];
                        let finding = match same {
                            true => Finding::new(Code::DuplicateRow, Input::Roster, row),
                            false => {
                                conflicts.push((key, first_line, roster.rows.lines[row as usize]));
                                Finding::new(Code::DuplicateUser, Input::Roster, row)
                                    .field(Field::Key)
                            }
                        };
                        findings.push(finding.detail(Detail::Line(first_line)));
                    }
                }
            }
            person_of.push(person.unwrap_or(u32::MAX));
            groups.starts.push(groups.order.len() as u32);
            for &(_, row, _) in t.take(&prefix, text) {
                returned_keys[row as usize] = key;
                groups.order.push(row);
            }
            let asked = s.take(&prefix, text);
            for &(_, row, _) in asked {
                sent_keys[row as usize] = key;
            }
            if let (Some(requests), Some(&(_, first, _))) = (&mut requests, asked.first()) {
                requests.push((key, first));
            }
        }
    }
    groups.starts.push(groups.order.len() as u32);
    for (row, &key) in roster_keys.iter().enumerate() {
        if let Some(p) = person_of.get(key.index()).filter(|&&p| p == row as u32) {
            roster.people[*p as usize].key = key;
        }
    }
    for (key, first, line) in conflicts {
        roster
            .conflicts
            .entry(key)
            .or_insert_with(|| vec![first])
            .push(line);
    }
    roster.rows.keys = roster_keys;
    roster.person_of = person_of;
    roster.findings.extend(findings);
    roster.joined();
    if let Some(returned) = returned {
        returned.rows.keys = returned_keys;
        returned.joined();
    }
    if let Some(sent) = sent {
        sent.rows.keys = sent_keys;
        sent.joined();
    }
    Joined {
        keys,
        groups,
        requests,
    }
}
