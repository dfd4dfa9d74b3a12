//! Benchmark: one sender (720p-sized video, ~1.5 Mbit/s at 30 fps) → N receivers through
//! the SFU, synthetic str0m clients over UDP on loopback in this process.
//! `cargo run --release -p schulhof-sfu --example fanout_bench -- [receivers] [seconds]`
//! Prints frames per receiver, forwarding delay (mean, max), the process's CPU time.

#[path = "../tests/support/client.rs"]
mod client;

use std::sync::Arc;
use std::time::{Duration, Instant};

use client::{Client, Seen};
use schulhof_sfu::{Allow, Sfu, SfuConfig};
use uuid::Uuid;

/// utime + stime from a /proc stat file, in seconds (100 clock ticks per second on Linux).
fn cpu_seconds(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let secs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    // The SFU runs alone on its own thread, so its CPU time can be told from the clients'.
    let (sfu_tx, sfu_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (cpu_tx, cpu_rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let sfu = Sfu::start(SfuConfig {
                bind: "127.0.0.1:0".parse().expect("addr"),
                tcp_bind: None,
                public_ip: None,
                ice_servers: vec![],
                last_n: schulhof_sfu::DEFAULT_LAST_N,
            })
            .await
            .expect("sfu");
            let _ = sfu_tx.send(sfu);
            let _ = stop_rx.await;
            let _ = cpu_tx.send(cpu_seconds("/proc/thread-self/stat"));
        });
    });
    let sfu = sfu_rx.await.expect("sfu started");
    let conf = Uuid::now_v7();
    let teacher = Uuid::now_v7();
    let allow = Allow {
        audio: true,
        video: true,
        screen: true,
    };
    let base = Instant::now();
    let until = base + Duration::from_secs(secs + 2);
    let publisher = Client::publisher(&sfu, conf, teacher, allow).await;
    let mut tasks = vec![tokio::spawn(publisher.run(
        until,
        base,
        Some((6250, Duration::from_millis(33))),
        Arc::new(Seen::default()),
    ))];
    let mut seen = Vec::new();
    for _ in 0..n {
        let c = Client::subscriber(&sfu, conf, Uuid::now_v7(), teacher).await;
        let s = Arc::new(Seen::default());
        seen.push(s.clone());
        tasks.push(tokio::spawn(c.run(until, base, None, s)));
    }
    for t in tasks {
        let _ = t.await;
    }
    let all_cpu = cpu_seconds("/proc/self/stat");
    let frames: Vec<u64> = seen.iter().map(|s| s.frames()).collect();
    let total: u64 = frames.iter().sum();
    let sum_us: u64 = seen
        .iter()
        .map(|s| s.delay_sum_us.load(std::sync::atomic::Ordering::Relaxed))
        .sum();
    let max_us = seen
        .iter()
        .map(|s| s.delay_max_us.load(std::sync::atomic::Ordering::Relaxed))
        .max()
        .unwrap_or(0);
    let stats = sfu.stats().await.expect("stats");
    let _ = stop_tx.send(());
    let cpu = cpu_rx.await.unwrap_or(0.0);
    println!("receivers: {n}, run: {}s", secs + 2);
    println!(
        "frames per receiver: min {} max {} (sender ~30/s)",
        frames.iter().min().unwrap_or(&0),
        frames.iter().max().unwrap_or(&0)
    );
    println!(
        "delay send→receive (whole frame): mean {:.2} ms, max {:.2} ms",
        sum_us as f64 / total.max(1) as f64 / 1000.0,
        max_us as f64 / 1000.0
    );
    println!("frames forwarded (all receivers): {}", stats.forwarded);
    let run = (secs + 2) as f64;
    println!(
        "SFU thread CPU: {cpu:.2}s over {run}s = {:.0}% of one core (setup included)",
        cpu / run * 100.0
    );
    println!("whole process (SFU + {} clients): {all_cpu:.2}s", n + 1);
}
