//! The decision for a person whose returned row is good: compared with what
//! they have now, what the plan does (add, replace, update) or that nothing
//! changes, and the notes an admin should read about it.

use super::values::{Assignment, HELD};
use crate::columns::Field;
use crate::finding::{Code, Detail};
use crate::model::{CheckedRow, Current, CurrentProvider, Number, Person, Phones, Span, Texts};
use crate::normalize::text::same_text;
use serde::Serialize;

/// What the plan does for one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// No provider now.
    Add,
    /// Another provider now, Microsoft's bridge included.
    Replace,
    /// Same provider, new values.
    Update,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Add => "add",
            Action::Replace => "replace",
            Action::Update => "update",
        }
    }
}

/// What the plan does for a person besides setting the new values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub action: Action,
    /// On Microsoft's bridge or holding its licence: disable that first.
    pub disable_microsoft: bool,
    /// The third-party entry to remove first: its provider name, a span of
    /// the roster's texts.
    pub remove: Option<Span>,
}

/// A note on a person's row: a finding without its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Note {
    pub code: Code,
    pub field: Option<Field>,
    pub detail: Detail,
}

impl Note {
    fn new(code: Code, field: Option<Field>) -> Note {
        Note {
            code,
            field,
            detail: Detail::None,
        }
    }
}

/// What a good row is compared with, besides the row.
pub struct Now<'a> {
    pub person: &'a Person,
    pub current: Option<&'a Current>,
    /// The person's current toll-free numbers.
    pub current_free: &'a [Number],
    /// The roster's texts (the current provider and ID).
    pub roster_texts: &'a Texts,
    pub phones: &'a Phones,
    /// The row's conference ID and provider name.
    pub conference_id: &'a str,
    pub provider_name: &'a str,
}

/// The change to plan for a good row, or `None` when nothing changes; the
/// notes on it go to `notes`.
pub fn compare(row: &CheckedRow, now: &Now<'_>, notes: &mut Vec<Note>) -> Option<Change> {
    let licence = now.person.licence;
    let mut change = Change {
        action: Action::Add,
        disable_microsoft: false,
        remove: None,
    };
    let microsoft = |bridge: bool| Note {
        detail: Detail::Microsoft { bridge, licence },
        ..Note::new(
            Code::MicrosoftAcpAssigned,
            Some(if bridge {
                Field::CurrentProvider
            } else {
                Field::MicrosoftLicence
            }),
        )
    };
    let provider = now.current.map_or(CurrentProvider::None, |c| c.provider);
    match provider {
        CurrentProvider::Microsoft => {
            notes.push(microsoft(true));
            change.action = Action::Replace;
            change.disable_microsoft = true;
        }
        CurrentProvider::None if licence => {
            notes.push(microsoft(false));
            change.action = Action::Replace;
            change.disable_microsoft = true;
        }
        CurrentProvider::None => {}
        CurrentProvider::ThirdParty(name)
            if same_text(now.roster_texts.get(name), now.provider_name) =>
        {
            let current = now.current.copied().unwrap_or_default();
            let text = |n: Number| match n {
                Number::Phone(p) => now.phones.e164(p),
                Number::Text(s) => now.roster_texts.get(s),
            };
            let current_id = current.conference_id.map(|s| now.roster_texts.get(s));
            let held = Assignment::new(
                now.roster_texts.get(name),
                current.toll_number.map_or("", text),
                now.current_free.iter().map(|&n| text(n)),
                current_id.unwrap_or(""),
            );
            let given = Assignment::new(
                now.provider_name,
                now.phones.e164(row.toll_number),
                now.phones
                    .numbers(row.toll_free_numbers)
                    .iter()
                    .map(|&p| now.phones.e164(p)),
                now.conference_id,
            );
            let differ = held.differences(&given, HELD);
            if differ.is_empty() && !licence {
                notes.push(Note::new(Code::Unchanged, None));
                return None;
            }
            if current_id.is_some() && differ.contains(&Field::ConferenceId) {
                notes.push(Note::new(
                    Code::ConferenceIdChanged,
                    Some(Field::ConferenceId),
                ));
            }
            if current.toll_number.is_some() && differ.contains(&Field::TollNumber) {
                notes.push(Note::new(Code::TollNumberChanged, Some(Field::TollNumber)));
            }
            if licence {
                notes.push(microsoft(false));
                change.disable_microsoft = true;
            }
            change.action = Action::Update;
            change.remove = Some(name);
        }
        CurrentProvider::ThirdParty(other) => {
            notes.push(Note::new(
                Code::ProviderReplaced,
                Some(Field::CurrentProvider),
            ));
            change.disable_microsoft = licence;
            change.action = Action::Replace;
            change.remove = Some(other);
        }
    }
    Some(change)
}

/// The fields a Teams plan sets, and so the ones "unchanged" compares.
pub const TEAMS: &[Field] = &[Field::TollNumber, Field::TollFreeNumbers];

/// The change to plan for a good row of a Teams plan: a person's default
/// toll and toll-free numbers, or `None` when both are the ones they have.
/// Nothing is removed first: a person has one set of defaults.
pub fn compare_teams(row: &CheckedRow, now: &Now<'_>, notes: &mut Vec<Note>) -> Option<Change> {
    let current = now.current.copied().unwrap_or_default();
    let text = |n: Number| match n {
        Number::Phone(p) => now.phones.e164(p),
        Number::Text(s) => now.roster_texts.get(s),
    };
    let held = Assignment::new(
        "",
        current.toll_number.map_or("", text),
        now.current_free.iter().map(|&n| text(n)),
        "",
    );
    let given = Assignment::new(
        "",
        now.phones.e164(row.toll_number),
        now.phones
            .numbers(row.toll_free_numbers)
            .iter()
            .map(|&p| now.phones.e164(p)),
        "",
    );
    let differ = held.differences(&given, TEAMS);
    if differ.is_empty() {
        notes.push(Note::new(Code::Unchanged, None));
        return None;
    }
    if current.toll_number.is_some() && differ.contains(&Field::TollNumber) {
        notes.push(Note::new(Code::TollNumberChanged, Some(Field::TollNumber)));
    }
    let has = current.toll_number.is_some() || !now.current_free.is_empty();
    Some(Change {
        action: if has { Action::Update } else { Action::Add },
        disable_microsoft: false,
        remove: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Key, Phone};

    /// The world of one test row: a returned row for Fabrikam with toll
    /// +14255550100, toll-free +18005550199 and ID 5100001.
    struct World {
        texts: Texts,
        phones: Phones,
        row: CheckedRow,
        toll: Phone,
        other_toll: Phone,
        free: Phone,
    }

    fn world() -> World {
        let mut phones = Phones::default();
        let toll = phones.add("+14255550100", false);
        let other_toll = phones.add("+14255550177", false);
        let free = phones.add("+18005550199", true);
        let list = phones.list(&[free]);
        World {
            texts: Texts::default(),
            phones,
            row: CheckedRow {
                toll_number: toll,
                toll_free_numbers: list,
                conference_id: Span::EMPTY,
                bridge: 0,
                error: false,
            },
            toll,
            other_toll,
            free,
        }
    }

    fn person(licence: bool) -> Person {
        Person {
            key: Key(0),
            row: 0,
            display_name: Span::EMPTY,
            mail: Span::KEY,
            enabled: Some(true),
            teams_only: false,
            licence,
            invite_numbers: false,
            current: 0,
        }
    }

    /// A note as the tests read it: its code and field.
    type Noted = (Code, Option<Field>);

    /// What a person has now, and what the plan should do.
    struct Case<'a> {
        name: &'a str,
        licence: bool,
        /// A provider name, "Microsoft", or "" for none.
        provider: &'a str,
        toll: Option<Phone>,
        free: Vec<Phone>,
        id: &'a str,
        /// Action, Microsoft disabled, provider removed; `None` when unchanged.
        want: Option<(Action, bool, Option<&'a str>)>,
        notes: Vec<Noted>,
    }

    /// Compares the world's row with the person of a case.
    fn decide(w: &mut World, case: &Case<'_>) -> (Option<Change>, Vec<Noted>, Option<String>) {
        let provider = match case.provider {
            "" => CurrentProvider::None,
            "Microsoft" => CurrentProvider::Microsoft,
            name => CurrentProvider::ThirdParty(w.texts.push(name)),
        };
        let current = Current {
            provider,
            toll_number: case.toll.map(Number::Phone),
            toll_free_numbers: (0, case.free.len() as u32),
            conference_id: (!case.id.is_empty()).then(|| w.texts.push(case.id)),
        };
        let current_free: Vec<Number> = case.free.iter().map(|&p| Number::Phone(p)).collect();
        let person = person(case.licence);
        let now = Now {
            person: &person,
            current: Some(&current),
            current_free: &current_free,
            roster_texts: &w.texts,
            phones: &w.phones,
            conference_id: "5100001",
            provider_name: "Fabrikam Conferencing",
        };
        let mut notes = Vec::new();
        let change = compare(&w.row, &now, &mut notes);
        let removed = change
            .and_then(|c| c.remove)
            .map(|s| w.texts.get(s).to_string());
        let notes = notes.iter().map(|n| (n.code, n.field)).collect();
        (change, notes, removed)
    }

    /// Every decision, one row each: what the person has now, and what
    /// the plan does with which notes.
    #[test]
    fn each_decision_for_a_good_row() {
        use Action::*;
        use Code::*;
        let mut w = world();
        let (t, o, f) = (w.toll, w.other_toll, w.free);
        let fab = "Fabrikam Conferencing";
        let case =
            |name, licence, provider, toll, free: &[Phone], id, want, notes: &[Noted]| Case {
                name,
                licence,
                provider,
                toll,
                free: free.to_vec(),
                id,
                want,
                notes: notes.to_vec(),
            };
        let cases = [
            case(
                "nothing now",
                false,
                "",
                None,
                &[],
                "",
                Some((Add, false, None)),
                &[],
            ),
            case(
                "Microsoft's bridge",
                false,
                "Microsoft",
                None,
                &[],
                "",
                Some((Replace, true, None)),
                &[(MicrosoftAcpAssigned, Some(Field::CurrentProvider))],
            ),
            case(
                "Microsoft's licence only",
                true,
                "",
                None,
                &[],
                "",
                Some((Replace, true, None)),
                &[(MicrosoftAcpAssigned, Some(Field::MicrosoftLicence))],
            ),
            case(
                "another provider",
                false,
                "InterCall",
                Some(o),
                &[],
                "7712345",
                Some((Replace, false, Some("InterCall"))),
                &[(ProviderReplaced, Some(Field::CurrentProvider))],
            ),
            case(
                "another provider and the licence",
                true,
                "InterCall",
                None,
                &[],
                "",
                Some((Replace, true, Some("InterCall"))),
                &[(ProviderReplaced, Some(Field::CurrentProvider))],
            ),
            case(
                "the same values",
                false,
                fab,
                Some(t),
                &[f],
                "5100001",
                None,
                &[(Unchanged, None)],
            ),
            case(
                "the same values, named in other case",
                false,
                "fabrikam  conferencing",
                Some(t),
                &[f],
                "5100001",
                None,
                &[(Unchanged, None)],
            ),
            case(
                "the same values but the licence",
                true,
                fab,
                Some(t),
                &[f],
                "5100001",
                Some((Update, true, Some(fab))),
                &[(MicrosoftAcpAssigned, Some(Field::MicrosoftLicence))],
            ),
            case(
                "a new ID",
                false,
                fab,
                Some(t),
                &[f],
                "4000002",
                Some((Update, false, Some(fab))),
                &[(ConferenceIdChanged, Some(Field::ConferenceId))],
            ),
            case(
                "a new toll number and ID",
                false,
                fab,
                Some(o),
                &[f],
                "4000002",
                Some((Update, false, Some(fab))),
                &[
                    (ConferenceIdChanged, Some(Field::ConferenceId)),
                    (TollNumberChanged, Some(Field::TollNumber)),
                ],
            ),
            case(
                "new toll-free numbers only",
                false,
                fab,
                Some(t),
                &[],
                "5100001",
                Some((Update, false, Some(fab))),
                &[],
            ),
            case(
                "no current ID or toll number known",
                false,
                fab,
                None,
                &[f],
                "",
                Some((Update, false, Some(fab))),
                &[],
            ),
        ];
        for case in &cases {
            let (change, notes, removed) = decide(&mut w, case);
            let got = change.map(|c| (c.action, c.disable_microsoft));
            assert_eq!(got, case.want.map(|w| (w.0, w.1)), "{}", case.name);
            assert_eq!(
                removed.as_deref(),
                case.want.and_then(|w| w.2),
                "{}",
                case.name
            );
            assert_eq!(notes, case.notes, "{}", case.name);
        }
    }
}
