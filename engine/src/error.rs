//! The engine's one error type. `Invalid` is the merchant's mistake (configuration, a source's
//! settings, an input file, a name that does not exist), which the CLI reports with exit code 2;
//! the rest are failures of the run.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad configuration, settings or input; the message names the input and the place.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("failed to start the fetcher")]
    Fetcher(#[source] crawler::FetchError),
    #[error("failed to deliver {what}")]
    Deliver {
        what: String,
        #[source]
        source: notify::NotifyError,
    },
    #[error("failed to read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The crawl could not renew its source's lease in time and another worker took it over.
    #[error("{0}")]
    LeaseLost(String),
    /// A task of the run ended by a panic: a bug, reported as such.
    #[error("{what} crashed")]
    Crashed {
        what: &'static str,
        #[source]
        source: tokio::task::JoinError,
    },
}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::Invalid(message.into())
    }

    /// Whether the merchant's input is at fault (not the run).
    pub fn is_invalid_input(&self) -> bool {
        match self {
            Error::Invalid(_) => true,
            Error::Store(e) => e.is_invalid_input(),
            Error::Fetcher(_)
            | Error::Deliver { .. }
            | Error::Read { .. }
            | Error::LeaseLost(_)
            | Error::Crashed { .. } => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
