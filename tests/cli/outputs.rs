//! The outputs are one set: a run that cannot write one of them, or is
//! stopped or killed while it writes, leaves the previous set whole, and
//! the next run leaves no temporary file behind.

use crate::common::{fixture, OUTPUTS};
use assert_cmd::cargo::CommandCargoExt;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;
use tempfile::TempDir;

/// A roster of `people` and a returned file for all of them, with IDs from
/// `first_id` up: two different returns give two different output sets.
fn files(dir: &Path, people: usize, first_id: u64) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut roster = String::from("UserPrincipalName,DisplayName,CurrentProvider\n");
    let mut returned = String::from(
        "UserPrincipalName,DisplayName,ProviderName,Domain,TollNumber,TollFreeNumbers,ConferenceId\n",
    );
    for i in 0..people {
        roster.push_str(&format!("p{i}@contoso.example,Person {i},\n"));
        // Every tenth row has an error, so that every output has rows.
        let toll = if i % 10 == 0 {
            "+1 425"
        } else {
            "+14255550100"
        };
        returned.push_str(&format!(
            "p{i}@contoso.example,Person {i},Fabrikam Conferencing,acp.fabrikam.example,{toll},+18005550199,{}\n",
            first_id + i as u64
        ));
    }
    let (r, t) = (
        dir.join("roster.csv"),
        dir.join(format!("returned-{first_id}.csv")),
    );
    fs::write(&r, roster).unwrap();
    fs::write(&t, returned).unwrap();
    (r, t)
}

fn command(roster: &Path, returned: &Path, out: &Path) -> Command {
    let mut c = Command::cargo_bin("acp-recon").unwrap();
    c.args(["reconcile", "--quiet", "--config"])
        .arg(fixture("acp.toml"))
        .arg("--roster")
        .arg(roster)
        .arg("--returned")
        .arg(returned)
        .arg("--out")
        .arg(out)
        // The ledger would tell each run of these files about the last.
        .arg("--no-ledger")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// The SHA-256 of each output in `out`, and the names of the other files.
fn state(out: &Path) -> (BTreeMap<String, String>, Vec<String>) {
    let mut outputs = BTreeMap::new();
    let mut others = Vec::new();
    for entry in fs::read_dir(out).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if OUTPUTS.contains(&name.as_str()) && entry.path().is_file() {
            let hash = Sha256::digest(fs::read(entry.path()).unwrap());
            outputs.insert(name, format!("{hash:x}"));
        } else {
            others.push(name);
        }
    }
    others.sort();
    (outputs, others)
}

#[test]
fn a_target_that_cannot_be_replaced_leaves_the_previous_set_whole() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let (roster, first) = files(dir.path(), 50, 5_100_000);
    let (_, second) = files(dir.path(), 50, 6_100_000);
    assert_eq!(
        command(&roster, &first, &out).status().unwrap().code(),
        Some(1)
    );
    let before = state(&out);
    // As when errors.csv is open in Excel on Windows.
    fs::remove_file(out.join("errors.csv")).unwrap();
    fs::create_dir(out.join("errors.csv")).unwrap();
    let mut before_outputs = before.0.clone();
    before_outputs.remove("errors.csv");
    let run = command(&roster, &second, &out)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("errors.csv"), "{stderr}");
    assert!(stderr.contains("folder has this name"), "{stderr}");
    let (outputs, others) = state(&out);
    assert_eq!(outputs, before_outputs, "an output was replaced");
    assert_eq!(others, ["errors.csv"], "only the folder in the way remains");
}

#[test]
fn out_that_is_a_file_is_refused() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("plan.txt");
    fs::write(&out, "notes").unwrap();
    let run = command(&fixture("roster.csv"), &fixture("returned.csv"), &out)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("outputs go in a folder"), "{stderr}");
    assert_eq!(fs::read_to_string(&out).unwrap(), "notes");
}

/// Runs stopped (SIGINT, SIGTERM) and killed (SIGKILL) at many points of
/// their run: after each, the folder holds the old set or the new one,
/// whole; a stopped run leaves no temporary file, and the run after a
/// killed one removes what it left.
#[test]
#[cfg(unix)]
fn runs_stopped_or_killed_anywhere_leave_one_whole_set() {
    let dir = TempDir::new().unwrap();
    let (roster, first) = files(dir.path(), 10_000, 5_100_000);
    let (_, second) = files(dir.path(), 10_000, 6_100_000);
    let sets = [&first, &second].map(|returned| {
        let out = dir.path().join(returned.file_stem().unwrap());
        assert_eq!(
            command(&roster, returned, &out).status().unwrap().code(),
            Some(1)
        );
        let (outputs, others) = state(&out);
        assert!(others.is_empty(), "{others:?}");
        outputs
    });
    assert_ne!(sets[0], sets[1]);

    // How long a whole run takes here, to spread the stops over it.
    let out = dir.path().join("out");
    let started = Instant::now();
    command(&roster, &first, &out).status().unwrap();
    let whole = started.elapsed();
    let mut seen = BTreeMap::<&str, usize>::new();
    for step in 0..24u32 {
        let signal = ["INT", "TERM", "KILL"][step as usize % 3];
        let returned = if step % 2 == 0 { &second } else { &first };
        let mut child = command(&roster, returned, &out).spawn().unwrap();
        std::thread::sleep(whole * step / 20);
        Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        let (outputs, others) = state(&out);
        let journal = others.iter().any(|n| n == ".acp-recon-commit");
        if !journal {
            let which = sets.iter().position(|s| *s == outputs);
            assert!(
                which.is_some(),
                "step {step} ({signal}): a mixed set {outputs:?}"
            );
        }
        if signal != "KILL" {
            assert!(others.is_empty(), "step {step} ({signal}) left {others:?}");
            // No code: the signal came before the handler was installed.
            assert!(
                matches!(status.code(), Some(1 | 130) | None),
                "step {step} ({signal}): {status:?}"
            );
        }
        *seen
            .entry(match status.code() {
                Some(1) => "finished",
                _ if journal => "killed while putting the set in place",
                _ => "stopped",
            })
            .or_default() += 1;
        // The next run finishes or clears what a killed one left.
        let run = command(&roster, &first, &out).status().unwrap();
        assert_eq!(run.code(), Some(1));
        let (outputs, others) = state(&out);
        assert_eq!(outputs, sets[0]);
        assert!(others.is_empty(), "step {step}: {others:?} left");
    }
    eprintln!("whole run {whole:?}: {seen:?}");
    assert!(seen.get("stopped").is_some_and(|&n| n > 0), "{seen:?}");
}

/// A run stopped or killed at any point records all of itself in the
/// ledger or nothing, and leaves the ledger sound.
#[test]
#[cfg(unix)]
fn runs_stopped_or_killed_anywhere_record_all_or_nothing() {
    const PEOPLE: i64 = 5_000;
    let dir = TempDir::new().unwrap();
    let (roster, first) = files(dir.path(), PEOPLE as usize, 5_100_000);
    let (_, second) = files(dir.path(), PEOPLE as usize, 6_100_000);
    let ledger = dir.path().join("acp-recon.db");
    let with_ledger = |returned: &Path| {
        let mut c = Command::cargo_bin("acp-recon").unwrap();
        c.args(["reconcile", "--quiet", "--config"])
            .arg(fixture("acp.toml"))
            .arg("--roster")
            .arg(&roster)
            .arg("--returned")
            .arg(returned)
            .arg("--out")
            .arg(dir.path().join("out"))
            .arg("--ledger")
            .arg(&ledger)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    let started = Instant::now();
    assert_eq!(with_ledger(&first).status().unwrap().code(), Some(1));
    let whole = started.elapsed();
    let fates = || -> (i64, i64) {
        let conn = rusqlite::Connection::open(&ledger).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        (
            count("SELECT count(*) FROM fate"),
            count("SELECT count(*) FROM returned_file"),
        )
    };
    assert_eq!(fates(), (PEOPLE, 1));
    let (mut unrecorded, mut recorded_at) = (0, None);
    for step in 0..12u32 {
        let signal = ["INT", "TERM", "KILL"][step as usize % 3];
        let mut child = with_ledger(&second).spawn().unwrap();
        std::thread::sleep(whole * step / 10);
        Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        let (fates, files) = fates();
        // The second file is in the ledger whole, or not at all.
        assert_eq!(fates, PEOPLE * files, "step {step} ({signal})");
        if status.code() == Some(1) {
            assert_eq!(files, 2, "step {step}: a finished run is recorded");
        }
        if files == 2 {
            recorded_at = Some(step);
            break;
        }
        unrecorded += 1;
    }
    eprintln!("whole run {whole:?}: {unrecorded} stops recorded nothing; recorded at step {recorded_at:?}");
    assert!(unrecorded > 0);
}

/// The CSV files of a folder as parts: each part's rows, header first.
fn parts(out: &Path, name: &str) -> Vec<Vec<Vec<String>>> {
    let mut all = Vec::new();
    for n in 1.. {
        let file = acp_recon::output::part_name(name, n);
        let Ok(text) = fs::read_to_string(out.join(&file)) else {
            break;
        };
        let rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        all.push(rows);
    }
    all
}

/// With a sheet of a few rows (a test build reads the limit from the
/// environment), each CSV output is written in parts: every row in exactly
/// one, in order, each part with the header; every part is named; and a
/// later run with fewer parts leaves none of the earlier run's behind.
#[test]
fn csv_outputs_are_written_in_parts_at_the_sheet_limit() {
    let whole = crate::common::sample(&[]);
    let files = ["errors.csv", "send-back.csv", "import-plan.csv"];
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let run = |limit: &str| {
        let mut c = command(&fixture("roster.csv"), &fixture("returned.csv"), &out);
        c.env("ACP_RECON_TEST_SHEET_ROWS", limit)
            .stdout(Stdio::piped());
        let run = c.output().unwrap();
        assert_eq!(run.status.code(), Some(1));
        String::from_utf8(run.stdout).unwrap()
    };
    // Many parts, then fewer: the later run's set leaves none of the others.
    for limit in ["4", "10"] {
        let stdout = run(limit);
        let limit: usize = limit.parse().unwrap();
        let report: serde_json::Value =
            serde_json::from_slice(&fs::read(out.join("report.json")).unwrap()).unwrap();
        let listed: Vec<String> = report["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_string())
            .collect();
        let page = fs::read_to_string(out.join("report.html")).unwrap();
        for name in files {
            let one = whole.csv(name);
            let parts = parts(&out, name);
            assert_eq!(
                parts.len(),
                (one.len() - 1).div_ceil(limit).max(1),
                "{name}"
            );
            let mut rows = Vec::new();
            for (n, part) in parts.iter().enumerate() {
                assert_eq!(part[0], one[0], "{name} part {}: its header", n + 1);
                assert!(part.len() - 1 <= limit, "{name} part {} is too long", n + 1);
                rows.extend(part[1..].iter().cloned());
                let file = acp_recon::output::part_name(name, n + 1);
                assert!(
                    listed.contains(&file),
                    "{file} not in report.json: {listed:?}"
                );
                assert!(
                    stdout.contains(&format!("/{file}\n")),
                    "{file} not in the summary"
                );
                assert!(page.contains(&file), "{file} not in report.html");
            }
            assert_eq!(rows, one[1..], "{name}: the rows of the parts");
            // Nothing of a bigger earlier run is left.
            let next = acp_recon::output::part_name(name, parts.len() + 1);
            assert!(!out.join(&next).exists(), "{next} is left");
        }
        let (_, others) = state(&out);
        assert!(others.iter().all(|n| !n.starts_with('.')), "{others:?}");
    }
}
