//! ICE over TCP, the fallback where UDP is blocked: str0m clients without any UDP
//! candidate reach the SFU's passive TCP candidate (RFC 4571 framing) and exchange media
//! with peers on UDP and on TCP alike. A connection that carries no peer's credentials is
//! closed and disturbs nobody.

#[path = "support/client.rs"]
mod client;

use std::sync::Arc;
use std::time::{Duration, Instant};

use client::{Client, Seen};
use schulhof_sfu::{Allow, Sfu, SfuConfig};
use str0m::media::{Direction, MediaKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

async fn sfu() -> Sfu {
    Sfu::start(SfuConfig {
        bind: "127.0.0.1:0".parse().expect("addr"),
        tcp_bind: Some("127.0.0.1:0".parse().expect("addr")),
        public_ip: None,
        ice_servers: vec![],
        last_n: schulhof_sfu::DEFAULT_LAST_N,
    })
    .await
    .expect("sfu")
}

const FRAME: Option<(usize, Duration)> = Some((1200, Duration::from_millis(33)));
const ALL: Allow = Allow {
    audio: true,
    video: true,
    screen: false,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_offer_a_passive_tcp_candidate() {
    let sfu = sfu().await;
    let tcp = sfu.public_tcp_addr().expect("tcp listener");
    assert_ne!(tcp.port(), 0);
    let mut rtc = str0m::Rtc::new(Instant::now());
    let mut api = rtc.sdp_api();
    for kind in [MediaKind::Audio, MediaKind::Video, MediaKind::Video] {
        api.add_media(kind, Direction::RecvOnly, None, None, None);
    }
    let (offer, _) = api.apply().expect("offer");
    let answer = sfu
        .subscribe(
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            offer.to_sdp_string(),
        )
        .await
        .expect("answer");
    let tcp_line = answer
        .lines()
        .find(|l| l.contains(" tcp ") && l.starts_with("a=candidate"))
        .expect("a TCP candidate");
    assert!(
        tcp_line.contains(&format!("127.0.0.1 {}", tcp.port())),
        "{tcp_line}"
    );
    assert!(tcp_line.contains("tcptype passive"), "{tcp_line}");
    assert!(answer.contains(&format!("127.0.0.1 {} typ host", sfu.public_addr().port())));
    // Without a TCP bind there is no TCP candidate.
    let udp_only = Sfu::start(SfuConfig {
        bind: "127.0.0.1:0".parse().expect("addr"),
        tcp_bind: None,
        public_ip: None,
        ice_servers: vec![],
        last_n: 9,
    })
    .await
    .expect("sfu");
    assert_eq!(udp_only.public_tcp_addr(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_flows_over_tcp_only_clients() {
    let sfu = sfu().await;
    let tcp = sfu.public_tcp_addr().expect("tcp listener");
    let (conf, teacher) = (Uuid::now_v7(), Uuid::now_v7());
    let base = Instant::now();
    let until = base + Duration::from_secs(4);
    // The teacher publishes over TCP; one pupil receives over TCP, one over UDP, and a
    // second TCP pupil shows that connections from one address family are kept apart.
    let publisher = Client::publisher_via(&sfu, conf, teacher, ALL, Some(tcp)).await;
    let mut tasks = vec![tokio::spawn(publisher.run(
        until,
        base,
        FRAME,
        Arc::new(Seen::default()),
    ))];
    let mut seen = Vec::new();
    for via in [Some(tcp), None, Some(tcp)] {
        let c = Client::subscriber_via(&sfu, conf, Uuid::now_v7(), teacher, via).await;
        let s = Arc::new(Seen::default());
        seen.push(s.clone());
        tasks.push(tokio::spawn(c.run(until, base, None, s)));
    }
    for t in tasks {
        t.await.expect("client");
    }
    for (i, s) in seen.iter().enumerate() {
        assert!(s.frames() > 30, "subscriber {i} got {} frames", s.frames());
    }
    let stats = sfu.stats().await.expect("stats");
    assert!(stats.forwarded > 90, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_connection_is_closed_and_harms_nobody() {
    let sfu = sfu().await;
    let tcp = sfu.public_tcp_addr().expect("tcp listener");
    let (conf, teacher) = (Uuid::now_v7(), Uuid::now_v7());
    let base = Instant::now();
    let until = base + Duration::from_secs(3);
    let publisher = Client::publisher_via(&sfu, conf, teacher, ALL, Some(tcp)).await;
    let viewer = Client::subscriber_via(&sfu, conf, Uuid::now_v7(), teacher, Some(tcp)).await;
    let seen = Arc::new(Seen::default());
    let tasks = [
        tokio::spawn(publisher.run(until, base, FRAME, Arc::new(Seen::default()))),
        tokio::spawn(viewer.run(until, base, None, seen.clone())),
    ];
    // A framed packet that is no peer's STUN request: the SFU hangs up.
    let mut stranger = tokio::net::TcpStream::connect(tcp).await.expect("connect");
    let junk = [
        0u8, 20, 0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ];
    stranger.write_all(&junk).await.expect("write");
    let mut buf = [0u8; 64];
    let r = tokio::time::timeout(Duration::from_secs(2), stranger.read(&mut buf)).await;
    assert!(matches!(r, Ok(Ok(0)) | Ok(Err(_))), "still open: {r:?}");
    // A silent connection is closed after a while too; meanwhile media keeps flowing.
    let mut silent = tokio::net::TcpStream::connect(tcp).await.expect("connect");
    for t in tasks {
        t.await.expect("client");
    }
    assert!(seen.frames() > 20, "viewer got {} frames", seen.frames());
    let r = tokio::time::timeout(Duration::from_secs(12), silent.read(&mut buf)).await;
    assert!(matches!(r, Ok(Ok(0)) | Ok(Err(_))), "still open: {r:?}");
}
