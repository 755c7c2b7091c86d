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
    // Named after the export, so that each batch keeps its own list.
    let stem = out
        .file_stem()
        .map_or("export".into(), |s| s.to_string_lossy());
    let excluded = ExcludedCsv(format!("{stem}-excluded.csv"));
    let written = output::write_all(dir, &result, &[main, &excluded])?;
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
    Ok(if result.has_errors() {
        ExitStatus::ErrorsFound
    } else {
        ExitStatus::Clean
    })
}
