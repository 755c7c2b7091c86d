//! `import-plan.ps1`: the plan as PowerShell. Microsoft's bridge is disabled
//! and an old third-party entry removed before the one `Set-CsUserAcp` per
//! person. Every value goes through [`escape::powershell`](crate::escape::powershell).

use crate::escape::{powershell_comment as comment, Commented, Quoted};
use crate::output::{Output, BOM};
use crate::reconcile::{Action, Outcome, Planned};
use std::io::{self, Write};

pub struct ImportPlanPs1;

const PREAMBLE: &str = r#"[CmdletBinding()]
param(
    # Show every change with -WhatIf; nothing is changed.
    [switch]$DryRun,
    # Log each failure and go on with the next person instead of stopping.
    [switch]$ContinueOnError
)

$ErrorActionPreference = 'Stop'
$script:failed = 0

function Invoke-PlanStep {
    param([string]$Identity, [scriptblock]$Step)
    try {
        & $Step
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

impl Output for ImportPlanPs1 {
    fn file_name(&self) -> &str {
        "import-plan.ps1"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        // Windows PowerShell 5.1 reads a script without BOM as ANSI and
        // would garble accented names.
        out.write_all(BOM)?;
        let mut text = String::new();
        let count = |a: Action| outcome.plan.iter().filter(|p| p.action == a).count();
        text.push_str("# Audio conferencing provider import plan, written by acp-recon.\n");
        for input in &outcome.inputs {
            text.push_str(&format!(
                "# {:<8} {}  SHA-256 {}\n",
                input.role,
                comment(&input.file),
                input
                    .sha256
                    .as_ref()
                    .map_or("(not read from a file)", |d| d.hex())
            ));
        }
        text.push_str(&format!(
            "# {} people: {} add, {} replace, {} update.\n",
            outcome.plan.len(),
            count(Action::Add),
            count(Action::Replace),
            count(Action::Update)
        ));
        text.push_str("# Run with -DryRun first. The script stops at the first failure unless -ContinueOnError is given.\n");
        text.push_str("# Needs a Teams PowerShell session that has Set-CsUserAcp.\n");
        text.push_str(PREAMBLE);
        out.write_all(text.replace('\n', "\r\n").as_bytes())?;
        crate::output::write_in_order(out, &outcome.plan, |people, text| {
            for entry in outcome.views(people) {
                text.extend_from_slice(b"\r\n");
                person(text, &entry)?;
            }
            Ok(())
        })?;
        let tail = format!(
            "\nif ($script:failed -gt 0) {{\n    Write-Warning (\"{{0}} of {} people failed\" -f $script:failed)\n    exit 1\n}}\n",
            outcome.plan.len()
        );
        out.write_all(tail.replace('\n', "\r\n").as_bytes())
    }
}

fn person(text: &mut Vec<u8>, p: &Planned<'_>) -> io::Result<()> {
    // Bytes are appended directly: the script has a block per person.
    let push = |text: &mut Vec<u8>, s: &str| text.extend_from_slice(s.as_bytes());
    let id = |text: &mut Vec<u8>| Quoted(p.key.as_str()).push_to(text);
    push(text, "# ");
    match p.display_name {
        "" => Commented(p.key.as_str()).push_to(text),
        name => {
            Commented(name).push_to(text);
            push(text, " <");
            Commented(p.key.as_str()).push_to(text);
            push(text, ">");
        }
    }
    push(text, " (");
    Commented(p.file).push_to(text);
    text.push(b':');
    crate::escape::push_decimal(text, p.line);
    push(text, "): ");
    match (p.action, p.disable_microsoft, &p.remove_provider) {
        (Action::Add, _, _) => push(text, "add"),
        (action, true, None) => {
            push(text, action.as_str());
            push(text, ", from Microsoft's bridge");
        }
        (action, _, Some(old)) => {
            push(text, action.as_str());
            push(text, ", from ");
            Commented(old).push_to(text);
        }
        (action, false, None) => push(text, action.as_str()),
    }
    push(text, "\r\nInvoke-PlanStep ");
    id(text);
    push(text, " {\r\n");
    if p.disable_microsoft {
        push(
            text,
            "    Disable-CsOnlineDialInConferencingUser -Identity ",
        );
        id(text);
        push(text, " -WhatIf:$DryRun\r\n");
    }
    if let Some(old) = &p.remove_provider {
        push(text, "    Remove-CsUserAcp -Identity ");
        id(text);
        push(text, " -Name ");
        Quoted(old).push_to(text);
        push(text, " -WhatIf:$DryRun\r\n");
    }
    push(text, "    Set-CsUserAcp -Identity ");
    id(text);
    push(text, " -Name ");
    Quoted(p.provider_name).push_to(text);
    push(text, " -Domain ");
    Quoted(p.domain).push_to(text);
    push(text, " -TollNumber ");
    Quoted(p.toll_number.as_str()).push_to(text);
    for (i, number) in p.toll_free_numbers.iter().enumerate() {
        push(text, if i == 0 { " -TollFreeNumbers @(" } else { ", " });
        Quoted(number.as_str()).push_to(text);
    }
    if !p.toll_free_numbers.is_empty() {
        text.push(b')');
    }
    push(text, " -ParticipantPasscode ");
    Quoted(p.conference_id.as_str()).push_to(text);
    if let Some(url) = &p.url {
        push(text, " -Url ");
        Quoted(url).push_to(text);
    }
    push(text, " -WhatIf:$DryRun\r\n}\r\n");
    Ok(())
}
