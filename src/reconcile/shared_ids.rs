//! A conference ID given to several people rejects all of them
//! (`duplicate-conference-id`).

use super::join::sorted;
use crate::columns::Field;
use crate::finding::{Code, Detail, Finding, Input};
use crate::model::{CheckedRow, Key, Span, Texts};

/// An ID and the people it was given to, in key order.
pub type Shared = (Span, Box<[Key]>);

/// Marks the rows whose ID another person's row has too. Copies of a row
/// (`copy_of`) count once, as the row they copy. The rows are sorted by
/// ID, so that each ID's rows stand together.
pub fn mark(
    rows: &mut [CheckedRow],
    keys: &[Key],
    ids: &Texts,
    copy_of: &[u32],
    findings: &mut Vec<Finding>,
    shared: &mut Vec<Shared>,
) {
    let counted = |row: u32| {
        let r = row as usize;
        copy_of[r] == u32::MAX && !rows[r].conference_id.is_empty() && keys[r] != Key::NONE
    };
    let by_id = sorted(
        rows.len(),
        ids.as_str(),
        |row| counted(row).then(|| rows[row as usize].conference_id),
        |_| false,
    );
    let text = |e: &(_, u32, Span)| e.2.read(ids.as_str());
    // The runs of rows of one ID given to more than one person.
    let mut runs: Vec<(usize, usize, Box<[Key]>)> = Vec::new();
    // IDs are digits: one of at most sixteen is all in its prefix, and
    // is told from the next without reading it.
    let same = |a: &(_, u32, Span), b: &(_, u32, Span)| {
        let (pa, pb): (&[u8; 16], &[u8; 16]) = (&a.0, &b.0);
        pa == pb && (pa[15] == 0 || text(a) == text(b))
    };
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
        for &(_, row, _) in run {
            rows[row as usize].error = true;
            let finding = Finding::new(Code::DuplicateConferenceId, Input::Returned, row)
                .field(Field::ConferenceId)
                .detail(Detail::Shared(index));
            findings.push(finding);
        }
    }
}
