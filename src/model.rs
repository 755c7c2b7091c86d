//! The data a run's stages hand each other. Text lives in arenas and is
//! known by id or span, so that a person or a row is a few words: keys,
//! phone numbers and lists are interned once per run, and what the roster
//! and the returned file say is kept as compact records.

use hashbrown::HashTable;
use std::hash::BuildHasher;

/// An id that stands for "none" in the `u32` ids below.
const NONE: u32 = u32::MAX;

fn hash(text: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(text)
}

/// Where a text is in [`Texts`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    start: u32,
    len: u32,
}

impl Span {
    /// No text; reads as "".
    pub const EMPTY: Span = Span { start: 0, len: 0 };
    /// Not stored: the text is the person's key (most mail addresses).
    pub const KEY: Span = Span {
        start: NONE,
        len: 0,
    };

    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// The span of `len` bytes from `start`.
    pub fn new(start: usize, len: usize) -> Span {
        Span {
            start: u32::try_from(start).unwrap_or(NONE),
            len: u32::try_from(len).unwrap_or(0),
        }
    }

    /// The text at the span in `text`; "" where there is none.
    pub fn read(self, text: &str) -> &str {
        let start = self.start as usize;
        text.get(start..start + self.len as usize)
            .unwrap_or_default()
    }
}

/// Texts laid end to end in one string. Inputs over 4 GiB are refused when
/// read, so a span's 32 bits always reach.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    text: String,
}

impl Texts {
    pub fn with_capacity(bytes: usize) -> Texts {
        Texts {
            text: String::with_capacity(bytes),
        }
    }

    pub fn push(&mut self, text: &str) -> Span {
        if text.is_empty() {
            return Span::EMPTY;
        }
        let start = self.text.len();
        self.text.push_str(text);
        Span {
            start: u32::try_from(start).unwrap_or(NONE),
            len: u32::try_from(text.len()).unwrap_or(0),
        }
    }

    /// The text at a span; "" for [`Span::EMPTY`], [`Span::KEY`], or a span
    /// of other texts.
    pub fn get(&self, span: Span) -> &str {
        span.read(&self.text)
    }

    /// All the texts, end to end.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Appends `other`, and returns the amount its spans move by.
    pub fn append(&mut self, other: &Texts) -> u32 {
        let shift = u32::try_from(self.text.len()).unwrap_or(NONE);
        self.text.push_str(&other.text);
        shift
    }

    /// `span` of texts appended at `shift`.
    pub fn shifted(span: Span, shift: u32) -> Span {
        if span.is_empty() || span == Span::KEY {
            return span;
        }
        Span {
            start: span.start + shift,
            len: span.len,
        }
    }

    pub fn bytes(&self) -> usize {
        self.text.len()
    }
}

/// Distinct texts, each with an id in order of arrival.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    texts: Texts,
    spans: Vec<Span>,
    index: HashTable<u32>,
}

impl Interner {
    /// Room for `count` texts of `bytes` in all.
    pub fn with_capacity(count: usize, bytes: usize) -> Interner {
        Interner {
            texts: Texts::with_capacity(bytes),
            spans: Vec::with_capacity(count),
            index: HashTable::with_capacity(count),
        }
    }

    /// The id of `text`, added if new.
    pub fn intern(&mut self, text: &str) -> u32 {
        let h = hash(text);
        let (texts, spans) = (&self.texts, &self.spans);
        if let Some(&id) = self
            .index
            .find(h, |&id| texts.get(spans[id as usize]) == text)
        {
            return id;
        }
        let id = self.spans.len() as u32;
        self.spans.push(self.texts.push(text));
        let (texts, spans) = (&self.texts, &self.spans);
        self.index
            .insert_unique(h, id, |&id| hash(texts.get(spans[id as usize])));
        id
    }

    /// The id of `text`, if it was added.
    pub fn find(&self, text: &str) -> Option<u32> {
        self.index
            .find(hash(text), |&id| {
                self.texts.get(self.spans[id as usize]) == text
            })
            .copied()
    }

    pub fn get(&self, id: u32) -> &str {
        self.spans
            .get(id as usize)
            .map_or("", |&span| self.texts.get(span))
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// A user key of the run: a cleaned user principal name, known by its
/// place in the order of all the run's keys. Whatever is kept by key is so
/// kept in the order the outputs list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(pub u32);

impl Key {
    pub const NONE: Key = Key(NONE);

    pub fn get(self) -> Option<Key> {
        (self != Key::NONE).then_some(self)
    }

    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The run's keys, in order: key `i` is the `i`-th.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    texts: Texts,
    spans: Vec<Span>,
}

impl Keys {
    pub fn with_capacity(count: usize, bytes: usize) -> Keys {
        Keys {
            texts: Texts::with_capacity(bytes),
            spans: Vec::with_capacity(count),
        }
    }

    /// Adds the keys of `other`, which sort after every key here.
    pub fn append(&mut self, other: &Keys) {
        let shift = self.texts.append(&other.texts);
        self.spans
            .extend(other.spans.iter().map(|&s| Texts::shifted(s, shift)));
    }

    /// Adds the next key, which sorts after every key added before.
    pub fn push(&mut self, text: &str) -> Key {
        self.spans.push(self.texts.push(text));
        Key(self.spans.len() as u32 - 1)
    }

    /// A key's text; "" for [`Key::NONE`].
    pub fn get(&self, key: Key) -> &str {
        self.spans
            .get(key.index())
            .map_or("", |&span| self.texts.get(span))
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The key of a text, found by its order.
    pub fn find(&self, text: &str) -> Option<Key> {
        let at = self
            .spans
            .binary_search_by(|&span| self.texts.get(span).cmp(text))
            .ok()?;
        Some(Key(at as u32))
    }
}

/// A valid phone number of the run, E.164, interned in [`Phones`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Phone(pub u32);

impl Phone {
    pub const NONE: Phone = Phone(NONE);

    pub fn get(self) -> Option<Phone> {
        (self != Phone::NONE).then_some(self)
    }
}

/// The valid phone numbers of a run, each once, with its type.
#[derive(Debug, Clone, Default)]
pub struct Phones {
    numbers: Interner,
    toll_free: Vec<bool>,
    lists: Vec<Box<[Phone]>>,
    list_index: rustc_hash::FxHashMap<Box<[Phone]>, u32>,
}

/// A list of phone numbers (toll-free numbers), interned in [`Phones`];
/// [`PhoneList::EMPTY`] is the empty list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhoneList(pub u32);

impl PhoneList {
    pub const EMPTY: PhoneList = PhoneList(NONE);
}

impl Phones {
    /// The id of an E.164 number, added if new.
    pub fn add(&mut self, e164: &str, toll_free: bool) -> Phone {
        let id = self.numbers.intern(e164);
        if id as usize == self.toll_free.len() {
            self.toll_free.push(toll_free);
        }
        Phone(id)
    }

    /// The E.164 text of a number; "" for [`Phone::NONE`].
    pub fn e164(&self, phone: Phone) -> &str {
        self.numbers.get(phone.0)
    }

    pub fn find(&self, e164: &str) -> Option<Phone> {
        self.numbers.find(e164).map(Phone)
    }

    pub fn is_toll_free(&self, phone: Phone) -> bool {
        self.toll_free.get(phone.0 as usize) == Some(&true)
    }

    /// The id of a list, added if new.
    pub fn list(&mut self, numbers: &[Phone]) -> PhoneList {
        if numbers.is_empty() {
            return PhoneList::EMPTY;
        }
        if let Some(&id) = self.list_index.get(numbers) {
            return PhoneList(id);
        }
        let id = self.lists.len() as u32;
        self.lists.push(numbers.into());
        self.list_index.insert(numbers.into(), id);
        PhoneList(id)
    }

    pub fn numbers(&self, list: PhoneList) -> &[Phone] {
        self.lists.get(list.0 as usize).map_or(&[], |l| l)
    }
}

/// A number as the roster gives it: valid, or its text as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Number {
    Phone(Phone),
    Text(Span),
}

/// The provider a person has now, as the roster says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CurrentProvider {
    /// No audio conferencing provider, or the roster does not say.
    #[default]
    None,
    /// Microsoft's own bridge (Microsoft Audio Conferencing).
    Microsoft,
    /// A third-party provider, by the name the roster gives (a span of the
    /// roster's texts).
    ThirdParty(Span),
}

/// What a person has now, for people who have something.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Current {
    pub provider: CurrentProvider,
    pub toll_number: Option<Number>,
    /// Where the toll-free numbers are in the roster's list of them.
    pub toll_free_numbers: (u32, u32),
    pub conference_id: Option<Span>,
}

/// One person of the roster: the first row of their key. Texts are spans
/// of the roster's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    pub key: Key,
    /// The roster row the person is read from.
    pub row: u32,
    pub display_name: Span,
    /// [`Span::KEY`] when it is the key, as in most rosters.
    pub mail: Span,
    /// `Some(false)` when the roster marks the account disabled.
    pub enabled: Option<bool>,
    pub teams_only: bool,
    /// Holds Microsoft's Audio Conferencing licence.
    pub licence: bool,
    /// Their audio-conferencing policy lists invite numbers (Teams).
    pub invite_numbers: bool,
    /// Index in the roster's current assignments, for people who have one.
    pub current: u32,
}

impl Person {
    /// Eligible to be set up: enabled and not in TeamsOnly mode.
    pub fn is_eligible(&self) -> bool {
        self.enabled != Some(false) && !self.teams_only
    }

    pub fn current(&self) -> Option<usize> {
        (self.current != NONE).then_some(self.current as usize)
    }

    pub const NO_CURRENT: u32 = NONE;
}

/// A returned row as checked: what it gives, when it gives it well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedRow {
    pub toll_number: Phone,
    pub toll_free_numbers: PhoneList,
    /// The conference ID, in the run's texts; empty when not valid.
    pub conference_id: Span,
    /// The row's provider, domain and Url (`Outcome::bridges`).
    pub bridge: u32,
    /// The row carries an error of its own.
    pub error: bool,
}

impl CheckedRow {
    /// A row that gives nothing.
    pub const NONE: CheckedRow = CheckedRow {
        toll_number: Phone::NONE,
        toll_free_numbers: PhoneList::EMPTY,
        conference_id: Span::EMPTY,
        bridge: 0,
        error: false,
    };
}

/// A bridge's fixed values, as spans of the run's texts: a provider's
/// name, domain and Url, or (Teams) the conferencing bridge's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bridge {
    /// The Teams bridge named on the row; empty for a provider.
    pub name: Span,
    pub provider_name: Span,
    pub domain: Span,
    /// An http(s) Url; empty when none is given or it is not one.
    pub url: Span,
}

/// Where each data row of an input is: its line (or sheet row) and the
/// byte offset in the decoded text (for snippets), and its key.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub lines: Vec<u32>,
    /// Offsets past 4 GiB read as `u32::MAX`: no snippet for those rows.
    pub offsets: Vec<u32>,
    pub keys: Vec<Key>,
}

impl Rows {
    pub fn reserve(&mut self, rows: usize) {
        self.lines.reserve(rows);
        self.offsets.reserve(rows);
        self.keys.reserve(rows);
    }

    pub fn push(&mut self, line: u32, offset: u64, key: Key) {
        self.lines.push(line);
        self.offsets.push(u32::try_from(offset).unwrap_or(u32::MAX));
        self.keys.push(key);
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn line(&self, row: u32) -> Option<u32> {
        self.lines.get(row as usize).copied()
    }

    pub fn key(&self, row: u32) -> Key {
        self.keys.get(row as usize).copied().unwrap_or(Key::NONE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_texts_keep_their_first_id() {
        let mut names = Interner::default();
        let a = names.intern("ann@x");
        let b = names.intern("bob@x");
        assert_eq!(names.intern("ann@x"), a);
        assert_ne!(a, b);
        assert_eq!(names.get(b), "bob@x");
        assert_eq!(names.find("bob@x"), Some(b));
        assert_eq!(names.find("cy@x"), None);
        assert_eq!(names.get(99), "");
    }

    #[test]
    fn spans_read_back_their_texts_and_move_with_an_appended_arena() {
        let mut texts = Texts::default();
        let a = texts.push("Zoë");
        let mut other = Texts::default();
        let b = other.push("Ann");
        let shift = texts.append(&other);
        assert_eq!(texts.get(a), "Zoë");
        assert_eq!(texts.get(Texts::shifted(b, shift)), "Ann");
        assert_eq!(texts.get(Span::KEY), "");
        assert_eq!(texts.get(Span::EMPTY), "");
    }

    #[test]
    fn phone_lists_are_interned_by_their_numbers() {
        let mut phones = Phones::default();
        let a = phones.add("+18005550199", true);
        let b = phones.add("+14255550100", false);
        assert!(phones.is_toll_free(a) && !phones.is_toll_free(b));
        let list = phones.list(&[a, b]);
        assert_eq!(phones.list(&[a, b]), list);
        assert_ne!(phones.list(&[b, a]), list);
        assert_eq!(phones.numbers(list), [a, b]);
        assert_eq!(phones.list(&[]), PhoneList::EMPTY);
        assert!(phones.numbers(PhoneList::EMPTY).is_empty());
    }
}
