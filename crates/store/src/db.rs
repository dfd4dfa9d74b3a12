//! One handle over SQLite or PostgreSQL. Queries are written once with `$N` placeholders and
//! run on either backend through the [`on!`] macro, which monomorphises the same body for
//! both drivers.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::StoreError;

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
        /// Held by a durable transaction from its `PRAGMA synchronous = FULL` until the reset
        /// after its commit (see [`Db::begin_durable`]).
        durable: Arc<tokio::sync::Mutex<()>>,
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
    SqliteDurable(Transaction<'static, Sqlite>, Durable),
}

/// What a durable SQLite transaction holds until its commit: the turn among durable
/// transactions, and the writer pool to set back to `synchronous = NORMAL` afterwards.
pub struct Durable {
    _turn: tokio::sync::OwnedMutexGuard<()>,
    write: SqlitePool,
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
            Tx::SqliteDurable(t, d) => {
                t.commit().await?;
                // The commit was fsynced; later ones need not be. (A durable transaction
                // dropped without commit leaves the writer at FULL until the next durable
                // commit resets it: slower, never less safe.)
                sqlx::query("PRAGMA synchronous = NORMAL")
                    .execute(&d.write)
                    .await?;
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
                let pool = PgPoolOptions::new()
                    .max_connections(32)
                    .min_connections(2)
                    .acquire_timeout(Duration::from_secs(30))
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
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.clone())
            .await?;
        let readers = std::thread::available_parallelism().map_or(4, |n| n.get() * 2) as u32;
        let read = SqlitePoolOptions::new()
            .max_connections(readers.max(4))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.read_only(true))
            .await?;
        Ok(Db::Sqlite {
            read,
            write,
            durable: Arc::default(),
        })
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
    /// process, not a power cut); here the single writer connection is switched to `FULL`
    /// for this one commit (SQLite allows that only outside a transaction, so before BEGIN)
    /// and back after it. Durable transactions take turns, so one's reset never falls
    /// between another's switch and its commit; an ordinary transaction running in between
    /// is merely fsynced too. The WAL is written in order, so this fsync also covers every
    /// commit before it.
    pub async fn begin_durable(&self) -> Result<Tx, StoreError> {
        match self {
            Db::Sqlite { write, durable, .. } => {
                let turn = durable.clone().lock_owned().await;
                sqlx::query("PRAGMA synchronous = FULL")
                    .execute(write)
                    .await?;
                let t = write.begin_with("BEGIN IMMEDIATE").await?;
                Ok(Tx::SqliteDurable(
                    t,
                    Durable {
                        _turn: turn,
                        write: write.clone(),
                    },
                ))
            }
            Db::Pg(_) => self.begin().await,
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
