//! Findings for people: the messages, the causes, `errors.csv`,
//! `report.json`, `report.html`, the summary printed on stdout and the
//! diagnostics on stderr.

pub mod causes;
pub mod diagnostics;
pub mod errors_csv;
pub mod html;
pub mod json;
pub mod messages;
pub mod summary;

pub use messages::Words;
