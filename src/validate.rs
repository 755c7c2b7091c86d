//! `validate`: one file on its own, roster or returned (told apart by its
//! columns): structure and field problems, nothing about other files.

use crate::check::returned::Returned;
use crate::check::roster::Builder;
use crate::columns::{ColumnMap, Field};
use crate::config::Settings;
use crate::error::Error;
use crate::reconcile::{self, Outcome};
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
        let input = match self.kind {
            FileKind::Roster => crate::finding::Input::Roster,
            FileKind::Returned => crate::finding::Input::Returned,
        };
        self.outcome.source(input).expect("the file validated")
    }

    /// The headers of the PIN columns.
    pub fn pin_headers(&self) -> Vec<&str> {
        let columns = match self.kind {
            FileKind::Roster => &self.outcome.roster.columns,
            FileKind::Returned => &self.outcome.returned.columns,
        };
        let source = self.source();
        columns
            .pins
            .iter()
            .filter_map(|&c| source.headers.get(c).map(String::as_str))
            .collect()
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

/// Reads and validates one file.
pub fn validate(
    path: &Path,
    options: &ReadOptions,
    settings: &Settings,
) -> Result<Validation, Error> {
    let (source, sink) = source::read(path, options, |source| {
        let columns = ColumnMap::resolve(&source.headers, &settings.aliases);
        Ok(match FileKind::of(&columns) {
            FileKind::Roster => Either::Roster(Box::new(Builder::open(source, settings, false)?)),
            FileKind::Returned => Either::Returned(Box::new(Returned::open(source, settings)?)),
        })
    })?;
    Ok(match sink {
        Either::Roster(builder) => Validation {
            kind: FileKind::Roster,
            outcome: reconcile::roster_alone(source, builder.finish(), settings),
        },
        Either::Returned(returned) => Validation {
            kind: FileKind::Returned,
            outcome: reconcile::returned_alone(source, *returned, settings),
        },
    })
}
