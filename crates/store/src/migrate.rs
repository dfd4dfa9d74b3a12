//! One ordered migration history, written per dialect with identical version numbers.
//! A test compares the two resulting schemas so they cannot drift.

use sha2::{Digest, Sha256};

use crate::{AsConn, Conn, Db, StoreError, Tx, on};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($version:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation"),
    migration!(2, "0002_imports"),
    migration!(3, "0003_files"),
    migration!(4, "0004_uploads"),
    migration!(5, "0005_four_eyes"),
    migration!(6, "0006_throttle"),
    migration!(8, "0008_shares_locks"),
    migration!(9, "0009_handins"),
    migration!(10, "0010_school_time_zone"),
    migration!(11, "0011_previews"),
    migration!(12, "0012_mail"),
    migration!(13, "0013_school_du"),
    migration!(14, "0014_file_sort"),
    migration!(15, "0015_mail_counts"),
    migration!(16, "0016_mail_dkim"),
    migration!(17, "0017_calendar"),
    migration!(18, "0018_contacts"),
    migration!(19, "0019_mail_deleted"),
    migration!(20, "0020_news"),
    migration!(21, "0021_homepage"),
    migration!(22, "0022_notifications"),
    migration!(23, "0023_operators"),
    migration!(24, "0024_calendar_invitations"),
    migration!(26, "0026_calendar_occurrences"),
    migration!(27, "0027_lms"),
    migration!(28, "0028_lms_assignments"),
    migration!(29, "0029_lms_quizzes"),
    migration!(30, "0030_lms_posts"),
    migration!(31, "0031_oidc"),
    migration!(32, "0032_mail_filtering"),
    migration!(33, "0033_mail_delegation"),
    migration!(34, "0034_chat"),
    migration!(35, "0035_conference"),
    migration!(36, "0036_chat_more"),
    migration!(37, "0037_lti"),
    migration!(38, "0038_oidc_logout"),
    migration!(39, "0039_mail_governance"),
    migration!(40, "0040_lms_notify"),
    migration!(41, "0041_help_network"),
    migration!(42, "0042_mail_expunged"),
    migration!(44, "0044_conference_guests"),
    migration!(45, "0045_lti_jwks_url"),
    migration!(47, "0047_lms_due_feeds"),
    migration!(48, "0048_help_guides_blog"),
    migration!(49, "0049_conference_guest_pass"),
    migration!(50, "0050_chat_search"),
    migration!(51, "0051_calendar_reindex"),
    migration!(56, "0056_operator_recovery_codes"),
    migration!(58, "0058_conference_guest_hand"),
    migration!(59, "0059_chat_sealed_attachments"),
    migration!(61, "0061_mail_abuse_decision_reason"),
    migration!(63, "0063_calendar_occurrence_answers"),
    migration!(64, "0064_mail_ip_limits"),
    migration!(65, "0065_lms_auto_courses"),
    migration!(66, "0066_mail_abuse_follow_up"),
    migration!(67, "0067_conference_guest_presence"),
    migration!(69, "0069_conference_member_presence"),
    migration!(70, "0070_oidc_id_token_alg"),
    migration!(71, "0071_oidc_initiate_login"),
    migration!(72, "0072_calendar_attachments"),
    migration!(73, "0073_lms_caption_tracks"),
    migration!(75, "0075_conference_presence_lease"),
    migration!(76, "0076_conference_relay"),
    migration!(78, "0078_conference_host_lease"),
    migration!(79, "0079_mail_folder_statistics"),
    migration!(82, "0082_oidc_school_claim"),
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)";

/// Applies every migration not yet applied, each in its own transaction. Refuses to run
/// when an applied migration was changed afterwards.
pub async fn migrate(db: &Db, now_us: i64) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    on!(&mut tx, c => sqlx::raw_sql(CREATE_TABLE).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if let Tx::Pg(t) = &mut tx {
        // Two nodes starting at once must not both migrate.
        sqlx::query("SELECT pg_advisory_xact_lock(7326001)")
            .execute(&mut **t)
            .await?;
    }
    let applied: Vec<(i64, String)> = on!(&mut tx, c =>
        sqlx::query_as("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&mut *c).await)?;
    for m in MIGRATIONS {
        let sql = match tx {
            Tx::Sqlite(_) | Tx::SqliteDurable(..) => m.sqlite,
            Tx::Pg(_) => m.postgres,
        };
        let sum = checksum(sql);
        if let Some((_, stored)) = applied.iter().find(|(v, _)| *v == m.version) {
            if *stored != sum {
                return Err(StoreError::MigrationChanged(m.name));
            }
            continue;
        }
        on!(&mut tx, c => sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        on!(&mut tx, c => sqlx::query(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(m.version).bind(m.name).bind(&sum).bind(now_us).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    tx.commit().await
}

/// A short digest of every migration, e.g. to name a migrated template database.
pub fn migrations_fingerprint() -> String {
    let all: String = MIGRATIONS
        .iter()
        .flat_map(|m| [m.sqlite, m.postgres])
        .collect();
    checksum(&all)[..16].to_owned()
}

fn checksum(sql: &str) -> String {
    Sha256::digest(sql.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Tables and their columns as (table, column, nullable), for comparing the two dialects.
pub async fn schema_shape(c: &mut impl AsConn) -> Result<Vec<(String, String, bool)>, StoreError> {
    Ok(match c.conn() {
        Conn::Sqlite(c) => {
            let rows: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT m.name, p.name, p.\"notnull\" FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                   -- Full-text tables (FTS5 and its shadow tables) exist on SQLite only;
                   -- PostgreSQL indexes the same rows with a tsvector column.
                   AND NOT EXISTS (SELECT 1 FROM sqlite_master v
                       WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%'
                         AND m.name IN (v.name, v.name || '_data', v.name || '_idx', v.name || '_content',
                                      v.name || '_docsize', v.name || '_config'))
                 ORDER BY m.name, p.name",
            )
            .fetch_all(c)
            .await?;
            rows.into_iter()
                .map(|(t, col, nn)| (t, col, nn == 0))
                .collect()
        }
        Conn::Pg(c) => {
            let rows: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, is_nullable::text
                 FROM information_schema.columns WHERE table_schema = current_schema()
                 ORDER BY table_name, column_name",
            )
            .fetch_all(c)
            .await?;
            rows.into_iter()
                .map(|(t, col, n)| (t, col, n == "YES"))
                .collect()
        }
    })
}
