//! Twenty processes on one SQLite file at once: crawls of eight sources, imports of the
//! listings file and deliveries. Every one exits 0 ("database is locked" no more: write
//! transactions take the lock at once and wait for it), no change is recorded twice, and no
//! alert is delivered twice.

use std::collections::BTreeMap;
use std::process::Stdio;

use fixtures::{SimConfig, SupplierSim};

use crate::helpers::{path_str, specsync, Shop};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_processes_crawling_importing_and_delivering_at_once_all_succeed() {
    let shop = Shop::new();
    let mut sims = Vec::new();
    let mut listings = Vec::new();
    for k in 0..8 {
        let sim = SupplierSim::start(SimConfig {
            seed: 100 + k,
            products: 15,
        })
        .await
        .expect("sim");
        let name = format!("sim{k}");
        shop.ok(&[
            "source",
            "add",
            &name,
            "--url",
            &sim.base_url(),
            "--rate",
            "200/s",
            "--burst",
            "10",
            "--allow-private-networks",
        ]);
        let serde_json::Value::Array(items) = sim.listings_json() else {
            panic!("an array of listings")
        };
        for mut item in items {
            let id = format!("{name}-{}", item["id"].as_str().expect("id"));
            item["id"] = id.into();
            listings.push(item);
        }
        sims.push(sim);
    }
    let file = shop.write(
        "listings.json",
        &serde_json::Value::Array(listings).to_string(),
    );
    shop.ok(&["listings", "import", path_str(&file)]);
    shop.ok(&["crawl"]);
    for sim in &sims {
        sim.set_epoch(1);
    }

    let mut commands: Vec<Vec<String>> = (0..8)
        .map(|k| vec!["crawl".into(), format!("sim{k}")])
        .collect();
    for _ in 0..6 {
        commands.push(vec![
            "listings".into(),
            "import".into(),
            path_str(&file).into(),
        ]);
        commands.push(vec!["deliver".into()]);
    }
    let children: Vec<_> = commands
        .iter()
        .map(|args| {
            let child = specsync()
                .arg("--config")
                .arg(shop.config())
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            (args.join(" "), child)
        })
        .collect();
    assert_eq!(children.len(), 20);
    for (what, child) in children {
        let out = child.wait_with_output().expect("wait");
        assert_eq!(
            out.status.code(),
            Some(0),
            "specsync {what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // Nothing recorded twice: one open change per difference.
    let changes = shop.json(&["changes", "list", "--json"]);
    let mut seen = BTreeMap::new();
    for c in changes.as_array().expect("changes") {
        let key = (
            c["kind"].to_string(),
            c["listing"].to_string(),
            c["product_url"].to_string(),
            c["variant"].to_string(),
        );
        *seen.entry(key).or_insert(0) += 1;
    }
    assert!(!seen.is_empty(), "epoch 1 changed something");
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    // Every change delivered, each in one alert file written once.
    let deliver = shop.json(&["deliver", "--json"]);
    assert_eq!(deliver["pending"], 0, "{deliver}");
    let outbox: Vec<String> = std::fs::read_dir(shop.outbox())
        .expect("outbox")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        outbox.iter().all(|f| f.ends_with(".eml")),
        "no temporary file left: {outbox:?}"
    );
    for c in changes.as_array().expect("changes") {
        assert_eq!(c["deliveries"]["email"]["status"], "delivered", "{c}");
    }
}
