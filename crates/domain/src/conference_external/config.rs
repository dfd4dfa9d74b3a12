//! Which conference system the operator chose, with its URL and shared secret. Built once
//! at start-up: a provider without its URL or secret refuses to start, so the conference
//! button never fails on a half-configured system in front of a class.

use std::time::Duration;

use url::Url;

use super::ExternalError;

/// A shared secret. Its `Debug` never shows the value, so settings can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The hash BigBlueButton checks the `checksum` with (`supportedChecksumAlgorithms` in
/// bbb-web). SHA-1 is the documented default; newer servers accept the others too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ChecksumAlg {
    #[default]
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl std::str::FromStr for ChecksumAlg {
    type Err = ExternalError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('-', "").as_str() {
            "sha1" => Ok(Self::Sha1),
            "sha256" => Ok(Self::Sha256),
            "sha384" => Ok(Self::Sha384),
            "sha512" => Ok(Self::Sha512),
            _ => Err(ExternalError::Config(format!(
                "unknown BigBlueButton checksum algorithm {s:?} (sha1, sha256, sha384, sha512)"
            ))),
        }
    }
}

/// A BigBlueButton server (or a Scalelite load balancer in front of several).
#[derive(Clone, Debug)]
pub struct BbbConfig {
    /// The API endpoint, ending in `/api/` (e.g. `https://bbb.example.org/bigbluebutton/api/`).
    pub api: Url,
    pub secret: Secret,
    pub checksum: ChecksumAlg,
    pub(super) http: reqwest::Client,
}

impl BbbConfig {
    /// `url` may be given with or without the trailing `api` (as `bbb-conf --secret`
    /// prints it: `https://host/bigbluebutton/`).
    pub fn new(url: &str, secret: &str, checksum: ChecksumAlg) -> Result<Self, ExternalError> {
        let mut api = parse_http_url("BigBlueButton URL", url)?;
        let path = api.path().trim_end_matches('/').to_string();
        let path = if path.ends_with("/api") {
            format!("{path}/")
        } else {
            format!("{path}/api/")
        };
        api.set_path(&path);
        let secret = non_empty_secret("BigBlueButton secret", secret)?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            // A redirect would repeat a signed call somewhere the operator did not name.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ExternalError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            api,
            secret,
            checksum,
            http,
        })
    }
}

/// A Jitsi Meet deployment with token authentication (`jitsi-meet-tokens`, HS256).
#[derive(Clone, Debug)]
pub struct JitsiConfig {
    /// The base address; with a tenant it ends in the tenant (`https://meet.example.org/schule`).
    pub url: Url,
    /// `app_id` of the Prosody token configuration: the token's `iss` and `aud`.
    pub app_id: String,
    pub secret: Secret,
    /// How long a join token is valid; a token only admits to one room.
    pub ttl: Duration,
    /// The `sub` claim: the tenant, or the domain for rooms without a tenant.
    pub sub: String,
}

impl JitsiConfig {
    /// `sub` defaults to the tenant (the URL's path) or else the URL's host, as the
    /// token documentation describes.
    pub fn new(
        url: &str,
        app_id: &str,
        secret: &str,
        ttl: Duration,
        sub: Option<&str>,
    ) -> Result<Self, ExternalError> {
        let mut url = parse_http_url("Jitsi URL", url)?;
        let path = url.path().trim_matches('/').to_string();
        if path.contains('/') {
            return Err(ExternalError::Config(
                "Jitsi URL: at most one path segment (the tenant) is allowed".into(),
            ));
        }
        url.set_path(&format!("/{path}"));
        let app_id = app_id.trim();
        if app_id.is_empty() {
            return Err(ExternalError::Config("Jitsi app id is missing".into()));
        }
        let secret = non_empty_secret("Jitsi secret", secret)?;
        if ttl < Duration::from_secs(60) || ttl > Duration::from_secs(24 * 3600) {
            return Err(ExternalError::Config(
                "Jitsi token lifetime must be between 1 minute and 24 hours".into(),
            ));
        }
        let default_sub = if path.is_empty() {
            url.host_str().unwrap_or_default().to_string()
        } else {
            path
        };
        let sub = sub.map(str::trim).filter(|s| !s.is_empty());
        Ok(Self {
            url,
            app_id: app_id.to_string(),
            secret,
            ttl,
            sub: sub.map_or(default_sub, str::to_string).to_lowercase(),
        })
    }
}

/// Where the conference button sends people.
#[derive(Clone, Debug, Default)]
pub enum ConferenceProvider {
    /// The platform's own SFU.
    #[default]
    Builtin,
    BigBlueButton(BbbConfig),
    Jitsi(JitsiConfig),
}

impl ConferenceProvider {
    /// True when meetings are handed to another system.
    pub fn is_external(&self) -> bool {
        !matches!(self, Self::Builtin)
    }

    /// The name operators use on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Builtin => "builtin",
            Self::BigBlueButton(_) => "bbb",
            Self::Jitsi(_) => "jitsi",
        }
    }
}

/// Raw operator settings, as flags or environment variables give them.
#[derive(Clone, Debug, Default)]
pub struct ProviderSettings<'a> {
    pub provider: &'a str,
    pub bbb_url: Option<&'a str>,
    pub bbb_secret: Option<&'a str>,
    pub bbb_checksum: Option<&'a str>,
    pub jitsi_url: Option<&'a str>,
    pub jitsi_app_id: Option<&'a str>,
    pub jitsi_secret: Option<&'a str>,
    pub jitsi_ttl_secs: Option<u64>,
    pub jitsi_sub: Option<&'a str>,
}

impl<'a> ProviderSettings<'a> {
    /// Checks the settings of the chosen provider; the error names the missing flag.
    pub fn build(&self) -> Result<ConferenceProvider, ExternalError> {
        let need = |v: Option<&'a str>, flag: &str| need(self.provider, v, flag);
        match self.provider.trim().to_ascii_lowercase().as_str() {
            "" | "builtin" => Ok(ConferenceProvider::Builtin),
            "bbb" | "bigbluebutton" => {
                let alg = match self.bbb_checksum {
                    Some(a) => a.parse()?,
                    None => ChecksumAlg::default(),
                };
                Ok(ConferenceProvider::BigBlueButton(BbbConfig::new(
                    need(self.bbb_url, "--bbb-url")?,
                    need(self.bbb_secret, "--bbb-secret")?,
                    alg,
                )?))
            }
            "jitsi" => Ok(ConferenceProvider::Jitsi(JitsiConfig::new(
                need(self.jitsi_url, "--jitsi-url")?,
                need(self.jitsi_app_id, "--jitsi-app-id")?,
                need(self.jitsi_secret, "--jitsi-secret")?,
                Duration::from_secs(self.jitsi_ttl_secs.unwrap_or(3600)),
                self.jitsi_sub,
            )?)),
            other => Err(ExternalError::Config(format!(
                "unknown conference provider {other:?} (builtin, bbb, jitsi)"
            ))),
        }
    }
}

fn need<'a>(provider: &str, v: Option<&'a str>, flag: &str) -> Result<&'a str, ExternalError> {
    v.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
        ExternalError::Config(format!("--conference-provider {provider} needs {flag}"))
    })
}

fn parse_http_url(what: &str, raw: &str) -> Result<Url, ExternalError> {
    let url = Url::parse(raw.trim())
        .map_err(|e| ExternalError::Config(format!("{what} {raw:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(ExternalError::Config(format!(
            "{what} must be an http(s) address with a host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(ExternalError::Config(format!(
            "{what} must not carry a query, fragment or user name"
        )));
    }
    Ok(url)
}

fn non_empty_secret(what: &str, raw: &str) -> Result<Secret, ExternalError> {
    let raw = raw.trim();
    if raw.len() < 8 {
        return Err(ExternalError::Config(format!(
            "{what} is missing or shorter than 8 characters"
        )));
    }
    Ok(Secret::new(raw))
}
