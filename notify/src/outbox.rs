//! The embedded default mailer: each delivery becomes `OUTBOX/<idempotency key>.eml`.
//!
//! Files are written to a temporary name and renamed, so a crash never leaves half a message;
//! a delivery whose file already exists was delivered before and is not written again. (lettre's
//! own file transport names files by a fresh UUID, which would duplicate a redelivered alert.)

use std::io::Write;
use std::path::{Path, PathBuf};

use lettre::Message;

use crate::mailer::{Mailer, Sent};
use crate::NotifyError;

#[derive(Clone, Debug)]
pub struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    pub fn new(dir: impl Into<PathBuf>) -> Outbox {
        Outbox { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the message unless the delivery's file is there already.
    pub fn write(&self, idempotency_key: &str, message: &Message) -> Result<Sent, NotifyError> {
        let write_err = |path: &Path| {
            let path = path.to_owned();
            move |source| NotifyError::Write { path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(write_err(&self.dir))?;
        let name: String = idempotency_key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.dir.join(format!("{name}.eml"));
        if path.exists() {
            return Ok(Sent::AlreadySent(Some(path)));
        }
        // A name of its own per writer: two processes delivering the same alert at once each
        // write their own file, and only one of them puts it in place.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = self
            .dir
            .join(format!(".{name}.eml.{}-{n}.tmp", std::process::id()));
        let written = (|| {
            let mut file = std::fs::File::create(&tmp).map_err(write_err(&tmp))?;
            file.write_all(&message.formatted())
                .map_err(write_err(&tmp))?;
            file.sync_all().map_err(write_err(&tmp))?;
            // A hard link never replaces a file: the message already in place, if another
            // writer was first, stays the one delivered.
            match std::fs::hard_link(&tmp, &path) {
                Ok(()) => Ok(Sent::Written(path.clone())),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    Ok(Sent::AlreadySent(Some(path.clone())))
                }
                Err(e) => Err(write_err(&path)(e)),
            }
        })();
        let _ = std::fs::remove_file(&tmp);
        written
    }
}

impl Mailer for Outbox {
    fn send<'a>(
        &'a self,
        idempotency_key: &'a str,
        message: &'a Message,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Sent, NotifyError>> + Send + 'a>>
    {
        // A local file: written on the spot, not worth a blocking task.
        Box::pin(std::future::ready(self.write(idempotency_key, message)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{build_message, render_alert, Addresses};
    use diff::{Change, ChangeKind};

    #[test]
    fn writers_of_one_alert_at_once_put_one_file_in_place_and_leave_no_temporary_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outbox = Outbox::new(dir.path().join("outbox"));
        let addresses = Addresses::parse("specsync <alerts@localhost>", &["shop@localhost".into()])
            .expect("addresses");
        let message = build_message(&addresses, &render_alert(&[]), "email-9-9").expect("message");
        let sent: Vec<Sent> = std::thread::scope(|scope| {
            let writers: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| outbox.write("email-9-9", &message).expect("write")))
                .collect();
            writers
                .into_iter()
                .map(|w| w.join().expect("writer"))
                .collect()
        });
        let written = sent
            .iter()
            .filter(|s| matches!(s, Sent::Written(_)))
            .count();
        assert_eq!(written, 1, "{sent:?}");
        let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
            .expect("outbox")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(files, ["email-9-9.eml"]);
    }

    #[test]
    fn a_delivery_is_written_once_with_both_parts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outbox = Outbox::new(dir.path().join("outbox"));
        let change = Change {
            kind: ChangeKind::TitleChanged,
            listing: Some(catalog::ListingId::parse("L1").expect("id")),
            product_url: "http://s/p/1.html".into(),
            variant: None,
            before: Some("旧".into()),
            after: Some("新".into()),
        };
        let proposal = diff::Proposal {
            change,
            action: diff::Action::Alert,
            update: None,
            why: "the supplier renamed the product".into(),
        };
        let addresses = Addresses::parse("specsync <alerts@localhost>", &["shop@localhost".into()])
            .expect("addresses");
        let message =
            build_message(&addresses, &render_alert(&[proposal]), "email-1-1").expect("message");
        let first = outbox.write("email-1-1", &message).expect("deliver");
        let Sent::Written(path) = first else {
            panic!("not written: {first:?}")
        };
        assert_eq!(
            outbox.write("email-1-1", &message).expect("again"),
            Sent::AlreadySent(Some(path.clone()))
        );
        let eml = std::fs::read_to_string(&path).expect("read");
        assert!(eml.contains("Message-ID: <email-1-1@specsync>"), "{eml}");
        assert!(
            eml.contains("multipart/alternative")
                && eml.contains("text/plain")
                && eml.contains("text/html")
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("outbox"))
                .expect("dir")
                .count(),
            1
        );
    }

    #[test]
    fn bad_addresses_name_the_field() {
        let err = Addresses::parse("not an address", &[]).expect_err("bad from");
        assert!(err.to_string().contains("email.from"), "{err}");
    }
}
