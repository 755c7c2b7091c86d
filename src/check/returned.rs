//! The returned file: its rows kept as the vendor sent them (PIN cells
//! emptied, so no PIN stays in memory), and the checks of each row on its
//! own and against its person. Values that repeat down a file (the bridge's
//! numbers, its Url) are checked once each; rows are checked in parallel.

use super::provider::{Expected, Tally};
use super::roster::Roster;
use super::sent::Requests;
use crate::columns::{pin_cells, ColumnMap, Field};
use crate::config::Settings;
use crate::finding::{Code, Detail, Finding, Input, Invalid, Likely, Problem, ProviderIssue};
use crate::model::{
    Bridge, CheckedRow, Key, Number, Person, Phone, PhoneList, Phones, Rows, Span, Texts,
};
use crate::normalize::text::{is_microsoft, key, same_text, trim_cell};
use crate::normalize::{conference_id, phone, Verdict};
use crate::source::{Ends, NumericCell, Record, Sink, Source};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

/// The returned file's rows, as received.
#[derive(Debug, Default)]
pub struct Returned {
    pub columns: ColumnMap,
    pub rows: Rows,
    /// The header's number of fields.
    pub width: usize,
    /// Every row's cells, laid end to end.
    text: String,
    /// Per row: where its cells start in `text`, and its first end in `ends`.
    starts: Vec<(u32, u32)>,
    /// Each cell's end, from its row's start.
    ends: Vec<u16>,
    /// The cell ends of rows of 64 KiB and more (few), by row.
    wide: Vec<(u32, Box<[u32]>)>,
    /// The rows that could not be read as the header says (few).
    problems: Vec<(u32, Problem)>,
    /// The numbers of workbook rows.
    numbers: Vec<(u32, Box<[NumericCell]>)>,
    /// Each row's cleaned key, in `text` (after the row's cells when it is
    /// not there as it reads), until the join.
    key_spans: Vec<Span>,
    own: String,
    own_ends: Vec<u32>,
}

impl Returned {
    /// The sink for the returned file `source`, or the `missing-column`
    /// error when a required column is absent.
    pub fn open(source: &Source, settings: &Settings) -> Result<Returned, crate::Error> {
        let columns = ColumnMap::resolve(&source.headers, &settings.aliases);
        super::require(
            source,
            &columns,
            &[Field::Key, Field::TollNumber, Field::ConferenceId],
        )?;
        // Room for every row at once: growing copies, and pages are dear.
        let rows = source.rows_hint();
        let mut returned = Returned {
            columns,
            width: source.headers.len(),
            ..Returned::default()
        };
        returned.rows.reserve(rows);
        returned.starts.reserve(rows);
        returned.key_spans.reserve(rows);
        returned.ends.reserve(rows * returned.width);
        returned.text.reserve(source.bytes as usize);
        Ok(returned)
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// A row as received, PIN cells empty.
    pub fn row(&self, row: u32) -> Record<'_> {
        let i = row as usize;
        let problem = self
            .problems
            .binary_search_by_key(&row, |e| e.0)
            .ok()
            .map(|p| self.problems[p].1);
        let numbers = self
            .numbers
            .binary_search_by_key(&row, |e| e.0)
            .map_or(&[][..], |n| &self.numbers[n].1[..]);
        let (text, ends) = self.cell_parts(row);
        Record::stored(
            self.rows.lines[i],
            u64::from(self.rows.offsets[i]),
            problem,
            text,
            ends,
            numbers,
        )
    }

    /// A row's cells alone, without where the row is or what is wrong
    /// with it: what writers read.
    pub fn cells(&self, row: u32) -> Record<'_> {
        let (text, ends) = self.cell_parts(row);
        Record::new(0, text, ends)
    }

    fn cell_parts(&self, row: u32) -> (&str, Ends<'_>) {
        let i = row as usize;
        let (start, first) = self.starts[i];
        let (end, last) = self
            .starts
            .get(i + 1)
            .copied()
            .unwrap_or((self.text.len() as u32, self.ends.len() as u32));
        let text = self
            .text
            .get(start as usize..end as usize)
            .unwrap_or_default();
        let ends = &self.ends[first as usize..last as usize];
        if ends.is_empty() && !self.wide.is_empty() {
            if let Ok(w) = self.wide.binary_search_by_key(&row, |e| e.0) {
                return (text, Ends::Wide(&self.wide[w].1));
            }
        }
        (text, Ends::Narrow(ends))
    }

    /// The trimmed cell of a field on a row.
    pub fn cell(&self, row: u32, field: Field) -> &str {
        trim_cell(self.cells(row).get(self.columns.get(field)))
    }

    /// Where each row's cleaned key is in [`Returned::key_texts`] (empty
    /// for none), taken out for the join.
    pub(crate) fn take_key_spans(&mut self) -> Vec<Span> {
        std::mem::take(&mut self.key_spans)
    }

    /// The text the rows' cleaned keys are in.
    pub(crate) fn key_texts(&self) -> &str {
        &self.text
    }

    /// Lets go of what only the join reads.
    pub(crate) fn joined(&mut self) {
        self.key_spans = Vec::new();
    }

    /// Keeps the cells of the rows `keep` names, and lets go of the rest:
    /// once the rows are checked, only the rows sent back and those whose
    /// findings show a cell are read again. The others read as rows
    /// without cells.
    pub fn keep_cells(&mut self, keep: impl Fn(u32) -> bool) {
        // In place: the kept rows move towards the front, in order.
        let mut text = std::mem::take(&mut self.text).into_bytes();
        let (mut to_text, mut to_ends) = (0, 0);
        for row in 0..self.len() {
            let (start, first) = self.starts[row];
            let (end, last) = self
                .starts
                .get(row + 1)
                .copied()
                .unwrap_or((text.len() as u32, self.ends.len() as u32));
            self.starts[row] = (to_text as u32, to_ends as u32);
            if keep(row as u32) {
                let (start, end, first, last) =
                    (start as usize, end as usize, first as usize, last as usize);
                text.copy_within(start..end, to_text);
                self.ends.copy_within(first..last, to_ends);
                to_text += end - start;
                to_ends += last - first;
            }
        }
        text.truncate(to_text);
        text.shrink_to_fit();
        self.ends.truncate(to_ends);
        self.ends.shrink_to_fit();
        self.wide.retain(|(row, _)| keep(*row));
        // Whole rows moved, each valid UTF-8: the text stays so.
        self.text = String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }

    /// Keeps the cleaned key of the row just stored: where it is in the
    /// row's cells, or copied after them.
    fn keep_key(&mut self, row: u32) {
        use std::borrow::Cow;
        let kept = {
            let stored = self.cells(row);
            match key(stored.get(self.columns.get(Field::Key))) {
                Cow::Borrowed("") => Ok(Span::EMPTY),
                Cow::Borrowed(text) => {
                    let start = text.as_ptr() as usize - self.text.as_ptr() as usize;
                    Ok(Span::new(start, text.len()))
                }
                Cow::Owned(text) => Err(text),
            }
        };
        let span = match kept {
            Ok(span) => span,
            Err(owned) => {
                let start = self.text.len();
                self.text.push_str(&owned);
                Span::new(start, owned.len())
            }
        };
        self.key_spans.push(span);
    }
}

impl Sink for Returned {
    fn record(&mut self, record: &Record<'_>) {
        let row = self.rows.len() as u32;
        self.rows.push(record.line, record.offset, Key::NONE);
        if let Some(problem) = record.problem {
            self.problems.push((row, problem));
        }
        if !record.numbers().is_empty() {
            self.numbers.push((row, record.numbers().into()));
        }
        self.starts
            .push((self.text.len() as u32, self.ends.len() as u32));
        self.store(row, record);
        self.keep_key(row);
    }
}

impl Returned {
    /// Keeps a row's cells, PIN cells emptied.
    fn store(&mut self, row: u32, record: &Record<'_>) {
        let is_pin = pin_cells(&self.columns.pins, self.width, record.len());
        let has_pin = (0..record.len()).any(|c| is_pin(c) && !record.get(Some(c)).is_empty());
        let (text, ends) = if has_pin {
            self.own.clear();
            self.own_ends.clear();
            for (c, cell) in record.cells().enumerate() {
                if !is_pin(c) {
                    self.own.push_str(cell);
                }
                self.own_ends.push(self.own.len() as u32);
            }
            (self.own.as_str(), Ends::Wide(&self.own_ends))
        } else {
            (record.text(), record.ends())
        };
        self.text.push_str(text);
        let all = (0..ends.len()).filter_map(|i| ends.get(i));
        if text.len() <= usize::from(u16::MAX) {
            self.ends.extend(all.map(|e| e as u16));
        } else {
            self.wide.push((row, all.map(|e| e as u32).collect()));
        }
    }
}

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
        Verdict::Invalid(reason) => Verdict::Invalid(reason),
        Verdict::Mangled { damage, likely } => Verdict::Mangled { damage, likely },
    }
}

/// The list of a cell's valid numbers, each once, in order.
fn number_list(entries: &[PhoneVerdict], phones: &mut Phones) -> PhoneList {
    let mut numbers: Vec<Phone> = Vec::new();
    for entry in entries {
        if let Verdict::Valid(p) = entry {
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

    /// A finding for a phone verdict that is not a valid number.
    fn bad_phone(&mut self, code: Code, field: Field, entry: usize, verdict: &PhoneVerdict) {
        let finding = self.finding(code, field).entry(entry);
        let detail = match verdict {
            Verdict::Valid(_) => return,
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
        match verdict {
            Verdict::Valid(phone) => {
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
            match verdict {
                Verdict::Valid(p) if !self.phones.is_toll_free(*p) => {
                    let finding = self.finding(Code::NotTollFree, Field::TollFreeNumbers);
                    self.push(finding.entry(i + 1).detail(Detail::Number(p.0)));
                }
                Verdict::Valid(_) => {}
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
        match verdict {
            Verdict::Valid(id) => self.checked.conference_id = self.out.texts.push(&id),
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
        if person.teams_only {
            self.push(self.finding(Code::TeamsOnlyUser, Field::TeamsMode));
        }
        if person.enabled == Some(false) {
            self.push(self.finding(Code::AccountDisabled, Field::AccountEnabled));
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
    use super::*;
    use crate::source::{read_bytes, ReadOptions};

    fn returned(text: &str) -> Returned {
        let settings = Settings::default();
        let (_, returned) = read_bytes("r.csv", text.as_bytes(), &ReadOptions::default(), |s| {
            Returned::open(s, &settings)
        })
        .unwrap();
        returned
    }

    #[test]
    fn rows_keep_their_cells_wide_or_narrow_pins_emptied_and_after_letting_go() {
        let long = "x".repeat(70_000);
        let mut t = returned(&format!(
            "UPN,TollNumber,ConferenceId,Leader PIN\n\
             a@x,+14255550100,123456,9999\n\
             b@x,\"{long}\",654321,\n\
             c@x,+14255550101,111111,8888\n"
        ));
        let cells = |t: &Returned, row: u32| -> Vec<String> {
            t.cells(row).cells().map(String::from).collect()
        };
        assert_eq!(cells(&t, 0), ["a@x", "+14255550100", "123456", ""]);
        assert_eq!(cells(&t, 1), ["b@x", long.as_str(), "654321", ""]);
        assert_eq!(cells(&t, 2), ["c@x", "+14255550101", "111111", ""]);
        t.keep_cells(|row| row != 0);
        assert!(cells(&t, 0).is_empty());
        assert_eq!(cells(&t, 1)[1], long);
        assert_eq!(cells(&t, 2), ["c@x", "+14255550101", "111111", ""]);
        assert_eq!(t.row(2).line, 4);
    }
}
