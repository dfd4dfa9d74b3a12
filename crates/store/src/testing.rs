//! Test databases: the same scenario runs on SQLite and on PostgreSQL.
//!
//! PostgreSQL is reached at `SCHULHOF_TEST_PG_URL` (default: the local server's `test`
//! database). Each test gets its own database, cloned from a migrated template.

pub mod statements;

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::{Db, StoreError, migrate, migrations_fingerprint};

pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A migrated, empty database that lives as long as this value.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// Admin URL and name of a cloned PostgreSQL database, dropped with this value so that
    /// repeated runs do not fill the server's disk.
    pg_clone: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let db = Db::connect(&url).await.expect("open sqlite");
        migrate(&db, 0).await.expect("migrate sqlite");
        TestDb {
            db,
            url,
            _dir: Some(dir),
            pg_clone: None,
        }
    }

    pub async fn postgres() -> TestDb {
        let admin_url =
            std::env::var("SCHULHOF_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.into());
        let (url, name) = clone_from_template(&admin_url).await.unwrap_or_else(|e| {
            panic!("PostgreSQL at {admin_url} is needed for the PostgreSQL half of the tests: {e}")
        });
        let db = Db::connect(&url).await.expect("connect test database");
        TestDb {
            db,
            url,
            _dir: None,
            pg_clone: Some((admin_url, name)),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.pg_clone.take() else {
            return;
        };
        // Drop runs inside the test's runtime (or while unwinding), so the statement runs on
        // a thread of its own; FORCE ends connections a server under test still holds.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let opts = PgConnectOptions::from_str(&admin_url).ok()?;
                let mut admin = opts.connect().await.ok()?;
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut admin)
                    .await
                    .ok()?;
                admin.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("test database could not be dropped; scripts/test.sh removes it next run");
        }
    }
}

async fn clone_from_template(admin_url: &str) -> Result<(String, String), StoreError> {
    let opts = PgConnectOptions::from_str(admin_url)?;
    let mut admin = opts.connect().await?;
    let template = format!("schulhof_tpl_{}", migrations_fingerprint());
    // One process builds the template; the others wait for it.
    sqlx::query("SELECT pg_advisory_lock(7326002)")
        .execute(&mut admin)
        .await?;
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&template)
        .fetch_optional(&mut admin)
        .await?;
    let built = match exists {
        Some(_) => Ok(()),
        None => build_template(&mut admin, &opts, &template).await,
    };
    sqlx::query("SELECT pg_advisory_unlock(7326002)")
        .execute(&mut admin)
        .await?;
    built?;
    let name = format!("schulhof_t_{}", uuid::Uuid::now_v7().simple());
    let create = format!("CREATE DATABASE {name} TEMPLATE {template}");
    let mut tries = 0;
    // Cloning fails while another session is still connected to the template.
    while let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(create.clone()))
        .execute(&mut admin)
        .await
    {
        tries += 1;
        if tries > 50 {
            return Err(e.into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    admin.close().await?;
    Ok((opts.database(&name).to_url_lossy().to_string(), name))
}

async fn build_template(
    admin: &mut sqlx::PgConnection,
    opts: &PgConnectOptions,
    template: &str,
) -> Result<(), StoreError> {
    let building = format!("{template}_building");
    let drop = format!("DROP DATABASE IF EXISTS {building}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
        .execute(&mut *admin)
        .await?;
    let create = format!("CREATE DATABASE {building}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(create))
        .execute(&mut *admin)
        .await?;
    let db = Db::connect(opts.clone().database(&building).to_url_lossy().as_str()).await?;
    migrate(&db, 0).await?;
    db.close().await;
    let rename = format!("ALTER DATABASE {building} RENAME TO {template}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(rename))
        .execute(&mut *admin)
        .await?;
    Ok(())
}

/// Expands scenario functions `async fn name(db: Db)` into one test per backend:
/// `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! backend_tests {
    ($($scenario:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let t = $crate::testing::TestDb::sqlite().await;
                    super::$scenario(t.db.clone()).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let t = $crate::testing::TestDb::postgres().await;
                    super::$scenario(t.db.clone()).await;
                    t.db.close().await;
                }
            )+
        }
    };
}
