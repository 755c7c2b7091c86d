//! Putting a finished set of files in place together. Each target's
//! previous version is kept aside (a hard link, or a copy where the file
//! system has none) until every new file is in place and the seal (a
//! ledger's commit) is made; if either fails, the previous versions go
//! back. A journal names the renames, the previous versions and the seal,
//! so that the next run finishes a killed run whose seal was made, and
//! undoes one whose seal was not.
//!
//! Every file a run makes in the folder is held locked while it lives, so
//! that another run tells a file in use from one a killed run left.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// What this tool's own temporary files in an output folder start with.
pub(crate) const PREFIX: &str = ".acp-recon-";
/// The journal of a set being put in place.
const JOURNAL: &str = ".acp-recon-commit";
/// The journal's line that names the seal.
const SEAL: &str = "seal\t";

/// A finished temporary file and the file it replaces; with no temporary
/// file (an empty path), a file the set removes (a part a bigger earlier
/// run left).
pub struct Staged {
    pub temp: PathBuf,
    pub target: PathBuf,
    /// Held, and locked, until the set is in place.
    pub(crate) file: Option<File>,
}

/// What else changes with a set: made permanent once every file is in
/// place, and the set undone if it cannot be, so that the two change
/// together.
pub trait Seal {
    /// What the journal names the seal by, for a later run to ask whether
    /// it was made ([`write_all`](super::write_all)'s `sealed`).
    fn token(&self) -> String;
    /// Makes the other side permanent, the set being in place. After this
    /// the set stays (a run killed now is finished by the next one).
    fn seal(&mut self, staged: &[Staged]) -> Result<(), crate::Error>;
}

/// A temporary file's path for `name` in `dir`, marked with this process.
pub(crate) fn temp_path(dir: &Path, name: &str, kind: &str) -> PathBuf {
    dir.join(format!("{PREFIX}{}-{name}.{kind}", std::process::id()))
}

/// Creates a temporary file and locks it.
pub(crate) fn create_locked(path: &Path) -> io::Result<File> {
    let file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    lock(&file)?;
    Ok(file)
}

fn lock(file: &File) -> io::Result<()> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(fs::TryLockError::WouldBlock) => Err(busy()),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

fn busy() -> io::Error {
    io::Error::new(
        io::ErrorKind::WouldBlock,
        "another acp-recon run is writing into this folder",
    )
}

/// Holds the folder for one run at a time: on Unix the folder itself is
/// locked (no file is left in it for that); elsewhere only the files are.
pub(crate) fn hold_folder(dir: &Path) -> io::Result<Option<File>> {
    if cfg!(unix) {
        let folder = File::open(dir)?;
        lock(&folder)?;
        return Ok(Some(folder));
    }
    Ok(None)
}

/// Removes the temporary files this process made in `dir`: a set that
/// failed before it was put in place.
pub(crate) fn remove_temps(dir: &Path) {
    let mine = format!("{PREFIX}{}-", std::process::id());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&mine) && name.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
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

/// What went wrong putting a set in place.
pub(crate) enum Failed {
    /// Nothing changed: the previous set is as it was.
    Unchanged(PathBuf, io::Error),
    /// The seal failed: the previous set is back.
    Seal(crate::Error),
}

/// Puts every staged file in place with `seal` made after, or none: the
/// previous versions are kept aside and the journal written first, then
/// the renames, then the seal. A seal that fails puts the previous versions
/// back; a run killed before it is undone by the next one, and one killed
/// after it finished.
pub(crate) fn commit(
    dir: &Path,
    staged: &mut [Staged],
    seal: Option<&mut dyn Seal>,
) -> Result<(), Failed> {
    let journal = dir.join(JOURNAL);
    // Previous versions, kept until the seal is made.
    let mut kept: Vec<(Option<PathBuf>, Option<File>)> = Vec::with_capacity(staged.len());
    let remove_kept = |kept: &[(Option<PathBuf>, Option<File>)]| {
        for (old, _) in kept {
            if let Some(old) = old {
                let _ = fs::remove_file(old);
            }
        }
    };
    let remove_temps = |staged: &[Staged]| {
        for s in staged.iter().filter(|s| !s.temp.as_os_str().is_empty()) {
            let _ = fs::remove_file(&s.temp);
        }
    };
    for s in staged.iter() {
        let old = temp_path(dir, file_name(&s.target), "old");
        if !s.target.exists() {
            kept.push((None, None));
            continue;
        }
        match keep_aside(&s.target, &old) {
            Ok(file) => kept.push((Some(old), Some(file))),
            Err(e) => {
                remove_kept(&kept);
                remove_temps(staged);
                return Err(Failed::Unchanged(s.target.clone(), e));
            }
        }
    }
    let mut text = String::new();
    if let Some(seal) = &seal {
        text.push_str(SEAL);
        text.push_str(&seal.token().replace('\n', " "));
        text.push('\n');
    }
    for (s, (old, _)) in staged.iter().zip(&kept) {
        let old = old.as_deref().map_or("", file_name);
        text.push_str(&format!(
            "{}\t{}\t{old}\n",
            file_name(&s.temp),
            file_name(&s.target)
        ));
    }
    let journal_temp = temp_path(dir, "commit", "tmp");
    let held = (|| {
        let file = create_locked(&journal_temp)?;
        fs::write(&journal_temp, text)?;
        fs::rename(&journal_temp, &journal)?;
        Ok::<_, io::Error>(file)
    })();
    let _journal = match held {
        Ok(file) => file,
        Err(e) => {
            let _ = fs::remove_file(&journal_temp);
            remove_kept(&kept);
            remove_temps(staged);
            return Err(Failed::Unchanged(journal, e));
        }
    };
    // Puts the previous versions of the first `done` targets back.
    let put_back = |done: usize| {
        for (s, (old, _)) in staged[..done].iter().zip(&kept) {
            let _ = match old {
                Some(old) => fs::rename(old, &s.target),
                None => fs::remove_file(&s.target),
            };
        }
        remove_kept(&kept[done..]);
        remove_temps(&staged[done..]);
        let _ = fs::remove_file(dir.join(JOURNAL));
    };
    let mut done = 0;
    for s in staged.iter() {
        let put = match s.temp.as_os_str().is_empty() {
            true => fs::remove_file(&s.target),
            false => fs::rename(&s.temp, &s.target),
        };
        if let Err(e) = put {
            put_back(done);
            return Err(Failed::Unchanged(s.target.clone(), e));
        }
        done += 1;
        if done == 1 {
            super::interrupt::pause_for_tests("in-swap");
        }
    }
    if let Some(seal) = seal {
        if let Err(e) = seal.seal(staged) {
            put_back(done);
            return Err(Failed::Seal(e));
        }
        super::interrupt::pause_for_tests("sealed");
    }
    let _ = fs::remove_file(&journal);
    remove_kept(&kept);
    for s in staged.iter_mut() {
        s.file = None;
    }
    Ok(())
}

/// Keeps the file at `target` as `old` without moving it: the target stays
/// in place until its replacement is renamed over it.
fn keep_aside(target: &Path, old: &Path) -> io::Result<File> {
    let _ = fs::remove_file(old);
    fs::hard_link(target, old).or_else(|_| fs::copy(target, old).map(|_| ()))?;
    let file = File::open(old)?;
    lock(&file)?;
    Ok(file)
}

/// Finishes or undoes a set a killed run was putting in place, then removes
/// what killed runs of this tool left in `dir`, and only that. A journal
/// with a seal is finished when `sealed` says the seal was made, and else
/// undone (each target's previous version put back); one without is
/// finished. Fails when another run holds a file here: it is writing into
/// this folder now.
pub(crate) fn recover(dir: &Path, sealed: &dyn Fn(&str) -> bool) -> io::Result<()> {
    let mut left = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if !is_ours(&name.to_string_lossy()) || !entry.file_type()?.is_file() {
            continue;
        }
        // Held by this process while `left` lives: nobody else may start.
        let file = File::open(entry.path())?;
        lock(&file)?;
        left.push((entry.path(), file));
    }
    let journal = dir.join(JOURNAL);
    if let Ok(text) = fs::read_to_string(&journal) {
        let mut lines = text.lines().peekable();
        let forward = match lines.peek().and_then(|l| l.strip_prefix(SEAL)) {
            Some(token) => {
                let made = sealed(token);
                lines.next();
                made
            }
            None => true,
        };
        let ours = |name: &str| !name.is_empty() && is_ours(name) && !name.contains(['/', '\\']);
        for line in lines {
            let mut parts = line.split('\t');
            let (Some(temp), Some(target)) = (parts.next(), parts.next()) else {
                continue;
            };
            let old = parts.next().unwrap_or("");
            if target.contains(['/', '\\']) || target.is_empty() {
                continue;
            }
            // No temporary file: the set removes the target.
            if temp.is_empty() {
                let target = dir.join(target);
                match forward {
                    true => {
                        let _ = fs::remove_file(&target);
                    }
                    false if ours(old) && dir.join(old).exists() && !target.exists() => {
                        fs::rename(dir.join(old), &target)?
                    }
                    false => {}
                }
                continue;
            }
            if !ours(temp) {
                continue;
            }
            let (temp, target) = (dir.join(temp), dir.join(target));
            // Every temporary file a journal names was finished before it
            // was written; one still there was not put in place yet.
            match forward {
                true if temp.exists() => fs::rename(&temp, &target)?,
                true => {}
                false if temp.exists() => {}
                false if ours(old) && dir.join(old).exists() => fs::rename(dir.join(old), &target)?,
                false if old.is_empty() => {
                    let _ = fs::remove_file(&target);
                }
                false => {}
            }
        }
        fs::remove_file(&journal)?;
    }
    for (path, _) in &left {
        let _ = fs::remove_file(path);
    }
    Ok(())
}

/// A file of this tool: a temporary `.acp-recon-PID-NAME.tmp` or `.old`,
/// or the journal.
fn is_ours(name: &str) -> bool {
    name == JOURNAL
        || (name.starts_with(PREFIX) && (name.ends_with(".tmp") || name.ends_with(".old")))
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(d: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    fn left_by_a_killed_run(d: &Path, seal: Option<&str>) {
        fs::write(d.join("a.csv"), "new a").unwrap();
        fs::write(d.join(".acp-recon-4000000000-b.csv.tmp"), "new b").unwrap();
        fs::write(d.join("b.csv"), "old b").unwrap();
        fs::write(d.join(".acp-recon-4000000000-a.csv.old"), "old a").unwrap();
        fs::write(d.join(".acp-recon-4000000000-b.csv.old"), "old b").unwrap();
        let mut journal = String::new();
        if let Some(seal) = seal {
            journal.push_str(&format!("seal\t{seal}\n"));
        }
        // a.csv is in place already, b.csv not yet; both had a version.
        journal.push_str(
            ".acp-recon-4000000000-a.csv.tmp\ta.csv\t.acp-recon-4000000000-a.csv.old\n\
             .acp-recon-4000000000-b.csv.tmp\tb.csv\t.acp-recon-4000000000-b.csv.old\n",
        );
        fs::write(d.join(JOURNAL), journal).unwrap();
        fs::write(d.join("notes.tmp"), "the admin's").unwrap();
    }

    #[test]
    fn a_journal_left_by_a_killed_run_is_finished() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        left_by_a_killed_run(d, None);
        recover(d, &|_| unreachable!()).unwrap();
        assert_eq!(fs::read_to_string(d.join("a.csv")).unwrap(), "new a");
        assert_eq!(fs::read_to_string(d.join("b.csv")).unwrap(), "new b");
        assert_eq!(names(d), ["a.csv", "b.csv", "notes.tmp"]);
    }

    #[test]
    fn a_sealed_journal_is_finished_only_when_the_seal_was_made() {
        for made in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let d = dir.path();
            left_by_a_killed_run(d, Some("ledger\tl.db\t42"));
            recover(d, &|token| {
                assert_eq!(token, "ledger\tl.db\t42");
                made
            })
            .unwrap();
            let read = |name: &str| fs::read_to_string(d.join(name)).unwrap();
            let (a, b) = (read("a.csv"), read("b.csv"));
            match made {
                true => assert_eq!((a.as_str(), b.as_str()), ("new a", "new b")),
                false => assert_eq!((a.as_str(), b.as_str()), ("old a", "old b")),
            }
            assert_eq!(names(d), ["a.csv", "b.csv", "notes.tmp"]);
        }
    }

    #[test]
    fn a_file_another_run_holds_stops_the_recovery() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let path = d.join(".acp-recon-7-a.csv.tmp");
        let held = create_locked(&path).unwrap();
        let e = recover(d, &|_| true).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        assert!(path.exists());
        drop(held);
        recover(d, &|_| true).unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn a_failed_rename_puts_the_previous_versions_back() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("a.csv"), "old a").unwrap();
        fs::write(d.join("a.tmp"), "new a").unwrap();
        fs::write(d.join("b.tmp"), "new b").unwrap();
        // The second target's temporary file is gone: its rename fails.
        let mut staged = [
            Staged {
                temp: d.join("a.tmp"),
                target: d.join("a.csv"),
                file: None,
            },
            Staged {
                temp: d.join("missing.tmp"),
                target: d.join("b.csv"),
                file: None,
            },
        ];
        let Err(Failed::Unchanged(path, _)) = commit(d, &mut staged, None) else {
            panic!("the commit did not fail as it should");
        };
        assert_eq!(path, d.join("b.csv"));
        assert_eq!(fs::read_to_string(d.join("a.csv")).unwrap(), "old a");
        assert!(!d.join("b.csv").exists());
        assert!(!d.join(JOURNAL).exists());
    }
}
