//! What the commands record: an exported batch and its people, or a run:
//! its returned file (once), the plans its roster shows applied, and each
//! person's fate.

use super::{now, Ledger};
use crate::error::Error;
use crate::export::ExportRow;
use crate::finding::{Code, Input, Severity};
use crate::model::{CurrentProvider, Key, Number};
use crate::normalize::text::{key as clean_key, same_text};
use crate::reconcile::{Fate, Outcome};
use rusqlite::{params, OptionalExtension};

/// What recording a run did, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// The batches the run covered, by name.
    pub covered: Vec<String>,
    /// An earlier run recorded this returned file already.
    pub already: bool,
    /// People whose fate was recorded.
    pub fates: usize,
    /// Planned earlier, and the roster now shows the plan applied.
    pub confirmed: usize,
    /// Planned earlier, and the roster still shows other values.
    pub not_applied: usize,
}

impl Ledger {
    /// The batch of that name: when it was exported, and to which file.
    pub fn batch(&self, name: &str) -> Result<Option<(String, String)>, Error> {
        self.conn
            .query_row(
                "SELECT time, file FROM batch WHERE name = ?1",
                [name],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Records an exported batch and its people; with `replace`, a batch of
    /// that name is forgotten first.
    pub fn record_batch(
        &mut self,
        name: &str,
        file: &str,
        sha256: &str,
        people: &[ExportRow],
    ) -> Result<(), Error> {
        let fail = |e| super::fail(&self.path, e);
        self.conn
            .execute("DELETE FROM batch WHERE name = ?1", [name])
            .map_err(fail)?;
        self.conn
            .execute(
                "INSERT INTO batch (name, time, file, sha256) VALUES (?1, ?2, ?3, ?4)",
                params![name, now(), file, sha256],
            )
            .map_err(fail)?;
        let batch = self.conn.last_insert_rowid();
        let mut insert = self
            .conn
            .prepare(
                "INSERT OR IGNORE INTO member (batch, key, display_name, sip_address, line)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
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
                    line
                ])
                .map_err(fail)?;
        }
        Ok(())
    }

    /// Records a run: its returned file, unless an earlier run did; the
    /// plans the roster shows applied; and each person's fate.
    pub fn record_run(&mut self, outcome: &Outcome) -> Result<Recorded, Error> {
        let fail = |e| super::fail(&self.path, e);
        let mut recorded = Recorded::default();
        let source = |input| outcome.source(input);
        let (Some(roster), Some(returned)) = (source(Input::Roster), source(Input::Returned))
        else {
            return Ok(recorded);
        };
        let file: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM returned_file WHERE sha256 = ?1",
                [&returned.sha256],
                |row| row.get(0),
            )
            .optional()
            .map_err(fail)?;
        recorded.already = file.is_some();
        let file = match file {
            Some(id) => id,
            None => {
                self.conn
                    .execute(
                        "INSERT INTO returned_file (sha256, name, rows) VALUES (?1, ?2, ?3)",
                        params![returned.sha256, &*returned.name, returned.rows as i64],
                    )
                    .map_err(fail)?;
                self.conn.last_insert_rowid()
            }
        };
        recorded.covered = self.batch_names(&outcome.covered)?;
        self.conn
            .execute(
                "INSERT INTO run (time, roster, roster_sha256, returned, returned_name, sent,
                                  covered)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    now(),
                    &*roster.name,
                    roster.sha256,
                    file,
                    &*returned.name,
                    outcome.source(Input::Sent).map(|s| &*s.name),
                    recorded.covered.join(", ")
                ],
            )
            .map_err(fail)?;
        let run = self.conn.last_insert_rowid();
        (recorded.confirmed, recorded.not_applied) = self.confirm(run, outcome)?;
        if !recorded.already {
            recorded.fates = self.fates(run, outcome)?;
        }
        Ok(recorded)
    }

    fn batch_names(&self, ids: &[u32]) -> Result<Vec<String>, Error> {
        let fail = |e| super::fail(&self.path, e);
        let mut select = self
            .conn
            .prepare("SELECT name FROM batch WHERE id = ?1")
            .map_err(fail)?;
        let mut names = Vec::new();
        for &id in ids {
            if let Some(name) = select
                .query_row([id], |row| row.get(0))
                .optional()
                .map_err(fail)?
            {
                names.push(name);
            }
        }
        Ok(names)
    }

    /// Marks confirmed the people planned earlier whose current values in
    /// this run's roster are the planned ones; counts those still waiting.
    fn confirm(&mut self, run: i64, outcome: &Outcome) -> Result<(usize, usize), Error> {
        let fail = |e| super::fail(&self.path, e);
        type Planned = (String, Option<i64>, Option<i64>, [String; 4]);
        let planned: Vec<Planned> = {
            let mut select = self
                .conn
                .prepare(
                    "SELECT DISTINCT m.key, f.batch, f.bridge, b.provider_name, f.toll_number,
                            f.toll_free_numbers, f.conference_id
                     FROM member m
                          JOIN fate f ON f.key = m.key AND f.run = m.run AND f.step = 1
                          LEFT JOIN bridge b ON b.id = f.bridge
                     WHERE m.state = 'planned'
                     ORDER BY m.key",
                )
                .map_err(fail)?;
            let rows = select
                .query_map([], |row| {
                    let text = |i| {
                        row.get::<_, Option<String>>(i)
                            .map(Option::unwrap_or_default)
                    };
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        [text(3)?, text(4)?, text(5)?, text(6)?],
                    ))
                })
                .map_err(fail)?;
            rows.collect::<Result<_, _>>().map_err(fail)?
        };
        let mut insert = self
            .conn
            .prepare(
                "INSERT INTO fate (key, run, step, state, batch, input, line, bridge,
                                   toll_number, toll_free_numbers, conference_id)
                 VALUES (?1, ?2, 0, 'confirmed', ?3, 0, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(fail)?;
        let mut update = self
            .conn
            .prepare(
                "UPDATE member SET state = 'confirmed', run = ?1
                 WHERE key = ?2 AND state = 'planned'",
            )
            .map_err(fail)?;
        let (mut confirmed, mut not_applied) = (0, 0);
        for (key, batch, bridge, values) in planned {
            let Some(line) = applied(outcome, &key, &values) else {
                not_applied += 1;
                continue;
            };
            confirmed += 1;
            let [_, toll, free, id] = &values;
            insert
                .execute(params![key, run, batch, line, bridge, toll, free, id])
                .map_err(fail)?;
            update.execute(params![run, key]).map_err(fail)?;
        }
        Ok((confirmed, not_applied))
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
        // The run's bridges by their index in the outcome, as ledger ids.
        let bridges: Vec<i64> = outcome
            .bridges
            .iter()
            .map(|b| {
                let text = |s| outcome.texts.get(s);
                self.bridge(text(b.provider_name), text(b.domain), text(b.url))
            })
            .collect::<Result<_, _>>()?;
        let mut insert = self
            .conn
            .prepare(
                "INSERT INTO fate (key, run, step, state, batch, code, codes, input, line,
                                   bridge, toll_number, toll_free_numbers, conference_id)
                 VALUES (?1, ?2, 1, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .map_err(fail)?;
        let findings = &outcome.findings;
        // Findings are in key order: each key's are a run of them.
        let mut at = 0;
        let mut count = 0;
        let mut free = String::new();
        for id in 0..outcome.keys.len() as u32 {
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
                (Some(Fate::Planned), _) => "planned",
                (Some(Fate::Unchanged), _) => "unchanged",
                (Some(Fate::Rejected), _) => "rejected",
                (None, Some(_)) => "missing",
                (None, None) => continue,
            };
            let first = outcome.first_row.get(id as usize).copied();
            let row = first.and_then(|r| outcome.rows.get(r as usize));
            let worst = missing.or_else(|| {
                own.iter()
                    .find(|f| matches!(f.severity(), Severity::Error | Severity::Fatal))
            });
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
                        .and_then(|r| outcome.returned.rows.line(r))
                        .unwrap_or(0),
                ),
            };
            let values = match (state, row) {
                ("planned" | "unchanged", Some(row)) => {
                    free.clear();
                    for (i, &p) in outcome
                        .phones
                        .numbers(row.toll_free_numbers)
                        .iter()
                        .enumerate()
                    {
                        if i > 0 {
                            free.push(';');
                        }
                        free.push_str(outcome.e164(p));
                    }
                    Some((
                        bridges.get(row.bridge as usize).copied(),
                        outcome.e164(row.toll_number),
                        free.as_str(),
                        outcome.texts.get(row.conference_id),
                    ))
                }
                _ => None,
            };
            // Bound one by one: a million rows, each without a list of them.
            let bind = |insert: &mut rusqlite::Statement<'_>| -> rusqlite::Result<usize> {
                insert.raw_bind_parameter(1, outcome.key_text(key))?;
                insert.raw_bind_parameter(2, run)?;
                insert.raw_bind_parameter(3, state)?;
                insert.raw_bind_parameter(4, worst.map(|f| f.code.as_str()))?;
                insert.raw_bind_parameter(5, codes.as_deref())?;
                insert.raw_bind_parameter(6, input)?;
                insert.raw_bind_parameter(7, line)?;
                insert.raw_bind_parameter(8, values.and_then(|v| v.0))?;
                insert.raw_bind_parameter(9, values.map(|v| v.1))?;
                insert.raw_bind_parameter(10, values.map(|v| v.2))?;
                insert.raw_bind_parameter(11, values.map(|v| v.3))?;
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

/// The roster line of a person whose current values are the planned ones
/// (`[provider, toll, toll-free, conference ID]`), or `None`.
fn applied(outcome: &Outcome, key: &str, planned: &[String; 4]) -> Option<u32> {
    let roster = &outcome.roster;
    let person = roster.person(outcome.keys.find(key)?)?;
    let current = roster.current(person)?;
    let text = |n: &Number| match *n {
        Number::Phone(p) => outcome.e164(p).to_string(),
        Number::Text(span) => roster.texts.get(span).to_string(),
    };
    let [provider, toll, free, id] = planned;
    let same_provider = match current.provider {
        CurrentProvider::ThirdParty(name) => same_text(roster.texts.get(name), provider),
        _ => false,
    };
    let mut now_free: Vec<String> = roster.current_toll_free(current).iter().map(text).collect();
    let mut want_free: Vec<&str> = free.split(';').filter(|s| !s.is_empty()).collect();
    now_free.sort();
    want_free.sort_unstable();
    let same = same_provider
        && current.toll_number.as_ref().map(text).as_deref() == Some(toll.as_str())
        && current.conference_id.map(|s| roster.texts.get(s)) == Some(id.as_str())
        && now_free == want_free;
    same.then(|| roster.rows.line(person.row).unwrap_or(0))
}
