//! Inputs that are not what they should be: the wrong file, no text at all,
//! or cells that try to steer the terminal.

use crate::common::{fixture, reconcile_configured, reconcile_files};
use assert_cmd::Command;
use tempfile::TempDir;

/// Bytes that steer a terminal, or reorder what it shows.
fn steering(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && !matches!(c, '\n' | '\t'))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

#[test]
fn cells_that_steer_a_terminal_are_shown_escaped_and_kept_as_data() {
    let run = reconcile_configured(
        &fixture("roster.csv"),
        &fixture("returned-hostile.csv"),
        &["--show", "50"],
        &[],
    );
    assert_eq!(run.status, 1);
    assert_eq!(steering(&run.stdout), None, "{}", run.stdout);
    assert_eq!(steering(&run.stderr), None, "{}", run.stderr);
    // The snippet shows the cell, escaped, under its label.
    assert!(
        run.stderr
            .contains(r"\u{1b}]0;HACKED\u{7}\u{1b}[2J,+18005550199"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(r"\u{202e}ztrO boB"), "{}", run.stderr);
    assert!(run.stderr.contains(r"51\u{9b}31m00003"), "{}", run.stderr);
    // The outputs keep the cells as they were: they are data there.
    let errors = run.read("errors.csv");
    assert!(errors.contains("\u{1b}]0;HACKED\u{7}"), "{errors}");
    assert!(run.read("send-back.csv").contains("\u{202e}ztrO boB"));
}

fn validate(file: &std::path::Path) -> (i32, String) {
    let output = Command::cargo_bin("acp-recon")
        .unwrap()
        .arg("validate")
        .arg(file)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The first bytes of a PNG image, then binary data.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0".to_vec();
    bytes.extend((0..4096u32).map(|i| (i * 7 % 256) as u8));
    bytes
}

#[test]
fn a_file_that_is_not_text_is_refused_without_echoing_it() {
    let dir = TempDir::new().unwrap();
    let image = dir.path().join("users.csv");
    std::fs::write(&image, png()).unwrap();
    let mut files = vec![image];
    // A program, as when the wrong file is picked in a hurry.
    let program = std::path::PathBuf::from("/bin/ls");
    if program.is_file() {
        files.push(program);
    }
    for file in files {
        let (status, stderr) = validate(&file);
        assert_eq!(status, 2, "{stderr}");
        assert!(stderr.contains("is not a CSV or spreadsheet"), "{stderr}");
        assert!(stderr.len() < 1000, "{stderr}");
        assert_eq!(steering(&stderr), None, "{stderr}");
    }
}

#[test]
fn a_workbook_name_on_other_content_is_not_a_workbook() {
    let dir = TempDir::new().unwrap();
    for (name, bytes) in [
        ("photo.xlsx", png()),
        ("users.xlsx", b"UserPrincipalName,TollNumber\n".to_vec()),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let (status, stderr) = validate(&file);
        assert_eq!(status, 2, "{stderr}");
        assert!(
            stderr.contains(&format!("{name} is not a workbook")),
            "{stderr}"
        );
    }
}

#[test]
fn the_same_file_as_roster_and_returned_is_refused() {
    let dir = TempDir::new().unwrap();
    let copy = dir.path().join("copy.csv");
    std::fs::copy(fixture("returned.csv"), &copy).unwrap();
    for returned in [fixture("returned.csv"), copy] {
        let run = reconcile_files(&fixture("returned.csv"), &returned);
        assert_eq!(run.status, 2, "{}", run.stderr);
        assert!(run.stderr.contains("are the same file"), "{}", run.stderr);
        assert!(!run.out().exists(), "nothing written");
    }
}

#[test]
fn a_vendor_file_given_as_the_roster_is_pointed_out() {
    let run = reconcile_files(&fixture("returned-clean.csv"), &fixture("returned.csv"));
    assert!(
        run.stderr.contains("has the vendor's columns (ProviderName, Domain, TollNumber, TollFreeNumbers, ConferenceId, Url)"),
        "{}",
        run.stderr
    );
    let run = reconcile_files(&fixture("roster.csv"), &fixture("returned.csv"));
    assert!(!run.stderr.contains("vendor's columns"), "{}", run.stderr);
}

#[test]
fn two_inputs_with_one_file_name_stay_apart_and_the_roster_is_cited() {
    let dir = TempDir::new().unwrap();
    for (folder, sample) in [("a", "roster.csv"), ("b", "returned.csv")] {
        std::fs::create_dir(dir.path().join(folder)).unwrap();
        std::fs::copy(fixture(sample), dir.path().join(folder).join("users.csv")).unwrap();
    }
    let output = Command::cargo_bin("acp-recon")
        .unwrap()
        .args([
            "reconcile",
            "--roster",
            "a/users.csv",
            "--returned",
            "b/users.csv",
        ])
        .args(["--out", "out", "--show", "100", "--config"])
        .arg(fixture("acp.toml"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    // Snippets from both files, each under its own path.
    assert!(stderr.contains("╭─[b/users.csv:31:1]"), "{stderr}");
    assert!(stderr.contains("╭─[a/users.csv:9:1]"), "{stderr}");
    let errors = std::fs::read_to_string(dir.path().join("out/errors.csv")).unwrap();
    // What the roster says (the current provider) cites the roster.
    assert!(
        errors.contains("provider-replaced,chloe.martin@contoso.example,a/users.csv,4,CurrentProvider,InterCall"),
        "{errors}"
    );
    assert!(
        errors.contains("invalid-url,uma.patel@contoso.example,b/users.csv,22,Url"),
        "{errors}"
    );
}

/// A megabyte on one line: as a header (no key column, so exit 2) and as a
/// cell of a row. What is echoed of it is a window, never the line, and the
/// outputs meant for Excel cut the cell where Excel would.
#[test]
fn a_huge_line_is_never_echoed_whole() {
    let dir = TempDir::new().unwrap();
    let huge = "9".repeat(1 << 20);
    let header_only = crate::common::write(&dir, "one-line.csv", huge.as_bytes());
    let run = reconcile_configured(&fixture("roster.csv"), &header_only, &["--show", "50"], &[]);
    assert_eq!(run.status, 2);
    assert!(
        run.stderr.contains("has no UserPrincipalName column"),
        "{}",
        &run.stderr[..500.min(run.stderr.len())]
    );
    assert!(
        run.stderr.len() < 64 * 1024,
        "{} bytes on stderr",
        run.stderr.len()
    );
    assert!(!run.out().exists(), "something was written");
    assert!(
        !run.dir.path().join("acp-recon.db").exists(),
        "an empty ledger was made"
    );

    let file = format!(
        "UserPrincipalName,TollNumber,ConferenceId\nann.lee@contoso.example,{huge},5100001\nbob.ortiz@contoso.example,+14255550100,{huge}\n"
    );
    let cell = crate::common::write(&dir, "cell.csv", file.as_bytes());
    let run = reconcile_configured(&fixture("roster.csv"), &cell, &["--show", "50"], &[]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.len() < 64 * 1024,
        "{} bytes on stderr",
        run.stderr.len()
    );
    assert!(
        run.stdout.len() < 64 * 1024,
        "{} bytes on stdout",
        run.stdout.len()
    );
    // Messages quote a window of the value.
    let report = run.report();
    let ann = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "invalid-toll-number")
        .unwrap();
    assert!(ann["message"].as_str().unwrap().len() < 1000);
    // report.json keeps the value whole; the files for Excel cut it.
    assert_eq!(ann["value"].as_str().unwrap().len(), huge.len());
    for name in ["errors.csv", "send-back.csv"] {
        for row in run.csv(name) {
            for cell in row {
                assert!(
                    cell.chars().count() <= 32_767,
                    "{name}: a cell of {}",
                    cell.len()
                );
                if cell.starts_with("999") || cell.starts_with("'999") {
                    assert!(
                        cell.ends_with("characters]"),
                        "{name}: {}",
                        &cell[cell.len() - 40..]
                    );
                }
            }
        }
    }
    assert!(run.read("report.html").len() < 200 * 1024);
}

/// One NUL in one cell of the sample: that row is malformed, the byte shown
/// escaped; every other row reads as it does without it.
#[test]
fn a_stray_nul_costs_its_row_not_the_file() {
    let dir = TempDir::new().unwrap();
    let text = std::fs::read_to_string(fixture("returned.csv")).unwrap();
    let with_nul = text.replacen("Élise Dubois", "Élise\0Dubois", 1);
    assert_ne!(with_nul, text);
    let returned = crate::common::write(&dir, "returned-nul.csv", with_nul.as_bytes());
    let run = reconcile_configured(&fixture("roster.csv"), &returned, &[], &[]);
    let clean = crate::common::sample(&[]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let report = run.report();
    let elise: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["key"] == "elise.dubois@contoso.example" && f["code"] == "malformed-row")
        .collect();
    assert_eq!(elise.len(), 1, "{report}");
    let message = elise[0]["message"].as_str().unwrap();
    assert!(
        message.contains("NUL byte (\\0)") && message.contains("Display Name"),
        "{message}"
    );
    // The others are planned as without the NUL.
    let plan = |run: &crate::common::Run| -> Vec<Vec<String>> {
        run.csv("import-plan.csv")
            .into_iter()
            .filter(|r| r[0] != "elise.dubois@contoso.example")
            .collect()
    };
    assert_eq!(plan(&run), plan(&clean));
    assert!(
        !run.csv("import-plan.csv")
            .iter()
            .any(|r| r[0] == "elise.dubois@contoso.example"),
        "the row with the NUL was planned"
    );
}
