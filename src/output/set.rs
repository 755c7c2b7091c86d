//! Putting a finished set of files in place together. Each target's
//! previous version is kept aside (a hard link, or a copy where the file
//! system has none) until every new file is in place; if one cannot be,
//! the previous versions go back. A journal names the renames while they
//! happen, so that a run killed in the middle is finished by the next one.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What this tool's own temporary files in an output folder start with.
pub(crate) const PREFIX: &str = ".acp-recon-";
/// The journal of a set being put in place.
const JOURNAL: &str = ".acp-recon-commit";

/// A finished temporary file and the file it replaces.
pub(crate) struct Staged {
    pub temp: PathBuf,
    pub target: PathBuf,
}

/// A temporary file's path for `name` in `dir`, marked with this process.
pub(crate) fn temp_path(dir: &Path, name: &str, kind: &str) -> PathBuf {
    dir.join(format!("{PREFIX}{}-{name}.{kind}", std::process::id()))
}

/// Checks that every target can be replaced, before anything is.
pub(crate) fn check_targets(staged: &[Staged]) -> Result<(), (PathBuf, io::Error)> {
    for s in staged {
        match fs::symlink_metadata(&s.target) {
            Ok(meta) if meta.is_dir() => {
                return Err((
                    s.target.clone(),
                    io::Error::other("a folder has this name; move or rename it"),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Puts every staged file in place, or none: on a failure the previous
/// versions are restored and the error names the file that failed.
pub(crate) fn commit(dir: &Path, staged: &[Staged]) -> Result<(), (PathBuf, io::Error)> {
    let journal = dir.join(JOURNAL);
    let mut text = String::new();
    for s in staged {
        text.push_str(&format!(
            "{}\t{}\n",
            file_name(&s.temp),
            file_name(&s.target)
        ));
    }
    let journal_temp = temp_path(dir, "commit", "tmp");
    fs::write(&journal_temp, text)
        .and_then(|()| fs::rename(&journal_temp, &journal))
        .map_err(|e| (journal.clone(), e))?;

    // Previous versions, kept until every new file is in place.
    let mut kept: Vec<Option<PathBuf>> = Vec::with_capacity(staged.len());
    let mut done = 0;
    let mut failure = None;
    for s in staged {
        let old = temp_path(dir, file_name(&s.target), "old");
        let keep = if s.target.exists() {
            keep_aside(&s.target, &old).map(|()| Some(old))
        } else {
            Ok(None)
        };
        match keep.and_then(|old| {
            kept.push(old);
            fs::rename(&s.temp, &s.target)
        }) {
            Ok(()) => done += 1,
            Err(e) => {
                failure = Some((s.target.clone(), e));
                break;
            }
        }
    }
    if let Some(failure) = failure {
        for (s, old) in staged[..done].iter().zip(&kept) {
            let _ = match old {
                Some(old) => fs::rename(old, &s.target),
                None => fs::remove_file(&s.target),
            };
        }
        for old in kept.iter().skip(done).flatten() {
            let _ = fs::remove_file(old);
        }
        for s in &staged[done..] {
            let _ = fs::remove_file(&s.temp);
        }
        let _ = fs::remove_file(&journal);
        return Err(failure);
    }
    let _ = fs::remove_file(&journal);
    for old in kept.into_iter().flatten() {
        let _ = fs::remove_file(old);
    }
    Ok(())
}

/// Keeps the file at `target` as `old` without moving it: the target stays
/// in place until its replacement is renamed over it.
fn keep_aside(target: &Path, old: &Path) -> io::Result<()> {
    let _ = fs::remove_file(old);
    fs::hard_link(target, old).or_else(|_| fs::copy(target, old).map(|_| ()))
}

/// Finishes a set a killed run was putting in place, then removes what
/// killed runs of this tool left in `dir`, and only that.
pub(crate) fn recover(dir: &Path) -> io::Result<()> {
    let journal = dir.join(JOURNAL);
    if let Ok(text) = fs::read_to_string(&journal) {
        // Every temporary file a journal names was finished before it was
        // written: the ones still there go in place.
        for line in text.lines() {
            if let Some((temp, target)) = line.split_once('\t') {
                let temp = dir.join(temp);
                if is_ours(temp.file_name()) && temp.exists() && !target.contains(['/', '\\']) {
                    fs::rename(&temp, dir.join(target))?;
                }
            }
        }
        fs::remove_file(&journal)?;
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if is_ours(Some(&name)) && !alive(&name.to_string_lossy()) {
            let _ = fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// A temporary file of this tool: `.acp-recon-PID-NAME.tmp` or `.old`.
fn is_ours(name: Option<&std::ffi::OsStr>) -> bool {
    let Some(name) = name.and_then(|n| n.to_str()) else {
        return false;
    };
    name.strip_prefix(PREFIX)
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(pid, _)| pid.parse::<u32>().is_ok())
        && (name.ends_with(".tmp") || name.ends_with(".old"))
}

/// Whether the process that made a temporary file still runs (another run
/// writing the same folder), where the system tells; elsewhere, no.
fn alive(name: &str) -> bool {
    let pid = name
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split_once('-'))
        .map(|(pid, _)| pid);
    match pid {
        Some(pid) if pid == std::process::id().to_string() => false,
        Some(pid) => Path::new("/proc").join(pid).exists(),
        None => false,
    }
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_left_by_a_killed_run_is_finished() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("a.csv"), "new a").unwrap();
        fs::write(d.join(".acp-recon-4000000000-b.csv.tmp"), "new b").unwrap();
        fs::write(d.join("b.csv"), "old b").unwrap();
        fs::write(d.join(".acp-recon-4000000000-a.csv.old"), "old a").unwrap();
        fs::write(
            d.join(JOURNAL),
            ".acp-recon-4000000000-a.csv.tmp\ta.csv\n.acp-recon-4000000000-b.csv.tmp\tb.csv\n",
        )
        .unwrap();
        fs::write(d.join("notes.tmp"), "the admin's").unwrap();
        recover(d).unwrap();
        assert_eq!(fs::read_to_string(d.join("a.csv")).unwrap(), "new a");
        assert_eq!(fs::read_to_string(d.join("b.csv")).unwrap(), "new b");
        let mut names: Vec<_> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["a.csv", "b.csv", "notes.tmp"]);
    }

    #[test]
    fn a_failed_rename_puts_the_previous_versions_back() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("a.csv"), "old a").unwrap();
        fs::write(d.join("a.tmp"), "new a").unwrap();
        fs::write(d.join("b.tmp"), "new b").unwrap();
        // The second target's temporary file is gone: its rename fails.
        let staged = [
            Staged {
                temp: d.join("a.tmp"),
                target: d.join("a.csv"),
            },
            Staged {
                temp: d.join("missing.tmp"),
                target: d.join("b.csv"),
            },
        ];
        let (path, _) = commit(d, &staged).unwrap_err();
        assert_eq!(path, d.join("b.csv"));
        assert_eq!(fs::read_to_string(d.join("a.csv")).unwrap(), "old a");
        assert!(!d.join("b.csv").exists());
        assert!(!d.join(JOURNAL).exists());
    }
}
