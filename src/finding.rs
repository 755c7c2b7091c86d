//! Findings: every problem the run noticed, as data. They are collected and
//! returned, never raised; the report module decides how to show them.

use crate::model::UserKey;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// How much a finding matters. Errors keep the row out of the import plan,
/// warnings leave it in, info is for the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Fatal,
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Fatal => "fatal",
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
    MissingColumn => "missing-column", Fatal;
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
    WrongProvider => "wrong-provider", Error;
    InvalidUrl => "invalid-url", Warning;
    ConferenceIdChanged => "conference-id-changed", Warning;
    TollNumberChanged => "toll-number-changed", Warning;
    ProviderReplaced => "provider-replaced", Warning;
    MicrosoftAcpAssigned => "microsoft-acp-assigned", Warning;
    TeamsOnlyUser => "teams-only-user", Warning;
    AccountDisabled => "account-disabled", Warning;
    PinColumnIgnored => "pin-column-ignored", Info;
    Unchanged => "unchanged", Info;
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

/// One problem, with where it was seen and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    pub key: Option<UserKey>,
    pub file: Arc<str>,
    pub line: Option<u32>,
    /// A column name: the spec's (static) or a header of the file.
    pub field: Option<Cow<'static, str>>,
    /// The value as seen. Never a PIN: PIN cells are not read into findings.
    pub value: Option<Box<str>>,
    /// What [`Finding::message`] says.
    message: Message,
    /// Byte offset of the row in the decoded source, for diagnostics.
    pub offset: Option<usize>,
    /// The cell reference (`Sheet1!D17`) when the source is a spreadsheet.
    pub cell: Option<Box<str>>,
    /// The column of the field, to point at it in a source snippet.
    pub column: Option<u32>,
}

/// A finding's message: its text, or, for the notes that most people of a
/// run get, which note it is. A note is written out from the finding's key
/// and value when it is read, so a million people do not each hold a
/// sentence until the outputs are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Message {
    Text(Box<str>),
    Note(Note),
}

/// The notes on a person whose row is good, by what they say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Nothing to do: the values are the person's now.
    Unchanged,
    /// On Microsoft's bridge now; `licence` when they also hold its licence.
    OnMicrosoftBridge { licence: bool },
    /// Holding Microsoft's Audio Conferencing licence.
    MicrosoftLicence,
    /// Another third-party provider (the finding's value) now; the plan sets
    /// this one.
    ProviderReplaced { new: Arc<str> },
}

impl Finding {
    pub fn new(code: Code, file: &Arc<str>, message: impl Into<String>) -> Self {
        Finding::with(code, file, Message::Text(message.into().into()))
    }

    /// A note on a person, its message written when it is read: give it
    /// the person's key, and for [`Note::ProviderReplaced`] the current
    /// provider as its value.
    pub fn note(code: Code, file: &Arc<str>, note: Note) -> Self {
        Finding::with(code, file, Message::Note(note))
    }

    pub(crate) fn with(code: Code, file: &Arc<str>, message: Message) -> Self {
        Finding {
            severity: code.severity(),
            code,
            key: None,
            file: Arc::clone(file),
            line: None,
            field: None,
            value: None,
            message,
            offset: None,
            cell: None,
            column: None,
        }
    }

    /// What the finding says, in words, and what to do about it.
    pub fn message(&self) -> Cow<'_, str> {
        match &self.message {
            Message::Text(text) => Cow::Borrowed(text),
            Message::Note(_) => Cow::Owned(self.message_text().to_string()),
        }
    }

    /// [`Finding::message`] as something to write, without a copy.
    pub fn message_text(&self) -> impl fmt::Display + '_ {
        MessageText(self)
    }

    pub fn key(mut self, key: Option<&UserKey>) -> Self {
        self.key = key.cloned();
        self
    }

    pub fn line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    pub fn at(mut self, line: u32, offset: Option<usize>) -> Self {
        self.line = Some(line);
        self.offset = offset;
        self
    }

    pub fn field(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn column(mut self, column: Option<usize>) -> Self {
        self.column = column.and_then(|c| u32::try_from(c).ok());
        self
    }

    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into().into_boxed_str());
        self
    }

    /// `returned.csv:17`, or just the file when the finding has no line.
    pub fn location(&self) -> String {
        match (&self.cell, self.line) {
            (Some(cell), _) => format!("{}, {}", self.file, cell),
            (None, Some(line)) => format!("{}:{}", self.file, line),
            (None, None) => self.file.to_string(),
        }
    }

    /// The order of every findings listing: by key (file-level ones first),
    /// then file, line, field, code, value and message, so output never
    /// depends on hashing or on the order findings were made in.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            self.key.as_ref().map(UserKey::as_str),
            &*self.file,
            self.line,
            self.field.as_deref(),
            self.code,
            self.value.as_deref(),
            MessageOrder(self),
        )
    }
}

/// A finding's message, written where it is needed.
struct MessageText<'a>(&'a Finding);

impl fmt::Display for MessageText<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_message(out)
    }
}

impl Finding {
    /// Writes the message piece by piece: the outputs write half a million,
    /// where formatting machinery would cost more than the text.
    pub fn write_message(&self, out: &mut impl fmt::Write) -> fmt::Result {
        let key = self.key.as_ref().map_or("", UserKey::as_str);
        let note = |out: &mut dyn fmt::Write, pieces: &[&str]| {
            pieces.iter().try_for_each(|piece| out.write_str(piece))
        };
        match &self.message {
            Message::Text(text) => out.write_str(text),
            Message::Note(Note::Unchanged) => {
                note(out, &[key, " already has these values: nothing to do."])
            }
            Message::Note(Note::OnMicrosoftBridge { licence }) => note(
                out,
                &[
                    key,
                    " uses Microsoft's bridge now; the plan runs Disable-CsOnlineDialInConferencingUser first.",
                    if *licence {
                        " They hold the Microsoft Audio Conferencing licence: remove it too, or it switches them back to Microsoft."
                    } else {
                        ""
                    },
                ],
            ),
            Message::Note(Note::MicrosoftLicence) => note(
                out,
                &[
                    key,
                    " holds the Microsoft Audio Conferencing licence; the plan runs Disable-CsOnlineDialInConferencingUser first. Remove the licence too, or it switches them back to Microsoft.",
                ],
            ),
            Message::Note(Note::ProviderReplaced { new }) => note(
                out,
                &[
                    key,
                    " has ",
                    self.value.as_deref().unwrap_or_default(),
                    " now; the plan removes that entry (Remove-CsUserAcp) and sets ",
                    new,
                    ".",
                ],
            ),
        }
    }
}

/// Orders findings by their messages, written out only when all else ties.
struct MessageOrder<'a>(&'a Finding);

impl Ord for MessageOrder<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (&self.0.message, &other.0.message) {
            (Message::Text(a), Message::Text(b)) => a.cmp(b),
            _ => self.0.message().cmp(&other.0.message()),
        }
    }
}

impl PartialOrd for MessageOrder<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MessageOrder<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for MessageOrder<'_> {}

/// A displayed value serialized as a string, written straight to the output.
struct Collected<D>(D);

impl<D: fmt::Display> Serialize for Collected<D> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// As `report.json` has it: the fields in order, the message written out,
/// the cell reference only when there is one.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("Finding", 9)?;
        out.serialize_field("severity", &self.severity)?;
        out.serialize_field("code", &self.code)?;
        out.serialize_field("key", &self.key)?;
        out.serialize_field("file", &self.file)?;
        out.serialize_field("line", &self.line)?;
        out.serialize_field("field", &self.field)?;
        out.serialize_field("value", &self.value)?;
        out.serialize_field("message", &Collected(self.message_text()))?;
        match &self.cell {
            Some(cell) => out.serialize_field("cell", cell)?,
            None => out.skip_field("cell")?,
        }
        out.end()
    }
}

/// Sorts findings into their one order. Findings that compare equal print
/// the same, so an unstable sort serves.
pub fn sort(findings: &mut [Finding]) {
    use rayon::prelude::*;
    // The first sixteen bytes of the key, big-endian, order findings as
    // their keys do and settle most comparisons without following a pointer
    // to a key; the findings themselves are then moved once, in place.
    let prefix = |f: &Finding| {
        let mut bytes = [0u8; 16];
        if let Some(key) = &f.key {
            let key = key.as_str().as_bytes();
            let n = key.len().min(16);
            bytes[..n].copy_from_slice(&key[..n]);
        }
        u128::from_be_bytes(bytes)
    };
    let mut order: Vec<(u128, usize)> = findings
        .par_iter()
        .enumerate()
        .map(|(i, f)| (prefix(f), i))
        .collect();
    order.par_sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| findings[a.1].sort_key().cmp(&findings[b.1].sort_key()))
    });
    // Position k takes the finding at `from[k]`: follow each cycle once.
    let mut from: Vec<usize> = order.into_iter().map(|(_, i)| i).collect();
    for start in 0..from.len() {
        let mut at = start;
        while from[at] != start {
            let next = from[at];
            findings.swap(at, next);
            from[at] = at;
            at = next;
        }
        from[at] = at;
    }
}

/// Findings of every shape, with the characters each output must escape
/// in every field: for the tests that hold an output's bytes to another
/// writer's.
#[cfg(test)]
pub(crate) fn hostile_samples(count: u32) -> Vec<Finding> {
    let key = UserKey::parse("=Ann,\"O'Neil\"@Contoso.example");
    let file: Arc<str> = "returned, \"2\".csv".into();
    (0..count)
        .map(|i| match i % 5 {
            0 => Finding::new(Code::InvalidTollNumber, &file, "Say \"why\"\nhere, now.")
                .key(key.as_ref())
                .at(i + 2, None)
                .field("TollNumber")
                .value("+1 425\t555\u{1}\u{7f}\r"),
            1 => Finding::note(Code::Unchanged, &file, Note::Unchanged).key(key.as_ref()),
            2 => {
                let mut f = Finding::new(Code::ExcelMangled, &file, "-Zoë \\ \u{2028}")
                    .line(u32::MAX - i)
                    .value("@1.2E+07");
                f.cell = Some("Sheet1!D17".into());
                f
            }
            3 => Finding::note(
                Code::ProviderReplaced,
                &file,
                Note::ProviderReplaced {
                    new: "Fabrikam".into(),
                },
            )
            .key(key.as_ref())
            .line(i)
            .value("Inter\"Call"),
            _ => Finding::new(Code::EmptyKey, &file, "").field("\tKey"),
        })
        .collect()
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

    /// The summary counts findings by a code's number as its place in
    /// `Code::ALL`.
    #[test]
    fn codes_are_numbered_in_the_order_all_lists_them() {
        for (i, &code) in Code::ALL.iter().enumerate() {
            assert_eq!(code as usize, i, "{code:?}");
        }
    }

    proptest::proptest! {
        /// The sort gives the order of `sort_key`, whatever order findings
        /// come in, for keys alike in their first sixteen bytes too.
        #[test]
        fn findings_sort_by_their_sort_key(
            made in proptest::collection::vec(
                (
                    proptest::option::of(proptest::sample::select(vec![
                        "a@x", "b@x", "christopher.anderson1@x", "christopher.anderson2@x",
                        "christopher.anderson@x", "\0",
                    ])),
                    proptest::option::of(1u32..5),
                    proptest::sample::select(vec![Code::Unchanged, Code::DuplicateRow]),
                    proptest::sample::select(vec!["m1", "m2", "note"]),
                ),
                0..60,
            )
        ) {
            let file: Arc<str> = "r.csv".into();
            let mut findings: Vec<Finding> = made
                .iter()
                .map(|(key, line, code, message)| {
                    let made = match *message {
                        "note" => Finding::note(*code, &file, Note::Unchanged),
                        text => Finding::new(*code, &file, text),
                    };
                    let mut f = made.key(key.and_then(UserKey::parse).as_ref());
                    f.line = *line;
                    f
                })
                .collect();
            let mut expected = findings.clone();
            expected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            sort(&mut findings);
            proptest::prop_assert_eq!(findings, expected);
        }
    }

    #[test]
    fn notes_are_written_from_their_key_and_value() {
        let file: Arc<str> = "r.csv".into();
        let key = UserKey::parse("Ann@X");
        let replaced = Finding::note(
            Code::ProviderReplaced,
            &file,
            Note::ProviderReplaced {
                new: "Fabrikam".into(),
            },
        )
        .key(key.as_ref())
        .value("InterCall");
        assert_eq!(
            replaced.message(),
            "ann@x has InterCall now; the plan removes that entry (Remove-CsUserAcp) and sets Fabrikam."
        );
        let unchanged = Finding::note(Code::Unchanged, &file, Note::Unchanged).key(key.as_ref());
        assert_eq!(
            unchanged.message(),
            "ann@x already has these values: nothing to do."
        );
        let licence = Finding::note(
            Code::MicrosoftAcpAssigned,
            &file,
            Note::OnMicrosoftBridge { licence: true },
        )
        .key(key.as_ref());
        assert!(licence
            .message()
            .ends_with("first. They hold the Microsoft Audio Conferencing licence: remove it too, or it switches them back to Microsoft."));
        // report.json has the message written out, and no cell when none.
        let json = serde_json::to_value(&unchanged).unwrap();
        assert_eq!(
            json["message"],
            "ann@x already has these values: nothing to do."
        );
        assert!(json.get("cell").is_none());
        // Among written messages, a note sorts by its text.
        let written = Finding::new(Code::Unchanged, &file, "ann@x b").key(key.as_ref());
        let mut both = vec![written.clone(), unchanged.clone()];
        sort(&mut both);
        assert_eq!(both, [unchanged, written]);
    }

    #[test]
    fn severities_follow_the_spec_table() {
        assert_eq!(Code::MissingColumn.severity(), Severity::Fatal);
        assert_eq!(Code::DuplicateRow.severity(), Severity::Warning);
        assert_eq!(Code::ExcelMangled.severity(), Severity::Error);
        assert_eq!(Code::Unchanged.severity(), Severity::Info);
    }
}
