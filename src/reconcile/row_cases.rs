//! Each row check and its cases, one returned row each, read against a
//! small roster: the codes found on the row. (The checks are in
//! `check::returned`; a row is read against its person here, after the
//! join.)

use super::{reconcile, Ask, Read};
use crate::check::{returned::Returned, roster::Builder};
use crate::finding::{Code, Input};
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
    let read = Read {
        roster: (roster_source, roster.finish()),
        returned,
        sent: None,
        bridge: None,
    };
    let outcome = reconcile(read, Ask::NOBODY, settings, &crate::progress::Quiet).unwrap();
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

/// The Teams target: a users export as the roster (Bob has numbers now,
/// Cy's policy lists invite numbers, Tom is TeamsOnly), and a bridge.
const TEAMS_ROSTER: &str = "Identity,DisplayName,ServiceNumber,TollFreeServiceNumber,BridgeName,MeetingInvitePhoneNumbers,TeamsUpgradeEffectiveMode\n\
    ann@c.example,Ann Lee,,,Main,,TeamsOnly\n\
    bob@c.example,Bob Ode,+14255550100,+18005550199,Main,,TeamsOnly\n\
    cy@c.example,Cy Wu,,,Main,+14255550100,TeamsOnly\n\
    tom@c.example,Tom Ito,,,Main,,TeamsOnly\n";
const BRIDGE: &str = "Number,Type,BridgeName\n\
    +14255550100,Toll,Main\n\
    +14255550111,Toll,Main\n\
    +18005550199,TollFree,Main\n\
    +18885550123,TollFree,Main\n\
    +12065550100,Toll,Other\n";
const TEAMS_HEADER: &str =
    "UserPrincipalName,DisplayName,ServiceNumber,TollFreeServiceNumber,BridgeName,ConferenceId";

/// The codes of one returned row of a Teams plan, with or without the
/// bridge's numbers.
fn teams_codes(line: &str, bridge: bool) -> Vec<Code> {
    let settings = Settings::parse(
        "target = \"teams\"\n[provider]\ndefault_region = \"US\"\n",
        Path::new("teams.toml"),
    )
    .unwrap();
    let options = ReadOptions::default();
    let (roster_source, roster) = read_bytes("users.csv", TEAMS_ROSTER.as_bytes(), &options, |s| {
        Builder::open(s, &settings, false)
    })
    .unwrap();
    let text = format!("{TEAMS_HEADER}\n{line}\n");
    let returned = read_bytes("r.csv", text.as_bytes(), &options, |s| {
        Returned::open(s, &settings)
    })
    .unwrap();
    let bridge = bridge.then(|| {
        read_bytes("bridge.csv", BRIDGE.as_bytes(), &options, |s| {
            crate::check::bridge::Inventory::open(s, &settings)
        })
        .unwrap()
    });
    let read = Read {
        roster: (roster_source, roster.finish()),
        returned,
        sent: None,
        bridge,
    };
    let outcome = reconcile(read, Ask::NOBODY, &settings, &crate::progress::Quiet).unwrap();
    let mut codes: Vec<Code> = outcome
        .findings
        .iter()
        .filter(|f| f.code != MissingFromReturn)
        .map(|f| f.code)
        .collect();
    codes.sort();
    codes
}

#[test]
fn each_teams_check_and_its_cases() {
    let cases: &[(&str, &str, bool, &[Code])] = &[
        (
            "a good row",
            "ann@c.example,Ann Lee,+14255550100,+18005550199,Main,",
            true,
            &[],
        ),
        (
            "no toll-free number",
            "ann@c.example,Ann Lee,+14255550100,,Main,",
            true,
            &[],
        ),
        (
            "no bridge named",
            "ann@c.example,Ann Lee,+14255550111,,,",
            true,
            &[],
        ),
        (
            "the numbers they have",
            "bob@c.example,Bob Ode,+14255550100,+18005550199,Main,",
            true,
            &[Unchanged],
        ),
        (
            "a new service number",
            "bob@c.example,Bob Ode,+14255550111,+18005550199,Main,",
            true,
            &[TollNumberChanged],
        ),
        (
            "a number not on the bridge",
            "ann@c.example,Ann Lee,+13125550100,,Main,",
            true,
            &[NumberNotOnBridge],
        ),
        (
            "a toll-free number not on the bridge",
            "ann@c.example,Ann Lee,+14255550100,+18775550100,Main,",
            true,
            &[NumberNotOnBridge],
        ),
        (
            "a number of another bridge",
            "ann@c.example,Ann Lee,+12065550100,,Main,",
            true,
            &[NumberNotOnBridge],
        ),
        (
            "another bridge, the person's own",
            "ann@c.example,Ann Lee,+12065550100,,,",
            true,
            &[NumberNotOnBridge],
        ),
        (
            "toll-free as the service number",
            "ann@c.example,Ann Lee,+18885550123,,Main,",
            true,
            &[WrongNumberType],
        ),
        (
            "toll as the toll-free number",
            "ann@c.example,Ann Lee,+14255550100,+14255550111,Main,",
            true,
            &[WrongNumberType],
        ),
        (
            "without the bridge, by the number",
            "ann@c.example,Ann Lee,+18885550123,,Main,",
            false,
            &[WrongNumberType],
        ),
        (
            "without the bridge, any number of its type",
            "ann@c.example,Ann Lee,+13125550100,,Main,",
            false,
            &[],
        ),
        (
            "two toll-free numbers",
            "ann@c.example,Ann Lee,+14255550100,+18005550199;+18885550123,Main,",
            true,
            &[InvalidTollFreeNumber],
        ),
        (
            "a conference ID given",
            "ann@c.example,Ann Lee,+14255550100,,Main,5100001",
            true,
            &[ConferenceIdNotSettable],
        ),
        (
            "a policy with invite numbers",
            "cy@c.example,Cy Wu,+14255550100,,Main,",
            true,
            &[PolicyOverridesNumbers],
        ),
        (
            "TeamsOnly is wanted",
            "tom@c.example,Tom Ito,+14255550100,,Main,",
            true,
            &[],
        ),
        (
            "no service number",
            "ann@c.example,Ann Lee,,+18005550199,Main,",
            true,
            &[MissingTollNumber],
        ),
    ];
    for (case, line, bridge, want) in cases {
        let mut want = want.to_vec();
        want.sort();
        assert_eq!(teams_codes(line, *bridge), want, "{case}");
    }
}
