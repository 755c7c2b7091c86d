//! Ctrl-C and termination: the handler only raises a flag, and the run
//! looks at it between its stages and as it writes, then unwinds like any
//! other failure, so that what it was writing is removed by the code that
//! made it and a ledger transaction is rolled back. While a finished set is
//! being put in place the flag is not looked at: that step completes (it
//! takes milliseconds), and the run ends right after. A second stop ends
//! the process at once; the next run clears what it left.

use std::sync::atomic::{AtomicBool, Ordering};

/// The exit status of a run stopped by a signal (128 + SIGINT, as shells do).
pub const INTERRUPTED: i32 = 130;

static STOP: AtomicBool = AtomicBool::new(false);

/// Installs the handler for SIGINT, SIGTERM and SIGHUP (Ctrl-C and
/// Ctrl-Break on Windows). Once a process; later calls do nothing.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(INTERRUPTED);
        }
    });
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// The error a run unwinds with once a stop was asked for.
pub fn check() -> Result<(), crate::Error> {
    match requested() {
        true => Err(crate::Error::Stopped),
        false => Ok(()),
    }
}

/// An I/O error that says a stop was asked for: readers and writers fail
/// with it, and [`is_stop`] tells it from a real one.
pub fn stop_error() -> std::io::Error {
    std::io::Error::other(Stopped)
}

/// Whether an I/O error is [`stop_error`].
pub fn is_stop(e: &std::io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Stopped>())
}

#[derive(Debug)]
struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stopped")
    }
}

impl std::error::Error for Stopped {}

/// A writer that fails with [`stop_error`] once a stop was asked for, so
/// that an output being written unwinds.
pub struct Stoppable<W>(pub W);

impl<W: std::io::Write> std::io::Write for Stoppable<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if requested() {
            return Err(stop_error());
        }
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A test build pauses at `point` (`before-swap`, `in-swap`) when
/// `ACP_RECON_TEST_PAUSE` is `POINT:PATH`: it makes `PATH.paused`, then
/// waits for `PATH` to exist, so that a test can signal it right there
/// without guessing from timing. A release build never pauses.
pub(crate) fn pause_for_tests(point: &str) {
    #[cfg(debug_assertions)]
    if let Some(value) = std::env::var_os("ACP_RECON_TEST_PAUSE") {
        let value = value.to_string_lossy().into_owned();
        let Some(path) = value.strip_prefix(point).and_then(|v| v.strip_prefix(':')) else {
            return;
        };
        let go = std::path::PathBuf::from(path);
        let _ = std::fs::write(format!("{path}.paused"), b"");
        for _ in 0..6000 {
            if go.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = point;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_error_is_told_from_others() {
        assert!(is_stop(&stop_error()));
        assert!(!is_stop(&std::io::Error::other("disk")));
        assert!(!is_stop(&std::io::Error::from(
            std::io::ErrorKind::NotFound
        )));
    }
}
