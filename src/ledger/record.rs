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
                "INSERT INTO run (time, roster, roster_sha256, returned, covered)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    now(),
                    &*roster.name,
                    roster.sha256,
                    file,
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
        let planned: Vec<(String, Option<i64>, [String; 4])> = {
            let mut select = self
                .conn
                .prepare(
                    "SELECT DISTINCT m.key, f.batch, f.provider_name, f.toll_number,
                            f.toll_free_numbers, f.conference_id
                     FROM member m JOIN fate f ON f.id = m.fate
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
                        [text(2)?, text(3)?, text(4)?, text(5)?],
                    ))
                })
                .map_err(fail)?;
            rows.collect::<Result<_, _>>().map_err(fail)?
        };
        let roster_name = outcome.file(Input::Roster);
        let (mut confirmed, mut not_applied) = (0, 0);
        for (key, batch, values) in planned {
            let Some(line) = applied(outcome, &key, &values) else {
                not_applied += 1;
                continue;
            };
            confirmed += 1;
            let [provider, toll, free, id] = &values;
            self.conn
                .execute(
                    "INSERT INTO fate (run, key, batch, state, file, line, provider_name,
                                       toll_number, toll_free_numbers, conference_id)
                     VALUES (?1, ?2, ?3, 'confirmed', ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![run, key, batch, roster_name, line, provider, toll, free, id],
                )
                .map_err(fail)?;
            self.conn
                .execute(
                    "UPDATE member SET state = 'confirmed', fate = ?1
                     WHERE key = ?2 AND state = 'planned'",
                    params![self.conn.last_insert_rowid(), key],
                )
                .map_err(fail)?;
        }
        Ok((confirmed, not_applied))
    }

    /// Records each person's fate in this run, and makes it their state in
    /// every batch they are in. Returns how many were recorded.
    fn fates(&mut self, run: i64, outcome: &Outcome) -> Result<usize, Error> {
        let fail = |e| super::fail(&self.path, e);
        let returned = outcome.file(Input::Returned);
        let mut insert = self
            .conn
            .prepare(
                "INSERT INTO fate (run, key, batch, state, code, codes, file, line,
                                   provider_name, domain, toll_number, toll_free_numbers,
                                   conference_id, url)
                 VALUES (?1, ?2, (SELECT max(batch) FROM member WHERE key = ?2), ?3, ?4, ?5,
                         ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .map_err(fail)?;
        let findings = &outcome.findings;
        // Findings are in key order: each key's are a run of them.
        let mut at = 0;
        let mut count = 0;
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
            let worst = missing.or_else(|| {
                own.iter()
                    .find(|f| matches!(f.severity(), Severity::Error | Severity::Fatal))
            });
            let mut codes: Vec<&str> = Vec::new();
            for f in own.iter().filter(|f| f.severity() <= Severity::Warning) {
                if !codes.contains(&f.code.as_str()) {
                    codes.push(f.code.as_str());
                }
            }
            let first_line = outcome
                .first_row
                .get(id as usize)
                .and_then(|&row| outcome.returned.rows.line(row))
                .unwrap_or(0);
            let (file, line) = match worst {
                Some(f) => (outcome.file(f.input), f.line),
                None => (returned, first_line),
            };
            let v = outcome.values(key).unwrap_or_default();
            let value = |s: &String| (!s.is_empty()).then(|| s.clone());
            let has_values = state == "planned" || state == "unchanged";
            let values: [Option<String>; 6] = if has_values {
                [
                    Some(v.provider_name.clone()),
                    Some(v.domain.clone()),
                    Some(v.toll_number.clone()),
                    Some(v.toll_free_numbers.clone()),
                    Some(v.conference_id.clone()),
                    value(&v.url),
                ]
            } else {
                Default::default()
            };
            insert
                .execute(params![
                    run,
                    outcome.key_text(key),
                    state,
                    worst.map(|f| f.code.as_str()),
                    codes.join(" "),
                    file,
                    line,
                    values[0],
                    values[1],
                    values[2],
                    values[3],
                    values[4],
                    values[5],
                ])
                .map_err(fail)?;
            count += 1;
        }
        drop(insert);
        self.conn
            .execute(
                "UPDATE member SET state = f.state, fate = f.id
                 FROM fate f WHERE f.run = ?1 AND f.state != 'confirmed' AND member.key = f.key",
                [run],
            )
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
