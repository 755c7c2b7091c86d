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
    give_back_freed_memory_soon();
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

/// A run frees large parts as it goes (the returned file's rows, the roster)
/// and then allocates the findings and the plan. mimalloc keeps freed
/// memory for a second by default, so both would count at once; after 10 ms
/// it gives it back, which at a million people keeps the peak below 600 MB
/// at no measurable cost in time. `MIMALLOC_PURGE_DELAY` still decides when set.
fn give_back_freed_memory_soon() {
    // `mi_option_purge_delay` in mimalloc v3's enum (the Rust bindings lag
    // behind); its default of 1000 ms confirms the option before it is set.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: reading and setting an option has no other effect.
    unsafe {
        if libmimalloc_sys::mi_option_get(PURGE_DELAY) == 1000 {
            libmimalloc_sys::mi_option_set(PURGE_DELAY, 10);
        }
    }
}

/// Inputs are mapped, not copied: a file cut short while a run reads it
/// raises SIGBUS where a read would have seen the end. Say so and stop as
/// a run that could not run; the outputs in place are left as they were.
#[cfg(unix)]
fn stop_cleanly_on_bus_error() {
    extern "C" fn on_bus_error(_: libc::c_int) {
        const MESSAGE: &[u8] = b"acp-recon: an input file was cut short while it was being read. \
Run again once nothing else writes to it; no output was replaced.\n";
        // SAFETY: write(2) and _exit(2) are async-signal-safe.
        unsafe {
            libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
            libc::_exit(2);
        }
    }
    // SAFETY: the handler only calls async-signal-safe functions.
    unsafe {
        libc::signal(
            libc::SIGBUS,
            on_bus_error as *const () as libc::sighandler_t,
        );
    }
}

#[cfg(not(unix))]
fn stop_cleanly_on_bus_error() {}
