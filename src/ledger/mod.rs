//! The ledger: one SQLite file that remembers, across runs, the batches
//! sent to the vendor and who was in each, the returned files, what became
//! of each person in each run, and which plans a later roster shows
//! applied. Owns the schema, its migrations and the queries; the commands
//! say when to read and when to record.
//!
//! A command opens the ledger first and takes its write lock
//! (`BEGIN IMMEDIATE`), so that a ledger that cannot be used stops the run
//! before anything is written, and two runs never interleave. It records in
//! that one transaction, and commits after its outputs are in place: a run
//! that fails or is killed records nothing.

mod earlier;
mod query;
mod record;
pub mod show;

pub use query::{BatchStatus, Event, PendingPerson, Status};
pub use record::{sealed, BatchRecord, Recorded};

use crate::error::Error;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The ledger file when neither `--ledger` nor `ACP_RECON_LEDGER` names one.
pub const DEFAULT_PATH: &str = "acp-recon.db";

/// Marks the file as this tool's (`PRAGMA application_id`, "ACPR").
const APPLICATION_ID: i64 = 0x4143_5052;

/// How long a run waits for another one to release the ledger.
const BUSY_WAIT: Duration = Duration::from_secs(5);

/// The schema, one step per version: `user_version` is the number of steps
/// applied. A step is never edited once released; a change is a new step.
const MIGRATIONS: &[&str] = &[
    // 1: batches and their people, returned files, runs, bridges and fates.
    "CREATE TABLE batch (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        time TEXT NOT NULL,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL
    );
    -- state: waiting (not returned yet), planned, unchanged, confirmed,
    -- rejected or missing, as the person's latest fate (in run) says; left
    -- once a roster no longer has them.
    CREATE TABLE member (
        batch INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        display_name TEXT NOT NULL,
        sip_address TEXT NOT NULL,
        line INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'waiting',
        run INTEGER,
        PRIMARY KEY (batch, key)
    ) WITHOUT ROWID;
    CREATE INDEX member_key ON member(key);
    CREATE TABLE returned_file (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        rows INTEGER NOT NULL
    );
    -- The files of a run, by the paths they were given as.
    CREATE TABLE run (
        id INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        roster TEXT NOT NULL,
        roster_sha256 TEXT NOT NULL,
        returned INTEGER NOT NULL REFERENCES returned_file(id),
        returned_name TEXT NOT NULL,
        sent TEXT,
        covered TEXT NOT NULL
    );
    -- A provider's fixed values, stored once.
    CREATE TABLE bridge (
        id INTEGER PRIMARY KEY,
        provider_name TEXT NOT NULL,
        domain TEXT NOT NULL,
        url TEXT NOT NULL,
        UNIQUE (provider_name, domain, url)
    );
    -- One person's fate in one run. step 0: confirmed by the run's roster;
    -- step 1: the verdict on the returned file. input: the file of the run
    -- the line is in (0 roster, 1 returned, 2 sent). state: planned,
    -- unchanged, confirmed, rejected or missing. batch: the latest batch
    -- the person is in. Values are those planned or found unchanged.
    CREATE TABLE fate (
        key TEXT NOT NULL,
        run INTEGER NOT NULL,
        step INTEGER NOT NULL,
        state TEXT NOT NULL,
        batch INTEGER,
        code TEXT,
        codes TEXT,
        input INTEGER NOT NULL,
        line INTEGER NOT NULL,
        bridge INTEGER,
        toll_number TEXT,
        toll_free_numbers TEXT,
        conference_id TEXT,
        PRIMARY KEY (key, run, step)
    ) WITHOUT ROWID;",
    // 2: the batches each run covered, by id (names may hold commas); who
    // each run requested, so that a file read again requests them again;
    // and the token a run or an export leaves in its output folder's
    // journal, to tell whether it was recorded.
    "CREATE TABLE run_batch (
        run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        batch INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
        PRIMARY KEY (run, batch)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO run_batch (run, batch)
        SELECT r.id, b.id FROM run r JOIN batch b
        ON instr(', ' || r.covered || ', ', ', ' || b.name || ', ') > 0;
    ALTER TABLE fate ADD COLUMN requested INTEGER NOT NULL DEFAULT 0;
    UPDATE fate SET requested = 1 WHERE step = 1 AND (state = 'missing' OR batch IS NOT NULL);
    ALTER TABLE run ADD COLUMN token TEXT;
    ALTER TABLE batch ADD COLUMN token TEXT;",
];

/// An open ledger; opened with [`Ledger::open`], it holds the write lock
/// until [`Ledger::commit`] (or until it is dropped, which records nothing).
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    locked: bool,
    /// No file yet: the ledger reads as empty (an empty database in
    /// memory), and the file is made when something is recorded.
    unmade: bool,
}

impl Ledger {
    /// Opens the ledger at `path` to record a run, brings its schema up to
    /// date and takes the write lock; a ledger that cannot be written is
    /// refused now, before anything is read. Where there is no ledger yet,
    /// none is made until something is recorded.
    pub fn open(path: &Path) -> Result<Ledger, Error> {
        if path.exists() || path.is_symlink() {
            return Ledger::connect(path, true);
        }
        writable_folder(path)?;
        let conn = Connection::open_in_memory().map_err(|e| fail(path, e))?;
        let mut ledger = Ledger {
            conn,
            path: path.to_path_buf(),
            locked: false,
            unmade: true,
        };
        ledger.migrate(0)?;
        Ok(ledger)
    }

    /// Opens an existing ledger to read it, without the write lock.
    pub fn open_existing(path: &Path) -> Result<Ledger, Error> {
        if !path.is_file() {
            return Err(Error::NoLedger {
                path: path.to_path_buf(),
            });
        }
        Ledger::connect(path, false)
    }

    /// Makes the ledger's file, if there is none yet, to record into.
    fn make(&mut self) -> Result<(), Error> {
        if self.unmade {
            *self = Ledger::connect(&self.path, true)?;
        }
        Ok(())
    }

    fn connect(path: &Path, write: bool) -> Result<Ledger, Error> {
        if path.is_dir() {
            return Err(Error::LedgerForeign {
                path: path.to_path_buf(),
                reason: "it is a folder".into(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| fail(path, e))?;
        let mut ledger = Ledger {
            conn,
            path: path.to_path_buf(),
            locked: false,
            unmade: false,
        };
        // Outside a transaction: there, this pragma does nothing.
        ledger
            .conn
            .execute_batch("PRAGMA foreign_keys = ON")
            .map_err(|e| ledger.error(e))?;
        ledger
            .conn
            .busy_timeout(BUSY_WAIT)
            .map_err(|e| ledger.error(e))?;
        if write {
            ledger.lock()?;
        }
        let version = ledger.check()?;
        if write {
            ledger.writable()?;
        }
        if version < MIGRATIONS.len() as i64 {
            ledger.lock()?;
            ledger.migrate(version)?;
            if !write {
                ledger.release()?;
            }
        }
        Ok(ledger)
    }

    /// Refuses a ledger this run could not record into: a file opened read
    /// only, or in a folder where its journal cannot be made. Writing its
    /// mark (which it has, or gets) is the first write of the run's
    /// transaction, and makes the journal.
    fn writable(&self) -> Result<(), Error> {
        let read_only = self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true);
        if read_only {
            return Err(Error::Ledger {
                path: self.path.clone(),
                message: "it can only be read".into(),
                help: "make the file and its folder writable for you, or give --ledger another path; nothing was written".into(),
            });
        }
        self.conn
            .pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(|e| self.error(e))
    }

    /// Refuses a file that is not this tool's ledger, or is from a newer
    /// version of it.
    fn check(&self) -> Result<i64, Error> {
        let pragma = |name: &str| -> Result<i64, Error> {
            self.conn
                .pragma_query_value(None, name, |row| row.get(0))
                .map_err(|e| self.error(e))
        };
        let id = pragma("application_id")?;
        let version = pragma("user_version")?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
            .map_err(|e| self.error(e))?;
        let foreign = |reason: &str| Error::LedgerForeign {
            path: self.path.clone(),
            reason: reason.into(),
        };
        if id != APPLICATION_ID && (id != 0 || tables > 0) {
            return Err(foreign("it is another program's SQLite database"));
        }
        if version > MIGRATIONS.len() as i64 {
            return Err(Error::Ledger {
                path: self.path.clone(),
                message: format!(
                    "it was written by a newer acp-recon (schema {version}; this one knows up to {})",
                    MIGRATIONS.len()
                ),
                help: "use the newer acp-recon with this ledger".into(),
            });
        }
        Ok(version)
    }

    /// Applies the schema steps the file does not have yet, each with its
    /// version, inside the run's transaction.
    fn migrate(&mut self, version: i64) -> Result<(), Error> {
        for (step, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            self.conn.execute_batch(sql).map_err(|e| self.error(e))?;
            self.conn
                .pragma_update(None, "user_version", step as i64 + 1)
                .map_err(|e| self.error(e))?;
        }
        self.conn
            .pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(|e| self.error(e))
    }

    /// Takes the write lock, waiting a little for another run to finish.
    fn lock(&mut self) -> Result<(), Error> {
        if !self.locked {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| self.error(e))?;
            self.locked = true;
        }
        Ok(())
    }

    /// Makes what was recorded permanent, and releases the lock.
    pub fn commit(mut self) -> Result<(), Error> {
        match self.unmade {
            true => Ok(()),
            false => self.release(),
        }
    }

    fn release(&mut self) -> Result<(), Error> {
        if self.locked {
            self.conn
                .execute_batch("COMMIT")
                .map_err(|e| self.error(e))?;
            self.locked = false;
        }
        Ok(())
    }

    /// The ledger's path, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, e: rusqlite::Error) -> Error {
        fail(&self.path, e)
    }
}

/// Refuses a ledger path whose folder is missing or cannot be written, by
/// making (and removing) a file there.
fn writable_folder(path: &Path) -> Result<(), Error> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let probe = folder.join(format!(".acp-recon-ledger-probe-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(Error::Ledger {
            path: path.to_path_buf(),
            message: format!("its folder cannot be written ({e})"),
            help: "check that the folder exists and can be written, or give --ledger another path; nothing was written".into(),
        }),
    }
}

/// A SQLite error as the admin can act on it.
fn fail(path: &Path, e: rusqlite::Error) -> Error {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::LedgerBusy { path },
        Some(ErrorCode::NotADatabase) => Error::LedgerForeign {
            path,
            reason: "it is not an SQLite database".into(),
        },
        Some(ErrorCode::DatabaseCorrupt) => Error::Ledger {
            path,
            message: "the file is damaged".into(),
            help: "restore it from a backup, or give --ledger a new path to start a new one; nothing was written".into(),
        },
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::ReadOnly) => {
            Error::Ledger {
                path,
                message: e.to_string(),
                help: "check that the folder exists and can be written, or give --ledger another path".into(),
            }
        }
        Some(ErrorCode::DiskFull) => Error::Ledger {
            path,
            message: "the disk is full".into(),
            help: "free some space and run again".into(),
        },
        _ => Error::Ledger {
            path,
            message: e.to_string(),
            help: "run again; if it persists, give --ledger a new path to start a new ledger".into(),
        },
    }
}

/// Now, as an RFC 3339 UTC time to the second.
pub(crate) fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ledger made on disk, with nothing recorded.
    fn made(path: &Path) -> Ledger {
        let mut ledger = Ledger::open(path).unwrap();
        ledger.make().unwrap();
        ledger
    }

    #[test]
    fn a_new_ledger_is_made_only_to_record_and_gets_every_step_and_its_mark() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        Ledger::open(&path).unwrap().commit().unwrap();
        assert!(!path.exists(), "nothing recorded, nothing made");
        made(&path).commit().unwrap();
        let conn = Connection::open(&path).unwrap();
        let get = |p: &str| -> i64 { conn.pragma_query_value(None, p, |r| r.get(0)).unwrap() };
        assert_eq!(get("user_version"), MIGRATIONS.len() as i64);
        assert_eq!(get("application_id"), APPLICATION_ID);
    }

    /// Each schema step keeps what the steps before it stored: a ledger of
    /// every earlier version, with a batch, a run and fates in it, is
    /// brought up to date and reads as the current one.
    #[test]
    fn a_ledger_of_each_earlier_version_is_migrated_and_keeps_its_data() {
        for version in 1..MIGRATIONS.len() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("l.db");
            {
                let conn = Connection::open(&path).unwrap();
                for step in &MIGRATIONS[..version] {
                    conn.execute_batch(step).unwrap();
                }
                conn.pragma_update(None, "user_version", version as i64)
                    .unwrap();
                conn.pragma_update(None, "application_id", APPLICATION_ID)
                    .unwrap();
                conn.execute_batch(
                    "INSERT INTO batch (id, name, time, file, sha256) VALUES (1, 'b1, old', 't', 'f', 's');
                     INSERT INTO member (batch, key, display_name, sip_address, line, state)
                         VALUES (1, 'ann@x', 'Ann', '', 2, 'missing');
                     INSERT INTO returned_file (id, sha256, name, rows) VALUES (1, 'abc', 'r.csv', 1);
                     INSERT INTO run (id, time, roster, roster_sha256, returned, returned_name, covered)
                         VALUES (1, 't', 'roster.csv', 'def', 1, 'r.csv', 'b1, old');
                     INSERT INTO fate (key, run, step, state, batch, input, line)
                         VALUES ('ann@x', 1, 1, 'missing', 1, 0, 2);",
                )
                .unwrap();
            }
            let ledger = Ledger::open(&path).unwrap();
            let count =
                |sql: &str| -> i64 { ledger.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
            assert_eq!(
                count("SELECT count(*) FROM batch WHERE name = 'b1, old'"),
                1
            );
            assert_eq!(count("PRAGMA user_version"), MIGRATIONS.len() as i64);
            // Step 2: the run's batch by id, though its name holds a comma,
            // and the missing person as requested.
            assert_eq!(
                count("SELECT count(*) FROM run_batch WHERE run = 1 AND batch = 1"),
                1
            );
            assert_eq!(count("SELECT requested FROM fate WHERE key = 'ann@x'"), 1);
            let seen = crate::reconcile::earlier::Earlier::seen(&ledger, "abc")
                .unwrap()
                .unwrap();
            assert_eq!(seen.batches, [1]);
            assert_eq!(&*seen.requested[0], "ann@x");
        }
    }

    #[test]
    fn a_ledger_that_can_only_be_read_is_refused_before_anything_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        made(&path).commit().unwrap();
        let before = std::fs::read(&path).unwrap();
        // Opened read only, as SQLite opens a file the user cannot write.
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY;
        let conn = Connection::open_with_flags(&path, flags).unwrap();
        let ledger = Ledger {
            conn,
            path: path.clone(),
            locked: false,
            unmade: false,
        };
        let e = ledger.writable().unwrap_err();
        assert!(e.to_string().contains("can only be read"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn foreign_newer_and_garbage_files_are_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("g.db");
        std::fs::write(
            &garbage,
            b"this is not a database at all, not even close....",
        )
        .unwrap();
        let before = std::fs::read(&garbage).unwrap();
        assert!(matches!(
            Ledger::open(&garbage),
            Err(Error::LedgerForeign { .. })
        ));
        assert_eq!(std::fs::read(&garbage).unwrap(), before);

        let other = dir.path().join("o.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        assert!(matches!(
            Ledger::open(&other),
            Err(Error::LedgerForeign { .. })
        ));

        let newer = dir.path().join("n.db");
        made(&newer).commit().unwrap();
        Connection::open(&newer)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        assert!(matches!(Ledger::open(&newer), Err(Error::Ledger { .. })));
    }

    #[test]
    fn a_second_opener_waits_then_is_told_the_ledger_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let first = made(&path);
        assert!(matches!(Ledger::open(&path), Err(Error::LedgerBusy { .. })));
        first.commit().unwrap();
        Ledger::open(&path).unwrap();
    }

    #[test]
    fn now_is_an_rfc3339_utc_time() {
        let t = now();
        assert_eq!(t.len(), 20);
        assert!(t.starts_with("20") && t.ends_with('Z'));
    }
}
