//! The checks of each returned row, on its own and against its person.
//! Values that repeat down a file (the bridge's numbers, its Url) are
//! checked once each; rows are checked in parallel.

use super::Returned;
use crate::check::provider::{Expected, Tally};
use crate::check::roster::Roster;
use crate::check::sent::Requests;
use crate::columns::Field;
use crate::config::Settings;
use crate::finding::{Code, Damage, Detail, Finding, Input, Invalid, Likely, ProviderIssue};
use crate::model::{
    Bridge, CheckedRow, Key, Number, Person, Phone, PhoneList, Phones, Span, Texts,
};
use crate::normalize::text::{is_microsoft, same_text, trim_cell};
use crate::normalize::{conference_id, phone, Verdict};
use crate::source::{NumericCell, Record};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

/// What the row checks read besides the rows.
pub struct Context<'a> {
    pub settings: &'a Settings,
    /// Absent for `validate`, which checks a file on its own.
    pub roster: Option<&'a Roster>,
    pub keys: Option<&'a crate::model::Keys>,
    pub requests: Option<&'a Requests>,
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
    // PIN columns: one finding each, for the whole file.
    for &c in &returned.columns.pins {
        let finding = Finding::new(Code::PinColumnIgnored, Input::Returned, Finding::WHOLE_FILE)
            .field(Field::Pin)
            .detail(Detail::Column(c as u32));
        checked.findings.push(finding);
    }
    checked
}

/// The distinct values of the cells checked once each.
struct Distinct<'a> {
    tally: Tally<'a>,
    tolls: FxHashSet<&'a str>,
    lists: FxHashSet<&'a str>,
    urls: FxHashSet<&'a str>,
    /// Workbook cells of the number columns that hold numbers, by bits.
    numbers: FxHashSet<u64>,
}

impl<'a> Distinct<'a> {
    fn of(returned: &'a Returned, settings: &Settings) -> Distinct<'a> {
        let columns = &returned.columns;
        let tally = settings.provider_name.is_none() || settings.provider_domain.is_none();
        (0..returned.len() as u32)
            .into_par_iter()
            .fold(Distinct::empty, |mut d, row| {
                let r = returned.row(row);
                if r.problem.is_some() {
                    return d;
                }
                let cell = |f: Field| trim_cell(r.get(columns.get(f)));
                if tally {
                    d.tally.add(cell(Field::ProviderName), cell(Field::Domain));
                }
                d.tolls.insert(cell(Field::TollNumber));
                d.lists.insert(cell(Field::TollFreeNumbers));
                d.urls.insert(cell(Field::Url));
                for field in [Field::TollNumber, Field::TollFreeNumbers] {
                    if let Some(n) = r.number(columns.get(field)) {
                        d.numbers.insert(n.value.to_bits());
                    }
                }
                d
            })
            .reduce(Distinct::empty, |mut a, b| {
                a.tally = a.tally.merge(b.tally);
                a.tolls.extend(b.tolls);
                a.lists.extend(b.lists);
                a.urls.extend(b.urls);
                a.numbers.extend(b.numbers);
                a
            })
    }

    fn empty() -> Distinct<'a> {
        Distinct {
            tally: Tally::default(),
            tolls: FxHashSet::default(),
            lists: FxHashSet::default(),
            urls: FxHashSet::default(),
            numbers: FxHashSet::default(),
        }
    }
}

/// What a phone cell or list entry is, checked once.
type PhoneVerdict = Verdict<Phone>;

/// The verdicts of the distinct values, and the bridges.
struct Values<'a> {
    tolls: FxHashMap<&'a str, PhoneVerdict>,
    /// Each list cell's numbers, and each entry's verdict.
    lists: FxHashMap<&'a str, (PhoneList, Vec<PhoneVerdict>)>,
    /// Bridge ids by valid Url.
    urls: FxHashMap<&'a str, u32>,
    bridges: Vec<Bridge>,
    /// Workbook number cells, by bits: the verdict, and the list of the
    /// one number when valid.
    numbers: FxHashMap<u64, (PhoneVerdict, PhoneList)>,
}

impl<'a> Values<'a> {
    fn of(
        distinct: &Distinct<'a>,
        settings: &Settings,
        expected: &Expected,
        phones: &mut Phones,
        texts: &mut Texts,
    ) -> Values<'a> {
        let region = settings.region;
        let entries: FxHashSet<&str> = distinct
            .lists
            .iter()
            .flat_map(|list| phone::split_list(list))
            .collect();
        let checked: Vec<(&str, Verdict<phone::Valid>)> = distinct
            .tolls
            .par_iter()
            .chain(entries.par_iter())
            .filter(|raw| !raw.is_empty())
            .map(|&raw| (raw, phone::check(raw, region)))
            .collect();
        // In a fixed order, so that phone ids are the same every run.
        let mut checked = checked;
        checked.sort_unstable_by(|a, b| a.0.cmp(b.0));
        checked.dedup_by(|a, b| a.0 == b.0);
        let verdicts: FxHashMap<&str, PhoneVerdict> = checked
            .into_iter()
            .map(|(raw, verdict)| (raw, interned(verdict, phones)))
            .collect();
        let tolls = distinct
            .tolls
            .iter()
            .filter_map(|&raw| Some((raw, verdicts.get(raw)?.clone())))
            .collect();
        let mut lists: Vec<&str> = distinct.lists.iter().copied().collect();
        lists.sort_unstable();
        let lists = lists
            .into_iter()
            .map(|list| {
                let entries: Vec<PhoneVerdict> = phone::split_list(list)
                    .map(|e| {
                        verdicts
                            .get(e)
                            .cloned()
                            .unwrap_or(Verdict::Invalid(Invalid::NoDigits))
                    })
                    .collect();
                (list, (number_list(&entries, phones), entries))
            })
            .collect();
        let name = texts.push(expected.name.as_deref().unwrap_or_default());
        let domain = texts.push(expected.domain.as_deref().unwrap_or_default());
        let mut bridges = vec![Bridge {
            provider_name: name,
            domain,
            url: Span::EMPTY,
        }];
        let mut urls: Vec<&str> = distinct
            .urls
            .iter()
            .copied()
            .filter(|u| is_http_url(u))
            .collect();
        urls.sort_unstable();
        let urls = urls
            .into_iter()
            .map(|url| {
                bridges.push(Bridge {
                    provider_name: name,
                    domain,
                    url: texts.push(url),
                });
                (url, bridges.len() as u32 - 1)
            })
            .collect();
        let mut numbers: Vec<u64> = distinct.numbers.iter().copied().collect();
        numbers.sort_unstable();
        let numbers = numbers
            .into_iter()
            .map(|bits| {
                let verdict = interned(phone::from_number(f64::from_bits(bits), region), phones);
                let list = number_list(std::slice::from_ref(&verdict), phones);
                (bits, (verdict, list))
            })
            .collect();
        Values {
            tolls,
            lists,
            urls,
            bridges,
            numbers,
        }
    }
}

/// A number's verdict with its number in the run's phones.
fn interned(verdict: Verdict<phone::Valid>, phones: &mut Phones) -> PhoneVerdict {
    match verdict {
        Verdict::Valid(v) => Verdict::Valid(phones.add(&v.e164, v.toll_free)),
        Verdict::Repaired(v, damage) => Verdict::Repaired(phones.add(&v.e164, v.toll_free), damage),
        Verdict::Invalid(reason) => Verdict::Invalid(reason),
        Verdict::Mangled { damage, likely } => Verdict::Mangled { damage, likely },
    }
}

/// The list of a cell's valid numbers, each once, in order.
fn number_list(entries: &[PhoneVerdict], phones: &mut Phones) -> PhoneList {
    let mut numbers: Vec<Phone> = Vec::new();
    for entry in entries {
        if let Verdict::Valid(p) | Verdict::Repaired(p, _) = entry {
            if !numbers.contains(p) {
                numbers.push(*p);
            }
        }
    }
    phones.list(&numbers)
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
                if self.phones.is_toll_free(phone) {
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
        for (i, verdict) in entries.iter().enumerate() {
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
        if person.teams_only {
            self.push(roster_finding(Code::TeamsOnlyUser).field(Field::TeamsMode));
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

#[cfg(test)]
mod tests {
    use crate::check::{returned::Returned, roster::Builder};
    use crate::finding::{Code, Input};
    use crate::reconcile::{reconcile, Inputs};
    use crate::source::{read_bytes, ReadOptions};
    use crate::Settings;
    use std::path::Path;
    use Code::*;

    const ROSTER: &str = "UserPrincipalName,DisplayName,AccountEnabled,TeamsUpgradeEffectiveMode\n\
        ann@c.example,Ann Lee,True,Islands\n\
        tom@c.example,Tom Ito,True,TeamsOnly\n\
        dee@c.example,Dee Roy,False,Islands\n";
    const HEADER: &str =
        "UserPrincipalName,DisplayName,ProviderName,Domain,TollNumber,TollFreeNumbers,ConferenceId,Url";
    const GOOD: [&str; 8] = [
        "ann@c.example",
        "Ann Lee",
        "Fabrikam Conferencing",
        "acp.fabrikam.example",
        "+14255550100",
        "+18005550199",
        "5100001",
        "https://acp.fabrikam.example/numbers",
    ];

    /// The codes found on the one returned row: `GOOD` with cell `column`
    /// replaced by `cell` (or the whole line, when `column` is `None`).
    fn codes(settings: &Settings, column: Option<usize>, cell: &str) -> Vec<Code> {
        let mut row = GOOD.map(String::from);
        let line = match column {
            Some(c) => {
                row[c] = cell.to_string();
                row.join(",")
            }
            None => cell.to_string(),
        };
        let text = format!("{HEADER}\n{line}\n");
        let options = ReadOptions::default();
        let (roster_source, roster) = read_bytes("roster.csv", ROSTER.as_bytes(), &options, |s| {
            Builder::open(s, settings, false)
        })
        .unwrap();
        let returned = read_bytes("r.csv", text.as_bytes(), &options, |s| {
            Returned::open(s, settings)
        })
        .unwrap();
        let inputs = Inputs {
            roster: (roster_source, roster.finish()),
            returned,
            sent: None,
            pending: None,
        };
        let outcome = reconcile(inputs, settings, &crate::progress::Quiet);
        let mut codes: Vec<Code> = outcome
            .findings
            .iter()
            .filter(|f| match f.input {
                Input::Returned => f.line == 2,
                // What the roster says of the row's person.
                _ => f.code != MissingFromReturn,
            })
            .map(|f| f.code)
            .collect();
        codes.sort();
        codes
    }

    /// `GOOD`'s line for another person.
    fn person(key: &str, name: &str) -> String {
        let mut row = GOOD;
        row[0] = key;
        row[1] = name;
        row.join(",")
    }

    #[test]
    fn each_row_check_and_its_cases() {
        let settings = Settings::parse(
            "[provider]\nname = \"Fabrikam Conferencing\"\ndomain = \"acp.fabrikam.example\"\n\
             default_region = \"US\"\nconference_id_digits = [6, 10]\n",
            Path::new("acp.toml"),
        )
        .unwrap();
        let cases: &[(&str, Option<usize>, &str, &[Code])] = &[
            ("a good row", Some(0), "ann@c.example", &[]),
            (
                "the key differs only in case",
                Some(0),
                "Ann@C.example",
                &[],
            ),
            ("no key", Some(0), "", &[EmptyKey]),
            (
                "a key not in the roster",
                Some(0),
                "zed@c.example",
                &[NotInRoster],
            ),
            (
                "another person's name",
                Some(1),
                "Ann Leigh",
                &[IdentityMismatch],
            ),
            ("Microsoft's bridge", Some(2), "Microsoft", &[WrongProvider]),
            (
                "Microsoft's domain",
                Some(3),
                "microsoft.com",
                &[WrongProvider],
            ),
            ("another provider", Some(2), "InterCall", &[WrongProvider]),
            ("no provider name", Some(2), "", &[WrongProvider]),
            (
                "another domain",
                Some(3),
                "acp.other.example",
                &[WrongProvider],
            ),
            (
                "the domain in capitals",
                Some(3),
                "ACP.Fabrikam.example",
                &[],
            ),
            ("no toll number", Some(4), "", &[MissingTollNumber]),
            (
                "a short toll number",
                Some(4),
                "+1 425 555",
                &[InvalidTollNumber],
            ),
            ("a national toll number", Some(4), "(425) 555-0100", &[]),
            (
                "a toll-free toll number",
                Some(4),
                "+18005550199",
                &[TollNumberIsTollFree],
            ),
            (
                "Excel's scientific toll number",
                Some(4),
                "1.42556E+10",
                &[ExcelMangled],
            ),
            (
                "a short toll-free number",
                Some(5),
                "+1 800 55",
                &[InvalidTollFreeNumber],
            ),
            (
                "a toll-free list with a toll number",
                Some(5),
                "+18005550199; +14255550100",
                &[NotTollFree],
            ),
            ("no toll-free numbers", Some(5), "", &[]),
            ("no conference ID", Some(6), "", &[MissingConferenceId]),
            (
                "letters in the ID",
                Some(6),
                "51A0001",
                &[InvalidConferenceId],
            ),
            ("a short ID", Some(6), "51000", &[InvalidConferenceId]),
            (
                "an ID with its zeros lost",
                Some(6),
                "5100001.0",
                &[ExcelMangled],
            ),
            ("no Url", Some(7), "", &[]),
            (
                "a Url that is not http",
                Some(7),
                "ftp://acp.fabrikam.example",
                &[InvalidUrl],
            ),
            (
                "a TeamsOnly person",
                None,
                &person("tom@c.example", "Tom Ito"),
                &[NotRequested, TeamsOnlyUser],
            ),
            (
                "a disabled account",
                None,
                &person("dee@c.example", "Dee Roy"),
                &[AccountDisabled, NotRequested],
            ),
            (
                "a row cut short",
                None,
                "ann@c.example,Ann Lee,Fabrikam Conferencing",
                &[MalformedRow],
            ),
        ];
        for (case, column, cell, want) in cases {
            let mut want = want.to_vec();
            want.sort();
            assert_eq!(codes(&settings, *column, cell), want, "{case}");
        }
    }

    #[test]
    fn without_a_config_the_provider_most_rows_name_is_expected() {
        let settings = Settings::default();
        assert_eq!(codes(&settings, Some(2), "InterCall"), []);
        assert_eq!(codes(&settings, Some(2), "Microsoft"), [WrongProvider]);
        assert_eq!(codes(&settings, Some(2), ""), [WrongProvider]);
    }
}
