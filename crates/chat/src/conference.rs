//! Video conferences over the chat socket: the frames (`{"type":"conf","room":…,"op":{…}}`),
//! this node's media engine (the built-in SFU) and the in-process signal that a room's
//! conference changed.
//!
//! Configuration: `serve`'s flags or their environment variables, typed and checked at
//! start ([`settings`]):
//! - `--sfu-bind` / `SCHULHOF_SFU_BIND`: UDP address of the media socket (default
//!   `0.0.0.0:0`).
//! - `--sfu-tcp-bind` / `SCHULHOF_SFU_TCP_BIND`: TCP address for ICE over TCP, the fallback
//!   where UDP is blocked (default: the UDP bind's IP, any free port; `off` turns it off).
//! - `--sfu-public-ip` / `SCHULHOF_SFU_PUBLIC_IP`: the address announced to browsers
//!   (default: the bound IP, or 127.0.0.1 for an unspecified bind: fine on one machine,
//!   wrong on a network).
//! - `--turn-urls` / `SCHULHOF_TURN_URLS` (comma-separated `turn:`/`stun:` URLs),
//!   `--turn-username`, `--turn-credential` (`SCHULHOF_TURN_…`): handed to browsers as
//!   `iceServers`.
//! - `--node-id` / `SCHULHOF_NODE_ID`: this node's name (default `local`).
//! - `--sfu-last-n` / `SCHULHOF_SFU_LAST_N`: the most cameras one participant receives
//!   (default 9; the latest pinned and speakers first, see `schulhof_sfu::lastn`).
//!
//! Without [`configure`] (tests, embedding) the environment variables alone apply.
//!
//! - `SCHULHOF_CONFERENCE_LEASE_SECS`: how long a presence outlives its node (default 30;
//!   see below).
//!
//! Several nodes: the media of one conference runs on the node that started it; the
//! database records that node and its media address. A member may join through any node:
//! the presence belongs to the socket that joined and holds a lease in the database that
//! this socket renews every third of the lease. Closing the socket leaves at once; a node
//! that dies stops renewing and any node's sweep puts its people out once the lease ran out
//! (`schulhof_domain::conference::presence`). The media itself only runs on the host
//! (`conf_state` says `media_node`): a socket elsewhere relays its person's publish,
//! subscribe and pin to the host and answers the client the host's `conf_answer` (whose
//! SDP carries the host's address, so the browser's media flows to the host's SFU
//! directly); its leave, a conference's end and changed grants go there too (`relay`:
//! the bodies in the database, ids over the event bus). The node that holds the socket
//! decides the rights as for a local step; the host acts only for a conference it hosts
//! and a person the database shows present. A host that does not answer within
//! `relay::WAIT` (5 s) is reported as `conference_unavailable`. Every change of a conference
//! is signalled to all nodes over the platform's event bus.
//!
//! The host holds a lease on each conference it hosts (`host_until`, renewed every third
//! of the presence lease by the relay server's heartbeat). Once it ran out (the host died),
//! a node whose socket takes part in the conference takes the media over ([`take_over`]:
//! on the socket's lease tick, its join, or a relayed request that went unanswered), in
//! one conditional update of the row that one node wins; every node is told, `conf_state`
//! names the new `media_node`, and the pages publish and subscribe again there.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, OnceLock};
use std::time::{Duration, Instant};

use schulhof_sfu::Sfu;
use schulhof_types::UserId;
use serde::Deserialize;
use tokio::sync::OnceCell;

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

/// "The conference of this room changed": every socket following it refreshes, on every
/// node (over the platform's event bus).
#[derive(Clone, Copy, Debug)]
pub struct ConfSignal {
    pub instance: schulhof_types::InstanceId,
    pub room: RoomId,
}

pub(crate) fn signal(p: &schulhof_domain::Platform, s: ConfSignal) {
    p.conference_changed(s.instance, s.room);
}

/// The environment variable of the presence lease, in seconds.
pub const LEASE_ENV: &str = "SCHULHOF_CONFERENCE_LEASE_SECS";

/// The presence lease from `SCHULHOF_CONFERENCE_LEASE_SECS` (1 to 600 seconds; blank or
/// unset: the default of 30).
fn lease_setting() -> Result<Option<Duration>, String> {
    parse_lease(std::env::var(LEASE_ENV).ok().as_deref())
}

fn parse_lease(v: Option<&str>) -> Result<Option<Duration>, String> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    v.parse::<u64>()
        .ok()
        .filter(|n| (1..=600).contains(n))
        .map(|n| Some(Duration::from_secs(n)))
        .ok_or_else(|| format!("{LEASE_ENV}: {v:?} is not a number of seconds from 1 to 600"))
}

/// Applies the presence lease setting once per process (the first socket, or `serve`).
pub(crate) fn apply_lease() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        if let Ok(Some(d)) = lease_setting() {
            schulhof_domain::conference::set_presence_lease(d);
        }
    });
}

/// This node's media engine if it is already running (never starts it).
pub(crate) fn running_engine() -> Option<&'static Sfu> {
    ENGINE.get().and_then(Option::as_ref)
}

/// When this process last swept run-out presences (ms since its start).
static SWEPT_AT: AtomicU64 = AtomicU64::new(0);
static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Sweeps run-out presences (their node died) at most every half lease per process; the
/// media of those put out goes, here or on the node hosting it. Called from the lease ticks
/// of sockets.
pub(crate) async fn sweep(p: &schulhof_domain::Platform) {
    let lease = schulhof_domain::conference::presence_lease();
    let now = EPOCH.elapsed().as_millis() as u64 + 1;
    let last = SWEPT_AT.load(Ordering::Relaxed);
    if last != 0 && now.saturating_sub(last) < (lease.as_millis() as u64) / 2 {
        return;
    }
    if SWEPT_AT
        .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
        .is_err()
    {
        return;
    }
    match p.conference_sweep().await {
        Ok(swept) => {
            let me = node_id();
            for (instance, _, conf, who) in swept.iter() {
                match swept.nodes.get(conf) {
                    // Hosted elsewhere: that node drops the media of the one put out.
                    Some(node) if *node != me => {
                        let to = relay::Target {
                            instance: *instance,
                            conference: *conf,
                            user: *who,
                            node: node.clone(),
                        };
                        relay::tell(p, &to, relay::Request::Leave);
                    }
                    _ => {
                        if let Some(sfu) = running_engine() {
                            sfu.leave(*conf, *who).await;
                        }
                    }
                }
            }
        }
        Err(e) => tracing::warn!("conference presence sweep failed: {e}"),
    }
}

/// Takes over the media of the live conference `conf` from the node `dead` if the
/// database shows that node's host lease run out (it died): starts this node's engine and
/// records this node and its address, in one conditional update that one node wins; every
/// node is told. Whether this node won.
pub(crate) async fn take_over(
    p: &schulhof_domain::Platform,
    instance: schulhof_types::InstanceId,
    conf: uuid::Uuid,
    dead: &str,
) -> bool {
    let me = node_id();
    if dead == me {
        return false;
    }
    let Some(sfu) = engine().await else {
        return false;
    };
    let host = schulhof_domain::conference::MediaHost {
        node: me,
        media_addr: sfu.public_addr().to_string(),
    };
    match p.conference_take_over(instance, conf, dead, &host).await {
        Ok(won) => won,
        Err(e) => {
            tracing::warn!(conference = %conf, "conference media not taken over: {e}");
            false
        }
    }
}

pub(crate) mod relay;
pub mod settings;

pub use settings::{SfuSettings, SfuValues};

static ENGINE: OnceCell<Option<Sfu>> = OnceCell::const_new();
static SETTINGS: OnceLock<SfuSettings> = OnceLock::new();

/// Sets this node's media settings (`serve`, before the first conference); the first call
/// wins. Without it the environment variables apply.
pub fn configure(s: SfuSettings) {
    let _ = SETTINGS.set(s);
}

fn settings() -> Result<SfuSettings, String> {
    match SETTINGS.get() {
        Some(s) => Ok(s.clone()),
        None => SfuValues::from_env().settings(),
    }
}

/// This node's media engine, started on first use; `None` if its socket cannot be bound.
pub async fn engine() -> Option<&'static Sfu> {
    ENGINE
        .get_or_init(|| async {
            let cfg = match settings() {
                Ok(s) => s.engine,
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

/// Serves the media requests other nodes relay to this one for the conferences it hosts
/// (several nodes on PostgreSQL; nothing on SQLite). The first socket starts it too; a
/// second call does nothing.
pub fn serve_relay(p: &schulhof_domain::Platform) {
    relay::serve(p);
}

/// This node's name as recorded with the conferences it hosts.
pub fn node_id() -> String {
    match SETTINGS.get() {
        Some(s) => s.node_id.clone(),
        None => settings().map_or_else(|_| "local".into(), |s| s.node_id),
    }
}

/// Checks the media engine's settings (as configured, else the environment), for a
/// start-up that refuses bad ones with a clear message instead of a conference that
/// quietly lacks a transport.
pub fn check_settings() -> Result<(), String> {
    settings()?;
    lease_setting()?;
    apply_lease();
    Ok(())
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
    fn the_presence_lease_is_seconds_from_1_to_600_or_unset() {
        assert_eq!(parse_lease(None), Ok(None));
        assert_eq!(parse_lease(Some("  ")), Ok(None));
        assert_eq!(parse_lease(Some(" 5 ")), Ok(Some(Duration::from_secs(5))));
        assert_eq!(parse_lease(Some("600")), Ok(Some(Duration::from_secs(600))));
        for bad in ["0", "601", "-3", "5s", "1.5"] {
            let e = parse_lease(Some(bad)).expect_err(bad);
            assert!(e.contains(LEASE_ENV) && e.contains(bad), "{e}");
        }
    }

    #[test]
    fn the_tcp_bind_is_an_address_off_or_unset_and_nothing_else() {
        use super::settings::tcp_bind;
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
