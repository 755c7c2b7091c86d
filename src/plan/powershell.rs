//! `import-plan.ps1`: the plan as PowerShell. Each bridge's fixed values
//! (provider, domain, numbers, Url) are stated once, in a hashtable that is
//! splatted; each person is a comment line (name, key, source line,
//! action) and a step line. Microsoft's bridge is disabled and an old
//! third-party entry removed before the person's `Set-CsUserAcp`; the
//! roster's values of that entry ride along, so that a failed Set prints
//! the command that puts it back. Finished steps go to `import-plan.done`
//! and a second run skips them. Every value goes through
//! [`escape::powershell`](crate::escape::powershell).

use crate::check::returned::number_text;
use crate::escape::{Commented, Quoted};
use crate::model::{Phone, PhoneList};
use crate::output::{Output, BOM};
use crate::reconcile::{Action, Outcome, Planned};
use rustc_hash::FxHashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

pub struct ImportPlanPs1;

/// The steps a plan script has finished, read from `import-plan.done`
/// beside it: both targets' scripts skip what a run before them did.
pub(super) const DONE: &str = r#"# The steps this plan has finished, one a line: a second run skips them.
$doneFile = Join-Path $PSScriptRoot 'import-plan.done'
$script:done = @{}
if (Test-Path -LiteralPath $doneFile) {
    foreach ($line in Get-Content -LiteralPath $doneFile -Encoding UTF8) {
        $script:done[$line] = $true
    }
}

"#;

/// A plan script's first lines: its title, then each input with its
/// SHA-256, as comments.
pub(super) fn head(text: &mut String, title: &str, outcome: &Outcome) {
    let _ = writeln!(text, "# {title}, written by acp-recon.");
    for input in &outcome.inputs.infos {
        let _ = writeln!(
            text,
            "# {:<8} {}  SHA-256 {}",
            input.role,
            Commented(&input.file),
            input.sha256
        );
    }
}

const PREAMBLE: &str = r#"[CmdletBinding()]
param(
    # Show every change with -WhatIf; nothing is changed.
    [switch]$DryRun,
    # Log each failure and go on with the next person instead of stopping.
    [switch]$ContinueOnError
)

$ErrorActionPreference = 'Stop'
$script:failed = 0
$script:skipped = 0

if (-not (Get-Command Set-CsUserAcp -ErrorAction SilentlyContinue)) {
    Write-Error ('Set-CsUserAcp is not available in this session. The *-CsUserAcp cmdlets ' +
        'belong to the Skype for Business Server Management Shell (they left the Teams ' +
        'module around its version 3.0): run this script there.') -ErrorAction Continue
    exit 1
}

"#;

const STEPS: &str = r#"# A value as a single-quoted PowerShell string, for a command to copy.
function Format-Literal([string]$Value) {
    "'" + ($Value -replace '[''\u2018-\u201B]', '$0$0') + "'"
}

# The command that puts back a removed entry, from the roster's values and
# the domain and Url the entry had.
function Get-RestoreCommand([string]$Identity, [hashtable]$Restore, $Entry) {
    $parts = @('Set-CsUserAcp -Identity', (Format-Literal $Identity),
        '-Name', (Format-Literal $Restore.Name), '-Domain', (Format-Literal $Entry.Domain))
    if ($Restore.TollNumber) { $parts += '-TollNumber', (Format-Literal $Restore.TollNumber) }
    if ($Restore.TollFreeNumbers) {
        $parts += '-TollFreeNumbers', ((@($Restore.TollFreeNumbers) | ForEach-Object { Format-Literal $_ }) -join ',')
    }
    if ($Restore.ParticipantPasscode) {
        $parts += '-ParticipantPasscode', (Format-Literal $Restore.ParticipantPasscode)
    }
    if ($Entry.Url) { $parts += '-Url', (Format-Literal $Entry.Url) }
    $parts -join ' '
}

# One person: Microsoft's bridge disabled and the old entry removed when the
# plan says so, then the bridge's values and the person's conference ID set.
function Set-PlannedAcp {
    param(
        [string]$Identity,
        [hashtable]$Bridge,
        [string]$ParticipantPasscode,
        [switch]$DisableMicrosoft,
        [string]$Remove,
        [hashtable]$Restore
    )
    $step = '{0}|{1}|{2}|{3}' -f $Identity, $Bridge.Domain, $Bridge.TollNumber, $ParticipantPasscode
    if ($script:done.ContainsKey($step)) {
        $script:skipped++
        return
    }
    $removed = $null
    try {
        if ($DisableMicrosoft) {
            Disable-CsOnlineDialInConferencingUser -Identity $Identity -WhatIf:$DryRun
        }
        if ($Remove) {
            # Only an entry that is there is removed: a run that stopped
            # after the removal does not fail on it the second time.
            $entry = Get-CsUserAcp -Identity $Identity | Where-Object { $_.Name -eq $Remove } | Select-Object -First 1
            if ($entry) {
                Remove-CsUserAcp -Identity $Identity -Name $Remove -WhatIf:$DryRun
                if (-not $DryRun) { $removed = $entry }
            }
        }
        Set-CsUserAcp -Identity $Identity @Bridge -ParticipantPasscode $ParticipantPasscode -WhatIf:$DryRun
        if (-not $DryRun) {
            Add-Content -LiteralPath $doneFile -Value $step -Encoding UTF8
            $script:done[$step] = $true
        }
    } catch {
        $script:failed++
        if ($removed) {
            Write-Warning ('{0} has no {1} entry now: it was removed and the new one could not be set. To put it back, run: {2}' -f
                $Identity, $Remove, (Get-RestoreCommand $Identity $Restore $removed))
        }
        if (-not $ContinueOnError) {
            Write-Error ("{0}: {1}" -f $Identity, $_) -ErrorAction Continue
            throw
        }
        Write-Warning ("{0}: {1}" -f $Identity, $_)
    }
}
"#;

/// A bridge as the script states it: the provider, domain and Url of the
/// row's bridge, with its toll and toll-free numbers.
type Values = (u32, Phone, PhoneList);

impl Output<Outcome> for ImportPlanPs1 {
    fn file_name(&self) -> &str {
        "import-plan.ps1"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        // Windows PowerShell 5.1 reads a script without BOM as ANSI and
        // would garble accented names.
        out.write_all(BOM)?;
        let mut text = String::new();
        let count = |a: Action| outcome.plan.iter().filter(|p| p.action == a).count();
        head(
            &mut text,
            "Audio conferencing provider import plan",
            outcome,
        );
        let _ = writeln!(
            text,
            "# {} people: {} add, {} replace, {} update.",
            outcome.plan.len(),
            count(Action::Add),
            count(Action::Replace),
            count(Action::Update)
        );
        text.push_str("# Run with -DryRun first. The script stops at the first failure unless -ContinueOnError is given.\n");
        text.push_str("# Each finished person is added to import-plan.done beside this script; run it again to go on.\n");
        text.push_str("# Run it in the Skype for Business Server Management Shell: the *-CsUserAcp cmdlets are there,\n");
        text.push_str("# they left the Teams module around its version 3.0.\n");
        text.push_str(PREAMBLE);
        text.push_str(DONE);
        text.push_str(STEPS);
        // The bridges, numbered in the order the plan first uses them.
        let mut bridges: FxHashMap<Values, usize> = FxHashMap::default();
        let mut order: Vec<Values> = Vec::new();
        for entry in outcome.plan.iter() {
            let values = (entry.bridge, entry.toll_number, entry.toll_free_numbers);
            bridges.entry(values).or_insert_with(|| {
                order.push(values);
                order.len()
            });
        }
        if !order.is_empty() {
            text.push_str("\n# The bridges: each one's values, stated once.\n");
        }
        for (i, values) in order.iter().enumerate() {
            bridge(&mut text, outcome, i + 1, *values);
        }
        out.write_all(text.replace('\n', "\r\n").as_bytes())?;
        text.clear();
        text.push_str("\r\n");
        for p in outcome.planned() {
            let values = (p.bridge, p.toll_phone, p.toll_free_list);
            person(&mut text, outcome, &p, bridges[&values]);
            if text.len() > 1 << 16 {
                out.write_all(text.as_bytes())?;
                text.clear();
            }
        }
        out.write_all(text.as_bytes())?;
        let tail = format!(
            "\nif ($script:skipped -gt 0) {{\n    Write-Host (\"{{0}} people were done already (import-plan.done)\" -f $script:skipped)\n}}\nif ($script:failed -gt 0) {{\n    Write-Warning (\"{{0}} of {} people failed\" -f $script:failed)\n    exit 1\n}}\n",
            outcome.plan.len()
        );
        out.write_all(tail.replace('\n', "\r\n").as_bytes())
    }
}

/// `$b1 = @{ Name = '...'; Domain = '...'; TollNumber = '...'; ... }`
fn bridge(text: &mut String, outcome: &Outcome, number: usize, (bridge, toll, free): Values) {
    let values = outcome.reconciliation.bridges[bridge as usize];
    let _ = write!(
        text,
        "$bridge{number} = @{{ Name = {}; Domain = {}; TollNumber = {}",
        Quoted(outcome.reconciliation.texts.get(values.provider_name)),
        Quoted(outcome.reconciliation.texts.get(values.domain)),
        Quoted(outcome.e164(toll)),
    );
    let numbers = outcome.reconciliation.phones.numbers(free);
    for (i, &n) in numbers.iter().enumerate() {
        text.push_str(if i == 0 {
            "; TollFreeNumbers = @("
        } else {
            ", "
        });
        let _ = write!(text, "{}", Quoted(outcome.e164(n)));
    }
    if !numbers.is_empty() {
        text.push(')');
    }
    let url = outcome.reconciliation.texts.get(values.url);
    if !url.is_empty() {
        let _ = write!(text, "; Url = {}", Quoted(url));
    }
    text.push_str(" }\n");
}

/// A person's comment line and step line.
fn person(text: &mut String, outcome: &Outcome, p: &Planned<'_>, bridge: usize) {
    text.push_str("# ");
    if !p.display_name.is_empty() {
        Commented(p.display_name).push_to(text);
        text.push_str(" <");
        Commented(p.key).push_to(text);
        text.push('>');
    } else {
        Commented(p.key).push_to(text);
    }
    // The returned file is named once, in the header.
    let _ = write!(text, " (returned line {}): {}", p.line, p.action.as_str());
    match (p.action, p.disable_microsoft, p.remove_provider) {
        (Action::Add, _, _) | (_, false, None) => {}
        (_, true, None) => text.push_str(", from Microsoft's bridge"),
        (_, _, Some(old)) => {
            text.push_str(", from ");
            Commented(old).push_to(text);
        }
    }
    text.push_str("\r\nSet-PlannedAcp ");
    Quoted(p.key).push_to(text);
    let _ = write!(text, " $bridge{bridge} ");
    Quoted(p.conference_id).push_to(text);
    if p.disable_microsoft {
        text.push_str(" -DisableMicrosoft");
    }
    if let Some(old) = p.remove_provider {
        text.push_str(" -Remove ");
        Quoted(old).push_to(text);
        restore(text, outcome, p, old);
    }
    text.push_str("\r\n");
}

/// ` -Restore @{ ... }`: the roster's current values of the entry removed,
/// for the command that puts it back if the new one cannot be set.
fn restore(text: &mut String, outcome: &Outcome, p: &Planned<'_>, name: &str) {
    let roster = &outcome.inputs.roster;
    let Some(current) = roster
        .person(p.id)
        .and_then(|person| roster.current(person))
    else {
        return;
    };
    let number = |n| number_text(n, &outcome.reconciliation.phones, &roster.texts);
    text.push_str(" -Restore @{ Name = ");
    Quoted(name).push_to(text);
    if let Some(toll) = current.toll_number {
        text.push_str("; TollNumber = ");
        Quoted(number(toll)).push_to(text);
    }
    for (i, &n) in roster.current_toll_free(current).iter().enumerate() {
        text.push_str(if i == 0 {
            "; TollFreeNumbers = @("
        } else {
            ", "
        });
        Quoted(number(n)).push_to(text);
    }
    if !roster.current_toll_free(current).is_empty() {
        text.push(')');
    }
    if let Some(id) = current.conference_id {
        text.push_str("; ParticipantPasscode = ");
        Quoted(roster.texts.get(id)).push_to(text);
    }
    text.push_str(" }");
}
