//! specsync: keeps a dropshipping merchant's listings true to what the suppliers sell.

mod cli;
mod commands;
mod config;
mod deliver;
mod demo;
mod error;
mod extract_cmd;
mod listings;
mod output;
mod parse;
mod resync;
mod ruleset;
mod sync;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // `specsync changes list | head` ends quietly, as command-line tools do, instead of
    // panicking on the closed pipe.
    sigpipe::reset();
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SPECSYNC_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(error::exit_code(&e))
        }
    }
}
