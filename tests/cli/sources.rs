//! What vendors really send: workbooks, UTF-16 text, Windows-1252, broken rows.

use crate::common::{fixture, reconcile_configured, Run};
use rust_xlsxwriter::{Format, Workbook};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn run_returned(returned: &Path, extra: &[&str]) -> Run {
    reconcile_configured(&fixture("roster.csv"), returned, extra, &[])
}

/// The plan and every finding of a run, for a snapshot.
fn pinned(run: &Run) -> String {
    let mut out = run.read("import-plan.csv");
    out.push_str("---\n");
    for f in run.report()["findings"].as_array().unwrap() {
        out.push_str(&format!(
            "{} {} {} {} {}\n",
            f["code"].as_str().unwrap(),
            f["key"].as_str().unwrap_or("-"),
            f["line"],
            f.get("cell").and_then(|c| c.as_str()).unwrap_or("-"),
            f["field"].as_str().unwrap_or("-"),
        ));
    }
    out
}

fn key(name: &str) -> Option<String> {
    Some(format!("{name}@contoso.example"))
}

/// A vendor workbook: a title on row 1, the header on row 3, phone and ID
/// cells that Excel turned into numbers, one ID formatted `00000000`.
fn vendor_workbook(dir: &TempDir) -> PathBuf {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Assignments").unwrap();
    sheet
        .write_string(0, 0, "Fabrikam Conferencing: bridge details for Contoso")
        .unwrap();
    let header = [
        "UserPrincipalName",
        "DisplayName",
        "ProviderName",
        "Domain",
        "TollNumber",
        "TollFreeNumbers",
        "ConferenceId",
        "Leader PIN",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let zeros = Format::new().set_num_format("00000000");
    let people: [(&str, &str, f64, Option<&str>); 5] = [
        // A number that is a valid E.164 number once its + is back: taken.
        ("ann.lee", "Ann Lee", 14255550100.0, None),
        // A national number stored as a number: ambiguous, never guessed.
        ("bob.ortiz", "Bob Ortiz", 4255550100.0, None),
        ("chloe.martin", "Chloe Martin", 14255550100.0, None),
        ("dmitri.petrov", "Dmitri Petrov", 14255550100.0, None),
        ("kwame.mensah", "Kwame Mensah", 14255550100.0, None),
    ];
    for (r, (name, display, toll, _)) in people.iter().enumerate() {
        let row = r as u32 + 3;
        sheet
            .write_string(row, 0, format!("{name}@contoso.example"))
            .unwrap();
        sheet.write_string(row, 1, *display).unwrap();
        sheet.write_string(row, 2, "Fabrikam Conferencing").unwrap();
        sheet.write_string(row, 3, "acp.fabrikam.example").unwrap();
        sheet.write_number(row, 4, *toll).unwrap();
        sheet.write_string(row, 5, "+18005550199").unwrap();
        sheet.write_number(row, 7, 7391000.0 + r as f64).unwrap();
    }
    // ann: an ID cell formatted with leading zeros; bob: a plain number;
    // chloe: a fraction Excel cannot have meant; dmitri: text; kwame: too long.
    sheet
        .write_number_with_format(3, 6, 12345.0, &zeros)
        .unwrap();
    sheet.write_number(4, 6, 5100002.0).unwrap();
    sheet.write_number(5, 6, 5100003.5).unwrap();
    sheet.write_string(6, 6, "4000001").unwrap();
    sheet.write_number(7, 6, 1.2345678901234568e17).unwrap();
    book.add_worksheet().set_name("Notes").unwrap();
    let path = dir.path().join("returned.xlsx");
    book.save(&path).unwrap();
    path
}

#[test]
fn reads_a_workbook_with_a_title_and_numeric_cells() {
    let dir = TempDir::new().unwrap();
    let returned = vendor_workbook(&dir);
    let run = run_returned(&returned, &[]);
    let report = run.report();
    let findings: Vec<&serde_json::Value> = report["findings"].as_array().unwrap().iter().collect();
    let of = |code: &str, who: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code && f["key"].as_str() == key(who).as_deref())
            .unwrap_or_else(|| panic!("no {code} for {who}: {findings:#?}"))
    };
    // The header was found on row 3; data rows keep their sheet rows.
    let bob = of("excel-mangled", "bob.ortiz");
    assert_eq!(bob["line"], 5);
    assert_eq!(bob["cell"], "Assignments!E5");
    assert_eq!(bob["field"], "TollNumber");
    assert!(
        bob["message"].as_str().unwrap().contains("+14255550100"),
        "{bob}"
    );
    assert_eq!(
        of("excel-mangled", "chloe.martin")["cell"],
        "Assignments!G6"
    );
    assert_eq!(
        of("excel-mangled", "kwame.mensah")["cell"],
        "Assignments!G8"
    );
    assert!(of("excel-mangled", "kwame.mensah")["message"]
        .as_str()
        .unwrap()
        .contains("more than 15 digits"));

    let plan = run.csv("import-plan.csv");
    let ann = plan
        .iter()
        .find(|r| r[0] == "ann.lee@contoso.example")
        .unwrap();
    assert_eq!(ann[3], "+14255550100", "the number cell's + restored");
    // ... and said, with the cell as received and the value planned.
    let repaired = of("excel-repaired", "ann.lee");
    assert_eq!(repaired["cell"], "Assignments!E4");
    assert_eq!(repaired["value"], "14255550100");
    assert_eq!(repaired["severity"], "warning");
    assert!(
        repaired["message"]
            .as_str()
            .unwrap()
            .contains("\"14255550100\" looks like an international number whose leading + was lost; it is planned as +14255550100"),
        "{repaired}"
    );
    assert_eq!(ann[5], "00012345", "the 00000000 format restores the zeros");
    assert!(plan.iter().all(|r| r[0] != "bob.ortiz@contoso.example"));
    // dmitri's text ID cell equals his current ID; only his toll-free list changes.
    let dmitri = plan
        .iter()
        .find(|r| r[0] == "dmitri.petrov@contoso.example")
        .unwrap();
    assert_eq!(
        (dmitri[5].as_str(), dmitri[7].as_str()),
        ("4000001", "update")
    );
    assert!(!findings
        .iter()
        .any(|f| f["code"] == "conference-id-changed"));

    let input = &report["inputs"][1];
    assert_eq!(input["encoding"], "xlsx");
    assert_eq!(input["delimiter"], "sheet Assignments");
    assert!(
        run.stdout.contains("(xlsx, sheet Assignments, "),
        "{}",
        run.stdout
    );
    // PIN cells of a workbook go nowhere either.
    for name in crate::common::OUTPUTS {
        assert!(!run.read(name).contains("739100"), "PIN in {name}");
    }
    // errors.csv names the cell.
    assert!(run
        .read("errors.csv")
        .contains("returned.xlsx, Assignments!E5"));
    insta::assert_snapshot!("workbook", pinned(&run));
}

#[test]
fn a_wrong_sheet_name_lists_the_sheets_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let returned = vendor_workbook(&dir);
    let run = run_returned(&returned, &["--sheet", "Sheet1"]);
    assert_eq!(run.status, 2);
    assert!(
        run.stderr.contains("has no sheet named \"Sheet1\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("\"Assignments\", \"Notes\""),
        "{}",
        run.stderr
    );
    assert!(!run.out().exists());
    let named = run_returned(&returned, &["--sheet", "assignments"]);
    assert_eq!(named.status, 1);
}

#[test]
fn reads_utf16_unicode_text_with_tabs() {
    let run = run_returned(&fixture("returned-utf16.txt"), &[]);
    let report = run.report();
    assert_eq!(report["inputs"][1]["encoding"], "UTF-16LE");
    assert_eq!(report["inputs"][1]["delimiter"], "tab");
    let plan = run.csv("import-plan.csv");
    let keys: Vec<&str> = plan[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        keys,
        [
            "ann.lee@contoso.example",
            "elise.dubois@contoso.example",
            "maria.garcia@contoso.example"
        ]
    );
    // Echoed accented names match the roster: no identity-mismatch.
    assert!(!run.findings().iter().any(|f| f.0 == "identity-mismatch"));
    let elise = &plan[2];
    assert_eq!(
        (elise[3].as_str(), elise[5].as_str()),
        ("+14255550100", "0004000002")
    );
    insta::assert_snapshot!("utf16", pinned(&run));
}

#[test]
fn reads_windows_1252_with_semicolons() {
    let run = run_returned(&fixture("returned-1252.csv"), &[]);
    let report = run.report();
    assert_eq!(report["inputs"][1]["encoding"], "Windows-1252");
    assert_eq!(report["inputs"][1]["delimiter"], ";");
    let findings = run.findings();
    // The curly apostrophe decoded right, so Tara's name matches the roster.
    assert!(
        !findings.iter().any(|f| f.0 == "identity-mismatch"),
        "{findings:?}"
    );
    assert!(findings.contains(&("excel-mangled".into(), key("zoe.klein"), Some(3))));
    let plan = run.csv("import-plan.csv");
    assert!(plan.iter().any(|r| r[0] == "tara.obrien@contoso.example"));
    insta::assert_snapshot!("windows-1252", pinned(&run));
}

#[test]
fn a_file_ending_inside_a_quote_loses_only_its_last_row() {
    let run = run_returned(&fixture("returned-open-quote.csv"), &[]);
    let findings = run.findings();
    assert!(findings.contains(&("malformed-row".into(), key("chloe.martin"), Some(4))));
    let plan = run.csv("import-plan.csv");
    let keys: Vec<&str> = plan[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        keys,
        ["ann.lee@contoso.example", "bob.ortiz@contoso.example"]
    );
    let a = &run.report()["summary"]["accounting"];
    assert_eq!(a["rows_balanced"], true);
    insta::assert_snapshot!("open-quote", pinned(&run));
}

#[test]
fn a_workbook_roster_reads_booleans() {
    let dir = TempDir::new().unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in [
        "UserPrincipalName",
        "DisplayName",
        "AccountEnabled",
        "HireDate",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, (name, enabled)) in [("ann.lee", true), ("bob.ortiz", false)].iter().enumerate() {
        let row = r as u32 + 1;
        sheet
            .write_string(row, 0, format!("{name}@contoso.example"))
            .unwrap();
        sheet.write_string(row, 1, *name).unwrap();
        sheet.write_boolean(row, 2, *enabled).unwrap();
        sheet
            .write_number_with_format(row, 3, 45292.0, &date)
            .unwrap();
    }
    let roster = dir.path().join("roster.xlsx");
    book.save(&roster).unwrap();
    let out = dir.path().join("send.csv");
    let output = assert_cmd::Command::cargo_bin("acp-recon")
        .unwrap()
        .args([
            "export",
            "--roster",
            roster.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .env("ACP_RECON_LEDGER", dir.path().join("acp-recon.db"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let sent = std::fs::read_to_string(&out).unwrap();
    assert!(sent.contains("ann.lee@contoso.example"));
    assert!(!sent.contains("bob.ortiz@contoso.example"));
    let excluded = std::fs::read_to_string(dir.path().join("send-excluded.csv")).unwrap();
    assert!(
        excluded.contains("bob.ortiz@contoso.example,bob.ortiz,3,the account is disabled"),
        "{excluded}"
    );
}

#[test]
fn the_roster_sheet_is_picked_by_name_and_out_has_a_short_flag() {
    let dir = TempDir::new().unwrap();
    let mut book = Workbook::new();
    book.add_worksheet().set_name("Notes").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Users").unwrap();
    let roster = std::fs::read_to_string(fixture("roster.csv")).unwrap();
    for (r, line) in roster.lines().enumerate() {
        let cells: Vec<String> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(String::from)
            .collect();
        for (c, cell) in cells.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, cell).unwrap();
        }
    }
    let path = dir.path().join("roster.xlsx");
    book.save(&path).unwrap();
    let out = dir.path().join("plan");
    let run = |sheet: &str| {
        assert_cmd::Command::cargo_bin("acp-recon")
            .unwrap()
            .arg("reconcile")
            .arg("--roster")
            .arg(&path)
            .args(["--roster-sheet", sheet, "--returned"])
            .arg(fixture("returned.csv"))
            .arg("-o")
            .arg(&out)
            .env("ACP_RECON_LEDGER", dir.path().join("acp-recon.db"))
            .output()
            .unwrap()
    };
    // The first sheet is empty: the roster is on "Users".
    assert_eq!(run("Notes").status.code(), Some(2));
    assert_eq!(run("Users").status.code(), Some(1));
    let plan = std::fs::read_to_string(out.join("import-plan.csv")).unwrap();
    assert!(plan.contains("ann.lee@contoso.example"), "{plan}");
}

/// The workbook of `fixtures/returned.xls` and `returned.ods` (saved from
/// one `.xlsx` by LibreOffice), as an `.xlsb`: Excel's binary workbook,
/// built record by record ([MS-XLSB]) as Excel lays it out.
fn xlsb() -> Vec<u8> {
    use std::io::Write;
    fn record(out: &mut Vec<u8>, kind: u16, payload: &[u8]) {
        match kind {
            0..=0x7F => out.push(kind as u8),
            _ => out.extend([(kind & 0x7F) as u8 | 0x80, (kind >> 7) as u8]),
        }
        let mut len = payload.len();
        loop {
            let byte = (len & 0x7F) as u8;
            len >>= 7;
            out.push(if len > 0 { byte | 0x80 } else { byte });
            if len == 0 {
                break;
            }
        }
        out.extend_from_slice(payload);
    }
    fn wide(text: &str) -> Vec<u8> {
        let units: Vec<u16> = text.encode_utf16().collect();
        let mut out = (units.len() as u32).to_le_bytes().to_vec();
        for u in units {
            out.extend(u.to_le_bytes());
        }
        out
    }
    let rows: [[&str; 7]; 4] = [
        [
            "UserPrincipalName",
            "ProviderName",
            "Domain",
            "TollNumber",
            "TollFreeNumbers",
            "ConferenceId",
            "Leader PIN",
        ],
        [
            "ann.lee@contoso.example",
            "Fabrikam Conferencing",
            "acp.fabrikam.example",
            "+14255550100",
            "+18005550199",
            "5100001",
            "918273",
        ],
        [
            "bob.ortiz@contoso.example",
            "Fabrikam Conferencing",
            "acp.fabrikam.example",
            "+14255550100",
            "",
            "51000002",
            "564738",
        ],
        [
            "chloe.martin@contoso.example",
            "Fabrikam Conferencing",
            "acp.fabrikam.example",
            "+14255550100",
            "",
            "5100003",
            "",
        ],
    ];
    let mut book = Vec::new();
    let mut sheet_entry = 0u32.to_le_bytes().to_vec(); // visible
    sheet_entry.extend(1u32.to_le_bytes()); // tab id
    sheet_entry.extend(wide("rId1"));
    sheet_entry.extend(wide("Assignments"));
    record(&mut book, 0x009C, &sheet_entry); // BrtBundleSh
    record(&mut book, 0x0090, &[]); // BrtEndBundleShs
    record(&mut book, 0x0084, &[]); // BrtEndBook
    let mut sheet = Vec::new();
    let mut dimension = Vec::new();
    for n in [0u32, 3, 0, 6] {
        dimension.extend(n.to_le_bytes());
    }
    record(&mut sheet, 0x0094, &dimension); // BrtWsDim
    record(&mut sheet, 0x0091, &[]); // BrtBeginSheetData
    for (r, row) in rows.iter().enumerate() {
        record(&mut sheet, 0x0000, &(r as u32).to_le_bytes()); // BrtRowHdr
        for (c, cell) in row.iter().enumerate() {
            let mut payload = (c as u32).to_le_bytes().to_vec();
            payload.extend(0u32.to_le_bytes()); // style
            if r == 2 && c == 5 {
                // An ID Excel took for a number.
                payload.extend(51000002f64.to_le_bytes());
                record(&mut sheet, 0x0005, &payload); // BrtCellReal
            } else if !cell.is_empty() {
                payload.extend(wide(cell));
                record(&mut sheet, 0x0006, &payload); // BrtCellSt
            }
        }
    }
    record(&mut sheet, 0x0092, &[]); // BrtEndSheetData
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in [
        ("xl/workbook.bin", &book[..]),
        ("xl/_rels/workbook.bin.rels", rels.as_bytes()),
        ("xl/worksheets/sheet1.bin", &sheet[..]),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// `.xls`, `.ods` and `.xlsb` read as `.xlsx` does: text cells as written,
/// a number cell judged by its digits, the cell named on a finding, and no
/// PIN anywhere.
#[test]
fn reads_xls_ods_and_xlsb_workbooks() {
    let dir = TempDir::new().unwrap();
    let built = dir.path().join("returned.xlsb");
    std::fs::write(&built, xlsb()).unwrap();
    for (returned, kind) in [
        (fixture("returned.xls"), "xls"),
        (fixture("returned.ods"), "ods"),
        (built, "xlsb"),
    ] {
        let run = run_returned(&returned, &[]);
        assert_eq!(run.status, 1, "{kind}: {}", run.stderr);
        let report = run.report();
        assert_eq!(report["inputs"][1]["encoding"], kind);
        assert_eq!(report["inputs"][1]["delimiter"], "sheet Assignments");
        let plan = run.csv("import-plan.csv");
        let planned: Vec<(&str, &str)> = plan[1..]
            .iter()
            .map(|r| (r[0].as_str(), r[5].as_str()))
            .collect();
        assert!(
            planned.contains(&("ann.lee@contoso.example", "5100001")),
            "{kind}: {planned:?}"
        );
        assert!(
            planned.contains(&("chloe.martin@contoso.example", "5100003")),
            "{kind}: {planned:?}"
        );
        // Bob's ID is a number cell whose digits are unambiguous: taken.
        assert!(
            planned.contains(&("bob.ortiz@contoso.example", "51000002")),
            "{kind}: {planned:?}"
        );
        // Findings name their cell.
        let pins: Vec<&serde_json::Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "pin-column-ignored")
            .collect();
        assert_eq!(pins.len(), 1, "{kind}");
        assert_eq!(pins[0]["cell"], "Assignments!G1", "{kind}");
        for output in crate::common::OUTPUTS {
            let text = run.read(output);
            for pin in ["918273", "564738"] {
                assert!(!text.contains(pin), "{kind}: PIN {pin} in {output}");
            }
        }
    }
}
