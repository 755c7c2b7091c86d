//! Ctrl-C and termination: a run stopped while it writes leaves the
//! previous outputs as they were and no temporary file. The temporary files
//! being written are registered here; a stop removes them and ends the
//! process, unless the finished set is already being put in place, which
//! then completes (it takes milliseconds) before the run ends.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The exit status of a run stopped by a signal (128 + SIGINT, as shells do).
pub const INTERRUPTED: i32 = 130;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing written yet, or temporary files only.
    Writing,
    /// The finished set is being put in place.
    Committing,
    /// The set is in place.
    Written,
}

struct State {
    phase: Phase,
    temps: Vec<PathBuf>,
    stopped: bool,
}

static STATE: Mutex<State> = Mutex::new(State {
    phase: Phase::Writing,
    temps: Vec::new(),
    stopped: false,
});

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the handler for SIGINT, SIGTERM and SIGHUP (Ctrl-C and
/// Ctrl-Break on Windows). Once a process; later calls do nothing.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        let mut state = state();
        match state.phase {
            Phase::Writing => {
                for temp in &state.temps {
                    let _ = std::fs::remove_file(temp);
                }
                stop("Stopped: no output was replaced.");
            }
            // Ends the run once the set is in place.
            Phase::Committing => state.stopped = true,
            Phase::Written => stop("Stopped after the outputs were written."),
        }
    });
}

fn stop(message: &str) -> ! {
    eprintln!("\n{message}");
    std::process::exit(INTERRUPTED)
}

/// A set starts being written.
pub(crate) fn begin() {
    let mut state = state();
    state.phase = Phase::Writing;
    state.temps.clear();
}

/// Registers a temporary file being written.
pub(crate) fn track(temp: &Path) {
    state().temps.push(temp.to_path_buf());
}

/// Forgets the temporary files of a set that failed (they are removed).
pub(crate) fn forget() {
    state().temps.clear();
}

/// Runs `commit` with stops held off: a stop during it ends the run right
/// after, the set being in place (or, if the commit failed, the previous
/// set being back).
pub(crate) fn committing<T, E>(commit: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    state().phase = Phase::Committing;
    let result = commit();
    let mut state = state();
    state.temps.clear();
    state.phase = match result {
        Ok(_) => Phase::Written,
        Err(_) => Phase::Writing,
    };
    if state.stopped {
        match result {
            Ok(_) => stop("Stopped: the new outputs are in place, as a whole."),
            Err(_) => stop("Stopped: no output was replaced."),
        }
    }
    result
}
