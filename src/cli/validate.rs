//! `acp-recon validate`: the arguments, the run, what it prints.

use super::{eprint_rendered, print, Common};
use crate::error::{Error, ExitStatus};
use crate::report::{diagnostics, summary};
use crate::run::validate;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to check
    file: PathBuf,
    /// The sheet to read, when FILE is a workbook (default: the first)
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// Also write every finding to this CSV file
    #[arg(long, value_name = "CSV")]
    errors: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

pub fn run(args: Args) -> Result<ExitStatus, Error> {
    let settings = args.common.settings()?;
    let v = validate::validate(&args.file, args.sheet.as_deref(), &settings)?;
    if let Some(path) = &args.errors {
        validate::write_errors(&v, path)?;
    }
    let style = args.common.style();
    if style.limit > 0 {
        let rest = match &args.errors {
            Some(path) => format!("in {}", path.display()),
            None => "not shown: write them all with --errors FILE.csv, or show more with --show N"
                .to_string(),
        };
        eprint_rendered(&diagnostics::render(&v.outcome, style, &rest));
    }
    print(&summary::validation(&v.outcome, v.kind.input()));
    Ok(v.status())
}
