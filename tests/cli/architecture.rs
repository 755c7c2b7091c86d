//! The shape of the code, as `docs/ARCHITECTURE.md` draws it: the modules
//! import one way only, the command line stays thin, and no source file
//! grows into two rooms.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules in the order data flows: each imports only those
/// before it.
const ORDER: &[&str] = &[
    "model",
    "columns",
    "finding",
    "error",
    "escape",
    "progress",
    "output",
    "normalize",
    "config",
    "source",
    "check",
    "reconcile",
    "plan",
    "export",
    "report",
    "ledger",
    "run",
    "cli",
];

/// What the crate root re-exports, by the module it comes from.
const ROOT: &[(&str, &str)] = &[
    ("Settings", "config"),
    ("Error", "error"),
    ("ExitStatus", "error"),
    ("Code", "finding"),
    ("Finding", "finding"),
    ("Severity", "finding"),
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module of a file under `src/`.
fn module(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Which top-level modules each module imports (`crate::x`), comments
/// aside.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in all {
        let from = module(&src, &file);
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let to = ROOT
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or(name.clone(), |(_, m)| m.to_string());
                if to != from {
                    deps.entry(from.clone()).or_default().insert(to);
                }
            }
        }
    }
    deps
}

#[test]
fn modules_import_only_the_stages_before_them() {
    let place = |m: &str| ORDER.iter().position(|&o| o == m);
    for (from, tos) in imports() {
        if from == "lib" || from == "main" {
            continue;
        }
        let at = place(&from).unwrap_or_else(|| panic!("{from} is not in ORDER"));
        for to in tos {
            let there = place(&to).unwrap_or_else(|| panic!("{from} imports {to}, not in ORDER"));
            assert!(there < at, "{from} imports {to}, which comes after it");
        }
    }
}

#[test]
fn the_command_line_uses_few_of_the_library_s_modules() {
    let deps = imports();
    let cli = &deps["cli"];
    assert!(
        cli.len() <= 7,
        "src/cli/ uses {} modules: {cli:?}",
        cli.len()
    );
    for banned in ["check", "reconcile", "source", "plan", "output", "finding"] {
        assert!(!cli.contains(banned), "src/cli/ reaches into {banned}");
    }
}

#[test]
fn no_source_file_passes_600_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    for file in all {
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        assert!(lines <= 600, "{} has {lines} lines", file.display());
    }
}
