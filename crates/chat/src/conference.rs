//! Video conferences over the chat socket: the frames (`{"type":"conf","room":…,"op":{…}}`),
//! this node's media engine (the built-in SFU) and the in-process signal that a room's
//! conference changed.
//!
//! Configuration (environment, read once when the first conference needs the engine):
//! - `SCHULHOF_SFU_BIND`: UDP address of the media socket (default `0.0.0.0:0`).
//! - `SCHULHOF_SFU_TCP_BIND`: TCP address for ICE over TCP, the fallback where UDP is
//!   blocked (default: the UDP bind's IP, any free port; `off` turns it off; any other
//!   value is refused by [`check_settings`] and keeps the engine from starting).
//! - `SCHULHOF_SFU_PUBLIC_IP`: the address announced to browsers (default: the bound IP, or
//!   127.0.0.1 for an unspecified bind: fine on one machine, wrong on a network).
//! - `SCHULHOF_TURN_URLS` (comma-separated `turn:`/`stun:` URLs), `SCHULHOF_TURN_USERNAME`,
//!   `SCHULHOF_TURN_CREDENTIAL`: handed to browsers as `iceServers`.
//! - `SCHULHOF_NODE_ID`: this node's name (default `local`).
//! - `SCHULHOF_SFU_LAST_N`: the most cameras one participant receives (default 9; the
//!   latest pinned and speakers first, see `schulhof_sfu::lastn`).
//!
//! Several nodes: the media of one conference runs on the node that started it; the
//! database records that node and its media address. A socket on another node answers the
//! conference's frames with `conference_elsewhere` and the host node's name, so a load
//! balancer (or the client) can send the person to that node. Participant changes are
//! signalled in-process only; sockets on other nodes see them on their next `status`.

use std::sync::LazyLock;

use schulhof_sfu::{IceServer, Sfu, SfuConfig};
use schulhof_types::UserId;
use serde::Deserialize;
use tokio::sync::{OnceCell, broadcast};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use schulhof_domain::chat::RoomId;
use schulhof_domain::conference::AvConsent;
use schulhof_front::AppState;

use crate::{ChatError, actor_of};

/// One conference step of a client.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConfOp {
    /// The room's conference state (and whether the caller may start one).
    Status {},
    Start {},
    Join {},
    Leave {},
    /// The offer of the caller's publish connection (m-lines: microphone, camera, screen).
    Publish {
        sdp: String,
    },
    /// The offer of a connection receiving `publisher`'s media.
    Subscribe {
        publisher: UserId,
        sdp: String,
    },
    Hand {
        up: bool,
    },
    /// Switch the microphone on again after a moderator's mute.
    Unmute {},
    Mute {
        user: UserId,
    },
    Remove {
        user: UserId,
    },
    AllowShare {
        user: UserId,
        on: bool,
    },
    LowerHand {
        user: UserId,
    },
    /// Keep this participant's camera in view (Last-N); `null` unpins.
    Pin {
        publisher: Option<UserId>,
    },
    End {},
}

/// "The conference of this room changed": every socket following it refreshes.
#[derive(Clone, Copy, Debug)]
pub struct ConfSignal {
    pub instance: schulhof_types::InstanceId,
    pub room: RoomId,
}

static HUB: LazyLock<broadcast::Sender<ConfSignal>> = LazyLock::new(|| broadcast::channel(256).0);

pub(crate) fn subscribe() -> broadcast::Receiver<ConfSignal> {
    HUB.subscribe()
}

pub(crate) fn signal(s: ConfSignal) {
    let _ = HUB.send(s);
}

static ENGINE: OnceCell<Option<Sfu>> = OnceCell::const_new();

/// This node's media engine, started on first use; `None` if its socket cannot be bound.
pub async fn engine() -> Option<&'static Sfu> {
    ENGINE
        .get_or_init(|| async {
            let cfg = match config_from_env() {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!("conference media engine not started: {e}");
                    return None;
                }
            };
            match Sfu::start(cfg).await {
                Ok(s) => {
                    tracing::info!(addr = %s.public_addr(), "conference media engine started");
                    Some(s)
                }
                Err(e) => {
                    tracing::error!("conference media engine did not start: {e}");
                    None
                }
            }
        })
        .await
        .as_ref()
}

/// This node's name as recorded with the conferences it hosts.
pub fn node_id() -> String {
    std::env::var("SCHULHOF_NODE_ID").unwrap_or_else(|_| "local".into())
}

/// Checks the media engine's settings in the environment, for a start-up that refuses
/// bad ones with a clear message instead of a conference that quietly lacks a transport.
pub fn check_settings() -> Result<(), String> {
    config_from_env().map(|_| ())
}

fn config_from_env() -> Result<SfuConfig, String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let bind: std::net::SocketAddr = var("SCHULHOF_SFU_BIND")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| ([0, 0, 0, 0], 0).into());
    let tcp_bind = tcp_bind(var("SCHULHOF_SFU_TCP_BIND").as_deref(), bind)?;
    let public_ip = var("SCHULHOF_SFU_PUBLIC_IP").and_then(|v| v.parse().ok());
    let ice_servers = match var("SCHULHOF_TURN_URLS") {
        Some(urls) => vec![IceServer {
            urls: urls.split(',').map(|u| u.trim().to_owned()).collect(),
            username: var("SCHULHOF_TURN_USERNAME"),
            credential: var("SCHULHOF_TURN_CREDENTIAL"),
        }],
        None => Vec::new(),
    };
    let last_n = var("SCHULHOF_SFU_LAST_N")
        .and_then(|v| v.parse().ok())
        .unwrap_or(schulhof_sfu::DEFAULT_LAST_N);
    Ok(SfuConfig {
        bind,
        tcp_bind,
        public_ip,
        ice_servers,
        last_n,
    })
}

/// The ICE-over-TCP address from `SCHULHOF_SFU_TCP_BIND`: `off`, an address, or (unset)
/// the UDP bind's IP on any free port. Anything else is an error: a typo must not switch off
/// the fallback for networks that block UDP.
fn tcp_bind(
    value: Option<&str>,
    udp: std::net::SocketAddr,
) -> Result<Option<std::net::SocketAddr>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(Some(std::net::SocketAddr::new(udp.ip(), 0))),
        Some("off") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            format!("SCHULHOF_SFU_TCP_BIND={v:?} is not an address like 0.0.0.0:3478 (or `off`)")
        }),
    }
}

/// `GET`/`PUT /api/v1/admin/users/{login}/av-consent`: the consent on record, set by an
/// admin by hand (`{"audio": bool, "video": bool}`; both fields required).
pub(crate) async fn get_av_consent(
    State(s): State<AppState>,
    h: HeaderMap,
    Path(login): Path<String>,
) -> Result<Json<AvConsent>, ChatError> {
    let actor = actor_of(&s, &h).await?;
    Ok(Json(s.platform.av_consent(&actor, &login).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsentBody {
    audio: bool,
    video: bool,
}

pub(crate) async fn put_av_consent(
    State(s): State<AppState>,
    h: HeaderMap,
    Path(login): Path<String>,
    body: Result<Json<ConsentBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<AvConsent>, ChatError> {
    let actor = actor_of(&s, &h).await?;
    let Json(b) =
        body.map_err(|e| ChatError::new(StatusCode::BAD_REQUEST, "invalid_json", e.body_text()))?;
    let consent = AvConsent {
        audio: b.audio,
        video: b.video,
    };
    s.platform.set_av_consent(&actor, &login, consent).await?;
    Ok(Json(consent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_decode_and_refuse_strangers() {
        let op: ConfOp = serde_json::from_str(r#"{"kind":"hand","up":true}"#).expect("hand");
        assert_eq!(op, ConfOp::Hand { up: true });
        let op: ConfOp = serde_json::from_str(r#"{"kind":"start"}"#).expect("start");
        assert_eq!(op, ConfOp::Start {});
        for bad in [
            r#"{"kind":"start","x":1}"#,
            r#"{"kind":"publish"}"#,
            r#"{"kind":"mute","user":"nope"}"#,
            r#"{"kind":"nope"}"#,
        ] {
            assert!(serde_json::from_str::<ConfOp>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_tcp_bind_is_an_address_off_or_unset_and_nothing_else() {
        let udp: std::net::SocketAddr = "10.0.0.5:40000".parse().expect("addr");
        assert_eq!(
            tcp_bind(None, udp),
            Ok(Some("10.0.0.5:0".parse().expect("addr")))
        );
        assert_eq!(tcp_bind(Some(" off "), udp), Ok(None));
        assert_eq!(
            tcp_bind(Some("127.0.0.1:3478"), udp),
            Ok(Some("127.0.0.1:3478".parse().expect("addr")))
        );
        for bad in [
            "of",
            "3478",
            "127.0.0.1",
            "localhost:3478",
            "127.0.0.1:99999",
        ] {
            let e = tcp_bind(Some(bad), udp).expect_err(bad);
            assert!(
                e.contains("SCHULHOF_SFU_TCP_BIND") && e.contains(bad),
                "{e}"
            );
        }
    }
}
