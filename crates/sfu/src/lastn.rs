//! Last-N: a participant receives the cameras of at most N others, so a class of 30 with
//! every camera on costs 30 × N forwarded video streams, not 30 × 29. Who is chosen, per
//! viewer: whom the viewer pinned (the latest pin first), then whoever spoke last, then
//! whoever joined first (so the teacher who opened the conference stays in view of a quiet
//! class). Microphones and screens are never held back. A publisher that enters a
//! viewer's set is asked for a keyframe so its picture starts at once.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

/// What the choice looks at for one publisher, from one viewer's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub user: Uuid,
    /// When the viewer pinned them (a logical clock; later is larger).
    pub pinned: Option<u64>,
    /// When they last spoke.
    pub spoke: Option<u64>,
    pub joined: u64,
}

/// The at most `n` candidates whose camera the viewer receives, best first.
pub fn select(n: usize, candidates: &[Candidate]) -> Vec<Uuid> {
    let mut c = candidates.to_vec();
    // Larger pin and speech times first (None last); earlier joins first.
    c.sort_by(|a, b| {
        b.pinned
            .cmp(&a.pinned)
            .then(b.spoke.cmp(&a.spoke))
            .then(a.joined.cmp(&b.joined))
            .then(a.user.cmp(&b.user))
    });
    c.into_iter().take(n).map(|c| c.user).collect()
}

/// Whether an audio frame's header extensions say someone is speaking: the browser's
/// voice-activity bit, or a level above -50 dBov.
pub(crate) fn speaking(ext: &str0m::rtp::ExtensionValues) -> bool {
    ext.voice_activity == Some(true) || ext.audio_level.is_some_and(|l| l > -50)
}

#[derive(Clone, Copy, Debug)]
struct Publisher {
    joined: u64,
    spoke: Option<u64>,
}

/// The engine's Last-N state for all conferences of the node.
#[derive(Debug)]
pub(crate) struct Rank {
    n: usize,
    clock: u64,
    publishers: HashMap<Uuid, HashMap<Uuid, Publisher>>,
    /// (conference, viewer) → pinned publisher and when.
    pins: HashMap<(Uuid, Uuid), (Uuid, u64)>,
    /// (conference, viewer) → whose camera it receives.
    visible: HashMap<(Uuid, Uuid), HashSet<Uuid>>,
    /// Conferences whose choice may have changed since the last refresh.
    dirty: HashSet<Uuid>,
}

impl Rank {
    pub fn new(n: usize) -> Rank {
        Rank {
            n,
            clock: 0,
            publishers: HashMap::new(),
            pins: HashMap::new(),
            visible: HashMap::new(),
            dirty: HashSet::new(),
        }
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    pub fn is_dirty(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// A publisher (re)connected; a reload keeps its place.
    pub fn publish(&mut self, conf: Uuid, user: Uuid) {
        let t = self.tick();
        self.publishers
            .entry(conf)
            .or_default()
            .entry(user)
            .or_insert(Publisher {
                joined: t,
                spoke: None,
            });
        self.dirty.insert(conf);
    }

    pub fn spoke(&mut self, conf: Uuid, user: Uuid) {
        let t = self.tick();
        let Some(c) = self.publishers.get_mut(&conf) else {
            return;
        };
        let latest = c.values().filter_map(|p| p.spoke).max();
        let Some(p) = c.get_mut(&user) else {
            return;
        };
        // Only a change of who spoke last can change anybody's choice.
        let was_latest = p.spoke.is_some() && p.spoke == latest;
        p.spoke = Some(t);
        if !was_latest {
            self.dirty.insert(conf);
        }
    }

    /// The viewer pins `publisher` (or unpins with `None`).
    pub fn pin(&mut self, conf: Uuid, viewer: Uuid, publisher: Option<Uuid>) {
        match publisher {
            Some(p) => {
                let t = self.tick();
                self.pins.insert((conf, viewer), (p, t));
            }
            None => {
                self.pins.remove(&(conf, viewer));
            }
        }
        self.dirty.insert(conf);
    }

    /// Something about the conference's viewers changed (a new subscription).
    pub fn touch(&mut self, conf: Uuid) {
        self.dirty.insert(conf);
    }

    /// A publisher's connection ended without a leave.
    pub fn unpublish(&mut self, conf: Uuid, user: Uuid) {
        if let Some(c) = self.publishers.get_mut(&conf)
            && c.remove(&user).is_some()
        {
            self.dirty.insert(conf);
        }
    }

    pub fn leave(&mut self, conf: Uuid, user: Uuid) {
        if let Some(c) = self.publishers.get_mut(&conf) {
            c.remove(&user);
        }
        self.pins
            .retain(|(c, v), (p, _)| *c != conf || (*v != user && *p != user));
        self.visible.remove(&(conf, user));
        self.dirty.insert(conf);
    }

    pub fn end(&mut self, conf: Uuid) {
        self.publishers.remove(&conf);
        self.pins.retain(|(c, _), _| *c != conf);
        self.visible.retain(|(c, _), _| *c != conf);
        self.dirty.remove(&conf);
    }

    /// Whether `viewer` receives `publisher`'s camera.
    pub fn sees(&self, conf: Uuid, viewer: Uuid, publisher: Uuid) -> bool {
        self.visible
            .get(&(conf, viewer))
            .is_some_and(|s| s.contains(&publisher))
    }

    /// Chooses again for the viewers of the dirty conferences; answers the (conference,
    /// publisher) pairs that somebody newly receives (they owe a keyframe).
    pub fn refresh(&mut self, viewers: &HashSet<(Uuid, Uuid)>) -> Vec<(Uuid, Uuid)> {
        let dirty = std::mem::take(&mut self.dirty);
        let mut fresh = Vec::new();
        for &(conf, viewer) in viewers.iter().filter(|(c, _)| dirty.contains(c)) {
            let pin = self.pins.get(&(conf, viewer)).copied();
            let candidates: Vec<Candidate> = self
                .publishers
                .get(&conf)
                .into_iter()
                .flatten()
                .filter(|(u, _)| **u != viewer)
                .map(|(u, p)| Candidate {
                    user: *u,
                    pinned: pin.filter(|(x, _)| x == u).map(|(_, t)| t),
                    spoke: p.spoke,
                    joined: p.joined,
                })
                .collect();
            let now: HashSet<Uuid> = select(self.n, &candidates).into_iter().collect();
            let before = self.visible.insert((conf, viewer), now.clone());
            for p in now {
                if !before.as_ref().is_some_and(|b| b.contains(&p)) {
                    fresh.push((conf, p));
                }
            }
        }
        // Viewers that are gone keep no state.
        self.visible
            .retain(|k, _| !dirty.contains(&k.0) || viewers.contains(k));
        fresh.sort();
        fresh.dedup();
        fresh
    }
}

#[cfg(test)]
#[path = "lastn_tests.rs"]
mod tests;
