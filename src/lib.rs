//! acp-recon checks the file an audio conferencing provider (ACP) returns
//! with each person's bridge details, and writes what an admin imports.
//!
//! The data flows one way, in five steps:
//!
//! 1. [`source`] reads each file as a stream of records that remember their
//!    line: CSV in any encoding and delimiter, or a workbook.
//! 2. [`normalize`] turns cells into keys, E.164 numbers and conference IDs,
//!    or into the reasons they are not.
//! 3. [`check`] builds the roster into people and checks each returned row,
//!    collecting compact [`Finding`]s.
//! 4. [`reconcile`] joins the rows with the roster by key and decides, per
//!    person, plan, unchanged or rejected: an [`reconcile::Outcome`].
//! 5. [`plan`] and [`report`] write the outcome, in words only in
//!    `report`, through [`output`], which puts the files in place together.
//!
//! [`run`] puts the steps in order for each command, from a request to its
//! outputs in place, and [`ledger`] remembers, across runs, the batches
//! sent, the files returned and what became of each person, in one SQLite
//! file. [`cli`] turns arguments into a request and the result into what
//! is printed and the exit status. `docs/ARCHITECTURE.md` draws the run.
//!
//! ```
//! use acp_recon::run::{self, Nothing, Request};
//! use acp_recon::Settings;
//! use std::path::Path;
//!
//! let settings = Settings::load(Path::new("fixtures/acp.toml"))?;
//! let request = Request::new(Path::new("fixtures/roster.csv"), Path::new("fixtures/returned.csv"));
//! let outcome = run::reconcile(&request, &Nothing, &settings, &acp_recon::progress::Quiet)?;
//! assert!(outcome.summary.accounting.balanced());
//! assert!(outcome.planned().all(|p| p.toll_number.starts_with('+')));
//! # Ok::<(), acp_recon::Error>(())
//! ```

#![forbid(unsafe_code)]

pub mod check;
pub mod cli;
pub mod columns;
pub mod config;
pub mod error;
pub mod escape;
pub mod export;
pub mod finding;
pub mod ledger;
pub mod model;
pub mod normalize;
pub mod output;
pub mod plan;
pub mod progress;
pub mod reconcile;
pub mod report;
pub mod run;
pub mod source;

pub use config::Settings;
pub use error::{Error, ExitStatus};
pub use finding::{Code, Finding, Severity};
