//! The last stage of a run: its outputs written as one set and the run
//! recorded in the ledger, the two together. The ledger records while the
//! outputs are written, and commits once they are in place (their previous
//! versions still kept aside); the output folder's journal names the
//! commit, so that a run killed between the two is undone, or finished, by
//! the next one into that folder. Outputs and ledger change together or
//! not at all.

use crate::error::Error;
use crate::ledger::{self, Ledger, Recorded};
use crate::output::{self, Output, Seal, Sealing, Staged};
use crate::reconcile::Outcome;
use std::path::{Path, PathBuf};
use std::thread::ScopedJoinHandle;

/// What delivering a run did.
#[derive(Debug)]
pub struct Delivered {
    /// The files written, in the order of the outputs.
    pub written: Vec<PathBuf>,
    /// What the ledger recorded, when there is one.
    pub recorded: Option<Recorded>,
}

/// Writes the outputs into `dir` as one set and records the run in the
/// ledger, both or neither.
pub fn deliver(
    outcome: &mut Outcome,
    dir: &Path,
    outputs: &[&dyn Output<Outcome>],
    ledger: Option<Ledger>,
) -> Result<Delivered, Error> {
    outcome.outputs = output::names(&*outcome, outputs);
    let outcome = &*outcome;
    let token = token();
    let path = ledger.as_ref().map(|l| absolute(l.path()));
    std::thread::scope(|scope| {
        let recording = ledger.map(|mut ledger| {
            let token = &token;
            scope.spawn(move || {
                let recorded = ledger.record_run(outcome, token);
                (ledger, recorded)
            })
        });
        let mut seal = RunSeal {
            path: path.clone().unwrap_or_default(),
            token: token.clone(),
            recording,
            recorded: None,
        };
        let sealing = Sealing {
            seal: match &path {
                Some(_) => Some(&mut seal),
                None => None,
            },
            sealed: &sealed,
        };
        let written = output::write_all(dir, outcome, outputs, sealing)?;
        Ok(Delivered {
            written,
            recorded: seal.recorded,
        })
    })
}

/// Whether the seal a journal names was made: its ledger has its token.
pub(super) fn sealed(token: &str) -> bool {
    match token.rsplit_once('\t') {
        Some((path, token)) => ledger::sealed(Path::new(path), token),
        None => true,
    }
}

/// A token no other run will have.
pub(super) fn token() -> String {
    use std::hash::BuildHasher;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let random = std::hash::RandomState::new();
    let (a, b) = (
        random.hash_one((now, std::process::id())),
        random.hash_one((std::process::id(), now, 1u8)),
    );
    format!("{a:016x}{b:016x}")
}

/// The ledger's path as the journal names it: absolute, so that a later
/// run from another folder finds it.
pub(super) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A run's ledger as a seal: the recording, waited for and committed.
struct RunSeal<'scope> {
    path: PathBuf,
    token: String,
    recording: Option<ScopedJoinHandle<'scope, (Ledger, Result<Recorded, Error>)>>,
    recorded: Option<Recorded>,
}

impl Seal for RunSeal<'_> {
    fn token(&self) -> String {
        format!("{}\t{}", self.path.display(), self.token)
    }

    fn seal(&mut self, _: &[Staged]) -> Result<(), Error> {
        let Some(recording) = self.recording.take() else {
            return Ok(());
        };
        let (ledger, recorded) = recording.join().map_err(|_| Error::Ledger {
            path: self.path.clone(),
            message: "recording stopped unexpectedly".into(),
            help: "run again; nothing was written".into(),
        })?;
        let recorded = recorded?;
        ledger.commit()?;
        self.recorded = Some(recorded);
        Ok(())
    }
}
