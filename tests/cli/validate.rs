//! `validate` on one file at a time.

use crate::common::{fixture, write};
use assert_cmd::Command;
use tempfile::TempDir;

fn validate(args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("acp-recon")
        .unwrap()
        .arg("validate")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn tells_a_returned_file_by_its_columns_and_reports_its_problems() {
    let file = fixture("returned.csv");
    let config = fixture("acp.toml");
    let (status, stdout, _) =
        validate(&[file.to_str().unwrap(), "--config", config.to_str().unwrap()]);
    assert_eq!(status, 1);
    assert!(
        stdout.contains(
            "returned.csv: returned file, UTF-8, delimiter \",\", header on line 1, 30 rows"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("ConferenceId               <- \"Participant Passcode\""),
        "{stdout}"
    );
    // Field problems only: nothing that needs the roster.
    assert!(!stdout.contains("not-in-roster") && !stdout.contains("missing-from-return"));
    assert!(stdout.contains("duplicate-conference-id"));
    insta::assert_snapshot!("validate-returned", stdout);
}

#[test]
fn a_clean_roster_validates_with_status_0() {
    let file = fixture("roster.csv");
    let (status, stdout, stderr) = validate(&[file.to_str().unwrap()]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.contains("roster file"));
    assert!(stdout.contains("findings: 0 errors"));
}

#[test]
fn roster_problems_are_found() {
    let dir = TempDir::new().unwrap();
    let roster = write(
        &dir,
        "roster.csv",
        b"UserPrincipalName,DisplayName\nann@x.example,Ann\n,Nobody\nANN@x.example,Ann Other\nbob@x.example,Bob\nbob@x.example,Bob\n",
    );
    let errors = dir.path().join("errors.csv");
    let (status, stdout, _) = validate(&[
        roster.to_str().unwrap(),
        "--errors",
        errors.to_str().unwrap(),
    ]);
    assert_eq!(status, 1);
    for code in ["empty-key", "duplicate-user", "duplicate-row"] {
        assert!(stdout.contains(code), "{code}: {stdout}");
    }
    let written = std::fs::read_to_string(errors).unwrap();
    assert!(
        written.contains("/roster.csv,4,UserPrincipalName")
            && written.contains("error,duplicate-user,ann@x.example,"),
        "{written}"
    );
}

/// Every command's `--help` shows an example, and the example runs as
/// written on the sample files under the names it uses.
#[test]
fn each_help_example_runs_as_written() {
    let dir = TempDir::new().unwrap();
    for (name, sample) in [
        ("roster.csv", "roster.csv"),
        ("fabrikam.csv", "returned.csv"),
        ("acp.toml", "acp.toml"),
    ] {
        std::fs::copy(fixture(sample), dir.path().join(name)).unwrap();
    }
    // What each example does on the sample, in this order: the sample's
    // planted mistakes (1), an export with people left out (0), a batch
    // nobody returned yet (1), a person the run planned (0).
    for (command, written, status, says) in [
        ("reconcile", "plan/import-plan.csv", 1, "Every returned row"),
        ("export", "to-fabrikam.xlsx", 0, "exported 24 people"),
        ("validate", "", 1, "returned file"),
        ("status", "", 1, "pending (24)"),
        ("history", "", 0, "planned"),
    ] {
        let help = Command::cargo_bin("acp-recon")
            .unwrap()
            .args([command, "--help"])
            .output()
            .unwrap();
        assert!(help.status.success());
        let help = String::from_utf8(help.stdout).unwrap();
        let example = help
            .lines()
            .skip_while(|l| *l != "Example:")
            .nth(1)
            .unwrap_or_else(|| panic!("no example in {command} --help:\n{help}"));
        let words: Vec<&str> = example.split_whitespace().collect();
        assert_eq!(&words[..2], ["acp-recon", command], "{example}");
        let run = Command::cargo_bin("acp-recon")
            .unwrap()
            .args(&words[1..])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert_eq!(
            run.status.code(),
            Some(status),
            "{example}: {stdout}{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(stdout.contains(says), "{example}: {stdout}");
        if !written.is_empty() {
            assert!(
                dir.path().join(written).is_file(),
                "{example} wrote no {written}"
            );
        }
    }
}

/// The Teams example of `reconcile --help`, continuation and all, runs as
/// written on the Teams sample under the names it uses.
#[test]
fn the_teams_help_example_runs_as_written() {
    let dir = TempDir::new().unwrap();
    for (name, sample) in [
        ("users.csv", "teams/users.csv"),
        ("operator.csv", "teams/returned.csv"),
        ("bridge.csv", "teams/bridge.csv"),
    ] {
        std::fs::copy(fixture(sample), dir.path().join(name)).unwrap();
    }
    let help = Command::cargo_bin("acp-recon")
        .unwrap()
        .args(["reconcile", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let example: String = help
        .lines()
        .skip_while(|l| !l.starts_with("Teams audio conferencing"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.trim_end_matches('\\'))
        .collect();
    let words: Vec<&str> = example.split_whitespace().collect();
    assert_eq!(
        words.get(..4),
        Some(&["acp-recon", "reconcile", "--target", "teams"][..]),
        "{help}"
    );
    let run = Command::cargo_bin("acp-recon")
        .unwrap()
        .args(&words[1..])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    // The sample's planted mistakes.
    assert_eq!(run.status.code(), Some(1), "{example}: {stdout}");
    assert!(stdout.contains("number-not-on-bridge"), "{stdout}");
    let script = std::fs::read_to_string(dir.path().join("plan/import-plan.ps1")).unwrap();
    assert!(script.contains("Set-CsOnlineDialInConferencingUser"));
}

#[test]
fn without_errors_it_says_how_to_see_every_finding() {
    let (status, _, stderr) = validate(&[fixture("returned.csv").to_str().unwrap()]);
    assert_eq!(status, 1);
    assert!(
        stderr
            .contains("more errors and warnings not shown: write them all with --errors FILE.csv"),
        "{stderr}"
    );
}

#[test]
fn the_locked_file_hint_only_comes_with_a_permission_error() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("missing.csv");
    for (file, hint) in [
        (dir.path(), "this is a folder: give the path of a file"),
        (
            missing.as_path(),
            "check the path: there is no such file or folder",
        ),
    ] {
        let (status, _, stderr) = validate(&[file.to_str().unwrap()]);
        assert_eq!(status, 2);
        assert!(stderr.contains(hint), "{stderr}");
        assert!(!stderr.contains("another program"), "{stderr}");
    }
}
