//! The `acp-recon` binary: parse arguments, run, map the result to an exit
//! status.

#![forbid(unsafe_code)]

use acp_recon::output::interrupt;
use acp_recon::{cli, Error, ExitStatus};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    acp_recon::normalize::phone::quiet_parser_panics();
    let args = cli::Cli::parse();
    interrupt::install();
    let status = match cli::run(args) {
        // A stop that came while the set was put in place: it is whole.
        Ok(_) if interrupt::requested() => {
            cli::eprint("\nStopped after the outputs were put in place and the run recorded.\n");
            ExitStatus::Stopped
        }
        Ok(status) => status,
        Err(Error::Stopped) => {
            cli::eprint("\nStopped: no output was replaced, and the ledger recorded nothing.\n");
            ExitStatus::Stopped
        }
        Err(error) => {
            cli::eprint(&cli::render_error(error));
            ExitStatus::CouldNotRun
        }
    };
    ExitCode::from(status.code() as u8)
}
