//! `import-plan.csv`: one row per person to set, for machines (E.164 kept
//! as it is, no spreadsheet neutralising).

use crate::output::{csv_parts, Output, Parts};
use crate::reconcile::{Outcome, Planned};
use std::io::{self, Write};

/// The columns of `import-plan.csv`, in order.
pub const COLUMNS: [&str; 8] = [
    "UserPrincipalName",
    "ProviderName",
    "Domain",
    "TollNumber",
    "TollFreeNumbers",
    "ConferenceId",
    "Url",
    "Action",
];

pub struct ImportPlanCsv;

impl Output<Outcome> for ImportPlanCsv {
    fn file_name(&self) -> &str {
        "import-plan.csv"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let mut w = ::csv::Writer::from_writer(out);
        w.write_record(COLUMNS)?;
        let mut free = String::new();
        for p in outcome.planned() {
            row(outcome, &p, &mut free, &mut w)?;
        }
        w.flush()
    }

    fn rows(&self, outcome: &Outcome) -> Option<usize> {
        Some(outcome.plan.len())
    }

    fn write_parts(&self, outcome: &Outcome, parts: &mut Parts<'_>) -> io::Result<()> {
        let mut free = String::new();
        csv_parts(parts, b"", &COLUMNS, outcome.planned(), |w, p| {
            row(outcome, &p, &mut free, w)
        })
    }
}

/// One person's row of the plan.
fn row(
    outcome: &Outcome,
    p: &Planned<'_>,
    free: &mut String,
    w: &mut ::csv::Writer<impl Write>,
) -> io::Result<()> {
    free.clear();
    for (i, &n) in p.toll_free_numbers.iter().enumerate() {
        if i > 0 {
            free.push(';');
        }
        free.push_str(outcome.e164(n));
    }
    w.write_record([
        p.key,
        p.provider_name,
        p.domain,
        p.toll_number,
        free,
        p.conference_id,
        p.url.unwrap_or_default(),
        p.action.as_str(),
    ])?;
    Ok(())
}
