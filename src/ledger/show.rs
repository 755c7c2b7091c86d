//! The ledger as the commands print it: what a run or an export recorded,
//! `status` and `history` as text.

use super::{Event, Recorded, Status};
use crate::reconcile::earlier::{Coverage, MemberState};
use std::fmt::Write as _;
use std::path::Path;

/// What a run recorded, in a few lines for the summary.
pub fn recorded(ledger: &Path, coverage: &Coverage, r: &Recorded) -> String {
    let mut out = format!("ledger {}:", ledger.display());
    let names = coverage.names();
    if !names.is_empty() {
        let _ = write!(out, " requested = batches {};", names.join(", "));
    }
    match &r.already {
        Some(time) => {
            let _ = write!(
                out,
                " this returned file was already recorded on {time}, so it is reconciled as it was then and its fates are not recorded again"
            );
        }
        None => {
            let _ = write!(out, " recorded the fate of {} people", r.fates);
        }
    }
    out.push('\n');
    if r.confirmed > 0 {
        let _ = writeln!(
            out,
            "  {} people planned earlier now have the planned values in the roster: confirmed",
            r.confirmed
        );
    }
    if r.not_applied > 0 {
        let _ = writeln!(
            out,
            "  {} people planned earlier are not applied yet: the roster still shows other values (acp-recon status lists them)",
            r.not_applied
        );
    }
    if r.left > 0 {
        let _ = writeln!(
            out,
            "  {} people of these batches are no longer in the roster: marked left, no longer pending",
            r.left
        );
        for (key, _) in coverage.left.iter().take(20) {
            let _ = writeln!(out, "    {key}");
        }
        if coverage.left.len() > 20 {
            let _ = writeln!(
                out,
                "    … and {} more (acp-recon status shows them)",
                coverage.left.len() - 20
            );
        }
    }
    out
}

/// `status` as text: a line per batch, then the first `show` people
/// pending.
pub fn status(path: &Path, status: &Status, show: usize) -> String {
    let mut out = format!("ledger {}\n", path.display());
    if status.batches.is_empty() {
        out.push_str("no batch yet: `acp-recon export` records one\n");
        return out;
    }
    let width = status
        .batches
        .iter()
        .map(|b| b.name.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let header = [
        "sent",
        "returned",
        "planned",
        "confirmed",
        "rejected",
        "missing",
        "waiting",
        "left",
        "pending",
    ];
    let _ = write!(out, "{:<width$}  {:<20}", "batch", "exported");
    for h in header {
        let _ = write!(out, "  {h:>9}");
    }
    out.push('\n');
    for b in &status.batches {
        let _ = write!(out, "{:<width$}  {:<20}", b.name, b.time);
        for n in [
            b.sent,
            b.returned,
            b.planned,
            b.confirmed,
            b.rejected,
            b.missing,
            b.waiting,
            b.left,
            b.pending,
        ] {
            let _ = write!(out, "  {n:>9}");
        }
        out.push('\n');
    }
    if status.pending_total == 0 {
        out.push_str("Nothing is pending: every person sent is confirmed, or has left.\n");
        return out;
    }
    let _ = writeln!(out, "pending ({}):", status.pending_total);
    for p in status.pending.iter().take(show) {
        let why = match p.state {
            MemberState::Waiting => "not returned yet".to_string(),
            MemberState::Planned => "planned, not applied yet".to_string(),
            state => format!(
                "{}: {}",
                state.as_str(),
                p.last_code.as_deref().unwrap_or("")
            ),
        };
        let _ = writeln!(
            out,
            "  {}  [{}]  {why}  {}:{}",
            p.key, p.batch, p.file, p.line
        );
    }
    if status.pending_total > show {
        let _ = writeln!(
            out,
            "  … and {} more (--json lists everyone)",
            status.pending_total - show
        );
    }
    out
}

/// `history` as text: one line an event.
pub fn history(path: &Path, key: &str, events: &[Event]) -> String {
    let mut out = format!("{key} in {}\n", path.display());
    if events.is_empty() {
        out.push_str("nothing recorded for this person\n");
    }
    for e in events {
        let _ = write!(
            out,
            "  {}  {:<9}  {:<12}  {}:{}",
            e.time,
            e.state,
            e.batch.as_deref().unwrap_or("-"),
            e.file,
            e.line
        );
        if !e.codes.is_empty() {
            let _ = write!(out, "  {}", e.codes);
        }
        if let (Some(id), Some(toll)) = (&e.conference_id, &e.toll_number) {
            let _ = write!(out, "  ConferenceId {id}, TollNumber {toll}");
        }
        out.push('\n');
    }
    out
}
