//! `reconcile` on the sample and on hand-made hostile files.

use crate::common::{
    fixture, reconcile, reconcile_configured, reconcile_files, sample, write, OUTPUTS,
};
use tempfile::TempDir;

const C: &str = "@contoso.example";

fn k(name: &str) -> Option<String> {
    Some(format!("{name}{C}"))
}

#[test]
fn every_finding_of_the_sample_is_pinned() {
    let run = sample(&[]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let mut got = run.findings();
    got.sort();
    let mut want: Vec<(String, Option<String>, Option<u64>)> = [
        ("pin-column-ignored", None, 1),
        ("empty-key", None, 31),
        ("malformed-row", k("broken.quote"), 14),
        ("microsoft-acp-assigned", k("bob.ortiz"), 3),
        ("provider-replaced", k("chloe.martin"), 4),
        ("unchanged", k("dmitri.petrov"), 5),
        ("conference-id-changed", k("elise.dubois"), 6),
        ("toll-number-changed", k("elise.dubois"), 6),
        ("teams-only-user", k("farah.khan"), 7),
        ("not-requested", k("farah.khan"), 7),
        ("account-disabled", k("george.brown"), 8),
        ("not-requested", k("george.brown"), 8),
        ("missing-from-return", k("hana.sato"), 9),
        ("missing-toll-number", k("ivan.horvat"), 9),
        ("invalid-toll-number", k("julia.costa"), 10),
        ("toll-number-is-toll-free", k("kwame.mensah"), 11),
        ("invalid-toll-free-number", k("liam.walsh"), 12),
        ("not-toll-free", k("maria.garcia"), 13),
        ("missing-conference-id", k("noah.fischer"), 15),
        ("invalid-conference-id", k("olivia.rossi"), 16),
        ("duplicate-conference-id", k("pablo.ruiz"), 17),
        ("duplicate-conference-id", k("quinn.taylor"), 18),
        ("excel-mangled", k("rosa.silva"), 19),
        ("excel-mangled", k("sam.nguyen"), 20),
        ("wrong-provider", k("tara.obrien"), 21),
        ("invalid-url", k("uma.patel"), 22),
        ("duplicate-user", k("victor.chen"), 23),
        ("duplicate-user", k("victor.chen"), 24),
        ("duplicate-row", k("wendy.moore"), 26),
        ("identity-mismatch", k("xavier.dupont"), 27),
        // What the roster says cites the roster's line.
        ("microsoft-acp-assigned", k("yusuf.ali"), 26),
        ("excel-mangled", k("zoe.klein"), 29),
        ("not-in-roster", k("nobody"), 30),
    ]
    .into_iter()
    .map(|(code, key, line)| (code.to_string(), key, Some(line)))
    .collect();
    want.sort();
    assert_eq!(got, want);

    // Every code of the spec shows in the sample, but the fatal
    // missing-column, excel-repaired, which only a workbook's number cells
    // give (tests/cli/sources.rs), and vendor-changed-values, which needs
    // an earlier return in the ledger (tests/cli/ledger.rs). The Teams
    // target's codes are the Teams sample's (tests/cli/teams.rs).
    let codes: std::collections::BTreeSet<&str> = got.iter().map(|f| f.0.as_str()).collect();
    let all: Vec<&str> = acp_recon::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !["missing-column", "excel-repaired", "vendor-changed-values"].contains(c))
        .filter(|c| {
            ![
                "number-not-on-bridge",
                "wrong-number-type",
                "conference-id-not-settable",
                "policy-overrides-numbers",
            ]
            .contains(c)
        })
        .collect();
    for code in all {
        assert!(
            codes.contains(code),
            "{code} is not exercised by the sample"
        );
    }
}

#[test]
fn the_plan_holds_exactly_the_good_people() {
    let run = sample(&[]);
    let plan = run.csv("import-plan.csv");
    assert_eq!(
        plan[0],
        [
            "UserPrincipalName",
            "ProviderName",
            "Domain",
            "TollNumber",
            "TollFreeNumbers",
            "ConferenceId",
            "Url",
            "Action"
        ]
    );
    let people: Vec<(String, String)> = plan[1..]
        .iter()
        .map(|r| (r[0].clone(), r[7].clone()))
        .collect();
    let want: Vec<(String, String)> = [
        ("ann.lee", "add"),
        ("bob.ortiz", "replace"),
        ("chloe.martin", "replace"),
        ("elise.dubois", "update"),
        ("farah.khan", "add"),
        ("george.brown", "add"),
        ("kwame.mensah", "add"),
        ("maria.garcia", "add"),
        ("uma.patel", "add"),
        ("wendy.moore", "add"),
        ("yusuf.ali", "replace"),
    ]
    .iter()
    .map(|(n, a)| (format!("{n}{C}"), a.to_string()))
    .collect();
    assert_eq!(people, want);
    // Numbers in E.164, toll-free joined by ';', the invalid Url left out.
    assert_eq!(plan[1][3], "+14255550100");
    assert_eq!(plan[1][4], "+18005550199;+18885550123");
    assert_eq!(plan[9][6], "", "uma's ftp:// Url is not planned");
}

#[test]
fn accounting_adds_up_on_the_sample() {
    let run = sample(&[]);
    let s = &run.report()["summary"];
    let a = &s["accounting"];
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    assert_eq!(n(&s["returned_rows"]), 30);
    assert_eq!(
        n(&s["returned_rows"]),
        n(&a["planned_rows"]) + n(&a["unchanged_rows"]) + n(&a["rejected_rows"])
    );
    assert_eq!(
        n(&a["requested"]),
        n(&a["requested_planned"])
            + n(&a["requested_unchanged"])
            + n(&a["requested_rejected"])
            + n(&a["requested_missing"])
    );
    assert_eq!(a["rows_balanced"], true);
    assert_eq!(a["requested_balanced"], true);
    assert_eq!(n(&s["planned"]), 11);
    assert_eq!(n(&s["unchanged"]), 1);
    assert_eq!(n(&s["rejected"]), 17);
    assert_eq!(n(&s["missing_from_return"]), 1);
    // send-back.csv holds exactly the rejected rows.
    assert_eq!(run.csv("send-back.csv").len() - 1, 17);
    assert!(run
        .stdout
        .contains("Every returned row and every requested person is accounted for exactly once."));
}

#[test]
fn two_runs_give_byte_identical_outputs_whatever_the_threads() {
    let first = sample(&[]);
    let second = sample(&[]);
    let single = reconcile_configured(
        &fixture("roster.csv"),
        &fixture("returned.csv"),
        &[],
        &[("RAYON_NUM_THREADS", "1")],
    );
    assert_eq!(first.bytes(), second.bytes());
    assert_eq!(first.bytes(), single.bytes());
    let redact = |run: &crate::common::Run| {
        run.stderr
            .replace(&run.out().display().to_string(), "[OUT]")
    };
    assert_eq!(redact(&first), redact(&second));
}

#[test]
fn planted_pins_reach_no_output_message_or_log() {
    let run = sample(&["--show", "100"]);
    let pins: Vec<String> = (7391548..=7391576).map(|p| p.to_string()).collect();
    let mut texts: Vec<(String, String)> = OUTPUTS
        .iter()
        .map(|n| (n.to_string(), run.read(n)))
        .collect();
    texts.push(("stdout".into(), run.stdout.clone()));
    texts.push(("stderr".into(), run.stderr.clone()));
    for (name, text) in &texts {
        for pin in &pins {
            assert!(!text.contains(pin.as_str()), "PIN {pin} found in {name}");
        }
    }
    // The PIN column itself is kept in send-back.csv, emptied.
    let send_back = run.csv("send-back.csv");
    let pin = send_back[0].iter().position(|h| h == "Leader PIN").unwrap();
    assert!(send_back[1..].iter().all(|r| r[pin].is_empty()));
}

#[test]
fn a_broken_quote_mid_file_costs_only_its_row() {
    let run = sample(&[]);
    let findings = run.findings();
    let broken: Vec<_> = findings.iter().filter(|f| f.0 == "malformed-row").collect();
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].2, Some(14));
    // Rows after it are read as usual, each on its own line.
    for line in 15..=31 {
        assert!(
            // 25 is a clean row; 28's only finding cites the roster.
            findings.iter().any(|f| f.2 == Some(line)) || line == 25 || line == 28,
            "line {line} was not read"
        );
    }
    let plan = run.csv("import-plan.csv");
    assert!(plan.iter().any(|r| r[0] == format!("yusuf.ali{C}")));
}

#[test]
fn a_missing_column_exits_2_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let returned = write(
        &dir,
        "r.csv",
        b"UPN,Tol Number,Conference ID\nann.lee@contoso.example,+14255550100,123456\n",
    );
    let roster = fixture("roster.csv");
    let run = reconcile(&[
        "--roster",
        roster.to_str().unwrap(),
        "--returned",
        returned.to_str().unwrap(),
    ]);
    assert_eq!(run.status, 2);
    assert!(!run.out().exists(), "nothing may be written");
    assert!(
        run.stderr.contains("r.csv has no TollNumber column"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the closest header is \"Tol Number\""),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn unreadable_input_or_bad_config_exits_2() {
    let dir = TempDir::new().unwrap();
    let config = write(
        &dir,
        "acp.toml",
        b"[provider]\nconference_id_digits = [10, 6]\n",
    );
    let roster = fixture("roster.csv");
    let returned = fixture("returned.csv");
    let (roster, returned) = (roster.to_str().unwrap(), returned.to_str().unwrap());
    let bad_config = reconcile(&[
        "--roster",
        roster,
        "--returned",
        returned,
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(bad_config.status, 2);
    assert!(
        bad_config.stderr.contains("conference_id_digits"),
        "{}",
        bad_config.stderr
    );
    let missing = reconcile(&["--roster", "no-such-roster.csv", "--returned", returned]);
    assert_eq!(missing.status, 2);
    assert!(
        missing.stderr.contains("cannot read no-such-roster.csv"),
        "{}",
        missing.stderr
    );
    assert!(!missing.out().exists());
}

#[test]
fn a_clean_powershell_export_with_a_sent_file_exits_0() {
    let roster = fixture("roster.csv");
    let returned = fixture("returned-clean.csv");
    let sent = fixture("sent.csv");
    let run = reconcile_configured(&roster, &returned, &["--sent", sent.to_str().unwrap()], &[]);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let a = &run.report()["summary"]["accounting"];
    assert_eq!(a["requested"], 4);
    assert_eq!(a["requested_planned"], 3);
    assert_eq!(a["requested_unchanged"], 1);
    assert_eq!(a["requested_missing"], 0);
    let inputs = &run.report()["inputs"];
    assert_eq!(inputs[1]["encoding"], "UTF-8 with BOM");
    let mut codes: Vec<String> = run.findings().into_iter().map(|f| f.0).collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "microsoft-acp-assigned",
            "pin-column-ignored",
            "provider-replaced",
            "unchanged"
        ]
    );
    // The PowerShell #TYPE line is skipped; rows keep their real line numbers.
    let unchanged = run
        .findings()
        .into_iter()
        .find(|f| f.0 == "unchanged")
        .unwrap();
    assert_eq!(unchanged.2, Some(6));
}

#[test]
fn excel_facing_files_neutralise_formulas_and_the_plan_keeps_e164() {
    let run = sample(&[]);
    let errors = run.csv("errors.csv");
    let value = errors
        .iter()
        .find(|r| r[1] == "invalid-toll-number")
        .map(|r| r[6].clone())
        .unwrap();
    assert_eq!(value, "'+1 425 555");
    let plan = run.csv("import-plan.csv");
    assert!(plan[1..].iter().all(|r| r[3].starts_with('+')));
}

#[test]
fn outputs_are_pinned() {
    let run = sample(&["--show", "3"]);
    insta::assert_snapshot!("import-plan.csv", run.read("import-plan.csv"));
    insta::assert_snapshot!(
        "import-plan.ps1",
        run.read("import-plan.ps1").replace("\r\n", "\n")
    );
    insta::assert_snapshot!("errors.csv", run.read("errors.csv"));
    insta::assert_snapshot!("send-back.csv", run.read("send-back.csv"));
    insta::assert_snapshot!("summary", run.stdout_redacted());
    insta::assert_snapshot!(
        "diagnostics",
        run.stderr
            .replace(&run.out().display().to_string(), "[OUT]")
    );
}

#[test]
fn a_requested_person_outside_the_roster_is_rejected_if_returned_and_missing_if_not() {
    let dir = TempDir::new().unwrap();
    let roster = write(
        &dir,
        "roster.csv",
        b"UserPrincipalName,DisplayName\nann@x.example,Ann\n",
    );
    let sent = write(
        &dir,
        "sent.csv",
        b"UserPrincipalName\nann@x.example\nghost@x.example\nnobody@x.example\n",
    );
    let returned = write(
        &dir,
        "returned.csv",
        b"UserPrincipalName,ProviderName,Domain,TollNumber,ConferenceId\n\
          ann@x.example,Fabrikam Conferencing,acp.fabrikam.example,+14255550100,5100001\n\
          Ghost@x.example,Fabrikam Conferencing,acp.fabrikam.example,+14255550100,5100002\n",
    );
    let run = reconcile_configured(&roster, &returned, &["--sent", sent.to_str().unwrap()], &[]);
    let a = &run.report()["summary"]["accounting"];
    assert_eq!(a["requested"], 3, "{a}");
    assert_eq!(a["requested_planned"], 1, "{a}");
    assert_eq!(a["requested_rejected"], 1, "{a}");
    assert_eq!(a["requested_missing"], 1, "{a}");
    assert_eq!(a["requested_balanced"], true, "{a}");
    let codes: Vec<(String, Option<String>)> =
        run.findings().into_iter().map(|f| (f.0, f.1)).collect();
    assert!(codes.contains(&("not-in-roster".into(), Some("ghost@x.example".into()))));
    assert!(codes.contains(&(
        "missing-from-return".into(),
        Some("nobody@x.example".into())
    )));
}

#[test]
fn rows_far_apart_in_a_long_file_are_still_compared() {
    // More rows than one window of the row passes (65,536), so that the
    // rows compared sit in different windows of the file.
    const PEOPLE: usize = 70_000;
    let dir = tempfile::tempdir().unwrap();
    let key = |i: usize| format!("p{i}@contoso.example");
    let mut roster = String::from("UserPrincipalName,DisplayName\n");
    let mut returned =
        String::from("UserPrincipalName,ProviderName,Domain,TollNumber,ConferenceId,Url\n");
    let row = |key: &str, id: usize| {
        format!(
            "{key},Fabrikam,acp.fabrikam.example,+14255550100,{id},https://acp.fabrikam.example/\n"
        )
    };
    for i in 0..PEOPLE {
        roster.push_str(&format!("{},Person {i}\n", key(i)));
        returned.push_str(&row(&key(i), 10_000_000 + i));
    }
    // Someone the roster lacks, with the first person's ID; and the sixth
    // person's row again, word for word.
    returned.push_str(&row("nobody@contoso.example", 10_000_000));
    returned.push_str(&row(&key(5), 10_000_005));
    let roster = write(&dir, "roster.csv", roster.as_bytes());
    let returned = write(&dir, "returned.csv", returned.as_bytes());
    let run = reconcile_files(&roster, &returned);
    assert_eq!(run.status, 1, "{}", run.stderr);

    let last = PEOPLE as u64 + 3;
    let mut found: Vec<_> = run
        .findings()
        .into_iter()
        .filter(|f| f.0 != "provider-replaced" && f.0 != "microsoft-acp-assigned")
        .collect();
    found.sort();
    let nobody = Some("nobody@contoso.example".to_string());
    assert_eq!(
        found,
        vec![
            (
                "duplicate-conference-id".into(),
                nobody.clone(),
                Some(last - 1)
            ),
            ("duplicate-conference-id".into(), Some(key(0)), Some(2)),
            ("duplicate-row".into(), Some(key(5)), Some(last)),
            ("not-in-roster".into(), nobody, Some(last - 1)),
        ]
    );
    // Everyone but the first person is planned, the sixth once.
    let plan = run.csv("import-plan.csv");
    assert_eq!(plan.len() - 1, PEOPLE - 1);
    assert_eq!(plan.iter().filter(|r| r[0] == key(5)).count(), 1);
    let send_back = run.csv("send-back.csv");
    assert_eq!(send_back.len() - 1, 2, "{send_back:?}");
}

#[test]
fn errors_csv_puts_errors_first_and_unchanged_notes_only_when_asked() {
    let run = sample(&[]);
    let rows = run.csv("errors.csv");
    let rank = |s: &str| {
        ["fatal", "error", "warning", "info"]
            .iter()
            .position(|x| *x == s)
    };
    let order: Vec<(usize, &str)> = rows[1..]
        .iter()
        .map(|r| (rank(&r[0]).unwrap(), r[1].as_str()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "severity, then code");
    assert!(rows.iter().all(|r| r[1] != "unchanged"));
    assert!(run.report()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "unchanged"));
    let all = sample(&["--all-findings"]);
    assert!(all.csv("errors.csv").iter().any(|r| r[1] == "unchanged"));
}

/// One wrong domain on every row is one cause: told once, first, on the
/// console, on stderr and in report.json; the rows stay in errors.csv.
#[test]
fn one_mistake_on_every_row_is_told_once_as_a_cause() {
    let dir = TempDir::new().unwrap();
    let mut roster = String::from("UserPrincipalName,DisplayName\n");
    let mut returned =
        String::from("UserPrincipalName,ProviderName,Domain,TollNumber,ConferenceId\n");
    for i in 0..40 {
        roster.push_str(&format!("p{i}{C},Person {i}\n"));
        returned.push_str(&format!(
            "p{i}{C},Fabrikam Conferencing,acp.fabrikam.com,+14255550100,{}\n",
            5_100_000 + i
        ));
    }
    let roster = write(&dir, "roster.csv", roster.as_bytes());
    let returned = write(&dir, "returned.csv", returned.as_bytes());
    let run = reconcile_configured(&roster, &returned, &[], &[]);
    assert_eq!(run.status, 1);
    let sentence = "40 rows: Domain is \"acp.fabrikam.com\", the config expects \"acp.fabrikam.example\". Fix the config or ask the vendor.";
    let causes_at = run.stdout.find("causes:\n").unwrap();
    assert!(
        run.stdout[causes_at..].starts_with(&format!("causes:\n  {sentence}\n")),
        "{}",
        run.stdout
    );
    assert!(causes_at < run.stdout.find("findings by code:").unwrap());
    // stderr: the cause, then one example of its rows, not forty.
    assert!(
        run.stderr.starts_with(&format!("cause: {sentence}\n")),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("wrong-provider\n").count(),
        1,
        "{}",
        run.stderr
    );
    let report = run.report();
    let cause = &report["causes"][0];
    assert_eq!(cause["code"], "wrong-provider");
    assert_eq!(cause["field"], "Domain");
    assert_eq!(
        cause["values"],
        serde_json::json!([{"value": "acp.fabrikam.com", "rows": 40}])
    );
    assert_eq!(cause["more_values"], 0);
    assert_eq!(cause["expected"], "acp.fabrikam.example");
    assert_eq!(cause["rows"], 40);
    assert_eq!(cause["first_line"], 2);
    assert_eq!(cause["examples"].as_array().unwrap().len(), 3);
    assert_eq!(report["causes"].as_array().unwrap().len(), 1);
    assert_eq!(
        run.csv("errors.csv")
            .iter()
            .filter(|r| r[1] == "wrong-provider")
            .count(),
        40
    );
}

#[test]
fn a_key_not_in_the_roster_gets_the_closest_missing_person() {
    let dir = TempDir::new().unwrap();
    let roster = write(
        &dir,
        "roster.csv",
        format!(
            "UserPrincipalName,DisplayName,Mail,SipAddress\n\
             ann.lee{C},Ann Lee,,\nbob.ortiz{C},Bob Ortiz,,\nchloe.martin{C},Chloe Martin,,\n\
             dee.roy{C},Dee Roy,droy@fabrikam-mail.example,\nemma.stone{C},Emma Stone,,\n\
             frank.lee{C},Frank Lee,,\ngus.hale{C},Gus Hale,,sip:Gus.H@voice.example\n"
        )
        .as_bytes(),
    );
    let row = |key: &str, id: u32| {
        format!("{key},Fabrikam Conferencing,acp.fabrikam.example,+14255550100,{id}\n")
    };
    let mut returned =
        String::from("UserPrincipalName,ProviderName,Domain,TollNumber,ConferenceId\n");
    for (i, key) in [
        format!("ann.le{C}"),
        format!("ortiz.bob{C}"),
        "chloe.martin@contoso.com".to_string(),
        "droy@fabrikam-mail.example".to_string(),
        "gus.h@voice.example".to_string(),
        format!("zed.nobody{C}"),
        format!("frank.lee{C}"),
    ]
    .iter()
    .enumerate()
    {
        returned.push_str(&row(key, 5_100_000 + i as u32));
    }
    let returned = write(&dir, "returned.csv", returned.as_bytes());
    let run = reconcile_configured(&roster, &returned, &[], &[]);
    let report = run.report();
    let suggested: Vec<(String, Option<String>)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "not-in-roster")
        .map(|f| {
            (
                f["key"].as_str().unwrap().to_string(),
                f["suggestion"].as_str().map(String::from),
            )
        })
        .collect();
    let want = |k: &str, s: Option<&str>| (k.to_string(), s.map(String::from));
    let mut want = vec![
        want(&format!("ann.le{C}"), k("ann.lee").as_deref()),
        want(&format!("ortiz.bob{C}"), k("bob.ortiz").as_deref()),
        want("chloe.martin@contoso.com", k("chloe.martin").as_deref()),
        want("droy@fabrikam-mail.example", k("dee.roy").as_deref()),
        want("gus.h@voice.example", k("gus.hale").as_deref()),
        want(&format!("zed.nobody{C}"), None),
    ];
    want.sort();
    let mut suggested = suggested;
    suggested.sort();
    assert_eq!(suggested, want);
    // In words too, and in what goes back to the vendor.
    let problems = run.read("send-back.csv");
    assert!(
        problems.contains(&format!(
            "ann.le{C} is not in the roster. Did you mean ann.lee{C} (a letter or two off)?"
        )),
        "{problems}"
    );
    assert!(
        problems.contains("(first and last name swapped)"),
        "{problems}"
    );
    assert!(
        problems.contains(&format!(
            "Did you mean gus.hale{C} (the roster's SipAddress for them)?"
        )),
        "{problems}"
    );
}

/// Many garbage values in one column are one cause, its values by count:
/// the first ten, most rows first, and how many more.
#[test]
fn one_code_in_one_field_is_one_cause_with_its_values_by_count() {
    let dir = TempDir::new().unwrap();
    let mut roster = String::from("UserPrincipalName,DisplayName\n");
    let mut returned =
        String::from("UserPrincipalName,ProviderName,Domain,TollNumber,ConferenceId\n");
    // 60 "N/A", 30 "TBD", then 20 values 3 times each and 30 once.
    let mut values: Vec<String> = Vec::new();
    values.extend(std::iter::repeat_n("N/A".to_string(), 60));
    values.extend(std::iter::repeat_n("TBD".to_string(), 30));
    for v in 0..20 {
        values.extend(std::iter::repeat_n(format!("x{v:02}"), 3));
    }
    values.extend((0..30).map(|v| format!("once{v:02}")));
    for (i, toll) in values.iter().enumerate() {
        roster.push_str(&format!("p{i}{C},Person {i}\n"));
        returned.push_str(&format!(
            "p{i}{C},Fabrikam Conferencing,acp.fabrikam.example,{toll},{}\n",
            5_100_000 + i
        ));
    }
    let roster = write(&dir, "roster.csv", roster.as_bytes());
    let returned = write(&dir, "returned.csv", returned.as_bytes());
    let run = reconcile_configured(&roster, &returned, &[], &[]);
    assert_eq!(run.status, 1);
    let report = run.report();
    let causes = report["causes"].as_array().unwrap();
    assert_eq!(causes.len(), 1, "{causes:?}");
    let cause = &causes[0];
    assert_eq!(cause["code"], "invalid-toll-number");
    assert_eq!(cause["field"], "TollNumber");
    assert_eq!(cause["rows"], 180);
    let got: Vec<(String, u64)> = cause["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_string(),
                v["rows"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut want = vec![("N/A".to_string(), 60), ("TBD".to_string(), 30)];
    want.extend((0..8).map(|v| (format!("x{v:02}"), 3)));
    assert_eq!(got, want);
    assert_eq!(cause["more_values"], 12 + 30);
    let message = cause["message"].as_str().unwrap();
    assert!(
        message.starts_with("180 rows (180 people): invalid-toll-number in TollNumber (column D): \"N/A\" (60 rows), \"TBD\" (30), \"x00\" (3)"),
        "{message}"
    );
    assert!(message.contains("and 42 more values"), "{message}");
    // The console tells it once, first.
    let causes_at = run.stdout.find("causes:\n").unwrap();
    assert!(
        run.stdout[causes_at..].contains("\"N/A\" (60 rows)"),
        "{}",
        run.stdout
    );
}
