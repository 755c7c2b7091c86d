//! The roster, read row by row: each row's person (the few cells a run
//! reads of them), its cleaned key, and its own problems (a broken row, no
//! key). Which row stands for each key, and which keys are listed twice,
//! is the join's to find (`reconcile::join`). The roster's text is never
//! held.

use crate::columns::{ColumnMap, Field, TEAMS_ROSTER};
use crate::config::{Settings, Target};
use crate::finding::{Code, Detail, Finding, Input};
use crate::model::{Current, CurrentProvider, Key, Number, Person, Phones, Rows, Span, Texts};
use crate::normalize::text::{folds_to, is_microsoft, key, trim_cell, yes_no};
use crate::normalize::{phone, Verdict};
use crate::source::{Record, Sink, Source};
use rustc_hash::FxHashMap;
use std::hash::{Hash, Hasher};

/// Everyone the roster lists.
#[derive(Debug, Default)]
pub struct Roster {
    /// What the plan sets: for Teams, TeamsOnly people are wanted.
    pub target: Target,
    pub columns: ColumnMap,
    /// Every data row; the join gives each its key.
    pub rows: Rows,
    /// The person each row describes, by row.
    pub people: Vec<Person>,
    /// Display names, mail addresses, current providers and IDs.
    pub texts: Texts,
    /// What people have now, for those who have something.
    pub currents: Vec<Current>,
    /// The SIP addresses that are not the row's key (without `sip:`,
    /// cleaned as a key is), by row, in row order.
    pub sips: Vec<(u32, Span)>,
    /// The Teams bridge each person is on, where the roster says, by row,
    /// in row order.
    pub bridge_names: Vec<(u32, Span)>,
    /// The current toll-free numbers, each `Current`'s a range of them.
    pub current_numbers: Vec<Number>,
    /// Keys listed on several rows that disagree: nobody can tell which is
    /// right, so nobody is planned for them. The lines of their rows.
    pub conflicts: FxHashMap<Key, Vec<u32>>,
    pub findings: Vec<Finding>,
    /// The run's valid phone numbers, the roster's current ones first.
    pub phones: Phones,
    /// Each key's person: the row that stands for it, by key (the join).
    pub person_of: Vec<u32>,
    /// The key as written and the SIP address, by row, when asked for
    /// (the export writes them).
    pub written: Vec<(Span, Span)>,
    /// What the join reads, let go of after: each row's cleaned key, a
    /// fingerprint of its cells, and whether it reads as the header says.
    pub(crate) cleaned: Texts,
    pub(crate) cleaned_keys: Vec<Span>,
    pub(crate) fingerprints: Vec<u64>,
    pub(crate) well_formed: Vec<bool>,
}

impl Roster {
    /// The person of a key.
    pub fn person(&self, key: Key) -> Option<&Person> {
        self.people.get(self.row_of(key)? as usize)
    }

    /// The row of a key's person.
    pub fn row_of(&self, key: Key) -> Option<u32> {
        self.person_of
            .get(key.index())
            .copied()
            .filter(|&p| p != u32::MAX)
    }

    /// Requested when no sent file says otherwise: enabled, listed without
    /// conflict, and (for a provider) not in TeamsOnly mode.
    pub fn is_eligible(&self, person: &Person) -> bool {
        let mode = self.target == Target::Teams || !person.teams_only;
        person.enabled != Some(false) && mode && !self.conflicts.contains_key(&person.key)
    }

    /// The person's mail address; `key` is their key's text.
    pub fn mail<'a>(&'a self, person: &Person, key: &'a str) -> &'a str {
        match person.mail {
            Span::KEY => key,
            span => self.texts.get(span),
        }
    }

    pub fn current(&self, person: &Person) -> Option<&Current> {
        self.currents.get(person.current()?)
    }

    /// The person's SIP address, cleaned, when it is not their key.
    pub fn sip(&self, person: &Person) -> Option<&str> {
        let at = self.sips.binary_search_by_key(&person.row, |s| s.0).ok()?;
        Some(self.texts.get(self.sips[at].1))
    }

    /// The Teams bridge a person is on, where the roster says.
    pub fn bridge_name(&self, person: &Person) -> Option<&str> {
        let at = self
            .bridge_names
            .binary_search_by_key(&person.row, |s| s.0)
            .ok()?;
        Some(self.texts.get(self.bridge_names[at].1))
    }

    /// The toll-free numbers a person has now.
    pub fn current_toll_free(&self, current: &Current) -> &[Number] {
        let (start, len) = current.toll_free_numbers;
        self.current_numbers
            .get(start as usize..(start + len) as usize)
            .unwrap_or_default()
    }

    /// Lets go of what only the join reads.
    pub(crate) fn joined(&mut self) {
        self.cleaned = Texts::default();
        self.cleaned_keys = Vec::new();
        self.fingerprints = Vec::new();
        self.well_formed = Vec::new();
    }
}

/// The header aliases of a roster: the config's, then (Teams) those of a
/// users export, whose numbers are the ones people have now.
pub fn aliases(settings: &Settings) -> Vec<(Field, String)> {
    let mut aliases = settings.aliases.clone();
    if settings.target == Target::Teams {
        aliases.extend(TEAMS_ROSTER.iter().map(|&(f, a)| (f, a.to_string())));
    }
    aliases
}

/// Reads the roster's rows.
pub struct Builder<'s> {
    roster: Roster,
    settings: &'s Settings,
    numbers: FxHashMap<Box<str>, Number>,
    providers: FxHashMap<Box<str>, CurrentProvider>,
    keep_written: bool,
}

impl<'s> Builder<'s> {
    /// A builder for a roster with these columns; `keep_written` keeps each
    /// key as written and the SIP address, for the export.
    pub fn new(columns: ColumnMap, settings: &'s Settings, keep_written: bool) -> Builder<'s> {
        Builder {
            roster: Roster {
                target: settings.target,
                columns,
                ..Roster::default()
            },
            settings,
            numbers: FxHashMap::default(),
            providers: FxHashMap::default(),
            keep_written,
        }
    }

    /// The builder for the roster file `source`, or the `missing-column`
    /// error when it has no key column.
    pub fn open(
        source: &Source,
        settings: &'s Settings,
        keep_written: bool,
    ) -> Result<Builder<'s>, crate::Error> {
        let columns = ColumnMap::resolve(&source.headers, &aliases(settings));
        super::require(source, &columns, &[Field::Key])?;
        let mut builder = Builder::new(columns, settings, keep_written);
        // Room for every row at once: growing copies, and fresh pages are dear.
        let rows = source.rows_hint();
        let roster = &mut builder.roster;
        roster.cleaned = Texts::with_capacity(source.bytes as usize / 3);
        roster.texts = Texts::with_capacity(source.bytes as usize / 6);
        roster.people.reserve(rows);
        roster.rows.reserve(rows);
        roster.cleaned_keys.reserve(rows);
        roster.fingerprints.reserve(rows);
        roster.well_formed.reserve(rows);
        Ok(builder)
    }

    pub fn finish(self) -> Roster {
        self.roster
    }

    fn cell<'r>(&self, record: &Record<'r>, field: Field) -> &'r str {
        trim_cell(record.get(self.roster.columns.get(field)))
    }

    /// A fingerprint of a row's cells, PIN cells aside, as trimmed text:
    /// 64 bits tell two rows of one key apart.
    fn fingerprint(&self, record: &Record<'_>) -> u64 {
        let mut hasher = rustc_hash::FxHasher::default();
        for (c, cell) in record.cells().enumerate() {
            let cell = trim_cell(cell);
            if !cell.is_empty() && !self.roster.columns.pins.contains(&c) {
                (c, cell).hash(&mut hasher);
            }
        }
        hasher.finish()
    }

    fn number(&mut self, raw: &str) -> Number {
        if let Some(&number) = self.numbers.get(raw) {
            return number;
        }
        let roster = &mut self.roster;
        let number = match phone::check(raw, self.settings.region) {
            Verdict::Valid(valid) => Number::Phone(roster.phones.add(&valid.e164, valid.toll_free)),
            _ => Number::Text(roster.texts.push(raw)),
        };
        self.numbers.insert(raw.into(), number);
        number
    }

    fn provider(&mut self, raw: &str) -> CurrentProvider {
        if let Some(&provider) = self.providers.get(raw) {
            return provider;
        }
        let provider = if raw.is_empty() {
            CurrentProvider::None
        } else if is_microsoft(raw, "") {
            CurrentProvider::Microsoft
        } else {
            CurrentProvider::ThirdParty(self.roster.texts.push(raw))
        };
        self.providers.insert(raw.into(), provider);
        provider
    }

    fn current(&mut self, record: &Record<'_>) -> Option<Current> {
        let provider = self.cell(record, Field::CurrentProvider);
        let toll = self.cell(record, Field::CurrentTollNumber);
        let free = self.cell(record, Field::CurrentTollFreeNumbers);
        let id = self.cell(record, Field::CurrentConferenceId);
        if provider.is_empty() && toll.is_empty() && free.is_empty() && id.is_empty() {
            return None;
        }
        let start = self.roster.current_numbers.len() as u32;
        for n in phone::split_list(free) {
            let number = self.number(n);
            self.roster.current_numbers.push(number);
        }
        let len = self.roster.current_numbers.len() as u32 - start;
        Some(Current {
            provider: self.provider(provider),
            toll_number: (!toll.is_empty()).then(|| self.number(toll)),
            toll_free_numbers: (start, len),
            conference_id: (!id.is_empty()).then(|| self.roster.texts.push(id)),
        })
    }

    fn person(&mut self, record: &Record<'_>, cleaned: &str, row: u32) -> Person {
        let mail = match self.cell(record, Field::Mail) {
            mail if mail == cleaned => Span::KEY,
            mail => self.roster.texts.push(mail),
        };
        let bridge = self.cell(record, Field::BridgeName);
        if !bridge.is_empty() && self.settings.target == Target::Teams {
            let span = self.roster.texts.push(bridge);
            self.roster.bridge_names.push((row, span));
        }
        // Most SIP addresses are the key with `sip:`: only the others are kept.
        let sip = key(self.cell(record, Field::SipAddress));
        if !sip.is_empty() && sip != cleaned {
            let span = self.roster.texts.push(&sip);
            self.roster.sips.push((row, span));
        }
        let display_name = self
            .roster
            .texts
            .push(self.cell(record, Field::DisplayName));
        let current = match self.current(record) {
            Some(current) => {
                self.roster.currents.push(current);
                self.roster.currents.len() as u32 - 1
            }
            None => Person::NO_CURRENT,
        };
        if self.keep_written {
            let upn = match self.cell(record, Field::Key) {
                upn if upn == cleaned => Span::KEY,
                upn => self.roster.texts.push(upn),
            };
            let sip = self.roster.texts.push(self.cell(record, Field::SipAddress));
            self.roster.written.push((upn, sip));
        }
        Person {
            key: Key::NONE,
            row,
            display_name,
            mail,
            enabled: yes_no(self.cell(record, Field::AccountEnabled)),
            teams_only: folds_to(self.cell(record, Field::TeamsMode), "teamsonly"),
            licence: yes_no(self.cell(record, Field::MicrosoftLicence)) == Some(true),
            invite_numbers: !self.cell(record, Field::InviteNumbers).is_empty(),
            current,
        }
    }
}

impl Sink for Builder<'_> {
    fn record(&mut self, record: &Record<'_>) {
        let row = self.roster.rows.len() as u32;
        let cleaned = key(record.get(self.roster.columns.get(Field::Key)));
        let span = self.roster.cleaned.push(&cleaned);
        self.roster.cleaned_keys.push(span);
        self.roster.rows.push(record.line, record.offset, Key::NONE);
        let fingerprint = self.fingerprint(record);
        self.roster.fingerprints.push(fingerprint);
        self.roster.well_formed.push(record.problem.is_none());
        let person = self.person(record, &cleaned, row);
        self.roster.people.push(person);
        let here = |code| Finding::new(code, Input::Roster, row);
        if let Some(problem) = record.problem {
            let finding = here(Code::MalformedRow).detail(Detail::Problem(problem));
            self.roster.findings.push(finding);
        } else if cleaned.is_empty() {
            self.roster
                .findings
                .push(here(Code::EmptyKey).field(Field::Key));
        }
    }
}
