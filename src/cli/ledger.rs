//! The ledger options every recording command takes, and `status` and
//! `history`, which read it.

use super::print;
use crate::error::{Error, ExitStatus};
use crate::ledger::{show, Ledger, DEFAULT_PATH};
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
    match args.json {
        true => print_json(&status),
        false => print(&show::status(&path, &status, args.show)),
    }
    Ok(match status.pending_total {
        0 => ExitStatus::Clean,
        _ => ExitStatus::ErrorsFound,
    })
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
    let (key, events) = ledger.history(&args.user)?;
    match args.json {
        true => print_json(&events),
        false => print(&show::history(&path, &key, &events)),
    }
    Ok(match events.is_empty() {
        true => ExitStatus::ErrorsFound,
        false => ExitStatus::Clean,
    })
}
