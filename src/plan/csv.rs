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

impl Output for ImportPlanCsv {
    fn file_name(&self) -> &str {
        "import-plan.csv"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let mut w = ::csv::Writer::from_writer(out);
        w.write_record(COLUMNS)?;
        for p in outcome.planned() {
            let toll_free: Vec<&str> = p.toll_free_numbers.iter().map(|n| n.as_str()).collect();
            w.write_record([
                p.key.as_str(),
                p.provider_name,
                p.domain,
                p.toll_number.as_str(),
                &toll_free.join(";"),
                p.conference_id.as_str(),
                p.url.unwrap_or(""),
                p.action.as_str(),
            ])?;
        }
        w.flush()
    }
}
