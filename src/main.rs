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
    tune_allocator();
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

/// glibc's allocator, tuned for a crawl: pages of 50-150 KB are allocated on one thread and
/// freed on another, thousands of times. By default glibc gives each thread an arena of its own
/// and raises its mmap threshold after the first large free (a 2.6 MB sitemap), after which
/// freed pages stay in the arenas: peak memory grew by a third. Two arenas and a fixed 128 KB
/// threshold keep it flat at no measured cost in speed (BENCHMARKS.md). An operator's own
/// `MALLOC_ARENA_MAX` / `MALLOC_MMAP_THRESHOLD_` still win: set here only when unset.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // The one unsafe call of the workspace (`unsafe_code = "deny"` elsewhere).
fn tune_allocator() {
    // SAFETY: mallopt only changes allocator parameters; it is called before any other thread
    // exists.
    unsafe {
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
        if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
