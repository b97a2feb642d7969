//! Alerts over SMTP, to a real server (aiosmtpd, `fixtures/smtp/smtp_server.py`) on 127.0.0.1
//! that each test starts for itself, and mail read back from its Maildir. The tests need the
//! Python that has aiosmtpd, named by `SPECSYNC_TEST_SMTP_PYTHON` when they are built (`.ci/run`
//! makes a venv); they are `ignore`d without it.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use fixtures::{SimConfig, SupplierSim};

use crate::helpers::Shop;

/// An SMTP server of the test's own; stopped when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let python = option_env!("SPECSYNC_TEST_SMTP_PYTHON").unwrap_or("python3");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/smtp/smtp_server.py");
        let maildir = tempfile::tempdir().expect("maildir");
        let mut child = Command::new(python)
            .arg(script)
            .arg("--maildir")
            .arg(maildir.path().join("mail"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP server");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("its first line");
        let port = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server said {line:?}"));
        SmtpServer {
            child,
            port,
            maildir,
        }
    }

    /// Every message the server accepted, as received.
    fn mail(&self) -> Vec<String> {
        let new = self.maildir.path().join("mail").join("new");
        let mut files: Vec<PathBuf> = std::fs::read_dir(new)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("message"))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A shop whose alerts go to `to` through `smtp`, linked to a simulator that has moved to
/// epoch 1 after the baseline crawl: the next crawl finds changes.
async fn shop_with_changes(smtp: &SmtpServer, to: &str) -> (SupplierSim, Shop) {
    let sim = SupplierSim::start(SimConfig {
        seed: 11,
        products: 6,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    let config = std::fs::read_to_string(shop.config())
        .expect("config")
        .replacen(
            "to = [\"merchant@localhost\"]",
            &format!(
                "to = [\"{to}\"]\nsmtp_url = \"smtp://127.0.0.1:{}\"",
                smtp.port
            ),
            1,
        );
    std::fs::write(shop.config(), config).expect("config");
    shop.connect(&sim);
    shop.ok(&["crawl"]);
    sim.set_epoch(1);
    (sim, shop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(smtp_tests), ignore = "needs SPECSYNC_TEST_SMTP_PYTHON")]
async fn alerts_go_out_over_smtp_once_with_a_message_id_from_their_delivery() {
    let smtp = SmtpServer::start();
    let (_sim, shop) = shop_with_changes(&smtp, "shop@localhost").await;
    let crawl = shop.json(&["crawl", "--json"]);
    assert!(crawl["changes"].as_u64().is_some_and(|n| n > 0), "{crawl}");
    let sent = crawl["sent"].as_array().expect("sent");
    assert_eq!(sent.len(), 1, "{crawl}");
    assert!(sent[0]["path"].is_null(), "relayed, not written: {crawl}");
    let key = sent[0]["idempotency_key"].as_str().expect("key");
    let mail = smtp.mail();
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].contains(&format!("Message-ID: <{key}@specsync>")),
        "{}",
        mail[0]
    );
    assert!(mail[0].contains("To: shop@localhost"), "{}", mail[0]);
    assert!(shop.eml_files().is_empty(), "nothing in the outbox folder");
    assert!(shop.ok(&["deliver"]).contains("nothing to send"));
    assert_eq!(smtp.mail().len(), 1, "delivered once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(smtp_tests), ignore = "needs SPECSYNC_TEST_SMTP_PYTHON")]
async fn a_server_that_answers_451_twice_gets_the_email_once() {
    let smtp = SmtpServer::start();
    let (_sim, shop) = shop_with_changes(&smtp, "tempfail2@localhost").await;
    let crawl = shop.run(&["crawl"]);
    assert_eq!(crawl.status.code(), Some(1), "the alert was not sent");
    let out = String::from_utf8_lossy(&crawl.stdout);
    assert!(
        out.contains("will be tried again") && out.contains("451"),
        "{out}"
    );
    // The backoff has a minute to go; the merchant asks for it now.
    assert!(shop.ok(&["deliver"]).contains("1 waiting for a retry"));
    assert_eq!(shop.run(&["deliver", "--retry-now"]).status.code(), Some(1));
    let report = shop.json(&["deliver", "--retry-now", "--json"]);
    assert_eq!(report["sent"].as_array().map(Vec::len), Some(1), "{report}");
    assert_eq!(report["pending"], 0);
    assert_eq!(smtp.mail().len(), 1);
    let changes = shop.json(&["changes", "list", "--json"]);
    let email = &changes[0]["deliveries"]["email"];
    assert_eq!(
        (email["status"].as_str(), email["attempts"].as_i64()),
        (Some("delivered"), Some(3))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(smtp_tests), ignore = "needs SPECSYNC_TEST_SMTP_PYTHON")]
async fn a_server_that_answers_550_gives_the_alert_up_with_the_servers_words() {
    let smtp = SmtpServer::start();
    let (_sim, shop) = shop_with_changes(&smtp, "reject@localhost").await;
    let crawl = shop.run(&["crawl"]);
    assert_eq!(crawl.status.code(), Some(1));
    let out = String::from_utf8_lossy(&crawl.stdout);
    assert!(
        out.contains("given up") && out.contains("mailbox unavailable"),
        "{out}"
    );
    let report = shop.json(&["deliver", "--retry-now", "--json"]);
    assert_eq!(report["pending"], 0, "not tried again: {report}");
    assert!(smtp.mail().is_empty());
    let changes = shop.json(&["changes", "list", "--json"]);
    let email = &changes[0]["deliveries"]["email"];
    assert_eq!(email["status"], "failed", "{changes}");
    assert!(
        email["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("550")),
        "{changes}"
    );
}
