//! Removing a deleted school's data: every row of every table that carries its instance id,
//! then the school itself. File and mail contents are content-addressed blobs; once no row
//! refers to them, the daily collection removes them (see `system_collect_blobs`).
//!
//! The tables are found in the schema rather than listed here, so a table a later module
//! adds is purged too. Foreign keys decide the order; instead of keeping that order by hand,
//! a table whose rows are still referenced is retried after the others (each attempt in a
//! savepoint, so a refused statement does not abort the transaction on PostgreSQL).

use schulhof_types::InstanceId;

use crate::{AsConn, Conn, StoreError, Tx, on};

/// Every table with an `instance_id` column.
async fn school_tables(c: &mut impl AsConn) -> Result<Vec<String>, StoreError> {
    let names: Vec<(String,)> = match c.conn() {
        Conn::Sqlite(c) => {
            sqlx::query_as(
                "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND p.name = 'instance_id' ORDER BY m.name",
            )
            .fetch_all(c)
            .await?
        }
        Conn::Pg(c) => {
            sqlx::query_as(
                "SELECT table_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND column_name = 'instance_id'
                 ORDER BY table_name",
            )
            .fetch_all(c)
            .await?
        }
    };
    Ok(names.into_iter().map(|(n,)| n).collect())
}

async fn exec(tx: &mut Tx, sql: String, id: Option<InstanceId>) -> Result<u64, StoreError> {
    let n = on!(tx, c => {
        let q = sqlx::query(sqlx::AssertSqlSafe(sql));
        let q = match id { Some(i) => q.bind(i.0), None => q };
        q.execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(n)
}

fn is_fk_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Sql(sqlx::Error::Database(d)) if d.is_foreign_key_violation())
}

/// Deletes every row of the school and the school; returns the number of rows deleted.
pub async fn purge_school(tx: &mut Tx, id: InstanceId) -> Result<u64, StoreError> {
    let mut left = school_tables(tx).await?;
    let mut total = 0;
    while !left.is_empty() {
        let mut retry = Vec::new();
        let mut last_error = None;
        for table in &left {
            exec(tx, "SAVEPOINT school_purge".into(), None).await?;
            // The name comes from the schema, not from input.
            let sql = format!("DELETE FROM \"{table}\" WHERE instance_id = $1");
            match exec(tx, sql, Some(id)).await {
                Ok(n) => {
                    total += n;
                    exec(tx, "RELEASE SAVEPOINT school_purge".into(), None).await?;
                }
                Err(e) if is_fk_violation(&e) => {
                    exec(tx, "ROLLBACK TO SAVEPOINT school_purge".into(), None).await?;
                    exec(tx, "RELEASE SAVEPOINT school_purge".into(), None).await?;
                    retry.push(table.clone());
                    last_error = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        if retry.len() == left.len() {
            // No progress: something outside the school still refers to its rows.
            return Err(last_error.unwrap_or_else(|| StoreError::Corrupt("purge stuck".into())));
        }
        left = retry;
    }
    total += exec(tx, "DELETE FROM instances WHERE id = $1".into(), Some(id)).await?;
    Ok(total)
}

/// Rows that still carry the school's id, per table (empty once it is purged).
pub async fn school_rows(
    c: &mut impl AsConn,
    id: InstanceId,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut left = Vec::new();
    for table in school_tables(c).await? {
        let sql =
            format!("SELECT CAST(COUNT(*) AS BIGINT) FROM \"{table}\" WHERE instance_id = $1");
        let (n,): (i64,) = on!(c, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_one(&mut *c).await)?;
        if n > 0 {
            left.push((table, n));
        }
    }
    Ok(left)
}
