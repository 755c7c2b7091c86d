//! Command-line arguments to a request, and what the run returns to
//! output and an exit status, one file per command. No domain step lives
//! here: each command parses, calls one entry point of [`crate::run`],
//! prints and exits.

pub mod export;
pub mod ledger;
pub mod reconcile;
pub mod validate;

use crate::config::{Settings, Target};
use crate::error::{Error, ExitStatus};
use crate::report::diagnostics;
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

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
Teams audio conferencing, with a users export as the roster and the bridge's numbers:\n  \
acp-recon reconcile --target teams --roster users.csv --returned operator.csv \\\n    \
--bridge bridge.csv --out plan/\n\n\
Writes import-plan.csv, import-plan.ps1, errors.csv, send-back.csv, report.json and report.html\n\
into --out, and records the run in the ledger (acp-recon.db here, unless --no-ledger).\n\
Exit status: 0 no errors, 1 errors found (outputs still written), 2 could not run (nothing written),\n\
130 stopped by Ctrl-C."
    )]
    Reconcile(reconcile::Args),
    /// Write the file to send to the vendor: one row per eligible person
    #[command(
        after_help = "Example:\n  acp-recon export --roster roster.csv --out to-fabrikam.xlsx --config acp.toml\n\n\
Writes .xlsx (every cell text, so Excel keeps + and leading zeros) or .csv (UTF-8 with BOM),\n\
and NAME-excluded.csv beside it (for --out NAME.xlsx) listing everyone left out and why,\n\
and records batch NAME in the ledger (acp-recon.db here, unless --no-ledger).\n\
With --batch-size N: files of at most N people, NAME-001.xlsx, NAME-002.xlsx …, each its own batch.\n\
Exit status: 0 written, 1 written but the roster has errors, 2 could not run (nothing written)."
    )]
    Export(export::Args),
    /// Check one file (roster or returned) for structural and field problems
    #[command(
        after_help = "Example:\n  acp-recon validate fabrikam.csv --config acp.toml\n\n\
Exit status: 0 no errors, 1 errors found, 2 could not read the file."
    )]
    Validate(validate::Args),
    /// Show each batch in the ledger and who is still pending
    #[command(after_help = "Example:\n  acp-recon status --batch to-fabrikam\n\n\
Per batch: sent, returned, planned, confirmed (a later roster shows the plan applied),\n\
rejected and missing (waiting for the vendor), waiting (not returned yet),\n\
left (no longer in the roster), pending.\n\
Exit status: 0 nothing pending, 1 someone is pending, 2 no ledger or it cannot be read.")]
    Status(ledger::StatusArgs),
    /// Show one person's timeline across batches and returned files
    #[command(
        after_help = "Example:\n  acp-recon history ann.lee@contoso.example\n\n\
Exit status: 0 found, 1 nothing recorded for this person, 2 no ledger or it cannot be read."
    )]
    History(ledger::HistoryArgs),
}

/// What every command takes.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// TOML config: expected provider, default region, ID length, aliases
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print no diagnostics and no progress on stderr; stdout keeps the summary
    #[arg(long, short)]
    quiet: bool,
    /// How many findings to show in full on stderr
    #[arg(long, value_name = "N", default_value_t = 10)]
    show: usize,
}

/// What the plan sets, for the commands that plan.
#[derive(Debug, clap::Args)]
pub struct TargetArgs {
    /// acp: a provider's Set-CsUserAcp (Skype for Business Server, the
    /// default); teams: Set-CsOnlineDialInConferencingUser (Teams audio
    /// conferencing) [default: the config's target, else acp]
    #[arg(long, value_name = "TARGET", value_parser = target)]
    target: Option<Target>,
}

impl TargetArgs {
    /// The settings with the target the command line names, if it does.
    fn apply(&self, mut settings: Settings) -> Settings {
        if let Some(target) = self.target {
            settings.target = target;
        }
        settings
    }
}

fn target(text: &str) -> Result<Target, String> {
    Target::parse(text).ok_or_else(|| format!("{text:?} is not a target: acp or teams"))
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

    /// Whether to draw a progress bar: for a person at a terminal.
    fn progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }
}

/// Runs a parsed command.
pub fn run(cli: Cli) -> Result<ExitStatus, Error> {
    match cli.command {
        Command::Reconcile(args) => reconcile::run(args),
        Command::Export(args) => export::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Status(args) => ledger::status(args),
        Command::History(args) => ledger::history(args),
    }
}

/// Writes to stdout, anything that could steer the terminal escaped; a
/// closed pipe (`| head`) is not an error.
pub fn print(text: &str) {
    let _ = std::io::stdout()
        .lock()
        .write_all(crate::escape::terminal(text).as_bytes());
}

/// Writes to stderr, anything that could steer the terminal escaped.
pub fn eprint(text: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(crate::escape::terminal(text).as_bytes());
}

/// Writes diagnostics to stderr as rendered: their colours stay, and what
/// they show of the inputs was escaped when they were made.
pub fn eprint_rendered(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// A fatal error, drawn without colour so that the whole text can be
/// escaped: file names, headers and config text come from the user's files.
pub fn render_error(error: Error) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &error).is_err() {
        out = format!("error: {error}\n");
    }
    out
}
