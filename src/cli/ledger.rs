//! The ledger options every recording command takes, and `status` and
//! `history`, which read it.

use super::print;
use crate::error::{Error, ExitStatus};
use crate::ledger::{Ledger, Recorded, Status, DEFAULT_PATH};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Where the ledger is, or that there is none.
#[derive(Debug, clap::Args)]
pub struct LedgerArgs {
    /// The ledger that remembers batches and runs [default: acp-recon.db in
    /// the current folder]
    #[arg(long, value_name = "PATH", env = "ACP_RECON_LEDGER")]
    ledger: Option<PathBuf>,
    /// Run without the ledger: read nothing from it, record nothing
    #[arg(long)]
    no_ledger: bool,
}

impl LedgerArgs {
    /// The ledger's path, unless the run goes without one.
    pub fn path(&self) -> Option<PathBuf> {
        if self.no_ledger {
            return None;
        }
        Some(self.ledger.clone().unwrap_or_else(|| DEFAULT_PATH.into()))
    }

    /// Opens the existing ledger to read it, and says where it is.
    fn read(&self) -> Result<(PathBuf, Ledger), Error> {
        let path = self.path().ok_or_else(|| Error::NoLedger {
            path: "(--no-ledger)".into(),
        })?;
        let ledger = Ledger::open_existing(&path)?;
        Ok((path, ledger))
    }

    /// Opens the ledger to record into, with its write lock.
    pub fn open(&self) -> Result<Option<Ledger>, Error> {
        self.path().map(|p| Ledger::open(&p)).transpose()
    }
}

/// Prints a value as indented JSON, with a final newline.
fn print_json(value: &impl serde::Serialize) {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    print(&text);
}

/// What a run recorded, in a few lines for the summary.
pub fn recorded_text(ledger: &std::path::Path, r: &Recorded) -> String {
    let mut out = format!("ledger {}:", ledger.display());
    if !r.covered.is_empty() {
        let _ = write!(out, " requested = open batches {};", r.covered.join(", "));
    }
    if r.already {
        out.push_str(" this returned file was recorded by an earlier run, so only what the roster confirms is recorded");
    } else {
        let _ = write!(out, " recorded the fate of {} people", r.fates);
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
    out
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Only this batch
    #[arg(long, value_name = "NAME")]
    batch: Option<String>,
    /// Print JSON: {batches: [...], pending: [...]}
    #[arg(long)]
    json: bool,
    /// How many pending people to list (--json lists all)
    #[arg(long, value_name = "N", default_value_t = 50)]
    show: usize,
    #[command(flatten)]
    ledger: LedgerArgs,
}

pub fn status(args: StatusArgs) -> Result<ExitStatus, Error> {
    let (path, ledger) = args.ledger.read()?;
    let limit = (!args.json).then_some(args.show);
    let status = ledger.status(args.batch.as_deref(), limit)?;
    if args.json {
        print_json(&status);
    } else {
        print(&status_text(&path, &status, args.show));
    }
    Ok(if status.pending_total == 0 {
        ExitStatus::Clean
    } else {
        ExitStatus::ErrorsFound
    })
}

fn status_text(path: &std::path::Path, status: &Status, show: usize) -> String {
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
    let _ = writeln!(
        out,
        "{:<width$}  {:<20}  {:>7}  {:>8}  {:>7}  {:>9}  {:>8}  {:>7}  {:>7}  {:>7}",
        "batch",
        "exported",
        "sent",
        "returned",
        "planned",
        "confirmed",
        "rejected",
        "missing",
        "waiting",
        "pending"
    );
    for b in &status.batches {
        let _ = writeln!(
            out,
            "{:<width$}  {:<20}  {:>7}  {:>8}  {:>7}  {:>9}  {:>8}  {:>7}  {:>7}  {:>7}",
            b.name,
            b.time,
            b.sent,
            b.returned,
            b.planned,
            b.confirmed,
            b.rejected,
            b.missing,
            b.waiting,
            b.pending
        );
    }
    if status.pending_total == 0 {
        out.push_str("Nothing is pending: every person sent is confirmed.\n");
        return out;
    }
    let _ = writeln!(out, "pending ({}):", status.pending_total);
    for p in status.pending.iter().take(show) {
        let why = match p.state.as_str() {
            "waiting" => "not returned yet".to_string(),
            "planned" => "planned, not applied yet".to_string(),
            state => format!("{state}: {}", p.last_code.as_deref().unwrap_or("")),
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

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The person's UserPrincipalName
    #[arg(value_name = "USER")]
    user: String,
    /// Print JSON: a list of events
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    ledger: LedgerArgs,
}

pub fn history(args: HistoryArgs) -> Result<ExitStatus, Error> {
    let (path, ledger) = args.ledger.read()?;
    let key = crate::normalize::text::key(&args.user);
    let events = ledger.history(&key)?;
    if args.json {
        print_json(&events);
    } else {
        let mut out = format!("{key} in {}\n", path.display());
        if events.is_empty() {
            out.push_str("nothing recorded for this person\n");
        }
        for e in &events {
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
        print(&out);
    }
    Ok(if events.is_empty() {
        ExitStatus::ErrorsFound
    } else {
        ExitStatus::Clean
    })
}
