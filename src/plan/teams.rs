//! The plan for Microsoft Teams audio conferencing: each person's default
//! toll and toll-free numbers on their bridge. `import-plan.csv` for
//! machines, and `import-plan.ps1` for the MicrosoftTeams module: one
//! `Set-CsOnlineDialInConferencingUser` a person, the same done-log, resume
//! and stop at the first failure as the provider's script, and its own dry
//! run, which reads each person and prints the change (the cmdlet has no
//! dry run of its own). Conference IDs are Teams' own: never set. Every
//! value goes through [`escape::powershell`](crate::escape::powershell).

use super::powershell::{head, DONE};
use crate::escape::{Commented, Quoted};
use crate::output::{csv_parts, Output, Parts, BOM};
use crate::reconcile::{Action, Outcome, Planned};
use std::fmt::Write as _;
use std::io::{self, Write};

/// The columns of a Teams `import-plan.csv`, in order.
pub const COLUMNS: [&str; 5] = [
    "Identity",
    "ServiceNumber",
    "TollFreeServiceNumber",
    "BridgeName",
    "Action",
];

pub struct TeamsPlanCsv;

impl Output<Outcome> for TeamsPlanCsv {
    fn file_name(&self) -> &str {
        "import-plan.csv"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let mut w = ::csv::Writer::from_writer(out);
        w.write_record(COLUMNS)?;
        for p in outcome.planned() {
            row(outcome, &p, &mut w)?;
        }
        w.flush()
    }

    fn rows(&self, outcome: &Outcome) -> Option<usize> {
        Some(outcome.plan.len())
    }

    fn write_parts(&self, outcome: &Outcome, parts: &mut Parts<'_>) -> io::Result<()> {
        csv_parts(parts, b"", &COLUMNS, outcome.planned(), |w, p| {
            row(outcome, &p, w)
        })
    }
}

fn row(outcome: &Outcome, p: &Planned<'_>, w: &mut ::csv::Writer<impl Write>) -> io::Result<()> {
    let free = p.toll_free_numbers.first().map_or("", |&n| outcome.e164(n));
    w.write_record([p.key, p.toll_number, free, p.bridge_name, p.action.as_str()])?;
    Ok(())
}

pub struct TeamsPlanPs1;

const PREAMBLE: &str = r#"[CmdletBinding()]
param(
    # Read each person and print what would change; nothing is set.
    [switch]$DryRun,
    # Log each failure and go on with the next person instead of stopping.
    [switch]$ContinueOnError
)

$ErrorActionPreference = 'Stop'
$script:failed = 0
$script:skipped = 0

if (-not (Get-Command Set-CsOnlineDialInConferencingUser -ErrorAction SilentlyContinue)) {
    Write-Error ('Set-CsOnlineDialInConferencingUser is not available in this session: ' +
        'Install-Module MicrosoftTeams, run Connect-MicrosoftTeams, then run this script again.') -ErrorAction Continue
    exit 1
}

"#;

const STEPS: &str = r#"# One person: their step (the Set-CsOnlineDialInConferencingUser below
# it) run and logged, or with -DryRun, what they have now and what the
# step would set.
function Invoke-PlannedStep {
    param(
        [string]$Identity,
        [string]$ServiceNumber,
        [string]$TollFreeServiceNumber,
        [string]$BridgeName,
        [scriptblock]$Step
    )
    $step = '{0}|{1}|{2}|{3}' -f $Identity, $ServiceNumber, $TollFreeServiceNumber, $BridgeName
    if ($script:done.ContainsKey($step)) {
        $script:skipped++
        return
    }
    try {
        if ($DryRun) {
            $now = Get-CsOnlineDialInConferencingUser -Identity $Identity
            Write-Host ('{0}: ServiceNumber {1} -> {2}; TollFreeServiceNumber {3} -> {4}' -f
                $Identity, $now.ServiceNumber, $ServiceNumber, $now.TollFreeServiceNumber, $TollFreeServiceNumber)
            return
        }
        & $Step
        Add-Content -LiteralPath $doneFile -Value $step -Encoding UTF8
        $script:done[$step] = $true
    } catch {
        $script:failed++
        if (-not $ContinueOnError) {
            Write-Error ("{0}: {1}" -f $Identity, $_) -ErrorAction Continue
            throw
        }
        Write-Warning ("{0}: {1}" -f $Identity, $_)
    }
}
"#;

impl Output<Outcome> for TeamsPlanPs1 {
    fn file_name(&self) -> &str {
        "import-plan.ps1"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        // Windows PowerShell 5.1 reads a script without BOM as ANSI.
        out.write_all(BOM)?;
        let mut text = String::new();
        let count = |a: Action| outcome.plan.iter().filter(|p| p.action == a).count();
        head(
            &mut text,
            "Microsoft Teams audio conferencing plan",
            outcome,
        );
        let _ = writeln!(
            text,
            "# {} people: {} add, {} update.",
            outcome.plan.len(),
            count(Action::Add),
            count(Action::Update)
        );
        text.push_str("# Run it after Connect-MicrosoftTeams (the MicrosoftTeams module), with -DryRun first:\n");
        text.push_str("# that reads each person with Get-CsOnlineDialInConferencingUser and prints the change,\n");
        text.push_str("# setting nothing. The script stops at the first failure unless -ContinueOnError is given.\n");
        text.push_str("# Each finished person is added to import-plan.done beside this script; run it again to go on.\n");
        text.push_str("# Conference IDs are Teams' own and are not set. Invite numbers can take up to 24 hours to show.\n");
        text.push_str(PREAMBLE);
        text.push_str(DONE);
        text.push_str(STEPS);
        out.write_all(text.replace('\n', "\r\n").as_bytes())?;
        text.clear();
        text.push_str("\r\n");
        for p in outcome.planned() {
            person(&mut text, outcome, &p);
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

/// A person's comment line and step line.
fn person(text: &mut String, outcome: &Outcome, p: &Planned<'_>) {
    text.push_str("# ");
    if !p.display_name.is_empty() {
        Commented(p.display_name).push_to(text);
        text.push_str(" <");
        Commented(p.key).push_to(text);
        text.push('>');
    } else {
        Commented(p.key).push_to(text);
    }
    let _ = write!(text, " (returned line {}): {}", p.line, p.action.as_str());
    let free = p.toll_free_numbers.first().map_or("", |&n| outcome.e164(n));
    text.push_str("\r\nInvoke-PlannedStep ");
    for value in [p.key, p.toll_number, free, p.bridge_name] {
        Quoted(value).push_to(text);
        text.push(' ');
    }
    text.push_str("{\r\n    Set-CsOnlineDialInConferencingUser -Identity ");
    Quoted(p.key).push_to(text);
    text.push_str(" -ServiceNumber ");
    Quoted(p.toll_number).push_to(text);
    if !free.is_empty() {
        text.push_str(" -TollFreeServiceNumber ");
        Quoted(free).push_to(text);
    }
    if !p.bridge_name.is_empty() {
        text.push_str(" -BridgeName ");
        Quoted(p.bridge_name).push_to(text);
    }
    text.push_str("\r\n}\r\n");
}
