//! `export`: the file sent to the vendor. One row per eligible person with
//! the ACP columns empty (or the provider pre-filled from the config); every
//! person left out is listed with the reason.

use crate::check::roster::Roster;
use crate::config::Settings;
use crate::escape::spreadsheet_cell;
use crate::finding::Code;
use crate::model::Span;
use crate::output::{Output, BOM};
use crate::reconcile::{self, Outcome};
use crate::report::Words;
use crate::source::Source;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::io::{self, Write};

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

/// One person to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub upn: String,
    pub display_name: String,
    pub sip_address: String,
}

/// One roster row left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    pub upn: String,
    pub display_name: String,
    pub line: u32,
    pub reason: String,
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
    /// The roster as read, with its own problems as findings.
    pub roster: Outcome,
}

impl Export {
    pub fn has_errors(&self) -> bool {
        self.roster.has_errors()
    }

    /// Cells of one row, provider pre-filled when the config names it.
    fn cells<'a>(&'a self, p: &'a ExportRow) -> [&'a str; 9] {
        [
            &p.upn,
            &p.display_name,
            &p.sip_address,
            self.provider_name.as_deref().unwrap_or(""),
            self.domain.as_deref().unwrap_or(""),
            "",
            "",
            "",
            "",
        ]
    }
}

/// Chooses who to send: people with a key, listed once, enabled and not in
/// TeamsOnly mode. The roster must be built keeping what was written.
pub fn export(source: Source, roster: Roster, settings: &Settings) -> Export {
    let outcome = reconcile::roster_alone(source, roster, settings);
    let roster = &outcome.roster;
    let text = |span: Span| roster.texts.get(span).to_string();
    // The key as written: kept when it differs from the cleaned key.
    let upn = |row: u32| match roster.written[row as usize].0 {
        Span::KEY => outcome.key_text(roster.rows.key(row)).to_string(),
        span => text(span),
    };
    let words = Words::new(&outcome);
    let mut excluded = Vec::new();
    // Rows the roster itself left out: broken, keyless, or repeated.
    for f in &outcome.findings {
        let Some(row) = f.row() else { continue };
        excluded.push(Excluded {
            upn: upn(row),
            display_name: text(roster.people[row as usize].display_name),
            line: roster.rows.lines[row as usize],
            reason: match f.code {
                Code::DuplicateRow => "listed twice with the same values; sent once".to_string(),
                _ => words.message_string(f),
            },
        });
    }
    let mut people = Vec::new();
    for key in (0..outcome.keys.len() as u32).map(crate::model::Key) {
        let Some(person) = roster.person(key) else {
            continue;
        };
        let reason = if let Some(lines) = roster.conflicts.get(&key) {
            Some(format!(
                "listed again with other values (lines {}); keep one row for this person",
                crate::report::messages::join(lines)
            ))
        } else if person.enabled == Some(false) {
            Some("the account is disabled".to_string())
        } else if person.teams_only {
            Some(
                "in TeamsOnly mode: a third-party provider does not apply to Teams meetings"
                    .to_string(),
            )
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
        roster: outcome,
    }
}

/// The export as CSV: UTF-8 with BOM so Excel shows accents, cells
/// neutralised because the vendor opens it in Excel.
pub struct ExportCsv(pub String);

impl Output<Export> for ExportCsv {
    fn file_name(&self) -> &str {
        &self.0
    }

    fn write(&self, export: &Export, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(BOM)?;
        let mut w = ::csv::Writer::from_writer(out);
        w.write_record(COLUMNS)?;
        for p in &export.people {
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
pub struct ExportXlsx(pub String);

impl Output<Export> for ExportXlsx {
    fn file_name(&self) -> &str {
        &self.0
    }

    fn write(&self, export: &Export, out: &mut dyn Write) -> io::Result<()> {
        let bytes = workbook(export).map_err(io::Error::other)?;
        out.write_all(&bytes)
    }
}

fn workbook(export: &Export) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Users")?;
    let text = Format::new().set_num_format("@");
    let header = Format::new().set_bold().set_num_format("@");
    let mut widths: Vec<usize> = COLUMNS.iter().map(|c| c.len()).collect();
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &header)?;
    }
    for (r, p) in export.people.iter().enumerate() {
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

/// The list of everyone left out and why.
pub struct ExcludedCsv(pub String);

impl Output<Export> for ExcludedCsv {
    fn file_name(&self) -> &str {
        &self.0
    }

    fn write(&self, export: &Export, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(BOM)?;
        let mut w = ::csv::Writer::from_writer(out);
        w.write_record(["UserPrincipalName", "DisplayName", "Line", "Reason"])?;
        for e in &export.excluded {
            let line = e.line.to_string();
            for cell in [e.upn.as_str(), &e.display_name, &line, &e.reason] {
                w.write_field(spreadsheet_cell(cell).as_bytes())?;
            }
            w.write_record(None::<&[u8]>)?;
        }
        w.flush()
    }
}
