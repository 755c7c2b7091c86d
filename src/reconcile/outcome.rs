//! What a run read, found and decided, as the writers read it, in one part
//! per stage: the inputs as read, the reconciliation (rows checked, joined
//! and decided), the findings with their causes, and the plan.

use super::compare::Action;
use super::earlier::{Coverage, Drift};
use super::Fate;
use crate::check::bridge::Inventory;
use crate::check::provider::Expected;
use crate::check::returned::Returned;
use crate::check::roster::Roster;
use crate::check::sent::Sent;
use crate::columns::{ColumnMap, Field};
use crate::finding::{Code, Finding, Input, Severity};
use crate::model::{Bridge, CheckedRow, Key, Keys, Phone, PhoneList, Phones, Rows, Span, Texts};
use crate::normalize::conference_id::Length;
use crate::source::Source;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One person to set: the values to set, as ids, and what to do first.
/// The plan is in key order, and each entry holds what the writers read of
/// its row, so that writing it reads memory in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanEntry {
    pub key: Key,
    /// The line of the returned row.
    pub line: u32,
    pub toll_number: Phone,
    pub toll_free_numbers: PhoneList,
    /// A span of the reconciliation's texts.
    pub conference_id: Span,
    pub bridge: u32,
    /// A span of the roster's texts.
    pub display_name: Span,
    pub action: Action,
    /// On Microsoft's bridge or holding its licence: disable that first.
    pub disable_microsoft: bool,
    /// The third-party entry to remove first, by its provider name (a span
    /// of the roster's texts); empty for none.
    pub remove: Span,
}

/// The plan, in key order, in the batches it was decided in (copying a
/// million entries into one vector would hold them twice).
#[derive(Debug, Default)]
pub struct Plan {
    batches: Vec<Vec<PlanEntry>>,
}

impl Plan {
    pub fn new(batches: Vec<Vec<PlanEntry>>) -> Plan {
        Plan { batches }
    }

    pub fn iter(&self) -> impl Iterator<Item = &PlanEntry> + '_ {
        self.batches.iter().flatten()
    }

    pub fn len(&self) -> usize {
        self.batches.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A plan entry with its values: what the plan writers read.
#[derive(Debug, Clone, Copy)]
pub struct Planned<'a> {
    pub key: &'a str,
    /// The key's id, to find the person in the roster.
    pub id: Key,
    pub display_name: &'a str,
    pub bridge: u32,
    pub provider_name: &'a str,
    pub domain: &'a str,
    /// The Teams bridge the row names; "" when none.
    pub bridge_name: &'a str,
    pub toll_number: &'a str,
    pub toll_free_numbers: &'a [Phone],
    /// The numbers by id, to tell bridges apart.
    pub toll_phone: Phone,
    pub toll_free_list: PhoneList,
    pub conference_id: &'a str,
    pub url: Option<&'a str>,
    pub action: Action,
    pub disable_microsoft: bool,
    pub remove_provider: Option<&'a str>,
    /// The returned file and the row's line in it.
    pub file: &'a str,
    pub line: u32,
}

/// The counts of a run, and whether they add up.
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

impl Accounting {
    pub fn balanced(&self) -> bool {
        self.rows_balanced && self.requested_balanced
    }
}

/// How an input was read, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputInfo {
    pub role: &'static str,
    pub file: Arc<str>,
    pub encoding: &'static str,
    pub delimiter: String,
    pub rows: usize,
    pub sha256: String,
    pub columns: BTreeMap<&'static str, String>,
}

impl InputInfo {
    pub fn new(role: &'static str, source: &Source, columns: &ColumnMap) -> InputInfo {
        let delimiter = match (&source.sheet, source.delimiter) {
            (Some(sheet), _) => format!("sheet {sheet}"),
            (None, b'\t') => "tab".to_string(),
            (None, d) => (d as char).to_string(),
        };
        InputInfo {
            role,
            file: Arc::clone(&source.name),
            encoding: source.encoding.as_str(),
            delimiter,
            rows: source.rows,
            sha256: source.sha256.clone(),
            columns: columns
                .matched
                .iter()
                .filter(|m| m.0 != Field::Pin)
                .map(|(f, _, header)| (f.name(), header.clone()))
                .collect(),
        }
    }
}

/// Stage 1: the inputs as read: how each was read, and what of it a run
/// keeps.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Each input as read, by [`Input`].
    pub sources: [Option<Source>; 4],
    pub roster: Roster,
    pub returned: Returned,
    pub sent: Option<Sent>,
    /// The bridge's numbers (`--bridge`).
    pub bridge: Option<Inventory>,
    /// How each input was read, for the report.
    pub infos: Vec<InputInfo>,
    /// The vendor's columns of a roster that has none of a roster's own:
    /// most likely a returned file given as the roster.
    pub roster_vendor_columns: Vec<&'static str>,
}

/// Stages 2 to 4: the returned rows checked, joined with the roster by key,
/// and each person's fate decided.
#[derive(Debug, Default)]
pub struct Reconciliation {
    /// The run's keys, in order.
    pub keys: Keys,
    /// Every returned row as checked, in file order.
    pub rows: Vec<CheckedRow>,
    pub phones: Phones,
    /// Bridges' values and conference IDs.
    pub texts: Texts,
    pub bridges: Vec<Bridge>,
    pub expected: Expected,
    pub id_length: Length,
    /// Per returned row, the row it is an identical copy of (`u32::MAX`).
    pub copy_of: Vec<u32>,
    /// By key: what became of the person (`None`: no row, not requested).
    pub fates: Vec<Option<Fate>>,
    /// By key: the person's first returned row (`u32::MAX`: none).
    pub first_row: Vec<u32>,
    /// The rejected returned rows, in key order, then line.
    pub send_back: Vec<u32>,
    /// By key: whether the person was requested.
    pub requested: Vec<bool>,
    pub accounting: Accounting,
}

/// Stage 5: every finding in its one order, what their details point at,
/// and the causes they share.
#[derive(Debug, Default)]
pub struct Findings {
    /// In their one order: by key (file-level ones first), file, line,
    /// field, code.
    pub list: Vec<Finding>,
    /// Lists of other lines (`Detail::Lines`).
    pub lists: Vec<Box<[u32]>>,
    /// Conference IDs given to several people (`Detail::Shared`).
    pub shared: Vec<super::shared_ids::Shared>,
    /// The likely originals of values Excel damaged (`Detail::Mangled`).
    pub likely: Vec<Box<str>>,
    /// Values that differ from an earlier return's (`Detail::Drift`).
    pub drift: Vec<Drift>,
    /// Findings that share one cause, most rows first.
    pub causes: Vec<Cause>,
}

impl Findings {
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Finding> {
        self.list.iter()
    }

    pub fn get(&self, index: usize) -> Option<&Finding> {
        self.list.get(index)
    }

    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.list
            .iter()
            .filter(|f| f.severity() == severity)
            .count()
    }
}

/// Everything a run read, found and decided; the writers only read this.
#[derive(Debug, Default)]
pub struct Outcome {
    pub inputs: Inputs,
    pub reconciliation: Reconciliation,
    pub findings: Findings,
    pub plan: Plan,
    /// What earlier runs said of who was requested, and what this run tells
    /// them back.
    pub coverage: Coverage,
    pub summary: Summary,
    /// The files the outputs are written as, parts included, once the run
    /// knows which outputs it writes.
    pub outputs: Vec<String>,
    /// What the plan sets.
    pub target: crate::config::Target,
}

/// Many findings with one code and field: one mistake, made on many rows,
/// to be told once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub code: Code,
    pub field: Option<Field>,
    /// What the rows were expected to hold, when one value was.
    pub expected: Option<String>,
    pub rows: usize,
    pub people: usize,
    pub first_line: u32,
    /// The values received, as received, with how many rows hold each:
    /// the first few, most rows first. Empty when each row's value is its
    /// own (a key, a name).
    pub values: Vec<(String, usize)>,
    /// How many other values there are.
    pub more_values: usize,
    /// What Excel did, when every row says the same.
    pub damage: Option<crate::finding::Damage>,
    /// Findings (indexes) to show, the first few.
    pub examples: Vec<u32>,
}

impl Outcome {
    /// Counts what the findings say once they are all in: the summary.
    pub(crate) fn count(&mut self) {
        let accounting = self.reconciliation.accounting.clone();
        let f = &self.findings;
        self.summary = Summary {
            returned_rows: self.inputs.returned.len(),
            planned: self.plan.len(),
            unchanged: self
                .reconciliation
                .fates
                .iter()
                .filter(|&&f| f == Some(Fate::Unchanged))
                .count(),
            rejected: accounting.rejected_rows,
            missing_from_return: accounting.requested_missing,
            errors: f.count(Severity::Error),
            warnings: f.count(Severity::Warning),
            accounting,
        };
    }

    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }

    /// How an input was read.
    pub fn source(&self, input: Input) -> Option<&Source> {
        self.inputs.sources[input as usize].as_ref()
    }

    /// The file name of an input.
    pub fn file(&self, input: Input) -> &str {
        self.source(input).map_or("", |s| &s.name)
    }

    /// The rows of an input.
    pub fn rows_of(&self, input: Input) -> &Rows {
        static NONE: std::sync::OnceLock<Rows> = std::sync::OnceLock::new();
        match input {
            Input::Roster => &self.inputs.roster.rows,
            Input::Returned => &self.inputs.returned.rows,
            Input::Sent => self
                .inputs
                .sent
                .as_ref()
                .map_or_else(|| NONE.get_or_init(Rows::default), |s| &s.rows),
            Input::Bridge => self
                .inputs
                .bridge
                .as_ref()
                .map_or_else(|| NONE.get_or_init(Rows::default), |b| &b.rows),
        }
    }

    /// The column map of an input.
    pub fn columns(&self, input: Input) -> Option<&ColumnMap> {
        match input {
            Input::Roster => Some(&self.inputs.roster.columns),
            Input::Returned => Some(&self.inputs.returned.columns),
            Input::Sent => self.inputs.sent.as_ref().map(|s| &s.columns),
            Input::Bridge => self.inputs.bridge.as_ref().map(|b| &b.columns),
        }
    }

    /// The text of a key.
    pub fn key_text(&self, key: Key) -> &str {
        self.reconciliation.keys.get(key)
    }

    /// A phone number's E.164 text.
    pub fn e164(&self, phone: Phone) -> &str {
        self.reconciliation.phones.e164(phone)
    }

    /// What became of a person in this run; `None` for a key with no fate
    /// (neither returned nor requested).
    pub fn fate(&self, key: Key) -> Option<Fate> {
        self.reconciliation
            .fates
            .get(key.index())
            .copied()
            .flatten()
    }

    /// The plan, in key order, with each entry's values.
    pub fn planned(&self) -> impl Iterator<Item = Planned<'_>> + '_ {
        self.plan.iter().map(|e| self.view(e))
    }

    /// A plan entry with its values.
    pub fn view(&self, entry: &PlanEntry) -> Planned<'_> {
        let r = &self.reconciliation;
        let bridge = r.bridges[entry.bridge as usize];
        let url = r.texts.get(bridge.url);
        let roster = &self.inputs.roster;
        Planned {
            key: self.key_text(entry.key),
            id: entry.key,
            display_name: roster.texts.get(entry.display_name),
            bridge: entry.bridge,
            provider_name: r.texts.get(bridge.provider_name),
            domain: r.texts.get(bridge.domain),
            bridge_name: r.texts.get(bridge.name),
            toll_number: r.phones.e164(entry.toll_number),
            toll_free_numbers: r.phones.numbers(entry.toll_free_numbers),
            toll_phone: entry.toll_number,
            toll_free_list: entry.toll_free_numbers,
            conference_id: r.texts.get(entry.conference_id),
            url: (!url.is_empty()).then_some(url),
            action: entry.action,
            disable_microsoft: entry.disable_microsoft,
            remove_provider: (!entry.remove.is_empty()).then(|| roster.texts.get(entry.remove)),
            file: self.file(Input::Returned),
            line: entry.line,
        }
    }

    /// Gives every finding its row's key and line (the header's for a
    /// finding about the whole file), then sorts them into their one order.
    pub(crate) fn settle_findings(&mut self) {
        let mut list = std::mem::take(&mut self.findings.list);
        list.par_iter_mut().for_each(|f| match f.row() {
            Some(row) if f.line == 0 => {
                let rows = self.rows_of(f.input);
                f.key = rows.key(row);
                f.line = rows.line(row).unwrap_or(0);
            }
            Some(_) => {}
            None => f.line = self.source(f.input).map_or(0, |s| s.header_line),
        });
        self.findings.list = list;
        self.sort_findings();
    }

    /// Sorts the findings into their one order, by keys computed once per
    /// finding (never by their text): key, file, line, field, code, entry.
    fn sort_findings(&mut self) {
        let mut files: Vec<(&str, Input)> = Input::ALL.iter().map(|&i| (self.file(i), i)).collect();
        files.sort();
        let mut file_rank = [0u8; 4];
        for (place, (_, input)) in files.into_iter().enumerate() {
            file_rank[input as usize] = place as u8;
        }
        let mut names: Vec<(&str, Field)> = Field::ALL.iter().map(|&f| (f.name(), f)).collect();
        names.sort();
        let mut field_rank = [0u8; 64];
        for (place, (_, field)) in names.into_iter().enumerate() {
            field_rank[field as usize] = place as u8 + 1;
        }
        let order = |f: &Finding| {
            let key = f.key.get().map_or(0, |k| u64::from(k.0) + 1);
            let line = u64::from(f.line);
            let field = f.field.map_or(0, |field| field_rank[field as usize]);
            (
                key << 8 | u64::from(file_rank[f.input as usize]),
                line << 24 | u64::from(field) << 16 | (f.code as u64) << 8 | u64::from(f.entry),
            )
        };
        self.findings.list.par_sort_by_cached_key(order);
    }

    /// Adds findings made after the others (a vendor's changed values) and
    /// puts them in their place.
    pub(crate) fn add_findings(&mut self, findings: Vec<Finding>) {
        if findings.is_empty() {
            return;
        }
        self.findings.list.extend(findings);
        self.sort_findings();
    }
}
