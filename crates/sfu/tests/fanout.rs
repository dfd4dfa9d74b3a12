//! The SFU with synthetic str0m clients over real UDP on loopback: one publisher's video
//! reaches every subscriber, and a publisher whose video is not allowed (no consent)
//! reaches nobody, whatever it sends. Consent withdrawn mid-conference stops the video at
//! once; Last-N caps the cameras one viewer receives, and a pin brings one into view.

#[path = "support/client.rs"]
mod client;

use std::sync::Arc;
use std::time::{Duration, Instant};

use client::{Client, Seen};
use schulhof_sfu::{Allow, Sfu, SfuConfig};
use uuid::Uuid;

async fn sfu() -> Sfu {
    sfu_with(schulhof_sfu::DEFAULT_LAST_N).await
}

async fn sfu_with(last_n: usize) -> Sfu {
    Sfu::start(SfuConfig {
        bind: "127.0.0.1:0".parse().expect("addr"),
        tcp_bind: None,
        public_ip: None,
        ice_servers: vec![],
        last_n,
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

const FRAME: Option<(usize, Duration)> = Some((1200, Duration::from_millis(33)));

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawn_consent_stops_the_video_at_once() {
    let sfu = sfu().await;
    let (conf, pupil) = (Uuid::now_v7(), Uuid::now_v7());
    let both = Allow {
        audio: true,
        video: true,
        screen: false,
    };
    let base = Instant::now();
    let until = base + Duration::from_secs(3);
    let publisher = Client::publisher(&sfu, conf, pupil, both).await;
    let viewer = Client::subscriber(&sfu, conf, Uuid::now_v7(), pupil).await;
    let seen = Arc::new(Seen::default());
    let tasks = [
        tokio::spawn(publisher.run(until, base, FRAME, Arc::new(Seen::default()))),
        tokio::spawn(viewer.run(until, base, None, seen.clone())),
    ];
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = seen.frames();
    assert!(before > 10, "video flowed before: {before}");
    // The admin withdraws the video consent: the domain hands the new grant to the SFU.
    sfu.set_allow(
        conf,
        pupil,
        Allow {
            video: false,
            ..both
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let at = seen.frames();
    for t in tasks {
        t.await.expect("client");
    }
    assert!(
        seen.frames() <= at + 1,
        "frames after the withdrawal: {} → {}",
        at,
        seen.frames()
    );
    assert!(sfu.stats().await.expect("stats").dropped_not_allowed > 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_n_caps_the_cameras_a_viewer_receives() {
    let sfu = sfu_with(2).await;
    let conf = Uuid::now_v7();
    let all = Allow {
        audio: true,
        video: true,
        screen: false,
    };
    let base = Instant::now();
    let until = base + Duration::from_secs(4);
    let cams: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
    let viewer = Uuid::now_v7();
    let mut tasks = Vec::new();
    for c in &cams {
        let p = Client::publisher(&sfu, conf, *c, all).await;
        tasks.push(tokio::spawn(p.run(
            until,
            base,
            FRAME,
            Arc::new(Seen::default()),
        )));
    }
    let mut seen = Vec::new();
    for c in &cams {
        let s = Arc::new(Seen::default());
        let sub = Client::subscriber(&sfu, conf, viewer, *c).await;
        tasks.push(tokio::spawn(sub.run(until, base, None, s.clone())));
        seen.push(s);
    }
    tokio::time::sleep(Duration::from_millis(1800)).await;
    let first: Vec<u64> = seen.iter().map(|s| s.frames()).collect();
    // Nobody spoke or pinned: the two who joined first.
    assert!(first[0] > 10 && first[1] > 10, "{first:?}");
    assert_eq!(&first[2..], [0, 0, 0], "{first:?}");
    // The viewer pins the last camera: it comes into view, one of the others goes.
    sfu.pin(conf, viewer, Some(cams[4])).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mid: Vec<u64> = seen.iter().map(|s| s.frames()).collect();
    for t in tasks {
        t.await.expect("client");
    }
    let last: Vec<u64> = seen.iter().map(|s| s.frames()).collect();
    assert!(
        last[4] > mid[4] + 10,
        "the pinned camera: {mid:?} → {last:?}"
    );
    assert!(
        last[0] > mid[0] + 10,
        "the first still in view: {mid:?} → {last:?}"
    );
    assert!(last[1] <= mid[1] + 1, "the second went: {mid:?} → {last:?}");
    assert_eq!((last[2], last[3]), (0, 0), "{last:?}");
    let stats = sfu.stats().await.expect("stats");
    assert!(stats.held_back > 100, "{stats:?}");
}
