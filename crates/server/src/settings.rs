//! Where the data lives and which database to use, from flags or `SCHULHOF_*` variables.

use std::path::{Path, PathBuf};

use clap::Args;

#[derive(Args, Clone, Debug)]
pub struct Storage {
    /// Directory for the embedded database and files.
    #[arg(
        long,
        env = "SCHULHOF_DATA",
        default_value = "./schulhof-data",
        global = true
    )]
    pub data: PathBuf,
    /// Database URL (`postgres://…` or `sqlite://…`); defaults to SQLite inside the data dir.
    #[arg(long, env = "SCHULHOF_DATABASE_URL", global = true)]
    pub database: Option<String>,
    /// Mail domain of the state: addresses are vorname.nachname@<schulnummer>.<domain>.
    #[arg(
        long,
        env = "SCHULHOF_STATE_DOMAIN",
        default_value = "nrw.schule",
        global = true
    )]
    pub state_domain: String,
    /// The key that seals each school's Safe key: 64 hex digits. Every node of an
    /// installation needs the same. Default: `safe-master.key` in the data directory,
    /// created on first start.
    #[arg(
        long,
        env = "SCHULHOF_SAFE_MASTER_KEY",
        global = true,
        hide_env_values = true
    )]
    pub safe_master_key: Option<String>,
    /// File contents in S3-compatible object storage (bucket name); default: `<data>/files`.
    #[arg(long, env = "SCHULHOF_S3_BUCKET", global = true)]
    pub s3_bucket: Option<String>,
    /// The object storage endpoint, e.g. `https://s3.example.org` (default: AWS).
    #[arg(long, env = "SCHULHOF_S3_ENDPOINT", global = true)]
    pub s3_endpoint: Option<String>,
    #[arg(
        long,
        env = "SCHULHOF_S3_REGION",
        global = true,
        default_value = "us-east-1"
    )]
    pub s3_region: String,
    #[arg(
        long,
        env = "SCHULHOF_S3_ACCESS_KEY",
        global = true,
        hide_env_values = true
    )]
    pub s3_access_key: Option<String>,
    #[arg(
        long,
        env = "SCHULHOF_S3_SECRET_KEY",
        global = true,
        hide_env_values = true
    )]
    pub s3_secret_key: Option<String>,
    /// Key prefix inside the bucket (e.g. `schulhof/`).
    #[arg(long, env = "SCHULHOF_S3_PREFIX", global = true, default_value = "")]
    pub s3_prefix: String,
    /// LibreOffice's `soffice` for PDF previews of office documents (default: `soffice` on
    /// the PATH, if installed; `none` turns them off).
    #[arg(long, env = "SCHULHOF_SOFFICE", global = true)]
    pub soffice: Option<String>,
    /// Let the server send requests to connected tools on loopback (back-channel logouts,
    /// LTI key sets): for tests and development only. Internal addresses stay refused.
    #[arg(long, env = "SCHULHOF_TOOL_URLS_ON_LOOPBACK", global = true)]
    pub tool_urls_on_loopback: bool,
    /// The event bus between nodes on NATS (`nats://host:4222`) instead of PostgreSQL
    /// NOTIFY, for large installations; every node needs the same. Ignored on SQLite.
    #[arg(long, env = "SCHULHOF_NATS_URL", global = true)]
    pub nats_url: Option<schulhof_store::events::NatsUrl>,
    #[command(flatten)]
    pub conference: ConferenceArgs,
}

impl Storage {
    /// The database URL, creating the data directory for the embedded database.
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data).map_err(|e| {
            anyhow::anyhow!("cannot create data directory {}: {e}", self.data.display())
        })?;
        Ok(format!(
            "sqlite://{}",
            absolute(&self.data.join("schulhof.db")).display()
        ))
    }
}

impl Storage {
    /// The Safe master key: given, or read from (or first written to) the data directory
    /// with mode 0600.
    pub fn safe_master_key(&self) -> anyhow::Result<[u8; 32]> {
        if let Some(hex) = &self.safe_master_key {
            return parse_key(hex.trim())
                .ok_or_else(|| anyhow::anyhow!("SCHULHOF_SAFE_MASTER_KEY must be 64 hex digits"));
        }
        let path = self.data.join("safe-master.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => parse_key(text.trim())
                .ok_or_else(|| anyhow::anyhow!("{} does not hold 64 hex digits", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&self.data)?;
                let mut key = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
                let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
                if let Err(e) = write_private(&path, &hex) {
                    // Another process (a second node, a command) made it first: use theirs.
                    if path.exists() {
                        return self.safe_master_key();
                    }
                    return Err(e);
                }
                tracing::info!(path = %path.display(), "created the Safe master key: back it up, without it the Safe cannot be opened");
                Ok(key)
            }
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }
}

impl Storage {
    /// The object storage settings, when a bucket is configured.
    pub fn object_store(&self) -> anyhow::Result<Option<schulhof_blob::S3Config>> {
        let Some(bucket) = &self.s3_bucket else {
            return Ok(None);
        };
        let need = |v: &Option<String>, name: &str| {
            v.clone()
                .ok_or_else(|| anyhow::anyhow!("{name} is needed with SCHULHOF_S3_BUCKET"))
        };
        Ok(Some(schulhof_blob::S3Config {
            endpoint: self.s3_endpoint.clone(),
            bucket: bucket.clone(),
            region: self.s3_region.clone(),
            access_key: need(&self.s3_access_key, "SCHULHOF_S3_ACCESS_KEY")?,
            secret_key: need(&self.s3_secret_key, "SCHULHOF_S3_SECRET_KEY")?,
            prefix: self.s3_prefix.clone(),
        }))
    }
}

fn parse_key(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Where conferences run: the built-in SFU, or a BigBlueButton or Jitsi the school or
/// state already operates (docs/conference-external.md).
#[derive(Args, Clone)]
pub struct ConferenceArgs {
    /// `builtin`, `bbb` (BigBlueButton) or `jitsi`.
    #[arg(
        long,
        env = "SCHULHOF_CONFERENCE_PROVIDER",
        default_value = "builtin",
        global = true
    )]
    pub conference_provider: String,
    /// BigBlueButton's URL as `bbb-conf --secret` prints it (`https://host/bigbluebutton/`).
    #[arg(long, env = "SCHULHOF_BBB_URL", global = true)]
    pub bbb_url: Option<String>,
    #[arg(
        long,
        env = "SCHULHOF_BBB_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub bbb_secret: Option<String>,
    /// Checksum hash: sha1 (default), sha256, sha384 or sha512.
    #[arg(long, env = "SCHULHOF_BBB_CHECKSUM", global = true)]
    pub bbb_checksum: Option<String>,
    /// Jitsi Meet's address, with the tenant if any (`https://meet.example.org/schule`).
    #[arg(long, env = "SCHULHOF_JITSI_URL", global = true)]
    pub jitsi_url: Option<String>,
    /// `app_id` of Jitsi's token authentication (the token's `iss` and `aud`).
    #[arg(long, env = "SCHULHOF_JITSI_APP_ID", global = true)]
    pub jitsi_app_id: Option<String>,
    #[arg(
        long,
        env = "SCHULHOF_JITSI_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub jitsi_secret: Option<String>,
    /// Lifetime of a Jitsi join token in seconds.
    #[arg(long, env = "SCHULHOF_JITSI_TOKEN_TTL", global = true)]
    pub jitsi_token_ttl: Option<u64>,
    /// The token's `sub` (default: the tenant, else the host of --jitsi-url).
    #[arg(long, env = "SCHULHOF_JITSI_SUB", global = true)]
    pub jitsi_sub: Option<String>,
}

impl ConferenceArgs {
    /// The checked provider; a provider without its URL or secret is an error naming the flag.
    pub fn provider(
        &self,
    ) -> anyhow::Result<schulhof_domain::conference_external::ConferenceProvider> {
        schulhof_domain::conference_external::ProviderSettings {
            provider: &self.conference_provider,
            bbb_url: self.bbb_url.as_deref(),
            bbb_secret: self.bbb_secret.as_deref(),
            bbb_checksum: self.bbb_checksum.as_deref(),
            jitsi_url: self.jitsi_url.as_deref(),
            jitsi_app_id: self.jitsi_app_id.as_deref(),
            jitsi_secret: self.jitsi_secret.as_deref(),
            jitsi_ttl_secs: self.jitsi_token_ttl,
            jitsi_sub: self.jitsi_sub.as_deref(),
        }
        .build()
        .map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// Secrets stay out of logs and panics.
impl std::fmt::Debug for ConferenceArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "***");
        f.debug_struct("ConferenceArgs")
            .field("conference_provider", &self.conference_provider)
            .field("bbb_url", &self.bbb_url)
            .field("bbb_secret", &hidden(&self.bbb_secret))
            .field("bbb_checksum", &self.bbb_checksum)
            .field("jitsi_url", &self.jitsi_url)
            .field("jitsi_app_id", &self.jitsi_app_id)
            .field("jitsi_secret", &hidden(&self.jitsi_secret))
            .field("jitsi_token_ttl", &self.jitsi_token_ttl)
            .field("jitsi_sub", &self.jitsi_sub)
            .finish()
    }
}

#[cfg(test)]
mod conference_tests {
    use super::ConferenceArgs;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        conference: ConferenceArgs,
    }

    fn provider(args: &[&str]) -> anyhow::Result<String> {
        let cli = Cli::try_parse_from(std::iter::once("schulhof").chain(args.iter().copied()))?;
        Ok(cli.conference.provider()?.name().to_string())
    }

    #[test]
    fn flags_choose_and_check_the_provider() {
        assert_eq!(provider(&[]).expect("default"), "builtin");
        let err = provider(&["--conference-provider", "bbb", "--bbb-secret", "0123456789"])
            .expect_err("no url");
        assert!(err.to_string().contains("--bbb-url"), "{err}");
        let args = [
            "--conference-provider=jitsi",
            "--jitsi-url=https://meet.example.org",
            "--jitsi-app-id=schulhof",
            "--jitsi-secret=0123456789abcdef",
        ];
        assert_eq!(provider(&args).expect("jitsi"), "jitsi");
        let cli = Cli::try_parse_from(std::iter::once("schulhof").chain(args)).expect("parse");
        assert!(!format!("{:?}", cli.conference).contains("0123456789abcdef"));
    }
}
