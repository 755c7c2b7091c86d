//! `import-plan.ps1`: the plan as PowerShell. Microsoft's bridge is disabled
//! and an old third-party entry removed before the one `Set-CsUserAcp` per
//! person. Every value goes through [`escape::powershell`](crate::escape::powershell).

use crate::escape::{powershell as quote, powershell_comment as comment};
use crate::output::{Output, BOM};
use crate::reconcile::{Action, Outcome, PlanEntry};
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
        // People one at a time through one buffer: the plan can be large.
        let mut chunk = String::new();
        for entry in &outcome.plan {
            chunk.clear();
            chunk.push_str("\r\n");
            person(&mut chunk, entry);
            out.write_all(chunk.as_bytes())?;
        }
        let tail = format!(
            "\nif ($script:failed -gt 0) {{\n    Write-Warning (\"{{0}} of {} people failed\" -f $script:failed)\n    exit 1\n}}\n",
            outcome.plan.len()
        );
        out.write_all(tail.replace('\n', "\r\n").as_bytes())
    }
}

fn person(text: &mut String, p: &PlanEntry) {
    let id = quote(p.key.as_str());
    let why = match (p.action, p.disable_microsoft, &p.remove_provider) {
        (Action::Add, _, _) => "add".to_string(),
        (_, true, None) => format!("{}, from Microsoft's bridge", p.action.as_str()),
        (action, _, Some(old)) => format!("{}, from {}", action.as_str(), comment(old)),
        (action, false, None) => action.as_str().to_string(),
    };
    let who = match &*p.display_name {
        "" => comment(p.key.as_str()),
        name => format!("{} <{}>", comment(name), comment(p.key.as_str())),
    };
    text.push_str(&format!(
        "# {who} ({}:{}): {why}\r\n",
        comment(&p.file),
        p.line
    ));
    text.push_str(&format!("Invoke-PlanStep {id} {{\r\n"));
    if p.disable_microsoft {
        text.push_str(&format!(
            "    Disable-CsOnlineDialInConferencingUser -Identity {id} -WhatIf:$DryRun\r\n"
        ));
    }
    if let Some(old) = &p.remove_provider {
        text.push_str(&format!(
            "    Remove-CsUserAcp -Identity {id} -Name {} -WhatIf:$DryRun\r\n",
            quote(old)
        ));
    }
    let mut set = format!(
        "    Set-CsUserAcp -Identity {id} -Name {} -Domain {} -TollNumber {}",
        quote(&p.provider_name),
        quote(&p.domain),
        quote(p.toll_number.as_str())
    );
    if !p.toll_free_numbers.is_empty() {
        let list: Vec<String> = p
            .toll_free_numbers
            .iter()
            .map(|n| quote(n.as_str()))
            .collect();
        set.push_str(&format!(" -TollFreeNumbers @({})", list.join(", ")));
    }
    set.push_str(&format!(
        " -ParticipantPasscode {}",
        quote(p.conference_id.as_str())
    ));
    if let Some(url) = &p.url {
        set.push_str(&format!(" -Url {}", quote(url)));
    }
    set.push_str(" -WhatIf:$DryRun\r\n");
    text.push_str(&set);
    text.push_str("}\r\n");
}
