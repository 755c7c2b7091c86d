//! `import-plan.csv`: one row per person to set, for machines (E.164 kept
//! as it is, no spreadsheet neutralising).

use crate::escape::{csv_field as field, csv_record};
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
        let mut header = Vec::new();
        csv_record(&mut header, &COLUMNS);
        out.write_all(&header)?;
        crate::output::write_in_order(out, &outcome.plan, |entries, text| {
            for p in outcome.views(entries) {
                field(text, p.key.as_str());
                text.push(b',');
                field(text, p.provider_name);
                text.push(b',');
                field(text, p.domain);
                text.push(b',');
                field(text, p.toll_number.as_str());
                text.push(b',');
                // E.164 numbers joined by `;` need no quotes.
                for (i, n) in p.toll_free_numbers.iter().enumerate() {
                    if i > 0 {
                        text.push(b';');
                    }
                    field(text, n.as_str());
                }
                text.push(b',');
                field(text, p.conference_id.as_str());
                text.push(b',');
                field(text, p.url.unwrap_or(""));
                text.push(b',');
                field(text, p.action.as_str());
                text.push(b'\n');
            }
            Ok(())
        })
    }
}
