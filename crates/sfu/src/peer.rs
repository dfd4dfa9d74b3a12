//! One browser connection (one str0m `Rtc`): a publisher's or a subscriber's.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use str0m::change::SdpOffer;
use str0m::media::{KeyframeRequestKind, MediaData, Mid};
use str0m::net::{Protocol, TcpType};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};
use uuid::Uuid;

use crate::tcp::TcpConn;
use crate::{Allow, SfuError, Source, mids_of};

/// A publisher forwards at most one keyframe request per source in this time.
const KEYFRAME_GAP: Duration = Duration::from_millis(500);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Publish,
    /// Receives this publisher's media.
    Subscribe(Uuid),
}

/// What one peer's output means for the others (short-lived, so the size gap between the
/// variants costs nothing worth a box per packet).
#[allow(clippy::large_enum_variant)]
pub(crate) enum Propagate {
    Media {
        conf: Uuid,
        from: Uuid,
        source: Source,
        data: MediaData,
    },
    /// Someone wants a keyframe of `publisher`'s `source`.
    Keyframe {
        conf: Uuid,
        publisher: Uuid,
        source: Source,
    },
}

/// Where a peer's packets go out: the UDP socket or its own TCP connections.
pub(crate) struct Wire<'a> {
    pub udp: &'a tokio::net::UdpSocket,
    pub tcp: &'a std::collections::HashMap<std::net::SocketAddr, TcpConn>,
}

pub(crate) struct Peer {
    /// Unique on this node (set when the engine adds the peer).
    pub id: u64,
    pub conf: Uuid,
    pub user: Uuid,
    pub role: Role,
    pub allow: Allow,
    rtc: Rtc,
    /// The mids of the m-lines, indexed by [`Source`].
    mids: Vec<Mid>,
    last_keyframe: [Option<Instant>; 3],
    /// The source arrives as simulcast layers (seen a rid).
    simulcast: [bool; 3],
    pub dropped: u64,
}

impl Peer {
    /// Accepts the browser's offer; answers the SDP answer.
    pub fn accept(
        conf: Uuid,
        user: Uuid,
        role: Role,
        allow: Allow,
        offer: &str,
        (udp, tcp): (std::net::SocketAddr, Option<std::net::SocketAddr>),
    ) -> Result<(Peer, String), SfuError> {
        let mids = mids_of(offer)?
            .iter()
            .map(|m| Mid::from(m.as_str()))
            .collect();
        let offer =
            SdpOffer::from_sdp_string(offer).map_err(|e| SfuError::BadOffer(e.to_string()))?;
        let mut rtc = Rtc::builder().build(Instant::now());
        let bad = |e: str0m::error::IceError| SfuError::BadOffer(e.to_string());
        rtc.add_local_candidate(Candidate::host(udp, "udp").map_err(bad)?);
        if let Some(tcp) = tcp {
            // Passive: the browser connects; UDP keeps the higher priority.
            let c = Candidate::builder()
                .tcp()
                .host(tcp)
                .tcptype(TcpType::Passive)
                .build()
                .map_err(bad)?;
            rtc.add_local_candidate(c);
        }
        let answer = catch_unwind(AssertUnwindSafe(|| rtc.sdp_api().accept_offer(offer)))
            .map_err(|_| SfuError::BadOffer("the engine could not read the offer".into()))?
            .map_err(|e| SfuError::BadOffer(e.to_string()))?;
        let peer = Peer {
            id: 0,
            conf,
            user,
            role,
            allow,
            rtc,
            mids,
            last_keyframe: [None; 3],
            simulcast: [false; 3],
            dropped: 0,
        };
        Ok((peer, answer.to_sdp_string()))
    }

    pub fn alive(&self) -> bool {
        self.rtc.is_alive()
    }

    pub fn accepts(&self, input: &Input) -> bool {
        self.rtc.accepts(input)
    }

    /// Feeds input; a failing or panicking engine ends only this peer ("panic means bug",
    /// str0m's README, so one faulty browser must not take the SFU down).
    pub fn input(&mut self, input: Input) {
        if !self.rtc.is_alive() {
            return;
        }
        let r = catch_unwind(AssertUnwindSafe(|| self.rtc.handle_input(input)));
        if !matches!(r, Ok(Ok(()))) {
            self.rtc.disconnect();
        }
    }

    /// A full socket buffer or send queue drops the packet, as the network would; TCP
    /// goes only over a connection this peer owns.
    fn transmit(&self, wire: &Wire<'_>, t: &str0m::net::Transmit) {
        match t.proto {
            Protocol::Udp => drop(wire.udp.try_send_to(&t.contents, t.destination)),
            Protocol::Tcp => {
                if let Some(c) = wire.tcp.get(&t.destination)
                    && c.peer == Some(self.id)
                {
                    c.send(&t.contents);
                }
            }
            _ => {}
        }
    }

    fn source_of(&self, mid: Mid) -> Option<Source> {
        let i = self.mids.iter().position(|m| *m == mid)?;
        Source::ALL.get(i).copied()
    }

    /// Drains the engine until it wants to be woken: packets go out on `wire`, events
    /// for other peers into `out`. Returns when to wake it next.
    pub fn drain(&mut self, wire: &Wire<'_>, out: &mut Vec<Propagate>) -> Instant {
        loop {
            if !self.rtc.is_alive() {
                return Instant::now() + Duration::from_secs(1);
            }
            let polled = catch_unwind(AssertUnwindSafe(|| self.rtc.poll_output()));
            let output = match polled {
                Ok(Ok(o)) => o,
                _ => {
                    self.rtc.disconnect();
                    continue;
                }
            };
            match output {
                Output::Timeout(t) => return t,
                // A full socket buffer drops the packet, as the network would.
                Output::Transmit(t) => self.transmit(wire, &t),
                Output::Event(e) => self.on_event(e, out),
            }
        }
    }

    fn on_event(&mut self, e: Event, out: &mut Vec<Propagate>) {
        match e {
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                self.rtc.disconnect()
            }
            Event::Connected => {
                if let Role::Subscribe(publisher) = self.role {
                    for source in [Source::Camera, Source::Screen] {
                        out.push(Propagate::Keyframe {
                            conf: self.conf,
                            publisher,
                            source,
                        });
                    }
                }
            }
            Event::MediaData(data) => self.on_media(data, out),
            Event::KeyframeRequest(req) => {
                if let (Role::Subscribe(publisher), Some(source)) =
                    (self.role, self.source_of(req.mid))
                {
                    out.push(Propagate::Keyframe {
                        conf: self.conf,
                        publisher,
                        source,
                    });
                }
            }
            _ => {}
        }
    }

    fn on_media(&mut self, data: MediaData, out: &mut Vec<Propagate>) {
        let (Role::Publish, Some(source)) = (self.role, self.source_of(data.mid)) else {
            return;
        };
        if !source.allowed(self.allow) {
            self.dropped += 1;
            return;
        }
        // Simulcast: forward the best layer ("h") only; without simulcast rid is None.
        self.simulcast[source.index()] |= data.rid.is_some();
        if data.rid.is_some_and(|r| r.to_string() != "h") {
            return;
        }
        if !data.contiguous {
            self.request_keyframe(source);
        }
        out.push(Propagate::Media {
            conf: self.conf,
            from: self.user,
            source,
            data,
        });
    }

    /// Asks this publisher's browser for a keyframe of `source`, at most every
    /// [`KEYFRAME_GAP`].
    pub fn request_keyframe(&mut self, source: Source) {
        let i = source.index();
        if self.last_keyframe[i].is_some_and(|t| t.elapsed() < KEYFRAME_GAP) {
            return;
        }
        let Some(mid) = self.mids.get(i).copied() else {
            return;
        };
        let rid = self.simulcast[i].then(|| "h".into());
        if let Some(mut w) = self.rtc.writer(mid) {
            let _ = w.request_keyframe(rid, KeyframeRequestKind::Pli);
            self.last_keyframe[i] = Some(Instant::now());
        }
    }

    /// Sends a publisher's packet on this subscriber's matching m-line.
    pub fn forward(&mut self, source: Source, data: &MediaData) -> bool {
        let Some(mid) = self.mids.get(source.index()).copied() else {
            return false;
        };
        let Some(writer) = self.rtc.writer(mid) else {
            return false;
        };
        let Some(pt) = writer.match_params(data.params) else {
            return false;
        };
        let r = catch_unwind(AssertUnwindSafe(|| {
            writer.write(pt, data.network_time, data.time, data.data.clone())
        }));
        if !matches!(r, Ok(Ok(()))) {
            self.rtc.disconnect();
            return false;
        }
        true
    }

    pub fn close(&mut self) {
        self.rtc.disconnect();
    }
}
