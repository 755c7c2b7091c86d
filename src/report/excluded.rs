//! `NAME-excluded.csv`, beside an export: everyone left out of it, and why,
//! in words; and what an export wrote, for the console.

use super::Words;
use crate::escape::spreadsheet_cell;
use crate::export::{Excluded, Export, Exported, Reason};
use crate::finding::Input;
use crate::output::{Output, BOM};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

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
            let reason = reason(export, e);
            for cell in [e.upn.as_str(), &e.display_name, &line, &reason] {
                w.write_field(spreadsheet_cell(cell).as_bytes())?;
            }
            w.write_record(None::<&[u8]>)?;
        }
        w.flush()
    }
}

/// Why a person was left out of the export, in words.
pub fn reason(export: &Export, excluded: &Excluded) -> String {
    match &excluded.reason {
        Reason::Finding(i) => export
            .roster
            .findings
            .get(*i as usize)
            .map(|f| Words::new(&export.roster).message_string(f))
            .unwrap_or_default(),
        Reason::Copy => "listed twice with the same values; sent once".to_string(),
        Reason::Conflict(lines) => format!(
            "listed again with other values (lines {}); keep one row for this person",
            super::messages::join(lines)
        ),
        Reason::Disabled => "the account is disabled".to_string(),
        Reason::TeamsOnly => {
            "in TeamsOnly mode: a third-party provider does not apply to Teams meetings".to_string()
        }
    }
}

/// The people left out, for stderr: the first `limit` of them.
pub fn listing(exported: &Exported, limit: usize) -> String {
    let export = &exported.export;
    if export.excluded.is_empty() {
        return String::new();
    }
    let roster = export.roster.file(Input::Roster);
    let mut text = format!("{} people left out:\n", export.excluded.len());
    for e in export.excluded.iter().take(limit) {
        let who = if e.upn.is_empty() { "(no key)" } else { &e.upn };
        let _ = writeln!(text, "  {roster}:{}  {who}: {}", e.line, reason(export, e));
    }
    if export.excluded.len() > limit {
        let _ = writeln!(text, "  … the rest are in {}", exported.excluded.display());
    }
    text
}

/// What an export wrote and recorded, for stdout.
pub fn exported(exported: &Exported, ledger: Option<&Path>) -> String {
    let export = &exported.export;
    let mut text = String::new();
    for wave in &exported.waves {
        let _ = writeln!(
            text,
            "exported {} people to {}",
            wave.part.people.len(),
            wave.path.display()
        );
    }
    let _ = writeln!(
        text,
        "{} left out, listed in {}",
        export.excluded.len(),
        exported.excluded.display()
    );
    if let Some(ledger) = ledger {
        for wave in &exported.waves {
            let people = wave.part.people.len();
            let _ = match wave.same {
                true => writeln!(
                    text,
                    "ledger {}: batch {} has these {people} people already; nothing new recorded",
                    ledger.display(),
                    wave.batch
                ),
                false => writeln!(
                    text,
                    "ledger {}: recorded batch {} ({people} people)",
                    ledger.display(),
                    wave.batch
                ),
            };
        }
    }
    text
}
