//! A synthetic conference participant on str0m (the same engine as the SFU, as a client):
//! publishes canned "video" frames that carry their send time, or subscribes and counts
//! what arrives and how late. Used by the fan-out test and benchmark.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use schulhof_sfu::{Allow, Sfu};
use str0m::change::SdpAnswer;
use str0m::format::Codec;
use str0m::media::{Direction, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::net::UdpSocket;
use uuid::Uuid;

/// What a receiver saw.
#[derive(Default, Debug)]
pub struct Seen {
    pub frames: AtomicU64,
    pub bytes: AtomicU64,
    /// Sum and maximum of the frames' one-way delay, in microseconds.
    pub delay_sum_us: AtomicU64,
    pub delay_max_us: AtomicU64,
}

impl Seen {
    pub fn frames(&self) -> u64 {
        self.frames.load(Ordering::Relaxed)
    }
}

/// One client: its engine and socket.
pub struct Client {
    rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
    mids: Vec<Mid>,
}

impl Client {
    async fn offer(dir: Direction) -> (Client, String, str0m::change::SdpPendingOffer) {
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let local = socket.local_addr().expect("addr");
        let mut rtc = Rtc::builder()
            .clear_codecs()
            .enable_opus(true, false)
            .enable_vp8(true)
            .build(Instant::now());
        rtc.add_local_candidate(Candidate::host(local, "udp").expect("candidate"));
        let mut api = rtc.sdp_api();
        let mids = vec![
            api.add_media(MediaKind::Audio, dir, None, None, None),
            api.add_media(MediaKind::Video, dir, None, None, None),
            api.add_media(MediaKind::Video, dir, None, None, None),
        ];
        let (offer, pending) = api.apply().expect("offer");
        let c = Client {
            rtc,
            socket,
            local,
            mids,
        };
        (c, offer.to_sdp_string(), pending)
    }

    fn accept(&mut self, pending: str0m::change::SdpPendingOffer, answer: &str) {
        let answer = SdpAnswer::from_sdp_string(answer).expect("answer");
        self.rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .expect("accept");
    }

    /// A publisher of `conf` with the given allowance.
    pub async fn publisher(sfu: &Sfu, conf: Uuid, user: Uuid, allow: Allow) -> Client {
        let (mut c, offer, pending) = Client::offer(Direction::SendOnly).await;
        let answer = sfu
            .publish(conf, user, offer, allow)
            .await
            .expect("publish");
        c.accept(pending, &answer);
        c
    }

    /// A subscriber of `publisher`'s media.
    pub async fn subscriber(sfu: &Sfu, conf: Uuid, user: Uuid, publisher: Uuid) -> Client {
        let (mut c, offer, pending) = Client::offer(Direction::RecvOnly).await;
        let answer = sfu
            .subscribe(conf, user, publisher, offer)
            .await
            .expect("subscribe");
        c.accept(pending, &answer);
        c
    }

    /// Drains the engine; answers when to wake it.
    async fn drain(&mut self, seen: &Seen, base: Instant) -> Instant {
        loop {
            match self.rtc.poll_output().expect("poll") {
                Output::Timeout(t) => return t,
                Output::Transmit(t) => {
                    let _ = self.socket.send_to(&t.contents, t.destination).await;
                }
                Output::Event(Event::MediaData(d)) => {
                    seen.frames.fetch_add(1, Ordering::Relaxed);
                    seen.bytes.fetch_add(d.data.len() as u64, Ordering::Relaxed);
                    if let Some(sent) = d.data.get(..8) {
                        let sent = u64::from_be_bytes(sent.try_into().unwrap_or([0; 8]));
                        let now = base.elapsed().as_micros() as u64;
                        let delay = now.saturating_sub(sent);
                        seen.delay_sum_us.fetch_add(delay, Ordering::Relaxed);
                        seen.delay_max_us.fetch_max(delay, Ordering::Relaxed);
                    }
                }
                Output::Event(_) => {}
            }
        }
    }

    /// Runs the client until `until`; a publisher sends a `frame_bytes` frame every
    /// `frame_gap` on its camera m-line once connected.
    pub async fn run(
        mut self,
        until: Instant,
        base: Instant,
        send: Option<(usize, Duration)>,
        seen: Arc<Seen>,
    ) {
        let mut buf = vec![0u8; 2000];
        let mut next_frame = Instant::now();
        let mut frame_no: u64 = 0;
        while Instant::now() < until {
            let wake = self.drain(&seen, base).await.min(until);
            if let Some((size, gap)) = send
                && self.rtc.is_connected()
                && Instant::now() >= next_frame
            {
                self.send_frame(size, frame_no, base);
                frame_no += 1;
                next_frame += gap;
                continue;
            }
            let wake = match send {
                Some(_) => wake.min(next_frame),
                None => wake,
            };
            let timeout = wake.saturating_duration_since(Instant::now());
            match tokio::time::timeout(timeout, self.socket.recv_from(&mut buf)).await {
                Ok(Ok((n, source))) => {
                    let Ok(contents) = buf[..n].try_into() else {
                        continue;
                    };
                    let input = Input::Receive(
                        Instant::now(),
                        Receive {
                            proto: Protocol::Udp,
                            source,
                            destination: self.local,
                            contents,
                        },
                    );
                    self.rtc.handle_input(input).expect("input");
                }
                _ => self
                    .rtc
                    .handle_input(Input::Timeout(Instant::now()))
                    .expect("timeout"),
            }
        }
    }

    fn send_frame(&mut self, size: usize, n: u64, base: Instant) {
        let mid = self.mids[1];
        let Some(writer) = self.rtc.writer(mid) else {
            return;
        };
        let Some(pt) = writer
            .payload_params()
            .find(|p| p.spec().codec == Codec::Vp8)
            .map(|p| p.pt())
        else {
            return;
        };
        // The send time first (its top byte is 0, which VP8 reads as a key frame).
        let mut data = vec![0u8; size.max(16)];
        data[..8].copy_from_slice(&(base.elapsed().as_micros() as u64).to_be_bytes());
        let time = MediaTime::from_90khz(n * 3000);
        let _ = writer.write(pt, Instant::now(), time, data);
    }
}
