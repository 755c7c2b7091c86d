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
    no_huge_pages();
    acp_recon::normalize::phone::quiet_parser_panics();
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

/// One run takes a gigabyte or more of small objects once and exits. With
/// transparent huge pages the kernel clears and compacts 2 MB at a time for
/// the allocator, which cost more than it saved: at 1M people, 5.2–5.5 s
/// instead of 6.0–7.1 s and 40–90 MB less memory (docs/PERFORMANCE.md).
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes no pointers; it sets a flag of this
    // process and fails harmlessly on kernels without it.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}
