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
                input.sha256.as_deref().unwrap_or("(not read from a file)")
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
            for entry in people.iter().filter_map(|e| outcome.view(e)) {
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
    let id = Quoted(p.key.as_str());
    let key = Commented(p.key.as_str());
    match p.display_name {
        "" => write!(text, "# {key}")?,
        name => write!(text, "# {} <{key}>", Commented(name))?,
    }
    write!(text, " ({}:{}): ", Commented(p.file), p.line)?;
    match (p.action, p.disable_microsoft, &p.remove_provider) {
        (Action::Add, _, _) => text.extend_from_slice(b"add"),
        (_, true, None) => write!(text, "{}, from Microsoft's bridge", p.action.as_str())?,
        (action, _, Some(old)) => write!(text, "{}, from {}", action.as_str(), Commented(old))?,
        (action, false, None) => text.extend_from_slice(action.as_str().as_bytes()),
    }
    write!(text, "\r\nInvoke-PlanStep {id} {{\r\n")?;
    if p.disable_microsoft {
        write!(
            text,
            "    Disable-CsOnlineDialInConferencingUser -Identity {id} -WhatIf:$DryRun\r\n"
        )?;
    }
    if let Some(old) = &p.remove_provider {
        write!(
            text,
            "    Remove-CsUserAcp -Identity {id} -Name {} -WhatIf:$DryRun\r\n",
            Quoted(old)
        )?;
    }
    write!(
        text,
        "    Set-CsUserAcp -Identity {id} -Name {} -Domain {} -TollNumber {}",
        Quoted(p.provider_name),
        Quoted(p.domain),
        Quoted(p.toll_number.as_str())
    )?;
    for (i, number) in p.toll_free_numbers.iter().enumerate() {
        let before = if i == 0 { " -TollFreeNumbers @(" } else { ", " };
        write!(text, "{before}{}", Quoted(number.as_str()))?;
    }
    if !p.toll_free_numbers.is_empty() {
        text.push(b')');
    }
    write!(
        text,
        " -ParticipantPasscode {}",
        Quoted(p.conference_id.as_str())
    )?;
    if let Some(url) = &p.url {
        write!(text, " -Url {}", Quoted(url))?;
    }
    text.extend_from_slice(b" -WhatIf:$DryRun\r\n}\r\n");
    Ok(())
}
