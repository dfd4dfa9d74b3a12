//! The domain services. Each use case runs in one transaction that also writes its audit
//! row. Front-ends parse, call one service, and map the result.

pub mod account;
pub mod admin;
pub mod app_passwords;
pub mod audit;
mod basic_auth;
pub mod calendar;
pub mod chat;
pub mod clock;
pub mod conference;
pub mod conference_external;
pub mod contacts;
pub mod dashboard;
pub mod deletion;
mod demo_files;
mod error;
pub mod files;
pub mod four_eyes;
mod hash_memory;
pub mod help;
pub mod homepage;
pub mod identity;
pub mod import;
pub mod lms;
pub mod lti;
pub mod mail;
mod mailaddr;
pub mod media;
pub mod news;
pub mod notify;
pub mod oidc;
pub mod operators;
pub mod password_reset;
mod passwords;
pub mod retention;
pub mod safe;
pub mod safe_docs;
mod safe_passwords;
pub mod school;
pub mod school_settings;
pub mod school_year;
mod throttle;

use std::collections::HashMap;
use std::sync::Arc;

pub use error::DomainError;
pub use passwords::{HashParams, PasswordHasher};
pub use schulhof_store::Db;

use clock::Clock;

/// Settings the services need; the server fills them from its configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Mail addresses are `vorname.nachname@<schulnummer>.<state_domain>`.
    pub state_domain: String,
    /// A session unused this long ends.
    pub session_idle: chrono::Duration,
    /// A session ends this long after login, however active.
    pub session_absolute: chrono::Duration,
    /// Argon2id parameters for new hashes.
    pub hash: HashParams,
    /// Logins waiting for a hashing slot before new ones are asked to come back later.
    pub max_login_queue: usize,
    /// Where file contents are stored; `None` makes a fresh temporary directory (tests).
    pub blob_dir: Option<std::path::PathBuf>,
    pub file_quotas: files::quota::FileQuotas,
    /// The Safe locks after this long without use (shorter than the session).
    pub safe_idle: chrono::Duration,
    /// Seals each school's Safe key; `None` makes a random one (tests). Every node of an
    /// installation needs the same.
    pub safe_master_key: Option<[u8; 32]>,
    /// Where this node keeps its search index; `None` keeps it in memory (tests).
    pub search_dir: Option<std::path::PathBuf>,
    /// File contents in S3-compatible object storage instead of `blob_dir`.
    pub object_store: Option<schulhof_blob::S3Config>,
    /// Where resumable uploads are staged until complete; `None` makes a fresh temporary
    /// directory (tests).
    pub upload_dir: Option<std::path::PathBuf>,
    /// LibreOffice's `soffice`, which makes PDF previews of office documents; `None`: no
    /// such previews.
    pub soffice: Option<std::path::PathBuf>,
    pub mail: mail::MailConfig,
    /// How outgoing mail leaves (relay or MX).
    pub outbound: mail::outbound::OutboundConfig,
    /// Where conferences run: built in, or handed to BigBlueButton or Jitsi.
    pub conference: conference_external::ConferenceProvider,
    /// Lets the server send requests to tools on loopback (back-channel logouts, LTI key
    /// sets): for tests and development only; internal addresses are refused otherwise.
    pub tool_urls_on_loopback: bool,
    /// The event bus between nodes: NATS at this address instead of PostgreSQL NOTIFY
    /// (large installations); ignored on SQLite, which has one node.
    pub nats: Option<schulhof_store::events::NatsUrl>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            state_domain: "nrw.schule".into(),
            session_idle: chrono::Duration::minutes(30),
            session_absolute: chrono::Duration::hours(12),
            hash: HashParams::default(),
            max_login_queue: 2048,
            blob_dir: None,
            file_quotas: Default::default(),
            safe_idle: chrono::Duration::minutes(10),
            safe_master_key: None,
            search_dir: None,
            object_store: None,
            upload_dir: None,
            soffice: None,
            mail: Default::default(),
            outbound: Default::default(),
            conference: Default::default(),
            tool_urls_on_loopback: false,
            nats: None,
        }
    }
}

/// The services of the platform, shared by every front-end. Cheap to clone.
#[derive(Clone)]
pub struct Platform {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: Arc<Config>,
    pub(crate) hasher: PasswordHasher,
    /// Imports running in the background on this node, for their progress pages.
    pub(crate) running: Arc<std::sync::Mutex<HashMap<uuid::Uuid, Arc<import::ImportProgress>>>>,
    pub(crate) blobs: schulhof_blob::Blobs,
    pub(crate) basic: basic_auth::BasicCache,
    pub(crate) safe_keys: safe::KeyRing,
    pub(crate) media_index: Arc<media::index::SearchIndex>,
    pub(crate) staging: Arc<files::Staging>,
    pub(crate) mail_bus: mail::bus::MailBus,
    pub(crate) chat_bus: chat::ChatBus,
    /// The carrier of live signals between nodes, shared by the services above.
    pub(crate) bus: schulhof_store::events::Bus,
    pub(crate) conference_hub: conference::ConferenceHub,
    /// Conference signalling relayed to the node hosting the media.
    pub(crate) relay_hub: conference::RelayHub,
    /// This node's rendered public start pages.
    pub(crate) homepage: homepage::HomepageCache,
    /// The rendered public feeds of this node (see `news::feed`).
    pub(crate) feeds: Arc<news::feed::FeedCache>,
    /// The OpenID provider's signing key and pairwise secrets as this node keeps them.
    pub(crate) oidc_cache: oidc::OidcCache,
}

impl Platform {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: Config) -> Self {
        let hasher = PasswordHasher::new(config.hash, config.max_login_queue);
        let config_master = config.safe_master_key;
        let blob_dir = config.blob_dir.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("schulhof-blobs-{}", uuid::Uuid::now_v7().simple()))
        });
        // Start-up fails loudly when the content directory cannot be made.
        #[allow(clippy::expect_used)]
        let blobs = match &config.object_store {
            Some(s3) => schulhof_blob::Blobs::S3(
                schulhof_blob::S3Blobs::new(s3.clone()).expect("object storage settings"),
            ),
            None => schulhof_blob::Blobs::Local(
                schulhof_blob::LocalBlobs::open_sync(&blob_dir).expect("content directory"),
            ),
        };
        // A damaged or unreadable index is only a cache: search from memory until it is fixed.
        let media_index = match media::index::SearchIndex::open(config.search_dir.as_deref()) {
            Ok(i) => i,
            Err(e) => {
                tracing::error!(error = %e, "search index unusable, using one in memory");
                #[allow(clippy::expect_used)]
                media::index::SearchIndex::open(None).expect("in-memory search index")
            }
        };
        let media_index = Arc::new(media_index);
        let upload_dir = config.upload_dir.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!(
                "schulhof-uploads-{}",
                uuid::Uuid::now_v7().simple()
            ))
        });
        #[allow(clippy::expect_used)]
        let staging = files::Staging::open(upload_dir).expect("upload staging directory");
        let bus = schulhof_store::events::Bus::new(&db, config.nats.clone());
        let mail_bus = mail::bus::MailBus::new(bus.clone());
        let chat_bus = chat::ChatBus::new(bus.clone());
        let conference_hub = conference::ConferenceHub::new(bus.clone());
        let relay_hub = conference::RelayHub::new(bus.clone());
        let homepage = homepage::HomepageCache::new();
        let feeds = news::feed::FeedCache::new();
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let handlers = vec![
                mail_bus.listener(),
                homepage.listener(),
                feeds.listener(),
                chat_bus.listener(),
                conference_hub.listener(),
                relay_hub.listener(),
            ];
            bus.start(&rt, handlers);
        }
        Self {
            db,
            clock,
            config: Arc::new(config),
            hasher,
            running: Arc::default(),
            blobs,
            basic: Default::default(),
            safe_keys: safe::KeyRing::new(config_master),
            media_index,
            staging,
            mail_bus,
            chat_bus,
            bus,
            conference_hub,
            relay_hub,
            homepage,
            feeds,
            oidc_cache: Default::default(),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Waits (at most `limit`) until this node hears the other nodes' signals; whether it
    /// does (for start-up checks and tests; NOTIFY and in-process are ready at once).
    pub async fn events_ready(&self, limit: std::time::Duration) -> bool {
        self.bus.ready(limit).await
    }

    /// Waits (at most `limit`) until this node's signals have gone out to the other nodes:
    /// before a command-line run ends (NOTIFY leaves after the commit, from a task of the
    /// process).
    pub async fn events_flushed(&self, limit: std::time::Duration) {
        let _ = tokio::time::timeout(limit, self.bus.flushed()).await;
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

/// A school's name: present and printable.
pub(crate) fn admin_name(name: &str) -> Result<String, DomainError> {
    admin::check_name_pub("name", name)
}
