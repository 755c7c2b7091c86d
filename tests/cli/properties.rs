//! Rules that hold for all input: no panic, and every row accounted for.

use acp_recon::reconcile::{reconcile, Inputs};
use acp_recon::source::{csv, decode::decode};
use acp_recon::Settings;
use proptest::prelude::*;

fn table(name: &str, bytes: Vec<u8>) -> Option<acp_recon::source::Table> {
    csv::parse(name.into(), decode(bytes)).ok()
}

const ROSTER: &str = "UserPrincipalName,DisplayName,CurrentProvider,CurrentConferenceId\n\
a@x.example,A,,\nb@x.example,B,Microsoft,\nc@x.example,C,Fabrikam,012345\n";

fn settings() -> Settings {
    Settings::parse(
        "[provider]\ndefault_region = \"US\"\n",
        std::path::Path::new("t.toml"),
    )
    .unwrap()
}

/// Runs the whole pipeline; returns false when the counts do not add up.
fn run(returned: Vec<u8>) -> bool {
    let Some(returned) = table("r.csv", returned) else {
        return true;
    };
    let inputs = Inputs {
        roster: table("roster.csv", ROSTER.as_bytes().to_vec()).unwrap(),
        returned,
        sent: None,
    };
    match reconcile(inputs, &settings()) {
        Ok(outcome) => {
            let a = &outcome.summary.accounting;
            let mut sink = Vec::new();
            for output in acp_recon::output::reconcile_outputs() {
                output.write(&outcome, &mut sink).unwrap();
            }
            a.rows_balanced && a.requested_balanced && outcome.send_back.len() == a.rejected_rows
        }
        Err(_) => true,
    }
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("a@x.example".to_string()),
        Just("B@X.example".to_string()),
        Just("c@x.example".to_string()),
        Just("Fabrikam".to_string()),
        Just("+14255550100".to_string()),
        Just("+18005550199;+1 888 555 0123".to_string()),
        Just("012345".to_string()),
        Just("1.42555E+10".to_string()),
        Just("Microsoft".to_string()),
        "[0-9+ ()-]{0,20}",
        "[\\PC\"',;\t\r\n]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut with_header = b"UPN,TollNumber,ConferenceId,ProviderName,Domain,PIN\n".to_vec();
        with_header.extend_from_slice(&bytes);
        prop_assert!(run(with_header));
        prop_assert!(run(bytes));
    }

    #[test]
    fn arbitrary_csv_is_always_accounted_for(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..8), 0..30),
        delimiter in prop_oneof![Just(b','), Just(b';'), Just(b'\t')],
    ) {
        let mut w = ::csv::WriterBuilder::new().delimiter(delimiter).flexible(true).from_writer(Vec::new());
        w.write_record(["UserPrincipalName", "ProviderName", "Domain", "TollNumber", "TollFreeNumbers", "ConferenceId", "Leader PIN"]).unwrap();
        for row in &rows {
            w.write_record(row).unwrap();
        }
        prop_assert!(run(w.into_inner().unwrap()));
    }

    #[test]
    fn cells_read_back_as_written(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 3), 0..30),
        delimiter in prop_oneof![Just(b','), Just(b';'), Just(b'\t')],
        always in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let style = if always { ::csv::QuoteStyle::Always } else { ::csv::QuoteStyle::Necessary };
        let terminator = if crlf { ::csv::Terminator::CRLF } else { ::csv::Terminator::Any(b'\n') };
        let mut w = ::csv::WriterBuilder::new()
            .delimiter(delimiter)
            .quote_style(style)
            .terminator(terminator)
            .from_writer(Vec::new());
        w.write_record(["a", "b", "c"]).unwrap();
        for row in &rows {
            w.write_record(row).unwrap();
        }
        let t = table("t.csv", w.into_inner().unwrap()).unwrap();
        let expected: Vec<&Vec<String>> = rows
            .iter()
            .filter(|r| !r.iter().all(|c| c.trim().is_empty()))
            .collect();
        let read: Vec<Vec<String>> = t.rows().map(|r| r.cells().map(String::from).collect()).collect();
        prop_assert_eq!(read.len(), expected.len());
        for (got, want) in read.iter().zip(expected) {
            prop_assert_eq!(got, want);
        }
    }
}

/// Text drawn from the characters that trimming and key cleaning treat
/// specially, mixed with plain ASCII.
fn noisy_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            proptest::char::range(' ', '~'),
            Just('\t'),
            Just('\u{a0}'),
            Just('\u{200b}'),
            Just('\u{feff}'),
            Just('\u{3000}'),
            Just('É'),
            Just('İ'),
        ],
        0..12,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #[test]
    fn trimming_takes_exactly_whitespace_and_invisible_characters(s in noisy_text()) {
        use acp_recon::normalize::text::{is_invisible, trim_cell};
        let reference = s.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
        prop_assert_eq!(trim_cell(&s), reference);
    }

    #[test]
    fn keys_are_clean_lowercase_text(s in noisy_text()) {
        use acp_recon::normalize::text::{clean_key, is_invisible};
        let key = clean_key(&s);
        prop_assert!(!key.chars().any(is_invisible));
        prop_assert_eq!(key.to_lowercase(), key);
    }
}
