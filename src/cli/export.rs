//! `acp-recon export`: the file to send to the vendor, and the list of
//! everyone left out.

use super::{eprint, print, Common};
use crate::check::roster::Builder;
use crate::error::{Error, ExitStatus};
use crate::export::{self, ExcludedCsv, Export, ExportCsv, ExportXlsx};
use crate::output::{self, Output};
use crate::source::{self, ReadOptions};
use std::path::{Path, PathBuf};

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
    /// Forget an earlier batch of the same name and record this one
    #[arg(long)]
    replace_batch: bool,
    #[command(flatten)]
    ledger: super::ledger::LedgerArgs,
    #[command(flatten)]
    common: Common,
}

pub fn run(args: Args) -> Result<ExitStatus, Error> {
    let out = &args.out;
    let extension = out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::ExportFormat { path: out.clone() })?;
    let (xlsx, csv) = (ExportXlsx(name.clone()), ExportCsv(name));
    let main: &dyn Output<Export> = match extension.as_deref() {
        Some("xlsx") => &xlsx,
        Some("csv") => &csv,
        _ => return Err(Error::ExportFormat { path: out.clone() }),
    };
    let settings = args.common.settings()?;
    // Named after the export, so that each batch keeps its own list.
    let stem = out
        .file_stem()
        .map_or("export".into(), |s| s.to_string_lossy().into_owned());
    let batch = args.batch.clone().unwrap_or_else(|| stem.clone());
    let ledger = args.ledger.open()?;
    if let Some(ledger) = &ledger {
        match ledger.batch(&batch)? {
            Some((time, file)) if !args.replace_batch => {
                return Err(Error::BatchExists {
                    name: batch,
                    time,
                    file,
                })
            }
            _ => {}
        }
    }
    let options = ReadOptions {
        sheet: args.sheet.clone(),
        aliases: settings.aliases.clone(),
    };
    let (source, builder) = source::read(&args.roster, &options, |s| {
        Builder::open(s, &settings, true)
    })?;
    super::warn_if_vendor_file(&source, &settings);
    let result = export::export(source, builder.finish(), &settings);
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let excluded = ExcludedCsv(format!("{stem}-excluded.csv"));
    let written = output::write_all(dir, &result, &[main, &excluded])?;
    // After the file is in place: an export that fails records nothing.
    let recorded = ledger.map(|mut ledger| {
        let path = ledger.path().to_path_buf();
        let file = out.display().to_string();
        let recorded = std::fs::read(&written[0])
            .map(|bytes| source::digest::sha256(&bytes))
            .map_err(|e| Error::Read {
                path: written[0].clone(),
                source: e,
            })
            .and_then(|sha| ledger.record_batch(&batch, &file, &sha, &result.people))
            .and_then(|()| ledger.commit());
        (path, recorded)
    });
    let style = args.common.style();
    if style.limit > 0 && !result.excluded.is_empty() {
        let roster = result.roster.file(crate::finding::Input::Roster);
        let mut text = format!("{} people left out:\n", result.excluded.len());
        for e in result.excluded.iter().take(style.limit.max(20)) {
            let who = if e.upn.is_empty() {
                "(no key)"
            } else {
                e.upn.as_str()
            };
            text.push_str(&format!("  {roster}:{}  {who}: {}\n", e.line, e.reason));
        }
        if result.excluded.len() > style.limit.max(20) {
            text.push_str(&format!("  … the rest are in {}\n", written[1].display()));
        }
        eprint(&text);
    }
    print(&format!(
        "exported {} people to {}\n{} left out, listed in {}\n",
        result.people.len(),
        written[0].display(),
        result.excluded.len(),
        written[1].display()
    ));
    match recorded {
        Some((path, Ok(()))) => print(&format!(
            "ledger {}: recorded batch {batch} ({} people)\n",
            path.display(),
            result.people.len()
        )),
        Some((_, Err(error))) => eprint(&format!(
            "warning: the export is written, but the ledger did not record the batch:\n{}",
            super::render_error(error)
        )),
        None => {}
    }
    Ok(if result.has_errors() {
        ExitStatus::ErrorsFound
    } else {
        ExitStatus::Clean
    })
}
