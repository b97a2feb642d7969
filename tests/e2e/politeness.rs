use std::time::Duration;

use fixtures::{SimConfig, SupplierSim};

use crate::helpers::{path_str, specsync, Shop};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_crawls_of_one_host_at_once_never_exceed_its_rate() {
    let sim = SupplierSim::start(SimConfig {
        seed: 8,
        products: 12,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    let url = sim.base_url();
    shop.ok(&[
        "source",
        "add",
        "sim",
        "--url",
        &url,
        "--rate",
        "5/s",
        "--burst",
        "1",
        "--allow-private-networks",
    ]);
    let file = shop.write("listings.json", &sim.listings_json().to_string());
    shop.ok(&["listings", "import", path_str(&file)]);

    let config = shop.config();
    let crawls: Vec<std::process::Child> = (0..4)
        .map(|_| {
            specsync()
                .arg("--config")
                .arg(&config)
                .args(["crawl", "--json"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn a crawl")
        })
        .collect();
    let mut crawled = 0;
    let mut skipped = 0;
    for child in crawls {
        let out = child.wait_with_output().expect("crawl");
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("the crawl's json");
        match json["sources"][0]["skipped"].as_str() {
            Some(why) => {
                assert!(why.contains("another worker"), "{why}");
                // Told apart from a failure: try again later.
                assert_eq!(out.status.code(), Some(75), "{json}");
                skipped += 1;
            }
            None => {
                assert_eq!(out.status.code(), Some(0), "{json}");
                crawled += 1;
            }
        }
    }
    assert!(crawled >= 1, "at least one crawl ran");
    assert_eq!(crawled + skipped, 4);

    let times: Vec<_> = sim.requests().into_iter().map(|(t, _)| t).collect();
    assert!(
        times.len() >= 14,
        "robots, sitemap and 12 products: {}",
        times.len()
    );
    for (i, start) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .take_while(|t| t.duration_since(*start) < Duration::from_secs(1))
            .count();
        assert!(
            in_window <= 5,
            "{in_window} requests within a second from request {i}"
        );
    }
}
