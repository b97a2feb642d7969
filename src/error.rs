//! The binary's errors: the merchant's mistakes (bad arguments, configuration or input file, a
//! name that does not exist: exit 2) and everything else (exit 1), reported with their chain of
//! causes.

use std::fmt;

/// A mistake in what the merchant gave us: arguments, configuration, an input file.
#[derive(Debug)]
pub struct Usage(String);

impl Usage {
    pub fn new(message: impl Into<String>) -> Usage {
        Usage(message.into())
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// A crawl that stopped on a signal, after recording what it had fetched: exit 128 + the
/// signal's number, as a shell reports a process the signal ended.
#[derive(Debug)]
pub struct Stopped(pub i32);

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "stopped by {}: what was fetched is recorded, the sources' leases are given back",
            engine::signal_name(self.0)
        )
    }
}

impl std::error::Error for Stopped {}

/// A source not crawled because another worker is crawling it: exit 75 (`EX_TEMPFAIL`: try
/// again later), so a scheduler can tell it from a failure.
#[derive(Debug)]
pub struct Skipped(pub String);

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Skipped {}

/// The exit code of a source another worker is crawling.
pub const EXIT_SKIPPED: u8 = 75;

/// Exit code for an error: 2 for usage and config errors, 75 for a crawl skipped because
/// another worker holds the source, 128 + n for a crawl stopped by signal n, 1 for the rest.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if let Some(Stopped(signal)) = error.downcast_ref::<Stopped>() {
        return u8::try_from(128 + signal).unwrap_or(1);
    }
    if error.downcast_ref::<Skipped>().is_some() {
        return EXIT_SKIPPED;
    }
    let usage = error.chain().any(|e| {
        e.is::<Usage>()
            || e.downcast_ref::<engine::Error>()
                .is_some_and(engine::Error::is_invalid_input)
            || e.downcast_ref::<store::StoreError>()
                .is_some_and(store::StoreError::is_invalid_input)
    });
    if usage {
        2
    } else {
        1
    }
}
