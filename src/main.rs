//! The `acp-recon` binary: parse arguments, run, map the result to an exit
//! status.

mod cli;

// Reconciling allocates many small strings from several threads at once,
// where mimalloc is markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use acp_recon::ExitStatus;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    acp_recon::normalize::phone::quiet_parser_panics();
    stop_cleanly_on_bus_error();
    give_back_freed_memory();
    let args = cli::Cli::parse();
    let status = match cli::run(args) {
        Ok(status) => status,
        Err(error) => {
            eprintln!("{:?}", miette::Report::new(error));
            ExitStatus::CouldNotRun
        }
    };
    ExitCode::from(status.code() as u8)
}

/// mimalloc keeps freed memory for a second; a run frees the roster just
/// before it gathers the findings, so both would count at once. Collecting
/// then gives the roster's memory back: at a million people the peak stays
/// under 600 MB.
fn give_back_freed_memory() {
    // SAFETY: collecting frees nothing still in use.
    acp_recon::memory::on_freed(|| unsafe { libmimalloc_sys::mi_collect(true) });
}

/// Inputs are mapped, not copied: a file cut short while a run reads it
/// raises SIGBUS where a read would have seen the end. Say so and stop as
/// a run that could not run; the outputs in place are left as they were,
/// and the temporary files of outputs being written are removed.
/// Linux only: there a stack overflow raises SIGSEGV, never SIGBUS, so the
/// message cannot be wrong (on macOS a stack overflow is a SIGBUS too).
#[cfg(target_os = "linux")]
fn stop_cleanly_on_bus_error() {
    extern "C" fn on_bus_error(_: libc::c_int) {
        const MESSAGE: &[u8] = b"acp-recon: an input file was cut short while it was being read. \
Run again once nothing else writes to it; no output was replaced.\n";
        acp_recon::output::remove_temporary_files();
        // SAFETY: write(2) and _exit(2) are async-signal-safe.
        unsafe {
            libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
            libc::_exit(2);
        }
    }
    // SAFETY: the handler only calls async-signal-safe functions (the
    // temporary files' removal reads atomics and calls unlink(2)).
    unsafe {
        libc::signal(
            libc::SIGBUS,
            on_bus_error as *const () as libc::sighandler_t,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn stop_cleanly_on_bus_error() {}
