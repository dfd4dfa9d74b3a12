//! Recreating the PostgreSQL benchmark database, so every run starts from an empty schema.

use anyhow::{Context, bail};
use sqlx::Connection;

/// Drops and recreates the database named in `url`. Refuses names without `bench` in
/// them: a typo in `--database` must never empty a real school's database.
pub async fn recreate(url: &str) -> anyhow::Result<()> {
    let (mut c, name) = maintenance(url).await?;
    drop_named(&mut c, name).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut c)
        .await
        .with_context(|| format!("cannot create {name}"))?;
    c.close().await?;
    Ok(())
}

/// Brings the planner's statistics up to date, as autovacuum does within a minute or so of a
/// bulk load: a scenario that measures right after filling measures the steady state, not a
/// planner that still believes the tables are nearly empty.
pub async fn analyze(url: &str) -> anyhow::Result<()> {
    let mut c = sqlx::PgConnection::connect(url)
        .await
        .with_context(|| format!("cannot connect to {url}"))?;
    sqlx::raw_sql("ANALYZE")
        .execute(&mut c)
        .await
        .context("ANALYZE")?;
    c.close().await?;
    Ok(())
}

/// Drops the database named in `url` (same safety rule as [`recreate`]).
#[cfg(test)]
pub async fn drop_database(url: &str) -> anyhow::Result<()> {
    let (mut c, name) = maintenance(url).await?;
    drop_named(&mut c, name).await?;
    c.close().await?;
    Ok(())
}

/// A connection to the server's `postgres` database, and the checked benchmark database name.
async fn maintenance(url: &str) -> anyhow::Result<(sqlx::PgConnection, &str)> {
    let (server, name) = split(url)?;
    if !name.contains("bench") {
        bail!("refusing to drop database {name:?}: its name must contain \"bench\"");
    }
    let maintenance = format!("{server}/postgres");
    let c = sqlx::PgConnection::connect(&maintenance)
        .await
        .with_context(|| format!("cannot connect to {maintenance}"))?;
    Ok((c, name))
}

async fn drop_named(c: &mut sqlx::PgConnection, name: &str) -> anyhow::Result<()> {
    // `name` was checked to be [a-z0-9_] only, so quoting it is safe.
    let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
        .execute(c)
        .await
        .with_context(|| format!("cannot drop {name}"))?;
    Ok(())
}

/// `postgres://u@h:5432/name?x` → (`postgres://u@h:5432`, `name`).
fn split(url: &str) -> anyhow::Result<(&str, &str)> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        bail!("--database must be a postgres:// URL (SQLite is the default)");
    }
    let base = url.split('?').next().unwrap_or(url);
    let (server, name) = base
        .rsplit_once('/')
        .filter(|(s, _)| s.contains("://") && !s.ends_with('/'))
        .context("the URL names no database")?;
    let plain = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if name.is_empty() || !plain {
        bail!("database name {name:?}: use lowercase letters, digits and _");
    }
    Ok((server, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_server_and_name() {
        let (s, n) = split("postgres://postgres@127.0.0.1:5432/schulhof_bench").expect("split");
        assert_eq!(
            (s, n),
            ("postgres://postgres@127.0.0.1:5432", "schulhof_bench")
        );
        assert!(split("postgres://h").is_err());
        assert!(split("sqlite://x").is_err());
    }
}
