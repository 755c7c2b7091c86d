//! `acp-recon validate`: one file on its own.

use super::{eprint_rendered, print, Common};
use crate::error::{Error, ExitStatus};
use crate::report::{diagnostics, errors_csv, Words};
use crate::source::ReadOptions;
use crate::validate;
use crate::Severity;
use std::io::Write;
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
    let options = ReadOptions {
        sheet: args.sheet.clone(),
        aliases: settings.aliases.clone(),
    };
    let v = validate::validate(&args.file, &options, &settings)?;
    let findings = &v.outcome.findings;
    if let Some(path) = &args.errors {
        let write = || -> std::io::Result<()> {
            let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
            errors_csv::write_findings(Words::new(&v.outcome), findings, true, &mut w)?;
            w.flush()
        };
        write().map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
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
    let source = v.source();
    let layout = match &source.sheet {
        Some(sheet) => format!(
            "{} workbook, sheet {sheet:?}, header on row {}",
            source.encoding.as_str(),
            source.header_line
        ),
        None => format!(
            "{}, delimiter {:?}, header on line {}",
            source.encoding.as_str(),
            match source.delimiter {
                b'\t' => "tab".to_string(),
                d => (d as char).to_string(),
            },
            source.header_line
        ),
    };
    let mut text = format!(
        "{}: {} file, {layout}, {} rows{}\ncolumns:\n",
        source.name,
        v.kind.as_str(),
        source.rows,
        if source.blank_rows > 0 {
            format!(" ({} blank rows skipped)", source.blank_rows)
        } else {
            String::new()
        }
    );
    let info = &v.outcome.inputs[0];
    for (field, header) in &info.columns {
        text.push_str(&format!("  {field:<26} <- {header:?}\n"));
    }
    for header in v.pin_headers() {
        text.push_str(&format!(
            "  {:<26} <- {header:?} (read past, never copied)\n",
            "PIN"
        ));
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity() == s).count();
    let errors = count(Severity::Error);
    text.push_str(&format!(
        "findings: {} errors, {} warnings, {} info\n",
        errors,
        count(Severity::Warning),
        count(Severity::Info)
    ));
    for code in crate::Code::ALL {
        let n = findings.iter().filter(|f| f.code == *code).count();
        if n > 0 {
            text.push_str(&format!(
                "  {n:>7}  {:<8} {code}\n",
                code.severity().as_str()
            ));
        }
    }
    print(&text);
    Ok(if errors > 0 {
        ExitStatus::ErrorsFound
    } else {
        ExitStatus::Clean
    })
}
