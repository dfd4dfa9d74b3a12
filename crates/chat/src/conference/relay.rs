//! Signalling relayed to the node hosting a conference's media (several nodes on one
//! PostgreSQL). A socket on another node hands publish, subscribe and pin to the host and
//! waits for its answer ([`ask`]); the leave of its person, a conference's end and "the
//! grants changed" go without an answer ([`tell`]). The host runs each request on its own
//! SFU with the same calls as a local socket ([`serve`]); the browser's media then flows to
//! the host's SFU directly (the answer carries the host's address and candidates).
//!
//! Trust: the asking node decided the rights as for a local step (joined, the grant from
//! the conference status) and sends the grant along with a publish; the host acts only on
//! a conference it hosts (live, recorded with its node name) and for a person the database
//! shows present there (leave and end: no longer present, no longer live). The transport
//! (the bodies in the database, ids over the event bus) is the domain's
//! (`schulhof_domain::conference::RelayAsk`).

use std::time::Duration;

use schulhof_domain::Platform;
use schulhof_domain::conference::{RelayAsk, RelayCall};
use schulhof_sfu::{Allow, SfuError};
use schulhof_types::InstanceId;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::{engine, node_id, running_engine};

/// How long a socket waits for the host node's answer.
pub const WAIT: Duration = Duration::from_secs(5);

/// Which of a publisher's sources the asking node grants (its rights decision).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Grant {
    audio: bool,
    video: bool,
    screen: bool,
}

impl From<Allow> for Grant {
    fn from(a: Allow) -> Grant {
        Grant {
            audio: a.audio,
            video: a.video,
            screen: a.screen,
        }
    }
}

impl From<Grant> for Allow {
    fn from(g: Grant) -> Allow {
        Allow {
            audio: g.audio,
            video: g.video,
            screen: g.screen,
        }
    }
}

/// A request for the host's SFU.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Request {
    Publish {
        sdp: String,
        allow: Grant,
    },
    Subscribe {
        publisher: Uuid,
        sdp: String,
    },
    Pin {
        publisher: Option<Uuid>,
    },
    /// The person's media goes (their socket left or closed, or they were put out).
    Leave,
    /// The conference ended: all its media goes.
    End,
    /// Someone's grant may have changed: the host reads them all again.
    Grants,
}

impl Request {
    fn wants_answer(&self) -> bool {
        matches!(
            self,
            Request::Publish { .. } | Request::Subscribe { .. } | Request::Pin { .. }
        )
    }
}

/// The host's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Reply {
    Answer { sdp: String },
    Done,
    Error { code: String, message: String },
}

/// Where a request goes: the host node and the conference, for one person.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub instance: InstanceId,
    pub conference: Uuid,
    pub user: Uuid,
    pub node: String,
}

impl Target {
    fn ask(&self, req: &Request) -> Option<RelayAsk> {
        Some(RelayAsk {
            instance: self.instance,
            conference: self.conference,
            user: self.user,
            node: self.node.clone(),
            body: serde_json::to_string(req).ok()?,
        })
    }
}

/// The error codes a host answers with (others read as unavailable).
fn code(c: &str) -> &'static str {
    match c {
        "conference_bad_offer" => "conference_bad_offer",
        "conference_not_joined" => "conference_not_joined",
        _ => "conference_unavailable",
    }
}

/// Hands `req` to the host node and waits for its answer (at most [`WAIT`]); a refusal as
/// the error code and message a local step would answer.
pub(crate) async fn ask(
    p: &Platform,
    to: &Target,
    req: Request,
) -> Result<Reply, (&'static str, String)> {
    let unavailable = |m: String| ("conference_unavailable", m);
    let ask = to
        .ask(&req)
        .ok_or_else(|| unavailable("The request could not be encoded.".into()))?;
    let node = &to.node;
    match p.conference_relay_ask(ask, Some(WAIT)).await {
        Ok(Some(a)) => match serde_json::from_str::<Reply>(&a) {
            Ok(Reply::Error { code: c, message }) => Err((code(&c), message)),
            Ok(r) => Ok(r),
            Err(_) => Err(unavailable(format!(
                "The media node {node} answered something unreadable."
            ))),
        },
        Ok(None) => {
            // Perhaps it died: once its host lease ran out this node takes the media over
            // (every page is told and publishes again); this request is lost either way.
            let moved = super::take_over(p, to.instance, to.conference, node).await;
            let then = if moved {
                " This node took the media over."
            } else {
                ""
            };
            Err(unavailable(format!(
                "The media node {node} of this conference did not answer within {} seconds.{then}",
                WAIT.as_secs()
            )))
        }
        Err(e) => Err(unavailable(format!(
            "The media node {node} could not be asked: {e}"
        ))),
    }
}

/// Hands `req` to the host node without waiting (leave, end, grants).
pub(crate) fn tell(p: &Platform, to: &Target, req: Request) {
    let (Some(ask), Ok(rt)) = (to.ask(&req), tokio::runtime::Handle::try_current()) else {
        return;
    };
    let p = p.clone();
    rt.spawn(async move {
        if let Err(e) = p.conference_relay_ask(ask, None).await {
            tracing::warn!("conference request for the media node not sent: {e}");
        }
    });
}

/// Serves the requests other nodes send this node, for the conferences it hosts: started
/// once per platform (by the first socket), never on SQLite.
pub(crate) fn serve(p: &Platform) {
    let (Some(mut rx), Ok(rt)) = (
        p.conference_relay_serve(),
        tokio::runtime::Handle::try_current(),
    ) else {
        return;
    };
    heartbeat(p, &rt);
    let p = p.clone();
    let me = node_id();
    rt.clone().spawn(async move {
        loop {
            match rx.recv().await {
                Ok((id, node)) if node == me => {
                    let p = p.clone();
                    rt.spawn(async move { handle(&p, id).await });
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
        }
    });
}

/// Renews this node's host lease on the conferences it hosts every third of the lease,
/// for as long as the process lives (started with the relay server, once).
fn heartbeat(p: &Platform, rt: &tokio::runtime::Handle) {
    let p = p.clone();
    let me = node_id();
    rt.spawn(async move {
        loop {
            if let Err(e) = p.conference_host_renew(&me).await {
                tracing::warn!("conference host lease not renewed: {e}");
            }
            let every = schulhof_domain::conference::presence_lease() / 3;
            tokio::time::sleep(every.max(Duration::from_millis(300))).await;
        }
    });
}

async fn handle(p: &Platform, id: Uuid) {
    let node = node_id();
    let call = match p.conference_relay_take(id, &node).await {
        Ok(Some(c)) => c,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!("relayed conference request not read: {e}");
            return;
        }
    };
    let reply = match serde_json::from_str::<Request>(&call.body) {
        Ok(req) => {
            let wants = req.wants_answer();
            let r = run(p, &call, &node, req).await;
            wants.then_some(r)
        }
        Err(_) => Some(Reply::Error {
            code: "conference_unavailable".into(),
            message: "The relayed request is unreadable.".into(),
        }),
    };
    let body = reply.and_then(|r| serde_json::to_string(&r).ok());
    if let Err(e) = p.conference_relay_reply(id, body.as_deref()).await {
        tracing::warn!("relayed conference request not answered: {e}");
    }
}

fn error(code: &str, message: impl Into<String>) -> Reply {
    Reply::Error {
        code: code.into(),
        message: message.into(),
    }
}

impl From<SfuError> for Reply {
    fn from(e: SfuError) -> Reply {
        match e {
            SfuError::BadOffer(m) => error("conference_bad_offer", m),
            SfuError::Stopped => error("conference_unavailable", e.to_string()),
        }
    }
}

/// Runs one request on this node's SFU, as far as the database allows it.
async fn run(p: &Platform, call: &RelayCall, node: &str, req: Request) -> Reply {
    let (conf, user) = (call.conference, call.user);
    match req {
        // The media of someone no longer present goes; of a conference no longer live
        // (here or anywhere) all of it. Nothing for one who is (a newer join took over).
        Request::Leave => {
            if !call.present
                && let Some(sfu) = running_engine()
            {
                sfu.leave(conf, user).await;
            }
            return Reply::Done;
        }
        Request::End => {
            if !call.hosted
                && let Some(sfu) = running_engine()
            {
                sfu.end(conf).await;
            }
            return Reply::Done;
        }
        _ if !call.hosted => {
            return error(
                "conference_unavailable",
                format!("The node {node} does not host this conference."),
            );
        }
        Request::Grants => {
            match p.conference_hosted_grants(call.instance, conf, node).await {
                Ok(Some(grants)) => {
                    if let Some(sfu) = running_engine() {
                        for (who, g) in grants {
                            let allow = Allow {
                                audio: g.audio,
                                video: g.video,
                                screen: g.screen,
                            };
                            sfu.set_allow(conf, who, allow).await;
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::warn!("conference grants not applied: {e}"),
            }
            return Reply::Done;
        }
        _ if !call.present => {
            return error("conference_not_joined", "Join the conference first.");
        }
        _ => {}
    }
    let Some(sfu) = engine().await else {
        return error(
            "conference_unavailable",
            "The conference media engine is not running.",
        );
    };
    match req {
        Request::Publish { sdp, allow } => match sfu.publish(conf, user, sdp, allow.into()).await {
            Ok(sdp) => Reply::Answer { sdp },
            Err(e) => e.into(),
        },
        Request::Subscribe { publisher, sdp } => {
            match sfu.subscribe(conf, user, publisher, sdp).await {
                Ok(sdp) => Reply::Answer { sdp },
                Err(e) => e.into(),
            }
        }
        Request::Pin { publisher } => {
            sfu.pin(conf, user, publisher).await;
            Reply::Done
        }
        Request::Leave | Request::End | Request::Grants => Reply::Done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_round_trip() {
        let g = Grant {
            audio: true,
            video: false,
            screen: true,
        };
        for r in [
            Request::Publish {
                sdp: "v=0".into(),
                allow: g,
            },
            Request::Subscribe {
                publisher: Uuid::nil(),
                sdp: "v=0".into(),
            },
            Request::Pin { publisher: None },
            Request::Leave,
            Request::End,
            Request::Grants,
        ] {
            let s = serde_json::to_string(&r).expect("encode");
            assert_eq!(serde_json::from_str::<Request>(&s).expect("decode"), r);
        }
        let e = serde_json::to_string(&error("conference_bad_offer", "x")).expect("encode");
        let e: Reply = serde_json::from_str(&e).expect("decode");
        assert_eq!(e, error("conference_bad_offer", "x"));
        assert_eq!(code("conference_bad_offer"), "conference_bad_offer");
        assert_eq!(code("whatever"), "conference_unavailable");
    }
}
