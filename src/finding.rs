//! Findings: every problem a run noticed, as compact data. A finding names
//! its code, the input and row it was seen on, the field, and a small
//! [`Detail`] for what varies from one to the next. It holds no prose: the
//! words are written by `report::messages`, once, when an output is written.

use crate::columns::Field;
use crate::model::Key;
use serde::Serialize;
use std::fmt;

/// How much a finding matters. Errors keep the row out of the import plan,
/// warnings leave it in, info is for the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $text:literal, $severity:ident;)*) => {
        /// The stable finding codes of the spec, each with its fixed severity.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }
        }
    };
}

codes! {
    MalformedRow => "malformed-row", Error;
    EmptyKey => "empty-key", Error;
    MissingFromReturn => "missing-from-return", Error;
    NotInRoster => "not-in-roster", Error;
    NotRequested => "not-requested", Warning;
    DuplicateUser => "duplicate-user", Error;
    DuplicateRow => "duplicate-row", Warning;
    IdentityMismatch => "identity-mismatch", Error;
    MissingTollNumber => "missing-toll-number", Error;
    InvalidTollNumber => "invalid-toll-number", Error;
    TollNumberIsTollFree => "toll-number-is-toll-free", Warning;
    InvalidTollFreeNumber => "invalid-toll-free-number", Error;
    NotTollFree => "not-toll-free", Warning;
    MissingConferenceId => "missing-conference-id", Error;
    InvalidConferenceId => "invalid-conference-id", Error;
    DuplicateConferenceId => "duplicate-conference-id", Error;
    ExcelMangled => "excel-mangled", Error;
    ExcelRepaired => "excel-repaired", Warning;
    WrongProvider => "wrong-provider", Error;
    InvalidUrl => "invalid-url", Warning;
    ConferenceIdChanged => "conference-id-changed", Warning;
    TollNumberChanged => "toll-number-changed", Warning;
    ProviderReplaced => "provider-replaced", Warning;
    MicrosoftAcpAssigned => "microsoft-acp-assigned", Warning;
    TeamsOnlyUser => "teams-only-user", Warning;
    AccountDisabled => "account-disabled", Warning;
    PinColumnIgnored => "pin-column-ignored", Info;
    VendorChangedValues => "vendor-changed-values", Warning;
    Unchanged => "unchanged", Info;
    NumberNotOnBridge => "number-not-on-bridge", Error;
    WrongNumberType => "wrong-number-type", Error;
    ConferenceIdNotSettable => "conference-id-not-settable", Info;
    PolicyOverridesNumbers => "policy-overrides-numbers", Warning;
}

impl Code {
    /// Whether the finding's words show the cell it is about (the value
    /// as received): the only findings that read a returned row's cells
    /// once the rows are checked.
    pub fn shows_cell(self) -> bool {
        matches!(
            self,
            Code::EmptyKey
                | Code::NumberNotOnBridge
                | Code::WrongNumberType
                | Code::WrongProvider
                | Code::TollNumberIsTollFree
                | Code::InvalidTollNumber
                | Code::InvalidTollFreeNumber
                | Code::NotTollFree
                | Code::InvalidConferenceId
                | Code::ExcelMangled
                | Code::ExcelRepaired
                | Code::InvalidUrl
                | Code::IdentityMismatch
                | Code::DuplicateConferenceId
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The inputs of a run, in the order they are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Input {
    Roster,
    Returned,
    Sent,
    /// The bridge's numbers (`--bridge`, Teams).
    Bridge,
}

impl Input {
    pub const ALL: [Input; 4] = [Input::Roster, Input::Returned, Input::Sent, Input::Bridge];

    pub fn as_str(self) -> &'static str {
        match self {
            Input::Roster => "roster",
            Input::Returned => "returned",
            Input::Sent => "sent",
            Input::Bridge => "bridge",
        }
    }
}

/// One problem, where it was seen and what varies about it. 28 bytes: a
/// million of them fit in 28 MB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Finding {
    /// The row of its input (0-based data row), or [`Finding::WHOLE_FILE`].
    pub row: u32,
    /// The row's key and line, given once the inputs are joined (every
    /// listing of findings reads them, in key order).
    pub key: Key,
    pub line: u32,
    pub detail: Detail,
    pub code: Code,
    pub input: Input,
    pub field: Option<Field>,
    /// For a cell that holds a list (toll-free numbers): which entry.
    pub entry: u8,
}

impl Finding {
    /// The row of a finding about a whole file (a PIN column).
    pub const WHOLE_FILE: u32 = u32::MAX;

    pub fn new(code: Code, input: Input, row: u32) -> Finding {
        Finding {
            row,
            key: Key::NONE,
            line: 0,
            detail: Detail::None,
            code,
            input,
            field: None,
            entry: 0,
        }
    }

    pub fn field(mut self, field: Field) -> Finding {
        self.field = Some(field);
        self
    }

    pub fn detail(mut self, detail: Detail) -> Finding {
        self.detail = detail;
        self
    }

    pub fn entry(mut self, entry: usize) -> Finding {
        self.entry = u8::try_from(entry).unwrap_or(u8::MAX);
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// The row, unless the finding is about the whole file.
    pub fn row(&self) -> Option<u32> {
        (self.row != Finding::WHOLE_FILE).then_some(self.row)
    }
}

/// What varies between findings of one code: never text, only what the
/// message is written from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Detail {
    None,
    /// Why a row could not be read as the header says.
    Problem(Problem),
    /// Another row of the same input: the one this row repeats, or the
    /// first row of the same person.
    Line(u32),
    /// A list of other lines (`Outcome::lists`): the other rows of a person
    /// whose rows disagree.
    Lines(u32),
    /// A conference ID given to several people (`Outcome::shared_ids`).
    Shared(u32),
    /// Why a phone number or conference ID is not one.
    Invalid(Invalid),
    /// What Excel did to a value, and the likely original (a text of the
    /// run, `Outcome::texts`) when it can be told.
    Mangled(Damage, Likely),
    /// How the provider differs from the expected one.
    Provider(ProviderIssue),
    /// On Microsoft's bridge now (`true`) or only holding its licence.
    Microsoft {
        bridge: bool,
        licence: bool,
    },
    /// A column of the file, by position (a PIN column).
    Column(u32),
    /// A valid phone number of the run (`model::Phone`), as the row gives it.
    Number(u32),
    /// A number of the row (`model::Phone`) and what the bridge's numbers
    /// say of it: on no bridge (`u32::MAX`), or on another, by its name's
    /// id in the bridge's numbers (`check::bridge::Inventory::name`).
    Bridge(u32, u32),
    /// The requested person with no row whose key (`model::Key`) is the
    /// closest to a key not in the roster, and why.
    Suggestion(u32, Closeness),
    /// Values that differ from an earlier return's (`Outcome::drift`).
    Drift(u32),
}

/// Why a roster key is suggested for one not in the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Closeness {
    /// The roster's Mail is the returned key.
    Mail,
    /// The roster's SipAddress is the returned key.
    Sip,
    /// First and last name swapped (`lee.ann` for `ann.lee`).
    Swapped,
    /// The same name in another of the tenant's domains.
    OtherDomain,
    /// One or two letters off, same domain.
    Typo,
}

/// The likely original of a value Excel damaged: a text of the run
/// (`Outcome::likely`), when it can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Likely(u32);

impl Likely {
    pub const UNKNOWN: Likely = Likely(u32::MAX);

    pub fn new(index: usize) -> Likely {
        Likely(u32::try_from(index).unwrap_or(u32::MAX))
    }

    pub fn get(self) -> Option<usize> {
        (self != Likely::UNKNOWN).then_some(self.0 as usize)
    }

    /// Moved along by `base`, as the texts it indexes are.
    pub fn after(self, base: usize) -> Likely {
        match self.get() {
            Some(i) => Likely::new(i + base),
            None => self,
        }
    }
}

/// Why a row does not read as the header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Problem {
    /// A field count other than the header's (counts past 65,535 read as
    /// that).
    FieldCount { found: u16, expected: u16 },
    /// A quote opens on the line and does not close where the row ends.
    BrokenQuote,
    /// Bytes that are not valid in the file's encoding.
    Undecodable,
    /// A NUL byte in a cell (by position): some export tools leave them.
    Nul { column: u16 },
    /// A row of the bridge's numbers without a phone number.
    NoNumber,
}

/// Why a value is not a phone number or a conference ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Invalid {
    /// A character no phone number holds.
    Contains(char),
    NoDigits,
    /// No `+` and no default region in the config.
    NoCountryCode,
    NotAPhoneNumber,
    /// A conference ID with something besides digits.
    NotDigits,
    /// Several numbers where one is taken (Teams' toll-free number).
    SeveralNumbers(u8),
    /// A conference ID of a length outside the allowed range.
    Length {
        digits: u32,
        min: u8,
        max: u8,
    },
}

/// What Excel did to a digit string it took for a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Damage {
    /// `1.42555E+10`: digits past the sixth are gone.
    Scientific,
    /// `14255550100.0`.
    DecimalSuffix,
    /// An international number without its `+`.
    LostPlus,
    /// The person's current ID with its leading zeros gone.
    LostZeros,
    /// Shorter than the one length every ID has.
    ShortForFixedLength { digits: u8, want: u8 },
    /// A number cell Excel cannot hold exactly (a fraction, over 15 digits).
    Inexact,
    /// A number cell whose `+` or leading zeros are gone.
    StoredAsNumber,
}

/// How a row's provider name or domain differs from the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderIssue {
    /// The row names Microsoft's own bridge.
    Microsoft,
    /// The cell is empty.
    Empty,
    /// The cell holds another value.
    Differs,
    /// Empty on every row, and no config says what to expect.
    EmptyEverywhere,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_kebab_case_name() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }

    /// Counting by code indexes by a code's place in `Code::ALL`.
    #[test]
    fn codes_are_numbered_in_the_order_all_lists_them() {
        for (i, &code) in Code::ALL.iter().enumerate() {
            assert_eq!(code as usize, i, "{code:?}");
        }
    }

    #[test]
    fn a_finding_is_small() {
        assert!(std::mem::size_of::<Finding>() <= 28);
    }

    #[test]
    fn severities_follow_the_spec_table() {
        assert_eq!(Code::MalformedRow.severity(), Severity::Error);
        assert_eq!(Code::DuplicateRow.severity(), Severity::Warning);
        assert_eq!(Code::ExcelMangled.severity(), Severity::Error);
        assert_eq!(Code::Unchanged.severity(), Severity::Info);
    }
}
