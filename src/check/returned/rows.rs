//! The checks of each returned row, on its own and against its person.
//! Values that repeat down a file (the bridge's numbers, its Url) are
//! checked once each; rows are checked in parallel.

use super::distinct::{Distinct, PhoneVerdict, Values};
use super::Returned;
use crate::check::bridge::Inventory;
use crate::check::provider::Expected;
use crate::check::roster::Roster;
use crate::check::sent::Requests;
use crate::columns::Field;
use crate::config::{Settings, Target};
use crate::finding::{Code, Damage, Detail, Finding, Input, Invalid, Likely, ProviderIssue};
use crate::model::{Bridge, CheckedRow, Key, Number, Person, Phone, PhoneList, Phones, Texts};
use crate::normalize::text::{is_microsoft, same_text, trim_cell};
use crate::normalize::{conference_id, Verdict};
use crate::source::{NumericCell, Record};
use rayon::prelude::*;

/// What the row checks read besides the rows.
pub struct Context<'a> {
    pub settings: &'a Settings,
    /// Absent for `validate`, which checks a file on its own.
    pub roster: Option<&'a Roster>,
    pub keys: Option<&'a crate::model::Keys>,
    pub requests: Option<&'a Requests>,
    /// The bridge's numbers (`--bridge`), to check the numbers against.
    pub bridge: Option<&'a Inventory>,
}

/// The checked rows of the returned file.
#[derive(Debug, Default)]
pub struct Checked {
    pub rows: Vec<CheckedRow>,
    pub findings: Vec<Finding>,
    pub expected: Expected,
    /// Bridges, by id: the first has no Url.
    pub bridges: Vec<Bridge>,
    /// The bridges' texts and the conference IDs.
    pub texts: Texts,
    /// The likely originals of values Excel damaged (`Detail::Mangled`).
    pub likely: Vec<Box<str>>,
}

/// Checks every row of the returned file: the distinct values once each,
/// then the rows in parallel. New phone numbers join `phones`.
pub fn check(returned: &Returned, ctx: &Context<'_>, phones: &mut Phones) -> Checked {
    let distinct = Distinct::of(returned, ctx.settings);
    let mut texts = Texts::default();
    let expected = Expected::resolve(ctx.settings, &distinct.tally);
    let values = Values::of(&distinct, ctx.settings, &expected, phones, &mut texts);
    const CHUNK: usize = 4096;
    // Each chunk checks its rows straight into their places.
    let mut rows = vec![CheckedRow::NONE; returned.len()];
    let chunks: Vec<Chunk> = rows
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, slots)| {
            let mut chunk = Chunk::default();
            for (i, slot) in slots.iter_mut().enumerate() {
                let row = (c * CHUNK + i) as u32;
                *slot =
                    RowCheck::new(returned, ctx, &values, &expected, phones, row, &mut chunk).run();
            }
            chunk
        })
        .collect();
    let mut checked = Checked {
        rows: Vec::new(),
        findings: Vec::new(),
        expected,
        bridges: values.bridges,
        texts,
        likely: Vec::new(),
    };
    checked
        .findings
        .reserve(chunks.iter().map(|c| c.findings.len()).sum());
    // Each chunk's conference IDs join the run's texts, and its rows' spans
    // move with them.
    let mut shifts = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        shifts.push(checked.texts.append(&chunk.texts));
        let likely_base = checked.likely.len() as u32;
        checked.likely.extend(chunk.likely);
        checked
            .findings
            .extend(chunk.findings.into_iter().map(|mut f| {
                if let Detail::Mangled(damage, likely) = f.detail {
                    f.detail = Detail::Mangled(damage, likely.after(likely_base as usize));
                }
                f
            }));
    }
    rows.par_chunks_mut(CHUNK)
        .zip(shifts)
        .for_each(|(rows, shift)| {
            for row in rows {
                row.conference_id = Texts::shifted(row.conference_id, shift);
            }
        });
    checked.rows = rows;
    // Teams makes conference IDs itself: those given are said, not planned.
    if ctx.settings.target == Target::Teams && distinct.conference_ids {
        let finding = Finding::new(
            Code::ConferenceIdNotSettable,
            Input::Returned,
            Finding::WHOLE_FILE,
        );
        checked.findings.push(finding.field(Field::ConferenceId));
    }
    // PIN columns: one finding each, for the whole file.
    for &c in &returned.columns.pins {
        let finding = Finding::new(Code::PinColumnIgnored, Input::Returned, Finding::WHOLE_FILE)
            .field(Field::Pin)
            .detail(Detail::Column(c as u32));
        checked.findings.push(finding);
    }
    checked
}

/// One chunk of rows, checked.
#[derive(Default)]
struct Chunk {
    findings: Vec<Finding>,
    texts: Texts,
    likely: Vec<Box<str>>,
}

/// One row being checked.
struct RowCheck<'c, 'a> {
    returned: &'c Returned,
    ctx: &'c Context<'a>,
    values: &'c Values<'c>,
    expected: &'c Expected,
    phones: &'c Phones,
    row: u32,
    record: Record<'c>,
    key: Key,
    person: Option<&'c Person>,
    out: &'c mut Chunk,
    checked: CheckedRow,
}

impl<'c, 'a> RowCheck<'c, 'a> {
    fn new(
        returned: &'c Returned,
        ctx: &'c Context<'a>,
        values: &'c Values<'c>,
        expected: &'c Expected,
        phones: &'c Phones,
        row: u32,
        out: &'c mut Chunk,
    ) -> RowCheck<'c, 'a> {
        RowCheck {
            returned,
            ctx,
            values,
            expected,
            phones,
            row,
            record: returned.row(row),
            key: Key::NONE,
            person: None,
            out,
            checked: CheckedRow::NONE,
        }
    }

    fn cell(&self, field: Field) -> &'c str {
        trim_cell(self.record.get(self.returned.columns.get(field)))
    }

    fn push(&mut self, finding: Finding) {
        self.checked.error |= finding.severity() <= crate::Severity::Error;
        self.out.findings.push(finding);
    }

    /// Whether the plan is for Teams: numbers on a bridge, no provider.
    fn teams(&self) -> bool {
        self.ctx.settings.target == Target::Teams
    }

    /// A Teams number against its slot and the bridge: of the slot's type
    /// (the bridge's `Type`, else the number's own), and on the bridge (and
    /// on the row's bridge, when both name one).
    fn on_bridge(&mut self, phone: Phone, field: Field, entry: usize, toll_free_slot: bool) {
        let e164 = self.phones.e164(phone);
        let listed = self.ctx.bridge.and_then(|b| b.get(e164));
        let toll_free = listed
            .and_then(|l| l.toll_free)
            .unwrap_or_else(|| self.phones.is_toll_free(phone));
        if toll_free != toll_free_slot {
            let finding = self.finding(Code::WrongNumberType, field).entry(entry);
            self.push(finding.detail(Detail::Number(phone.0)));
        }
        let Some(bridge) = self.ctx.bridge else {
            return;
        };
        let elsewhere = match listed {
            None => Some(u32::MAX),
            Some(listed) => {
                let theirs = bridge.bridge_name(listed);
                // The row's bridge, or else the one the roster has them on.
                let ours = match self.cell(Field::BridgeName) {
                    "" => self
                        .person
                        .zip(self.ctx.roster)
                        .and_then(|(p, r)| r.bridge_name(p))
                        .unwrap_or(""),
                    ours => ours,
                };
                let differs = !ours.is_empty() && !theirs.is_empty() && !same_text(ours, theirs);
                differs.then_some(listed.bridge)
            }
        };
        if let Some(on) = elsewhere {
            let finding = self.finding(Code::NumberNotOnBridge, field).entry(entry);
            self.push(finding.detail(Detail::Bridge(phone.0, on)));
        }
    }

    /// The Teams bridge the row names.
    fn bridge_name(&mut self) {
        let raw = self.cell(Field::BridgeName);
        if let Some(&bridge) = self.values.urls.get(raw) {
            self.checked.bridge = bridge;
        }
    }

    fn finding(&self, code: Code, field: Field) -> Finding {
        Finding::new(code, Input::Returned, self.row).field(field)
    }

    fn run(mut self) -> CheckedRow {
        self.key();
        match self.record.problem {
            Some(problem) => {
                let finding = Finding::new(Code::MalformedRow, Input::Returned, self.row);
                self.push(finding.detail(Detail::Problem(problem)));
            }
            None if self.teams() => {
                self.toll_number();
                self.toll_free_numbers();
                self.bridge_name();
                self.against_roster();
            }
            None => {
                self.provider();
                self.toll_number();
                self.toll_free_numbers();
                self.conference_id();
                self.url();
                self.against_roster();
            }
        }
        self.checked
    }

    /// The row's key (the join's) and person; a row of a broken line has
    /// them too, so that the person's other rows are rejected with it.
    fn key(&mut self) {
        self.key = self.returned.rows.key(self.row);
        self.person = self.ctx.roster.and_then(|r| r.person(self.key));
        if self.key == Key::NONE && self.record.problem.is_none() {
            self.push(self.finding(Code::EmptyKey, Field::Key));
        }
    }

    fn provider(&mut self) {
        let name = self.cell(Field::ProviderName);
        let domain = self.cell(Field::Domain);
        if is_microsoft(name, domain) {
            let field = match is_microsoft(name, "") {
                true => Field::ProviderName,
                false => Field::Domain,
            };
            let finding = self.finding(Code::WrongProvider, field);
            self.push(finding.detail(Detail::Provider(ProviderIssue::Microsoft)));
            return;
        }
        let expected = self.expected;
        for (field, got, want, fold) in [
            (Field::ProviderName, name, expected.name.as_deref(), false),
            (Field::Domain, domain, expected.domain.as_deref(), true),
        ] {
            let issue = match want {
                Some(_) if got.is_empty() => ProviderIssue::Empty,
                Some(want)
                    if !got.eq_ignore_ascii_case(want) && (fold || !same_text(got, want)) =>
                {
                    ProviderIssue::Differs
                }
                None if got.is_empty() => ProviderIssue::EmptyEverywhere,
                _ => continue,
            };
            let finding = self.finding(Code::WrongProvider, field);
            self.push(finding.detail(Detail::Provider(issue)));
        }
    }

    /// Keeps the likely original of a damaged value, for the message.
    fn keep_likely(&mut self, likely: Option<&str>) -> Likely {
        match likely {
            Some(text) => {
                self.out.likely.push(text.into());
                Likely::new(self.out.likely.len() - 1)
            }
            None => Likely::UNKNOWN,
        }
    }

    /// The `excel-repaired` warning of a value planned as `repaired`.
    fn repaired(&mut self, field: Field, entry: usize, damage: Damage, repaired: &str) {
        let likely = self.keep_likely(Some(repaired));
        let finding = self.finding(Code::ExcelRepaired, field).entry(entry);
        self.push(finding.detail(Detail::Mangled(damage, likely)));
    }

    /// A finding for a phone verdict that is not a valid number.
    fn bad_phone(&mut self, code: Code, field: Field, entry: usize, verdict: &PhoneVerdict) {
        let finding = self.finding(code, field).entry(entry);
        let detail = match verdict {
            Verdict::Valid(_) | Verdict::Repaired(..) => return,
            Verdict::Invalid(reason) => Detail::Invalid(*reason),
            Verdict::Mangled { damage, likely } => {
                let likely = self.keep_likely(likely.as_deref());
                let finding = self.finding(Code::ExcelMangled, field).entry(entry);
                self.push(finding.detail(Detail::Mangled(*damage, likely)));
                return;
            }
        };
        self.push(finding.detail(detail));
    }

    /// The verdict of a workbook cell that holds a number, and its list.
    fn number_verdict(&self, number: &NumericCell) -> (PhoneVerdict, PhoneList) {
        self.values
            .numbers
            .get(&number.value.to_bits())
            .cloned()
            .unwrap_or((Verdict::Invalid(Invalid::NoDigits), PhoneList::EMPTY))
    }

    fn toll_number(&mut self) {
        let raw = self.cell(Field::TollNumber);
        if raw.is_empty() {
            self.push(self.finding(Code::MissingTollNumber, Field::TollNumber));
            return;
        }
        let column = self.returned.columns.get(Field::TollNumber);
        let verdict = match self.record.number(column) {
            Some(number) => self.number_verdict(number).0,
            None => self
                .values
                .tolls
                .get(raw)
                .cloned()
                .unwrap_or(Verdict::Invalid(Invalid::NoDigits)),
        };
        if let Verdict::Repaired(phone, damage) = verdict {
            let e164 = self.phones.e164(phone).to_string();
            self.repaired(Field::TollNumber, 0, damage, &e164);
        }
        match verdict {
            Verdict::Valid(phone) | Verdict::Repaired(phone, _) => {
                if self.teams() {
                    self.on_bridge(phone, Field::TollNumber, 0, false);
                } else if self.phones.is_toll_free(phone) {
                    self.push(self.finding(Code::TollNumberIsTollFree, Field::TollNumber));
                }
                self.checked.toll_number = phone;
            }
            bad => self.bad_phone(Code::InvalidTollNumber, Field::TollNumber, 0, &bad),
        }
    }

    fn toll_free_numbers(&mut self) {
        let cell = self.cell(Field::TollFreeNumbers);
        if cell.is_empty() {
            return;
        }
        let column = self.returned.columns.get(Field::TollFreeNumbers);
        // "4,93026E+11" is one damaged number, not a list split on the comma.
        let scientific = crate::normalize::text::excel_damage(cell)
            == Some(crate::normalize::text::ExcelDamage::Scientific);
        if scientific {
            let verdict = Verdict::Mangled {
                damage: crate::finding::Damage::Scientific,
                likely: None,
            };
            self.bad_phone(
                Code::InvalidTollFreeNumber,
                Field::TollFreeNumbers,
                0,
                &verdict,
            );
            return;
        }
        let (list, entries) = match self.record.number(column) {
            Some(number) => {
                let (verdict, list) = self.number_verdict(number);
                (list, vec![verdict])
            }
            None => match self.values.lists.get(cell) {
                Some((list, entries)) => (*list, entries.clone()),
                None => (PhoneList::EMPTY, Vec::new()),
            },
        };
        // Teams sets one toll-free number a person.
        if self.teams() && entries.len() > 1 {
            let finding = self.finding(Code::InvalidTollFreeNumber, Field::TollFreeNumbers);
            let several = u8::try_from(entries.len()).unwrap_or(u8::MAX);
            self.push(finding.detail(Detail::Invalid(Invalid::SeveralNumbers(several))));
        }
        for (i, verdict) in entries.iter().enumerate() {
            if let (true, Verdict::Valid(p) | Verdict::Repaired(p, _)) = (self.teams(), verdict) {
                if let Verdict::Repaired(_, damage) = verdict {
                    let e164 = self.phones.e164(*p).to_string();
                    self.repaired(Field::TollFreeNumbers, i + 1, *damage, &e164);
                }
                self.on_bridge(*p, Field::TollFreeNumbers, i + 1, true);
                continue;
            }
            if let Verdict::Repaired(p, damage) = verdict {
                let e164 = self.phones.e164(*p).to_string();
                self.repaired(Field::TollFreeNumbers, i + 1, *damage, &e164);
            }
            match verdict {
                Verdict::Valid(p) | Verdict::Repaired(p, _) if !self.phones.is_toll_free(*p) => {
                    let finding = self.finding(Code::NotTollFree, Field::TollFreeNumbers);
                    self.push(finding.entry(i + 1).detail(Detail::Number(p.0)));
                }
                Verdict::Valid(_) | Verdict::Repaired(..) => {}
                bad => self.bad_phone(
                    Code::InvalidTollFreeNumber,
                    Field::TollFreeNumbers,
                    i + 1,
                    bad,
                ),
            }
        }
        self.checked.toll_free_numbers = list;
    }

    fn conference_id(&mut self) {
        let raw = self.cell(Field::ConferenceId);
        if raw.is_empty() {
            self.push(self.finding(Code::MissingConferenceId, Field::ConferenceId));
            return;
        }
        let current = self.person.and_then(|person| {
            let roster = self.ctx.roster?;
            Some(roster.texts.get(roster.current(person)?.conference_id?))
        });
        let length = self.ctx.settings.id_length;
        let column = self.returned.columns.get(Field::ConferenceId);
        let verdict = match self.record.number(column) {
            Some(n) => conference_id::from_number(n.value, n.format.as_deref(), length, current),
            None => conference_id::check(raw, length, current),
        };
        if let Verdict::Repaired(id, damage) = &verdict {
            self.repaired(Field::ConferenceId, 0, *damage, id);
        }
        match verdict {
            Verdict::Valid(id) | Verdict::Repaired(id, _) => {
                self.checked.conference_id = self.out.texts.push(&id)
            }
            Verdict::Invalid(reason) => {
                let finding = self.finding(Code::InvalidConferenceId, Field::ConferenceId);
                self.push(finding.detail(Detail::Invalid(reason)));
            }
            Verdict::Mangled { damage, likely } => {
                let likely = self.keep_likely(likely.as_deref());
                let finding = self.finding(Code::ExcelMangled, Field::ConferenceId);
                self.push(finding.detail(Detail::Mangled(damage, likely)));
            }
        }
    }

    fn url(&mut self) {
        let raw = self.cell(Field::Url);
        if raw.is_empty() {
            return;
        }
        match self.values.urls.get(raw) {
            Some(&bridge) => self.checked.bridge = bridge,
            None => self.push(self.finding(Code::InvalidUrl, Field::Url)),
        }
    }

    fn against_roster(&mut self) {
        let Some(roster) = self.ctx.roster else {
            return;
        };
        let Some(person) = self.person else {
            if self.key != Key::NONE {
                self.push(self.finding(Code::NotInRoster, Field::Key));
            }
            return;
        };
        let key = self.key;
        if roster.conflicts.contains_key(&key) {
            self.push(self.finding(Code::DuplicateUser, Field::Key));
        }
        for field in [Field::DisplayName, Field::Mail] {
            let echoed = self.cell(field);
            if echoed.is_empty() {
                continue;
            }
            // Read only when echoed: most files echo no names.
            let known = match field {
                Field::Mail => roster.mail(person, self.ctx.keys.map_or("", |k| k.get(key))),
                _ => roster.texts.get(person.display_name),
            };
            if !known.is_empty() && !same_text(echoed, known) {
                self.push(self.finding(Code::IdentityMismatch, field));
            }
        }
        if let Some(requests) = self.ctx.requests {
            if !requests.includes(roster, person) {
                self.push(self.finding(Code::NotRequested, Field::Key));
            }
        }
        // What the roster says cites the roster's line.
        let roster_finding = |code| Finding::new(code, Input::Roster, person.row);
        let teams = self.teams();
        if person.teams_only && !teams {
            self.push(roster_finding(Code::TeamsOnlyUser).field(Field::TeamsMode));
        }
        // A policy's invite numbers replace the person's own in invitations.
        if person.invite_numbers && teams {
            self.push(roster_finding(Code::PolicyOverridesNumbers).field(Field::InviteNumbers));
        }
        if person.enabled == Some(false) {
            self.push(roster_finding(Code::AccountDisabled).field(Field::AccountEnabled));
        }
    }
}

/// An absolute http or https URL with a host and no white space.
pub fn is_http_url(s: &str) -> bool {
    let after = |scheme: &str| {
        s.get(..scheme.len())
            .filter(|p| p.eq_ignore_ascii_case(scheme))
            .map(|_| &s[scheme.len()..])
    };
    let rest = after("https://").or_else(|| after("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty()
                && host.contains('.')
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '"')
        }
        None => false,
    }
}

/// A number of the roster, as text: E.164 when valid.
pub fn number_text<'t>(number: Number, phones: &'t Phones, texts: &'t Texts) -> &'t str {
    match number {
        Number::Phone(p) => phones.e164(p),
        Number::Text(span) => texts.get(span),
    }
}
