//! Live events between nodes: PostgreSQL NOTIFY within a transaction, LISTEN on every node.
//! SQLite has one node, so there is nothing to send.

use crate::{AsConn, Conn, Db, StoreError};

/// Sends `payload` on `channel` when the transaction commits (PostgreSQL only).
pub async fn notify(c: &mut impl AsConn, channel: &str, payload: &str) -> Result<(), StoreError> {
    if let Conn::Pg(c) = c.conn() {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// Calls `on` with every payload sent on `channel` by any node, reconnecting after a lost
/// connection, until the pool closes. Returns at once on SQLite.
pub async fn listen(db: Db, channel: &'static str, on: impl Fn(&str) + Send + 'static) {
    let Db::Pg(pool) = db else { return };
    loop {
        let lost = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut l) => match l.listen(channel).await {
                Ok(()) => loop {
                    match l.recv().await {
                        Ok(n) => on(n.payload()),
                        Err(e) => break e,
                    }
                },
                Err(e) => e,
            },
            Err(e) => e,
        };
        // A closed pool is the process ending (a command line run, a test): nothing to say.
        if pool.is_closed() {
            return;
        }
        tracing::warn!(error = %lost, channel, "event listener lost, reconnecting");
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}
