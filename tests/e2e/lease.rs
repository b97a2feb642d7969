//! A crawl holds its source's lease for a minute at a time, renewed while it runs: a crawl
//! killed with -9 leaves a lease that frees within a minute; SIGTERM, SIGINT and SIGHUP stop a
//! crawl after the batch it is recording and give the source back at once; a crawl skipped
//! because another worker holds the source says until when and exits 75.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fixtures::{Fault, SimConfig, SupplierSim};

use crate::helpers::{specsync, Shop};

/// A shop whose products 7 to 12 answer only after two minutes, and a crawl of it started.
async fn crawl_stuck_on_slow_pages() -> (SupplierSim, Shop, Child) {
    let sim = SupplierSim::start(SimConfig {
        seed: 5,
        products: 12,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    shop.connect(&sim);
    shop.ok(&["crawl"]);
    sim.set_epoch(1);
    for id in 7..=12 {
        sim.set_fault(
            &format!("/products/{id}.html"),
            Fault::Slow(Duration::from_secs(120)),
        );
    }
    let before = sim.requests().len();
    let child = specsync()
        .arg("--config")
        .arg(shop.config())
        .args(["crawl", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn a crawl");
    // Waits for the crawl to be stuck: every one of its four page slots on a slow page, so
    // every page it asked before has been answered.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let slow: std::collections::BTreeSet<String> = sim
            .requests()
            .into_iter()
            .skip(before)
            .map(|(_, path)| path)
            .filter(|p| (7..=12).any(|id| *p == format!("/products/{id}.html")))
            .collect();
        if slow.len() >= 4 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the crawl never reached the slow pages"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (sim, shop, child)
}

/// Waits for the child to exit on its own, killing it (and failing) if it does not in time.
fn exited(mut child: Child, what: &str) -> std::process::Output {
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what}: still running 30 s later");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_sigint_and_sighup_stop_a_crawl_and_give_its_source_back() {
    for (signal, code) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        let (sim, shop, child) = crawl_stuck_on_slow_pages().await;
        let done = Command::new("sh")
            .args(["-c", &format!("kill -{signal} {}", child.id())])
            .status()
            .expect("kill");
        assert!(done.success());
        let out = exited(child, &format!("a crawl sent SIG{signal}"));
        assert_eq!(out.status.code(), Some(code), "SIG{signal}: {out:?}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let why = json["sources"][0]["interrupted"]
            .as_str()
            .expect("interrupted");
        assert!(why.contains(&format!("stopped by SIG{signal}")), "{why}");
        // What it fetched before the signal is recorded: the fast pages' changes of epoch 1.
        assert!(json["products"].as_u64().expect("products") >= 1, "{json}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("stopping after the batch"), "{stderr}");

        // The source was given back: the next crawl runs at once.
        sim.clear_faults();
        let next = shop.json(&["crawl", "--json"]);
        assert_eq!(next["sources"][0].get("skipped"), None, "{next}");
        assert_eq!(next["products"], next["pages"], "{next}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawl_killed_with_9_frees_its_source_within_a_minute_and_a_skipped_crawl_says_when() {
    let (_sim, shop, mut child) = crawl_stuck_on_slow_pages().await;
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    let out = shop.run(&["crawl", "--json"]);
    assert_eq!(out.status.code(), Some(75), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let skipped = &json["sources"][0];
    let why = skipped["skipped"].as_str().expect("skipped");
    assert!(why.contains("another worker (specsync pid"), "{why}");
    assert!(why.contains(" UTC, in "), "it says when: {why}");
    let until = skipped["skipped_until"].as_i64().expect("until");
    let left = until - store::now_ms();
    assert!(
        (0..=60_000).contains(&left),
        "the dead crawl's lease frees within a minute: {left} ms"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("another worker is crawling it"), "{stderr}");
}
