//! `import-plan.csv`: one row per person to set, for machines (E.164 kept
//! as it is, no spreadsheet neutralising).

use crate::output::Output;
use crate::reconcile::Outcome;
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
                &free,
                p.conference_id,
                p.url.unwrap_or_default(),
                p.action.as_str(),
            ])?;
        }
        w.flush()
    }
}
