//! `acp-recon export`: the arguments, the run, what it prints.

use super::{eprint, print, Common};
use crate::error::{Error, ExitStatus};
use crate::report::{excluded, summary};
use crate::run::export::{self, Request};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Who exists
    #[arg(long, value_name = "ROSTER")]
    roster: PathBuf,
    /// The file to write: .xlsx or .csv
    #[arg(short = 'o', long, value_name = "FILE")]
    out: PathBuf,
    /// The sheet of ROSTER to read, when it is a workbook (default: the first)
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// The batch's name in the ledger (default: the output's name without extension)
    #[arg(long, value_name = "NAME")]
    batch: Option<String>,
    /// Forget an earlier batch of the same name with other people, and record this one
    #[arg(long)]
    replace_batch: bool,
    /// Write files of at most N people (NAME-001, NAME-002 …), each its own batch
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    batch_size: Option<u64>,
    #[command(flatten)]
    target: super::TargetArgs,
    #[command(flatten)]
    ledger: super::ledger::LedgerArgs,
    #[command(flatten)]
    common: Common,
}

pub fn run(args: Args) -> Result<ExitStatus, Error> {
    let settings = args.target.apply(args.common.settings()?);
    let ledger = args.ledger.open()?;
    let request = Request {
        roster: &args.roster,
        out: &args.out,
        sheet: args.sheet.as_deref(),
        batch: args.batch.as_deref(),
        replace_batch: args.replace_batch,
        batch_size: args.batch_size.map(|n| n as usize),
    };
    let exported = export::export(&request, &settings, ledger)?;
    eprint(&summary::input_warnings(&exported.export.roster));
    let style = args.common.style();
    if style.limit > 0 {
        eprint(&excluded::listing(&exported, style.limit.max(20)));
    }
    let ledger = args.ledger.path().filter(|_| exported.recorded);
    print(&excluded::exported(&exported, ledger.as_deref()));
    Ok(match exported.export.has_errors() {
        true => ExitStatus::ErrorsFound,
        false => ExitStatus::Clean,
    })
}
