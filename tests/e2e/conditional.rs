use fixtures::{SimConfig, SupplierSim};

use crate::helpers::{path_str, Shop};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_page_is_not_extracted_again_but_a_changed_listing_is_still_compared() {
    let sim = SupplierSim::start(SimConfig {
        seed: 6,
        products: 8,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    shop.connect(&sim);
    assert_eq!(
        shop.json(&["crawl", "--json"])["sources"][0]["not_modified"],
        0
    );

    // Nothing changed: every product page answers 304 to its ETag.
    let again = shop.json(&["crawl", "--json"]);
    assert_eq!(again["sources"][0]["not_modified"], 8, "{again}");
    assert_eq!(again["unchanged"], 8, "{again}");
    assert_eq!(again["changes"], 0, "{again}");
    assert_eq!(sim.not_modified(), 8);

    // Without ETags the same body is recognised by its hash.
    sim.set_etags(false);
    shop.json(&["crawl", "--json"]);
    let hashed = shop.json(&["crawl", "--json"]);
    assert_eq!(hashed["sources"][0]["not_modified"], 8, "{hashed}");
    assert_eq!(
        sim.not_modified(),
        8,
        "no further 304s: the bodies were compared"
    );

    // The merchant changes a listing: its unchanged page is still compared with it.
    let mut listings = sim.listings_json();
    let first = &mut listings[0];
    let id = first["id"].as_str().expect("id").to_owned();
    first["variants"][0]["price"] = "1.00".into();
    let file = shop.write("listings.json", &listings.to_string());
    shop.ok(&["listings", "import", path_str(&file)]);
    let after = shop.json(&["crawl", "--json"]);
    assert_eq!(after["changes"], 1, "{after}");
    let changes = shop.json(&["changes", "list", "--listing", &id, "--json"]);
    assert_eq!(changes[0]["kind"], "price_changed", "{changes}");
}
