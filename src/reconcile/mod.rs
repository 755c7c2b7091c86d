//! The keyed join of the returned file against the roster: who is missing,
//! who is unknown, duplicates, shared conference IDs, and the comparison with
//! what each person has now. Produces the [`Outcome`] every writer reads.

mod index;
pub mod roster;
pub mod rows;

use crate::columns::{closest, pin_cells, ColumnMap, Field};
use crate::config::Settings;
use crate::error::{Error, MissingColumn};
use crate::finding::{self, Code, Finding, Message, Note, Severity};
use crate::model::{
    ConferenceId, CurrentProvider, Phone, ReturnedRow, RosterEntry, TextRef, UserKey,
};
use crate::report::diagnostics::SourceText;
use crate::source::Table;
use miette::NamedSource;
use rayon::prelude::*;
use roster::same_row;
use rows::{Expected, RowContext};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

/// The files of one reconcile run, already read.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub roster: Table,
    pub returned: Table,
    /// The file that was sent; when absent, everyone eligible was requested.
    pub sent: Option<Table>,
}

/// What the plan does for one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// No provider now.
    Add,
    /// Another provider now, Microsoft's bridge included.
    Replace,
    /// Same provider, new values.
    Update,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Add => "add",
            Action::Replace => "replace",
            Action::Update => "update",
        }
    }
}

/// One person to set: the returned row whose values are set, and what to
/// do first. The values stay in the row; [`Outcome::planned`] shows both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEntry {
    /// The row's index in [`Outcome::returned`].
    pub row: u32,
    /// From the roster, for the comments of the PowerShell plan.
    display_name: TextRef,
    pub action: Action,
    /// On Microsoft's bridge or holding its licence: disable that first.
    pub disable_microsoft: bool,
    /// The third-party entry to remove first, by its provider name.
    pub remove_provider: Option<Arc<str>>,
}

/// A plan entry with its row's values: what the writers read.
#[derive(Debug, Clone, Copy)]
pub struct Planned<'a> {
    pub key: &'a UserKey,
    pub display_name: &'a str,
    pub provider_name: &'a str,
    pub domain: &'a str,
    pub toll_number: &'a Phone,
    pub toll_free_numbers: &'a [Phone],
    pub conference_id: &'a ConferenceId,
    pub url: Option<&'a str>,
    pub action: Action,
    pub disable_microsoft: bool,
    pub remove_provider: Option<&'a str>,
    /// The returned file and the row's line in it.
    pub file: &'a str,
    pub line: u32,
}

/// A rejected returned row as received, PIN cells emptied, with its problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendBackRow {
    pub key: Option<UserKey>,
    pub line: u32,
    pub cells: Vec<String>,
    pub problems: String,
}

/// The counts of the run, and whether they add up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub returned_rows: usize,
    /// People in the import plan.
    pub planned: usize,
    /// People whose returned values equal their current ones.
    pub unchanged: usize,
    /// Returned rows rejected (the rows of send-back.csv).
    pub rejected: usize,
    pub missing_from_return: usize,
    pub errors: usize,
    pub warnings: usize,
    pub accounting: Accounting,
}

/// The two sums that prove nothing was lost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Accounting {
    /// Rows of the plan's people (identical copies follow the row they copy).
    pub planned_rows: usize,
    pub unchanged_rows: usize,
    pub rejected_rows: usize,
    /// returned_rows == planned_rows + unchanged_rows + rejected_rows
    pub rows_balanced: bool,
    pub requested: usize,
    pub requested_planned: usize,
    pub requested_unchanged: usize,
    pub requested_rejected: usize,
    pub requested_missing: usize,
    /// requested == planned + unchanged + rejected + missing, for requested people
    pub requested_balanced: bool,
}

/// How an input was read, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputInfo {
    pub role: &'static str,
    pub file: Arc<str>,
    pub encoding: &'static str,
    pub delimiter: String,
    pub rows: usize,
    pub sha256: Option<crate::source::Sha256>,
    pub columns: BTreeMap<&'static str, String>,
}

impl InputInfo {
    pub fn new(role: &'static str, table: &Table, columns: &ColumnMap) -> InputInfo {
        let delimiter = match (&table.sheet, table.delimiter) {
            (Some(sheet), _) => format!("sheet {sheet}"),
            (None, b'\t') => "tab".to_string(),
            (None, d) => (d as char).to_string(),
        };
        InputInfo {
            role,
            file: Arc::clone(&table.name),
            encoding: table.encoding.as_str(),
            delimiter,
            rows: table.rows.len(),
            sha256: table.sha256.clone(),
            columns: columns
                .matched
                .iter()
                .filter(|m| m.0 != Field::Pin)
                .map(|(f, _, header)| (f.name(), header.clone()))
                .collect(),
        }
    }
}

/// Everything a run found and decided; the writers only read this.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Sorted by key.
    pub plan: Vec<PlanEntry>,
    /// Every returned row as checked, in file order (their findings are in
    /// `findings`).
    pub returned: Vec<ReturnedRow>,
    pub returned_file: Arc<str>,
    /// The roster's names, where plan entries find display names.
    roster_cells: roster::RosterCells,
    pub send_back_headers: Vec<String>,
    /// Sorted by key, then line.
    pub send_back: Vec<SendBackRow>,
    /// Sorted by [`Finding::sort_key`].
    pub findings: Vec<Finding>,
    pub summary: Summary,
    pub inputs: Vec<InputInfo>,
    /// Decoded text of each input, for source snippets.
    pub sources: Vec<SourceText>,
}

impl Outcome {
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }

    /// The plan, in key order, with each entry's values.
    pub fn planned(&self) -> impl Iterator<Item = Planned<'_>> + '_ {
        self.plan.iter().filter_map(|e| self.view(e))
    }

    /// [`Outcome::view`] of each of `entries` that is from this outcome, in
    /// order. The plan is in key order and the rows in file order, so each
    /// view would wait for memory: the rows, keys and display names of the
    /// entries a few places ahead are fetched meanwhile.
    pub fn views<'a>(&'a self, entries: &'a [PlanEntry]) -> impl Iterator<Item = Planned<'a>> {
        entries.iter().enumerate().filter_map(move |(i, entry)| {
            fetch_ahead(&self.returned, i, |i| Some(entries.get(i)?.row));
            if let Some(next) = entries.get(i + AHEAD) {
                crate::memory::prefetch(self.roster_cells.address(next.display_name));
            }
            self.view(entry)
        })
    }

    /// A plan entry with its row's values; `None` only for an entry that
    /// is not from this outcome.
    pub fn view<'a>(&'a self, entry: &'a PlanEntry) -> Option<Planned<'a>> {
        let row = self.returned.get(entry.row as usize)?;
        Some(Planned {
            key: row.key.as_ref()?,
            display_name: self.roster_cells.get(entry.display_name),
            provider_name: &row.bridge.provider_name,
            domain: &row.bridge.domain,
            toll_number: row.toll_number.as_ref()?,
            toll_free_numbers: &row.toll_free_numbers,
            conference_id: row.conference_id.as_ref()?,
            url: row.bridge.url.as_deref(),
            action: entry.action,
            disable_microsoft: entry.disable_microsoft,
            remove_provider: entry.remove_provider.as_deref(),
            file: &self.returned_file,
            line: row.line,
        })
    }
}

/// Fails with a diagnostic when a required column is absent.
pub fn require(table: &Table, columns: &ColumnMap, fields: &[Field]) -> Result<(), Error> {
    let Some(&missing) = fields.iter().find(|f| !columns.has(**f)) else {
        return Ok(());
    };
    let header_text = table
        .text
        .lines()
        .nth(table.header_line as usize - 1)
        .unwrap_or_default();
    // The lines above the header (a #TYPE line) keep miette's line numbers true.
    let header_start: usize = table
        .text
        .split_inclusive('\n')
        .take(table.header_line as usize - 1)
        .map(str::len)
        .sum();
    let suggestion = closest(&table.headers, missing);
    let (span, label) = match &suggestion {
        Some((i, _)) => (
            crate::report::diagnostics::field_span(header_text, table.delimiter, *i)
                .unwrap_or((0, header_text.len())),
            format!("is this the {missing} column?"),
        ),
        None => ((0, header_text.len()), format!("no {missing} here")),
    };
    let span = (span.0 + header_start, span.1);
    let mut help = format!(
        "add a {missing} column, or map yours in the config: [aliases] {missing} = [\"Your header\"]"
    );
    if let Some((_, h)) = &suggestion {
        help.push_str(&format!("; the closest header is {h:?}"));
    }
    Err(Error::MissingColumn(Box::new(MissingColumn {
        file: table.name.to_string(),
        column: missing.name(),
        src: NamedSource::new(
            &*table.name,
            table.text[..header_start + header_text.len()].to_string(),
        ),
        span: span.into(),
        label,
        help,
    })))
}

/// Reconciles the returned file against the roster. The inputs are taken:
/// a run lets go of the returned file's rows as soon as it is done with
/// them, which at a million people is a fifth of its memory.
pub fn reconcile(inputs: Inputs, settings: &Settings) -> Result<Outcome, Error> {
    reconcile_with(inputs, settings, &crate::progress::Quiet)
}

/// [`reconcile`], reporting its stages to `progress`.
pub fn reconcile_with(
    inputs: Inputs,
    settings: &Settings,
    progress: &dyn crate::progress::Progress,
) -> Result<Outcome, Error> {
    progress.stage("reading the roster", 0);
    let roster = prepare(inputs.roster, settings)?;
    reconcile_prepared(roster, inputs.returned, inputs.sent, settings, progress)
}

/// A roster checked for its key column and built into people, ready for
/// [`reconcile_prepared`]: a run can build it while it still reads the
/// returned file.
#[derive(Debug)]
pub struct PreparedRoster {
    table: Table,
    columns: ColumnMap,
    roster: roster::Roster,
}

/// Prepares the roster of a run (see [`PreparedRoster`]).
pub fn prepare(table: Table, settings: &Settings) -> Result<PreparedRoster, Error> {
    let columns = ColumnMap::resolve(&table.headers, &settings.aliases);
    require(&table, &columns, &[Field::Key])?;
    let roster = roster::build(&table, &columns, settings);
    Ok(PreparedRoster {
        table,
        columns,
        roster,
    })
}

/// [`reconcile_with`] of a roster prepared already.
pub fn reconcile_prepared(
    roster: PreparedRoster,
    returned: Table,
    sent: Option<Table>,
    settings: &Settings,
    progress: &dyn crate::progress::Progress,
) -> Result<Outcome, Error> {
    let PreparedRoster {
        table,
        columns: roster_columns,
        roster,
    } = roster;
    let mut inputs = Inputs {
        roster: table,
        returned,
        sent,
    };
    let returned_columns = ColumnMap::resolve(&inputs.returned.headers, &settings.aliases);
    require(
        &inputs.returned,
        &returned_columns,
        &[Field::Key, Field::TollNumber, Field::ConferenceId],
    )?;
    let sent_columns = match &inputs.sent {
        Some(sent) => {
            let columns = ColumnMap::resolve(&sent.headers, &settings.aliases);
            require(sent, &columns, &[Field::Key])?;
            Some(columns)
        }
        None => None,
    };

    let roster_cells = roster.cells.clone();
    // The entries keep copies of what they read of the roster's text (whose
    // pages went back to the page cache until a snippet is drawn from it):
    // the table goes now, with what the report says of it.
    let roster_info = InputInfo::new("roster", &inputs.roster, &roster_columns);
    let roster_source = SourceText::of(&inputs.roster, &roster_columns.pins);
    inputs.roster.release_rows_and_text();
    let mut findings = roster.findings.clone();

    // Who was asked for, and the line that asks for them.
    let mut sent_keys: Vec<(UserKey, u32, Option<usize>)> = Vec::new();
    if let (Some(sent), Some(columns)) = (&inputs.sent, &sent_columns) {
        for row in sent.rows() {
            let key = UserKey::parse(row.get(columns.get(Field::Key)));
            match (key, row.malformed()) {
                (_, Some(problem)) => findings.push(
                    Finding::new(Code::MalformedRow, &sent.name, format!("This row of the sent file {problem}; the person on it is not counted as requested."))
                        .at(row.line, row.offset()),
                ),
                (None, None) => findings.push(
                    Finding::new(Code::EmptyKey, &sent.name, "This row of the sent file has no UserPrincipalName; it requests nobody.")
                        .at(row.line, row.offset())
                        .field(Field::Key.name()),
                ),
                (Some(key), None) => sent_keys.push((key, row.line, row.offset())),
            }
        }
    }
    let (requested, requested_file, requested_from) = match &inputs.sent {
        Some(sent) => {
            let mut keys = FxHashMap::default();
            for (key, line, offset) in &sent_keys {
                keys.entry(key).or_insert_with(|| Request {
                    line: *line,
                    offset: *offset,
                    person: roster.position(key),
                });
            }
            (Requested::Sent(keys), &sent.name, "not in the sent file")
        }
        None => (
            Requested::Roster,
            &inputs.roster.name,
            "the roster marks the account disabled or in TeamsOnly mode",
        ),
    };

    let returned = &inputs.returned;
    let expected = Expected::resolve(returned, &returned_columns, settings);
    let distinct = rows::Distinct::of(returned, &returned_columns, settings);
    let ctx = RowContext {
        table: returned,
        columns: &returned_columns,
        settings,
        expected: &expected,
        distinct: &distinct,
        roster: Some(&roster),
        requested: Some(&requested),
        requested_from,
    };
    progress.stage("checking returned rows", returned.rows.len() as u64);
    let mut rows = rows::check_all(&ctx, progress);
    findings.extend(pin_findings(returned, &returned_columns));

    progress.stage("comparing with the roster", 0);
    let groups = group_by_key(&rows);
    // Sorting the keys took a vector as large as the groups' four times.
    crate::memory::freed();
    let copy_of = mark_duplicates(returned, &returned_columns, &mut rows, &groups);
    mark_shared_conference_ids(
        returned,
        returned_columns.get(Field::ConferenceId),
        &mut rows,
        &copy_of,
    );
    // A person with an error on any of their rows is rejected, with all
    // their rows; so is every row without a person. Which rows carry an
    // error is read in file order: the groups, in key order, then read a
    // byte a row instead of the rows themselves.
    let erred: Vec<bool> = rows.par_iter().map(ReturnedRow::has_error).collect();
    let mut rejected: Vec<bool> = rows.par_iter().map(|r| r.person.is_none()).collect();
    for indexes in groups.iter() {
        if indexes.iter().any(|&i| erred[i as usize]) {
            for &i in indexes {
                rejected[i as usize] = true;
            }
        }
    }
    drop(erred);

    // What is left needs no cell of the returned file: the rows to send
    // back are taken now, with the rows' offsets and what the report says
    // of the file, and the file lets go of its rows and text.
    let send_back = send_back_rows(returned, &returned_columns, &rows, &rejected, &copy_of);
    drop(copy_of);
    // Offsets fit 32 bits: a table's text is under 4 GiB.
    let offsets: Vec<Option<u32>> = (0..rows.len())
        .into_par_iter()
        .map(|i| returned.row(i).offset().and_then(|o| u32::try_from(o).ok()))
        .collect();
    let returned_info = InputInfo::new("returned", returned, &returned_columns);
    let returned_source = SourceText::in_file(returned, &returned_columns.pins);
    let mut send_back_headers = returned.headers.clone();
    send_back_headers.push("Problems".into());
    drop((distinct, expected));
    inputs.returned.release_rows_and_text();
    let returned = &inputs.returned;

    // Decide each person's fate from the first of their rows, in parallel,
    // in batches of people: per batch, the fates in key order, the plan
    // entries of the people planned, and the notes. Each person's fate is
    // also stored by roster index as it is decided (a person is one key, so
    // no two batches store the same one).
    let person_fate: Vec<AtomicU8> = (0..roster.people.len()).map(|_| AtomicU8::new(0)).collect();
    let fate_of = |p: u32| Fate::from_code(person_fate[p as usize].load(Ordering::Relaxed));
    type Batch = (Vec<Fate>, Vec<PlanEntry>, Vec<PendingNote>);
    const BATCH: usize = 1 << 12;
    let batches: Vec<Batch> = (0..groups.len().div_ceil(BATCH))
        .into_par_iter()
        .map(|batch| {
            let keys = batch * BATCH..groups.len().min((batch + 1) * BATCH);
            let mut fates = Vec::with_capacity(keys.len());
            let mut plan = Vec::new();
            let mut notes = Vec::new();
            // Each key's first row, its person and what they have now are
            // all over memory: fetched in steps, AHEAD keys ahead, half and
            // a quarter as far.
            let first = |g: usize| rows.get(*groups.rows(g).first()? as usize);
            let entry = |g: usize| roster.people.get(first(g)?.person? as usize);
            for g in keys.clone() {
                if g + AHEAD < keys.end {
                    if let Some(row) = first(g + AHEAD) {
                        crate::memory::prefetch_all(row);
                    }
                }
                if g + AHEAD / 2 < keys.end {
                    if let Some(person) = entry(g + AHEAD / 2) {
                        crate::memory::prefetch(person);
                    }
                }
                if g + AHEAD / 4 < keys.end {
                    if let Some(current) = entry(g + AHEAD / 4).and_then(|p| p.current.as_deref()) {
                        crate::memory::prefetch(current);
                    }
                }
                let indexes = groups.rows(g);
                let row = &rows[indexes[0] as usize];
                let decided = if rejected[indexes[0] as usize] {
                    Fate::Rejected
                } else {
                    let person = &roster.people[row
                        .person
                        .expect("rows without roster entry carry an error")
                        as usize];
                    match compare(row, person, &mut notes) {
                        Some(change) => {
                            plan.push(plan_entry(row, person, change));
                            Fate::Planned
                        }
                        None => Fate::Unchanged,
                    }
                };
                fates.push(decided);
                if let Some(p) = row.person {
                    person_fate[p as usize].store(decided.code(), Ordering::Relaxed);
                }
            }
            (fates, plan, notes)
        })
        .collect();
    // Each row takes its person's fate; the fates by person and by key
    // answer the accounting of the requested people below.
    let mut key_fate: Vec<Fate> = Vec::with_capacity(groups.len());
    // The plan is put in one vector once the roster is gone, into its memory.
    let mut plan_batches = Vec::with_capacity(batches.len());
    let mut notes = Vec::with_capacity(batches.len());
    for (fates, entries, batch_notes) in batches {
        notes.push(batch_notes);
        plan_batches.push(entries);
        key_fate.extend(fates);
    }
    // All rows of a key have the same person, if any; rows without one
    // carry an error or have no key, and are rejected.
    let fate: Vec<Fate> = rows
        .par_iter()
        .map(|r| r.person.and_then(fate_of).unwrap_or(Fate::Rejected))
        .collect();

    let mut accounting = Accounting::default();
    let mut missing_findings = Vec::new();
    for (key, request) in requested.iter(&roster) {
        accounting.requested += 1;
        // Requested people outside the roster may still have (rejected) rows.
        let decided = match request.person {
            Some(p) => fate_of(p),
            None => groups.find(&rows, key).map(|g| key_fate[g]),
        };
        match decided {
            Some(Fate::Planned) => accounting.requested_planned += 1,
            Some(Fate::Unchanged) => accounting.requested_unchanged += 1,
            Some(Fate::Rejected) => accounting.requested_rejected += 1,
            None => {
                accounting.requested_missing += 1;
                missing_findings.push(
                    Finding::new(
                        Code::MissingFromReturn,
                        requested_file,
                        format!("{key} was requested but has no row in {}. Ask the vendor for this person's details.", returned.name),
                    )
                    .key(Some(key))
                    .at(request.line, request.offset),
                );
            }
        }
    }
    let missing = accounting.requested_missing;
    // The roster and the per-person state are done with: freed here, before
    // the findings are gathered, they do not add to the run's peak.
    drop((groups, requested, person_fate));
    drop(roster);
    // The findings and the plan come next: into memory given back, not
    // beside memory the allocator still keeps.
    crate::memory::freed();
    let mut plan = Vec::with_capacity(plan_batches.iter().map(Vec::len).sum());
    for entries in plan_batches {
        plan.extend(entries);
    }
    let unchanged_people = key_fate.iter().filter(|&&f| f == Fate::Unchanged).count();

    debug_assert!(fate
        .iter()
        .zip(&rejected)
        .all(|(&f, &r)| (f == Fate::Rejected) == r));
    drop(rejected);
    // Every finding still to come, reserved once: regrowing a vector of
    // half a million findings copies all of them.
    let row_findings: usize = rows.par_iter().map(|r| r.findings.len()).sum();
    let notes_len: usize = notes.iter().map(Vec::len).sum();
    findings.reserve(notes_len + missing_findings.len() + row_findings);
    // The notes become findings in parallel, each batch straight into its
    // own part of the room reserved (fresh memory: the time is in filling it).
    let filled = findings.len() + notes_len;
    let mut room = &mut findings.spare_capacity_mut()[..notes_len];
    let mut parts = Vec::with_capacity(notes.len());
    for batch in &notes {
        let (part, rest) = room.split_at_mut(batch.len());
        parts.push(part);
        room = rest;
    }
    notes.into_par_iter().zip(parts).for_each(|(batch, part)| {
        // The notes are in key order, their rows in file order.
        let of_note: Vec<u32> = batch.iter().map(|n| n.row).collect();
        for (i, (note, slot)) in batch.into_iter().zip(part).enumerate() {
            fetch_ahead(&rows, i, |i| of_note.get(i).copied());
            slot.write(note.finding(&rows, &offsets, &returned.name));
        }
    });
    // SAFETY: each part is as long as its batch, and every note of every
    // batch wrote its slot: all `notes_len` slots after the old length are
    // initialised.
    unsafe { findings.set_len(filled) };
    drop(offsets);
    findings.extend(missing_findings);
    for row in &mut rows {
        findings.extend(row.findings.take());
    }
    let mut tables = vec![&inputs.roster, returned];
    tables.extend(inputs.sent.as_ref());
    locate_cells(&mut findings, &tables);
    finding::sort(&mut findings);

    let count = |f: Fate| fate.iter().filter(|&&x| x == f).count();
    accounting.planned_rows = count(Fate::Planned);
    accounting.unchanged_rows = count(Fate::Unchanged);
    accounting.rejected_rows = count(Fate::Rejected);
    accounting.rows_balanced = rows.len()
        == accounting.planned_rows + accounting.unchanged_rows + accounting.rejected_rows;
    accounting.requested_balanced = accounting.requested
        == accounting.requested_planned
            + accounting.requested_unchanged
            + accounting.requested_rejected
            + accounting.requested_missing;

    let summary = Summary {
        returned_rows: rows.len(),
        planned: plan.len(),
        unchanged: unchanged_people,
        rejected: accounting.rejected_rows,
        missing_from_return: missing,
        errors: findings
            .iter()
            .filter(|f| f.severity <= Severity::Error)
            .count(),
        warnings: findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count(),
        accounting,
    };

    let mut inputs_info = vec![roster_info, returned_info];
    let mut sources = vec![roster_source, returned_source];
    if let (Some(sent), Some(columns)) = (&inputs.sent, &sent_columns) {
        inputs_info.push(InputInfo::new("sent", sent, columns));
        sources.push(SourceText::of(sent, &columns.pins));
    }

    Ok(Outcome {
        plan,
        returned: rows,
        returned_file: Arc::clone(&returned.name),
        roster_cells,
        send_back_headers,
        send_back,
        findings,
        summary,
        inputs: inputs_info,
        sources,
    })
}

/// How many steps ahead loops that read rows out of file order fetch them.
const AHEAD: usize = 8;

/// For a loop whose step `i` reads the row `row_at(i)`: fetches the row of
/// step `i + AHEAD`, and the key of the row of step `i + AHEAD / 2` (whose
/// row was fetched half as many steps ago, and is in cache by now).
fn fetch_ahead(rows: &[ReturnedRow], i: usize, row_at: impl Fn(usize) -> Option<u32>) {
    let row = |i: usize| rows.get(row_at(i)? as usize);
    if let Some(ahead) = row(i + AHEAD) {
        crate::memory::prefetch_all(ahead);
    }
    if let Some(key) = row(i + AHEAD / 2).and_then(|r| r.key.as_ref()) {
        crate::memory::prefetch(key.as_str().as_ptr());
    }
}

/// Gives findings on spreadsheet rows their cell reference (`Sheet1!D17`).
pub fn locate_cells(findings: &mut [Finding], tables: &[&Table]) {
    for f in findings.iter_mut() {
        let table = tables
            .iter()
            .find(|t| t.name == f.file && t.sheet.is_some());
        if let (Some(table), Some(line)) = (table, f.line) {
            f.cell = table
                .cell_ref(line, f.column.map(|c| c as usize))
                .map(String::into_boxed_str);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Planned,
    Unchanged,
    Rejected,
}

impl Fate {
    /// As stored by person: 0 is no fate (no row).
    fn code(self) -> u8 {
        self as u8 + 1
    }

    fn from_code(code: u8) -> Option<Fate> {
        [Fate::Planned, Fate::Unchanged, Fate::Rejected]
            .get(usize::from(code).checked_sub(1)?)
            .copied()
    }
}

/// One info finding per PIN column: the file carries secrets we read past.
pub fn pin_findings(table: &Table, columns: &ColumnMap) -> Vec<Finding> {
    columns
        .pins
        .iter()
        .map(|&c| {
            Finding::new(
                Code::PinColumnIgnored,
                &table.name,
                "This column holds PINs. They were read past and copied nowhere; send-back.csv has these cells emptied. Send PINs to people only through a private channel.",
            )
            .line(table.header_line)
            .field(table.headers[c].clone())
            .column(Some(c))
        })
        .collect()
}

/// Who was requested.
pub enum Requested<'k> {
    /// No sent file: every eligible roster person, not in conflict.
    Roster,
    /// The people of the sent file, by key.
    Sent(FxHashMap<&'k UserKey, Request>),
}

impl<'k> Requested<'k> {
    /// Whether a roster person was requested.
    pub fn includes(&self, roster: &roster::Roster, person: &RosterEntry) -> bool {
        match self {
            Requested::Roster => roster.is_eligible(person),
            Requested::Sent(keys) => keys.contains_key(&person.key),
        }
    }

    /// Each requested person's key and request.
    pub fn iter<'a>(
        &'a self,
        roster: &'a roster::Roster,
    ) -> Box<dyn Iterator<Item = (&'a UserKey, Request)> + 'a> {
        match self {
            Requested::Roster => Box::new(
                roster
                    .people
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| roster.is_eligible(p))
                    .map(|(i, p)| {
                        let request = Request {
                            line: p.line,
                            offset: p.offset.map(|o| o as usize),
                            person: Some(i as u32),
                        };
                        (&p.key, request)
                    }),
            ),
            Requested::Sent(keys) => Box::new(keys.iter().map(|(k, r)| (*k, *r))),
        }
    }
}

/// Where a person was requested, and their place in the roster.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub line: u32,
    pub offset: Option<usize>,
    pub person: Option<u32>,
}

/// Row indexes by key, in key order; rows without a key are left out.
pub(crate) struct Groups {
    /// Row indexes sorted by key, then row order.
    order: Vec<u32>,
    /// Where each key's run starts in `order`, and after the last, its end.
    starts: Vec<u32>,
}

impl Groups {
    /// How many keys.
    pub(crate) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The rows of key `g`, in row order.
    pub(crate) fn rows(&self, g: usize) -> &[u32] {
        &self.order[self.starts[g] as usize..self.starts[g + 1] as usize]
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u32]> {
        (0..self.len()).map(|g| self.rows(g))
    }

    /// The group of a key.
    fn find(&self, rows: &[ReturnedRow], key: &UserKey) -> Option<usize> {
        self.starts[..self.len()]
            .binary_search_by(|&start| {
                let row = &rows[self.order[start as usize] as usize];
                row.key.as_ref().cmp(&Some(key))
            })
            .ok()
    }
}

pub(crate) fn group_by_key(rows: &[ReturnedRow]) -> Groups {
    // The first sixteen bytes, big-endian, order keys like the strings do
    // and settle most comparisons without following the pointer to the key
    // (eight were too few: many addresses start with the same first name).
    let prefix = |k: &UserKey| {
        let mut bytes = [0u8; 16];
        let s = k.as_str().as_bytes();
        bytes[..s.len().min(16)].copy_from_slice(&s[..s.len().min(16)]);
        u128::from_be_bytes(bytes)
    };
    // Every row, in parallel (rows without a key sort first and are left
    // out after): collecting from a filter would not know its length.
    let mut keyed: Vec<(u128, Option<&UserKey>, u32)> = rows
        .par_iter()
        .map(|r| (r.key.as_ref().map_or(0, prefix), r.key.as_ref(), r.index))
        .collect();
    keyed.par_sort_unstable();
    let keyed = &keyed[keyed.partition_point(|k| k.1.is_none())..];
    let mut starts = Vec::with_capacity(keyed.len() + 1);
    for i in 0..keyed.len() {
        // Keys whose first bytes differ differ: no need to read them.
        if i == 0 || keyed[i].0 != keyed[i - 1].0 || keyed[i].1 != keyed[i - 1].1 {
            starts.push(i as u32);
        }
    }
    starts.push(keyed.len() as u32);
    Groups {
        order: keyed.par_iter().map(|&(_, _, i)| i).collect(),
        starts,
    }
}

/// Identical rows of one person are read once (`duplicate-row`); rows that
/// disagree reject the person (`duplicate-user`). Returns, per row, the row
/// it is an identical copy of.
pub(crate) fn mark_duplicates(
    table: &Table,
    columns: &ColumnMap,
    rows: &mut [ReturnedRow],
    groups: &Groups,
) -> Vec<Option<u32>> {
    let mut copy_of = vec![None; rows.len()];
    let scattered = table.scattered();
    for indexes in groups.iter().filter(|ix| ix.len() > 1) {
        // Grouped rows all have this key.
        let Some(key) = rows[indexes[0] as usize].key.clone() else {
            continue;
        };
        let mut distinct: Vec<usize> = Vec::new();
        for i in indexes.iter().map(|&i| i as usize) {
            match distinct
                .iter()
                .find(|&&d| same_row(scattered.row(d), scattered.row(i), &columns.pins))
            {
                Some(&original) => {
                    copy_of[i] = Some(original as u32);
                    let line = rows[original].line;
                    rows[i].findings.push(
                        Finding::new(
                            Code::DuplicateRow,
                            &table.name,
                            format!("This row repeats line {line} exactly; it is read once."),
                        )
                        .key(Some(&key))
                        .at(rows[i].line, table.row(i).offset()),
                    );
                }
                None => distinct.push(i),
            }
        }
        if distinct.len() > 1 {
            for &i in &distinct {
                let others: Vec<u32> = distinct
                    .iter()
                    .filter(|&&o| o != i)
                    .map(|&o| rows[o].line)
                    .collect();
                let message = format!(
                    "{key} has several rows that disagree (also line {}); none is used. Ask the vendor which one is right.",
                    rows::join(&others)
                );
                let finding = Finding::new(Code::DuplicateUser, &table.name, message)
                    .key(Some(&key))
                    .at(rows[i].line, table.row(i).offset())
                    .field(Field::Key.name())
                    .column(columns.get(Field::Key));
                rows[i].findings.push(finding);
            }
        }
    }
    copy_of
}

/// A conference ID given to several people rejects all of them.
pub(crate) fn mark_shared_conference_ids(
    table: &Table,
    column: Option<usize>,
    rows: &mut [ReturnedRow],
    copy_of: &[Option<u32>],
) {
    // First pass: the IDs given to more than one key, a shard of the IDs
    // (by their hash) on each core. Second: their rows. The first row of
    // each ID is held by its index, 4 bytes, not a copy.
    let counted = |r: &&ReturnedRow| copy_of[r.index as usize].is_none();
    let hash = |id: &ConferenceId| std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, id);
    let id_of = |i: u32| rows[i as usize].conference_id.as_ref();
    let with_id = rows
        .par_iter()
        .filter(counted)
        .filter(|r| r.conference_id.is_some())
        .count();
    let shards = rayon::current_num_threads().clamp(1, 8) as u64;
    // A bit the hash table uses for neither its buckets nor its tags.
    let shard_of = |h: u64| (h >> 40) % shards;
    let shared: FxHashSet<ConferenceId> = (0..shards)
        .into_par_iter()
        .map(|shard| {
            let mut first: hashbrown::HashTable<u32> =
                hashbrown::HashTable::with_capacity(with_id / shards as usize + 1);
            let mut shared = FxHashSet::default();
            for row in rows.iter().filter(counted) {
                let (Some(id), Some(key)) = (&row.conference_id, &row.key) else {
                    continue;
                };
                let h = hash(id);
                if shard_of(h) != shard {
                    continue;
                }
                match first.find(h, |&i| id_of(i) == Some(id)) {
                    Some(&i) => {
                        let other = &rows[i as usize];
                        // Rows of roster people share the roster's key:
                        // compared by person, their keys need not be read.
                        let same = match (row.person, other.person) {
                            (Some(a), Some(b)) => a == b,
                            _ => other.key.as_ref() == Some(key),
                        };
                        if !same {
                            shared.insert(*id);
                        }
                    }
                    None => {
                        first.insert_unique(h, row.index, |&i| id_of(i).map_or(0, hash));
                    }
                }
            }
            shared
        })
        .reduce(FxHashSet::default, |mut a, b| {
            a.extend(b);
            a
        });
    // The rows of the shared IDs are few: found on every core, in order.
    let of_shared: Vec<(ConferenceId, &UserKey, usize)> = if shared.is_empty() {
        Vec::new()
    } else {
        rows.par_iter()
            .filter(counted)
            .filter_map(|row| match (&row.conference_id, &row.key) {
                (Some(id), Some(key)) if shared.contains(id) => {
                    Some((*id, key, row.index as usize))
                }
                _ => None,
            })
            .collect()
    };
    let mut by_id: BTreeMap<ConferenceId, BTreeMap<UserKey, Vec<usize>>> = BTreeMap::new();
    for (id, key, index) in of_shared {
        by_id
            .entry(id)
            .or_default()
            .entry(key.clone())
            .or_default()
            .push(index);
    }
    for (id, people) in by_id.into_iter().filter(|(_, p)| p.len() > 1) {
        for (key, indexes) in &people {
            let others: Vec<&str> = people
                .keys()
                .filter(|k| *k != key)
                .map(UserKey::as_str)
                .collect();
            for &i in indexes {
                let row = &mut rows[i];
                let finding = Finding::new(
                    Code::DuplicateConferenceId,
                    &table.name,
                    format!(
                        "ConferenceId {id} is also given to {}; a conference ID belongs to one person. Ask the vendor for distinct IDs.",
                        others.join(", ")
                    ),
                )
                .key(Some(key))
                .at(row.line, table.row(i).offset())
                .field(Field::ConferenceId.name())
                .column(column)
                .value(id.as_str());
                row.findings.push(finding);
            }
        }
    }
}

/// A note on a person as the decisions make it: a third of a finding's
/// size. Hundreds of thousands are made while the roster is still held;
/// they become findings once it is gone.
struct PendingNote {
    row: u32,
    code: Code,
    field: Option<Field>,
    value: Option<NoteValue>,
    message: Message,
}

/// The value a note shows: a word, or text shared with the roster or row.
enum NoteValue {
    Word(&'static str),
    Shared(Arc<str>),
}

impl PendingNote {
    fn finding(self, rows: &[ReturnedRow], offsets: &[Option<u32>], file: &Arc<str>) -> Finding {
        let row = &rows[self.row as usize];
        let mut finding = Finding::with(self.code, file, self.message)
            .key(row.key.as_ref())
            .at(row.line, offsets[self.row as usize].map(|o| o as usize));
        if let Some(field) = self.field {
            finding = finding.field(field.name());
        }
        match self.value {
            Some(NoteValue::Word(word)) => finding = finding.value(word),
            Some(NoteValue::Shared(text)) => finding = finding.value(&*text),
            None => {}
        }
        finding
    }
}

/// What the plan does for a person besides setting the new values.
#[derive(Debug, Clone)]
struct Change {
    action: Action,
    disable_microsoft: bool,
    remove_provider: Option<Arc<str>>,
}

/// The plan entry of a person whose row is good and changes something.
fn plan_entry(row: &ReturnedRow, person: &RosterEntry, change: Change) -> PlanEntry {
    PlanEntry {
        row: row.index,
        display_name: person.display_name,
        action: change.action,
        disable_microsoft: change.disable_microsoft,
        remove_provider: change.remove_provider,
    }
}

/// Compares a good row with what the person has now: the change to plan,
/// or `None` when nothing changes; and the notes on it.
fn compare(
    row: &ReturnedRow,
    person: &RosterEntry,
    notes: &mut Vec<PendingNote>,
) -> Option<Change> {
    let key = &person.key;
    let mut note = |code, field, value, message| {
        notes.push(PendingNote {
            row: row.index,
            code,
            field,
            value,
            message,
        });
    };
    let toll = row
        .toll_number
        .as_ref()
        .expect("a row without errors has a toll number");
    let id = row
        .conference_id
        .as_ref()
        .expect("a row without errors has a conference ID");
    let current = person.current();
    let mut change = Change {
        action: Action::Add,
        disable_microsoft: false,
        remove_provider: None,
    };
    let licence = person.microsoft_licence;
    match &current.provider {
        CurrentProvider::Microsoft => {
            note(
                Code::MicrosoftAcpAssigned,
                Some(Field::CurrentProvider),
                Some(NoteValue::Word("Microsoft")),
                Message::Note(Note::OnMicrosoftBridge { licence }),
            );
            change.action = Action::Replace;
            change.disable_microsoft = true;
        }
        CurrentProvider::None if person.microsoft_licence => {
            note(
                Code::MicrosoftAcpAssigned,
                Some(Field::MicrosoftLicence),
                None,
                Message::Note(Note::MicrosoftLicence),
            );
            change.action = Action::Replace;
            change.disable_microsoft = true;
        }
        CurrentProvider::None => {}
        CurrentProvider::ThirdParty(name)
            if name.eq_ignore_ascii_case(&row.bridge.provider_name)
                || crate::normalize::text::same_text(name, &row.bridge.provider_name) =>
        {
            let mut current_free: Vec<&str> =
                current.toll_free_numbers.iter().map(|n| &**n).collect();
            let mut new_free: Vec<&str> = row.toll_free_numbers.iter().map(Phone::as_str).collect();
            current_free.sort_unstable();
            new_free.sort_unstable();
            let same_toll = current.toll_number.as_deref() == Some(toll.as_str());
            let current_id = current.conference_id.as_deref();
            let same_id = current_id == Some(id.as_str());
            if same_toll && same_id && current_free == new_free && !person.microsoft_licence {
                note(Code::Unchanged, None, None, Message::Note(Note::Unchanged));
                return None;
            }
            if let Some(old) = current_id.filter(|_| !same_id) {
                note(Code::ConferenceIdChanged, Some(Field::ConferenceId), Some(NoteValue::Shared(id.as_str().into())), Message::Text(format!(
                    "ConferenceId {id} differs from {key}'s current {old}; people who have the old one in invites will not get in. Confirm the change with the vendor."
                ).into()));
            }
            if let Some(old) = current.toll_number.as_deref().filter(|_| !same_toll) {
                note(Code::TollNumberChanged, Some(Field::TollNumber), Some(NoteValue::Shared(Arc::clone(&toll.0))), Message::Text(format!(
                    "TollNumber {toll} differs from {key}'s current {old}. Confirm the change with the vendor."
                ).into()));
            }
            if person.microsoft_licence {
                note(
                    Code::MicrosoftAcpAssigned,
                    Some(Field::MicrosoftLicence),
                    None,
                    Message::Note(Note::MicrosoftLicence),
                );
                change.disable_microsoft = true;
            }
            change.action = Action::Update;
            change.remove_provider = Some(Arc::clone(name));
        }
        CurrentProvider::ThirdParty(other) => {
            note(
                Code::ProviderReplaced,
                Some(Field::CurrentProvider),
                Some(NoteValue::Shared(Arc::clone(other))),
                Message::Note(Note::ProviderReplaced {
                    new: Arc::clone(&row.bridge.provider_name),
                }),
            );
            if person.microsoft_licence {
                change.disable_microsoft = true;
            }
            change.action = Action::Replace;
            change.remove_provider = Some(Arc::clone(other));
        }
    }
    Some(change)
}

/// The rejected rows as received, with PIN cells emptied and their problems.
fn send_back_rows(
    table: &Table,
    columns: &ColumnMap,
    rows: &[ReturnedRow],
    rejected: &[bool],
    copy_of: &[Option<u32>],
) -> Vec<SendBackRow> {
    let problems_of = |row: &ReturnedRow| -> Vec<String> {
        row.findings
            .iter()
            .filter(|f| f.severity <= Severity::Error)
            .map(|f| match &f.field {
                Some(field) => format!("{field}: {}", f.message()),
                None => f.message().into_owned(),
            })
            .collect()
    };
    let scattered = table.scattered();
    let mut out: Vec<SendBackRow> = rows
        .iter()
        .filter(|r| rejected[r.index as usize])
        .map(|row| {
            let mut problems = problems_of(row);
            if let Some(original) = copy_of[row.index as usize] {
                let original = &rows[original as usize];
                problems.push(format!("Same as line {}:", original.line));
                problems.extend(problems_of(original));
            }
            if problems.is_empty() {
                problems.push("Another row of this person has an error (see its line).".into());
            }
            let source = scattered.row(row.index as usize);
            let is_pin = pin_cells(&columns.pins, table.headers.len(), source.width());
            let mut cells: Vec<String> = source
                .cells()
                .enumerate()
                .map(|(c, cell)| {
                    if is_pin(c) {
                        String::new()
                    } else {
                        cell.to_string()
                    }
                })
                .collect();
            cells.resize(cells.len().max(table.headers.len()), String::new());
            SendBackRow {
                key: row.key.clone(),
                line: row.line,
                cells,
                problems: problems.join(" | "),
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.key, a.line).cmp(&(&b.key, b.line)));
    out
}
