//! Findings for people: `errors.csv`, `report.json`, the summary printed on
//! stdout and the miette diagnostics on stderr.

pub mod diagnostics;
pub mod errors_csv;
pub mod json;
pub mod summary;
