//! Findings for people: the messages, the causes, `errors.csv`,
//! `send-back.csv`, `report.json`, `report.html`, the list of people left
//! out of an export, the summary printed on stdout and the diagnostics on
//! stderr. Every sentence the tool writes about a finding is here.

pub mod causes;
pub mod diagnostics;
pub mod errors_csv;
pub mod excluded;
pub mod html;
pub mod json;
pub mod messages;
mod reasons;
pub mod send_back;
pub mod summary;

pub use messages::Words;
