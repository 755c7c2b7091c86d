//! `export`: the file sent to the vendor. One row per eligible person with
//! the ACP columns empty (or the provider pre-filled from the config); every
//! person left out is listed with the reason.

use crate::columns::{ColumnMap, Field};
use crate::config::Settings;
use crate::error::Error;
use crate::escape::spreadsheet_cell;
use crate::finding::{Code, Finding, Severity};
use crate::output::{Output, BOM};
use crate::reconcile::{self, roster, InputInfo};
use crate::source::Table;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::collections::BTreeMap;
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
#[derive(Debug, Clone)]
pub struct Export {
    /// Sorted by key.
    pub people: Vec<ExportRow>,
    /// Sorted by line.
    pub excluded: Vec<Excluded>,
    pub provider_name: Option<String>,
    pub domain: Option<String>,
    pub roster: InputInfo,
    /// The roster's own problems (broken rows, missing keys, duplicates).
    pub findings: Vec<Finding>,
}

impl Export {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity <= Severity::Error)
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
/// TeamsOnly mode.
pub fn export(table: &Table, settings: &Settings) -> Result<Export, Error> {
    let columns = ColumnMap::resolve(&table.headers, &settings.aliases);
    reconcile::require(table, &columns, &[Field::Key])?;
    let roster = roster::build(table, &columns, settings);

    let mut excluded = Vec::new();
    let by_line: std::collections::HashMap<u32, crate::source::RowRef<'_>> =
        table.rows().map(|r| (r.line, r)).collect();
    // Rows the roster itself rejected: broken, keyless, or repeated.
    for f in &roster.findings {
        let row = f.line.and_then(|line| by_line.get(&line));
        let (upn, name) = row.map_or((String::new(), String::new()), |r| {
            (
                r.get(columns.get(Field::Key)).trim().to_string(),
                r.get(columns.get(Field::DisplayName)).trim().to_string(),
            )
        });
        excluded.push(Excluded {
            upn,
            display_name: name,
            line: f.line.unwrap_or(0),
            reason: match f.code {
                Code::DuplicateRow => "listed twice with the same values; sent once".to_string(),
                _ => f.message().into_owned(),
            },
        });
    }
    // The roster keeps only what reconciling needs; the rest is on the row.
    let cell = |line: u32, field: Field| {
        by_line.get(&line).map_or(String::new(), |r| {
            crate::normalize::text::trim_cell(r.get(columns.get(field))).to_string()
        })
    };
    let mut people = BTreeMap::new();
    for person in &roster.people {
        let reason = if let Some(lines) = roster.conflicted.get(&person.key) {
            Some(format!(
                "listed again with other values (lines {}); keep one row for this person",
                lines
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        } else if person.account_enabled == Some(false) {
            Some("the account is disabled".to_string())
        } else if person.teams_only {
            Some(
                "in TeamsOnly mode: a third-party provider does not apply to Teams meetings"
                    .to_string(),
            )
        } else {
            None
        };
        match reason {
            Some(reason) => excluded.push(Excluded {
                upn: cell(person.line, Field::Key),
                display_name: roster.text(person.display_name).to_string(),
                line: person.line,
                reason,
            }),
            None => {
                people.insert(
                    person.key.clone(),
                    ExportRow {
                        upn: cell(person.line, Field::Key),
                        display_name: roster.text(person.display_name).to_string(),
                        sip_address: cell(person.line, Field::SipAddress),
                    },
                );
            }
        }
    }
    excluded.sort_by(|a, b| (a.line, &a.upn).cmp(&(b.line, &b.upn)));
    Ok(Export {
        people: people.into_values().collect(),
        excluded,
        provider_name: settings.provider_name.clone(),
        domain: settings.provider_domain.clone(),
        roster: InputInfo::new("roster", table, &columns),
        findings: roster.findings,
    })
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

/// `export-excluded.csv`: who was left out and why.
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
