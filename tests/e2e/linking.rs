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
        kinds.contains(&"variant_removed") && kinds.contains(&"variant_added"),
        "unlinked variants are still reported: {before}"
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
    let resolved = shop.json(&[
        "changes",
        "list",
        "--listing",
        &listing_id,
        "--status",
        "resolved",
        "--json",
    ]);
    assert!(
        !resolved.as_array().expect("array").is_empty(),
        "the removal and addition went away: {resolved}"
    );
}
