use fixtures::{SimConfig, SupplierSim};

use crate::helpers::{path_str, Shop};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_look_alike_variant_is_proposed_and_linked_once_the_merchant_confirms() {
    let sim = SupplierSim::start(SimConfig {
        seed: 4,
        products: 10,
    })
    .await
    .expect("sim");
    let catalogue = sim.catalogue();
    let (id, _) = catalogue
        .products
        .iter()
        .find(|(_, p)| p.variants.iter().any(|v| v.color == "蓝色"))
        .expect("a product sold in 蓝色");
    let listing_id = format!("sim-{id}");
    let shop = Shop::new();
    shop.add_source(&sim);
    // The merchant wrote 深蓝 and no SKU for the supplier's 蓝色.
    let mut listings = sim.listings_json();
    for listing in listings.as_array_mut().expect("array") {
        if listing["id"] != listing_id.as_str() {
            continue;
        }
        for v in listing["variants"].as_array_mut().expect("variants") {
            if v["spec"]["颜色"] == "蓝色" {
                v["spec"]["颜色"] = "深蓝".into();
                v.as_object_mut().expect("object").remove("sku");
            }
        }
    }
    let file = shop.write("listings.json", &listings.to_string());
    shop.ok(&["listings", "import", path_str(&file)]);
    shop.ok(&["crawl"]);

    let open = |shop: &Shop| shop.json(&["changes", "list", "--listing", &listing_id, "--json"]);
    let before = open(&shop);
    let kinds: Vec<&str> = before
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"link_proposed"), "{before}");
    assert!(
        !kinds.contains(&"variant_removed") && !kinds.contains(&"variant_added"),
        "a proposed pair is one proposal, not also a removal (which would unpublish) and an \
         addition: {before}"
    );
    let proposal = before
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["kind"] == "link_proposed")
        .expect("proposal");
    assert_eq!(
        proposal["action"], "hold",
        "proposed, not applied: {proposal}"
    );
    assert!(
        proposal["why"]
            .as_str()
            .is_some_and(|w| w.contains("link --confirm")),
        "{proposal}"
    );

    let confirmed = shop.ok(&["link", &listing_id, "--confirm"]);
    assert!(
        confirmed.contains("深蓝") && confirmed.contains("蓝色"),
        "{confirmed}"
    );
    shop.ok(&["resync", "--listing", &listing_id]);
    let after = open(&shop);
    assert_eq!(
        after,
        serde_json::json!([]),
        "linked: nothing removed, added or proposed any more"
    );
    let all = shop.json(&[
        "changes",
        "list",
        "--listing",
        &listing_id,
        "--status",
        "all",
        "--json",
    ]);
    let statuses: Vec<(&str, &str)> = all
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| Some((c["kind"].as_str()?, c["status"].as_str()?)))
        .collect();
    assert!(
        !statuses.is_empty() && statuses.iter().all(|s| *s == ("link_proposed", "applied")),
        "the proposals were all there was, and they are applied: {all}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_or_unlinking_a_listing_resolves_its_changes_and_keeps_the_rest() {
    let sim = fixtures::SupplierSim::start(fixtures::SimConfig {
        seed: 12,
        products: 12,
    })
    .await
    .expect("sim");
    let shop = crate::helpers::Shop::new();
    shop.connect(&sim);
    shop.confirm_gone_at_once();
    shop.ok(&["crawl"]);
    sim.set_epoch(1);
    shop.ok(&["crawl"]);
    let open = shop.json(&["changes", "list", "--json"]);
    let mut with_changes: Vec<String> = open
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["listing"].as_str().map(str::to_owned))
        .collect();
    with_changes.sort();
    with_changes.dedup();
    assert!(with_changes.len() >= 3, "{open}");
    let (unlinked, removed, kept) = (&with_changes[0], &with_changes[1], &with_changes[2]);
    let before_total = open.as_array().map(Vec::len).unwrap_or(0);

    // An unknown id removes nothing, even next to a known one.
    let refused = shop.run(&["listings", "remove", removed, "nosuch"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("nosuch"));
    assert_eq!(shop.json(&["changes", "list", "--json"]), open);

    let said = shop.ok(&["link", unlinked, "--remove"]);
    assert!(
        said.contains(&format!("unlinked {unlinked} from")),
        "{said}"
    );
    let said = shop.ok(&["listings", "remove", removed]);
    assert!(said.contains("removed 1 listing"), "{said}");

    let now = shop.json(&["changes", "list", "--json"]);
    let listings_of = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .expect("changes")
            .iter()
            .filter_map(|c| c["listing"].as_str().map(str::to_owned))
            .collect()
    };
    assert!(!listings_of(&now).contains(unlinked) && !listings_of(&now).contains(removed));
    assert!(listings_of(&now).contains(kept), "the others stay open");
    let resolved = shop.json(&["changes", "list", "--status", "resolved", "--json"]);
    let notes: Vec<&str> = resolved
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["decision_note"].as_str())
        .collect();
    assert!(notes.contains(&"the listing was unlinked"), "{resolved}");
    assert!(notes.contains(&"the listing was removed"), "{resolved}");
    let all = shop.json(&["changes", "list", "--status", "all", "--json"]);
    assert!(
        all.as_array().map(Vec::len).unwrap_or(0) >= before_total,
        "nothing deleted from the history"
    );
    let listed = shop.json(&["listings", "list", "--json"]);
    let ids: Vec<&str> = listed
        .as_array()
        .expect("listings")
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    assert!(!ids.contains(&removed.as_str()) && ids.contains(&unlinked.as_str()));
    // Crawling again records nothing for them.
    shop.ok(&["crawl"]);
    let again = shop.json(&["changes", "list", "--json"]);
    assert!(!listings_of(&again).contains(unlinked) && !listings_of(&again).contains(removed));
}
