//! A person's several returned rows: identical copies are read once
//! (`duplicate-row`); rows that disagree reject the person
//! (`duplicate-user`).

use super::join::Joined;
use crate::check::returned::Returned;
use crate::columns::Field;
use crate::finding::{Code, Detail, Finding, Input};
use crate::model::{CheckedRow, Key};
use crate::normalize::text::trim_cell;
use crate::source::Record;

/// Marks the duplicates among each key's rows. Returns, per row, the row
/// it is an identical copy of (`u32::MAX` for none); the lines of the rows
/// that disagree go to `lists`.
pub fn mark(
    returned: &Returned,
    joined: &Joined,
    rows: &mut [CheckedRow],
    findings: &mut Vec<Finding>,
    lists: &mut Vec<Box<[u32]>>,
) -> Vec<u32> {
    let mut copy_of = vec![u32::MAX; rows.len()];
    for key in (0..joined.keys.len() as u32).map(Key) {
        let group = joined.groups.rows(key);
        if group.len() < 2 {
            continue;
        }
        let mut distinct: Vec<u32> = Vec::new();
        for &row in group {
            let record = returned.row(row);
            match distinct
                .iter()
                .find(|&&d| same_row(&returned.row(d), &record))
            {
                Some(&original) => {
                    copy_of[row as usize] = original;
                    let line = returned.rows.lines[original as usize];
                    let finding = Finding::new(Code::DuplicateRow, Input::Returned, row);
                    findings.push(finding.detail(Detail::Line(line)));
                }
                None => distinct.push(row),
            }
        }
        if distinct.len() < 2 {
            continue;
        }
        for &row in &distinct {
            let others: Box<[u32]> = distinct
                .iter()
                .filter(|&&o| o != row)
                .map(|&o| returned.rows.lines[o as usize])
                .collect();
            lists.push(others);
            let finding = Finding::new(Code::DuplicateUser, Input::Returned, row)
                .field(Field::Key)
                .detail(Detail::Lines(lists.len() as u32 - 1));
            findings.push(finding);
            rows[row as usize].error = true;
        }
    }
    copy_of
}

/// Two rows with the same cells, compared as trimmed text (PIN cells are
/// empty in kept rows).
pub fn same_row(a: &Record<'_>, b: &Record<'_>) -> bool {
    let width = a.len().max(b.len());
    (0..width).all(|c| trim_cell(a.get(Some(c))) == trim_cell(b.get(Some(c))))
}
