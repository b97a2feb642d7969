//! `specsync init`: the example configuration and the database.

use std::path::Path;

use anyhow::Context as _;
use engine::config::EXAMPLE;
use engine::{App, Config};

/// Writes the example config at `path` unless one is there, and creates the database.
pub async fn init(path: &Path, announce: bool) -> anyhow::Result<Config> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let existed = path.exists();
    if !existed {
        std::fs::write(path, EXAMPLE)
            .with_context(|| format!("failed to write {}", path.display()))?;
    }
    let config = Config::load(path, std::env::vars())?;
    let app = App::open(config.clone())
        .await
        .with_context(|| format!("failed to open the database of {}", path.display()))?;
    app.store.close().await;
    if announce {
        let verb = if existed {
            "kept the existing"
        } else {
            "wrote"
        };
        println!(
            "{verb} {}; database ready at {}",
            path.display(),
            config.database_url
        );
        println!(
            "next: specsync source add NAME --url URL, then specsync listings import FILE.json"
        );
    }
    Ok(config)
}
