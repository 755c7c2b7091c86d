//! What the ledger tells a run about earlier ones ([`Earlier`]): the
//! batches and their members, a returned file seen before, and the values
//! returned before.

use super::Ledger;
use crate::error::Error;
use crate::reconcile::earlier::{Batch, Batches, Earlier, Member, MemberState, Seen, Values};
use rusqlite::OptionalExtension;

/// The file of a fate's line, from its run (`r`).
pub(super) const FATE_FILE: &str =
    "CASE f.input WHEN 0 THEN r.roster WHEN 1 THEN r.returned_name ELSE coalesce(r.sent, '') END";

impl Ledger {
    /// The id of the batch of that name, or the error that lists the others.
    pub(super) fn batch_id(&self, name: &str) -> Result<u32, Error> {
        let fail = |e| super::fail(&self.path, e);
        let id = self
            .conn
            .query_row("SELECT id FROM batch WHERE name = ?1", [name], |row| {
                row.get(0)
            })
            .optional()
            .map_err(fail)?;
        if let Some(id) = id {
            return Ok(id);
        }
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

impl Earlier for Ledger {
    fn batches(&self, only: Option<&str>) -> Result<Option<Batches>, Error> {
        let fail = |e| super::fail(&self.path, e);
        let id = only.map(|name| self.batch_id(name)).transpose()?;
        let mut batches = Batches::default();
        let mut select = self
            .conn
            .prepare("SELECT id, name FROM batch WHERE ?1 IS NULL OR id = ?1 ORDER BY id")
            .map_err(fail)?;
        let rows = select
            .query_map([id], |row| {
                Ok(Batch {
                    id: row.get(0)?,
                    name: row.get(1)?,
                })
            })
            .map_err(fail)?;
        batches.batches = rows.collect::<Result<_, _>>().map_err(fail)?;
        let mut select = self
            .conn
            .prepare(
                "SELECT key, batch, state FROM member WHERE ?1 IS NULL OR batch = ?1
                 ORDER BY batch, key",
            )
            .map_err(fail)?;
        let mut rows = select.query([id]).map_err(fail)?;
        while let Some(row) = rows.next().map_err(fail)? {
            let state: String = row.get(2).map_err(fail)?;
            batches.members.push(Member {
                key: row.get::<_, String>(0).map_err(fail)?.into(),
                batch: row.get(1).map_err(fail)?,
                state: MemberState::parse(&state).unwrap_or(MemberState::Waiting),
            });
        }
        Ok(Some(batches))
    }

    fn seen(&self, sha256: &str) -> Result<Option<Seen>, Error> {
        let fail = |e| super::fail(&self.path, e);
        // The first run that recorded the file holds its fates.
        let first: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT r.id, r.time FROM run r JOIN returned_file rf ON rf.id = r.returned
                 WHERE rf.sha256 = ?1 ORDER BY r.id LIMIT 1",
                [sha256],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(fail)?;
        let Some((run, time)) = first else {
            return Ok(None);
        };
        let mut seen = Seen {
            time,
            ..Seen::default()
        };
        let mut select = self
            .conn
            .prepare("SELECT batch FROM run_batch WHERE run = ?1 ORDER BY batch")
            .map_err(fail)?;
        let rows = select.query_map([run], |row| row.get(0)).map_err(fail)?;
        seen.batches = rows.collect::<Result<_, _>>().map_err(fail)?;
        let mut select = self
            .conn
            .prepare(
                "SELECT key FROM fate WHERE run = ?1 AND step = 1 AND requested = 1 ORDER BY key",
            )
            .map_err(fail)?;
        let rows = select
            .query_map([run], |row| row.get::<_, String>(0))
            .map_err(fail)?;
        for key in rows {
            seen.requested.push(key.map_err(fail)?.into());
        }
        Ok(Some(seen))
    }

    fn values(
        &self,
        except_sha256: &str,
        each: &mut dyn FnMut(&str, Values, String, u32),
    ) -> Result<(), Error> {
        let fail = |e| super::fail(&self.path, e);
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
        let mut rows = select.query([except_sha256]).map_err(fail)?;
        while let Some(row) = rows.next().map_err(fail)? {
            let text = |i| {
                row.get::<_, Option<String>>(i)
                    .map(Option::unwrap_or_default)
            };
            let key: String = row.get(0).map_err(fail)?;
            let values = Values {
                provider_name: text(3).map_err(fail)?,
                domain: text(4).map_err(fail)?,
                toll_number: text(5).map_err(fail)?,
                toll_free_numbers: text(6).map_err(fail)?,
                conference_id: text(7).map_err(fail)?,
                url: text(8).map_err(fail)?,
            };
            let file: String = row.get(1).map_err(fail)?;
            let line: u32 = row.get(2).map_err(fail)?;
            each(&key, values, file, line);
        }
        Ok(())
    }
}
