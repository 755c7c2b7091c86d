//! The last stage of a run: its outputs written as one set, and the run
//! recorded in the ledger, the two together.

use crate::error::Error;
use crate::ledger::{Ledger, Recorded};
use crate::output::{self, Output};
use crate::reconcile::Outcome;
use std::path::{Path, PathBuf};

/// What delivering a run did.
#[derive(Debug)]
pub struct Delivered {
    /// The files written, in the order of the outputs.
    pub written: Vec<PathBuf>,
    /// What the ledger recorded, when there is one.
    pub recorded: Option<Recorded>,
}

/// Writes the outputs into `dir` as one set and records the run in the
/// ledger: the ledger records while the outputs are written, and commits
/// once they are in place, so that a run that stops before records nothing.
pub fn deliver(
    outcome: &Outcome,
    dir: &Path,
    outputs: &[&dyn Output<Outcome>],
    ledger: Option<Ledger>,
) -> Result<Delivered, Error> {
    let (written, recorded) = std::thread::scope(|scope| {
        let recording = ledger.map(|mut ledger| {
            scope.spawn(move || {
                let recorded = ledger.record_run(outcome);
                (ledger, recorded)
            })
        });
        let written = output::write_all(dir, outcome, outputs);
        (written, recording.map(|r| r.join()))
    });
    let written = written?;
    let recorded = match recorded {
        None => None,
        Some(joined) => {
            let (ledger, recorded) = joined.map_err(|_| Error::Ledger {
                path: PathBuf::new(),
                message: "recording stopped unexpectedly".into(),
                help: "run again".into(),
            })?;
            let recorded = recorded?;
            ledger.commit()?;
            Some(recorded)
        }
    };
    Ok(Delivered { written, recorded })
}
