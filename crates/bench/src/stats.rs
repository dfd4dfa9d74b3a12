//! Latency samples and outcome counters. Samples are kept whole (a 20-second run at
//! 10,000 req/s is 200,000 numbers), so percentiles are exact rather than bucketed.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

#[derive(Default, Clone)]
pub struct Samples(Vec<u32>);

impl Samples {
    pub fn push(&mut self, d: Duration) {
        self.0
            .push(u32::try_from(d.as_micros()).unwrap_or(u32::MAX));
    }

    pub fn extend(&mut self, other: Samples) {
        self.0.extend(other.0);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Percentiles in milliseconds (nearest rank).
    pub fn summary(mut self) -> Latency {
        self.0.sort_unstable();
        let at = |p: f64| -> f64 {
            if self.0.is_empty() {
                return 0.0;
            }
            let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
            let i = rank.clamp(1, self.0.len()) - 1;
            f64::from(self.0[i]) / 1000.0
        };
        let mean = if self.0.is_empty() {
            0.0
        } else {
            self.0.iter().map(|&v| f64::from(v)).sum::<f64>() / self.0.len() as f64 / 1000.0
        };
        Latency {
            count: self.0.len(),
            mean_ms: mean,
            p50_ms: at(50.0),
            p90_ms: at(90.0),
            p99_ms: at(99.0),
            max_ms: at(100.0),
        }
    }
}

/// A latency distribution, in milliseconds.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Latency {
    pub count: usize,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Counts by label: unexpected statuses ("500", "502") and failures ("dropped", "timeout").
#[derive(Clone, Debug, Default, Serialize)]
pub struct Tally(pub BTreeMap<String, u64>);

impl Tally {
    pub fn add(&mut self, label: impl Into<String>) {
        *self.0.entry(label.into()).or_default() += 1;
    }

    pub fn add_if(&mut self, counts: bool, label: impl Into<String>) {
        if counts {
            self.add(label);
        }
    }

    pub fn merge(&mut self, other: Tally) {
        for (k, v) in other.0 {
            *self.0.entry(k).or_default() += v;
        }
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// `none`, or `503:12 dropped:1`.
    pub fn describe(&self) -> String {
        if self.0.is_empty() {
            return "none".into();
        }
        self.0
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut s = Samples::default();
        for ms in 1..=100 {
            s.push(Duration::from_millis(ms));
        }
        let l = s.summary();
        assert_eq!(l.count, 100);
        assert_eq!(l.p50_ms, 50.0);
        assert_eq!(l.p99_ms, 99.0);
        assert_eq!(l.max_ms, 100.0);
    }
}
