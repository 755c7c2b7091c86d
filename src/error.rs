//! Fatal errors: the run cannot go on and nothing is written. Problems with
//! single rows are never errors here; they are [`Finding`](crate::Finding)s.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::path::PathBuf;

/// Something that stops the run before any output is written (exit status 2).
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    #[error("cannot read {}", path.display())]
    #[diagnostic(code(acp_recon::unreadable), help("{}", io_help(source, "file")))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write {}", path.display())]
    #[diagnostic(code(acp_recon::unwritable), help("{}", io_help(source, "output")))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("--bridge is for the Teams target")]
    #[diagnostic(
        code(acp_recon::bridge_needs_teams),
        help("give --target teams (or target = \"teams\" in the config) to check the numbers against the bridge; a provider's numbers are the provider's to check")
    )]
    BridgeNeedsTeams,

    #[error("stopped")]
    #[diagnostic(code(acp_recon::stopped))]
    Stopped,

    #[error("{} is a file, and the outputs go in a folder", path.display())]
    #[diagnostic(
        code(acp_recon::out_not_folder),
        help("give --out a folder (it is created when missing), e.g. --out plan/")
    )]
    OutNotFolder { path: PathBuf },

    #[error("{file} is not a CSV or spreadsheet")]
    #[diagnostic(
        code(acp_recon::not_text),
        help("give the file the vendor sent as CSV or as a workbook (.xlsx, .xls, .ods); check the path")
    )]
    NotText { file: String },

    #[error("{file} is not a workbook")]
    #[diagnostic(
        code(acp_recon::not_workbook),
        help("the name says workbook but the content is not one: open it in Excel and save it as .xlsx, or as CSV UTF-8")
    )]
    NotWorkbook { file: String },

    #[error("the roster and the returned file are the same file: {roster} and {returned}")]
    #[diagnostic(
        code(acp_recon::same_file),
        help("--roster is who exists in the tenant (exported from Teams or Entra ID); --returned is the file the vendor sent back")
    )]
    SameFile { roster: String, returned: String },

    #[error("cannot read {file} as a spreadsheet: {message}")]
    #[diagnostic(
        code(acp_recon::spreadsheet),
        help("check that the file opens in Excel; if it does, save it as \"CSV UTF-8 (Comma delimited)\" and run again on the .csv")
    )]
    Sheet { file: String, message: String },

    #[error("{file} has no sheet named {sheet:?}")]
    #[diagnostic(code(acp_recon::no_such_sheet), help("the sheets are: {available}"))]
    NoSuchSheet {
        file: String,
        sheet: String,
        available: String,
    },

    #[error("cannot write {} as an export", path.display())]
    #[diagnostic(
        code(acp_recon::export_format),
        help("name the output .xlsx (recommended: Excel keeps what the vendor types) or .csv")
    )]
    ExportFormat { path: PathBuf },

    #[error("{} would hold {people} people, and a sheet holds {most}", path.display())]
    #[diagnostic(
        code(acp_recon::too_many_for_sheet),
        help("split the export into waves with --batch-size N (for example --batch-size 100000), or write .csv; nothing was written")
    )]
    TooManyForSheet {
        path: PathBuf,
        people: usize,
        most: usize,
    },

    #[error("{file} has no header row")]
    #[diagnostic(
        code(acp_recon::empty_file),
        help("the first line of the file must name the columns, e.g. UserPrincipalName,TollNumber,ConferenceId")
    )]
    EmptyFile { file: String },

    #[error("{file} is too large: {bytes} bytes, where 4 GiB is the most")]
    #[diagnostic(
        code(acp_recon::too_large),
        help("split the file in parts of fewer people and run on each (the roster of each part with it)")
    )]
    TooLarge { file: String, bytes: u64 },

    #[error("{} is not an acp-recon ledger: {reason}", path.display())]
    #[diagnostic(
        code(acp_recon::ledger_foreign),
        help("give --ledger the ledger file (acp-recon.db) or a new path; nothing was written. --no-ledger runs without one")
    )]
    LedgerForeign { path: PathBuf, reason: String },

    #[error("the ledger {} cannot be used: {message}", path.display())]
    #[diagnostic(code(acp_recon::ledger), help("{help}"))]
    Ledger {
        path: PathBuf,
        message: String,
        help: String,
    },

    #[error("the ledger {} is in use by another acp-recon run", path.display())]
    #[diagnostic(
        code(acp_recon::ledger_busy),
        help("wait for the other run to finish, then run again; nothing was written")
    )]
    LedgerBusy { path: PathBuf },

    #[error("there is no ledger at {}", path.display())]
    #[diagnostic(
        code(acp_recon::no_ledger),
        help("export and reconcile record into acp-recon.db in the folder they run in; run this there, or give --ledger PATH")
    )]
    NoLedger { path: PathBuf },

    #[error("the ledger has a batch named {name:?} with other people (exported {time} to {file})")]
    #[diagnostic(
        code(acp_recon::batch_exists),
        help("name this export with --batch NAME, or give --replace-batch to forget the earlier batch and record this one; nothing was written")
    )]
    BatchExists {
        name: String,
        time: String,
        file: String,
    },

    #[error("the ledger has no batch named {name:?}")]
    #[diagnostic(code(acp_recon::no_such_batch), help("the batches are: {available}"))]
    NoSuchBatch { name: String, available: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    MissingColumn(Box<MissingColumn>),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),
}

/// What to do about an I/O error, by its kind: the hint about a file open
/// in another program only where the system said so (a permission or
/// sharing error; Windows reports a file locked by Excel as either).
fn io_help(error: &std::io::Error, what: &str) -> String {
    use std::io::ErrorKind::*;
    // A writer may wrap the system's error in its own (csv's does): the
    // help follows the cause, whichever writer met it.
    let error = cause(error);
    // ERROR_SHARING_VIOLATION and ERROR_LOCK_VIOLATION on Windows.
    let locked = matches!(error.raw_os_error(), Some(32 | 33) if cfg!(windows));
    match error.kind() {
        _ if locked => format!("the {what} is open in another program (Excel?): close it and run again"),
        PermissionDenied => format!(
            "you may not have access to the {what}, or it is open in another program (Excel?): close it, or check its permissions"
        ),
        NotFound => "check the path: there is no such file or folder".to_string(),
        IsADirectory => "this is a folder: give the path of a file".to_string(),
        NotADirectory => "a part of the path is a file, not a folder: check the path".to_string(),
        StorageFull | QuotaExceeded => "the disk is full: free some space and run again".to_string(),
        WouldBlock => format!("another acp-recon run is using the {what} now: wait for it to finish, or choose another place"),
        ReadOnlyFilesystem => "the disk is read-only: choose another place".to_string(),
        _ => format!("check the path, and that the {what} can be reached"),
    }
}

/// The innermost I/O error behind `error`.
fn cause(error: &std::io::Error) -> &std::io::Error {
    let mut found = error;
    let mut next: Option<&(dyn std::error::Error + 'static)> = error.get_ref().map(|e| e as _);
    while let Some(inner) = next {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            found = io;
        }
        next = match inner.downcast_ref::<csv::Error>() {
            Some(e) => match e.kind() {
                csv::ErrorKind::Io(io) => Some(io),
                _ => None,
            },
            None => inner.source(),
        };
    }
    found
}

/// A required column is absent; points at the closest header. Its code is
/// the finding code of the spec, `missing-column`.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file} has no {column} column")]
#[diagnostic(code("missing-column"))]
pub struct MissingColumn {
    pub file: String,
    pub column: &'static str,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: String,
}

/// The config file cannot be used; points at the offending text.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("the config file {} is not valid", path.display())]
#[diagnostic(code(acp_recon::config))]
pub struct ConfigError {
    pub path: PathBuf,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{message}")]
    pub span: Option<SourceSpan>,
    pub message: String,
    #[help]
    pub help: Option<String>,
}

/// How a run ended, as the process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No errors (warnings allowed).
    Clean = 0,
    /// Errors were found; outputs are still written.
    ErrorsFound = 1,
    /// Could not run; nothing was written.
    CouldNotRun = 2,
    /// Stopped by Ctrl-C or a termination signal.
    Stopped = 130,
}

impl ExitStatus {
    pub fn code(self) -> i32 {
        self as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_told_whichever_writer_met_it() {
        let full = || std::io::Error::from(std::io::ErrorKind::StorageFull);
        let wrapped = std::io::Error::other(csv::Error::from(full()));
        for e in [full(), wrapped] {
            assert_eq!(
                io_help(&e, "output"),
                "the disk is full: free some space and run again"
            );
        }
    }

    #[test]
    fn exit_codes_match_the_spec() {
        assert_eq!(ExitStatus::Clean.code(), 0);
        assert_eq!(ExitStatus::ErrorsFound.code(), 1);
        assert_eq!(ExitStatus::CouldNotRun.code(), 2);
    }
}
