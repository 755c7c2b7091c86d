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
