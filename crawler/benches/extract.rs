//! Extraction cost on the benchmark site's pages (`../shared/bench`): one page in, one
//! normalized product out, on one thread (so wall time is CPU time).
//!
//! ```sh
//! cargo bench -p crawler --bench extract
//! ```
//! Uses the site in `$BENCH_WORK/site` (default `/tmp/specsync-bench/site`, as
//! `bench/crawl_bench.py` leaves it); without one, generates a 300-product sample with the
//! kit's `gen_site.py` into the target directory first.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn site() -> PathBuf {
    let work = std::env::var("BENCH_WORK").unwrap_or_else(|_| "/tmp/specsync-bench".into());
    let site = Path::new(&work).join("site");
    if site.join("products").is_dir() {
        return site;
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/extract-bench");
    let sample = out.join("site");
    if !sample.join("products").is_dir() {
        let kit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/gen_site.py");
        let status = std::process::Command::new("python3")
            .arg(kit)
            .args(["-n", "300", "--out"])
            .arg(&sample)
            .arg("--run-dir")
            .arg(out.join("run"))
            .status()
            .expect("python3 to run gen_site.py");
        assert!(status.success(), "gen_site.py failed");
    }
    sample
}

fn pages() -> Vec<(url::Url, String)> {
    let dir = site().join("products");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("products dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files
        .into_iter()
        .take(300)
        .map(|path| {
            let bytes = std::fs::read(&path).expect("page");
            let url = url::Url::parse(&format!(
                "http://127.0.0.1:18080/products/{}",
                path.file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
            ))
            .expect("url");
            (url, crawler::fetch::decode(bytes, None))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let pages = pages();
    let bytes: usize = pages.iter().map(|(_, p)| p.len()).sum();
    let rules = catalog::NormalizeRules::default();
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Bytes((bytes / pages.len()) as u64));
    group.bench_function("page (extract + normalize)", |b| {
        let mut i = 0;
        b.iter(|| {
            let (url, html) = &pages[i % pages.len()];
            i += 1;
            let raw = crawler::extract::extract(url, html).expect("extract");
            catalog::normalize(&raw, &rules).expect("normalize")
        })
    });
    group.bench_function("page (extract only)", |b| {
        let mut i = 0;
        b.iter(|| {
            let (url, html) = &pages[i % pages.len()];
            i += 1;
            crawler::extract::extract(url, html).expect("extract")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
