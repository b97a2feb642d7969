//! Crawl progress on stderr: a bar per source crawled at once, when stderr is a terminal;
//! nothing otherwise (scripts, `--json`, tests).

use engine::progress::{PageCounter, Progress};

pub struct Bars;

struct Bar(indicatif::ProgressBar);

impl Progress for Bars {
    fn crawl_started(&self, source: &str, pages: usize) -> Box<dyn PageCounter> {
        use std::io::IsTerminal;
        static BARS: std::sync::LazyLock<indicatif::MultiProgress> =
            std::sync::LazyLock::new(indicatif::MultiProgress::new);
        if !std::io::stderr().is_terminal() {
            return Box::new(Bar(indicatif::ProgressBar::hidden()));
        }
        let bar = BARS.add(indicatif::ProgressBar::new(pages as u64));
        let style = indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} pages, {per_sec}, eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(source.to_owned());
        Box::new(Bar(bar))
    }
}

impl PageCounter for Bar {
    fn page_done(&self) {
        self.0.inc(1);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
