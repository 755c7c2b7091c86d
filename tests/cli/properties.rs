//! Rules that hold for all input: no panic, cells read back as written, and
//! every returned row and requested person accounted for exactly once, as
//! the written files show it.

use acp_recon::check::returned::Returned;
use acp_recon::check::roster::Builder;
use acp_recon::normalize::text::key;
use acp_recon::output;
use acp_recon::reconcile::{self, Ask, Outcome, Read};
use acp_recon::run::{self, outputs};
use acp_recon::source::{self, Collect, ReadOptions};
use acp_recon::Settings;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const ROSTER: &str = "UserPrincipalName,DisplayName,CurrentProvider,CurrentConferenceId\n\
a@x.example,A,,\nb@x.example,B,Microsoft,\nc@x.example,C,Fabrikam,012345\n";

fn settings() -> Settings {
    Settings::parse(
        "[provider]\ndefault_region = \"US\"\n",
        std::path::Path::new("t.toml"),
    )
    .unwrap()
}

/// Reconciles a returned file against the roster above, all in memory;
/// `None` when the file cannot be read at all (no header).
fn reconcile(returned: &[u8]) -> Option<Outcome> {
    let settings = settings();
    let options = ReadOptions::default();
    let (roster_source, roster) =
        source::read_bytes("roster.csv", ROSTER.as_bytes(), &options, |s| {
            Builder::open(s, &settings, false)
        })
        .unwrap();
    let returned = source::read_bytes("r.csv", returned, &options, |s| {
        Returned::open(s, &settings)
    })
    .ok()?;
    let read = Read {
        roster: (roster_source, roster.finish()),
        returned,
        sent: None,
        bridge: None,
    };
    let quiet = &acp_recon::progress::Quiet;
    let outcome = reconcile::reconcile(read, Ask::NOBODY, &settings, quiet).unwrap();
    Some(run::finish(outcome, &run::Nothing, quiet).unwrap())
}

/// Rows of a written CSV file, header first.
fn read_csv(path: &std::path::Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// Writes every output, then checks from the files alone that each data
/// row of `rows` (raw key cells, blank rows left out) is planned, unchanged
/// or sent back, exactly once; and each roster person planned, unchanged,
/// rejected or missing, exactly once.
fn accounted_for_in_the_files(outcome: &Outcome, keys: &[String]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    output::write_all(
        dir.path(),
        outcome,
        &outputs(acp_recon::config::Target::Acp, true),
        output::Sealing::unsealed(&|_| true),
    )
    .unwrap();
    let plan: BTreeSet<String> = read_csv(&dir.path().join("import-plan.csv"))[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    let with_code = |code: &str| -> BTreeSet<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code)
            .filter_map(|f| f["key"].as_str().map(String::from))
            .collect()
    };
    let unchanged = with_code("unchanged");
    let missing = with_code("missing-from-return");
    let send_back = read_csv(&dir.path().join("send-back.csv"));
    // Sent back as received: the key cell is the first, written for Excel.
    let unquote = |cell: &str| cell.strip_prefix('\'').unwrap_or(cell).to_string();
    let sent_back: Vec<String> = send_back[1..]
        .iter()
        .map(|r| key(&unquote(&r[0])).into_owned())
        .collect();
    let mut rows_of: BTreeMap<String, usize> = BTreeMap::new();
    for k in keys {
        *rows_of.entry(key(k).into_owned()).or_default() += 1;
    }
    let planned_rows: usize = plan
        .iter()
        .map(|k| rows_of.get(k).copied().unwrap_or(0))
        .sum();
    let unchanged_rows: usize = unchanged
        .iter()
        .map(|k| rows_of.get(k).copied().unwrap_or(0))
        .sum();
    prop_assert!(plan.is_disjoint(&unchanged));
    prop_assert_eq!(
        keys.len(),
        planned_rows + unchanged_rows + sent_back.len(),
        "plan {:?}, unchanged {:?}, sent back {:?}",
        plan,
        unchanged,
        sent_back
    );
    // What the report says adds up is what the files hold.
    let summary = &report["summary"];
    let accounting = &summary["accounting"];
    prop_assert_eq!(summary["planned"].as_u64(), Some(plan.len() as u64));
    prop_assert_eq!(summary["unchanged"].as_u64(), Some(unchanged.len() as u64));
    prop_assert_eq!(summary["rejected"].as_u64(), Some(sent_back.len() as u64));
    prop_assert_eq!(
        summary["missing_from_return"].as_u64(),
        Some(missing.len() as u64)
    );
    prop_assert_eq!(summary["returned_rows"].as_u64(), Some(keys.len() as u64));
    prop_assert_eq!(
        accounting["planned_rows"].as_u64(),
        Some(planned_rows as u64)
    );
    prop_assert_eq!(
        accounting["unchanged_rows"].as_u64(),
        Some(unchanged_rows as u64)
    );
    prop_assert_eq!(
        accounting["rejected_rows"].as_u64(),
        Some(sent_back.len() as u64)
    );
    prop_assert_eq!(&accounting["rows_balanced"], &serde_json::Value::Bool(true));
    prop_assert_eq!(
        &accounting["requested_balanced"],
        &serde_json::Value::Bool(true)
    );
    for person in ["a@x.example", "b@x.example", "c@x.example"] {
        let fates = [
            plan.contains(person),
            unchanged.contains(person),
            sent_back.iter().any(|k| k == person),
            missing.contains(person),
        ];
        prop_assert_eq!(
            fates.iter().filter(|&&f| f).count(),
            1,
            "{} {:?}",
            person,
            fates
        );
    }
    Ok(())
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
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut with_header = b"UPN,TollNumber,ConferenceId,ProviderName,Domain,PIN\n".to_vec();
        with_header.extend_from_slice(&bytes);
        for input in [with_header, bytes] {
            if let Some(outcome) = reconcile(&input) {
                let rows = outcome.summary.returned_rows;
                let dir = tempfile::tempdir().unwrap();
                output::write_all(dir.path(), &outcome, &outputs(acp_recon::config::Target::Acp, true), output::Sealing::unsealed(&|_| true)).unwrap();
                // Every row is in the plan's people, the unchanged ones, or
                // sent back, as the files have them.
                let plan = read_csv(&dir.path().join("import-plan.csv")).len() - 1;
                let sent_back = read_csv(&dir.path().join("send-back.csv")).len() - 1;
                prop_assert!(plan <= rows && sent_back <= rows);
                prop_assert_eq!(plan, outcome.summary.planned);
                prop_assert_eq!(sent_back, outcome.summary.rejected);
                prop_assert!(outcome.summary.accounting.balanced());
            }
        }
    }

    #[test]
    fn every_row_and_person_is_accounted_for_in_the_written_files(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..9), 0..30),
        delimiter in prop_oneof![Just(b','), Just(b';'), Just(b'\t')],
    ) {
        let mut w = ::csv::WriterBuilder::new().delimiter(delimiter).flexible(true).from_writer(Vec::new());
        w.write_record(["UserPrincipalName", "ProviderName", "Domain", "TollNumber", "TollFreeNumbers", "ConferenceId", "Leader PIN"]).unwrap();
        for row in &rows {
            w.write_record(row).unwrap();
        }
        let outcome = reconcile(&w.into_inner().unwrap()).unwrap();
        // A row of blank cells no wider than the header is not data.
        let blank = |r: &Vec<String>| r.len() <= 7 && r.iter().all(|c| acp_recon::normalize::text::trim_cell(c).is_empty());
        let keys: Vec<String> = rows
            .iter()
            .filter(|r| !blank(r))
            .map(|r| r.first().cloned().unwrap_or_default())
            .collect();
        accounted_for_in_the_files(&outcome, &keys)?;
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
        let bytes = w.into_inner().unwrap();
        let (_, read) = source::read_bytes("t.csv", &bytes, &ReadOptions::default(), |_| Ok(Collect::default())).unwrap();
        let expected: Vec<&Vec<String>> = rows
            .iter()
            .filter(|r| !r.iter().all(|c| acp_recon::normalize::text::trim_cell(c).is_empty()))
            .collect();
        prop_assert_eq!(read.rows.len(), expected.len());
        for (got, want) in read.rows.iter().zip(expected) {
            prop_assert_eq!(&got.1, want);
        }
    }
}

/// A returned file of the people of `ROSTER`, one row each of the cells.
fn returned_file(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = ::csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    w.write_record([
        "UserPrincipalName",
        "ProviderName",
        "Domain",
        "TollNumber",
        "TollFreeNumbers",
        "ConferenceId",
    ])
    .unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.into_inner().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The same inputs reconciled twice against the same ledger: the second
    /// run writes the same bytes as the first, and records no fate.
    #[test]
    fn a_file_reconciled_again_gives_the_same_outputs_and_records_nothing(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 6), 0..12),
        batch in any::<bool>(),
    ) {
        use acp_recon::ledger::Ledger;
        let dir = tempfile::tempdir().unwrap();
        let settings = settings();
        let path = |name: &str| dir.path().join(name);
        std::fs::write(path("roster.csv"), ROSTER).unwrap();
        std::fs::write(path("returned.csv"), returned_file(&rows)).unwrap();
        let ledger = path("acp-recon.db");
        if batch {
            // Two of the three people were sent as a batch.
            std::fs::write(path("sent.csv"), "UserPrincipalName\na@x.example\nc@x.example\n").unwrap();
            let request = run::export::Request {
                roster: &path("sent.csv"),
                out: &path("batch.csv"),
                sheet: None,
                batch: None,
                replace_batch: false,
                batch_size: None,
            };
            run::export::export(&request, &settings, Some(Ledger::open(&ledger).unwrap())).unwrap();
        }
        let (roster, returned) = (path("roster.csv"), path("returned.csv"));
        let request = run::Request::new(&roster, &returned);
        let quiet = &acp_recon::progress::Quiet;
        let mut written = Vec::new();
        let mut fates = Vec::new();
        for out in ["first", "second"] {
            let open = Ledger::open(&ledger).unwrap();
            let mut outcome = run::reconcile(&request, &open, &settings, quiet).unwrap();
            let delivered = run::deliver(&mut outcome, &path(out), &outputs(acp_recon::config::Target::Acp, false), Some(open)).unwrap();
            prop_assert_eq!(delivered.recorded.unwrap().already.is_some(), out == "second");
            let files: Vec<Vec<u8>> = delivered.written.iter().map(|p| std::fs::read(p).unwrap()).collect();
            written.push(files);
            let conn = rusqlite::Connection::open(&ledger).unwrap();
            let count: i64 = conn.query_row("SELECT count(*) FROM fate", [], |r| r.get(0)).unwrap();
            fates.push(count);
        }
        prop_assert!(written[0] == written[1], "the second run wrote other bytes");
        prop_assert_eq!(fates[0], fates[1]);
    }
}
