//! Delivering what specsync found: change-alert emails (this issue), listing updates through
//! store platform adapters (later).
//!
//! An alert is rendered from its changes ([`render_alert`]) into a plain-text and an HTML part,
//! built into a MIME message with lettre, and handed to a [`Mailer`]. The embedded default mailer
//! is the [`Outbox`]: one `.eml` file per delivery in a folder.

mod alert;
mod outbox;

pub use alert::{render_alert, render_health_alert, Alert};
pub use outbox::{Delivered, Outbox};

use lettre::message::{Mailbox, MultiPart};
use lettre::Message;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("email address `{address}` in {field} is not valid: {reason}")]
    BadAddress {
        field: &'static str,
        address: String,
        reason: String,
    },
    #[error("failed to build the alert email: {0}")]
    Build(#[source] lettre::error::Error),
    #[error("failed to write {path}")]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Who alerts come from and go to.
#[derive(Clone, Debug)]
pub struct Addresses {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
}

impl Addresses {
    pub fn parse(from: &str, to: &[String]) -> Result<Addresses, PublishError> {
        let parse = |field, address: &str| {
            address
                .parse::<Mailbox>()
                .map_err(|e| PublishError::BadAddress {
                    field,
                    address: address.to_owned(),
                    reason: e.to_string(),
                })
        };
        Ok(Addresses {
            from: parse("email.from", from)?,
            to: to
                .iter()
                .map(|a| parse("email.to", a))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Builds the MIME message of an alert. The Message-ID derives from the idempotency key, so a
/// resent alert is recognisably the same message.
pub fn build_message(
    addresses: &Addresses,
    alert: &Alert,
    idempotency_key: &str,
) -> Result<Message, PublishError> {
    let mut builder = Message::builder()
        .from(addresses.from.clone())
        .subject(alert.subject.clone())
        .message_id(Some(format!("<{idempotency_key}@specsync>")));
    for to in &addresses.to {
        builder = builder.to(to.clone());
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            alert.text.clone(),
            alert.html.clone(),
        ))
        .map_err(PublishError::Build)
}
