//! The domain types that carry "already normalised" in their type: a
//! [`UserKey`] is trimmed and lowercased, a [`Phone`] is E.164, a
//! [`ConferenceId`] is the digits exactly as the vendor wrote them.

use serde::Serialize;
use std::fmt;

/// A user principal name as compared: trimmed, invisible characters and a
/// `sip:` prefix removed, lowercased. Shared, not copied, by the findings
/// and plan entries that name the person.
///
/// ```
/// use acp_recon::UserKey;
/// let key = UserKey::parse(" sip:Ann@Contoso.Example\u{a0}").unwrap();
/// assert_eq!(key.as_str(), "ann@contoso.example");
/// assert!(UserKey::parse(" \u{200b} ").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct UserKey(std::sync::Arc<str>);

impl UserKey {
    /// The key of a raw cell, or `None` when nothing is left after cleaning.
    pub fn parse(raw: &str) -> Option<UserKey> {
        let cleaned = crate::normalize::text::clean_key_cow(raw);
        (!cleaned.is_empty()).then(|| UserKey(std::sync::Arc::from(&*cleaned)))
    }

    /// A key already cleaned by [`crate::normalize::text::clean_key`].
    pub(crate) fn from_cleaned(cleaned: &str) -> Option<UserKey> {
        (!cleaned.is_empty()).then(|| UserKey(cleaned.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A valid phone number in E.164 form (`+14255550100`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Phone(pub(crate) std::sync::Arc<str>);

impl Phone {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A conference ID: digits only, leading zeros kept, never a number. It is
/// held inline (at most [`ConferenceId::MAX`] digits, the config's limit):
/// every returned row has one, and none needs an allocation.
///
/// ```
/// use acp_recon::model::ConferenceId;
/// assert_eq!(ConferenceId::new("0012345").unwrap().as_str(), "0012345");
/// assert!(ConferenceId::new("12a").is_none());
/// assert!(ConferenceId::new("").is_none());
/// ```
#[derive(Clone, Copy)]
pub struct ConferenceId {
    len: u8,
    digits: [u8; ConferenceId::MAX],
}

impl ConferenceId {
    /// The most digits an ID may have.
    pub const MAX: usize = 32;

    /// The ID of a string of 1 to [`ConferenceId::MAX`] ASCII digits.
    pub fn new(digits: &str) -> Option<ConferenceId> {
        let bytes = digits.as_bytes();
        if bytes.is_empty() || bytes.len() > Self::MAX || !bytes.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut id = ConferenceId {
            len: bytes.len() as u8,
            digits: [0; Self::MAX],
        };
        id.digits[..bytes.len()].copy_from_slice(bytes);
        Some(id)
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored, so this never fails.
        std::str::from_utf8(&self.digits[..self.len as usize]).unwrap_or_default()
    }
}

impl PartialEq for ConferenceId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ConferenceId {}

impl PartialOrd for ConferenceId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ConferenceId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for ConferenceId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for ConferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ConferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ConferenceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The provider a person has now, as the roster says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CurrentProvider {
    /// No audio conferencing provider, or the roster does not say.
    #[default]
    None,
    /// Microsoft's own bridge (Microsoft Audio Conferencing).
    Microsoft,
    /// A third-party provider, by the name the roster gives.
    ThirdParty(std::sync::Arc<str>),
}

/// A cell of a table by where its text is, instead of a borrow of it: in
/// the decoded text, or in the table's buffer of cells that quoting
/// changed. [`Roster::text`](crate::reconcile::roster::Roster::text) reads
/// it. Roster entries hold these, so the roster's table can let go of its
/// rows once the roster is built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextRef {
    pub(crate) start: u32,
    /// The length, with [`TextRef::OWN`] set for the buffer of cells that
    /// quoting changed: 8 bytes in all, as a table's text is under 4 GiB.
    pub(crate) len: u32,
}

impl TextRef {
    pub(crate) const OWN: u32 = 1 << 31;
    /// Instead of a roster entry's mail address that is its key as well
    /// (as in most rosters): read from the key, not copied.
    pub(crate) const KEY: TextRef = TextRef {
        start: u32::MAX,
        len: u32::MAX,
    };
}

/// What a person has now: provider and bridge details, as far as known.
/// Numbers repeat across people and are shared; the rest is where it is in
/// the roster's table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrentAssignment {
    pub provider: CurrentProvider,
    /// E.164 when it parses, the roster's text otherwise.
    pub toll_number: Option<std::sync::Arc<str>>,
    pub toll_free_numbers: Vec<std::sync::Arc<str>>,
    /// Copied out of the roster's text, which the decisions then need not read.
    pub conference_id: Option<Box<str>>,
}

/// One person of the roster; its text stays in the roster's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    pub key: UserKey,
    pub line: u32,
    /// Byte offset of the row in the roster's text (under 4 GiB).
    pub offset: Option<u32>,
    pub display_name: TextRef,
    /// Read with [`Roster::mail`](crate::reconcile::roster::Roster::mail):
    /// most are the key, and are not copied.
    pub mail: TextRef,
    /// `Some(false)` when the roster marks the account disabled.
    pub account_enabled: Option<bool>,
    pub teams_only: bool,
    /// Holds Microsoft's Audio Conferencing licence.
    pub microsoft_licence: bool,
    /// `None` for the many people with no provider and no numbers now.
    pub(crate) current: Option<Box<CurrentAssignment>>,
}

/// What a person with no provider and no numbers has.
static NOTHING: CurrentAssignment = CurrentAssignment {
    provider: CurrentProvider::None,
    toll_number: None,
    toll_free_numbers: Vec::new(),
    conference_id: None,
};

impl RosterEntry {
    /// What the person has now.
    pub fn current(&self) -> &CurrentAssignment {
        self.current.as_deref().unwrap_or(&NOTHING)
    }

    /// Eligible to be set up: enabled and not in TeamsOnly mode.
    pub fn is_eligible(&self) -> bool {
        self.account_enabled != Some(false) && !self.teams_only
    }
}

/// What a returned row says of the bridge besides its numbers. It is the
/// same on nearly every row of a file, and rows that agree share one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Bridge {
    pub provider_name: std::sync::Arc<str>,
    pub domain: std::sync::Arc<str>,
    /// The Url when present and an http(s) URL; an invalid one is left out.
    pub url: Option<std::sync::Arc<str>>,
}

/// A returned row's values after normalisation, with the row's own findings.
/// A million of them are kept at once, so it stays small: the row's offset
/// is in its table, and the rarely needed parts are shared or boxed.
#[derive(Debug, Clone)]
pub struct ReturnedRow {
    /// Index of the row in its table.
    pub index: u32,
    pub line: u32,
    pub key: Option<UserKey>,
    /// The person's place in the roster, looked up once.
    pub person: Option<u32>,
    pub bridge: std::sync::Arc<Bridge>,
    pub toll_number: Option<Phone>,
    /// Shared by the rows that give the same list.
    pub toll_free_numbers: std::sync::Arc<[Phone]>,
    pub conference_id: Option<ConferenceId>,
    pub findings: RowFindings,
}

impl ReturnedRow {
    pub fn has_error(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity <= crate::Severity::Error)
    }
}

/// The findings of one row. Most rows have none, and then the list takes a
/// single word.
#[derive(Debug, Clone, Default)]
// A boxed vector is one word where the vector is three, on every row.
#[allow(clippy::box_collection)]
pub struct RowFindings(Option<Box<Vec<crate::Finding>>>);

impl RowFindings {
    pub fn push(&mut self, finding: crate::Finding) {
        self.0.get_or_insert_with(Default::default).push(finding);
    }

    pub fn iter(&self) -> std::slice::Iter<'_, crate::Finding> {
        self.0.as_deref().map_or([].iter(), |f| f.iter())
    }

    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |f| f.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes the findings out, leaving none.
    pub fn take(&mut self) -> Vec<crate::Finding> {
        self.0.take().map(|f| *f).unwrap_or_default()
    }
}
