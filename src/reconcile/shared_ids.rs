//! A conference ID given to several people rejects all of them
//! (`duplicate-conference-id`).

use super::join::{prefix, Prefix, PREFIX};
use crate::columns::Field;
use crate::config::Target;
use crate::finding::{Code, Detail, Finding, Input};
use crate::model::{CheckedRow, Key, Span, Texts};
use rayon::prelude::*;

/// An ID and the people it was given to, in key order.
pub type Shared = (Span, Box<[Key]>);

/// Marks the rows whose ID another person's row has too. Copies of a row
/// (`copy_of`) count once, as the row they copy. The rows are sorted by
/// ID, so that each ID's rows stand together.
pub fn mark(
    target: Target,
    rows: &mut [CheckedRow],
    keys: &[Key],
    ids: &Texts,
    copy_of: &[u32],
    findings: &mut Vec<Finding>,
    shared: &mut Vec<Shared>,
) {
    // Teams makes conference IDs itself: none is planned, none shared.
    if target == Target::Teams {
        return;
    }
    let counted = |row: u32| {
        let r = row as usize;
        copy_of[r] == u32::MAX && !rows[r].conference_id.is_empty() && keys[r] != Key::NONE
    };
    // Sorted by ID, then row. IDs are digits: one shorter than the prefix
    // is all in it, and sorts and is told from the next without reading it.
    let text = |row: u32| ids.get(rows[row as usize].conference_id);
    let compare = |a: &(Prefix, u32), b: &(Prefix, u32)| {
        let full = a.0[PREFIX - 1] != 0;
        a.0.cmp(&b.0)
            .then_with(|| match full {
                true => text(a.1).cmp(text(b.1)),
                false => std::cmp::Ordering::Equal,
            })
            .then(a.1.cmp(&b.1))
    };
    let mut by_id: Vec<(Prefix, u32)> = (0..rows.len() as u32)
        .into_par_iter()
        .filter(|&row| counted(row))
        .map(|row| (prefix(text(row)), row))
        .collect();
    by_id.par_sort_unstable_by(compare);
    let same = |a: &(Prefix, u32), b: &(Prefix, u32)| {
        a.0 == b.0 && (a.0[PREFIX - 1] == 0 || text(a.1) == text(b.1))
    };
    // The runs of rows of one ID given to more than one person.
    let mut runs: Vec<(usize, usize, Box<[Key]>)> = Vec::new();
    let mut start = 0;
    while start < by_id.len() {
        let len = by_id[start..]
            .iter()
            .take_while(|e| same(e, &by_id[start]))
            .count();
        let mut people: Vec<Key> = by_id[start..start + len]
            .iter()
            .map(|e| keys[e.1 as usize])
            .collect();
        people.sort_unstable();
        people.dedup();
        if people.len() > 1 {
            runs.push((start, len, people.into()));
        }
        start += len;
    }
    for (start, len, people) in runs {
        let run = &by_id[start..start + len];
        shared.push((rows[run[0].1 as usize].conference_id, people));
        let index = shared.len() as u32 - 1;
        for &(_, row) in run {
            rows[row as usize].error = true;
            let finding = Finding::new(Code::DuplicateConferenceId, Input::Returned, row)
                .field(Field::ConferenceId)
                .detail(Detail::Shared(index));
            findings.push(finding);
        }
    }
}
