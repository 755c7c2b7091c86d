//! `export`: the file sent to the vendor. One row per eligible person with
//! the ACP columns empty (or the provider pre-filled from the config); every
//! person left out is kept with the reason, which `report` puts in words.

use crate::config::{Settings, Target};
use crate::escape::spreadsheet_cell;
use crate::finding::Code;
use crate::model::{Key, Span};
use crate::output::{Output, BOM};
use crate::reconcile::Outcome;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::io::{self, Write};
use std::path::PathBuf;

/// The columns of the exported file, in order.
pub const COLUMNS: [&str; 9] = [
    "UserPrincipalName",
    "DisplayName",
    "SipAddress",
    "ProviderName",
    "Domain",
    "TollNumber",
    "TollFreeNumbers",
    "ConferenceId",
    "Url",
];

/// The columns of the file sent for the Teams target: the numbers each
/// person is to have on their bridge.
pub const TEAMS_COLUMNS: [&str; 6] = [
    "UserPrincipalName",
    "DisplayName",
    "SipAddress",
    "ServiceNumber",
    "TollFreeServiceNumber",
    "BridgeName",
];

/// One person to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub upn: String,
    pub display_name: String,
    pub sip_address: String,
}

/// Why a roster row is left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The row has a finding of its own (broken, no key): the finding, by
    /// its index in the roster's findings.
    Finding(u32),
    /// An exact copy of an earlier row: sent once.
    Copy,
    /// The key is listed again with other values, on these lines.
    Conflict(Vec<u32>),
    Disabled,
    TeamsOnly,
}

/// One roster row left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    pub upn: String,
    pub display_name: String,
    pub line: u32,
    pub reason: Reason,
}

/// What `export` writes.
#[derive(Debug)]
pub struct Export {
    /// Sorted by key.
    pub people: Vec<ExportRow>,
    /// Sorted by line.
    pub excluded: Vec<Excluded>,
    pub provider_name: Option<String>,
    pub domain: Option<String>,
    pub target: Target,
    /// The roster as read, with its own problems as findings.
    pub roster: Outcome,
}

impl Export {
    pub fn has_errors(&self) -> bool {
        self.roster.has_errors()
    }

    /// The columns of the file, for the target.
    fn columns(&self) -> &'static [&'static str] {
        match self.target {
            Target::Acp => &COLUMNS,
            Target::Teams => &TEAMS_COLUMNS,
        }
    }

    /// Cells of one row, provider pre-filled when the config names it; the
    /// vendor's columns empty.
    fn cells<'a>(&'a self, p: &'a ExportRow) -> Vec<&'a str> {
        let mut cells = vec![p.upn.as_str(), &p.display_name, &p.sip_address];
        if self.target == Target::Acp {
            cells.push(self.provider_name.as_deref().unwrap_or(""));
            cells.push(self.domain.as_deref().unwrap_or(""));
        }
        cells.resize(self.columns().len(), "");
        cells
    }
}

/// Chooses who to send from the roster as read on its own: people with a
/// key, listed once, enabled and not in TeamsOnly mode. The roster must be
/// built keeping what was written.
pub fn choose(outcome: Outcome, settings: &Settings) -> Export {
    let roster = &outcome.inputs.roster;
    let text = |span: Span| roster.texts.get(span).to_string();
    // The key as written: kept when it differs from the cleaned key.
    let upn = |row: u32| match roster.written[row as usize].0 {
        Span::KEY => outcome.key_text(roster.rows.key(row)).to_string(),
        span => text(span),
    };
    let mut excluded = Vec::new();
    // Rows the roster itself left out: broken, keyless, or repeated.
    for (i, f) in outcome.findings.iter().enumerate() {
        let Some(row) = f.row() else { continue };
        excluded.push(Excluded {
            upn: upn(row),
            display_name: text(roster.people[row as usize].display_name),
            line: roster.rows.lines[row as usize],
            reason: match f.code {
                Code::DuplicateRow => Reason::Copy,
                _ => Reason::Finding(i as u32),
            },
        });
    }
    let mut people = Vec::new();
    for key in (0..outcome.reconciliation.keys.len() as u32).map(Key) {
        let Some(person) = roster.person(key) else {
            continue;
        };
        let reason = if let Some(lines) = roster.conflicts.get(&key) {
            Some(Reason::Conflict(lines.clone()))
        } else if person.enabled == Some(false) {
            Some(Reason::Disabled)
        } else if person.teams_only && settings.target == Target::Acp {
            Some(Reason::TeamsOnly)
        } else {
            None
        };
        let display_name = text(person.display_name);
        match reason {
            Some(reason) => excluded.push(Excluded {
                upn: upn(person.row),
                display_name,
                line: roster.rows.lines[person.row as usize],
                reason,
            }),
            None => people.push(ExportRow {
                upn: upn(person.row),
                display_name,
                sip_address: text(roster.written[person.row as usize].1),
            }),
        }
    }
    excluded.sort_by(|a, b| (a.line, &a.upn).cmp(&(b.line, &b.upn)));
    Export {
        people,
        excluded,
        provider_name: settings.provider_name.clone(),
        domain: settings.provider_domain.clone(),
        target: settings.target,
        roster: outcome,
    }
}

/// The largest number of people one sheet of a workbook holds: Excel's
/// 1,048,576 rows, the header aside.
pub const SHEET_ROWS: usize = 1_048_575;

/// One file of an export: its name, and which of the people it holds (a
/// wave of them, or all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub people: std::ops::Range<usize>,
}

/// The export as CSV: UTF-8 with BOM so Excel shows accents, cells
/// neutralised because the vendor opens it in Excel.
pub struct ExportCsv(pub Part);

impl Output<Export> for ExportCsv {
    fn file_name(&self) -> &str {
        &self.0.name
    }

    fn write(&self, export: &Export, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(BOM)?;
        let mut w = ::csv::Writer::from_writer(out);
        w.write_record(export.columns())?;
        for p in &export.people[self.0.people.clone()] {
            for cell in export.cells(p) {
                w.write_field(spreadsheet_cell(cell).as_bytes())?;
            }
            w.write_record(None::<&[u8]>)?;
        }
        w.flush()
    }
}

/// The export as a workbook: every cell a string, the columns the vendor
/// fills formatted as text so Excel keeps the `+` and leading zeros typed
/// into them, header bold and frozen, columns sized to their content.
pub struct ExportXlsx(pub Part);

impl Output<Export> for ExportXlsx {
    fn file_name(&self) -> &str {
        &self.0.name
    }

    fn write(&self, export: &Export, out: &mut dyn Write) -> io::Result<()> {
        let people = &export.people[self.0.people.clone()];
        let bytes = workbook(export, people).map_err(io::Error::other)?;
        out.write_all(&bytes)
    }
}

fn workbook(export: &Export, people: &[ExportRow]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Users")?;
    let text = Format::new().set_num_format("@");
    let header = Format::new().set_bold().set_num_format("@");
    let columns = export.columns();
    let mut widths: Vec<usize> = columns.iter().map(|c| c.len()).collect();
    for (c, name) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &header)?;
    }
    for (r, p) in people.iter().enumerate() {
        for (c, cell) in export.cells(p).iter().enumerate() {
            widths[c] = widths[c].max(cell.chars().count());
            sheet.write_string_with_format(r as u32 + 1, c as u16, *cell, &text)?;
        }
    }
    for (c, width) in widths.iter().enumerate() {
        // Text format on the whole column covers the rows the vendor adds.
        sheet.set_column_format(c as u16, &text)?;
        sheet.set_column_width(c as u16, (*width).clamp(12, 60) as f64 + 2.0)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// One batch of an export: its name, and its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wave {
    pub batch: String,
    pub part: Part,
    /// The ledger had this batch with these same people: not recorded again.
    pub same: bool,
    /// The path written.
    pub path: PathBuf,
}

/// What an export run did.
#[derive(Debug)]
pub struct Exported {
    pub export: Export,
    pub waves: Vec<Wave>,
    /// The list of everyone left out.
    pub excluded: PathBuf,
    /// Whether the ledger recorded the batches.
    pub recorded: bool,
}
