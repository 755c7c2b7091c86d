//! What the commands record: an exported batch and its people, or a run:
//! its returned file (once), the batches it covered, the plans its roster
//! shows applied, each person's fate, and who left the roster.

use super::{now, Ledger};
use crate::config::Target;
use crate::error::Error;
use crate::export::ExportRow;
use crate::finding::{Code, Input, Severity};
use crate::model::{CurrentProvider, Key, Number};
use crate::normalize::text::key as clean_key;
use crate::reconcile::compare::TEAMS;
use crate::reconcile::earlier::MemberState;
use crate::reconcile::values::{Assignment, HELD};
use crate::reconcile::{Fate, Outcome};
use rusqlite::{params, OptionalExtension};

/// What recording a run did, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// When an earlier run recorded this returned file: its fates were not
    /// recorded again.
    pub already: Option<String>,
    /// People whose fate was recorded.
    pub fates: usize,
    /// Planned earlier, and the roster now shows the plan applied.
    pub confirmed: usize,
    /// Planned earlier, and the roster still shows other values.
    pub not_applied: usize,
    /// Batch members marked as no longer in the roster.
    pub left: usize,
}

/// A batch as recorded: when, to which file, and who is in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchRecord {
    pub time: String,
    pub file: String,
    /// The members' keys, sorted.
    pub keys: Vec<String>,
}

impl Ledger {
    /// The batch of that name, if one was recorded.
    pub fn batch(&self, name: &str) -> Result<Option<BatchRecord>, Error> {
        let fail = |e| super::fail(&self.path, e);
        let found: Option<(u32, String, String)> = self
            .conn
            .query_row(
                "SELECT id, time, file FROM batch WHERE name = ?1",
                [name],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .map_err(fail)?;
        let Some((id, time, file)) = found else {
            return Ok(None);
        };
        let mut select = self
            .conn
            .prepare("SELECT key FROM member WHERE batch = ?1 ORDER BY key")
            .map_err(fail)?;
        let keys = select
            .query_map([id], |row| row.get(0))
            .map_err(fail)?
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        Ok(Some(BatchRecord { time, file, keys }))
    }

    /// Records an exported batch and its people; a batch of that name is
    /// forgotten first.
    pub fn record_batch(
        &mut self,
        name: &str,
        file: &str,
        sha256: &str,
        people: &[ExportRow],
        token: &str,
    ) -> Result<(), Error> {
        self.make()?;
        let fail = |e| super::fail(&self.path, e);
        self.conn
            .execute("DELETE FROM batch WHERE name = ?1", [name])
            .map_err(fail)?;
        self.conn
            .execute(
                "INSERT INTO batch (name, time, file, sha256, token) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, now(), file, sha256, token],
            )
            .map_err(fail)?;
        let batch = self.conn.last_insert_rowid();
        let mut insert = self
            .conn
            .prepare(
                "INSERT OR IGNORE INTO member (batch, key, display_name, sip_address, line, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(fail)?;
        for (i, p) in people.iter().enumerate() {
            // The header is line 1, in a workbook as in a CSV file.
            let line = i as i64 + 2;
            insert
                .execute(params![
                    batch,
                    clean_key(&p.upn),
                    p.display_name,
                    p.sip_address,
                    line,
                    MemberState::Waiting.as_str()
                ])
                .map_err(fail)?;
        }
        Ok(())
    }

    /// Records a run: its returned file and each person's fate, unless an
    /// earlier run recorded that file; and, in any case, the plans the
    /// roster shows applied and the batch members it no longer has.
    pub fn record_run(&mut self, outcome: &Outcome, token: &str) -> Result<Recorded, Error> {
        let path = self.path.clone();
        let fail = |e| super::fail(&path, e);
        let mut recorded = Recorded {
            already: outcome.coverage.already.clone(),
            ..Recorded::default()
        };
        let source = |input| outcome.source(input);
        let (Some(roster), Some(returned)) = (source(Input::Roster), source(Input::Returned))
        else {
            return Ok(recorded);
        };
        let planned = self.planned()?;
        let applied: Vec<(usize, u32)> = planned
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((i, applied(outcome, &p.key, &p.values)?)))
            .collect();
        recorded.confirmed = applied.len();
        recorded.not_applied = planned.len() - applied.len();
        let left = &outcome.coverage.left;
        if recorded.already.is_some() && applied.is_empty() && left.is_empty() {
            return Ok(recorded);
        }
        self.make()?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO returned_file (sha256, name, rows) VALUES (?1, ?2, ?3)",
                params![returned.sha256, &*returned.name, returned.rows as i64],
            )
            .map_err(fail)?;
        let file: i64 = self
            .conn
            .query_row(
                "SELECT id FROM returned_file WHERE sha256 = ?1",
                [&returned.sha256],
                |row| row.get(0),
            )
            .map_err(fail)?;
        self.conn
            .execute(
                "INSERT INTO run (time, roster, roster_sha256, returned, returned_name, sent,
                                  covered, token)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    now(),
                    &*roster.name,
                    roster.sha256,
                    file,
                    &*returned.name,
                    outcome.source(Input::Sent).map(|s| &*s.name),
                    outcome.coverage.names().join(", "),
                    token
                ],
            )
            .map_err(fail)?;
        let run = self.conn.last_insert_rowid();
        self.confirm(run, &planned, &applied)?;
        if recorded.already.is_none() {
            let mut insert = self
                .conn
                .prepare("INSERT INTO run_batch (run, batch) VALUES (?1, ?2)")
                .map_err(fail)?;
            for batch in &outcome.coverage.batches {
                insert.execute(params![run, batch.id]).map_err(fail)?;
            }
            drop(insert);
            recorded.fates = self.fates(run, outcome)?;
        }
        recorded.left = self.left(run, left)?;
        Ok(recorded)
    }

    /// The people planned earlier and not confirmed yet, with the values
    /// planned: the latest batch and bridge, and `[provider, toll,
    /// toll-free, conference ID]`.
    fn planned(&self) -> Result<Vec<PlannedBefore>, Error> {
        let fail = |e| super::fail(&self.path, e);
        let mut select = self
            .conn
            .prepare(
                "SELECT DISTINCT m.key, f.batch, f.bridge, b.provider_name, f.toll_number,
                        f.toll_free_numbers, f.conference_id
                 FROM member m
                      JOIN fate f ON f.key = m.key AND f.run = m.run AND f.step = 1
                      LEFT JOIN bridge b ON b.id = f.bridge
                 WHERE m.state = ?1
                 ORDER BY m.key",
            )
            .map_err(fail)?;
        let rows = select
            .query_map([MemberState::Planned.as_str()], |row| {
                let text = |i| {
                    row.get::<_, Option<String>>(i)
                        .map(Option::unwrap_or_default)
                };
                Ok(PlannedBefore {
                    key: row.get(0)?,
                    batch: row.get(1)?,
                    bridge: row.get(2)?,
                    values: [text(3)?, text(4)?, text(5)?, text(6)?],
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }

    /// Marks confirmed the people planned earlier whose current values in
    /// this run's roster are the planned ones (`applied`: index in
    /// `planned`, roster line).
    fn confirm(
        &mut self,
        run: i64,
        planned: &[PlannedBefore],
        applied: &[(usize, u32)],
    ) -> Result<(), Error> {
        let fail = |e| super::fail(&self.path, e);
        let mut insert = self
            .conn
            .prepare(
                "INSERT INTO fate (key, run, step, state, batch, input, line, bridge,
                                   toll_number, toll_free_numbers, conference_id)
                 VALUES (?1, ?2, 0, ?3, ?4, 0, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(fail)?;
        let mut update = self
            .conn
            .prepare("UPDATE member SET state = ?1, run = ?2 WHERE key = ?3 AND state = ?4")
            .map_err(fail)?;
        let confirmed = MemberState::Confirmed.as_str();
        for &(i, line) in applied {
            let p = &planned[i];
            let [_, toll, free, id] = &p.values;
            insert
                .execute(params![
                    p.key, run, confirmed, p.batch, line, p.bridge, toll, free, id
                ])
                .map_err(fail)?;
            update
                .execute(params![
                    confirmed,
                    run,
                    p.key,
                    MemberState::Planned.as_str()
                ])
                .map_err(fail)?;
        }
        Ok(())
    }

    /// Marks the members no longer in the roster as left, in every batch
    /// they are pending in. Returns how many people.
    fn left(&mut self, run: i64, left: &[(Box<str>, u32)]) -> Result<usize, Error> {
        let fail = |e| super::fail(&self.path, e);
        let pending: Vec<&str> = MemberState::ALL
            .into_iter()
            .filter(|s| s.pending())
            .map(MemberState::as_str)
            .collect();
        let sql = format!(
            "UPDATE member SET state = ?1, run = ?2 WHERE key = ?3 AND state IN ({})",
            pending
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut update = self.conn.prepare(&sql).map_err(fail)?;
        let mut count = 0;
        for (key, _) in left {
            let changed = update
                .execute(params![MemberState::Left.as_str(), run, &**key])
                .map_err(fail)?;
            count += usize::from(changed > 0);
        }
        Ok(count)
    }

    /// The ledger's id of a bridge, added when new.
    fn bridge(&self, provider_name: &str, domain: &str, url: &str) -> Result<i64, Error> {
        let fail = |e| super::fail(&self.path, e);
        self.conn
            .execute(
                "INSERT OR IGNORE INTO bridge (provider_name, domain, url) VALUES (?1, ?2, ?3)",
                params![provider_name, domain, url],
            )
            .map_err(fail)?;
        self.conn
            .query_row(
                "SELECT id FROM bridge WHERE provider_name = ?1 AND domain = ?2 AND url = ?3",
                params![provider_name, domain, url],
                |row| row.get(0),
            )
            .map_err(fail)
    }

    /// Records each person's fate in this run, and makes it their state in
    /// every batch they are in. Returns how many were recorded.
    fn fates(&mut self, run: i64, outcome: &Outcome) -> Result<usize, Error> {
        let fail = |e| super::fail(&self.path, e);
        let r = &outcome.reconciliation;
        // The run's bridges by their index in the outcome, as ledger ids.
        let bridges: Vec<i64> = r
            .bridges
            .iter()
            .map(|b| {
                let text = |s| r.texts.get(s);
                // A Teams bridge is kept by its name, where a provider's is.
                let provider = match outcome.target {
                    Target::Acp => b.provider_name,
                    Target::Teams => b.name,
                };
                self.bridge(text(provider), text(b.domain), text(b.url))
            })
            .collect::<Result<_, _>>()?;
        let mut insert = self
            .conn
            .prepare(
                "INSERT INTO fate (key, run, step, state, batch, code, codes, input, line,
                                   bridge, toll_number, toll_free_numbers, conference_id,
                                   requested)
                 VALUES (?1, ?2, 1, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .map_err(fail)?;
        let findings = &outcome.findings.list;
        // Findings are in key order: each key's are a run of them.
        let mut at = 0;
        let mut count = 0;
        let mut free = String::new();
        for id in 0..r.keys.len() as u32 {
            let key = Key(id);
            while at < findings.len() && findings[at].key.get().is_none_or(|k| k < key) {
                at += 1;
            }
            let start = at;
            while at < findings.len() && findings[at].key == key {
                at += 1;
            }
            let own = &findings[start..at];
            let missing = own.iter().find(|f| f.code == Code::MissingFromReturn);
            let state = match (outcome.fate(key), missing) {
                (Some(Fate::Planned), _) => MemberState::Planned,
                (Some(Fate::Unchanged), _) => MemberState::Unchanged,
                (Some(Fate::Rejected), _) => MemberState::Rejected,
                (None, Some(_)) => MemberState::Missing,
                (None, None) => continue,
            };
            let first = r.first_row.get(id as usize).copied();
            let row = first.and_then(|row| r.rows.get(row as usize));
            let worst = missing.or_else(|| own.iter().find(|f| f.severity() == Severity::Error));
            // What is wrong, or worth a look; none for most people.
            let mut codes: Vec<&str> = Vec::new();
            for f in own.iter().filter(|f| f.severity() <= Severity::Warning) {
                if !codes.contains(&f.code.as_str()) {
                    codes.push(f.code.as_str());
                }
            }
            let codes = (!codes.is_empty()).then(|| codes.join(" "));
            let (input, line) = match worst {
                Some(f) => (f.input as i64, f.line),
                None => (
                    Input::Returned as i64,
                    first
                        .and_then(|row| outcome.inputs.returned.rows.line(row))
                        .unwrap_or(0),
                ),
            };
            let values = match (state, row) {
                (MemberState::Planned | MemberState::Unchanged, Some(row)) => {
                    free.clear();
                    for (i, &p) in r.phones.numbers(row.toll_free_numbers).iter().enumerate() {
                        if i > 0 {
                            free.push(';');
                        }
                        free.push_str(outcome.e164(p));
                    }
                    Some((
                        bridges.get(row.bridge as usize).copied(),
                        outcome.e164(row.toll_number),
                        free.as_str(),
                        r.texts.get(row.conference_id),
                    ))
                }
                _ => None,
            };
            let requested = r.requested.get(id as usize) == Some(&true);
            // Bound one by one: a million rows, each without a list of them.
            let bind = |insert: &mut rusqlite::Statement<'_>| -> rusqlite::Result<usize> {
                insert.raw_bind_parameter(1, outcome.key_text(key))?;
                insert.raw_bind_parameter(2, run)?;
                insert.raw_bind_parameter(3, state.as_str())?;
                insert.raw_bind_parameter(4, worst.map(|f| f.code.as_str()))?;
                insert.raw_bind_parameter(5, codes.as_deref())?;
                insert.raw_bind_parameter(6, input)?;
                insert.raw_bind_parameter(7, line)?;
                insert.raw_bind_parameter(8, values.and_then(|v| v.0))?;
                insert.raw_bind_parameter(9, values.map(|v| v.1))?;
                insert.raw_bind_parameter(10, values.map(|v| v.2))?;
                insert.raw_bind_parameter(11, values.map(|v| v.3))?;
                insert.raw_bind_parameter(12, i64::from(requested))?;
                insert.raw_execute()
            };
            bind(&mut insert).map_err(fail)?;
            count += 1;
        }
        drop(insert);
        // Batches only hold some of the people: their fates are found by key.
        self.conn
            .execute_batch(&format!(
                "UPDATE fate SET batch = (SELECT max(m.batch) FROM member m WHERE m.key = fate.key)
                 WHERE key IN (SELECT key FROM member) AND run = {run} AND step = 1;
                 UPDATE member SET state = f.state, run = f.run
                 FROM fate f WHERE f.key = member.key AND f.run = {run} AND f.step = 1;"
            ))
            .map_err(fail)?;
        Ok(count)
    }
}

/// Whether the run or export that left `token` in a journal recorded
/// itself in the ledger at `path`. A ledger that is gone has nothing to
/// disagree with; one that cannot be read is taken as recorded, so that
/// the finished outputs are kept.
pub fn sealed(path: &std::path::Path, token: &str) -> bool {
    if !path.exists() {
        return true;
    }
    use rusqlite::OpenFlags;
    // Read-write, so that SQLite rolls back what a killed run left in its
    // journal before the question is asked.
    let ask = |flags: OpenFlags| -> rusqlite::Result<bool> {
        let conn =
            rusqlite::Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.busy_timeout(super::BUSY_WAIT)?;
        conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM run WHERE token = ?1)
                 OR EXISTS (SELECT 1 FROM batch WHERE token = ?1)",
            [token],
            |row| row.get(0),
        )
    };
    ask(OpenFlags::SQLITE_OPEN_READ_WRITE)
        .or_else(|_| ask(OpenFlags::SQLITE_OPEN_READ_ONLY))
        .unwrap_or(true)
}

/// A person planned earlier, and what was planned.
struct PlannedBefore {
    key: String,
    batch: Option<i64>,
    bridge: Option<i64>,
    /// `[provider, toll, toll-free (joined by ;), conference ID]`.
    values: [String; 4],
}

/// The roster line of a person whose current values are the planned ones,
/// or `None`.
fn applied(outcome: &Outcome, key: &str, planned: &[String; 4]) -> Option<u32> {
    let roster = &outcome.inputs.roster;
    let person = roster.person(outcome.reconciliation.keys.find(key)?)?;
    let current = roster.current(person)?;
    let (name, fields) = match (outcome.target, current.provider) {
        (Target::Acp, CurrentProvider::ThirdParty(name)) => (roster.texts.get(name), HELD),
        (Target::Acp, _) => return None,
        // A Teams person holds numbers, whoever's.
        (Target::Teams, _) => ("", TEAMS),
    };
    let text = |n: &Number| match *n {
        Number::Phone(p) => outcome.e164(p),
        Number::Text(span) => roster.texts.get(span),
    };
    let held = Assignment::new(
        name,
        current.toll_number.as_ref().map_or("", text),
        roster.current_toll_free(current).iter().map(text),
        current.conference_id.map_or("", |s| roster.texts.get(s)),
    );
    let [provider, toll, free, id] = planned;
    let wanted = Assignment::new(provider, toll, free.split(';'), id);
    held.same(&wanted, fields)
        .then(|| roster.rows.line(person.row).unwrap_or(0))
}
