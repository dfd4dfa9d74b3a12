//! Requests the server itself sends to a tool (back-channel logouts, fetching an LTI tool's
//! keys) go only to public addresses: a URI a school admin typed must not make the server
//! reach into its own network (loopback, private and link-local ranges, unique-local IPv6,
//! the cloud metadata address) — server-side request forgery. Checked twice: when the URI
//! is registered (literal addresses, and what the name resolves to then) and on every
//! request, by a resolver that drops internal addresses after DNS resolution, so a name
//! that later resolves elsewhere (DNS rebinding) still reaches nothing internal.
//!
//! Loopback is allowed only when the operator says so (`Config::tool_urls_on_loopback`,
//! `--tool-urls-on-loopback`): the test suites run their relying parties there.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// How long a name may take to resolve at registration.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_private()
        || ip.is_link_local() // 169.254/16, the metadata address 169.254.169.254 among them
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site local (deprecated)
        || s[0] == 0x2001 && s[1] == 0x0db8 // documentation
        || s[0] == 0x0064 && s[1] == 0xff9b // NAT64 can reach anything
}

/// Whether the server must not send a request to `ip`.
pub(crate) fn forbidden(ip: IpAddr, allow_loopback: bool) -> bool {
    let ip = match ip {
        // ::ffff:10.0.0.1 and the like are IPv4 addresses in disguise.
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    if ip.is_loopback() {
        return !allow_loopback;
    }
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

/// The host of a URI as an address, when it is one.
fn literal(host: &url::Host<&str>) -> Option<IpAddr> {
    match host {
        url::Host::Ipv4(a) => Some(IpAddr::V4(*a)),
        url::Host::Ipv6(a) => Some(IpAddr::V6(*a)),
        url::Host::Domain(_) => None,
    }
}

/// Names that mean this machine or its network whatever DNS says.
fn internal_name(name: &str) -> bool {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    n == "localhost"
        || n.ends_with(".localhost")
        || n.ends_with(".local")
        || n.ends_with(".internal")
        || n.ends_with(".home.arpa")
        || !n.contains('.')
}

/// Checks a URI the server will send requests to: refused when its host is an internal
/// address or name, or resolves to one now. A name that does not resolve (yet) passes:
/// every request checks again.
pub(crate) async fn check_uri(uri: &str, allow_loopback: bool) -> Result<(), String> {
    let u = url::Url::parse(uri).map_err(|e| e.to_string())?;
    let host = u.host().ok_or("needs a host")?;
    if let Some(ip) = literal(&host) {
        return if forbidden(ip, allow_loopback) {
            Err("points at an internal address".into())
        } else {
            Ok(())
        };
    }
    let name = u.host_str().unwrap_or_default().to_owned();
    if internal_name(&name) {
        return if allow_loopback && is_localhost(&name) {
            Ok(())
        } else {
            Err("points at an internal host name".into())
        };
    }
    let port = u.port_or_known_default().unwrap_or(443);
    let lookup = tokio::net::lookup_host((name.as_str(), port));
    if let Ok(Ok(addrs)) = tokio::time::timeout(RESOLVE_TIMEOUT, lookup).await {
        for a in addrs {
            if forbidden(a.ip(), allow_loopback) {
                return Err("resolves to an internal address".into());
            }
        }
    }
    Ok(())
}

fn is_localhost(name: &str) -> bool {
    name.trim_end_matches('.').eq_ignore_ascii_case("localhost")
}

/// Resolves names for outgoing requests, keeping only addresses that may be reached.
struct Resolver {
    allow_loopback: bool,
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_loopback;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            if internal_name(&host) && !(allow && is_localhost(&host)) {
                return Err(format!("{host}: internal host name refused").into());
            }
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !forbidden(a.ip(), allow))
                .collect();
            if found.is_empty() {
                return Err(format!("{host}: no public address").into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok::<Addrs, Box<dyn std::error::Error + Send + Sync>>(addrs)
        })
    }
}

/// An HTTP client for requests to tools: names resolved by the guard, redirects not
/// followed (a redirect could lead anywhere), `timeout` for the whole request.
pub(crate) fn client(allow_loopback: bool, timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(Resolver { allow_loopback }))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// The check before each request: a literal address in the URI never meets the resolver.
pub(crate) fn check_literal(uri: &str, allow_loopback: bool) -> Result<(), String> {
    let u = url::Url::parse(uri).map_err(|e| e.to_string())?;
    match u.host().as_ref().and_then(literal) {
        Some(ip) if forbidden(ip, allow_loopback) => {
            Err(format!("{uri}: internal address refused"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_forbidden() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(forbidden(a.parse().expect("address"), false), "{a}");
        }
        for a in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(!forbidden(a.parse().expect("address"), false), "{a}");
        }
        assert!(!forbidden("127.0.0.1".parse().expect("address"), true));
        assert!(!forbidden("::1".parse().expect("address"), true));
        assert!(forbidden("10.0.0.1".parse().expect("address"), true));
    }

    #[tokio::test]
    async fn uris_are_checked() {
        for u in [
            "http://127.0.0.1:8080/bcl",
            "https://10.0.0.5/x",
            "https://[fd12::1]/x",
            "https://169.254.169.254/latest/meta-data/",
            "https://localhost/x",
            "https://metadata.google.internal/x",
            "https://intranet/x",
        ] {
            assert!(check_uri(u, false).await.is_err(), "{u}");
        }
        assert!(check_uri("http://127.0.0.1:8080/bcl", true).await.is_ok());
        assert!(check_uri("http://localhost:8080/bcl", true).await.is_ok());
        assert!(check_uri("https://10.0.0.5/x", true).await.is_err());
        assert!(check_literal("http://[::ffff:192.168.0.1]/", true).is_err());
        assert!(check_literal("https://tool.example/", false).is_ok());
    }
}
