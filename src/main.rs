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
