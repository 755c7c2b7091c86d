//! The ledger across runs: an onboarding project told through the CLI,
//! and the promises that a failed, busy or killed run records nothing.

use crate::common::fixture;
use assert_cmd::Command;
use serde_json::{json, Value};
use std::path::PathBuf;
use tempfile::TempDir;

/// A project folder with its ledger, where the commands run.
struct Project {
    dir: TempDir,
}

struct Ran {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Project {
    fn new() -> Project {
        Project {
            dir: TempDir::new().unwrap(),
        }
    }

    fn ledger(&self) -> PathBuf {
        self.dir.path().join("acp-recon.db")
    }

    fn run(&self, args: &[&str]) -> Ran {
        let output = Command::cargo_bin("acp-recon")
            .unwrap()
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("ACP_RECON_LEDGER")
            .output()
            .unwrap();
        Ran {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    fn export(&self, wave: &str, out: &str) -> Ran {
        let roster = fixture(&format!("ledger/{wave}.csv"));
        self.run(&["export", "--roster", roster.to_str().unwrap(), "--out", out])
    }

    fn reconcile(&self, roster: &str, returned: &str, out: &str) -> Ran {
        let (roster, returned) = (
            fixture(&format!("ledger/{roster}.csv")),
            fixture(&format!("ledger/{returned}.csv")),
        );
        let config = fixture("acp.toml");
        self.run(&[
            "reconcile",
            "--roster",
            roster.to_str().unwrap(),
            "--returned",
            returned.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--out",
            out,
        ])
    }

    /// `status --json`, and its exit status.
    fn status(&self) -> (i32, Value) {
        let ran = self.run(&["status", "--json"]);
        let value = serde_json::from_str(&ran.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", ran.stdout, ran.stderr));
        (ran.status, value)
    }
}

/// A batch's counts, as `[sent, returned, planned, confirmed, rejected,
/// missing, pending]`.
fn counts(status: &Value, batch: &str) -> [u64; 7] {
    let b = status["batches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == batch)
        .unwrap_or_else(|| panic!("no batch {batch} in {status}"));
    [
        "sent",
        "returned",
        "planned",
        "confirmed",
        "rejected",
        "missing",
        "pending",
    ]
    .map(|k| b[k].as_u64().unwrap())
}

/// `(key, batch, state, last_code)` of each pending person.
fn pending(status: &Value) -> Vec<(String, String, String, Value)> {
    status["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap().to_string(),
                p["batch"].as_str().unwrap().to_string(),
                p["state"].as_str().unwrap().to_string(),
                p["last_code"].clone(),
            )
        })
        .collect()
}

fn person(key: &str) -> String {
    format!("{key}@contoso.example")
}

#[test]
fn an_onboarding_project_in_five_steps() {
    let p = Project::new();

    // 1. Two batches exported.
    assert_eq!(p.export("wave1", "batch1.csv").status, 0);
    assert_eq!(p.export("wave2", "batch2.xlsx").status, 0);
    let (code, s) = p.status();
    assert_eq!(code, 1);
    assert_eq!(counts(&s, "batch1"), [4, 0, 0, 0, 0, 0, 4]);
    assert_eq!(counts(&s, "batch2"), [3, 0, 0, 0, 0, 0, 3]);
    assert_eq!(pending(&s)[0].2, "waiting");

    // 2. Batch 1 comes back with an error and a person missing. Without
    // --sent, batch 1 is what was requested: batch 2 is not missing.
    let run = p.reconcile("roster", "return-1", "out1");
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("requested = batches batch1;"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("requested            4 = 2 planned + 0 unchanged + 1 rejected + 1 missing"),
        "{}",
        run.stdout
    );
    let (code, s) = p.status();
    assert_eq!(code, 1);
    assert_eq!(counts(&s, "batch1"), [4, 3, 2, 0, 1, 1, 4]);
    assert_eq!(counts(&s, "batch2"), [3, 0, 0, 0, 0, 0, 3]);
    let chloe = s["pending"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["key"] == person("chloe.martin"))
        .unwrap();
    assert_eq!(chloe["state"], "rejected");
    assert_eq!(chloe["last_code"], "invalid-toll-number");
    assert!(chloe["file"].as_str().unwrap().ends_with("return-1.csv"));
    assert_eq!(chloe["line"], 4);
    let dmitri = pending(&s)
        .into_iter()
        .find(|x| x.0 == person("dmitri.petrov"))
        .unwrap();
    assert_eq!(
        (dmitri.2.as_str(), dmitri.3),
        ("missing", json!("missing-from-return"))
    );

    // 3. The send-back, fixed, and the missing person: only they are
    // requested now.
    let run = p.reconcile("roster", "return-1-fixed", "out2");
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("requested            2 = 2 planned"),
        "{}",
        run.stdout
    );
    let (_, s) = p.status();
    assert_eq!(counts(&s, "batch1"), [4, 4, 4, 0, 0, 0, 4]);
    assert!(pending(&s)
        .iter()
        .filter(|x| x.1 == "batch1")
        .all(|x| x.2 == "planned"));

    // 4. A later roster shows the plan applied: confirmed. The same
    // returned file again is not recorded twice.
    let run = p.reconcile("roster-applied", "return-1-fixed", "out3");
    assert!(
        run.stdout
            .contains("4 people planned earlier now have the planned values"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("already recorded on"), "{}", run.stdout);
    let (code, s) = p.status();
    assert_eq!(code, 1);
    assert_eq!(counts(&s, "batch1"), [4, 4, 0, 4, 0, 0, 0]);
    // Nothing pending in batch 1: its status is 0.
    let batch1 = p.run(&["status", "--batch", "batch1"]);
    assert_eq!(batch1.status, 0, "{}", batch1.stdout);
    assert!(
        batch1.stdout.contains("Nothing is pending"),
        "{}",
        batch1.stdout
    );
    assert_eq!(counts(&s, "batch2"), [3, 0, 0, 0, 0, 0, 3]);
    assert!(pending(&s).iter().all(|x| x.1 == "batch2"));

    // 5. Batch 2 comes back, and the vendor changed the conference ID of a
    // batch 1 person it had returned before.
    let run = p.reconcile("roster-applied", "return-2", "out4");
    assert_eq!(run.status, 0, "{}", run.stderr);
    let report: Value =
        serde_json::from_slice(&std::fs::read(p.dir.path().join("out4/report.json")).unwrap())
            .unwrap();
    let drift: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "vendor-changed-values")
        .collect();
    assert_eq!(drift.len(), 1, "{report}");
    let d = drift[0];
    assert_eq!(d["key"], person("ann.lee"));
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["field"], "ConferenceId");
    assert_eq!(d["value"], "5109999");
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("5100001 before, 5109999 now"), "{message}");
    assert!(message.contains("return-1.csv:2"), "{message}");
    let (code, s) = p.status();
    assert_eq!(code, 1);
    assert_eq!(counts(&s, "batch2"), [3, 3, 3, 0, 0, 0, 3]);
    // Ann's new values are planned: her batch waits for them to be applied.
    assert_eq!(counts(&s, "batch1"), [4, 4, 1, 3, 0, 0, 1]);

    // Her history tells it in order.
    let history = p.run(&["history", "ANN.LEE@contoso.example"]);
    assert_eq!(history.status, 0);
    let states: Vec<&str> = history
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(states, ["sent", "planned", "confirmed", "planned"]);
    assert!(history.stdout.contains("vendor-changed-values"));

    // One batch on its own.
    let one = p.run(&["status", "--batch", "batch2", "--json"]);
    let one: Value = serde_json::from_str(&one.stdout).unwrap();
    assert_eq!(one["batches"].as_array().unwrap().len(), 1);
    let unknown = p.run(&["status", "--batch", "batch9"]);
    assert_eq!(unknown.status, 2);
    assert!(
        unknown.stderr.contains("batch1, batch2"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn a_batch_name_is_recorded_once_unless_replaced() {
    let p = Project::new();
    assert_eq!(p.export("wave1", "batch1.csv").status, 0);
    let before = std::fs::read(p.dir.path().join("batch1.csv")).unwrap();
    let again = p.export("wave2", "batch1.csv");
    assert_eq!(again.status, 2);
    assert!(again.stderr.contains("--replace-batch"), "{}", again.stderr);
    // Refused before anything was written.
    assert_eq!(
        std::fs::read(p.dir.path().join("batch1.csv")).unwrap(),
        before
    );
    let roster = fixture("ledger/wave2.csv");
    let replaced = p.run(&[
        "export",
        "--roster",
        roster.to_str().unwrap(),
        "--out",
        "batch1.csv",
        "--replace-batch",
    ]);
    assert_eq!(replaced.status, 0, "{}", replaced.stderr);
    let (_, s) = p.status();
    assert_eq!(counts(&s, "batch1")[0], 3);
    // --batch names it otherwise.
    let named = p.run(&[
        "export",
        "--roster",
        roster.to_str().unwrap(),
        "--out",
        "batch1.csv",
        "--batch",
        "wave-2b",
    ]);
    assert_eq!(named.status, 0, "{}", named.stderr);
    assert_eq!(p.status().1["batches"].as_array().unwrap().len(), 2);
}

#[test]
fn a_foreign_or_damaged_ledger_stops_the_run_before_anything_is_written() {
    let p = Project::new();
    assert_eq!(p.reconcile("roster", "return-1", "out").status, 1);
    let out = p.dir.path().join("out");
    let before: Vec<Vec<u8>> = crate::common::OUTPUTS
        .iter()
        .map(|n| std::fs::read(out.join(n)).unwrap())
        .collect();
    for (name, bytes) in [
        ("garbage.db", b"PK\x03\x04 not a ledger at all".repeat(200)),
        ("damaged.db", {
            let mut b = std::fs::read(p.ledger()).unwrap();
            b.truncate(b.len() / 2);
            b[100..400].fill(0xAB);
            b
        }),
    ] {
        let path = p.dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let roster = fixture("ledger/roster.csv");
        let returned = fixture("ledger/return-1-fixed.csv");
        let run = p.run(&[
            "reconcile",
            "--roster",
            roster.to_str().unwrap(),
            "--returned",
            returned.to_str().unwrap(),
            "--out",
            "out",
            "--ledger",
            path.to_str().unwrap(),
        ]);
        assert_eq!(run.status, 2, "{name}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(name), "{}", run.stderr);
        let after: Vec<Vec<u8>> = crate::common::OUTPUTS
            .iter()
            .map(|n| std::fs::read(out.join(n)).unwrap())
            .collect();
        assert!(after == before, "{name}: outputs were replaced");
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} was changed");
    }
}

#[test]
fn a_second_run_waits_for_the_first_then_says_the_ledger_is_busy() {
    let p = Project::new();
    assert_eq!(p.export("wave1", "batch1.csv").status, 0);
    let conn = rusqlite::Connection::open(p.ledger()).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let run = p.reconcile("roster", "return-1", "out");
    assert_eq!(run.status, 2);
    assert!(
        run.stderr.contains("in use by another acp-recon run"),
        "{}",
        run.stderr
    );
    assert!(!p.dir.path().join("out").exists());
    conn.execute_batch("ROLLBACK").unwrap();
    // Reading does not need the lock.
    assert_eq!(p.status().0, 1);
}

#[test]
fn pins_never_enter_the_ledger() {
    let p = Project::new();
    assert_eq!(p.export("wave1", "batch1.csv").status, 0);
    assert_eq!(p.reconcile("roster", "return-1", "out").status, 1);
    let bytes = std::fs::read(p.ledger()).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("5100001"), "the ledger holds the values");
    for pin in ["918273", "564738", "101112"] {
        assert!(!text.contains(pin), "PIN {pin} is in the ledger");
    }
}

#[test]
fn without_a_ledger_nothing_is_read_or_recorded() {
    let p = Project::new();
    let roster = fixture("ledger/wave1.csv");
    let run = p.run(&[
        "export",
        "--roster",
        roster.to_str().unwrap(),
        "--out",
        "b.csv",
        "--no-ledger",
    ]);
    assert_eq!(run.status, 0);
    assert!(!p.ledger().exists());
    let status = p.run(&["status"]);
    assert_eq!(status.status, 2);
    assert!(status.stderr.contains("no ledger"), "{}", status.stderr);
}
