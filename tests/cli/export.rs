//! `export`, and the round trip: export, the vendor fills the file in,
//! reconcile with `--sent`.

use crate::common::{fixture, reconcile_configured, write};
use assert_cmd::Command;
use calamine::{open_workbook, Data, Reader, Xlsx};
use std::collections::BTreeSet;
use std::path::Path;
use tempfile::TempDir;

fn export(roster: &Path, out: &Path) -> (i32, String, String) {
    let config = fixture("acp.toml");
    let output = Command::cargo_bin("acp-recon")
        .unwrap()
        .args(["export", "--roster"])
        .arg(roster)
        .arg("--out")
        .arg(out)
        .arg("--config")
        .arg(config)
        .arg("--no-ledger")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.starts_with('\u{feff}'),
        "Excel-facing CSV starts with a BOM"
    );
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn exports_eligible_people_and_lists_everyone_left_out() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("to-vendor.csv");
    let (status, stdout, stderr) = export(&fixture("roster-roundtrip.csv"), &out);
    assert_eq!(
        status, 1,
        "the roster has a row without key and a conflicting duplicate"
    );
    assert!(stdout.contains("exported 9 people"), "{stdout}");
    let rows = read_csv(&out);
    assert_eq!(rows[0], acp_recon::export::COLUMNS);
    let keys: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        keys,
        [
            "amara.okafor@contoso.example",
            "ben.carter@contoso.example",
            "carla.mendes@contoso.example",
            "dev.sharma@contoso.example",
            "emma.schulz@contoso.example",
            "felix.wagner@contoso.example",
            "grace.kim@contoso.example",
            "hugo.lefevre@contoso.example",
            "lena.novak@contoso.example",
        ]
    );
    // Provider pre-filled from the config, the vendor's columns empty.
    assert_eq!(
        rows[1][3..],
        [
            "Fabrikam Conferencing",
            "acp.fabrikam.example",
            "",
            "",
            "",
            ""
        ]
    );
    assert_eq!(rows[8][1], "Hugo Lefèvre");

    let excluded = read_csv(&dir.path().join("to-vendor-excluded.csv"));
    let reasons: Vec<(String, String)> = excluded[1..]
        .iter()
        .map(|r| (r[2].clone(), r[3].clone()))
        .collect();
    let lines: Vec<&str> = reasons.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(lines, ["10", "11", "12", "13", "14", "16"]);
    assert!(reasons[0].1.contains("disabled"));
    assert!(reasons[1].1.contains("TeamsOnly"));
    assert!(reasons[2].1.contains("no UserPrincipalName"));
    assert!(reasons[3].1.contains("listed again with other values"));
    assert!(reasons[4].1.contains("other values"));
    assert!(reasons[5].1.contains("sent once"));
    assert!(stderr.contains("6 people left out"), "{stderr}");
}

#[test]
fn the_xlsx_export_holds_only_text_cells() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("to-vendor.xlsx");
    let (status, _, _) = export(&fixture("roster.csv"), &out);
    assert_eq!(status, 0);
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let range = book.worksheet_range("Users").unwrap();
    assert_eq!(range.height(), 25, "header and 24 eligible people");
    let mut seen = 0;
    for row in range.rows() {
        for cell in row {
            match cell {
                Data::String(_) | Data::Empty => seen += 1,
                other => panic!("a cell that is not text: {other:?}"),
            }
        }
    }
    assert_eq!(seen, 25 * 9);
    assert_eq!(
        range.get_value((1, 0)),
        Some(&Data::String("ann.lee@contoso.example".into()))
    );
    assert_eq!(
        range.get_value((0, 7)),
        Some(&Data::String("ConferenceId".into()))
    );
}

#[test]
fn each_batch_keeps_its_own_list_of_people_left_out() {
    let dir = TempDir::new().unwrap();
    for batch in ["batch1.csv", "batch2.xlsx"] {
        let (status, _, _) = export(&fixture("roster-roundtrip.csv"), &dir.path().join(batch));
        assert_eq!(status, 1);
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "batch1-excluded.csv",
            "batch1.csv",
            "batch2-excluded.csv",
            "batch2.xlsx"
        ]
    );
}

#[test]
fn an_unknown_export_format_exits_2_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("to-vendor.txt");
    let (status, _, stderr) = export(&fixture("roster.csv"), &out);
    assert_eq!(status, 2);
    assert!(stderr.contains(".xlsx"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// The vendor's side of the round trip: fills every row, saves with `;` and
/// CRLF as European Excel does, and makes the planted mistakes.
fn fill_as_vendor(sent: &Path) -> Vec<u8> {
    let rows = read_csv(sent);
    let mut out = String::from("UserPrincipalName;DisplayName;SipAddress;ProviderName;Domain;TollNumber;TollFreeNumbers;ConferenceId;Url\r\n");
    for (i, row) in rows[1..].iter().enumerate() {
        let key = row[0].as_str();
        let mut id = format!("{:07}", 4_200_000 + i);
        let mut toll = "+1 425 555 0100".to_string();
        match key {
            "ben.carter@contoso.example" => continue, // missing-from-return
            "carla.mendes@contoso.example" => id = "42AB001".into(), // invalid-conference-id
            "dev.sharma@contoso.example" => toll = "1.42555E+10".into(), // excel-mangled
            "felix.wagner@contoso.example" => id = "4200000".into(), // duplicate-conference-id with amara
            _ => {}
        }
        out.push_str(&format!(
            "{key};{};{};{};{};{toll};+1 800 555 0199;{id};https://acp.fabrikam.example/numbers\r\n",
            row[1], row[2], row[3], row[4]
        ));
    }
    // Someone nobody asked for: not-in-roster.
    out.push_str("zed.unknown@contoso.example;Zed;;Fabrikam Conferencing;acp.fabrikam.example;+14255550100;;4299999;\r\n");
    out.into_bytes()
}

fn is_roster(finding: &serde_json::Value) -> bool {
    finding["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("/roster-roundtrip.csv"))
}

#[test]
fn round_trip_plans_exactly_the_good_people_and_finds_exactly_the_planted_mistakes() {
    let dir = TempDir::new().unwrap();
    let roster = fixture("roster-roundtrip.csv");
    let sent = dir.path().join("sent.csv");
    export(&roster, &sent);
    let returned = write(&dir, "returned.csv", &fill_as_vendor(&sent));
    let run = reconcile_configured(&roster, &returned, &["--sent", sent.to_str().unwrap()], &[]);
    assert_eq!(run.status, 1, "{}", run.stderr);

    let plan: BTreeSet<String> = run.csv("import-plan.csv")[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    let good: BTreeSet<String> = ["emma.schulz", "grace.kim", "hugo.lefevre", "lena.novak"]
        .iter()
        .map(|n| format!("{n}@contoso.example"))
        .collect();
    assert_eq!(plan, good);

    // Besides the roster's own problems (reported against roster-roundtrip.csv),
    // exactly the planted mistakes.
    let report = run.report();
    let got: BTreeSet<(String, Option<String>)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !is_roster(f) || f["code"] == "missing-from-return")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["key"].as_str().map(String::from),
            )
        })
        .collect();
    let roster_own: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| is_roster(f) && f["code"] != "missing-from-return")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        roster_own,
        BTreeSet::from(["duplicate-row", "duplicate-user", "empty-key"])
    );
    let key = |n: &str| Some(format!("{n}@contoso.example"));
    let want: BTreeSet<(String, Option<String>)> = [
        ("missing-from-return", key("ben.carter")),
        ("invalid-conference-id", key("carla.mendes")),
        ("excel-mangled", key("dev.sharma")),
        ("duplicate-conference-id", key("amara.okafor")),
        ("duplicate-conference-id", key("felix.wagner")),
        ("not-in-roster", key("zed.unknown")),
    ]
    .into_iter()
    .map(|(c, k)| (c.to_string(), k))
    .collect();
    assert_eq!(got, want);
    let a = &run.report()["summary"]["accounting"];
    assert_eq!(a["requested"], 9);
    assert_eq!(a["requested_balanced"], true);
}
