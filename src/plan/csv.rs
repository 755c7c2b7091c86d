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
        let mut w = ::csv::Writer::from_writer(&mut *out);
        w.write_record(COLUMNS)?;
        w.flush()?;
        drop(w);
        crate::output::write_in_order(out, &outcome.plan, |entries, text| {
            let mut w = ::csv::Writer::from_writer(text);
            let mut toll_free = String::new();
            for p in entries.iter().filter_map(|e| outcome.view(e)) {
                toll_free.clear();
                for (i, n) in p.toll_free_numbers.iter().enumerate() {
                    if i > 0 {
                        toll_free.push(';');
                    }
                    toll_free.push_str(n.as_str());
                }
                w.write_record([
                    p.key.as_str(),
                    p.provider_name,
                    p.domain,
                    p.toll_number.as_str(),
                    &toll_free,
                    p.conference_id.as_str(),
                    p.url.unwrap_or(""),
                    p.action.as_str(),
                ])?;
            }
            w.flush()
        })
    }
}
