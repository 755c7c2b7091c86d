//! Any bytes as a returned file: read as text or workbook, reconcile against
//! a small roster, write every output. Nothing may panic.

#![no_main]

use acp_recon::reconcile::{reconcile, Inputs};
use acp_recon::source::{csv, decode::decode, sheet};
use acp_recon::Settings;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const ROSTER: &str = "UserPrincipalName,DisplayName,CurrentProvider,CurrentConferenceId\n\
a@x.example,A,,\nb@x.example,B,Microsoft,\nc@x.example,C,Fabrikam,012345\n";

fuzz_target!(|data: &[u8]| {
    let settings =
        Settings::parse("[provider]\ndefault_region = \"US\"\n", Path::new("f.toml")).unwrap();
    let returned = if data.starts_with(b"PK") || data.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        sheet::parse("r.xlsx".into(), data, None, &[])
    } else {
        csv::parse("r.csv".into(), decode(data.to_vec()))
    };
    let Ok(returned) = returned else { return };
    let roster = csv::parse("roster.csv".into(), decode(ROSTER.as_bytes().to_vec())).unwrap();
    let inputs = Inputs {
        roster,
        returned,
        sent: None,
    };
    if let Ok(outcome) = reconcile(inputs, &settings) {
        assert!(outcome.summary.accounting.rows_balanced);
        for output in acp_recon::output::reconcile_outputs() {
            output.write(&outcome, &mut std::io::sink()).unwrap();
        }
    }
});
