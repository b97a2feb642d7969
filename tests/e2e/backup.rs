//! The database file alone is the whole database once a command has ended, and `specsync
//! backup FILE` writes a consistent copy.

use crate::helpers::{path_str, Shop};

fn listings(n: usize) -> String {
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({"id": format!("t{i}"), "title": "T恤", "currency": "CNY",
                "variants": [{"spec": {"尺码": "M"}, "price": "29.90", "stock": 3}]})
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}

#[test]
fn a_copy_of_the_database_file_alone_after_a_command_holds_everything() {
    let shop = Shop::new();
    let file = shop.write("listings.json", &listings(500));
    let out = shop.ok(&["listings", "import", path_str(&file)]);
    assert!(
        out.starts_with("imported 500 listings (500 variants)"),
        "{out}"
    );
    let db = shop.config().with_file_name("specsync.db");
    let wal = shop.config().with_file_name("specsync.db-wal");
    assert!(
        std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
        "the log was folded into the file"
    );
    // The file copied alone, as a merchant backs up a folder.
    let other = Shop::new();
    std::fs::copy(&db, other.config().with_file_name("specsync.db")).expect("copy");
    let listed = other.json(&["listings", "list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(500));
}

#[test]
fn backup_writes_a_consistent_copy_and_refuses_to_overwrite() {
    let shop = Shop::new();
    let file = shop.write("listings.json", &listings(1));
    let out = shop.ok(&["listings", "import", path_str(&file)]);
    assert!(out.starts_with("imported 1 listing (1 variant)"), "{out}");
    let copy = shop.config().with_file_name("copy.db");
    let said = shop.ok(&["backup", path_str(&copy)]);
    assert!(said.contains("wrote a copy of the database"), "{said}");
    let again = shop.run(&["backup", path_str(&copy)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let other = Shop::new();
    std::fs::copy(&copy, other.config().with_file_name("specsync.db")).expect("copy");
    assert_eq!(
        other.json(&["listings", "list", "--json"]),
        shop.json(&["listings", "list", "--json"])
    );
}
