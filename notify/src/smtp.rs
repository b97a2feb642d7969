//! Email over SMTP (lettre, pooled connections, rustls). The server is named in lettre's URL form
//! (`smtp://host:25`, `smtp://user@host:587?tls=required`, `smtps://user@host:465`); the password
//! comes from the environment, never from the file, and never appears in an error or a log.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::mailer::{Mailer, Sent};
use crate::NotifyError;

/// The environment variable the SMTP password is read from.
pub const PASSWORD_ENV: &str = "SPECSYNC_SMTP_PASSWORD";

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

#[derive(Debug, thiserror::Error)]
pub enum SmtpUrlError {
    #[error("email.smtp_url `{url}`: {reason}")]
    Bad { url: String, reason: String },
    #[error("email.smtp_url `{url}`: put the password in {PASSWORD_ENV}, not in the file")]
    PasswordInUrl { url: String },
}

impl SmtpMailer {
    /// A mailer for `url`, with `password` (from [`PASSWORD_ENV`]) for the URL's user.
    pub fn new(url: &str, password: Option<String>) -> Result<SmtpMailer, SmtpUrlError> {
        let bad = |reason: String| SmtpUrlError::Bad {
            url: url.to_owned(),
            reason,
        };
        let parsed = url::Url::parse(url).map_err(|e| bad(e.to_string()))?;
        if parsed.password().is_some() {
            // Not echoed back: the text shown is what the merchant wrote, less the password.
            let mut shown = parsed.clone();
            let _ = shown.set_password(Some("…"));
            return Err(SmtpUrlError::PasswordInUrl {
                url: shown.to_string(),
            });
        }
        if !matches!(parsed.scheme(), "smtp" | "smtps") {
            return Err(bad("expected smtp:// or smtps://".into()));
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| bad(e.to_string()))?
            .timeout(Some(Duration::from_secs(30)));
        let user = percent_encoding::percent_decode_str(parsed.username())
            .decode_utf8_lossy()
            .into_owned();
        match (user.is_empty(), password) {
            (false, Some(password)) => {
                builder = builder.credentials(Credentials::new(user, password));
            }
            (false, None) => {
                return Err(bad(format!(
                    "names the user `{user}`: set {PASSWORD_ENV} to its password"
                )))
            }
            (true, _) => {}
        }
        Ok(SmtpMailer {
            transport: builder.build(),
        })
    }
}

/// A failure as the queue acts on it: the server's 5xx is permanent, everything else (4xx, a
/// refused or cut connection, a timeout) is worth another attempt.
fn classify(e: &lettre::transport::smtp::Error) -> NotifyError {
    let mut words = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        words.push_str(": ");
        words.push_str(&c.to_string());
        cause = c.source();
    }
    if e.is_permanent() {
        NotifyError::Permanent(words)
    } else {
        NotifyError::Transient(words)
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(
        &'a self,
        _idempotency_key: &'a str,
        message: &'a Message,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Sent, NotifyError>> + Send + 'a>>
    {
        // The server cannot be asked whether it has a message already; the stable Message-ID
        // (from the idempotency key) lets a mail client tell a resent one.
        Box::pin(async move {
            self.transport
                .send(message.clone())
                .await
                .map(|_| Sent::Relayed)
                .map_err(|e| classify(&e))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn smtp_urls_are_checked_and_the_password_never_shown() {
        assert!(SmtpMailer::new("smtp://127.0.0.1:2525", None).is_ok());
        assert!(SmtpMailer::new("smtps://me@mail.example:465", Some("s3cret".into())).is_ok());
        let err = SmtpMailer::new("smtp://me:s3cret@mail.example:587", None)
            .err()
            .expect("password in the URL");
        assert!(!err.to_string().contains("s3cret"), "{err}");
        assert!(err.to_string().contains(PASSWORD_ENV), "{err}");
        let err = SmtpMailer::new("smtp://me@mail.example:587", None)
            .err()
            .expect("no password");
        assert!(err.to_string().contains(PASSWORD_ENV), "{err}");
        let err = SmtpMailer::new("http://mail.example", None)
            .err()
            .expect("scheme");
        assert!(err.to_string().contains("email.smtp_url"), "{err}");
    }
}
