//! The `acp-recon` binary: parse arguments, run, map the result to an exit
//! status.

#![forbid(unsafe_code)]

use acp_recon::{cli, ExitStatus};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    acp_recon::normalize::phone::quiet_parser_panics();
    let args = cli::Cli::parse();
    acp_recon::output::interrupt::install();
    let status = match cli::run(args) {
        Ok(status) => status,
        Err(error) => {
            cli::eprint(&cli::render_error(error));
            ExitStatus::CouldNotRun
        }
    };
    ExitCode::from(status.code() as u8)
}
