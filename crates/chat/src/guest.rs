//! `/api/v1/conference/guest/socket`: the socket of a guest invited by link (issue 16, the
//! parents' evening). Authenticated on upgrade with the guest's pass (the `schulhof_guest`
//! cookie the guest page set) and the Origin check; an unknown pass or a closed link is 404,
//! a guest not (yet) admitted 403. It speaks the members' conference frames
//! (`{"type":"conf","room":…,"op":{…}}`) but only for the link's room and only the steps of
//! a participant (status, join, leave, publish, subscribe, pin, unmute, raise a hand): no
//! chat, no history, no other room, no moderation, no screen. The pass is checked again
//! every few seconds and at once when any node signals that the room's guests changed, so
//! a revoked link or a moderator's "remove" closes the socket wherever it is connected.

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use schulhof_domain::DomainError;
use schulhof_domain::conference::{ConferenceSignal, ConferenceView, GuestAt, GuestState};
use schulhof_front::{AppState, GUEST_COOKIE};
use schulhof_sfu::{Allow, Sfu};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

use crate::ChatError;
use crate::conference::relay::{self, Reply as Relayed, Request, Target};
use crate::conference::{ConfOp, ConfSignal, engine, node_id, running_engine, signal};
use crate::frame::{ClientFrame, MAX_FRAME, decode};

const QUEUE: usize = 64;
const RATE: f64 = 10.0;
const BURST: f64 = 40.0;
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the pass is checked again (a revoked link closes the socket within this).
const TICK: Duration = Duration::from_secs(5);

pub(crate) async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !crate::socket::same_origin(&headers, state.trust_forwarded) {
        let e = ChatError::new(
            StatusCode::FORBIDDEN,
            "origin_refused",
            "Cross-origin socket refused.",
        );
        return e.into_response();
    }
    let jar = axum_extra::extract::CookieJar::from_headers(&headers);
    let Some(pass) = jar.get(GUEST_COOKIE).map(|c| c.value().to_owned()) else {
        return ChatError::from(DomainError::NotFound).into_response();
    };
    let at = match state.platform.conference_guest_at(&pass).await {
        Ok(at) if at.guest.state == GuestState::Admitted => at,
        Ok(_) => {
            let e = ChatError::new(
                StatusCode::FORBIDDEN,
                "guest_not_admitted",
                "Not admitted (yet).",
            );
            return e.into_response();
        }
        Err(e) => return ChatError::from(e).into_response(),
    };
    ws.max_message_size(MAX_FRAME * 4)
        .max_frame_size(MAX_FRAME * 4)
        .on_upgrade(move |socket| run(state, pass, at, socket))
}

/// The conference this guest takes part in; dropping it (the socket ends) leaves it,
/// unless the guest has joined again since (a reconnected page): then the newer join
/// keeps the place and the media.
struct Joined {
    conf: Uuid,
    presence: Uuid,
    /// The conference's media runs on this node (else on `node`, which runs this socket's
    /// media requests on its behalf): the presence is this socket's either way, its lease
    /// renewed while the socket lives.
    media_here: bool,
    node: String,
    state: AppState,
    pass: String,
    at: GuestAt,
}

impl Joined {
    /// The host node's address for this guest's relayed media requests.
    fn target(&self) -> Target {
        Target {
            instance: self.at.instance,
            conference: self.conf,
            user: self.at.guest.id,
            node: self.node.clone(),
        }
    }
}

impl Drop for Joined {
    fn drop(&mut self) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (conf, state, pass) = (self.conf, self.state.clone(), self.pass.clone());
        let (instance, room, me) = (self.at.instance, self.at.room, self.at.guest.id);
        let (presence, media_here) = (self.presence, self.media_here);
        let to = self.target();
        rt.spawn(async move {
            let left = state.platform.conference_guest_leave(&pass, presence).await;
            // Superseded by a newer join: that one keeps the place and the media.
            if matches!(left, Ok(false)) {
                return;
            }
            if !media_here {
                relay::tell(&state.platform, &to, Request::Leave);
            } else if let Some(sfu) = running_engine() {
                sfu.leave(conf, me).await;
            }
            signal(&state.platform, ConfSignal { instance, room });
        });
    }
}

struct Guest {
    state: AppState,
    pass: String,
    at: GuestAt,
    out: mpsc::Sender<Message>,
    joined: Option<Joined>,
    tokens: f64,
    refilled: Instant,
}

/// Why the socket ends: gone, or closed with a code and reason.
type Stop = Option<(u16, String)>;

async fn run(state: AppState, pass: String, at: GuestAt, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (out, mut rx) = mpsc::channel::<Message>(QUEUE);
    let writer = tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            let close = matches!(m, Message::Close(_));
            match tokio::time::timeout(SEND_TIMEOUT, sink.send(m)).await {
                Ok(Ok(())) if !close => {}
                _ => break,
            }
        }
        let _ = sink.close().await;
    });
    let mut g = Guest {
        state,
        pass,
        at,
        out,
        joined: None,
        tokens: BURST,
        refilled: Instant::now(),
    };
    // A revoked link or a removal on any node: the pass is checked again at once; a
    // change of the conference on any node: the guest sees it.
    let mut guests_rx = g.state.platform.conference_signals();
    let mut tick = tokio::time::interval(TICK);
    tick.tick().await;
    crate::conference::apply_lease();
    crate::conference::relay::serve(&g.state.platform);
    let every = (schulhof_domain::conference::presence_lease() / 3).max(Duration::from_millis(300));
    let mut lease_tick = tokio::time::interval(every);
    lease_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let stop = loop {
        let step = tokio::select! {
            frame = stream.next() => g.on_frame(frame).await,
            sig = guests_rx.recv() => match sig {
                Ok(ConferenceSignal::Room { instance, room }) => {
                    g.on_signal(Ok(ConfSignal { instance, room })).await
                }
                sig => g.on_guests_signal(sig).await,
            },
            _ = tick.tick() => g.recheck().await,
            _ = lease_tick.tick(), if g.joined.is_some() => g.on_lease_tick().await,
        };
        if let Err(stop) = step {
            break stop;
        }
    };
    if let Some((code, reason)) = stop {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        if g.out.try_send(Message::Close(Some(frame))).is_ok() {
            drop(g);
            let _ = tokio::time::timeout(SEND_TIMEOUT, writer).await;
            return;
        }
    }
    writer.abort();
}

fn allow(g: schulhof_authz::conference::MediaGrant) -> Allow {
    Allow {
        audio: g.audio,
        video: g.video,
        screen: g.screen,
    }
}

/// A refusal as the members' sockets answer it (the page shows it and carries on).
fn fail(room: impl serde::Serialize, code: &str, message: impl std::fmt::Display) -> Value {
    json!({ "type": "error", "room": room, "conference": true, "code": code,
        "message": message.to_string() })
}

async fn sfu() -> Result<&'static Sfu, Value> {
    engine().await.ok_or_else(|| {
        fail(
            (),
            "conference_unavailable",
            "The media engine is not running.",
        )
    })
}

impl Guest {
    fn push(&self, v: Value) -> Result<(), Stop> {
        self.out
            .try_send(Message::Text(v.to_string().into()))
            .map_err(|_| None)
    }

    fn allow_frame(&mut self) -> bool {
        let now = Instant::now();
        let earned = now.duration_since(self.refilled).as_secs_f64() * RATE;
        self.tokens = (self.tokens + earned).min(BURST);
        self.refilled = now;
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }

    async fn on_frame(&mut self, frame: Option<Result<Message, axum::Error>>) -> Result<(), Stop> {
        let text = match frame {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Err(None),
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Binary(_))) => {
                return Err(Some((1003, "binary frames are not accepted".into())));
            }
            Some(Ok(_)) => return Ok(()),
        };
        if !self.allow_frame() {
            return Err(Some((1008, "flood: too many frames".into())));
        }
        match decode(&text) {
            Ok(ClientFrame::Ping {}) => self.push(json!({ "type": "pong" })),
            Ok(ClientFrame::Conf { room, op }) if room == self.at.room => {
                match self.step(op).await {
                    Ok(Some(frame)) => self.push(frame),
                    Ok(None) => self.push_state().await,
                    Err(frame) => self.push(frame),
                }
            }
            // Chat, history and other rooms are not a guest's.
            Ok(_) => self.push(fail(
                self.at.room,
                "guest_forbidden",
                "A guest takes part in this conference only.",
            )),
            Err(e) => Err(Some((e.close_code(), e.reason()))),
        }
    }

    fn joined_conf(&self) -> Result<Uuid, Value> {
        self.joined.as_ref().map(|j| j.conf).ok_or_else(|| {
            fail(
                self.at.room,
                "conference_not_joined",
                "Join the conference first.",
            )
        })
    }

    /// The joined conference and, when its media runs on another node, where to send the
    /// media requests.
    fn media_conf(&self) -> Result<(Uuid, Option<Target>), Value> {
        let conf = self.joined_conf()?;
        let there = self
            .joined
            .as_ref()
            .filter(|j| !j.media_here)
            .map(Joined::target);
        Ok((conf, there))
    }

    /// Asks the host node; its SDP answer, or the refusal as an error frame.
    async fn relayed(&self, to: &Target, req: Request) -> Result<Option<String>, Value> {
        match relay::ask(&self.state.platform, to, req).await {
            Ok(Relayed::Answer { sdp }) => Ok(Some(sdp)),
            Ok(_) => Ok(None),
            Err((code, message)) => Err(fail(self.at.room, code, message)),
        }
    }

    /// A host whose lease ran out (it died): this node takes the media over.
    async fn take_over_dead_host(&mut self) {
        let p = self.state.platform.clone();
        if let Some(j) = self.joined.as_mut().filter(|j| !j.media_here)
            && crate::conference::take_over(&p, self.at.instance, j.conf, &j.node).await
        {
            j.node = node_id();
            j.media_here = true;
        }
    }

    /// Renews the lease of this socket's presence; a presence that is over shows the new
    /// state (and leaves nothing to leave). Sweeps run-out presences now and then.
    async fn on_lease_tick(&mut self) -> Result<(), Stop> {
        let Some(presence) = self.joined.as_ref().map(|j| j.presence) else {
            return Ok(());
        };
        let p = self.state.platform.clone();
        crate::conference::sweep(&p).await;
        match p.conference_guest_renew(&self.pass, presence).await {
            Ok(true) => {
                self.take_over_dead_host().await;
                Ok(())
            }
            Ok(false) => self.push_state().await,
            Err(e) => {
                tracing::warn!("guest presence lease not renewed: {e}");
                Ok(())
            }
        }
    }

    fn domain(&self, e: DomainError) -> Value {
        let i = schulhof_front::error_info(&e);
        fail(self.at.room, i.code, e)
    }

    /// One step; `Ok(None)` answers the conference's state, `Ok(Some(frame))` that frame.
    async fn step(&mut self, op: ConfOp) -> Result<Option<Value>, Value> {
        let p = self.state.platform.clone();
        let (room, me) = (self.at.room, self.at.guest.id);
        match op {
            ConfOp::Status {} => return Ok(None),
            ConfOp::Join {} => {
                let view = p
                    .conference_guest_join(&self.pass)
                    .await
                    .map_err(|e| self.domain(e))?;
                self.joined = Some(Joined {
                    conf: view.id,
                    presence: view.presence,
                    media_here: view.node == node_id(),
                    node: view.node.clone(),
                    state: self.state.clone(),
                    pass: self.pass.clone(),
                    at: self.at.clone(),
                });
                // A guest joining a conference whose host died takes it over at once, as a
                // member's join does (not only on the next lease tick).
                self.take_over_dead_host().await;
            }
            ConfOp::Leave {} => {
                // Dropping the guard leaves (database, media) and tells the others.
                self.joined = None;
                return Ok(Some(json!({ "type": "conf_left", "room": room })));
            }
            ConfOp::Publish { sdp } => {
                let (conf, there) = self.media_conf()?;
                let view = p
                    .conference_guest_status(&self.pass)
                    .await
                    .map_err(|e| self.domain(e))?;
                let grant = mine(&view).map(|m| m.grant).unwrap_or_default();
                let answer = match there {
                    Some(to) => {
                        let allow = allow(grant).into();
                        let req = Request::Publish { sdp, allow };
                        self.relayed(&to, req).await?.unwrap_or_default()
                    }
                    None => {
                        let answer = sfu().await?.publish(conf, me, sdp, allow(grant)).await;
                        answer.map_err(|e| fail(room, "conference_bad_offer", e))?
                    }
                };
                return Ok(Some(json!({ "type": "conf_answer", "room": room,
                    "role": "publish", "sdp": answer })));
            }
            ConfOp::Subscribe { publisher, sdp } => {
                let (conf, there) = self.media_conf()?;
                let answer = match there {
                    Some(to) => {
                        let req = Request::Subscribe {
                            publisher: publisher.0,
                            sdp,
                        };
                        self.relayed(&to, req).await?.unwrap_or_default()
                    }
                    None => {
                        let answer = sfu().await?.subscribe(conf, me, publisher.0, sdp).await;
                        answer.map_err(|e| fail(room, "conference_bad_offer", e))?
                    }
                };
                return Ok(Some(json!({ "type": "conf_answer", "room": room,
                    "role": "subscribe", "publisher": publisher, "sdp": answer })));
            }
            ConfOp::Pin { publisher } => {
                let (conf, there) = self.media_conf()?;
                let publisher = publisher.map(|u| u.0);
                match there {
                    Some(to) => {
                        self.relayed(&to, Request::Pin { publisher }).await?;
                    }
                    None => sfu().await?.pin(conf, me, publisher).await,
                }
                return Ok(None);
            }
            ConfOp::Hand { up } => {
                self.joined_conf()?;
                p.conference_guest_hand(&self.pass, up)
                    .await
                    .map_err(|e| self.domain(e))?;
            }
            ConfOp::Unmute {} => {
                let conf = self.joined_conf()?;
                p.conference_guest_unmute(&self.pass)
                    .await
                    .map_err(|e| self.domain(e))?;
                let grant = schulhof_authz::conference::guest_grant(false);
                match self.joined.as_ref() {
                    Some(j) if j.media_here => {
                        sfu().await?.set_allow(conf, me, allow(grant)).await;
                    }
                    // The host reads the grants again (a guest's own unmute).
                    Some(j) => relay::tell(&p, &j.target(), Request::Grants),
                    None => {}
                }
            }
            _ => {
                return Err(fail(room, "guest_forbidden", "Guests may not do this."));
            }
        }
        signal(
            &p,
            ConfSignal {
                instance: self.at.instance,
                room,
            },
        );
        Ok(None)
    }

    /// Pushes the conference as the guest sees it; a guest who may no longer take part
    /// is closed out, a conference that ended says so.
    async fn push_state(&mut self) -> Result<(), Stop> {
        let live = match self
            .state
            .platform
            .conference_guest_status(&self.pass)
            .await
        {
            Ok(v) => Some(v),
            Err(_) => {
                self.recheck().await?;
                None
            }
        };
        let present = live.as_ref().and_then(mine).is_some_and(|m| m.present);
        if !present {
            self.joined = None;
        }
        // The media moved to another node (a takeover): requests go there now.
        if let (Some(j), Some(v)) = (self.joined.as_mut(), live.as_ref())
            && j.node != v.node
        {
            let was_here = j.media_here;
            j.node = v.node.clone();
            j.media_here = v.node == node_id();
            if was_here
                && !j.media_here
                && let Some(sfu) = running_engine()
            {
                sfu.leave(j.conf, self.at.guest.id).await;
            }
        }
        let media_node = live.as_ref().map(|v| v.node.clone());
        let ice = match engine().await {
            Some(s) => s.ice_servers().to_vec(),
            None => Vec::new(),
        };
        self.push(json!({
            "type": "conf_state", "room": self.at.room,
            "status": { "may_start": false, "live": live },
            "joined": self.joined.is_some(), "ice_servers": ice, "guest": true,
            "media_node": media_node,
        }))
    }

    /// The periodic check: the pass, then a ping to the client.
    async fn recheck(&mut self) -> Result<(), Stop> {
        self.still_admitted().await?;
        self.out
            .try_send(Message::Ping(Vec::new().into()))
            .map_err(|_| None)
    }

    /// The link closed or a moderator put the guest out: the socket closes.
    async fn still_admitted(&mut self) -> Result<(), Stop> {
        match self.state.platform.conference_guest_at(&self.pass).await {
            Ok(at) if at.guest.state == GuestState::Admitted => Ok(()),
            Ok(_) => Err(Some((4403, "no longer admitted".into()))),
            Err(_) => Err(Some((4404, "the guest link is closed".into()))),
        }
    }

    async fn on_guests_signal(
        &mut self,
        sig: Result<ConferenceSignal, broadcast::error::RecvError>,
    ) -> Result<(), Stop> {
        match sig {
            Ok(ConferenceSignal::Guests { instance, room })
                if instance == self.at.instance && room == self.at.room =>
            {
                self.still_admitted().await
            }
            // Signals were lost: one of them may have been ours.
            Err(broadcast::error::RecvError::Lagged(_)) => self.still_admitted().await,
            _ => Ok(()),
        }
    }

    async fn on_signal(
        &mut self,
        sig: Result<ConfSignal, broadcast::error::RecvError>,
    ) -> Result<(), Stop> {
        match sig {
            Ok(s) if s.instance == self.at.instance && s.room == self.at.room => {
                self.push_state().await
            }
            _ => Ok(()),
        }
    }
}

fn mine(v: &ConferenceView) -> Option<&schulhof_domain::conference::ParticipantView> {
    v.mine()
}
