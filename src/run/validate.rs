//! The `validate` run: one file on its own, roster or returned (told apart
//! by its columns): structure and field problems, and the causes they
//! share; nothing about other files.

use crate::check::returned::Returned;
use crate::check::roster::Builder;
use crate::columns::{ColumnMap, Field};
use crate::config::Settings;
use crate::error::{Error, ExitStatus};
use crate::finding::{Input, Severity};
use crate::output;
use crate::reconcile::{self, Outcome};
use crate::report::errors_csv::ErrorsCsv;
use crate::source::{self, ReadOptions, Record, Sink, Source};
use std::path::Path;

/// What kind of file `validate` was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Roster,
    Returned,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Roster => "roster",
            FileKind::Returned => "returned",
        }
    }

    /// The role the file is read in.
    pub fn input(self) -> Input {
        match self {
            FileKind::Roster => Input::Roster,
            FileKind::Returned => Input::Returned,
        }
    }

    /// A returned file has a toll number or conference ID column; anything
    /// else is read as a roster.
    pub fn of(columns: &ColumnMap) -> FileKind {
        if columns.has(Field::TollNumber) || columns.has(Field::ConferenceId) {
            FileKind::Returned
        } else {
            FileKind::Roster
        }
    }
}

/// The result of validating one file.
#[derive(Debug)]
pub struct Validation {
    pub kind: FileKind,
    /// The file as read, its findings sorted.
    pub outcome: Outcome,
}

impl Validation {
    pub fn source(&self) -> &Source {
        let input = self.kind.input();
        static NONE: std::sync::OnceLock<Source> = std::sync::OnceLock::new();
        self.outcome
            .source(input)
            .unwrap_or_else(|| NONE.get_or_init(Source::default))
    }

    /// Errors found: status 1.
    pub fn status(&self) -> ExitStatus {
        match self.outcome.findings.count(Severity::Error) {
            0 => ExitStatus::Clean,
            _ => ExitStatus::ErrorsFound,
        }
    }
}

/// Where a validated file's rows go: a roster or a returned file.
enum Either<'s> {
    Roster(Box<Builder<'s>>),
    Returned(Box<Returned>),
}

impl Sink for Either<'_> {
    fn record(&mut self, record: &Record<'_>) {
        match self {
            Either::Roster(b) => b.record(record),
            Either::Returned(r) => r.record(record),
        }
    }
}

/// Reads and validates one file (`sheet` of a workbook, the first when
/// `None`).
pub fn validate(
    path: &Path,
    sheet: Option<&str>,
    settings: &Settings,
) -> Result<Validation, Error> {
    let options = ReadOptions {
        sheet: sheet.map(String::from),
        aliases: settings.aliases.clone(),
    };
    let (source, sink) = source::read(path, &options, |source| {
        let columns = ColumnMap::resolve(&source.headers, &settings.aliases);
        Ok(match FileKind::of(&columns) {
            FileKind::Roster => Either::Roster(Box::new(Builder::open(source, settings, false)?)),
            FileKind::Returned => Either::Returned(Box::new(Returned::open(source, settings)?)),
        })
    })?;
    let (kind, outcome) = match sink {
        Either::Roster(builder) => (
            FileKind::Roster,
            reconcile::roster_alone(source, builder.finish(), settings),
        ),
        Either::Returned(returned) => (
            FileKind::Returned,
            reconcile::returned_alone(source, *returned, settings),
        ),
    };
    let outcome = super::finish(outcome, &super::Nothing, &crate::progress::Quiet)?;
    Ok(Validation { kind, outcome })
}

/// Writes every finding of a validated file to `path`, as errors.csv has
/// them (the `unchanged` notes included).
pub fn write_errors(validation: &Validation, path: &Path) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Write {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
        })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let errors = ErrorsCsv {
        all: true,
        name: name.into(),
    };
    output::write_all(
        dir,
        &validation.outcome,
        &[&errors],
        output::Sealing::unsealed(&super::deliver::sealed),
    )
    .map(|_| ())
}
