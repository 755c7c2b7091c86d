//! Checks of one returned row on its own and against its roster entry. Pure:
//! a row in, normalised values and the row's findings out.

use super::roster::{is_microsoft, split_numbers, Roster};
use crate::columns::{ColumnMap, Field};
use crate::config::Settings;
use crate::finding::{Code, Finding};
use crate::model::{Bridge, Phone, ReturnedRow, UserKey};
use crate::normalize::text::{clean_key_into, excel_damage, same_text, trim_cell, ExcelDamage};
use crate::normalize::{conference_id, phone};
use crate::source::{distinct_cells, RowRef, Table};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::HashMap;
use std::sync::Arc;

/// The provider every row should name.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    pub name: Option<Arc<str>>,
    pub domain: Option<Arc<str>>,
    /// "the config" or "most rows": said in messages.
    pub from_config: bool,
}

impl Expected {
    /// From the config, or else the value most rows carry (ties: the first in
    /// sort order, so the choice never depends on row order).
    pub fn resolve(table: &Table, columns: &ColumnMap, settings: &Settings) -> Expected {
        let most = |field: Field| {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for row in table.rows().filter(|r| r.malformed().is_none()) {
                let value = trim_cell(row.get(columns.get(field)));
                if !value.is_empty() && !is_microsoft(value, value) {
                    *counts.entry(value).or_default() += 1;
                }
            }
            counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map(|(v, _)| Arc::from(v))
        };
        Expected {
            name: settings
                .provider_name
                .as_deref()
                .map(Arc::from)
                .or_else(|| most(Field::ProviderName)),
            domain: settings
                .provider_domain
                .as_deref()
                .map(Arc::from)
                .or_else(|| most(Field::Domain)),
            from_config: settings.provider_name.is_some() || settings.provider_domain.is_some(),
        }
    }
}

/// Everything a row check reads besides the row.
pub struct RowContext<'a> {
    pub table: &'a Table,
    pub columns: &'a ColumnMap,
    pub settings: &'a Settings,
    pub expected: &'a Expected,
    pub distinct: &'a Distinct<'a>,
    /// Absent for `validate`, which checks a file on its own.
    pub roster: Option<&'a Roster>,
    pub requested: Option<&'a super::Requested<'a>>,
    /// Says why a roster person was not requested, for messages.
    pub requested_from: &'a str,
}

/// Values that repeat down a vendor's file, checked once each: the same few
/// bridge numbers and the one Url are on every row.
#[derive(Debug, Default)]
pub struct Distinct<'t> {
    pub phones: FxHashMap<&'t str, phone::Verdict>,
    /// Each distinct http(s) Url, shared by the rows that give it.
    pub urls: FxHashMap<&'t str, Arc<str>>,
    /// Each distinct toll-free cell whose numbers are all valid toll-free
    /// numbers, as the list every row that gives it shares.
    pub toll_free: FxHashMap<&'t str, Arc<[Phone]>>,
    /// The empty list, for rows without toll-free numbers.
    pub no_numbers: Arc<[Phone]>,
    /// The bridge of a row that names none.
    pub no_bridge: Arc<Bridge>,
}

impl<'t> Distinct<'t> {
    /// Collects the distinct values in parallel, then checks each once.
    pub fn of(table: &'t Table, columns: &ColumnMap, settings: &Settings) -> Distinct<'t> {
        let add = |[phones, lists, urls]: &mut [FxHashSet<&'t str>; 3], row: RowRef<'t>| {
            let list = trim_cell(row.get(columns.get(Field::TollFreeNumbers)));
            phones.insert(trim_cell(row.get(columns.get(Field::TollNumber))));
            if lists.insert(list) {
                phones.extend(split_numbers(list));
            }
            urls.insert(trim_cell(row.get(columns.get(Field::Url))));
        };
        let [mut phones, mut lists, mut urls] = <[FxHashSet<&str>; 3]>::default();
        for window in table.windows() {
            let [p, l, u] = distinct_cells(table, window.clone(), add);
            phones.extend(p);
            lists.extend(l);
            urls.extend(u);
            table.let_go_of_rows(window);
        }
        let phones: FxHashMap<&str, phone::Verdict> = phones
            .into_par_iter()
            .filter(|raw| !raw.is_empty())
            .map(|raw| (raw, phone::check(raw, settings.region)))
            .collect();
        // A list is shared only when checking it finds nothing to say.
        let toll_free = lists
            .into_iter()
            .filter(|list| excel_damage(list) != Some(ExcelDamage::Scientific))
            .filter_map(|list| {
                let mut numbers: Vec<Phone> = Vec::new();
                for entry in split_numbers(list) {
                    match phones.get(entry)? {
                        phone::Verdict::Valid {
                            phone,
                            toll_free: true,
                        } => {
                            if !numbers.contains(phone) {
                                numbers.push(phone.clone());
                            }
                        }
                        _ => return None,
                    }
                }
                (!numbers.is_empty()).then(|| (list, numbers.into()))
            })
            .collect();
        Distinct {
            phones,
            urls: urls
                .into_iter()
                .filter(|raw| is_http_url(raw))
                .map(|raw| (raw, Arc::from(raw)))
                .collect(),
            toll_free,
            no_numbers: Arc::from([]),
            no_bridge: Arc::default(),
        }
    }
}

/// Checks every row, in parallel; the result is in row order.
pub fn check_all(
    ctx: &RowContext<'_>,
    progress: &dyn crate::progress::Progress,
) -> Vec<ReturnedRow> {
    const RUN: usize = 1 << 10;
    let mut rows = Vec::with_capacity(ctx.table.rows.len());
    for window in ctx.table.windows() {
        // Each run checks its rows straight into their places: no run is
        // copied into the whole afterwards, on one core.
        let room = &mut rows.spare_capacity_mut()[..window.len()];
        room.par_chunks_mut(RUN).enumerate().for_each_init(
            Bridges::default,
            |bridges, (k, slots)| {
                let start = window.start + k * RUN;
                progress.advance(slots.len() as u64);
                check_run(ctx, start, bridges, slots);
            },
        );
        // SAFETY: the windows follow each other from row 0, so the room
        // starts at the window's first row; the runs cover the room, and
        // each run wrote every one of its slots (see `check_run`).
        unsafe { rows.set_len(window.end) };
        ctx.table.let_go_of_rows(window);
    }
    rows
}

/// Checks a run of rows in order, a few at a time. The people of a batch
/// are looked up together, in steps that each fetch what the next reads
/// (the index's slot, the roster's entry, its key, then the names and
/// current assignment the checks read): the roster is read all over
/// memory, in the returned file's order, and the batch's waits overlap.
///
/// Row `first + i` goes into `slots[i]`, every slot written.
fn check_run(
    ctx: &RowContext<'_>,
    first: usize,
    bridges: &mut Bridges,
    slots: &mut [std::mem::MaybeUninit<ReturnedRow>],
) {
    const BATCH: usize = 8;
    let run = first..first + slots.len();
    let mut cleaned: [String; BATCH] = Default::default();
    let mut hashes = [0u64; BATCH];
    let mut likely = [None; BATCH];
    let mut found = Vec::with_capacity(BATCH);
    let key_column = ctx.columns.get(Field::Key);
    for start in run.clone().step_by(BATCH) {
        let batch = start..run.end.min(start + BATCH);
        for (j, i) in batch.clone().enumerate() {
            clean_key_into(ctx.table.row(i).get(key_column), &mut cleaned[j]);
            if let Some(roster) = ctx.roster {
                hashes[j] = roster.fetch_slot(&cleaned[j]);
            }
        }
        if let Some(roster) = ctx.roster {
            for (entry, &hash) in likely.iter_mut().zip(&hashes).take(batch.len()) {
                *entry = roster.fetch_entry(hash);
            }
            for &entry in &likely[..batch.len()] {
                roster.fetch_key(entry);
            }
        }
        found.extend((0..batch.len()).map(|j| {
            let person = ctx
                .roster
                .and_then(|roster| roster.position_hashed(&cleaned[j], hashes[j]));
            if let (Some(roster), Some(p)) = (ctx.roster, person) {
                roster.prefetch(p);
            }
            found_key(ctx, &cleaned[j], person)
        }));
        for (i, (key, person)) in batch.zip(found.drain(..)) {
            slots[i - first].write(check_found(ctx, i, key, person, bridges));
        }
    }
}

/// The bridges rows share, by the addresses of their shared parts: rows
/// take the provider, domain and Url from a few shared values, so a handful
/// of bridges serve a whole file.
#[derive(Default)]
pub struct Bridges {
    seen: FxHashMap<(usize, usize, usize), Arc<Bridge>>,
}

/// A part of a row's bridge as it is checked: a value many rows share,
/// borrowed (its address tells it), or the row's own.
enum Part<'a> {
    Shared(&'a Arc<str>),
    Own(Arc<str>),
}

impl Part<'_> {
    fn address(&self) -> Option<usize> {
        match self {
            Part::Shared(s) => Some(Arc::as_ptr(s) as *const u8 as usize),
            Part::Own(_) => None,
        }
    }

    fn into_arc(self) -> Arc<str> {
        match self {
            Part::Shared(s) => Arc::clone(s),
            Part::Own(s) => s,
        }
    }
}

/// A row's bridge as it is checked: nothing is cloned until the row's
/// bridge is found among those made already, or made.
struct Parts<'a> {
    provider_name: Part<'a>,
    domain: Part<'a>,
    url: Option<Part<'a>>,
}

impl Bridges {
    /// A bridge of these parts, shared with the rows before that have the
    /// same ones. Values a row made for itself are not kept for others.
    fn get(&mut self, parts: Parts<'_>) -> Arc<Bridge> {
        let addresses = (|| {
            Some((
                parts.provider_name.address()?,
                parts.domain.address()?,
                match &parts.url {
                    Some(url) => url.address()?,
                    None => 0,
                },
            ))
        })();
        if let Some(shared) = addresses.and_then(|a| self.seen.get(&a)) {
            return Arc::clone(shared);
        }
        let bridge = Arc::new(Bridge {
            provider_name: parts.provider_name.into_arc(),
            domain: parts.domain.into_arc(),
            url: parts.url.map(Part::into_arc),
        });
        // The shared parts outlive the run's checks, so their addresses
        // stay theirs. Past a few, not worth keeping.
        if let Some(addresses) = addresses.filter(|_| self.seen.len() < 64) {
            self.seen.insert(addresses, Arc::clone(&bridge));
        }
        bridge
    }
}

/// The key of a row whose cleaned key is `cleaned`, with its person. The
/// roster's copy of the key serves: the row's own is built only for people
/// the roster does not have.
fn found_key(
    ctx: &RowContext<'_>,
    cleaned: &str,
    person: Option<u32>,
) -> (Option<UserKey>, Option<u32>) {
    match (ctx.roster, person) {
        (Some(roster), Some(p)) => (Some(roster.people[p as usize].key.clone()), Some(p)),
        _ => (UserKey::from_cleaned(cleaned), None),
    }
}

/// Checks one row whose key and person are found.
fn check_found(
    ctx: &RowContext<'_>,
    index: usize,
    key: Option<UserKey>,
    person: Option<u32>,
    bridges: &mut Bridges,
) -> ReturnedRow {
    let row = ctx.table.row(index);
    let no_bridge = &ctx.distinct.no_bridge;
    let mut check = Check {
        ctx,
        row,
        key,
        person,
        toll_number: None,
        toll_free_numbers: None,
        conference_id: None,
        findings: Default::default(),
        bridge: Parts {
            provider_name: Part::Shared(&no_bridge.provider_name),
            domain: Part::Shared(&no_bridge.domain),
            url: None,
        },
    };
    if let Some(problem) = row.malformed() {
        let message = format!("This row {problem}. Ask the vendor to correct the row.");
        check.push(Code::MalformedRow, None, None, message);
    } else {
        check.key();
        check.provider();
        check.toll_number();
        check.toll_free_numbers();
        check.conference_id();
        check.url();
        check.against_roster();
    }
    ReturnedRow {
        index: index as u32,
        line: row.line,
        key: check.key,
        person: check.person,
        bridge: bridges.get(check.bridge),
        toll_number: check.toll_number,
        toll_free_numbers: check
            .toll_free_numbers
            .unwrap_or_else(|| Arc::clone(&ctx.distinct.no_numbers)),
        conference_id: check.conference_id,
        findings: check.findings,
    }
}

/// One row being checked: what it has given so far.
struct Check<'c, 'a> {
    ctx: &'c RowContext<'a>,
    row: RowRef<'c>,
    key: Option<UserKey>,
    person: Option<u32>,
    toll_number: Option<Phone>,
    toll_free_numbers: Option<Arc<[Phone]>>,
    conference_id: Option<crate::model::ConferenceId>,
    findings: crate::model::RowFindings,
    bridge: Parts<'a>,
}

impl<'c, 'a> Check<'c, 'a> {
    fn cell(&self, field: Field) -> &'c str {
        trim_cell(self.row.get(self.ctx.columns.get(field)))
    }

    fn push(&mut self, code: Code, field: Option<Field>, value: Option<&str>, message: String) {
        let mut finding = Finding::new(code, &self.ctx.table.name, message)
            .key(self.key.as_ref())
            .at(self.row.line, self.row.offset());
        if let Some(field) = field {
            finding = finding
                .field(field.name())
                .column(self.ctx.columns.get(field));
        }
        if let Some(value) = value {
            finding = finding.value(value);
        }
        self.findings.push(finding);
    }

    /// The verdict computed up front, or computed now for a value that was not.
    fn phone(&self, raw: &str) -> phone::Verdict {
        match self.ctx.distinct.phones.get(raw) {
            Some(verdict) => verdict.clone(),
            None => phone::check(raw, self.ctx.settings.region),
        }
    }

    fn key(&mut self) {
        if self.key.is_none() {
            let raw = self.row.get(self.ctx.columns.get(Field::Key));
            self.push(
                Code::EmptyKey,
                Some(Field::Key),
                Some(raw),
                "This row has no UserPrincipalName, so nobody can be set up from it. Ask the vendor which person it is for.".into(),
            );
        }
    }

    fn provider(&mut self) {
        let name = self.cell(Field::ProviderName);
        let domain = self.cell(Field::Domain);
        let source = if self.ctx.expected.from_config {
            "the config"
        } else {
            "most rows"
        };
        if is_microsoft(name, domain) {
            let value = if domain.is_empty() { &name } else { &domain };
            self.push(
                Code::WrongProvider,
                Some(if is_microsoft(name, "") { Field::ProviderName } else { Field::Domain }),
                Some(value),
                "This row names Microsoft's own bridge, which is never a third-party assignment. Ask the vendor for its own provider details.".into(),
            );
            return;
        }
        let expected = self.ctx.expected;
        for (field, got, want, fold) in [
            (Field::ProviderName, &name, expected.name.as_deref(), false),
            (Field::Domain, &domain, expected.domain.as_deref(), true),
        ] {
            match want {
                Some(want) if got.is_empty() => self.push(
                    Code::WrongProvider,
                    Some(field),
                    None,
                    format!("{field} is empty; {want:?} is expected (from {source})."),
                ),
                Some(want) if !got.eq_ignore_ascii_case(want) && (fold || !same_text(got, want)) => self.push(
                    Code::WrongProvider,
                    Some(field),
                    Some(got),
                    format!("{field} {got:?} differs from the expected {want:?} (from {source}). Check that the row is for this provider."),
                ),
                None if got.is_empty() => self.push(
                    Code::WrongProvider,
                    Some(field),
                    None,
                    format!("{field} is empty on every row; set provider.{} in the config or ask the vendor to fill it.", if fold { "domain" } else { "name" }),
                ),
                _ => {}
            }
        }
        self.bridge.provider_name = match &expected.name {
            Some(name) => Part::Shared(name),
            None => Part::Own(name.into()),
        };
        self.bridge.domain = match &expected.domain {
            Some(domain) => Part::Shared(domain),
            None => Part::Own(domain.into()),
        };
    }

    fn toll_number(&mut self) {
        let raw = self.cell(Field::TollNumber);
        if raw.is_empty() {
            self.push(
                Code::MissingTollNumber,
                Some(Field::TollNumber),
                None,
                "No toll number. Every person needs the bridge's default toll number; ask the vendor to fill TollNumber (E.164, e.g. +14255550100).".into(),
            );
            return;
        }
        let verdict = match self.row.number(self.ctx.columns.get(Field::TollNumber)) {
            Some(n) => phone::from_number(n.value, self.ctx.settings.region),
            None => self.phone(raw),
        };
        match verdict {
            phone::Verdict::Valid { phone, toll_free } => {
                if toll_free {
                    self.push(
                        Code::TollNumberIsTollFree,
                        Some(Field::TollNumber),
                        Some(raw),
                        format!("TollNumber {phone} is a toll-free number; the toll field should hold the bridge's toll (paid) number. Check with the vendor."),
                    );
                }
                self.toll_number = Some(phone);
            }
            phone::Verdict::Mangled { reason, likely } => {
                let message = mangled_message(Field::TollNumber, raw, &reason, likely.as_deref());
                self.push(
                    Code::ExcelMangled,
                    Some(Field::TollNumber),
                    Some(raw),
                    message,
                );
            }
            phone::Verdict::Invalid(reason) => {
                self.push(
                    Code::InvalidTollNumber,
                    Some(Field::TollNumber),
                    Some(raw),
                    format!("TollNumber {raw:?} {reason}. Ask the vendor for the number in E.164 form, e.g. +14255550100."),
                );
            }
        }
    }

    fn toll_free_numbers(&mut self) {
        let cell = self.cell(Field::TollFreeNumbers);
        if cell.is_empty() {
            return;
        }
        // "4,93026E+11" is one damaged number, not a list split on the comma.
        if let Some(ExcelDamage::Scientific) = excel_damage(cell) {
            let message = mangled_message(
                Field::TollFreeNumbers,
                cell,
                "is in scientific notation, so Excel has lost its last digits",
                None,
            );
            self.push(
                Code::ExcelMangled,
                Some(Field::TollFreeNumbers),
                Some(cell),
                message,
            );
            return;
        }
        let number = self
            .row
            .number(self.ctx.columns.get(Field::TollFreeNumbers))
            .map(|n| n.value);
        if number.is_none() {
            if let Some(list) = self.ctx.distinct.toll_free.get(cell) {
                self.toll_free_numbers = Some(Arc::clone(list));
                return;
            }
        }
        let mut numbers: Vec<Phone> = Vec::new();
        for entry in split_numbers(cell) {
            let verdict = match number {
                Some(value) => phone::from_number(value, self.ctx.settings.region),
                None => self.phone(entry),
            };
            match verdict {
                phone::Verdict::Valid { phone, toll_free } => {
                    if !toll_free {
                        self.push(
                            Code::NotTollFree,
                            Some(Field::TollFreeNumbers),
                            Some(entry),
                            format!("Toll-free number {phone} is not a toll-free number. Check with the vendor."),
                        );
                    }
                    if !numbers.contains(&phone) {
                        numbers.push(phone);
                    }
                }
                phone::Verdict::Mangled { reason, likely } => {
                    let message = mangled_message(Field::TollFreeNumbers, entry, &reason, likely.as_deref());
                    self.push(Code::ExcelMangled, Some(Field::TollFreeNumbers), Some(entry), message);
                }
                phone::Verdict::Invalid(reason) => self.push(
                    Code::InvalidTollFreeNumber,
                    Some(Field::TollFreeNumbers),
                    Some(entry),
                    format!("Toll-free number {entry:?} {reason}. Ask the vendor for it in E.164 form, e.g. +18005550199."),
                ),
            }
        }
        if !numbers.is_empty() {
            self.toll_free_numbers = Some(numbers.into());
        }
    }

    fn conference_id(&mut self) {
        let raw = self.cell(Field::ConferenceId);
        if raw.is_empty() {
            self.push(
                Code::MissingConferenceId,
                Some(Field::ConferenceId),
                None,
                "No conference ID. Ask the vendor to fill ConferenceId for this person.".into(),
            );
            return;
        }
        let current = self
            .current()
            .and_then(|p| p.current().conference_id.as_deref());
        let length = self.ctx.settings.id_length;
        let verdict = match self.row.number(self.ctx.columns.get(Field::ConferenceId)) {
            Some(n) => conference_id::from_number(n.value, n.format.as_deref(), length, current),
            None => conference_id::check(raw, length, current),
        };
        match verdict {
            conference_id::Verdict::Valid(id) => self.conference_id = Some(id),
            conference_id::Verdict::Mangled { reason, likely } => {
                let message = mangled_message(Field::ConferenceId, raw, &reason, likely.as_deref());
                self.push(
                    Code::ExcelMangled,
                    Some(Field::ConferenceId),
                    Some(raw),
                    message,
                );
            }
            conference_id::Verdict::Invalid(reason) => self.push(
                Code::InvalidConferenceId,
                Some(Field::ConferenceId),
                Some(raw),
                format!("ConferenceId {raw:?} {reason}. Ask the vendor for the right ID."),
            ),
        }
    }

    fn url(&mut self) {
        let raw = self.cell(Field::Url);
        if raw.is_empty() {
            return;
        }
        if let Some(url) = self.ctx.distinct.urls.get(raw) {
            self.bridge.url = Some(Part::Shared(url));
        } else if is_http_url(raw) {
            self.bridge.url = Some(Part::Own(raw.into()));
        } else {
            self.push(
                Code::InvalidUrl,
                Some(Field::Url),
                Some(raw),
                "Url is not an http(s) URL, so it is left out of the plan. Ask the vendor for the link to its dial-in numbers page.".into(),
            );
        }
    }

    fn current(&self) -> Option<&'c crate::model::RosterEntry> {
        let roster = self.ctx.roster?;
        roster.people.get(self.person? as usize)
    }

    fn against_roster(&mut self) {
        let (Some(roster), Some(key)) = (self.ctx.roster, self.key.clone()) else {
            return;
        };
        let Some(person) = self.current() else {
            if !roster.conflicted.contains_key(&key) {
                self.push(
                    Code::NotInRoster,
                    Some(Field::Key),
                    Some(key.as_str()),
                    format!("{key} is not in the roster. Check the spelling with the vendor, or add the person to the roster."),
                );
            }
            return;
        };
        if let Some(lines) = roster.conflicted.get(&key) {
            self.push(
                Code::DuplicateUser,
                Some(Field::Key),
                Some(key.as_str()),
                format!("The roster lists {key} on several rows that disagree (lines {}); fix the roster first.", join(lines)),
            );
        }
        let (row, columns) = (self.row, self.ctx.columns);
        for (field, known) in [
            (Field::DisplayName, roster.text(person.display_name)),
            (Field::Mail, roster.mail(person)),
        ] {
            let returned = trim_cell(row.get(columns.get(field)));
            if !returned.is_empty() && !known.is_empty() && !same_text(returned, known) {
                self.push(
                    Code::IdentityMismatch,
                    Some(field),
                    Some(returned),
                    format!("{field} {returned:?} does not match the roster's {known:?} for {key}: the vendor's rows may be shifted. Compare this row with the file that was sent."),
                );
            }
        }
        if let Some(requested) = self.ctx.requested {
            if !requested.includes(roster, person) {
                self.push(
                    Code::NotRequested,
                    Some(Field::Key),
                    Some(key.as_str()),
                    format!("{key} is in the roster but was not requested ({}); the row is planned anyway. Remove it from the file if that is wrong.", self.ctx.requested_from),
                );
            }
        }
        if person.teams_only {
            self.push(
                Code::TeamsOnlyUser,
                Some(Field::TeamsMode),
                None,
                format!("{key} is in TeamsOnly mode: a third-party provider does not apply to Teams meetings, so this assignment has no effect there."),
            );
        }
        if person.account_enabled == Some(false) {
            self.push(
                Code::AccountDisabled,
                Some(Field::AccountEnabled),
                None,
                format!("The roster marks {key}'s account disabled; the assignment is planned, but nobody can use it until the account is enabled."),
            );
        }
    }
}

fn mangled_message(field: Field, raw: &str, reason: &str, likely: Option<&str>) -> String {
    let guess = likely.map_or(String::new(), |l| format!(" It was probably {l}."));
    format!("{field} {raw:?} {reason}.{guess} Ask the vendor to send it again with the column formatted as text.")
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

pub(crate) fn join(lines: &[u32]) -> String {
    lines
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_http_urls() {
        for ok in [
            "https://acp.example/numbers",
            "http://x.example",
            "HTTPS://A.EXAMPLE/?q=1",
        ] {
            assert!(is_http_url(ok), "{ok}");
        }
        for bad in [
            "ftp://x.example",
            "www.x.example",
            "https://",
            "https://localhost",
            "https://a.example/ b",
            "javascript:alert(1)",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}
