//! One interface for every way an email leaves specsync, as crates.io's email backends are: the
//! `.eml` outbox folder (the embedded default), SMTP next, a memory mailer in tests.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use lettre::Message;

use crate::NotifyError;

/// What a mailer did with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    /// Written to this file (the outbox).
    Written(PathBuf),
    /// The same delivery was sent before (recognised by its idempotency key); nothing was sent.
    AlreadySent(Option<PathBuf>),
    /// Handed to a mail server.
    Relayed,
}

impl Sent {
    /// The file the message is in, for a mailer that writes files.
    pub fn path(&self) -> Option<&PathBuf> {
        match self {
            Sent::Written(path) | Sent::AlreadySent(Some(path)) => Some(path),
            Sent::AlreadySent(None) | Sent::Relayed => None,
        }
    }
}

/// Sends one delivery's message. `idempotency_key` names the delivery: a mailer that can tell
/// sends it at most once.
pub trait Mailer: Send + Sync {
    fn send<'a>(
        &'a self,
        idempotency_key: &'a str,
        message: &'a Message,
    ) -> Pin<Box<dyn Future<Output = Result<Sent, NotifyError>> + Send + 'a>>;
}
