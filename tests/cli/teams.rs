//! The Teams target: a users export as the roster, the bridge's numbers,
//! the operator's returned file, and a plan for the MicrosoftTeams module.

use crate::common::{fixture, reconcile_with, write, Run, OUTPUTS};
use crate::powershell::inert_ranges;
use assert_cmd::Command;
use tempfile::TempDir;

/// The Teams sample, with `extra` arguments.
fn teams(extra: &[&str]) -> Run {
    let (users, returned, bridge, config) = (
        fixture("teams/users.csv"),
        fixture("teams/returned.csv"),
        fixture("teams/bridge.csv"),
        fixture("teams/teams.toml"),
    );
    let mut args = vec![
        "--roster",
        users.to_str().unwrap(),
        "--returned",
        returned.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--bridge",
        bridge.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    reconcile_with(&args, &[])
}

fn person(name: &str) -> String {
    format!("{name}@contoso.example")
}

/// Every code of the Teams target on the sample, person by person, and the
/// plan of those who pass.
#[test]
fn the_teams_sample_gives_each_new_code_and_plans_the_rest() {
    let run = teams(&[]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let mut found: Vec<(String, String, String)> = run.report()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap_or("-").to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["field"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    found.sort();
    let row = |k: &str, code: &str, field: &str| {
        let key = if k == "-" { k.to_string() } else { person(k) };
        (key, code.to_string(), field.to_string())
    };
    let mut want = vec![
        row("-", "conference-id-not-settable", "ConferenceId"),
        row("-", "pin-column-ignored", "LeaderPin"),
        row("bob.ortiz", "unchanged", "-"),
        row("chloe.martin", "toll-number-changed", "ServiceNumber"),
        // A toll-free number as the service number, by the bridge's Type.
        row("dmitri.petrov", "wrong-number-type", "ServiceNumber"),
        // A toll number as the toll-free one.
        row("elise.dubois", "wrong-number-type", "TollFreeServiceNumber"),
        // Not among the bridge's numbers.
        row("farah.khan", "number-not-on-bridge", "ServiceNumber"),
        row(
            "george.brown",
            "policy-overrides-numbers",
            "MeetingInvitePhoneNumbers",
        ),
        // On the bridge, but another bridge than the person's.
        row("hana.sato", "number-not-on-bridge", "ServiceNumber"),
        row(
            "julia.costa",
            "invalid-toll-free-number",
            "TollFreeServiceNumber",
        ),
    ];
    want.sort();
    assert_eq!(found, want);
    let plan = run.csv("import-plan.csv");
    assert_eq!(
        plan,
        [
            [
                "Identity",
                "ServiceNumber",
                "TollFreeServiceNumber",
                "BridgeName",
                "Action"
            ],
            [
                &person("ann.lee"),
                "+14255550100",
                "+18005550199",
                "Contoso Bridge",
                "add"
            ],
            [
                &person("chloe.martin"),
                "+14255550111",
                "+18005550199",
                "Contoso Bridge",
                "update"
            ],
            [
                &person("george.brown"),
                "+14255550100",
                "+18005550199",
                "Contoso Bridge",
                "add"
            ],
            // TeamsOnly or not, Teams is where the numbers go.
            [
                &person("ivan.horvat"),
                "+14255550111",
                "+18885550123",
                "Contoso Bridge",
                "add"
            ],
        ]
        .map(|r| r.map(String::from).to_vec())
    );
    let report = run.report();
    let message = |key: &str, code: &str| -> String {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == person(key) && f["code"] == code)
            .map(|f| f["message"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert!(
        message("hana.sato", "number-not-on-bridge").contains("on the bridge \"Contoso Bridge\"")
    );
    assert!(message("dmitri.petrov", "wrong-number-type").contains("the bridge's numbers say so"));
    assert!(message("george.brown", "policy-overrides-numbers").contains("replace"));
}

/// No LeaderPin of the users export or the returned file reaches a byte of
/// any output, the terminal, or the ledger.
#[test]
fn leader_pins_reach_no_output_and_not_the_ledger() {
    let run = teams(&["--show", "50"]);
    let ledger = std::fs::read(run.dir.path().join("acp-recon.db")).unwrap();
    let mut places: Vec<(&str, Vec<u8>)> = OUTPUTS
        .iter()
        .map(|n| (*n, std::fs::read(run.out().join(n)).unwrap()))
        .collect();
    places.push(("stdout", run.stdout.clone().into_bytes()));
    places.push(("stderr", run.stderr.clone().into_bytes()));
    places.push(("the ledger", ledger));
    for n in 1..=11 {
        let pin = format!("482139{n:02}");
        for (place, bytes) in &places {
            assert!(
                !String::from_utf8_lossy(bytes).contains(&pin),
                "PIN {pin} is in {place}"
            );
        }
    }
}

#[test]
fn the_teams_plan_script_is_pinned_and_never_uses_what_teams_refuses() {
    let run = teams(&[]);
    let script = run.read("import-plan.ps1");
    for never in [
        "-WhatIf",
        "-ConferenceId",
        "-AllowTollFreeDialIn",
        "-SendEmail",
        "CsUserAcp",
    ] {
        assert!(!script.contains(never), "{never} in the script");
    }
    // One cmdlet a person planned, its values quoted.
    assert_eq!(
        script
            .matches("    Set-CsOnlineDialInConferencingUser -Identity '")
            .count(),
        4
    );
    assert!(script.contains("Get-CsOnlineDialInConferencingUser -Identity $Identity"));
    let pinned: String = script
        .replace("\r\n", "\n")
        .lines()
        .filter(|l| !l.contains("SHA-256"))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!("teams-import-plan.ps1", pinned);
}

/// Identities that try to break out of their quotes stay inside them.
#[test]
fn hostile_identities_stay_inside_their_quotes() {
    let dir = TempDir::new().unwrap();
    let hostile = [
        "o'brien@contoso.example",
        "$(Remove-Item C:\\)@contoso.example",
        "`Remove-Item`@contoso.example",
        "a\u{2019};Remove-Item@contoso.example",
    ];
    let mut users = String::from("Identity,DisplayName,ServiceNumber,TollFreeServiceNumber\n");
    let mut returned =
        String::from("UserPrincipalName,DisplayName,ServiceNumber,TollFreeServiceNumber\n");
    for (i, key) in hostile.iter().enumerate() {
        let name = format!("\"Name {i}\r\n; Remove-Item -Recurse C:\\\"");
        users.push_str(&format!("\"{key}\",{name},,\n"));
        returned.push_str(&format!("\"{key}\",{name},+14255550100,+18005550199\n"));
    }
    let users = write(&dir, "users.csv", users.as_bytes());
    let returned = write(&dir, "returned.csv", returned.as_bytes());
    let run = reconcile_with(
        &[
            "--roster",
            users.to_str().unwrap(),
            "--returned",
            returned.to_str().unwrap(),
            "--target",
            "teams",
        ],
        &[],
    );
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    let script = run.read("import-plan.ps1");
    let inert = inert_ranges(&script);
    let mut found = 0;
    // Keys are compared in lower case, and planned so.
    for (at, _) in script.to_lowercase().match_indices("remove-item") {
        found += 1;
        assert!(
            inert.iter().any(|&(s, e)| s <= at && at < e),
            "Remove-Item at byte {at} is code:\n{script}"
        );
    }
    // Each in the comment's name and key, the step's key, and the cmdlet's.
    assert!(found >= 12, "{found}");
    assert!(
        script.contains("-Identity 'o''brien@contoso.example'"),
        "{script}"
    );
}

/// Without the bridge's numbers a number's type is its own, and nothing is
/// said of bridges; with them, a provider's target is refused.
#[test]
fn without_the_bridge_the_number_tells_its_type() {
    let (users, returned) = (fixture("teams/users.csv"), fixture("teams/returned.csv"));
    let run = reconcile_with(
        &[
            "--roster",
            users.to_str().unwrap(),
            "--returned",
            returned.to_str().unwrap(),
            "--target",
            "teams",
        ],
        &[],
    );
    let codes: Vec<String> = run
        .findings()
        .into_iter()
        .filter(|f| {
            f.1.as_deref() == Some(&person("dmitri.petrov"))
                || f.1.as_deref() == Some(&person("farah.khan"))
        })
        .map(|f| f.0)
        .collect();
    assert!(
        codes.contains(&"wrong-number-type".to_string()),
        "{codes:?}"
    );
    assert!(
        !codes.contains(&"number-not-on-bridge".to_string()),
        "{codes:?}"
    );

    let bridge = fixture("teams/bridge.csv");
    let acp = reconcile_with(
        &[
            "--roster",
            users.to_str().unwrap(),
            "--returned",
            returned.to_str().unwrap(),
            "--bridge",
            bridge.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(acp.status, 2);
    assert!(
        acp.stderr.contains("--bridge is for the Teams target"),
        "{}",
        acp.stderr
    );
    assert!(!acp.out().exists());
}

/// The file for the operator: the numbers to fill, TeamsOnly people in,
/// disabled accounts out.
#[test]
fn a_teams_export_asks_for_the_numbers() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("to-operator.csv");
    let run = Command::cargo_bin("acp-recon")
        .unwrap()
        .args(["export", "--target", "teams", "--no-ledger", "--roster"])
        .arg(fixture("teams/users.csv"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next(),
        Some("UserPrincipalName,DisplayName,SipAddress,ServiceNumber,TollFreeServiceNumber,BridgeName")
    );
    assert_eq!(lines.count(), 10, "all but the disabled account");
    assert!(text.contains("ann.lee@contoso.example,Ann Lee,sip:ann.lee@contoso.example,,,"));
    assert!(!text.contains("48213901"), "a PIN in the export");
    let excluded = std::fs::read_to_string(dir.path().join("to-operator-excluded.csv")).unwrap();
    assert!(
        excluded.contains("kwame.mensah") && excluded.contains("disabled"),
        "{excluded}"
    );
}

/// Disabled accounts' rows are not requested for being disabled; being in
/// TeamsOnly mode is no reason on this target.
#[test]
fn a_disabled_account_is_not_requested_for_being_disabled() {
    let dir = TempDir::new().unwrap();
    let mut users = std::fs::read_to_string(fixture("teams/users.csv")).unwrap();
    users.push_str("\"lena.berg@contoso.example\",\"Lena Berg\",\"sip:lena.berg@contoso.example\",\"Contoso Bridge\",\"\",\"\",\"8812012\",\"\",\"\",\"TeamsOnly\",\"False\"\n");
    let users = write(&dir, "users.csv", users.as_bytes());
    let mut returned = std::fs::read_to_string(fixture("teams/returned.csv")).unwrap();
    for name in ["kwame.mensah", "lena.berg"] {
        returned.push_str(&format!(
            "{name}@contoso.example,{name},+14255550100,+18005550199,Contoso Bridge,,\n"
        ));
    }
    let returned = write(&dir, "returned.csv", returned.as_bytes());
    let bridge = fixture("teams/bridge.csv");
    let run = reconcile_with(
        &[
            "--roster",
            users.to_str().unwrap(),
            "--returned",
            returned.to_str().unwrap(),
            "--target",
            "teams",
            "--bridge",
            bridge.to_str().unwrap(),
        ],
        &[],
    );
    let report = run.report();
    let message = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == person("kwame.mensah") && f["code"] == "not-requested")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .expect("kwame.mensah is not requested");
    assert!(
        message.contains("(the roster marks the account disabled)"),
        "{message}"
    );
    let cause = report["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "not-requested")
        .map(|c| c["message"].as_str().unwrap().to_string())
        .expect("a cause for not-requested");
    assert!(cause.contains("(disabled)"), "{cause}");
    assert!(!cause.contains("TeamsOnly"), "{cause}");
}

/// `validate` on the Teams target agrees with `reconcile`: conference IDs
/// are Teams' own, so two rows with one ID are not a shared ID.
#[test]
fn validate_on_teams_does_not_call_conference_ids_shared() {
    let dir = TempDir::new().unwrap();
    let file = write(
        &dir,
        "operator.csv",
        b"UserPrincipalName,ServiceNumber,TollFreeServiceNumber,ConferenceId\n\
a@x.example,+14255550100,+18005550199,8812001\n\
b@x.example,+14255550100,+18005550199,8812001\n",
    );
    let run = |config: &str| {
        let out = Command::cargo_bin("acp-recon")
            .unwrap()
            .arg("validate")
            .arg(&file)
            .arg("--config")
            .arg(fixture(config))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let teams = run("teams/teams.toml");
    assert!(teams.contains("conference-id-not-settable"), "{teams}");
    assert!(!teams.contains("duplicate-conference-id"), "{teams}");
    let acp = run("acp.toml");
    assert!(acp.contains("duplicate-conference-id"), "{acp}");
}
