//! Answering changes from the command line: `changes approve` and `changes reject`.

use fixtures::{SimConfig, SupplierSim};

use crate::helpers::Shop;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_change_is_approved_an_alert_rejected_and_mistakes_answer_nothing() {
    let sim = SupplierSim::start(SimConfig {
        seed: 12,
        products: 10,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    shop.connect(&sim);
    shop.ok(&["crawl"]);
    sim.set_epoch(1);
    shop.ok(&["crawl"]);
    let open = shop.json(&["changes", "list", "--json"]);
    let open = open.as_array().expect("changes");
    let id_of = |action: &str| {
        open.iter()
            .find(|c| c["action"] == action)
            .and_then(|c| c["id"].as_i64())
            .unwrap_or_else(|| panic!("a change with action {action}: {open:?}"))
    };
    let (held, alert) = (id_of("hold").to_string(), id_of("alert").to_string());

    // One id that cannot be approved: nothing is answered, and the message names it.
    let out = shop.run(&["changes", "approve", &held, &alert]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("change {alert} cannot be answered")),
        "{err}"
    );
    let out = shop.run(&["changes", "approve", "99999"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no change 99999"));
    assert_eq!(out.status.code(), Some(2));

    assert!(shop
        .ok(&["changes", "approve", &held])
        .contains(&format!("approved change {held}")));
    let approved = shop.json(&["changes", "list", "--json", "--status", "approved"]);
    assert_eq!(approved[0]["id"].to_string(), held);
    let reason = "我手动改过价格";
    shop.ok(&["changes", "reject", &alert, "--reason", reason]);
    let rejected = shop.json(&["changes", "list", "--json", "--status", "rejected"]);
    assert_eq!(rejected[0]["decision_note"], reason);

    // Asked again on the next crawls? No: the answered changes stay answered.
    shop.ok(&["crawl"]);
    let all = shop.json(&["changes", "list", "--json", "--status", "all"]);
    let times = |id: &str| {
        let id: i64 = id.parse().expect("id");
        let fingerprint_of = |c: &serde_json::Value| {
            (
                c["kind"].clone(),
                c["product_url"].clone(),
                c["variant"].clone(),
                c["after"].clone(),
            )
        };
        let answered = all
            .as_array()
            .expect("all")
            .iter()
            .find(|c| c["id"] == id)
            .map(fingerprint_of)
            .expect("answered change");
        all.as_array()
            .expect("all")
            .iter()
            .filter(|c| fingerprint_of(c) == answered)
            .count()
    };
    assert_eq!((times(&held), times(&alert)), (1, 1), "{all}");
    let out = shop.ok(&["changes", "approve", "--all"]);
    assert!(
        out.contains("approved") || out.contains("no changes are held"),
        "{out}"
    );
}
