//! Persistence. One SQL code base for SQLite and PostgreSQL; every row carries its
//! instance id and every query is scoped by it.

pub mod app_passwords;
pub mod audit;
pub mod calendar;
pub mod chat;
pub mod conference;
pub mod consent;
pub mod contacts;
pub mod dav_locks;
mod db;
pub mod events;
pub mod file_links;
pub mod files;
pub mod four_eyes;
pub mod grants;
pub mod groups;
pub mod help;
pub mod homepage;
pub mod import_runs;
pub mod imports;
pub mod instances;
pub mod lifecycle;
pub mod lms;
pub mod lti;
pub mod mail;
pub mod media;
mod migrate;
pub mod news;
pub mod notify;
pub mod oidc;
pub mod operators;
pub mod password_resets;
pub mod safe;
pub mod sessions;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;
mod time;
pub mod uploads;
pub mod users;

pub use db::{AsConn, Backend, Conn, Db, Handle, Tx, backend_of};
pub use migrate::{migrate, migrations_fingerprint, schema_shape};
pub use time::{from_us, to_us};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("database URL must start with sqlite: or postgres://")]
    BadUrl,
    #[error("migration {0} was changed after it had been applied")]
    MigrationChanged(&'static str),
    #[error("stored value is invalid: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// True when a UNIQUE constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Sql(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// Appends ` IN ($n, $n+1, …)` with `ids` bound: the list of a bulk statement.
pub(crate) fn push_in_list<DB: sqlx::Database>(
    q: &mut sqlx::QueryBuilder<DB>,
    ids: impl IntoIterator<Item = uuid::Uuid>,
) where
    uuid::Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    q.push(" IN (");
    let mut s = q.separated(", ");
    for id in ids {
        s.push_bind(id);
    }
    q.push(")");
}
