//! The engine's task: owns the UDP socket, the TCP connections and every peer of this node,
//! and drives str0m (input → drain outputs until `Timeout`, after every single mutation).

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use str0m::Input;
use str0m::net::{Protocol, Receive};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use crate::lastn::{Rank, speaking};
use crate::peer::{Peer, Propagate, Role, Wire};
use crate::tcp::{TcpConn, TcpEvent};
use crate::{Cmd, SfuStats, Source};

/// The longest the engine sleeps without looking at its peers.
const MAX_SLEEP: Duration = Duration::from_millis(100);
/// Last-N chooses again after speech at most this often (joins, leaves and pins at once).
const RANK_GAP: Duration = Duration::from_millis(200);

struct Engine {
    socket: UdpSocket,
    addr: SocketAddr,
    /// The announced address of the TCP listener, if ICE-TCP is on.
    tcp_addr: Option<SocketAddr>,
    /// Open TCP connections by remote address.
    tcp: HashMap<SocketAddr, TcpConn>,
    peers: Vec<Peer>,
    next_peer: u64,
    forwarded: u64,
    dropped_gone: u64,
    held_back: u64,
    rank: Rank,
    ranked: Instant,
}

/// The TCP side of the engine: the announced address and the connections' events.
pub(crate) struct TcpSide {
    pub addr: SocketAddr,
    pub events: mpsc::Receiver<TcpEvent>,
}

pub(crate) async fn run(
    socket: UdpSocket,
    addr: SocketAddr,
    tcp: Option<TcpSide>,
    last_n: usize,
    mut rx: mpsc::Receiver<Cmd>,
) {
    let (tcp_addr, mut tcp_events) = match tcp {
        Some(t) => (Some(t.addr), Some(t.events)),
        None => (None, None),
    };
    let mut e = Engine {
        socket,
        addr,
        tcp_addr,
        tcp: HashMap::new(),
        peers: Vec::new(),
        next_peer: 0,
        forwarded: 0,
        dropped_gone: 0,
        held_back: 0,
        rank: Rank::new(last_n),
        ranked: Instant::now(),
    };
    let mut buf = vec![0u8; 2000];
    loop {
        let wake = e.drain_all();
        let sleep = tokio::time::sleep_until(wake.into());
        tokio::select! {
            cmd = rx.recv() => match cmd {
                Some(cmd) => {
                    e.command(cmd);
                    e.rerank();
                }
                None => return,
            },
            r = e.socket.recv_from(&mut buf) => {
                if let Ok((n, source)) = r {
                    e.receive(&buf[..n], source);
                }
            }
            Some(ev) = next_tcp(&mut tcp_events) => e.on_tcp(ev),
            _ = sleep => {}
        }
        let now = Instant::now();
        for p in &mut e.peers {
            p.input(Input::Timeout(now));
        }
    }
}

/// The next TCP event; never, without ICE-TCP.
async fn next_tcp(events: &mut Option<mpsc::Receiver<TcpEvent>>) -> Option<TcpEvent> {
    match events {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

impl Engine {
    /// Last-N chooses again for the conferences where something changed; whoever newly
    /// receives a camera gets a keyframe of it.
    fn rerank(&mut self) {
        if !self.rank.is_dirty() {
            return;
        }
        self.ranked = Instant::now();
        let viewers: HashSet<(uuid::Uuid, uuid::Uuid)> = self
            .peers
            .iter()
            .filter(|p| matches!(p.role, Role::Subscribe(_)) && p.alive())
            .map(|p| (p.conf, p.user))
            .collect();
        for (conf, publisher) in self.rank.refresh(&viewers) {
            if let Some(p) = self.publisher(conf, publisher) {
                p.request_keyframe(Source::Camera);
            }
        }
    }

    /// Drains every peer and hands what they produced to the others, until quiet.
    fn drain_all(&mut self) -> Instant {
        if self.ranked.elapsed() >= RANK_GAP {
            self.rerank();
        }
        loop {
            let mut wake = Instant::now() + MAX_SLEEP;
            let mut out = Vec::new();
            let wire = Wire {
                udp: &self.socket,
                tcp: &self.tcp,
            };
            for p in &mut self.peers {
                wake = wake.min(p.drain(&wire, &mut out));
            }
            let mut gone = Vec::new();
            let mut gone_ids = HashSet::new();
            self.peers.retain(|p| {
                if !p.alive() {
                    tracing::debug!(conf = %p.conf, user = %p.user, "sfu peer gone");
                    gone_ids.insert(p.id);
                    if p.role == Role::Publish {
                        gone.push((p.conf, p.user));
                    }
                }
                p.alive()
            });
            // Dropping a gone peer's connections closes them.
            if !gone_ids.is_empty() {
                self.tcp
                    .retain(|_, c| c.peer.is_none_or(|id| !gone_ids.contains(&id)));
            }
            // A publisher whose browser went away leaves the choice (not one replaced
            // by its own reload).
            for (conf, user) in gone {
                if self.publisher(conf, user).is_none() {
                    self.rank.unpublish(conf, user);
                }
            }
            if out.is_empty() {
                return wake;
            }
            for o in out {
                self.propagate(o);
            }
        }
    }

    fn propagate(&mut self, o: Propagate) {
        match o {
            Propagate::Media {
                conf,
                from,
                source,
                data,
            } => {
                if source == Source::Mic && speaking(&data.ext_vals) {
                    self.rank.spoke(conf, from);
                }
                for p in &mut self.peers {
                    if p.conf != conf || p.role != Role::Subscribe(from) {
                        continue;
                    }
                    if source == Source::Camera && !self.rank.sees(conf, p.user, from) {
                        self.held_back += 1;
                        continue;
                    }
                    if p.forward(source, &data) {
                        self.forwarded += 1;
                    }
                }
            }
            Propagate::Keyframe {
                conf,
                publisher,
                source,
            } => {
                if let Some(p) = self.publisher(conf, publisher) {
                    p.request_keyframe(source);
                }
            }
        }
    }

    fn publisher(&mut self, conf: uuid::Uuid, user: uuid::Uuid) -> Option<&mut Peer> {
        self.peers
            .iter_mut()
            .find(|p| p.conf == conf && p.user == user && p.role == Role::Publish)
    }

    fn receive(&mut self, data: &[u8], source: SocketAddr) {
        let Ok(contents) = data.try_into() else {
            return;
        };
        let input = Input::Receive(
            Instant::now(),
            Receive {
                proto: Protocol::Udp,
                source,
                destination: self.addr,
                contents,
            },
        );
        match self.peers.iter_mut().find(|p| p.accepts(&input)) {
            Some(p) => p.input(input),
            None => self.dropped_gone += 1,
        }
    }

    /// A TCP connection's event. The first packet of a connection must belong to a peer
    /// (its STUN request carries that peer's ICE credentials); from then on the
    /// connection feeds only that peer. A connection nobody accepts is closed.
    fn on_tcp(&mut self, ev: TcpEvent) {
        let Some(tcp_addr) = self.tcp_addr else {
            return;
        };
        match ev {
            TcpEvent::Opened { id, remote, tx } => {
                self.tcp.insert(remote, TcpConn::new(id, tx));
            }
            TcpEvent::Closed { id, remote } => {
                if self.tcp.get(&remote).is_some_and(|c| c.id == id) {
                    self.tcp.remove(&remote);
                }
            }
            TcpEvent::Packet { remote, data } => {
                let Some(conn) = self.tcp.get_mut(&remote) else {
                    return;
                };
                let Ok(contents) = data.as_slice().try_into() else {
                    // Not even a packet: a stranger's connection is closed at once.
                    if conn.peer.is_none() {
                        self.tcp.remove(&remote);
                    }
                    return;
                };
                let input = Input::Receive(
                    Instant::now(),
                    Receive {
                        proto: Protocol::Tcp,
                        source: remote,
                        destination: tcp_addr,
                        contents,
                    },
                );
                let peer = match conn.peer {
                    Some(id) => self.peers.iter_mut().find(|p| p.id == id),
                    None => {
                        let p = self.peers.iter_mut().find(|p| p.accepts(&input));
                        conn.peer = p.as_ref().map(|p| p.id);
                        p
                    }
                };
                match peer {
                    Some(p) => p.input(input),
                    None => {
                        self.dropped_gone += 1;
                        self.tcp.remove(&remote);
                    }
                }
            }
        }
    }

    /// Adds a peer in place of the same user's earlier one of the same role (a reload).
    fn add(&mut self, mut peer: Peer) {
        self.next_peer += 1;
        peer.id = self.next_peer;
        for old in &mut self.peers {
            if old.conf == peer.conf && old.user == peer.user && old.role == peer.role {
                old.close();
            }
        }
        self.peers.push(peer);
    }

    fn command(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Publish {
                conf,
                user,
                offer,
                allow,
                reply,
            } => {
                let r = Peer::accept(conf, user, Role::Publish, allow, &offer, self.candidates());
                let _ = reply.send(r.map(|(p, answer)| {
                    self.add(p);
                    // Only a camera that may be forwarded takes a place in the choice.
                    if allow.video {
                        self.rank.publish(conf, user);
                    } else {
                        self.rank.unpublish(conf, user);
                    }
                    answer
                }));
            }
            Cmd::Subscribe {
                conf,
                user,
                publisher,
                offer,
                reply,
            } => {
                let role = Role::Subscribe(publisher);
                let r = Peer::accept(
                    conf,
                    user,
                    role,
                    Default::default(),
                    &offer,
                    self.candidates(),
                );
                let _ = reply.send(r.map(|(p, answer)| {
                    self.add(p);
                    // A new viewer (or a reload) is chosen for at once.
                    self.rank.touch(conf);
                    answer
                }));
            }
            Cmd::SetAllow { conf, user, allow } => self.set_allow(conf, user, allow),
            Cmd::Pin {
                conf,
                viewer,
                publisher,
            } => self.rank.pin(conf, viewer, publisher),
            Cmd::Leave { conf, user } => {
                self.rank.leave(conf, user);
                for p in &mut self.peers {
                    if p.conf == conf && (p.user == user || p.role == Role::Subscribe(user)) {
                        p.close();
                    }
                }
            }
            Cmd::End { conf } => {
                self.rank.end(conf);
                self.peers
                    .iter_mut()
                    .filter(|p| p.conf == conf)
                    .for_each(Peer::close);
            }
            Cmd::Stats { reply } => {
                let _ = reply.send(SfuStats {
                    peers: self.peers.len(),
                    forwarded: self.forwarded,
                    dropped_not_allowed: self.peers.iter().map(|p| p.dropped).sum(),
                    held_back: self.held_back,
                });
            }
        }
    }

    /// The addresses of this node's host candidates.
    fn candidates(&self) -> (SocketAddr, Option<SocketAddr>) {
        (self.addr, self.tcp_addr)
    }

    fn set_allow(&mut self, conf: uuid::Uuid, user: uuid::Uuid, allow: crate::Allow) {
        let Some(p) = self.publisher(conf, user) else {
            return;
        };
        let before = p.allow;
        p.allow = allow;
        // A source that was just allowed starts with a keyframe for everyone.
        for s in crate::Source::ALL {
            if s.allowed(allow) && !s.allowed(before) {
                p.request_keyframe(s);
            }
        }
        // A camera that may no longer be forwarded gives up its place in Last-N.
        if allow.video && !before.video {
            self.rank.publish(conf, user);
        } else if !allow.video && before.video {
            self.rank.unpublish(conf, user);
        }
    }
}
