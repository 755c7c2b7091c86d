//! acp-recon checks the file an audio conferencing provider (ACP) returns
//! with each person's bridge details, and writes what an admin imports.
//!
//! The pipeline runs one way, in five steps:
//!
//! 1. [`source`] reads bytes into a [`source::Table`]: encoding, delimiter,
//!    and rows that remember their line.
//! 2. [`columns`] maps headers to fields through aliases.
//! 3. [`normalize`] turns cells into keys, E.164 numbers and conference IDs,
//!    or into reasons they are not.
//! 4. [`reconcile`] joins the returned rows with the roster and decides, per
//!    person, plan, unchanged or rejected, collecting [`Finding`]s.
//! 5. [`output`] writes the plan ([`plan`]) and the reports ([`report`]).
//!
//! ```
//! use acp_recon::{reconcile, source, Settings};
//! use std::path::Path;
//!
//! let settings = Settings::load(Path::new("fixtures/acp.toml"))?;
//! let inputs = reconcile::Inputs {
//!     roster: source::read(Path::new("fixtures/roster.csv"))?,
//!     returned: source::read(Path::new("fixtures/returned.csv"))?,
//!     sent: None,
//! };
//! let outcome = reconcile::reconcile(inputs, &settings)?;
//! assert!(outcome.summary.accounting.rows_balanced);
//! assert!(outcome.planned().all(|p| p.toll_number.as_str().starts_with('+')));
//! # Ok::<(), acp_recon::Error>(())
//! ```

mod bytes;
pub mod columns;
pub mod config;
pub mod error;
pub mod escape;
pub mod export;
pub mod finding;
pub mod memory;
pub mod model;
pub mod normalize;
pub mod output;
pub mod plan;
pub mod progress;
pub mod reconcile;
pub mod report;
pub mod source;
pub mod validate;

pub use config::Settings;
pub use error::{Error, ExitStatus};
pub use finding::{Code, Finding, Severity};
pub use model::UserKey;
