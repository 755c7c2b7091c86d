//! What `status` and `history` read from the ledger: each batch's counts
//! and who is pending, and one person's history.

use super::earlier::FATE_FILE;
use super::Ledger;
use crate::error::Error;
use crate::reconcile::earlier::MemberState;
use rusqlite::params;
use serde::Serialize;

/// `('waiting', …)`: the states that match, for SQL.
fn states(matches: impl Fn(MemberState) -> bool) -> String {
    let list: Vec<String> = MemberState::ALL
        .into_iter()
        .filter(|&s| matches(s))
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!("({})", list.join(", "))
}

/// One batch's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchStatus {
    pub name: String,
    pub time: String,
    pub file: String,
    /// People exported in the batch.
    pub sent: usize,
    /// Whose latest return had them (planned, unchanged, confirmed, rejected).
    pub returned: usize,
    /// Planned, and no roster shows the plan applied yet.
    pub planned: usize,
    /// A roster shows the plan applied, or the values were already theirs.
    pub confirmed: usize,
    /// Returned with errors: waiting for the vendor's fix.
    pub rejected: usize,
    /// Not in the latest return that covered the batch.
    pub missing: usize,
    /// Not returned yet.
    pub waiting: usize,
    /// No longer in the roster: not pending.
    pub left: usize,
    /// Everyone not done: waiting, rejected, missing or planned.
    pub pending: usize,
}

/// A person still pending, with the last problem and where it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingPerson {
    pub key: String,
    pub batch: String,
    /// waiting, rejected, missing or planned.
    pub state: MemberState,
    pub last_code: Option<String>,
    pub file: String,
    pub line: u32,
}

/// The ledger's batches and who is pending.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    pub batches: Vec<BatchStatus>,
    /// The first pending people, or all of them.
    pub pending: Vec<PendingPerson>,
    /// How many people are pending, each once.
    #[serde(skip)]
    pub pending_total: usize,
}

/// One step of a person's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub time: String,
    /// sent, planned, unchanged, confirmed, rejected or missing.
    pub state: String,
    pub batch: Option<String>,
    pub codes: String,
    pub file: String,
    pub line: u32,
    /// The conference ID and toll number planned or returned.
    pub conference_id: Option<String>,
    pub toll_number: Option<String>,
}

impl Ledger {
    /// Each batch's counts (only `batch`'s when named), and who is pending:
    /// each person once, in the latest batch they are in; the first `limit`
    /// of them when given.
    pub fn status(&self, batch: Option<&str>, limit: Option<usize>) -> Result<Status, Error> {
        let fail = |e| super::fail(&self.path, e);
        let id = batch.map(|name| self.batch_id(name)).transpose()?;
        let mut status = Status::default();
        let mut select = self
            .conn
            .prepare(
                "SELECT b.id, b.name, b.time, b.file, m.state, count(m.key)
                 FROM batch b LEFT JOIN member m ON m.batch = b.id
                 WHERE ?1 IS NULL OR b.id = ?1
                 GROUP BY b.id, m.state ORDER BY b.id",
            )
            .map_err(fail)?;
        let mut rows = select.query([id]).map_err(fail)?;
        let mut last = None;
        while let Some(row) = rows.next().map_err(fail)? {
            let batch: u32 = row.get(0).map_err(fail)?;
            if last != Some(batch) {
                last = Some(batch);
                status.batches.push(BatchStatus {
                    name: row.get(1).map_err(fail)?,
                    time: row.get(2).map_err(fail)?,
                    file: row.get(3).map_err(fail)?,
                    ..BatchStatus::default()
                });
            }
            let Some(b) = status.batches.last_mut() else {
                continue;
            };
            let state: Option<String> = row.get(4).map_err(fail)?;
            let Some(state) = state.as_deref().and_then(MemberState::parse) else {
                continue;
            };
            let n = row.get::<_, i64>(5).map_err(fail)? as usize;
            b.sent += n;
            let count = match state {
                MemberState::Waiting => &mut b.waiting,
                MemberState::Planned => &mut b.planned,
                MemberState::Unchanged | MemberState::Confirmed => &mut b.confirmed,
                MemberState::Rejected => &mut b.rejected,
                MemberState::Missing => &mut b.missing,
                MemberState::Left => &mut b.left,
            };
            *count += n;
            if matches!(
                state,
                MemberState::Planned
                    | MemberState::Unchanged
                    | MemberState::Confirmed
                    | MemberState::Rejected
            ) {
                b.returned += n;
            }
            if state.pending() {
                b.pending += n;
            }
        }
        drop(rows);

        // Each person once, in the latest batch they are in (unless one
        // batch is asked for).
        let pending = format!(
            "m.state IN {} AND (?1 IS NULL OR m.batch = ?1)
             AND (?1 IS NOT NULL OR NOT EXISTS
                  (SELECT 1 FROM member o WHERE o.key = m.key AND o.batch > m.batch))",
            states(MemberState::pending)
        );
        status.pending_total = self
            .conn
            .query_row(
                &format!("SELECT count(*) FROM member m WHERE {pending}"),
                [id],
                |row| row.get::<_, i64>(0),
            )
            .map_err(fail)? as usize;
        let sql = format!(
            "SELECT m.key, b.name, m.state, f.code,
                    CASE WHEN f.key IS NULL THEN b.file ELSE {FATE_FILE} END,
                    coalesce(f.line, m.line)
             FROM member m JOIN batch b ON b.id = m.batch
                  LEFT JOIN fate f ON f.key = m.key AND f.run = m.run AND f.step = 1
                  LEFT JOIN run r ON r.id = f.run
             WHERE {pending}
             ORDER BY m.batch, m.key
             LIMIT ?2"
        );
        let mut select = self.conn.prepare(&sql).map_err(fail)?;
        let limit = limit.map_or(-1, |n| n as i64);
        let rows = select
            .query_map(params![id, limit], |row| {
                Ok(PendingPerson {
                    key: row.get(0)?,
                    batch: row.get(1)?,
                    state: MemberState::parse(&row.get::<_, String>(2)?)
                        .unwrap_or(MemberState::Waiting),
                    last_code: row.get(3)?,
                    file: row.get(4)?,
                    line: row.get(5)?,
                })
            })
            .map_err(fail)?;
        status.pending = rows.collect::<Result<_, _>>().map_err(fail)?;
        Ok(status)
    }

    /// One person's history, by their key as written: the key as the
    /// ledger keeps it, and each batch that sent them and each fate, in the
    /// order they happened.
    pub fn history(&self, user: &str) -> Result<(String, Vec<Event>), Error> {
        let key = crate::normalize::text::key(user).into_owned();
        let events = self.events(&key)?;
        Ok((key, events))
    }

    fn events(&self, key: &str) -> Result<Vec<Event>, Error> {
        let fail = |e| super::fail(&self.path, e);
        let sql = format!(
            "SELECT time, state, batch, codes, file, line, conference_id, toll_number
             FROM (
                 SELECT b.time AS time, 0 AS kind, b.id AS run, 0 AS step, 'sent' AS state,
                        b.name AS batch, '' AS codes, b.file AS file, m.line AS line,
                        NULL AS conference_id, NULL AS toll_number
                 FROM member m JOIN batch b ON b.id = m.batch WHERE m.key = ?1
                 UNION ALL
                 SELECT r.time, 1, r.id, f.step, f.state, b.name, coalesce(f.codes, ''),
                        {FATE_FILE}, f.line, f.conference_id, f.toll_number
                 FROM fate f JOIN run r ON r.id = f.run
                      LEFT JOIN batch b ON b.id = f.batch
                 WHERE f.key = ?1
             )
             ORDER BY time, kind, run, step"
        );
        let mut select = self.conn.prepare(&sql).map_err(fail)?;
        let rows = select
            .query_map(params![key], |row| {
                Ok(Event {
                    time: row.get(0)?,
                    state: row.get(1)?,
                    batch: row.get(2)?,
                    codes: row.get(3)?,
                    file: row.get(4)?,
                    line: row.get(5)?,
                    conference_id: row.get(6)?,
                    toll_number: row.get(7)?,
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }
}
