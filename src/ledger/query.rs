//! What the commands read from the ledger: who the open batches wait for,
//! the values returned before, each batch's status, and one person's
//! history.

use super::Ledger;
use crate::error::Error;
use crate::model::Key;
use crate::normalize::text::same_text;
use crate::reconcile::earlier::{Drift, Pending, Values};
use crate::reconcile::Outcome;
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

/// The states in which a person is still waited for by the vendor.
const WAITING_FOR_VENDOR: &str = "('waiting', 'rejected', 'missing')";

/// The file of a fate's line, from its run (`r`).
const FATE_FILE: &str =
    "CASE f.input WHEN 0 THEN r.roster WHEN 1 THEN r.returned_name ELSE coalesce(r.sent, '') END";

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
    /// Everyone not confirmed: waiting, rejected, missing or planned.
    pub pending: usize,
}

/// A person still pending, with the last problem and where it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingPerson {
    pub key: String,
    pub batch: String,
    /// waiting, rejected, missing or planned.
    pub state: String,
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
    /// The people the open batches wait for (returned with errors, missing,
    /// not returned yet), each once with the latest batch they are in; only
    /// those of `batch` when it is named.
    pub fn pending(&self, batch: Option<&str>) -> Result<Vec<Pending>, Error> {
        let fail = |e| super::fail(&self.path, e);
        let id = batch.map(|name| self.batch_id(name)).transpose()?;
        let sql = format!(
            "SELECT key, max(batch) FROM member
             WHERE state IN {WAITING_FOR_VENDOR} AND (?1 IS NULL OR batch = ?1)
             GROUP BY key ORDER BY key"
        );
        let mut select = self.conn.prepare(&sql).map_err(fail)?;
        let rows = select
            .query_map([id], |row| {
                Ok(Pending {
                    key: row.get::<_, String>(0)?.into(),
                    batch: row.get(1)?,
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }

    fn batch_id(&self, name: &str) -> Result<u32, Error> {
        let fail = |e| super::fail(&self.path, e);
        let id = self
            .conn
            .query_row("SELECT id FROM batch WHERE name = ?1", [name], |row| {
                row.get(0)
            })
            .optional()
            .map_err(fail)?;
        match id {
            Some(id) => Ok(id),
            None => {
                let mut select = self
                    .conn
                    .prepare("SELECT name FROM batch ORDER BY id")
                    .map_err(fail)?;
                let names: Vec<String> = select
                    .query_map([], |row| row.get(0))
                    .map_err(fail)?
                    .collect::<Result<_, _>>()
                    .map_err(fail)?;
                Err(Error::NoSuchBatch {
                    name: name.to_string(),
                    available: if names.is_empty() {
                        "none yet (export records one)".into()
                    } else {
                        names.join(", ")
                    },
                })
            }
        }
    }

    /// The people of this run whose values differ from those the same
    /// vendor (same provider name) returned for them in another file, with
    /// the latest such values. One pass over the earlier values, in key
    /// order.
    pub fn drift(&self, outcome: &Outcome) -> Result<Vec<(Key, Drift)>, Error> {
        let fail = |e| super::fail(&self.path, e);
        let sha256 = outcome
            .source(crate::finding::Input::Returned)
            .map_or("", |s| s.sha256.as_str());
        let sql = format!(
            "SELECT f.key, {FATE_FILE}, f.line, b.provider_name, b.domain, f.toll_number,
                    f.toll_free_numbers, f.conference_id, b.url
             FROM fate f JOIN run r ON r.id = f.run
                  JOIN returned_file rf ON rf.id = r.returned
                  LEFT JOIN bridge b ON b.id = f.bridge
             WHERE f.step = 1 AND f.state IN ('planned', 'unchanged') AND rf.sha256 != ?1
             ORDER BY f.key, f.run"
        );
        let mut select = self.conn.prepare(&sql).map_err(fail)?;
        let mut rows = select.query([sha256]).map_err(fail)?;
        let mut drift = Vec::new();
        let mut last: Option<(String, Drift)> = None;
        let mut settle = |last: Option<(String, Drift)>| {
            let Some((key, mut d)) = last else { return };
            let Some(id) = outcome.keys.find(&key) else {
                return;
            };
            let Some(now) = outcome.values(id) else {
                return;
            };
            if same_text(&d.before.provider_name, &now.provider_name)
                && !d.before.differences(&now).is_empty()
            {
                d.now = now;
                drift.push((id, d));
            }
        };
        while let Some(row) = rows.next().map_err(fail)? {
            let key: String = row.get(0).map_err(fail)?;
            let earlier = earlier(row).map_err(fail)?;
            if last.as_ref().is_some_and(|(k, _)| *k != key) {
                settle(last.take());
            }
            last = Some((key, earlier));
        }
        settle(last);
        Ok(drift)
    }

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
                "SELECT b.name, b.time, b.file, count(m.key),
                        total(m.state IN ('planned', 'unchanged', 'confirmed', 'rejected')),
                        total(m.state = 'planned'),
                        total(m.state IN ('confirmed', 'unchanged')),
                        total(m.state = 'rejected'),
                        total(m.state = 'missing'),
                        total(m.state = 'waiting')
                 FROM batch b LEFT JOIN member m ON m.batch = b.id
                 WHERE ?1 IS NULL OR b.id = ?1
                 GROUP BY b.id ORDER BY b.id",
            )
            .map_err(fail)?;
        let rows = select
            .query_map([id], |row| {
                let n = |i| row.get::<_, f64>(i).map(|v| v as usize);
                let mut b = BatchStatus {
                    name: row.get(0)?,
                    time: row.get(1)?,
                    file: row.get(2)?,
                    sent: row.get::<_, i64>(3)? as usize,
                    returned: n(4)?,
                    planned: n(5)?,
                    confirmed: n(6)?,
                    rejected: n(7)?,
                    missing: n(8)?,
                    waiting: n(9)?,
                    pending: 0,
                };
                b.pending = b.waiting + b.rejected + b.missing + b.planned;
                Ok(b)
            })
            .map_err(fail)?;
        status.batches = rows.collect::<Result<_, _>>().map_err(fail)?;

        // Each person once, in the latest batch they are in (unless one
        // batch is asked for).
        let pending = "m.state IN ('waiting', 'rejected', 'missing', 'planned')
             AND (?1 IS NULL OR m.batch = ?1)
             AND (?1 IS NOT NULL OR NOT EXISTS
                  (SELECT 1 FROM member o WHERE o.key = m.key AND o.batch > m.batch))";
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
                    state: row.get(2)?,
                    last_code: row.get(3)?,
                    file: row.get(4)?,
                    line: row.get(5)?,
                })
            })
            .map_err(fail)?;
        status.pending = rows.collect::<Result<_, _>>().map_err(fail)?;
        Ok(status)
    }

    /// One person's history: each batch that sent them, and each fate, in
    /// the order they happened.
    pub fn history(&self, key: &str) -> Result<Vec<Event>, Error> {
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

/// An earlier return's values for a person, and where they were read.
fn earlier(row: &Row<'_>) -> rusqlite::Result<Drift> {
    let text = |i| {
        row.get::<_, Option<String>>(i)
            .map(Option::unwrap_or_default)
    };
    Ok(Drift {
        file: row.get(1)?,
        line: row.get(2)?,
        before: Values {
            provider_name: text(3)?,
            domain: text(4)?,
            toll_number: text(5)?,
            toll_free_numbers: text(6)?,
            conference_id: text(7)?,
            url: text(8)?,
        },
        now: Values::default(),
    })
}
