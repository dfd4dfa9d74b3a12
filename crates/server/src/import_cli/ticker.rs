//! Progress on standard error while an import runs.

use std::sync::Arc;
use std::time::Duration;

use schulhof_domain::import::ImportProgress;

/// Prints progress to standard error every half second until dropped.
pub(super) struct Ticker(tokio::task::JoinHandle<()>);

impl Ticker {
    pub(super) fn start(progress: Arc<ImportProgress>) -> Self {
        Ticker(tokio::spawn(async move {
            let mut last = String::new();
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let (done, total, phase) = progress.snapshot();
                let line = format!("{phase}: {done}/{total} ({}%)", progress.percent());
                if line != last {
                    eprintln!("{line}");
                    last = line;
                }
            }
        }))
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.0.abort();
    }
}
