//! A synthetic conference participant on str0m (the same engine as the SFU, as a client):
//! publishes canned "video" frames that carry their send time, or subscribes and counts
//! what arrives and how late. Used by the fan-out test and benchmark. A client talks to
//! the SFU over UDP, or only over ICE-TCP (an active TCP candidate on one connection to
//! the SFU's passive one, RFC 4571 framing).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use schulhof_sfu::{Allow, Sfu};
use str0m::change::SdpAnswer;
use str0m::format::Codec;
use str0m::media::{Direction, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive, TcpType};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
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
    /// ICE-TCP only: the connection to the SFU, and what was read of a partial frame.
    tcp: Option<(TcpStream, SocketAddr, Vec<u8>)>,
}

impl Client {
    async fn offer(
        dir: Direction,
        tcp_to: Option<SocketAddr>,
    ) -> (Client, String, str0m::change::SdpPendingOffer) {
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let mut local = socket.local_addr().expect("addr");
        let mut rtc = Rtc::builder()
            .clear_codecs()
            .enable_opus(true, false)
            .enable_vp8(true)
            .build(Instant::now());
        let tcp = match tcp_to {
            // No UDP candidate at all: the only way is the TCP connection.
            Some(server) => {
                let stream = TcpStream::connect(server).await.expect("tcp connect");
                stream.set_nodelay(true).expect("nodelay");
                local = stream.local_addr().expect("tcp addr");
                let c = Candidate::builder()
                    .tcp()
                    .host(local)
                    .tcptype(TcpType::Active)
                    .build()
                    .expect("tcp candidate");
                rtc.add_local_candidate(c);
                Some((stream, server, Vec::new()))
            }
            None => {
                rtc.add_local_candidate(Candidate::host(local, "udp").expect("candidate"));
                None
            }
        };
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
            tcp,
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
        Client::publisher_via(sfu, conf, user, allow, None).await
    }

    /// A publisher that reaches the SFU only over TCP at `tcp` (if given).
    pub async fn publisher_via(
        sfu: &Sfu,
        conf: Uuid,
        user: Uuid,
        allow: Allow,
        tcp: Option<SocketAddr>,
    ) -> Client {
        let (mut c, offer, pending) = Client::offer(Direction::SendOnly, tcp).await;
        let answer = sfu
            .publish(conf, user, offer, allow)
            .await
            .expect("publish");
        c.accept(pending, &answer);
        c
    }

    /// A subscriber of `publisher`'s media.
    pub async fn subscriber(sfu: &Sfu, conf: Uuid, user: Uuid, publisher: Uuid) -> Client {
        Client::subscriber_via(sfu, conf, user, publisher, None).await
    }

    /// A subscriber that reaches the SFU only over TCP at `tcp` (if given).
    pub async fn subscriber_via(
        sfu: &Sfu,
        conf: Uuid,
        user: Uuid,
        publisher: Uuid,
        tcp: Option<SocketAddr>,
    ) -> Client {
        let (mut c, offer, pending) = Client::offer(Direction::RecvOnly, tcp).await;
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
                Output::Transmit(t) => match (&mut self.tcp, t.proto) {
                    (Some((stream, server, _)), Protocol::Tcp) if t.destination == *server => {
                        let mut framed = (t.contents.len() as u16).to_be_bytes().to_vec();
                        framed.extend_from_slice(&t.contents);
                        let _ = stream.write_all(&framed).await;
                    }
                    (None, Protocol::Udp) => {
                        let _ = self.socket.send_to(&t.contents, t.destination).await;
                    }
                    _ => {}
                },
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
            if self.tcp.is_some() {
                self.recv_tcp(timeout, &mut buf).await;
                continue;
            }
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

    /// Reads from the TCP connection for up to `timeout` and feeds every whole frame.
    async fn recv_tcp(&mut self, timeout: Duration, buf: &mut [u8]) {
        let Some((stream, server, pending)) = &mut self.tcp else {
            return;
        };
        match tokio::time::timeout(timeout, stream.read(buf)).await {
            Ok(Ok(n)) if n > 0 => pending.extend_from_slice(&buf[..n]),
            Ok(_) => panic!("the SFU closed the TCP connection"),
            Err(_) => {
                let now = Instant::now();
                self.rtc.handle_input(Input::Timeout(now)).expect("timeout");
                return;
            }
        }
        let (server, local) = (*server, self.local);
        let mut frames = Vec::new();
        let mut at = 0;
        while let Some(len) = pending
            .get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
        {
            let Some(f) = pending.get(at + 2..at + 2 + len) else {
                break;
            };
            frames.push(f.to_vec());
            at += 2 + len;
        }
        pending.drain(..at);
        for f in frames {
            let Ok(contents) = f.as_slice().try_into() else {
                continue;
            };
            let input = Input::Receive(
                Instant::now(),
                Receive {
                    proto: Protocol::Tcp,
                    source: server,
                    destination: local,
                    contents,
                },
            );
            self.rtc.handle_input(input).expect("input");
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
