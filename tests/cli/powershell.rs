//! The PowerShell plan: hostile values stay inside single-quoted strings.

use crate::common::{reconcile_files, write};
use tempfile::TempDir;

const HOSTILE: &str = "'; Remove-Item -Recurse C:\\ ; '";

/// Byte ranges of a script that are data: single-quoted strings (quotes
/// doubled inside, curly quotes counting as quotes) and `#` comments.
pub fn inert_ranges(script: &str) -> Vec<(usize, usize)> {
    let quote = |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}');
    let chars: Vec<(usize, char)> = script.char_indices().collect();
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if quote(c) {
            let mut j = i + 1;
            loop {
                assert!(j < chars.len(), "unterminated string at byte {start}");
                if quote(chars[j].1) {
                    if j + 1 < chars.len() && quote(chars[j + 1].1) {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            ranges.push((start, chars[j].0 + chars[j].1.len_utf8()));
            i = j + 1;
        } else if c == '#' {
            let end = script[start..]
                .find('\n')
                .map_or(script.len(), |e| start + e);
            ranges.push((start, end));
            while i < chars.len() && chars[i].0 < end {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    ranges
}

#[test]
fn hostile_values_land_only_inside_quoted_strings_or_comments() {
    let dir = TempDir::new().unwrap();
    let roster = write(
        &dir,
        "roster.csv",
        format!(
            "UserPrincipalName,DisplayName\no'brien@contoso.example,\"{h}\"\nann@contoso.example,\"{h}\r\nsecond line\"\n",
            h = HOSTILE.replace('"', "\"\"")
        )
        .as_bytes(),
    );
    let url = "https://acp.fabrikam.example/x';Remove-Item-Recurse-C:\\;'";
    let provider = format!("Fabrikam{HOSTILE}");
    let returned = write(
        &dir,
        "returned.csv",
        format!(
            "UserPrincipalName,ProviderName,Domain,TollNumber,ConferenceId,Url\n\
             o'brien@contoso.example,\"{provider}\",acp.fabrikam.example,+14255550100,123456,{url}\n\
             ann@contoso.example,\"{provider}\",acp.fabrikam.example,+14255550100,123457,{url}\n"
        )
        .as_bytes(),
    );
    let run = reconcile_files(&roster, &returned);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let script = run.read("import-plan.ps1");
    assert!(
        script.contains("Url = 'https://acp.fabrikam.example/x'';Remove-Item-Recurse-C:\\;'''"),
        "{script}"
    );
    assert!(
        script.contains("Name = 'Fabrikam''; Remove-Item -Recurse C:\\ ; '''"),
        "{script}"
    );
    let inert = inert_ranges(&script);
    let mut found = 0;
    for (at, _) in script.match_indices("Remove-Item") {
        found += 1;
        assert!(
            inert.iter().any(|&(s, e)| s <= at && at < e),
            "Remove-Item at byte {at} is code:\n{script}"
        );
    }
    // In the bridge's name and Url, stated once, and in each person's comment.
    assert!(found >= 4, "{found}");
}

#[test]
fn display_names_with_escaped_quotes_reach_the_plan_unescaped() {
    let dir = TempDir::new().unwrap();
    let roster = write(
        &dir,
        "roster.csv",
        b"UserPrincipalName,DisplayName\nann@contoso.example,\"Ann \"\"The Boss\"\" Lee\"\nbo@contoso.example,Bo Chen\n",
    );
    let returned = write(
        &dir,
        "returned.csv",
        b"UserPrincipalName,DisplayName,ProviderName,Domain,TollNumber,ConferenceId\n\
          ann@contoso.example,\"Ann \"\"The Boss\"\" Lee\",Fabrikam,acp.fabrikam.example,+14255550100,123456\n\
          bo@contoso.example,Bo Chen,Fabrikam,acp.fabrikam.example,+14255550100,123457\n",
    );
    let run = reconcile_files(&roster, &returned);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let script = run.read("import-plan.ps1");
    assert!(
        script.contains("# Ann \"The Boss\" Lee <ann@contoso.example> (returned line 2): add"),
        "{script}"
    );
    assert!(
        script.contains("# Bo Chen <bo@contoso.example> (returned line 3): add"),
        "{script}"
    );
    // The names match the roster's: no identity-mismatch.
    assert!(!run.read("errors.csv").contains("identity-mismatch"));
}

/// The script checks its host first, skips what a run finished (the done
/// file), and carries what puts back a removed entry: the roster's values,
/// quoted like every other value.
#[test]
fn the_script_can_be_run_again_and_can_put_back_what_it_removed() {
    let dir = TempDir::new().unwrap();
    let old = format!("InterCall{HOSTILE}");
    let roster = write(
        &dir,
        "roster.csv",
        format!(
            "UserPrincipalName,DisplayName,CurrentProvider,CurrentTollNumber,CurrentTollFreeNumbers,CurrentConferenceId\n\
             chloe@contoso.example,Chloe,\"{old}\",+12065550111,+18005550111;+18885550111,7712345\n\
             ann@contoso.example,Ann,,,,\n",
            old = old.replace('"', "\"\"")
        )
        .as_bytes(),
    );
    let returned = write(
        &dir,
        "returned.csv",
        b"UserPrincipalName,ProviderName,Domain,TollNumber,ConferenceId\n\
          chloe@contoso.example,Fabrikam,acp.fabrikam.example,+14255550100,123456\n\
          ann@contoso.example,Fabrikam,acp.fabrikam.example,+14255550100,123457\n",
    );
    let run = reconcile_files(&roster, &returned);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let script = run.read("import-plan.ps1");
    let at = |what: &str| {
        script
            .find(what)
            .unwrap_or_else(|| panic!("no {what}:\n{script}"))
    };
    // The host is checked before the first person.
    assert!(at("if (-not (Get-Command Set-CsUserAcp") < at("\r\nSet-PlannedAcp "));
    assert!(script.contains("Skype for Business Server Management Shell"));
    // Finished steps are written to, and read from, import-plan.done.
    assert!(script.contains("$doneFile = Join-Path $PSScriptRoot 'import-plan.done'"));
    assert!(script.contains("Add-Content -LiteralPath $doneFile -Value $step"));
    assert!(script.contains("if ($script:done.ContainsKey($step))"));
    // Remove, then Set; the removed entry's values from the roster.
    assert!(at("Remove-CsUserAcp -Identity") < at("Set-CsUserAcp -Identity $Identity @Bridge"));
    let hostile = old.replace('\'', "''");
    assert!(
        script.contains(&format!(
            "Set-PlannedAcp 'chloe@contoso.example' $bridge1 '123456' -Remove '{hostile}' \
             -Restore @{{ Name = '{hostile}'; TollNumber = '+12065550111'; \
             TollFreeNumbers = @('+18005550111', '+18885550111'); ParticipantPasscode = '7712345' }}"
        )),
        "{script}"
    );
    assert!(script.contains("Set-PlannedAcp 'ann@contoso.example' $bridge1 '123457'\r\n"));
    let inert = inert_ranges(&script);
    for (at, _) in script.match_indices("Remove-Item") {
        assert!(
            inert.iter().any(|&(s, e)| s <= at && at < e),
            "Remove-Item at byte {at} is code:\n{script}"
        );
    }
}
