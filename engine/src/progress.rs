//! How a crawl tells its caller how it gets on, without knowing how that is shown (the CLI
//! draws a progress bar in a terminal; a daemon counts).

/// Told when a source's crawl knows how many pages it will fetch.
pub trait Progress: Send + Sync {
    fn crawl_started(&self, source: &str, pages: usize) -> Box<dyn PageCounter>;
}

/// Counts one crawl's pages; dropped when the crawl ends.
pub trait PageCounter: Send + Sync {
    fn page_done(&self);
}

/// Shows nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn crawl_started(&self, _source: &str, _pages: usize) -> Box<dyn PageCounter> {
        Box::new(NoProgress)
    }
}

impl PageCounter for NoProgress {
    fn page_done(&self) {}
}
