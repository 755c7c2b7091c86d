//! The roster as people: one [`RosterEntry`] per key, with the roster's own
//! problems (no key, duplicated key, broken rows) as findings.

use super::index::KeyIndex;
use crate::columns::{ColumnMap, Field};
use crate::config::Settings;
use crate::finding::{Code, Finding};
use crate::model::{CurrentAssignment, CurrentProvider, RosterEntry, TextRef, UserKey};
use crate::normalize::phone::{self, Verdict};
use crate::normalize::text::trim_cell;
use crate::source::{distinct_cells, RowRef, Table};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Everyone the roster lists, by key.
#[derive(Debug, Default)]
pub struct Roster {
    /// One entry per key, in roster order.
    pub people: Vec<RosterEntry>,
    /// Where the entries' [`TextRef`]s point: the table can go once the
    /// roster is built.
    pub cells: RosterCells,
    /// Indexes into `people` by key, without a second copy of each key.
    index: KeyIndex,
    /// Keys listed on several rows that disagree: nobody can tell which is right.
    pub conflicted: FxHashMap<UserKey, Vec<u32>>,
    pub findings: Vec<Finding>,
}

impl Roster {
    pub fn get(&self, key: &UserKey) -> Option<&RosterEntry> {
        self.position(key).map(|i| &self.people[i as usize])
    }

    /// The index of a person in `people`.
    pub fn position(&self, key: &UserKey) -> Option<u32> {
        self.position_of(key.as_str())
    }

    /// [`Roster::position`] of a cleaned key that is not (yet) a [`UserKey`].
    pub fn position_of(&self, key: &str) -> Option<u32> {
        self.position_hashed(key, hash(key))
    }

    /// [`Roster::position_of`] a key whose hash is taken already.
    pub(crate) fn position_hashed(&self, key: &str, hash: u64) -> Option<u32> {
        self.index
            .find(hash, |i| self.people[i as usize].key.as_str() == key)
    }

    /// The first step of looking `key` up with its memory fetched ahead:
    /// starts loading the index's slot for it. Returns the key's hash.
    pub(crate) fn fetch_slot(&self, key: &str) -> u64 {
        let hash = hash(key);
        self.index.prefetch(hash);
        hash
    }

    /// The second step: starts loading the entry that most likely holds the
    /// key of `hash`, and returns it.
    pub(crate) fn fetch_entry(&self, hash: u64) -> Option<u32> {
        let likely = self.index.candidates(hash).next();
        if let Some(i) = likely {
            crate::memory::prefetch(self.people.as_ptr().wrapping_add(i as usize));
        }
        likely
    }

    /// The third step: starts loading the key of that entry, which the
    /// lookup ([`Roster::position_hashed`]) compares.
    pub(crate) fn fetch_key(&self, likely: Option<u32>) {
        if let Some(person) = likely.and_then(|i| self.people.get(i as usize)) {
            crate::memory::prefetch(person.key.as_str().as_ptr());
        }
    }

    /// Eligible and not in conflict: requested when no sent file is given.
    pub fn is_eligible(&self, person: &RosterEntry) -> bool {
        person.is_eligible() && !self.conflicted.contains_key(&person.key)
    }

    /// The text of a cell of an entry.
    pub fn text(&self, at: TextRef) -> &str {
        self.cells.get(at)
    }

    /// The mail address of an entry.
    pub fn mail<'r>(&'r self, person: &'r RosterEntry) -> &'r str {
        match person.mail {
            TextRef::KEY => person.key.as_str(),
            at => self.text(at),
        }
    }

    /// Starts loading what checking a row of person `p` reads of them
    /// besides their entry: their names and what they have now.
    pub(crate) fn prefetch(&self, p: u32) {
        use crate::memory::prefetch;
        if let Some(person) = self.people.get(p as usize) {
            prefetch(self.cells.address(person.display_name));
            if person.mail != TextRef::KEY {
                prefetch(self.cells.address(person.mail));
            }
            if let Some(current) = &person.current {
                let current: *const crate::model::CurrentAssignment = &**current;
                prefetch(current);
            }
        }
    }
}

/// The roster's display names and mail addresses, copied out of its text:
/// what the [`TextRef`]s of roster entries point into. Every returned row
/// reads its person's, in the returned file's order; from the roster's text
/// that would keep all of it in memory, where these are a third of it.
#[derive(Debug, Clone, Default)]
pub struct RosterCells {
    names: Arc<String>,
}

impl RosterCells {
    pub fn get(&self, at: TextRef) -> &str {
        crate::source::text_at(&self.names, "", at)
    }

    /// Where the text at `at` starts, without reading it (to prefetch it).
    pub(crate) fn address(&self, at: TextRef) -> *const u8 {
        self.names.as_ptr().wrapping_add(at.start as usize)
    }

    /// Copies the display names and mail addresses of `people` from the
    /// table they point into, and points them at the copies. The people are
    /// in the table's order and copied a run at a time on every core; each
    /// run lets go of its stretch of the table's text behind it.
    fn copy(table: &Table, people: &mut [RosterEntry]) -> RosterCells {
        const RUN: usize = 1 << 14;
        let len = |at: TextRef| match at {
            TextRef::KEY => 0,
            at => (at.len & !TextRef::OWN) as usize,
        };
        let sizes: Vec<usize> = people
            .par_chunks(RUN)
            .map(|run| run.iter().map(|p| len(p.display_name) + len(p.mail)).sum())
            .collect();
        // Each run's stretch of text ends where the next run's rows begin.
        let ends: Vec<Option<usize>> = people
            .chunks(RUN)
            .skip(1)
            .map(|run| run[0].offset.map(|o| o as usize))
            .chain([None])
            .collect();
        let mut names = vec![0u8; sizes.iter().sum()];
        let mut places = Vec::with_capacity(sizes.len());
        let mut rest = names.as_mut_slice();
        let mut base = 0;
        for &size in &sizes {
            let (place, after) = rest.split_at_mut(size);
            places.push((base, place));
            rest = after;
            base += size;
        }
        people
            .par_chunks_mut(RUN)
            .zip(places)
            .zip(ends)
            .for_each(|((run, (base, place)), end)| {
                let from = run[0].offset.map(|o| o as usize);
                let mut at = 0;
                for person in run {
                    for cell in [&mut person.display_name, &mut person.mail] {
                        if *cell == TextRef::KEY {
                            continue;
                        }
                        let text = table.text_at(*cell).as_bytes();
                        place[at..at + text.len()].copy_from_slice(text);
                        // Distinct cells of a text under 4 GiB (a quoted
                        // cell's copy is shorter than its text): the copies
                        // fit 32 bits.
                        *cell = TextRef {
                            start: (base + at) as u32,
                            len: text.len() as u32,
                        };
                        at += text.len();
                    }
                }
                if let (Some(from), Some(end)) = (from, end) {
                    table.text.let_go_range(from..end);
                }
            });
        table.text.let_go();
        // SAFETY: `names` holds whole `str`s laid end to end, and zeros
        // where a cell read shorter than its reference said: UTF-8 all.
        let names = unsafe { String::from_utf8_unchecked(names) };
        RosterCells {
            names: Arc::new(names),
        }
    }
}

/// Builds the roster from its table.
pub fn build(table: &Table, columns: &ColumnMap, settings: &Settings) -> Roster {
    let mut roster = Roster::default();
    let key_column = columns.get(Field::Key);
    let keys: Vec<Option<(u64, UserKey)>> = (0..table.rows.len())
        .into_par_iter()
        .map(|i| UserKey::parse(table.row(i).get(key_column)).map(|k| (hash(k.as_str()), k)))
        .collect();
    // Which row stands for each key; broken, keyless and repeated rows are
    // findings. The index built here, of the chosen rows by key, is the
    // roster's index: entry `i` is built from row `chosen[i]`, with key
    // `chosen_keys[i]`, moved there (a clone would count a reference on
    // every key, and dropping the list count each down again, all over
    // memory). This pass is on one core; the phone metadata, which the
    // numbers need next, loads on the other meanwhile.
    let mut index = KeyIndex::with_capacity(table.rows.len());
    let mut chosen: Vec<usize> = Vec::with_capacity(table.rows.len());
    let mut chosen_keys: Vec<UserKey> = Vec::with_capacity(table.rows.len());
    let ((), ()) = rayon::join(phone::warm_up, || {
        let mut keys = keys;
        for (row_index, row) in table.rows().enumerate() {
            // The index is read all over; its slot for a key a few rows on
            // is fetched meanwhile.
            if let Some(Some((ahead, _))) = keys.get(row_index + 16) {
                index.prefetch(*ahead);
            }
            let hashed = keys[row_index].take();
            let here = |code: Code, key: Option<&UserKey>, message: String| {
                Finding::new(code, &table.name, message)
                    .key(key)
                    .at(row.line, row.offset())
            };
            if let Some(problem) = row.malformed() {
                roster.findings.push(here(
                    Code::MalformedRow,
                    hashed.as_ref().map(|(_, k)| k),
                    format!("This roster row {problem}. The person on it is left out."),
                ));
                continue;
            }
            let Some((key_hash, key)) = hashed else {
                roster.findings.push(
                    here(
                        Code::EmptyKey,
                        None,
                        "This roster row has no UserPrincipalName. Fill it in or delete the row."
                            .into(),
                    )
                    .field(Field::Key.name())
                    .column(key_column),
                );
                continue;
            };
            let found = index.find(key_hash, |e| chosen_keys[e as usize] == key);
            if let Some(first) = found {
                let original = table.row(chosen[first as usize]);
                if same_row(original, row, &columns.pins) {
                    roster.findings.push(here(
                        Code::DuplicateRow,
                        Some(&key),
                        format!(
                            "This roster row repeats line {} exactly; it is read once.",
                            original.line
                        ),
                    ));
                } else {
                    roster.findings.push(
                        here(
                            Code::DuplicateUser,
                            Some(&key),
                            format!(
                            "The roster lists {key} again with other values (first on line {}). \
                             Keep one row for this person; until then nothing is planned for them.",
                            original.line
                        ),
                        )
                        .field(Field::Key.name())
                        .column(key_column),
                    );
                    roster
                        .conflicted
                        .entry(key)
                        .or_insert_with(|| vec![original.line])
                        .push(row.line);
                }
                continue;
            }
            let entry = chosen.len() as u32;
            index.insert(key_hash, entry);
            chosen.push(row_index);
            chosen_keys.push(key);
        }
    });
    // Current numbers and providers repeat as much as the vendor's: each is
    // checked once and shared by everyone who has it.
    let [mut distinct, providers] = distinct_cells(
        table,
        chosen.par_iter().copied(),
        |[numbers, providers], row| {
            numbers.insert(trim_cell(row.get(columns.get(Field::CurrentTollNumber))));
            numbers.extend(split_numbers(
                row.get(columns.get(Field::CurrentTollFreeNumbers)),
            ));
            providers.insert(row.get(columns.get(Field::CurrentProvider)));
        },
    );
    distinct.remove("");
    let providers: FxHashMap<&str, CurrentProvider> = providers
        .into_iter()
        .map(|raw| (raw, parse_provider(raw)))
        .collect();
    let numbers: FxHashMap<&str, Arc<str>> = distinct
        .into_par_iter()
        .map(|raw| match phone::check(raw, settings.region) {
            Verdict::Valid { phone, .. } => (raw, Arc::clone(&phone.0)),
            _ => (raw, Arc::from(raw)),
        })
        .collect();
    let mut entries: Vec<RosterEntry> = chosen
        .par_iter()
        .zip(chosen_keys)
        .map(|(&i, key)| entry(key, table, table.row(i), columns, &numbers, &providers))
        .collect();
    roster.cells = RosterCells::copy(table, &mut entries);
    roster.index = index;
    roster.people = entries;
    roster
}

fn entry(
    key: UserKey,
    table: &Table,
    row: RowRef<'_>,
    columns: &ColumnMap,
    numbers: &FxHashMap<&str, Arc<str>>,
    providers: &FxHashMap<&str, CurrentProvider>,
) -> RosterEntry {
    let cell = |field| trim_cell(row.get(columns.get(field)));
    let number = |raw: &str| numbers.get(raw).cloned().unwrap_or_else(|| raw.into());
    let toll = cell(Field::CurrentTollNumber);
    let conference_id = cell(Field::CurrentConferenceId);
    let mail = match cell(Field::Mail) {
        mail if mail == key.as_str() => TextRef::KEY,
        mail => table.locate(mail),
    };
    RosterEntry {
        key,
        line: row.line,
        offset: row.offset().and_then(|o| u32::try_from(o).ok()),
        display_name: table.locate(cell(Field::DisplayName)),
        mail,
        account_enabled: parse_bool(cell(Field::AccountEnabled)),
        teams_only: folds_to(cell(Field::TeamsMode), "teamsonly"),
        microsoft_licence: parse_bool(cell(Field::MicrosoftLicence)) == Some(true),
        current: Some(CurrentAssignment {
            provider: providers
                .get(row.get(columns.get(Field::CurrentProvider)))
                .cloned()
                .unwrap_or_default(),
            toll_number: (!toll.is_empty()).then(|| number(toll)),
            toll_free_numbers: split_numbers(cell(Field::CurrentTollFreeNumbers))
                .map(number)
                .collect(),
            conference_id: (!conference_id.is_empty()).then(|| conference_id.into()),
        })
        .filter(|current| *current != CurrentAssignment::default())
        .map(Box::new),
    }
}

fn hash(key: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(key)
}

/// Reads the yes/no spellings of exports and spreadsheets.
pub fn parse_bool(raw: &str) -> Option<bool> {
    const YES: [&str; 10] = [
        "true", "yes", "y", "1", "enabled", "x", "wahr", "vrai", "ja", "oui",
    ];
    const NO: [&str; 9] = [
        "false", "no", "n", "0", "disabled", "falsch", "faux", "nein", "non",
    ];
    // Short ASCII cells, all of the usual ones, fold on the stack.
    let mut buffer = [0u8; 8];
    let mut len = 0;
    for b in trim_cell(raw).bytes() {
        if !b.is_ascii() || len == buffer.len() {
            len = usize::MAX;
            break;
        }
        if b.is_ascii_alphanumeric() {
            buffer[len] = b.to_ascii_lowercase();
            len += 1;
        }
    }
    if let Some(folded) = buffer.get(..len) {
        let is = |word: &&str| word.as_bytes() == folded;
        return if YES.iter().any(is) {
            Some(true)
        } else if NO.iter().any(is) {
            Some(false)
        } else {
            None
        };
    }
    if YES.iter().any(|word| folds_to(raw, word)) {
        Some(true)
    } else if NO.iter().any(|word| folds_to(raw, word)) {
        Some(false)
    } else {
        None
    }
}

/// `columns::fold(raw) == folded`, without building the folded string: this
/// runs on every row.
fn folds_to(raw: &str, folded: &str) -> bool {
    raw.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .eq(folded.chars())
}

/// `Microsoft` (or its bridge's domain) is Microsoft's own bridge.
pub fn parse_provider(raw: &str) -> CurrentProvider {
    let raw = trim_cell(raw);
    if raw.is_empty() {
        CurrentProvider::None
    } else if is_microsoft(raw, "") {
        CurrentProvider::Microsoft
    } else {
        CurrentProvider::ThirdParty(raw.into())
    }
}

/// Whether a provider name or domain names Microsoft's own bridge.
pub fn is_microsoft(name: &str, domain: &str) -> bool {
    folds_to(name, "microsoft")
        || folds_to(name, "microsoftaudioconferencing")
        || trim_cell(domain).eq_ignore_ascii_case("resources.lync.com")
}

/// The entries of a list cell: `;` separates, or `,` when there is no `;`.
pub fn split_numbers(cell: &str) -> impl Iterator<Item = &str> {
    let separator = if cell.contains(';') { ';' } else { ',' };
    cell.split(separator)
        .map(trim_cell)
        .filter(|s| !s.is_empty())
}

/// Two rows with the same cells, PINs aside, compared as trimmed text.
pub fn same_row(a: RowRef<'_>, b: RowRef<'_>, pins: &[usize]) -> bool {
    let width = a.width().max(b.width());
    (0..width)
        .filter(|c| !pins.contains(c))
        .all(|c| trim_cell(a.get(Some(c))) == trim_cell(b.get(Some(c))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_copies_as_the_roster_gives_them() {
        use crate::source::{csv, decode::decode};
        let text = "UserPrincipalName,DisplayName,Mail\n\
                    Ann@X.example,\"Brown, Ann \"\"AB\"\"\",ann@x.example\n\
                    bob@x.example,  Bob Lee ,\n\
                    cy@x.example,,\"Cy@X.example\"\n";
        let table = csv::parse("roster.csv".into(), decode(text.as_bytes().to_vec())).unwrap();
        let columns = ColumnMap::resolve(&table.headers, &[]);
        let roster = build(&table, &columns, &Settings::default());
        drop(table);
        let names: Vec<(&str, &str, &str)> = roster
            .people
            .iter()
            .map(|p| (p.key.as_str(), roster.text(p.display_name), roster.mail(p)))
            .collect();
        assert_eq!(
            names,
            [
                ("ann@x.example", "Brown, Ann \"AB\"", "ann@x.example"),
                ("bob@x.example", "Bob Lee", ""),
                ("cy@x.example", "", "Cy@X.example"),
            ]
        );
    }

    #[test]
    fn reads_yes_and_no_in_the_usual_spellings() {
        for raw in ["TRUE", "true", "Yes", "1", "Enabled"] {
            assert_eq!(parse_bool(raw), Some(true), "{raw}");
        }
        for raw in ["FALSE", "no", "0", "Disabled"] {
            assert_eq!(parse_bool(raw), Some(false), "{raw}");
        }
        assert_eq!(parse_bool(""), None);
        assert_eq!(parse_bool("maybe"), None);
        // Folded as headers are: case, spaces and punctuation aside.
        for (raw, want) in [
            (" Wahr ", Some(true)),
            ("dis-abled", Some(false)),
            ("Ja \u{2713}", Some(true)),
            ("\u{a0}NEIN\u{a0}", Some(false)),
            ("enabledx", None),
            ("not disabled at all", None),
        ] {
            assert_eq!(parse_bool(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn microsoft_is_its_own_bridge_not_a_third_party() {
        assert_eq!(parse_provider("Microsoft"), CurrentProvider::Microsoft);
        assert_eq!(parse_provider(" microsoft "), CurrentProvider::Microsoft);
        assert_eq!(parse_provider(""), CurrentProvider::None);
        assert_eq!(
            parse_provider("InterCall"),
            CurrentProvider::ThirdParty("InterCall".into())
        );
        assert!(is_microsoft("Other", "Resources.Lync.com"));
    }

    #[test]
    fn splits_number_lists_on_semicolons_or_commas() {
        assert_eq!(
            split_numbers("+1800; +1888").collect::<Vec<_>>(),
            ["+1800", "+1888"]
        );
        assert_eq!(
            split_numbers("+1800,+1888").collect::<Vec<_>>(),
            ["+1800", "+1888"]
        );
        assert_eq!(split_numbers(" ; ").count(), 0);
    }
}
