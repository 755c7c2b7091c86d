//! The send-back file comes back: the vendor fixes the flagged cells of
//! send-back.csv and returns it, as CSV or saved from Excel as a workbook,
//! and the fixed people are planned as if the answer had been right the
//! first time.

use crate::common::{fixture, reconcile_configured, Run};
use rust_xlsxwriter::Workbook;
use std::collections::BTreeSet;
use std::path::Path;
use tempfile::TempDir;

/// The cells the vendor got wrong the first time: `(key, column, wrong)`.
const BROKEN: [(&str, &str, &str); 3] = [
    ("ann.lee@contoso.example", "TollNumber", "+1 425"),
    ("bob.ortiz@contoso.example", "ConferenceId", "51O0002"),
    ("chloe.martin@contoso.example", "TollNumber", "1 425 555"),
];

fn read(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let text = text.strip_prefix("#TYPE").map_or(text, |rest| {
        rest.split_once('\n').map_or("", |(_, rest)| rest)
    });
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

fn write(path: &Path, rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

/// Sets `column` of `key`'s row to `value`.
fn set(rows: &mut [Vec<String>], key: &str, column: &str, value: &str) {
    let c = rows[0].iter().position(|h| h == column).unwrap();
    let row = rows.iter_mut().find(|r| r[0] == key).unwrap();
    row[c] = value.to_string();
}

fn run(returned: &Path) -> Run {
    let sent = fixture("sent.csv");
    reconcile_configured(
        &fixture("roster.csv"),
        returned,
        &["--sent", sent.to_str().unwrap()],
        &[],
    )
}

/// The plan rows and the `(code, key)` of the findings of the people in
/// `keys`.
fn of(run: &Run, keys: &BTreeSet<&str>) -> (Vec<Vec<String>>, Vec<(String, String)>) {
    let plan = run
        .csv("import-plan.csv")
        .into_iter()
        .filter(|r| keys.contains(r[0].as_str()))
        .collect();
    let mut findings: Vec<(String, String)> = run
        .findings()
        .into_iter()
        .filter_map(|(code, key, _)| Some((code, key?)))
        .filter(|(_, key)| keys.contains(key.as_str()))
        .collect();
    findings.sort();
    (plan, findings)
}

/// Excel opening the CSV and saving it as a workbook: number-like cells
/// become numbers, the rest text.
fn as_workbook(rows: &[Vec<String>], path: &Path) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if !cell.starts_with(['+', '0']) => sheet.write_number(r, c, n),
                _ => sheet.write_string(r, c, cell),
            }
            .unwrap();
        }
    }
    book.save(path).unwrap();
}

#[test]
fn a_fixed_send_back_file_comes_back_as_csv_and_as_a_workbook() {
    let dir = TempDir::new().unwrap();
    let clean = read(&fixture("returned-clean.csv"));
    let keys: BTreeSet<&str> = BROKEN.iter().map(|b| b.0).collect();
    let right = run(&fixture("returned-clean.csv"));
    let expected = of(&right, &keys);
    assert_eq!(expected.0.len(), 3, "all three planned when right");

    let mut broken = clean.clone();
    for (key, column, wrong) in BROKEN {
        set(&mut broken, key, column, wrong);
    }
    let first = dir.path().join("first.csv");
    write(&first, &broken);
    let first = run(&first);
    let mut fixed = read(&first.out().join("send-back.csv"));
    assert_eq!(fixed.len(), 4, "the three broken rows are sent back");
    assert_eq!(fixed[0].last().unwrap(), "Problems");
    // The vendor fixes the flagged cells and leaves the rest as it was:
    // neutralised phone cells and the Problems column come back too.
    for (key, column, _) in BROKEN {
        let c = clean[0].iter().position(|h| h == column).unwrap();
        let right = &clean.iter().find(|r| r[0] == key).unwrap()[c];
        set(&mut fixed, key, column, right);
    }
    assert!(
        fixed.iter().flatten().any(|cell| cell.starts_with("'+")),
        "send-back neutralised a phone cell: {fixed:?}"
    );

    let csv = dir.path().join("fixed.csv");
    write(&csv, &fixed);
    let xlsx = dir.path().join("fixed.xlsx");
    as_workbook(&fixed, &xlsx);
    for returned in [&csv, &xlsx] {
        let back = run(returned);
        assert_eq!(of(&back, &keys), expected, "{}", returned.display());
        // Sent back again, the file still has one Problems column.
        let again = back.csv("send-back.csv");
        let headers = &again[0];
        assert_eq!(headers.iter().filter(|h| *h == "Problems").count(), 1);
    }
}
