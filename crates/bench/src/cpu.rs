//! CPU use during a measurement: this process (server and load generator) and everything
//! else on the machine. On a shared 2-core machine a figure is only worth something if the
//! others were quiet, so every run reports how busy they were.

use std::time::Instant;

/// Clock ticks per second of `/proc` times (USER_HZ, 100 on every Linux we run on).
const TICKS: f64 = 100.0;

pub struct CpuMeter {
    started: Instant,
    busy: u64,
    own: u64,
}

/// Average cores in use over the measured time.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuUse {
    /// This process: the in-process server plus the load generator.
    pub own: f64,
    /// Every other process (a PostgreSQL server included).
    pub others: f64,
}

impl CpuMeter {
    pub fn start() -> Self {
        Self {
            started: Instant::now(),
            busy: machine_busy().unwrap_or(0),
            own: own_ticks().unwrap_or(0),
        }
    }

    /// `None` where `/proc` cannot be read (not Linux).
    pub fn stop(&self) -> Option<CpuUse> {
        let secs = self.started.elapsed().as_secs_f64();
        let busy = machine_busy()?.saturating_sub(self.busy) as f64 / TICKS;
        let own = own_ticks()?.saturating_sub(self.own) as f64 / TICKS;
        Some(CpuUse {
            own: own / secs,
            others: (busy - own).max(0.0) / secs,
        })
    }
}

/// Waits (at most `max`) until other processes use under a quarter of a core for two
/// seconds. Returns whether the machine became quiet.
pub fn wait_quiet(max: std::time::Duration) -> bool {
    let until = Instant::now() + max;
    loop {
        let m = CpuMeter::start();
        std::thread::sleep(std::time::Duration::from_secs(2));
        let others = m.stop().map_or(0.0, |u| u.others);
        if others < 0.25 {
            return true;
        }
        if Instant::now() >= until {
            return false;
        }
        eprintln!("waiting for a quiet machine: other processes use {others:.2} cores");
    }
}

/// Non-idle ticks of all CPUs, from the first line of `/proc/stat`.
fn machine_busy() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
    let idle = fields.get(3)? + fields.get(4)?;
    Some(fields.iter().take(8).sum::<u64>() - idle)
}

/// User plus system ticks of this process, all threads.
fn own_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may contain spaces: fields are counted after its closing ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_proc() {
        let m = CpuMeter::start();
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        std::hint::black_box(x);
        let u = m.stop().expect("linux /proc");
        assert!(u.own >= 0.0 && u.others >= 0.0);
    }
}
