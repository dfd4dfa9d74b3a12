//! The server under test, started in this process on an ephemeral loopback port: the same
//! `schulhof::app` and `axum::serve` as the binary, with the real clock and the production
//! Argon2 parameters. It runs on its own multi-threaded runtime, so the load generator
//! (a separate single-threaded runtime) competes with it only for CPU, as a separate process
//! on the same machine would.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use schulhof_domain::clock::SystemClock;
use schulhof_domain::{Config, Db, Platform};
use schulhof_front::AppState;
use tokio::runtime::Runtime;

/// Deviations from the production configuration, for "what if" runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tuning {
    /// Overrides `Config::max_login_queue`.
    pub login_queue: Option<usize>,
}

/// The Safe master key of benchmark installations (their data is thrown away).
pub const MASTER_KEY: [u8; 32] = [0x5c; 32];

pub struct Server {
    pub addr: SocketAddr,
    /// The platform the server runs, for untimed preparation inside the server's runtime
    /// (see [`Server::prepare`]).
    pub platform: Platform,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The database, for further nodes a scenario starts on it.
    pub database_url: String,
    runtime: Option<Runtime>,
    _data: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts on SQLite in a fresh temporary directory, or on the PostgreSQL database
    /// `database` (dropped and recreated first, so every run starts empty).
    pub fn start(database: Option<&str>, tuning: Tuning) -> anyhow::Result<Server> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("server")
            .build()
            .context("cannot build the server runtime")?;
        let (url, data, backend) = match database {
            Some(url) => {
                runtime.block_on(crate::pg::recreate(url))?;
                (url.to_owned(), None, "postgres")
            }
            None => {
                let dir = tempfile::tempdir().context("cannot create a temporary data dir")?;
                let url = format!("sqlite://{}", dir.path().join("schulhof.db").display());
                (url, Some(dir), "sqlite")
            }
        };
        let (addr, platform) = runtime.block_on(serve(&url, tuning))?;
        Ok(Server {
            addr,
            platform,
            backend,
            database_url: url,
            runtime: Some(runtime),
            _data: data,
        })
    }
}

impl Server {
    /// Runs untimed preparation on the server's runtime (its database pool belongs there)
    /// and waits for it from any runtime.
    pub async fn prepare<T: Send + 'static>(
        &self,
        f: impl Future<Output = T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let rt = self.runtime.as_ref().context("the server has stopped")?;
        rt.spawn(f).await.context("preparation panicked")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

/// Opens and migrates the database, seeds the demo school and spawns the listener.
async fn serve(url: &str, tuning: Tuning) -> anyhow::Result<(SocketAddr, Platform)> {
    let db = Db::connect(url)
        .await
        .with_context(|| format!("cannot open {url}"))?;
    schulhof_store::migrate(&db, chrono::Utc::now().timestamp_micros())
        .await
        .context("cannot migrate")?;
    // The master key is fixed, so that further nodes (the real binary) open the same
    // school keys.
    let mut config = Config {
        safe_master_key: Some(MASTER_KEY),
        ..Config::default()
    };
    if let Some(q) = tuning.login_queue {
        config.max_login_queue = q;
    }
    let platform = Platform::new(db, Arc::new(SystemClock), config);
    if !platform
        .system_seed_demo()
        .await
        .map_err(|e| anyhow::anyhow!("cannot seed the demo school: {e}"))?
    {
        bail!("the database already held the demo school");
    }
    let state = AppState {
        platform: platform.clone(),
        demo: true,
        secure_cookies: false,
        trust_forwarded: false,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot listen on loopback")?;
    let addr = listener.local_addr()?;
    let app = schulhof::app(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("server stopped: {e}");
        }
    });
    Ok((addr, platform))
}
