use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fixtures::SupplierSim;
use serde_json::Value;

/// A merchant's folder with a fresh `specsync init`, driven through the binary.
pub struct Shop {
    pub dir: tempfile::TempDir,
}

pub fn specsync() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_specsync"));
    // Settings of the machine running the tests must not leak in.
    for (name, _) in std::env::vars() {
        if name.starts_with("SPECSYNC") {
            cmd.env_remove(name);
        }
    }
    cmd
}

pub fn stdout_of(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

impl Shop {
    pub fn new() -> Shop {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = specsync()
            .arg("init")
            .arg("--dir")
            .arg(dir.path())
            .output()
            .expect("run init");
        stdout_of(&out, "specsync init");
        Shop { dir }
    }

    /// Keeps the shop's data at `url` (a `postgres://` URL) instead of its SQLite file.
    pub fn use_database(&self, url: &str) {
        let config = std::fs::read_to_string(self.config()).expect("read config");
        let default = "url = \"specsync.db\"";
        assert!(config.contains(default), "the config names its database");
        let config = config.replacen(default, &format!("url = \"{url}\""), 1);
        std::fs::write(self.config(), config).expect("write config");
    }

    /// Replaces `from` with `to` in the shop's config file (which must hold `from`).
    pub fn edit_config(&self, from: &str, to: &str) {
        let config = std::fs::read_to_string(self.config()).expect("read config");
        assert!(config.contains(from), "the config holds {from}");
        std::fs::write(self.config(), config.replacen(from, to, 1)).expect("write config");
    }

    /// A 404 on two crawls in a row confirms a product gone however close they are: for tests
    /// about something else than the wait (the engine's tests move a clock through it).
    pub fn confirm_gone_at_once(&self) {
        self.edit_config("gone_after = \"6h\"", "gone_after = \"0s\"");
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("specsync.toml")
    }

    pub fn outbox(&self) -> PathBuf {
        self.dir.path().join("outbox")
    }

    pub fn run(&self, args: &[&str]) -> Output {
        specsync()
            .arg("--config")
            .arg(self.config())
            .args(args)
            .output()
            .expect("run specsync")
    }

    /// Runs a command with these environment variables set.
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        specsync()
            .arg("--config")
            .arg(self.config())
            .args(args)
            .envs(env.iter().copied())
            .output()
            .expect("run specsync")
    }

    pub fn ok(&self, args: &[&str]) -> String {
        stdout_of(&self.run(args), &format!("specsync {}", args.join(" ")))
    }

    /// A command that fails (exit 1) after printing its JSON, as a crawl that reached nothing does.
    pub fn failed_json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "specsync {} should fail:\nstdout: {}\nstderr: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "specsync {} printed no JSON ({e}): {stdout}",
                args.join(" ")
            )
        })
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("specsync {} printed no JSON ({e}): {out}", args.join(" ")))
    }

    /// Adds the simulator as a source (fast, and allowed on loopback).
    pub fn add_source(&self, sim: &SupplierSim) {
        self.add_source_with(sim, &[]);
    }

    /// Adds the simulator as a source with more `source add` arguments.
    pub fn add_source_with(&self, sim: &SupplierSim, extra: &[&str]) {
        let url = sim.base_url();
        let mut args = vec![
            "source",
            "add",
            "sim",
            "--url",
            &url,
            "--rate",
            "200/s",
            "--burst",
            "10",
            "--allow-private-networks",
        ];
        args.extend(extra);
        self.ok(&args);
    }

    /// Adds the simulator as a source and imports the listings it would publish now.
    pub fn connect(&self, sim: &SupplierSim) {
        self.add_source(sim);
        let file = self.write(
            "listings.json",
            &serde_json::to_string(&sim.listings_json()).expect("json"),
        );
        self.ok(&["listings", "import", file.to_str().expect("utf-8 path")]);
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write");
        path
    }

    pub fn eml_files(&self) -> Vec<PathBuf> {
        let Ok(dir) = std::fs::read_dir(self.outbox()) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = dir
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
    }
}

/// `(kind, page path, variant)` of each change in `specsync changes list --json`.
pub fn change_keys(changes: &Value) -> Vec<(String, String, Option<String>)> {
    changes
        .as_array()
        .expect("array of changes")
        .iter()
        .map(|c| {
            let url = c["product_url"].as_str().expect("product_url");
            let path = url::Url::parse(url).expect("url").path().to_owned();
            (
                c["kind"].as_str().expect("kind").to_owned(),
                path,
                c["variant"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}
