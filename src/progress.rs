//! Progress for people. The library reports stages and counts through the
//! [`Progress`] trait and never draws; [`Bar`] is the only place that touches
//! indicatif, and the binary uses it only when stderr is a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Where a long run says how far it is.
pub trait Progress: Sync {
    /// A new stage of `total` steps (0 when unknown).
    fn stage(&self, name: &str, total: u64);
    /// `n` more steps of the current stage are done.
    fn advance(&self, n: u64);
}

/// Reports nothing.
pub struct Quiet;

impl Progress for Quiet {
    fn stage(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// A bar on stderr, hidden unless stderr is a terminal.
pub struct Bar {
    bar: ProgressBar,
    pending: AtomicU64,
    visible: bool,
}

impl Bar {
    /// A bar that draws only when `visible` and stderr is a terminal.
    pub fn new(visible: bool) -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if visible {
            bar.enable_steady_tick(Duration::from_millis(120));
        } else {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        Bar {
            bar,
            pending: AtomicU64::new(0),
            visible,
        }
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
    fn stage(&self, name: &str, total: u64) {
        self.pending.store(0, Ordering::Relaxed);
        self.bar.set_position(0);
        if total > 0 {
            self.bar.set_length(total);
            self.bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {msg:<24} [{bar:30}] {human_pos}/{human_len} ({eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
        } else {
            self.bar.set_style(ProgressStyle::default_spinner());
        }
        self.bar.set_message(name.to_string());
    }

    fn advance(&self, n: u64) {
        if !self.visible {
            return;
        }
        // Many threads report small steps; the bar is touched every 4096.
        let before = self.pending.fetch_add(n, Ordering::Relaxed);
        if (before + n) / 4096 != before / 4096 {
            self.bar.set_position(self.pending.load(Ordering::Relaxed));
        }
    }
}
