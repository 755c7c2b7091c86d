//! `validate`: one file on its own, roster or returned (told apart by its
//! columns): structure and field problems, nothing about other files.

use crate::columns::{ColumnMap, Field};
use crate::config::Settings;
use crate::error::Error;
use crate::finding::{self, Finding};
use crate::reconcile::{self, roster, rows, InputInfo};
use crate::report::diagnostics::SourceText;
use crate::source::Table;

/// What kind of file `validate` was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Roster,
    Returned,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Roster => "roster",
            FileKind::Returned => "returned",
        }
    }
}

/// The result of validating one file.
#[derive(Debug, Clone)]
pub struct Validation {
    pub kind: FileKind,
    pub input: InputInfo,
    /// The sheet read, for a spreadsheet.
    pub sheet: Option<String>,
    pub header_line: u32,
    pub blank_rows: usize,
    /// Headers of the PIN columns.
    pub pin_headers: Vec<String>,
    /// Sorted by [`Finding::sort_key`].
    pub findings: Vec<Finding>,
    pub source: SourceText,
}

/// Validates a table. A returned file is one with a toll number or
/// conference ID column; anything else is read as a roster.
pub fn validate(table: &Table, settings: &Settings) -> Result<Validation, Error> {
    let columns = ColumnMap::resolve(&table.headers, &settings.aliases);
    let kind = if columns.has(Field::TollNumber) || columns.has(Field::ConferenceId) {
        FileKind::Returned
    } else {
        FileKind::Roster
    };
    let mut findings = match kind {
        FileKind::Roster => {
            reconcile::require(table, &columns, &[Field::Key])?;
            roster::build(table, &columns, settings).findings
        }
        FileKind::Returned => {
            reconcile::require(
                table,
                &columns,
                &[Field::Key, Field::TollNumber, Field::ConferenceId],
            )?;
            let expected = rows::Expected::resolve(table, &columns, settings);
            let distinct = rows::Distinct::of(table, &columns, settings);
            let ctx = rows::RowContext {
                table,
                columns: &columns,
                settings,
                expected: &expected,
                distinct: &distinct,
                roster: None,
                requested: None,
                requested_from: "",
            };
            let mut checked = rows::check_all(&ctx, &crate::progress::Quiet);
            let groups = reconcile::group_by_key(&checked);
            let copy_of = reconcile::mark_duplicates(table, &columns, &mut checked, &groups);
            reconcile::mark_shared_conference_ids(
                table,
                columns.get(Field::ConferenceId),
                &mut checked,
                &copy_of,
            );
            let mut findings = reconcile::pin_findings(table, &columns);
            for row in &mut checked {
                findings.extend(row.findings.take());
            }
            findings
        }
    };
    reconcile::locate_cells(&mut findings, &[table]);
    finding::sort(&mut findings);
    Ok(Validation {
        kind,
        input: InputInfo::new(kind.as_str(), table, &columns),
        sheet: table.sheet.clone(),
        header_line: table.header_line,
        blank_rows: table.blank_rows,
        pin_headers: columns
            .pins
            .iter()
            .map(|&c| table.headers[c].clone())
            .collect(),
        findings,
        source: SourceText::of(table, &columns.pins),
    })
}
