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
use std::cmp::Ordering as Order;
use std::sync::atomic::{AtomicU32, Ordering};

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

/// How many first bytes of a text an [`Entry`] holds.
pub(crate) const PREFIX: usize = 12;

/// A text's first bytes, zero after its end.
pub(crate) type Prefix = [u8; PREFIX];

/// A row's text: its first bytes (which order texts as they compare, and
/// settle most comparisons without reading the rest), the row, and where
/// the text is, so that it is read without a look-up by row.
pub(crate) type Entry = (Prefix, u32, Span);

pub(crate) fn prefix(text: &str) -> Prefix {
    let mut bytes = [0u8; PREFIX];
    let n = text.len().min(PREFIX);
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
    head: Option<(Prefix, &'a str)>,
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
    fn take(&mut self, prefix: &Prefix, text: &str) -> &'e [Entry] {
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
    a: Option<(Prefix, &'a str)>,
    b: Option<(Prefix, &'a str)>,
) -> Option<(Prefix, &'a str)> {
    match (a, b) {
        (Some(a), Some(b)) => match a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)) {
            Order::Greater => Some(b),
            _ => Some(a),
        },
        (a, None) => a,
        (None, b) => b,
    }
}

/// What a part of the key space merges to: its keys from 0, and what
/// belongs to them.
#[derive(Default)]
struct Part {
    keys: Keys,
    person_of: Vec<u32>,
    starts: Vec<u32>,
    order: Vec<u32>,
    requests: Vec<(u32, u32)>,
    findings: Vec<Finding>,
    /// `(key, first line, line)` of roster rows that disagree.
    conflicts: Vec<(u32, u32, u32)>,
}

/// The three inputs' sorted rows, each with its text, and where the rows'
/// keys go: as each part merges, it writes its rows' keys numbered from
/// `base` (its first entry's place among all entries), made dense after.
struct Sides<'a> {
    lists: [(&'a [Entry], &'a str); 3],
    keys: [&'a [AtomicU32]; 3],
}

/// Merges entries `from..to` of each input (one part of the key space).
fn merge(sides: &Sides<'_>, roster: &Roster, from: [usize; 3], to: [usize; 3], base: u32) -> Part {
    let mut part = Part::default();
    let run = |i: usize| Run::new(&sides.lists[i].0[from[i]..to[i]], sides.lists[i].1);
    let (mut r, mut t, mut s) = (run(0), run(1), run(2));
    let store = |side: usize, row: u32, key: u32| {
        sides.keys[side][(row & !MARKED) as usize].store(base + key, Ordering::Relaxed);
    };
    while let Some((prefix, text)) = smaller(smaller(r.head, t.head), s.head) {
        let key = part.keys.push(text).0;
        // The roster's rows of the key: the first well-formed one is the
        // person; the others repeat it, or disagree with it.
        let mut person: Option<u32> = None;
        for &(_, row, _) in r.take(&prefix, text) {
            // A broken row keeps its key, for the report; it is nobody's row.
            store(0, row, key);
            if row & MARKED != 0 {
                continue;
            }
            let Some(first) = person else {
                person = Some(row);
                continue;
            };
            let first_line = roster.rows.lines[first as usize];
            let finding =
                if roster.fingerprints[first as usize] == roster.fingerprints[row as usize] {
                    Finding::new(Code::DuplicateRow, Input::Roster, row)
                } else {
                    part.conflicts
                        .push((key, first_line, roster.rows.lines[row as usize]));
                    Finding::new(Code::DuplicateUser, Input::Roster, row).field(Field::Key)
                };
            part.findings.push(finding.detail(Detail::Line(first_line)));
        }
        part.person_of.push(person.unwrap_or(u32::MAX));
        part.starts.push(part.order.len() as u32);
        for &(_, row, _) in t.take(&prefix, text) {
            store(1, row, key);
            part.order.push(row);
        }
        let asked = s.take(&prefix, text);
        for &(_, row, _) in asked {
            store(2, row, key);
        }
        if let Some(&(_, first, _)) = asked.first() {
            part.requests.push((key, first));
        }
    }
    part
}

/// Where each part of the key space starts in each input's sorted rows:
/// at keys taken evenly from the longest input, so that parts are about
/// as large and no key is split between two.
fn bounds(lists: &[(&[Entry], &str); 3], parts: usize) -> Vec<[usize; 3]> {
    let longest = (0..3).max_by_key(|&i| lists[i].0.len()).unwrap_or(0);
    let (base, texts) = lists[longest];
    // Small inputs merge in one part.
    let parts = if base.len() < parts * 1024 { 1 } else { parts };
    let mut bounds = vec![[0; 3]];
    for p in 1..parts {
        let (prefix, _, span) = base[p * base.len() / parts];
        let pivot = (prefix, span.read(texts));
        let split = lists.map(|(entries, texts)| {
            entries.partition_point(|&(prefix, _, span)| (prefix, span.read(texts)) < pivot)
        });
        if split != *bounds.last().unwrap_or(&[0; 3]) {
            bounds.push(split);
        }
    }
    bounds.push(lists.map(|(entries, _)| entries.len()));
    bounds
}

/// Joins the inputs by key. Every row with a key gets it (in its input's
/// `rows.keys`); the roster's repeated keys become findings.
pub fn join(
    roster: &mut Roster,
    mut returned: Option<&mut Returned>,
    sent: Option<&mut Sent>,
) -> Joined {
    // The rows' key spans, taken out: they only make the sort entries.
    let roster_spans = std::mem::take(&mut roster.cleaned_keys);
    let returned_spans = returned.as_deref_mut().map(Returned::take_key_spans);
    let (roster_texts, returned_texts, sent_texts) = (
        roster.cleaned.as_str(),
        returned.as_ref().map_or("", |t| t.key_texts()),
        sent.as_ref().map_or("", |s| s.cleaned.as_str()),
    );
    let (roster_sorted, (returned_sorted, sent_sorted)) = rayon::join(
        || {
            let broken = |r: u32| !roster.well_formed[r as usize];
            let span = |r: u32| Some(roster_spans[r as usize]).filter(|s| !s.is_empty());
            sorted(roster.rows.len(), roster_texts, span, broken)
        },
        || {
            let none = |_| false;
            rayon::join(
                || {
                    let spans = returned_spans.as_ref()?;
                    let span = |r: u32| Some(spans[r as usize]).filter(|s| !s.is_empty());
                    Some(sorted(spans.len(), returned_texts, span, none))
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
    // The entries say where each key is: the rows' spans are done with.
    drop((roster_spans, returned_spans));
    let atomics = |n: usize| (0..n).map(|_| AtomicU32::new(u32::MAX)).collect::<Vec<_>>();
    let row_keys = [
        atomics(roster.rows.len()),
        atomics(returned.as_ref().map_or(0, |t| t.len())),
        atomics(sent.as_ref().map_or(0, |s| s.rows.len())),
    ];
    let sides = Sides {
        lists: [
            (&roster_sorted, roster_texts),
            (&returned_sorted, returned_texts),
            (&sent_sorted, sent_texts),
        ],
        keys: [&row_keys[0], &row_keys[1], &row_keys[2]],
    };
    // The parts merge side by side, each numbering its keys from the place
    // of its first entry; the numbers are made dense after.
    let bounds = bounds(&sides.lists, rayon::current_num_threads() * 4);
    let parts: Vec<(u32, Part)> = bounds
        .par_windows(2)
        .map(|w| {
            let base = (w[0][0] + w[0][1] + w[0][2]) as u32;
            (base, merge(&sides, roster, w[0], w[1], base))
        })
        .collect();
    let mut keys = Keys::with_capacity(
        roster_sorted.len().max(returned_sorted.len()),
        roster.cleaned.bytes(),
    );
    let mut person_of = Vec::with_capacity(roster_sorted.len());
    let mut groups = Groups {
        order: Vec::with_capacity(returned_sorted.len()),
        starts: Vec::with_capacity(roster_sorted.len().max(returned_sorted.len()) + 1),
    };
    let mut requests = sent.as_ref().map(|_| Vec::new());
    let mut findings = Vec::new();
    // Per part: its first number as written, and its first key.
    let mut shifts: Vec<(u32, u32)> = Vec::with_capacity(parts.len());
    for (base, part) in parts {
        let first = keys.len() as u32;
        shifts.push((base, first));
        keys.append(&part.keys);
        person_of.extend(part.person_of);
        let order = groups.order.len() as u32;
        groups.starts.extend(part.starts.iter().map(|s| s + order));
        groups.order.extend(part.order);
        if let Some(requests) = &mut requests {
            requests.extend(part.requests.iter().map(|&(k, row)| (Key(k + first), row)));
        }
        findings.extend(part.findings);
        for (key, first_line, line) in part.conflicts {
            roster
                .conflicts
                .entry(Key(key + first))
                .or_insert_with(|| vec![first_line])
                .push(line);
        }
    }
    groups.starts.push(groups.order.len() as u32);
    let dense = |written: &[AtomicU32]| -> Vec<Key> {
        written
            .par_iter()
            .map(|k| {
                let k = k.load(Ordering::Relaxed);
                if k == u32::MAX {
                    return Key::NONE;
                }
                let part = shifts.partition_point(|s| s.0 <= k) - 1;
                Key(k - shifts[part].0 + shifts[part].1)
            })
            .collect()
    };
    let [roster_keys, returned_keys, sent_keys] = &row_keys;
    roster.rows.keys = dense(roster_keys);
    roster
        .people
        .par_iter_mut()
        .zip(&roster.rows.keys)
        .enumerate()
        .for_each(|(row, (person, &key))| {
            if person_of.get(key.index()) == Some(&(row as u32)) {
                person.key = key;
            }
        });
    roster.person_of = person_of;
    roster.findings.extend(findings);
    roster.joined();
    if let Some(returned) = returned {
        returned.rows.keys = dense(returned_keys);
        returned.joined();
    }
    if let Some(sent) = sent {
        sent.rows.keys = dense(sent_keys);
        sent.joined();
    }
    Joined {
        keys,
        groups,
        requests,
    }
}

#[cfg(test)]
mod tests {
    use crate::check::roster::{Builder, Roster};
    use crate::finding::{Code, Detail};
    use crate::model::{CurrentProvider, Key, Number, Span};
    use crate::source::{read_bytes, ReadOptions};
    use crate::Settings;

    fn build(text: &str) -> (Roster, crate::model::Keys) {
        let settings =
            Settings::parse("[provider]\ndefault_region = \"US\"\n", "t.toml".as_ref()).unwrap();
        let (_, builder) = read_bytes(
            "roster.csv",
            text.as_bytes(),
            &ReadOptions::default(),
            |source| Builder::open(source, &settings, true),
        )
        .unwrap();
        let mut roster = builder.finish();
        let joined = super::join(&mut roster, None, None);
        (roster, joined.keys)
    }

    #[test]
    fn people_keep_the_cells_a_run_reads() {
        let (roster, keys) = build(
            "UserPrincipalName,DisplayName,Mail,CurrentProvider,CurrentTollNumber,CurrentTollFreeNumbers,CurrentConferenceId\n\
             Ann@X.example,\"Brown, Ann \"\"AB\"\"\",ann@x.example,InterCall,(425) 555-0100,+1 800 555 0199; 12,0042\n\
             bob@x.example,  Bob Lee ,,Microsoft,,,\n\
             cy@x.example,,Cy@X.example,,,,\n",
        );
        let names: Vec<(&str, &str, &str)> = (0..keys.len() as u32)
            .map(Key)
            .map(|k| {
                let p = roster.person(k).unwrap();
                (
                    keys.get(k),
                    roster.texts.get(p.display_name),
                    roster.mail(p, keys.get(k)),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("ann@x.example", "Brown, Ann \"AB\"", "ann@x.example"),
                ("bob@x.example", "Bob Lee", ""),
                ("cy@x.example", "", "Cy@X.example"),
            ]
        );
        let ann = roster.current(&roster.people[0]).unwrap();
        assert!(
            matches!(ann.provider, CurrentProvider::ThirdParty(s) if roster.texts.get(s) == "InterCall")
        );
        assert_eq!(
            ann.toll_number,
            roster.phones.find("+14255550100").map(Number::Phone)
        );
        assert!(
            matches!(roster.current_toll_free(ann)[1], Number::Text(s) if roster.texts.get(s) == "12")
        );
        assert_eq!(roster.texts.get(ann.conference_id.unwrap()), "0042");
        assert_eq!(
            roster.current(&roster.people[1]).unwrap().provider,
            CurrentProvider::Microsoft
        );
        assert!(roster.current(&roster.people[2]).is_none());
        assert_eq!(roster.texts.get(roster.written[0].0), "Ann@X.example");
        assert_eq!(roster.written[1].0, Span::KEY);
    }

    /// Each problem a roster row can have, one row each.
    #[test]
    fn each_roster_problem() {
        let (roster, keys) = build(
            "UserPrincipalName,DisplayName,AccountEnabled\n\
             ann@x,Ann,True\n\
             ,Nobody,True\n\
             ANN@x,Ann Other,True\n\
             bob@x,Bob,False\n\
             bob@x, Bob ,False\n\
             \"broken@x,B\n",
        );
        let mut found: Vec<(Code, u32, Detail)> = roster
            .findings
            .iter()
            .map(|f| (f.code, roster.rows.lines[f.row as usize], f.detail))
            .collect();
        found.sort_by_key(|f| f.1);
        assert_eq!(
            found,
            [
                (Code::EmptyKey, 3, Detail::None),
                (Code::DuplicateUser, 4, Detail::Line(2)),
                (Code::DuplicateRow, 6, Detail::Line(5)),
                (
                    Code::MalformedRow,
                    7,
                    Detail::Problem(crate::finding::Problem::BrokenQuote)
                ),
            ]
        );
        let ann = keys.find("ann@x").unwrap();
        assert_eq!(roster.conflicts[&ann], [2, 4]);
        let bob = keys.find("bob@x").unwrap();
        assert!(!roster.is_eligible(roster.person(ann).unwrap()));
        assert_eq!(roster.person(bob).unwrap().enabled, Some(false));
        // A broken row keeps its key, for the report; it is nobody's row.
        assert_eq!(roster.rows.keys[5], keys.find("broken@x,b").unwrap());
        assert!(roster.person(keys.find("broken@x,b").unwrap()).is_none());
    }
}
