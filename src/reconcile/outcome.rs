//! What a run found and decided, as the writers read it: the inputs as
//! read, the checked rows, the plan, the rows to send back, and the
//! findings in their one order.

use super::compare::Action;
use crate::check::provider::Expected;
use crate::check::returned::{Checked, Returned};
use crate::check::roster::Roster;
use crate::check::sent::Sent;
use crate::columns::{ColumnMap, Field};
use crate::config::Settings;
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
    /// A span of the outcome's texts.
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

/// Everything a run found and decided; the writers only read this.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Each input as read, by [`Input`].
    pub sources: [Option<Source>; 3],
    pub roster: Roster,
    pub returned: Returned,
    pub sent: Option<Sent>,
    /// Every returned row as checked, in file order.
    pub rows: Vec<CheckedRow>,
    pub phones: Phones,
    /// Bridges' values and conference IDs.
    pub texts: Texts,
    pub bridges: Vec<Bridge>,
    /// The likely originals of values Excel damaged.
    pub likely: Vec<Box<str>>,
    pub expected: Expected,
    pub id_length: Length,
    /// Lists of other lines (`Detail::Lines`).
    pub lists: Vec<Box<[u32]>>,
    /// Conference IDs given to several people (`Detail::Shared`).
    pub shared: Vec<super::shared_ids::Shared>,
    /// The run's keys, in order.
    pub keys: Keys,
    pub plan: Plan,
    /// The rejected returned rows, in key order, then line.
    pub send_back: Vec<u32>,
    /// Per returned row, the row it is an identical copy of (`u32::MAX`).
    pub copy_of: Vec<u32>,
    /// In their one order: by key (file-level ones first), file, line,
    /// field, code.
    pub findings: Vec<Finding>,
    /// Findings that share one cause, most rows first (see
    /// `report::causes`); filled by the command that reports them.
    pub causes: Vec<Cause>,
    pub summary: Summary,
    pub inputs: Vec<InputInfo>,
    /// By key: what became of the person (`None`: no row, not requested).
    pub fates: Vec<Option<super::Fate>>,
    /// By key: the person's first returned row (`u32::MAX`: none).
    pub first_row: Vec<u32>,
    /// The ledger's batches the run covered, by id; empty when it did not
    /// read who was requested from the ledger.
    pub covered: Vec<u32>,
    /// People of the covered batches no longer in the roster.
    pub gone: usize,
    /// Values that differ from an earlier return's (`Detail::Drift`).
    pub drift: Vec<super::earlier::Drift>,
}

/// Many findings with one code, field and value: one mistake, made on many
/// rows, to be told once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub code: Code,
    pub field: Option<Field>,
    /// The value the rows share, as received; `None` when they share only
    /// the code (each row's value is its own).
    pub value: Option<String>,
    /// What the row was expected to hold, when one value was.
    pub expected: Option<String>,
    pub rows: usize,
    pub people: usize,
    pub first_line: u32,
    /// Findings (indexes) to show, the first few.
    pub examples: Vec<u32>,
}

impl Outcome {
    pub(crate) fn new(sources: [Option<Source>; 3], settings: &Settings) -> Outcome {
        Outcome {
            sources,
            id_length: settings.id_length,
            ..Outcome::default()
        }
    }

    /// Fills in the rest once the stages are done: the findings sorted,
    /// the counts, and how each input was read.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn finish(
        &mut self,
        roster: Roster,
        returned: Returned,
        sent: Option<Sent>,
        checked: Checked,
        findings: Vec<Finding>,
        accounting: super::Accounting,
        unchanged: usize,
    ) {
        self.roster = roster;
        self.returned = returned;
        self.sent = sent;
        self.rows = checked.rows;
        self.texts = checked.texts;
        self.bridges = checked.bridges;
        self.likely = checked.likely;
        self.expected = checked.expected;
        self.findings = findings;
        self.locate_findings();
        self.sort_findings();
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity() == s).count();
        self.summary = Summary {
            returned_rows: self.returned.len(),
            planned: self.plan.len(),
            unchanged,
            rejected: accounting.rejected_rows,
            missing_from_return: accounting.requested_missing,
            errors: count(Severity::Error) + count(Severity::Fatal),
            warnings: count(Severity::Warning),
            accounting,
        };
        self.inputs = self.input_infos();
    }

    fn input_infos(&self) -> Vec<InputInfo> {
        let mut infos = Vec::new();
        if let Some(source) = &self.sources[0] {
            infos.push(InputInfo::new("roster", source, &self.roster.columns));
        }
        if let Some(source) = &self.sources[1] {
            infos.push(InputInfo::new("returned", source, &self.returned.columns));
        }
        if let (Some(source), Some(sent)) = (&self.sources[2], &self.sent) {
            infos.push(InputInfo::new("sent", source, &sent.columns));
        }
        infos
    }

    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }

    /// How an input was read.
    pub fn source(&self, input: Input) -> Option<&Source> {
        self.sources[input as usize].as_ref()
    }

    /// The file name of an input.
    pub fn file(&self, input: Input) -> &str {
        self.source(input).map_or("", |s| &s.name)
    }

    /// The rows of an input.
    pub fn rows_of(&self, input: Input) -> &Rows {
        static NONE: std::sync::OnceLock<Rows> = std::sync::OnceLock::new();
        match input {
            Input::Roster => &self.roster.rows,
            Input::Returned => &self.returned.rows,
            Input::Sent => self
                .sent
                .as_ref()
                .map_or_else(|| NONE.get_or_init(Rows::default), |s| &s.rows),
        }
    }

    /// The text of a key.
    pub fn key_text(&self, key: Key) -> &str {
        self.keys.get(key)
    }

    /// The key of the row a finding is about.
    pub fn key_of(&self, finding: &Finding) -> Key {
        finding.key
    }

    /// The line of a finding: its row's, or the header's for a finding
    /// about the whole file.
    pub fn line_of(&self, finding: &Finding) -> Option<u32> {
        (finding.line > 0).then_some(finding.line)
    }

    /// Gives every finding its row's key and line (the header's for a
    /// finding about the whole file).
    fn locate_findings(&mut self) {
        let mut findings = std::mem::take(&mut self.findings);
        findings.par_iter_mut().for_each(|f| match f.row() {
            Some(row) => {
                let rows = self.rows_of(f.input);
                f.key = rows.key(row);
                f.line = rows.line(row).unwrap_or(0);
            }
            None => f.line = self.source(f.input).map_or(0, |s| s.header_line),
        });
        self.findings = findings;
    }

    /// A phone number's E.164 text.
    pub fn e164(&self, phone: Phone) -> &str {
        self.phones.e164(phone)
    }

    /// The plan, in key order, with each entry's values.
    pub fn planned(&self) -> impl Iterator<Item = Planned<'_>> + '_ {
        self.plan.iter().map(|e| self.view(e))
    }

    /// A plan entry with its values.
    pub fn view(&self, entry: &PlanEntry) -> Planned<'_> {
        let bridge = self.bridges[entry.bridge as usize];
        let url = self.texts.get(bridge.url);
        Planned {
            key: self.key_text(entry.key),
            id: entry.key,
            display_name: self.roster.texts.get(entry.display_name),
            bridge: entry.bridge,
            provider_name: self.texts.get(bridge.provider_name),
            domain: self.texts.get(bridge.domain),
            toll_number: self.phones.e164(entry.toll_number),
            toll_free_numbers: self.phones.numbers(entry.toll_free_numbers),
            toll_phone: entry.toll_number,
            toll_free_list: entry.toll_free_numbers,
            conference_id: self.texts.get(entry.conference_id),
            url: (!url.is_empty()).then_some(url),
            action: entry.action,
            disable_microsoft: entry.disable_microsoft,
            remove_provider: (!entry.remove.is_empty())
                .then(|| self.roster.texts.get(entry.remove)),
            file: self.file(Input::Returned),
            line: entry.line,
        }
    }

    /// Sorts the findings into their one order, by keys computed once per
    /// finding (never by their text): key, file, line, field, code, entry.
    pub(crate) fn sort_findings(&mut self) {
        let mut files: Vec<(&str, Input)> = Input::ALL.iter().map(|&i| (self.file(i), i)).collect();
        files.sort();
        let mut file_rank = [0u8; 3];
        for (place, (_, input)) in files.into_iter().enumerate() {
            file_rank[input as usize] = place as u8;
        }
        let mut names: Vec<(&str, Field)> = Field::ALL.iter().map(|&f| (f.name(), f)).collect();
        names.sort();
        let mut field_rank = [0u8; 32];
        for (place, (_, field)) in names.into_iter().enumerate() {
            field_rank[field as usize] = place as u8 + 1;
        }
        let mut findings = std::mem::take(&mut self.findings);
        let order = |f: &Finding| {
            let key = f.key.get().map_or(0, |k| u64::from(k.0) + 1);
            let line = u64::from(f.line);
            let field = f.field.map_or(0, |field| field_rank[field as usize]);
            (
                key << 8 | u64::from(file_rank[f.input as usize]),
                line << 24 | u64::from(field) << 16 | (f.code as u64) << 8 | u64::from(f.entry),
            )
        };
        findings.par_sort_by_cached_key(order);
        self.findings = findings;
    }
}
