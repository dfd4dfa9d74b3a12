//! The media engine's settings, typed: from `serve`'s flags (`--sfu-…`, `--turn-…`,
//! `--node-id`) or their environment variables (`SCHULHOF_SFU_…`, `SCHULHOF_TURN_…`,
//! `SCHULHOF_NODE_ID`), which stay valid alone. A blank value is unset; any other value
//! that does not parse is an error naming the setting, so `serve` stops at start instead of
//! running conferences without video or without the TCP fallback.

use std::net::{IpAddr, SocketAddr};

use schulhof_sfu::{DEFAULT_LAST_N, IceServer, SfuConfig};

/// The most cameras one participant may be sent (Last-N); above, a typo more likely than
/// a wish (each stream costs the node and the browser).
pub const MAX_LAST_N: usize = 49;

/// The settings as given (flag or environment), not yet checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SfuValues {
    pub bind: Option<String>,
    pub tcp_bind: Option<String>,
    pub public_ip: Option<String>,
    pub turn_urls: Option<String>,
    pub turn_username: Option<String>,
    pub turn_credential: Option<String>,
    pub last_n: Option<String>,
    pub node_id: Option<String>,
}

/// The checked settings: the engine's configuration and this node's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SfuSettings {
    pub engine: SfuConfig,
    pub node_id: String,
}

/// A setting's flag and environment variable, for messages.
fn named(flag: &str, env: &str, v: &str, what: &str) -> String {
    format!("--{flag} ({env}): {v:?} is not {what}")
}

impl SfuValues {
    /// The values of the environment variables alone (tests, embedding without flags).
    pub fn from_env() -> SfuValues {
        let var = |k: &str| std::env::var(k).ok();
        SfuValues {
            bind: var("SCHULHOF_SFU_BIND"),
            tcp_bind: var("SCHULHOF_SFU_TCP_BIND"),
            public_ip: var("SCHULHOF_SFU_PUBLIC_IP"),
            turn_urls: var("SCHULHOF_TURN_URLS"),
            turn_username: var("SCHULHOF_TURN_USERNAME"),
            turn_credential: var("SCHULHOF_TURN_CREDENTIAL"),
            last_n: var("SCHULHOF_SFU_LAST_N"),
            node_id: var("SCHULHOF_NODE_ID"),
        }
    }

    /// Checks and types the values; the error names the first wrong setting.
    pub fn settings(&self) -> Result<SfuSettings, String> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let bind: SocketAddr = match given(&self.bind) {
            None => ([0, 0, 0, 0], 0).into(),
            Some(v) => v.parse().map_err(|_| {
                named(
                    "sfu-bind",
                    "SCHULHOF_SFU_BIND",
                    &v,
                    "an address like 0.0.0.0:40000",
                )
            })?,
        };
        let tcp_bind = tcp_bind(given(&self.tcp_bind).as_deref(), bind)?;
        let public_ip = match given(&self.public_ip) {
            None => None,
            Some(v) => Some(v.parse::<IpAddr>().map_err(|_| {
                let what = "an IP address like 203.0.113.7";
                named("sfu-public-ip", "SCHULHOF_SFU_PUBLIC_IP", &v, what)
            })?),
        };
        let ice_servers = match given(&self.turn_urls) {
            None => Vec::new(),
            Some(v) => {
                let urls: Vec<String> = v.split(',').map(|u| u.trim().to_owned()).collect();
                let scheme = |u: &str| {
                    ["turn:", "turns:", "stun:", "stuns:"]
                        .iter()
                        .any(|s| u.len() > s.len() && u.starts_with(s))
                };
                if let Some(bad) = urls.iter().find(|u| !scheme(u)) {
                    let what = "a list of turn:, turns: or stun: URLs";
                    return Err(named("turn-urls", "SCHULHOF_TURN_URLS", bad, what));
                }
                vec![IceServer {
                    urls,
                    username: given(&self.turn_username),
                    credential: given(&self.turn_credential),
                }]
            }
        };
        let last_n = match given(&self.last_n) {
            None => DEFAULT_LAST_N,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_LAST_N).contains(n))
                .ok_or_else(|| {
                    let what = format!("a number from 1 to {MAX_LAST_N}");
                    named("sfu-last-n", "SCHULHOF_SFU_LAST_N", &v, &what)
                })?,
        };
        let node_id = given(&self.node_id).unwrap_or_else(|| "local".into());
        Ok(SfuSettings {
            engine: SfuConfig {
                bind,
                tcp_bind,
                public_ip,
                ice_servers,
                last_n,
            },
            node_id,
        })
    }
}

/// The ICE-over-TCP address: `off`, an address, or (unset) the UDP bind's IP on any free
/// port. Anything else is an error: a typo must not switch off the fallback for networks
/// that block UDP.
pub(super) fn tcp_bind(value: Option<&str>, udp: SocketAddr) -> Result<Option<SocketAddr>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(Some(SocketAddr::new(udp.ip(), 0))),
        Some("off") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            let what = "an address like 0.0.0.0:3478 (or `off`)";
            named("sfu-tcp-bind", "SCHULHOF_SFU_TCP_BIND", v, what)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_and_blank_values_give_the_defaults() {
        let blank = SfuValues {
            bind: Some(" ".into()),
            last_n: Some(String::new()),
            ..SfuValues::default()
        };
        for v in [SfuValues::default(), blank] {
            let s = v.settings().expect("defaults");
            assert_eq!(s.engine.bind, "0.0.0.0:0".parse().expect("addr"));
            assert_eq!(s.engine.tcp_bind, Some("0.0.0.0:0".parse().expect("addr")));
            assert_eq!(
                (s.engine.public_ip, s.engine.last_n),
                (None, DEFAULT_LAST_N)
            );
            assert!(s.engine.ice_servers.is_empty());
            assert_eq!(s.node_id, "local");
        }
    }

    #[test]
    fn given_values_are_typed() {
        let v = SfuValues {
            bind: Some("10.0.0.5:40000".into()),
            tcp_bind: Some("off".into()),
            public_ip: Some("203.0.113.7".into()),
            turn_urls: Some("turn:turn.example.org:3478, stun:stun.example.org".into()),
            turn_username: Some("schulhof".into()),
            turn_credential: Some("geheim".into()),
            last_n: Some("4".into()),
            node_id: Some("node-b".into()),
        };
        let s = v.settings().expect("settings");
        assert_eq!(s.engine.bind, "10.0.0.5:40000".parse().expect("addr"));
        assert_eq!(s.engine.tcp_bind, None);
        assert_eq!(s.engine.public_ip, Some("203.0.113.7".parse().expect("ip")));
        assert_eq!(
            s.engine.ice_servers[0].urls,
            ["turn:turn.example.org:3478", "stun:stun.example.org"]
        );
        assert_eq!(
            s.engine.ice_servers[0].credential.as_deref(),
            Some("geheim")
        );
        assert_eq!((s.engine.last_n, s.node_id.as_str()), (4, "node-b"));
    }

    #[test]
    fn a_wrong_value_names_its_setting() {
        let cases: [(SfuValues, &str, &str); 6] = [
            (
                SfuValues {
                    bind: Some("0.0.0.0".into()),
                    ..Default::default()
                },
                "--sfu-bind (SCHULHOF_SFU_BIND)",
                "0.0.0.0",
            ),
            (
                SfuValues {
                    tcp_bind: Some("of".into()),
                    ..Default::default()
                },
                "--sfu-tcp-bind (SCHULHOF_SFU_TCP_BIND)",
                "of",
            ),
            (
                SfuValues {
                    public_ip: Some("example.org".into()),
                    ..Default::default()
                },
                "--sfu-public-ip (SCHULHOF_SFU_PUBLIC_IP)",
                "example.org",
            ),
            (
                SfuValues {
                    turn_urls: Some("turn:ok.example.org,http://x".into()),
                    ..Default::default()
                },
                "--turn-urls (SCHULHOF_TURN_URLS)",
                "http://x",
            ),
            (
                SfuValues {
                    last_n: Some("0".into()),
                    ..Default::default()
                },
                "--sfu-last-n (SCHULHOF_SFU_LAST_N)",
                "\"0\"",
            ),
            (
                SfuValues {
                    last_n: Some("neun".into()),
                    ..Default::default()
                },
                "--sfu-last-n (SCHULHOF_SFU_LAST_N)",
                "neun",
            ),
        ];
        for (v, setting, value) in cases {
            let e = v.settings().expect_err(setting);
            assert!(e.starts_with(setting) && e.contains(value), "{e}");
        }
    }
}
