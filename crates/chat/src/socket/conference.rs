//! The conference steps of one socket. A child of the session module so it shares the
//! session (queue, actor, followed rooms); every decision is the domain's, the media is the
//! SFU's, and after every change the grants of all participants are handed to the SFU again
//! (so a moderator's mute or a withdrawn screen permission takes effect on the media path).

use schulhof_domain::DomainError;
use schulhof_domain::chat::RoomId;
use schulhof_domain::conference::{
    ConferenceStep, ConferenceView, ConsentChange, MediaHost, SelfStep,
};
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use schulhof_sfu::{Allow, Sfu, SfuError};
use serde_json::json;
use tokio::sync::broadcast;
use uuid::Uuid;

use super::{Session, Stop, error_frame};
use crate::conference::relay::{self, Reply as Relayed, Request, Target};
use crate::conference::{ConfOp, ConfSignal, engine, node_id, running_engine, signal};

/// The conference this socket takes part in; leaving the socket leaves the conference,
/// unless the person has joined again since (a reconnected page, another socket): then the
/// newer join keeps the place and the media. While it lives the socket renews its
/// presence's lease, so a node that dies leaves no one present for long.
#[derive(Default)]
pub(super) struct Conf {
    joined: Option<Joined>,
}

impl Conf {
    pub(super) fn is_joined(&self) -> bool {
        self.joined.is_some()
    }
}

struct Joined {
    room: RoomId,
    conf: Uuid,
    /// This socket's join, which its leave names.
    presence: Uuid,
    state: AppState,
    actor: Actor,
    /// The conference's media runs on this node (else: on `node`, which runs this
    /// socket's media requests on its behalf).
    media_here: bool,
    node: String,
}

impl Joined {
    /// The host node's address for this socket's relayed media requests.
    fn target(&self) -> Target {
        Target {
            instance: self.actor.token.instance(),
            conference: self.conf,
            user: self.actor.token.user().0,
            node: self.node.clone(),
        }
    }

    /// This person's media goes: here, or on the host node.
    async fn drop_media(&self) {
        if self.media_here {
            if let Some(sfu) = running_engine() {
                sfu.leave(self.conf, self.actor.token.user().0).await;
            }
        } else {
            relay::tell(&self.state.platform, &self.target(), Request::Leave);
        }
    }
}

impl Drop for Conf {
    fn drop(&mut self) {
        if let Some(j) = self.joined.take()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(async move {
                let left = j
                    .state
                    .platform
                    .conference_leave(&j.actor, j.room, j.presence)
                    .await;
                // Superseded by a newer join: that one keeps the place and the media.
                if matches!(left, Ok((_, false))) {
                    return;
                }
                j.drop_media().await;
                signal(
                    &j.state.platform,
                    ConfSignal {
                        instance: j.actor.token.instance(),
                        room: j.room,
                    },
                );
            });
        }
    }
}

/// What a step answers the client.
enum Reply {
    /// The room's conference state.
    State,
    Frame(serde_json::Value),
}

enum Fail {
    Domain(DomainError),
    Code(&'static str, String),
}

impl From<DomainError> for Fail {
    fn from(e: DomainError) -> Self {
        Fail::Domain(e)
    }
}

impl From<(&'static str, String)> for Fail {
    fn from((code, message): (&'static str, String)) -> Self {
        Fail::Code(code, message)
    }
}

impl From<SfuError> for Fail {
    fn from(e: SfuError) -> Self {
        match e {
            SfuError::BadOffer(m) => Fail::Code("conference_bad_offer", m),
            SfuError::Stopped => Fail::Code("conference_unavailable", e.to_string()),
        }
    }
}

fn allow(g: schulhof_authz::conference::MediaGrant) -> Allow {
    Allow {
        audio: g.audio,
        video: g.video,
        screen: g.screen,
    }
}

async fn sfu() -> Result<&'static Sfu, Fail> {
    engine().await.ok_or(Fail::Code(
        "conference_unavailable",
        "The conference media engine is not running.".into(),
    ))
}

/// The SDP of a relayed answer.
fn relayed_sdp(r: Relayed) -> Result<String, Fail> {
    match r {
        Relayed::Answer { sdp } => Ok(sdp),
        _ => Err(Fail::Code(
            "conference_unavailable",
            "The media node answered without SDP.".into(),
        )),
    }
}

fn here(view: &ConferenceView) -> bool {
    view.node == node_id()
}

impl Session {
    /// One conference frame; a refusal answers an error frame and keeps the socket.
    pub(super) async fn conference(&mut self, room: RoomId, op: ConfOp) -> Result<(), Stop> {
        match self.conf_step(room, op).await {
            Ok(Reply::State) => self.conf_state(room).await,
            Ok(Reply::Frame(f)) => self.push(f),
            Err(Fail::Domain(e)) => {
                let mut f = error_frame(&e, None, false);
                f["room"] = json!(room);
                f["conference"] = json!(true);
                self.push(f)
            }
            Err(Fail::Code(code, message)) => self.push(json!({
                "type": "error", "room": room, "conference": true, "code": code, "message": message
            })),
        }
    }

    fn joined_conf(&self, room: RoomId) -> Result<Uuid, Fail> {
        match &self.conf.joined {
            Some(j) if j.room == room => Ok(j.conf),
            _ => Err(Fail::Code(
                "conference_not_joined",
                "Join the conference first.".into(),
            )),
        }
    }

    /// The joined conference and, when its media runs on another node, where to send
    /// the media requests.
    fn media_conf(&self, room: RoomId) -> Result<(Uuid, Option<Target>), Fail> {
        let conf = self.joined_conf(room)?;
        let there = self
            .conf
            .joined
            .as_ref()
            .filter(|j| !j.media_here)
            .map(Joined::target);
        Ok((conf, there))
    }

    async fn conf_step(&mut self, room: RoomId, op: ConfOp) -> Result<Reply, Fail> {
        let p = self.state.platform.clone();
        let a = self.actor.clone();
        let me = a.token.user();
        match op {
            ConfOp::Status {} => return Ok(Reply::State),
            ConfOp::Start {} | ConfOp::Join {} => {
                let view = if matches!(op, ConfOp::Start {}) {
                    let host = MediaHost {
                        node: node_id(),
                        media_addr: sfu().await?.public_addr().to_string(),
                    };
                    p.conference_start(&a, room, &host).await?
                } else {
                    p.conference_join(&a, room).await?
                };
                // The presence is this socket's, wherever the media runs: it leaves when
                // the socket does, and its lease runs out if this node dies.
                self.conf.joined = Some(Joined {
                    room,
                    conf: view.id,
                    presence: view.presence,
                    state: self.state.clone(),
                    actor: a.clone(),
                    media_here: here(&view),
                    node: view.node.clone(),
                });
                self.take_over_dead_host().await;
            }
            ConfOp::Leave {} => {
                // This socket's own join; without one (never joined here), whichever.
                let mine = self.conf.joined.as_ref().filter(|j| j.room == room);
                let there = mine.filter(|j| !j.media_here).map(Joined::target);
                let (conf, left) = match mine.map(|j| j.presence) {
                    Some(presence) => p.conference_leave(&a, room, presence).await?,
                    None => (p.conference_self(&a, room, SelfStep::Leave).await?, true),
                };
                self.conf.joined = None;
                match there {
                    Some(to) if left => relay::tell(&p, &to, Request::Leave),
                    Some(_) => {}
                    None => {
                        if left && let Some(sfu) = running_engine() {
                            sfu.leave(conf, me.0).await;
                        }
                    }
                }
            }
            ConfOp::Publish { sdp } => {
                let (conf, there) = self.media_conf(room)?;
                let status = p.conference_status(&a, room).await?;
                let grant = status
                    .live
                    .as_ref()
                    .and_then(|v| v.mine())
                    .map(|m| m.grant)
                    .unwrap_or_default();
                let answer = match there {
                    // The grant decided here travels with the offer.
                    Some(to) => {
                        let allow = allow(grant).into();
                        relayed_sdp(relay::ask(&p, &to, Request::Publish { sdp, allow }).await?)?
                    }
                    None => sfu().await?.publish(conf, me.0, sdp, allow(grant)).await?,
                };
                let f = json!({ "type": "conf_answer", "room": room, "role": "publish", "sdp": answer });
                return Ok(Reply::Frame(f));
            }
            ConfOp::Subscribe { publisher, sdp } => {
                let (conf, there) = self.media_conf(room)?;
                let answer = match there {
                    Some(to) => {
                        let req = Request::Subscribe {
                            publisher: publisher.0,
                            sdp,
                        };
                        relayed_sdp(relay::ask(&p, &to, req).await?)?
                    }
                    None => sfu().await?.subscribe(conf, me.0, publisher.0, sdp).await?,
                };
                let f = json!({ "type": "conf_answer", "room": room, "role": "subscribe",
                    "publisher": publisher, "sdp": answer });
                return Ok(Reply::Frame(f));
            }
            ConfOp::Pin { publisher } => {
                // The viewer's own choice of what it receives: no right involved.
                let (conf, there) = self.media_conf(room)?;
                let publisher = publisher.map(|u| u.0);
                match there {
                    Some(to) => {
                        relay::ask(&p, &to, Request::Pin { publisher }).await?;
                    }
                    None => sfu().await?.pin(conf, me.0, publisher).await,
                }
                return Ok(Reply::State);
            }
            ConfOp::Hand { up } => {
                p.conference_self(&a, room, SelfStep::Hand(up)).await?;
            }
            ConfOp::Unmute {} => {
                p.conference_self(&a, room, SelfStep::Unmute).await?;
            }
            ConfOp::Mute { user } => self.moderate(room, user, ConferenceStep::Mute).await?,
            ConfOp::Remove { user } => {
                let conf = p
                    .conference_moderate(&a, room, user, ConferenceStep::Remove)
                    .await?;
                // Here if the media runs here; elsewhere the person's own socket drops
                // it when the signal shows them put out.
                if let Some(sfu) = running_engine() {
                    sfu.leave(conf, user.0).await;
                }
            }
            ConfOp::AllowShare { user, on } => {
                self.moderate(room, user, ConferenceStep::AllowShare(on))
                    .await?
            }
            ConfOp::LowerHand { user } => {
                self.moderate(room, user, ConferenceStep::LowerHand).await?
            }
            ConfOp::End {} => {
                let host = if p.conference_relays() {
                    let status = p.conference_status(&a, room).await?;
                    status.live.map(|v| v.node).filter(|n| *n != node_id())
                } else {
                    None
                };
                let conf = p.conference_end(&a, room).await?;
                self.conf.joined = None;
                match host {
                    Some(node) => {
                        let to = Target {
                            instance: a.token.instance(),
                            conference: conf,
                            user: me.0,
                            node,
                        };
                        relay::tell(&p, &to, Request::End);
                    }
                    None => {
                        if let Some(sfu) = running_engine() {
                            sfu.end(conf).await;
                        }
                    }
                }
            }
        }
        self.apply_grants(room).await?;
        signal(
            &p,
            ConfSignal {
                instance: a.token.instance(),
                room,
            },
        );
        Ok(Reply::State)
    }

    async fn moderate(
        &mut self,
        room: RoomId,
        user: schulhof_types::UserId,
        step: ConferenceStep,
    ) -> Result<(), Fail> {
        let p = self.state.platform.clone();
        p.conference_moderate(&self.actor, room, user, step).await?;
        Ok(())
    }

    /// Hands every participant's current grant to the SFU: here when the media runs here,
    /// else the host node reads them again.
    async fn apply_grants(&self, room: RoomId) -> Result<(), Fail> {
        let p = &self.state.platform;
        let status = p.conference_status(&self.actor, room).await?;
        let Some(view) = status.live else {
            return Ok(());
        };
        if view.node != node_id() {
            if p.conference_relays() {
                let to = Target {
                    instance: self.actor.token.instance(),
                    conference: view.id,
                    user: self.actor.token.user().0,
                    node: view.node.clone(),
                };
                relay::tell(p, &to, Request::Grants);
            }
            return Ok(());
        }
        let sfu = sfu().await?;
        for p in &view.participants {
            sfu.set_allow(view.id, p.user.0, allow(p.grant)).await;
        }
        Ok(())
    }

    /// Pushes the room's conference state; forgets a conference that ended or put the
    /// caller out.
    async fn conf_state(&mut self, room: RoomId) -> Result<(), Stop> {
        let status = match self
            .state
            .platform
            .conference_status(&self.actor, room)
            .await
        {
            Ok(s) => s,
            Err(e) => return self.push(error_frame(&e, None, false)),
        };
        let still_in = status
            .live
            .as_ref()
            .and_then(|v| v.mine())
            .is_some_and(|m| m.present);
        if self.conf.joined.as_ref().is_some_and(|j| j.room == room) && !still_in {
            // Ended, removed or run out: nothing to leave any more, but the media that
            // runs here for this socket goes (a moderator on another node removed them).
            if let Some(j) = self.conf.joined.take() {
                j.drop_media().await;
            }
        }
        let ice = engine()
            .await
            .map(|s| s.ice_servers().to_vec())
            .unwrap_or_default();
        // The media moved (a node took over from a dead host): requests go there now; what
        // ran here for this socket goes.
        if let (Some(j), Some(v)) = (
            self.conf.joined.as_mut().filter(|j| j.room == room),
            status.live.as_ref(),
        ) && j.node != v.node
        {
            let was_here = j.media_here;
            j.node = v.node.clone();
            j.media_here = here(v);
            if was_here
                && !j.media_here
                && let Some(sfu) = running_engine()
            {
                sfu.leave(j.conf, self.actor.token.user().0).await;
            }
        }
        let mine = self.conf.joined.as_ref().filter(|j| j.room == room);
        let joined = mine.is_some();
        let media_node = status.live.as_ref().map(|v| v.node.clone());
        let media_here = status.live.as_ref().is_some_and(here);
        self.push(json!({
            "type": "conf_state", "room": room, "status": status,
            "joined": joined, "ice_servers": ice,
            "media_node": media_node, "media_here": media_here,
        }))
    }

    /// The lease tick of a joined socket: renews its presence's lease (a presence that is
    /// over, put out or run out, shows the new state) and sweeps run-out presences of dead
    /// nodes now and then.
    pub(super) async fn on_lease_tick(&mut self) -> Result<(), Stop> {
        let Some((room, presence)) = self.conf.joined.as_ref().map(|j| (j.room, j.presence)) else {
            return Ok(());
        };
        let p = self.state.platform.clone();
        crate::conference::sweep(&p).await;
        match p.conference_renew(&self.actor, presence).await {
            Ok(true) => {
                self.take_over_dead_host().await;
                Ok(())
            }
            Ok(false) => {
                // The join is over; a newer join of the person elsewhere keeps the place.
                let j = self.conf.joined.take();
                let status = p.conference_status(&self.actor, room).await;
                let still_in = status
                    .ok()
                    .and_then(|s| s.live)
                    .is_some_and(|v| v.mine().is_some_and(|m| m.present));
                if let Some(j) = j
                    && !still_in
                {
                    j.drop_media().await;
                }
                self.conf_state(room).await
            }
            Err(e) => {
                // The database is away for a moment: the next tick tries again.
                tracing::warn!(room = %room.0, "conference lease not renewed: {e}");
                Ok(())
            }
        }
    }

    /// When the joined conference's media runs on another node whose host lease ran out
    /// (it died), this node takes it over (one node wins; all are told, and the state
    /// pushed on that signal moves this socket's requests).
    async fn take_over_dead_host(&mut self) {
        let Some(j) = self.conf.joined.as_mut().filter(|j| !j.media_here) else {
            return;
        };
        let instance = self.actor.token.instance();
        if crate::conference::take_over(&self.state.platform, instance, j.conf, &j.node).await {
            j.node = node_id();
            j.media_here = true;
        }
    }

    /// A conference changed (on any node): refresh it if this socket follows the room.
    pub(super) async fn on_conf_signal(
        &mut self,
        sig: Result<ConfSignal, broadcast::error::RecvError>,
    ) -> Result<(), Stop> {
        let Ok(sig) = sig else {
            return Ok(());
        };
        let follows = self.cursors.contains_key(&sig.room)
            || self
                .conf
                .joined
                .as_ref()
                .is_some_and(|j| j.room == sig.room);
        if sig.instance != self.actor.token.instance() || !follows {
            return Ok(());
        }
        self.conf_state(sig.room).await
    }

    /// The consent on record of this socket's person changed: while they take part in a
    /// conference, the SFU gets their new grant at once (a withdrawn consent drops the
    /// source on the media path) and everyone in the room sees the new state.
    pub(super) async fn on_consent_change(
        &mut self,
        change: Result<ConsentChange, broadcast::error::RecvError>,
    ) -> Result<(), Stop> {
        let Ok(change) = change else {
            return Ok(());
        };
        let me = &self.actor.token;
        if change.instance != me.instance() || change.user != me.user() {
            return Ok(());
        }
        let Some(room) = self.conf.joined.as_ref().map(|j| j.room) else {
            return Ok(());
        };
        if self.apply_grants(room).await.is_err() {
            tracing::warn!(room = %room.0, "consent change not applied to the conference");
        }
        signal(
            &self.state.platform,
            ConfSignal {
                instance: change.instance,
                room,
            },
        );
        Ok(())
    }
}
