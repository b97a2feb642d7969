use crate::helpers::{path_str, specsync, Shop};

fn stderr_and_code(out: &std::process::Output) -> (String, Option<i32>) {
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn a_bad_listing_file_is_refused_naming_the_file_and_place_and_changes_nothing() {
    let shop = Shop::new();
    let good = shop.write(
        "good.json",
        r#"[{"id": "tee", "title": "T恤", "currency": "CNY", "variants": [{"sku": "A", "spec": {"颜色": "红色"}, "price": "9.90", "stock": 3}]}]"#,
    );
    shop.ok(&["listings", "import", path_str(&good)]);
    let before = shop.json(&["listings", "list", "--json"]);

    let cases = [
        (
            "truncated.json",
            "[{\"id\": \"tee\",\n \"title\": ",
            "line 2",
        ),
        (
            "price.json",
            r#"[{"id": "tee", "title": "T", "currency": "CNY", "variants": [{"price": "9,90", "stock": 1}]}]"#,
            "listing #1 (`tee`): variant #1",
        ),
        (
            "stock.json",
            r#"[{"id": "tee", "title": "T", "currency": "CNY", "variants": [{"price": "1", "stock": -4}]}]"#,
            "line 1",
        ),
        ("binary.json", "\u{0}\u{1}garbage", "not a JSON array"),
    ];
    for (name, contents, place) in cases {
        let file = shop.write(name, contents);
        let (stderr, code) = stderr_and_code(&shop.run(&["listings", "import", path_str(&file)]));
        assert_eq!(code, Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(name) && stderr.contains(place),
            "{name}: {stderr}"
        );
    }
    let (stderr, code) =
        stderr_and_code(&shop.run(&["listings", "import", "/nonexistent/listings.json"]));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("/nonexistent/listings.json"), "{stderr}");
    assert_eq!(
        shop.json(&["listings", "list", "--json"]),
        before,
        "stored listings are untouched"
    );
}

#[test]
fn a_bad_config_is_an_error_naming_the_file_and_key() {
    let shop = Shop::new();
    let config = std::fs::read_to_string(shop.config()).expect("config");
    std::fs::write(
        shop.config(),
        config.replace("timeout = \"30s\"", "timeout = \"soon\""),
    )
    .expect("write");
    let (stderr, code) = stderr_and_code(&shop.run(&["changes", "list"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("specsync.toml") && stderr.contains("crawler.timeout"),
        "{stderr}"
    );

    let out = specsync()
        .arg("--config")
        .arg(shop.config())
        .env("SPECSYNC__CRAWLER__TIMEOUT", "5s")
        .args(["changes", "list"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "the environment overrides the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bad_sources_and_unknown_names_are_usage_errors() {
    let shop = Shop::new();
    let local = "http://127.0.0.1:9";
    let private = "--allow-private-networks";
    let cases: [(&[&str], &str); 8] = [
        (&["source", "add", "s", "--url", local], private),
        (
            &[
                "source", "add", "s", "--url", local, private, "--rate", "fast",
            ],
            "`fast`",
        ),
        (&["source", "add", "s", "--url", "not a url"], "`not a url`"),
        (
            &[
                "source",
                "add",
                "s",
                "--url",
                local,
                private,
                "--currency",
                "yuan",
            ],
            "`yuan`",
        ),
        (&["crawl", "nosuch"], "no source `nosuch`"),
        (
            &["link", "nosuch", "http://127.0.0.1:9/p/1"],
            "no source crawls 127.0.0.1",
        ),
        (
            &["changes", "list", "--listing", "nosuch"],
            "there is no listing `nosuch`",
        ),
        (
            &["resync", "--listing", "nosuch"],
            "there is no listing `nosuch`",
        ),
    ];
    for (args, needle) in cases {
        let (stderr, code) = stderr_and_code(&shop.run(args));
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    // Names that would forge a log line or an alert header, or reach outside a folder.
    for name in [
        "a\r\nX-Injected: 1",
        "../etc",
        "a/b",
        "two words",
        ".hidden",
        "",
    ] {
        let (stderr, code) =
            stderr_and_code(&shop.run(&["source", "add", name, "--url", "https://s.example/"]));
        assert_eq!(code, Some(2), "{name:?}: {stderr}");
        assert!(stderr.contains("source name"), "{name:?}: {stderr}");
    }
    for name in ["供应商-A", "acme_shoes.v2"] {
        shop.ok(&["source", "add", name, "--url", "https://s.example/"]);
        shop.ok(&["source", "remove", name]);
    }
    let (stderr, code) = stderr_and_code(&shop.run(&["crawl"]));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no sources"), "{stderr}");
}

#[test]
fn a_database_from_a_newer_specsync_is_refused_and_kept() {
    let shop = Shop::new();
    let db = shop.dir.path().join("specsync.db");
    let size_before = std::fs::metadata(&db).expect("db").len();
    let status = std::process::Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO _sqlx_migrations VALUES (9999,'future',0,1,x'00',0)\"); c.commit()")
        .arg(&db)
        .status();
    assert!(
        status.is_ok_and(|s| s.success()),
        "python3 with its sqlite3 module writes the future schema row"
    );
    let (stderr, code) = stderr_and_code(&shop.run(&["changes", "list"]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("schema version 9999") && stderr.contains("upgrade specsync"),
        "{stderr}"
    );
    assert!(std::fs::metadata(&db).expect("db kept").len() >= size_before);
}

/// `n` listings of two variants each, as a listings file; the last one's price is `last_price`.
fn many_listings(n: usize, last_price: &str) -> String {
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let price = if i + 1 == n { last_price } else { "29.90" };
            serde_json::json!({
                "id": format!("bulk-{i}"), "title": format!("T恤 {i}"), "currency": "CNY",
                "supplier_url": format!("http://supplier.invalid/products/{i}.html"),
                "variants": [
                    {"sku": format!("B{i}-M"), "spec": {"尺码": "M"}, "price": price, "stock": 3},
                    {"sku": format!("B{i}-L"), "spec": {"尺码": "L"}, "price": "29.90", "stock": 0}
                ]
            })
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}

#[test]
fn a_bad_listing_after_thousands_of_good_ones_stores_none_of_them() {
    let shop = Shop::new();
    shop.ok(&["source", "add", "sup", "--url", "http://supplier.invalid"]);
    let good = shop.write("good.json", &many_listings(3, "9.90"));
    shop.ok(&["listings", "import", path_str(&good)]);
    let before = shop.json(&["listings", "list", "--json"]);
    // Written a chunk at a time as the file is read: the chunks before the bad listing were
    // already in the import's transaction when it was found.
    let bad = shop.write("bad.json", &many_listings(2500, "9,90"));
    let (stderr, code) = stderr_and_code(&shop.run(&["listings", "import", path_str(&bad)]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.json: listing #2500 (`bulk-2499`): variant #1"),
        "{stderr}"
    );
    assert_eq!(shop.json(&["listings", "list", "--json"]), before);
}

#[test]
fn an_import_killed_halfway_stores_nothing() {
    let shop = Shop::new();
    shop.ok(&["source", "add", "sup", "--url", "http://supplier.invalid"]);
    let good = shop.write("good.json", &many_listings(3, "9.90"));
    shop.ok(&["listings", "import", path_str(&good)]);
    let before = shop.json(&["listings", "list", "--json"]);
    let big = shop.write("big.json", &many_listings(40_000, "9.90"));
    let mut child = specsync()
        .arg("--config")
        .arg(shop.config())
        .args(["listings", "import", path_str(&big)])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn the import");
    // Killed once its transaction has spilled pages into the write-ahead log: halfway through.
    let wal = shop.config().with_file_name("specsync.db-wal");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let spilled = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 2 << 20);
        if spilled {
            break;
        }
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the import ended before it could be killed halfway"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the import never got going"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    assert_eq!(
        shop.json(&["listings", "list", "--json"]),
        before,
        "a killed import stores none of its listings"
    );
    // And the file imports whole when it is let finish.
    let out = shop.ok(&["listings", "import", path_str(&big)]);
    assert!(out.contains("imported 40000 listings"), "{out}");
}

#[test]
fn a_link_to_a_site_no_source_crawls_is_refused_naming_the_sources() {
    let shop = Shop::new();
    shop.ok(&["source", "add", "sup", "--url", "http://supplier.invalid"]);
    let file = shop.write(
        "listings.json",
        r#"[{"id": "a", "title": "T", "currency": "CNY", "variants": [{"price": "1", "stock": 1}]},
            {"id": "b", "title": "T", "currency": "CNY", "supplier_url": "http://other.invalid/p/1.html",
             "variants": [{"price": "1", "stock": 1}]}]"#,
    );
    let (stderr, code) = stderr_and_code(&shop.run(&["listings", "import", path_str(&file)]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("listing #2 (`b`): supplier_url: no source crawls other.invalid (the sources are sup (http://supplier.invalid/))"),
        "{stderr}"
    );
    assert_eq!(
        shop.json(&["listings", "list", "--json"]),
        serde_json::json!([])
    );
    let good = shop.write(
        "good.json",
        r#"[{"id": "a", "title": "T", "currency": "CNY", "variants": [{"price": "1", "stock": 1}]}]"#,
    );
    shop.ok(&["listings", "import", path_str(&good)]);
    let (stderr, code) =
        stderr_and_code(&shop.run(&["link", "a", "http://other.invalid/p/1.html"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("no source crawls other.invalid"),
        "{stderr}"
    );
    shop.ok(&["link", "a", "http://supplier.invalid/p/1.html"]);
}

#[test]
fn a_file_that_is_no_database_or_a_server_that_refuses_is_said_in_one_go() {
    let shop = Shop::new();
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let db = shop.write("garbage.db", "");
    std::fs::write(&db, &bytes).expect("write");
    shop.edit_config("url = \"specsync.db\"", "url = \"garbage.db\"");
    let (stderr, code) = stderr_and_code(&shop.run(&["changes", "list"]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: failed to open the database /")
            && stderr
                .lines()
                .next()
                .is_some_and(|l| l.ends_with("/garbage.db"))
            && stderr.contains("file is not a database"),
        "{stderr}"
    );
    assert!(stderr.lines().count() <= 3, "no retries logged: {stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour codes in a pipe: {stderr}"
    );
    assert_eq!(
        std::fs::read(&db).expect("read"),
        bytes,
        "the file is untouched"
    );

    shop.edit_config(
        "url = \"garbage.db\"",
        "url = \"postgres://nobody@127.0.0.1:1/none\"",
    );
    let (stderr, code) = stderr_and_code(&shop.run(&["changes", "list"]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("Connection refused"), "{stderr}");
}
