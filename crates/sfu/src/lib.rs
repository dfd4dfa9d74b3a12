//! The built-in selective forwarding unit (SFU) for video conferences, on str0m's sans-IO
//! WebRTC engine driven by one tokio task per node. No transcoding: every packet a publisher
//! sends is forwarded as is to the participants who subscribed to that publisher.
//!
//! Negotiation is always started by the browser, which keeps the server simple and avoids
//! glare: each participant opens one *publish* connection (offer with three send-only
//! m-lines in a fixed order: microphone, camera, screen) and one *subscribe* connection per
//! other participant (offer with three receive-only m-lines in the same order). Turning the
//! camera or screen on and off swaps tracks on existing transceivers, so it needs no new
//! negotiation.
//!
//! Consent and moderation are enforced here, on the media path: a publisher's [`Allow`]
//! says which of its sources are forwarded at all; packets of a source that is not allowed
//! are dropped before they reach anybody, whatever the browser sends.
//!
//! One UDP socket serves all peers (str0m demultiplexes by ICE credentials). Where UDP is
//! blocked, browsers fall back to ICE over TCP: a passive TCP host candidate on
//! [`SfuConfig::tcp_bind`] with RFC 4571 framing, each connection bound to the one peer
//! whose credentials its first packet carries (see `tcp`). There is no built-in TURN
//! server: one (e.g. coturn) is announced to browsers as `iceServers` from
//! [`SfuConfig::ice_servers`], and relayed traffic reaches the SFU like any other UDP.

mod engine;
pub mod lastn;
mod peer;
mod tcp;

use std::net::SocketAddr;

use serde::Serialize;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// What the operator configures for the media path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SfuConfig {
    /// Where the UDP socket binds (port 0: any free port).
    pub bind: SocketAddr,
    /// Where the TCP listener for ICE-TCP binds (port 0: any free port); `None`: no
    /// TCP fallback. Announced with the same public IP as UDP.
    pub tcp_bind: Option<SocketAddr>,
    /// The address announced to browsers as the host candidate; defaults to the bound
    /// address (an unspecified bind IP is announced as 127.0.0.1, so real networks must set
    /// it: behind 1:1 NAT it is the public IP and the same port).
    pub public_ip: Option<std::net::IpAddr>,
    /// STUN/TURN servers handed to browsers unchanged.
    pub ice_servers: Vec<IceServer>,
    /// Last-N: the most cameras one participant receives ([`lastn`]).
    pub last_n: usize,
}

/// The default of [`SfuConfig::last_n`]: a 3 × 3 grid.
pub const DEFAULT_LAST_N: usize = 9;

/// One entry of the browser's `RTCConfiguration.iceServers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// Which of a publisher's sources are forwarded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Allow {
    pub audio: bool,
    pub video: bool,
    pub screen: bool,
}

/// A publisher's sources, in the order of the m-lines of its offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Mic,
    Camera,
    Screen,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Mic, Source::Camera, Source::Screen];

    fn index(self) -> usize {
        self as usize
    }

    /// Whether `allow` lets this source through.
    pub fn allowed(self, allow: Allow) -> bool {
        match self {
            Source::Mic => allow.audio,
            Source::Camera => allow.video,
            Source::Screen => allow.screen,
        }
    }
}

/// Why the SFU refused a request.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SfuError {
    #[error("the offer is not valid SDP or not in the expected shape: {0}")]
    BadOffer(String),
    #[error("the media engine is not running")]
    Stopped,
}

/// Counters for tests and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SfuStats {
    pub peers: usize,
    /// Media frames (str0m's depacketized units) written to subscribers.
    pub forwarded: u64,
    /// Frames of sources the publisher may not send (consent, mute, no screen permission).
    pub dropped_not_allowed: u64,
    /// Camera frames not sent to a subscriber outside its Last-N choice.
    pub held_back: u64,
}

pub(crate) enum Cmd {
    Publish {
        conf: Uuid,
        user: Uuid,
        offer: String,
        allow: Allow,
        reply: oneshot::Sender<Result<String, SfuError>>,
    },
    Subscribe {
        conf: Uuid,
        user: Uuid,
        publisher: Uuid,
        offer: String,
        reply: oneshot::Sender<Result<String, SfuError>>,
    },
    SetAllow {
        conf: Uuid,
        user: Uuid,
        allow: Allow,
    },
    Leave {
        conf: Uuid,
        user: Uuid,
    },
    Pin {
        conf: Uuid,
        viewer: Uuid,
        publisher: Option<Uuid>,
    },
    End {
        conf: Uuid,
    },
    Stats {
        reply: oneshot::Sender<SfuStats>,
    },
}

/// A handle on the running media engine of this node (cheap to clone).
#[derive(Clone, Debug)]
pub struct Sfu {
    tx: mpsc::Sender<Cmd>,
    addr: SocketAddr,
    tcp_addr: Option<SocketAddr>,
    ice_servers: Vec<IceServer>,
}

impl Sfu {
    /// Binds the UDP socket (and the TCP listener, if configured) and starts the engine's
    /// tasks on the current tokio runtime.
    pub async fn start(config: SfuConfig) -> std::io::Result<Sfu> {
        str0m::crypto::from_feature_flags().install_process_default();
        let socket = tokio::net::UdpSocket::bind(config.bind).await?;
        let local = socket.local_addr()?;
        let public = |local: SocketAddr| {
            let ip = match config.public_ip {
                Some(ip) => ip,
                None if local.ip().is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
                None => local.ip(),
            };
            SocketAddr::new(ip, local.port())
        };
        let addr = public(local);
        let tcp = match config.tcp_bind {
            Some(bind) => {
                let listener = tokio::net::TcpListener::bind(bind).await?;
                let tcp_addr = public(listener.local_addr()?);
                let (events_tx, events) = mpsc::channel(4096);
                tokio::spawn(tcp::listen(listener, events_tx));
                Some(engine::TcpSide {
                    addr: tcp_addr,
                    events,
                })
            }
            None => None,
        };
        let tcp_addr = tcp.as_ref().map(|t| t.addr);
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(engine::run(socket, addr, tcp, config.last_n, rx));
        Ok(Sfu {
            tx,
            addr,
            tcp_addr,
            ice_servers: config.ice_servers,
        })
    }

    /// The address browsers send media to (recorded as the conference's host address).
    pub fn public_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The announced address of the ICE-TCP listener, if there is one.
    pub fn public_tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp_addr
    }

    pub fn ice_servers(&self) -> &[IceServer] {
        &self.ice_servers
    }

    async fn ask<T>(&self, cmd: Cmd, rx: oneshot::Receiver<T>) -> Result<T, SfuError> {
        self.tx.send(cmd).await.map_err(|_| SfuError::Stopped)?;
        rx.await.map_err(|_| SfuError::Stopped)
    }

    /// Accepts (or replaces) `user`'s publish connection; answers the SDP answer.
    pub async fn publish(
        &self,
        conf: Uuid,
        user: Uuid,
        offer: String,
        allow: Allow,
    ) -> Result<String, SfuError> {
        let (reply, rx) = oneshot::channel();
        let cmd = Cmd::Publish {
            conf,
            user,
            offer,
            allow,
            reply,
        };
        self.ask(cmd, rx).await?
    }

    /// Accepts (or replaces) `user`'s connection that receives `publisher`'s media.
    pub async fn subscribe(
        &self,
        conf: Uuid,
        user: Uuid,
        publisher: Uuid,
        offer: String,
    ) -> Result<String, SfuError> {
        let (reply, rx) = oneshot::channel();
        let cmd = Cmd::Subscribe {
            conf,
            user,
            publisher,
            offer,
            reply,
        };
        self.ask(cmd, rx).await?
    }

    /// Changes what of `user`'s media is forwarded (consent, mute, screen permission).
    pub async fn set_allow(&self, conf: Uuid, user: Uuid, allow: Allow) {
        let _ = self.tx.send(Cmd::SetAllow { conf, user, allow }).await;
    }

    /// `viewer` pins `publisher`'s camera into its Last-N choice (`None`: unpins).
    pub async fn pin(&self, conf: Uuid, viewer: Uuid, publisher: Option<Uuid>) {
        let cmd = Cmd::Pin {
            conf,
            viewer,
            publisher,
        };
        let _ = self.tx.send(cmd).await;
    }

    /// Drops every connection of `user` in `conf` (left or removed).
    pub async fn leave(&self, conf: Uuid, user: Uuid) {
        let _ = self.tx.send(Cmd::Leave { conf, user }).await;
    }

    /// Drops every connection of `conf` (ended for all).
    pub async fn end(&self, conf: Uuid) {
        let _ = self.tx.send(Cmd::End { conf }).await;
    }

    pub async fn stats(&self) -> Result<SfuStats, SfuError> {
        let (reply, rx) = oneshot::channel();
        self.ask(Cmd::Stats { reply }, rx).await
    }
}

/// Checks that an offer's m-lines are `audio, video, video` (publish and subscribe alike)
/// and returns their mids in that order.
pub(crate) fn mids_of(sdp: &str) -> Result<Vec<String>, SfuError> {
    let mut kinds = Vec::new();
    let mut mids = Vec::new();
    for line in sdp.lines() {
        if let Some(rest) = line.strip_prefix("m=") {
            kinds.push(rest.split(' ').next().unwrap_or_default().to_owned());
        } else if let Some(mid) = line.strip_prefix("a=mid:") {
            mids.push(mid.trim().to_owned());
        }
    }
    let shape = kinds.iter().map(String::as_str).collect::<Vec<_>>();
    if shape != ["audio", "video", "video"] || mids.len() != 3 {
        return Err(SfuError::BadOffer(format!(
            "expected m-lines audio, video, video with mids; got {shape:?}"
        )));
    }
    Ok(mids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_must_have_the_fixed_shape() {
        let good = "v=0\r\nm=audio 9 UDP\r\na=mid:0\r\nm=video 9 UDP\r\na=mid:1\r\nm=video 9\r\na=mid:2\r\n";
        assert_eq!(
            mids_of(good).ok(),
            Some(vec!["0".into(), "1".into(), "2".into()])
        );
        let bad = "v=0\r\nm=video 9 UDP\r\na=mid:0\r\n";
        assert!(matches!(mids_of(bad), Err(SfuError::BadOffer(_))));
        assert!(mids_of("").is_err());
    }

    #[test]
    fn sources_follow_their_allowance() {
        let only_audio = Allow {
            audio: true,
            ..Allow::default()
        };
        assert!(Source::Mic.allowed(only_audio));
        assert!(!Source::Camera.allowed(only_audio));
        assert!(!Source::Screen.allowed(only_audio));
    }
}
