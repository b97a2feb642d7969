//! robots.txt per origin, fetched at most once an hour. Each origin has its own lock, held only
//! while its own robots.txt is fetched: a slow host's robots.txt holds up that host's crawl,
//! never another's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A host's robots.txt as fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RobotsTxt {
    Found(String),
    /// 4xx: there is none, everything is allowed.
    Missing,
    /// 5xx or no answer: nothing is allowed for now.
    Unreadable,
}

/// How long a robots.txt is trusted before it is fetched again.
const ROBOTS_TTL: Duration = Duration::from_secs(3600);

type Slot = Arc<tokio::sync::Mutex<Option<(Instant, RobotsTxt)>>>;

#[derive(Default)]
pub(super) struct RobotsCache {
    origins: Mutex<HashMap<String, Slot>>,
}

impl RobotsCache {
    /// The origin's robots.txt: as cached if fresh, else what `fetch` gives (one fetch at a
    /// time per origin; others asking for the same origin wait for it).
    pub async fn get<F>(&self, origin: String, fetch: F) -> RobotsTxt
    where
        F: std::future::Future<Output = RobotsTxt>,
    {
        let slot = {
            let mut origins = self.origins.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(origins.entry(origin).or_default())
        };
        let mut cached = slot.lock().await;
        if let Some((at, robots)) = &*cached {
            if at.elapsed() < ROBOTS_TTL {
                return robots.clone();
            }
        }
        let robots = fetch.await;
        *cached = Some((Instant::now(), robots.clone()));
        robots
    }
}
