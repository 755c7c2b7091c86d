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

/// `(code, key)` of every finding in a run's report.json.
fn codes(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["key"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

impl Project {
    fn report(&self, out: &str) -> Value {
        let bytes = std::fs::read(self.dir.path().join(out).join("report.json")).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    fn fates(&self) -> i64 {
        let conn = rusqlite::Connection::open(self.ledger()).unwrap();
        conn.query_row("SELECT count(*) FROM fate", [], |r| r.get(0))
            .unwrap()
    }

    /// A batch's `[sent, pending, left]`, as `status --json` has it.
    fn batch(&self, name: &str) -> [u64; 3] {
        let (_, s) = self.status();
        let b = s["batches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no batch {name} in {s}"));
        ["sent", "pending", "left"].map(|k| b[k].as_u64().unwrap())
    }
}

/// The batches of an onboarding project, as an admin runs them: a file
/// read again is reconciled as it was, a batch asks only for its own
/// people, a file of people already planned widens to nobody, a person who
/// leaves the roster is no longer pending, and a roster goes out in waves.
#[test]
fn batches_an_admin_can_trust() {
    let p = Project::new();
    assert_eq!(p.export("wave1", "batch1.csv").status, 0);
    assert_eq!(p.export("wave2", "batch2.xlsx").status, 0);

    // Batch 1 comes back: only its people were requested.
    let first = p.reconcile("roster", "return-1", "first");
    assert_eq!(first.status, 1, "{}", first.stderr);
    assert!(
        first
            .stdout
            .contains("requested by the ledger's batches batch1"),
        "{}",
        first.stdout
    );
    let report = p.report("first");
    assert_eq!(report["batches"], json!(["batch1"]));
    let missing: Vec<String> = codes(&report)
        .into_iter()
        .filter(|c| c.0 == "missing-from-return")
        .map(|c| c.1)
        .collect();
    assert_eq!(missing, [person("dmitri.petrov")]);
    let fates = p.fates();
    let (_, before) = p.status();

    // The same file again, with --batch and without: as the first time.
    for (out, batch) in [("again", Some("batch1")), ("third", None)] {
        let mut args = vec!["reconcile"];
        let (roster, returned, config) = (
            fixture("ledger/roster.csv"),
            fixture("ledger/return-1.csv"),
            fixture("acp.toml"),
        );
        args.extend(["--roster", roster.to_str().unwrap()]);
        args.extend(["--returned", returned.to_str().unwrap()]);
        args.extend(["--config", config.to_str().unwrap(), "--out", out]);
        if let Some(batch) = batch {
            args.extend(["--batch", batch]);
        }
        let run = p.run(&args);
        assert_eq!(run.status, 1, "{out}: {}", run.stderr);
        assert!(
            run.stdout.contains("already recorded on 20"),
            "{}",
            run.stdout
        );
        for name in crate::common::OUTPUTS {
            let read = |dir: &str| std::fs::read(p.dir.path().join(dir).join(name)).unwrap();
            assert!(
                read("first") == read(out),
                "{out}: {name} differs from the first run's"
            );
        }
        assert_eq!(p.fates(), fates, "{out}: recorded again");
        assert_eq!(p.status().1, before, "{out}: the status moved");
    }

    // A file of people already planned: batch 1 still owes Chloe (fixed)
    // and Dmitri; batch 2 is not asked for.
    let planned = p.reconcile("roster", "return-planned", "planned");
    let report = p.report("planned");
    assert_eq!(report["batches"], json!(["batch1"]));
    let found = codes(&report);
    assert!(
        found.iter().all(|(code, key)| code != "missing-from-return"
            || key == &person("chloe.martin")
            || key == &person("dmitri.petrov")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(_, key)| key.starts_with("eve")
            || key.starts_with("frank")
            || key.starts_with("gina")),
        "batch 2 was asked for: {found:?}"
    );
    assert_eq!(planned.status, 1, "{}", planned.stdout);

    // Batch 2 comes back when Frank has left the roster: he is no longer
    // pending, said once.
    assert_eq!(p.batch("batch2"), [3, 3, 0]);
    let left = p.reconcile("roster-without-frank", "return-2", "left");
    assert!(
        left.stdout.contains("no longer in the roster: marked left"),
        "{}",
        left.stdout
    );
    assert!(left.stdout.contains(&person("frank.li")), "{}", left.stdout);
    // Ann of batch 1 is in the file too: batch 1, still open, is covered.
    assert_eq!(p.report("left")["batches"], json!(["batch1", "batch2"]));
    let [sent, _, gone] = p.batch("batch2");
    assert_eq!((sent, gone), (3, 1));
    assert!(
        !pending(&p.status().1)
            .iter()
            .any(|x| x.0 == person("frank.li")),
        "Frank is still pending"
    );
    let again = p.reconcile("roster-without-frank", "return-2", "left-again");
    assert!(!again.stdout.contains("marked left"), "{}", again.stdout);

    // The same export again, to either format: the same batch.
    for out in ["batch1.csv", "batch1.xlsx"] {
        let run = p.export("wave1", out);
        assert_eq!(run.status, 0, "{out}: {}", run.stderr);
        assert!(
            run.stdout.contains("nothing new recorded"),
            "{}",
            run.stdout
        );
    }
    assert_eq!(p.batch("batch1")[0], 4);
}

/// A roster of 2,500 people goes out in waves of 1,000: three files, each
/// its own batch named after it, everyone in exactly one.
#[test]
fn a_roster_goes_out_in_waves() {
    let p = Project::new();
    let mut roster = String::from("UserPrincipalName,DisplayName,SipAddress\n");
    for i in 0..2500 {
        roster.push_str(&format!(
            "p{i:04}@contoso.example,P {i},sip:p{i:04}@contoso.example\n"
        ));
    }
    std::fs::write(p.dir.path().join("everyone.csv"), roster).unwrap();
    let export = |extra: &[&str]| {
        let mut args = vec!["export", "--roster", "everyone.csv", "--out", "wave.xlsx"];
        args.extend_from_slice(extra);
        p.run(&args)
    };
    let run = export(&["--batch-size", "1000"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let mut seen = std::collections::BTreeMap::new();
    for (n, file) in ["wave-001.xlsx", "wave-002.xlsx", "wave-003.xlsx"]
        .iter()
        .enumerate()
    {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(p.dir.path().join(file)).unwrap();
        let sheet = book.worksheet_range("Users").unwrap();
        let people: Vec<String> = sheet.rows().skip(1).map(|r| r[0].to_string()).collect();
        assert_eq!(people.len(), [1000, 1000, 500][n], "{file}");
        for key in people {
            *seen.entry(key).or_insert(0) += 1;
        }
    }
    assert_eq!(seen.len(), 2500);
    assert!(seen.values().all(|&n| n == 1), "someone is in two waves");
    assert!(!p.dir.path().join("wave.xlsx").exists());
    assert!(p.dir.path().join("wave-excluded.csv").exists());
    let (_, s) = p.status();
    let batches: Vec<(String, u64)> = s["batches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap().to_string(),
                b["sent"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        batches,
        [
            ("wave-001".to_string(), 1000),
            ("wave-002".to_string(), 1000),
            ("wave-003".to_string(), 500)
        ]
    );
    // Again as it was: nothing new. In waves of another size: refused,
    // naming --replace-batch, and nothing written.
    let again = export(&["--batch-size", "1000"]);
    assert_eq!(again.status, 0, "{}", again.stderr);
    assert_eq!(again.stdout.matches("nothing new recorded").count(), 3);
    let before = std::fs::read(p.dir.path().join("wave-001.xlsx")).unwrap();
    let other = export(&["--batch-size", "800"]);
    assert_eq!(other.status, 2);
    assert!(other.stderr.contains("--replace-batch"), "{}", other.stderr);
    assert!(!p.dir.path().join("wave-004.xlsx").exists());
    assert_eq!(
        std::fs::read(p.dir.path().join("wave-001.xlsx")).unwrap(),
        before
    );
}
