//! Where SPF, DKIM and DMARC look their records up: the system resolver (production) or a
//! stub that knows only the records a test gave it. Both answer through mail-auth's cache
//! parameters, so the checks themselves are the same code either way.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dmarc::Dmarc;
use mail_auth::hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use mail_auth::hickory_resolver::proto::op::ResponseCode;
use mail_auth::hickory_resolver::system_conf::read_system_conf;
use mail_auth::spf::Spf;
use mail_auth::{
    DnsError, DnssecStatus, Error, MX, MessageAuthenticator, Parameters, RecordSet, ResolverCache,
    Txt,
};

/// Answers kept by the system resolver's cache at most; past that the cache starts over.
const CACHE_ENTRIES: usize = 10_000;

/// What a stub answers for a name it was not given: what "no such name" gives.
pub trait Absent {
    fn absent() -> Self;
}

impl Absent for Txt {
    fn absent() -> Self {
        Txt::Error(Error::Dns(DnsError::RecordNotFound(ResponseCode::NXDomain)))
    }
}

impl<T> Absent for RecordSet<T> {
    fn absent() -> Self {
        RecordSet {
            rrset: Arc::from(Vec::new()),
            dnssec_status: DnssecStatus::Indeterminate,
        }
    }
}

/// Answers by name until they expire. In a stub every name it lacks does not exist.
pub struct Answers<K, V> {
    map: Mutex<HashMap<K, (V, Instant)>>,
    stub: bool,
}

impl<K: Hash + Eq, V: Clone + Absent> Answers<K, V> {
    fn new(stub: bool) -> Self {
        Answers {
            map: Mutex::default(),
            stub,
        }
    }

    fn put(&self, key: K, value: V, until: Instant) {
        let Ok(mut m) = self.map.lock() else { return };
        if m.len() >= CACHE_ENTRIES {
            let now = Instant::now();
            m.retain(|_, (_, t)| *t > now);
            if m.len() >= CACHE_ENTRIES {
                m.clear();
            }
        }
        m.insert(key, (value, until));
    }
}

impl<K: Hash + Eq, V: Clone + Absent> ResolverCache<K, V> for Answers<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let m = self.map.lock().ok()?;
        match m.get(name) {
            Some((v, until)) if self.stub || *until > Instant::now() => Some(v.clone()),
            _ if self.stub => Some(V::absent()),
            _ => None,
        }
    }

    fn remove<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.lock().ok()?.remove(name).map(|(v, _)| v)
    }

    fn insert(&self, key: K, value: V, valid_until: Instant) {
        self.put(key, value, valid_until);
    }
}

type TxtAnswers = Answers<Box<str>, Txt>;
type MxAnswers = Answers<Box<str>, RecordSet<MX>>;
type V4Answers = Answers<Box<str>, RecordSet<Ipv4Addr>>;
type V6Answers = Answers<Box<str>, RecordSet<Ipv6Addr>>;
type PtrAnswers = Answers<IpAddr, RecordSet<Box<str>>>;

/// mail-auth's parameters with this resolver's answers.
pub type Params<'x, P> = Parameters<'x, P, TxtAnswers, MxAnswers, V4Answers, V6Answers, PtrAnswers>;

struct Inner {
    /// Time-out of one DNS query (not for a stub).
    query_timeout: Option<Duration>,
    /// Name servers to ask instead of the system's.
    servers: Vec<SocketAddr>,
    authenticator: OnceLock<Option<MessageAuthenticator>>,
    txt: TxtAnswers,
    mx: MxAnswers,
    ipv4: V4Answers,
    ipv6: V6Answers,
    ptr: PtrAnswers,
}

/// The resolver of the mail checks. Cheap to clone; clones share answers.
#[derive(Clone)]
pub struct Dns(Arc<Inner>);

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.query_timeout {
            Some(t) => write!(f, "Dns::System({t:?})"),
            None => f.write_str("Dns::Stub"),
        }
    }
}

impl Default for Dns {
    /// A stub without records: nothing is looked up anywhere (tests that do not care).
    fn default() -> Self {
        Dns::stub()
    }
}

fn fqdn(name: &str) -> Box<str> {
    let mut n = name.trim().trim_end_matches('.').to_ascii_lowercase();
    n.push('.');
    n.into_boxed_str()
}

/// Stub answers never expire.
fn forever() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

impl Dns {
    fn with(query_timeout: Option<Duration>, servers: Vec<SocketAddr>) -> Dns {
        let stub = query_timeout.is_none();
        Dns(Arc::new(Inner {
            query_timeout,
            servers,
            authenticator: OnceLock::new(),
            txt: Answers::new(stub),
            mx: Answers::new(stub),
            ipv4: Answers::new(stub),
            ipv6: Answers::new(stub),
            ptr: Answers::new(stub),
        }))
    }

    /// The system's resolver (`/etc/resolv.conf`), each query bounded by `query_timeout`
    /// and tried once, with a cache of parsed answers.
    pub fn system(query_timeout: Duration) -> Dns {
        Dns::with(Some(query_timeout), Vec::new())
    }

    /// The name servers at `servers` (UDP and TCP), each query bounded by `query_timeout`.
    pub fn servers(servers: Vec<SocketAddr>, query_timeout: Duration) -> Dns {
        Dns::with(Some(query_timeout), servers)
    }

    /// A resolver that knows only what it is given; every other name does not exist.
    pub fn stub() -> Dns {
        Dns::with(None, Vec::new())
    }

    /// Gives the stub a TXT record: a DMARC policy under `_dmarc.`, a DKIM key under
    /// `._domainkey.`, otherwise an SPF policy.
    pub fn add_txt(&self, name: &str, record: &str) -> Result<(), String> {
        let n = fqdn(name);
        let bytes = record.as_bytes();
        let txt: Txt = if n.starts_with("_dmarc.") {
            Dmarc::parse(bytes).into()
        } else if n.contains("._domainkey.") {
            DomainKey::parse(bytes).into()
        } else {
            Spf::parse(bytes).into()
        };
        if let Txt::Error(e) = &txt {
            return Err(format!("{name}: {e}"));
        }
        self.0.txt.put(n, txt, forever());
        Ok(())
    }

    pub fn add_ipv4(&self, name: &str, addrs: &[Ipv4Addr]) {
        self.0.ipv4.put(fqdn(name), set(addrs), forever());
    }

    pub fn add_ipv6(&self, name: &str, addrs: &[Ipv6Addr]) {
        self.0.ipv6.put(fqdn(name), set(addrs), forever());
    }

    /// MX records of `name`: (preference, host).
    pub fn add_mx(&self, name: &str, hosts: &[(u16, &str)]) {
        let mx: Vec<MX> = hosts
            .iter()
            .map(|(p, h)| MX {
                preference: *p,
                exchanges: vec![fqdn(h)].into_boxed_slice(),
            })
            .collect();
        self.0.mx.put(fqdn(name), set(&mx), forever());
    }

    pub fn add_ptr(&self, addr: IpAddr, names: &[&str]) {
        let names: Vec<Box<str>> = names.iter().map(|n| fqdn(n)).collect();
        self.0.ptr.put(addr, set(&names), forever());
    }

    /// The resolver mail-auth asks when the answers have nothing (never for a stub, whose
    /// answers are complete; it has no name server, so nothing could leave anyway). `None`
    /// when no resolver can be built: the checks then give temperror.
    pub fn authenticator(&self) -> Option<&MessageAuthenticator> {
        self.0
            .authenticator
            .get_or_init(|| {
                let none = || ResolverConfig::from_name_servers(Vec::new());
                let (config, mut opts) = match self.0.query_timeout {
                    Some(_) if !self.0.servers.is_empty() => (given(&self.0.servers), ResolverOpts::default()),
                    Some(_) => read_system_conf().unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "no DNS resolver configured: mail checks give temperror");
                        (none(), ResolverOpts::default())
                    }),
                    None => (none(), ResolverOpts::default()),
                };
                opts.timeout = self.0.query_timeout.unwrap_or(Duration::from_millis(1));
                opts.attempts = 1;
                MessageAuthenticator::new(config, opts)
                    .inspect_err(|e| tracing::warn!(error = %e, "DNS resolver unusable: mail checks give temperror"))
                    .ok()
            })
            .as_ref()
    }

    /// mail-auth's parameters for `p`, answered from this resolver's records.
    pub fn params<P>(&self, p: P) -> Params<'_, P> {
        Parameters::new(p)
            .with_txt_cache(&self.0.txt)
            .with_mx_cache(&self.0.mx)
            .with_ptr_cache(&self.0.ptr)
            .with_ipv4_cache(&self.0.ipv4)
            .with_ipv6_cache(&self.0.ipv6)
    }
}

/// A resolver configuration asking `servers`.
fn given(servers: &[SocketAddr]) -> ResolverConfig {
    let mut config = ResolverConfig::from_name_servers(Vec::new());
    for s in servers {
        let mut ns = NameServerConfig::udp_and_tcp(s.ip());
        for c in &mut ns.connections {
            c.port = s.port();
        }
        config.add_name_server(ns);
    }
    config
}

fn set<T: Clone>(items: &[T]) -> RecordSet<T> {
    RecordSet {
        rrset: Arc::from(items.to_vec()),
        dnssec_status: DnssecStatus::Indeterminate,
    }
}
