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

/// One field as the csv crate writes it by default: in quotes, with quotes
/// doubled, only when it holds a comma, a quote or a line break. Written
/// here directly, a million rows take half the time.
fn field(out: &mut Vec<u8>, value: &str) {
    let bytes = value.as_bytes();
    let plain = memchr::memchr3(b',', b'"', b'\n', bytes).is_none() && !bytes.contains(&b'\r');
    if plain {
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    for part in bytes.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.ends_with(b"\"") {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_the_csv_crate_quotes_them() {
        for value in [
            "plain",
            "",
            "a,b",
            "say \"hi\"",
            "\"",
            "line\nbreak",
            "cr\rhere",
            "semi;colon",
            " spaced ",
            "#hash",
        ] {
            let mut ours = Vec::new();
            field(&mut ours, value);
            ours.extend_from_slice(b",x\n");
            let mut theirs = ::csv::Writer::from_writer(Vec::new());
            theirs.write_record([value, "x"]).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs.into_inner().unwrap()).unwrap(),
                "{value:?}"
            );
        }
    }
}
