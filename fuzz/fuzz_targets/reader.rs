//! Any bytes as a returned file: read as text or workbook, reconcile against
//! a small roster, write every output. Nothing may panic, and the accounting
//! must add up.

#![no_main]

use acp_recon::check::{returned::Returned, roster::Builder};
use acp_recon::progress::Quiet;
use acp_recon::reconcile::{reconcile, Ask, Read};
use acp_recon::source::{read_bytes, ReadOptions};
use acp_recon::{run, Settings};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const ROSTER: &str = "UserPrincipalName,DisplayName,CurrentProvider,CurrentConferenceId\n\
a@x.example,A,,\nb@x.example,B,Microsoft,\nc@x.example,C,Fabrikam,012345\n";

fuzz_target!(|data: &[u8]| {
    let settings =
        Settings::parse("[provider]\ndefault_region = \"US\"\n", Path::new("f.toml")).unwrap();
    let options = ReadOptions::default();
    let (roster_source, roster) = read_bytes("roster.csv", ROSTER.as_bytes(), &options, |s| {
        Builder::open(s, &settings, false)
    })
    .unwrap();
    let Ok(returned) = read_bytes("r.csv", data, &options, |s| Returned::open(s, &settings)) else {
        return;
    };
    let read = Read {
        roster: (roster_source, roster.finish()),
        returned,
        sent: None,
        bridge: None,
    };
    let outcome = reconcile(read, Ask::NOBODY, &settings, &Quiet).unwrap();
    let outcome = run::finish(outcome, &run::Nothing, &Quiet).unwrap();
    assert!(outcome.summary.accounting.balanced());
    for output in run::outputs(acp_recon::config::Target::Acp, true) {
        output.write(&outcome, &mut std::io::sink()).unwrap();
    }
});
