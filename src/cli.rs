//! Command-line arguments to settings, and results to output and an exit
//! status. No domain logic lives here.

use acp_recon::error::{Error, ExitStatus};
use acp_recon::output;
use acp_recon::progress::{Bar, Progress};
use acp_recon::reconcile;
use acp_recon::report::{diagnostics, errors_csv, summary};
use acp_recon::source::ReadOptions;
use acp_recon::{export, source, validate, Settings};
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "acp-recon",
    version,
    about = "Check the file an audio conferencing provider returns, and write the import plan",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reconcile the vendor's returned file against the roster and write the plan
    #[command(
        after_help = "Example:\n  acp-recon reconcile --roster roster.csv --returned fabrikam.csv --out plan/ --config acp.toml\n\n\
Writes import-plan.csv, import-plan.ps1, errors.csv, send-back.csv and report.json into --out.\n\
Exit status: 0 no errors, 1 errors found (outputs still written), 2 could not run (nothing written)."
    )]
    Reconcile {
        /// Who exists, and optionally what each person has now
        #[arg(long, value_name = "ROSTER")]
        roster: PathBuf,
        /// The file the vendor sent back
        #[arg(long, value_name = "RETURNED")]
        returned: PathBuf,
        /// The sheet of RETURNED to read, when it is a workbook (default: the first)
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// The file that was sent to the vendor; defines who was requested
        #[arg(long, value_name = "SENT")]
        sent: Option<PathBuf>,
        /// Folder to write the outputs into (created if needed)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Write the file to send to the vendor: one row per eligible person
    #[command(
        after_help = "Example:\n  acp-recon export --roster roster.csv --out to-fabrikam.xlsx --config acp.toml\n\n\
Writes .xlsx (every cell text, so Excel keeps + and leading zeros) or .csv (UTF-8 with BOM),\n\
and export-excluded.csv beside it listing everyone left out and why.\n\
Exit status: 0 written, 1 written but the roster has errors, 2 could not run (nothing written)."
    )]
    Export {
        /// Who exists
        #[arg(long, value_name = "ROSTER")]
        roster: PathBuf,
        /// The file to write: .xlsx or .csv
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The sheet of ROSTER to read, when it is a workbook (default: the first)
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Check one file (roster or returned) for structural and field problems
    #[command(
        after_help = "Example:\n  acp-recon validate fabrikam.csv --config acp.toml\n\n\
Exit status: 0 no errors, 1 errors found, 2 could not read the file."
    )]
    Validate {
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
    },
}

#[derive(Debug, clap::Args)]
pub struct Common {
    /// TOML config: expected provider, default region, ID length, aliases
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print no diagnostics, only the summary
    #[arg(long, short)]
    quiet: bool,
    /// How many findings to show in full on stderr
    #[arg(long, value_name = "N", default_value_t = 10)]
    show: usize,
}

impl Common {
    fn settings(&self) -> Result<Settings, Error> {
        match &self.config {
            Some(path) => Settings::load(path),
            None => Ok(Settings::default()),
        }
    }

    fn style(&self) -> diagnostics::Style {
        let stderr = std::io::stderr();
        let color = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none();
        diagnostics::Style {
            width: if stderr.is_terminal() { 120 } else { 100 },
            color,
            limit: if self.quiet { 0 } else { self.show },
        }
    }
}

/// Runs a parsed command.
pub fn run(cli: Cli) -> Result<ExitStatus, Error> {
    match cli.command {
        Command::Reconcile {
            roster,
            returned,
            sheet,
            sent,
            out,
            common,
        } => run_reconcile(&roster, &returned, sheet, sent.as_deref(), &out, &common),
        Command::Validate {
            file,
            sheet,
            errors,
            common,
        } => run_validate(&file, sheet, errors.as_deref(), &common),
        Command::Export {
            roster,
            out,
            sheet,
            common,
        } => run_export(&roster, &out, sheet, &common),
    }
}

fn run_reconcile(
    roster: &Path,
    returned: &Path,
    sheet: Option<String>,
    sent: Option<&Path>,
    out: &Path,
    common: &Common,
) -> Result<ExitStatus, Error> {
    let settings = common.settings()?;
    let options = ReadOptions {
        sheet: None,
        aliases: settings.aliases.clone(),
    };
    let bar = Bar::new(!common.quiet && std::io::stderr().is_terminal());
    bar.stage("reading inputs", 0);
    // The two big files are read side by side.
    let returned_options = ReadOptions {
        sheet,
        ..options.clone()
    };
    // The roster is built as soon as it is read, while the returned file,
    // usually the larger, is still being read.
    let (roster, returned) = rayon::join(
        || read_hashing_behind(roster, &options).map(|t| reconcile::prepare(t, &settings)),
        || read_hashing_behind(returned, &returned_options),
    );
    // Errors in the order a run meets them one after another: the files
    // read, then their columns.
    let (roster, returned) = (roster?, returned?);
    let sent = sent.map(|s| read_hashing_behind(s, &options)).transpose()?;
    let outcome = reconcile::reconcile_prepared(roster?, returned, sent, &settings, &bar)?;
    bar.stage("writing outputs", 0);
    let written = output::write_all(out, &outcome, &output::reconcile_outputs());
    bar.finish();
    let written = written?;
    let style = common.style();
    if style.limit > 0 {
        let errors_path = out.join("errors.csv");
        eprint(&diagnostics::render(
            &outcome.findings,
            &outcome.sources,
            style,
            &errors_path.display().to_string(),
        ));
    }
    print(&summary::render(&outcome, &written));
    let balanced =
        outcome.summary.accounting.rows_balanced && outcome.summary.accounting.requested_balanced;
    let status = if outcome.has_errors() || !balanced {
        ExitStatus::ErrorsFound
    } else {
        ExitStatus::Clean
    };
    // Freeing a million rows one by one takes a second; the process is
    // about to end and the system takes the memory back at once.
    std::mem::forget(outcome);
    Ok(status)
}

/// Reads a table; its SHA-256, which only the outputs need, is taken on a
/// thread that runs while a core would otherwise be idle.
fn read_hashing_behind(path: &Path, options: &ReadOptions) -> Result<source::Table, Error> {
    let table = source::read_with(path, options)?;
    if let Some(digest) = &table.sha256 {
        digest.take_in_background();
    }
    Ok(table)
}

fn run_export(
    roster: &Path,
    out: &Path,
    sheet: Option<String>,
    common: &Common,
) -> Result<ExitStatus, Error> {
    let extension = out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::ExportFormat {
            path: out.to_path_buf(),
        })?;
    let main: Box<dyn output::Output<export::Export>> = match extension.as_deref() {
        Some("xlsx") => Box::new(export::ExportXlsx(name)),
        Some("csv") => Box::new(export::ExportCsv(name)),
        _ => {
            return Err(Error::ExportFormat {
                path: out.to_path_buf(),
            })
        }
    };
    let settings = common.settings()?;
    let options = ReadOptions {
        sheet,
        aliases: settings.aliases.clone(),
    };
    let table = source::read_with(roster, &options)?;
    let result = export::export(&table, &settings)?;
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let outputs = vec![
        main,
        Box::new(export::ExcludedCsv("export-excluded.csv".into())) as Box<_>,
    ];
    let written = output::write_all(dir, &result, &outputs)?;
    let style = common.style();
    if style.limit > 0 && !result.excluded.is_empty() {
        let mut text = format!("{} people left out:\n", result.excluded.len());
        for e in result.excluded.iter().take(style.limit.max(20)) {
            let who = if e.upn.is_empty() {
                "(no key)"
            } else {
                e.upn.as_str()
            };
            text.push_str(&format!(
                "  {}:{}  {who}: {}\n",
                result.roster.file, e.line, e.reason
            ));
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

fn run_validate(
    file: &Path,
    sheet: Option<String>,
    errors: Option<&Path>,
    common: &Common,
) -> Result<ExitStatus, Error> {
    let settings = common.settings()?;
    let options = ReadOptions {
        sheet,
        aliases: settings.aliases.clone(),
    };
    let table = source::read_with(file, &options)?;
    let v = validate::validate(&table, &settings)?;
    if let Some(path) = errors {
        let write = || -> std::io::Result<()> {
            let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
            errors_csv::write_findings(&v.findings, &mut w)?;
            w.flush()
        };
        write().map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })?;
    }
    let style = common.style();
    if style.limit > 0 {
        let rest = errors.map_or("--errors FILE".to_string(), |p| p.display().to_string());
        eprint(&diagnostics::render(
            &v.findings,
            std::slice::from_ref(&v.source),
            style,
            &rest,
        ));
    }
    let layout = match &v.sheet {
        Some(sheet) => format!(
            "{} workbook, sheet {sheet:?}, header on row {}",
            v.input.encoding, v.header_line
        ),
        None => format!(
            "{}, delimiter {:?}, header on line {}",
            v.input.encoding, v.input.delimiter, v.header_line
        ),
    };
    let mut text = format!(
        "{}: {} file, {layout}, {} rows{}\ncolumns:\n",
        v.input.file,
        v.kind.as_str(),
        v.input.rows,
        if v.blank_rows > 0 {
            format!(" ({} blank rows skipped)", v.blank_rows)
        } else {
            String::new()
        }
    );

    for (field, header) in &v.input.columns {
        text.push_str(&format!("  {field:<26} <- {header:?}\n"));
    }
    for header in &v.pin_headers {
        text.push_str(&format!(
            "  {:<26} <- {header:?} (read past, never copied)\n",
            "PIN"
        ));
    }
    let count = |s: acp_recon::Severity| v.findings.iter().filter(|f| f.severity == s).count();
    let errors_found = count(acp_recon::Severity::Error);
    text.push_str(&format!(
        "findings: {} errors, {} warnings, {} info\n",
        errors_found,
        count(acp_recon::Severity::Warning),
        count(acp_recon::Severity::Info)
    ));
    for code in acp_recon::Code::ALL {
        let n = v.findings.iter().filter(|f| f.code == *code).count();
        if n > 0 {
            text.push_str(&format!(
                "  {n:>7}  {:<8} {code}\n",
                code.severity().as_str()
            ));
        }
    }
    print(&text);
    Ok(if errors_found > 0 {
        ExitStatus::ErrorsFound
    } else {
        ExitStatus::Clean
    })
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn eprint(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
