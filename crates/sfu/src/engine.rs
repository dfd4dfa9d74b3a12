//! The engine's task: owns the UDP socket and every peer of this node, and drives str0m
//! (input → drain outputs until `Timeout`, after every single mutation).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use str0m::Input;
use str0m::net::{Protocol, Receive};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use crate::peer::{Peer, Propagate, Role};
use crate::{Cmd, SfuStats};

/// The longest the engine sleeps without looking at its peers.
const MAX_SLEEP: Duration = Duration::from_millis(100);

struct Engine {
    socket: UdpSocket,
    addr: SocketAddr,
    peers: Vec<Peer>,
    forwarded: u64,
    dropped_gone: u64,
}

pub(crate) async fn run(socket: UdpSocket, addr: SocketAddr, mut rx: mpsc::Receiver<Cmd>) {
    let mut e = Engine {
        socket,
        addr,
        peers: Vec::new(),
        forwarded: 0,
        dropped_gone: 0,
    };
    let mut buf = vec![0u8; 2000];
    loop {
        let wake = e.drain_all();
        let sleep = tokio::time::sleep_until(wake.into());
        tokio::select! {
            cmd = rx.recv() => match cmd {
                Some(cmd) => e.command(cmd),
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
    /// Drains every peer and hands what they produced to the others, until quiet.
    fn drain_all(&mut self) -> Instant {
        loop {
            let mut wake = Instant::now() + MAX_SLEEP;
            let mut out = Vec::new();
            for p in &mut self.peers {
                wake = wake.min(p.drain(&self.socket, &mut out));
            }
            self.peers.retain(|p| {
                if !p.alive() {
                    tracing::debug!(conf = %p.conf, user = %p.user, "sfu peer gone");
                }
                p.alive()
            });
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
                for p in &mut self.peers {
                    if p.conf == conf && p.role == Role::Subscribe(from) && p.forward(source, &data)
                    {
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
                    answer
                }));
            }
            Cmd::SetAllow { conf, user, allow } => self.set_allow(conf, user, allow),
            Cmd::Leave { conf, user } => {
                for p in &mut self.peers {
                    if p.conf == conf && (p.user == user || p.role == Role::Subscribe(user)) {
                        p.close();
                    }
                }
            }
            Cmd::End { conf } => self
                .peers
                .iter_mut()
                .filter(|p| p.conf == conf)
                .for_each(Peer::close),
            Cmd::Stats { reply } => {
                let _ = reply.send(SfuStats {
                    peers: self.peers.len(),
                    forwarded: self.forwarded,
                    dropped_not_allowed: self.peers.iter().map(|p| p.dropped).sum(),
                });
            }
        }
    }

    fn set_allow(&mut self, conf: uuid::Uuid, user: uuid::Uuid, allow: crate::Allow) {
        if let Some(p) = self.publisher(conf, user) {
            let before = p.allow;
            p.allow = allow;
            // A source that was just allowed starts with a keyframe for everyone.
            for s in crate::Source::ALL {
                if s.allowed(allow) && !s.allowed(before) {
                    p.request_keyframe(s);
                }
            }
        }
    }
}
