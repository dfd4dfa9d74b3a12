//! The SFU with synthetic str0m clients over real UDP on loopback: one publisher's video
//! reaches every subscriber, and a publisher whose video is not allowed (no consent)
//! reaches nobody, whatever it sends.

#[path = "support/client.rs"]
mod client;

use std::sync::Arc;
use std::time::{Duration, Instant};

use client::{Client, Seen};
use schulhof_sfu::{Allow, Sfu, SfuConfig};
use uuid::Uuid;

async fn sfu() -> Sfu {
    Sfu::start(SfuConfig {
        bind: "127.0.0.1:0".parse().expect("addr"),
        public_ip: None,
        ice_servers: vec![],
    })
    .await
    .expect("sfu")
}

/// Runs one publisher and `n` subscribers for `secs`; what each subscriber saw.
async fn session(sfu: &Sfu, allow: Allow, n: usize, secs: u64) -> Vec<Arc<Seen>> {
    let conf = Uuid::now_v7();
    let teacher = Uuid::now_v7();
    let base = Instant::now();
    let until = base + Duration::from_secs(secs);
    let publisher = Client::publisher(sfu, conf, teacher, allow).await;
    let mut tasks = vec![tokio::spawn(publisher.run(
        until,
        base,
        Some((6000, Duration::from_millis(33))),
        Arc::new(Seen::default()),
    ))];
    let mut seen = Vec::new();
    for _ in 0..n {
        let c = Client::subscriber(sfu, conf, Uuid::now_v7(), teacher).await;
        let s = Arc::new(Seen::default());
        seen.push(s.clone());
        tasks.push(tokio::spawn(c.run(until, base, None, s)));
    }
    for t in tasks {
        t.await.expect("client");
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_reaches_every_subscriber() {
    let sfu = sfu().await;
    let allow = Allow {
        audio: true,
        video: true,
        screen: false,
    };
    let seen = session(&sfu, allow, 3, 4).await;
    for s in &seen {
        assert!(s.frames() > 30, "subscriber got {} frames", s.frames());
    }
    assert!(sfu.stats().await.expect("stats").forwarded > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_without_consent_reaches_nobody() {
    let sfu = sfu().await;
    let audio_only = Allow {
        audio: true,
        video: false,
        screen: false,
    };
    let seen = session(&sfu, audio_only, 2, 3).await;
    for s in &seen {
        assert_eq!(s.frames(), 0, "a video frame got through");
    }
    let stats = sfu.stats().await.expect("stats");
    assert!(stats.dropped_not_allowed > 30, "{stats:?}");
}

#[tokio::test]
async fn malformed_offers_are_refused() {
    let sfu = sfu().await;
    let conf = Uuid::now_v7();
    for bad in ["", "v=0", "not sdp at all\r\nm=audio 9 x\r\n"] {
        let r = sfu
            .publish(conf, Uuid::now_v7(), bad.into(), Allow::default())
            .await;
        assert!(r.is_err(), "{bad:?}");
    }
}
