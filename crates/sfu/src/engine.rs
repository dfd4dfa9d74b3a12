//! The engine's task: owns the UDP socket and every peer of this node, and drives str0m
//! (input → drain outputs until `Timeout`, after every single mutation).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use str0m::Input;
use str0m::net::{Protocol, Receive};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use crate::lastn::{Rank, speaking};
use crate::peer::{Peer, Propagate, Role};
use crate::{Cmd, SfuStats, Source};

/// The longest the engine sleeps without looking at its peers.
const MAX_SLEEP: Duration = Duration::from_millis(100);
/// Last-N chooses again after speech at most this often (joins, leaves and pins at once).
const RANK_GAP: Duration = Duration::from_millis(200);

struct Engine {
    socket: UdpSocket,
    addr: SocketAddr,
    peers: Vec<Peer>,
    forwarded: u64,
    dropped_gone: u64,
    held_back: u64,
    rank: Rank,
    ranked: Instant,
}

pub(crate) async fn run(
    socket: UdpSocket,
    addr: SocketAddr,
    last_n: usize,
    mut rx: mpsc::Receiver<Cmd>,
) {
    let mut e = Engine {
        socket,
        addr,
        peers: Vec::new(),
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
            _ = sleep => {}
        }
        let now = Instant::now();
        for p in &mut e.peers {
            p.input(Input::Timeout(now));
        }
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
            for p in &mut self.peers {
                wake = wake.min(p.drain(&self.socket, &mut out));
            }
            let mut gone = Vec::new();
            self.peers.retain(|p| {
                if !p.alive() {
                    tracing::debug!(conf = %p.conf, user = %p.user, "sfu peer gone");
                    if p.role == Role::Publish {
                        gone.push((p.conf, p.user));
                    }
                }
                p.alive()
            });
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

    /// Adds a peer in place of the same user's earlier one of the same role (a reload).
    fn add(&mut self, peer: Peer) {
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
                let r = Peer::accept(conf, user, Role::Publish, allow, &offer, self.addr);
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
                let r = Peer::accept(conf, user, role, Default::default(), &offer, self.addr);
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
