//! Findings in words: each finding's message, the value it shows, its
//! field and where it is, written from the compact finding and the run's
//! [`Outcome`] when an output is written. Every sentence of the tool about
//! a finding is here.

pub use super::reasons::{clip, join, QUOTED};
use super::reasons::{damage_text, invalid_text, list, or_none};
use crate::check::returned::number_text;
use crate::columns::Field;
use crate::config::Target;
use crate::finding::{Closeness, Code, Detail, Finding, Input, Problem, ProviderIssue};
use crate::model::CurrentProvider;
use crate::normalize::phone::split_list;
use crate::reconcile::earlier::RequestedBy;
use crate::reconcile::Outcome;
use std::borrow::Cow;
use std::fmt::Write;

/// Writes findings of one run in words.
#[derive(Clone, Copy)]
pub struct Words<'a> {
    pub outcome: &'a Outcome,
}

impl<'a> Words<'a> {
    pub fn new(outcome: &'a Outcome) -> Words<'a> {
        Words { outcome }
    }

    /// The normalised key of the finding's row, if it has one.
    pub fn key(&self, f: &Finding) -> Option<&'a str> {
        let key = f.key;
        key.get().map(|k| self.outcome.key_text(k))
    }

    pub fn file(&self, f: &Finding) -> &'a str {
        self.outcome.file(f.input)
    }

    pub fn line(&self, f: &Finding) -> Option<u32> {
        (f.line > 0).then_some(f.line)
    }

    /// The column of the finding's field in its file.
    pub fn column(&self, f: &Finding) -> Option<usize> {
        if let Detail::Column(c) = f.detail {
            return Some(c as usize);
        }
        let field = f.field?;
        match f.input {
            Input::Returned => self.outcome.inputs.returned.columns.get(field),
            Input::Roster => self.outcome.inputs.roster.columns.get(field),
            Input::Sent => self.outcome.inputs.sent.as_ref()?.columns.get(field),
            Input::Bridge => self.outcome.inputs.bridge.as_ref()?.columns.get(field),
        }
    }

    /// `Sheet1!D17` for a finding on a workbook row.
    pub fn cell_ref(&self, f: &Finding) -> Option<String> {
        let source = self.outcome.source(f.input)?;
        source.cell_ref(self.line(f)?, self.column(f))
    }

    /// The field's name: the spec's, or a PIN column's header.
    pub fn field(&self, f: &Finding) -> Option<&'a str> {
        match (f.field?, f.detail) {
            (Field::Pin, Detail::Column(c)) => {
                let source = self.outcome.source(f.input)?;
                source.headers.get(c as usize).map(String::as_str)
            }
            (field, _) => Some(self.field_name(field)),
        }
    }

    /// A field's name as the target's files call it: Teams' numbers are
    /// `ServiceNumber` and `TollFreeServiceNumber`.
    pub fn field_name(&self, field: Field) -> &'static str {
        match (self.outcome.target, field) {
            (Target::Teams, Field::TollNumber) => "ServiceNumber",
            (Target::Teams, Field::TollFreeNumbers) => "TollFreeServiceNumber",
            (_, field) => field.name(),
        }
    }

    /// The returned cell of the finding's field, trimmed; for a list, the
    /// entry the finding is about. Read once per finding by each writer,
    /// and given to [`Words::value_at`] and [`Words::message_at`].
    pub fn cell(&self, f: &Finding) -> &'a str {
        let (Some(field), Some(row), Input::Returned) = (f.field, f.row(), f.input) else {
            return "";
        };
        if !f.code.shows_cell() {
            return "";
        }
        let cell = self.outcome.inputs.returned.cell(row, field);
        match f.entry {
            0 => cell,
            n => split_list(cell).nth(n as usize - 1).unwrap_or(cell),
        }
    }

    fn key_or_empty(&self, f: &Finding) -> &'a str {
        self.key(f).unwrap_or("")
    }

    /// The value the finding shows: the cell as received (never a PIN), the
    /// key, or a value the run worked out.
    pub fn value(&self, f: &Finding) -> Option<Cow<'a, str>> {
        self.value_at(f, self.cell(f))
    }

    /// [`Words::value`] of a finding whose [`Words::cell`] is read already.
    pub fn value_at(&self, f: &Finding, cell: &'a str) -> Option<Cow<'a, str>> {
        let o = self.outcome;
        let value: Cow<'a, str> = match (f.code, f.detail) {
            (Code::EmptyKey, _) if f.input == Input::Returned => {
                let row = f.row()?;
                let record = o.inputs.returned.cells(row);
                Cow::Owned(
                    record
                        .get(o.inputs.returned.columns.get(Field::Key))
                        .to_string(),
                )
            }
            (Code::NotInRoster | Code::NotRequested, _) => Cow::Borrowed(self.key(f)?),
            (Code::DuplicateUser, Detail::None) if f.input == Input::Returned => {
                Cow::Borrowed(self.key(f)?)
            }
            (Code::MicrosoftAcpAssigned, Detail::Microsoft { bridge: true, .. }) => {
                Cow::Borrowed("Microsoft")
            }
            (Code::ProviderReplaced, _) => Cow::Borrowed(self.current_provider(f)?),
            (Code::ConferenceIdChanged, _) => Cow::Borrowed(
                o.reconciliation
                    .texts
                    .get(o.reconciliation.rows[f.row()? as usize].conference_id),
            ),
            (Code::TollNumberChanged, _) => {
                Cow::Borrowed(o.e164(o.reconciliation.rows[f.row()? as usize].toll_number))
            }
            (Code::VendorChangedValues, Detail::Drift(i)) => {
                let drift = o.findings.drift.get(i as usize)?;
                let field = *drift.fields.first()?;
                Cow::Borrowed(drift.now.get(field))
            }
            (
                Code::DuplicateRow
                | Code::DuplicateUser
                | Code::MalformedRow
                | Code::MissingFromReturn
                | Code::TeamsOnlyUser
                | Code::AccountDisabled
                | Code::MicrosoftAcpAssigned
                | Code::PinColumnIgnored
                | Code::ConferenceIdNotSettable
                | Code::PolicyOverridesNumbers
                | Code::Unchanged,
                _,
            ) => return None,
            _ => Cow::Borrowed(cell),
        };
        (!value.is_empty()).then_some(value)
    }

    fn current_provider(&self, f: &Finding) -> Option<&'a str> {
        let o = self.outcome;
        let person = o.inputs.roster.person(f.key)?;
        match o.inputs.roster.current(person)?.provider {
            CurrentProvider::ThirdParty(name) => Some(o.inputs.roster.texts.get(name)),
            _ => None,
        }
    }

    /// The person's current value of a field, as text.
    fn current(&self, f: &Finding, field: Field) -> &'a str {
        let o = self.outcome;
        let current = o
            .inputs
            .roster
            .person(f.key)
            .and_then(|p| o.inputs.roster.current(p));
        let Some(current) = current else { return "" };
        match field {
            Field::ConferenceId => current
                .conference_id
                .map_or("", |s| o.inputs.roster.texts.get(s)),
            _ => current.toll_number.map_or("", |n| {
                number_text(n, &o.reconciliation.phones, &o.inputs.roster.texts)
            }),
        }
    }

    /// The Teams bridge a finding's row names, or else the roster's for
    /// the person.
    fn bridge_of(&self, f: &Finding) -> &'a str {
        let o = self.outcome;
        match f
            .row()
            .map(|r| o.inputs.returned.cell(r, Field::BridgeName))
        {
            Some(name) if !name.is_empty() => name,
            _ => o
                .inputs
                .roster
                .person(f.key)
                .and_then(|p| o.inputs.roster.bridge_name(p))
                .unwrap_or(""),
        }
    }

    /// The key suggested for a key not in the roster.
    pub fn suggestion(&self, f: &Finding) -> Option<&'a str> {
        match f.detail {
            Detail::Suggestion(key, _) => Some(self.outcome.key_text(crate::model::Key(key))),
            _ => None,
        }
    }

    /// Writes what the finding says, in words, and what to do about it.
    pub fn message(&self, f: &Finding, out: &mut String) {
        let _ = self.write_message(f, self.cell(f), out);
    }

    /// [`Words::message`] of a finding whose [`Words::cell`] is read already.
    pub fn message_at(&self, f: &Finding, cell: &str, out: &mut String) {
        let _ = self.write_message(f, cell, out);
    }

    /// [`Words::message_at`] as a new string.
    pub fn message_at_string(&self, f: &Finding, cell: &str) -> String {
        let mut out = String::new();
        self.message_at(f, cell, &mut out);
        out
    }

    /// [`Words::message`] as a new string.
    pub fn message_string(&self, f: &Finding) -> String {
        let mut out = String::new();
        self.message(f, &mut out);
        out
    }

    fn write_message(&self, f: &Finding, raw: &str, out: &mut String) -> std::fmt::Result {
        let o = self.outcome;
        // What a message quotes of an input is clipped: a cell can be huge.
        let key = clip(self.key_or_empty(f));
        let raw = &*clip(raw);
        let field = f.field.map_or("", |f| self.field_name(f));
        let toll = self.field_name(Field::TollNumber);
        match (f.code, f.input, f.detail) {
            (Code::MalformedRow, input, Detail::Problem(problem)) => {
                out.push_str(match input {
                    Input::Roster => "This roster row ",
                    Input::Sent => "This row of the sent file ",
                    Input::Bridge => "This row of the bridge's numbers ",
                    Input::Returned => "This row ",
                });
                self.problem(f, problem, out)?;
                out.push_str(match input {
                    Input::Roster => ". The person on it is left out.",
                    Input::Sent => "; the person on it is not counted as requested.",
                    Input::Bridge => "; its number is taken as not on the bridge.",
                    Input::Returned => ". Ask the vendor to correct the row.",
                });
            }
            (Code::EmptyKey, Input::Roster, _) => {
                out.push_str("This roster row has no UserPrincipalName. Fill it in or delete the row.")
            }
            (Code::EmptyKey, Input::Sent, _) => {
                out.push_str("This row of the sent file has no UserPrincipalName; it requests nobody.")
            }
            (Code::EmptyKey, Input::Returned, _) => out.push_str(
                "This row has no UserPrincipalName, so nobody can be set up from it. Ask the vendor which person it is for.",
            ),
            (Code::DuplicateRow, input, Detail::Line(line)) => {
                let what = if input == Input::Roster { "This roster row" } else { "This row" };
                write!(out, "{what} repeats line {line} exactly; it is read once.")?
            }
            (Code::DuplicateUser, Input::Roster, Detail::Line(line)) => write!(
                out,
                "The roster lists {key} again with other values (first on line {line}). Keep one row for this person; until then nothing is planned for them."
            )?,
            (Code::DuplicateUser, _, Detail::Lines(list)) => {
                let others = o.findings.lists.get(list as usize).map_or(&[][..], |l| &l[..]);
                write!(out, "{key} has several rows that disagree (also line {}); none is used. Ask the vendor which one is right.", join(others))?
            }
            (Code::DuplicateUser, _, _) => {
                let lines = o
                    .inputs
                    .roster
                    .conflicts
                    .get(&f.key)
                    .map_or(&[][..], |l| &l[..]);
                write!(out, "The roster lists {key} on several rows that disagree (lines {}); fix the roster first.", join(lines))?
            }
            (Code::MissingFromReturn, _, _) => write!(
                out,
                "{key} was requested but has no row in {}. Ask the vendor for this person's details.",
                o.file(Input::Returned)
            )?,
            (Code::NotInRoster, _, Detail::Suggestion(other, why)) => {
                let other = clip(o.key_text(crate::model::Key(other)));
                let why = match why {
                    Closeness::Mail => "the roster's Mail for them",
                    Closeness::Sip => "the roster's SipAddress for them",
                    Closeness::Swapped => "first and last name swapped",
                    Closeness::OtherDomain => "the same name in another domain",
                    Closeness::Typo => "a letter or two off",
                };
                write!(
                    out,
                    "{key} is not in the roster. Did you mean {other} ({why})? They were requested and have no row. Ask the vendor to correct the key."
                )?
            }
            (Code::NotInRoster, _, _) => write!(
                out,
                "{key} is not in the roster. Check the spelling with the vendor, or add the person to the roster."
            )?,
            (Code::NotRequested, _, _) => {
                let why = match o.coverage.requested_by {
                    RequestedBy::Sent => "not in the sent file",
                    RequestedBy::Batches => "not waited for by the ledger's batches this run covers",
                    RequestedBy::Roster if o.target == Target::Teams => {
                        "the roster marks the account disabled"
                    }
                    RequestedBy::Roster => "the roster marks the account disabled or in TeamsOnly mode",
                };
                write!(out, "{key} is in the roster but was not requested ({why}); the row is planned anyway. Remove it from the file if that is wrong.")?
            }
            (Code::IdentityMismatch, _, _) => {
                let person = o.inputs.roster.person(f.key);
                let known = match (person, f.field) {
                    (Some(p), Some(Field::Mail)) => o.inputs.roster.mail(p, self.key_or_empty(f)),
                    (Some(p), _) => o.inputs.roster.texts.get(p.display_name),
                    (None, _) => "",
                };
                let known = clip(known);
                write!(out, "{field} {raw:?} does not match the roster's {known:?} for {key}: the vendor's rows may be shifted. Compare this row with the file that was sent.")?
            }
            (Code::WrongProvider, _, Detail::Provider(issue)) => {
                let expected = &o.reconciliation.expected;
                let want = match f.field {
                    Some(Field::Domain) => expected.domain.as_deref(),
                    _ => expected.name.as_deref(),
                }
                .unwrap_or_default();
                let want = clip(want);
                let source = expected.source();
                match issue {
                    ProviderIssue::Microsoft => out.push_str("This row names Microsoft's own bridge, which is never a third-party assignment. Ask the vendor for its own provider details."),
                    ProviderIssue::Empty => write!(out, "{field} is empty; {want:?} is expected (from {source}).")?,
                    ProviderIssue::Differs => write!(out, "{field} {raw:?} differs from the expected {want:?} (from {source}). Check that the row is for this provider.")?,
                    ProviderIssue::EmptyEverywhere => {
                        let setting = if f.field == Some(Field::Domain) { "domain" } else { "name" };
                        write!(out, "{field} is empty on every row; set provider.{setting} in the config or ask the vendor to fill it.")?
                    }
                }
            }
            (Code::MissingTollNumber, _, _) => write!(
                out,
                "No toll number. Every person needs the bridge's default toll number; ask the vendor to fill {toll} (E.164, e.g. +14255550100)."
            )?,
            (Code::TollNumberIsTollFree, _, _) => {
                let number = f.row().map_or("", |r| o.e164(o.reconciliation.rows[r as usize].toll_number));
                write!(out, "TollNumber {number} is a toll-free number; the toll field should hold the bridge's toll (paid) number. Check with the vendor.")?
            }
            (Code::InvalidTollNumber, _, detail) => {
                write!(out, "{toll} {raw:?} ")?;
                self.reason(raw, detail, out)?;
                out.push_str(". Ask the vendor for the number in E.164 form, e.g. +14255550100.");
            }
            (Code::InvalidTollFreeNumber, _, detail) => {
                write!(out, "Toll-free number {raw:?} ")?;
                self.reason(raw, detail, out)?;
                out.push_str(". Ask the vendor for it in E.164 form, e.g. +18005550199.");
            }
            (Code::NotTollFree, _, detail) => {
                let e164 = match detail {
                    Detail::Number(p) => o.e164(crate::model::Phone(p)),
                    _ => raw,
                };
                write!(out, "Toll-free number {e164} is not a toll-free number. Check with the vendor.")?
            }
            (Code::MissingConferenceId, _, _) => {
                out.push_str("No conference ID. Ask the vendor to fill ConferenceId for this person.")
            }
            (Code::InvalidConferenceId, _, detail) => {
                write!(out, "ConferenceId {raw:?} ")?;
                self.reason(raw, detail, out)?;
                out.push_str(". Ask the vendor for the right ID.");
            }
            (Code::ExcelMangled, _, Detail::Mangled(damage, likely)) => {
                write!(out, "{field} {raw:?} ")?;
                damage_text(damage, raw, out)?;
                out.push('.');
                if let Some(likely) = likely.get().and_then(|l| o.findings.likely.get(l)) {
                    write!(out, " It was probably {likely}.")?;
                }
                out.push_str(" Ask the vendor to send it again with the column formatted as text.");
            }
            (Code::ExcelRepaired, _, Detail::Mangled(damage, repaired)) => {
                let repaired = repaired.get().and_then(|l| o.findings.likely.get(l)).map_or("", |s| &**s);
                write!(out, "{field} {raw:?} ")?;
                damage_text(damage, raw, out)?;
                write!(out, "; it is planned as {repaired}. Check it, and ask the vendor to format the column as text next time.")?
            }
            (Code::DuplicateConferenceId, _, Detail::Shared(shared)) => {
                let (id, people) = o.findings.shared.get(shared as usize).map_or(("", &[][..]), |s| (o.reconciliation.texts.get(s.0), &s.1[..]));
                let me = f.key;
                let others: Vec<&str> = people.iter().filter(|&&k| k != me).map(|&k| o.key_text(k)).collect();
                let id = clip(id);
                write!(out, "ConferenceId {id} is also given to {}; a conference ID belongs to one person. Ask the vendor for distinct IDs.", list(&others))?
            }
            (Code::InvalidUrl, _, _) => out.push_str(
                "Url is not an http(s) URL, so it is left out of the plan. Ask the vendor for the link to its dial-in numbers page.",
            ),
            (Code::ConferenceIdChanged, _, _) => {
                let id = f.row().map_or("", |r| o.reconciliation.texts.get(o.reconciliation.rows[r as usize].conference_id));
                let old = self.current(f, Field::ConferenceId);
                write!(out, "ConferenceId {id} differs from {key}'s current {old}; people who have the old one in invites will not get in. Confirm the change with the vendor.")?
            }
            (Code::TollNumberChanged, _, _) => {
                let number = f.row().map_or("", |r| o.e164(o.reconciliation.rows[r as usize].toll_number));
                let old = self.current(f, Field::TollNumber);
                write!(out, "{toll} {number} differs from {key}'s current {old}. Confirm the change with the vendor.")?
            }
            (Code::ProviderReplaced, _, _) => {
                let old = clip(self.current_provider(f).unwrap_or_default());
                let new = clip(o.reconciliation.expected.name.as_deref().unwrap_or_default());
                write!(out, "{key} has {old} now; the plan removes that entry (Remove-CsUserAcp) and sets {new}.")?
            }
            (Code::MicrosoftAcpAssigned, _, Detail::Microsoft { bridge: true, licence }) => {
                write!(out, "{key} uses Microsoft's bridge now; the plan runs Disable-CsOnlineDialInConferencingUser first.")?;
                if licence {
                    out.push_str(" They hold the Microsoft Audio Conferencing licence: remove it too, or it switches them back to Microsoft.");
                }
            }
            (Code::MicrosoftAcpAssigned, _, _) => write!(
                out,
                "{key} holds the Microsoft Audio Conferencing licence; the plan runs Disable-CsOnlineDialInConferencingUser first. Remove the licence too, or it switches them back to Microsoft."
            )?,
            (Code::TeamsOnlyUser, _, _) => write!(
                out,
                "{key} is in TeamsOnly mode: a third-party provider does not apply to Teams meetings, so this assignment has no effect there."
            )?,
            (Code::AccountDisabled, _, _) => write!(
                out,
                "The roster marks {key}'s account disabled; the assignment is planned, but nobody can use it until the account is enabled."
            )?,
            (Code::PinColumnIgnored, _, _) => out.push_str(
                "This column holds PINs. They were read past and copied nowhere; send-back.csv has these cells emptied. Send PINs to people only through a private channel.",
            ),
            (Code::Unchanged, _, _) => write!(out, "{key} already has these values: nothing to do.")?,
            (Code::VendorChangedValues, _, Detail::Drift(i)) => {
                let Some(drift) = o.findings.drift.get(i as usize) else { return Ok(()) };
                let changes: Vec<String> = drift
                    .fields
                    .iter()
                    .map(|&field| format!("{} {} before, {} now", field.name(), clip(or_none(drift.before.get(field))), clip(or_none(drift.now.get(field)))))
                    .collect();
                write!(
                    out,
                    "The vendor returned other values for {key} than in {}:{}: {}. Ask the vendor which is right; the plan sets the new ones.",
                    clip(&drift.file),
                    drift.line,
                    changes.join("; ")
                )?
            }
            (Code::NumberNotOnBridge, _, Detail::Bridge(phone, on)) => {
                let number = o.e164(crate::model::Phone(phone));
                let bridge = o.file(Input::Bridge);
                let theirs = o.inputs.bridge.as_ref().map(|b| b.name(on)).filter(|n| !n.is_empty());
                match theirs {
                    Some(theirs) => write!(
                        out,
                        "{field} {number} is on the bridge {:?} in {bridge}, not on {:?}, the one this row names: Set-CsOnlineDialInConferencingUser would refuse it. Ask which bridge the person is on.",
                        clip(theirs),
                        clip(self.bridge_of(f))
                    )?,
                    None => write!(
                        out,
                        "{field} {number} is not one of the bridge's numbers in {bridge}: Set-CsOnlineDialInConferencingUser would refuse it. Ask for one of the bridge's numbers, or export them again."
                    )?,
                }
            }
            (Code::WrongNumberType, _, Detail::Number(phone)) => {
                let number = o.e164(crate::model::Phone(phone));
                let listed = o.inputs.bridge.as_ref().and_then(|b| b.get(number)).and_then(|l| l.toll_free);
                let from = match listed {
                    Some(_) => "the bridge's numbers say so",
                    None => "by the number itself",
                };
                match f.field {
                    Some(Field::TollNumber) => write!(
                        out,
                        "{field} {number} is a toll-free number ({from}); the service number is the bridge's toll number, and the toll-free one goes in {}. Ask for the bridge's toll number.",
                        self.field_name(Field::TollFreeNumbers)
                    )?,
                    _ => write!(
                        out,
                        "{field} {number} is a toll number ({from}), not a toll-free one. Ask for the bridge's toll-free number, or leave the cell empty."
                    )?,
                }
            }
            (Code::ConferenceIdNotSettable, _, _) => out.push_str(
                "This file gives conference IDs: Teams makes each person's conference ID itself (they are dynamic since 2022), so none is planned. The numbers are.",
            ),
            (Code::PolicyOverridesNumbers, _, _) => write!(
                out,
                "{key}'s audio-conferencing policy lists meeting invite numbers (MeetingInvitePhoneNumbers): those replace the person's own numbers in invitations. The numbers are planned; change the policy for them to show."
            )?,
            (code, _, _) => write!(out, "{code}.")?,
        }
        Ok(())
    }

    fn problem(&self, f: &Finding, problem: Problem, out: &mut String) -> std::fmt::Result {
        match problem {
            Problem::FieldCount { found, expected } => write!(
                out,
                "has {found} fields where the header has {expected} (check the delimiters and quotes on this line)"
            ),
            Problem::BrokenQuote => {
                out.push_str("has a quoted field that opens on this line and does not close where the row ends (check the quotes on this line)");
                Ok(())
            }
            Problem::Nul { column } => {
                let source = self.outcome.source(f.input);
                let header = source.and_then(|s| s.headers.get(usize::from(column)));
                let column = crate::source::sheet::column_letters(u32::from(column));
                match header {
                    Some(h) => write!(out, "holds a NUL byte (\\0) in its {} cell (column {column}): the tool that wrote the file left it; ask the vendor to send the row without it", clip(h)),
                    None => write!(out, "holds a NUL byte (\\0) in column {column}: the tool that wrote the file left it; ask the vendor to send the row without it"),
                }
            }
            Problem::NoNumber => {
                out.push_str("has no phone number in its Number column");
                Ok(())
            }
            Problem::Undecodable => {
                let encoding = self.outcome.source(f.input).map_or("UTF-8", |s| s.encoding.as_str());
                write!(out, "holds bytes that are not valid {encoding} (re-save the file as UTF-8)")
            }
        }
    }

    /// Why a value is not a phone number or a conference ID.
    fn reason(&self, raw: &str, detail: Detail, out: &mut String) -> std::fmt::Result {
        match detail {
            Detail::Invalid(reason) => invalid_text(reason, raw, out),
            Detail::Mangled(damage, _) => damage_text(damage, raw, out),
            _ => {
                out.push_str("is not valid");
                Ok(())
            }
        }
    }
}
