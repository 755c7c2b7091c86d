//! The sent file: who was asked for, and the line that asks for them.

use super::roster::Roster;
use crate::columns::{ColumnMap, Field};
use crate::config::Settings;
use crate::finding::{Code, Detail, Finding, Input};
use crate::model::{Key, Person, Rows, Span, Texts};
use crate::normalize::text::key;
use crate::source::{Record, Sink, Source};

/// The sent file's rows, keys not yet matched with the roster's.
#[derive(Debug, Default)]
pub struct Sent {
    pub columns: ColumnMap,
    pub rows: Rows,
    /// Each row's cleaned key, until the join.
    pub(crate) cleaned: Texts,
    cleaned_keys: Vec<Span>,
    pub findings: Vec<Finding>,
}

impl Sent {
    /// The sink for the sent file `source`, or the `missing-column` error
    /// when it has no key column.
    pub fn open(source: &Source, settings: &Settings) -> Result<Sent, crate::Error> {
        let columns = ColumnMap::resolve(&source.headers, &settings.aliases);
        super::require(source, &columns, &[Field::Key])?;
        Ok(Sent {
            columns,
            ..Sent::default()
        })
    }

    /// Where a row's cleaned key is in `cleaned`, before the join.
    pub(crate) fn cleaned_key(&self, row: u32) -> Option<Span> {
        let span = *self.cleaned_keys.get(row as usize)?;
        (!span.is_empty()).then_some(span)
    }

    /// Lets go of what only the join reads.
    pub(crate) fn joined(&mut self) {
        self.cleaned = Texts::default();
        self.cleaned_keys = Vec::new();
    }
}

impl Sink for Sent {
    fn record(&mut self, record: &Record<'_>) {
        let row = self.rows.len() as u32;
        let cleaned = key(record.get(self.columns.get(Field::Key)));
        self.rows.push(record.line, record.offset, Key::NONE);
        if let Some(problem) = record.problem {
            // A broken row asks for nobody.
            let finding = Finding::new(Code::MalformedRow, Input::Sent, row);
            self.findings.push(finding.detail(Detail::Problem(problem)));
            self.cleaned_keys.push(Span::EMPTY);
        } else {
            if cleaned.is_empty() {
                let finding = Finding::new(Code::EmptyKey, Input::Sent, row).field(Field::Key);
                self.findings.push(finding);
            }
            let span = self.cleaned.push(&cleaned);
            self.cleaned_keys.push(span);
        }
    }
}

/// Who was requested.
#[derive(Debug)]
pub struct Requests {
    /// The people of the sent file, each with the first row that asks for
    /// them, in key order; `None` when no file was sent, and everyone
    /// eligible in the roster was requested.
    pub sent: Option<Vec<(Key, u32)>>,
    /// The input whose rows `sent` names: the sent file, or the roster when
    /// the ledger's open batches say who was asked for.
    pub origin: Input,
    /// By key: whether the sent file asks for the key.
    in_sent: Vec<bool>,
}

impl Requests {
    /// Everyone eligible in the roster, or the keys a sent file asked for
    /// (as the join found them) among `keys` keys.
    pub fn new(sent: Option<Vec<(Key, u32)>>, keys: usize) -> Requests {
        let mut in_sent = Vec::new();
        if let Some(sent) = &sent {
            in_sent = vec![false; keys];
            for &(key, _) in sent {
                in_sent[key.index()] = true;
            }
        }
        Requests {
            sent,
            origin: Input::Sent,
            in_sent,
        }
    }

    /// Whether a roster person was requested.
    pub fn includes(&self, roster: &Roster, person: &Person) -> bool {
        match &self.sent {
            None => roster.is_eligible(person),
            Some(_) => self.in_sent.get(person.key.index()) == Some(&true),
        }
    }
}
