//! Alerts to people and systems: change-alert and health-alert emails (webhooks next). Listing
//! updates on the merchant's store are the `platforms` crate's, not this one's.
//!
//! An alert is rendered from its changes ([`render_alert`]) into a plain-text and an HTML part,
//! built into a MIME message with lettre ([`build_message`]), and handed to a [`Mailer`]. The
//! embedded default mailer is the [`Outbox`]: one `.eml` file per delivery in a folder.

mod alert;
mod mailer;
mod outbox;
mod smtp;

pub use alert::{render_alert, render_health_alert, render_recovery, Alert};
pub use mailer::{Mailer, Sent};
pub use outbox::Outbox;
pub use smtp::{SmtpMailer, SmtpUrlError, PASSWORD_ENV};

use lettre::message::{Mailbox, MultiPart};
use lettre::Message;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
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
    /// The mailer could not send now; worth trying again later.
    #[error("the mail server did not take the message: {0}")]
    Transient(String),
    /// The mailer refused the message; trying again will not help.
    #[error("the mail server refused the message: {0}")]
    Permanent(String),
}

/// Who alerts come from and go to.
#[derive(Clone, Debug)]
pub struct Addresses {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
}

impl Addresses {
    pub fn parse(from: &str, to: &[String]) -> Result<Addresses, NotifyError> {
        let parse = |field, address: &str| {
            address
                .parse::<Mailbox>()
                .map_err(|e| NotifyError::BadAddress {
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
) -> Result<Message, NotifyError> {
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
        .map_err(NotifyError::Build)
}
