//! specsync: keeps a dropshipping merchant's listings true to what the suppliers sell.

mod cli;
mod commands;
mod error;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of glibc's allocator: a crawl allocates and frees millions of small
/// strings and JSON values on two threads, and pages of 50-150 KB on one thread that another
/// frees. On the benchmark crawl it spends about a sixth less CPU than glibc with as many arenas
/// as threads, and a third less than glibc with two (BENCHMARKS.md). Transparent huge pages are
/// off (`no_thp`): with them the peak RSS grew by half.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        // Colours only for a person at a terminal, not in a log file or a pipe.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
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
    // The command runs as a task on the runtime's worker threads, not on this thread: a crawl's
    // pages are tasks too, and waking this thread for each of them cost a thread switch per page.
    let command = runtime.spawn(commands::run(cli));
    let outcome = runtime
        .block_on(command)
        .unwrap_or_else(|e| Err(anyhow::anyhow!("the command crashed: {e}")));
    match outcome {
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

/// mimalloc gives freed memory back to the OS 10 ms after it was freed instead of its default
/// 1 s: a crawl frees a page's buffers at once, and holding a second's worth of them raised
/// the peak RSS by a third. An operator's own `MIMALLOC_PURGE_DELAY` still wins.
#[allow(unsafe_code)] // The one unsafe call of the workspace (`unsafe_code = "deny"` elsewhere).
fn tune_allocator() {
    /// `mi_option_purge_delay` in mimalloc v3's `mimalloc.h` (not named by libmimalloc-sys).
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one of mimalloc's options; called before any other thread exists.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 10) };
    }
}
