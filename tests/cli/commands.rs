//! The command line's promises that no single command owns: bad arguments,
//! a stop by Ctrl-C or a kill at the worst moment, a ledger that cannot be
//! written. A test build pauses where it is told (`ACP_RECON_TEST_PAUSE`),
//! so that each stop lands where it is meant to, not where a timer guesses.

use crate::common::{fixture, OUTPUTS};
use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use tempfile::TempDir;

#[test]
fn bad_arguments_exit_2_and_say_why() {
    for args in [
        &["reconcile", "--roster"][..],
        &["reconcile", "--roster", "r.csv", "--returned", "t.csv"][..],
        &["frobnicate"][..],
        &[
            "export",
            "--roster",
            "r.csv",
            "--out",
            "x.csv",
            "--batch-size",
            "0",
        ][..],
        &[
            "reconcile",
            "--roster",
            "a",
            "--returned",
            "b",
            "--out",
            "o",
            "--sent",
            "s",
            "--batch",
            "b1",
        ][..],
    ] {
        let run = Command::cargo_bin("acp-recon")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.contains("error:"), "{args:?}: {stderr}");
    }
}

/// A project folder: the sample's roster and two returned files, a ledger,
/// and an output folder that already holds a run's outputs.
struct Folder {
    dir: TempDir,
}

impl Folder {
    fn new() -> Folder {
        let dir = TempDir::new().unwrap();
        for (name, sample) in [
            ("roster.csv", "ledger/roster.csv"),
            ("first.csv", "ledger/return-1.csv"),
            ("second.csv", "ledger/return-2.csv"),
            ("acp.toml", "acp.toml"),
        ] {
            std::fs::copy(fixture(sample), dir.path().join(name)).unwrap();
        }
        Folder { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, returned: &str, out: &str) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("acp-recon"));
        c.args([
            "reconcile",
            "--roster",
            "roster.csv",
            "--config",
            "acp.toml",
        ])
        .args(["--returned", returned, "--out", out, "--quiet"])
        .current_dir(self.dir.path())
        .env_remove("ACP_RECON_LEDGER")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        c
    }

    /// Every output of `out`, by name.
    fn outputs(&self, out: &str) -> Vec<(String, Vec<u8>)> {
        OUTPUTS
            .iter()
            .map(|n| {
                let bytes = std::fs::read(self.path(out).join(n)).unwrap_or_default();
                (n.to_string(), bytes)
            })
            .collect()
    }

    /// The names in `out` that are not outputs.
    fn others(&self, out: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path(out))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| !OUTPUTS.contains(&n.as_str()))
            .collect();
        names.sort();
        names
    }

    /// `(runs, fates)` in the ledger.
    fn recorded(&self) -> (i64, i64) {
        let path = self.path("acp-recon.db");
        if !path.exists() {
            return (0, 0);
        }
        let conn = rusqlite::Connection::open(path).unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        (
            count("SELECT count(*) FROM run"),
            count("SELECT count(*) FROM fate"),
        )
    }

    /// Starts a run that pauses at `point`, and waits until it is there.
    fn paused(&self, point: &str, returned: &str, out: &str) -> (Child, PathBuf) {
        let go = self.path(&format!("go-{point}"));
        let mut command = self.command(returned, out);
        command.env("ACP_RECON_TEST_PAUSE", format!("{point}:{}", go.display()));
        let mut child = command.spawn().unwrap();
        let paused = PathBuf::from(format!("{}.paused", go.display()));
        for _ in 0..6000 {
            if paused.exists() {
                return (child, go);
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the run ended before it paused: {status:?}");
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the run never paused at {point}");
    }
}

fn signal(child: &Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

fn release(go: &Path) {
    std::fs::write(go, b"").unwrap();
}

#[test]
#[cfg(unix)]
fn ctrl_c_before_the_swap_exits_130_and_changes_nothing() {
    let f = Folder::new();
    assert_eq!(
        f.command("first.csv", "out").status().unwrap().code(),
        Some(1)
    );
    let (before, recorded) = (f.outputs("out"), f.recorded());
    let (child, go) = f.paused("before-swap", "second.csv", "out");
    signal(&child, "INT");
    release(&go);
    let run = child.wait_with_output().unwrap();
    assert_eq!(run.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("no output was replaced, and the ledger recorded nothing"),
        "{stderr}"
    );
    assert!(f.outputs("out") == before, "an output was replaced");
    assert_eq!(
        f.others("out"),
        Vec::<String>::new(),
        "a temporary file is left"
    );
    assert_eq!(
        f.recorded(),
        recorded,
        "the ledger recorded the stopped run"
    );
}

#[test]
#[cfg(unix)]
fn ctrl_c_inside_the_swap_finishes_both_the_outputs_and_the_ledger() {
    let f = Folder::new();
    assert_eq!(
        f.command("first.csv", "out").status().unwrap().code(),
        Some(1)
    );
    assert_eq!(
        f.command("second.csv", "expected").status().unwrap().code(),
        Some(1)
    );
    let expected = f.outputs("expected");
    // A fresh ledger for the run that is stopped, so that it is told the
    // same as the one that made `expected`.
    std::fs::remove_file(f.path("acp-recon.db")).unwrap();
    assert_eq!(
        f.command("first.csv", "out").status().unwrap().code(),
        Some(1)
    );
    let (runs, _) = f.recorded();
    let (child, go) = f.paused("in-swap", "second.csv", "out");
    // Paused with the first file in place: the set is half new.
    assert!(f.others("out").contains(&".acp-recon-commit".to_string()));
    signal(&child, "INT");
    release(&go);
    let run = child.wait_with_output().unwrap();
    assert_eq!(run.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("Stopped after the outputs were put in place and the run recorded"),
        "{stderr}"
    );
    assert!(f.outputs("out") == expected, "not the new set, whole");
    assert_eq!(f.others("out"), Vec::<String>::new());
    assert_eq!(f.recorded().0, runs + 1, "the ledger does not have the run");
}

/// Any run into the folder: it first finishes or undoes what a killed run
/// left there.
fn any_run_into(f: &Folder) {
    let validate = Command::cargo_bin("acp-recon")
        .unwrap()
        .args([
            "validate",
            "first.csv",
            "--errors",
            "out/check.csv",
            "--quiet",
        ])
        .current_dir(f.dir.path())
        .output()
        .unwrap();
    assert_eq!(validate.status.code(), Some(1));
}

#[test]
#[cfg(unix)]
fn a_kill_after_the_ledger_commits_is_finished_by_the_next_run() {
    let f = Folder::new();
    assert_eq!(
        f.command("first.csv", "out").status().unwrap().code(),
        Some(1)
    );
    assert_eq!(
        f.command("second.csv", "expected").status().unwrap().code(),
        Some(1)
    );
    let expected = f.outputs("expected");
    std::fs::remove_file(f.path("acp-recon.db")).unwrap();
    assert_eq!(
        f.command("first.csv", "out").status().unwrap().code(),
        Some(1)
    );
    let (runs, _) = f.recorded();
    let (mut child, go) = f.paused("sealed", "second.csv", "out");
    signal(&child, "KILL");
    child.wait().unwrap();
    release(&go);
    // Killed after the ledger's commit: the ledger has it, and the folder
    // holds a journal to finish.
    assert_eq!(f.recorded().0, runs + 1);
    assert!(f.others("out").contains(&".acp-recon-commit".to_string()));
    any_run_into(&f);
    assert!(
        f.outputs("out") == expected,
        "the killed run's set was not finished"
    );
    assert_eq!(f.others("out"), ["check.csv"]);
}

#[test]
#[cfg(unix)]
fn a_kill_inside_the_swap_is_undone_by_the_next_run() {
    let f = Folder::new();
    assert_eq!(
        f.command("first.csv", "out").status().unwrap().code(),
        Some(1)
    );
    let (before, recorded) = (f.outputs("out"), f.recorded());
    let (mut child, go) = f.paused("in-swap", "second.csv", "out");
    // Paused with the first file in place: the set is half new, and the
    // ledger has not committed.
    assert!(f.outputs("out") != before);
    signal(&child, "KILL");
    child.wait().unwrap();
    release(&go);
    assert_eq!(f.recorded(), recorded);
    any_run_into(&f);
    assert!(
        f.outputs("out") == before,
        "the half-new set was not undone"
    );
    assert_eq!(f.others("out"), ["check.csv"]);
}

#[test]
#[cfg(unix)]
fn a_kill_before_the_ledger_commits_is_undone_by_the_next_run() {
    let f = Folder::new();
    assert_eq!(
        f.command("first.csv", "out").status().unwrap().code(),
        Some(1)
    );
    let (before, recorded) = (f.outputs("out"), f.recorded());
    let (mut child, go) = f.paused("before-swap", "second.csv", "out");
    signal(&child, "KILL");
    child.wait().unwrap();
    release(&go);
    assert_eq!(f.recorded(), recorded);
    let validate = Command::cargo_bin("acp-recon")
        .unwrap()
        .args([
            "validate",
            "first.csv",
            "--errors",
            "out/check.csv",
            "--quiet",
        ])
        .current_dir(f.dir.path())
        .output()
        .unwrap();
    assert_eq!(validate.status.code(), Some(1));
    assert!(
        f.outputs("out") == before,
        "a killed run's outputs went in place"
    );
    assert_eq!(f.others("out"), ["check.csv"]);
}

/// Runs `command` as a user who cannot write what root made, when the
/// tests run as root (root ignores permission bits); else as is.
#[cfg(unix)]
fn as_someone_else(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if root {
        command.uid(65534).gid(65534);
    }
}

#[test]
#[cfg(unix)]
fn a_ledger_that_cannot_be_written_stops_the_run_before_anything_is_written() {
    use std::os::unix::fs::PermissionsExt;
    let f = Folder::new();
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    mode(f.dir.path(), 0o755);
    // A ledger that can only be read, and one in a folder that can only be.
    std::fs::create_dir(f.path("locked")).unwrap();
    for ledger in ["acp-recon.db", "locked/acp-recon.db"] {
        let mut c = f.command("first.csv", "setup");
        c.arg("--ledger").arg(ledger);
        assert_eq!(c.status().unwrap().code(), Some(1));
    }
    mode(&f.path("acp-recon.db"), 0o444);
    mode(&f.path("locked"), 0o555);
    for ledger in ["acp-recon.db", "locked/acp-recon.db"] {
        let out = format!("out-{}", ledger.replace('/', "-"));
        std::fs::create_dir(f.path(&out)).unwrap();
        mode(&f.path(&out), 0o777);
        let before = std::fs::read(f.path(ledger)).unwrap();
        let mut c = f.command("second.csv", &out);
        c.arg("--ledger").arg(ledger);
        as_someone_else(&mut c);
        let run = c.output().unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{ledger}: {stderr}");
        assert!(stderr.contains(ledger), "{stderr}");
        assert!(
            stderr.contains("writable") || stderr.contains("can be written"),
            "{stderr}"
        );
        assert_eq!(
            f.others(&out),
            Vec::<String>::new(),
            "{ledger}: something was written"
        );
        assert!(f.outputs(&out).iter().all(|(_, b)| b.is_empty()));
        assert_eq!(std::fs::read(f.path(ledger)).unwrap(), before);
    }
    mode(&f.path("locked"), 0o755);
}

#[test]
#[cfg(unix)]
fn a_second_run_into_a_folder_in_use_is_refused() {
    let f = Folder::new();
    assert_eq!(
        f.command("first.csv", "out").status().unwrap().code(),
        Some(1)
    );
    let before = f.outputs("out");
    let (child, go) = f.paused("before-swap", "second.csv", "out");
    let mut second = f.command("first.csv", "out");
    second.arg("--no-ledger");
    let run = second.output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another acp-recon run"), "{stderr}");
    release(&go);
    let first = child.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(1));
    assert!(f.outputs("out") != before, "the first run did not finish");
    assert_eq!(f.others("out"), Vec::<String>::new());
}
