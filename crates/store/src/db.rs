//! One handle over SQLite or PostgreSQL. Queries are written once with `$N` placeholders and
//! run on either backend through the [`on!`] macro, which monomorphises the same body for
//! both drivers.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::StoreError;

/// A pooled PostgreSQL connection idle this long is tested before it is handed out.
const IDLE_PING: Duration = Duration::from_secs(30);

/// Which database a URL points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite allows one writer: writes go through a single-connection pool and begin
    /// `IMMEDIATE`, so two writers never deadlock upgrading a read lock.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        /// The group fsync of the write-ahead log after durable commits (see
        /// [`Db::begin_durable`]).
        wal: Arc<WalSync>,
    },
    Pg(PgPool),
}

/// A borrowed connection of either backend.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

/// Anything a query can run on: a pooled connection or an open transaction.
pub trait AsConn: Send {
    fn conn(&mut self) -> Conn<'_>;
}

/// A pooled connection for reads.
pub enum Handle {
    Sqlite(PoolConnection<Sqlite>),
    Pg(PoolConnection<Postgres>),
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
    /// A SQLite transaction whose commit is fsynced before `commit` returns.
    SqliteDurable(Transaction<'static, Sqlite>, Arc<WalSync>),
}

/// Group commit for SQLite: fsyncs the write-ahead log after durable commits, one `fdatasync`
/// for all commits that finished while the previous one ran.
///
/// Why this is as safe as `synchronous = FULL`: SQLite (unix VFS, no user-space buffer)
/// has written a commit's WAL frames with `pwrite` before the commit returns; an `fdatasync` of
/// the WAL file started after that puts them on disk. Frames leave the WAL only through a
/// checkpoint, which under `NORMAL` fsyncs the WAL before copying and the database file after;
/// so a WAL restarted (overwritten) or deleted (last connection closed) before our fsync held
/// nothing that is not already on disk in the database file — a missing WAL is no error.
#[derive(Debug)]
pub struct WalSync {
    path: PathBuf,
    /// Tickets handed out, one per durable commit, each taken after its commit returned.
    taken: AtomicU64,
    /// The highest ticket a finished fsync covers; locked while an fsync runs, so commits
    /// that finish meanwhile wait and share the next one.
    synced: tokio::sync::Mutex<u64>,
    /// `fdatasync` calls made on an existing log (for tests and benchmarks).
    fsyncs: AtomicU64,
}

impl WalSync {
    fn new(db_file: &std::path::Path) -> WalSync {
        let mut path = db_file.as_os_str().to_owned();
        path.push("-wal");
        WalSync {
            path: path.into(),
            taken: AtomicU64::new(0),
            synced: tokio::sync::Mutex::new(0),
            fsyncs: AtomicU64::new(0),
        }
    }

    /// Returns once every commit that finished before this call is on disk.
    async fn wait(&self) -> Result<(), StoreError> {
        let mine = self.taken.fetch_add(1, Ordering::SeqCst) + 1;
        let mut synced = self.synced.lock().await;
        if *synced >= mine {
            return Ok(());
        }
        // Every ticket up to here belongs to a commit that returned before it was taken.
        let upto = self.taken.load(Ordering::SeqCst);
        let path = self.path.clone();
        let synced_a_file = tokio::task::spawn_blocking(move || sync_file(&path))
            .await
            .map_err(|e| StoreError::Sql(sqlx::Error::Io(std::io::Error::other(e))))?
            .map_err(|e| StoreError::Sql(sqlx::Error::Io(e)))?;
        if synced_a_file {
            self.fsyncs.fetch_add(1, Ordering::Relaxed);
        }
        *synced = upto;
        Ok(())
    }
}

/// `fdatasync` of the file at `path`: whether there was one. A missing file is no error
/// (see [`WalSync`]).
fn sync_file(path: &std::path::Path) -> std::io::Result<bool> {
    match std::fs::OpenOptions::new().write(true).open(path) {
        Ok(f) => f.sync_data().map(|()| true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

impl AsConn for Handle {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Handle::Sqlite(c) => Conn::Sqlite(c),
            Handle::Pg(c) => Conn::Pg(c),
        }
    }
}

impl AsConn for Tx {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) | Tx::SqliteDurable(t, _) => Conn::Sqlite(t),
            Tx::Pg(t) => Conn::Pg(t),
        }
    }
}

/// Runs `$body` with `$c` bound to the concrete connection of whichever backend `$conn` uses.
#[macro_export]
macro_rules! on {
    ($conn:expr, $c:ident => $body:expr) => {
        match $crate::AsConn::conn($conn) {
            $crate::Conn::Sqlite($c) => $body,
            $crate::Conn::Pg($c) => $body,
        }
    };
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
            Tx::SqliteDurable(t, wal) => {
                t.commit().await?;
                // The writer is free again before the fsync: the next transactions run
                // while it does, and commits finishing meanwhile share the next one.
                wal.wait().await?;
            }
        }
        Ok(())
    }
}

impl Db {
    /// Connects to `url` (`sqlite://path`, `postgres://…`). SQLite files are created.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        match backend_of(url)? {
            Backend::Sqlite => Self::connect_sqlite(url).await,
            Backend::Postgres => {
                let opts = PgConnectOptions::from_str(url)?;
                // No ping before every acquire (a round trip each): a connection that broke
                // in use fails its statement once and is dropped (sqlx tests it on release);
                // only one idle for a while (a server restart in a quiet hour, a firewall's
                // idle timeout) is tested before it is handed out.
                let pool = PgPoolOptions::new()
                    .max_connections(32)
                    .min_connections(2)
                    .acquire_timeout(Duration::from_secs(30))
                    .test_before_acquire(false)
                    .before_acquire(|c, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= IDLE_PING {
                                sqlx::Connection::ping(c).await?;
                            }
                            Ok(true)
                        })
                    })
                    .connect_with(opts)
                    .await?;
                Ok(Db::Pg(pool))
            }
        }
    }

    async fn connect_sqlite(url: &str) -> Result<Db, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-16000");
        let wal = Arc::new(WalSync::new(opts.get_filename()));
        // In-process connections cannot be lost: no ping before an acquire.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.clone())
            .await?;
        let readers = std::thread::available_parallelism().map_or(4, |n| n.get() * 2) as u32;
        let read = SqlitePoolOptions::new()
            .max_connections(readers.max(4))
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.read_only(true))
            .await?;
        Ok(Db::Sqlite { read, write, wal })
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    /// A connection for reading.
    pub async fn read(&self) -> Result<Handle, StoreError> {
        Ok(match self {
            Db::Sqlite { read, .. } => Handle::Sqlite(read.acquire().await?),
            Db::Pg(p) => Handle::Pg(p.acquire().await?),
        })
    }

    /// A write transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    /// A write transaction whose commit is on disk (fsynced) when `commit` returns: for what
    /// a protocol acknowledges as stored (a mail answered `250`). PostgreSQL commits durably
    /// anyway. SQLite runs `synchronous = NORMAL` (a WAL commit survives a crash of the
    /// process, not a power cut); a durable commit is followed by an fsync of the WAL,
    /// shared by all durable commits that finish meanwhile ([`WalSync`]: a group commit that
    /// does not hold the single writer while the disk works).
    pub async fn begin_durable(&self) -> Result<Tx, StoreError> {
        match self {
            Db::Sqlite { write, wal, .. } => Ok(Tx::SqliteDurable(
                write.begin_with("BEGIN IMMEDIATE").await?,
                wal.clone(),
            )),
            Db::Pg(_) => self.begin().await,
        }
    }

    /// How many `fdatasync`s of the WAL durable commits caused (SQLite; 0 on PostgreSQL).
    pub fn durable_syncs(&self) -> u64 {
        match self {
            Db::Sqlite { wal, .. } => wal.fsyncs.load(Ordering::Relaxed),
            Db::Pg(_) => 0,
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Db::Pg(p) => p.close().await,
        }
    }
}

pub fn backend_of(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::BadUrl)
    }
}
