//! Helpers: run the binary into a temporary folder and read what it wrote.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub const OUTPUTS: [&str; 6] = [
    "import-plan.csv",
    "import-plan.ps1",
    "errors.csv",
    "send-back.csv",
    "report.json",
    "report.html",
];

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// One finished run of the binary.
pub struct Run {
    pub dir: TempDir,
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.out().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    pub fn bytes(&self) -> BTreeMap<&'static str, Vec<u8>> {
        OUTPUTS
            .iter()
            .map(|n| (*n, std::fs::read(self.out().join(n)).unwrap()))
            .collect()
    }

    pub fn report(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("report.json")).unwrap()
    }

    /// `(code, key, line)` of every finding in report.json.
    pub fn findings(&self) -> Vec<(String, Option<String>, Option<u64>)> {
        self.report()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_string(),
                    f["key"].as_str().map(String::from),
                    f["line"].as_u64(),
                )
            })
            .collect()
    }

    /// Parsed rows of an output CSV (BOM removed), header first.
    pub fn csv(&self, name: &str) -> Vec<Vec<String>> {
        let text = self.read(name);
        let text = text.trim_start_matches('\u{feff}');
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    }

    /// stdout with the temporary folder replaced, for snapshots.
    pub fn stdout_redacted(&self) -> String {
        self.stdout
            .replace(&self.out().display().to_string(), "[OUT]")
            .replace(&self.dir.path().display().to_string(), "[DIR]")
    }
}

/// Runs `acp-recon reconcile` with the given arguments plus `--out`.
pub fn reconcile(args: &[&str]) -> Run {
    reconcile_with(args, &[])
}

pub fn reconcile_with(args: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let mut cmd = Command::cargo_bin("acp-recon").unwrap();
    cmd.arg("reconcile").args(args).arg("--out").arg(&out);
    cmd.env("NO_COLOR", "1");
    cmd.env("ACP_RECON_LEDGER", dir.path().join("acp-recon.db"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = cmd.output().unwrap();
    Run {
        dir,
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs `reconcile` on two files, without a config.
pub fn reconcile_files(roster: &Path, returned: &Path) -> Run {
    reconcile(&[
        "--roster",
        roster.to_str().unwrap(),
        "--returned",
        returned.to_str().unwrap(),
    ])
}

/// Runs `reconcile` on two files with the sample's config, plus `extra`
/// arguments and environment.
pub fn reconcile_configured(
    roster: &Path,
    returned: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Run {
    let config = fixture("acp.toml");
    let mut args = vec![
        "--roster",
        roster.to_str().unwrap(),
        "--returned",
        returned.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    reconcile_with(&args, env)
}

/// The README's run on the bundled sample.
pub fn sample(extra: &[&str]) -> Run {
    reconcile_configured(&fixture("roster.csv"), &fixture("returned.csv"), extra, &[])
}

/// Writes a file into a temporary folder and returns its path.
pub fn write(dir: &TempDir, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    path
}
