//! Progress for people. The library names each stage through the
//! [`Progress`] trait and never draws; [`Bar`] is the only place that
//! touches indicatif, and the binary uses it only when stderr is a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

/// Where a long run says which stage it is in.
pub trait Progress: Sync {
    /// A new stage begins.
    fn stage(&self, name: &str);
}

/// Reports nothing.
pub struct Quiet;

impl Progress for Quiet {
    fn stage(&self, _: &str) {}
}

/// A spinner with the stage's name on stderr, hidden unless stderr is a
/// terminal.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar that draws only when `visible` and stderr is a terminal.
    pub fn new(visible: bool) -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if visible {
            bar.set_style(ProgressStyle::default_spinner());
            bar.enable_steady_tick(Duration::from_millis(120));
        } else {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        Bar { bar }
    }

    /// Clears the bar before the summary is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Bar {
    // An error on the way out must not leave a half-drawn bar above it.
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn stage(&self, name: &str) {
        self.bar.set_message(name.to_string());
    }
}
